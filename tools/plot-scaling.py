#!/usr/bin/env python3
"""Print the comparison table and draw the scaling SVG from tools/compare.sh's TSV.

Usage: plot-scaling.py TABLE.tsv OUT.svg. Columns: n, tool, cpu_s, wall_s, rss_kib, cib_kib.
Two log-log panels (CPU seconds and peak RSS against N), one line per tool, plain SVG.
"""
import math, sys
from collections import defaultdict

rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
series = defaultdict(list)
cib = {}
for n, tool, cpu, wall, rss, kib in rows:
    series[tool].append((int(n), float(cpu), float(wall), int(rss)))
    cib[int(n)] = int(kib)

print(f"{'N':>7} {'CIB MiB':>8} {'tool':<17} {'CPU s':>8} {'wall s':>8} {'RSS MiB':>8} {'CPU vs cibform':>15}")
base = {n: cpu for n, cpu, _, _ in series.get("cibform", [])}
for n in sorted(cib):
    for tool, pts in series.items():
        for m, cpu, wall, rss in pts:
            if m == n:
                ratio = f"{cpu / base[n]:.1f}x" if tool != "cibform" and base.get(n) else ""
                print(f"{n:>7} {cib[n] / 1024:>8.1f} {tool:<17} {cpu:>8.2f} {wall:>8.2f} {rss / 1024:>8.0f} {ratio:>15}")

# Two log-log panels: CPU seconds and peak RSS against N, one line per tool.
W, H, M = 420, 300, 55
colors = {"cibform": "#1f77b4", "cibform 0.1.0": "#9ecae1", "crm_diff": "#d62728", "pcs": "#ff7f0e", "cibadmin --patch": "#2ca02c"}
ns = sorted(cib)

def panel(x0, title, values, unit):
    vals = [v for pts in values.values() for _, v in pts if v > 0]
    lo, hi = math.floor(math.log10(min(vals))), math.ceil(math.log10(max(vals)))
    hi = max(hi, lo + 1)
    nlo, nhi = math.log10(ns[0]), math.log10(ns[-1]) if len(ns) > 1 else math.log10(ns[0]) + 1
    X = lambda n: x0 + M + (math.log10(n) - nlo) / (nhi - nlo) * (W - M - 15)
    Y = lambda v: H - M + 10 - (math.log10(v) - lo) / (hi - lo) * (H - M - 20)
    s = [f'<text x="{x0 + W / 2}" y="16" text-anchor="middle" font-weight="bold">{title}</text>']
    s.append(f'<line x1="{x0 + M}" y1="{H - M + 10}" x2="{x0 + W - 15}" y2="{H - M + 10}" stroke="#444"/>')
    s.append(f'<line x1="{x0 + M}" y1="10" x2="{x0 + M}" y2="{H - M + 10}" stroke="#444"/>')
    for e in range(lo, hi + 1):
        y = Y(10**e)
        s.append(f'<line x1="{x0 + M}" y1="{y}" x2="{x0 + W - 15}" y2="{y}" stroke="#ddd"/>')
        s.append(f'<text x="{x0 + M - 4}" y="{y + 4}" text-anchor="end">{10**e:g}{unit}</text>')
    for n in ns:
        s.append(f'<text x="{X(n)}" y="{H - M + 26}" text-anchor="middle">{n:,}</text>')
    s.append(f'<text x="{x0 + W / 2}" y="{H - M + 44}" text-anchor="middle">primitives (log)</text>')
    for tool, pts in values.items():
        pts = [(n, v) for n, v in pts if v > 0]
        path = " ".join(f"{X(n):.1f},{Y(v):.1f}" for n, v in pts)
        c = colors.get(tool, "#555")
        s.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="{path}"/>')
        s += [f'<circle cx="{X(n):.1f}" cy="{Y(v):.1f}" r="3" fill="{c}"/>' for n, v in pts]
    return s

cpu = {t: [(n, c) for n, c, _, _ in p] for t, p in series.items()}
rss = {t: [(n, r / 1024) for n, _, _, r in p] for t, p in series.items()}
rss["CIB size"] = [(n, cib[n] / 1024) for n in ns]
colors["CIB size"] = "#999"
body = panel(0, "CPU time (s)", cpu, "s") + panel(W, "peak RSS (MiB)", rss, "")
legend = []
for i, tool in enumerate(list(series) + ["CIB size"]):
    x = 20 + i * 135
    legend.append(f'<rect x="{x}" y="{H + 8}" width="12" height="12" fill="{colors.get(tool, "#555")}"/>')
    legend.append(f'<text x="{x + 16}" y="{H + 18}">{tool}</text>')
svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{H + 30}" font-family="sans-serif" font-size="11">\n'
       f'<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(body + legend) + "\n</svg>\n")
open(sys.argv[2], "w").write(svg)
print(f"\nwrote {sys.argv[2]}", file=sys.stderr)
