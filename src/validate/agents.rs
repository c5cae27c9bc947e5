//! Stage 2b: a cluster file against its agents' metadata, after the pure `validate`: unknown and
//! missing parameters, typed values, deprecated parameters, `unique` collisions across
//! resources, operations the agent does not advertise, `OCF_CHECK_LEVEL`, and the fencing
//! parameters every fence device takes (`pcmk_host_map` syntax, ...). The checks pcs makes on
//! `resource create`/`stonith create`, and a few more; waivable like pcs `--force` (`force: true`
//! on the resource, `policy.allow_unknown_params`).
//!
//! The metadata comes in a `Catalog`, filled by the caller (`ops`) from a cluster node, this host
//! or the shipped snapshot; this module does no I/O.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::config::raw::{Attrs, RawCluster, RawResource, Span, S};
use crate::diag::{codes, suggest, Diag, Source};
use crate::model::Agent;

use super::forced::{waiver_for, Finding, Waiver};
use super::metadata::{self, snapshot, AgentMeta, ValueType};
use super::values::{self, Reader, Verdict};

/// Where one agent's metadata came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The snapshot shipped in cibform.
    Snapshot,
    /// A cluster node, or this host for a CIB file (the place).
    Host(String),
    /// Pacemaker's fixed metadata of systemd, LSB and service units.
    Unit,
    /// The place that was asked does not have the agent (or unit); checked against the snapshot.
    Missing(String),
    /// No metadata anywhere: the agent's parameters are not checked.
    Nowhere,
}

/// One agent's metadata, normalised (see `metadata::normalise`).
#[derive(Debug, Clone)]
pub struct Entry {
    pub meta: Option<AgentMeta>,
    pub origin: Origin,
    /// The metadata text, when a host gave it (default operations are derived from it).
    pub xml: Option<String>,
}

/// The metadata of every agent a file uses, looked up once per run.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entries: BTreeMap<String, Entry>,
}

/// Agent classes whose metadata Pacemaker makes up itself: no parameters, fixed actions.
const UNIT_CLASSES: &[&str] = &["systemd", "lsb", "service", "upstart"];

fn unit_meta(class: &str) -> AgentMeta {
    let actions: &[&str] = match class {
        "systemd" => &["start", "stop", "status", "monitor", "meta-data"],
        _ => &["meta-data", "start", "stop", "status", "restart", "force-reload", "monitor"],
    };
    AgentMeta { params: Vec::new(), actions: actions.iter().map(|a| (*a).to_string()).collect() }
}

fn from_snapshot(agent: &Agent) -> Entry {
    if UNIT_CLASSES.contains(&agent.class.as_str()) {
        return Entry { meta: Some(unit_meta(&agent.class)), origin: Origin::Unit, xml: None };
    }
    let snap = snapshot::get();
    match snap.agent(&agent.to_string()) {
        Some(m) => Entry {
            meta: Some(metadata::normalise(agent, m.clone(), snap.agent("pacemaker-fenced"))),
            origin: Origin::Snapshot,
            xml: None,
        },
        None => Entry { meta: None, origin: Origin::Nowhere, xml: None },
    }
}

impl Catalog {
    /// Metadata for `agents` from the snapshot alone (offline).
    pub fn offline<'a>(agents: impl IntoIterator<Item = &'a Agent>) -> Catalog {
        let mut c = Catalog::default();
        for a in agents {
            c.entries.entry(a.to_string()).or_insert_with(|| from_snapshot(a));
        }
        c
    }

    /// Record what `place` said about `agent`: its metadata text, or `None` when it does not
    /// have the agent. Unreadable metadata falls back to the snapshot.
    pub fn from_host(&mut self, agent: &Agent, place: &str, xml: Option<String>) {
        let fallback = from_snapshot(agent);
        let entry = match xml {
            Some(text) => match metadata::parse(&text) {
                Ok(m) => {
                    let fenced = snapshot::get().agent("pacemaker-fenced");
                    let meta = if agent.class == "ocf" || agent.class == "stonith" {
                        metadata::normalise(agent, m, fenced)
                    } else {
                        m
                    };
                    Entry { meta: Some(meta), origin: Origin::Host(place.to_string()), xml: Some(text) }
                }
                Err(_) => fallback,
            },
            None => Entry { origin: Origin::Missing(place.to_string()), ..fallback },
        };
        self.entries.insert(agent.to_string(), entry);
    }

    pub fn get(&self, agent: &Agent) -> Option<&Entry> {
        self.entries.get(&agent.to_string())
    }

    /// Where the metadata came from, in one line: `agent metadata: snapshot of pacemaker
    /// 2.1.5, resource-agents 4.12.0, fence-agents 4.12.1 (offline)`, `... from t3021cent`.
    pub fn summary(&self) -> String {
        let mut hosts: Vec<&str> = Vec::new();
        let (mut snap, mut none) = (false, Vec::new());
        for (name, e) in &self.entries {
            match &e.origin {
                Origin::Host(p) if !hosts.contains(&p.as_str()) => hosts.push(p),
                Origin::Snapshot | Origin::Missing(_) => snap = true,
                Origin::Nowhere => none.push(format!("`{name}`")),
                _ => {}
            }
        }
        let mut parts: Vec<String> = hosts.iter().map(|h| format!("from {h}")).collect();
        if snap || parts.is_empty() {
            let offline = if hosts.is_empty() { " (offline)" } else { " for the rest" };
            parts.push(format!("{}{offline}", snapshot::get().describe()));
        }
        if !none.is_empty() {
            parts.push(format!("none for {}", none.join(", ")));
        }
        format!("agent metadata: {}", parts.join("; "))
    }
}

