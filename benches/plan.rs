//! `cargo bench --bench plan`: how long each stage takes for a 10,000-resource cluster.
//!
//! The target is a whole plan (YAML load + validate + desired + merge + diff) well under a
//! second in a release build. Prints one line per stage (best of 5 runs) and the total.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use cibform::cib::Cib;

/// A synthetic cluster: `n` primitives with 3 params and a monitor op, grouped by 4.
fn yaml(n: usize) -> String {
    let mut y = String::from("cluster: big\nproperties: { stonith-enabled: false }\nresources:\n");
    for i in 0..n {
        let _ = writeln!(y, "  r{i}: {{ agent: ocf:pacemaker:Dummy, params: {{ a: '{i}', b: x, c: y }}, ops: [{{ name: monitor, interval: 10s, timeout: 20s }}] }}");
    }
    y.push_str("groups:\n");
    for g in 0..n / 4 {
        let _ = writeln!(y, "  g{g}: [r{}, r{}, r{}, r{}]", 4 * g, 4 * g + 1, 4 * g + 2, 4 * g + 3);
    }
    y
}

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        out = Some(v);
    }
    (best, out.expect("runs > 0"))
}

fn main() {
    // `cargo bench` passes `--bench`: the full 10,000. `cargo test --all-targets` runs this too, as
    // a quick smoke check of the same pipeline on 1,000. A number argument overrides both.
    let args: Vec<String> = std::env::args().collect();
    let full = args.iter().any(|a| a == "--bench");
    let n: usize = args.iter().filter_map(|a| a.parse().ok()).next().unwrap_or(if full { 10_000 } else { 1_000 });
    let text = yaml(n);
    // Live CIB: the same cluster already applied, with one changed parameter (a realistic plan).
    let (_, (src, raw)) = best(1, || cibform::config::parse("big.yaml", text.as_bytes()).unwrap());
    let (model, _) = cibform::validate::validate(&src, &raw).unwrap();
    let empty = Cib::parse("empty", r#"<cib epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/><nodes/><resources/><constraints/></configuration><status/></cib>"#).unwrap();
    let d = cibform::desired::build(&model, Vec::new(), &cibform::desired::builtin_default_ops());
    let applied = empty.with_configuration(cibform::plan::compute(empty.configuration(), &d).new_config);
    let live_text = applied.root.to_xml().replace(r#"name="a" value="7""#, r#"name="a" value="changed""#);

    let (t_parse, (src, raw)) = best(5, || cibform::config::parse("big.yaml", text.as_bytes()).unwrap());
    let (t_validate, (model, _)) = best(5, || cibform::validate::validate(&src, &raw).unwrap());
    let (t_cib, live) = best(5, || Cib::parse("live", &live_text).unwrap());
    let mut ids = Vec::new();
    live.configuration().collect_ids(&mut ids);
    let ids: Vec<String> = ids.into_iter().map(str::to_string).collect();
    let defaults = cibform::desired::builtin_default_ops();
    let (t_desired, d) = best(5, || cibform::desired::build(&model, ids.clone(), &defaults));
    let (t_plan, plan) = best(5, || cibform::plan::compute(live.configuration(), &d));
    let (t_patch, _) =
        best(5, || cibform::plan::patch::patch(&live, &live.with_configuration(plan.new_config.clone())));
    assert_eq!(plan.changes.len(), 1, "exactly one change expected");
    let total = t_parse + t_validate + t_cib + t_desired + t_plan;
    println!("{n} primitives, YAML {} KiB, CIB {} KiB", text.len() / 1024, live_text.len() / 1024);
    for (name, t) in [
        ("yaml load", t_parse),
        ("validate", t_validate),
        ("cib parse", t_cib),
        ("desired", t_desired),
        ("plan (merge+diff)", t_plan),
        ("patch", t_patch),
    ] {
        println!("{name:>18}: {:>8.1} ms", t.as_secs_f64() * 1000.0);
    }
    let target = if full { " (target: well under 1000 ms in a release build)" } else { "" };
    println!("{:>18}: {:>8.1} ms{target}", "plan total", total.as_secs_f64() * 1000.0);
}
