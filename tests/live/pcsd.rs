//! pcsd as a target: login and certificate pinning, bootstrap from bare hosts, the client's
//! methods against a real pcsd.

use std::path::Path;
use std::process::Command;

use crate::common::*;
use crate::harness::*;

#[test]
#[ignore = "needs root and pcsd"]
fn pcsd_logs_in_pins_its_certificate_reads_corosync_conf_and_refuses_a_new_certificate() {
    need_live();
    need_tools(&["pcsd", "openssl"]);
    let c = Cluster::single();
    let password = c.write("pcsd-password", "Pw-live-123\n");
    let pcsd = PcsdOn::start(&c, "t3021cent", &password);
    let yaml = c.write("cluster.yaml", &runtime_example(true));
    let state = c.work().join("pcsd-state");
    let plan = |password_file: Option<&Path>| {
        let args = ["plan", yaml.to_str().unwrap(), "--target", "local", "--pcsd", "pcsd://t3021cent"];
        cibform_with_pcsd(&c, &state, password_file, &[&args[..], &["--no-preview", "--format", "json"]].concat())
    };
    // First use: logs in with the password, pins the certificate, reads corosync.conf and
    // the agents' metadata through pcsd.
    let first = plan(Some(&password));
    assert_eq!(first.code, 0, "{}", first.snapshot());
    let doc: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(doc["corosync"]["source"], "pcsd://t3021cent:2224/corosync.conf", "{}", first.stdout);
    assert!(first.stderr.contains("agent metadata: from pcsd at t3021cent:2224"), "{}", first.stderr);
    assert!(
        first.stderr.contains("note: pinned the certificate of pcsd at t3021cent:2224 (sha256 "),
        "{}",
        first.stderr
    );
    let pins = std::fs::read_to_string(state.join("pcsd-certs")).unwrap();
    let cert = c.dir.join("nodes/t3021cent/lib-pcsd/pcsd.crt");
    let openssl =
        Command::new("openssl").args(["x509", "-noout", "-fingerprint", "-sha256", "-in"]).arg(&cert).output().unwrap();
    let fingerprint = String::from_utf8_lossy(&openssl.stdout).trim().rsplit('=').next().unwrap().to_string();
    assert!(pins.contains(&format!("t3021cent:2224 sha256 {fingerprint}")), "{pins} vs {fingerprint}");
    // The token is kept (owner only) and is enough later: no password, no new pin.
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(state.join("pcsd-known-hosts")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let again = plan(None);
    assert_eq!(again.code, 0, "{}", again.snapshot());
    assert!(!again.stderr.contains("pinned"), "{}", again.stderr);
    // A new certificate on the node: refused, with how to accept it, even with the password.
    pcsd.script(&["new-cert"]);
    let refused = plan(Some(&password));
    assert_eq!(refused.code, 1, "{}", refused.snapshot());
    assert!(refused.stderr.contains("shows another certificate than the one pinned"), "{}", refused.stderr);
    assert!(refused.stderr.contains("delete the line `t3021cent:2224`"), "{}", refused.stderr);
    assert!(!refused.stderr.contains("Pw-live-123") && !first.stderr.contains("Pw-live-123"));
    // A wrong password (fresh state, so no token): named as such.
    let wrong = c.write("wrong-password", "nope\n");
    std::fs::remove_dir_all(&state).unwrap();
    let denied = plan(Some(&wrong));
    assert_eq!(denied.code, 1, "{}", denied.snapshot());
    assert!(denied.stderr.contains("refused the password of `hacluster`"), "{}", denied.stderr);
}

#[test]
#[ignore = "needs root and pcsd"]
fn bootstrap_from_nothing_creates_the_two_node_cluster_and_applies_the_file_in_one_run() {
    need_live();
    need_tools(&["pcsd", "openssl"]);
    let c = Cluster::start_with("two-node.sh", |_| vec!["--bare".into(), "--spare-node".into()]);
    let pcsd = PcsdLab::start(&c, &["t3021cent", "t3022cent", "t3024cent"]);
    // With the password, and with the tokens alone.
    let (lab, tokens) = (pcsd.runs(), pcsd.runs_with_tokens());
    c.write("cluster.yaml", &runtime_example(false));
    let plan = lab.plan_with(&[]);
    assert_eq!(plan.code, 0, "{}", plan.snapshot());
    assert!(
        plan.stdout.starts_with("cluster `clst-01` will be created on t3021cent, t3022cent with 2 knet links\n"),
        "{}",
        plan.stdout
    );
    for f in ["pcsd reachable and authenticated", "resolve to their link-0", "versions compatible", "no other cluster"]
    {
        assert!(plan.stdout.contains(f), "{f}: {}", plan.stdout);
    }
    assert!(!plan.stdout.contains("FAIL"), "{}", plan.stdout);
    let apply = lab.apply(&runtime_example(false));
    assert_eq!(apply.code, 0, "{}", apply.snapshot());
    assert!(apply.stderr.contains("setting up cluster `clst-01` through pcsd at t3021cent:2224"), "{}", apply.stderr);
    assert!(apply.stderr.contains("Verified: the target now matches the file."), "{}", apply.stderr);
    let links = c.on("t3021cent", &["corosync-cfgtool", "-s"]);
    assert!(links.stdout.contains("LINK ID 0") && links.stdout.contains("LINK ID 1"), "{}", links.stdout);
    c.until("both nodes online and rg-01 started", 120, || {
        let mon = c.on("t3022cent", &["crm_mon", "-1"]).stdout;
        mon.contains("Online: [ t3021cent t3022cent ]") && c.running("t3021cent").contains_key("rs-vip-33")
    });
    let again = tokens.plan();
    assert_eq!(again.code, 0, "a second plan is empty:\n{}", again.snapshot());

    // corosync.conf work goes through pcsd when --pcsd is given: a totem token change is one
    // set_corosync_conf per node and one reload; both nodes' corosync runs with it.
    let apply = tokens.apply(&format!("{}corosync:\n  totem: {{ token: 5000 }}\n", runtime_example(false)));
    assert_eq!(apply.code, 0, "{}", apply.snapshot());
    assert!(apply.stderr.contains("corosync.conf: through pcsd on t3021cent, t3022cent\n"), "{}", apply.stderr);
    assert!(apply.stderr.contains("corosync reloaded (on t3021cent:2224)"), "{}", apply.stderr);
    for node in ["t3021cent", "t3022cent"] {
        let conf = c.corosync_conf(node);
        assert!(conf.contains("    token: 5000\n"), "{node}:\n{conf}");
        for key in ["totem.token", "runtime.config.totem.token"] {
            let cmap = c.on(node, &["corosync-cmapctl", "-g", key]).stdout;
            assert!(cmap.trim_end().ends_with("= 5000"), "{node} {key}: {cmap}");
        }
    }
    let mon = c.on("t3022cent", &["crm_mon", "-1"]).stdout;
    assert!(mon.contains("Online: [ t3021cent t3022cent ]"), "the cluster stayed up:\n{mon}");

    // Without --pcsd: the tokens held and every pcsd answering, corosync.conf goes through
    // pcsd by default, and apply says so.
    let token6 = format!("{}corosync:\n  totem: {{ token: 6000 }}\n", runtime_example(false));
    let apply = tokens.how(&["--target", "local", "--no-preview"]).apply(&token6);
    assert_eq!(apply.code, 0, "{}", apply.snapshot());
    assert!(
        apply.stderr.contains(
            "corosync.conf: pcsd answers on t3021cent, t3022cent with the tokens held: it is used (as with --pcsd)"
        ),
        "{}",
        apply.stderr
    );
    assert!(apply.stderr.contains("corosync.conf: through pcsd on t3021cent, t3022cent\n"), "{}", apply.stderr);
    for node in ["t3021cent", "t3022cent"] {
        let cmap = c.on(node, &["corosync-cmapctl", "-g", "runtime.config.totem.token"]).stdout;
        assert!(cmap.trim_end().ends_with("= 6000"), "{node}: {cmap}");
    }

    // A third node joins through pcsd (pcs's own `cluster-add-nodes`), then leaves (pcs's steps
    // through pcsd, without pcs's destroy: its `killall -9` would reach every node of this
    // one-kernel harness, and wipes the node).
    let three = with_third_node(&without_scenarios(runtime_example(false)));
    let apply = lab.apply(&format!("{three}corosync:\n  totem: {{ token: 6000 }}\n"));
    assert_eq!(apply.code, 0, "{}", apply.snapshot());
    assert!(apply.stderr.contains("pcs added and started t3024cent (through t3021cent)"), "{}", apply.stderr);
    c.until("three nodes online", 120, || {
        c.on("t3021cent", &["crm_mon", "-1"]).stdout.contains("Online: [ t3021cent t3022cent t3024cent ]")
    });
    let crm_node = c.on("t3022cent", &["crm_node", "-l"]).stdout;
    assert_eq!(crm_node.matches(" member").count(), 3, "{crm_node}");
    c.until("the CIB answers on t3021cent", 60, || {
        let out = c.on("t3021cent", &["cibadmin", "--query", "--scope", "nodes"]);
        if out.code != 0 {
            eprintln!("cibadmin on t3021cent: {}", out.stderr.trim());
        }
        out.code == 0
    });
    let apply = lab.apply_with(&token6, &["--allow-destroy"]);
    assert_eq!(apply.code, 0, "{}", apply.snapshot());
    assert!(apply.stderr.contains("pacemaker, then corosync stopped on t3024cent"), "{}", apply.stderr);
    assert!(apply.stderr.contains("Pacemaker forgot t3024cent"), "{}", apply.stderr);
    c.until("t3024cent gone from the CIB's nodes", 30, || {
        !c.on("t3021cent", &["cibadmin", "--query", "--scope", "nodes"]).stdout.contains("t3024cent")
    });
    // No member any more. Pacemaker's peer cache may still list it as lost: pcsd runs only
    // `crm_node -R`, whose purge of the controllers' cache is often lost (the ssh path purges
    // it in a way that waits; see the ssh test).
    let crm_node = c.on("t3021cent", &["crm_node", "-l"]).stdout;
    assert_eq!(crm_node.matches(" member").count(), 2, "{crm_node}");
    assert!(c.corosync_conf("t3021cent").contains("two_node: 1"));
    let mon = c.on("t3022cent", &["crm_mon", "-1"]).stdout;
    assert!(mon.contains("Online: [ t3021cent t3022cent ]"), "{mon}");

    // A full-stop change with --allow-cluster-restart: the cluster stopped and started through
    // pcsd's cluster_stop/cluster_start, corosync running with the new file on both nodes.
    let cipher = format!("{}corosync:\n  totem: {{ token: 5000, crypto_cipher: aes128 }}\n", runtime_example(false));
    let apply = tokens.apply_with(&cipher, &["--allow-cluster-restart"]);
    assert_eq!(apply.code, 0, "{}", apply.snapshot());
    assert!(apply.stderr.contains("corosync.conf: stopping the cluster"), "{}", apply.stderr);
    c.until("both nodes online again", 120, || {
        c.on("t3022cent", &["crm_mon", "-1"]).stdout.contains("Online: [ t3021cent t3022cent ]")
    });
    for node in ["t3021cent", "t3022cent"] {
        let cmap = c.on(node, &["corosync-cmapctl", "-g", "totem.crypto_cipher"]).stdout;
        assert!(cmap.trim_end().ends_with("= aes128"), "{node}: {cmap}");
    }
}

/// The pcsd client's methods (those the corosync work builds on) against a real pcsd. The
/// client must run inside the node's network namespace, so this test starts the cluster and
/// pcsd, then runs itself again on the node (`CIBF_PCSD_INNER=1`), where `pcsd_endpoints_inner`
/// does the checks.
#[test]
#[ignore = "needs root and pcsd"]
fn pcsd_client_gets_sets_and_reloads_corosync_conf_and_answers_status_quorum_standby_metadata() {
    if std::env::var_os("CIBF_PCSD_INNER").is_some() {
        return pcsd_endpoints_inner();
    }
    need_live();
    need_tools(&["pcsd", "openssl"]);
    let c = Cluster::single();
    let password = c.write("pcsd-password", "Pw-live-123\n");
    let _pcsd = PcsdOn::start(&c, "t3021cent", &password);
    let me = std::env::current_exe().unwrap();
    let state = format!("CIBFORM_PCSD_DIR={}", c.work().join("pcsd-state").display());
    let pw = format!("PCSD_PASSWORD_FILE={}", password.display());
    // The test's own name in this binary: its module path without the crate's name.
    let name = format!(
        "{}::pcsd_client_gets_sets_and_reloads_corosync_conf_and_answers_status_quorum_standby_metadata",
        module_path!().split_once("::").unwrap().1
    );
    let args = ["env", "CIBF_PCSD_INNER=1", &state, &pw, me.to_str().unwrap(), "--exact", &name, "--include-ignored"];
    let out = c.on("t3021cent", &[&args[..], &["--nocapture", "--test-threads=1"]].concat());
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stdout.contains("1 passed"), "{}", out.snapshot());
}