/// The agent named by a (validated) `standard[:provider]:type`.
pub fn agent_of(text: &str) -> Option<Agent> {
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        [class, provider, kind] => {
            Some(Agent { class: (*class).into(), provider: Some((*provider).into()), kind: (*kind).into() })
        }
        [class, kind] => Some(Agent { class: (*class).into(), provider: None, kind: (*kind).into() }),
        _ => None,
    }
}

/// Every agent a file uses.
pub fn agents(raw: &RawCluster) -> Vec<Agent> {
    // A set, not a search of the list: a file of many distinct agents stays linear (issue 13).
    let mut seen: HashSet<Agent> = HashSet::new();
    raw.resources
        .iter()
        .chain(raw.templates.iter())
        .filter_map(|(_, r)| agent_of(&r.value.agent.as_ref()?.value))
        .filter(|a| seen.insert(a.clone()))
        .collect()
}

/// Check every primitive of `raw` against `catalog`.
pub fn check(src: &Source, raw: &RawCluster, catalog: &Catalog) -> Vec<Diag> {
    let policy = raw.policy.as_ref().is_some_and(|p| p.value.allow_unknown_params == Some(true));
    let mut c = Checker { src, diags: Vec::new(), unique: BTreeMap::new(), noted: HashSet::new() };
    for (id, r) in raw.resources.iter() {
        // A primitive that uses a template: its template holds the agent and part of its params.
        let Some(agent_text) = &r.value.agent else { continue };
        let Some(agent) = agent_of(&agent_text.value) else { continue };
        let force = r.value.force.as_ref().is_some_and(|f| f.value);
        let waiver = waiver_for(Some(&id.value), force, policy);
        let Some(entry) = catalog.get(&agent) else { continue };
        c.origin(&agent, agent_text, entry, waiver.as_ref());
        if let Some(meta) = &entry.meta {
            let rsc = Rsc { id, raw: &r.value, agent: &agent, meta, waiver: waiver.as_ref() };
            c.params(&rsc);
            c.ops(&rsc);
            c.collect_unique(&rsc);
        }
    }
    c.report_unique();
    c.diags
}

/// One primitive being checked.
struct Rsc<'a> {
    id: &'a S<String>,
    raw: &'a RawResource,
    agent: &'a Agent,
    meta: &'a AgentMeta,
    waiver: Option<&'a Waiver>,
}

/// A unique group's values in one resource: (resource id, values, span, waiver).
type UniqueUse = (String, BTreeMap<String, String>, Span, Option<Waiver>);

struct Checker<'a> {
    src: &'a Source,
    diags: Vec<Diag>,
    /// (agent, unique group) → the resources that set it.
    unique: BTreeMap<(String, String), Vec<UniqueUse>>,
    /// Agents already reported as without metadata.
    noted: HashSet<String>,
}

