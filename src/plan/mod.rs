//! Stage 4: desired ⇄ live → plan.
//!
//! `compute` is a pure function of the live configuration and the desired elements. It first
//! builds the new configuration by merging: objects whose meaning is unchanged keep the live XML
//! verbatim; changed objects take the desired XML with the live ids adopted (so nothing churns);
//! unmanaged parts (omitted `ops`, Pacemaker-owned properties, undeclared nodes, status) are kept.
//! The plan is then the difference of the semantic views of the old and new configuration, so
//! what `plan` shows and what `apply` writes come from one value and cannot disagree.
//! No async, no I/O, deterministic order.

pub mod patch;
pub mod route;
pub mod view;

use std::collections::{BTreeMap, BTreeSet};

// foldhash: a seeded fast hasher for the merge and diff indexes (SipHash was a hot spot; issue 13).
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use serde::Serialize;

use crate::cib::is_plain_set;
use crate::cib::xml::{Element, Node};
use crate::desired::{Desired, Ids};
use crate::vocab::PACEMAKER_OWNED;
use view::{is_resource, objects, op_line, views, Lazy, ObjKey, Section, View};

/// What happens to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Destroy,
}

/// One line of an object's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttrChange {
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Where the new value comes from when the file does not say it (`agent default`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A change to one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub action: Action,
    pub key: ObjKey,
    pub attrs: Vec<AttrChange>,
}

/// The result of planning.
#[derive(Debug, Clone)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Things worth knowing that change nothing (lowercase sentences).
    pub warnings: Vec<String>,
    /// What Pacemaker says the change does that is worth knowing but not wrong (crm_verify's
    /// warnings on the new CIB, e.g. a running resource that will be stopped).
    pub notes: Vec<String>,
    /// The configuration `apply` writes.
    pub new_config: Element,
    /// How corosync.conf differs from the file, and the edits `apply` makes to it.
    pub corosync: CorosyncPlan,
    /// What Pacemaker's scheduler predicts for the change (`None`: not asked for).
    pub preview: Option<crate::preview::Preview>,
    /// What the scheduler predicts for each asked-for scenario, on top of the change.
    pub what_if: Vec<(crate::preview::Scenario, crate::preview::Preview)>,
    /// The file's failover tests, played on top of the change (empty: none, or not asked for).
    pub scenarios: Vec<crate::failover::Verdict>,
}

/// The corosync.conf part of a plan.
#[derive(Debug, Clone, Default)]
pub struct CorosyncPlan {
    /// Where corosync.conf was read from; `None` when the target has none (a CIB file).
    pub source: Option<String>,
    pub changes: Vec<crate::corosync::ConfChange>,
    /// The edits to corosync.conf as a unified diff (empty: none).
    pub diff: String,
    /// How `apply` would reach the nodes for these changes (set by the command layer when
    /// there are changes; `None` otherwise).
    pub transport: Option<route::Route>,
}

impl Plan {
    /// `(add, change, destroy)` counts.
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |a| self.changes.iter().filter(|c| c.action == a).count();
        (n(Action::Create), n(Action::Update), n(Action::Destroy))
    }

    /// No change to the CIB and no corosync.conf difference.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.corosync.changes.is_empty()
    }
}

/// Plan the change from `live` (a `<configuration>` element) to `desired`.
pub fn compute(live: &Element, desired: &Desired) -> Plan {
    let mut warnings = Vec::new();
    let new_config = merge(live, desired, &mut warnings);
    let mut changes = diff(live, &new_config);
    mark_default_ops(&mut changes, &new_config, &desired.default_op_ids);
    Plan {
        changes,
        warnings,
        notes: Vec::new(),
        new_config,
        corosync: CorosyncPlan::default(),
        preview: None,
        what_if: Vec::new(),
        scenarios: Vec::new(),
    }
}

