//! Remote and guest nodes, and node entries other tools make: `pcs cluster node add-remote` and
//! `add-guest` write plain primitives (`ocf:pacemaker:remote`, a VM with `remote-node`); a
//! remote node's attributes live in `<node type="remote">` (`remote: true`); crmsh gives a node
//! it creates itself its name as id (`id: node1`). Checked against the CIB real pcs and crmsh
//! built (`tests/fixtures/gen-remote.sh`), translated by hand in `tests/fixtures/remote-pcs.yaml`.

mod common;

use common::*;

#[test]
fn the_natural_translation_plans_to_zero_and_the_export_is_native() {
    assert_native_round_trip(
        "remote-pcs.yaml",
        "remote-pcs.xml",
        &[
            "rnode1: { id: rnode1, remote: true, attributes: { rack: r1 } }",
            "node1: { id: node1, attributes: { mem: 16G } }",
            "agent: ocf:pacemaker:remote",
            "meta: { remote-addr: 10.0.0.5, remote-node: guest1 }",
        ],
    );
}

/// The committed fixture is what today's pcs and crmsh write.
#[test]
#[ignore = "needs pacemaker tools: pcs, crm, crm_diff"]
fn remote_nodes_rebuilt_by_real_pcs_and_crmsh_plan_to_zero_changes() {
    need_tools(&["pcs", "crm"]);
    rebuilt_plans_to_zero("gen-remote.sh", "remote-pcs.xml", "tests/fixtures/remote-pcs.yaml");
}

#[test]
fn applied_to_an_empty_cib_the_file_writes_what_pcs_and_crmsh_wrote() {
    let args = ["apply", "cluster.yaml", "--target", "file:cib.xml", "--auto-approve", "--allow-disable-stonith"];
    let (dir, out) = in_scratch(&fixture_text("remote-pcs.yaml"), EMPTY_CIB, &args);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let ours = cibform::cib::Cib::parse("ours", &std::fs::read_to_string(dir.path().join("cib.xml")).unwrap()).unwrap();
    let theirs = cibform::cib::Cib::parse("pcs", &fixture_text("remote-pcs.xml")).unwrap();
    let d = cibform::plan::diff(theirs.configuration(), ours.configuration());
    assert!(d.is_empty(), "cibform and pcs/crmsh wrote different clusters: {d:#?}");
    let remote = ours.configuration().find_id("rnode1").filter(|n| n.name == "node");
    assert_eq!(remote.and_then(|n| n.attr("type")), Some("remote"), "{remote:?}");
}

/// Nodes corosync does not know by their CIB id are left out of corosync.conf: the plan proposes
/// no `nodeid` for them (a node id 0 would break corosync).
#[test]
fn nodes_without_a_corosync_id_stay_out_of_corosync_conf() {
    let conf = fixture_text("corosync/knet-two-node.conf")
        .replace("cluster_name: clst-01", "cluster_name: remote")
        .replace("t3021cent", "node1")
        .replace("t3022cent", "node2");
    let (dir, _) = in_scratch("", "", &[]);
    std::fs::write(dir.path().join("corosync.conf"), conf).unwrap();
    std::fs::write(dir.path().join("cluster.yaml"), fixture_text("remote-pcs.yaml")).unwrap();
    std::fs::write(dir.path().join("cib.xml"), fixture_text("remote-pcs.xml")).unwrap();
    let args = ["plan", "cluster.yaml", "--target", "file:cib.xml", "--corosync", "corosync.conf"];
    let out = cibform_in(dir.path(), &args);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(!out.stdout.contains("nodeid") && !out.stdout.contains("rnode1 "), "{}", out.stdout);
}

#[test]
fn mistakes_in_node_ids_are_located_errors() {
    let cases: &[(&str, &str, &str)] = &[
        ("  r1: { id: 3, remote: true }\n", "cibform::node::id", "a remote node's id is its name"),
        ("  r1: { id: r2, remote: true }\n", "cibform::node::id", "write `id: r1`"),
        ("  n1: { id: 'a b' }\n", "cibform::node::id", "not one Pacemaker gives"),
        ("  n1: { id: 0 }\n", "cibform::node::id", "not a positive integer"),
        ("  n1: { id: n1, addrs: [10.0.0.1] }\n", "cibform::node::not_in_corosync", "no corosync node id"),
    ];
    for (entry, code, text) in cases {
        let yaml = format!("cluster: c\nnodes:\n{entry}");
        assert_refused_with(&yaml, entry, code, text);
    }
}
