//! CIB → model, the common part: the reader's state, the reasons an object stays raw, and the
//! cluster-wide sections (properties, defaults, nodes). Decides nothing about changes.

use super::Options;
use crate::cib::is_plain_set;
use crate::cib::xml::Element;
use crate::desired::DefaultOps;
use crate::model::{AttrSet, Node, RawObject, RawPlace};
use crate::vocab::{canonical_bool, is_true, normalize_score, PACEMAKER_OWNED, ROLES};
use std::collections::HashSet;

pub(super) struct Reader<'a> {
    pub(super) opts: &'a Options,
    pub(super) defaults: &'a DefaultOps,
    pub(super) known: HashSet<String>,
    pub(super) notes: Vec<String>,
    pub(super) raw: Vec<RawObject>,
    /// Templates read natively, and the agent of every template in the CIB (by id), which the
    /// primitives that use one take.
    pub(super) templates: Vec<crate::model::Primitive>,
    pub(super) template_agents: std::collections::HashMap<String, crate::model::Agent>,
}

pub(super) type Pairs = Vec<(String, String)>;

/// NotNative an object cannot be written natively (it goes to `raw:` with this reason).
pub(super) type NotNative = String;

pub(super) fn describe(el: &Element) -> String {
    match el.id() {
        Some(id) => format!("<{} id=\"{id}\">", el.name),
        None => format!("<{}>", el.name),
    }
}

/// Attributes of `el` outside `allowed` (and `id`).
pub(super) fn extra_attr(el: &Element, allowed: &[&str]) -> Result<(), NotNative> {
    match el.attrs.iter().find(|(k, _)| k != "id" && !allowed.contains(&k.as_str())) {
        Some((k, _)) => Err(format!("`{}` has attribute `{k}`", el.name)),
        None => Ok(()),
    }
}

/// The pairs of the plain sets named `tag` under `el`, merged (no name given twice).
pub(super) fn plain_pairs(el: &Element, tag: &str) -> Result<Pairs, NotNative> {
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

pub(super) fn check_role(role: &str) -> Result<(), NotNative> {
    if ROLES.contains(&role) {
        Ok(())
    } else {
        Err(format!("role `{role}`"))
    }
}

/// A boolean attribute in its canonical spelling (`0` → `false`, as Pacemaker reads it).
pub(super) fn check_bool(v: &str, what: &str) -> Result<&'static str, NotNative> {
    canonical_bool(v).ok_or_else(|| format!("`{what}=\"{v}\"` (not a boolean)"))
}

pub(super) fn score(v: Option<&str>, what: &str) -> Result<String, NotNative> {
    let v = v.ok_or_else(|| format!("`{what}` without a score"))?;
    normalize_score(v).ok_or_else(|| format!("score `{v}`"))
}

