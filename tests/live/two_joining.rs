//! Two nodes joining a running cluster in one apply through the file, and leaving again in
//! one apply (`two-node.sh --spare-nodes 2`: the spare hosts t3024cent and t3025cent).

use crate::harness::*;

const SPARES: [&str; 2] = ["t3024cent", "t3025cent"];

/// A two-node file with both spare hosts as nodes 3 and 4 (and so no `two_node`).
fn with_two_more_nodes(two: &str) -> String {
    with_third_node(two).replace(
        "  t3024cent: { id: 3, addrs: [192.168.33.24, 192.168.22.24] }\n",
        "  t3024cent: { id: 3, addrs: [192.168.33.24, 192.168.22.24] }\n  t3025cent: { id: 4, addrs: [192.168.33.25, 192.168.22.25] }\n",
    )
}

/// Issue 11, two nodes joining at once through the file (ssh to every node, `pcs cluster node
/// add`'s order for each): refused while the file leaves `no-quorum-policy` at its default
/// (two of four votes until they run: Pacemaker would stop every resource; measured); with
/// `ignore`, both spare hosts join the running two-node cluster in one apply —
/// corosync.conf on all four with `two_node` gone, four corosync members, quorate with four
/// expected votes, both spares online in Pacemaker — and both leave again in one apply
/// (`two_node` back, no peer cache listing either); no resource on the first two nodes is
/// started again and each plan after an apply is empty.
#[test]
#[ignore = "needs root for a live cluster: network namespaces"]
fn two_nodes_join_at_once_through_the_file_and_leave_again() {
    need_live();
    let c = Cluster::start_with("two-node.sh", |_| vec!["--spare-nodes".into(), "2".into()]);
    let lab = FileRuns::over_ssh(&c).applying_with(&["--allow-destroy"]);
    let two = sticky_two_node_file();
    let out = lab.apply(&two);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    c.settle("t3021cent");
    c.wait_started(&RUNTIME_RESOURCES);
    let starts = starts_on_first_two(&c);

    // 0. Without `no-quorum-policy: ignore`: refused (the cluster would lose quorum until they
    // run, and Pacemaker stop every resource), nothing written.
    let before = c.corosync_conf("t3021cent");
    let strict = with_two_more_nodes(&two).replace("  no-quorum-policy: ignore\n", "");
    let out = lab.apply(&strict);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    said(&out, &["nodes `t3024cent`, `t3025cent` joining at once would leave the cluster without quorum until they run (2 of 4 votes, 3 needed)"]);
    for node in ["t3021cent", "t3022cent"] {
        assert_eq!(c.corosync_conf(node), before, "{node}: nothing written");
    }
    for node in SPARES {
        assert_ne!(c.on(node, &["test", "-e", "/etc/corosync/corosync.conf"]).code, 0, "{node}: nothing written");
    }

    // 1. With `no-quorum-policy: ignore` (the reference file): both join in one apply.
    let plan_says = [
        "+ node t3024cent: \"nodeid 3, addrs 192.168.33.24, 192.168.22.24\"",
        "+ node t3025cent: \"nodeid 4, addrs 192.168.33.25, 192.168.22.25\"",
        "as `pcs cluster node add`",
    ];
    let out = lab.plan_and_apply(&with_two_more_nodes(&two), &plan_says);
    said(
        &out,
        &[
            "corosync.conf: node(s) t3024cent, t3025cent joining (online, as `pcs cluster node add`)",
            "/etc/corosync/authkey copied from t3021cent to t3024cent",
            "/etc/corosync/authkey copied from t3021cent to t3025cent",
            "corosync.conf written to t3021cent, t3022cent, t3024cent, t3025cent; corosync reloaded (on t3021cent)",
            "corosync and pacemaker started on t3024cent",
            "t3024cent online (seen from t3021cent)",
            "corosync and pacemaker started on t3025cent",
            "t3025cent online (seen from t3021cent)",
        ],
    );
    assert_joined(&c, &[("t3024cent", 3), ("t3025cent", 4)]);
    let q = c.on("t3021cent", &["corosync-quorumtool", "-s"]).stdout;
    let has = |key: &str, value: &str| q.lines().any(|l| l.split_whitespace().eq(key.split(' ').chain([value])));
    assert!(has("Quorate:", "Yes") && has("Expected votes:", "4"), "{q}");
    lab.assert_nothing_left();
    c.settle("t3021cent");

    // 2. The file drops both again: they leave in one apply (`two_node` comes back).
    let out = lab.apply(&two);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    said(
        &out,
        &[
            "corosync.conf: node(s) t3024cent, t3025cent leaving (online, as `pcs cluster node remove`)",
            "pacemaker, then corosync stopped on t3024cent",
            "pacemaker, then corosync stopped on t3025cent",
            "corosync reloaded (on t3021cent)",
            "no peer cache lists t3024cent any more",
            "no peer cache lists t3025cent any more",
        ],
    );
    assert_left(&c, &SPARES);
    assert_eq!(starts_on_first_two(&c), starts, "no resource on t3021cent/t3022cent was started again");
    lab.assert_nothing_left();
}
