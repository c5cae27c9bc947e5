//! `raw:` items compared as XML trees: attribute order, indentation, comments, the order of
//! children Pacemaker reads as a set, and the ids pcs makes up mean nothing; a real change still
//! shows, and an item without those ids is written with them. Checked against the bundle real pcs
//! built (`tests/fixtures/gen-raw.sh`), written by hand in `tests/fixtures/raw-pcs.yaml`. A raw
//! bundle is shown the way a native one is (by mapping and setting); kinds with no such view
//! are compared as trees (`plan::view::tree`'s unit tests).

mod common;

use common::*;

#[test]
fn a_reordered_reformatted_raw_item_without_generated_ids_plans_to_zero() {
    let out = plan_scratch(&fixture_text("raw-pcs.yaml"), &fixture_text("raw-pcs.xml"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

#[test]
fn a_real_change_in_a_raw_item_still_shows() {
    for (from, to, line) in [
        (r#"<port-mapping port="443"/>"#, r#"<port-mapping port="8443"/>"#, r#"+ port-mapping 8443: "to 8443""#),
        (r#"replicas="2""#, r#"replicas="3""#, r#"~ docker.replicas: "2" → "3""#),
        (r#"value="Started""#, r#"value="Stopped""#, r#"~ meta.target-role: "Started" → "Stopped""#),
        ("      <port-mapping port=\"80\"/>\n", "", r#"- port-mapping 80: "to 80""#),
    ] {
        let yaml = edit_once(&fixture_text("raw-pcs.yaml"), from, to);
        let out = plan_scratch(&yaml, &fixture_text("raw-pcs.xml"));
        assert_eq!(out.code, 2, "{from}: {}", out.snapshot());
        assert!(out.stdout.contains("~ bundle web"), "{from}: {}", out.stdout);
        assert!(out.stdout.contains(line), "{from}: {line:?} is not in the plan:\n{}", out.stdout);
    }
}

#[test]
fn an_item_without_generated_ids_is_written_with_them() {
    let yaml = edit_once(&fixture_text("raw-pcs.yaml"), r#"port="443""#, r#"port="8443""#);
    let args = ["apply", "cluster.yaml", "--target", "file:cib.xml", "--auto-approve"];
    let (dir, out) = in_scratch(&yaml, &fixture_text("raw-pcs.xml"), &args);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let written = std::fs::read_to_string(dir.path().join("cib.xml")).unwrap();
    let cib = cibform::cib::Cib::parse("written", &written).unwrap();
    let bundle = cib.configuration().child("resources").and_then(|r| r.child("bundle")).unwrap();
    let mut parts = Vec::new();
    all_below(bundle, &mut parts);
    for part in parts.iter().filter(|p| cibform::cib::GENERATED_ID_PARTS.contains(&p.name.as_str())) {
        assert!(part.id().is_some_and(|id| id.starts_with("web-")), "{} without a web- id in\n{written}", part.name);
    }
    assert_eq!(parts.iter().filter(|p| p.id().is_some()).count(), 5, "{written}");
    assert!(written.contains(r#"port="8443""#), "{written}");
    let again = cibform_in(dir.path(), &["plan", "cluster.yaml", "--target", "file:cib.xml", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
}

#[test]
#[ignore = "needs pacemaker tools: crm_verify"]
fn pacemaker_accepts_the_ids_given_to_a_raw_item() {
    need_tools(&["crm_verify"]);
    let yaml = edit_once(&fixture_text("raw-pcs.yaml"), r#"port="443""#, r#"port="8443""#);
    let args = ["apply", "cluster.yaml", "--target", "file:cib.xml", "--auto-approve"];
    let (dir, out) = in_scratch(&yaml, &fixture_text("raw-pcs.xml"), &args);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let v = std::process::Command::new("crm_verify").arg("-x").arg(dir.path().join("cib.xml")).output().unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
}

/// The committed fixture is what today's pcs writes.
#[test]
#[ignore = "needs pacemaker tools: pcs, crm_diff, cibadmin"]
fn the_bundle_rebuilt_by_real_pcs_plans_to_zero() {
    rebuilt_plans_to_zero("gen-raw.sh", "raw-pcs.xml", "tests/fixtures/raw-pcs.yaml");
}

fn all_below<'a>(el: &'a cibform::cib::xml::Element, out: &mut Vec<&'a cibform::cib::xml::Element>) {
    for c in el.elements() {
        out.push(c);
        all_below(c, out);
    }
}
