//! Pacemaker's own options, typed: cluster properties (names and types from the daemons'
//! metadata in the snapshot, with the options of later Pacemaker versions and legacy names),
//! `rsc_defaults`, `op_defaults`, and the meta attributes of primitives, groups, clones and
//! operations.
//!
//! Unknown properties and wrong values are errors (pcs refuses them too), waivable by
//! `policy.allow_unknown_params` (and, for a primitive's own meta, its `force: true`). Unknown
//! meta attributes are warnings: pcs accepts any meta name, and Pacemaker ignores what it does
//! not know. No I/O: the snapshot is compiled in.

use crate::config::raw::{Attrs, RawOp, Span, S};
use crate::diag::{codes, suggest, Code, Diag};
use crate::vocab::{PACEMAKER_OWNED, ROLES};

use super::forced::{Finding, Waiver};
use super::metadata::{snapshot, ValueType as T};
use super::values::{self, Reader, Verdict};
use super::Validator;

/// The daemons whose options are cluster properties (as pcs reads them).
const PROPERTY_DAEMONS: &[&str] = &["pacemaker-based", "pacemaker-controld", "pacemaker-schedulerd"];

/// Cluster options added after the snapshot's Pacemaker: name, first version, the option it
/// renames (whose type it has) or its own type.
const LATER: &[(&str, &str, Later)] = &[
    ("node-pending-timeout", "2.1.7", Later::Type(Kind::Duration)),
    ("fence-remote-without-quorum", "3.0.1", Later::Type(Kind::Boolean)),
    ("fencing-enabled", "3.0.2", Later::Renames("stonith-enabled")),
    ("fencing-action", "3.0.2", Later::Renames("stonith-action")),
    ("fencing-reaction", "3.0.2", Later::Renames("fence-reaction")),
    ("fencing-timeout", "3.0.2", Later::Renames("stonith-timeout")),
    ("fencing-watchdog-timeout", "3.0.2", Later::Renames("stonith-watchdog-timeout")),
    ("fencing-max-attempts", "3.0.2", Later::Renames("stonith-max-attempts")),
];

/// The cluster properties of `names` that the target's Pacemaker is too old for, with the version
/// each is new in. `dc_version` is the CIB's `dc-version` property (`2.1.5-a3f44794f94`); `None`
/// when it cannot be read as a version (nothing is flagged then).
pub fn too_new_for<'a>(names: impl Iterator<Item = &'a str>, dc_version: &str) -> Vec<(&'a str, &'static str)> {
    let Some(target) = version_key(dc_version) else { return Vec::new() };
    names
        .filter_map(|n| LATER.iter().find(|(l, _, _)| *l == n).map(|(_, since, _)| (n, *since)))
        .filter(|(_, since)| version_key(since).is_some_and(|s| s > target))
        .collect()
}

/// `2.1.5-a3f44794f94` → `[2, 1, 5]`: the release part of a Pacemaker version, comparable.
fn version_key(v: &str) -> Option<Vec<u32>> {
    let release = v.split(['-', '+', ' ']).next()?;
    release.split('.').map(|p| p.parse().ok()).collect::<Option<Vec<u32>>>().filter(|k| !k.is_empty())
}

/// Options the snapshot knows that Pacemaker deprecates: legacy names it still reads, and
/// options later versions deprecate or drop. Name, replacement (if any), why.
const DEPRECATED: &[(&str, Option<&str>, &str)] = &[
    ("crmd-integration-timeout", Some("join-integration-timeout"), "a legacy name"),
    ("crmd-finalization-timeout", Some("join-finalization-timeout"), "a legacy name"),
    ("crmd-transition-delay", Some("transition-delay"), "a legacy name"),
    ("remove-after-stop", None, "deprecated in Pacemaker 2.1.8 and removed in 3.0.0"),
    ("enable-startup-probes", None, "deprecated in Pacemaker 3.0.2"),
    ("concurrent-fencing", None, "deprecated in Pacemaker 3.0.2 (fencing is concurrent by default)"),
    ("stop-orphan-resources", None, "deprecated in Pacemaker 3.0.2"),
    ("stop-orphan-actions", None, "deprecated in Pacemaker 3.0.2"),
    ("cluster-ipc-limit", None, "deprecated in Pacemaker 3.0.2"),
];

