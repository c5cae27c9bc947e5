//! Stage 3, in reverse: a CIB → the cluster file that describes it.
//!
//! `from_cib` reads a live configuration into the validated `model` the way a person would have
//! written it: values as Pacemaker holds them, rules in pcs syntax, no ids that pcs would
//! generate anyway, defaults left out. Whatever the model cannot express exactly (a bundle, a
//! primitive with several attribute sets, a rule with `id-ref`, an old-schema constraint, ...)
//! goes into the escape hatch (`raw:`) as the CIB element itself, with a note saying why;
//! nothing is dropped. `to_yaml` writes the model as text through `config::emit`.
//!
//! This module decides nothing about changes (`plan` does) and does no I/O. `ops::export`
//! checks the result by planning it against the same CIB.

use std::collections::{HashMap, HashSet};

use crate::cib::xml::Element;
use crate::cib::{is_plain_set, Cib};
use crate::config::emit::{self, Yaml};
use crate::desired::{self, DefaultOps};
use crate::model::{
    Agent, Clone, Cluster, Constraint, Group, LocationRule, Node, Op, Placement, Primitive, RawObject, RawPlace,
    Resource, ResourceSet,
};
use crate::plan::view::op_line;
use crate::rule;
use crate::vocab::{
    is_true, is_xml_id, normalize_score, parse_duration_ms, ACTIONS, DISCOVERY, ORDER_KINDS, PACEMAKER_OWNED, ROLES,
    STANDARDS,
};

/// What to export and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The cluster name when the CIB records none (`cluster-name`).
    pub cluster: Option<String>,
    /// Objects to write through the escape hatch even if they look expressible, as
    /// `resource:ID`, `constraint:ID`, `node:UNAME`, `section:NAME` (set by `ops::export` when
    /// the native form would not plan to zero changes).
    pub force_raw: HashMap<String, String>,
}

/// The result: the model and what the admin should know about it.
#[derive(Debug, Clone)]
pub struct Exported {
    pub model: Cluster,
    /// One line per object written as raw XML, or other remarks (lowercase, no final period).
    pub notes: Vec<String>,
}

/// The name used when neither the CIB nor the caller gives one.
pub const DEFAULT_NAME: &str = "cluster";

/// Read a CIB (and corosync.conf's facts, when there is one) into a cluster model.
pub fn from_cib(
    cib: &Cib,
    corosync: Option<&crate::corosync::Facts>,
    opts: &Options,
    defaults: &DefaultOps,
) -> Exported {
    let cfg = cib.configuration();
    let mut known = HashSet::new();
    crate::cib::nameable_ids(cfg, &mut known);
    let mut ex = Ex { opts, defaults, known, notes: Vec::new(), raw: Vec::new() };
    let from_conf = corosync.and_then(|f| f.cluster_name.as_deref());
    let name = match (from_conf.or(cib.cluster_name()), &opts.cluster) {
        (_, Some(n)) => n.clone(),
        (Some(n), None) => n.to_string(),
        (None, None) => {
            ex.notes.push(format!(
                "the CIB records no `cluster-name`; wrote `cluster: {DEFAULT_NAME}` (pass --cluster NAME to choose)"
            ));
            DEFAULT_NAME.to_string()
        }
    };
    let mut model = Cluster { name, ..Cluster::default() };
    if let Some(c) = cfg.child("crm_config") {
        model.properties = ex.properties(c);
    }
    if let Some(n) = cfg.child("nodes") {
        model.nodes = ex.nodes(n);
    }
    if let Some(f) = corosync {
        with_corosync(&mut model, f, &mut ex.notes);
    }
    for (section, slot) in [("rsc_defaults", &mut model.rsc_defaults), ("op_defaults", &mut model.op_defaults)] {
        if let Some(s) = cfg.child(section) {
            *slot = ex.defaults_section(s);
        }
    }
    if let Some(r) = cfg.child("resources") {
        model.resources = ex.resources(r);
    }
    if let Some(c) = cfg.child("constraints") {
        model.constraints = ex.constraints(c);
    }
    for other in cfg.elements().filter(|e| {
        !matches!(
            e.name.as_str(),
            "crm_config" | "nodes" | "resources" | "constraints" | "rsc_defaults" | "op_defaults"
        )
    }) {
        if other.elements().next().is_none() {
            continue; // an empty section means nothing
        }
        if RawPlace::of(&other.name) == Some(RawPlace::Section) {
            ex.raw(RawPlace::Section, other, "not modelled natively yet");
        } else {
            ex.notes
                .push(format!("`<{}>` is not a configuration section cibform knows; it is not exported", other.name));
        }
    }
    model.raw = ex.raw;
    Exported { model, notes: ex.notes }
}

