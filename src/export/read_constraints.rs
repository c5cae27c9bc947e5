//! CIB → model: location, colocation and order constraints and their resource sets.

use super::read::{check_bool, check_role, describe, extra_attr, score, NotNative, Reader};
use crate::cib::xml::Element;
use crate::desired;
use crate::model::{Constraint, LocationRule, Placement, RawPlace, ResourceSet};
use crate::rule;
use crate::vocab::{ACTIONS, DISCOVERY, ORDER_KINDS};

impl Reader<'_> {
    pub(super) fn constraints(&mut self, cons: &Element) -> Vec<Constraint> {
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

    pub(super) fn rsc(&self, c: &Element, attr: &str) -> Result<String, NotNative> {
        let r = c.attr(attr).ok_or_else(|| format!("`{}` without `{attr}`", c.name))?;
        if self.known.contains(r) {
            Ok(r.to_string())
        } else {
            Err(format!("it names `{r}`, which is not in the configuration"))
        }
    }

    pub(super) fn constraint(&self, c: &Element) -> Result<Constraint, NotNative> {
        let id = Some(Self::object_id(c)?);
        match c.name.as_str() {
            "rsc_location" => self.location(c, id),
            "rsc_colocation" => self.colocation(c, id),
            "rsc_order" => self.order(c, id),
            other => Err(format!("`<{other}>` is not modelled natively yet")),
        }
    }

    fn location(&self, c: &Element, id: Option<String>) -> Result<Constraint, NotNative> {
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
                role_attr(c, "role")?,
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

    fn colocation(&self, c: &Element, id: Option<String>) -> Result<Constraint, NotNative> {
        let sets = self.sets(c)?;
        if sets.is_empty() {
            extra_attr(c, &["rsc", "with-rsc", "score", "rsc-role", "with-rsc-role"])?;
            Ok(Constraint::Colocation {
                id,
                rsc: self.rsc(c, "rsc")?,
                with: self.rsc(c, "with-rsc")?,
                score: score(c.attr("score"), "rsc_colocation")?,
                role: role_attr(c, "rsc-role")?,
                with_role: role_attr(c, "with-rsc-role")?,
            })
        } else {
            extra_attr(c, &["score"])?;
            Ok(Constraint::ColocationSets { id, sets, score: score(c.attr("score"), "rsc_colocation")? })
        }
    }

    fn order(&self, c: &Element, id: Option<String>) -> Result<Constraint, NotNative> {
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
                "symmetrical" => {
                    attrs.push((a.to_string(), check_bool(v, a)?.to_string()));
                    continue;
                }
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

    /// The resource sets of a constraint (empty when it has none; an error for anything else).
    pub(super) fn sets(&self, c: &Element) -> Result<Vec<ResourceSet>, NotNative> {
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
                    "sequential" | "require-all" => check_bool(v, a)?.to_string(),
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

/// The role named by attribute `a` of a constraint, checked.
fn role_attr(c: &Element, a: &str) -> Result<Option<String>, NotNative> {
    match c.attr(a) {
        Some(r) => check_role(r).map(|()| Some(r.to_string())),
        None => Ok(None),
    }
}