#[derive(Clone, Copy)]
enum Later {
    Type(Kind),
    Renames(&'static str),
}

#[derive(Clone, Copy)]
enum Kind {
    Boolean,
    Duration,
}

/// Where meta attributes are set, which decides the names Pacemaker reads there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MetaScope {
    Primitive,
    Group,
    Clone,
    RscDefaults,
    /// `op_defaults` and an operation's `meta`.
    Op,
}

/// Meta attributes of every resource kind (and `rsc_defaults`).
fn resource_meta(name: &str) -> Option<T> {
    Some(match name {
        "priority" | "resource-stickiness" | "migration-threshold" | "remote-port" => T::Integer,
        "critical"
        | "is-managed"
        | "maintenance"
        | "allow-migrate"
        | "allow-unhealthy-nodes"
        | "remote-allow-migrate" => T::Boolean,
        "target-role" => select(ROLES),
        "requires" => select(&["nothing", "quorum", "fencing", "unfencing"]),
        "multiple-active" => select(&["block", "stop_only", "stop_start", "stop_unexpected"]),
        "failure-timeout" | "remote-connect-timeout" => T::Duration,
        "container-attribute-target" | "remote-node" | "remote-addr" | "provides" => T::String,
        _ => return None,
    })
}

fn clone_meta(name: &str) -> Option<T> {
    Some(match name {
        "clone-max" | "clone-node-max" | "clone-min" | "promoted-max" | "promoted-node-max" | "master-max"
        | "master-node-max" => T::Integer,
        "notify" | "globally-unique" | "ordered" | "interleave" | "promotable" => T::Boolean,
        _ => return None,
    })
}

fn group_meta(name: &str) -> Option<T> {
    matches!(name, "ordered" | "collocated").then_some(T::Boolean)
}

/// `op_defaults`, an operation's `meta` and its attributes.
fn op_meta(name: &str) -> Option<T> {
    Some(match name {
        "timeout" | "interval" | "start-delay" => T::Duration,
        "record-pending" | "enabled" => T::Boolean,
        "on-fail" => select(ON_FAIL),
        "role" => select(ROLES),
        "requires" => select(&["nothing", "quorum", "fencing", "unfencing"]),
        "interval-origin" | "description" => T::String,
        _ => return None,
    })
}

/// What Pacemaker does when an operation fails.
pub const ON_FAIL: &[&str] = &["ignore", "block", "demote", "stop", "restart", "standby", "fence", "restart-container"];

/// Meta names replaced by others: old, new.
const META_RENAMED: &[(&str, &str)] = &[("master-max", "promoted-max"), ("master-node-max", "promoted-node-max")];

fn select(values: &[&str]) -> T {
    T::Select(values.iter().map(|v| (*v).to_string()).collect())
}

impl MetaScope {
    fn type_of(self, name: &str) -> Option<T> {
        match self {
            MetaScope::Primitive => resource_meta(name),
            MetaScope::Group => resource_meta(name).or_else(|| group_meta(name)),
            MetaScope::Clone => resource_meta(name).or_else(|| clone_meta(name)),
            MetaScope::RscDefaults => resource_meta(name).or_else(|| clone_meta(name)).or_else(|| group_meta(name)),
            MetaScope::Op => op_meta(name),
        }
    }

