//! `plan` names the transport `apply` would use for corosync.conf and membership work, decided
//! without contacting a node: `--corosync FILE`, the pcsd tokens held for every node (pcsd if it
//! answers, otherwise ssh), for some, or for none. The nodes are a fake `ssh` on PATH that
//! answers from fixtures; a scratch pcsd directory holds the tokens.

mod common;

use std::path::Path;

use common::*;

/// A fake `ssh` that runs the command here against the CIB fixture and answers corosync.conf
/// from the fixture.
fn fake_ssh(dir: &Path) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = format!(
        r#"#!/bin/sh
while [ $# -gt 0 ]; do
  case "$1" in
    -o|-p|-l) shift 2 ;;
    --) shift; break ;;
    -*) shift ;;
    *) shift ;;
  esac
done
case "$1" in
  "cat /etc/corosync/corosync.conf"*) exec cat {conf} ;;
  "crm_resource --show-metadata"*) echo "no agents on this stand-in" >&2; exit 5 ;;
esac
CIB_file={cib} exec sh -c "$1"
"#,
        conf = fixture("corosync-clst-01.conf").display(),
        cib = fixture("seed-pcs.xml").display(),
    );
    let ssh = bin.join("ssh");
    std::fs::write(&ssh, script).unwrap();
    std::fs::set_permissions(&ssh, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default())
}