/// Take node addresses and quorum options from corosync.conf: the CIB does not hold them.
fn with_corosync(model: &mut Cluster, f: &crate::corosync::Facts, notes: &mut Vec<String>) {
    for n in &mut model.nodes {
        if let Some(c) = f.nodes.iter().find(|c| c.name.as_deref() == Some(n.name.as_str())) {
            let links: Vec<u8> = c.addrs.keys().copied().collect();
            if links.iter().enumerate().all(|(i, l)| usize::from(*l) == i) {
                n.addrs = c.addrs.values().cloned().collect();
            } else {
                notes.push(format!("node `{}` uses links {links:?} in corosync.conf; addresses are written for links numbered from 0 only, so they are not exported", n.name));
            }
        }
    }
    for c in &f.nodes {
        if !model.nodes.iter().any(|n| Some(n.name.as_str()) == c.name.as_deref()) {
            notes.push(format!("node `{}` is in corosync.conf but not in the CIB's nodes; it is not exported (Pacemaker adds it when it joins)", c.name.as_deref().unwrap_or("?")));
        }
    }
    let q = &mut model.quorum;
    q.two_node = f.quorum.contains_key("two_node").then(|| f.quorum_flag("two_node").unwrap_or(false));
    q.wait_for_all = f.quorum.contains_key("wait_for_all").then(|| f.quorum_flag("wait_for_all").unwrap_or(false));
    q.last_man_standing =
        f.quorum.contains_key("last_man_standing").then(|| f.quorum_flag("last_man_standing").unwrap_or(false));
    q.auto_tie_breaker =
        f.quorum.contains_key("auto_tie_breaker").then(|| f.quorum_flag("auto_tie_breaker").unwrap_or(false));
    q.expected_votes = f.quorum.get("expected_votes").and_then(|v| v.parse().ok());
}

struct Ex<'a> {
    opts: &'a Options,
    defaults: &'a DefaultOps,
    known: HashSet<String>,
    notes: Vec<String>,
    raw: Vec<RawObject>,
}

type Pairs = Vec<(String, String)>;

/// Why an object cannot be written natively.
type Why = String;

fn describe(el: &Element) -> String {
    match el.id() {
        Some(id) => format!("<{} id=\"{id}\">", el.name),
        None => format!("<{}>", el.name),
    }
}

/// Attributes of `el` outside `allowed` (and `id`).
fn extra_attr(el: &Element, allowed: &[&str]) -> Result<(), Why> {
    match el.attrs.iter().find(|(k, _)| k != "id" && !allowed.contains(&k.as_str())) {
        Some((k, _)) => Err(format!("`{}` has attribute `{k}`", el.name)),
        None => Ok(()),
    }
}

/// The pairs of the plain sets named `tag` under `el`, merged (no name given twice).
fn plain_pairs(el: &Element, tag: &str) -> Result<Pairs, Why> {
    let mut out: Pairs = Vec::new();
    for set in el.elements().filter(|e| e.name == tag) {
        if !is_plain_set(set) {
            return Err(format!("`{tag}` with a rule, score or id-ref"));
        }
        extra_attr(set, &[])?;
        if set.children.iter().any(|n| !matches!(n, crate::cib::xml::Node::Element(_))) {
            return Err(format!("`{tag}` with comments or text"));
        }
        for nv in set.elements() {
            if nv.name != "nvpair" {
                return Err(format!("`<{}>` in `{tag}`", nv.name));
            }
            extra_attr(nv, &["name", "value"])?;
            let name = nv.attr("name").unwrap_or_default();
            if name.is_empty() {
                return Err(format!("an nvpair without a name in `{tag}`"));
            }
            if out.iter().any(|(k, _)| k == name) {
                return Err(format!("`{name}` set twice in `{tag}`"));
            }
            out.push((name.to_string(), nv.attr("value").unwrap_or_default().to_string()));
        }
    }
    Ok(out)
}

fn check_role(role: &str) -> Result<(), Why> {
    if ROLES.contains(&role) {
        Ok(())
    } else {
        Err(format!("role `{role}`"))
    }
}

fn check_bool(v: &str, what: &str) -> Result<(), Why> {
    if matches!(v, "true" | "false") {
        Ok(())
    } else {
        Err(format!("`{what}=\"{v}\"` (not `true` or `false`)"))
    }
}

fn score(v: Option<&str>, what: &str) -> Result<String, Why> {
    let v = v.ok_or_else(|| format!("`{what}` without a score"))?;
    normalize_score(v).ok_or_else(|| format!("score `{v}`"))
}