    /// Every name known in this scope, for "did you mean".
    fn names(self) -> Vec<&'static str> {
        const ALL: &[&str] = &[
            "priority",
            "resource-stickiness",
            "migration-threshold",
            "remote-port",
            "critical",
            "is-managed",
            "maintenance",
            "allow-migrate",
            "allow-unhealthy-nodes",
            "remote-allow-migrate",
            "target-role",
            "requires",
            "multiple-active",
            "failure-timeout",
            "remote-connect-timeout",
            "container-attribute-target",
            "remote-node",
            "remote-addr",
            "provides",
            "clone-max",
            "clone-node-max",
            "clone-min",
            "promoted-max",
            "promoted-node-max",
            "notify",
            "globally-unique",
            "ordered",
            "interleave",
            "promotable",
            "collocated",
            "timeout",
            "interval",
            "start-delay",
            "record-pending",
            "enabled",
            "on-fail",
            "role",
            "interval-origin",
            "description",
        ];
        ALL.iter().copied().filter(|n| self.type_of(n).is_some()).collect()
    }

    fn what(self) -> &'static str {
        match self {
            MetaScope::Primitive => "resource meta attribute",
            MetaScope::Group => "group meta attribute",
            MetaScope::Clone => "clone meta attribute",
            MetaScope::RscDefaults => "resource default",
            MetaScope::Op => "operation option",
        }
    }
}

/// A property's type: from the snapshot, or from the later-version table (with a note).
enum Known {
    Now(T),
    Later { since: &'static str, ty: T },
    Deprecated { ty: T, replacement: Option<&'static str>, why: &'static str },
}

fn property(name: &str) -> Option<Known> {
    let snap = snapshot::get();
    let from_snapshot =
        |n: &str| PROPERTY_DAEMONS.iter().filter_map(|d| snap.agent(d)).find_map(|m| m.param(n)).map(|p| p.ty.clone());
    if let Some((_, replacement, why)) = DEPRECATED.iter().find(|(n, _, _)| *n == name) {
        let ty = from_snapshot(replacement.unwrap_or(name)).unwrap_or(T::String);
        return Some(Known::Deprecated { ty, replacement: *replacement, why });
    }
    if let Some(ty) = from_snapshot(name) {
        return Some(Known::Now(ty));
    }
    let (_, since, later) = LATER.iter().find(|(n, _, _)| *n == name)?;
    let ty = match later {
        Later::Type(Kind::Boolean) => T::Boolean,
        Later::Type(Kind::Duration) => T::Duration,
        Later::Renames(old) => from_snapshot(old).unwrap_or(T::String),
    };
    Some(Known::Later { since, ty })
}

/// Every property name worth suggesting.
fn property_names() -> Vec<String> {
    let snap = snapshot::get();
    let mut names: Vec<String> = PROPERTY_DAEMONS
        .iter()
        .filter_map(|d| snap.agent(d))
        .flat_map(|m| m.names().map(str::to_string).collect::<Vec<_>>())
        .filter(|n| !PACEMAKER_OWNED.contains(&n.as_str()))
        .collect();
    names.extend(LATER.iter().map(|(n, _, _)| (*n).to_string()));
    names.sort();
    names.dedup();
    names
}

impl Validator<'_> {
    fn push_finding(&mut self, f: Finding, waiver: Option<&Waiver>) {
        let d = f.diag(self.src, waiver);
        self.diags.push(d);
    }

    fn policy_waiver(&self) -> Option<Waiver> {
        self.allow_unknown.then_some(Waiver::Policy)
    }

