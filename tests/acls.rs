//! ACLs, natively: `acls: { roles: { ID: { description, permissions } }, users, groups }`.
//! Checked against the CIB real pcs (and cibadmin, for what pcs cannot write) built
//! (`tests/fixtures/gen-acls.sh`), translated by hand in `tests/fixtures/acls-pcs.yaml`:
//! planned to zero, exported natively, applied like pcs.

mod common;

use common::*;

#[test]
fn the_natural_translation_plans_to_zero_and_the_export_is_native() {
    let text = assert_native_round_trip(
        "acls-pcs.yaml",
        "acls-pcs.xml",
        &[
            "acls:",
            "alice: [operator, administrator]",
            "carol-target: { name: carol, roles: [viewer] }",
            "{ kind: read, object-type: node, attribute: standby }",
            "id: see-status",
            "empty: {}",
        ],
    );
    assert!(!text.contains("operator-write"), "pcs's own permission ids are left out:\n{text}");
}

#[test]
fn applied_to_an_empty_cib_the_file_writes_what_pcs_wrote() {
    let args = ["apply", "cluster.yaml", "--target", "file:cib.xml", "--auto-approve", "--allow-disable-stonith"];
    let (dir, out) = in_scratch(&fixture_text("acls-pcs.yaml"), EMPTY_CIB, &args);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let ours = cibform::cib::Cib::parse("ours", &std::fs::read_to_string(dir.path().join("cib.xml")).unwrap()).unwrap();
    let pcs = cibform::cib::Cib::parse("pcs", &fixture_text("acls-pcs.xml")).unwrap();
    let d: Vec<_> = cibform::plan::diff(pcs.configuration(), ours.configuration())
        .into_iter()
        .filter(|c| c.key.kind == "acls")
        .collect();
    assert!(d.is_empty(), "cibform and pcs wrote different ACLs: {d:#?}");
    for id in
        ["operator-write", "operator-write-1", "operator-deny", "administrator-write", "see-status", "viewer-read"]
    {
        assert!(ours.configuration().find_id(id).is_some(), "missing pcs id {id}");
    }
}

/// The committed fixture is what today's pcs writes.
#[test]
#[ignore = "needs pacemaker tools: pcs, crm_diff, cibadmin"]
fn acls_rebuilt_by_real_pcs_plan_to_zero_changes() {
    rebuilt_plans_to_zero("gen-acls.sh", "acls-pcs.xml", "tests/fixtures/acls-pcs.yaml");
}

#[test]
fn order_and_permission_ids_mean_nothing() {
    let yaml = fixture_text("acls-pcs.yaml")
        .replace("alice: [operator, administrator]", "alice: [administrator, operator]")
        .replace("        - { kind: read, xpath: /cib }\n", "")
        .replace(
            "        - { kind: write, xpath: //nodes }\n",
            "        - { kind: write, xpath: //nodes, id: my-own-id }\n        - { kind: read, xpath: /cib }\n",
        );
    let out = plan_scratch(&yaml, &fixture_text("acls-pcs.xml"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

#[test]
fn a_changed_acl_is_shown_line_by_line() {
    let yaml = fixture_text("acls-pcs.yaml")
        .replace("{ kind: deny, reference: not-for-operator }", "{ kind: read, reference: not-for-operator }")
        .replace("bob: [administrator]", "bob: [administrator, viewer]")
        .replace("admins: [administrator, empty]", "admins: [administrator]")
        .replace("description: HA cluster operator", "description: cluster operator");
    let out = plan_scratch(&yaml, &fixture_text("acls-pcs.xml"));
    assert_eq!(out.code, 2, "{}", out.snapshot());
    for line in [
        "~ ACLs",
        r#"- role operator deny reference not-for-operator"#,
        r#"+ role operator read reference not-for-operator"#,
        r#"~ role operator: "HA cluster operator" → "cluster operator""#,
        r#"~ user bob: "administrator" → "administrator, viewer""#,
        r#"~ group admins: "administrator, empty" → "administrator""#,
    ] {
        assert!(out.stdout.contains(line), "{line:?} is not in the plan:\n{}", out.stdout);
    }
}

#[test]
fn mistakes_in_acls_are_located_errors() {
    let cases: &[(&str, &str, &str)] = &[
        ("      - { kind: wrte, xpath: /cib }\n", "cibform::acl::permission", "did you mean `write`?"),
        ("      - { kind: read }\n", "cibform::acl::permission", "exactly one of"),
        ("      - { kind: read, xpath: /cib, reference: r }\n", "cibform::acl::permission", "exactly one of"),
        ("      - { kind: read, xpath: /cib, attribute: a }\n", "cibform::acl::permission", "exactly one of"),
        ("      - { kind: read, reference: '1 2' }\n", "cibform::acl::permission", "not an id"),
        ("      - { kind: read, xpth: /cib }\n", "cibform::yaml::unknown_key", "xpath"),
        ("  users: { u: [reader, wirter] }\n", "cibform::acl::role", "did you mean `writer`?"),
        ("  users: { u: [reader, reader] }\n", "cibform::acl::role", "twice"),
        ("  groups: { g: { name: '', roles: [reader] } }\n", "cibform::acl::role", "empty name"),
        ("  users: { reader: [reader] }\n", "cibform::id::duplicate", "declared twice"),
    ];
    for (entry, code, text) in cases {
        let yaml = format!(
            "cluster: c\nacls:\n  roles:\n    writer: {{}}\n    reader:\n     permissions:\n      - {{ kind: read, xpath: /cib }}\n{entry}"
        );
        assert_refused_with(&yaml, entry, code, text);
    }
}

#[test]
fn a_raw_acls_section_and_native_acls_conflict() {
    let yaml = "cluster: c\nacls:\n  roles: { r: {} }\nraw:\n  - <acls><acl_role id=\"x\"/></acls>\n";
    let (_d, out) = in_scratch(yaml, "", &["validate", "cluster.yaml"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("cibform::raw::conflict"), "{}", out.stderr);
}
