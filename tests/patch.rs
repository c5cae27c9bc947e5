//! The patches cibform sends are judged by Pacemaker itself: each one is applied to the old CIB
//! with `cibadmin --patch` (on a file, the same library code as a live cluster) and the result
//! must be exactly the new configuration.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use cibform::cib::xml::{Element, Node};
use cibform::cib::Cib;
use common::*;

/// Comments and attribute order carry no meaning for Pacemaker.
fn strip_comments(el: &mut Element) {
    el.children.retain(|n| !matches!(n, Node::Comment(_)));
    el.attrs.sort();
    for c in el.elements_mut() {
        strip_comments(c);
    }
}

/// Apply `patch(old, new)` to a copy of `old` with cibadmin; return an error text on mismatch.
fn check_pair(dir: &Path, old: &Cib, new: &Cib) -> Result<(), String> {
    let old_path = dir.join("old.xml");
    std::fs::write(&old_path, old.root.to_xml()).unwrap();
    let patch = cibform::plan::patch::patch(old, new);
    let patch_path = dir.join("patch.xml");
    std::fs::write(&patch_path, patch.to_xml()).unwrap();
    let out = Command::new("cibadmin")
        .args(["--patch", "--xml-file"])
        .arg(&patch_path)
        .env("CIB_file", &old_path)
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(format!(
            "cibadmin --patch failed ({}): {}\npatch:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            patch.to_xml()
        ));
    }
    let result = Cib::parse("result", &std::fs::read_to_string(&old_path).unwrap()).map_err(|d| d.message.clone())?;
    let mut got = result.configuration().clone();
    let mut want = new.configuration().clone();
    strip_comments(&mut got);
    strip_comments(&mut want);
    if got != want {
        let a = want.to_xml();
        let b = got.to_xml();
        let d = similar::TextDiff::from_lines(&a, &b).unified_diff().header("wanted", "got").to_string();
        return Err(format!("result differs:\n{d}\npatch:\n{}", patch.to_xml()));
    }
    Ok(())
}

fn cib(path: &Path) -> Cib {
    Cib::parse(&path.display().to_string(), &std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
#[ignore = "needs pacemaker tools: cibadmin"]
fn patches_for_the_seed_apply_exactly() {
    need_tools(&["cibadmin"]);
    let dir = tempfile::tempdir().unwrap();
    let empty = Cib::parse("empty", EMPTY_CIB).unwrap();
    let seed = cib(&fixture("seed-pcs.xml"));
    let crm = cib(&fixture("seed-crmsh.xml"));
    let demo = cib(&root().join("examples/clst-01/live-cib.xml"));
    for (name, a, b) in [
        ("empty→seed", &empty, &seed),
        ("seed→empty", &seed, &empty),
        ("seed→demo", &seed, &demo),
        ("demo→seed", &demo, &seed),
        ("pcs→crmsh", &seed, &crm),
        ("crmsh→pcs", &crm, &seed),
    ] {
        let b = a.with_configuration(b.configuration().clone());
        check_pair(dir.path(), a, &b).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// Every corpus CIB against its neighbour in the corpus: large, unrelated changes, every part
/// of the CIB language. Only pairs whose target Pacemaker accepts as a file are checked.
#[test]
#[ignore = "needs pacemaker tools: cibadmin"]
fn patches_between_corpus_cibs_apply_exactly() {
    need_tools(&["cibadmin"]);
    let dir = tempfile::tempdir().unwrap();
    let cibs: Vec<(&str, Cib)> =
        corpus::cibs().iter().filter_map(|e| Cib::parse(&e.name, &e.text).ok().map(|c| (e.name.as_str(), c))).collect();
    let mut checked = 0;
    let mut failures = Vec::new();
    for w in cibs.windows(2) {
        let (an, a) = &w[0];
        let (bn, b) = &w[1];
        // Same schema on both sides, so the result validates against what the target declares.
        let mut b_root = a.root.clone();
        for (k, v) in &b.root.attrs {
            if k == "validate-with" {
                b_root.set_attr(k, v.as_str());
            }
        }
        let mut a = a.clone();
        a.root.set_attr("validate-with", b.root.attr("validate-with").unwrap_or("pacemaker-3.9"));
        let target = Cib { root: b_root }.with_configuration(b.configuration().clone());
        // Does Pacemaker accept the target as a replacement of the old CIB (schema-valid)? Some
        // corpus files are deliberately broken, or valid only under their own older schema.
        let probe = dir.path().join("probe.xml");
        let target_file = dir.path().join("target.xml");
        std::fs::write(&probe, a.root.to_xml()).unwrap();
        std::fs::write(&target_file, target.root.to_xml()).unwrap();
        let ok = Command::new("cibadmin")
            .arg("--replace")
            .arg("--xml-file")
            .arg(&target_file)
            .env("CIB_file", &probe)
            .output()
            .unwrap()
            .status
            .success();
        if !ok {
            continue;
        }
        checked += 1;
        if let Err(e) = check_pair(dir.path(), &a, &target) {
            if failures.is_empty() {
                let kept = keep_for_debugging(&a, &target);
                eprintln!("{an} → {bn}: its old CIB and patch are in {}", kept.display());
            }
            failures.push(format!("{an} → {bn}: {}", e.lines().take(30).collect::<Vec<_>>().join("\n")));
        }
    }
    eprintln!("{checked} corpus pairs checked, {} failed", failures.len());
    assert!(checked > 400, "too few pairs checked: {checked}");
    assert!(
        failures.is_empty(),
        "{} of {checked} patches did not apply exactly; first:\n{}",
        failures.len(),
        failures.iter().take(3).cloned().collect::<Vec<_>>().join("\n\n")
    );
}

/// Keep the inputs of a failing pair (`old.xml`, `patch.xml`) to rerun `cibadmin --patch` by hand.
fn keep_for_debugging(old: &Cib, new: &Cib) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("patch-failure");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("old.xml"), old.root.to_xml()).unwrap();
    std::fs::write(dir.join("patch.xml"), cibform::plan::patch::patch(old, new).to_xml()).unwrap();
    dir
}
