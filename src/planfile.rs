//! The saved plan (`plan --out`): its one owner. Writing it, and reading it back as the
//! untrusted input it is.
//!
//! A saved plan holds what the reviewer saw (the JSON rendering of the plan, `render::json`),
//! the basis it was made against, the file's policy gates, and both configurations. Nothing in
//! it is believed on its word: `read` checks its shape, that the recorded configuration still
//! has the recorded digest, and that the configuration to write is a configuration; `check`
//! recomputes the changes from the live configuration and refuses when they differ from the
//! ones the file lists. No I/O here apart from what the caller hands in.
//!
//! Its recorded `policy:` gates count at apply only when the plan is authenticated (`auth`: an
//! HMAC-SHA256 over its content, with a key the caller hands in); otherwise they are dropped
//! and the gates need their command-line flags.

pub mod auth;

use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::cib::xml::Element;
use crate::cib::Basis;
use crate::model::Policy;
use crate::plan::{self, Plan};
use crate::render::json::{self, ChangeDoc, PlanDoc};
use crate::render::Header;

/// The largest saved plan `read` accepts (a plan of a 10,000-resource cluster is ~20 MiB).
pub const MAX_BYTES: usize = crate::input::MAX_PLAN_BYTES as usize;

/// A saved plan as stored: the reviewer's view plus what `apply` needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    doc: PlanDoc,
    /// The file's `policy` gates at plan time.
    policy: Policy,
    /// The configuration the plan was made against.
    old_configuration: String,
    /// The configuration `apply` writes.
    new_configuration: String,
    /// `auth::PlanKey::sign` of the rest, when the plan was saved with a key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mac: Option<String>,
}

impl Stored {
    /// What the MAC covers: the SHA-256 of every other field, serialised as `apply` reads them
    /// (a field the reader ignores is not covered, and changes nothing).
    fn content(&self) -> [u8; 32] {
        let unsigned = Stored { mac: None, ..self.clone() };
        sha2::Sha256::digest(serde_json::to_vec(&unsigned).unwrap_or_default()).into()
    }
}

/// A saved plan that passed `read`'s checks.
#[derive(Debug, Clone)]
pub struct SavedPlan {
    /// What the reviewer saw.
    pub doc: PlanDoc,
    pub policy: Policy,
    /// The configuration planned against; its digest is `doc.against`'s.
    pub old: Element,
    /// The configuration to write, checked to be a `<configuration>` with the required sections.
    pub new: Element,
    /// The MAC the file carries, and the SHA-256 of what it must cover (see `authenticate`).
    mac: Option<String>,
    content: [u8; 32],
    /// The gates the file's policy records. Until `authenticate` verifies the MAC they are not
    /// in `policy`: a caller that never authenticates cannot trust them by mistake.
    recorded_gates: (bool, bool),
}

/// Whether a saved plan's recorded `policy:` may open a gate at apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authenticity {
    /// Its MAC verifies under the key: its policy counts.
    Authenticated,
    /// No key at apply: the plan cannot be authenticated.
    NoKey,
}

/// Why a saved plan cannot be used. Nothing is ever written when one of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanFileError {
    #[error("it is larger than {} MiB", MAX_BYTES >> 20)]
    TooLarge,
    #[error("it is not a saved cibform plan: {0}")]
    NotAPlan(String),
    #[error("it has plan format {found}, this cibform reads {FORMAT}", FORMAT = json::FORMAT_VERSION)]
    Format { found: String },
    #[error("its {which} configuration is not valid XML: {detail}")]
    Xml { which: &'static str, detail: String },
    #[error("its configuration to write is not a CIB configuration: {0}")]
    Shape(String),
    #[error("its recorded configuration does not match its recorded digest: the file was edited")]
    Digest,
    #[error("the changes it lists are not the changes it would make: {0}")]
    Changes(String),
    #[error("its MAC does not verify under {}: the file was edited, or saved with another key", auth::KEY_ENV)]
    Mac,
    /// A key at apply and no MAC: whoever can edit a plan can also strip its MAC, and then write
    /// any configuration (with a change list to match) that crosses no gate.
    #[error("it carries no MAC, and {} is set: plans saved with the key carry one, so it was removed, or the plan was saved without the key (save it again with the key)", auth::KEY_ENV)]
    Unsigned,
}

/// The text of a saved plan: `plan` made against `old` (whose basis is `basis`), with `policy`.
pub fn write(plan: &Plan, header: &Header, basis: &Basis, old: &Element, policy: &Policy) -> String {
    write_signed(plan, header, basis, old, policy, None)
}

/// As `write`, with a MAC under `key` when there is one (`auth`).
pub fn write_signed(
    plan: &Plan,
    header: &Header,
    basis: &Basis,
    old: &Element,
    policy: &Policy,
    key: Option<&auth::PlanKey>,
) -> String {
    let mut stored = Stored {
        doc: json::doc(plan, header, basis),
        policy: policy.clone(),
        old_configuration: old.to_xml(),
        new_configuration: plan.new_config.to_xml(),
        mac: None,
    };
    stored.mac = key.map(|k| k.sign(&stored.content()));
    serde_json::to_string_pretty(&stored).unwrap_or_default() + "\n"
}