    /// Cluster properties: known names, typed values, version notes.
    pub(super) fn typed_properties(&mut self, attrs: &Attrs) {
        let snap_version = snapshot::get().version("pacemaker").unwrap_or("?").to_string();
        let waiver = self.policy_waiver();
        for (k, v) in attrs.iter() {
            let name = k.value.as_str();
            if PACEMAKER_OWNED.contains(&name) || name.is_empty() {
                continue; // reported on its own
            }
            let Some(known) = property(name) else {
                let names = property_names();
                let help = match suggest(name, names.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`? `pcs property describe` lists them all"),
                    None => "Pacemaker ignores properties it does not know; `pcs property describe` lists them".into(),
                };
                let message = format!("unknown cluster property `{name}`");
                self.push_finding(
                    Finding { code: codes::PROPERTY_UNKNOWN, span: k.span, message, label: "unknown property", help },
                    waiver.as_ref(),
                );
                continue;
            };
            let ty = match known {
                Known::Now(ty) => ty,
                Known::Later { since, ty } => {
                    let renamed = LATER.iter().find_map(|(n, _, l)| match l {
                        Later::Renames(old) if *n == name => Some(*old),
                        _ => None,
                    });
                    let help = match renamed {
                        Some(old) => format!("a Pacemaker before {since} ignores it: use `{old}` there"),
                        None => format!("a Pacemaker before {since} ignores it"),
                    };
                    let d = Diag::warning(
                        codes::PROPERTY_NEWER,
                        format!("property `{name}` is new in Pacemaker {since}; the metadata here is Pacemaker {snap_version}"),
                    )
                    .label(k.span, "newer property")
                    .help(help)
                    .in_source(self.src);
                    self.diags.push(d);
                    ty
                }
                Known::Deprecated { ty, replacement, why } => {
                    let help = match replacement {
                        Some(r) => format!("use `{r}`"),
                        None => "remove it when the cluster runs a Pacemaker that no longer reads it".into(),
                    };
                    let d = Diag::warning(codes::PROPERTY_DEPRECATED, format!("property `{name}` is {why}"))
                        .label(k.span, "deprecated")
                        .help(help)
                        .in_source(self.src);
                    self.diags.push(d);
                    ty
                }
            };
            let slot = Slot { name, code: codes::PROPERTY_VALUE, strict: true };
            if matches!(name, "stonith-watchdog-timeout" | "fencing-watchdog-timeout") {
                // A negative value means "twice SBD_WATCHDOG_TIMEOUT"; pcs never lets a bad one
                // through, even with --force.
                let v_text = v.value.0.strip_prefix('-').unwrap_or(&v.value.0);
                self.typed_value(v_text, v.span, &ty, slot, None);
                continue;
            }
            self.typed_value(&v.value.0, v.span, &ty, slot, waiver.as_ref());
        }
    }

    /// Meta attributes (or defaults) in `scope`; `force` is the primitive's own waiver.
    pub(super) fn typed_meta(&mut self, attrs: &Attrs, scope: MetaScope, force: Option<Waiver>) {
        let waiver = force.or_else(|| self.policy_waiver());
        for (k, v) in attrs.iter() {
            let name = k.value.as_str();
            let Some(ty) = scope.type_of(name) else {
                let names = scope.names();
                let help = match suggest(name, names.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`? Pacemaker ignores meta attributes it does not know"),
                    None => "Pacemaker ignores meta attributes it does not know (agents and tools may read their own)"
                        .into(),
                };
                let d = Diag::warning(codes::META_UNKNOWN, format!("unknown {} `{name}`", scope.what()))
                    .label(k.span, "not a Pacemaker meta attribute")
                    .help(help)
                    .in_source(self.src);
                self.diags.push(d);
                continue;
            };
            if let Some((_, new)) = META_RENAMED.iter().find(|(old, _)| *old == name) {
                let d = Diag::warning(codes::META_DEPRECATED, format!("`{name}` is deprecated"))
                    .label(k.span, "deprecated")
                    .help(format!("use `{new}`"))
                    .in_source(self.src);
                self.diags.push(d);
            }
            let slot = Slot { name, code: codes::META_VALUE, strict: false };
            self.typed_value(&v.value.0, v.span, &ty, slot, waiver.as_ref());
        }
    }

    /// The typed attributes of an operation (`on-fail`, `record-pending`, `start-delay`): never
    /// waived (pcs refuses a bad `on-fail` even with --force); its `meta` as meta attributes.
    pub(super) fn typed_op(&mut self, op: &RawOp, force: Option<Waiver>) {
        let waiver = force.or_else(|| self.policy_waiver());
        let fields: [(&str, Option<(&str, Span)>); 3] = [
            ("on-fail", op.on_fail.as_ref().map(|s| (s.value.as_str(), s.span))),
            ("record-pending", op.record_pending.as_ref().map(|s| (s.value.0.as_str(), s.span))),
            ("start-delay", op.start_delay.as_ref().map(|s| (s.value.0.as_str(), s.span))),
        ];
        for (name, value) in fields {
            if let (Some((v, span)), Some(ty)) = (value, op_meta(name)) {
                self.typed_value(v, span, &ty, Slot { name, code: codes::OP_VALUE, strict: false }, None);
            }
        }
        self.typed_meta(&op.meta, MetaScope::Op, waiver);
    }

