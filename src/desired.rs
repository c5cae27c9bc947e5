//! Stage 3: validated model → desired CIB configuration elements.
//!
//! Builds the XML Pacemaker would hold if the model were applied to an empty cluster, with the
//! ids pcs would generate (so a pcs user recognises them). It takes the ids already in use so new
//! ids never collide. It does not compare anything (`plan`) and does no I/O: agent default
//! operations come in as data (`DefaultOps`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::cib::xml::Element;
use crate::model::{
    Agent, Cluster, Completion, Constraint, LocationRule, Op, Placement, Primitive, RawPlace, Resource, ResourceSet,
    RuleScore, TicketTarget,
};
use crate::rule;

mod acls;
mod raw;

/// Default operations per agent (`Agent` display form), as pcs derives them from metadata.
pub type DefaultOps = BTreeMap<String, Vec<Op>>;

/// The desired configuration, split into the parts `plan` compares.
#[derive(Debug, Clone, Default)]
pub struct Desired {
    pub properties: Vec<(String, String)>,
    pub rsc_defaults: Vec<(String, String)>,
    pub op_defaults: Vec<(String, String)>,
    /// `<node>` elements.
    pub nodes: Vec<Element>,
    /// Top-level `<primitive>`, `<group>`, `<clone>` elements.
    pub resources: Vec<Element>,
    /// For each primitive whose operation list is not exact: the operation names the file owns
    /// (the declared ones; `plan` keeps the live operations of other names).
    pub owned_op_names: HashMap<String, BTreeSet<String>>,
    /// Ids of the `<op>`s written because they are the agent's defaults (the plan says so).
    pub default_op_ids: HashSet<String>,
    /// `<rsc_location>`, `<rsc_colocation>`, `<rsc_order>` elements.
    pub constraints: Vec<Element>,
    /// For each constraint: whether the file gave its id (matched by id) or not (matched by what
    /// it constrains).
    pub explicit_constraint_ids: Vec<bool>,
    /// `<cluster_property_set>`s with a rule or score (the file's `property_sets`, then the
    /// escape hatch's), owned.
    pub property_sets: Vec<Element>,
    /// `<meta_attributes>` with a rule or score in `rsc_defaults` and `op_defaults`, owned.
    pub rsc_defaults_sets: Vec<Element>,
    pub op_defaults_sets: Vec<Element>,
    /// Escape-hatch `<node>`s, each replacing the live node of the same `uname`.
    pub raw_nodes: Vec<Element>,
    /// Escape-hatch whole sections (`rsc_defaults`, `fencing-topology`, `acls`, ...).
    pub sections: Vec<Element>,
    /// Ids of the top-level resources and constraints that came through the escape hatch: they
    /// are written as given, without adopting live ids.
    pub raw_ids: HashSet<String>,
}

/// Hands out ids the way pcs does: the base, or `base-1`, `base-2`, ... when taken.
#[derive(Debug, Default)]
pub struct Ids {
    /// foldhash: every id of a large CIB goes through here (issue 13).
    taken: foldhash::HashSet<String>,
}

impl Ids {
    pub fn new(taken: impl IntoIterator<Item = String>) -> Self {
        Ids { taken: taken.into_iter().collect() }
    }

    /// Reserve an id that the user chose (never renamed).
    pub fn reserve(&mut self, id: &str) {
        self.taken.insert(id.to_string());
    }

    /// A fresh id derived from `base` (sanitised to a valid XML id).
    pub fn fresh(&mut self, base: &str) -> String {
        let base = sanitize_id(base);
        if self.taken.insert(base.clone()) {
            return base;
        }
        (1..).map(|n| format!("{base}-{n}")).find(|c| self.taken.insert(c.clone())).expect("unbounded")
    }
}

/// `base` made a valid id: other characters become `-`, and `_` goes first when needed.
pub fn sanitize_id(base: &str) -> String {
    let mut base: String =
        base.chars().map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '-' }).collect();
    if !base.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        base.insert(0, '_');
    }
    base
}

