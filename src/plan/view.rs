//! Stage 4a: the semantic view of a configuration.
//!
//! Flattens every object Pacemaker configures (properties, nodes, primitives, groups, clones,
//! constraints, ...) into `key = value` lines that mean the same whatever tool wrote the XML: ids of
//! nvpairs/ops/rules, attribute and element order, whitespace and default values vanish; durations
//! and scores are canonical; roles go by their current names (`Master` is `Promoted`); rules
//! print in pcs syntax. Two configurations are equal for cibform
//! exactly when their views are equal. Pure functions; no I/O.

use std::collections::BTreeMap;

mod acls;
mod tree;
pub use tree::semantic_xml;

use crate::cib::is_plain_set;
use crate::cib::xml::{Element, XmlStr};
use crate::rule;
use crate::vocab::{canonical_bool, canonical_duration, canonical_role, is_true, normalize_score, PACEMAKER_OWNED};

/// Which part of the configuration an object belongs to (also the plan's display order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Properties,
    Nodes,
    Resources,
    Constraints,
    Other,
}

/// An object's identity: its kind (element name or `properties`, ...) and id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjKey {
    pub section: Section,
    pub kind: String,
    pub id: String,
}

/// An object's meaning as ordered `key = value` lines.
pub type View = Vec<(String, String)>;

/// Every object of a `<configuration>`, in document order.
pub fn views(config: &Element) -> Vec<(ObjKey, View)> {
    objects(config).into_iter().map(|(k, o)| (k, o.into_view())).collect()
}

/// An object's view, or the element it is made from (a resource or a constraint: most of a
/// large configuration), made only when asked for.
pub enum Lazy<'a> {
    Resource(&'a Element),
    Constraint(&'a Element),
    Done(View),
}

impl Lazy<'_> {
    /// The view.
    pub fn view(&self) -> std::borrow::Cow<'_, View> {
        match self {
            Lazy::Resource(r) => std::borrow::Cow::Owned(resource_view(r)),
            Lazy::Constraint(c) => std::borrow::Cow::Owned(constraint_view(c)),
            Lazy::Done(v) => std::borrow::Cow::Borrowed(v),
        }
    }

    fn into_view(self) -> View {
        match self {
            Lazy::Done(v) => v,
            other => other.view().into_owned(),
        }
    }

    /// Whether both are made from equal elements of one kind, so their views are equal without
    /// being made (a view is a function of its element alone). `false` says nothing.
    pub fn same_source(&self, other: &Lazy<'_>) -> bool {
        match (self, other) {
            (Lazy::Resource(a), Lazy::Resource(b)) | (Lazy::Constraint(a), Lazy::Constraint(b)) => {
                std::ptr::eq(*a, *b) || a == b
            }
            _ => false,
        }
    }
}

/// Every object of a `<configuration>`, in document order, with its view made lazily.
pub fn objects(config: &Element) -> Vec<(ObjKey, Lazy<'_>)> {
    let mut out = Vec::new();
    for (section_el, tag, label) in [
        ("crm_config", "cluster_property_set", "properties"),
        ("rsc_defaults", "meta_attributes", "rsc_defaults"),
        ("op_defaults", "meta_attributes", "op_defaults"),
    ] {
        let sets: Vec<&Element> =
            config.child(section_el).map(|s| s.elements().filter(|e| e.name == tag).collect()).unwrap_or_default();
        let mut view = View::new();
        sets_view(&sets, "", &mut view, label == "properties");
        if !view.is_empty() {
            out.push((ObjKey { section: Section::Properties, kind: label.into(), id: label.into() }, Lazy::Done(view)));
        }
    }
    if let Some(nodes) = config.child("nodes") {
        for n in nodes.elements().filter(|e| e.name == "node") {
            let uname = n.attr("uname").unwrap_or_default().to_string();
            out.push((ObjKey { section: Section::Nodes, kind: "node".into(), id: uname }, Lazy::Done(node_view(n))));
        }
    }
    if let Some(res) = config.child("resources") {
        for r in res.elements() {
            resource_views(r, &mut out);
        }
    }
    if let Some(cons) = config.child("constraints") {
        for c in cons.elements() {
            let id = c.id().unwrap_or_default().to_string();
            out.push((ObjKey { section: Section::Constraints, kind: c.name.to_string(), id }, Lazy::Constraint(c)));
        }
    }
    // Other sections are one object each; an empty section means the same as none.
    for other in config.elements().filter(|e| {
        !matches!(
            e.name.as_str(),
            "crm_config" | "rsc_defaults" | "op_defaults" | "nodes" | "resources" | "constraints"
        ) && e.elements().next().is_some()
    }) {
        let view = match other.name.as_str() {
            "fencing-topology" => fencing_view(other),
            "tags" => tags_view(other),
            "alerts" => alerts_view(other),
            "acls" => acls::acls_view(other),
            _ => raw_view(other),
        };
        let key = ObjKey { section: Section::Other, kind: other.name.to_string(), id: other.name.to_string() };
        out.push((key, Lazy::Done(view)));
    }
    out
}

