//! A quorum device, and its heuristics, added, changed and removed through the file, over ssh
//! and through pcsd.

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
    let lab = FileRuns::over_ssh(&c);
    let two = sticky_two_node_file();
    let out = lab.apply(&two);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    c.settle("t3021cent");
    c.wait_started(&RUNTIME_RESOURCES);
    let starts = c.starts("t3021cent");
    let before = c.corosync_conf("t3021cent");

    // 0. The qnetd host cannot be reached: refused before anything is written.
    let out = lab.apply(&with_device(&two, "{ model: net, host: qnetd-gone }"));
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("the qnetd host `qnetd-gone` cannot serve the quorum device"), "{}", out.stderr);
    assert!(out.stderr.contains("Could not resolve hostname qnetd-gone"), "{}", out.stderr);
    assert_untouched(&c, &before);

    // 1. The file declares the device: added online, as pcs does.
    let added = with_device(&two, "{ model: net, host: qnetd, algorithm: ffsplit }");
    let out = lab.plan_and_apply(&added, &["as `pcs quorum device add"]);
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
    assert_added(&c, "qnetd");
    lab.assert_nothing_left();

    // 2. Another algorithm: the file, one reload, corosync-qdevice restarted (as pcs does: it
    // keeps the old algorithm through a reload).
    let lms = with_device(&two, "{ model: net, host: qnetd, algorithm: lms }");
    let out = lab.apply(&lms);
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
        assert!(!c.corosync_conf(node).contains("votes"), "{node}");
    }
    wait_lms(&c);
    lab.assert_nothing_left();

    // 3. `device: none`: removed, `two_node` back.
    let out = lab.apply(&with_device(&two, "none"));
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
    assert_removed(&c);
    assert_eq!(c.starts("t3021cent"), starts, "no resource was started again");
    lab.assert_nothing_left();
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
    let pcsd = PcsdLab::start(&c, &["t3021cent", "t3022cent", "qnetd"]);
    let lab = pcsd.runs();
    // Without --pcsd: pcsd by default, with the tokens held from the runs with it.
    let by_default = lab.how(&["--target", "local", "--no-preview"]);
    let two = sticky_two_node_file();
    let out = lab.apply(&two);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    c.settle("t3021cent");
    let before = c.corosync_conf("t3021cent");

    // 0. The qnetd host's pcsd cannot be reached: refused before anything is written.
    let out = lab.apply(&with_device(&two, "{ model: net, host: qnetd-gone }"));
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        out.stderr.contains("the qnetd host `qnetd-gone` cannot serve the quorum device through pcsd: pcsd is not reachable at qnetd-gone:2224"),
        "{}",
        out.stderr
    );
    assert_untouched(&c, &before);

    // 1. Added through pcsd, each node with its own certificate signed by qnetd's pcsd.
    let added = with_device(&two, "{ model: net, host: qnetd, algorithm: ffsplit }");
    let out = lab.plan_and_apply(&added, &["apply's transport: pcsd (`--pcsd`)"]);
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
    assert_added(&c, "qnetd");
    lab.assert_nothing_left();

    // 2. Another algorithm: the file, one reload, corosync-qdevice restarted through pcsd,
    // chosen by default (a token held for each node).
    let out = by_default.apply(&with_device(&two, "{ model: net, host: qnetd, algorithm: lms }"));
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
    wait_lms(&c);
    lab.assert_nothing_left();

    // 3. `device: none`: removed through pcsd, `two_node` back.
    let out = lab.apply(&with_device(&two, "none"));
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
    assert_removed(&c);
    lab.assert_nothing_left();

    // 4. Added again without --pcsd: pcsd by default, as a token is held for the qnetd host too.
    let out = by_default.apply(&added);
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
        wait_connected(&c, node);
    }
    lab.assert_nothing_left();
}