/// Built-in default operations for common agents, measured from pcs 0.11.5 with
/// resource-agents 4.12 (used when agent metadata cannot be read).
pub fn builtin_default_ops() -> DefaultOps {
    let op = |name: &str, interval: &str, timeout: Option<&str>, extra: &[(&str, &str)]| {
        let mut attrs: Vec<(String, String)> =
            timeout.map(|t| ("timeout".to_string(), t.to_string())).into_iter().collect();
        attrs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Op { name: name.into(), interval: interval.into(), attrs, meta: Vec::new(), params: Vec::new() }
    };
    let mut m = DefaultOps::new();
    m.insert(
        "ocf:heartbeat:IPaddr2".into(),
        vec![
            op("monitor", "10s", Some("20s"), &[]),
            op("start", "0s", Some("20s"), &[]),
            op("stop", "0s", Some("20s"), &[]),
        ],
    );
    m.insert(
        "ocf:pacemaker:ping".into(),
        vec![
            op("monitor", "10s", Some("60s"), &[]),
            op("reload-agent", "0s", Some("20s"), &[]),
            op("start", "0s", Some("60s"), &[]),
            op("stop", "0s", Some("20s"), &[]),
        ],
    );
    m.insert(
        "ocf:pacemaker:Dummy".into(),
        ["migrate_from", "migrate_to", "monitor", "reload", "reload-agent", "start", "stop"]
            .iter()
            .map(|n| op(n, if *n == "monitor" { "10s" } else { "0s" }, Some("20s"), &[]))
            .collect(),
    );
    m.insert(
        "ocf:pacemaker:Stateful".into(),
        vec![
            op("demote", "0s", Some("10s"), &[]),
            op("monitor", "10s", Some("20s"), &[("role", "Promoted")]),
            op("monitor", "11s", Some("20s"), &[("role", "Unpromoted")]),
            op("notify", "0s", Some("5s"), &[]),
            op("promote", "0s", Some("10s"), &[]),
            op("reload-agent", "0s", Some("10s"), &[]),
            op("start", "0s", Some("20s"), &[]),
            op("stop", "0s", Some("20s"), &[]),
        ],
    );
    m.insert(
        "ocf:heartbeat:Filesystem".into(),
        vec![
            op("monitor", "20s", Some("40s"), &[]),
            op("start", "0s", Some("60s"), &[]),
            op("stop", "0s", Some("60s"), &[]),
        ],
    );
    m.insert(
        "ocf:heartbeat:apache".into(),
        vec![
            op("monitor", "10s", Some("20s"), &[]),
            op("start", "0s", Some("40s"), &[]),
            op("stop", "0s", Some("60s"), &[]),
        ],
    );
    m
}

/// Default operations from an agent's metadata (`crm_resource --show-metadata` XML), the way pcs
/// 0.11 derives them: every action but `meta-data`, `status` and `validate-all` (fencing agents:
/// only `monitor`); interval from the metadata, else 60 s for monitor and 0 s for the rest, a
/// repeated interval bumped by a second; timeout, role and start-delay copied; `depth` becomes
/// `OCF_CHECK_LEVEL`; a monitor always present; sorted by name.
///
/// # Errors
/// The metadata is not XML or has no `<actions>`.
pub fn ops_from_metadata(agent: &Agent, xml: &str) -> Result<Vec<Op>, String> {
    let xml = crate::validate::metadata::without_doctype(xml);
    let root = Element::parse(&xml).map_err(|e| format!("agent metadata is not XML: {}", e.message))?;
    let actions = root.child("actions").ok_or("agent metadata has no actions")?;
    let stonith = agent.class == "stonith";
    let mut ops: Vec<Op> = Vec::new();
    for a in actions.elements().filter(|a| a.name == "action") {
        let name = a.attr("name").unwrap_or_default();
        let keep =
            if stonith { name == "monitor" } else { !matches!(name, "meta-data" | "status" | "validate-all" | "") };
        if !keep {
            continue;
        }
        let interval = match a.attr("interval") {
            Some(i) if !i.is_empty() => i.to_string(),
            _ if name == "monitor" => "60s".to_string(),
            _ => "0s".to_string(),
        };
        let mut attrs = Vec::new();
        if let Some(t) = a.attr("timeout") {
            attrs.push(("timeout".to_string(), t.to_string()));
        }
        if let Some(r) = a.attr("role") {
            let role = match r {
                "Master" => "Promoted",
                "Slave" => "Unpromoted",
                other => other,
            };
            attrs.push(("role".to_string(), role.to_string()));
        }
        if let Some(d) = a.attr("start-delay") {
            attrs.push(("start-delay".to_string(), d.to_string()));
        }
        let params = match a.attr("depth") {
            Some(d) if d != "0" => vec![("OCF_CHECK_LEVEL".to_string(), d.to_string())],
            _ => Vec::new(),
        };
        ops.push(Op { name: name.to_string(), interval, attrs, meta: Vec::new(), params });
    }
    if !ops.iter().any(|o| o.name == "monitor") {
        ops.extend(fallback_ops());
    }
    // Pacemaker identifies an operation by name and interval: pcs bumps a repeated interval by a
    // second (and writes it in seconds without a unit).
    let mut seen: HashSet<(String, u64)> = HashSet::new();
    for op in &mut ops {
        let mut ms = crate::vocab::parse_duration_ms(&op.interval).unwrap_or(0);
        if !seen.insert((op.name.clone(), ms)) {
            while !seen.insert((op.name.clone(), ms)) {
                ms += 1000;
            }
            op.interval = (ms / 1000).to_string();
        }
    }
    ops.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ops)
}

