//! Exit statuses and the errors a command can end with. Mapped to an exit code once, in `cli`.
//!
//! Every error says whether anything was written (`Error::written`), so the command line, the
//! JSON output and the tests can tell "refused, nothing changed" from "changed, then failed".

use crate::backend::{BackendError, Written};
use crate::cib::Version;
use crate::diag::Diag;
use crate::plan::Change;
use crate::planfile::PlanFileError;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Success; for `plan --detailed-exitcode`, also "no changes".
    Success,
    /// Invalid input or any error.
    Failure,
    /// `plan --detailed-exitcode`: changes are present.
    Changes,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Changes => 2,
        }
    }
}

/// Everything a command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the inputs, each with its own location.
    #[error("invalid input")]
    Diags(Vec<Diag>),
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// A command-line value that is not what the option takes.
    #[error("{message}")]
    Usage { message: String, help: String },
    /// The target is another cluster than the file describes.
    #[error("{target} is cluster `{live}`, but the file describes cluster `{file}`")]
    WrongCluster { target: String, live: String, file: String },
    /// The planned configuration would declare these ids twice (Pacemaker's schema refuses it).
    #[error("the planned configuration declares {} twice", .0.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", "))]
    DuplicateIds(Vec<String>),
    /// The planned configuration refers by id to elements it does not hold (`cib::refs`).
    #[error("the planned configuration refers to {}, which nothing in it declares", .0.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", "))]
    DanglingRefs(Vec<String>),
    /// The planned configuration holds forms the target's CIB schema does not have
    /// (`cib::schema`): (what, the schema it needs).
    #[error("the target's CIB validates with {schema}, which does not know {}: Pacemaker would refuse the new CIB", .forms.iter().map(|(w, v)| format!("{w} (schema {v})")).collect::<Vec<_>>().join(", "))]
    SchemaTooOld { schema: String, forms: Vec<(String, String)> },
    /// The plan would write properties Pacemaker maintains itself (from a `raw:` property set).
    #[error("the plan would set {}, which Pacemaker maintains itself", .0.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", "))]
    OwnedProperties(Vec<String>),
    /// The target's configuration changed since the plan was made; `changes` is what changed
    /// (shown with the values of `sensitive` names masked).
    #[error("{}", stale_message(planned, now))]
    Stale { planned: Version, now: Version, changes: Vec<Change>, sensitive: Vec<String> },
    /// A saved plan that cannot be applied.
    #[error("`{path}` cannot be applied")]
    PlanFile {
        path: String,
        #[source]
        problem: PlanFileError,
    },
    /// Policy gates the apply would cross without permission; each says which flag opens it.
    #[error("apply blocked by {}: {}", crate::render::count(.0.len(), "policy gate"), .0.join("; "))]
    Blocked(Vec<String>),
    /// The admin did not confirm (or could not be asked).
    #[error("{reason}")]
    NotApproved { reason: String, help: String },
    /// A local file cannot be read or written.
    #[error("cannot {action} `{path}`")]
    File {
        action: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// `export`'s self-check failed: the file it made would plan changes (a cibform bug).
    #[error("the exported file does not describe {target} exactly")]
    ExportInexact { target: String, plan: String },
    /// Written, but the cluster did not settle within `--wait`.
    #[error("the cluster did not settle within {seconds} s: {detail}")]
    NotSettled { seconds: u64, detail: String },
    /// Written, but the target still differs from the file afterwards. `drift` says why;
    /// `changes` is how the configuration now differs from the one written (shown with the
    /// values of `sensitive` names masked).
    #[error("{}", unverified_message(version, *remaining, drift))]
    Unverified { version: Version, remaining: usize, drift: Drift, changes: Vec<Change>, sensitive: Vec<String> },
    /// Written, but the target could not be read back (or waited on) afterwards to confirm it.
    #[error("applied (CIB {version}), but the result could not be confirmed")]
    Unconfirmed {
        version: Version,
        #[source]
        source: Box<Error>,
    },
    /// Standard output could not be written (a full disk; a closed pipe is not an error).
    #[error("cannot write to standard output")]
    Stdout(#[source] std::io::Error),
    /// corosync.conf reached `written` but not `failed` (nor the nodes after it); no reload ran.
    #[error("corosync.conf was written to {} but not to `{failed}` ({cause}); corosync was not reloaded, so the running cluster is unchanged", names(written))]
    CorosyncWrite { written: Vec<String>, failed: String, cause: String },
    /// corosync.conf reached every node, but corosync could not be told to reload it.
    #[error("corosync.conf was written to {}, but corosync could not be reloaded: {cause}", names(nodes))]
    CorosyncReload { nodes: Vec<String>, cause: String },
    /// `--allow-cluster-restart`: the cluster could not be stopped or started again.
    #[error("the cluster could not be {stage} for the corosync.conf change: {cause}")]
    CorosyncRestart { stage: &'static str, cause: String },
    /// Written and reloaded, but a node's file read back is not the one written.
    #[error("corosync.conf was written and corosync reloaded, but `{node}` now holds another file")]
    CorosyncDiffers { node: String },
    /// A node joining or leaving stopped part-way: the steps done, the one that failed.
    #[error("{what} stopped part-way ({}): {cause}", if done.is_empty() { "nothing was changed".to_string() } else { format!("done: {}", done.join("; ")) })]
    NodeChange { what: String, done: Vec<String>, cause: String },
    /// A node's corosync.conf changed between the read the plan shown was made from and the
    /// write: nothing was written.
    #[error("corosync.conf on `{node}` changed after cibform read it; nothing was changed")]
    CorosyncChanged { node: String },
}

/// `a`, `b` — or "no node" for none.
fn names(nodes: &[String]) -> String {
    if nodes.is_empty() {
        return "no node".into();
    }
    nodes.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// Why the target still differs from the file after a write, judged by comparing the
/// configuration read back with the one written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drift {
    /// The configuration's version moved past the write's: someone changed the cluster after it.
    ChangedAfter { now: Version },
    /// Same version as right after the write, other content: Pacemaker changed or refused part
    /// of what was written.
    NotAsWritten,
    /// The cluster holds exactly what was written, yet the file still plans changes (a cibform bug).
    AsWritten,
}

fn unverified_message(version: &Version, remaining: usize, drift: &Drift) -> String {
    let why = match drift {
        Drift::ChangedAfter { now } => format!("the cluster changed after the write (now CIB {now})"),
        Drift::NotAsWritten => "Pacemaker changed or refused part of what was written".into(),
        Drift::AsWritten => "the cluster holds exactly what was written and the file still plans changes".into(),
    };
    format!(
        "applied (CIB {version}), but {why}: the target still differs from the file ({} left)",
        crate::render::count(remaining, "change")
    )
}

fn stale_message(planned: &Version, now: &Version) -> String {
    let when = if planned == now {
        format!("its configuration was edited without a new version (still CIB {now})")
    } else {
        format!("planned against CIB {planned}, now {now}")
    };
    format!("the cluster changed since this plan was made ({when}); nothing was changed")
}

impl Error {
    /// An error met after a successful write (reading the target back, waiting for it): it must
    /// say that the write happened. Errors that already say what was written are kept as they are.
    pub fn after_write(version: Version, e: Error) -> Error {
        match e.written() {
            Written::Nothing => Error::Unconfirmed { version, source: Box::new(e) },
            Written::Yes | Written::Unknown => e,
        }
    }

    /// Whether anything was written before the error.
    pub fn written(&self) -> Written {
        match self {
            Error::Backend(b) => b.written(),
            Error::NotSettled { .. } | Error::Unverified { .. } | Error::Unconfirmed { .. } => Written::Yes,
            Error::CorosyncReload { .. } | Error::CorosyncDiffers { .. } | Error::CorosyncRestart { .. } => {
                Written::Yes
            }
            Error::CorosyncWrite { written, .. } if !written.is_empty() => Written::Yes,
            Error::NodeChange { done, .. } if !done.is_empty() => Written::Yes,
            _ => Written::Nothing,
        }
    }

    /// What to do next, for the errors that do not carry their own help.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            Error::Diags(_) | Error::Backend(_) => return None,
            Error::Usage { help, .. } | Error::NotApproved { help, .. } => help.clone(),
            Error::WrongCluster { .. } => "check --target (or `target:` in the file); cibform never plans one cluster's file against another cluster".into(),
            Error::Stale { .. } => "run `cibform plan` again and review the new plan".into(),
            Error::PlanFile { .. } => "make the plan again with `cibform plan --out PLAN.json` and review it".into(),
            Error::Blocked(_) => "nothing was changed".into(),
            Error::OwnedProperties(_) => "remove them from the `raw:` property set: cibform never writes Pacemaker-owned properties (it keeps the values already there)".into(),
            Error::DuplicateIds(_) => "rename the object in the file (a `raw:` item may not reuse an id cibform or the cluster already uses)".into(),
            Error::SchemaTooOld { .. } => "upgrade the CIB's schema once every node runs a Pacemaker that knows it (`cibadmin --upgrade --force`), or leave those forms out of the file".into(),
            Error::DanglingRefs(_) => "keep what is referred to, or drop the reference (an ACL permission's `reference`, a `raw:` item's `id-ref`); the parts pcs and Pacemaker name themselves (rules, nvpairs, operations, sets) keep the ids the CIB gives them while their meaning does not change, so an `id-ref` to one names the CIB's id".into(),
            Error::File { action: "write", .. } => "check the directory exists and is writable; nothing was written there".into(),
            Error::File { .. } => "check the path".into(),
            Error::ExportInexact { plan, .. } => {
                format!("this is a bug in `cibform export`; please report it with the plan:\n{plan}")
            }
            Error::NotSettled { .. } => "the configuration was applied; check `crm_mon -1` for failed or pending actions".into(),
            Error::Unconfirmed { .. } => "the write was accepted; once the target answers, run `cibform plan` to see what it holds".into(),
            Error::Stdout(_) => "the output was lost: write it to a file with room, or to a pipe".into(),
            Error::Unverified { drift: Drift::ChangedAfter { .. }, .. } => "someone else changed the cluster after the write (shown above); run `cibform plan` and decide whose change stays".into(),
            Error::Unverified { drift: Drift::NotAsWritten, .. } => "run `cibform plan` to see what differs; Pacemaker normalised or dropped the values shown above, so write them the way Pacemaker keeps them".into(),
            Error::CorosyncWrite { failed, .. } => format!("make `{failed}` writable or reachable and run `cibform apply` again: it finds the nodes whose corosync.conf differs and gives every node the same file"),
            Error::CorosyncReload { .. } => "run `corosync-cfgtool -R` on one node once corosync answers (or `cibform apply` again)".into(),
            Error::CorosyncRestart { .. } => "check each node (`crm_mon -1`, `corosync-cfgtool -s`); the stop may have been partial: start what is stopped (`pcs cluster start --all`) once the cause is fixed".into(),
            Error::CorosyncDiffers { .. } => "someone else changed corosync.conf meanwhile: run `cibform plan` and decide whose change stays".into(),
            Error::NodeChange { .. } => "check the nodes (`crm_mon -1`, `corosync-cfgtool -s`, `crm_node -l`), fix the cause, then finish the steps left by hand or run `cibform apply` again (it compares every node's corosync.conf with the file)".into(),
            Error::CorosyncChanged { .. } => "someone else edited corosync.conf meanwhile: run `cibform plan` again and review what it would write now".into(),
            Error::Unverified { drift: Drift::AsWritten, .. } => "this is a bug in cibform (its plan is not stable); please report it with the output of `cibform plan`".into(),
        })
    }
}

impl From<Box<Diag>> for Error {
    fn from(d: Box<Diag>) -> Self {
        Error::Diags(vec![*d])
    }
}

impl From<Vec<Diag>> for Error {
    fn from(d: Vec<Diag>) -> Self {
        Error::Diags(d)
    }
}
