//! Failover tests (`scenarios:`) played offline with Pacemaker's own scheduler: the reference
//! cluster's checks against CIB files with status, wrong expectations failing with the
//! scheduler's actions as the reason, the JUnit report read back, and the plan's section.

mod common;

use common::*;

const SEED: &str = "--target=file:tests/fixtures/seed-running.xml";

/// The five checks of the reference cluster, by name, in the file's order.
const NAMES: [&str; 5] = [
    "rg-01 leaves a node that cannot reach the gateway",
    "rg-01 stops when no node has a gateway check",
    "everything runs on t3022cent while t3021cent is in standby",
    "unbound keeps one instance when t3022cent fails",
    "the VIP starts before squid, whatever happens",
];

/// A JUnit report read back with an independent parser: `(tests, failures, errors)` of the
/// `<testsuites>` element, checked against the test cases it holds, and the names of the cases
/// that did not pass with their message.
fn read_junit(path: &std::path::Path) -> ((usize, usize, usize), Vec<(String, String)>) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let n = |a: &str| root.attribute(a).unwrap().parse::<usize>().unwrap();
    let counts = (n("tests"), n("failures"), n("errors"));
    let cases: Vec<_> = root.descendants().filter(|e| e.has_tag_name("testcase")).collect();
    assert_eq!(cases.len(), counts.0, "{text}");
    let mut bad = Vec::new();
    for c in cases {
        if let Some(f) = c.children().find(|e| e.has_tag_name("failure") || e.has_tag_name("error")) {
            bad.push((
                c.attribute("name").unwrap().to_string(),
                f.attribute("message").unwrap_or_default().to_string(),
            ));
        }
    }
    let failed = root.descendants().filter(|e| e.has_tag_name("failure")).count();
    let errors = root.descendants().filter(|e| e.has_tag_name("error")).count();
    assert_eq!((failed, errors), (counts.1, counts.2), "{text}");
    (counts, bad)
}

fn assert_all_hold(out: &Out) {
    assert_eq!(out.code, 0, "{}", out.snapshot());
    for name in NAMES {
        assert!(out.stdout.contains(&format!("  ok     {name}\n")), "{}", out.stdout);
    }
    assert!(out.stdout.ends_with("\nfailover tests: 5/5 hold\n"), "{}", out.stdout);
}

/// The seed's own failover checks hold offline, on the running seed (the file plans to zero
/// changes there) and on the demo CIB (where the plan changes the VIP and removes a resource).
#[test]
#[ignore = "needs pacemaker tools: crm_simulate"]
fn the_reference_clusters_checks_hold_offline() {
    need_tools(&["crm_simulate"]);
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let out = cibform(&["test", "examples/clst-01/cluster.yaml", SEED, "--junit", junit.to_str().unwrap()]);
    assert_all_hold(&out);
    assert!(out.stdout.contains("on the planned configuration (0 changes) with the current status"), "{}", out.stdout);
    assert_eq!(read_junit(&junit), ((5, 0, 0), Vec::new()));
    let demo = cibform(&["test", "examples/clst-01/cluster.yaml", "--target=file:examples/clst-01/live-cib.xml"]);
    assert_all_hold(&demo);
    assert!(demo.stdout.contains("(4 changes)"), "{}", demo.stdout);
}

