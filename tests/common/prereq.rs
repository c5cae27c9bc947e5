//! Prerequisites of the tests marked `#[ignore = "needs ..."]`. Such a test runs only when asked
//! (`cargo test -- --include-ignored`, as .ci/run does); then a missing prerequisite fails it at
//! once, saying what is missing, instead of letting it pass without having checked anything.
//! Shared by the integration tests (through `common`) and the unit tests (by `#[path]`).

use std::path::Path;

/// Fail unless every tool is an executable on `PATH`.
pub fn need_tools(tools: &[&str]) {
    let missing: Vec<String> = tools.iter().filter(|t| !on_path(t)).map(|t| format!("`{t}`")).collect();
    assert!(
        missing.is_empty(),
        "this test needs {} on PATH (.ci/run installs them); without them, run the tests without --include-ignored",
        missing.join(", ")
    );
}

/// Fail unless running as root (the live-cluster tests start clusters in network namespaces).
pub fn need_root() {
    let out = std::process::Command::new("id").arg("-u").output().expect("run `id -u`");
    let uid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(uid, "0", "this test needs root (it starts real clusters in network namespaces)");
}

fn on_path(tool: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else { return false };
    std::env::split_paths(&path).any(|dir| is_executable(&dir.join(tool)))
}

fn is_executable(file: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(file).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