/// Parse and check a saved plan's text.
///
/// # Errors
/// Too large, not a plan, another format version, configurations that are not XML, a
/// configuration to write that is not one, or a recorded configuration whose digest is not the
/// recorded one.
pub fn read(text: &str) -> Result<SavedPlan, PlanFileError> {
    if text.len() > MAX_BYTES {
        return Err(PlanFileError::TooLarge);
    }
    let version: serde_json::Value = serde_json::from_str(text).map_err(|e| PlanFileError::NotAPlan(e.to_string()))?;
    match version.get("format_version").and_then(|v| v.as_str()) {
        Some(json::FORMAT_VERSION) => {}
        Some(found) => return Err(PlanFileError::Format { found: found.to_string() }),
        None => return Err(PlanFileError::NotAPlan("no `format_version`".into())),
    }
    if version.get("new_configuration").is_none() {
        return Err(PlanFileError::NotAPlan(
            "it has no configuration to apply (save plans with `plan --out`; `--format json` is for reading)".into(),
        ));
    }
    let stored: Stored = serde_json::from_value(version).map_err(|e| PlanFileError::NotAPlan(e.to_string()))?;
    let parse = |which, t: &str| Element::parse(t).map_err(|e| PlanFileError::Xml { which, detail: e.message });
    let old = parse("recorded", &stored.old_configuration)?;
    let new = parse("new", &stored.new_configuration)?;
    check_shape(&new).map_err(PlanFileError::Shape)?;
    if crate::cib::digest_of(&old) != stored.doc.against.config_digest {
        return Err(PlanFileError::Digest);
    }
    let content = stored.content();
    let mut policy = stored.policy;
    let recorded_gates = (std::mem::take(&mut policy.allow_destroy), std::mem::take(&mut policy.allow_disable_stonith));
    Ok(SavedPlan { doc: stored.doc, policy, old, new, mac: stored.mac, content, recorded_gates })
}

/// A configuration element as a CIB holds it: `<configuration>` with its required sections.
fn check_shape(config: &Element) -> Result<(), String> {
    if config.name != "configuration" {
        return Err(format!("the root element is `<{}>`, not `<configuration>`", config.name));
    }
    for section in crate::cib::REQUIRED_SECTIONS {
        if config.child(section).is_none() {
            return Err(format!("it has no `<{section}>`"));
        }
    }
    Ok(())
}

impl SavedPlan {
    /// Authenticate the plan with `key` (the one in `auth::KEY_ENV` at apply). Only when it is
    /// `Authenticated` do the gates its recorded policy opens go into `policy` (`read` leaves
    /// them out); otherwise they need their flags, and their names are returned with the verdict.
    ///
    /// # Errors
    /// `Mac`: a key, and a MAC that does not verify under it. `Unsigned`: a key, and no MAC.
    pub fn authenticate(
        &mut self,
        key: Option<&auth::PlanKey>,
    ) -> Result<(Authenticity, Vec<&'static str>), PlanFileError> {
        let verdict = match (key, &self.mac) {
            (None, _) => Authenticity::NoKey,
            (Some(_), None) => return Err(PlanFileError::Unsigned),
            (Some(k), Some(mac)) if k.verifies(&self.content, mac) => Authenticity::Authenticated,
            (Some(_), Some(_)) => return Err(PlanFileError::Mac),
        };
        let (destroy, stonith) = self.recorded_gates;
        if verdict == Authenticity::Authenticated {
            (self.policy.allow_destroy, self.policy.allow_disable_stonith) = (destroy, stonith);
            return Ok((verdict, Vec::new()));
        }
        let gates = [("allow_destroy", destroy), ("allow_disable_stonith", stonith)];
        Ok((verdict, gates.into_iter().filter_map(|(name, set)| set.then_some(name)).collect()))
    }

    /// The plan this saved plan makes against `live` (the target's configuration now, whose
    /// digest the caller has checked against `doc.against`), refused unless its changes are
    /// exactly the ones the file lists: what the reviewer saw is what is written.
    ///
    /// # Errors
    /// `Changes`, naming the first difference.
    pub fn check(&self, live: &Element, header: &Header) -> Result<Plan, PlanFileError> {
        let plan = Plan {
            changes: plan::diff(live, &self.new),
            warnings: self.doc.warnings.clone(),
            notes: self.doc.notes.clone(),
            new_config: self.new.clone(),
            corosync: plan::CorosyncPlan::default(),
            preview: self.doc.transition.clone(),
            what_if: Vec::new(),
            scenarios: Vec::new(),
        };
        let recomputed = json::doc(&plan, header, &self.doc.against).changes;
        // A note says where a value comes from, not what is written: it is not compared.
        let mut listed = self.doc.changes.clone();
        listed.iter_mut().flat_map(|c| &mut c.attributes).for_each(|a| a.note = None);
        first_difference(&listed, &recomputed).map_or(Ok(plan), |d| Err(PlanFileError::Changes(d)))
    }
}

/// The first way two change lists differ, in words; `None` when they are the same.
fn first_difference(listed: &[ChangeDoc], actual: &[ChangeDoc]) -> Option<String> {
    let name = |c: &ChangeDoc| format!("{} {} `{}`", c.action, c.kind, c.id);
    for (l, a) in listed.iter().zip(actual) {
        if l != a {
            return Some(if (&l.action, &l.kind, &l.id) == (&a.action, &a.kind, &a.id) {
                format!("it lists {} with other attributes than it would write", name(l))
            } else {
                format!("it lists {} where it would {}", name(l), name(a))
            });
        }
    }
    match listed.len().cmp(&actual.len()) {
        std::cmp::Ordering::Less => Some(format!("it does not list {}", name(&actual[listed.len()]))),
        std::cmp::Ordering::Greater => {
            Some(format!("it lists {}, which it would not make", name(&listed[actual.len()])))
        }
        std::cmp::Ordering::Equal => None,
    }
}