/// Whether an element is a resource Pacemaker schedules.
pub fn is_resource(name: &str) -> bool {
    matches!(name, "primitive" | "group" | "clone" | "master" | "bundle")
}

fn resource_views<'a>(r: &'a Element, out: &mut Vec<(ObjKey, Lazy<'a>)>) {
    let kind = match r.name.as_str() {
        "master" => "clone",
        other => other,
    };
    let key = ObjKey { section: Section::Resources, kind: kind.into(), id: r.id().unwrap_or_default().to_string() };
    out.push((key, Lazy::Resource(r)));
    if matches!(r.name.as_str(), "group" | "clone" | "master" | "bundle") {
        for c in r.elements().filter(|c| is_resource(&c.name)) {
            resource_views(c, out);
        }
    }
}

/// The view of one element of `resources` on its own (a container's members are objects of their
/// own and not part of it).
pub fn resource_view(r: &Element) -> View {
    match r.name.as_str() {
        "primitive" | "template" => primitive_view(r),
        "group" | "clone" | "master" => container_view(r),
        "bundle" => bundle_view(r),
        _ => raw_view(r),
    }
}

/// Name/value pairs of an attribute set, by name. When a name repeats, the first one counts, as
/// in Pacemaker (which does not overwrite a value it already unpacked). An nvpair that refers to
/// another by `id-ref` is kept as that reference.
fn pairs(set: &Element) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for nv in set.elements().filter(|e| e.name == "nvpair") {
        let (k, v) = match nv.attr("id-ref") {
            Some(r) => (format!("(id-ref {r})"), String::new()),
            None => (nv.attr("name").unwrap_or_default().to_string(), nv.attr("value").unwrap_or_default().to_string()),
        };
        out.entry(k).or_insert(v);
    }
    out
}

/// Lines for a list of attribute sets: the plain sets merge under `prefix`, others are keyed by
/// their id with their rule and score.
fn sets_view(sets: &[&Element], prefix: &str, view: &mut View, skip_owned: bool) {
    let mut plain = BTreeMap::new();
    for s in sets.iter().filter(|s| is_plain_set(s)) {
        for (k, v) in pairs(s) {
            plain.entry(k).or_insert(v);
        }
    }
    for (k, v) in plain {
        if skip_owned && PACEMAKER_OWNED.contains(&k.as_str()) {
            continue;
        }
        let v = if k == "target-role" { role(&v) } else { v };
        view.push((format!("{prefix}{k}"), v));
    }
    for s in sets.iter().filter(|s| !is_plain_set(s)) {
        let p = match s.attr("id-ref") {
            Some(r) => {
                let p = format!("{prefix}[id-ref {r}]");
                view.push((p.clone(), String::new()));
                p
            }
            None => format!("{prefix}[{}]", s.id().unwrap_or_default()),
        };
        if let Some(score) = s.attr("score") {
            view.push((format!("{p} score"), normalize_score(score).unwrap_or_else(|| score.to_string())));
        }
        if let Some(r) = s.child("rule") {
            // A set's rule only says whether the set applies: its score means nothing (pcs
            // writes `score="INFINITY"`, crmsh nothing).
            rule_lines(r, &format!("{p} rule"), view);
            let score_key = format!("{p} rule score");
            view.retain(|(k, _)| *k != score_key);
        }
        for (k, v) in pairs(s) {
            view.push((format!("{p}.{k}"), v));
        }
    }
}

/// A role by its current name (`Master` → `Promoted`), or as written when it is no role.
fn role(r: &str) -> String {
    canonical_role(r).map_or_else(|| r.to_string(), str::to_string)
}

