//! The command line against CIB files, with the real Pacemaker tools where they decide.

mod common;

use common::*;

#[test]
fn validate_accepts_the_example() {
    let out = cibform(&["validate", "examples/clst-01/cluster.yaml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("cluster `clst-01`, 2 node(s), 4 primitive(s), 1 constraint(s)"), "{}", out.stderr);
}

#[test]
fn pcs_built_seed_plans_to_zero_changes() {
    let out = cibform(&[
        "plan",
        "examples/clst-01/cluster.yaml",
        "--target",
        "file:tests/fixtures/seed-pcs.xml",
        "--detailed-exitcode",
    ]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stdout.contains("No changes."), "{}", out.stdout);
}

#[test]
fn crmsh_built_seed_plans_to_zero_changes() {
    let out = cibform(&[
        "plan",
        "examples/clst-01/cluster.yaml",
        "--target",
        "file:tests/fixtures/seed-crmsh.xml",
        "--detailed-exitcode",
    ]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

/// Conformance with the real pcs: rebuild the seed CIB from the walkthrough's commands now, check
/// the committed fixture still matches what pcs writes, and plan against it.
#[test]
fn seed_rebuilt_by_real_pcs_plans_to_zero_changes() {
    if !(have("pcs") && have("cibadmin") && have("crm")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("bash").arg(fixture("gen-seed.sh")).arg(dir.path()).status().unwrap();
    assert!(status.success());
    for name in ["seed-pcs.xml", "seed-crmsh.xml"] {
        let fresh = dir.path().join(name);
        let out = cibform(&["plan", "examples/clst-01/cluster.yaml", &target(&fresh), "--detailed-exitcode"]);
        assert_eq!(out.code, 0, "{name}: {}", out.snapshot());
        // The committed fixture is what the tools write (same configuration, modulo ids' order).
        let diff = std::process::Command::new("crm_diff")
            .arg("--original")
            .arg(fixture(name))
            .arg("--new")
            .arg(&fresh)
            .arg("--no-version")
            .output()
            .unwrap();
        assert_eq!(
            diff.status.code(),
            Some(0),
            "{name} fixture is stale; run tests/fixtures/gen-seed.sh tests/fixtures\n{}",
            String::from_utf8_lossy(&diff.stdout)
        );
    }
}

#[test]
fn apply_to_an_empty_cib_passes_crm_verify_and_converges() {
    let (_dir, cib) = scratch_with_cib(None);
    let out = cibform(&["apply", "examples/clst-01/cluster.yaml", &target(&cib), "--auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stdout.contains("Plan: 11 to add, 0 to change, 0 to destroy."), "{}", out.stdout);
    assert!(out.stderr.contains("Verified: the target now matches the file."), "{}", out.stderr);
    let again = cibform(&["plan", "examples/clst-01/cluster.yaml", &target(&cib), "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
    let text = std::fs::read_to_string(&cib).unwrap();
    assert!(text.contains(r#"epoch="2""#), "one update bumps epoch once:\n{text}");
    if have("crm_verify") {
        let v = std::process::Command::new("crm_verify").arg("-x").arg(&cib).arg("-V").output().unwrap();
        assert!(
            v.status.success(),
            "crm_verify rejected the result:\n{}{}",
            String::from_utf8_lossy(&v.stdout),
            String::from_utf8_lossy(&v.stderr)
        );
    }
}

#[test]
fn apply_writes_pcs_compatible_xml() {
    // What cibform writes for the example equals, semantically to Pacemaker, what pcs writes.
    if !have("crm_diff") {
        return;
    }
    let (_dir, cib) = scratch_with_cib(None);
    let out = cibform(&["apply", "examples/clst-01/cluster.yaml", &target(&cib), "--auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let ours = cibform::cib::Cib::parse("ours", &std::fs::read_to_string(&cib).unwrap()).unwrap();
    let pcs = cibform::cib::Cib::parse("pcs", &std::fs::read_to_string(fixture("seed-pcs.xml")).unwrap()).unwrap();
    assert!(cibform::plan::diff(pcs.configuration(), ours.configuration()).is_empty());
    // and the ids are pcs's own
    for id in [
        "rs-vip-33-instance_attributes-ip",
        "rs-vip-33-monitor-interval-10s",
        "location-rg-01",
        "location-rg-01-rule-expr-1",
        "cib-bootstrap-options-stonith-enabled",
    ] {
        assert!(ours.configuration().find_id(id).is_some(), "missing pcs id {id}");
    }
}

#[test]
fn apply_refuses_without_a_terminal_unless_auto_approved() {
    let (dir, cib) = scratch_with_cib(None);
    let out = cibform(&["apply", "examples/clst-01/cluster.yaml", &target(&cib)]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("refusing to apply without confirmation"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&cib).unwrap(), EMPTY_CIB, "nothing may change");
    drop(dir);
}

#[test]
fn detailed_exitcode_is_two_when_changes_are_present() {
    let (_dir, cib) = scratch_with_cib(None);
    let out = cibform(&["plan", "examples/clst-01/cluster.yaml", &target(&cib), "--detailed-exitcode"]);
    assert_eq!(out.code, 2);
    let plain = cibform(&["plan", "examples/clst-01/cluster.yaml", &target(&cib)]);
    assert_eq!(plain.code, 0);
}

#[test]
fn saved_plan_applies_when_nothing_moved() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let yaml = variant(dir.path(), |t| t.replace("ip: 192.168.33.23", "ip: 192.168.33.24"));
    let plan = dir.path().join("plan.json");
    let out = cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), "--out", plan.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let out = cibform(&["apply", plan.to_str().unwrap(), "--auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let text = std::fs::read_to_string(&cib).unwrap();
    assert!(
        text.contains(r#"id="rs-vip-33-instance_attributes-ip" name="ip" value="192.168.33.24""#),
        "the update keeps the nvpair id:\n{text}"
    );
    let again = cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
}

#[test]
fn stale_saved_plan_is_refused_and_changes_nothing() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let yaml = variant(dir.path(), |t| t.replace("ip: 192.168.33.23", "ip: 192.168.33.24"));
    let plan = dir.path().join("plan.json");
    assert_eq!(cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), "--out", plan.to_str().unwrap()]).code, 0);
    // Someone changes the cluster by hand between plan and apply.
    let edited = std::fs::read_to_string(&cib)
        .unwrap()
        .replace(r#"name="dampen" value="5s""#, r#"name="dampen" value="9s""#)
        .replace(r#"epoch="12""#, r#"epoch="13""#);
    std::fs::write(&cib, &edited).unwrap();
    let out = cibform(&["apply", plan.to_str().unwrap(), "--auto-approve"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("the cluster changed since this plan was made (planned against CIB 0.12.0, now 0.13.0); nothing was changed"), "{}", out.stderr);
    assert!(out.stderr.contains(r#"~ params.dampen: "5s" → "9s""#), "the refusal shows what changed:\n{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&cib).unwrap(), edited, "a stale plan must not write");
}

#[test]
fn status_only_changes_do_not_make_a_plan_stale() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let yaml = variant(dir.path(), |t| t.replace("ip: 192.168.33.23", "ip: 192.168.33.24"));
    let plan = dir.path().join("plan.json");
    assert_eq!(cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), "--out", plan.to_str().unwrap()]).code, 0);
    let moved = std::fs::read_to_string(&cib)
        .unwrap()
        .replace(r#"num_updates="0""#, r#"num_updates="5""#)
        .replace("<status/>", r#"<status><node_state id="1" uname="t3021cent"/></status>"#);
    std::fs::write(&cib, &moved).unwrap();
    let out = cibform(&["apply", plan.to_str().unwrap(), "--auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let text = std::fs::read_to_string(&cib).unwrap();
    assert!(text.contains("node_state"), "status is kept");
}

#[test]
fn plan_against_another_cluster_is_refused() {
    let (_dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let text = std::fs::read_to_string(&cib).unwrap().replace(
        r#"<nvpair id="cib-bootstrap-options-no-quorum-policy""#,
        r#"<nvpair id="cib-bootstrap-options-cluster-name" name="cluster-name" value="other"/><nvpair id="cib-bootstrap-options-no-quorum-policy""#,
    );
    std::fs::write(&cib, text).unwrap();
    let out = cibform(&["plan", "examples/clst-01/cluster.yaml", &target(&cib)]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("is cluster `other`, but the file describes cluster `clst-01`"), "{}", out.stderr);
}

#[test]
fn destroying_needs_allow_destroy() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let yaml = variant(dir.path(), |t| {
        t.replace("  rs-systemd-unbound-clone: rs-systemd-unbound\n", "")
            .replace("  rs-systemd-unbound: { agent: systemd:unbound }\n", "")
    });
    let before = std::fs::read_to_string(&cib).unwrap();
    let out = cibform(&["apply", yaml.to_str().unwrap(), &target(&cib), "--auto-approve"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("pass --allow-destroy"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&cib).unwrap(), before);
    let out = cibform(&["apply", yaml.to_str().unwrap(), &target(&cib), "--auto-approve", "--allow-destroy"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(!std::fs::read_to_string(&cib).unwrap().contains("rs-systemd-unbound"));
}

#[test]
fn disabling_stonith_needs_a_gate() {
    let (dir, cib) = scratch_with_cib(None);
    let yaml = variant(dir.path(), |t| {
        t.replace("policy:\n  allow_disable_stonith: true   # this lab cluster runs without fencing, on purpose\n", "")
    });
    let out = cibform(&["apply", yaml.to_str().unwrap(), &target(&cib), "--auto-approve"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("disables fencing"), "{}", out.stderr);
    let out = cibform(&["apply", yaml.to_str().unwrap(), &target(&cib), "--auto-approve", "--allow-disable-stonith"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

#[test]
fn secrets_never_appear_in_plans() {
    let (dir, cib) = scratch_with_cib(None);
    let yaml = variant(dir.path(), |t| {
        t.replace("resources:\n", "resources:\n  fence-1: { agent: stonith:fence_ipmilan, params: { ip: 10.0.0.1, username: admin, password: hunter2-secret } }\n")
    });
    for format in ["text", "json", "markdown"] {
        let out = cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), "--format", format]);
        assert_eq!(out.code, 0, "{}", out.snapshot());
        assert!(
            !out.stdout.contains("hunter2") && !out.stderr.contains("hunter2"),
            "{format} leaks the password:\n{}",
            out.stdout
        );
        assert!(out.stdout.contains("params.password"), "{format} still names the changed key");
    }
}

#[test]
fn committed_schema_matches_the_code() {
    let committed = std::fs::read_to_string(root().join("schema/cluster.schema.json")).unwrap_or_default();
    assert!(
        committed == cibform::schema_json(),
        "schema/cluster.schema.json is stale: run `cargo run -- schema > schema/cluster.schema.json`"
    );
    let out = cibform(&["schema"]);
    assert_eq!(out.stdout, committed);
}

#[test]
fn example_points_editors_at_the_schema() {
    assert!(example_text().starts_with("# yaml-language-server: $schema=../../schema/cluster.schema.json\n"));
}

#[test]
fn bundled_demo_target_differs_from_the_example() {
    let out = cibform(&[
        "plan",
        "examples/clst-01/cluster.yaml",
        "--target",
        "file:examples/clst-01/live-cib.xml",
        "--detailed-exitcode",
    ]);
    assert_eq!(out.code, 2, "{}", out.snapshot());
}