impl Ex<'_> {
    fn raw(&mut self, place: RawPlace, el: &Element, why: &str) {
        self.notes.push(format!("`{}` written as raw XML: {why}", describe(el)));
        self.raw.push(RawObject { place, element: el.clone() });
    }

    fn forced(&self, key: &str) -> Option<String> {
        self.opts.force_raw.get(key).cloned()
    }

    // ------------------------------------------------------------ properties and defaults

    fn properties(&mut self, crm: &Element) -> Pairs {
        let mut out: Pairs = Vec::new();
        for set in crm.elements() {
            if set.name != "cluster_property_set" || !is_plain_set(set) {
                self.raw(RawPlace::PropertySet, set, "it has a rule or a score");
                continue;
            }
            for nv in set.elements().filter(|e| e.name == "nvpair") {
                let name = nv.attr("name").unwrap_or_default();
                if PACEMAKER_OWNED.contains(&name) || name.is_empty() {
                    continue;
                }
                let value = nv.attr("value").unwrap_or_default().to_string();
                // The view lets a later plain set win; so does the file.
                match out.iter_mut().find(|(k, _)| k == name) {
                    Some(slot) => slot.1 = value,
                    None => out.push((name.to_string(), value)),
                }
            }
        }
        out
    }

    fn defaults_section(&mut self, section: &Element) -> Pairs {
        let key = format!("section:{}", section.name);
        let native =
            match self.forced(&key) {
                Some(why) => Err(why),
                None => section
                    .elements()
                    .try_for_each(|e| {
                        if e.name == "meta_attributes" {
                            Ok(())
                        } else {
                            Err(format!("`<{}>` in it", e.name))
                        }
                    })
                    .and_then(|()| plain_pairs(section, "meta_attributes")),
            };
        match native {
            Ok(p) => p,
            Err(why) => {
                if section.elements().next().is_some() {
                    self.raw(RawPlace::Section, section, &why);
                }
                Vec::new()
            }
        }
    }

    // ------------------------------------------------------------ nodes

    fn nodes(&mut self, nodes: &Element) -> Vec<Node> {
        let mut out: Vec<Node> = Vec::new();
        for n in nodes.elements() {
            if n.name != "node" {
                continue;
            }
            let uname = n.attr("uname").unwrap_or_default();
            let key = format!("node:{uname}");
            let native = match self.forced(&key) {
                Some(why) => Err(why),
                None => self.node(n, &out),
            };
            match native {
                Ok(node) => out.push(node),
                Err(why) => {
                    if uname.is_empty() {
                        self.notes.push(format!(
                            "`{}` has no `uname`; cibform leaves such nodes alone, it is not exported",
                            describe(n)
                        ));
                    } else {
                        self.raw(RawPlace::Node, n, &why);
                    }
                }
            }
        }
        out
    }

    fn node(&self, n: &Element, seen: &[Node]) -> Result<Node, Why> {
        extra_attr(n, &["uname", "type"])?;
        if n.attr("type").is_some_and(|t| t != "member") {
            return Err(format!("node type `{}`", n.attr("type").unwrap_or_default()));
        }
        let uname = n.attr("uname").unwrap_or_default();
        if uname.is_empty() {
            return Err("no uname".into());
        }
        let id = n
            .id()
            .and_then(|i| i.parse::<u32>().ok())
            .filter(|i| *i > 0 && i.to_string() == n.id().unwrap_or_default())
            .ok_or_else(|| format!("node id `{}` is not a corosync node id", n.id().unwrap_or_default()))?;
        if seen.iter().any(|s| s.id == id || s.name == uname) {
            return Err("its id or name is used by another node".into());
        }
        for c in n.elements() {
            if !matches!(c.name.as_str(), "instance_attributes" | "utilization") {
                return Err(format!("`<{}>` in it", c.name));
            }
        }
        let mut attributes = plain_pairs(n, "instance_attributes")?;
        if let Some(pos) = attributes.iter().position(|(k, _)| k == "standby") {
            let (_, v) = attributes.remove(pos);
            if is_true(&v) {
                attributes.push(("standby".into(), "on".into()));
            }
        }
        Ok(Node {
            name: uname.to_string(),
            id,
            addrs: Vec::new(),
            attributes,
            utilization: plain_pairs(n, "utilization")?,
        })
    }

    // ------------------------------------------------------------ resources

    fn resources(&mut self, resources: &Element) -> Vec<Resource> {
        let mut out = Vec::new();
        for r in resources.elements() {
            let id = r.id().unwrap_or_default();
            let forced = self.forced(&format!("resource:{id}"));
            let native = match (forced, r.name.as_str()) {
                (Some(why), _) => Err(why),
                (None, "primitive") => self.primitive(r).map(Resource::Primitive),
                (None, "group") => self.group(r).map(Resource::Group),
                (None, "clone" | "master") => self.clone(r).map(Resource::Clone),
                (None, "bundle") => Err("bundles are not modelled natively yet".into()),
                (None, "template") => Err("templates are not modelled natively yet".into()),
                (None, other) => Err(format!("`<{other}>` is not modelled natively")),
            };
            match native {
                Ok(res) => out.push(res),
                Err(why) => {
                    if RawPlace::of(&r.name) == Some(RawPlace::Resource) {
                        self.raw(RawPlace::Resource, r, &why);
                    } else {
                        self.notes
                            .push(format!("`{}` is not a resource cibform knows; it is not exported", describe(r)));
                    }
                }
            }
        }
        out
    }

    fn object_id(el: &Element) -> Result<String, Why> {
        let id = el.id().unwrap_or_default();
        if is_xml_id(id) {
            Ok(id.to_string())
        } else {
            Err(format!("id `{id}` is not one a cluster file accepts"))
        }
    }

    fn primitive(&self, p: &Element) -> Result<Primitive, Why> {
        extra_attr(p, &["class", "provider", "type", "description"])?;
        let id = Self::object_id(p)?;
        let class = p.attr("class").unwrap_or_default();
        let kind = p.attr("type").unwrap_or_default();
        if !STANDARDS.contains(&class) || kind.is_empty() || kind.contains(':') {
            return Err(format!("agent class `{class}` or type `{kind}`"));
        }
        let provider = p.attr("provider").map(str::to_string);
        if (class == "ocf") != provider.is_some()
            || provider.as_deref().is_some_and(|p| p.is_empty() || p.contains(':'))
        {
            return Err("the agent's provider does not fit its class".into());
        }
        for c in p.elements() {
            if !matches!(c.name.as_str(), "instance_attributes" | "meta_attributes" | "utilization" | "operations") {
                return Err(format!("`<{}>` in it", c.name));
            }
        }
        let agent = Agent { class: class.into(), provider, kind: kind.into() };
        let ops = match p.child("operations") {
            None => Vec::new(),
            Some(ops) => {
                if p.elements().filter(|e| e.name == "operations").count() > 1 {
                    return Err("several `operations`".into());
                }
                extra_attr(ops, &[])?;
                let mut out = Vec::new();
                for o in ops.elements() {
                    out.push(self.op(o)?);
                }
                let mut seen = HashSet::new();
                for (o, el) in out.iter().zip(ops.elements()) {
                    let key = (
                        o.name.clone(),
                        parse_duration_ms(&o.interval).unwrap_or(0),
                        el.attr("role").map(str::to_string),
                    );
                    if !seen.insert(key) {
                        return Err(format!("operation `{} {}` given twice", o.name, o.interval));
                    }
                }
                out
            }
        };
        // Omitted ops mean "the agent's defaults on create, not managed after": exactly the same
        // when the live ops are those defaults.
        let defaults = desired::default_ops_for(&agent, self.defaults);
        let ops = if !ops.is_empty() && op_lines(&ops) == op_lines(&defaults) { None } else { Some(ops) };
        Ok(Primitive {
            id,
            agent,
            description: p.attr("description").map(str::to_string),
            params: plain_pairs(p, "instance_attributes")?,
            meta: plain_pairs(p, "meta_attributes")?,
            utilization: plain_pairs(p, "utilization")?,
            ops,
        })
    }

    fn op(&self, o: &Element) -> Result<Op, Why> {
        if o.name != "op" {
            return Err(format!("`<{}>` in `operations`", o.name));
        }
        const OP_ATTRS: &[&str] = &[
            "name",
            "interval",
            "timeout",
            "role",
            "on-fail",
            "start-delay",
            "interval-origin",
            "record-pending",
            "enabled",
            "description",
        ];
        extra_attr(o, OP_ATTRS)?;
        let name = o.attr("name").unwrap_or_default();
        if name.is_empty() {
            return Err("an operation without a name".into());
        }
        let interval = o.attr("interval").unwrap_or("0s");
        for a in ["interval", "timeout"] {
            if let Some(v) = o.attr(a) {
                if parse_duration_ms(v).is_none() {
                    return Err(format!("operation {a} `{v}`"));
                }
            }
        }
        if let Some(r) = o.attr("role") {
            check_role(r)?;
        }
        if let Some(e) = o.attr("enabled") {
            check_bool(e, "enabled")?;
        }
        for c in o.elements() {
            if !matches!(c.name.as_str(), "instance_attributes" | "meta_attributes") {
                return Err(format!("`<{}>` in an operation", c.name));
            }
        }
        let attrs = OP_ATTRS[2..].iter().filter_map(|k| o.attr(k).map(|v| (k.to_string(), v.to_string()))).collect();
        Ok(Op {
            name: name.into(),
            interval: interval.into(),
            attrs,
            meta: plain_pairs(o, "meta_attributes")?,
            params: plain_pairs(o, "instance_attributes")?,
        })
    }

    fn group(&self, g: &Element) -> Result<Group, Why> {
        extra_attr(g, &["description"])?;
        let id = Self::object_id(g)?;
        let mut members = Vec::new();
        for c in g.elements() {
            match c.name.as_str() {
                "primitive" => members
                    .push(self.primitive(c).map_err(|w| format!("member `{}`: {w}", c.id().unwrap_or_default()))?),
                "meta_attributes" => {}
                other => return Err(format!("`<{other}>` in it")),
            }
        }
        if members.is_empty() {
            return Err("it has no members".into());
        }
        Ok(Group {
            id,
            description: g.attr("description").map(str::to_string),
            members,
            meta: plain_pairs(g, "meta_attributes")?,
        })
    }

    fn clone(&self, c: &Element) -> Result<Clone, Why> {
        extra_attr(c, &["description"])?;
        let id = Self::object_id(c)?;
        let mut child = None;
        for e in c.elements() {
            let res = match e.name.as_str() {
                "primitive" => Resource::Primitive(
                    self.primitive(e).map_err(|w| format!("`{}`: {w}", e.id().unwrap_or_default()))?,
                ),
                "group" => {
                    Resource::Group(self.group(e).map_err(|w| format!("`{}`: {w}", e.id().unwrap_or_default()))?)
                }
                "meta_attributes" => continue,
                other => return Err(format!("`<{other}>` in it")),
            };
            if child.replace(res).is_some() {
                return Err("it holds more than one resource".into());
            }
        }
        let child = child.ok_or("it holds no resource")?;
        let mut meta = plain_pairs(c, "meta_attributes")?;
        let mut promotable = c.name == "master";
        if let Some(pos) = meta.iter().position(|(k, _)| k == "promotable") {
            promotable |= is_true(&meta.remove(pos).1);
        }
        Ok(Clone {
            id,
            description: c.attr("description").map(str::to_string),
            promotable,
            meta,
            child: Box::new(child),
        })
    }

    // ------------------------------------------------------------ constraints

    fn constraints(&mut self, cons: &Element) -> Vec<Constraint> {
        let mut out = Vec::new();
        for c in cons.elements() {
            let id = c.id().unwrap_or_default();
            let native = match self.forced(&format!("constraint:{id}")) {
                Some(why) => Err(why),
                None => self.constraint(c),
            };
            match native {
                Ok(mut con) => {
                    // Leave out the id pcs would generate anyway.
                    if desired::constraint_base_id(&con) == id {
                        set_constraint_id(&mut con, None);
                    }
                    out.push(con);
                }
                Err(why) => {
                    if RawPlace::of(&c.name) == Some(RawPlace::Constraint) {
                        self.raw(RawPlace::Constraint, c, &why);
                    } else {
                        self.notes
                            .push(format!("`{}` is not a constraint cibform knows; it is not exported", describe(c)));
                    }
                }
            }
        }
        out
    }

    fn rsc(&self, c: &Element, attr: &str) -> Result<String, Why> {
        let r = c.attr(attr).ok_or_else(|| format!("`{}` without `{attr}`", c.name))?;
        if self.known.contains(r) {
            Ok(r.to_string())
        } else {
            Err(format!("it names `{r}`, which is not in the configuration"))
        }
    }

    fn constraint(&self, c: &Element) -> Result<Constraint, Why> {
        let id = Some(Self::object_id(c)?);
        let role = |a: &str| -> Result<Option<String>, Why> {
            match c.attr(a) {
                Some(r) => check_role(r).map(|()| Some(r.to_string())),
                None => Ok(None),
            }
        };
        match c.name.as_str() {
            "rsc_location" => {
                extra_attr(c, &["rsc", "node", "score", "role", "resource-discovery"])?;
                let rsc = self.rsc(c, "rsc")?;
                let discovery = match c.attr("resource-discovery") {
                    Some(d) if DISCOVERY.contains(&d) => Some(d.to_string()),
                    Some(d) => return Err(format!("resource-discovery `{d}`")),
                    None => None,
                };
                let children: Vec<&Element> = c.elements().collect();
                if c.children.len() != children.len() {
                    return Err("comments or text in it".into());
                }
                let (placement, role) = match (c.attr("node"), children.as_slice()) {
                    (Some(node), []) => (
                        Placement::Node { node: node.to_string(), score: score(c.attr("score"), "rsc_location")? },
                        role("role")?,
                    ),
                    (None, [r]) if r.name == "rule" && c.attr("score").is_none() => {
                        if c.attr("role").is_some() {
                            return Err("a role on a constraint with a rule".into());
                        }
                        extra_attr(r, &["boolean-op", "score", "role"])?;
                        let rule_role = match r.attr("role") {
                            Some(x) => {
                                check_role(x)?;
                                Some(x.to_string())
                            }
                            None => None,
                        };
                        let parsed = rule::from_xml(r)?;
                        (
                            Placement::Rule(LocationRule {
                                rule: parsed,
                                score: score(r.attr("score"), "rule")?,
                                role: rule_role,
                            }),
                            None,
                        )
                    }
                    _ => return Err("not one node with a score, nor one rule".into()),
                };
                Ok(Constraint::Location { id, rsc, placement, role, discovery })
            }
            "rsc_colocation" => {
                let sets = self.sets(c)?;
                if sets.is_empty() {
                    extra_attr(c, &["rsc", "with-rsc", "score", "rsc-role", "with-rsc-role"])?;
                    Ok(Constraint::Colocation {
                        id,
                        rsc: self.rsc(c, "rsc")?,
                        with: self.rsc(c, "with-rsc")?,
                        score: score(c.attr("score"), "rsc_colocation")?,
                        role: role("rsc-role")?,
                        with_role: role("with-rsc-role")?,
                    })
                } else {
                    extra_attr(c, &["score"])?;
                    Ok(Constraint::ColocationSets { id, sets, score: score(c.attr("score"), "rsc_colocation")? })
                }
            }
            "rsc_order" => {
                let sets = self.sets(c)?;
                let mut attrs = Vec::new();
                for a in ["kind", "score", "symmetrical", "first-action", "then-action"] {
                    let Some(v) = c.attr(a) else { continue };
                    match a {
                        "kind" if !ORDER_KINDS.contains(&v) => return Err(format!("kind `{v}`")),
                        "score" => {
                            attrs.push((a.to_string(), score(Some(v), "rsc_order")?));
                            continue;
                        }
                        "symmetrical" => check_bool(v, a)?,
                        "first-action" | "then-action" if !ACTIONS.contains(&v) => return Err(format!("{a} `{v}`")),
                        _ => {}
                    }
                    attrs.push((a.to_string(), v.to_string()));
                }
                if sets.is_empty() {
                    extra_attr(c, &["first", "then", "kind", "score", "symmetrical", "first-action", "then-action"])?;
                    Ok(Constraint::Order { id, first: self.rsc(c, "first")?, then: self.rsc(c, "then")?, attrs })
                } else {
                    extra_attr(c, &["kind", "score", "symmetrical"])?;
                    if attrs.iter().any(|(k, _)| k.ends_with("-action")) {
                        return Err("actions on an order of sets".into());
                    }
                    Ok(Constraint::OrderSets { id, sets, attrs })
                }
            }
            other => Err(format!("`<{other}>` is not modelled natively yet")),
        }
    }

    /// The resource sets of a constraint (empty when it has none; an error for anything else).
    fn sets(&self, c: &Element) -> Result<Vec<ResourceSet>, Why> {
        if c.children.len() != c.elements().count() {
            return Err("comments or text in it".into());
        }
        let mut out = Vec::new();
        for s in c.elements() {
            if s.name != "resource_set" {
                return Err(format!("`<{}>` in it", s.name));
            }
            extra_attr(s, &["sequential", "require-all", "role", "action", "score"])?;
            let mut attrs = Vec::new();
            for a in ["sequential", "require-all", "role", "action", "score"] {
                let Some(v) = s.attr(a) else { continue };
                let v = match a {
                    "sequential" | "require-all" => check_bool(v, a).map(|()| v.to_string())?,
                    "role" => check_role(v).map(|()| v.to_string())?,
                    "action" if !ACTIONS.contains(&v) => return Err(format!("set action `{v}`")),
                    "score" => score(Some(v), "resource_set")?,
                    _ => v.to_string(),
                };
                attrs.push((a.to_string(), v));
            }
            let mut resources = Vec::new();
            for r in s.elements() {
                if r.name != "resource_ref" {
                    return Err(format!("`<{}>` in a resource set", r.name));
                }
                resources.push(self.rsc(r, "id")?);
            }
            if resources.is_empty() {
                return Err("an empty resource set".into());
            }
            out.push(ResourceSet { id: None, resources, attrs });
        }
        Ok(out)
    }
}

