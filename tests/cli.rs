//! The command line against CIB files, with the real Pacemaker tools where they decide.

mod common;

use common::*;

#[test]
fn validate_accepts_the_example() {
    let out = cibform(&["validate", "examples/clst-01/cluster.yaml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("cluster `clst-01`, 2 nodes, 4 primitives, 1 constraint"), "{}", out.stderr);
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
        without_scenarios(t)
            .replace("  rs-systemd-unbound-clone: rs-systemd-unbound\n", "")
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

/// The README's first command: the bundled demo shows every kind of change.
#[test]
fn bundled_demo_target_differs_from_the_example() {
    demo_plan();
}

/// The demo's whole output, with Pacemaker's preview of the transition.
#[test]
#[ignore = "needs pacemaker tools: crm_simulate"]
fn bundled_demo_previews_the_transition() {
    need_tools(&["crm_simulate"]);
    insta::assert_snapshot!("demo", demo_plan().stdout);
}

fn demo_plan() -> Out {
    let out = cibform(&[
        "plan",
        "examples/clst-01/cluster.yaml",
        "--target",
        "file:examples/clst-01/live-cib.xml",
        "--corosync",
        "examples/clst-01/corosync.conf",
        "--detailed-exitcode",
    ]);
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(
        out.stdout.contains("Plan: 0 to add, 3 to change, 1 to destroy. corosync.conf: 1 difference"),
        "{}",
        out.stdout
    );
    out
}

/// Apply `yaml` to an empty CIB: it converges, and the result means exactly what pcs wrote for
/// the same cluster (`pcs_fixture`). Returns the scratch directory (`cib.xml`) and the written CIB.
fn assert_applies_like_pcs(yaml: &str, pcs_fixture: &str) -> (tempfile::TempDir, cibform::cib::Cib) {
    let (dir, cib) = scratch_with_cib(None);
    let out = cibform(&["apply", yaml, &target(&cib), "--auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stderr.contains("Verified: the target now matches the file."), "{}", out.stderr);
    let again = cibform(&["plan", yaml, &target(&cib), "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
    let text = std::fs::read_to_string(&cib).unwrap();
    assert!(text.contains(r#"epoch="2""#), "one update bumps epoch once:\n{text}");
    let ours = cibform::cib::Cib::parse("ours", &text).unwrap();
    let pcs = cibform::cib::Cib::parse("pcs", &std::fs::read_to_string(fixture(pcs_fixture)).unwrap()).unwrap();
    let d = cibform::plan::diff(pcs.configuration(), ours.configuration());
    assert!(d.is_empty(), "cibform and pcs wrote different clusters: {d:#?}");
    (dir, ours)
}

/// Conformance with the real pcs (and crmsh): rebuild the seed CIB from the walkthrough's
/// commands now, check the committed fixtures still match what the tools write, and plan.
#[test]
#[ignore = "needs pacemaker tools: pcs, crm, crm_diff"]
fn seed_rebuilt_by_real_pcs_plans_to_zero_changes() {
    need_tools(&["pcs", "crm", "crm_diff"]);
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("bash").arg(fixture("gen-seed.sh")).arg(dir.path()).status().unwrap();
    assert!(status.success());
    for name in ["seed-pcs.xml", "seed-crmsh.xml"] {
        let fresh = dir.path().join(name);
        let out = cibform(&["plan", "examples/clst-01/cluster.yaml", &target(&fresh), "--detailed-exitcode"]);
        assert_eq!(out.code, 0, "{name}: {}", out.snapshot());
        assert_fixture_fresh(name, &fresh, "tests/fixtures/gen-seed.sh tests/fixtures");
    }
}

#[test]
fn full_example_built_by_pcs_plans_to_zero_changes() {
    let out = cibform(&[
        "plan",
        "examples/full/cluster.yaml",
        "--target",
        "file:tests/fixtures/full-pcs.xml",
        "--detailed-exitcode",
    ]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

/// The committed `full-pcs.xml` is still what today's pcs writes for the full example.
#[test]
#[ignore = "needs pacemaker tools: pcs, crm_diff"]
fn full_example_rebuilt_by_real_pcs_plans_to_zero_changes() {
    need_tools(&["pcs"]);
    rebuilt_plans_to_zero("gen-full.sh", "full-pcs.xml", "examples/full/cluster.yaml");
}

/// Operations written the way Clusters from Scratch and ha_cluster write them (custom monitors,
/// role monitors, `--no-default-ops`) create what pcs creates for the same commands.
#[test]
fn ops_translated_from_pcs_commands_apply_like_pcs() {
    assert_applies_like_pcs("tests/fixtures/ops-pcs.yaml", "ops-pcs.xml");
}

/// The committed `ops-pcs.xml` is still what today's pcs writes, and its natural translation
/// plans to zero changes against it.
#[test]
#[ignore = "needs pacemaker tools: pcs, crm_diff"]
fn ops_rebuilt_by_real_pcs_plan_to_zero_changes() {
    need_tools(&["pcs"]);
    rebuilt_plans_to_zero("gen-ops.sh", "ops-pcs.xml", "tests/fixtures/ops-pcs.yaml");
}

#[test]
fn seed_applies_to_an_empty_cib_like_pcs_with_pcs_ids() {
    let (_dir, ours) = assert_applies_like_pcs("examples/clst-01/cluster.yaml", "seed-pcs.xml");
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
fn full_example_applies_to_an_empty_cib_like_pcs() {
    let (_dir, ours) = assert_applies_like_pcs("examples/full/cluster.yaml", "full-pcs.xml");
    for id in [
        "order_set_aabbcc",
        "colocation_set_aabbcc_set-1",
        "order-fs-clone-front-Optional",
        "db-clone",
        "location-db-clone-rule-rule-expr-1",
    ] {
        assert!(ours.configuration().find_id(id).is_some(), "missing pcs id {id}");
    }
}

/// What cibform writes for the examples, Pacemaker accepts without errors or warnings.
#[test]
#[ignore = "needs pacemaker tools: crm_verify"]
fn applied_examples_pass_crm_verify() {
    need_tools(&["crm_verify"]);
    for (yaml, pcs_fixture) in
        [("examples/clst-01/cluster.yaml", "seed-pcs.xml"), ("examples/full/cluster.yaml", "full-pcs.xml")]
    {
        let (dir, _) = assert_applies_like_pcs(yaml, pcs_fixture);
        let v = std::process::Command::new("crm_verify")
            .arg("-x")
            .arg(dir.path().join("cib.xml"))
            .arg("-V")
            .output()
            .unwrap();
        let why = format!("{}{}", String::from_utf8_lossy(&v.stdout), String::from_utf8_lossy(&v.stderr));
        assert!(v.status.success(), "crm_verify rejected what {yaml} applied:\n{why}");
    }
}

#[test]
fn corosync_conf_matching_the_file_plans_to_zero_changes() {
    let out = cibform(&[
        "plan",
        "examples/clst-01/cluster.yaml",
        "--target=file:tests/fixtures/seed-pcs.xml",
        "--corosync=tests/fixtures/corosync-clst-01.conf",
        "--detailed-exitcode",
    ]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(!out.stdout.contains("corosync.conf was not read"), "{}", out.stdout);
    // Without it, the plan says what it could not compare.
    let out = cibform(&["plan", "examples/clst-01/cluster.yaml", "--target=file:tests/fixtures/seed-pcs.xml"]);
    assert!(
        out.stdout.contains("warning: corosync.conf was not read from file:tests/fixtures/seed-pcs.xml"),
        "{}",
        out.stdout
    );
}

#[test]
fn corosync_differences_are_shown_with_their_disruption_and_count_as_changes() {
    let dir = tempfile::tempdir().unwrap();
    let conf = std::fs::read_to_string(fixture("corosync-clst-01.conf")).unwrap();
    let conf = conf
        .replace("two_node: 1", "two_node: 0")
        .replace("192.168.22.22", "192.168.22.99")
        .replace("cluster_name: clst-01", "cluster_name: clst-02");
    let path = dir.path().join("corosync.conf");
    std::fs::write(&path, conf).unwrap();
    let corosync = format!("--corosync={}", path.display());
    for format in ["text", "json", "markdown"] {
        let out = cibform(&[
            "plan",
            "examples/clst-01/cluster.yaml",
            "--target=file:tests/fixtures/seed-pcs.xml",
            &corosync,
            "--detailed-exitcode",
            "--no-host-tools",
            "--format",
            format,
        ]);
        assert_eq!(out.code, 2, "{}", out.snapshot());
        let stdout = out
            .stdout
            .replace(&path.display().to_string(), "[corosync.conf]")
            .replace(env!("CARGO_PKG_VERSION"), "[version]");
        insta::assert_snapshot!(format!("corosync_drift.{format}"), stdout);
    }
    // apply refuses the full-stop changes before writing anything
    let before = std::fs::read_to_string(&path).unwrap();
    let (_d, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let out = cibform(&["apply", "examples/clst-01/cluster.yaml", &target(&cib), &corosync, "--auto-approve"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("`totem.cluster_name` needs the whole cluster stopped"), "{}", out.stderr);
    assert!(out.stderr.contains("`quorum.two_node` needs the whole cluster stopped"), "{}", out.stderr);
    assert!(out.stderr.contains("nothing was changed"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
}

/// `apply --corosync PATH` writes the file with only the edits the cluster file asks for.
#[test]
fn apply_writes_reload_changes_to_a_corosync_conf_file() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let conf = dir.path().join("corosync.conf");
    let original = std::fs::read_to_string(fixture("corosync/comments.conf"))
        .unwrap()
        .replace("cluster_name: debian", "cluster_name: clst-01");
    std::fs::write(&conf, &original).unwrap();
    let yaml = variant(dir.path(), |t| {
        t.replace(
            "quorum: { two_node: true }\n",
            "corosync:\n  totem: { join: 60 }\n  logging: { debug: true, to_syslog: true }\n",
        )
        .replace("nodes:\n  t3021cent: { id: 1, addrs: [192.168.33.21, 192.168.22.21] }   # knet link 0, link 1\n  t3022cent: { id: 2, addrs: [192.168.33.22, 192.168.22.22] }\n", "")
    });
    let corosync = format!("--corosync={}", conf.display());
    let plan = cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), &corosync, "--no-host-tools"]);
    assert!(plan.stdout.contains("+\tjoin: 60") && plan.stdout.contains("+\tdebug: on"), "{}", plan.snapshot());
    let out =
        cibform(&["apply", yaml.to_str().unwrap(), &target(&cib), &corosync, "--auto-approve", "--no-host-tools"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stderr.contains("(nothing to reload: a file"), "{}", out.stderr);
    assert!(out.stderr.contains(&format!("corosync.conf: through the file `{}`", conf.display())), "{}", out.stderr);
    let now = std::fs::read_to_string(&conf).unwrap();
    let expected = original
        .replace("\tcrypto_hash: none\n", "\tcrypto_hash: none\n\tjoin: 60\n")
        .replace("\tdebug: off\n\t# Log messages", "\tdebug: on\n\t# Log messages");
    assert_eq!(now, expected);
    let again =
        cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), &corosync, "--detailed-exitcode", "--no-host-tools"]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
}

#[test]
fn a_broken_corosync_conf_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corosync.conf");
    std::fs::write(&path, "totem {\n    version 2\n").unwrap();
    let out = cibform(&[
        "plan",
        "examples/clst-01/cluster.yaml",
        "--target=file:tests/fixtures/seed-pcs.xml",
        &format!("--corosync={}", path.display()),
    ]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        out.stderr.contains("cibform::corosync::syntax") && out.stderr.contains("corosync.conf:2:5"),
        "{}",
        out.stderr
    );
}

/// Export of the pcs-built seed with its corosync.conf reproduces the reference example: the
/// same CIB meaning, the same nodes with their addresses and ids, the same quorum.
#[test]
fn export_with_corosync_reproduces_the_reference_example() {
    let out = cibform(&[
        "export",
        "--target=file:tests/fixtures/seed-pcs.xml",
        "--corosync=tests/fixtures/corosync-clst-01.conf",
    ]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let load = |name: &str, text: &str| {
        let (src, raw) = cibform::config::parse(name, text.as_bytes()).unwrap();
        cibform::validate::validate(&src, &raw).unwrap().0
    };
    let exported = load("exported", &out.stdout);
    let example = load("example", &example_text());
    assert_eq!(exported.name, example.name);
    assert_eq!(exported.nodes, example.nodes);
    assert_eq!(exported.quorum, example.quorum);
    // and it plans to zero changes against the CIB and the corosync.conf it came from
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("cluster.yaml");
    std::fs::write(&yaml, &out.stdout).unwrap();
    let plan = cibform(&[
        "plan",
        yaml.to_str().unwrap(),
        "--target=file:tests/fixtures/seed-pcs.xml",
        "--corosync=tests/fixtures/corosync-clst-01.conf",
        "--detailed-exitcode",
    ]);
    assert_eq!(plan.code, 0, "{}", plan.snapshot());
}

#[test]
fn removing_the_last_fencing_device_needs_a_gate() {
    let (dir, cib) = scratch_with_cib(None);
    let with_fence = variant(dir.path(), |t| {
        t.replace("  stonith-enabled: false\n", "  stonith-enabled: true\n")
            .replace(
                "policy:\n  allow_disable_stonith: true   # this lab cluster runs without fencing, on purpose\n",
                "",
            )
            .replace(
                "resources:\n",
                "resources:\n  fence-1: { agent: stonith:fence_ipmilan, params: { ip: 192.0.2.1, password: secret-pw } }\n",
            )
    });
    let out = cibform(&["apply", with_fence.to_str().unwrap(), &target(&cib), "--auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let without = std::fs::read_to_string(&with_fence)
        .unwrap()
        .replace("  fence-1: { agent: stonith:fence_ipmilan, params: { ip: 192.0.2.1, password: secret-pw } }\n", "");
    std::fs::write(&with_fence, without).unwrap();
    let before = std::fs::read_to_string(&cib).unwrap();
    let out = cibform(&["apply", with_fence.to_str().unwrap(), &target(&cib), "--auto-approve", "--allow-destroy"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("removes or stops the last fencing device"), "{}", out.stderr);
    assert!(!out.stdout.contains("secret-pw") && !out.stderr.contains("secret-pw"));
    assert_eq!(std::fs::read_to_string(&cib).unwrap(), before, "a blocked apply writes nothing");
}

/// On a terminal, apply asks and only `yes` goes ahead; colour is used there unless `NO_COLOR`.
#[test]
#[ignore = "needs util-linux: script"]
fn apply_on_a_terminal_asks_for_yes() {
    need_tools(&["script"]);
    let run = |answer: &str, no_color: bool| {
        let (dir, cib) = scratch_with_cib(None);
        let cmd = format!(
            "{} apply examples/clst-01/cluster.yaml --target file:{}",
            env!("CARGO_BIN_EXE_cibform"),
            cib.display()
        );
        let mut c = std::process::Command::new("script");
        c.args(["-qec", &cmd, "/dev/null"]).current_dir(root()).env_remove("NO_COLOR");
        if no_color {
            c.env("NO_COLOR", "1");
        }
        let mut child = c.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn().unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(answer.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let written = std::fs::read_to_string(&cib).unwrap() != EMPTY_CIB;
        drop(dir);
        (text, written)
    };
    let (text, written) = run("no\n", false);
    assert!(text.contains("Only `yes` will be accepted"), "{text}");
    assert!(text.contains("apply cancelled"), "{text}");
    assert!(!written, "anything but yes changes nothing");
    assert!(text.contains("\u{1b}["), "colour on a terminal");
    let (text, written) = run("yes\n", true);
    assert!(written, "yes applies:\n{text}");
    assert!(!text.contains("\u{1b}[3"), "NO_COLOR turns colour off:\n{text}");
}

/// Every plan carries Pacemaker's own prediction of the transition (crm_simulate on the new CIB
/// with the current status): a VIP change restarts squid too; standby moves the group away.
#[test]
#[ignore = "needs pacemaker tools: crm_simulate"]
fn plans_preview_the_transition_from_pacemakers_scheduler() {
    need_tools(&["crm_simulate"]);
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("preview_vip", example_text().replace("ip: 192.168.33.23", "ip: 192.168.33.24")),
        ("preview_standby", example_text().replace("t3021cent: { id: 1,", "t3021cent: { id: 1, standby: true,")),
    ];
    for (name, yaml) in cases {
        let path = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&path, yaml).unwrap();
        let out = cibform(&[
            "plan",
            path.to_str().unwrap(),
            "--target=file:tests/fixtures/seed-running.xml",
            "--corosync=tests/fixtures/corosync-clst-01.conf",
        ]);
        assert_eq!(out.code, 0, "{}", out.snapshot());
        insta::assert_snapshot!(name, out.stdout.replace(&path.display().to_string(), "[cluster.yaml]"));
        let json = cibform(&[
            "plan",
            path.to_str().unwrap(),
            "--target=file:tests/fixtures/seed-running.xml",
            "--format=json",
        ]);
        let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(doc["transition"]["status"], "ran", "{}", json.stdout);
        assert!(!doc["transition"]["actions"].as_array().unwrap().is_empty());
    }
    // --no-preview leaves it out
    let out = cibform(&[
        "plan",
        dir.path().join("preview_vip.yaml").to_str().unwrap(),
        "--target=file:tests/fixtures/seed-running.xml",
        "--no-preview",
    ]);
    assert!(!out.stdout.contains("scheduler"), "{}", out.stdout);
}

#[test]
#[ignore = "needs pacemaker tools: crm_simulate, crm_diff"]
fn the_running_seed_fixture_is_what_crm_simulate_makes() {
    need_tools(&["crm_simulate", "crm_diff"]);
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("running.xml");
    let ok = std::process::Command::new("bash").arg(fixture("gen-seed-running.sh")).arg(&fresh).status().unwrap();
    assert!(ok.success());
    let plan = cibform(&[
        "plan",
        "examples/clst-01/cluster.yaml",
        &target(&fresh),
        "--detailed-exitcode",
        "--corosync=tests/fixtures/corosync-clst-01.conf",
    ]);
    assert_eq!(plan.code, 0, "{}", plan.snapshot());
}

/// Regression: applying a saved plan ignored the file's `policy:` gates, so the example's own
/// `allow_disable_stonith: true` did not count and the apply was blocked. The recorded policy
/// counts when the plan is authenticated (`CIBFORM_PLAN_KEY` at plan and at apply); without the
/// key at apply it opens no gate (tests/regression.rs has the attacks).
#[test]
fn saved_plans_keep_the_files_policy_gates() {
    let key = ("CIBFORM_PLAN_KEY", "0123456789abcdef0123456789abcdef");
    let (dir, cib) = scratch_with_cib(None);
    let plan = dir.path().join("plan.json");
    let out =
        cibform_env(&[key], &["plan", "examples/clst-01/cluster.yaml", &target(&cib), "--out", plan.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let out = cibform(&["apply", plan.to_str().unwrap(), "--auto-approve"]);
    assert_eq!(out.code, 1, "without the key the policy does not count: {}", out.snapshot());
    assert!(out.stderr.contains("(allow_disable_stonith) opens no gate"), "{}", out.stderr);
    let out = cibform_env(&[key], &["apply", plan.to_str().unwrap(), "--auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    // and without the policy in the file, the saved plan is blocked like a direct apply
    let (dir2, cib2) = scratch_with_cib(None);
    let yaml = variant(dir2.path(), |t| {
        t.replace("policy:\n  allow_disable_stonith: true   # this lab cluster runs without fencing, on purpose\n", "")
    });
    let plan2 = dir2.path().join("plan.json");
    assert_eq!(cibform(&["plan", yaml.to_str().unwrap(), &target(&cib2), "--out", plan2.to_str().unwrap()]).code, 0);
    let out = cibform(&["apply", plan2.to_str().unwrap(), "--auto-approve"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("disables fencing"), "{}", out.stderr);
}

/// Default operations come from the agent's metadata exactly as pcs derives them (intervals,
/// timeouts, roles, start-delay, OCF_CHECK_LEVEL, bumped duplicate intervals, monitor-only for
/// fencing), checked against real pcs for agents of every shape installed here.
#[test]
#[ignore = "needs pacemaker tools: pcs, crm_resource"]
fn default_ops_match_pcs_for_installed_agents() {
    need_tools(&["pcs", "crm_resource"]);
    let agents = [
        ("r-nginx", "ocf:heartbeat:nginx"),
        ("r-health", "ocf:pacemaker:HealthCPU"),
        ("r-fs", "ocf:heartbeat:Filesystem"),
        ("r-stateful", "ocf:pacemaker:Stateful"),
        ("r-dummy", "ocf:pacemaker:Dummy"),
        ("r-route", "ocf:heartbeat:Route"),
        ("r-mysql", "ocf:heartbeat:mysql"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let pcs_cib = dir.path().join("pcs.xml");
    std::fs::write(&pcs_cib, EMPTY_CIB).unwrap();
    let mut yaml = String::from(
        "cluster: lab\nproperties: { stonith-enabled: false }\npolicy: { allow_disable_stonith: true }\nresources:\n",
    );
    for (id, agent) in agents {
        let ok = std::process::Command::new("pcs")
            .arg("-f")
            .arg(&pcs_cib)
            .args(["resource", "create", id, agent, "--force"])
            .output()
            .unwrap();
        assert!(ok.status.success(), "pcs: {}", String::from_utf8_lossy(&ok.stderr));
        // pcs needs --force for agents whose required parameters are not given; so does cibform.
        yaml.push_str(&format!("  {id}: {{ agent: {agent}, force: true }}\n"));
    }
    let ok = std::process::Command::new("pcs")
        .arg("-f")
        .arg(&pcs_cib)
        .args(["property", "set", "stonith-enabled=false"])
        .output()
        .unwrap();
    assert!(ok.status.success());
    let file = dir.path().join("cluster.yaml");
    std::fs::write(&file, yaml).unwrap();
    let ours = dir.path().join("ours.xml");
    std::fs::write(&ours, EMPTY_CIB).unwrap();
    let out = cibform(&["apply", file.to_str().unwrap(), &target(&ours), "--auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let parse = |p: &std::path::Path| cibform::cib::Cib::parse("x", &std::fs::read_to_string(p).unwrap()).unwrap();
    let d = cibform::plan::diff(parse(&pcs_cib).configuration(), parse(&ours).configuration());
    assert!(d.is_empty(), "cibform's default ops differ from pcs's: {d:#?}");
}

#[test]
fn ops_from_metadata_follow_pcs_rules() {
    let agent = cibform::model::Agent { class: "ocf".into(), provider: Some("heartbeat".into()), kind: "x".into() };
    let xml = r#"<resource-agent><actions>
        <action name="start" timeout="40s"/><action name="monitor" timeout="30s" depth="0" interval="10s"/>
        <action name="monitor" timeout="45s" depth="20"/><action name="monitor" timeout="60s" depth="30"/>
        <action name="status" timeout="5s"/><action name="meta-data" timeout="5s"/><action name="promote" role="Master" timeout="10s"/>
        </actions></resource-agent>"#;
    let ops = cibform::desired::ops_from_metadata(&agent, xml).unwrap();
    let got: Vec<String> =
        ops.iter().map(|o| format!("{} {} {:?} {:?}", o.name, o.interval, o.attrs, o.params)).collect();
    assert_eq!(
        got,
        [
            r#"monitor 10s [("timeout", "30s")] []"#,
            r#"monitor 60s [("timeout", "45s")] [("OCF_CHECK_LEVEL", "20")]"#,
            r#"monitor 61 [("timeout", "60s")] [("OCF_CHECK_LEVEL", "30")]"#,
            r#"promote 0s [("timeout", "10s"), ("role", "Promoted")] []"#,
            r#"start 0s [("timeout", "40s")] []"#,
        ]
    );
    let fence = cibform::model::Agent { class: "stonith".into(), provider: None, kind: "fence_x".into() };
    let ops = cibform::desired::ops_from_metadata(&fence, xml).unwrap();
    assert!(ops.iter().all(|o| o.name == "monitor"));
}

/// What-if scenarios reproduce the walkthrough's failover checks before anything is touched:
/// pingd dropping on the active node moves rg-01; a failed node's resources start elsewhere.
#[test]
#[ignore = "needs pacemaker tools: crm_simulate"]
fn what_if_scenarios_predict_failover() {
    need_tools(&["crm_simulate"]);
    let out = cibform(&[
        "plan",
        "examples/clst-01/cluster.yaml",
        "--target=file:tests/fixtures/seed-running.xml",
        "--corosync=tests/fixtures/corosync-clst-01.conf",
        "--what-if=attr=t3021cent:pingd=0",
        "--what-if=node-fail=t3021cent",
        "--detailed-exitcode",
    ]);
    assert_eq!(out.code, 0, "what-if is not a change: {}", out.snapshot());
    insta::assert_snapshot!("what_if", out.stdout);
    let json = cibform(&[
        "plan",
        "examples/clst-01/cluster.yaml",
        "--target=file:tests/fixtures/seed-running.xml",
        "--what-if=attr=t3021cent:pingd=0",
        "--format=json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["what_if"][0]["scenario"]["kind"], "attribute");
    assert_eq!(doc["what_if"][0]["transition"]["actions"][0]["action"], "move");
}

#[test]
fn a_bad_what_if_is_a_clear_error() {
    let out = cibform(&[
        "plan",
        "examples/clst-01/cluster.yaml",
        "--target=file:tests/fixtures/seed-pcs.xml",
        "--what-if=reboot=t3021cent",
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("`reboot=t3021cent` is not a scenario: use `node-down=NODE`"), "{}", out.stderr);
}

#[test]
fn no_host_tools_makes_a_file_plan_independent_of_this_host() {
    let out = cibform(&[
        "plan",
        "examples/clst-01/cluster.yaml",
        "--target=file:examples/clst-01/live-cib.xml",
        "--corosync=examples/clst-01/corosync.conf",
        "--no-host-tools",
    ]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(
        out.stdout.contains(
            "Transition preview not available: Pacemaker's tools on this host are not used (--no-host-tools)"
        ),
        "{}",
        out.stdout
    );
}

#[test]
#[ignore = "needs pacemaker tools: crm_simulate"]
fn a_preview_over_its_budget_is_cut_short_and_says_so() {
    need_tools(&["crm_simulate"]);
    let out = cibform(&[
        "plan",
        "examples/clst-01/cluster.yaml",
        "--target=file:examples/clst-01/live-cib.xml",
        "--corosync=examples/clst-01/corosync.conf",
        "--preview-timeout=0",
        "--what-if=node-down=t3021cent",
    ]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let cut = "cut short after 0 s (--preview-timeout); ask for the full run with --preview-timeout SECONDS";
    assert!(out.stdout.contains(&format!("Transition preview not available: {cut}")), "{}", out.stdout);
    assert!(out.stdout.contains(&format!("What if t3021cent goes down? Not available: {cut}")), "{}", out.stdout);
}

/// Issue 9: an option newer than the target's Pacemaker (read from `dc-version`) is flagged in
/// the plan, naming the target's version; the same file against a new enough one is not.
#[test]
fn a_property_newer_than_the_targets_pacemaker_is_flagged_in_the_plan() {
    for (dc, flagged) in [("2.1.5-a3f44794f94", true), ("2.1.7-1.el9", false)] {
        let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
        let text = std::fs::read_to_string(&cib).unwrap().replace(
            r#"<cluster_property_set id="cib-bootstrap-options">"#,
            &format!(
                r#"<cluster_property_set id="cib-bootstrap-options"><nvpair id="dc" name="dc-version" value="{dc}"/>"#
            ),
        );
        std::fs::write(&cib, text).unwrap();
        let yaml = variant(dir.path(), |t| {
            without_scenarios(t)
                .replace("  no-quorum-policy: ignore\n", "  no-quorum-policy: ignore\n  node-pending-timeout: 30s\n")
        });
        let out = cibform_in(dir.path(), &["plan", yaml.to_str().unwrap(), "--target", "file:cib.xml", "--no-preview"]);
        let note =
            format!("the target runs Pacemaker {dc}, which ignores property `node-pending-timeout` (new in 2.1.7)");
        assert_eq!(out.stdout.contains(&note), flagged, "{}", out.snapshot());
    }
}

/// `--no-crm-verify` (issue 13: crm_verify costs seconds per thousand resources): the write to a
/// CIB file skips this host's crm_verify and says so; without the flag nothing says it.
#[test]
fn apply_without_crm_verify_says_the_check_was_skipped() {
    let yaml = edit_once(&example_text(), "192.168.33.23", "192.168.33.24");
    let args = ["apply", "cluster.yaml", "--target", "file:cib.xml", "--auto-approve", "--no-preview"];
    let skipped = [&args[..], &["--no-crm-verify"]].concat();
    let (dir, out) = in_scratch(&yaml, &fixture_text("seed-pcs.xml"), &skipped);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stderr.contains("note: crm_verify was not run on the new CIB (--no-crm-verify)"), "{}", out.stderr);
    assert!(std::fs::read_to_string(dir.path().join("cib.xml")).unwrap().contains("192.168.33.24"));
    let (_dir, out) = in_scratch(&yaml, &fixture_text("seed-pcs.xml"), &args);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(!out.stderr.contains("--no-crm-verify"), "{}", out.stderr);
}
