//! The GitOps story (`examples/gitops/rehearse.sh --live`) on the real two-node cluster.

use crate::common::*;
use crate::harness::*;

/// The GitOps story on the reference two-node cluster (`examples/gitops/rehearse.sh --live`):
/// PR plan → merge apply → a hand edit with pcs → nightly drift → fix PR → stale merge refused →
/// re-plan → merge → clean, through `ci.sh`, the comment thread replaced by its local stand-in.
/// The script starts and stops its own cluster.
#[test]
#[ignore = "needs root for a live cluster: network namespaces"]
fn gitops_rehearsal_on_the_two_node_cluster() {
    need_live();
    let out = rehearse("--live");
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stdout.contains("ok - PR 1: the comment shows the failover tests"), "{}", out.stdout);
    assert!(out.stdout.contains("ok - nightly after a hand edit: shows the drift"), "{}", out.stdout);
    assert!(out.stdout.trim_end().ends_with(" passed, 0 failed"), "{}", out.stdout);
}
