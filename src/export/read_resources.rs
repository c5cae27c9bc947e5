//! CIB → model: primitives, their operations, groups and clones.

use super::read::{check_bool, check_role, describe, extra_attr, plain_pairs, NotNative, Reader};
use crate::cib::xml::Element;
use crate::desired;
use crate::model::{self, Agent, Completion, Group, Op, Ops, Primitive, RawPlace, Resource};
use crate::plan::view::op_line;
use crate::vocab::{is_true, parse_duration_ms, STANDARDS};
use std::collections::HashSet;

impl Reader<'_> {
    pub(super) fn resources(&mut self, resources: &Element) -> Vec<Resource> {
        let mut out = Vec::new();
        for t in resources.elements().filter(|t| t.name == "template" && t.attr("template").is_none()) {
            let agent = (|| {
                let (class, kind) = (t.attr("class")?, t.attr("type")?);
                Some(Agent { class: class.into(), provider: t.attr("provider").map(str::to_string), kind: kind.into() })
            })();
            if let (Some(id), Some(agent)) = (t.id(), agent) {
                self.template_agents.insert(id.to_string(), agent);
            }
        }
        for r in resources.elements() {
            let id = r.id().unwrap_or_default();
            let forced = self.forced(&format!("resource:{id}"));
            let native = match (forced, r.name.as_str()) {
                (Some(why), _) => Err(why),
                (None, "primitive") => self.primitive(r).map(Resource::Primitive),
                (None, "group") => self.group(r).map(Resource::Group),
                (None, "clone" | "master") => self.clone_resource(r).map(Resource::Clone),
                (None, "bundle") => self.bundle(r).map(Resource::Bundle),
                (None, "template") => match self.template(r) {
                    Ok(t) => {
                        self.templates.push(t);
                        continue;
                    }
                    Err(why) => Err(why),
                },
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

    pub(super) fn object_id(el: &Element) -> Result<String, NotNative> {
        let id = el.id().unwrap_or_default();
        match crate::vocab::id_flaw(id) {
            None => Ok(id.to_string()),
            Some(flaw) => Err(format!("id `{id}` is not one a cluster file accepts: {flaw}")),
        }
    }

    /// A template: primitive-shaped, with its own agent.
    fn template(&self, t: &Element) -> Result<Primitive, NotNative> {
        if t.attr("template").is_some() {
            return Err("a template that names a template".into());
        }
        let mut p = self.primitive(t)?;
        p.ops = Ops { declared: self.live_ops(t)?, completion: Completion::Exact };
        Ok(p)
    }

    fn live_ops(&self, p: &Element) -> Result<Vec<Op>, NotNative> {
        p.child("operations").map_or(Ok(Vec::new()), |ops| ops.elements().map(|o| self.op(o)).collect())
    }

    pub(super) fn primitive(&self, p: &Element) -> Result<Primitive, NotNative> {
        if let Some(t) = p.attr("template") {
            return self.templated(p, t);
        }
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
                // Pacemaker identifies an operation by name and interval, whatever its role.
                for o in &out {
                    let key = (o.name.clone(), parse_duration_ms(&o.interval).unwrap_or(0));
                    if !seen.insert(key) {
                        return Err(format!("operation `{} {}` given twice", o.name, o.interval));
                    }
                }
                out
            }
        };
        let ops = shortest_ops(ops, &desired::default_ops_for(&agent, self.defaults));
        let (params, params_sets) = super::read::split_sets(p, "instance_attributes")?;
        let (meta, meta_sets) = super::read::split_sets(p, "meta_attributes")?;
        Ok(Primitive {
            force: self.opts.force.contains(&id),
            id,
            agent,
            description: p.attr("description").map(str::to_string),
            params,
            meta,
            utilization: plain_pairs(p, "utilization")?,
            params_sets,
            meta_sets,
            ops,
            template: None,
        })
    }

    /// A primitive that takes its agent from a template: its own settings, and its operations
    /// as they are (Pacemaker adds the template's; no agent default is written).
    fn templated(&self, p: &Element, template: &str) -> Result<Primitive, NotNative> {
        extra_attr(p, &["template", "description"])?;
        Self::object_id(p)?;
        let agent = self.template_agents.get(template).cloned().ok_or("its template is not in the configuration")?;
        let mut plain = p.clone();
        plain.attrs.retain(|(k, _)| k != "template");
        plain.set_attr("class", &agent.class);
        plain.set_attr("type", &agent.kind);
        if let Some(prov) = &agent.provider {
            plain.set_attr("provider", prov);
        }
        let mut prim = self.primitive(&plain)?;
        prim.ops = Ops { declared: self.live_ops(p)?, completion: Completion::Exact };
        prim.template = Some(template.to_string());
        Ok(prim)
    }

    pub(super) fn op(&self, o: &Element) -> Result<Op, NotNative> {
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
        let mut attrs: Vec<(String, String)> =
            OP_ATTRS[2..].iter().filter_map(|k| o.attr(k).map(|v| (k.to_string(), v.to_string()))).collect();
        for (k, v) in attrs.iter_mut().filter(|(k, _)| k == "enabled") {
            *v = check_bool(v, k)?.to_string();
        }
        for c in o.elements() {
            if !matches!(c.name.as_str(), "instance_attributes" | "meta_attributes") {
                return Err(format!("`<{}>` in an operation", c.name));
            }
        }
        Ok(Op {
            name: name.into(),
            interval: interval.into(),
            attrs,
            meta: plain_pairs(o, "meta_attributes")?,
            params: plain_pairs(o, "instance_attributes")?,
        })
    }

    pub(super) fn group(&self, g: &Element) -> Result<Group, NotNative> {
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

    pub(super) fn clone_resource(&self, c: &Element) -> Result<model::Clone, NotNative> {
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
        Ok(model::Clone {
            id,
            description: c.attr("description").map(str::to_string),
            promotable,
            meta,
            child: Box::new(child),
        })
    }
}

/// The shortest `ops` that creates exactly the `live` operations from the agent's `defaults` (and
/// so plans no change against them): the names whose operations differ from the defaults; an
/// empty list when the live operations are the default monitors alone; the whole list, exact,
/// when some other default is missing.
fn shortest_ops(live: Vec<Op>, defaults: &[Op]) -> Ops {
    let named = |ops: &[Op], name: &str| op_lines(&ops.iter().filter(|o| o.name == name).cloned().collect::<Vec<_>>());
    if defaults.iter().all(|d| live.iter().any(|o| o.name == d.name)) {
        let declared = live.iter().filter(|o| named(&live, &o.name) != named(defaults, &o.name)).cloned().collect();
        return Ops { declared, completion: Completion::Agent };
    }
    let monitors: Vec<Op> = defaults.iter().filter(|o| o.name == "monitor").cloned().collect();
    if !live.is_empty() && op_lines(&live) == op_lines(&monitors) {
        return Ops { declared: Vec::new(), completion: Completion::Monitor };
    }
    Ops { declared: live, completion: Completion::Exact }
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