fn pcsd_endpoints_inner() {
    use cibform::backend::pcsd::{Pcsd, PcsdTarget, Reload, Settings};
    use cibform::model::Agent;
    let settings = std::sync::Arc::new(Settings::from_env(None));
    let p = Pcsd::new(PcsdTarget::parse("pcsd://t3021cent").unwrap(), settings);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let n = p.node("t3021cent").unwrap();
        n.check_auth().await.unwrap();
        let v = n.sw_versions().await.unwrap();
        assert!(v.corosync.first().is_some_and(|m| *m >= 3) && !v.pacemaker.is_empty() && !v.pcs.is_empty(), "{v:?}");
        let conf = p.get_corosync_conf("t3021cent").await.unwrap();
        assert!(conf.contains("cluster_name: clst-01"), "{conf}");
        // set + reload: a totem token change reaches the running corosync.
        let new = conf.replacen("totem {", "totem {\n    token: 3456", 1);
        p.set_corosync_conf("t3021cent", &new).await.unwrap();
        assert_eq!(p.get_corosync_conf("t3021cent").await.unwrap(), new);
        assert_eq!(p.reload_corosync_conf().await.unwrap(), Reload::Reloaded);
        let cmap = Command::new("corosync-cmapctl").args(["-g", "totem.token"]).output().unwrap();
        assert!(String::from_utf8_lossy(&cmap.stdout).trim_end().ends_with("= 3456"), "{cmap:?}");
        assert!(n.quorate().await.unwrap());
        assert!(n.status().await.unwrap().is_object());
        let ip = Agent { class: "ocf".into(), provider: Some("heartbeat".into()), kind: "IPaddr2".into() };
        let xml = n.agent_metadata(&ip).await.unwrap().unwrap();
        assert!(xml.contains(r#"<parameter name="ip" required="1""#), "{xml}");
        let nope = Agent { kind: "NoSuchAgent".into(), ..ip };
        assert_eq!(n.agent_metadata(&nope).await.unwrap(), None);
        n.standby(&["t3021cent".to_string()], true).await.unwrap();
        let q = Command::new("crm_attribute").args(["-N", "t3021cent", "-n", "standby", "-G", "-q"]).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&q.stdout).trim(), "on", "{q:?}");
    });
}
