//! Tags, natively: `tags: { ID: [resources] }`, which constraints may name. Checked against the
//! CIB real pcs built (`tests/fixtures/gen-tags.sh`), translated by hand in
//! `tests/fixtures/tags-pcs.yaml`: planned to zero, exported natively, applied like pcs.

mod common;

use common::*;

#[test]
fn the_natural_translation_plans_to_zero_and_the_export_is_native() {
    assert_native_round_trip(
        "tags-pcs.yaml",
        "tags-pcs.xml",
        &["tags:\n  web-stack: [vip, web]\n  everything: [db, web, vip]\n"],
    );
}

/// The committed fixture is what today's pcs writes.
#[test]
#[ignore = "needs pacemaker tools: pcs, crm_diff"]
fn tags_rebuilt_by_real_pcs_plan_to_zero_changes() {
    need_tools(&["pcs"]);
    rebuilt_plans_to_zero("gen-tags.sh", "tags-pcs.xml", "tests/fixtures/tags-pcs.yaml");
}

#[test]
fn applied_to_an_empty_cib_the_file_writes_what_pcs_wrote() {
    let args = ["apply", "cluster.yaml", "--target", "file:cib.xml", "--auto-approve", "--allow-disable-stonith"];
    let (dir, out) = in_scratch(&fixture_text("tags-pcs.yaml"), EMPTY_CIB, &args);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let ours = cibform::cib::Cib::parse("ours", &std::fs::read_to_string(dir.path().join("cib.xml")).unwrap()).unwrap();
    let pcs = cibform::cib::Cib::parse("pcs", &fixture_text("tags-pcs.xml")).unwrap();
    let d = cibform::plan::diff(pcs.configuration(), ours.configuration());
    assert!(d.is_empty(), "cibform and pcs wrote different clusters: {d:#?}");
}

#[test]
fn a_changed_tag_is_shown_and_tag_order_does_not_matter() {
    let yaml = fixture_text("tags-pcs.yaml").replace("web-stack: [vip, web]", "web-stack: [vip]");
    let out = plan_scratch(&yaml, &fixture_text("tags-pcs.xml"));
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(out.stdout.contains(r#"~ tag web-stack: "vip, web" → "vip""#), "{}", out.stdout);
    let swapped = fixture_text("tags-pcs.yaml").replace(
        "  web-stack: [vip, web]\n  everything: [db, web, vip]\n",
        "  everything: [db, web, vip]\n  web-stack: [vip, web]\n",
    );
    let out = plan_scratch(&swapped, &fixture_text("tags-pcs.xml"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

#[test]
fn mistakes_in_tags_are_located_errors() {
    let cases: &[(&str, &str, &str)] = &[
        ("tags:\n  t: []\n", "cibform::tag::empty", "names no resource"),
        ("tags:\n  t: [db, db]\n", "cibform::tag::empty", "names `db` twice"),
        ("tags:\n  t: [dbb]\n", "cibform::ref::unknown", "did you mean `db`?"),
        ("tags:\n  db: [db]\n", "cibform::id::duplicate", "rename one"),
    ];
    for (entry, code, text) in cases {
        let yaml = format!("cluster: c\nresources:\n  db: {{ agent: ocf:pacemaker:Dummy }}\n{entry}");
        assert_refused_with(&yaml, entry, code, text);
    }
}
