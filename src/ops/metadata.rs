//! Agent metadata for one run, and the check of a cluster file against it: each agent is asked
//! once (`crm_resource --show-metadata`) where the backend runs tools (a cluster node, or this
//! host for a CIB file), else the snapshot shipped in cibform answers. Validating 1,000
//! resources of 3 agents runs 3 commands; systemd and LSB units take two per class, however many.

use std::collections::{BTreeMap, HashSet};

use super::*;
use crate::model::Agent;
use crate::validate::agents::{self, Catalog};

/// `crm_resource`'s exit code for "no such agent".
const NO_SUCH_OBJECT: i32 = 105;

/// Metadata for every agent `loaded` uses: from where `backend` runs tools when it can, else
/// the snapshot. A cluster node that lacks an agent (or a systemd/LSB unit) is recorded, so the
/// check warns about it; this host lacking one (a CIB file target) is not news.
pub async fn metadata(loaded: &Loaded, backend: &Backend) -> Catalog {
    let wanted = agents::agents(&loaded.raw);
    let mut catalog = Catalog::offline(&wanted);
    if let Some(p) = &backend.pcsd {
        // A refusal here is reported by the corosync.conf read that follows; the snapshot stands in.
        if metadata_via_pcsd(&wanted, p, &mut catalog).await.is_ok() {
            return catalog;
        }
    }
    let node = is_node(&backend.target);
    let mut units: BTreeMap<&str, Vec<&Agent>> = BTreeMap::new();
    for a in &wanted {
        if matches!(a.class.as_str(), "ocf" | "stonith") {
            ask(a, backend, node, &mut catalog).await;
        } else if node {
            // This host's units say nothing about the cluster's.
            units.entry(a.class.as_str()).or_default().push(a);
        }
    }
    for (class, list) in units {
        ask_units(class, &list, backend, &mut catalog).await;
    }
    catalog
}

/// What a host said about one agent.
enum Answer {
    /// The metadata text, and the place that gave it.
    Text(String, String),
    /// The place does not have the agent.
    Missing(String),
    Unknown,
}

/// Ask for one agent's metadata and record the answer.
async fn ask(a: &Agent, backend: &Backend, node: bool, catalog: &mut Catalog) -> Answer {
    let cmd = crate::command::Cmd::new(&["crm_resource", "--show-metadata", &a.to_string()]);
    match backend.offline(cmd).await {
        Ok(Some((out, place))) if out.code == 0 => {
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            catalog.from_host(a, &place, Some(text.clone()));
            Answer::Text(text, place)
        }
        Ok(Some((out, place))) if out.code == NO_SUCH_OBJECT && node => {
            catalog.from_host(a, &place, None);
            Answer::Missing(place)
        }
        _ => Answer::Unknown,
    }
}

/// The units (systemd, LSB, service, upstart) of one class, asked of a cluster node in two
/// commands instead of one per unit (a 10,000-primitive file with 3,300 systemd units spent 49 s
/// of its plan asking, issue 13): the node's list of units of the class, then the metadata of one
/// unit it has, which stands for the others, since Pacemaker makes a unit's metadata up from one
/// template per class (no parameters, the same actions and timeouts; only the description
/// differs, and nothing here reads it). Units the list lacks are missing. A node that cannot
/// list the class (no systemd running) and lacks the first unit too has none of them; any other
/// doubt falls back to one question per unit.
async fn ask_units(class: &str, list: &[&Agent], backend: &Backend, catalog: &mut Catalog) {
    let cmd = crate::command::Cmd::new(&["crm_resource", "--list-agents", class]);
    let listed = match backend.offline(cmd).await {
        Ok(Some((out, place))) if out.code == 0 => {
            let out = String::from_utf8_lossy(&out.stdout);
            Some((out.lines().map(|l| unit_name(l).to_owned()).collect::<HashSet<String>>(), place))
        }
        _ => None,
    };
    let has = |a: &Agent, names: &HashSet<String>| names.contains(unit_name(&a.kind));
    let mut present: Vec<&Agent> = Vec::new();
    for a in list {
        match &listed {
            Some((names, place)) if !has(a, names) => catalog.from_host(a, place, None),
            _ => present.push(a),
        }
    }
    let Some((first, rest)) = present.split_first() else { return };
    match (ask(first, backend, true, catalog).await, listed.is_some()) {
        (Answer::Text(text, place), true) => {
            for a in rest {
                catalog.from_host(a, &place, Some(text.clone()));
            }
        }
        (Answer::Missing(place), false) => {
            for a in rest {
                catalog.from_host(a, &place, None);
            }
        }
        _ => {
            for a in rest {
                ask(a, backend, true, catalog).await;
            }
        }
    }
}

/// A unit's name as listed and as named in a file: `squid` and `squid.service` are one unit.
fn unit_name(name: &str) -> &str {
    let name = name.trim();
    name.strip_suffix(".service").unwrap_or(name)
}

/// Whether the target's tools run on a cluster node (whose agents are the cluster's).
fn is_node(target: &Target) -> bool {
    match target {
        Target::Local | Target::Ssh(_) => true,
        #[cfg(test)]
        Target::Fake(_) => true,
        Target::File(_) | Target::Remote(_) => false,
    }
}

/// Check `loaded` against `catalog`: warnings, or every problem as an error.
///
/// # Errors
/// The agents' metadata refuses something not waived by `force`/`policy.allow_unknown_params`.
pub fn check_agents(loaded: &Loaded, catalog: &Catalog) -> Result<Vec<Diag>, Error> {
    let diags = agents::check(&loaded.src, &loaded.raw, catalog);
    if diags.iter().any(Diag::is_error) {
        Err(Error::Diags(diags))
    } else {
        Ok(diags)
    }
}

/// What the plan says about waived metadata checks.
pub fn waiver_notes(model: &Cluster) -> Vec<String> {
    let mut notes = Vec::new();
    if model.policy.allow_unknown_params {
        notes.push("`policy.allow_unknown_params` is set: what Pacemaker's and the agents' metadata refuse is accepted, with warnings".into());
    }
    let forced: Vec<String> = model
        .resources
        .iter()
        .flat_map(crate::model::Resource::primitives)
        .filter(|p| p.force)
        .map(|p| format!("`{}`", p.id))
        .collect();
    if !forced.is_empty() {
        notes.push(format!(
            "`force: true` on {}: what the agent's metadata refuses is accepted, with warnings",
            forced.join(", ")
        ));
    }
    notes
}
