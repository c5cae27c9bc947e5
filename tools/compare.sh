#!/usr/bin/env bash
# Compare cibform with Pacemaker's and pcs's own diff tools on shaped clusters of N primitives
# (issue 13), print the table and draw docs/scaling.svg.
#
#   tools/compare.sh [N ...]          default: 100 1000 3000 10000
#   RUNS=3 TIMEOUT=300 OUT=docs/scaling.svg tools/compare.sh 1000 10000
#   CIBFORM=/path/to/other/cibform tools/compare.sh     (another build, e.g. an older one)
#   python3 tools/plot-scaling.py docs/scaling.tsv docs/scaling.svg   (redraw from the table)
#
# Each N: examples/gencluster writes cluster.yaml/cib.xml and the 1%-changed pair; then, each
# RUNS times (the median is reported):
#   cibform   cibform plan changed.yaml --target file:cib.xml --no-preview
#   crm_diff  crm_diff -o cib.xml -n changed-cib.xml
#   pcs       CIB_file=copy pcs cluster cib-push changed-cib.xml diff-against=cib.xml
#             (pcs computes the diff with crm_diff, then pushes it; Pacemaker 2.1.5 refuses the
#             push to a CIB file, "Protocol not supported", so the time is pcs's diff)
#   cibadmin  CIB_file=copy cibadmin --patch --xml-file (crm_diff's patch): applying it (left
#             out where it is refused, as with 2.1.5 on a CIB file)
# A tool that is not installed, or takes longer than TIMEOUT seconds, is left out of its row.
# Times are CPU seconds (user + sys, children included) beside wall seconds: on a shared
# machine the wall clock mostly measures the other jobs. Memory is the peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000 3000 10000)
runs=${RUNS:-3}
limit=${TIMEOUT:-300}
out=${OUT:-docs/scaling.svg}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --quiet --release --bin cibform --example gencluster
bin=${CARGO_TARGET_DIR:-target}/release
cibform=${CIBFORM:-$bin/cibform}
data="$work/data.tsv"
printf 'n\ttool\tcpu_s\twall_s\trss_kib\tcib_kib\n' >"$data"

# time_it TOOL N CIB_KIB OK CMD...: RUNS runs, the median line appended to $data. OK is the
# exit codes that count as done (`0 1` for crm_diff, which exits 1 on differences; `any` for
# pcs, whose push to a CIB file may be refused after it has computed the diff).
time_it() {
    local tool=$1 n=$2 cib=$3 ok=$4
    shift 4
    local lines=() rc
    for _ in $(seq "$runs"); do
        cp "$work/$n/cib.xml" "$work/copy.xml"
        rc=0
        CIB_file="$work/copy.xml" timeout "$limit" /usr/bin/time -f '%U %S %e %M' -o "$work/t" "$@" \
            >/dev/null 2>"$work/err" || rc=$?
        if [ "$rc" = 124 ] || ! grep -q '^[0-9]' "$work/t" || { [ "$ok" != any ] && ! [[ " $ok " == *" $rc "* ]]; }; then
            echo "  $tool at $n: exit $rc (timeout $limit s): left out; $(tail -1 "$work/err")" >&2
            return
        fi
        read -r u s e m < <(grep '^[0-9]' "$work/t")
        lines+=("$(awk -v u="$u" -v s="$s" -v e="$e" -v m="$m" 'BEGIN { printf "%.3f\t%.2f\t%d", u + s, e, m }')")
    done
    local median
    median=$(printf '%s\n' "${lines[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
    printf '%s\t%s\t%s\t%s\n' "$n" "$tool" "$median" "$cib" >>"$data"
}

for n in "${sizes[@]}"; do
    echo "N=$n: generating" >&2
    "$bin/examples/gencluster" "$n" "$work/$n"
    d="$work/$n"
    cib=$(($(stat -c %s "$d/cib.xml") / 1024))
    time_it cibform "$n" "$cib" "0 2" "$cibform" plan "$d/changed.yaml" --target "file:$d/cib.xml" --no-preview
    if command -v crm_diff >/dev/null; then
        time_it crm_diff "$n" "$cib" "0 1" crm_diff -o "$d/cib.xml" -n "$d/changed-cib.xml"
    fi
    if command -v pcs >/dev/null; then
        time_it pcs "$n" "$cib" any pcs cluster cib-push "$d/changed-cib.xml" "diff-against=$d/cib.xml"
    fi
    if command -v cibadmin >/dev/null && command -v crm_diff >/dev/null; then
        crm_diff -o "$d/cib.xml" -n "$d/changed-cib.xml" >"$d/patch.xml" || true
        time_it "cibadmin --patch" "$n" "$cib" 0 cibadmin --patch --xml-file "$d/patch.xml"
    fi
done

cp "$data" "${out%.svg}.tsv"
python3 tools/plot-scaling.py "${out%.svg}.tsv" "$out"
