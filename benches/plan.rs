//! `cargo bench --bench plan`: each stage of a plan, and export, on shaped clusters (issue 13).
//!
//! The clusters come from `examples/gencluster/shape.rs` (groups of IPaddr2 + Dummy + systemd,
//! ping clones, a pingd rule, colocation and order per group): the file with 1% of the
//! primitives changed, planned against the CIB of the unchanged one, at 1,000 and 10,000
//! primitives (`CIBFORM_BENCH_SIZES=1000,100000` for others). Under `cargo test --all-targets`
//! each bench runs once, at 1,000, as a smoke check of the same pipeline.

#[path = "../examples/gencluster/shape.rs"]
mod shape;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use cibform::backend::{Live, Target};
use cibform::cib::Cib;
use cibform::config::raw::RawCluster;
use cibform::diag::Source;
use cibform::model::Cluster;
use divan::{black_box, Bencher};

// The allocator the `cibform` binary uses (src/main.rs), so the stages cost what they cost there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    cibform::memory::no_huge_pages();
    divan::main();
}

/// Sizes to run: 1,000 and 10,000 under `cargo bench`, 1,000 under `cargo test`.
fn sizes() -> Vec<usize> {
    if let Ok(list) = std::env::var("CIBFORM_BENCH_SIZES") {
        return list.split(',').filter_map(|s| s.trim().parse().ok()).collect();
    }
    if std::env::args().any(|a| a == "--bench") {
        vec![1_000, 10_000]
    } else {
        vec![1_000]
    }
}

/// Everything a stage needs, built once per size.
struct Fixture {
    yaml: String,
    live_xml: String,
    src: Source,
    raw: RawCluster,
    model: Cluster,
    live: Cib,
    taken: Vec<String>,
    desired: cibform::desired::Desired,
    plan: cibform::plan::Plan,
}

fn fixture(n: usize) -> &'static Fixture {
    static CACHE: OnceLock<Mutex<HashMap<usize, &'static Fixture>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().expect("no panic while held");
    cache.entry(n).or_insert_with(|| Box::leak(Box::new(build(n))))
}

fn build(n: usize) -> Fixture {
    let live_xml = shape::cib(&shape::yaml(n, false));
    let yaml = shape::yaml(n, true);
    let (src, raw) = cibform::config::parse("big.yaml", yaml.as_bytes()).expect("parses");
    let (model, _) = cibform::validate::validate(&src, &raw).expect("validates");
    let live = Cib::parse("live", &live_xml).expect("CIB parses");
    let mut ids = Vec::new();
    live.configuration().collect_ids(&mut ids);
    let taken: Vec<String> = ids.into_iter().map(str::to_string).collect();
    let desired = cibform::desired::build(&model, taken.clone(), &cibform::desired::builtin_default_ops());
    let plan = cibform::plan::compute(live.configuration(), &desired);
    assert_eq!(plan.changes.len(), n.div_ceil(100), "1% of the primitives changed");
    Fixture { yaml, live_xml, src, raw, model, live, taken, desired, plan }
}

#[divan::bench(args = sizes())]
fn yaml_parse(b: Bencher, n: usize) {
    let f = fixture(n);
    b.bench(|| cibform::config::parse("big.yaml", black_box(f.yaml.as_bytes())).expect("parses"));
}

#[divan::bench(args = sizes())]
fn validate(b: Bencher, n: usize) {
    let f = fixture(n);
    b.bench(|| cibform::validate::validate(&f.src, black_box(&f.raw)).expect("validates"));
}

#[divan::bench(args = sizes())]
fn cib_parse(b: Bencher, n: usize) {
    let f = fixture(n);
    b.bench(|| Cib::parse("live", black_box(&f.live_xml)).expect("parses"));
}

#[divan::bench(args = sizes())]
fn desired(b: Bencher, n: usize) {
    let f = fixture(n);
    let defaults = cibform::desired::builtin_default_ops();
    b.bench(|| cibform::desired::build(&f.model, f.taken.clone(), &defaults));
}

#[divan::bench(args = sizes())]
fn diff_plan(b: Bencher, n: usize) {
    let f = fixture(n);
    b.bench(|| cibform::plan::compute(f.live.configuration(), black_box(&f.desired)));
}

#[divan::bench(args = sizes())]
fn render(b: Bencher, n: usize) {
    let f = fixture(n);
    let h = cibform::render::Header {
        cluster: "big".into(),
        target: "file:cib.xml".into(),
        version: "0.1.0".into(),
        sensitive: Vec::new(),
    };
    b.bench(|| cibform::render::text(black_box(&f.plan), &h, false));
}

#[divan::bench(args = sizes())]
fn patch(b: Bencher, n: usize) {
    let f = fixture(n);
    let new = f.live.with_configuration(f.plan.new_config.clone());
    // The patch is proportional to the change, not to the CIB: a change or two (the CIB's
    // version, the edited nvpair) per edited primitive, a small fraction of the CIB's text.
    let once = cibform::plan::patch::patch(&f.live, &new).to_xml();
    let changes = once.matches("<change ").count();
    assert!(changes <= 1 + n.div_ceil(100), "{changes} changes for {} edits:\n{once}", n.div_ceil(100));
    assert!(once.len() * 100 < f.live_xml.len(), "the patch is under 1% of the CIB");
    b.bench(|| cibform::plan::patch::patch(&f.live, black_box(&new)));
}

/// Export's first half: CIB → model → YAML text, unchecked.
#[divan::bench(args = sizes())]
fn export(b: Bencher, n: usize) {
    let f = fixture(n);
    let (opts, defaults) = (cibform::export::Options::default(), cibform::desired::builtin_default_ops());
    b.bench(|| cibform::export::to_yaml(&cibform::export::from_cib(black_box(&f.live), None, &opts, &defaults).model));
}

/// What `cibform export` does: the text above, then loaded, validated and planned to zero changes.
#[divan::bench(args = sizes(), sample_count = 10)]
fn export_checked(b: Bencher, n: usize) {
    let f = fixture(n);
    let live = Live { name: "live".into(), cib: f.live.clone(), corosync: None };
    let target = Target::parse("file:cib.xml").expect("target");
    let opts = cibform::export::Options::default();
    b.bench(|| cibform::ops::export_live(black_box(&live), &target, &opts).expect("exports"));
}
