//! Resource templates, natively: `templates: { ID: { agent, params, meta, ops } }` and
//! primitives that take one (`template: ID`). Checked against the CIB real crmsh built (pcs has
//! no templates; `tests/fixtures/gen-templates.sh`), translated by hand in
//! `tests/fixtures/templates-crmsh.yaml`: planned to zero, exported natively, applied like crmsh.

mod common;

use common::*;

#[test]
fn the_natural_translation_plans_to_zero_and_the_export_is_native() {
    let text = assert_native_round_trip(
        "templates-crmsh.yaml",
        "templates-crmsh.xml",
        &["templates:\n  web-tpl:\n    agent: ocf:heartbeat:apache", "web2: { template: web-tpl, enabled: false }"],
    );
    assert!(!text.contains("ops_exact"), "a template's ops are exact without saying so:\n{text}");
}

/// The committed fixture is what today's crmsh writes.
#[test]
#[ignore = "needs pacemaker tools: crm, crm_diff"]
fn templates_rebuilt_by_real_crmsh_plan_to_zero_changes() {
    need_tools(&["crm"]);
    rebuilt_plans_to_zero("gen-templates.sh", "templates-crmsh.xml", "tests/fixtures/templates-crmsh.yaml");
}

#[test]
fn applied_to_an_empty_cib_the_file_writes_what_crmsh_wrote() {
    let args = ["apply", "cluster.yaml", "--target", "file:cib.xml", "--auto-approve", "--allow-disable-stonith"];
    let (dir, out) = in_scratch(&fixture_text("templates-crmsh.yaml"), EMPTY_CIB, &args);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let ours = cibform::cib::Cib::parse("ours", &std::fs::read_to_string(dir.path().join("cib.xml")).unwrap()).unwrap();
    let crmsh = cibform::cib::Cib::parse("crmsh", &fixture_text("templates-crmsh.xml")).unwrap();
    let d = cibform::plan::diff(crmsh.configuration(), ours.configuration());
    assert!(d.is_empty(), "cibform and crmsh wrote different clusters: {d:#?}");
}

#[test]
fn a_changed_template_is_shown_line_by_line() {
    let yaml = fixture_text("templates-crmsh.yaml").replace("resource-stickiness: 100", "resource-stickiness: 200");
    let out = plan_scratch(&yaml, &fixture_text("templates-crmsh.xml"));
    assert_eq!(out.code, 2, "{}", out.snapshot());
    for line in ["~ template web-tpl", r#"~ meta.resource-stickiness: "100" → "200""#] {
        assert!(out.stdout.contains(line), "{line:?} is not in the plan:\n{}", out.stdout);
    }
}

#[test]
fn mistakes_in_templates_are_located_errors() {
    let cases: &[(&str, &str, &str)] = &[
        ("  r: { template: tt }\n", "cibform::ref::unknown", "did you mean `t`?"),
        (
            "  r: { template: t, agent: ocf:pacemaker:Dummy }\n",
            "cibform::resource::template",
            "both `agent` and `template`",
        ),
        ("  r: { params: { a: 1 } }\n", "cibform::resource::template", "has no `agent`"),
    ];
    for (entry, code, text) in cases {
        let yaml = format!("cluster: c\ntemplates:\n  t: {{ agent: ocf:pacemaker:Dummy }}\nresources:\n{entry}");
        assert_refused_with(&yaml, entry, code, text);
    }
}
