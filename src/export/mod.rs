//! Stage 3, in reverse: a CIB → the cluster file that describes it.
//!
//! `from_cib` reads a live configuration into the validated `model` the way a person would have
//! written it: values as Pacemaker holds them, rules in pcs syntax, no ids that pcs would
//! generate anyway, defaults left out. Whatever the model cannot express exactly (a bundle, a
//! primitive with several attribute sets, a rule with `id-ref`, an old-schema constraint, ...)
//! goes into the escape hatch (`raw:`) as the CIB element itself, with a note saying why;
//! nothing is dropped. `to_yaml` writes the model as text through `config::emit`.
//!
//! The two directions live apart: `read*` (CIB → model: `read` for the common sections,
//! `read_resources`, `read_constraints`) and `yaml` (model → text).
//!
//! This module decides nothing about changes (`plan` does) and does no I/O. `ops::export`
//! checks the result by planning it against the same CIB.

mod corosync;
mod read;
mod read_acls;
mod read_alerts;
mod read_bundles;
mod read_constraints;
mod read_resources;
mod yaml;

use std::collections::{HashMap, HashSet};

use crate::cib::xml::Element;
use crate::cib::Cib;
use crate::desired::DefaultOps;
use crate::model::{Cluster, RawPlace};

use read::Reader;
pub use yaml::to_yaml;

/// What to export and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The cluster name when the CIB records none (`cluster-name`).
    pub cluster: Option<String>,
    /// Objects to write through the escape hatch even if they look expressible, as
    /// `resource:ID`, `constraint:ID`, `node:UNAME`, `section:NAME` (set by `ops::export` when
    /// the native form would not plan to zero changes).
    pub force_raw: HashMap<String, String>,
    /// Primitives written with `force: true`, and whether the file gets
    /// `policy.allow_unknown_params` (set by `ops::export` when the CIB holds what the metadata
    /// refuses: the file describes the cluster as it is, with warnings).
    pub force: HashSet<String>,
    pub allow_unknown: bool,
}

/// The result: the model and what the admin should know about it.
#[derive(Debug, Clone)]
pub struct Exported {
    pub model: Cluster,
    /// One line per object written as raw XML, or other remarks (lowercase, no final period).
    pub notes: Vec<String>,
}

/// The name used when neither the CIB nor the caller gives one.
pub const DEFAULT_NAME: &str = "cluster";

/// Read a CIB (and corosync.conf's facts, when there is one) into a cluster model.
pub fn from_cib(
    cib: &Cib,
    corosync: Option<&crate::corosync::Facts>,
    opts: &Options,
    defaults: &DefaultOps,
) -> Exported {
    let cfg = cib.configuration();
    let mut known = HashSet::new();
    crate::cib::nameable_ids(cfg, &mut known);
    let mut ex = Reader {
        opts,
        defaults,
        known,
        notes: Vec::new(),
        raw: Vec::new(),
        templates: Vec::new(),
        template_agents: HashMap::new(),
    };
    let from_conf = corosync.and_then(|f| f.cluster_name.as_deref());
    let name = match (from_conf.or(cib.cluster_name()), &opts.cluster) {
        (_, Some(n)) => n.clone(),
        (Some(n), None) => n.to_string(),
        (None, None) => {
            ex.notes.push(format!(
                "the CIB records no `cluster-name`; wrote `cluster: {DEFAULT_NAME}` (pass --cluster NAME to choose)"
            ));
            DEFAULT_NAME.to_string()
        }
    };
    let mut model = Cluster { name, ..Cluster::default() };
    model.policy.allow_unknown_params = opts.allow_unknown;
    if let Some(c) = cfg.child("crm_config") {
        (model.properties, model.property_sets) = ex.properties(c);
    }
    if let Some(n) = cfg.child("nodes") {
        model.nodes = ex.nodes(n);
    }
    if let Some(f) = corosync {
        with_corosync(&mut model, f, &mut ex.notes);
    }
    for (section, slot, sets) in [
        ("rsc_defaults", &mut model.rsc_defaults, &mut model.rsc_defaults_sets),
        ("op_defaults", &mut model.op_defaults, &mut model.op_defaults_sets),
    ] {
        if let Some(s) = cfg.child(section) {
            (*slot, *sets) = ex.defaults_section(s);
        }
    }
    if let Some(r) = cfg.child("resources") {
        model.resources = ex.resources(r);
        model.templates = std::mem::take(&mut ex.templates);
    }
    if let Some(c) = cfg.child("constraints") {
        model.constraints = ex.constraints(c);
    }
    for other in cfg.elements().filter(|e| {
        !matches!(
            e.name.as_str(),
            "crm_config" | "nodes" | "resources" | "constraints" | "rsc_defaults" | "op_defaults"
        )
    }) {
        if other.elements().next().is_none() {
            continue; // an empty section means nothing
        }
        if other.name == "acls" {
            match ex.forced("section:acls").map_or_else(|| ex.acls(other), Err) {
                Ok(acls) => model.acls = acls,
                Err(why) => ex.raw(RawPlace::Section, other, &why),
            }
        } else if other.name == "alerts" {
            match ex.forced("section:alerts").map_or_else(|| ex.alerts(other), Err) {
                Ok(alerts) => model.alerts = alerts,
                Err(why) => ex.raw(RawPlace::Section, other, &why),
            }
        } else if other.name == "tags" {
            match ex.forced("section:tags").map_or_else(|| ex.tags(other), Err) {
                Ok(tags) => model.tags = tags,
                Err(why) => ex.raw(RawPlace::Section, other, &why),
            }
        } else if other.name == "fencing-topology" {
            match ex.forced("section:fencing-topology").map_or_else(|| ex.fencing(other), Err) {
                Ok(levels) => model.fencing_levels = levels,
                Err(why) => ex.raw(RawPlace::Section, other, &why),
            }
        } else if RawPlace::of(&other.name) == Some(RawPlace::Section) {
            ex.raw(RawPlace::Section, other, "not modelled natively yet");
        } else {
            ex.notes
                .push(format!("`<{}>` is not a configuration section cibform knows; it is not exported", other.name));
        }
    }
    model.raw = ex.raw;
    Exported { model, notes: ex.notes }
}

