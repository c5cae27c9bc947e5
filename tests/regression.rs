//! Regression tests, each named after the trust bug it pins (ripgrep's habit). Each one failed
//! before its fix.

mod common;

use common::*;
use std::path::{Path, PathBuf};

/// The seed CIB, the example with its unbound clone removed (a plan that destroys), and the
/// saved plan of that, as JSON.
fn destroying_plan() -> (tempfile::TempDir, PathBuf, PathBuf, serde_json::Value) {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let yaml = variant(dir.path(), |t| {
        t.replace("  rs-systemd-unbound-clone: rs-systemd-unbound\n", "")
            .replace("  rs-systemd-unbound: { agent: systemd:unbound }\n", "")
    });
    let plan = dir.path().join("plan.json");
    let out = cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), "--out", plan.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    assert_eq!(doc["summary"]["destroy"], 2, "the plan destroys the clone and its primitive");
    (dir, cib, plan, doc)
}

/// Write an edited saved plan and apply it with every gate open: only cibform's own checks
/// stand between the edit and the CIB.
fn apply_edited(plan: &Path, doc: &serde_json::Value) -> Out {
    std::fs::write(plan, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    cibform(&["apply", plan.to_str().unwrap(), "--auto-approve"])
}

fn assert_refused_unchanged(out: &Out, cib: &Path, before: &str, why: &str) {
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains(why), "expected `{why}`:\n{}", out.stderr);
    assert_eq!(std::fs::read_to_string(cib).unwrap(), before, "a refused plan must not write");
}

#[test]
fn saved_plan_with_a_resource_removed_from_its_recorded_configuration_is_refused() {
    let (_dir, cib, plan, mut doc) = destroying_plan();
    let before = std::fs::read_to_string(&cib).unwrap();
    // The attack from the issue: hide the destroy by editing what the plan was made against.
    let old = doc["old_configuration"].as_str().unwrap().to_string();
    let start = old.find("<clone id=\"rs-systemd-unbound-clone\"").unwrap();
    let end = old[start..].find("</clone>").unwrap() + start + "</clone>".len();
    doc["old_configuration"] = format!("{}{}", &old[..start], &old[end..]).into();
    doc["changes"] = serde_json::json!([]);
    doc["summary"]["destroy"] = 0.into();
    let out = apply_edited(&plan, &doc);
    assert_refused_unchanged(&out, &cib, &before, "does not match its recorded digest: the file was edited");
}

#[test]
fn saved_plan_hiding_a_destroy_from_its_change_list_is_refused() {
    let (_dir, cib, plan, mut doc) = destroying_plan();
    let before = std::fs::read_to_string(&cib).unwrap();
    let kept: Vec<serde_json::Value> =
        doc["changes"].as_array().unwrap().iter().filter(|c| c["action"] != "destroy").cloned().collect();
    doc["changes"] = kept.into();
    let out = apply_edited(&plan, &doc);
    assert_refused_unchanged(&out, &cib, &before, "the changes it lists are not the changes it would make");
    assert!(out.stderr.contains("it does not list destroy"), "{}", out.stderr);
}

#[test]
fn saved_plan_gates_judge_the_recomputed_changes() {
    let (_dir, cib, plan, _doc) = destroying_plan();
    let before = std::fs::read_to_string(&cib).unwrap();
    let out = cibform(&["apply", plan.to_str().unwrap(), "--auto-approve"]);
    assert_refused_unchanged(&out, &cib, &before, "pass --allow-destroy");
    let out = cibform(&["apply", plan.to_str().unwrap(), "--auto-approve", "--allow-destroy"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

#[test]
fn saved_plan_with_an_empty_new_configuration_is_refused() {
    let (_dir, cib, plan, mut doc) = destroying_plan();
    let before = std::fs::read_to_string(&cib).unwrap();
    doc["new_configuration"] = "<configuration/>".into();
    let out = apply_edited(&plan, &doc);
    assert_refused_unchanged(&out, &cib, &before, "is not a CIB configuration: it has no `<crm_config>`");
}

#[test]
fn saved_plan_with_a_renamed_root_is_refused() {
    let (_dir, cib, plan, mut doc) = destroying_plan();
    let before = std::fs::read_to_string(&cib).unwrap();
    let new = doc["new_configuration"].as_str().unwrap();
    doc["new_configuration"] =
        new.replacen("<configuration", "<status", 1).replace("</configuration>", "</status>").into();
    let out = apply_edited(&plan, &doc);
    assert_refused_unchanged(&out, &cib, &before, "the root element is `<status>`, not `<configuration>`");
}

#[test]
fn saved_plan_writing_more_than_it_lists_is_refused() {
    let (_dir, cib, plan, mut doc) = destroying_plan();
    let before = std::fs::read_to_string(&cib).unwrap();
    let new = doc["new_configuration"].as_str().unwrap();
    doc["new_configuration"] = new.replace(r#"value="192.168.33.23""#, r#"value="10.6.6.6""#).into();
    let out = apply_edited(&plan, &doc);
    assert_refused_unchanged(&out, &cib, &before, "the changes it lists are not the changes it would make");
}

#[test]
fn saved_plan_that_is_not_a_plan_is_refused() {
    let (_dir, cib, plan, _doc) = destroying_plan();
    let before = std::fs::read_to_string(&cib).unwrap();
    for (text, why) in [
        ("{}", "no `format_version`"),
        (r#"{"format_version": "99"}"#, "has plan format 99"),
        ("[1, 2", "is not a saved cibform plan"),
    ] {
        std::fs::write(&plan, text).unwrap();
        let out = cibform(&["apply", plan.to_str().unwrap(), "--auto-approve"]);
        assert_refused_unchanged(&out, &cib, &before, why);
    }
}

#[test]
fn json_output_is_not_a_plan_to_apply() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let yaml = variant(dir.path(), |t| t.replace("ip: 192.168.33.23", "ip: 192.168.33.24"));
    let out = cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), "--format", "json"]);
    let plan = dir.path().join("plan.json");
    std::fs::write(&plan, &out.stdout).unwrap();
    let before = std::fs::read_to_string(&cib).unwrap();
    let out = cibform(&["apply", plan.to_str().unwrap(), "--auto-approve"]);
    assert_refused_unchanged(&out, &cib, &before, "it has no configuration to apply");
}

#[test]
fn stale_plan_with_an_unchanged_version_says_the_configuration_was_edited() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let yaml = variant(dir.path(), |t| t.replace("ip: 192.168.33.23", "ip: 192.168.33.24"));
    let plan = dir.path().join("plan.json");
    assert_eq!(cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), "--out", plan.to_str().unwrap()]).code, 0);
    let edited =
        std::fs::read_to_string(&cib).unwrap().replace(r#"name="dampen" value="5s""#, r#"name="dampen" value="9s""#);
    std::fs::write(&cib, &edited).unwrap();
    let out = cibform(&["apply", plan.to_str().unwrap(), "--auto-approve"]);
    assert_refused_unchanged(
        &out,
        &cib,
        &edited,
        "its configuration was edited without a new version (still CIB 0.12.0)",
    );
    assert!(!out.stderr.contains("now 0.12.0"), "{}", out.stderr);
}

