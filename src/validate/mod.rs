//! Stage 2: raw YAML types → validated `model`.
//!
//! Every check that can be made offline lives here, each reported as a `Diag` with a stable
//! code, a label on the exact span and a help line. All problems are collected, not just the
//! first. No I/O, no knowledge of the CIB.

mod acls;
pub mod agents;
mod alerts;
mod bundles;
mod constraints;
mod corosync;
mod fencing;
pub mod forced;
mod locations;
pub mod metadata;
mod nodes;
mod options;
pub use options::too_new_for;
mod raw;
mod resources;
mod rules;
mod scenarios;
mod sets;
mod values;

use std::collections::HashMap;

use crate::config::raw::{Attrs, RawCluster, Span, S};
use crate::diag::{codes, suggest, Code, Diag, Source};
use crate::model::{Cluster, Policy, Quorum};
use crate::vocab::{is_xml_id, PACEMAKER_OWNED};

/// Validate a parsed file.
///
/// # Errors
/// Every error found (warnings are returned with the model on success).
pub fn validate(src: &Source, raw: &RawCluster) -> Result<(Cluster, Vec<Diag>), Vec<Diag>> {
    let allow_unknown = raw.policy.as_ref().is_some_and(|p| p.value.allow_unknown_params == Some(true));
    let node_attrs = rules::defined_attributes(raw);
    let mut v =
        Validator { src, diags: Vec::new(), ids: HashMap::new(), rsc_ids: known_ids(raw), allow_unknown, node_attrs };
    // Escape-hatch objects first: constraints may name the resources they hold.
    let raw_objects = v.raw_objects(raw);
    let mut cluster = v.cluster(raw);
    cluster.raw = raw_objects;
    cluster.scenarios = v.scenarios(raw);
    cluster.corosync = v.corosync(raw);
    cluster.quorum.device = v.quorum_device(raw);
    cluster.quorum.no_device = v.no_quorum_device(raw);
    if v.diags.iter().any(Diag::is_error) {
        Err(v.diags)
    } else {
        Ok((cluster, v.diags))
    }
}

struct Validator<'a> {
    src: &'a Source,
    diags: Vec<Diag>,
    /// Every declared object id → (span, what it is).
    ids: HashMap<String, (Span, &'static str)>,
    /// Ids a constraint may name: resources, groups, clones.
    rsc_ids: RscIds,
    /// `policy.allow_unknown_params`: metadata findings are warnings.
    allow_unknown: bool,
    /// Node attributes the file defines (`rules::defined_attributes`).
    node_attrs: Vec<String>,
}

