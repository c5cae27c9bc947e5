//! Orchestration: what each command does, in terms of the pipeline stages. Commands in `cli` are
//! thin wrappers over these functions. I/O happens only through `config::load` and `backend`.

mod applying;
mod bootstrap;
mod corosync;
mod exporting;
mod graphing;
mod membership;
mod metadata;
mod pcsd_default;
mod plan_route;
mod planning;
mod qdevice;
mod qdevice_pcsd;
mod simulation;
mod testing;
mod verifying;
mod via_pcsd;

pub use applying::*;
pub use bootstrap::*;
pub use corosync::*;
pub use exporting::*;
pub use graphing::*;
pub use membership::*;
pub use metadata::*;
pub use pcsd_default::*;
pub use plan_route::*;
pub use planning::*;
pub use qdevice::device_pcsd_hosts;
pub use simulation::*;
pub use testing::*;
pub use verifying::*;
pub use via_pcsd::*;

use std::path::Path;

use crate::backend::{Backend, BackendError, Live, Target};
use crate::cib::{Basis, Cib};
use crate::desired::{self, DefaultOps};
use crate::diag::{Diag, Source};
use crate::error::Error;
use crate::model::Cluster;
use crate::plan::{self, Action, Plan};
use crate::render::Header;

/// A validated cluster file.
#[derive(Debug)]
pub struct Loaded {
    pub src: Source,
    pub model: Cluster,
    /// Warnings found while validating (errors fail `load`).
    pub warnings: Vec<Diag>,
    /// The file as parsed, for the checks against agent metadata (`check_agents`).
    pub raw: crate::config::raw::RawCluster,
}

/// Read and validate a cluster file (the pure `validate`; the agents' metadata is checked by
/// `check_agents` once its source is known).
///
/// # Errors
/// Every problem found, as diagnostics (with the agents' findings against the snapshot).
pub fn load(path: &Path) -> Result<Loaded, Error> {
    let (src, raw) = crate::config::load_all(path).map_err(|r| refused(*r))?;
    match crate::validate::validate(&src, &raw) {
        Ok((model, warnings)) => Ok(Loaded { src, model, warnings, raw }),
        Err(mut diags) => {
            // Say everything at once: the agents' findings too (from the snapshot).
            let catalog = crate::validate::agents::Catalog::offline(&crate::validate::agents::agents(&raw));
            diags.extend(crate::validate::agents::check(&src, &raw, &catalog));
            Err(Error::Diags(diags))
        }
    }
}

/// A refused file's shape problems, with the semantic checks of the rest of it when it could
/// be checked: every problem at once.
fn refused(r: crate::config::Refused) -> Error {
    let crate::config::Refused { mut diags, rest } = r;
    if let Some(rest) = rest {
        let (src, raw) = *rest;
        if let Err(more) = crate::validate::validate(&src, &raw) {
            diags.extend(more);
        }
    }
    Error::Diags(diags)
}

/// Read the target, with `corosync` (a local corosync.conf) replacing the target's own.
///
/// # Errors
/// The target or the file cannot be read.
pub async fn read(backend: &Backend, corosync: Option<&Path>) -> Result<Live, Error> {
    let mut live = backend.read().await?;
    if let Some(p) = corosync {
        live.corosync = Some(crate::backend::ConfText::from_file(p)?);
    } else if let Some(p) = &backend.pcsd {
        live.corosync = corosync_via_pcsd(p).await.map_err(BackendError::from)?;
    }
    Ok(live)
}

#[cfg(test)]
mod tests;
