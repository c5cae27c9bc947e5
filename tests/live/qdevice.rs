//! A quorum device added, changed and removed through the file, over ssh and through pcsd.

use std::time::Instant;

use crate::common::*;
use crate::harness::*;

/// Issue 11, a quorum device through the file (ssh to both nodes and to the qnetd host, pcs's
/// order for `quorum device add`/`remove`): an unreachable qnetd host is refused before
/// anything is written; the device is added (certificates first, then corosync.conf without
/// `two_node`, one reload, corosync-qdevice started: qnetd's vote counts), its algorithm
/// changed by a reload, and removed with `device: none` (`two_node` back); no resource is
/// started again along the way and each plan after an apply is empty.
#[test]
#[ignore = "needs root and the namespace lab"]
fn a_quorum_device_is_added_changed_and_removed_through_the_file() {
    need_live();
    need_tools(&["corosync-qnetd", "corosync-qdevice", "corosync-qdevice-net-certutil"]);
    let c = Cluster::start_with("two-node.sh", |_| vec!["--qnetd-host".into()]);
    let (run, _log) = cibform_over_ssh(&c);
    let target = ["--target", "ssh://t3021cent,t3022cent"];
    let apply = |yaml: &str| {
        let y = c.write("cluster.yaml", yaml);
        let started = Instant::now();
        let out = run(&["apply", y.to_str().unwrap(), "--auto-approve", target[0], target[1]]);
        eprintln!("apply took {:.1} s", started.elapsed().as_secs_f64());
        out
    };
    let plan = || {
        let y = c.work().join("cluster.yaml");
        run(&["plan", y.to_str().unwrap(), "--detailed-exitcode", target[0], target[1]])
    };
    let two = format!("{}rsc_defaults: {{ resource-stickiness: 100 }}\n", without_scenarios(runtime_example(false)));
    let out = apply(&two);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    c.settle("t3021cent");
    c.until("rg-01 and both clones started", 60, || c.running("t3021cent").len() >= 4);
    let starts = c.starts("t3021cent");
    let conf = |node: &str| c.on(node, &["cat", "/etc/corosync/corosync.conf"]).stdout;
    let store = |node: &str| c.on(node, &["test", "-e", "/etc/corosync/qdevice/net/nssdb"]).code == 0;
    let quorum = |node: &str| c.on(node, &["corosync-quorumtool", "-s"]).stdout;
    let qdevice = |node: &str| c.on(node, &["corosync-qdevice-tool", "-s"]);
    let with_device =
        |device: &str| two.replace("quorum: { two_node: true }\n", &format!("quorum:\n  device: {device}\n"));
    let before = conf("t3021cent");

    // 0. The qnetd host cannot be reached: refused before anything is written.
    let out = apply(&with_device("{ model: net, host: qnetd-gone }"));
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("the qnetd host `qnetd-gone` cannot serve the quorum device"), "{}", out.stderr);
    assert!(out.stderr.contains("Could not resolve hostname qnetd-gone"), "{}", out.stderr);
    for node in ["t3021cent", "t3022cent"] {
        assert_eq!(conf(node), before, "{node}: corosync.conf untouched");
        assert!(!store(node), "{node}: no qdevice certificate store");
    }

    // 1. The file declares the device: added online, as pcs does.
    let added = with_device("{ model: net, host: qnetd, algorithm: ffsplit }");
    c.write("cluster.yaml", &added);
    let p = plan();
    assert_eq!(p.code, 2, "{}", p.snapshot());
    assert!(p.stdout.contains("as `pcs quorum device add"), "{}", p.stdout);
    let out = apply(&added);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    said(
        &out,
        &[
            "corosync.conf: adding the quorum device (qnetd on qnetd) as `pcs quorum device add`",
            "qnetd CA certificate read from qnetd",
            "qdevice client certificate store initialized on t3022cent",
            "certificate request of t3021cent signed by qnetd on qnetd (cluster clst-01)",
            "qdevice client certificate and key imported on t3022cent",
            "corosync-qdevice enabled on t3022cent",
            "corosync.conf written to t3021cent, t3022cent; corosync reloaded (on t3021cent)",
            "corosync-qdevice started on t3022cent",
        ],
    );
    assert!(!out.stderr.contains("BEGIN") && !out.stdout.contains("BEGIN"), "no certificate shown");
    for node in ["t3021cent", "t3022cent"] {
        let text = conf(node);
        assert!(text.contains("host: qnetd") && !text.contains("two_node"), "{node}:\n{text}");
        c.until(&format!("qdevice connected on {node}"), 60, || {
            qdevice(node).stdout.contains("Connected") && quorum(node).contains("Qdevice")
        });
    }
    let q = quorum("t3021cent");
    assert!(q.contains("Total votes:      3") && q.contains("Qdevice"), "{q}");
    let clusters = c.on("qnetd", &["corosync-qnetd-tool", "-l"]).stdout;
    assert!(clusters.contains("Cluster \"clst-01\""), "{clusters}");
    let p = plan();
    assert_eq!(p.code, 0, "nothing left to do:\n{}", p.snapshot());

    // 2. Another algorithm: the file, one reload, corosync-qdevice restarted (as pcs does: it
    // keeps the old algorithm through a reload).
    let lms = with_device("{ model: net, host: qnetd, algorithm: lms }");
    let out = apply(&lms);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    said(
        &out,
        &[
            "corosync.conf: updating the quorum device (qnetd on qnetd) as `pcs quorum device update`",
            "corosync.conf written to t3021cent, t3022cent; corosync reloaded (on t3021cent)",
            "corosync-qdevice stopped on t3022cent",
            "corosync-qdevice started on t3022cent",
        ],
    );
    assert!(!out.stderr.contains("certificate"), "no new certificates:\n{}", out.stderr);
    for node in ["t3021cent", "t3022cent"] {
        assert!(conf(node).contains("algorithm: lms") && !conf(node).contains("votes"), "{node}");
        c.until(&format!("qdevice on {node} uses LMS"), 60, || {
            let s = c.on(node, &["corosync-qdevice-tool", "-sv"]).stdout;
            s.contains("LMS") && s.contains("Connected")
        });
    }
    assert_eq!(plan().code, 0);

    // 3. `device: none`: removed, `two_node` back.
    let out = apply(&with_device("none"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    said(
        &out,
        &[
            "corosync.conf: removing the quorum device (qnetd on qnetd) as `pcs quorum device remove`",
            "corosync-qdevice disabled on t3021cent",
            "corosync-qdevice stopped on t3022cent",
            "qdevice client certificates removed on t3022cent",
            "corosync.conf written to t3021cent, t3022cent; corosync reloaded (on t3021cent)",
        ],
    );
    for node in ["t3021cent", "t3022cent"] {
        let text = conf(node);
        assert!(!text.contains("device") && text.contains("two_node: 1"), "{node}:\n{text}");
        assert!(!store(node), "{node}: the client store is gone");
        assert_ne!(qdevice(node).code, 0, "{node}: corosync-qdevice is not running");
        let q = quorum(node);
        assert!(!q.contains("Qdevice") && q.contains("2Node"), "{node}: {q}");
    }
    assert_eq!(c.starts("t3021cent"), starts, "no resource was started again");
    let p = plan();
    assert_eq!(p.code, 0, "nothing left to do:\n{}", p.snapshot());
}

/// The same quorum device procedures through pcsd (`--pcsd`), as pcs does them: pcsd on both
/// nodes and on the qnetd host (which signs each node's own certificate request through its
/// pcsd); an unreachable qnetd host refused first; added, its algorithm changed, removed; each
/// plan after an apply empty.
#[test]
#[ignore = "needs root, pcsd and the namespace lab"]
fn a_quorum_device_is_added_changed_and_removed_through_pcsd() {
    need_live();
    need_tools(&["pcsd", "openssl", "corosync-qnetd", "corosync-qdevice", "corosync-qdevice-net-certutil"]);
    let c = Cluster::start_with("two-node.sh", |_| vec!["--qnetd-host".into()]);
    let password = c.write("pcsd-password", "Pw-live-123\n");
    let _p1 = PcsdOn::start(&c, "t3021cent", &password);
    let _p2 = PcsdOn::start(&c, "t3022cent", &password);
    let _pq = PcsdOn::start(&c, "qnetd", &password);
    let state = c.work().join("pcsd-state");
    let pcsd = ["--target", "local", "--pcsd", "pcsd://t3021cent,t3022cent", "--no-preview"];
    let apply_with = |yaml: &str, how: &[&str]| {
        let y = c.write("cluster.yaml", yaml);
        let started = Instant::now();
        let args = [&["apply", y.to_str().unwrap(), "--auto-approve"][..], how].concat();
        let out = cibform_with_pcsd(&c, &state, Some(&password), &args);
        eprintln!("apply took {:.1} s", started.elapsed().as_secs_f64());
        out
    };
    let apply = |yaml: &str| apply_with(yaml, &pcsd);
    // Without --pcsd: pcsd by default, with the tokens held from the runs with it.
    let by_default = ["--target", "local", "--no-preview"];
    let plan = || {
        let y = c.work().join("cluster.yaml");
        let args = [&["plan", y.to_str().unwrap(), "--detailed-exitcode"][..], &pcsd].concat();
        cibform_with_pcsd(&c, &state, Some(&password), &args)
    };
    let two = format!("{}rsc_defaults: {{ resource-stickiness: 100 }}\n", without_scenarios(runtime_example(false)));
    let out = apply(&two);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    c.settle("t3021cent");
    let conf = |node: &str| c.on(node, &["cat", "/etc/corosync/corosync.conf"]).stdout;
    let store = |node: &str| c.on(node, &["test", "-e", "/etc/corosync/qdevice/net/nssdb"]).code == 0;
    let quorum = |node: &str| c.on(node, &["corosync-quorumtool", "-s"]).stdout;
    let qdevice = |node: &str| c.on(node, &["corosync-qdevice-tool", "-s"]);
    let with_device =
        |device: &str| two.replace("quorum: { two_node: true }\n", &format!("quorum:\n  device: {device}\n"));
    let before = conf("t3021cent");

    // 0. The qnetd host's pcsd cannot be reached: refused before anything is written.
    let out = apply(&with_device("{ model: net, host: qnetd-gone }"));
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        out.stderr.contains("the qnetd host `qnetd-gone` cannot serve the quorum device through pcsd: pcsd is not reachable at qnetd-gone:2224"),
        "{}",
        out.stderr
    );
    for node in ["t3021cent", "t3022cent"] {
        assert_eq!(conf(node), before, "{node}: corosync.conf untouched");
        assert!(!store(node), "{node}: no qdevice certificate store");
    }

    // 1. Added through pcsd, each node with its own certificate signed by qnetd's pcsd.
    let added = with_device("{ model: net, host: qnetd, algorithm: ffsplit }");
    c.write("cluster.yaml", &added);
    let p = plan();
    assert_eq!(p.code, 2, "{}", p.snapshot());
    assert!(p.stdout.contains("apply's transport: pcsd (`--pcsd`)"), "{}", p.stdout);
    let out = apply(&added);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    said(
        &out,
        &[
            "corosync.conf: adding the quorum device (qnetd on qnetd) through pcsd, as `pcs quorum device add`",
            "qnetd host `qnetd` and the nodes added to the pcsd known-hosts of t3022cent",
            "qdevice client certificate of t3021cent signed by qnetd on qnetd (cluster clst-01) and imported there",
            "qdevice client certificate of t3022cent signed by qnetd on qnetd (cluster clst-01) and imported there",
            "corosync.conf written to t3021cent, t3022cent; corosync reloaded (on t3021cent:2224)",
            "corosync-qdevice started on t3022cent",
        ],
    );
    assert!(!out.stderr.contains("Pw-live-123") && !out.stderr.contains("BEGIN"), "no secret shown");
    for node in ["t3021cent", "t3022cent"] {
        let text = conf(node);
        assert!(text.contains("host: qnetd") && !text.contains("two_node"), "{node}:\n{text}");
        c.until(&format!("qdevice connected on {node}"), 60, || {
            qdevice(node).stdout.contains("Connected") && quorum(node).contains("Qdevice")
        });
    }
    let q = quorum("t3021cent");
    assert!(q.contains("Total votes:      3") && q.contains("Qdevice"), "{q}");
    let clusters = c.on("qnetd", &["corosync-qnetd-tool", "-l"]).stdout;
    assert!(clusters.contains("Cluster \"clst-01\""), "{clusters}");
    let p = plan();
    assert_eq!(p.code, 0, "nothing left to do:\n{}", p.snapshot());

    // 2. Another algorithm: the file, one reload, corosync-qdevice restarted through pcsd,
    // chosen by default (a token held for each node).
    let out = apply_with(&with_device("{ model: net, host: qnetd, algorithm: lms }"), &by_default);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    said(
        &out,
        &[
            "corosync.conf: pcsd answers on t3021cent, t3022cent with the tokens held: it is used (as with --pcsd)",
            "corosync.conf: updating the quorum device (qnetd on qnetd) through pcsd, as `pcs quorum device update`",
            "corosync-qdevice stopped on t3022cent",
            "corosync-qdevice started on t3022cent",
        ],
    );
    for node in ["t3021cent", "t3022cent"] {
        assert!(conf(node).contains("algorithm: lms"), "{node}");
        c.until(&format!("qdevice on {node} uses LMS"), 60, || {
            let s = c.on(node, &["corosync-qdevice-tool", "-sv"]).stdout;
            s.contains("LMS") && s.contains("Connected")
        });
    }
    assert_eq!(plan().code, 0);

    // 3. `device: none`: removed through pcsd, `two_node` back.
    let out = apply(&with_device("none"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    said(
        &out,
        &[
            "corosync.conf: removing the quorum device (qnetd on qnetd) through pcsd, as `pcs quorum device remove`",
            "corosync-qdevice disabled on t3021cent",
            "corosync-qdevice stopped on t3022cent",
            "qdevice client certificates removed on t3022cent",
        ],
    );
    for node in ["t3021cent", "t3022cent"] {
        let text = conf(node);
        assert!(!text.contains("device") && text.contains("two_node: 1"), "{node}:\n{text}");
        assert!(!store(node), "{node}: the client store is gone");
        assert_ne!(qdevice(node).code, 0, "{node}: corosync-qdevice is not running");
        let q = quorum(node);
        assert!(!q.contains("Qdevice") && q.contains("2Node"), "{node}: {q}");
    }
    let p = plan();
    assert_eq!(p.code, 0, "nothing left to do:\n{}", p.snapshot());

    // 4. Added again without --pcsd: pcsd by default, as a token is held for the qnetd host too.
    let out = apply_with(&added, &by_default);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    said(
        &out,
        &[
            "corosync.conf: pcsd answers on t3021cent, t3022cent, qnetd with the tokens held: it is used (as with --pcsd)",
            "corosync.conf: adding the quorum device (qnetd on qnetd) through pcsd, as `pcs quorum device add`",
            "corosync-qdevice started on t3022cent",
        ],
    );
    for node in ["t3021cent", "t3022cent"] {
        c.until(&format!("qdevice connected again on {node}"), 60, || {
            qdevice(node).stdout.contains("Connected") && quorum(node).contains("Qdevice")
        });
    }
    let p = plan();
    assert_eq!(p.code, 0, "nothing left to do:\n{}", p.snapshot());
}