fn set_constraint_id(c: &mut Constraint, new: Option<String>) {
    match c {
        Constraint::Location { id, .. }
        | Constraint::Colocation { id, .. }
        | Constraint::ColocationSets { id, .. }
        | Constraint::Order { id, .. }
        | Constraint::OrderSets { id, .. } => *id = new,
    }
}

/// Operations as the plan compares them (name, interval, role → settings), sorted.
fn op_lines(ops: &[Op]) -> Vec<(String, String)> {
    let mut lines: Vec<(String, String)> = ops
        .iter()
        .map(|o| {
            let mut el = Element::new("op").with_attr("name", &o.name).with_attr("interval", &o.interval);
            for (k, v) in &o.attrs {
                el.set_attr(k, v);
            }
            for (tag, pairs) in [("instance_attributes", &o.params), ("meta_attributes", &o.meta)] {
                if !pairs.is_empty() {
                    let mut set = Element::new(tag);
                    for (k, v) in pairs {
                        set = set.with_child(Element::new("nvpair").with_attr("name", k).with_attr("value", v));
                    }
                    el = el.with_child(set);
                }
            }
            op_line(&el)
        })
        .collect();
    lines.sort();
    lines
}

// ---------------------------------------------------------------- model → YAML

fn pairs_yaml(pairs: &[(String, String)]) -> Yaml {
    Yaml::Map(pairs.iter().map(|(k, v)| (k.clone(), Yaml::text(v))).collect())
}