/// The reference file with a third node: a join, work for corosync.conf.
fn joining(dir: &Path) -> String {
    let text = without_scenarios(example_text())
        .replace("quorum: { two_node: true }\n", "")
        .replace("  t3022cent: {", "  t3024cent: { id: 3, addrs: [192.168.33.24, 192.168.22.24] }\n  t3022cent: {");
    assert!(text.contains("t3024cent"), "the example's node list changed");
    let path = dir.join("cluster.yaml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// pcs's known-hosts format in cibform's store, a token for each of `nodes`.
fn tokens(dir: &Path, nodes: &[&str]) {
    let hosts: Vec<String> = nodes
        .iter()
        .map(|n| format!(r#""{n}": {{"token": "tok-{n}", "dest_list": [{{"addr": "{n}", "port": 2224}}]}}"#))
        .collect();
    let text = format!(r#"{{"format_version": 1, "data_version": 1, "known_hosts": {{{}}}}}"#, hosts.join(", "));
    std::fs::create_dir_all(dir.join("pcsd")).unwrap();
    std::fs::write(dir.join("pcsd/pcsd-known-hosts"), text).unwrap();
}

fn plan(dir: &Path, format: &str) -> Out {
    plan_of(dir, format, &joining(dir))
}

/// The reference file with a quorum device added: work for corosync.conf and a qnetd host.
fn with_device(dir: &Path) -> String {
    let text = without_scenarios(example_text())
        .replace("quorum: { two_node: true }\n", "quorum:\n  device: { model: net, host: qnetd }\n");
    assert!(text.contains("host: qnetd"), "the example's quorum changed");
    let path = dir.join("cluster.yaml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn plan_of(dir: &Path, format: &str, yaml: &str) -> Out {
    let path = fake_ssh(dir);
    let pcsd = dir.join("pcsd").display().to_string();
    let envs = [("PATH", path.as_str()), ("CIBFORM_PCSD_DIR", pcsd.as_str()), ("HOME", pcsd.as_str())];
    let args = [
        "plan",
        yaml,
        "--target",
        "ssh://t3021cent,t3022cent",
        "--no-preview",
        "--detailed-exitcode",
        "--format",
        format,
    ];
    let out = cibform_env_in(dir, &envs, &args);
    let clean =
        |s: &str| s.replace(&dir.display().to_string(), "[dir]").replace(env!("CARGO_PKG_VERSION"), "[version]");
    Out { code: out.code, stdout: clean(&out.stdout), stderr: clean(&out.stderr) }
}

/// The transport line of the corosync part, in the text plan.
fn transport_line(out: &Out) -> &str {
    out.stdout.lines().find(|l| l.starts_with("  apply's transport: ")).unwrap_or_else(|| panic!("{}", out.snapshot()))
}

#[test]
fn no_token_held_means_ssh() {
    let dir = tempfile::tempdir().unwrap();
    let out = plan(dir.path(), "text");
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert_eq!(
        transport_line(&out),
        "  apply's transport: ssh (no pcsd token held: `pcs host auth` or `--pcsd` for pcsd)"
    );
    insta::assert_snapshot!("ssh_without_tokens", out.snapshot());
}

#[test]
fn a_token_for_every_node_means_pcsd_if_it_answers_otherwise_ssh() {
    let dir = tempfile::tempdir().unwrap();
    tokens(dir.path(), &["t3021cent", "t3022cent"]);
    for format in ["text", "markdown", "json"] {
        let out = plan(dir.path(), format);
        assert_eq!(out.code, 2, "{}", out.snapshot());
        assert!(
            !out.stdout.contains("tok-") && !out.stderr.contains("tok-"),
            "a token never shows:\n{}",
            out.snapshot()
        );
        insta::assert_snapshot!(format!("pcsd_if_it_answers.{format}"), out.snapshot());
    }
    let json: serde_json::Value = serde_json::from_str(&plan(dir.path(), "json").stdout).unwrap();
    assert_eq!(json["corosync"]["transport"], serde_json::json!({"kind": "pcsd-if-it-answers", "otherwise": "ssh"}));
}

#[test]
fn a_token_for_some_nodes_means_ssh_and_names_the_others() {
    let dir = tempfile::tempdir().unwrap();
    tokens(dir.path(), &["t3021cent"]);
    let out = plan(dir.path(), "text");
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert_eq!(
        transport_line(&out),
        "  apply's transport: ssh (no pcsd token for t3022cent: pcsd is used only with one for every node)"
    );
    insta::assert_snapshot!("ssh_with_some_tokens", out.snapshot());
}

/// A quorum device added: pcsd if it answers only with a token for its qnetd host too (it signs
/// each node's certificate request through its pcsd), otherwise ssh to the nodes and the qnetd
/// host.
#[test]
fn a_quorum_device_goes_through_pcsd_only_with_a_token_for_its_qnetd_host_too() {
    let dir = tempfile::tempdir().unwrap();
    tokens(dir.path(), &["t3021cent", "t3022cent"]);
    let yaml = with_device(dir.path());
    let out = plan_of(dir.path(), "text", &yaml);
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(out.stdout.contains("as `pcs quorum device add"), "{}", out.stdout);
    assert_eq!(
        transport_line(&out),
        "  apply's transport: ssh and ssh to the qnetd host (without `--pcsd`, a quorum device is set up over ssh)"
    );
    tokens(dir.path(), &["t3021cent", "t3022cent", "qnetd"]);
    let out = plan_of(dir.path(), "json", &yaml);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["corosync"]["transport"], serde_json::json!({"kind": "pcsd-if-it-answers", "otherwise": "ssh"}));
    assert!(!out.stdout.contains("tok-"), "a token never shows:\n{}", out.snapshot());
}

/// No corosync work: no transport to name.
#[test]
fn a_plan_without_corosync_work_names_no_transport() {
    let dir = tempfile::tempdir().unwrap();
    let path = fake_ssh(dir.path());
    let yaml = dir.path().join("cluster.yaml");
    std::fs::write(&yaml, without_scenarios(example_text())).unwrap();
    let envs = [("PATH", path.as_str())];
    let out = cibform_env_in(
        dir.path(),
        &envs,
        &["plan", yaml.to_str().unwrap(), "--target", "ssh://t3021cent,t3022cent", "--no-preview"],
    );
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(!out.stdout.contains("transport"), "{}", out.snapshot());
}