/// A `<rule>` as lines: `{prefix}` = the expression in pcs syntax, then its score and role.
fn rule_lines(r: &Element, prefix: &str, view: &mut View) {
    let text = match rule::from_xml(r) {
        Ok(rule) => rule::to_text(&rule),
        Err(_) => format!("xml {}", semantic_xml(r)),
    };
    view.push((prefix.to_string(), text));
    for a in ["score", "score-attribute", "role"] {
        if let Some(v) = r.attr(a) {
            let v = match a {
                "score" => normalize_score(v).unwrap_or_else(|| v.to_string()),
                "role" => role(v),
                _ => v.to_string(),
            };
            if !(a == "role" && v == "Started") {
                view.push((format!("{prefix} {a}"), v));
            }
        }
    }
}

fn named_sets<'a>(el: &'a Element, tag: &str) -> Vec<&'a Element> {
    el.elements().filter(|e| e.name == tag).collect()
}

/// An attribute as a view's owned strings.
fn strings((k, v): &(XmlStr, XmlStr)) -> (String, String) {
    (k.to_string(), v.to_string())
}

fn common_attrs(el: &Element, skip: &[&str], view: &mut View) {
    let mut attrs: Vec<(String, String)> =
        el.attrs.iter().filter(|(k, _)| k != "id" && !skip.contains(&k.as_str())).map(strings).collect();
    attrs.sort();
    view.extend(attrs);
}

fn primitive_view(p: &Element) -> View {
    let mut v = View::new();
    let agent = match (p.attr("class"), p.attr("provider"), p.attr("type")) {
        (Some(c), Some(pr), Some(t)) => format!("{c}:{pr}:{t}"),
        (Some(c), None, Some(t)) => format!("{c}:{t}"),
        _ => String::new(),
    };
    if !agent.is_empty() {
        v.push(("agent".into(), agent));
    }
    common_attrs(p, &["class", "provider", "type"], &mut v);
    sets_view(&named_sets(p, "instance_attributes"), "params.", &mut v, false);
    sets_view(&named_sets(p, "meta_attributes"), "meta.", &mut v, false);
    sets_view(&named_sets(p, "utilization"), "utilization.", &mut v, false);
    if let Some(ops) = p.child("operations") {
        if let Some(r) = ops.attr("id-ref") {
            v.push(("operations id-ref".into(), r.into()));
        }
        let mut lines: Vec<(String, String)> = ops.elements().filter(|o| o.name == "op").map(op_line).collect();
        lines.sort();
        v.extend(lines);
    }
    for other in p.elements().filter(|e| {
        !matches!(e.name.as_str(), "instance_attributes" | "meta_attributes" | "utilization" | "operations")
    }) {
        v.push((format!("xml {}", other.name), semantic_xml(other)));
    }
    v
}

/// `op monitor 10s [role]` = `timeout=20s ...` (the op's identity, then its settings).
pub fn op_line(o: &Element) -> (String, String) {
    let name = o.attr("name").unwrap_or_default();
    let interval = canonical_duration(o.attr("interval").unwrap_or("0"));
    let mut key = format!("op {name} {interval}");
    if let Some(r) = o.attr("role") {
        key.push(' ');
        key.push_str(&role(r));
    }
    let mut settings: Vec<String> = o
        .attrs
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "id" | "name" | "interval" | "role"))
        .map(|(k, v)| match k.as_str() {
            "timeout" | "start-delay" => format!("{k}={}", canonical_duration(v)),
            "enabled" | "record-pending" => format!("{k}={}", bool_text(v)),
            _ => format!("{k}={v}"),
        })
        .collect();
    settings.sort();
    for set in o.elements() {
        let tag = if set.name == "meta_attributes" { "meta" } else { "params" };
        for (k, v) in pairs(set) {
            settings.push(format!("{tag}.{k}={v}"));
        }
    }
    (key, settings.join(" "))
}

fn container_view(c: &Element) -> View {
    let mut v = View::new();
    let children: Vec<&str> = c.elements().filter(|e| is_resource(&e.name)).filter_map(Element::id).collect();
    let meta_sets = named_sets(c, "meta_attributes");
    if c.name == "group" {
        v.push(("members".into(), children.join(", ")));
    } else {
        v.push(("resource".into(), children.join(", ")));
        let promotable = c.name == "master"
            || meta_sets
                .iter()
                .filter(|s| is_plain_set(s))
                .any(|s| pairs(s).get("promotable").is_some_and(|p| is_true(p)));
        if promotable {
            v.push(("promotable".into(), "true".into()));
        }
    }
    common_attrs(c, &[], &mut v);
    let mut meta = View::new();
    sets_view(&meta_sets, "meta.", &mut meta, false);
    v.extend(meta.into_iter().filter(|(k, _)| k != "meta.promotable"));
    for other in c.elements().filter(|e| !is_resource(&e.name) && e.name != "meta_attributes") {
        v.push((format!("xml {}", other.name), semantic_xml(other)));
    }
    v
}