fn push_pairs(m: &mut Vec<(String, Yaml)>, key: &str, pairs: &[(String, String)]) {
    if !pairs.is_empty() {
        m.push((key.into(), pairs_yaml(pairs)));
    }
}

/// `meta` without `target-role=Stopped`, and whether it was there (`enabled: false`).
fn split_enabled(meta: &[(String, String)]) -> (Vec<(String, String)>, bool) {
    let stopped = meta.iter().any(|(k, v)| k == "target-role" && v == "Stopped");
    let rest = meta.iter().filter(|(k, v)| !(stopped && k == "target-role" && v == "Stopped")).cloned().collect();
    (rest, stopped)
}

fn op_yaml(o: &Op) -> Yaml {
    let mut m = vec![("name".to_string(), Yaml::str(&o.name))];
    if !matches!(o.interval.as_str(), "0" | "0s") {
        m.push(("interval".into(), Yaml::text(&o.interval)));
    }
    for (k, v) in &o.attrs {
        let y = match k.as_str() {
            "enabled" => Yaml::Bool(v == "true"),
            "timeout" | "start-delay" | "interval-origin" | "record-pending" => Yaml::text(v),
            _ => Yaml::str(v),
        };
        m.push((k.clone(), y));
    }
    push_pairs(&mut m, "params", &o.params);
    push_pairs(&mut m, "meta", &o.meta);
    Yaml::Map(m)
}

