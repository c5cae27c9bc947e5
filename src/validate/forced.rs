//! Findings against metadata, and the escape hatch that waives them: `force: true` on a
//! resource or `policy.allow_unknown_params` turns such an error into a warning that says why
//! it was accepted (pcs `--force`). Only metadata findings are waivable; structural errors never.

use crate::config::raw::Span;
use crate::diag::{codes, Code, Diag, Source};

/// Why a finding is accepted instead of refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waiver {
    /// `force: true` on this resource.
    Force(String),
    /// `policy.allow_unknown_params: true`.
    Policy,
}

/// The one wording of a waiver, also used by the plan's summary.
pub fn waiver_text(w: &Waiver) -> String {
    match w {
        Waiver::Force(id) => format!("accepted because `{id}` has `force: true`"),
        Waiver::Policy => "accepted because of `policy.allow_unknown_params: true`".into(),
    }
}

/// A metadata finding: an error, or a warning when waived.
pub struct Finding<'a> {
    pub code: Code,
    pub span: Span,
    pub message: String,
    pub label: &'a str,
    pub help: String,
}

impl Finding<'_> {
    pub fn diag(self, src: &Source, waiver: Option<&Waiver>) -> Diag {
        match waiver {
            None => Diag::error(self.code, self.message).label(self.span, self.label).help(self.help),
            Some(w) => Diag::warning(self.code, self.message).label(self.span, self.label).help(format!(
                "{}; {}",
                waiver_text(w),
                self.help
            )),
        }
        .in_source(src)
    }
}

/// The codes a waiver turns into warnings: findings against metadata, never structure.
pub const WAIVABLE: &[Code] = &[
    codes::PROPERTY_UNKNOWN,
    codes::PROPERTY_VALUE,
    codes::META_VALUE,
    codes::AGENT_MISSING,
    codes::AGENT_UNKNOWN,
    codes::AGENT_PARAM_UNKNOWN,
    codes::AGENT_PARAM_MISSING,
    codes::AGENT_PARAM_VALUE,
    codes::AGENT_PARAM_DEPRECATED,
    codes::AGENT_PARAM_UNIQUE,
    codes::AGENT_ACTION,
    codes::AGENT_CHECK_LEVEL,
    codes::FENCE_PARAM,
];

/// Whether a diagnostic is a metadata finding a waiver would accept.
pub fn waivable(d: &Diag) -> bool {
    WAIVABLE.iter().any(|c| c.name == d.code)
}

/// The waiver for a resource: its own `force`, else the file's policy.
pub fn waiver_for(id: Option<&str>, force: bool, policy: bool) -> Option<Waiver> {
    match id {
        Some(id) if force => Some(Waiver::Force(id.to_string())),
        _ if policy => Some(Waiver::Policy),
        _ => None,
    }
}