/// A bundle's lines: the primitive it holds, `CONTAINER.ATTR` (`podman.image`, ...),
/// `network.ATTR`, each port mapping by its port or range and each storage mapping by its
/// target (their ids and order mean nothing), and its attribute sets.
fn bundle_view(b: &Element) -> View {
    let mut v = View::new();
    let inner: Vec<&str> = b.elements().filter(|e| is_resource(&e.name)).filter_map(Element::id).collect();
    if !inner.is_empty() {
        v.push(("resource".into(), inner.join(", ")));
    }
    common_attrs(b, &[], &mut v);
    let mut lines = View::new();
    for c in b.elements() {
        match c.name.as_str() {
            "docker" | "podman" | "rkt" => {
                for (k, val) in c.attrs.iter() {
                    // Pacemaker reads the old `masters` as `promoted-max`.
                    let k = if k == "masters" { "promoted-max" } else { k.as_str() };
                    lines.push((format!("{}.{k}", c.name), val.to_string()));
                }
            }
            "network" => {
                for (k, val) in c.attrs.iter().filter(|(k, _)| k != "id") {
                    let val = if k == "add-host" { bool_text(val) } else { val.to_string() };
                    lines.push((format!("network.{k}"), val));
                }
                for m in c.elements() {
                    lines.push(port_line(m));
                }
            }
            "storage" => {
                for m in c.elements() {
                    let key = m.attr("target-dir").unwrap_or_default();
                    lines.push((format!("{} {key}", m.name), settings(m, &["id", "target-dir"])));
                }
            }
            _ => {}
        }
    }
    lines.sort();
    v.extend(lines);
    sets_view(&named_sets(b, "instance_attributes"), "params.", &mut v, false);
    sets_view(&named_sets(b, "meta_attributes"), "meta.", &mut v, false);
    let known = ["docker", "podman", "rkt", "network", "storage", "instance_attributes", "meta_attributes"];
    for other in b.elements().filter(|e| !is_resource(&e.name) && !known.contains(&e.name.as_str())) {
        v.push((format!("xml {}", other.name), semantic_xml(other)));
    }
    v
}

/// `port-mapping PORT` = `to INTERNAL` (the same port when not given), or `port-mapping RANGE` =
/// `to the same ports`, and any other attribute.
fn port_line(m: &Element) -> (String, String) {
    let (key, to) = match (m.attr("port"), m.attr("range")) {
        (Some(p), _) => (p, format!("to {}", m.attr("internal-port").unwrap_or(p))),
        (None, Some(r)) => (r, "to the same ports".to_string()),
        (None, None) => ("", String::new()),
    };
    let rest = settings(m, &["id", "port", "range", "internal-port"]);
    let value = if rest.is_empty() { to } else { format!("{to} {rest}") };
    (format!("{} {key}", m.name), value)
}

/// `k=v` pairs of an element's attributes but `skip`, sorted, space-separated.
fn settings(el: &Element, skip: &[&str]) -> String {
    let mut pairs: Vec<String> =
        el.attrs.iter().filter(|(k, _)| !skip.contains(&k.as_str())).map(|(k, v)| format!("{k}={v}")).collect();
    pairs.sort();
    pairs.join(" ")
}

fn node_view(n: &Element) -> View {
    let mut v = View::new();
    if let Some(id) = n.id() {
        v.push(("id".into(), id.into()));
    }
    common_attrs(n, &["uname", "type"], &mut v);
    let mut attrs = View::new();
    sets_view(&named_sets(n, "instance_attributes"), "attributes.", &mut attrs, false);
    for (k, val) in attrs {
        // `standby=off` means the same as no standby attribute.
        if k == "attributes.standby" {
            if is_true(&val) {
                v.push((k, "on".into()));
            }
            continue;
        }
        v.push((k, val));
    }
    sets_view(&named_sets(n, "utilization"), "utilization.", &mut v, false);
    v
}