impl Validator<'_> {
    fn err(&mut self, code: Code, span: Span, msg: String, label: &str, help: String) {
        let d = Diag::error(code, msg).label(span, label).help(help).in_source(self.src);
        self.diags.push(d);
    }

    fn warn(&mut self, code: Code, span: Span, msg: String, help: String) {
        let d = Diag::warning(code, msg).label(span, "here").help(help).in_source(self.src);
        self.diags.push(d);
    }

    /// Register an object id (resource, group, clone, constraint): valid and unique.
    fn declare(&mut self, id: &S<String>, what: &'static str) {
        if let Some(flaw) = crate::vocab::id_flaw(&id.value) {
            self.err(
                codes::ID_INVALID,
                id.span,
                format!("`{}` is not a valid id: {flaw}", id.value),
                "invalid id",
                "ids start with a letter or `_` and contain only letters, digits, `-`, `_` and `.`".into(),
            );
            return;
        }
        self.non_ascii_id(id);
        if let Some((first, kind)) = self.ids.get(&id.value).copied() {
            let d = Diag::error(codes::ID_DUPLICATE, format!("id `{}` is declared twice", id.value))
                .label(id.span, format!("declared again as a {what}"))
                .label(first, format!("first declared as a {kind}"))
                .help("ids are shared by resources, groups, clones, constraints and raw objects: rename one")
                .in_source(self.src);
            self.diags.push(d);
        } else {
            self.ids.insert(id.value.clone(), (id.span, what));
        }
    }

    /// Warn about an id that is not plain ASCII: `rs-vіp` with a Cyrillic `і` is another id
    /// than `rs-vip`, and no one can see it. The label is on the character when the id is
    /// written plainly in the file, else on the whole id.
    fn non_ascii_id(&mut self, id: &S<String>) {
        let Some((at, c)) = crate::vocab::first_non_ascii(&id.value) else { return };
        let plain = self.src.text.get(id.span.offset..id.span.offset + id.span.len) == Some(id.value.as_str());
        let span = if plain { Span { offset: id.span.offset + at, len: c.len_utf8() } } else { id.span };
        let d = Diag::warning(
            codes::ID_NON_ASCII,
            format!("id `{}` is not plain ASCII: it holds {}", id.value, crate::vocab::char_name(c)),
        )
        .label(span, "not ASCII")
        .help("an id with a look-alike letter is another id that looks the same: use ASCII letters, digits, `-`, `_` and `.`")
        .in_source(self.src);
        self.diags.push(d);
    }

    fn attrs(&mut self, attrs: &Attrs, what: &str) -> Vec<(String, String)> {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut out = Vec::new();
        for (k, v) in attrs.iter() {
            if k.value.is_empty() {
                self.err(
                    codes::ATTR_EMPTY_NAME,
                    k.span,
                    format!("empty name in {what}"),
                    "empty name",
                    "give the attribute a name".into(),
                );
                continue;
            }
            if let Some(first) = seen.insert(&k.value, k.span) {
                let d = Diag::error(codes::ATTR_DUPLICATE, format!("`{}` is set twice in {what}", k.value))
                    .label(k.span, "set again here")
                    .label(first, "first set here")
                    .help("keep one of them")
                    .in_source(self.src);
                self.diags.push(d);
                continue;
            }
            out.push((k.value.clone(), v.value.0.clone()));
        }
        out
    }

    fn cluster(&mut self, raw: &RawCluster) -> Cluster {
        if !is_xml_id(&raw.cluster.value) {
            self.err(
                codes::CLUSTER_NAME,
                raw.cluster.span,
                format!("`{}` is not a valid cluster name", raw.cluster.value),
                "invalid name",
                "use letters, digits, `-`, `_` and `.`".into(),
            );
        }
        let nodes = self.nodes(&raw.nodes);
        let quorum = raw.quorum.as_ref().map_or_else(Quorum::default, |q| Quorum {
            two_node: q.value.two_node,
            wait_for_all: q.value.wait_for_all,
            last_man_standing: q.value.last_man_standing,
            auto_tie_breaker: q.value.auto_tie_breaker,
            expected_votes: q.value.expected_votes,
            device: None,
            no_device: false,
        });
        if let Some(q) = &raw.quorum {
            // Pacemaker Remote nodes are no corosync members: they do not count.
            let members = nodes.iter().filter(|n| !n.remote).count();
            if q.value.two_node == Some(true) && !raw.nodes.is_empty() && members != 2 {
                self.err(
                    codes::QUORUM_TWO_NODE,
                    q.span,
                    format!("`two_node` needs exactly 2 nodes, {members} declared"),
                    "two_node set here",
                    "remove `two_node` or declare two nodes".into(),
                );
            }
        }
        let properties = self.attrs(&raw.properties, "properties");
        for (k, _) in raw.properties.iter() {
            if PACEMAKER_OWNED.contains(&k.value.as_str()) {
                self.err(
                    codes::PROPERTY_OWNED,
                    k.span,
                    format!("property `{}` is maintained by Pacemaker", k.value),
                    "owned by Pacemaker",
                    "remove it: cibform never writes Pacemaker-owned properties".into(),
                );
            }
        }
        self.typed_properties(&raw.properties);
        let rsc_defaults = self.attrs(&raw.rsc_defaults, "rsc_defaults");
        self.typed_meta(&raw.rsc_defaults, options::MetaScope::RscDefaults, None);
        let op_defaults = self.attrs(&raw.op_defaults, "op_defaults");
        self.typed_meta(&raw.op_defaults, options::MetaScope::Op, None);
        let [property_sets, rsc_defaults_sets, op_defaults_sets] = self.all_sets(raw);
        let templates = self.templates(raw);
        let resources = self.resources(raw);
        let node_names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
        let constraints = raw.constraints.iter().filter_map(|c| self.constraint(c, &node_names)).collect();
        self.fence_loss_policy(raw);
        let fencing_levels = self.fencing_levels(raw);
        let tags = self.tags(raw);
        let alerts = self.alerts(raw);
        let acls = self.acls(raw);
        let policy = raw.policy.as_ref().map_or_else(Policy::default, |p| Policy {
            allow_destroy: p.value.allow_destroy.unwrap_or(false),
            allow_disable_stonith: p.value.allow_disable_stonith.unwrap_or(false),
            sensitive: p.value.sensitive.clone(),
            allow_unknown_params: p.value.allow_unknown_params.unwrap_or(false),
        });
        Cluster {
            name: raw.cluster.value.clone(),
            target: raw.target.as_ref().map(|t| t.value.clone()),
            nodes,
            quorum,
            properties,
            rsc_defaults,
            op_defaults,
            property_sets,
            rsc_defaults_sets,
            op_defaults_sets,
            resources,
            constraints,
            fencing_levels,
            tags,
            alerts,
            templates,
            acls,
            policy,
            raw: Vec::new(),
            scenarios: Vec::new(),
            corosync: crate::model::Corosync::default(),
        }
    }
}

fn known_ids(raw: &RawCluster) -> RscIds {
    let mut ids = RscIds::default();
    ids.extend(
        raw.resources
            .iter()
            .map(|(k, _)| k.value.clone())
            .chain(raw.groups.iter().map(|(k, _)| k.value.clone()))
            .chain(raw.clones.iter().map(|(k, _)| k.value.clone()))
            .chain(raw.bundles.iter().map(|(k, _)| k.value.clone()))
            .chain(raw.templates.iter().map(|(k, _)| k.value.clone()))
            .chain(raw.tags.iter().map(|(k, _)| k.value.clone())),
    );
    ids
}

/// The ids constraints may name: declaration order (for suggestions) and a set (for lookups;
/// a `Vec::contains` per reference was quadratic, issue 13).
#[derive(Default)]
struct RscIds {
    order: Vec<String>,
    set: std::collections::HashSet<String>,
}

impl Extend<String> for RscIds {
    fn extend<I: IntoIterator<Item = String>>(&mut self, ids: I) {
        for id in ids {
            self.set.insert(id.clone());
            self.order.push(id);
        }
    }
}

impl RscIds {
    fn contains(&self, id: &str) -> bool {
        self.set.contains(id)
    }

    fn iter(&self) -> impl Iterator<Item = &String> {
        self.order.iter()
    }
}

/// What an ACL permission may do (`read`, `write`, `deny`).
pub fn acl_kinds() -> &'static [&'static str] {
    acls::KINDS
}

/// What an alert may select (`nodes`, `fencing`, `resources`, `attributes`).
pub fn alert_selections() -> &'static [&'static str] {
    alerts::SELECTIONS
}

fn one_of(word: &str, allowed: &[&str]) -> String {
    match suggest(word, allowed.iter().copied()) {
        Some(s) => format!("did you mean `{s}`? allowed: {}", allowed.join(", ")),
        None => format!("allowed: {}", allowed.join(", ")),
    }
}