/// The semantic difference between two configurations.
///
/// A key can occur more than once (a live CIB may hold two objects with one id, or two nodes
/// with one name): the n-th occurrence in `new` is compared with the n-th in `old`.
pub fn diff(old: &Element, new: &Element) -> Vec<Change> {
    // Views are made only for objects whose elements differ: an object the merge kept verbatim
    // (most of a large configuration) is equal as an element, so equal as a view.
    let old_v = objects(old);
    let new_v = objects(new);
    let old_map: HashMap<(&ObjKey, usize), &Lazy> = occurrences(&old_v).zip(old_v.iter().map(|(_, v)| v)).collect();
    let new_keys: HashSet<(&ObjKey, usize)> = occurrences(&new_v).collect();
    let mut out: Vec<(Section, usize, Change)> = Vec::new();
    for (i, ((k, v), nth)) in new_v.iter().zip(occurrences(&new_v)).enumerate() {
        match old_map.get(&nth) {
            None => out.push((
                k.section,
                i,
                Change { action: Action::Create, key: k.clone(), attrs: lines(None, Some(&*v.view())) },
            )),
            Some(old) if old.same_source(v) => {}
            Some(old) => {
                let (old, v) = (old.view(), v.view());
                if old != v {
                    out.push((
                        k.section,
                        i,
                        Change { action: Action::Update, key: k.clone(), attrs: lines(Some(&*old), Some(&*v)) },
                    ));
                }
            }
        }
    }
    for (i, ((k, v), nth)) in old_v.iter().zip(occurrences(&old_v)).enumerate() {
        if !new_keys.contains(&nth) {
            out.push((
                k.section,
                new_v.len() + i,
                Change { action: Action::Destroy, key: k.clone(), attrs: lines(Some(&*v.view()), None) },
            ));
        }
    }
    out.sort_by_key(|(s, i, _)| (*s, *i));
    out.into_iter().map(|(_, _, c)| c).collect()
}

/// Note the added operations that are the agent's defaults (the file does not list them).
fn mark_default_ops(changes: &mut [Change], new_config: &Element, default_ids: &std::collections::HashSet<String>) {
    fn walk(el: &Element, ids: &std::collections::HashSet<String>, out: &mut HashSet<(String, String)>) {
        for c in el.elements().filter(|c| is_resource(&c.name)) {
            let ops = c.child("operations").into_iter().flat_map(Element::elements);
            for op in ops.filter(|o| o.id().is_some_and(|i| ids.contains(i))) {
                out.insert((c.id().unwrap_or_default().to_string(), op_line(op).0));
            }
            walk(c, ids, out);
        }
    }
    if default_ids.is_empty() {
        return;
    }
    let mut defaults = HashSet::new();
    if let Some(res) = new_config.child("resources") {
        walk(res, default_ids, &mut defaults);
    }
    for c in changes.iter_mut().filter(|c| c.key.kind == "primitive") {
        for a in c.attrs.iter_mut().filter(|a| a.after.is_some()) {
            if defaults.contains(&(c.key.id.clone(), a.key.clone())) {
                a.note = Some("agent default".into());
            }
        }
    }
}

/// Each key with its occurrence number (0 for the first object with that key).
fn occurrences<T>(views: &[(ObjKey, T)]) -> impl Iterator<Item = (&ObjKey, usize)> {
    let mut seen: HashMap<&ObjKey, usize> = HashMap::new();
    views.iter().map(move |(k, _)| {
        let n = seen.entry(k).or_default();
        *n += 1;
        (k, *n - 1)
    })
}

/// `view` with a key that occurs again numbered (`KEY (#2)`, ...): a view may hold a line twice
/// (two equal permissions of a role), and the lines compare by key, so without the number an
/// added or removed repeat would be an update that shows no line.
fn numbered(view: &View) -> View {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    view.iter()
        .map(|(k, v)| {
            let n = seen.entry(k.as_str()).or_default();
            *n += 1;
            (if *n == 1 { k.clone() } else { format!("{k} (#{n})") }, v.clone())
        })
        .collect()
}

