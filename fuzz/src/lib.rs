//! Fuzz harnesses: one function per parser of untrusted input, fed arbitrary bytes.
//!
//! Each must return normally for every input: a parse gives a value or a diagnostic (which must
//! render), never a panic; what parses must also keep the promises asserted below (a valid model
//! plans to no change once applied; an exported CIB plans to no change against itself; a rule
//! prints back to itself). A panic or a failed assertion here is a bug in the library.
//!
//! Used by the AFL targets (`src/bin/*.rs`) and replayed over `fuzz/corpus/` by the main crate's
//! `tests/fuzz_replay.rs`, so this file depends on `cibform` and `std` only. No I/O.

use std::path::PathBuf;

use cibform::backend::{Live, Target};
use cibform::cib::Cib;
use cibform::diag::Diag;
use cibform::model::Cluster;
use cibform::{desired, ops, plan};

/// A harness: runs one input, panics on a bug.
pub type Harness = fn(&[u8]);

/// The targets, by the name of their corpus directory (`fuzz/corpus/<name>/`).
pub const TARGETS: &[(&str, Harness)] =
    &[("yaml", yaml), ("rule", rule), ("cib", cib), ("corosync_conf", corosync_conf), ("planfile", planfile)];

/// What `cibadmin --empty` prints on pacemaker 2.1.5 (one copy, in the library).
pub use cibform::cib::EMPTY_CIB;

/// Diagnostics must render: their labels lie inside their source, on character boundaries.
fn render(diags: &[Diag]) {
    let _ = cibform::cli::render_diags(diags, false);
}

fn live(name: &str, cib: Cib) -> Live {
    Live { name: name.to_string(), cib, corosync: None }
}

fn target() -> Target {
    Target::File(PathBuf::from("fuzz.xml"))
}

/// Plan `model` against `cib`, as `cibform plan` does; `None` for a clean refusal.
pub fn plan_against(model: &Cluster, cib: Cib) -> Option<ops::Planned> {
    ops::plan_live(model, live("fuzz.xml", cib), &target(), &desired::builtin_default_ops()).ok()
}

/// `cib` with `config` written as a file target writes it, and read back.
pub fn apply(cib: &Cib, config: &cibform::cib::xml::Element) -> Cib {
    let text = cib.with_configuration(config.clone()).root.to_xml();
    Cib::parse("applied.xml", &text)
        .unwrap_or_else(|d| panic!("a written CIB does not read back: {}\n{text}", d.message))
}

/// The cluster file: load, validate; a valid model is planned against an empty CIB, the plan is
/// applied, and planning the same model again must find nothing to do.
pub fn yaml(data: &[u8]) {
    let (src, raw) = match cibform::config::parse("fuzz.yaml", data) {
        Ok(parsed) => parsed,
        Err(d) => return render(&[*d]),
    };
    let model = match cibform::validate::validate(&src, &raw) {
        Ok((model, warnings)) => {
            render(&warnings);
            model
        }
        Err(diags) => return render(&diags),
    };
    let empty = Cib::parse("empty", EMPTY_CIB).expect("the empty CIB parses");
    let Some(first) = plan_against(&model, empty) else { return };
    let applied = apply(&first.live.cib, &first.plan.new_config);
    let again = plan_against(&model, applied).expect("the applied configuration plans again");
    assert!(
        again.plan.is_empty(),
        "applying a valid model and planning it again changes something:\n{}",
        cibform::render::text(&again.plan, &again.header, false)
    );
}

/// The rule language: what parses prints back to text that parses to the same rule, and goes
/// to XML and back.
pub fn rule(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(rule) = cibform::rule::parse(&text) else { return };
    let printed = cibform::rule::to_text(&rule);
    let again = cibform::rule::parse(&printed).unwrap_or_else(|e| panic!("to_text output `{printed}` fails: {e:?}"));
    assert_eq!(again, rule, "`{text}` printed as `{printed}` parses to another rule");
    let _ = cibform::rule::from_xml(&cibform::rule::to_xml(&rule, "r", &[]));
}

/// A CIB: parse; a CIB plans to nothing against itself; export it, and when export succeeds the
/// exported file loads, validates and plans to no change against the same CIB.
pub fn cib(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let cib = match Cib::parse("fuzz.xml", text) {
        Ok(cib) => cib,
        Err(d) => return render(&[*d]),
    };
    let config = cib.configuration();
    let itself = plan::diff(config, config);
    assert!(itself.is_empty(), "a configuration differs from itself: {itself:?}");
    let _ = plan::view::views(config);
    let _ = plan::patch::patch(&cib, &cib.with_configuration(Default::default()));
    let exported = ops::export_live(&live("fuzz.xml", cib.clone()), &target(), &Default::default());
    let yaml = match exported {
        Ok((yaml, _notes)) => yaml,
        Err(cibform::error::Error::Diags(d)) => return render(&d),
        Err(_) => return,
    };
    let (src, raw) = cibform::config::parse("exported.yaml", yaml.as_bytes()).expect("the exported file loads");
    let (model, _) = cibform::validate::validate(&src, &raw)
        .unwrap_or_else(|d| panic!("the exported file does not validate: {}\n{yaml}", d[0].message));
    let planned = plan_against(&model, cib).expect("the exported file plans against its CIB");
    assert!(
        planned.plan.is_empty(),
        "the exported file plans changes against its own CIB:\n{}",
        cibform::render::text(&planned.plan, &planned.header, false)
    );
}

/// corosync.conf: parse, read the facts cibform compares, and write back byte for byte. (The
/// target is not called `corosync`: pcs's `killall -9 corosync` on the host would kill it.)
pub fn corosync_conf(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match cibform::corosync::parse("corosync.conf", &text) {
        Ok(conf) => {
            drop(cibform::corosync::Facts::from_conf(&conf));
            assert_eq!(cibform::corosync::to_text(&conf), text, "a parsed corosync.conf is written back unchanged");
        }
        Err(d) => render(&[*d]),
    }
}

/// A saved plan (`plan --out`): read it as untrusted and authenticate it under a key; a plan
/// that passes is checked against the configuration it records and rendered.
pub fn planfile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(saved) = cibform::planfile::read(text) else { return };
    // Whatever its `mac` holds, a plan is authenticated or refused under a key, never a panic.
    let key = cibform::planfile::auth::PlanKey::new(b"a fixed fuzzing key, 32 bytes!!!").expect("long enough");
    let _ = saved.clone().authenticate(Some(&key));
    let header = cibform::render::Header {
        cluster: "fuzz".into(),
        target: "file:fuzz.xml".into(),
        version: String::new(),
        sensitive: saved.policy.sensitive.clone(),
    };
    if let Ok(plan) = saved.check(&saved.old, &header) {
        let _ = cibform::render::text(&plan, &header, false);
        let _ = cibform::render::json::doc(&plan, &header, &saved.doc.against);
    }
}
