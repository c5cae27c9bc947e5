//! cibform against real running clusters (corosync + pacemaker started by
//! `tests/cluster/*.sh` in network namespaces). Needs root and the Pacemaker packages, so every
//! test is ignored unless asked for (`cargo test --test live -- --include-ignored`, as .ci/run
//! does as root).
//!
//! Every cluster a test starts is stopped by pid when the test ends, on success and on failure.
//! The tests are grouped by topic in `tests/live/`; `harness.rs` holds what they share.

mod common;
#[path = "../examples/gencluster/shape.rs"]
mod shape;

#[path = "live/apply.rs"]
mod apply;
#[path = "live/corosync.rs"]
mod corosync;
#[path = "live/failover.rs"]
mod failover;
#[path = "live/gitops.rs"]
mod gitops;
#[path = "live/harness.rs"]
mod harness;
#[path = "live/pcsd.rs"]
mod pcsd;
#[path = "live/qdevice.rs"]
mod qdevice;
#[path = "live/qdevice_move.rs"]
mod qdevice_move;
#[path = "live/scale.rs"]
mod scale;
#[path = "live/targets.rs"]
mod targets;
#[path = "live/two_joining.rs"]
mod two_joining;