fn lines(old: Option<&View>, new: Option<&View>) -> Vec<AttrChange> {
    let empty = View::new();
    let old = &numbered(old.unwrap_or(&empty));
    let new = &numbered(new.unwrap_or(&empty));
    let old_m: BTreeMap<&str, &str> = old.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let new_m: BTreeMap<&str, &str> = new.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut out = Vec::new();
    // Keys in the new view's order, then removed keys in the old view's order.
    for (k, v) in new {
        match old_m.get(k.as_str()) {
            Some(o) if *o == v => {}
            o => out.push(AttrChange {
                key: k.clone(),
                before: o.map(|s| s.to_string()),
                after: Some(v.clone()),
                note: None,
            }),
        }
    }
    for (k, v) in old {
        if !new_m.contains_key(k.as_str()) {
            out.push(AttrChange { key: k.clone(), before: Some(v.clone()), after: None, note: None });
        }
    }
    out
}

// ---------------------------------------------------------------- merge

fn merge(live: &Element, d: &Desired, warnings: &mut Vec<String>) -> Element {
    let mut all_ids = Vec::new();
    live.collect_ids(&mut all_ids);
    let mut ids = Ids::new(all_ids.into_iter().map(str::to_string));
    // resources and constraints are rebuilt below from the live ones; do not copy them twice.
    let mut config = without_children(live, |n| n == "resources" || n == "constraints");
    for section in ["crm_config", "nodes", "resources", "constraints"] {
        config.child_or_insert(section);
    }
    merge_pairs(
        config.child_mut("crm_config").expect("inserted"),
        "cluster_property_set",
        "cib-bootstrap-options",
        &d.properties,
        true,
        &mut ids,
    );
    own_children(
        config.child_mut("crm_config").expect("inserted"),
        "crm_config",
        &|e| e.name == "cluster_property_set" && !is_plain_set(e),
        &d.property_sets,
    );
    for (section, set_id, pairs, sets) in [
        ("rsc_defaults", "rsc_defaults-options", &d.rsc_defaults, &d.rsc_defaults_sets),
        ("op_defaults", "op_defaults-options", &d.op_defaults, &d.op_defaults_sets),
    ] {
        if d.sections.iter().any(|s| s.name == section) {
            continue; // given whole through the escape hatch, merged with the other sections
        }
        // Sets with rules or scores are owned too.
        if config.child(section).is_some() || !sets.is_empty() {
            own_children(config.child_or_insert(section), section, &|e| !is_plain_set(e), sets);
        }
        let has_live = config.child(section).is_some_and(|s| s.elements().any(is_plain_set));
        if has_live || !pairs.is_empty() {
            let sec = config.child_or_insert(section);
            merge_pairs(sec, "meta_attributes", set_id, pairs, false, &mut ids);
            if sec.children.is_empty() {
                config.children.retain(|n| !matches!(n, Node::Element(e) if e.name == section));
            }
        }
    }
    merge_nodes(config.child_mut("nodes").expect("inserted"), d, &mut ids, warnings);
    own_sections(&mut config, d);
    let resources = merge_resources(live.child("resources"), d);
    *config.child_mut("resources").expect("inserted") = resources;
    let constraints = merge_constraints(live.child("constraints"), d);
    *config.child_mut("constraints").expect("inserted") = constraints;
    // The sections must stay in schema order even if we had to insert one.
    order_sections(&mut config);
    config
}

/// A configuration holding one element in one section, for comparing views of lone objects.
fn wrap(section: &str, el: &Element) -> Element {
    Element::new("configuration").with_child(Element::new(section).with_child(el.clone()))
}

/// Make the children of `parent` that `owned` selects exactly `want` (matched by element name
/// and id): a live child that means the same as its wanted namesake stays as it is, a different
/// one is replaced in place, an undeclared one is removed, new ones are appended.
fn own_children(parent: &mut Element, section: &str, owned: &dyn Fn(&Element) -> bool, want: &[Element]) {
    let mut placed = vec![false; want.len()];
    let mut kept = Vec::with_capacity(parent.children.len());
    for n in std::mem::take(&mut parent.children) {
        let Node::Element(live) = n else {
            kept.push(n);
            continue;
        };
        if !owned(&live) {
            kept.push(Node::Element(live));
            continue;
        }
        let pos = want.iter().enumerate().position(|(i, w)| !placed[i] && w.name == live.name && w.id() == live.id());
        if let Some(i) = pos {
            placed[i] = true;
            if views(&wrap(section, &live)) == views(&wrap(section, &want[i])) {
                kept.push(Node::Element(live));
            } else {
                kept.push(Node::Element(want[i].clone()));
            }
        }
    }
    kept.extend(want.iter().zip(&placed).filter(|(_, p)| !**p).map(|(w, _)| Node::Element(w.clone())));
    parent.children = kept;
}