/// The example without its fencing opt-out: no `stonith-enabled: false`, no policy.
fn fencing_example(extra: &str) -> impl Fn(String) -> String + '_ {
    move |t: String| {
        t.replace("  stonith-enabled: false\n", "").replace(
            "policy:\n  allow_disable_stonith: true   # this lab cluster runs without fencing, on purpose\n",
            "",
        ) + extra
    }
}

#[test]
fn raw_property_set_cannot_disable_fencing_past_the_gate() {
    let (dir, cib) = scratch_with_cib(None);
    let raw = "raw:\n  - |\n    <cluster_property_set id=\"late\" score=\"100\">\n      <nvpair id=\"late-se\" name=\"stonith-enabled\" value=\"false\"/>\n    </cluster_property_set>\n";
    let yaml = variant(dir.path(), fencing_example(raw));
    let before = std::fs::read_to_string(&cib).unwrap();
    let out = cibform(&["apply", yaml.to_str().unwrap(), &target(&cib), "--auto-approve"]);
    assert_refused_unchanged(&out, &cib, &before, "disables fencing");
    let out = cibform(&["apply", yaml.to_str().unwrap(), &target(&cib), "--auto-approve", "--allow-disable-stonith"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

#[test]
fn raw_property_set_cannot_reuse_cib_bootstrap_options() {
    let raw = "raw:\n  - <cluster_property_set id=\"cib-bootstrap-options\" score=\"5\"/>\n";
    let dir = tempfile::tempdir().unwrap();
    let yaml = variant(dir.path(), fencing_example(raw));
    let out = cibform(&["validate", yaml.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("cibform::raw::reserved_id"), "{}", out.stderr);
}

#[test]
fn raw_property_set_cannot_set_pacemaker_owned_properties() {
    let raw = "raw:\n  - <cluster_property_set id=\"mine\" score=\"5\"><nvpair id=\"mine-cn\" name=\"cluster-name\" value=\"evil\"/></cluster_property_set>\n";
    let dir = tempfile::tempdir().unwrap();
    let yaml = variant(dir.path(), fencing_example(raw));
    let out = cibform(&["validate", yaml.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("property `cluster-name` is maintained by Pacemaker"), "{}", out.stderr);
}

#[test]
fn raw_node_cannot_take_a_declared_nodes_id() {
    let raw = "raw:\n  - <node id=\"1\" uname=\"intruder\"/>\n";
    let dir = tempfile::tempdir().unwrap();
    let yaml = variant(dir.path(), fencing_example(raw));
    let out = cibform(&["validate", yaml.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("node id 1 is used twice"), "{}", out.stderr);
}

#[test]
fn stopping_the_last_fencing_device_needs_the_gate() {
    let (dir, cib) = scratch_with_cib(None);
    let fence = "  fence-1: { agent: \"stonith:fence_dummy\" }\n";
    let with_device =
        variant(dir.path(), |t| fencing_example("")(t).replace("resources:\n", &format!("resources:\n{fence}")));
    let out = cibform(&["apply", with_device.to_str().unwrap(), &target(&cib), "--auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let stopped = fence.replace(" }", ", enabled: false }");
    let yaml =
        variant(dir.path(), |t| fencing_example("")(t).replace("resources:\n", &format!("resources:\n{stopped}")));
    let before = std::fs::read_to_string(&cib).unwrap();
    let out = cibform(&["apply", yaml.to_str().unwrap(), &target(&cib), "--auto-approve"]);
    assert_refused_unchanged(&out, &cib, &before, "removes or stops the last fencing device");
}