fn primitive_yaml(p: &Primitive) -> Yaml {
    let mut m = vec![("agent".to_string(), Yaml::str(p.agent.to_string()))];
    if let Some(d) = &p.description {
        m.push(("description".into(), Yaml::str(d)));
    }
    let (meta, stopped) = split_enabled(&p.meta);
    if stopped {
        m.push(("enabled".into(), Yaml::Bool(false)));
    }
    push_pairs(&mut m, "params", &p.params);
    push_pairs(&mut m, "meta", &meta);
    push_pairs(&mut m, "utilization", &p.utilization);
    if let Some(ops) = &p.ops {
        m.push(("ops".into(), Yaml::Seq(ops.iter().map(op_yaml).collect())));
    }
    Yaml::Map(m)
}

fn container_extras(m: &mut Vec<(String, Yaml)>, description: Option<&String>, meta: &[(String, String)]) {
    let (meta, stopped) = split_enabled(meta);
    if stopped {
        m.push(("enabled".into(), Yaml::Bool(false)));
    }
    if let Some(d) = description {
        m.push(("description".into(), Yaml::str(d)));
    }
    push_pairs(m, "meta", &meta);
}

fn group_yaml(g: &Group) -> Yaml {
    let members = Yaml::Seq(g.members.iter().map(|p| Yaml::str(&p.id)).collect());
    if g.meta.is_empty() && g.description.is_none() {
        return members;
    }
    let mut m = vec![("members".to_string(), members)];
    container_extras(&mut m, g.description.as_ref(), &g.meta);
    Yaml::Map(m)
}

