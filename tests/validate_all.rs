//! `validate` reports every problem of a file at once: each unknown key, wrong type and missing
//! key (serde stops at the first), then the semantic checks of the rest when the refused entries
//! can be left out without making references fail.

mod common;

use common::*;

#[test]
fn every_problem_of_the_file_is_reported_at_once() {
    let out = cibform(&["validate", "tests/fixtures/several-problems.yaml"]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!("several_problems", out.snapshot());
}

#[test]
fn a_missing_key_and_a_wrong_list_item_are_reported_with_the_rest() {
    let yaml = "cluster: c\nresources:\n  r: { agent: ocf:pacemaker:Dummy }\nalerts:\n  a: { description: x }\nconstraints:\n  - 3\n  - { order: r, then: r, kindd: Optional }\n";
    let (_d, out) = in_scratch(yaml, "", &["validate", "cluster.yaml"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    for (code, text) in [
        ("cibform::yaml::missing_key", "missing key `path`"),
        ("cibform::yaml::type", "expected a mapping, found `3`"),
        ("cibform::yaml::unknown_key", "did you mean `kind`?"),
    ] {
        assert!(out.stderr.contains(code) && out.stderr.contains(text), "no {code} {text:?}:\n{}", out.stderr);
    }
    assert!(out.stderr.contains("3 problems found"), "{}", out.stderr);
}

/// One mistake in a real file is one diagnostic: the walk finds nothing serde accepts.
#[test]
fn one_mistake_in_a_real_file_is_one_diagnostic() {
    let mut files = vec![example()];
    for e in std::fs::read_dir(fixture("peers")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            files.push(p);
        }
    }
    files.push(fixture("acls-pcs.yaml"));
    files.push(fixture("alerts-pcs.yaml"));
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let yaml = format!("{text}\nclusterr: x\n");
        let (_d, out) = in_scratch(&yaml, "", &["validate", "cluster.yaml"]);
        assert_eq!(out.code, 1, "{}: {}", f.display(), out.snapshot());
        assert!(out.stderr.contains("1 problem found"), "{}: {}", f.display(), out.stderr);
        assert!(out.stderr.contains("unknown key `clusterr`"), "{}: {}", f.display(), out.stderr);
    }
}