/// What pcs writes for an agent it has no metadata for: a 60 s monitor.
fn fallback_ops() -> Vec<Op> {
    vec![Op { name: "monitor".into(), interval: "60s".into(), attrs: Vec::new(), meta: Vec::new(), params: Vec::new() }]
}

/// Build the desired configuration.
///
/// `taken` is every id already used in the live configuration; generated ids avoid them.
pub fn build(model: &Cluster, taken: impl IntoIterator<Item = String>, defaults: &DefaultOps) -> Desired {
    let mut ids = Ids::new(taken);
    for t in &model.templates {
        ids.reserve(&t.id);
    }
    for r in &model.resources {
        reserve_tree(r, &mut ids);
    }
    for c in &model.constraints {
        if let Some(id) = constraint_id(c) {
            ids.reserve(id);
        }
    }
    for (id, _) in &model.tags {
        ids.reserve(id);
    }
    for a in &model.alerts {
        ids.reserve(&a.id);
        a.recipients.iter().filter_map(|r| r.id.as_deref()).for_each(|r| ids.reserve(r));
    }
    for id in model.fencing_levels.iter().filter_map(|l| l.id.as_deref()) {
        ids.reserve(id);
    }
    acls::reserve(&model.acls, &mut ids);
    for r in &model.raw {
        reserve_all(&r.element, &mut ids);
    }
    let mut d = Desired {
        properties: model.properties.clone(),
        rsc_defaults: model.rsc_defaults.clone(),
        op_defaults: model.op_defaults.clone(),
        ..Desired::default()
    };
    d.property_sets = attr_sets_xml("cluster_property_set", "cib-bootstrap-options", true, &model.property_sets);
    let plain = !model.rsc_defaults.is_empty();
    d.rsc_defaults_sets =
        attr_sets_xml("meta_attributes", "rsc_defaults-meta_attributes", plain, &model.rsc_defaults_sets);
    let plain = !model.op_defaults.is_empty();
    d.op_defaults_sets =
        attr_sets_xml("meta_attributes", "op_defaults-meta_attributes", plain, &model.op_defaults_sets);
    for n in &model.nodes {
        let mut el = Element::new("node").with_attr("id", n.cib_id()).with_attr("uname", &n.name);
        if n.remote {
            el.set_attr("type", "remote");
        }
        let nid = format!("nodes-{}", n.cib_id());
        if !n.attributes.is_empty() {
            el = el.with_child(nvset("instance_attributes", &nid, &n.attributes, &mut ids));
        }
        if !n.utilization.is_empty() {
            el = el.with_child(nvset("utilization", &format!("{nid}-utilization"), &n.utilization, &mut ids));
        }
        d.nodes.push(el);
    }
    for t in &model.templates {
        let mut el = primitive_xml(t, defaults, &mut ids, &mut d);
        el.name = "template".into();
        d.resources.push(el);
    }
    for r in &model.resources {
        let el = resource_xml(r, defaults, &mut ids, &mut d);
        d.resources.push(el);
    }
    for c in &model.constraints {
        d.constraints.push(constraint_xml(c, &mut ids));
        d.explicit_constraint_ids.push(constraint_id(c).is_some());
    }
    if !model.alerts.is_empty() {
        let alerts = model.alerts.iter().fold(Element::new("alerts"), |a, x| a.with_child(alert_xml(x, &mut ids)));
        d.sections.push(alerts);
    }
    if !model.tags.is_empty() {
        let mut tags = Element::new("tags");
        for (id, refs) in &model.tags {
            let tag = refs.iter().fold(Element::new("tag").with_attr("id", id), |t, r| {
                t.with_child(Element::new("obj_ref").with_attr("id", r))
            });
            tags = tags.with_child(tag);
        }
        d.sections.push(tags);
    }
    if !model.fencing_levels.is_empty() {
        d.sections.push(fencing_xml(&model.fencing_levels, &mut ids));
    }
    if !model.acls.is_empty() {
        d.sections.push(acls::acls_xml(&model.acls, &mut ids));
    }
    for r in &model.raw {
        let mut el = r.element.clone();
        raw::fill_generated_ids(&mut el, &mut ids);
        match r.place {
            RawPlace::PropertySet => d.property_sets.push(el),
            RawPlace::Node => d.raw_nodes.push(el),
            RawPlace::Section => d.sections.push(el),
            RawPlace::Resource => {
                d.raw_ids.extend(el.id().map(str::to_string));
                d.resources.push(el);
            }
            RawPlace::Constraint => {
                d.raw_ids.extend(el.id().map(str::to_string));
                d.constraints.push(el);
                d.explicit_constraint_ids.push(true);
            }
        }
    }
    d
}