/// Sections owned whole: declared through the escape hatch, or removed (an empty section means
/// the same as none, so it is left alone).
fn own_sections(config: &mut Element, d: &Desired) {
    for name in crate::model::RAW_SECTIONS {
        let want = d.sections.iter().find(|s| s.name == *name);
        let pos = config.children.iter().position(|n| matches!(n, Node::Element(e) if e.name == *name));
        match (pos, want) {
            (Some(i), Some(w)) => {
                let Node::Element(live) = &config.children[i] else {
                    continue;
                };
                let same = views(&Element::new("configuration").with_child(live.clone()))
                    == views(&Element::new("configuration").with_child(w.clone()));
                if !same {
                    config.children[i] = Node::Element(w.clone());
                }
            }
            (None, Some(w)) => config.children.push(Node::Element(w.clone())),
            (Some(i), None) => {
                let has_objects = matches!(&config.children[i], Node::Element(e) if e.elements().next().is_some());
                let is_defaults = matches!(*name, "rsc_defaults" | "op_defaults");
                if has_objects && !is_defaults {
                    config.children.remove(i);
                }
            }
            (None, None) => {}
        }
    }
}

fn order_sections(config: &mut Element) {
    const ORDER: [&str; 8] =
        ["crm_config", "nodes", "resources", "constraints", "fencing-topology", "op_defaults", "rsc_defaults", "acls"];
    let rank = |n: &Node| match n {
        Node::Element(e) => ORDER.iter().position(|o| *o == e.name).unwrap_or(ORDER.len()),
        _ => ORDER.len(),
    };
    config.children.sort_by_key(rank);
}

/// Make the plain attribute sets under `parent` hold exactly `want` (`keep_owned`: leave
/// Pacemaker-owned names alone). Existing nvpairs keep their ids; new ones go in the first plain
/// set (created with `set_id` if there is none).
fn merge_pairs(
    parent: &mut Element,
    tag: &str,
    set_id: &str,
    want: &[(String, String)],
    keep_owned: bool,
    ids: &mut Ids,
) {
    let want_map: BTreeMap<&str, &str> = want.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut placed: HashSet<String> = HashSet::new();
    for set in parent.elements_mut().filter(|e| e.name == tag && is_plain_set(e)) {
        // Keep the first nvpair of each wanted name (updated in place, keeping its id), drop
        // unwanted names and later duplicates: Pacemaker reads only the first of a name.
        let mut kept = Vec::with_capacity(set.children.len());
        for n in std::mem::take(&mut set.children) {
            match n {
                Node::Element(mut nv) if nv.name == "nvpair" && nv.attr("id-ref").is_none() => {
                    let name = nv.attr("name").unwrap_or_default().to_string();
                    if keep_owned && PACEMAKER_OWNED.contains(&name.as_str()) {
                        kept.push(Node::Element(nv));
                    } else if let Some(v) = want_map.get(name.as_str()) {
                        if placed.insert(name) {
                            if nv.attr("value") != Some(v) {
                                nv.set_attr("value", *v);
                            }
                            kept.push(Node::Element(nv));
                        }
                    }
                }
                other => kept.push(other),
            }
        }
        set.children = kept;
    }
    let missing: Vec<&(String, String)> = want.iter().filter(|(k, _)| !placed.contains(k)).collect();
    if missing.is_empty() {
        parent.children.retain(|n| !matches!(n, Node::Element(e) if e.name == tag && is_plain_set(e) && e.children.is_empty() && e.attrs.len() <= 1 && e.id().is_some_and(|i| i.ends_with("-options") && i != "cib-bootstrap-options")));
        return;
    }
    if !parent.elements().any(|e| e.name == tag && is_plain_set(e)) {
        let id = ids.fresh(set_id);
        parent.children.push(Node::Element(Element::new(tag).with_attr("id", id)));
    }
    let set = parent.elements_mut().find(|e| e.name == tag && is_plain_set(e)).expect("ensured");
    let sid = set.id().unwrap_or(set_id).to_string();
    for (k, v) in missing {
        let id = ids.fresh(&format!("{sid}-{k}"));
        set.children
            .push(Node::Element(Element::new("nvpair").with_attr("id", id).with_attr("name", k).with_attr("value", v)));
    }
}