impl Checker<'_> {
    fn finding(&mut self, f: Finding, waiver: Option<&Waiver>) {
        let d = f.diag(self.src, waiver);
        self.diags.push(d);
    }

    fn warn(&mut self, code: crate::diag::Code, span: Span, msg: String, label: &str, help: String) {
        self.diags.push(Diag::warning(code, msg).label(span, label).help(help).in_source(self.src));
    }

    /// Agents missing where they run (an error, as pcs refuses them), unknown with a close
    /// name in the snapshot (a typo: an error), or without metadata (a warning, once).
    fn origin(&mut self, agent: &Agent, at: &S<String>, entry: &Entry, waiver: Option<&Waiver>) {
        let name = agent.to_string();
        let unit = UNIT_CLASSES.contains(&agent.class.as_str());
        let (msg, help) = match &entry.origin {
            Origin::Missing(place) if !unit => {
                let message = format!("agent `{name}` is not installed on {place}");
                let help = "install it on every node that may run the resource (pcs refuses it too); its parameters are checked against the snapshot meanwhile".to_string();
                let f = Finding { code: codes::AGENT_MISSING, span: at.span, message, label: "not installed", help };
                return self.finding(f, waiver);
            }
            Origin::Nowhere => {
                if let Some(close) = snapshot_typo(agent) {
                    let message = format!("unknown agent `{name}`");
                    let help = format!(
                        "did you mean `{close}`? (if the nodes have `{name}`, plan against one of them, or set `force: true`)"
                    );
                    let f =
                        Finding { code: codes::AGENT_UNKNOWN, span: at.span, message, label: "unknown agent", help };
                    return self.finding(f, waiver);
                }
                (
                    format!("no metadata for agent `{name}`: its parameters and operations are not checked"),
                    "cibform's snapshot does not have it; plan against a cluster node that has the agent to check it"
                        .to_string(),
                )
            }
            Origin::Missing(place) => (
                format!("{} unit `{}` was not found on {place}", agent.class, agent.kind),
                "install it on every node that may run the resource".to_string(),
            ),
            _ => return,
        };
        if self.noted.insert(name) {
            self.warn(codes::AGENT_METADATA, at.span, msg, "agent", help);
        }
    }

    fn params(&mut self, r: &Rsc) {
        let stonith = r.agent.class == "stonith";
        let what = if stonith { "fence device" } else { "resource" };
        for (k, v) in r.raw.params.iter() {
            let name = k.value.as_str();
            let Some(p) = r.meta.param(name) else {
                let help = unknown_help(name, r.meta, r.agent);
                let message = format!("`{}` is not a parameter of `{}`", name, r.agent);
                self.finding(
                    Finding {
                        code: codes::AGENT_PARAM_UNKNOWN,
                        span: k.span,
                        message,
                        label: "unknown parameter",
                        help,
                    },
                    r.waiver,
                );
                continue;
            };
            if stonith && name == "action" {
                let message = "the fence device parameter `action` is deprecated".to_string();
                let help = "use `pcmk_off_action` or `pcmk_reboot_action` (pcs refuses `action` too)".to_string();
                self.finding(
                    Finding { code: codes::AGENT_PARAM_DEPRECATED, span: k.span, message, label: "deprecated", help },
                    r.waiver,
                );
            } else if p.deprecated {
                let help = match p.replaced_by.as_slice() {
                    [] => "it may be removed from the agent; see its metadata".to_string(),
                    new => format!("use {}", new.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or ")),
                };
                let msg = format!("parameter `{name}` of `{}` is deprecated", r.agent);
                self.warn(codes::AGENT_PARAM_DEPRECATED, k.span, msg, "deprecated", help);
            }
            self.value(&v.value.0, v.span, &p.ty, name, r.waiver);
            if stonith {
                self.fencing_value(name, &v.value.0, v.span, r.waiver);
            }
        }
        for p in r.meta.params.iter().filter(|p| p.required && !p.deprecated) {
            let names = r.meta.aliases_of(&p.name);
            if names.iter().any(|n| r.raw.params.iter().any(|(k, _)| k.value == *n)) {
                continue;
            }
            let message = format!("{what} `{}` ({}) needs parameter `{}`", r.id.value, r.agent, p.name);
            let help = format!("add `params: {{ {}: ... }}`", p.name);
            let span = r.raw.agent.as_ref().map_or(r.id.span, |a| a.span);
            self.finding(
                Finding { code: codes::AGENT_PARAM_MISSING, span, message, label: "required parameter missing", help },
                r.waiver,
            );
        }
    }

    fn value(&mut self, v: &str, span: Span, ty: &ValueType, name: &str, waiver: Option<&Waiver>) {
        match values::check(ty, v, Reader::Agent) {
            Verdict::Ok => {}
            Verdict::Lax(read) => {
                let msg = format!("`{v}` is read as `{read}` for `{name}`");
                let help = format!("write `{read}`; `{name}` takes {}", values::describe(ty));
                self.warn(codes::VALUE_LAX, span, msg, "read differently", help);
            }
            Verdict::Bad => {
                let message = format!("`{v}` is not a valid value for `{name}`: expected {}", values::name(ty));
                if let ValueType::Select(o) = ty {
                    let help = super::one_of(v, &o.iter().map(String::as_str).collect::<Vec<_>>());
                    let f = Finding { code: codes::AGENT_PARAM_VALUE, span, message, label: "invalid value", help };
                    self.finding(f, waiver);
                } else {
                    // Agents' declared types are loose (Filesystem's boolean `force_unmount`
                    // also takes `safe`): a listed choice is a promise, a type only a hint.
                    let help = format!(
                        "the agent's metadata says `{name}` takes {}; if the agent documents this value, ignore this",
                        values::describe(ty)
                    );
                    self.warn(codes::AGENT_PARAM_VALUE, span, message, "unexpected value", help);
                }
            }
        }
    }

    /// The fencing parameters whose syntax Pacemaker parses itself.
    fn fencing_value(&mut self, name: &str, v: &str, span: Span, waiver: Option<&Waiver>) {
        let problem = match name {
            "pcmk_host_map" => host_map_problem(v),
            "pcmk_host_list" if v.split([' ', ',', ';', '\t']).all(str::is_empty) => Some("it names no node".into()),
            "pcmk_host_check" if !["dynamic-list", "static-list", "status", "none"].contains(&v) => {
                Some("allowed: dynamic-list, static-list, status, none".into())
            }
            _ => None,
        };
        if let Some(why) = problem {
            let message = format!("`{name}` is not valid: {why}");
            let help = match name {
                "pcmk_host_map" => "write `node1:port1;node2:port2` (`;`, `,` or spaces between entries)".into(),
                "pcmk_host_list" => "write the nodes this device can fence: `node1 node2` or `node1,node2`".into(),
                _ => "`pcmk_host_check` says how the device finds the nodes it can fence".into(),
            };
            self.finding(Finding { code: codes::FENCE_PARAM, span, message, label: "invalid", help }, waiver);
        }
    }

    fn ops(&mut self, r: &Rsc) {
        let Some(ops) = &r.raw.ops else { return };
        for o in ops {
            let name = &o.value.name;
            if !r.meta.actions.is_empty() && !r.meta.actions.contains(&name.value) {
                let actions: Vec<&str> = r.meta.actions.iter().map(String::as_str).collect();
                let message = format!("`{}` does not advertise an operation `{}`", r.agent, name.value);
                let help = super::one_of(&name.value, &actions);
                self.finding(
                    Finding { code: codes::AGENT_ACTION, span: name.span, message, label: "unknown operation", help },
                    r.waiver,
                );
            }
            self.check_level(&o.value.params, r.waiver);
        }
    }

    /// `OCF_CHECK_LEVEL`: a non-negative integer (agents know 0, 10, 20, ...).
    fn check_level(&mut self, params: &Attrs, waiver: Option<&Waiver>) {
        for (k, v) in params.iter().filter(|(k, _)| k.value == "OCF_CHECK_LEVEL") {
            if !v.value.0.bytes().all(|b| b.is_ascii_digit()) || v.value.0.is_empty() {
                let message = format!("`{}` is not a valid `{}`", v.value.0, k.value);
                let help = "write a depth the agent knows, e.g. `0`, `10` or `20`".to_string();
                self.finding(
                    Finding { code: codes::AGENT_CHECK_LEVEL, span: v.span, message, label: "invalid level", help },
                    waiver,
                );
            }
        }
    }

    fn collect_unique(&mut self, r: &Rsc) {
        let mut groups: HashMap<&str, Vec<&str>> = HashMap::new();
        for p in &r.meta.params {
            if let Some(g) = &p.unique_group {
                groups.entry(g).or_default().push(&p.name);
            }
        }
        for (group, names) in groups {
            let set: Vec<&(S<String>, S<crate::config::raw::Scalar>)> = r
                .raw
                .params
                .iter()
                .filter(|(k, v)| names.contains(&k.value.as_str()) && !v.value.0.is_empty())
                .collect();
            let Some((first, _)) = set.first() else { continue };
            let values = set.iter().map(|(k, v)| (k.value.clone(), v.value.0.clone())).collect();
            let key = (r.agent.to_string(), group.to_string());
            self.unique.entry(key).or_default().push((r.id.value.clone(), values, first.span, r.waiver.cloned()));
        }
    }

    fn report_unique(&mut self) {
        let unique = std::mem::take(&mut self.unique);
        for ((agent, _), uses) in unique {
            let mut first_use: HashMap<&BTreeMap<String, String>, (&str, Span)> = HashMap::new();
            for (id, values, span, waiver) in &uses {
                let Some(&(other, first)) = first_use.get(values) else {
                    first_use.insert(values, (id, *span));
                    continue;
                };
                let shown: Vec<String> = values.iter().map(|(k, v)| format!("`{k}` = `{v}`")).collect();
                let d = Finding {
                    code: codes::AGENT_PARAM_UNIQUE,
                    span: *span,
                    message: format!("{} is already used by `{other}`: `{agent}` needs it unique", shown.join(", ")),
                    label: "same value",
                    help: format!("give `{id}` its own value (two resources would fight over it)"),
                }
                .diag(self.src, waiver.as_ref())
                .label(first, format!("used by `{other}`"));
                self.diags.push(d);
            }
        }
    }
}