    /// One value against its type: an error (waivable) when Pacemaker cannot read it, a warning
    /// when it reads it differently.
    /// Cluster properties are `strict` (pcs refuses `1.0` for an integer): a value Pacemaker
    /// would read differently is then an error, not a warning.
    fn typed_value(&mut self, v: &str, span: Span, ty: &T, slot: Slot, waiver: Option<&Waiver>) {
        let Slot { name, code, strict } = slot;
        match values::check(ty, v, Reader::Pacemaker) {
            Verdict::Ok => {}
            Verdict::Lax(read) if strict => {
                let message = format!("`{v}` is not a valid value for `{name}`: expected {}", values::name(ty));
                let help =
                    format!("Pacemaker would read it as `{read}`: write that; `{name}` takes {}", values::describe(ty));
                self.push_finding(Finding { code, span, message, label: "invalid value", help }, waiver);
            }
            Verdict::Lax(read) => {
                let d = Diag::warning(codes::VALUE_LAX, format!("Pacemaker reads `{v}` as `{read}` for `{name}`"))
                    .label(span, "read differently")
                    .help(format!("write `{read}`; `{name}` takes {}", values::describe(ty)))
                    .in_source(self.src);
                self.diags.push(d);
            }
            Verdict::Bad => {
                let help = match ty {
                    T::Select(options) => super::one_of(v, &options.iter().map(String::as_str).collect::<Vec<_>>()),
                    _ => format!("`{name}` takes {}", values::describe(ty)),
                };
                let message = format!("`{v}` is not a valid value for `{name}`: expected {}", values::name(ty));
                self.push_finding(Finding { code, span, message, label: "invalid value", help }, waiver);
            }
        }
    }
}

/// Which option a value is for, and how to report it.
#[derive(Clone, Copy)]
struct Slot<'a> {
    name: &'a str,
    code: Code,
    strict: bool,
}

/// A primitive's own waiver: `force: true`.
pub(super) fn force_of(id: &S<String>, force: Option<&S<bool>>) -> Option<Waiver> {
    force.filter(|f| f.value).map(|_| Waiver::Force(id.value.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_come_from_the_snapshot_and_later_versions() {
        assert!(matches!(property("no-quorum-policy"), Some(Known::Now(T::Select(_)))));
        assert!(matches!(property("symmetric-cluster"), Some(Known::Now(T::Boolean))));
        assert!(matches!(property("enable-acl"), Some(Known::Now(T::Boolean))));
        assert!(matches!(property("fencing-enabled"), Some(Known::Later { since: "3.0.2", ty: T::Boolean })));
        let names = ["fencing-enabled", "node-pending-timeout", "stonith-enabled"];
        assert_eq!(
            too_new_for(names.into_iter(), "2.1.5-a3f44794f94"),
            [("fencing-enabled", "3.0.2"), ("node-pending-timeout", "2.1.7")]
        );
        assert_eq!(too_new_for(names.into_iter(), "2.1.9-1.el9"), [("fencing-enabled", "3.0.2")]);
        assert_eq!(too_new_for(names.into_iter(), "3.0.2"), []);
        assert_eq!(too_new_for(names.into_iter(), "unknown"), []);
        assert!(matches!(property("crmd-transition-delay"), Some(Known::Deprecated { ty: T::Duration, .. })));
        assert!(property("no-quorum-polcy").is_none());
        assert!(property_names().iter().any(|n| n == "no-quorum-policy"));
        assert!(!property_names().iter().any(|n| n == "dc-version"));
    }

    #[test]
    fn meta_scopes_know_their_names() {
        assert_eq!(MetaScope::Primitive.type_of("target-role"), Some(select(ROLES)));
        assert!(MetaScope::Primitive.type_of("clone-max").is_none());
        assert_eq!(MetaScope::Clone.type_of("clone-max"), Some(T::Integer));
        assert_eq!(MetaScope::RscDefaults.type_of("interleave"), Some(T::Boolean));
        assert_eq!(MetaScope::Op.type_of("on-fail"), Some(select(ON_FAIL)));
        assert!(MetaScope::Group.names().contains(&"ordered"));
    }
}
