//! The orchestration (`prepare`, `execute`, `--wait`) against a scripted node: which commands run,
//! in which order, and what each failure says about what was written.

use std::rc::Rc;

use super::*;
use crate::backend::fake::{block, FakeNode, Script};
use crate::backend::runner::Output;
use crate::backend::Written;

fn cib(epoch: u64, props: &str) -> Output {
    let xml = format!(
        r#"<cib admin_epoch="0" epoch="{epoch}" num_updates="0"><configuration><crm_config><cluster_property_set id="cib-bootstrap-options">{props}</cluster_property_set></crm_config><nodes/><resources/><constraints/></configuration><status/></cib>"#
    );
    Output { code: 0, stdout: xml.into_bytes(), stderr: String::new() }
}

const BEFORE: &str = "";
const AFTER: &str = r#"<nvpair id="cib-bootstrap-options-no-quorum-policy" name="no-quorum-policy" value="ignore"/>"#;

fn ok() -> Output {
    Output::default()
}

fn failed(code: i32, stderr: &str) -> Output {
    Output { code, stdout: Vec::new(), stderr: stderr.into() }
}

fn model() -> Cluster {
    let (src, raw) = crate::config::parse("t.yaml", b"cluster: c\nproperties:\n  no-quorum-policy: ignore\n").unwrap();
    crate::validate::validate(&src, &raw).unwrap().0
}