fn clone_yaml(c: &Clone) -> Yaml {
    let child = c.child.id();
    if c.meta.is_empty() && c.description.is_none() && !c.promotable {
        return Yaml::str(child);
    }
    let mut m = vec![("resource".to_string(), Yaml::str(child))];
    if c.promotable {
        m.push(("promotable".into(), Yaml::Bool(true)));
    }
    container_extras(&mut m, c.description.as_ref(), &c.meta);
    Yaml::Map(m)
}

fn sets_yaml(sets: &[ResourceSet]) -> Yaml {
    Yaml::Seq(
        sets.iter()
            .map(|s| {
                let ids = Yaml::Seq(s.resources.iter().map(Yaml::str).collect());
                if s.attrs.is_empty() && s.id.is_none() {
                    return ids;
                }
                let mut m = vec![("resources".to_string(), ids)];
                for (k, v) in &s.attrs {
                    let y = match k.as_str() {
                        "sequential" | "require-all" => Yaml::Bool(v == "true"),
                        "score" => Yaml::text(v),
                        _ => Yaml::str(v),
                    };
                    m.push((k.clone(), y));
                }
                if let Some(id) = &s.id {
                    m.push(("id".into(), Yaml::str(id)));
                }
                Yaml::Map(m)
            })
            .collect(),
    )
}

fn constraint_yaml(c: &Constraint) -> Yaml {
    let mut m: Vec<(String, Yaml)> = Vec::new();
    let opt = |m: &mut Vec<(String, Yaml)>, k: &str, v: &Option<String>| {
        if let Some(v) = v {
            m.push((k.into(), Yaml::str(v)));
        }
    };
    let cid = match c {
        Constraint::Location { id, rsc, placement, role, discovery } => {
            m.push(("location".into(), Yaml::str(rsc)));
            match placement {
                Placement::Node { node, score } => {
                    m.push(("node".into(), Yaml::str(node)));
                    m.push(("score".into(), Yaml::text(score)));
                    opt(&mut m, "role", role);
                }
                Placement::Rule(lr) => {
                    m.push(("rule".into(), Yaml::str(rule::to_text(&lr.rule))));
                    m.push(("score".into(), Yaml::text(&lr.score)));
                    opt(&mut m, "role", &lr.role);
                }
            }
            opt(&mut m, "resource-discovery", discovery);
            id
        }
        Constraint::Colocation { id, rsc, with, score, role, with_role } => {
            m.push(("colocation".into(), Yaml::str(rsc)));
            m.push(("with".into(), Yaml::str(with)));
            m.push(("score".into(), Yaml::text(score)));
            opt(&mut m, "role", role);
            opt(&mut m, "with-role", with_role);
            id
        }
        Constraint::ColocationSets { id, sets, score } => {
            m.push(("colocation".into(), sets_yaml(sets)));
            m.push(("score".into(), Yaml::text(score)));
            id
        }
        Constraint::Order { id, first, then, attrs } => {
            m.push(("order".into(), Yaml::str(first)));
            m.push(("then".into(), Yaml::str(then)));
            order_attrs(&mut m, attrs);
            id
        }
        Constraint::OrderSets { id, sets, attrs } => {
            m.push(("order".into(), sets_yaml(sets)));
            order_attrs(&mut m, attrs);
            id
        }
    };
    if let Some(id) = cid {
        m.push(("id".into(), Yaml::str(id)));
    }
    Yaml::Map(m)
}

fn order_attrs(m: &mut Vec<(String, Yaml)>, attrs: &[(String, String)]) {
    for (k, v) in attrs {
        let y = match k.as_str() {
            "symmetrical" => Yaml::Bool(v == "true"),
            "score" => Yaml::text(v),
            _ => Yaml::str(v),
        };
        m.push((k.clone(), y));
    }
}

fn node_yaml(n: &Node) -> Yaml {
    let mut m = vec![("id".to_string(), Yaml::Int(u64::from(n.id)))];
    if !n.addrs.is_empty() {
        m.push(("addrs".into(), Yaml::Seq(n.addrs.iter().map(Yaml::text).collect())));
    }
    let standby = n.attributes.iter().any(|(k, v)| k == "standby" && v == "on");
    let attrs: Vec<(String, String)> = n.attributes.iter().filter(|(k, _)| k != "standby").cloned().collect();
    if standby {
        m.push(("standby".into(), Yaml::Bool(true)));
    }
    push_pairs(&mut m, "attributes", &attrs);
    push_pairs(&mut m, "utilization", &n.utilization);
    Yaml::Map(m)
}

