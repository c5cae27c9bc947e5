//! A quorum device moved to another qnetd host through the file, over ssh and through pcsd,
//! between the lab's two qnetd hosts (`two-node.sh --qnetd-hosts 2`: `qnetd`, `qnetd2`).

use crate::common::*;
use crate::harness::*;
use crate::qdevice::{assert_added, serves, with_device};

/// The device on `host`, as the file says it.
fn device_on(two: &str, host: &str) -> String {
    with_device(two, &format!("{{ model: net, host: {host}, algorithm: ffsplit }}"))
}

/// The lab with two qnetd hosts, the two-node file applied with the device on `qnetd` and every
/// resource started: the file without the device, and the resources' starts.
fn device_on_qnetd<'a>(c: &'a Cluster, lab: &FileRuns<'a>) -> (String, std::collections::BTreeMap<String, Vec<u64>>) {
    let two = sticky_two_node_file();
    let out = lab.apply(&two);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    c.settle("t3021cent");
    let out = lab.apply(&device_on(&two, "qnetd"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert_added(c, "qnetd");
    c.wait_started(&RUNTIME_RESOURCES);
    lab.assert_nothing_left();
    let starts = c.starts("t3021cent");
    (two, starts)
}

/// The device serves from `to` now: added there, and qnetd on `from` no longer lists the
/// cluster (60 s at most).
fn assert_moved(c: &Cluster, from: &str, to: &str) {
    assert_added(c, to);
    c.until(&format!("qnetd on {from} forgets clst-01"), 60, || !serves(c, from));
}

const NEEDS: [&str; 3] = ["corosync-qnetd", "corosync-qdevice", "corosync-qdevice-net-certutil"];

/// The plan of a move says what pcs would do (remove, then add with the new host).
const PLAN_SAYS: [&str; 2] = ["host qnetd2", "as `pcs quorum device remove`, then `add` with the new host"];

/// Issue 11, the quorum device moved to another qnetd host through the file (ssh to the nodes
/// and both qnetd hosts): `host: qnetd2` in the file is a move (corosync-qdevice stopped on
/// every node, new certificates signed by qnetd2, the same corosync.conf on every node, one
/// reload, corosync-qdevice started); three votes again with the Qdevice, qnetd2 serves the
/// cluster and qnetd no longer does; then back to `qnetd` the same way. No resource started
/// again and each plan after an apply empty.
#[test]
#[ignore = "needs root and the namespace lab"]
fn a_quorum_device_moves_to_another_qnetd_host_through_the_file() {
    need_live();
    need_tools(&NEEDS);
    let c = Cluster::start_with("two-node.sh", |_| vec!["--qnetd-hosts".into(), "2".into()]);
    let lab = FileRuns::over_ssh(&c);
    let (two, starts) = device_on_qnetd(&c, &lab);

    // 1. `host: qnetd2`: moved.
    let out = lab.plan_and_apply(&device_on(&two, "qnetd2"), &PLAN_SAYS);
    said(
        &out,
        &[
            "corosync.conf: moving the quorum device to qnetd on qnetd2",
            "corosync-qdevice stopped on t3021cent",
            "corosync-qdevice stopped on t3022cent",
            "qnetd CA certificate read from qnetd2",
            "qdevice client certificate store initialized on t3022cent",
            "certificate request of t3021cent signed by qnetd on qnetd2 (cluster clst-01)",
            "qdevice client certificate and key imported on t3022cent",
            "corosync.conf written to t3021cent, t3022cent; corosync reloaded (on t3021cent)",
            "corosync-qdevice started on t3022cent",
        ],
    );
    assert!(!out.stderr.contains("BEGIN") && !out.stdout.contains("BEGIN"), "no certificate shown");
    assert_moved(&c, "qnetd", "qnetd2");
    lab.assert_nothing_left();

    // 2. Back to `host: qnetd`: the old host signs again.
    let out = lab.apply(&device_on(&two, "qnetd"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    said(
        &out,
        &["corosync.conf: moving the quorum device to qnetd on qnetd", "signed by qnetd on qnetd (cluster clst-01)"],
    );
    assert_moved(&c, "qnetd2", "qnetd");
    assert_eq!(c.starts("t3021cent"), starts, "no resource was started again");
    lab.assert_nothing_left();
}

/// Issue 11, the same move through pcsd (`--pcsd`; pcsd on both nodes and both qnetd hosts):
/// qnetd2 put in every node's pcsd known-hosts, each node's own certificate signed by qnetd2's
/// pcsd, the file, one reload, corosync-qdevice started; qnetd2 serves the cluster and qnetd no
/// longer does; no resource started again and the plan after empty.
#[test]
#[ignore = "needs root, pcsd and the namespace lab"]
fn a_quorum_device_moves_to_another_qnetd_host_through_pcsd() {
    need_live();
    need_tools(&NEEDS);
    need_tools(&["pcsd", "openssl"]);
    let c = Cluster::start_with("two-node.sh", |_| vec!["--qnetd-hosts".into(), "2".into()]);
    let pcsd = PcsdLab::start(&c, &["t3021cent", "t3022cent", "qnetd", "qnetd2"]);
    let lab = pcsd.runs();
    let (two, starts) = device_on_qnetd(&c, &lab);

    let out = lab.plan_and_apply(&device_on(&two, "qnetd2"), &PLAN_SAYS);
    said(
        &out,
        &[
            "corosync.conf: moving the quorum device to qnetd on qnetd2 through pcsd",
            "corosync-qdevice stopped on t3021cent",
            "corosync-qdevice stopped on t3022cent",
            "qnetd host `qnetd2` and the nodes added to the pcsd known-hosts of t3022cent",
            "qdevice client certificate of t3021cent signed by qnetd on qnetd2 (cluster clst-01) and imported there",
            "qdevice client certificate of t3022cent signed by qnetd on qnetd2 (cluster clst-01) and imported there",
            "corosync.conf written to t3021cent, t3022cent; corosync reloaded (on t3021cent:2224)",
            "corosync-qdevice started on t3022cent",
        ],
    );
    assert!(!out.stderr.contains("Pw-live-123") && !out.stderr.contains("BEGIN"), "no secret shown");
    assert_moved(&c, "qnetd", "qnetd2");
    assert_eq!(c.starts("t3021cent"), starts, "no resource was started again");
    lab.assert_nothing_left();
}