fn merge_nodes(nodes: &mut Element, d: &Desired, ids: &mut Ids, warnings: &mut Vec<String>) {
    let declared: HashSet<&str> = d.nodes.iter().chain(&d.raw_nodes).filter_map(|n| n.attr("uname")).collect();
    if !declared.is_empty() {
        for n in nodes.elements().filter(|n| n.name == "node") {
            let uname = n.attr("uname").unwrap_or_default();
            if !declared.contains(uname) && n.attr("type").is_none_or(|t| t == "member") {
                warnings.push(format!(
                    "node `{uname}` is in the CIB but not declared in the file; cibform leaves it alone"
                ));
            }
        }
    }
    for rn in &d.raw_nodes {
        let uname = rn.attr("uname");
        let pos = nodes.elements().position(|n| n.name == "node" && n.attr("uname") == uname);
        match pos.and_then(|p| nodes.elements_mut().nth(p)) {
            Some(live) => {
                if views(&wrap("nodes", live)) != views(&wrap("nodes", rn)) {
                    *live = rn.clone();
                }
            }
            None => nodes.children.push(Node::Element(rn.clone())),
        }
    }
    for dn in &d.nodes {
        let uname = dn.attr("uname").unwrap_or_default();
        let pos = nodes.elements().position(|n| n.name == "node" && n.attr("uname") == Some(uname));
        let Some(pos) = pos else {
            nodes.children.push(Node::Element(dn.clone()));
            continue;
        };
        let live = nodes.elements_mut().nth(pos).expect("found");
        if let (Some(lid), Some(did)) = (live.id(), dn.id()) {
            if lid != did {
                warnings
                    .push(format!("node `{uname}` has id {lid} in the CIB but {did} in the file; the CIB keeps {lid}"));
            }
        }
        for (tag, prefix) in [("instance_attributes", "nodes-"), ("utilization", "nodes-")] {
            let want: Vec<(String, String)> = dn
                .elements()
                .filter(|s| s.name == tag)
                .flat_map(|s| {
                    s.elements().map(|nv| {
                        (
                            nv.attr("name").unwrap_or_default().to_string(),
                            nv.attr("value").unwrap_or_default().to_string(),
                        )
                    })
                })
                .collect();
            let set_id = format!(
                "{prefix}{}{}",
                live.id().unwrap_or_default(),
                if tag == "utilization" { "-utilization" } else { "" }
            );
            // `standby=off` and no standby attribute mean the same: leave an explicit `off` alone.
            let mut want = want;
            if tag == "instance_attributes" && !want.iter().any(|(k, _)| k == "standby") {
                if let Some(v) = live
                    .elements()
                    .filter(|s| s.name == tag && is_plain_set(s))
                    .flat_map(|s| s.elements())
                    .find(|nv| nv.attr("name") == Some("standby"))
                    .and_then(|nv| nv.attr("value"))
                {
                    if !crate::vocab::is_true(v) {
                        want.push(("standby".into(), v.to_string()));
                    }
                }
            }
            merge_pairs(live, tag, &set_id, &want, false, ids);
            live.children.retain(
                |n| !matches!(n, Node::Element(e) if e.name == tag && is_plain_set(e) && e.children.is_empty()),
            );
        }
    }
}

/// Index every live resource element (at any depth) by id.
fn index_resources<'a>(el: &'a Element, out: &mut HashMap<&'a str, &'a Element>) {
    for c in el.elements().filter(|c| is_top_object(&c.name)) {
        if let Some(id) = c.id() {
            out.insert(id, c);
        }
        index_resources(c, out);
    }
}