/// Prepare an apply of `model()` on a node scripted with `answers` (after the plan's own read).
fn prepared(answers: Vec<(&'static str, Output)>) -> (Rc<Script>, Prepared) {
    prepared_with(ok(), answers)
}

/// As `prepared`, with crm_verify answering the plan's question with `verdict`.
fn prepared_with(verdict: Output, answers: Vec<(&'static str, Output)>) -> (Rc<Script>, Prepared) {
    let mut all = vec![("cibadmin", cib(3, BEFORE)), ("crm_verify", verdict)];
    all.extend(answers);
    let script = Rc::new(Script::new(all));
    let backend = Backend::new(Target::Fake(FakeNode(script.clone())), false);
    let p = block(prepare(model(), backend, PlanOpts::default())).unwrap();
    assert_eq!(p.plan.changes.len(), 1, "{:?}", p.plan.changes);
    (script, p)
}

/// Make a prepared apply what a saved plan gives: no file to re-plan, no verdict of this run.
fn as_saved(p: &mut Prepared) {
    p.model = None;
    p.verdict = None;
}

fn programs(script: &Script) -> Vec<String> {
    script.seen.borrow().iter().map(|c| c.argv[..2.min(c.argv.len())].join(" ")).collect()
}

#[test]
fn execute_writes_one_verified_patch_then_confirms_by_planning_again() {
    // crm_verify judged this new configuration in the plan, against the configuration the write
    // is bound to: the write does not ask it again (11 s at 10,000 primitives).
    let (script, p) = prepared(vec![
        ("cibadmin", cib(3, BEFORE)),
        ("cibadmin", ok()),
        ("cibadmin", cib(4, AFTER)),
        ("cibadmin", cib(4, AFTER)),
    ]);
    let applied = block(execute(&p, None, None, &|_| {})).unwrap();
    assert_eq!(applied.version.epoch, 4);
    assert!(script.is_done());
    let plan_read = ["cibadmin --query", "crm_verify --xml-pipe"];
    let write = ["cibadmin --query", "cibadmin --patch", "cibadmin --query"];
    let confirm = ["cibadmin --query"];
    assert_eq!(programs(&script), [&plan_read[..], &write, &confirm].concat());
}

#[test]
fn a_saved_plan_is_checked_with_crm_verify_again_before_the_write() {
    // Its verdict was made by another process, perhaps elsewhere: the write asks again.
    let mut answers = written(true);
    answers.push(("cibadmin", cib(4, AFTER)));
    let (script, mut p) = prepared(answers);
    as_saved(&mut p);
    block(execute(&p, None, None, &|_| {})).unwrap();
    assert!(script.is_done());
    let seen = programs(&script);
    let write = &seen[2..5];
    assert_eq!(write, ["cibadmin --query", "crm_verify --xml-pipe", "cibadmin --patch"], "{seen:?}");
}

#[test]
fn a_new_cib_crm_verify_refused_in_the_plan_is_refused_before_anything_is_sent() {
    let refused = Output {
        code: 78,
        stdout: Vec::new(),
        stderr: "error: bad thing\nErrors found during check: config not valid".into(),
    };
    let (script, p) = prepared_with(refused, Vec::new());
    assert!(p.plan.warnings.iter().any(|w| w.contains("`apply` will refuse this plan")), "{:?}", p.plan.warnings);
    let e = block(execute(&p, None, None, &|_| {})).unwrap_err();
    assert!(matches!(&e, Error::Backend(BackendError::Rejected { output, .. }) if output.contains("bad thing")), "{e}");
    assert_eq!(e.written(), Written::Nothing);
    assert!(script.is_done(), "nothing is read or sent after the plan: {:?}", programs(&script));
}

#[test]
fn without_crm_verify_nothing_runs_it_and_the_plan_says_so() {
    // `--no-crm-verify`: neither the plan nor the write asks crm_verify, and the plan warns.
    let script = Rc::new(Script::new(vec![
        ("cibadmin", cib(3, BEFORE)),
        ("cibadmin", cib(3, BEFORE)),
        ("cibadmin", ok()),
        ("cibadmin", cib(4, AFTER)),
        ("cibadmin", cib(4, AFTER)),
    ]));
    let backend = Backend::new(Target::Fake(FakeNode(script.clone())), false).with_crm_verify(false);
    let p = block(prepare(model(), backend, PlanOpts::default())).unwrap();
    assert!(p.plan.warnings.iter().any(|w| w == planning::NOT_VERIFIED), "{:?}", p.plan.warnings);
    block(execute(&p, None, None, &|_| {})).unwrap();
    assert!(script.is_done());
    let seen = programs(&script);
    assert!(!seen.iter().any(|c| c.starts_with("crm_verify")), "{seen:?}");
    assert_eq!(seen.iter().filter(|c| *c == "cibadmin --patch").count(), 1, "{seen:?}");
}

#[test]
fn execute_refuses_a_stale_target_and_writes_nothing() {
    let moved = r#"<nvpair id="x" name="maintenance-mode" value="true"/>"#;
    let (script, p) = prepared(vec![("cibadmin", cib(4, moved))]);
    let e = block(execute(&p, None, None, &|_| {})).unwrap_err();
    let Error::Stale { changes, .. } = &e else { panic!("{e}") };
    assert_eq!(changes.len(), 1, "the refusal carries what changed: {changes:?}");
    assert_eq!(e.written(), Written::Nothing);
    assert!(!programs(&script).iter().any(|c| c == "cibadmin --patch"), "no patch is sent");
}

#[test]
fn wait_that_times_out_says_the_change_was_written() {
    let (script, p) = prepared(vec![
        ("crm_mon", Output { code: 0, stdout: b"<crm_mon><resources/></crm_mon>".to_vec(), stderr: String::new() }),
        ("cibadmin", cib(3, BEFORE)),
        ("cibadmin", ok()),
        ("cibadmin", cib(4, AFTER)),
        ("crm_resource", failed(124, "timed out")),
    ]);
    let e = block(execute(&p, Some(5), None, &|_| {})).unwrap_err();
    assert!(matches!(e, Error::NotSettled { seconds: 5, .. }), "{e}");
    assert_eq!(e.written(), Written::Yes);
    assert!(script.is_done());
}

#[test]
fn a_change_after_the_write_is_reported_unverified_and_not_blamed_on_pacemaker() {
    let (_script, p) = prepared(vec![
        ("cibadmin", cib(3, BEFORE)),
        ("cibadmin", ok()),
        ("cibadmin", cib(4, AFTER)),
        ("cibadmin", cib(5, BEFORE)),
        ("crm_verify", ok()),
    ]);
    let e = block(execute(&p, None, None, &|_| {})).unwrap_err();
    assert!(
        matches!(e, Error::Unverified { remaining: 1, drift: crate::error::Drift::ChangedAfter { .. }, .. }),
        "{e}"
    );
    assert_eq!(e.written(), Written::Yes);
}

#[test]
fn a_crashed_cluster_after_an_accepted_patch_says_the_change_is_in() {
    let (_script, p) = prepared(vec![
        ("cibadmin", cib(3, BEFORE)),
        ("cibadmin", ok()),
        ("cibadmin", failed(102, "Could not connect to the CIB: Transport endpoint is not connected")),
    ]);
    let e = block(execute(&p, None, None, &|_| {})).unwrap_err();
    assert_eq!(e.written(), Written::Yes, "{e}");
    assert!(e.to_string().contains("write failed"), "{e}");
}

/// The write, as the scripted node answers it: the pre-write read, crm_verify (for a saved
/// plan: `saved`), the patch, the re-read that gives the new version (4).
fn written(saved: bool) -> Vec<(&'static str, Output)> {
    let verify = saved.then(|| ("crm_verify", ok()));
    let read = ("cibadmin", cib(3, BEFORE));
    [Some(read), verify, Some(("cibadmin", ok())), Some(("cibadmin", cib(4, AFTER)))].into_iter().flatten().collect()
}

#[test]
fn a_saved_plan_is_confirmed_by_reading_the_target_back() {
    let mut answers = written(true);
    answers.push(("cibadmin", cib(4, AFTER)));
    let (script, mut p) = prepared(answers);
    as_saved(&mut p);
    let applied = block(execute(&p, None, None, &|_| {})).unwrap();
    assert_eq!(applied.version.epoch, 4);
    assert!(script.is_done(), "the target is read back: {:?}", programs(&script));
}

#[test]
fn a_saved_plan_applied_was_never_checked_against_what_the_target_then_held() {
    let mut answers = written(true);
    answers.push(("cibadmin", cib(5, BEFORE)));
    let (_script, mut p) = prepared(answers);
    as_saved(&mut p);
    let e = block(execute(&p, None, None, &|_| {})).unwrap_err();
    assert!(
        matches!(e, Error::Unverified { remaining: 1, drift: crate::error::Drift::ChangedAfter { .. }, .. }),
        "{e}"
    );
    assert_eq!(e.written(), Written::Yes);
}

#[test]
fn a_target_unreadable_after_the_write_was_reported_as_nothing_written() {
    for saved in [false, true] {
        let mut answers = written(saved);
        answers.push(("cibadmin", failed(102, "Could not connect to the CIB: Transport endpoint is not connected")));
        let (_script, mut p) = prepared(answers);
        if saved {
            as_saved(&mut p);
        }
        let e = block(execute(&p, None, None, &|_| {})).unwrap_err();
        assert!(matches!(e, Error::Unconfirmed { .. }), "{e}");
        assert_eq!(e.written(), Written::Yes);
        assert!(e.to_string().starts_with("applied (CIB 0.4.0)"), "{e}");
    }
}

#[test]
fn file_targets_run_no_host_tool_when_host_tools_are_off() {
    let backend = Backend::new(Target::File("cib.xml".into()), false);
    let out = block(backend.offline(crate::command::Cmd::new(&["crm_simulate", "--version"]))).unwrap();
    assert!(out.is_none());
    let out = block(backend.query(crate::command::Cmd::new(&["crm_mon", "-1"]))).unwrap();
    assert!(out.is_none(), "a CIB file has no cluster to ask");
}

/// A file with `text`, loaded.
fn loaded(text: &str) -> Loaded {
    let (src, raw) = crate::config::parse("t.yaml", text.as_bytes()).unwrap();
    let (model, warnings) = crate::validate::validate(&src, &raw).unwrap();
    Loaded { src, model, warnings, raw }
}

#[test]
fn agent_metadata_is_asked_once_per_agent_and_a_node_without_the_agent_is_refused() {
    let file = loaded(
        "cluster: c\nresources:\n  a: { agent: ocf:acme:Thing, params: { size: 1 } }\n  b: { agent: ocf:acme:Thing, params: { size: 2 } }\n  c: { agent: ocf:heartbeat:IPaddr2, params: { ip: 192.0.2.1 } }\n  u: { agent: systemd:squid }\n",
    );
    let thing = r#"<?xml version="1.0"?><!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd"><resource-agent name="Thing"><parameters><parameter name="size" required="1"><content type="integer"/></parameter></parameters><actions><action name="start"/><action name="monitor" interval="10s" timeout="20s"/></actions></resource-agent>"#;
    let found = Output { code: 0, stdout: thing.as_bytes().to_vec(), stderr: String::new() };
    let script = Rc::new(Script::new(vec![
        ("crm_resource", found),
        ("crm_resource", failed(105, "No such object")),
        ("crm_resource", failed(1, "No agents found for standard 'systemd'")),
        ("crm_resource", failed(105, "No such object")),
    ]));
    let backend = Backend::new(Target::Fake(FakeNode(script.clone())), false);
    let catalog = block(metadata(&file, &backend));
    assert!(script.is_done(), "one question per agent, one list per unit class: {:?}", programs(&script));
    let thing = crate::model::Agent { class: "ocf".into(), provider: Some("acme".into()), kind: "Thing".into() };
    let entry = catalog.get(&thing).unwrap();
    assert_eq!(entry.origin, crate::validate::agents::Origin::Host("fake".into()));
    assert!(entry.xml.is_some(), "kept for default operations");
    assert_eq!(catalog.summary().split(';').next(), Some("agent metadata: from fake"));
    let Err(Error::Diags(diags)) = check_agents(&file, &catalog) else { panic!("IPaddr2 is missing on the node") };
    let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec!["cibform::agent::missing", "cibform::agent::metadata"], "{diags:?}");
    assert!(diags[1].message.contains("systemd unit `squid` was not found on fake") && !diags[1].is_error());
    // Default operations come from the same answer, without asking again.
    let empty = crate::cib::Cib::parse("c", &String::from_utf8(cib(1, "").stdout).unwrap()).unwrap();
    let (defaults, _) = agent_defaults(&file.model, &empty, &catalog);
    assert!(defaults["ocf:acme:Thing"].iter().any(|o| o.name == "monitor" && o.interval == "10s"));
}

/// Metadata of a file with many systemd units: the node's list of units, then one unit's
/// metadata, whatever their number (issue 13: one question per unit took 49 s of a plan).
fn units_asked(
    units: usize,
    answers: Vec<(&'static str, Output)>,
) -> (Rc<Script>, crate::validate::agents::Catalog, Loaded) {
    let mut text = String::from("cluster: c\nresources:\n");
    for i in 0..units {
        text.push_str(&format!("  u{i}: {{ agent: 'systemd:svc{i}' }}\n"));
    }
    let file = loaded(&text);
    let script = Rc::new(Script::new(answers));
    let backend = Backend::new(Target::Fake(FakeNode(script.clone())), false);
    let catalog = block(metadata(&file, &backend));
    assert!(script.is_done(), "{:?}", programs(&script));
    (script, catalog, file)
}

fn unit(name: &str) -> crate::model::Agent {
    crate::model::Agent { class: "systemd".into(), provider: None, kind: name.into() }
}

const UNIT_META: &str = r#"<?xml version="1.0"?><resource-agent name="svc0"><parameters/><actions><action name="start" timeout="100s"/><action name="monitor" interval="60s" timeout="100s"/></actions></resource-agent>"#;

#[test]
fn units_of_one_class_are_listed_once_and_one_answer_stands_for_the_rest() {
    let list = Output { code: 0, stdout: b"svc0\nsvc1\nsvc2.service\nother\n".to_vec(), stderr: String::new() };
    let meta = Output { code: 0, stdout: UNIT_META.as_bytes().to_vec(), stderr: String::new() };
    let (script, catalog, file) = units_asked(4, vec![("crm_resource", list), ("crm_resource", meta)]);
    assert_eq!(programs(&script), ["crm_resource --list-agents", "crm_resource --show-metadata"]);
    for i in 0..3 {
        let e = catalog.get(&unit(&format!("svc{i}"))).unwrap();
        assert_eq!(e.origin, crate::validate::agents::Origin::Host("fake".into()), "svc{i}");
        assert_eq!(e.xml.as_deref(), Some(UNIT_META), "svc{i}: the first unit's answer");
    }
    let e = catalog.get(&unit("svc3")).unwrap();
    assert_eq!(e.origin, crate::validate::agents::Origin::Missing("fake".into()), "not in the node's list");
    let diags = check_agents(&file, &catalog).unwrap();
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0].message.contains("systemd unit `svc3` was not found on fake"), "{diags:?}");
}