/// Flatten the resource tree into the file's `resources`, `groups` and `clones`.
fn collect_resources(
    r: &Resource,
    prims: &mut Vec<(String, Yaml)>,
    groups: &mut Vec<(String, Yaml)>,
    clones: &mut Vec<(String, Yaml)>,
) {
    match r {
        Resource::Primitive(p) => prims.push((p.id.clone(), primitive_yaml(p))),
        Resource::Group(g) => {
            for p in &g.members {
                prims.push((p.id.clone(), primitive_yaml(p)));
            }
            groups.push((g.id.clone(), group_yaml(g)));
        }
        Resource::Clone(c) => {
            collect_resources(&c.child, prims, groups, clones);
            clones.push((c.id.clone(), clone_yaml(c)));
        }
    }
}

/// The cluster file for a model, as text.
pub fn to_yaml(model: &Cluster) -> String {
    let mut top: Vec<(String, Yaml)> = vec![("cluster".into(), Yaml::str(&model.name))];
    if let Some(t) = &model.target {
        top.push(("target".into(), Yaml::str(t)));
    }
    if !model.nodes.is_empty() {
        top.push(("nodes".into(), Yaml::Map(model.nodes.iter().map(|n| (n.name.clone(), node_yaml(n))).collect())));
    }
    let q = &model.quorum;
    let mut quorum = Vec::new();
    for (k, v) in [
        ("two_node", q.two_node),
        ("wait_for_all", q.wait_for_all),
        ("last_man_standing", q.last_man_standing),
        ("auto_tie_breaker", q.auto_tie_breaker),
    ] {
        if let Some(v) = v {
            quorum.push((k.to_string(), Yaml::Bool(v)));
        }
    }
    if let Some(e) = q.expected_votes {
        quorum.push(("expected_votes".into(), Yaml::Int(u64::from(e))));
    }
    if !quorum.is_empty() {
        top.push(("quorum".into(), Yaml::Map(quorum)));
    }
    push_pairs(&mut top, "properties", &model.properties);
    push_pairs(&mut top, "rsc_defaults", &model.rsc_defaults);
    push_pairs(&mut top, "op_defaults", &model.op_defaults);
    let (mut prims, mut groups, mut clones) = (Vec::new(), Vec::new(), Vec::new());
    for r in &model.resources {
        collect_resources(r, &mut prims, &mut groups, &mut clones);
    }
    for (k, v) in [("resources", prims), ("groups", groups), ("clones", clones)] {
        if !v.is_empty() {
            top.push((k.into(), Yaml::Map(v)));
        }
    }
    if !model.constraints.is_empty() {
        top.push(("constraints".into(), Yaml::Seq(model.constraints.iter().map(constraint_yaml).collect())));
    }
    if !model.raw.is_empty() {
        top.push((
            "raw".into(),
            Yaml::Commented(
                vec!["Objects the cluster file cannot express natively yet, as CIB XML.".into()],
                Box::new(Yaml::Seq(model.raw.iter().map(|r| Yaml::Block(r.element.to_xml())).collect())),
            ),
        ));
    }
    let mut out = String::from("# Written by `cibform export`; `cibform schema` prints the file's shape.\n");
    out.push_str(&emit::to_string(&top));
    out
}

// ---------------------------------------------------------------- self-check support

/// For each change in a plan of the exported file against its own CIB, the object to write
/// through the escape hatch instead (`resource:TOP`, `constraint:ID`, `node:UNAME`,
/// `section:NAME`) and why. Changes that no escape hatch can absorb are left out.
pub fn raw_keys(plan: &crate::plan::Plan, live: &Element) -> Vec<(String, String)> {
    use crate::plan::view::Section;
    let mut out = Vec::new();
    for c in &plan.changes {
        let why = match c.attrs.first() {
            Some(a) => format!(
                "its native form would plan a change ({}: {} → {})",
                a.key,
                a.before.as_deref().unwrap_or("none"),
                a.after.as_deref().unwrap_or("none")
            ),
            None => "its native form would plan a change".to_string(),
        };
        let key = match c.key.section {
            Section::Resources => {
                live.child("resources").and_then(|r| top_holder(r, &c.key.id)).map(|top| format!("resource:{top}"))
            }
            Section::Constraints => Some(format!("constraint:{}", c.key.id)),
            Section::Nodes => Some(format!("node:{}", c.key.id)),
            Section::Properties if c.key.kind != "properties" => Some(format!("section:{}", c.key.kind)),
            _ => None,
        };
        if let Some(k) = key {
            out.push((k, why));
        }
    }
    out
}

/// The id of the top-level object in `resources` that holds (or is) `id`.
fn top_holder(resources: &Element, id: &str) -> Option<String> {
    resources.elements().find(|top| top.find_id(id).is_some()).and_then(|top| top.id().map(str::to_string))
}