/// Sets with a rule or score, with pcs's ids where the file gives none: `{base}`, `{base}-1`,
/// ... in order (`base` taken first by the plain set when `plain`, as `pcs resource defaults
/// update` makes it before `... set create`). The ids do not depend on the live CIB, so a file
/// without ids names the sets pcs made from the same commands.
fn attr_sets_xml(tag: &str, base: &str, plain: bool, sets: &[crate::model::AttrSet]) -> Vec<Element> {
    let mut ids = Ids::new(sets.iter().filter_map(|s| s.id.clone()));
    if plain {
        ids.reserve(base);
    }
    sets.iter().map(|s| rule_set_xml(tag, base, s, &mut ids)).collect()
}

/// One set with a rule or a score: its id (or a fresh one from `base`), score, rule, values.
fn rule_set_xml(tag: &str, base: &str, s: &crate::model::AttrSet, ids: &mut Ids) -> Element {
    let id = s.id.clone().unwrap_or_else(|| ids.fresh(base));
    let mut el = Element::new(tag).with_attr("id", &id);
    for (k, v) in &s.values {
        let nid = ids.fresh(&format!("{id}-{k}"));
        el = el.with_child(Element::new("nvpair").with_attr("id", nid).with_attr("name", k).with_attr("value", v));
    }
    if let Some(score) = &s.score {
        el.set_attr("score", score);
    }
    if let Some(r) = &s.rule {
        let rule_el = rule::to_xml(r, &ids.fresh(&format!("{id}-rule")), &[]);
        reserve_all(&rule_el, ids);
        el.children.insert(0, crate::cib::xml::Node::Element(rule_el));
    }
    el
}

/// An `<alert>` with pcs's ids (`ALERT-meta_attributes`, `ALERT-recipient`, ...).
fn alert_xml(a: &crate::model::Alert, ids: &mut Ids) -> Element {
    let mut el = Element::new("alert").with_attr("id", &a.id).with_attr("path", &a.path);
    if let Some(d) = &a.description {
        el.set_attr("description", d);
    }
    el = with_sets(el, &a.id, &a.meta, &a.params, ids);
    if !a.select.is_empty() || !a.attributes.is_empty() {
        let mut sel = Element::new("select");
        for s in a.select.iter().filter(|s| *s != "attributes" || a.attributes.is_empty()) {
            sel = sel.with_child(Element::new(format!("select_{s}")));
        }
        if !a.attributes.is_empty() {
            let attrs = a.attributes.iter().fold(Element::new("select_attributes"), |x, name| {
                x.with_child(
                    Element::new("attribute")
                        .with_attr("id", ids.fresh(&format!("{}-{name}", a.id)))
                        .with_attr("name", name),
                )
            });
            sel = sel.with_child(attrs);
        }
        el = el.with_child(sel);
    }
    for r in &a.recipients {
        let id = r.id.clone().unwrap_or_else(|| ids.fresh(&format!("{}-recipient", a.id)));
        let mut rc = Element::new("recipient").with_attr("id", &id).with_attr("value", &r.value);
        if let Some(d) = &r.description {
            rc.set_attr("description", d);
        }
        el = el.with_child(with_sets(rc, &id, &r.meta, &r.params, ids));
    }
    el
}

/// `el` with its meta and instance attribute sets (`{id}-meta_attributes`, ...), when not empty.
fn with_sets(
    mut el: Element,
    id: &str,
    meta: &[(String, String)],
    params: &[(String, String)],
    ids: &mut Ids,
) -> Element {
    if !meta.is_empty() {
        el = el.with_child(nvset("meta_attributes", &format!("{id}-meta_attributes"), meta, ids));
    }
    if !params.is_empty() {
        el = el.with_child(nvset("instance_attributes", &format!("{id}-instance_attributes"), params, ids));
    }
    el
}

/// The id pcs gives a fencing level: `fl-TARGET-INDEX` (the attribute's name for an attribute
/// target), without the characters an id cannot hold.
pub fn level_base_id(l: &crate::model::FencingLevel) -> String {
    use crate::model::LevelTarget;
    let name = match &l.target {
        LevelTarget::Node(n) | LevelTarget::Pattern(n) => n,
        LevelTarget::Attribute { name, .. } => name,
    };
    let stripped: String = name.chars().filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
    sanitize_id(&format!("fl-{stripped}-{}", l.index))
}