impl Reader<'_> {
    /// The levels of a `<fencing-topology>`, each naming devices in the configuration.
    pub(super) fn fencing(&self, top: &Element) -> Result<Vec<crate::model::FencingLevel>, NotNative> {
        use crate::model::{FencingLevel, LevelTarget};
        if top.children.iter().any(|n| !matches!(n, crate::cib::xml::Node::Element(_))) {
            return Err("comments or text in it".into());
        }
        let mut out: Vec<FencingLevel> = Vec::new();
        for l in top.elements() {
            if l.name != "fencing-level" || l.elements().next().is_some() {
                return Err(format!("`<{}>` in it", l.name));
            }
            extra_attr(l, &["index", "devices", "target", "target-pattern", "target-attribute", "target-value"])?;
            let index = l
                .attr("index")
                .and_then(|i| i.parse::<u32>().ok())
                .filter(|i| *i > 0 && Some(i.to_string().as_str()) == l.attr("index"))
                .ok_or_else(|| format!("level index `{}`", l.attr("index").unwrap_or_default()))?;
            let target = match (l.attr("target"), l.attr("target-pattern"), l.attr("target-attribute")) {
                (Some(t), None, None) if !t.is_empty() && l.attr("target-value").is_none() => {
                    LevelTarget::Node(t.into())
                }
                (None, Some(p), None) if !p.is_empty() && l.attr("target-value").is_none() => {
                    LevelTarget::Pattern(p.into())
                }
                (None, None, Some(a)) if !a.is_empty() => LevelTarget::Attribute {
                    name: a.into(),
                    value: l.attr("target-value").ok_or("`target-attribute` without `target-value`")?.into(),
                },
                _ => return Err("a level without exactly one target".into()),
            };
            let devices: Vec<String> = l.attr("devices").unwrap_or_default().split(',').map(str::to_string).collect();
            if let Some(d) = devices.iter().find(|d| !self.known.contains(*d)) {
                return Err(format!("a level names `{d}`, which is not in the configuration"));
            }
            if out.iter().any(|o| o.target == target && o.index == index) {
                return Err("a target's level given twice".into());
            }
            let id = l.id().ok_or("a level without an id")?.to_string();
            let mut level = FencingLevel { id: Some(id), index, target, devices };
            // Leave out the id pcs would give it anyway.
            if crate::desired::level_base_id(&level) == l.id().unwrap_or_default() {
                level.id = None;
            }
            out.push(level);
        }
        Ok(out)
    }

    /// The tags of a `<tags>` section, each naming resources in the configuration.
    pub(super) fn tags(&self, top: &Element) -> Result<Vec<(String, Vec<String>)>, NotNative> {
        if top.children.iter().any(|n| !matches!(n, crate::cib::xml::Node::Element(_))) {
            return Err("comments or text in it".into());
        }
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for t in top.elements() {
            if t.name != "tag" || t.children.len() != t.elements().count() {
                return Err(format!("`<{}>` or text in it", t.name));
            }
            extra_attr(t, &[])?;
            let id = t.id().ok_or("a tag without an id")?;
            let mut refs: Vec<String> = Vec::new();
            for r in t.elements() {
                if r.name != "obj_ref" {
                    return Err(format!("`<{}>` in a tag", r.name));
                }
                extra_attr(r, &[])?;
                let rid = r.id().unwrap_or_default();
                if !self.known.contains(rid) || refs.iter().any(|x| x == rid) {
                    return Err(format!("tag `{id}` names `{rid}`, not a resource in the configuration or twice"));
                }
                refs.push(rid.to_string());
            }
            if refs.is_empty() {
                return Err(format!("tag `{id}` names nothing"));
            }
            out.push((id.to_string(), refs));
        }
        Ok(out)
    }

    pub(super) fn raw(&mut self, place: RawPlace, el: &Element, why: &str) {
        self.notes.push(format!("`{}` written as raw XML: {why}", describe(el)));
        self.raw.push(RawObject { place, element: el.clone() });
    }

    pub(super) fn forced(&self, key: &str) -> Option<String> {
        self.opts.force_raw.get(key).cloned()
    }

    /// The plain properties, and the property sets with a rule or score.
    pub(super) fn properties(&mut self, crm: &Element) -> (Pairs, Vec<AttrSet>) {
        let mut out: Pairs = Vec::new();
        let mut sets = Vec::new();
        for set in crm.elements() {
            if set.name != "cluster_property_set" || !is_plain_set(set) {
                let key = format!("property_set:{}", set.id().unwrap_or_default());
                let native = match self.forced(&key) {
                    Some(why) => Err(why),
                    None if set.name != "cluster_property_set" => Err(format!("`<{}>` in it", set.name)),
                    None => attr_set(set),
                };
                match native {
                    Ok(s) => sets.push(s),
                    Err(why) => self.raw(RawPlace::PropertySet, set, &why),
                }
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
        (out, sets)
    }

    /// A defaults section: its plain pairs and its sets with a rule or score (or all of it
    /// through the escape hatch).
    pub(super) fn defaults_section(&mut self, section: &Element) -> (Pairs, Vec<AttrSet>) {
        let key = format!("section:{}", section.name);
        let native = match self.forced(&key) {
            Some(why) => Err(why),
            None => defaults_sets(section),
        };
        match native {
            Ok(p) => p,
            Err(why) => {
                if section.elements().next().is_some() {
                    self.raw(RawPlace::Section, section, &why);
                }
                (Vec::new(), Vec::new())
            }
        }
    }

    pub(super) fn nodes(&mut self, nodes: &Element) -> Vec<Node> {
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

    pub(super) fn node(&self, n: &Element, seen: &[Node]) -> Result<Node, NotNative> {
        extra_attr(n, &["uname", "type"])?;
        let remote = n.attr("type") == Some("remote");
        if n.attr("type").is_some_and(|t| t != "member" && t != "remote") {
            return Err(format!("node type `{}`", n.attr("type").unwrap_or_default()));
        }
        let uname = n.attr("uname").unwrap_or_default();
        if uname.is_empty() {
            return Err("no uname".into());
        }
        let (id, cib_id) = node_ids(n.id().unwrap_or_default(), uname, remote)?;
        if seen.iter().any(|s| (s.id == id && id > 0) || s.name == uname || (cib_id.is_some() && s.cib_id == cib_id)) {
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
            cib_id,
            remote,
        })
    }
}

/// A node's corosync id, or its CIB id when it is not one (as `validate` reads a node's `id`).
fn node_ids(id: &str, uname: &str, remote: bool) -> Result<(u32, Option<String>), NotNative> {
    let numeric = !id.is_empty() && id.chars().all(|c| c.is_ascii_digit());
    match id.parse::<u32>() {
        Ok(i) if i > 0 && !remote && i.to_string() == id => Ok((i, None)),
        _ if !numeric
            && id.len() <= 255
            && id.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
            && (!remote || id == uname) =>
        {
            Ok((0, Some(id.to_string())))
        }
        _ => Err(format!("node id `{id}` is not a corosync node id")),
    }
}

/// A defaults section's plain pairs (all plain sets merged) and its other sets, in order.
fn defaults_sets(section: &Element) -> Result<(Pairs, Vec<AttrSet>), NotNative> {
    if section.children.iter().any(|n| !matches!(n, crate::cib::xml::Node::Element(_))) {
        return Err("comments or text in it".into());
    }
    let mut plain = Element::new(section.name.clone());
    let mut sets = Vec::new();
    for e in section.elements() {
        if e.name != "meta_attributes" {
            return Err(format!("`<{}>` in it", e.name));
        }
        if is_plain_set(e) {
            plain.children.push(crate::cib::xml::Node::Element(e.clone()));
        } else {
            sets.push(attr_set(e)?);
        }
    }
    Ok((plain_pairs(&plain, "meta_attributes")?, sets))
}

/// An attribute set with a rule or a score, with its id.
pub(super) fn attr_set(set: &Element) -> Result<AttrSet, NotNative> {
    extra_attr(set, &["score"])?;
    let id = set.id().ok_or("a set without an id")?;
    if set.children.iter().any(|n| !matches!(n, crate::cib::xml::Node::Element(_))) {
        return Err("comments or text in it".into());
    }
    let mut rule = None;
    let mut values: Pairs = Vec::new();
    for c in set.elements() {
        match c.name.as_str() {
            "rule" if rule.is_none() => {
                extra_attr(c, &["boolean-op", "score"])?;
                rule = Some(crate::rule::from_xml(c)?);
            }
            "nvpair" => {
                extra_attr(c, &["name", "value"])?;
                let name = c.attr("name").unwrap_or_default();
                if name.is_empty() || values.iter().any(|(k, _)| k == name) {
                    return Err(format!("an nvpair named `{name}` in a set with a rule or score"));
                }
                values.push((name.to_string(), c.attr("value").unwrap_or_default().to_string()));
            }
            other => return Err(format!("`<{other}>` in a set with a rule or score")),
        }
    }
    let score = match set.attr("score") {
        Some(s) => Some(normalize_score(s).ok_or_else(|| format!("score `{s}`"))?),
        None => None,
    };
    Ok(AttrSet { id: Some(id.to_string()), rule, score, values })
}

/// The plain pairs of the sets named `tag` under `el` (merged), and its sets with a rule or a
/// score, in order.
pub(super) fn split_sets(el: &Element, tag: &str) -> Result<(Pairs, Vec<AttrSet>), NotNative> {
    let mut plain = Element::new(el.name.clone());
    let mut sets = Vec::new();
    for e in el.elements().filter(|e| e.name == tag) {
        if is_plain_set(e) {
            plain.children.push(crate::cib::xml::Node::Element(e.clone()));
        } else {
            sets.push(attr_set(e)?);
        }
    }
    Ok((plain_pairs(&plain, tag)?, sets))
}
