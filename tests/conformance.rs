//! Conformance with pcs: what `pcs -f CIB resource create|stonith create|property set|constraint`
//! refuses, cibform refuses at `validate`, with a diagnostic on the offending text; what pcs
//! accepts with `--force`, cibform accepts with `force: true` / `policy.allow_unknown_params`.
//!
//! The cases and expected outcomes are `tests/fixtures/pcs-conformance.tsv`. cibform is checked
//! against it always, offline (metadata from the shipped snapshot); pcs is replayed against it
//! where pcs is installed, so the fixture cannot drift from what pcs does.

mod common;

use cibform::diag::Diag;
use cibform::validate::agents;
use common::{fixture, need_tools};

/// One line of the fixture.
#[derive(Debug)]
struct Case {
    name: String,
    setup: Vec<String>,
    pcs: String,
    yaml: String,
    key: String,
    code: String,
    forced_accepts: bool,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(fixture("pcs-conformance.tsv")).unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    assert_eq!(lines.next(), Some("name\tsetup\tpcs\tyaml\tkey\tcode\tforced"));
    let cases: Vec<Case> = lines
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 7, "{l}");
            assert!(["accepts", "refuses"].contains(&f[6]), "{l}");
            Case {
                name: f[0].into(),
                setup: f[1].split(" ; ").filter(|s| !s.is_empty()).map(str::to_string).collect(),
                pcs: f[2].into(),
                yaml: f[3].replace("\\n", "\n"),
                key: f[4].into(),
                code: format!("cibform::{}", f[5]),
                forced_accepts: f[6] == "accepts",
            }
        })
        .collect();
    assert!(cases.len() >= 25, "the table keeps at least 25 cases");
    cases
}

impl Case {
    fn file(&self, forced: bool) -> String {
        let (force, policy) =
            if forced { ("force: true, ", "policy: { allow_unknown_params: true }\n") } else { ("", "") };
        let body = self.yaml.replace("{force}", force).replace("{policy}", policy);
        format!("cluster: c\nnodes: {{ n1: {{ id: 1 }}, n2: {{ id: 2 }} }}\n{body}\n")
    }
}

/// Every diagnostic `cibform validate` gives for `text`, agents checked against the snapshot.
fn diagnose(text: &str) -> Vec<Diag> {
    let (src, raw) = match cibform::config::parse("case.yaml", text.as_bytes()) {
        Ok(parsed) => parsed,
        Err(d) => return vec![*d],
    };
    let mut diags = match cibform::validate::validate(&src, &raw) {
        Ok((_, warnings)) => warnings,
        Err(errors) => errors,
    };
    diags.extend(agents::check(&src, &raw, &agents::Catalog::offline(&agents::agents(&raw))));
    diags
}

/// The text a diagnostic's labels point at.
fn pointed(d: &Diag) -> Vec<String> {
    let Some(src) = &d.source else { return Vec::new() };
    d.labels.iter().filter_map(|(s, _)| src.text.get(s.offset..s.offset + s.len).map(str::to_string)).collect()
}