/// `<fencing-topology>` with pcs's level ids (`fl-TARGET-INDEX`, `fl-ATTRIBUTE-INDEX`).
fn fencing_xml(levels: &[crate::model::FencingLevel], ids: &mut Ids) -> Element {
    use crate::model::LevelTarget;
    let mut top = Element::new("fencing-topology");
    for l in levels {
        let id = l.id.clone().unwrap_or_else(|| ids.fresh(&level_base_id(l)));
        let mut el = Element::new("fencing-level")
            .with_attr("index", l.index.to_string())
            .with_attr("devices", l.devices.join(","));
        match &l.target {
            LevelTarget::Node(n) => el.set_attr("target", n),
            LevelTarget::Pattern(p) => el.set_attr("target-pattern", p),
            LevelTarget::Attribute { name, value } => {
                el.set_attr("target-attribute", name);
                el.set_attr("target-value", value);
            }
        }
        el.set_attr("id", id);
        top = top.with_child(el);
    }
    top
}

fn reserve_tree(r: &Resource, ids: &mut Ids) {
    ids.reserve(r.id());
    for p in r.primitives() {
        p.params_sets.iter().chain(&p.meta_sets).filter_map(|s| s.id.as_deref()).for_each(|id| ids.reserve(id));
    }
    match r {
        Resource::Primitive(_) => {}
        Resource::Group(g) => g.members.iter().for_each(|m| ids.reserve(&m.id)),
        Resource::Clone(c) => reserve_tree(&c.child, ids),
        Resource::Bundle(b) => {
            b.primitive.iter().for_each(|p| ids.reserve(&p.id));
            b.port_mappings
                .iter()
                .chain(&b.storage_mappings)
                .filter_map(|m| m.id.as_deref())
                .for_each(|id| ids.reserve(id));
        }
    }
}

fn constraint_id(c: &Constraint) -> Option<&str> {
    c.id()
}

/// `<instance_attributes id=...>` (or meta_attributes, utilization, ...) with pcs nvpair ids.
pub fn nvset(tag: &str, set_id: &str, pairs: &[(String, String)], ids: &mut Ids) -> Element {
    let set_id = ids.fresh(set_id);
    let mut set = Element::new(tag).with_attr("id", &set_id);
    for (k, v) in pairs {
        let id = ids.fresh(&format!("{set_id}-{k}"));
        set = set.with_child(Element::new("nvpair").with_attr("id", id).with_attr("name", k).with_attr("value", v));
    }
    set
}

fn resource_xml(r: &Resource, defaults: &DefaultOps, ids: &mut Ids, d: &mut Desired) -> Element {
    match r {
        Resource::Primitive(p) => primitive_xml(p, defaults, ids, d),
        Resource::Group(g) => {
            let mut el = Element::new("group").with_attr("id", &g.id);
            if let Some(desc) = &g.description {
                el.set_attr("description", desc);
            }
            if !g.meta.is_empty() {
                el = el.with_child(nvset("meta_attributes", &format!("{}-meta_attributes", g.id), &g.meta, ids));
            }
            for m in &g.members {
                el = el.with_child(primitive_xml(m, defaults, ids, d));
            }
            el
        }
        Resource::Clone(c) => {
            let mut el = Element::new("clone").with_attr("id", &c.id);
            if let Some(desc) = &c.description {
                el.set_attr("description", desc);
            }
            el = el.with_child(resource_xml(&c.child, defaults, ids, d));
            let mut meta = Vec::new();
            if c.promotable {
                meta.push(("promotable".to_string(), "true".to_string()));
            }
            meta.extend(c.meta.iter().cloned());
            if !meta.is_empty() {
                el = el.with_child(nvset("meta_attributes", &format!("{}-meta_attributes", c.id), &meta, ids));
            }
            el
        }
        Resource::Bundle(b) => bundle_xml(b, defaults, ids, d),
    }
}