/// The view of one element of `constraints`.
pub fn constraint_view(c: &Element) -> View {
    let mut v = View::new();
    let mut attrs: BTreeMap<String, String> = c.attrs.iter().filter(|(k, _)| k != "id").map(strings).collect();
    if let Some(s) = attrs.get_mut("score") {
        *s = normalize_score(s).unwrap_or_else(|| s.clone());
    }
    for a in ["role", "rsc-role", "with-rsc-role"] {
        if let Some(r) = attrs.get_mut(a) {
            *r = role(r);
        }
    }
    for a in ["role", "rsc-role", "with-rsc-role", "first-action", "then-action"] {
        if attrs.get(a).map(String::as_str) == Some("Started") {
            attrs.remove(a);
        }
    }
    if c.name == "rsc_order" {
        order_kind_from_score(&mut attrs);
        if let Some(s) = attrs.get_mut("symmetrical") {
            *s = bool_text(s);
        }
        let first_action = attrs.get("first-action").cloned().unwrap_or_else(|| "start".into());
        if attrs.get("then-action") == Some(&first_action) {
            attrs.remove("then-action");
        }
        if attrs.get("first-action").map(String::as_str) == Some("start") {
            attrs.remove("first-action");
        }
        if attrs.get("kind").map(String::as_str) == Some("Mandatory") {
            attrs.remove("kind");
        }
        if attrs.get("symmetrical").is_some_and(|s| is_true(s)) {
            attrs.remove("symmetrical");
        }
        if attrs.get("require-all").is_some_and(|s| is_true(s)) {
            attrs.remove("require-all");
        }
    }
    v.extend(attrs);
    let mut n = 0;
    for child in c.elements() {
        n += 1;
        match child.name.as_str() {
            "rule" => rule_lines(child, &if n == 1 { "rule".to_string() } else { format!("rule {n}") }, &mut v),
            "resource_set" => v.push((format!("set {n}"), set_line(child))),
            _ => v.push((format!("xml {}", child.name), semantic_xml(child))),
        }
    }
    v
}

/// A boolean attribute's value as Pacemaker reads it (`0` and `false` are the same); a value that
/// is no boolean stays as written, so it still shows as a difference.
fn bool_text(v: &str) -> String {
    canonical_bool(v).map_or_else(|| v.to_string(), str::to_string)
}

/// An order without `kind` takes it from its deprecated `score` (Pacemaker's `get_ordering_type`):
/// 0 is `Optional`, any other score `Mandatory`; with a `kind`, the score is what it says.
fn order_kind_from_score(attrs: &mut BTreeMap<String, String>) {
    if attrs.contains_key("kind") {
        return;
    }
    if let Some(score) = attrs.get("score").and_then(|s| normalize_score(s)) {
        attrs.remove("score");
        let kind = if score == "0" { "Optional" } else { "Mandatory" };
        attrs.insert("kind".into(), kind.into());
    }
}

fn set_line(s: &Element) -> String {
    let refs: Vec<&str> = s.elements().filter(|e| e.name == "resource_ref").filter_map(Element::id).collect();
    let mut line = format!("[{}]", refs.join(" "));
    let mut attrs: Vec<(String, String)> = s
        .attrs
        .iter()
        .filter(|(k, _)| k != "id")
        .map(|(k, v)| {
            let v = match k.as_str() {
                "role" => role(v),
                "sequential" | "require-all" => bool_text(v),
                _ => v.to_string(),
            };
            (k.to_string(), v)
        })
        .collect();
    attrs.retain(|(k, v)| {
        !((k == "sequential" || k == "require-all") && is_true(v)) && !(k == "role" && v == "Started")
    });
    attrs.sort();
    for (k, v) in attrs {
        line.push_str(&format!(" {k}={v}"));
    }
    line
}

/// `level INDEX on TARGET` = the devices, one line per level, in order of target and index
/// (Pacemaker tries a target's levels by index, whatever their place or id).
fn fencing_view(el: &Element) -> View {
    let mut v: View = el
        .elements()
        .map(|l| {
            let target = match (l.attr("target"), l.attr("target-pattern"), l.attr("target-attribute")) {
                (Some(t), None, None) => Some(t.to_string()),
                (None, Some(p), None) => Some(format!("pattern {p}")),
                (None, None, Some(a)) => Some(format!("{a}={}", l.attr("target-value").unwrap_or_default())),
                _ => None,
            };
            let known = l.name == "fencing-level"
                && l.elements().next().is_none()
                && l.attrs.iter().all(|(k, _)| {
                    matches!(
                        k.as_str(),
                        "id" | "index" | "devices" | "target" | "target-pattern" | "target-attribute" | "target-value"
                    )
                });
            match (target, known) {
                (Some(t), true) => (
                    format!("level {} on {t}", l.attr("index").unwrap_or_default()),
                    l.attr("devices").unwrap_or_default().to_string(),
                ),
                _ => (format!("xml {}", l.name), semantic_xml(l)),
            }
        })
        .collect();
    v.sort();
    v
}