/// Issue 11, quorum device heuristics through the file (ssh): a device without heuristics,
/// then `heuristics: { mode: sync, exec_ping: /bin/true }` added as `pcs quorum device update
/// heuristics ...` does it (the file on both nodes, one reload, corosync-qdevice stopped and
/// started on both: no certificate step), corosync-qdevice reporting them, then `heuristics:
/// none` (as `pcs quorum device heuristics remove`); no resource started again, each plan after
/// an apply empty.
#[test]
#[ignore = "needs root and the namespace lab"]
fn quorum_device_heuristics_are_added_and_removed_through_the_file() {
    need_live();
    need_tools(&["corosync-qnetd", "corosync-qdevice", "corosync-qdevice-net-certutil"]);
    let c = Cluster::start_with("two-node.sh", |_| vec!["--qnetd-host".into()]);
    let lab = FileRuns::over_ssh(&c);
    let two = sticky_two_node_file();
    let out = lab.apply(&with_device(&two, "{ model: net, host: qnetd, algorithm: ffsplit }"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    c.settle("t3021cent");
    c.wait_started(&RUNTIME_RESOURCES);
    wait_heuristics(&c, "Disabled", false);
    let starts = c.starts("t3021cent");
    lab.assert_nothing_left();

    // 1. Heuristics added: an update, as pcs does it.
    let added = with_device(
        &two,
        "\n    model: net\n    host: qnetd\n    algorithm: ffsplit\n    heuristics: { mode: sync, exec_ping: /bin/true }",
    );
    let out = lab.plan_and_apply(&added, &["heuristics mode sync, exec_ping /bin/true"]);
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
    assert_heuristics_in_conf(&c, &["exec_ping: /bin/true"], &[]);
    wait_heuristics(&c, "Enabled only on sync", true);
    let (_, _, result) = heuristics(&c, "t3021cent");
    assert!(result.as_deref().is_some_and(|r| r.contains("membership: Pass")), "{result:?}");
    lab.assert_nothing_left();

    // 2. `heuristics: none`: removed, as `pcs quorum device heuristics remove`.
    let out = lab.apply(&with_device(&two, "{ model: net, host: qnetd, algorithm: ffsplit, heuristics: none }"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    said(
        &out,
        &[
            "corosync.conf: updating the quorum device (qnetd on qnetd) as `pcs quorum device update`",
            "corosync-qdevice started on t3022cent",
        ],
    );
    assert_no_heuristics_in_conf(&c);
    wait_heuristics(&c, "Disabled", false);
    assert_eq!(c.starts("t3021cent"), starts, "no resource was started again");
    lab.assert_nothing_left();
}

/// Issue 11, quorum device heuristics through pcsd (`--pcsd`; pcsd on both nodes and the qnetd
/// host): a device added with heuristics (`pcs quorum device add ... heuristics ...`: the
/// heuristics section in the one corosync.conf written after the certificates), then changed
/// (`mode: on`, another command: pcs's `update_device`: `set_corosync_conf` on each node, one
/// reload, `qdevice_client_stop`/`start`), then removed (`heuristics: none`); corosync-qdevice
/// reports each state and each plan after an apply is empty.
#[test]
#[ignore = "needs root, pcsd and the namespace lab"]
fn quorum_device_heuristics_are_added_changed_and_removed_through_pcsd() {
    need_live();
    need_tools(&["pcsd", "openssl", "corosync-qnetd", "corosync-qdevice", "corosync-qdevice-net-certutil"]);
    let c = Cluster::start_with("two-node.sh", |_| vec!["--qnetd-host".into()]);
    let pcsd = PcsdLab::start(&c, &["t3021cent", "t3022cent", "qnetd"]);
    let lab = pcsd.runs();
    let two = sticky_two_node_file();
    let out = lab.apply(&two);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    c.settle("t3021cent");
    let device = |heuristics: &str| {
        with_device(
            &two,
            &format!("\n    model: net\n    host: qnetd\n    algorithm: ffsplit\n    heuristics: {heuristics}"),
        )
    };

    // 1. Added with heuristics, as `pcs quorum device add ... heuristics mode=sync exec_ping=...`.
    let out = lab.apply(&device("{ mode: sync, exec_ping: /bin/true }"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    said(&out, &["corosync.conf: adding the quorum device (qnetd on qnetd) through pcsd, as `pcs quorum device add`"]);
    assert_heuristics_in_conf(&c, &["exec_ping: /bin/true"], &[]);
    wait_heuristics(&c, "Enabled only on sync", true);
    lab.assert_nothing_left();

    // 2. Changed: an update through pcsd (no certificate step).
    let out = lab.apply(&device("{ mode: on, interval: 10000, exec_check: /bin/true }"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    said(
        &out,
        &[
            "corosync.conf: updating the quorum device (qnetd on qnetd) through pcsd, as `pcs quorum device update`",
            "corosync-qdevice stopped on t3022cent",
            "corosync-qdevice started on t3022cent",
        ],
    );
    assert!(!out.stderr.contains("certificate"), "no new certificates:\n{}", out.stderr);
    assert_heuristics_in_conf(&c, &["exec_check: /bin/true"], &["exec_ping"]);
    wait_heuristics(&c, "Enabled", true);
    lab.assert_nothing_left();

    // 3. Removed, as `pcs quorum device heuristics remove`.
    let out = lab.apply(&device("none"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert_no_heuristics_in_conf(&c);
    wait_heuristics(&c, "Disabled", false);
    lab.assert_nothing_left();
}

/// corosync-qdevice's verbose status on `node`: whether it is connected, and its `Heuristics:`
/// and `Heuristics result:` values as words (`Enabled only on sync`, `Pass (...)`).
fn heuristics(c: &Cluster, node: &str) -> (bool, Option<String>, Option<String>) {
    let s = c.on(node, &["corosync-qdevice-tool", "-sv"]).stdout;
    let value = |key: &str| {
        s.lines().find_map(|l| l.strip_prefix(key)).map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    (s.contains("Connected"), value("Heuristics:"), value("Heuristics result:"))
}

/// Wait (60 s at most per node) until corosync-qdevice on both nodes is connected with
/// heuristics `mode`, and they pass (`passing`) or have no result at all.
fn wait_heuristics(c: &Cluster, mode: &str, passing: bool) {
    for node in ["t3021cent", "t3022cent"] {
        c.until(&format!("qdevice on {node}: heuristics {mode}"), 60, || {
            let (connected, now, result) = heuristics(c, node);
            let result_ok = match passing {
                true => result.is_some_and(|r| r.starts_with("Pass")),
                false => result.is_none(),
            };
            connected && now.as_deref() == Some(mode) && result_ok
        });
    }
}

/// Both nodes' corosync.conf has a heuristics section with each of `has` and none of `lacks`.
fn assert_heuristics_in_conf(c: &Cluster, has: &[&str], lacks: &[&str]) {
    for node in ["t3021cent", "t3022cent"] {
        let text = c.corosync_conf(node);
        assert!(text.contains("heuristics {"), "{node}:\n{text}");
        assert!(has.iter().all(|h| text.contains(h)) && !lacks.iter().any(|l| text.contains(l)), "{node}:\n{text}");
    }
}

/// Both nodes' corosync.conf keeps the device and has no heuristics.
fn assert_no_heuristics_in_conf(c: &Cluster) {
    for node in ["t3021cent", "t3022cent"] {
        let text = c.corosync_conf(node);
        assert!(!text.contains("heuristics") && text.contains("host: qnetd"), "{node}:\n{text}");
    }
}

/// `two` with a quorum device (`device`: a flow mapping, or `none`) in place of `two_node`.
pub fn with_device(two: &str, device: &str) -> String {
    two.replace("quorum: { two_node: true }\n", &format!("quorum:\n  device: {device}\n"))
}

/// Whether a node has a qdevice client certificate store.
fn store(c: &Cluster, node: &str) -> bool {
    c.on(node, &["test", "-e", "/etc/corosync/qdevice/net/nssdb"]).code == 0
}

fn quorum(c: &Cluster, node: &str) -> String {
    c.on(node, &["corosync-quorumtool", "-s"]).stdout
}

fn qdevice(c: &Cluster, node: &str) -> Out {
    c.on(node, &["corosync-qdevice-tool", "-s"])
}

/// Nothing written: both nodes' corosync.conf as `before`, and no certificate store.
fn assert_untouched(c: &Cluster, before: &str) {
    for node in ["t3021cent", "t3022cent"] {
        assert_eq!(c.corosync_conf(node), before, "{node}: corosync.conf untouched");
        assert!(!store(c, node), "{node}: no qdevice certificate store");
    }
}

/// Wait (60 s at most) until corosync-qdevice on `node` is connected and its vote counts.
pub fn wait_connected(c: &Cluster, node: &str) {
    c.until(&format!("qdevice connected on {node}"), 60, || {
        qdevice(c, node).stdout.contains("Connected") && quorum(c, node).contains("Qdevice")
    });
}

/// The device added with qnetd on `host`: in both nodes' corosync.conf (`host: HOST`) without
/// `two_node`, connected on both, three votes, and the cluster known to qnetd on `host`.
pub fn assert_added(c: &Cluster, host: &str) {
    let line = format!("host: {host}");
    for node in ["t3021cent", "t3022cent"] {
        let text = c.corosync_conf(node);
        assert!(text.lines().any(|l| l.trim() == line) && !text.contains("two_node"), "{node}:\n{text}");
        wait_connected(c, node);
    }
    let q = quorum(c, "t3021cent");
    assert!(q.contains("Total votes:      3") && q.contains("Qdevice"), "{q}");
    assert!(serves(c, host), "qnetd on {host} knows cluster clst-01");
}

/// Whether qnetd on `host` lists cluster clst-01 (`corosync-qnetd-tool -l`).
pub fn serves(c: &Cluster, host: &str) -> bool {
    let out = c.on(host, &["corosync-qnetd-tool", "-l"]);
    assert_eq!(out.code, 0, "corosync-qnetd-tool on {host}: {}", out.stderr);
    out.stdout.contains("Cluster \"clst-01\"")
}

/// The algorithm changed to LMS: in both nodes' corosync.conf, and each node's corosync-qdevice
/// connected with it (waits 60 s at most).
fn wait_lms(c: &Cluster) {
    for node in ["t3021cent", "t3022cent"] {
        assert!(c.corosync_conf(node).contains("algorithm: lms"), "{node}");
        c.until(&format!("qdevice on {node} uses LMS"), 60, || {
            let s = c.on(node, &["corosync-qdevice-tool", "-sv"]).stdout;
            s.contains("LMS") && s.contains("Connected")
        });
    }
}

/// The device removed: `two_node` back in both nodes' corosync.conf, no client store, no
/// corosync-qdevice running, no Qdevice vote.
fn assert_removed(c: &Cluster) {
    for node in ["t3021cent", "t3022cent"] {
        let text = c.corosync_conf(node);
        assert!(!text.contains("device") && text.contains("two_node: 1"), "{node}:\n{text}");
        assert!(!store(c, node), "{node}: the client store is gone");
        assert_ne!(qdevice(c, node).code, 0, "{node}: corosync-qdevice is not running");
        let q = quorum(c, node);
        assert!(!q.contains("Qdevice") && q.contains("2Node"), "{node}: {q}");
    }
}
