//! CIB → model, the common part: the reader's state, the reasons an object stays raw, and the
//! cluster-wide sections (properties, defaults, nodes). Decides nothing about changes.

use super::Options;
use crate::cib::is_plain_set;
use crate::cib::xml::Element;
use crate::desired::DefaultOps;
use crate::model::{Node, RawObject, RawPlace};
use crate::vocab::{canonical_bool, is_true, normalize_score, PACEMAKER_OWNED, ROLES};
use std::collections::HashSet;

pub(super) struct Reader<'a> {
    pub(super) opts: &'a Options,
    pub(super) defaults: &'a DefaultOps,
    pub(super) known: HashSet<String>,
    pub(super) notes: Vec<String>,
    pub(super) raw: Vec<RawObject>,
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
    pub(super) fn raw(&mut self, place: RawPlace, el: &Element, why: &str) {
        self.notes.push(format!("`{}` written as raw XML: {why}", describe(el)));
        self.raw.push(RawObject { place, element: el.clone() });
    }

    pub(super) fn forced(&self, key: &str) -> Option<String> {
        self.opts.force_raw.get(key).cloned()
    }

    pub(super) fn properties(&mut self, crm: &Element) -> Pairs {
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

    pub(super) fn defaults_section(&mut self, section: &Element) -> Pairs {
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
}
