//! The JSON plan: a documented, versioned format for machines and for saved plans.
//!
//! `format_version` changes only on incompatible changes. Keys keep a stable order. A saved plan
//! (`plan --out`) also carries the configuration it was made against (version and digest) and
//! the configuration `apply` will write.

use serde::{Deserialize, Serialize};

use crate::cib::Version;
use crate::plan::{Action, Plan};
use crate::render::Header;

/// Current plan format.
pub const FORMAT_VERSION: &str = "1";

/// What a plan was made against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Against {
    pub admin_epoch: u64,
    pub epoch: u64,
    pub num_updates: u64,
    /// `sha256:` of the configuration section (status and num_updates excluded).
    pub config_digest: String,
}

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
    pub against: Against,
    pub summary: Summary,
    pub changes: Vec<ChangeDoc>,
    pub warnings: Vec<String>,
    /// How corosync.conf differs from the file (`apply` does not change it yet); absent when the
    /// target has no corosync.conf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corosync: Option<CorosyncDoc>,
    /// What the scheduler predicts after the change in each `--what-if` scenario.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub what_if: Vec<WhatIfDoc>,
    /// The file's `policy` gates, so applying a saved plan honours them (saved plans only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<crate::model::Policy>,
    /// What Pacemaker's scheduler predicts for this change (crm_simulate), or why it was not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition: Option<crate::preview::Preview>,
    /// The configuration the plan was made against (saved plans only; lets `apply` show what
    /// changed when it refuses a stale plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_configuration: Option<String>,
    /// The configuration `apply` writes (saved plans only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_configuration: Option<String>,
}

/// Build the document. `saved` (the configuration planned against) makes a saved plan that
/// also carries both configurations (for `--out`).
pub fn doc(plan: &Plan, h: &Header, against: &Against, saved: Option<&crate::cib::xml::Element>) -> PlanDoc {
    let (add, change, destroy) = plan.counts();
    let m = h.mask();
    let mask = |k: &str, v: &Option<String>| v.as_deref().map(|v| m.value(k, v));
    PlanDoc {
        format_version: FORMAT_VERSION.into(),
        cibform_version: env!("CARGO_PKG_VERSION").into(),
        cluster: h.cluster.clone(),
        target: h.target.clone(),
        against: against.clone(),
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
                        key: a.key.clone(),
                        before: mask(&a.key, &a.before),
                        after: mask(&a.key, &a.after),
                    })
                    .collect(),
            })
            .collect(),
        warnings: plan.warnings.clone(),
        transition: plan.preview.clone(),
        what_if: plan.what_if.iter().map(|(s, p)| WhatIfDoc { scenario: s.clone(), transition: p.clone() }).collect(),
        policy: None,
        corosync: plan
            .corosync
            .source
            .clone()
            .map(|source| CorosyncDoc { source, changes: plan.corosync.changes.clone() }),
        old_configuration: saved.map(crate::cib::xml::Element::to_xml),
        new_configuration: saved.map(|_| plan.new_config.to_xml()),
    }
}

impl Against {
    pub fn version(&self) -> Version {
        Version { admin_epoch: self.admin_epoch, epoch: self.epoch, num_updates: self.num_updates }
    }
}
