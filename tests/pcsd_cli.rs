//! `--pcsd` on the command line: usage errors, and a pcsd that is not there, without a cluster
//! (a CIB file target; the pcsd client itself is tested against a TLS stand-in in
//! `src/backend/pcsd/tests.rs` and against a real pcsd in `tests/live/pcsd.rs`).

mod common;

use std::process::{Command, Stdio};

use common::*;

const PASSWORD: &str = "Never-Shown-42";

fn run(dir: &std::path::Path, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_cibform"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("CIBFORM_PCSD_DIR", dir.join("pcsd"))
        .env("PCSD_PASSWORD", PASSWORD)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Out::from(out)
}

#[test]
fn a_pcsd_target_with_credentials_or_a_lone_password_file_is_a_usage_error() {
    let (dir, cib) = scratch_with_cib(None);
    let yaml = example().display().to_string();
    let t = target(&cib);
    let out = run(dir.path(), &["plan", &yaml, &t, "--pcsd", "pcsd://hacluster:hunter2@t3021cent"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("do not put a user or password in a pcsd target"), "{}", out.stderr);
    assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
    let out = run(dir.path(), &["plan", &yaml, &t, "--pcsd-password-file", "pw"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("`--pcsd-password-file` is given without `--pcsd`"), "{}", out.stderr);
}

#[test]
fn pcsd_not_running_is_named_and_the_password_never_shows() {
    let (dir, cib) = scratch_with_cib(None);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let yaml = example().display().to_string();
    let pcsd = format!("pcsd://127.0.0.1:{port}");
    let out = run(dir.path(), &["plan", &yaml, &target(&cib), "--pcsd", &pcsd]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains(&format!("pcsd is not reachable at 127.0.0.1:{port}")), "{}", out.stderr);
    assert!(!out.stderr.contains(PASSWORD) && !out.stdout.contains(PASSWORD), "{}", out.snapshot());
    assert!(!dir.path().join("pcsd/pcsd-known-hosts").exists(), "no token without a login");
}
