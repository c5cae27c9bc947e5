//! The cluster file applied to a corosync.conf tree: the new tree with only the edits the file
//! asks for (every other line, comment and key stays as it was), plus the classed change list;
//! and the knet link steps between two trees (added, removed, re-addressed links).
//!
//! Pure: trees in, trees out. Whether and how a change may be made on a running cluster is
//! decided by the caller (`ops`), from the change list.

use std::collections::{BTreeMap, BTreeSet};

use super::facts::{
    compare, declared_quorum, interface_link, ring_link, same, same_device, same_quorum, two_node_follow, ConfChange,
    Facts,
};
use super::parse::{Item, Section};
use crate::model::{Cluster, QuorumDevice};

/// corosync.conf as the file wants it, and what differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciled {
    pub conf: Section,
    pub text: String,
    pub changes: Vec<ConfChange>,
}

/// The file applied to `conf`.
pub fn reconcile(conf: &Section, model: &Cluster) -> Reconciled {
    let facts = Facts::from_conf(conf);
    let changes = compare(model, &facts);
    let new = if changes.is_empty() { conf.clone() } else { edit(conf, model, &facts) };
    Reconciled { text: super::write::to_text(&new), conf: new, changes }
}

fn edit(conf: &Section, model: &Cluster, facts: &Facts) -> Section {
    let mut new = conf.clone();
    totem(&mut new, model, facts);
    if model.members().next().is_some() {
        nodes(&mut new, model);
        let kept: BTreeSet<u8> = (0..model.nodes.iter().map(|n| n.addrs.len()).max().unwrap_or(0))
            .filter_map(|l| u8::try_from(l).ok())
            .collect();
        for l in facts.links.keys().filter(|l| !kept.contains(l)) {
            remove_interfaces(&mut new, *l);
        }
    }
    quorum(&mut new, model, facts);
    let logging: Vec<&(String, String)> =
        model.corosync.logging.iter().filter(|(k, v)| !same(k, facts.logging.get(k).map(String::as_str), v)).collect();
    if !logging.is_empty() {
        let s = new.ensure_section("logging");
        logging.iter().for_each(|(k, v)| s.set(k, v));
    }
    new
}

fn totem(new: &mut Section, model: &Cluster, facts: &Facts) {
    let mut keys: Vec<(&str, &str)> = Vec::new();
    if facts.cluster_name.as_deref() != Some(model.name.as_str()) {
        keys.push(("cluster_name", &model.name));
    }
    for (k, v) in &model.corosync.totem {
        if !same(k, facts.totem.get(k).map(String::as_str), v) {
            keys.push((k, v));
        }
    }
    let links: Vec<(u8, Vec<&(String, String)>)> = model
        .corosync
        .links
        .iter()
        .enumerate()
        .filter_map(|(l, opts)| {
            let l = u8::try_from(l).ok()?;
            let have = facts.links.get(&l);
            let diff: Vec<_> =
                opts.iter().filter(|(k, v)| !same(k, have.and_then(|h| h.get(k)).map(String::as_str), v)).collect();
            (!diff.is_empty()).then_some((l, diff))
        })
        .collect();
    if keys.is_empty() && links.is_empty() {
        return;
    }
    let t = new.ensure_section("totem");
    keys.iter().for_each(|(k, v)| t.set(k, v));
    for (l, opts) in links {
        if !t.sections("interface").any(|i| interface_link(i) == Some(l)) {
            let mut i = Section::new("interface");
            i.set("linknumber", &l.to_string());
            t.push_section(i);
        }
        let i = t.sections_mut("interface").filter(|i| interface_link(i) == Some(l)).last().expect("just ensured");
        opts.iter().for_each(|(k, v)| i.set(k, v));
    }
}

