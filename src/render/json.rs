//! The JSON plan: a documented, versioned format for machines and for saved plans.
//!
//! `format_version` changes only on incompatible changes. Keys keep a stable order. A saved plan
//! (`plan --out`) is this document plus what `apply` needs; `planfile` owns it.

use serde::{Deserialize, Serialize};

use crate::cib::Basis;
use crate::plan::{Action, Plan};
use crate::render::Header;

/// Current plan format.
pub const FORMAT_VERSION: &str = "1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttrDoc {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Where the new value comes from when the file does not say it (`agent default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeDoc {
    /// `create`, `update` or `destroy`.
    pub action: String,
    /// `properties`, `nodes`, `resources`, `constraints`, `other`.
    pub section: String,
    /// `primitive`, `group`, `clone`, `rsc_location`, `node`, `properties`, ...
    pub kind: String,
    pub id: String,
    pub attributes: Vec<AttrDoc>,
}

/// The corosync.conf part of the JSON plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorosyncDoc {
    pub source: String,
    pub changes: Vec<crate::corosync::ConfChange>,
    /// The edits `apply` makes to corosync.conf, as a unified diff.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub diff: String,
    /// How `apply` would reach the nodes for these changes (only when there are changes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<crate::plan::route::Route>,
}

/// One `--what-if` scenario and its predicted transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatIfDoc {
    pub scenario: crate::preview::Scenario,
    pub transition: crate::preview::Preview,
}

/// The whole JSON document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDoc {
    pub format_version: String,
    pub cibform_version: String,
    pub cluster: String,
    pub target: String,
    /// The configuration the plan was made against.
    pub against: Basis,
    pub summary: Summary,
    pub changes: Vec<ChangeDoc>,
    pub warnings: Vec<String>,
    /// What Pacemaker says the change does that is worth knowing (crm_verify's warnings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// How corosync.conf differs from the file and the edits `apply` makes (reload and online
    /// changes; full-stop ones are refused); absent when the target has no corosync.conf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corosync: Option<CorosyncDoc>,
    /// What the scheduler predicts after the change in each `--what-if` scenario.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub what_if: Vec<WhatIfDoc>,
    /// What Pacemaker's scheduler predicts for this change (crm_simulate), or why it was not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition: Option<crate::preview::Preview>,
    /// The file's failover tests, played by the scheduler on top of this plan.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<crate::failover::Verdict>,
}

/// Build the document for a plan made against `basis`.
pub fn doc(plan: &Plan, h: &Header, basis: &Basis) -> PlanDoc {
    let (add, change, destroy) = plan.counts();
    let m = h.mask();
    let mask = |k: &str, v: &Option<String>| v.as_deref().map(|v| m.value(k, v));
    let mc = m.for_corosync();
    PlanDoc {
        format_version: FORMAT_VERSION.into(),
        cibform_version: env!("CARGO_PKG_VERSION").into(),
        cluster: h.cluster.clone(),
        target: h.target.clone(),
        against: basis.clone(),
        summary: Summary { add, change, destroy },
        changes: plan
            .changes
            .iter()
            .map(|c| ChangeDoc {
                action: match c.action {
                    Action::Create => "create",
                    Action::Update => "update",
                    Action::Destroy => "destroy",
                }
                .into(),
                section: serde_json::to_value(c.key.section)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                kind: c.key.kind.clone(),
                id: c.key.id.clone(),
                attributes: c
                    .attrs
                    .iter()
                    .map(|a| AttrDoc {
                        key: crate::mask::urls(&a.key),
                        before: mask(&a.key, &a.before),
                        after: mask(&a.key, &a.after),
                        note: a.note.clone(),
                    })
                    .collect(),
            })
            .collect(),
        warnings: plan.warnings.iter().map(|w| crate::mask::urls(w)).collect(),
        notes: plan.notes.iter().map(|n| crate::mask::source_text(&m, n)).collect(),
        transition: plan.preview.clone(),
        scenarios: plan.scenarios.clone(),
        what_if: plan.what_if.iter().map(|(s, p)| WhatIfDoc { scenario: s.clone(), transition: p.clone() }).collect(),
        corosync: plan.corosync.source.clone().map(|source| CorosyncDoc {
            source,
            changes: plan
                .corosync
                .changes
                .iter()
                .map(|c| crate::corosync::ConfChange {
                    before: c.before.as_deref().map(|v| mc.value(&c.key, v)),
                    after: c.after.as_deref().map(|v| mc.value(&c.key, v)),
                    ..c.clone()
                })
                .collect(),
            diff: super::corosync::masked_diff(&h.mask(), &plan.corosync.diff),
            transport: plan.corosync.transport.clone().filter(|_| !plan.corosync.changes.is_empty()),
        }),
    }
}
