//! Targets other than `local`: ssh to the nodes in order, Pacemaker's remote CIB access.

use std::process::Command;

use crate::harness::*;

/// ssh targets end to end: hosts tried in order (an unknown host, a node whose pacemaker is
/// down), apply through ssh, and the file's nodes as the default target.
#[test]
#[ignore = "needs root for a live cluster: network namespaces"]
fn ssh_targets_try_nodes_in_order() {
    need_live();
    let c = Cluster::two();
    let (run, log) = cibform_over_ssh(&c);
    let yaml = c.write("cluster.yaml", &runtime_example(false));
    let y = yaml.to_str().unwrap();
    let out = run(&["apply", y, "--target", "ssh://nohost,root@t3021cent,t3022cent", "--auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stdout.contains("against ssh://nohost,root@t3021cent,t3022cent"), "{}", out.stdout);
    let commands = std::fs::read_to_string(&log).unwrap();
    let asked = hosts_asked(&commands);
    assert!(asked.starts_with("nohost\nt3021cent\n"), "hosts are tried in order:\n{asked}");
    // The CIB needs no third host; every node is asked for its corosync.conf (drift check).
    assert!(!commands.contains("t3022cent cibadmin"), "no need for the third host for the CIB:\n{commands}");
    assert!(commands.contains("t3022cent cat"), "every node's corosync.conf is read:\n{commands}");

    // The first node's pacemaker is down: the plan still works through the second.
    c.node_sh("t3021cent", &["stop", "pacemakerd"]);
    std::fs::write(&log, "").unwrap();
    // No --target: the file's nodes, over ssh, in order.
    let out = run(&["plan", y, "--detailed-exitcode"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stdout.contains("against ssh://t3021cent,t3022cent"), "{}", out.stdout);
    // t3021cent refuses the CIB (pacemaker down); t3022cent answers, for the CIB and
    // corosync.conf. (Agent metadata and the scheduler need no running pacemaker, so t3021cent
    // answers those before and after.)
    let asked = hosts_asked(&std::fs::read_to_string(&log).unwrap());
    assert!(asked.contains("t3021cent\nt3022cent\nt3022cent\n"), "the CIB comes from the next node:\n{asked}");
    assert_eq!(asked.matches("t3022cent").count(), 2, "t3022cent is asked only for what t3021cent refused:\n{asked}");

    // Nothing answers: one error that names every node and why.
    let out = run(&["plan", y, "--target", "ssh://nohost,t3021cent"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        out.stderr.contains("no node could be reached: nohost: `nohost` is unreachable over ssh"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("t3021cent: pacemaker is not running on t3021cent"), "{}", out.stderr);
}

/// Pacemaker's own remote CIB access (`CIB_server`...): a CIB started with `remote-clear-port`,
/// and a hacluster password that exists only inside the node's mount namespace (a private copy
/// of /etc/shadow is bind-mounted there; the host's is untouched).
#[test]
#[ignore = "needs root for a live cluster: network namespaces"]
fn remote_cib_target_plans_and_applies_without_leaking_the_password() {
    need_live();
    let c = Cluster::start_with("single-node.sh", |work| {
        let seed = work.join("seed.xml");
        let out = Command::new("cibadmin").arg("--empty").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).replacen("<cib ", r#"<cib remote-clear-port="7777" "#, 1);
        std::fs::write(&seed, text).unwrap();
        vec!["--cib".into(), seed.display().to_string()]
    });
    let password = "cibform-test-only-pw";
    let script = format!("import crypt; print(crypt.crypt('{password}', crypt.mksalt(crypt.METHOD_SHA512)))");
    let hash = Command::new("/usr/bin/python3").args(["-W", "ignore", "-c", &script]).output().unwrap();
    let hash = String::from_utf8_lossy(&hash.stdout).trim().to_string();
    assert!(hash.starts_with("$6$"), "no password hash: {hash}");
    let shadow: String = std::fs::read_to_string("/etc/shadow")
        .unwrap()
        .lines()
        .map(|l| match l.split_once(':') {
            Some(("hacluster", rest)) => format!("hacluster:{hash}:{}\n", rest.split_once(':').map_or("", |r| r.1)),
            _ => format!("{l}\n"),
        })
        .collect();
    let copy = c.write("shadow", &shadow);
    Command::new("chgrp").arg("shadow").arg(&copy).status().unwrap();
    Command::new("chmod").arg("640").arg(&copy).status().unwrap();
    let m = c.on("t3021cent", &["mount", "--bind", copy.to_str().unwrap(), "/etc/shadow"]);
    assert_eq!(m.code, 0, "{}", m.stderr);

    let yaml = c.write("cluster.yaml", &runtime_example(true));
    let target = "--target=remote+plain://hacluster@127.0.0.1:7777";
    let with_pw = |args: &[&str], pw: &str| {
        let env = format!("CIB_passwd={pw}");
        let mut all = vec!["env", env.as_str(), env!("CARGO_BIN_EXE_cibform")];
        all.extend_from_slice(args);
        c.on("t3021cent", &all)
    };
    let y = yaml.to_str().unwrap();
    let out = with_pw(&["apply", y, target, "--auto-approve"], password);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stdout.contains("against remote+plain://hacluster@127.0.0.1:7777"), "{}", out.stdout);
    let again = with_pw(&["plan", y, target, "--detailed-exitcode"], password);
    assert_eq!(again.code, 0, "{}", again.snapshot());
    for o in [&out, &again] {
        assert!(!o.stdout.contains(password) && !o.stderr.contains(password), "the password leaked");
    }
    let wrong = with_pw(&["plan", y, target], "not-the-password");
    assert_eq!(wrong.code, 1, "{}", wrong.snapshot());
    assert!(wrong.stderr.contains("cannot log in to the CIB at 127.0.0.1:7777 as `hacluster`"), "{}", wrong.stderr);
    assert!(!wrong.stderr.contains("not-the-password"), "the password leaked: {}", wrong.stderr);
    let none = c.on("t3021cent", &[env!("CARGO_BIN_EXE_cibform"), "plan", y, target]);
    assert!(none.stderr.contains("`CIB_passwd` is not set"), "{}", none.stderr);
}