/// Nodes are looked for in every `nodelist` (the first of a name counts, as in `Facts`); a new
/// node goes into the last one.
fn nodes(new: &mut Section, model: &Cluster) {
    new.ensure_section("nodelist");
    for n in model.nodes.iter().filter(|n| n.in_corosync()) {
        let id = n.id.to_string();
        let found = new
            .sections_mut("nodelist")
            .flat_map(|nl| nl.sections_mut("node"))
            .find(|s| s.value("name") == Some(n.name.as_str()));
        match found {
            Some(s) => edit_node(s, &id, &n.addrs),
            None => {
                let mut s = Section::new("node");
                for (l, a) in n.addrs.iter().enumerate() {
                    s.set(&format!("ring{l}_addr"), a);
                }
                s.set("name", &n.name);
                s.set("nodeid", &id);
                new.ensure_section("nodelist").push_section(s);
            }
        }
    }
    for nl in new.sections_mut("nodelist") {
        nl.remove_sections(|s| s.name == "node" && !model.members().any(|n| s.value("name") == Some(n.name.as_str())));
    }
}

fn edit_node(s: &mut Section, id: &str, addrs: &[String]) {
    if s.value("nodeid") != Some(id) {
        s.set("nodeid", id);
    }
    for (l, a) in addrs.iter().enumerate() {
        set_ring(s, l, a);
    }
    let extra: Vec<String> = s
        .values()
        .filter(|(k, _)| ring_link(k).is_some_and(|l| usize::from(l) >= addrs.len()))
        .map(|(k, _)| k.to_string())
        .collect();
    extra.iter().for_each(|k| {
        s.remove(k);
    });
}

/// Set `ringL_addr`; a new one goes after the node's last address, as pcs writes them.
fn set_ring(s: &mut Section, l: usize, addr: &str) {
    let key = format!("ring{l}_addr");
    if s.value(&key) == Some(addr) {
        return;
    }
    if s.value(&key).is_some() {
        return s.set(&key, addr);
    }
    let after = s.items.iter().rposition(|i| matches!(i, Item::Value { key, .. } if ring_link(key).is_some()));
    let item = Item::Value { key, value: addr.to_string(), line: None };
    match after {
        Some(p) => s.items.insert(p + 1, item),
        None => s.items.insert(0, item),
    }
}

fn quorum(new: &mut Section, model: &Cluster, facts: &Facts) {
    let flags: Vec<(&str, String)> = declared_quorum(model)
        .into_iter()
        .filter_map(|(k, want)| want.filter(|w| !same_quorum(facts, k, w)).map(|w| (k, w)))
        .collect();
    let device = model.quorum.device.as_ref().filter(|d| facts.device.as_ref().is_none_or(|h| !same_device(h, d)));
    let two_node = two_node_follow(model, facts);
    let remove = super::facts::device_removed(model, facts);
    if flags.is_empty() && device.is_none() && two_node.is_none() && !remove {
        return;
    }
    let q = new.ensure_section("quorum");
    match two_node {
        Some(Some(v)) => q.set("two_node", v),
        Some(None) => {
            q.remove("two_node");
        }
        None => {}
    }
    flags.iter().for_each(|(k, v)| q.set(k, v));
    if remove {
        // As `pcs quorum device remove` (`two_node` is back through `two_node_follow`).
        q.remove_sections(|s| s.name == "device");
    }
    if let Some(d) = device {
        // As `pcs quorum device add`: a device replaces `two_node`.
        q.remove("two_node");
        let same_place = facts.device.as_ref().filter(|h| h.model == d.model && h.host == d.host);
        if let Some(have) = same_place {
            // As `pcs quorum device update`: only what the file declares changes (an undeclared
            // algorithm stays, and `votes` follows the one in force); the other keys stay.
            let algorithm = d.algorithm.clone().or_else(|| have.algorithm.clone());
            for dev in q.sections_mut("device") {
                if let Some(a) = &d.algorithm {
                    dev.sections_mut("net").for_each(|net| net.set("algorithm", a));
                }
                set_votes(dev, &QuorumDevice { algorithm: algorithm.clone(), ..d.clone() });
            }
            if let Some(h) = &d.heuristics {
                set_heuristics(q, h);
            }
        } else {
            q.remove_sections(|s| s.name == "device");
            q.push_section(device_section(d));
        }
    }
}

fn device_section(d: &QuorumDevice) -> Section {
    let mut net = Section::new("net");
    net.set("host", &d.host);
    if let Some(a) = &d.algorithm {
        net.set("algorithm", a);
    }
    let mut s = Section::new("device");
    s.set("model", &d.model);
    set_votes(&mut s, d);
    s.push_section(net);
    if let Some(keys) = d.heuristics.as_deref().filter(|h| !h.is_empty()) {
        let mut h = Section::new("heuristics");
        keys.iter().for_each(|(k, v)| h.set(k, v));
        s.push_section(h);
    }
    s
}

