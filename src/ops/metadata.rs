//! Agent metadata for one run, and the check of a cluster file against it: each agent is asked
//! once (`crm_resource --show-metadata`) where the backend runs tools (a cluster node, or this
//! host for a CIB file), else the snapshot shipped in cibform answers. Validating 1,000
//! resources of 3 agents runs 3 commands.

use super::*;
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
    for a in &wanted {
        let unit = !matches!(a.class.as_str(), "ocf" | "stonith");
        if unit && !node {
            continue; // this host's units say nothing about the cluster's
        }
        let cmd = crate::command::Cmd::new(&["crm_resource", "--show-metadata", &a.to_string()]);
        match backend.offline(cmd).await {
            Ok(Some((out, place))) if out.code == 0 => {
                catalog.from_host(a, &place, Some(String::from_utf8_lossy(&out.stdout).into_owned()));
            }
            Ok(Some((out, place))) if out.code == NO_SUCH_OBJECT && node => catalog.from_host(a, &place, None),
            _ => {}
        }
    }
    catalog
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
