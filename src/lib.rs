//! cibform: cluster-as-code for Pacemaker/Corosync.
//!
//! The pipeline, one module per stage:
//!
//! 1. `config` — read `cluster.yaml` into raw, span-carrying types (the only YAML-aware code).
//! 2. `validate` — raw → `model`, every problem a `diag::Diag` with code, span and help.
//! 3. `desired` — model → the CIB XML Pacemaker would hold (pcs-style ids); `cib` parses the live one.
//! 4. `plan` — pure merge + semantic diff of live vs desired (`plan::view` defines "same").
//! 5. `render` — the plan as text, JSON or Markdown.
//! 6. `backend` — read/write a target (file today); the only place that touches a cluster.
//!
//! `export` runs stages 3 → 1 backwards: a CIB → `model` → cluster file text.
//!
//! `input` reads every file cibform is given, with a size cap.
//!
//! `ops` strings the stages together for each command; `cli` is a thin shell over `ops`.

pub mod agent;
pub mod backend;
pub mod cib;
pub mod cli;
pub mod command;
pub mod config;
pub mod corosync;
pub mod desired;
pub mod diag;
pub mod error;
pub mod export;
pub mod failover;
pub mod fsutil;
pub mod input;
pub mod mask;
pub mod memory;
pub mod model;
pub mod ops;
pub mod plan;
pub mod planfile;
pub mod preview;
pub mod render;
pub mod rule;
pub mod validate;
pub mod vocab;

/// The JSON Schema of the cluster file, pretty-printed with a final newline.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(config::raw::RawCluster);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}