/// The device's heuristics become exactly `want` (as `pcs quorum device update heuristics
/// ...` sets keys in every heuristics section, and `heuristics remove` drops the sections):
/// keys not declared go, declared ones are set in place (comments stay), a section is made in
/// the last device when there is none.
fn set_heuristics(q: &mut Section, want: &[(String, String)]) {
    if want.is_empty() {
        q.sections_mut("device").for_each(|dev| dev.remove_sections(|s| s.name == "heuristics"));
        return;
    }
    if !q.sections("device").any(|dev| dev.sections("heuristics").next().is_some()) {
        if let Some(dev) = q.sections_mut("device").last() {
            dev.push_section(Section::new("heuristics"));
        }
    }
    for h in q.sections_mut("device").flat_map(|dev| dev.sections_mut("heuristics")) {
        let stale: Vec<String> =
            h.values().map(|(k, _)| k).filter(|k| !want.iter().any(|(w, _)| w == k)).map(String::from).collect();
        stale.iter().for_each(|k| {
            h.remove(k);
        });
        want.iter().for_each(|(k, v)| h.set(k, v));
    }
}

/// `votes` as pcs keeps it: `1` for `ffsplit` (corosync-qdevice's default algorithm, which
/// does not start otherwise), absent for the others (corosync's default).
fn set_votes(device: &mut Section, d: &QuorumDevice) {
    if d.model == "net" && d.algorithm.as_deref().is_none_or(|a| a == "ffsplit") {
        device.set("votes", "1");
    } else {
        device.remove("votes");
    }
}

fn remove_interfaces(conf: &mut Section, l: u8) {
    for t in conf.sections_mut("totem") {
        t.remove_sections(|i| i.name == "interface" && interface_link(i) == Some(l));
    }
}

/// A knet link removed from a tree: every node's address on it and its `interface` sections (as
/// `pcs cluster link delete` does).
pub fn without_link(conf: &Section, l: u8) -> Section {
    let mut new = conf.clone();
    remove_interfaces(&mut new, l);
    for nl in new.sections_mut("nodelist") {
        for n in nl.sections_mut("node") {
            n.remove(&format!("ring{l}_addr"));
        }
    }
    new
}

/// A tree with only the nodes named in `keep` (the links of nodes in both trees, when nodes
/// join or leave).
pub fn only_nodes(conf: &Section, keep: &[String]) -> Section {
    let mut new = conf.clone();
    for nl in new.sections_mut("nodelist") {
        nl.remove_sections(|s| s.name == "node" && !keep.iter().any(|k| s.value("name") == Some(k.as_str())));
    }
    new
}

/// How the knet links differ between two trees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkSteps {
    pub added: Vec<u8>,
    pub removed: Vec<u8>,
    /// Links whose addresses change: removed, then added again.
    pub readdressed: Vec<u8>,
    /// Links present and unchanged in both.
    pub kept: Vec<u8>,
}

/// The link steps from `before` to `after`.
pub fn link_steps(before: &Section, after: &Section) -> LinkSteps {
    let by_link = |f: &Facts| {
        let mut m: BTreeMap<u8, BTreeMap<String, String>> = BTreeMap::new();
        for n in &f.nodes {
            for (l, a) in &n.addrs {
                m.entry(*l).or_default().insert(n.name.clone().unwrap_or_default(), a.clone());
            }
        }
        m
    };
    let (b, a) = (by_link(&Facts::from_conf(before)), by_link(&Facts::from_conf(after)));
    let mut steps = LinkSteps::default();
    for l in b.keys().chain(a.keys()).copied().collect::<BTreeSet<u8>>() {
        match (b.get(&l), a.get(&l)) {
            (None, Some(_)) => steps.added.push(l),
            (Some(_), None) => steps.removed.push(l),
            (Some(x), Some(y)) if x != y => steps.readdressed.push(l),
            _ => steps.kept.push(l),
        }
    }
    steps
}