/// For an OCF agent of a provider the snapshot ships (heartbeat, pacemaker) that it does not
/// have: the snapshot's agent with a close name, if any (a typo such as `IPAddr2`). A name with
/// nothing close may be an agent newer than the snapshot, so it is not judged.
fn snapshot_typo(agent: &Agent) -> Option<String> {
    let provider =
        agent.provider.as_deref().filter(|p| agent.class == "ocf" && ["heartbeat", "pacemaker"].contains(p))?;
    let prefix = format!("ocf:{provider}:");
    let names: Vec<&str> = snapshot::get().names().filter_map(|n| n.strip_prefix(prefix.as_str())).collect();
    suggest(&agent.kind, names).map(|k| format!("{prefix}{k}"))
}

fn unknown_help(name: &str, meta: &AgentMeta, agent: &Agent) -> String {
    let mut names: Vec<&str> = meta.params.iter().filter(|p| !p.deprecated).map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    match suggest(name, meta.names()) {
        Some(s) => format!("did you mean `{s}`? `crm_resource --show-metadata {agent}` describes them"),
        None if names.is_empty() => format!("`{agent}` takes no parameters"),
        None if names.len() <= 30 => format!("allowed: {}", names.join(", ")),
        None => format!("`crm_resource --show-metadata {agent}` lists its {} parameters", names.len()),
    }
}