/// What `<resources>` holds as objects: resources and templates (both owned by the file).
fn is_top_object(name: &str) -> bool {
    is_resource(name) || name == "template"
}

fn same_kind(a: &str, b: &str) -> bool {
    a == b || (matches!(a, "clone" | "master") && matches!(b, "clone" | "master"))
}

fn merge_resources(live: Option<&Element>, d: &Desired) -> Element {
    let mut index = HashMap::new();
    if let Some(l) = live {
        index_resources(l, &mut index);
    }
    // Other children (comments) are kept as they are; resources and templates come from the file.
    let mut out = live.map_or_else(|| Element::new("resources"), |l| without_children(l, is_top_object));
    let live_top: Vec<&Element> =
        live.map(|l| l.elements().filter(|e| is_top_object(&e.name)).collect()).unwrap_or_default();
    let slot: HashMap<(&str, &str), usize> =
        live_top.iter().enumerate().filter_map(|(i, l)| Some(((kind_class(&l.name), l.id()?), i))).collect();
    let mut merged: Vec<Option<Element>> = vec![None; live_top.len()];
    let mut appended = Vec::new();
    for want in &d.resources {
        let at = want.id().and_then(|id| slot.get(&(kind_class(&want.name), id)).copied());
        let el = match merge_resource(want, &index, d) {
            Some(el) => el,
            None => index[want.id().unwrap_or_default()].clone(),
        };
        match at {
            Some(i) => merged[i] = Some(el),
            None => appended.push(el),
        }
    }
    out.children.extend(merged.into_iter().flatten().chain(appended).map(Node::Element));
    out
}

/// Element names that `same_kind` treats as one kind.
fn kind_class(name: &str) -> &str {
    if name == "master" {
        "clone"
    } else {
        name
    }
}

/// A copy of `el` without the element children `drop` selects (cheaper than cloning them all).
fn without_children(el: &Element, drop: impl Fn(&str) -> bool) -> Element {
    let children = el.children.iter().filter(|n| !matches!(n, Node::Element(e) if drop(&e.name))).cloned().collect();
    Element { name: el.name.clone(), attrs: el.attrs.clone(), children }
}

/// Ids of an element's member resources, in order.
fn child_ids(e: &Element) -> Vec<&str> {
    e.elements().filter(|c| is_resource(&c.name)).filter_map(Element::id).collect()
}

/// Merge one desired resource with its live namesake: `None` when the live element already means
/// exactly this (it is kept verbatim), otherwise the element to write, with the live ids adopted
/// and unmanaged parts (omitted ops) taken from the live element.
fn merge_resource(want: &Element, index: &HashMap<&str, &Element>, d: &Desired) -> Option<Element> {
    let live = want.id().and_then(|id| index.get(id)).filter(|l| same_kind(&l.name, &want.name)).copied();
    let children: Vec<Option<Element>> =
        want.elements().filter(|c| is_resource(&c.name)).map(|c| merge_resource(c, index, d)).collect();
    let owned_ops = match want.name.as_str() {
        "primitive" | "template" => want.id().and_then(|id| d.owned_op_names.get(id)),
        _ => None,
    };
    // Live operations of the names the file does not own stand for the desired ones.
    let with_live_ops = |el: &Element, live: &Element| match owned_ops {
        Some(owned) => with_unowned_ops(el, live, owned),
        None => el.clone(),
    };
    if let Some(live) = live {
        if children.iter().all(Option::is_none) && child_ids(want) == child_ids(live) {
            // Without unowned operations to take from the live element, `want` is viewed as it
            // is (no copy of it only to be viewed).
            let own = match owned_ops {
                Some(owned) => own_view(&with_unowned_ops(want, live, owned)),
                None => own_view(want),
            };
            if own == own_view(live) {
                return None;
            }
        }
    }
    let mut children = children.into_iter();
    let mut el = without_children(want, is_resource);
    el.children.clear();
    for n in &want.children {
        match n {
            Node::Element(c) if is_resource(&c.name) => {
                let m = children.next().flatten();
                el.children.push(Node::Element(m.unwrap_or_else(|| index[c.id().unwrap_or_default()].clone())));
            }
            other => el.children.push(other.clone()),
        }
    }
    if let Some(live) = live {
        el = with_live_ops(&el, live);
        if !want.id().is_some_and(|id| d.raw_ids.contains(id)) {
            adopt_ids(&mut el, live);
        }
    }
    Some(el)
}

