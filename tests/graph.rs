//! `cibform graph`: the whole cluster drawn as Mermaid or dot, snapshotted. The plan's diagram
//! is the same drawing (`render::diagram`), so `tests/plans.rs`'s Markdown snapshots cover the
//! coloured form too; `tests/mermaid.rs` parses both with Mermaid's own parser.

mod common;

use common::*;

fn graph(args: &[&str]) -> String {
    let out = cibform(args);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    out.stdout
}

#[test]
fn reference_cluster_as_mermaid() {
    insta::assert_snapshot!("reference.mermaid", graph(&["graph", "examples/clst-01/cluster.yaml"]));
}

#[test]
fn reference_cluster_as_dot() {
    insta::assert_snapshot!("reference.dot", graph(&["graph", "examples/clst-01/cluster.yaml", "--format", "dot"]));
}

/// Promotable clones, sets, optional orders, roles and actions, a standby node.
#[test]
fn every_construct_as_mermaid_and_dot() {
    insta::assert_snapshot!("full.mermaid", graph(&["graph", "examples/full/cluster.yaml"]));
    insta::assert_snapshot!("full.dot", graph(&["graph", "examples/full/cluster.yaml", "--format", "dot"]));
}

/// With a target: the planned configuration, coloured by what the plan changes (the drifted
/// reference CIB: three updates, one resource destroyed).
#[test]
fn planned_configuration_on_a_target_is_coloured_by_the_plan() {
    let m = graph(&[
        "--no-host-tools",
        "graph",
        "examples/clst-01/cluster.yaml",
        "--target",
        "file:examples/clst-01/live-cib.xml",
    ]);
    assert!(m.contains("  class n_rs_2d_vip_2d_33 update\n"), "{m}");
    assert!(m.contains("  class n_rs_2d_old_2d_test destroy\n"), "{m}");
    assert!(m.contains("n_rs_2d_old_2d_test[\"primitive rs-old-test #40;destroyed#41;\"]"), "{m}");
    insta::assert_snapshot!("planned.mermaid", m);
}

#[test]
fn an_invalid_file_is_an_error_not_a_drawing() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = variant(dir.path(), |t| t.replace("rg-01: [rs-vip-33, rs-systemd-squid]", "rg-01: [rs-vip-33, nosuch]"));
    let out = cibform(&["graph", yaml.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.contains("nosuch"), "{}", out.stderr);
}

/// Graphviz accepts every dot drawing (clusters, edges clipped at boxes, escaped labels).
#[test]
#[ignore = "needs graphviz"]
fn graphviz_draws_every_dot_output() {
    need_tools(&["dot"]);
    let drawings = [
        graph(&["graph", "examples/clst-01/cluster.yaml", "--format", "dot"]),
        graph(&["graph", "examples/full/cluster.yaml", "--format", "dot"]),
        graph(&[
            "--no-host-tools",
            "graph",
            "examples/clst-01/cluster.yaml",
            "--target",
            "file:examples/clst-01/live-cib.xml",
            "--format",
            "dot",
        ]),
    ];
    for d in drawings {
        let mut child = std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), d.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && err.trim().is_empty(), "dot rejects:\n{err}\n{d}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"), "{d}");
    }
}