/// A `<bundle>` with pcs's ids: `B-port-map-PORT`, `B-storage-map`, `B-meta_attributes`.
fn bundle_xml(b: &crate::model::Bundle, defaults: &DefaultOps, ids: &mut Ids, d: &mut Desired) -> Element {
    let mut el = Element::new("bundle").with_attr("id", &b.id);
    if let Some(desc) = &b.description {
        el.set_attr("description", desc);
    }
    let container = b.container_attrs.iter().fold(Element::new(&b.container), |c, (k, v)| c.with_attr(k, v));
    el = el.with_child(container);
    if !b.network.is_empty() || !b.port_mappings.is_empty() {
        let mut net = b.network.iter().fold(Element::new("network"), |n, (k, v)| n.with_attr(k, v));
        for m in &b.port_mappings {
            let key = m.attrs.first().map_or("", |(_, v)| v.as_str());
            let id = m.id.clone().unwrap_or_else(|| ids.fresh(&format!("{}-port-map-{key}", b.id)));
            net = net.with_child(
                m.attrs.iter().fold(Element::new("port-mapping").with_attr("id", id), |e, (k, v)| e.with_attr(k, v)),
            );
        }
        el = el.with_child(net);
    }
    if !b.storage_mappings.is_empty() {
        let mut storage = Element::new("storage");
        for m in &b.storage_mappings {
            let id = m.id.clone().unwrap_or_else(|| ids.fresh(&format!("{}-storage-map", b.id)));
            storage = storage.with_child(
                m.attrs.iter().fold(Element::new("storage-mapping").with_attr("id", id), |e, (k, v)| e.with_attr(k, v)),
            );
        }
        el = el.with_child(storage);
    }
    if !b.meta.is_empty() {
        el = el.with_child(nvset("meta_attributes", &format!("{}-meta_attributes", b.id), &b.meta, ids));
    }
    if let Some(p) = &b.primitive {
        el = el.with_child(primitive_xml(p, defaults, ids, d));
    }
    el
}

fn primitive_xml(p: &Primitive, defaults: &DefaultOps, ids: &mut Ids, d: &mut Desired) -> Element {
    let mut el = Element::new("primitive").with_attr("id", &p.id);
    if let Some(t) = &p.template {
        el.set_attr("template", t);
    } else {
        el.set_attr("class", &p.agent.class);
        el.set_attr("type", &p.agent.kind);
        if let Some(prov) = &p.agent.provider {
            el.set_attr("provider", prov);
        }
    }
    if let Some(desc) = &p.description {
        el.set_attr("description", desc);
    }
    if !p.params.is_empty() {
        el = el.with_child(nvset("instance_attributes", &format!("{}-instance_attributes", p.id), &p.params, ids));
    }
    for s in &p.params_sets {
        el = el.with_child(rule_set_xml("instance_attributes", &format!("{}-instance_attributes", p.id), s, ids));
    }
    if !p.meta.is_empty() {
        el = el.with_child(nvset("meta_attributes", &format!("{}-meta_attributes", p.id), &p.meta, ids));
    }
    for s in &p.meta_sets {
        el = el.with_child(rule_set_xml("meta_attributes", &format!("{}-meta_attributes", p.id), s, ids));
    }
    if !p.utilization.is_empty() {
        el = el.with_child(nvset("utilization", &format!("{}-utilization", p.id), &p.utilization, ids));
    }
    if p.ops.completion != Completion::Exact {
        let names = p.ops.declared.iter().map(|o| o.name.clone()).collect();
        d.owned_op_names.insert(p.id.clone(), names);
    }
    let ops = complete_ops(p, defaults);
    if !ops.is_empty() {
        let mut ops_el = Element::new("operations");
        for (op, is_default) in &ops {
            let op_el = op_xml(&p.id, op, ids);
            if *is_default {
                d.default_op_ids.extend(op_el.id().map(str::to_string));
            }
            ops_el = ops_el.with_child(op_el);
        }
        el = el.with_child(ops_el);
    }
    el
}

/// The operations a primitive is created with, each with whether it is an agent default: the
/// declared ones, completed the way pcs completes them (`Completion`), in pcs's order (by name).
pub fn complete_ops(p: &Primitive, defaults: &DefaultOps) -> Vec<(Op, bool)> {
    let agent: Vec<Op> = match p.ops.completion {
        Completion::Exact => Vec::new(),
        Completion::Monitor => {
            default_ops_for(&p.agent, defaults).into_iter().filter(|o| o.name == "monitor").collect()
        }
        Completion::Agent => default_ops_for(&p.agent, defaults)
            .into_iter()
            .filter(|o| !p.ops.declared.iter().any(|d| d.name == o.name))
            .collect(),
    };
    let mut ops: Vec<(Op, bool)> =
        p.ops.declared.iter().map(|o| (o.clone(), false)).chain(agent.into_iter().map(|o| (o, true))).collect();
    ops.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    ops
}

/// The operations pcs would write for an agent when none are given.
pub fn default_ops_for(agent: &Agent, defaults: &DefaultOps) -> Vec<Op> {
    defaults.get(&agent.to_string()).cloned().unwrap_or_else(fallback_ops)
}

