//! Stage 6: reaching a cluster. One backend for every target kind; the rest of cibform only sees
//! `read` (the live CIB and, where there is one, corosync.conf) and `write` (a new CIB bound to
//! the exact configuration it was planned against).
//!
//! The core never does I/O; this module is the seam. Commands run on cluster nodes are built as
//! data (`Cmd`) so they can be tested without running anything.

pub mod file;

use std::path::PathBuf;

use crate::cib::{Cib, Version};

/// Where a plan or apply goes, as given by `--target` or the file's `target:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A CIB file (as `cibadmin --query` prints and `CIB_file=` reads).
    File(PathBuf),
}

impl Target {
    /// Parse `file:PATH` (and, later, `local`, `ssh://...`).
    ///
    /// # Errors
    /// A message saying which forms are accepted.
    pub fn parse(s: &str) -> Result<Target, String> {
        if let Some(p) = s.strip_prefix("file:") {
            if p.is_empty() {
                return Err("`file:` needs a path, e.g. `file:cib.xml`".into());
            }
            return Ok(Target::File(PathBuf::from(p)));
        }
        Err(format!("unknown target `{s}`: use `file:PATH`"))
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::File(p) => write!(f, "file:{}", p.display()),
        }
    }
}

/// What a backend read.
#[derive(Debug, Clone)]
pub struct Live {
    /// Name used in diagnostics about the CIB (a path or `host:cib`).
    pub name: String,
    pub cib: Cib,
}

/// What a write must be bound to: the configuration the plan was made against.
#[derive(Debug, Clone)]
pub struct Expect {
    pub version: Version,
    pub config_digest: String,
}

/// Errors reaching or changing a cluster. Messages are lowercase and say what to do next.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("cannot read `{path}`")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write `{path}`")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the CIB from `{name}` is not usable")]
    BadCib { name: String, diag: Box<crate::diag::Diag> },
    #[error(
        "the cluster changed since this plan was made (planned against CIB {planned}, now {now}); nothing was changed"
    )]
    Stale { planned: Version, now: Version, current: Box<Cib> },
}

/// Read the target.
///
/// # Errors
/// The target cannot be read, or what it returned is not a CIB.
pub async fn read(target: &Target) -> Result<Live, BackendError> {
    match target {
        Target::File(p) => file::read(p),
    }
}

/// Write a new CIB to the target, bound to `expect`.
///
/// # Guarantees
/// Either the whole new configuration is in place or nothing changed. If the target's
/// configuration is no longer the one described by `expect`, nothing is written and
/// `BackendError::Stale` is returned.
///
/// # Errors
/// Stale configuration, or the target cannot be written.
pub async fn write(target: &Target, expect: &Expect, new: &Cib) -> Result<Version, BackendError> {
    match target {
        Target::File(p) => file::write(p, expect, new),
    }
}