/// `el` with the operations of the names in `owned` from `el` and every other operation from
/// `live` (the live `<operations>` element, so its id and place are kept).
fn with_unowned_ops(el: &Element, live: &Element, owned: &BTreeSet<String>) -> Element {
    let is_owned = |n: &Node| matches!(n, Node::Element(op) if op.name == "op" && owned.contains(op.attr("name").unwrap_or_default()));
    let wanted: Vec<Node> = el
        .child("operations")
        .map(|o| o.children.iter().filter(|n| is_owned(n)).cloned().collect())
        .unwrap_or_default();
    let mut e = without_children(el, |n| n == "operations");
    let mut ops = match live.child("operations") {
        Some(l) => l.clone(),
        None => Element::new("operations"),
    };
    ops.children.retain(|n| !is_owned(n));
    ops.children.extend(wanted);
    if ops.elements().next().is_some() || ops.attrs.iter().any(|(k, _)| k != "id") {
        e.children.push(Node::Element(ops));
    }
    e
}

/// The view of one resource element alone (its children resources are separate objects).
fn own_view(el: &Element) -> View {
    view::resource_view(el)
}

/// Identity of a sub-element within its parent, for id adoption.
fn identity(e: &Element, ordinal: usize) -> Option<String> {
    match e.name.as_str() {
        "nvpair" => Some(format!("nvpair {}", e.attr("name")?)),
        "op" => Some(format!("op {}", op_line(e).0)),
        n if is_resource(n) || n == "resource_ref" => None,
        n => Some(format!("{n} #{ordinal}")),
    }
}