/// Each alert's lines under `ID`: its path and description, `params.`/`meta.` pairs, what it
/// selects, and each recipient by its value (ids and order mean nothing).
fn alerts_view(el: &Element) -> View {
    let mut v = View::new();
    for a in el.elements() {
        let p = a.id().unwrap_or_default();
        if a.name != "alert" {
            v.push((format!("xml {}", a.name), semantic_xml(a)));
            continue;
        }
        common_attrs(a, &[], &mut v);
        let start = v.len() - a.attrs.iter().filter(|(k, _)| k != "id").count();
        for (k, _) in &mut v[start..] {
            *k = format!("{p} {k}");
        }
        sets_view(&named_sets(a, "instance_attributes"), &format!("{p} params."), &mut v, false);
        sets_view(&named_sets(a, "meta_attributes"), &format!("{p} meta."), &mut v, false);
        if let Some(sel) = a.child("select") {
            let mut what: Vec<String> = sel
                .elements()
                .map(|s| {
                    let names: Vec<&str> = s.elements().filter_map(|x| x.attr("name")).collect();
                    let kind = s.name.trim_start_matches("select_").to_string();
                    if names.is_empty() {
                        kind
                    } else {
                        format!("{kind} ({})", names.join(", "))
                    }
                })
                .collect();
            what.sort();
            v.push((format!("{p} select"), what.join(", ")));
        }
        let mut recipients: Vec<(String, String)> = Vec::new();
        for r in a.elements().filter(|r| r.name == "recipient") {
            let rp = format!("{p} recipient {}", r.attr("value").unwrap_or_default());
            let mut lines = View::new();
            common_attrs(r, &["value"], &mut lines);
            sets_view(&named_sets(r, "instance_attributes"), "params.", &mut lines, false);
            sets_view(&named_sets(r, "meta_attributes"), "meta.", &mut lines, false);
            let text: Vec<String> = lines.into_iter().map(|(k, x)| format!("{k}={x}")).collect();
            recipients.push((rp, text.join(" ")));
        }
        recipients.sort();
        v.extend(recipients);
        for other in a
            .elements()
            .filter(|e| !matches!(e.name.as_str(), "instance_attributes" | "meta_attributes" | "select" | "recipient"))
        {
            v.push((format!("{p} xml {}", other.name), semantic_xml(other)));
        }
    }
    v
}

/// `tag ID` = the resources it names, in order; by tag id.
fn tags_view(el: &Element) -> View {
    let mut v: View = el
        .elements()
        .map(|t| {
            let plain = t.name == "tag"
                && t.attrs.iter().all(|(k, _)| k == "id")
                && t.elements().all(|r| r.name == "obj_ref" && r.attrs.iter().all(|(k, _)| k == "id"));
            if plain {
                let refs: Vec<&str> = t.elements().filter_map(Element::id).collect();
                (format!("tag {}", t.id().unwrap_or_default()), refs.join(", "))
            } else {
                (format!("xml {}", t.name), semantic_xml(t))
            }
        })
        .collect();
    v.sort();
    v
}

