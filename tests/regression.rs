//! Regression tests for trust bugs (issue 8), each named after the bug it pins.

mod common;

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::Path;
use std::process::{Command, Stdio};

use common::*;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().mode() & 0o777
}

/// A copy of the example that plans one change against `seed-pcs.xml`.
fn one_change(dir: &Path) -> std::path::PathBuf {
    variant(dir, |t| t.replace("ip: 192.168.33.23", "ip: 192.168.33.24"))
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("cibform-tmp"))
        .collect()
}

// --- A. file writes -----------------------------------------------------------------------

#[test]
fn cib_write_followed_a_symlink_planted_at_the_temp_name() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    // The old temporary name was `.cib.xml.cibform-tmp-PID`; this process writes in-process.
    let planted = dir.path().join(format!(".cib.xml.cibform-tmp-{}", std::process::id()));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    let live = cibform::backend::file::read(&cib).unwrap();
    let expect =
        cibform::backend::Expect { version: live.cib.version().unwrap(), config_digest: live.cib.config_digest() };
    cibform::backend::file::write(&cib, &expect, live.cib.configuration()).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(std::fs::symlink_metadata(&planted).unwrap().file_type().is_symlink());
    assert!(cibform::backend::file::read(&cib).is_ok());
}

#[test]
fn cib_write_followed_a_symlink_planted_at_the_lock_name() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let victim = dir.path().join("created-by-the-lock");
    std::os::unix::fs::symlink(&victim, dir.path().join(".cib.xml.cibform-lock")).unwrap();
    let yaml = one_change(dir.path());
    let out = cibform(&["apply", yaml.to_str().unwrap(), &target(&cib), "--auto-approve", "--no-preview"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(!victim.exists(), "the lock must not create the link's target");
    assert_eq!(std::fs::read_to_string(&cib).unwrap(), std::fs::read_to_string(fixture("seed-pcs.xml")).unwrap());
}

#[test]
fn apply_replaced_a_symlinked_cib_with_a_regular_file_and_said_verified() {
    let (dir, _) = scratch_with_cib(None);
    let real_dir = dir.path().join("real");
    std::fs::create_dir(&real_dir).unwrap();
    let real = real_dir.join("cib.xml");
    std::fs::copy(fixture("seed-pcs.xml"), &real).unwrap();
    let link = dir.path().join("link.xml");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let yaml = one_change(dir.path());
    let out = cibform(&["apply", yaml.to_str().unwrap(), &target(&link), "--auto-approve", "--no-preview"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
    assert!(std::fs::read_to_string(&real).unwrap().contains(r#"value="192.168.33.24""#), "the real CIB changed");
    assert!(out.stderr.contains("is a symlink; writing the file it points to"), "{}", out.stderr);
    assert!(out.stderr.contains("Verified"), "{}", out.stderr);
}

#[test]
fn apply_did_not_keep_the_cib_files_mode() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    std::fs::set_permissions(&cib, std::fs::Permissions::from_mode(0o640)).unwrap();
    let yaml = one_change(dir.path());
    let out = cibform(&["apply", yaml.to_str().unwrap(), &target(&cib), "--auto-approve", "--no-preview"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert_eq!(mode(&cib), 0o640);
    assert!(temp_files(dir.path()).is_empty());
}

#[test]
fn apply_did_not_keep_the_cib_files_owner() {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipping: needs root to give the CIB file another owner (.ci/run runs as root)");
        return;
    }
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    std::os::unix::fs::chown(&cib, Some(65534), Some(65534)).unwrap();
    let yaml = one_change(dir.path());
    let out = cibform(&["apply", yaml.to_str().unwrap(), &target(&cib), "--auto-approve", "--no-preview"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let meta = std::fs::metadata(&cib).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
}

#[test]
fn killed_apply_left_its_temp_file_behind_forever() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let stale = dir.path().join(".cib.xml.Ab12Cd.cibform-tmp");
    std::fs::write(&stale, "half a CIB").unwrap();
    let yaml = one_change(dir.path());
    let out = cibform(&["apply", yaml.to_str().unwrap(), &target(&cib), "--auto-approve", "--no-preview"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(temp_files(dir.path()).is_empty(), "{:?}", temp_files(dir.path()));
}

#[test]
fn plan_out_overwrote_its_own_inputs() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let yaml = one_change(dir.path());
    let yaml_text = std::fs::read_to_string(&yaml).unwrap();
    let cib_text = std::fs::read_to_string(&cib).unwrap();
    let hard = dir.path().join("same-inode.json");
    std::fs::hard_link(&cib, &hard).unwrap();
    let via_link = dir.path().join("via-link.json");
    std::os::unix::fs::symlink(&yaml, &via_link).unwrap();
    for out_path in [&yaml, &cib, &hard, &via_link] {
        let out = cibform(&[
            "plan",
            yaml.to_str().unwrap(),
            &target(&cib),
            "--no-preview",
            "--out",
            out_path.to_str().unwrap(),
        ]);
        assert_eq!(out.code, 1, "{}", out.snapshot());
        assert!(out.stderr.contains("writing there would destroy it"), "{}", out.stderr);
    }
    assert_eq!(std::fs::read_to_string(&yaml).unwrap(), yaml_text);
    assert_eq!(std::fs::read_to_string(&cib).unwrap(), cib_text);
}

#[test]
fn export_out_overwrote_the_target() {
    let (_dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let before = std::fs::read_to_string(&cib).unwrap();
    let out = cibform(&["export", &target(&cib), "-o", cib.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert_eq!(std::fs::read_to_string(&cib).unwrap(), before);
}

#[test]
fn saved_plan_with_the_new_configuration_was_world_readable() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let yaml = one_change(dir.path());
    let plan = dir.path().join("plan.json");
    std::fs::write(&plan, "old").unwrap();
    std::fs::set_permissions(&plan, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out =
        cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), "--no-preview", "--out", plan.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert_eq!(mode(&plan), 0o600);
}

#[test]
fn export_of_a_private_cib_was_world_readable() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    std::fs::set_permissions(&cib, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out_path = dir.path().join("exported.yaml");
    let out = cibform(&["export", &target(&cib), "-o", out_path.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert_eq!(mode(&out_path), 0o600);
    // A world-readable CIB without secrets exports under the umask, as any new file.
    std::fs::set_permissions(&cib, std::fs::Permissions::from_mode(0o644)).unwrap();
    let public = dir.path().join("public.yaml");
    let out = cibform(&["export", &target(&cib), "-o", public.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert_ne!(mode(&public) & 0o004, 0, "mode {:o}", mode(&public));
}

// --- B. exit codes and output -------------------------------------------------------------

#[test]
fn usage_error_exited_2_which_means_changes_present() {
    let out = cibform(&["plan", "--bogus"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("unexpected argument '--bogus'"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert_eq!(cibform(&[]).code, 1, "a missing subcommand is a usage error");
    for asked in [&["--help"][..], &["plan", "--help"], &["--version"]] {
        let out = cibform(asked);
        assert_eq!(out.code, 0, "{asked:?}: {}", out.snapshot());
        assert!(!out.stdout.is_empty() && out.stderr.is_empty(), "{asked:?}: {}", out.snapshot());
    }
}

#[test]
fn plan_written_to_a_full_disk_exited_0() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let yaml = one_change(dir.path());
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cibform"))
        .args(["plan", yaml.to_str().unwrap(), &target(&cib), "--no-preview"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let out = Out::from(out);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("cannot write to standard output"), "{}", out.stderr);
}

#[test]
fn closed_stdout_pipe_stays_a_quiet_success() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cibform"))
        .arg("schema")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader is gone before anything is written
    let out = Out::from(child.wait_with_output().unwrap());
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert_eq!(out.stderr, "");
}

// --- C. secrets -----------------------------------------------------------------------------

const SECRETS: [&str; 12] = [
    "PW-PARAM",
    "AK-PARAM",
    "AK2",
    "SSHK",
    "TOK",
    "PWSHORT",
    "META-SECRET",
    "UT-PW",
    "OP-PARAM-PW",
    "OP-META-SECRET",
    "RAW-PW",
    "VAULT-REF",
];

const SECRET_FILE: &str = r#"cluster: clst-01
nodes:
  t3021cent: { id: 1 }
  t3022cent: { id: 2 }
properties: { stonith-enabled: false }
policy: { allow_disable_stonith: true, allow_destroy: true, sensitive: [vault] }
resources:
  fence-1:
    agent: stonith:fence_ipmilan
    params: { ip: 10.0.0.1, username: admin, password: PW-PARAM, api_key: AK-PARAM, apikey: AK2, ssh_key: SSHK, token: TOK, pw: PWSHORT, vault: VAULT-REF }
    meta: { secret: META-SECRET }
    utilization: { passwd: UT-PW }
    ops:
      - { name: monitor, interval: 60s, params: { password: OP-PARAM-PW }, meta: { secret: OP-META-SECRET } }
raw:
  - <alerts><alert id="a1" path="/bin/true"><instance_attributes id="a1-ia"><nvpair id="a1-pw" name="password" value="RAW-PW"/></instance_attributes></alert></alerts>
"#;

fn leaked(text: &str) -> Vec<&'static str> {
    SECRETS.iter().copied().filter(|s| text.contains(s)).collect()
}

#[test]
fn op_params_meta_utilization_raw_and_policy_secrets_printed_in_clear() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let yaml = dir.path().join("cluster.yaml");
    std::fs::write(&yaml, SECRET_FILE).unwrap();
    for format in ["text", "json", "markdown"] {
        let out = cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), "--no-preview", "--format", format]);
        assert_eq!(out.code, 0, "{}", out.snapshot());
        assert_eq!(leaked(&out.stdout), Vec::<&str>::new(), "{format}:\n{}", out.stdout);
        assert_eq!(leaked(&out.stderr), Vec::<&str>::new(), "{format}:\n{}", out.stderr);
        assert!(out.stdout.contains("(sensitive value)"), "{format}");
        assert!(out.stdout.contains("10.0.0.1"), "{format}: ordinary values stay visible");
    }
    // A saved plan keeps the real values (apply writes them), so it is private.
    let plan = dir.path().join("plan.json");
    let out =
        cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), "--no-preview", "--out", plan.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert_eq!(leaked(&out.stdout), Vec::<&str>::new());
    let saved = std::fs::read_to_string(&plan).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&saved).unwrap();
    assert!(doc["new_configuration"].as_str().unwrap().contains("PW-PARAM"));
    assert_eq!(leaked(&doc["changes"].to_string()), Vec::<&str>::new());
    assert_eq!(mode(&plan), 0o600);
    // Applying it shows the plan masked too, with the file's own `sensitive` names.
    let out = cibform(&["apply", plan.to_str().unwrap(), "--auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert_eq!(leaked(&out.stdout), Vec::<&str>::new(), "{}", out.stdout);
}

#[test]
fn export_of_secrets_was_world_readable_and_silent() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let yaml = dir.path().join("cluster.yaml");
    std::fs::write(&yaml, SECRET_FILE).unwrap();
    let out = cibform(&["apply", yaml.to_str().unwrap(), &target(&cib), "--auto-approve", "--no-preview"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    std::fs::set_permissions(&cib, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = cibform(&["export", &target(&cib)]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stdout.contains("PW-PARAM"), "export keeps the value to round-trip");
    assert!(out.stderr.contains("warning: the exported file holds secret values"), "{}", out.stderr);
    let file = dir.path().join("exported.yaml");
    let out = cibform(&["export", &target(&cib), "-o", file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert_eq!(mode(&file), 0o600);
}

// --- D. smaller items -------------------------------------------------------------------------

#[test]
fn byte_order_mark_shifted_every_diagnostic_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cluster.yaml");
    std::fs::write(&path, "\u{feff}cluster: c\nresources:\n  r: { agent: ocf:pacemaker:Dummy, parms: { a: 1 } }\n")
        .unwrap();
    let out = cibform_in(dir.path(), &["validate", "cluster.yaml"]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn type_error_said_use_option_string() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cluster.yaml"), "cluster: ~\n").unwrap();
    let out = cibform_in(dir.path(), &["validate", "cluster.yaml"]);
    assert_eq!(out.code, 1);
    assert!(!out.stderr.contains("Option<") && !out.stderr.contains("String"), "{}", out.stderr);
    assert!(out.stderr.contains("expected a value here, found nothing (null)"), "{}", out.stderr);
}

#[test]
fn what_if_an_unknown_node_exited_0() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let yaml = one_change(dir.path());
    let out =
        cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), "--no-preview", "--what-if", "node-down=nosuch"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("node `nosuch`"), "{}", out.stderr);
    assert!(out.stderr.contains("`t3021cent`"), "the help names the known nodes: {}", out.stderr);
}

#[test]
fn diagnostic_snippet_echoed_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let text = "cluster: c\nresources:\n  f:\n    agent: stonith:fence_ipmilan\n    params: { ip: 10.0.0.1, password: [SEKRIT, b], api_key: AK }\n";
    std::fs::write(dir.path().join("cluster.yaml"), text).unwrap();
    let out = cibform_in(dir.path(), &["validate", "cluster.yaml"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("cluster.yaml:5:"), "{}", out.stderr);
    assert!(out.stderr.contains("10.0.0.1"), "the rest of the line is shown: {}", out.stderr);
    assert!(!out.stderr.contains("SEKRIT") && !out.stderr.contains("AK }"), "{}", out.stderr);
}