/// Take node addresses and quorum options from corosync.conf: the CIB does not hold them.
fn with_corosync(model: &mut Cluster, f: &crate::corosync::Facts, notes: &mut Vec<String>) {
    for n in model.nodes.iter_mut().filter(|n| n.in_corosync()) {
        if let Some(c) = f.nodes.iter().find(|c| c.name.as_deref() == Some(n.name.as_str())) {
            let links: Vec<u8> = c.addrs.keys().copied().collect();
            if links.iter().enumerate().all(|(i, l)| usize::from(*l) == i) {
                n.addrs = c.addrs.values().cloned().collect();
            } else {
                notes.push(format!("node `{}` uses links {links:?} in corosync.conf; addresses are written for links numbered from 0 only, so they are not exported", n.name));
            }
        }
    }
    for c in &f.nodes {
        if !model.nodes.iter().any(|n| Some(n.name.as_str()) == c.name.as_deref()) {
            notes.push(format!("node `{}` is in corosync.conf but not in the CIB's nodes; it is not exported (Pacemaker adds it when it joins)", c.name.as_deref().unwrap_or("?")));
        }
    }
    let q = &mut model.quorum;
    q.two_node = f.quorum.contains_key("two_node").then(|| f.quorum_flag("two_node").unwrap_or(false));
    q.wait_for_all = f.quorum.contains_key("wait_for_all").then(|| f.quorum_flag("wait_for_all").unwrap_or(false));
    q.last_man_standing =
        f.quorum.contains_key("last_man_standing").then(|| f.quorum_flag("last_man_standing").unwrap_or(false));
    q.auto_tie_breaker =
        f.quorum.contains_key("auto_tie_breaker").then(|| f.quorum_flag("auto_tie_breaker").unwrap_or(false));
    q.expected_votes = f.quorum.get("expected_votes").and_then(|v| v.parse().ok());
    corosync::settings(model, f, notes);
}

// ---------------------------------------------------------------- self-check support

/// For each change in a plan of the exported file against its own CIB, the object to write
/// through the escape hatch instead (`resource:TOP`, `constraint:ID`, `node:UNAME`,
/// `section:NAME`) and why. Changes that no escape hatch can absorb are left out.
pub fn raw_keys(plan: &crate::plan::Plan, live: &Element) -> Vec<(String, String)> {
    use crate::plan::view::Section;
    let mut out = Vec::new();
    for c in &plan.changes {
        let why = match c.attrs.first() {
            Some(a) => format!(
                "its native form would plan a change ({}: {} → {})",
                a.key,
                a.before.as_deref().unwrap_or("none"),
                a.after.as_deref().unwrap_or("none")
            ),
            None => "its native form would plan a change".to_string(),
        };
        let key = match c.key.section {
            Section::Resources => {
                live.child("resources").and_then(|r| top_holder(r, &c.key.id)).map(|top| format!("resource:{top}"))
            }
            Section::Constraints => Some(format!("constraint:{}", c.key.id)),
            Section::Nodes => Some(format!("node:{}", c.key.id)),
            Section::Properties if c.key.kind != "properties" => Some(format!("section:{}", c.key.kind)),
            Section::Other => Some(format!("section:{}", c.key.kind)),
            // A property set with a rule or score: `[ID] ...` lines.
            Section::Properties => {
                let ids: Vec<String> = c
                    .attrs
                    .iter()
                    .filter_map(|a| a.key.strip_prefix('[')?.split_once(']').map(|(id, _)| id.to_string()))
                    .collect();
                for id in ids {
                    out.push((format!("property_set:{id}"), why.clone()));
                }
                None
            }
        };
        if let Some(k) = key {
            out.push((k, why));
        }
    }
    out
}

/// The id of the top-level object in `resources` that holds (or is) `id`.
fn top_holder(resources: &Element, id: &str) -> Option<String> {
    resources.elements().find(|top| top.find_id(id).is_some()).and_then(|top| top.id().map(str::to_string))
}