#[test]
fn a_node_that_neither_lists_units_nor_knows_the_first_has_none() {
    let (script, catalog, file) = units_asked(
        3,
        vec![
            ("crm_resource", failed(1, "No agents found for standard 'systemd'")),
            ("crm_resource", failed(105, "No such object")),
        ],
    );
    assert_eq!(programs(&script).len(), 2);
    for i in 0..3 {
        let e = catalog.get(&unit(&format!("svc{i}"))).unwrap();
        assert_eq!(e.origin, crate::validate::agents::Origin::Missing("fake".into()), "svc{i}");
    }
    assert_eq!(check_agents(&file, &catalog).unwrap().len(), 3, "one warning per unit");
}

#[test]
fn a_node_that_cannot_list_units_but_knows_the_first_is_asked_about_each() {
    let meta = || Output { code: 0, stdout: UNIT_META.as_bytes().to_vec(), stderr: String::new() };
    let (_, catalog, _) = units_asked(
        3,
        vec![
            ("crm_resource", failed(1, "Error occurred")),
            ("crm_resource", meta()),
            ("crm_resource", failed(105, "No such object")),
            ("crm_resource", meta()),
        ],
    );
    let origin = |i: usize| catalog.get(&unit(&format!("svc{i}"))).unwrap().origin.clone();
    assert_eq!(origin(1), crate::validate::agents::Origin::Missing("fake".into()), "asked, not assumed");
    assert_eq!(origin(2), crate::validate::agents::Origin::Host("fake".into()));
}

/// Found loading 3,000 primitives on the live lab (issue 13): one patch of 6,990 new objects kept
/// the CIB manager busy past pacemakerd's patience; it was killed and Pacemaker stopped on the
/// node, and the plan had not said a word about it.
#[test]
fn a_patch_too_large_for_the_cib_manager_was_planned_without_a_warning() {
    use planning::{large_patch_warning, LARGE_PATCH};
    let w = large_patch_warning(6_990, &Target::Local).expect("warned");
    assert!(w.starts_with("6990 changes go to the running cluster in one patch"), "{w}");
    assert!(w.contains("in steps of at most 2500"), "{w}");
    assert_eq!(large_patch_warning(LARGE_PATCH, &Target::Local), None, "at the limit: no warning");
    assert_eq!(large_patch_warning(6_990, &Target::File("cib.xml".into())), None, "a file has no CIB manager");
}
