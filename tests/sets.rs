//! Attribute sets with a rule or a score, natively: `property_sets`, `rsc_defaults_sets`,
//! `op_defaults_sets`, and a primitive's `params_sets` and `meta_sets`. Checked against the CIB real pcs (and crmsh, for property sets with rules)
//! built (`tests/fixtures/gen-sets.sh`), translated by hand in `tests/fixtures/sets-pcs.yaml`:
//! planned to zero, exported natively, applied like pcs.

mod common;

use common::*;

#[test]
fn the_natural_translation_of_pcs_and_crmsh_commands_plans_to_zero_changes() {
    let out = plan_scratch(&fixture_text("sets-pcs.yaml"), &fixture_text("sets-pcs.xml"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

#[test]
fn export_writes_the_sets_natively_and_plans_to_zero_changes() {
    let (dir, out) =
        in_scratch("", &fixture_text("sets-pcs.xml"), &["export", "--target", "file:cib.xml", "-o", "out.yaml"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let text = std::fs::read_to_string(dir.path().join("out.yaml")).unwrap();
    assert!(!text.contains("raw:"), "a set went through the escape hatch:\n{text}\n{}", out.stderr);
    for form in [
        "property_sets:",
        "rule: date-spec weekdays=6-7",
        "rsc_defaults_sets:",
        "score: 5",
        "rule: op monitor",
        "params_sets:",
        "meta_sets:",
    ] {
        assert!(text.contains(form), "{form:?} is not in the export:\n{text}");
    }
    let again = cibform_in(dir.path(), &["plan", "out.yaml", "--target", "file:cib.xml", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
}

/// Applied to an empty CIB, the file writes what pcs and crmsh wrote, with pcs's ids.
#[test]
fn applied_to_an_empty_cib_the_file_writes_what_pcs_wrote() {
    let args = ["apply", "cluster.yaml", "--target", "file:cib.xml", "--auto-approve", "--allow-disable-stonith"];
    let (dir, out) = in_scratch(&fixture_text("sets-pcs.yaml"), EMPTY_CIB, &args);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let again = cibform_in(dir.path(), &["plan", "cluster.yaml", "--target", "file:cib.xml", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
    let ours = cibform::cib::Cib::parse("ours", &std::fs::read_to_string(dir.path().join("cib.xml")).unwrap()).unwrap();
    let pcs = cibform::cib::Cib::parse("pcs", &fixture_text("sets-pcs.xml")).unwrap();
    let d = cibform::plan::diff(pcs.configuration(), ours.configuration());
    assert!(d.is_empty(), "cibform and pcs wrote different clusters: {d:#?}");
    for id in ["rsc_defaults-meta_attributes-1", "rsc_defaults-meta_attributes-2", "op_defaults-meta_attributes-1"] {
        assert!(ours.configuration().find_id(id).is_some(), "missing pcs id {id}");
    }
}

/// The committed fixture is what today's pcs and crmsh write.
#[test]
#[ignore = "needs pacemaker tools: pcs, crm, crm_diff"]
fn sets_rebuilt_by_real_pcs_and_crmsh_plan_to_zero_changes() {
    need_tools(&["pcs", "crm"]);
    rebuilt_plans_to_zero("gen-sets.sh", "sets-pcs.xml", "tests/fixtures/sets-pcs.yaml");
}

#[test]
fn a_changed_set_is_shown_line_by_line_and_a_dropped_one_removed() {
    let yaml = fixture_text("sets-pcs.yaml");
    let yaml = edit_once(&yaml, "rule: date-spec weekdays=6-7", "rule: date-spec weekdays=7");
    let yaml = edit_once(&yaml, "values: { resource-stickiness: 0 }", "values: { resource-stickiness: 10 }");
    let yaml = edit_once(&yaml, "  - score: 5\n    values: { priority: 1 }\n", "");
    let yaml = edit_once(&yaml, "values: { configfile: /etc/b.conf }", "values: { configfile: /etc/c.conf }");
    let out = plan_scratch(&yaml, &fixture_text("sets-pcs.xml"));
    assert_eq!(out.code, 2, "{}", out.snapshot());
    for line in [
        "~ cluster properties",
        r#"~ [weekend] rule: "date-spec weekdays=6-7" → "date-spec weekdays=7""#,
        "~ resource defaults",
        r#"~ [night].resource-stickiness: "0" → "10""#,
        r#"- [rsc_defaults-meta_attributes-2] score: "5""#,
        "~ primitive web",
        r#"~ params.[web-node2].configfile: "/etc/b.conf" → "/etc/c.conf""#,
        "Plan: 0 to add, 3 to change, 0 to destroy.",
    ] {
        assert!(out.stdout.contains(line), "{line:?} is not in the plan:\n{}", out.stdout);
    }
}

#[test]
fn mistakes_in_sets_are_located_errors() {
    let cases: &[(&str, &str, &str)] = &[
        ("rsc_defaults_sets:\n  - values: { priority: 1 }\n", "cibform::attr_set::plain", "go under `rsc_defaults`"),
        (
            "property_sets:\n  - { rule: date-spec hours=0-6, values: { no-quorum-polcy: freeze } }\n",
            "cibform::property::unknown",
            "no-quorum-policy",
        ),
        ("op_defaults_sets:\n  - rule: op\n    values: { timeout: 90s }\n", "cibform::rule::parse", "help:"),
        (
            "rsc_defaults_sets:\n  - { id: db, score: 1, values: { priority: 1 } }\n",
            "cibform::id::duplicate",
            "rename one",
        ),
        (
            "rsc_defaults_sets:\n  - { score: high, values: { priority: 1 } }\n",
            "cibform::score::invalid",
            "a score is an integer",
        ),
    ];
    for (entry, code, text) in cases {
        let yaml = format!("cluster: c\nresources:\n  db: {{ agent: ocf:pacemaker:Dummy }}\n{entry}");
        let out = assert_refused_with(&yaml, entry, code, text);
        assert!(out.stderr.contains(" 5 │ "), "{entry}: no label on the entry's line:\n{}", out.stderr);
    }
}