/// Pacemaker's `pcmk_host_map`: entries separated by `;`, `,` or white space, each
/// `NODE:PORT` or `NODE=PORT` (a `\` escapes the next character).
fn host_map_problem(v: &str) -> Option<String> {
    let mut entries = Vec::new();
    let mut cur = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => cur.extend(chars.next()),
            ';' | ',' | ' ' | '\t' | '\n' => entries.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    entries.push(cur);
    let entries: Vec<String> = entries.into_iter().filter(|e| !e.is_empty()).collect();
    if entries.is_empty() {
        return Some("it maps no node".into());
    }
    for e in &entries {
        match e.split_once([':', '=']) {
            Some((node, port)) if !node.is_empty() && !port.is_empty() => {}
            _ => return Some(format!("`{e}` is not `NODE:PORT`")),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_maps_parse_like_pacemaker() {
        assert_eq!(host_map_problem("n1:1;n2:2"), None);
        assert_eq!(host_map_problem("n1=1, n2=2"), None);
        assert_eq!(host_map_problem("n1:1 n2"), Some("`n2` is not `NODE:PORT`".into()));
        assert_eq!(host_map_problem(" ; "), Some("it maps no node".into()));
    }

    #[test]
    fn the_snapshot_catalog_names_its_source() {
        let a = agent_of("ocf:heartbeat:IPaddr2").unwrap();
        let u = agent_of("systemd:squid").unwrap();
        let x = agent_of("ocf:acme:Nothing").unwrap();
        let c = Catalog::offline([&a, &u, &x]);
        assert_eq!(c.get(&a).unwrap().origin, Origin::Snapshot);
        assert_eq!(c.get(&u).unwrap().origin, Origin::Unit);
        assert_eq!(c.get(&x).unwrap().origin, Origin::Nowhere);
        let s = c.summary();
        assert!(s.starts_with("agent metadata: snapshot of pacemaker ") && s.contains("(offline)"), "{s}");
        assert!(s.ends_with("none for `ocf:acme:Nothing`"), "{s}");
        assert!(c.get(&a).unwrap().meta.as_ref().unwrap().param("trace_ra").is_some());
    }
}
