//! Fixtures rebuilt by the real tools: run a `tests/fixtures/gen-*.sh` script into a scratch
//! file, and check that the committed fixture is still what today's pcs and crmsh write.

use super::{cibform, fixture};
use std::path::{Path, PathBuf};

/// Run `tests/fixtures/SCRIPT OUT` into a scratch directory; the directory and `OUT`.
pub fn rebuild(script: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.xml");
    let status = std::process::Command::new("bash").arg(fixture(script)).arg(&fresh).status().unwrap();
    assert!(status.success(), "tests/fixtures/{script} failed");
    (dir, fresh)
}

/// The committed fixture `name` means what `fresh` means (`crm_diff`, versions aside).
pub fn assert_fixture_fresh(name: &str, fresh: &Path, regenerate: &str) {
    let diff = std::process::Command::new("crm_diff")
        .args(["--no-version", "--original"])
        .arg(fixture(name))
        .arg("--new")
        .arg(fresh)
        .output()
        .unwrap();
    let stale = String::from_utf8_lossy(&diff.stdout);
    assert_eq!(diff.status.code(), Some(0), "{name} fixture is stale; run {regenerate}\n{stale}");
}

/// Rebuild with `script`, plan `yaml` (its natural translation) against the fresh CIB: no
/// change; and the committed `fixture` is still what the script builds. The caller checks
/// the tools its script runs (pcs, crm).
pub fn rebuilt_plans_to_zero(script: &str, committed: &str, yaml: &str) {
    super::need_tools(&["crm_diff", "cibadmin"]);
    let (_dir, fresh) = rebuild(script);
    let target = format!("file:{}", fresh.display());
    let out = cibform(&["plan", yaml, "--target", &target, "--detailed-exitcode"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert_fixture_fresh(committed, &fresh, &format!("tests/fixtures/{script} tests/fixtures/{committed}"));
}