fn op_xml(rsc: &str, op: &Op, ids: &mut Ids) -> Element {
    let id = ids.fresh(&format!("{rsc}-{}-interval-{}", op.name, op.interval));
    let mut el = Element::new("op").with_attr("name", &op.name).with_attr("interval", &op.interval);
    for (k, v) in &op.attrs {
        el.set_attr(k, v);
    }
    el.set_attr("id", &id);
    if !op.params.is_empty() {
        el = el.with_child(nvset("instance_attributes", &format!("{id}-instance_attributes"), &op.params, ids));
    }
    if !op.meta.is_empty() {
        el = el.with_child(nvset("meta_attributes", &format!("{id}-meta_attributes"), &op.meta, ids));
    }
    el
}

/// The id pcs gives a constraint when none is chosen (before `-1`, `-2`, ... for clashes).
pub fn constraint_base_id(c: &Constraint) -> String {
    // pcs leaves out what an id cannot hold (`web-.*` → `web-.`).
    let rsc_of = |rsc: &String, pattern: bool| -> String {
        if pattern {
            rsc.chars().filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.')).collect()
        } else {
            rsc.clone()
        }
    };
    let base = match c {
        Constraint::Location { rsc, pattern, placement, .. } => match (placement, rsc_of(rsc, *pattern)) {
            (Placement::Node { node, score }, rsc) => format!("location-{rsc}-{node}-{score}"),
            // What `pcs resource ban|move ... lifetime=` names them (`pcs resource clear`
            // removes them).
            (Placement::Until { node, score, .. }, rsc) if score == "-INFINITY" => format!("cli-ban-{rsc}-on-{node}"),
            (Placement::Until { score, .. }, rsc) if score == "INFINITY" => format!("cli-prefer-{rsc}"),
            (Placement::Until { node, score, .. }, rsc) => format!("location-{rsc}-{node}-{score}"),
            (Placement::Rules(_), rsc) => format!("location-{rsc}"),
        },
        Constraint::Colocation { rsc, with, score, .. } => format!("colocation-{rsc}-{with}-{score}"),
        Constraint::ColocationSets { sets, .. } => format!("colocation_set_{}", set_names(sets)),
        Constraint::Order { first, then, attrs, .. } => {
            // pcs: `order-A-B-mandatory`, or the kind as written (`order-A-B-Optional`).
            let kind = attrs.iter().find(|(k, _)| k == "kind").map_or("mandatory".to_string(), |(_, v)| v.clone());
            format!("order-{first}-{then}-{kind}")
        }
        Constraint::OrderSets { sets, .. } => format!("order_set_{}", set_names(sets)),
        Constraint::Ticket { ticket, target, .. } => match target {
            TicketTarget::One { rsc, role: Some(role) } => format!("ticket-{ticket}-{rsc}-{role}"),
            TicketTarget::One { rsc, role: None } => format!("ticket-{ticket}-{rsc}"),
            TicketTarget::Sets(sets) => format!("ticket_set_{}", set_names(sets)),
        },
    };
    sanitize_id(&base)
}

