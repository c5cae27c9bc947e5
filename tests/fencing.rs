//! Fencing topology, natively: `fencing_levels` by node, by node-name pattern and by node
//! attribute. Checked against the CIB real pcs built (`tests/fixtures/gen-fencing.sh`),
//! translated by hand in `tests/fixtures/fencing-pcs.yaml`: planned to zero, exported natively,
//! applied like pcs.

mod common;

use common::*;

#[test]
fn the_natural_translation_of_pcs_commands_plans_to_zero_changes() {
    let out = plan_scratch(&fixture_text("fencing-pcs.yaml"), &fixture_text("fencing-pcs.xml"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

/// Levels mean the same in any order and with any ids.
#[test]
fn level_order_and_ids_do_not_matter() {
    let cib = fixture_text("fencing-pcs.xml");
    let line = r#"      <fencing-level index="1" devices="fence-ipmi" target="node1" id="fl-node1-1"/>
"#;
    let moved =
        edit_once(&cib, line, "").replace("</fencing-topology>", &format!("{}</fencing-topology>", line.trim_start()));
    let moved = edit_once(&moved, r#"id="fl-rack-3""#, r#"id="by-rack""#);
    let out = plan_scratch(&fixture_text("fencing-pcs.yaml"), &moved);
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

#[test]
fn export_writes_the_levels_natively_and_plans_to_zero_changes() {
    let (dir, out) =
        in_scratch("", &fixture_text("fencing-pcs.xml"), &["export", "--target", "file:cib.xml", "-o", "out.yaml"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let text = std::fs::read_to_string(dir.path().join("out.yaml")).unwrap();
    assert!(!text.contains("raw:"), "the topology went through the escape hatch:\n{text}\n{}", out.stderr);
    assert!(text.contains("- { target: node1, index: 2, devices: [fence-pdu, fence-ipmi] }"), "{text}");
    assert!(!text.contains("fl-node1-2"), "pcs's own ids are left out:\n{text}");
    let again = cibform_in(dir.path(), &["plan", "out.yaml", "--target", "file:cib.xml", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
}

#[test]
fn applied_to_an_empty_cib_the_file_writes_what_pcs_wrote() {
    let (dir, out) = in_scratch(
        &fixture_text("fencing-pcs.yaml"),
        EMPTY_CIB,
        &["apply", "cluster.yaml", "--target", "file:cib.xml", "--auto-approve"],
    );
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let again = cibform_in(dir.path(), &["plan", "cluster.yaml", "--target", "file:cib.xml", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
    let ours = cibform::cib::Cib::parse("ours", &std::fs::read_to_string(dir.path().join("cib.xml")).unwrap()).unwrap();
    let pcs = cibform::cib::Cib::parse("pcs", &fixture_text("fencing-pcs.xml")).unwrap();
    let d = cibform::plan::diff(pcs.configuration(), ours.configuration());
    assert!(d.is_empty(), "cibform and pcs wrote different clusters: {d:#?}");
    for id in ["fl-node1-1", "fl-node1-2", "fl-node12-1", "fl-rack-3"] {
        assert!(ours.configuration().find_id(id).is_some(), "missing pcs id {id}");
    }
}

/// The committed fixture is what today's pcs writes.
#[test]
#[ignore = "needs pacemaker tools: pcs, crm_diff"]
fn fencing_rebuilt_by_real_pcs_plans_to_zero_changes() {
    need_tools(&["pcs"]);
    rebuilt_plans_to_zero("gen-fencing.sh", "fencing-pcs.xml", "tests/fixtures/fencing-pcs.yaml");
}

#[test]
fn a_changed_or_dropped_level_is_shown_line_by_line() {
    let yaml = fixture_text("fencing-pcs.yaml");
    let yaml = edit_once(&yaml, "index: 2, devices: [fence-pdu, fence-ipmi]", "index: 2, devices: [fence-pdu]");
    let yaml = edit_once(&yaml, "  - { target-pattern: \"node[12]\", index: 1, devices: [fence-pdu] }\n", "");
    let out = plan_scratch(&yaml, &fixture_text("fencing-pcs.xml"));
    assert_eq!(out.code, 2, "{}", out.snapshot());
    for line in [
        "~ fencing topology",
        r#"~ level 2 on node1: "fence-pdu,fence-ipmi" → "fence-pdu""#,
        r#"- level 1 on pattern node[12]: "fence-pdu""#,
        "Plan: 0 to add, 1 to change, 0 to destroy.",
    ] {
        assert!(out.stdout.contains(line), "{line:?} is not in the plan:\n{}", out.stdout);
    }
    // Dropping every level removes the topology.
    let none = yaml.split("fencing_levels:").next().unwrap().to_string();
    let out = plan_scratch(&none, &fixture_text("fencing-pcs.xml"));
    assert!(out.stdout.contains("- fencing topology"), "{}", out.stdout);
}

#[test]
fn mistakes_in_levels_are_located_errors() {
    let cases: &[(&str, &str, &str)] = &[
        ("  - { index: 1, devices: [f1] }\n", "cibform::fencing::level", "exactly one target"),
        (
            "  - { target: n1, target-pattern: n.*, index: 1, devices: [f1] }\n",
            "cibform::fencing::level",
            "exactly one target",
        ),
        ("  - { target-attribute: rack, index: 1, devices: [f1] }\n", "cibform::fencing::level", "exactly one target"),
        ("  - { target: n1, index: 0, devices: [f1] }\n", "cibform::fencing::level", "numbered from 1"),
        ("  - { target: n1, index: 1, devices: [] }\n", "cibform::fencing::level", "without devices"),
        (
            "  - { target: n1, index: 1, devices: [fence-ipni] }\n",
            "cibform::ref::unknown",
            "did you mean `fence-ipmi`?",
        ),
        (
            "  - { target: n1, index: 1, devices: [f1] }\n  - { target: n1, index: 1, devices: [f1] }\n",
            "cibform::fencing::level",
            "given twice",
        ),
    ];
    for (entry, code, text) in cases {
        let yaml = format!("cluster: c\nresources:\n  f1: {{ agent: stonith:fence_dummy }}\n  fence-ipmi: {{ agent: stonith:fence_dummy }}\nfencing_levels:\n{entry}");
        assert_refused_with(&yaml, entry, code, text);
    }
}