/// A wrong expectation fails, names what the scheduler did instead, and the JUnit report says so.
#[test]
#[ignore = "needs pacemaker tools: crm_simulate"]
fn a_wrong_expectation_fails_with_the_schedulers_actions() {
    need_tools(&["crm_simulate"]);
    let dir = tempfile::tempdir().unwrap();
    let yaml = variant(dir.path(), |t| t.replace("runs_on: { rg-01: t3022cent }", "runs_on: { rg-01: t3021cent }"));
    let junit = dir.path().join("junit.xml");
    let out = cibform(&["test", yaml.to_str().unwrap(), SEED, &format!("--junit={}", junit.display())]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    let expected = "  FAIL   rg-01 leaves a node that cannot reach the gateway\n         `rg-01` does not run on t3021cent: `rs-vip-33` runs on t3022cent, `rs-systemd-squid` runs on t3022cent\n         the scheduler's actions: move rs-vip-33 from t3021cent to t3022cent; move rs-systemd-squid from t3021cent to t3022cent\n";
    assert!(out.stdout.contains(expected), "{}", out.stdout);
    assert!(out.stdout.ends_with("\nfailover tests: 4/5 hold\n"), "{}", out.stdout);
    assert!(out.stderr.contains("error: 1 of 5 failover scenarios do not hold"), "{}", out.stderr);
    let (counts, bad) = read_junit(&junit);
    assert_eq!(counts, (5, 1, 0));
    assert_eq!(
        bad,
        [(
            NAMES[0].to_string(),
            "`rg-01` does not run on t3021cent: `rs-vip-33` runs on t3022cent, `rs-systemd-squid` runs on t3022cent"
                .to_string()
        )]
    );
}

/// The start order is the transition graph's: squid before the VIP does not hold wherever rg-01
/// starts, and holds trivially where it does not start.
#[test]
#[ignore = "needs pacemaker tools: crm_simulate"]
fn a_reversed_start_order_fails_where_the_group_starts() {
    need_tools(&["crm_simulate"]);
    let dir = tempfile::tempdir().unwrap();
    let yaml = variant(dir.path(), |t| {
        t.replace("starts_before: [rs-vip-33, rs-systemd-squid]", "starts_before: [rs-systemd-squid, rs-vip-33]")
    });
    let out = cibform(&["test", yaml.to_str().unwrap(), SEED]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    let cases: Vec<&str> =
        out.stdout.lines().filter(|l| l.contains("does not wait for the start of `rs-systemd-squid`")).collect();
    assert_eq!(cases.len(), 3, "pingd 0, standby and t3021cent failing move rg-01: {}", out.stdout);
    assert!(
        out.stdout.contains("when t3021cent fails: `rs-vip-33` may start before `rs-systemd-squid`"),
        "{}",
        out.stdout
    );
}

/// An operation failure (`crm_simulate --op-inject`): squid's monitor failing recovers squid in
/// place, leaving the VIP alone; expecting squid not to restart fails with the recovery.
#[test]
#[ignore = "needs pacemaker tools: crm_simulate"]
fn an_operation_failure_recovers_in_place() {
    need_tools(&["crm_simulate"]);
    let dir = tempfile::tempdir().unwrap();
    let yaml = variant(dir.path(), |t| {
        t + "  - name: squid recovers in place when its monitor fails\n    when: { op_fails: { resource: rs-systemd-squid, op: monitor, node: t3021cent } }\n    expect: { runs_on: { rg-01: t3021cent }, no_restart: [rs-vip-33, rs-systemd-unbound-clone] }\n  - name: squid never restarts\n    when: { op_fails: { resource: rs-systemd-squid, node: t3021cent } }\n    expect: { no_restart: rs-systemd-squid }\n"
    });
    let out = cibform(&["test", yaml.to_str().unwrap(), SEED]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stdout.contains("  ok     squid recovers in place when its monitor fails\n"), "{}", out.stdout);
    assert!(
        out.stdout.contains("  FAIL   squid never restarts\n         `rs-systemd-squid` is disturbed: recover rs-systemd-squid on t3021cent\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.ends_with("\nfailover tests: 6/7 hold\n"), "{}", out.stdout);
}

/// Tickets as conditions (`crm_simulate --ticket-grant/--ticket-revoke`): with a ticket
/// constraint on `rg-01`, the group runs while the ticket is granted and stops when it is revoked;
/// a ticket no constraint names is refused at validate.
#[test]
#[ignore = "needs pacemaker tools: crm_simulate"]
fn tickets_granted_or_revoked_decide_where_the_group_runs() {
    need_tools(&["crm_simulate"]);
    let dir = tempfile::tempdir().unwrap();
    let yaml = variant(dir.path(), |t| {
        t.replace("constraints:\n", "constraints:\n  - ticket: site-a\n    resource: rg-01\n    loss-policy: stop\n")
            + "  - name: rg-01 runs while site-a is granted\n    when: { ticket_granted: site-a }\n    expect: { runs_on: { rg-01: t3021cent } }\n  - name: rg-01 stops when site-a is revoked\n    when: { ticket_revoked: site-a }\n    expect: { stopped: rg-01 }\n"
    });
    let out = cibform(&["test", yaml.to_str().unwrap(), SEED]);
    assert!(out.stdout.contains("  ok     rg-01 runs while site-a is granted\n"), "{}", out.snapshot());
    assert!(out.stdout.contains("  ok     rg-01 stops when site-a is revoked\n"), "{}", out.snapshot());
    let bad = variant(dir.path(), |t| {
        t + "  - name: unknown ticket\n    when: { ticket_revoked: site-z }\n    expect: { stopped: rg-01 }\n"
    });
    let out = cibform(&["validate", bad.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("cibform::scenario::ticket"), "{}", out.snapshot());
    assert!(out.stderr.contains("no ticket constraint uses ticket `site-z`"), "{}", out.snapshot());
}

/// Without Pacemaker's tools nothing is played, and nothing counts as holding.
#[test]
fn without_host_tools_no_scenario_holds() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let out = cibform(&[
        "test",
        "examples/clst-01/cluster.yaml",
        SEED,
        "--no-host-tools",
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert_eq!(out.stdout.matches("  ERROR  ").count(), 5, "{}", out.stdout);
    assert!(
        out.stdout.contains("not evaluated: Pacemaker's tools on this host are not used (--no-host-tools)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.ends_with("\nfailover tests: 0/5 hold\n"), "{}", out.stdout);
    assert_eq!(read_junit(&junit).0, (5, 0, 5));
}

/// A CIB without status has nothing to play the scenarios on: a clear refusal, not five errors.
#[test]
fn a_cib_without_status_is_refused() {
    let out = cibform(&["test", "examples/clst-01/cluster.yaml", "--target=file:tests/fixtures/seed-pcs.xml"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("has no node status, so there is nothing to play the scenarios on"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}

#[test]
fn the_junit_report_never_overwrites_an_input() {
    let (_dir, cib) = scratch_with_cib(Some("seed-running.xml"));
    let before = std::fs::read_to_string(&cib).unwrap();
    let out = cibform(&["test", "examples/clst-01/cluster.yaml", &target(&cib), "--junit", cib.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert_eq!(std::fs::read_to_string(&cib).unwrap(), before);
}

/// The plan carries the results: a table in Markdown ("failover tests: 5/5 hold"), a section in
/// text, a `scenarios` field in JSON; `--no-preview` asks nothing.
#[test]
#[ignore = "needs pacemaker tools: crm_simulate"]
fn the_plan_carries_the_failover_tests() {
    need_tools(&["crm_simulate"]);
    let plan = |format: &str, extra: &[&str]| {
        let mut args = vec!["plan", "examples/clst-01/cluster.yaml", SEED, format];
        args.extend(extra);
        let out = cibform(&args);
        assert_eq!(out.code, 0, "{}", out.snapshot());
        out.stdout
    };
    let md = plan("--format=markdown", &[]);
    assert!(md.contains("#### Failover tests: 5/5 hold\n"), "{md}");
    for name in NAMES {
        assert!(md.contains(&format!("| ✅ | {name} | holds |\n")), "{md}");
    }
    let text = plan("--format=text", &[]);
    assert!(
        text.contains("\nFailover tests, played by Pacemaker's scheduler on top of this plan: 5/5 hold\n"),
        "{text}"
    );
    let doc: serde_json::Value = serde_json::from_str(&plan("--format=json", &[])).unwrap();
    let scenarios = doc["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 5);
    assert!(scenarios.iter().all(|s| s["status"] == "pass"), "{doc:#}");
    assert_eq!(scenarios[0]["cases"][0]["events"][0]["kind"], "attribute");
    assert_eq!(scenarios[4]["cases"].as_array().unwrap().len(), 5);
    assert!(!plan("--format=markdown", &["--no-preview"]).contains("Failover tests"));
}

/// The point of testing the planned configuration: a change that swaps the group's order is
/// caught before it is applied, though the cluster today still starts the VIP first.
#[test]
#[ignore = "needs pacemaker tools: crm_simulate"]
fn a_change_that_breaks_the_start_order_is_caught_before_apply() {
    need_tools(&["crm_simulate"]);
    let dir = tempfile::tempdir().unwrap();
    let yaml = variant(dir.path(), |t| {
        t.replace("rg-01: [rs-vip-33, rs-systemd-squid]", "rg-01: [rs-systemd-squid, rs-vip-33]")
    });
    let out = cibform(&["test", yaml.to_str().unwrap(), SEED]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stdout.contains("(1 change)"), "{}", out.stdout);
    assert!(out.stdout.contains("  FAIL   the VIP starts before squid, whatever happens\n"), "{}", out.stdout);
    assert!(out.stdout.ends_with("\nfailover tests: 4/5 hold\n"), "{}", out.stdout);
}