/// Copy ids from `live` onto the matching sub-elements of `el` (recursively), and put the matched
/// ones in their live order, so an update keeps the ids and positions already in the CIB (the
/// patch then changes values, not places). Children whose order means something (resources of a
/// group, same-named rule parts, resource sets) match by name and ordinal or not at all, so
/// their order is never changed.
pub fn adopt_ids(el: &mut Element, live: &Element) {
    if let (Some(_), Some(lid)) = (el.id(), live.id()) {
        if !is_resource(&el.name) {
            el.set_attr("id", lid);
        }
    }
    let mut live_by_key: HashMap<String, (usize, &Element)> = HashMap::new();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (i, c) in live.elements().enumerate() {
        let n = counts.entry(c.name.as_str()).or_default();
        if let Some(k) = identity(c, *n) {
            live_by_key.entry(k).or_insert((i, c));
        }
        *n += 1;
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut ranks = Vec::new();
    for c in el.elements_mut() {
        let n = counts.entry(c.name.to_string()).or_default();
        let key = identity(c, *n);
        *n += 1;
        let found = key.and_then(|k| live_by_key.get(&k));
        if let Some((_, l)) = found {
            adopt_ids(c, l);
        }
        ranks.push(found.map(|(i, _)| *i));
    }
    keep_live_order(el, &ranks);
}

/// Reorder the element children of `el` that have a live position (`ranks`, one per element
/// child) by that position, within the slots they occupy; the others stay where they are.
fn keep_live_order(el: &mut Element, ranks: &[Option<usize>]) {
    let slots: Vec<usize> = el
        .children
        .iter()
        .enumerate()
        .filter(|(_, n)| matches!(n, Node::Element(_)))
        .map(|(i, _)| i)
        .zip(ranks)
        .filter_map(|(slot, r)| r.map(|_| slot))
        .collect();
    let mut ranked: Vec<usize> = ranks.iter().flatten().copied().collect();
    if ranked.is_sorted() {
        return;
    }
    let mut moved: Vec<(usize, Node)> = slots
        .iter()
        .zip(ranked.drain(..))
        .map(|(&slot, r)| (r, std::mem::replace(&mut el.children[slot], Node::Text(String::new()))))
        .collect();
    moved.sort_by_key(|(r, _)| *r);
    for (&slot, (_, node)) in slots.iter().zip(moved) {
        el.children[slot] = node;
    }
}

/// The natural key of a constraint: what it constrains, not its id.
fn natural_key(c: &Element) -> String {
    let mut key = c.name.to_string();
    for a in ["rsc", "rsc-pattern", "node", "with-rsc", "first", "then", "ticket"] {
        if let Some(v) = c.attr(a) {
            key.push_str(&format!(" {a}={v}"));
        }
    }
    if c.child("rule").is_some() {
        key.push_str(" rule");
    }
    for s in c.elements().filter(|e| e.name == "resource_set") {
        let refs: Vec<&str> = s.elements().filter_map(Element::id).collect();
        key.push_str(&format!(" [{}]", refs.join(" ")));
    }
    key
}

fn merge_constraints(live: Option<&Element>, d: &Desired) -> Element {
    let mut out = live.map_or_else(|| Element::new("constraints"), |l| without_children(l, |_| true));
    let live_list: Vec<&Element> = live.map(|l| l.elements().collect()).unwrap_or_default();
    let live_views: Vec<View> = live_list.iter().map(|c| view::constraint_view(c)).collect();
    // Where to look for a desired constraint's live counterpart: by id when the file gives one,
    // otherwise by what it constrains. Built once, so matching stays linear.
    let mut by_id: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    let mut by_key: HashMap<(&str, String), Vec<usize>> = HashMap::new();
    for (i, c) in live_list.iter().enumerate() {
        if let Some(id) = c.id() {
            by_id.entry((c.name.as_str(), id)).or_default().push(i);
        }
        by_key.entry((c.name.as_str(), natural_key(c))).or_default().push(i);
    }
    let mut used = vec![false; live_list.len()];
    let mut result: Vec<Option<Element>> = vec![None; live_list.len()];
    let mut appended = Vec::new();
    for (want, explicit) in d.constraints.iter().zip(&d.explicit_constraint_ids) {
        let wv = view::constraint_view(want);
        let none = Vec::new();
        let candidates = if *explicit {
            by_id.get(&(want.name.as_str(), want.id().unwrap_or_default())).unwrap_or(&none)
        } else {
            by_key.get(&(want.name.as_str(), natural_key(want))).unwrap_or(&none)
        };
        let free = || candidates.iter().copied().filter(|&i| !used[i]);
        let pick = free().find(|&i| live_views[i] == wv).or_else(|| free().next());
        match pick {
            Some(i) => {
                used[i] = true;
                if live_views[i] == wv {
                    result[i] = Some(live_list[i].clone());
                } else {
                    let mut el = want.clone();
                    if !want.id().is_some_and(|id| d.raw_ids.contains(id)) {
                        adopt_ids(&mut el, live_list[i]);
                    }
                    if let Some(lid) = live_list[i].id() {
                        el.set_attr("id", lid);
                    }
                    result[i] = Some(el);
                }
            }
            None => appended.push(want.clone()),
        }
    }
    out.children.extend(result.into_iter().flatten().chain(appended).map(Node::Element));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: a name set twice in the CIB (by hand or by another tool) never converged: the
    /// first nvpair was updated and the stale duplicate kept, and the view then read the stale one.
    #[test]
    fn duplicate_nvpairs_are_collapsed_to_the_first() {
        let mut set = Element::parse(
            r#"<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="a" name="x" value="1"/><nvpair id="b" name="x" value="2"/><nvpair id="c" name="dc-version" value="2.1.5"/></cluster_property_set></crm_config>"#,
        )
        .unwrap();
        let mut ids = Ids::new(Vec::new());
        merge_pairs(
            &mut set,
            "cluster_property_set",
            "cib-bootstrap-options",
            &[("x".into(), "3".into())],
            true,
            &mut ids,
        );
        let out = set.to_xml();
        assert!(out.contains(r#"<nvpair id="a" name="x" value="3"/>"#), "{out}");
        assert!(!out.contains(r#"id="b""#), "{out}");
        assert!(out.contains(r#"name="dc-version""#), "owned properties stay: {out}");
    }
}