fn raw_view(el: &Element) -> View {
    vec![("xml".into(), semantic_xml(el))]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(inner: &str) -> Element {
        Element::parse(&format!(
            "<configuration><crm_config/><nodes/><resources/><constraints/>{inner}</configuration>"
        ))
        .unwrap()
    }

    fn view_of(inner: &str) -> Vec<(ObjKey, View)> {
        views(&config(inner))
    }

    /// The views of `resources` and `constraints` sections given whole.
    fn sections_view(sections: &str) -> Vec<(ObjKey, View)> {
        views(&Element::parse(&format!("<configuration><crm_config/><nodes/>{sections}</configuration>")).unwrap())
    }

    #[test]
    fn an_empty_section_means_the_same_as_none() {
        assert_eq!(view_of("<acls/><tags/><alerts/>"), view_of(""));
        assert_ne!(view_of(r#"<tags><tag id="t"><obj_ref id="r"/></tag></tags>"#), view_of(""));
    }

    #[test]
    fn booleans_mean_what_pacemaker_reads() {
        let cfg = |t: &str, f: &str| {
            sections_view(&format!(
                r#"<resources><primitive id="r" class="ocf" provider="pacemaker" type="Dummy"><operations><op id="o" name="migrate_to" interval="0s" enabled="{f}" record-pending="{t}"/></operations></primitive></resources><constraints><rsc_order id="o1" first="a" then="b" symmetrical="{f}"/><rsc_colocation id="c"><resource_set id="s" sequential="{f}" require-all="{t}"><resource_ref id="a"/></resource_set></rsc_colocation></constraints>"#
            ))
        };
        assert_eq!(cfg("1", "0"), cfg("true", "false"));
        assert_eq!(cfg("yes", "off"), cfg("true", "false"));
        assert_ne!(cfg("true", "true"), cfg("true", "false"));
        assert_ne!(cfg("true", "maybe"), cfg("true", "false"), "a value that is no boolean still differs");
    }

    #[test]
    fn an_order_score_without_kind_means_its_kind() {
        let order = |attrs: &str| {
            sections_view(&format!(
                r#"<resources/><constraints><rsc_order id="o" first="a" then="b" {attrs}/></constraints>"#
            ))
        };
        assert_eq!(order(r#"score="INFINITY""#), order(r#"kind="Mandatory""#));
        assert_eq!(order(r#"score="-5""#), order(""));
        assert_eq!(order(r#"score="0""#), order(r#"kind="Optional""#));
        assert_ne!(order(r#"score="0""#), order(""));
        assert_ne!(order(r#"kind="Optional" score="10""#), order(r#"kind="Optional""#), "with a kind, the score stays");
    }

    #[test]
    fn legacy_role_names_mean_the_current_ones() {
        let both = |role: &str, target: &str| {
            let cfg = Element::parse(&format!(
                r#"<configuration><resources><primitive id="r" class="ocf" provider="pacemaker" type="Stateful"><meta_attributes id="m"><nvpair id="n" name="target-role" value="{target}"/></meta_attributes><operations><op id="o" name="monitor" interval="10s" role="{role}"/></operations></primitive></resources><constraints><rsc_colocation id="c" rsc="a" with-rsc="r" with-rsc-role="{role}" score="INFINITY"/><rsc_location id="l" rsc="r"><rule id="lr" score="1" role="{role}"><expression id="e" attribute="x" operation="defined"/></rule></rsc_location><rsc_order id="s"><resource_set id="s1" role="{role}"><resource_ref id="r"/></resource_set></rsc_order></constraints></configuration>"#
            ))
            .unwrap();
            views(&cfg)
        };
        assert_eq!(both("Master", "Master"), both("Promoted", "Promoted"));
        assert_eq!(both("Slave", "Slave"), both("Unpromoted", "Unpromoted"));
        assert_ne!(both("Master", "Master"), both("Unpromoted", "Promoted"));
    }

    #[test]
    fn id_refs_are_part_of_the_meaning() {
        let prim = |ops: &str, attrs: &str| {
            format!(
                r#"<resources><primitive id="r" class="ocf" provider="pacemaker" type="Dummy">{attrs}{ops}</primitive></resources>"#
            )
        };
        let cfg = |inner: String| {
            Element::parse(&format!("<configuration><crm_config/><nodes/>{inner}<constraints/></configuration>"))
                .unwrap()
        };
        let a = views(&cfg(prim(r#"<operations id-ref="ops-a"/>"#, "")));
        let b = views(&cfg(prim(r#"<operations id-ref="ops-b"/>"#, "")));
        let none = views(&cfg(prim("", "")));
        assert_ne!(a, b);
        assert_ne!(a, none);
        let set = |r: &str| views(&cfg(prim("", &format!(r#"<instance_attributes id-ref="{r}"/>"#))));
        assert_ne!(set("x"), set("y"));
        assert_ne!(set("x"), none);
        let nv = |r: &str| {
            views(&cfg(prim(
                "",
                &format!(r#"<instance_attributes id="ia"><nvpair id-ref="{r}"/></instance_attributes>"#),
            )))
        };
        assert_ne!(nv("x"), nv("y"));
    }
}