fn constraint_xml(c: &Constraint, ids: &mut Ids) -> Element {
    match c {
        Constraint::Location { id, rsc, pattern, placement, role, discovery } => {
            let id = id.clone().unwrap_or_else(|| ids.fresh(&constraint_base_id(c)));
            let mut el = Element::new("rsc_location").with_attr("id", &id);
            el.set_attr(if *pattern { "rsc-pattern" } else { "rsc" }, rsc);
            match placement {
                Placement::Node { node, score } => {
                    el.set_attr("node", node);
                    el.set_attr("score", score);
                }
                Placement::Until { node, score, end } => {
                    let lr = LocationRule {
                        rule: until_rule(node, end),
                        score: RuleScore::Score(score.clone()),
                        role: None,
                    };
                    el = el.with_child(location_rule_xml(&id, &lr, ids));
                }
                Placement::Rules(rules) => {
                    for lr in rules {
                        el = el.with_child(location_rule_xml(&id, lr, ids));
                    }
                }
            }
            if let Some(r) = role {
                el.set_attr("role", r);
            }
            if let Some(d) = discovery {
                el.set_attr("resource-discovery", d);
            }
            el
        }
        Constraint::Colocation { id, rsc, with, score, role, with_role, attrs } => {
            let id = id.clone().unwrap_or_else(|| ids.fresh(&constraint_base_id(c)));
            let mut el = Element::new("rsc_colocation")
                .with_attr("id", id)
                .with_attr("rsc", rsc)
                .with_attr("with-rsc", with)
                .with_attr("score", score);
            if let Some(r) = role {
                el.set_attr("rsc-role", r);
            }
            if let Some(r) = with_role {
                el.set_attr("with-rsc-role", r);
            }
            for (k, v) in attrs {
                el.set_attr(k, v);
            }
            el
        }
        Constraint::ColocationSets { id, sets, score, attrs } => {
            let id = id.clone().unwrap_or_else(|| ids.fresh(&constraint_base_id(c)));
            let mut el = Element::new("rsc_colocation").with_attr("id", &id).with_attr("score", score);
            for (k, v) in attrs {
                el.set_attr(k, v);
            }
            for s in sets {
                el = el.with_child(set_xml(&id, s, ids));
            }
            el
        }
        Constraint::Order { id, first, then, attrs } => {
            let id = id.clone().unwrap_or_else(|| ids.fresh(&constraint_base_id(c)));
            let mut el =
                Element::new("rsc_order").with_attr("id", id).with_attr("first", first).with_attr("then", then);
            for (k, v) in attrs {
                el.set_attr(k, v);
            }
            el
        }
        Constraint::OrderSets { id, sets, attrs } => {
            let id = id.clone().unwrap_or_else(|| ids.fresh(&constraint_base_id(c)));
            let mut el = Element::new("rsc_order").with_attr("id", &id);
            for (k, v) in attrs {
                el.set_attr(k, v);
            }
            for s in sets {
                el = el.with_child(set_xml(&id, s, ids));
            }
            el
        }
        Constraint::Ticket { id, ticket, target, loss_policy } => {
            let id = id.clone().unwrap_or_else(|| ids.fresh(&constraint_base_id(c)));
            let mut el = Element::new("rsc_ticket").with_attr("id", &id).with_attr("ticket", ticket);
            if let Some(l) = loss_policy {
                el.set_attr("loss-policy", l);
            }
            match target {
                TicketTarget::One { rsc, role } => {
                    el.set_attr("rsc", rsc);
                    if let Some(r) = role {
                        el.set_attr("rsc-role", r);
                    }
                }
                TicketTarget::Sets(sets) => {
                    for s in sets {
                        el = el.with_child(set_xml(&id, s, ids));
                    }
                }
            }
            el
        }
    }
}

/// The rule `pcs resource ban|move ... lifetime=` writes: on the node, until the date.
pub fn until_rule(node: &str, end: &str) -> rule::Rule {
    rule::Rule::new(rule::Expr::And(vec![
        rule::Expr::Attr {
            attribute: "#uname".into(),
            op: rule::AttrOp::Eq,
            value: node.into(),
            value_type: Some(rule::ValueType::String),
            value_source: None,
        },
        rule::Expr::DateLt(end.into()),
    ]))
}

/// One `<rule>` of a location constraint, with pcs's ids (`{cid}-rule`, `{cid}-rule-1`, ...).
fn location_rule_xml(cid: &str, lr: &LocationRule, ids: &mut Ids) -> Element {
    let rule_id = ids.fresh(&format!("{cid}-rule"));
    let mut extra = Vec::new();
    if let Some(r) = &lr.role {
        extra.push(("role", r.as_str()));
    }
    match &lr.score {
        RuleScore::Score(s) => extra.push(("score", s.as_str())),
        RuleScore::Attribute(a) => extra.push(("score-attribute", a.as_str())),
    }
    let el = rule::to_xml(&lr.rule, &rule_id, &extra);
    reserve_all(&el, ids);
    el
}

fn reserve_all(el: &Element, ids: &mut Ids) {
    let mut all = Vec::new();
    el.collect_ids(&mut all);
    for id in all {
        ids.reserve(id);
    }
}

/// pcs's short id part for set constraints: first and last character of the first three
/// resource ids (`a`, `b`, `c` → `aabbcc`).
fn set_names(sets: &[ResourceSet]) -> String {
    sets.iter()
        .flat_map(|s| s.resources.iter())
        .take(3)
        .map(|r| format!("{}{}", r.chars().next().unwrap_or('_'), r.chars().last().unwrap_or('_')))
        .collect()
}

fn set_xml(cid: &str, s: &ResourceSet, ids: &mut Ids) -> Element {
    let id = s.id.clone().unwrap_or_else(|| ids.fresh(&format!("{cid}_set")));
    let mut el = Element::new("resource_set").with_attr("id", id);
    for (k, v) in &s.attrs {
        el.set_attr(k, v);
    }
    for r in &s.resources {
        el = el.with_child(Element::new("resource_ref").with_attr("id", r));
    }
    el
}
