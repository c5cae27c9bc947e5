//! Alerts, natively: `alerts: { ID: { path, params, meta, select, attributes, recipients } }`.
//! Checked against the CIB real pcs (and crmsh, for a selection) built
//! (`tests/fixtures/gen-alerts.sh`), translated by hand in `tests/fixtures/alerts-pcs.yaml`:
//! planned to zero, exported natively, applied like pcs.

mod common;

use common::*;

#[test]
fn the_natural_translation_plans_to_zero_and_the_export_is_native() {
    assert_native_round_trip(
        "alerts-pcs.yaml",
        "alerts-pcs.xml",
        &["alerts:", "attributes: [standby, pingd]", "description: the on-call rota"],
    );
}

#[test]
fn applied_to_an_empty_cib_the_file_writes_what_pcs_wrote() {
    // Pacemaker refuses a CIB with fencing enabled and no device: the lab turns it off.
    let yaml = format!("{}properties: {{ stonith-enabled: false }}\n", fixture_text("alerts-pcs.yaml"));
    let args = ["apply", "cluster.yaml", "--target", "file:cib.xml", "--auto-approve", "--allow-disable-stonith"];
    let (dir, out) = in_scratch(&yaml, EMPTY_CIB, &args);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let ours = cibform::cib::Cib::parse("ours", &std::fs::read_to_string(dir.path().join("cib.xml")).unwrap()).unwrap();
    let pcs = cibform::cib::Cib::parse("pcs", &fixture_text("alerts-pcs.xml")).unwrap();
    let d: Vec<_> = cibform::plan::diff(pcs.configuration(), ours.configuration())
        .into_iter()
        .filter(|c| c.key.kind == "alerts")
        .collect();
    assert!(d.is_empty(), "cibform and pcs wrote different clusters: {d:#?}");
    for id in ["notify-recipient", "notify-meta_attributes-timestamp-format", "notify-recipient-instance_attributes-x"]
    {
        assert!(ours.configuration().find_id(id).is_some(), "missing pcs id {id}");
    }
}

/// The committed fixture is what today's pcs and crmsh write.
#[test]
#[ignore = "needs pacemaker tools: pcs, crm, crm_diff"]
fn alerts_rebuilt_by_real_pcs_and_crmsh_plan_to_zero_changes() {
    need_tools(&["pcs", "crm"]);
    rebuilt_plans_to_zero("gen-alerts.sh", "alerts-pcs.xml", "tests/fixtures/alerts-pcs.yaml");
}

#[test]
fn a_changed_alert_is_shown_line_by_line() {
    let yaml = fixture_text("alerts-pcs.yaml")
        .replace("params: { timeout: 10s }", "params: { timeout: 20s }")
        .replace(
            "      - { value: ops@example.com, id: ops, description: the on-call rota }\n",
            "      - { value: noc@example.com }\n",
        )
        .replace("attributes: [standby, pingd]", "attributes: [standby]");
    let out = plan_scratch(&yaml, &fixture_text("alerts-pcs.xml"));
    assert_eq!(out.code, 2, "{}", out.snapshot());
    for line in [
        "~ alerts",
        r#"~ notify params.timeout: "10s" → "20s""#,
        r#"- notify recipient ops@example.com"#,
        r#"+ notify recipient noc@example.com"#,
        r#"~ sel select: "attributes (standby, pingd), fencing, nodes" → "attributes (standby), fencing, nodes""#,
    ] {
        assert!(out.stdout.contains(line), "{line:?} is not in the plan:\n{}", out.stdout);
    }
}

#[test]
fn mistakes_in_alerts_are_located_errors() {
    let cases: &[(&str, &str, &str)] = &[
        ("    select: [node]\n", "cibform::alert::select", "did you mean `nodes`?"),
        ("    select: [nodes, nodes]\n", "cibform::alert::select", "selected twice"),
        ("    recipients: [{ value: a }, { value: a }]\n", "cibform::alert::recipient", "given twice"),
        ("    recipients: [{ value: '' }]\n", "cibform::alert::recipient", "an empty recipient"),
        ("    paht: /x\n", "cibform::yaml::unknown_key", "path"),
        ("    description: x\n  a2: { path: '' }\n", "cibform::alert::path", "has an empty path"),
    ];
    for (entry, code, text) in cases {
        let yaml = format!("cluster: c\nalerts:\n  a1:\n    path: /bin/true\n{entry}");
        assert_refused_with(&yaml, entry, code, text);
    }
}