fn summary(diags: &[Diag]) -> String {
    diags
        .iter()
        .map(|d| format!("{:?} {} {}: {:?}", d.severity, d.code, d.message, pointed(d)))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn cibform_refuses_what_pcs_refuses_at_the_offending_text() {
    for case in cases() {
        let diags = diagnose(&case.file(false));
        let hit = diags.iter().any(|d| d.is_error() && d.code == case.code && pointed(d).contains(&case.key));
        assert!(hit, "{}: expected an error {} at `{}`, got:\n{}", case.name, case.code, case.key, summary(&diags));
        for d in diags.iter().filter(|d| d.is_error()) {
            assert!(d.help.is_some(), "{}: {} has no help", case.name, d.code);
        }
    }
}

#[test]
fn cibform_accepts_with_force_what_pcs_accepts_with_force() {
    for case in cases() {
        let diags = diagnose(&case.file(true));
        let errors: Vec<Diag> = diags.iter().filter(|d| d.is_error()).cloned().collect();
        if case.forced_accepts {
            assert!(errors.is_empty(), "{}: forced, still refused:\n{}", case.name, summary(&errors));
            let waived = diags
                .iter()
                .any(|d| d.code == case.code && d.help.as_deref().is_some_and(|h| h.contains("accepted because")));
            assert!(waived, "{}: the waived finding is not reported as a warning:\n{}", case.name, summary(&diags));
        } else {
            assert!(errors.iter().any(|d| d.code == case.code), "{}: forced, no longer refused", case.name);
        }
    }
}

/// Run `pcs -f CIB ARGS`; whether it succeeded, and what it said.
fn pcs(cib: &std::path::Path, args: &str, force: bool) -> (bool, String) {
    let mut cmd = std::process::Command::new("pcs");
    cmd.arg("-f").arg(cib).args(args.split_whitespace());
    if force {
        cmd.arg("--force");
    }
    let out = cmd.output().expect("run pcs");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn fresh_cib(dir: &std::path::Path, case: &Case) -> std::path::PathBuf {
    let cib = dir.join("cib.xml");
    let out = std::process::Command::new("cibadmin").arg("--empty").output().expect("run cibadmin");
    assert!(out.status.success());
    std::fs::write(&cib, out.stdout).unwrap();
    for step in &case.setup {
        let (ok, err) = pcs(&cib, step, false);
        assert!(ok, "{}: setup `pcs {step}` failed: {err}", case.name);
    }
    cib
}

#[test]
#[ignore = "needs pacemaker tools: pcs, cibadmin, fence-agents"]
fn pcs_still_agrees_with_the_fixture() {
    need_tools(&["pcs", "cibadmin", "fence_ipmilan", "fence_apc"]);
    let dir = tempfile::tempdir().unwrap();
    let mut disagreements = Vec::new();
    for case in cases() {
        let cib = fresh_cib(dir.path(), &case);
        let (ok, err) = pcs(&cib, &case.pcs, false);
        if ok {
            disagreements.push(format!("{}: `pcs {}` accepts it", case.name, case.pcs));
        }
        let cib = fresh_cib(dir.path(), &case);
        let (forced_ok, forced_err) = pcs(&cib, &case.pcs, true);
        if forced_ok != case.forced_accepts {
            disagreements.push(format!(
                "{}: `pcs {} --force` {} (fixture: {}): {err} {forced_err}",
                case.name,
                case.pcs,
                if forced_ok { "accepts" } else { "refuses" },
                if case.forced_accepts { "accepts" } else { "refuses" }
            ));
        }
    }
    assert!(disagreements.is_empty(), "pcs disagrees with the fixture:\n{}", disagreements.join("\n"));
}

/// The issue's own examples: the seed's rule on `pingd` (set by its ping clone) is clean, a
/// typo is flagged.
#[test]
fn rule_attributes_defined_by_ping_are_known_and_typos_are_flagged() {
    let seed = common::example_text();
    let rule_warnings = |text: &str| -> Vec<String> {
        diagnose(text).iter().filter(|d| d.code == "cibform::rule::attribute").map(|d| d.message.clone()).collect()
    };
    assert_eq!(rule_warnings(&seed), Vec::<String>::new());
    let typo = seed.replace("rule: pingd lt 1", "rule: pngd lt 1");
    assert_ne!(typo, seed);
    assert_eq!(rule_warnings(&typo), vec!["no node or agent in this file defines attribute `pngd`".to_string()]);
    let renamed = seed.replace("params: { dampen: 5s,", "params: { name: reach, dampen: 5s,");
    assert_ne!(renamed, seed);
    assert_eq!(rule_warnings(&renamed).len(), 1, "ping named `reach` no longer defines `pingd`");
}

/// The seed and the full example validate without a metadata finding (errors or warnings).
#[test]
fn the_examples_have_no_metadata_findings() {
    for path in ["examples/clst-01/cluster.yaml", "examples/full/cluster.yaml"] {
        let text = std::fs::read_to_string(common::root().join(path)).unwrap();
        let findings: Vec<Diag> =
            diagnose(&text).into_iter().filter(|d| d.code != "cibform::rule::attribute").collect();
        assert!(findings.is_empty(), "{path}:\n{}", summary(&findings));
    }
}
