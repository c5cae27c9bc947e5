//! Operations mean what pcs users expect: a declared operation replaces the agent's default
//! operations of its name, the other defaults are written on create and left alone afterwards,
//! `ops: []` is pcs's `--no-default-ops`, `ops_exact: true` makes the list the whole truth, and the
//! legacy role names are the current ones. Checked against the CIB real pcs built from the same
//! commands (`tests/fixtures/gen-ops.sh`, translated in `tests/fixtures/ops-pcs.yaml`).

mod common;

use common::*;

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

/// Plan `yaml` (text) against `cib` (text), both written to a scratch directory.
fn plan(yaml: &str, cib: &str) -> Out {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cluster.yaml"), yaml).unwrap();
    std::fs::write(dir.path().join("cib.xml"), cib).unwrap();
    cibform_in(dir.path(), &["plan", "cluster.yaml", "--target", "file:cib.xml", "--detailed-exitcode"])
}

/// `text` with `from` replaced by `to`, which must be there.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} is not in the text");
    text.replacen(from, to, 1)
}

#[test]
fn the_natural_translation_of_pcs_commands_plans_to_zero_changes() {
    let out = plan(&fixture_text("ops-pcs.yaml"), &fixture_text("ops-pcs.xml"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    // A monitor without interval is pcs's 60s, and the file is told so.
    assert!(out.stderr.contains("cibform::op::monitor_interval"), "{}", out.stderr);
    assert!(out.stderr.contains("the monitor of `unset` has no interval: it runs every 60s"), "{}", out.stderr);
}

#[test]
fn legacy_role_names_plan_no_change_on_either_side() {
    let legacy_yaml = fixture_text("ops-pcs.yaml").replace("Unpromoted", "Slave").replace("Promoted", "Master");
    let out = plan(&legacy_yaml, &fixture_text("ops-pcs.xml"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    // op roles, meta target-role, colocation with-role, location rule role: each pointed out.
    assert_eq!(out.stderr.matches("cibform::role::legacy").count(), 6, "{}", out.stderr);
    assert!(out.stderr.contains("`Slave` is the legacy name of the role `Unpromoted`"), "{}", out.stderr);
    let legacy_cib =
        fixture_text("ops-pcs.xml").replace("\"Unpromoted\"", "\"Slave\"").replace("\"Promoted\"", "\"Master\"");
    assert_eq!(legacy_cib.matches("\"Master\"").count(), 6, "every kind of role is in the fixture");
    let out = plan(&fixture_text("ops-pcs.yaml"), &legacy_cib);
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

/// The file does not mention the agent's default operations, so it does not manage them: one
/// removed or retuned by hand stays as it is (as with omitted `ops`), and the plan does not
/// depend on which version of the agent's metadata the planning host has.
#[test]
fn default_ops_changed_by_hand_are_left_alone() {
    let cib = edit(
        &fixture_text("ops-pcs.xml"),
        r#"<op name="stop" interval="0s" timeout="20s" id="ClusterIP-stop-interval-0s"/>"#,
        "",
    );
    let cib = edit(
        &cib,
        r#"timeout="40s" id="WebSite-start-interval-0s""#,
        r#"timeout="90s" id="WebSite-start-interval-0s""#,
    );
    let out = plan(&fixture_text("ops-pcs.yaml"), &cib);
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

/// The operations of a declared name are the file's: changed by hand, they are put back.
#[test]
fn declared_ops_changed_by_hand_are_put_back() {
    let cib = edit(
        &fixture_text("ops-pcs.xml"),
        r#"<op name="monitor" interval="30s" id="ClusterIP-monitor-interval-30s"/>"#,
        r#"<op name="monitor" interval="45s" id="ClusterIP-monitor-interval-30s"/><op name="monitor" interval="120s" id="extra"/>"#,
    );
    let out = plan(&fixture_text("ops-pcs.yaml"), &cib);
    assert_eq!(out.code, 2, "{}", out.snapshot());
    for line in
        ["+ op monitor 30s", "- op monitor 45s", "- op monitor 120s", "Plan: 0 to add, 1 to change, 0 to destroy."]
    {
        assert!(out.stdout.contains(line), "{line}: {}", out.stdout);
    }
    assert!(!out.stdout.contains("op start") && !out.stdout.contains("op stop"), "{}", out.stdout);
}

#[test]
fn ops_exact_removes_every_operation_the_list_does_not_name() {
    let yaml = edit(
        &fixture_text("ops-pcs.yaml"),
        "    ops: [{ name: monitor, interval: 30s }]\n",
        "    ops: [{ name: monitor, interval: 30s }]\n    ops_exact: true\n",
    );
    let yaml = edit(
        &yaml,
        "bare: { agent: ocf:pacemaker:Dummy, ops: [] }",
        "bare: { agent: ocf:pacemaker:Dummy, ops: [], ops_exact: true }",
    );
    let out = plan(&yaml, &fixture_text("ops-pcs.xml"));
    assert_eq!(out.code, 2, "{}", out.snapshot());
    for line in ["- op start 0s", "- op stop 0s", "- op monitor 10s", "Plan: 0 to add, 2 to change, 0 to destroy."] {
        assert!(out.stdout.contains(line), "{line}: {}", out.stdout);
    }
    assert!(!out.stdout.contains("+ op"), "{}", out.stdout);
}

#[test]
fn ops_exact_needs_ops_and_one_interval_is_one_operation_whatever_the_role() {
    let yaml = edit(&fixture_text("ops-pcs.yaml"), "  WebFS:\n", "  WebFS:\n    ops_exact: true\n");
    let yaml = edit(
        &yaml,
        "{ name: monitor, interval: 31s, role: Unpromoted }",
        "{ name: monitor, interval: 29s, role: Unpromoted }",
    );
    let out = plan(&yaml, &fixture_text("ops-pcs.xml"));
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("cibform::ops::exact_without_ops"), "{}", out.stderr);
    assert!(out.stderr.contains("`ops_exact` on `WebFS`, which has no `ops`"), "{}", out.stderr);
    // Pacemaker rejects two monitors of one interval even for different roles (and so does pcs).
    assert!(out.stderr.contains("operation `monitor 29s` is declared twice for `WebData`"), "{}", out.stderr);
}

/// Export writes only the operations that differ from the agent's defaults, `ops: []` for pcs's
/// `--no-default-ops`, and `ops_exact` where a default is missing; the file plans to zero
/// changes and, applied to an empty CIB, writes the same operations pcs wrote.
#[test]
fn export_writes_the_shortest_ops_that_recreate_the_cluster() {
    let cib = edit(
        &fixture_text("ops-pcs.xml"),
        r#"<op name="stop" interval="0s" timeout="20s" id="ClusterIP-stop-interval-0s"/>"#,
        "",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cib.xml"), &cib).unwrap();
    let out = cibform_in(dir.path(), &["export", "--target", "file:cib.xml", "--cluster", "ops", "-o", "cluster.yaml"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let yaml = std::fs::read_to_string(dir.path().join("cluster.yaml")).unwrap();
    for line in [
        "    ops_exact: true\n",                                     // ClusterIP: stop removed by hand
        "ops: [{ name: monitor, interval: 1min }]",                  // WebSite: the monitor differs
        "bare: { agent: ocf:pacemaker:Dummy, ops: [] }",             // --no-default-ops
        "bare-stateful: { agent: ocf:pacemaker:Stateful, ops: [] }", // --no-default-ops, two monitors
        "{ name: monitor, interval: 60s, timeout: 30s }",            // the interval always written
    ] {
        assert!(yaml.contains(line), "{line:?} not in:\n{yaml}");
    }
    assert!(!yaml.contains("name: stop"), "defaults are not written:\n{yaml}");
    assert!(yaml.contains("  WebFS:\n    agent: ocf:heartbeat:Filesystem\n    params: { device: /dev/drbd1, directory: /var/www/html, fstype: xfs }\n  WebData:"), "{yaml}");
    assert_eq!(yaml.matches("ops_exact").count(), 1, "{yaml}");
    let again = cibform_in(dir.path(), &["plan", "cluster.yaml", "--target", "file:cib.xml", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
    std::fs::write(dir.path().join("empty.xml"), EMPTY_CIB).unwrap();
    let args = ["apply", "cluster.yaml", "--target", "file:empty.xml", "--auto-approve", "--allow-disable-stonith"];
    let applied = cibform_in(dir.path(), &args);
    assert_eq!(applied.code, 0, "{}", applied.snapshot());
    let parse = |t: &str| cibform::cib::Cib::parse("x", t).unwrap();
    let ours = parse(&std::fs::read_to_string(dir.path().join("empty.xml")).unwrap());
    let d = cibform::plan::diff(parse(&cib).configuration(), ours.configuration());
    assert!(d.is_empty(), "the exported file recreates other operations: {d:#?}");
}
