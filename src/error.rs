//! Exit statuses and the errors a command can end with. Mapped to an exit code once, in `cli`.

use crate::backend::BackendError;
use crate::diag::Diag;

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
    /// A refusal that is not an input problem (stale plan, a gate, no approval).
    #[error("{message}")]
    Refused { message: String, help: String },
    /// Standard output could not be written (a full disk; a closed pipe is not an error).
    #[error("cannot write to standard output: {0}")]
    Stdout(std::io::Error),
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
