//! CIB → model: location, colocation, order and ticket constraints and their resource sets.

use super::read::{check_bool, check_role, describe, extra_attr, score, NotNative, Reader};
use crate::cib::xml::Element;
use crate::desired;
use crate::model::{Constraint, LocationRule, Placement, RawPlace, ResourceSet, RuleScore, TicketTarget};
use crate::rule;
use crate::vocab::{is_xml_id, ACTIONS, DISCOVERY, LOSS_POLICIES, ORDER_KINDS};

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
                        con.set_id(None);
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
            "rsc_ticket" => self.ticket(c, id),
            other => Err(format!("`<{other}>` is not modelled natively yet")),
        }
    }

    fn location(&self, c: &Element, id: Option<String>) -> Result<Constraint, NotNative> {
        extra_attr(c, &["rsc", "rsc-pattern", "node", "score", "role", "resource-discovery"])?;
        let (rsc, pattern) = match c.attr("rsc-pattern") {
            Some(_) if c.attr("rsc").is_some() => return Err("both `rsc` and `rsc-pattern`".into()),
            Some("") => return Err("an empty `rsc-pattern`".into()),
            Some(p) => (p.to_string(), true),
            None => (self.rsc(c, "rsc")?, false),
        };
        let discovery = match c.attr("resource-discovery") {
            Some(d) if DISCOVERY.contains(&d) => Some(d.to_string()),
            Some(d) => return Err(format!("resource-discovery `{d}`")),
            None => None,
        };
        let children: Vec<&Element> = c.elements().collect();
        if c.children.len() != children.len() {
            return Err("comments or text in it".into());
        }
        let role = role_attr(c, "role")?;
        let (placement, role) = match (c.attr("node"), children.as_slice()) {
            (Some(node), []) => {
                (Placement::Node { node: node.to_string(), score: score(c.attr("score"), "rsc_location")? }, role)
            }
            (None, rules) if !rules.is_empty() && c.attr("score").is_none() => {
                let rules = rules.iter().map(|r| location_rule(r)).collect::<Result<Vec<_>, _>>()?;
                match (until(&rules), role) {
                    (Some((node, score, end)), role) => {
                        (Placement::Until { node, score, end }, role.filter(|r| r != "Started"))
                    }
                    // `Started` on the constraint is every role: what no role means.
                    (None, Some(r)) if r != "Started" => return Err("a role on a constraint with rules".into()),
                    (None, _) => (Placement::Rules(rules), None),
                }
            }
            _ => return Err("not one node with a score, nor rules".into()),
        };
        Ok(Constraint::Location { id, rsc, pattern, placement, role, discovery })
    }

    fn colocation(&self, c: &Element, id: Option<String>) -> Result<Constraint, NotNative> {
        let sets = self.sets(c)?;
        if sets.is_empty() {
            extra_attr(c, &["rsc", "with-rsc", "score", "rsc-role", "with-rsc-role", "node-attribute", "influence"])?;
            Ok(Constraint::Colocation {
                id,
                rsc: self.rsc(c, "rsc")?,
                with: self.rsc(c, "with-rsc")?,
                score: score(c.attr("score"), "rsc_colocation")?,
                role: role_attr(c, "rsc-role")?,
                with_role: role_attr(c, "with-rsc-role")?,
                attrs: colocation_attrs(c)?,
            })
        } else {
            extra_attr(c, &["score", "node-attribute", "influence"])?;
            let score = score(c.attr("score"), "rsc_colocation")?;
            Ok(Constraint::ColocationSets { id, sets, score, attrs: colocation_attrs(c)? })
        }
    }

    fn order(&self, c: &Element, id: Option<String>) -> Result<Constraint, NotNative> {
        let sets = self.sets(c)?;
        let mut attrs = Vec::new();
        for a in ["kind", "score", "symmetrical", "first-action", "then-action", "require-all"] {
            let Some(v) = c.attr(a) else { continue };
            match a {
                "kind" if !ORDER_KINDS.contains(&v) => return Err(format!("kind `{v}`")),
                "score" => {
                    attrs.push((a.to_string(), score(Some(v), "rsc_order")?));
                    continue;
                }
                "symmetrical" | "require-all" => {
                    attrs.push((a.to_string(), check_bool(v, a)?.to_string()));
                    continue;
                }
                "first-action" | "then-action" if !ACTIONS.contains(&v) => return Err(format!("{a} `{v}`")),
                _ => {}
            }
            attrs.push((a.to_string(), v.to_string()));
        }
        if sets.is_empty() {
            extra_attr(
                c,
                &["first", "then", "kind", "score", "symmetrical", "first-action", "then-action", "require-all"],
            )?;
            Ok(Constraint::Order { id, first: self.rsc(c, "first")?, then: self.rsc(c, "then")?, attrs })
        } else {
            extra_attr(c, &["kind", "score", "symmetrical"])?;
            if attrs.iter().any(|(k, _)| k.ends_with("-action") || k == "require-all") {
                return Err("actions or require-all on an order of sets".into());
            }
            Ok(Constraint::OrderSets { id, sets, attrs })
        }
    }

    fn ticket(&self, c: &Element, id: Option<String>) -> Result<Constraint, NotNative> {
        let ticket = c.attr("ticket").ok_or("`rsc_ticket` without `ticket`")?;
        if !is_xml_id(ticket) {
            return Err(format!("ticket name `{ticket}`"));
        }
        let loss_policy = match c.attr("loss-policy") {
            Some(l) if LOSS_POLICIES.contains(&l) => Some(l.to_string()),
            Some(l) => return Err(format!("loss-policy `{l}`")),
            None => None,
        };
        let sets = self.sets(c)?;
        let target = if sets.is_empty() {
            extra_attr(c, &["ticket", "loss-policy", "rsc", "rsc-role"])?;
            TicketTarget::One { rsc: self.rsc(c, "rsc")?, role: role_attr(c, "rsc-role")? }
        } else {
            extra_attr(c, &["ticket", "loss-policy"])?;
            TicketTarget::Sets(sets)
        };
        Ok(Constraint::Ticket { id, ticket: ticket.to_string(), target, loss_policy })
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

/// One `<rule>` of a location constraint, with its score (or score-attribute) and role.
fn location_rule(r: &Element) -> Result<LocationRule, NotNative> {
    if r.name != "rule" {
        return Err(format!("`<{}>` in it", r.name));
    }
    extra_attr(r, &["boolean-op", "score", "score-attribute", "role"])?;
    let role = role_attr(r, "role")?;
    let score = match (r.attr("score"), r.attr("score-attribute")) {
        (Some(_), Some(_)) => return Err("a rule with both `score` and `score-attribute`".into()),
        (None, Some("")) => return Err("an empty `score-attribute`".into()),
        (None, Some(a)) => RuleScore::Attribute(a.to_string()),
        (s, None) => RuleScore::Score(score(s, "rule")?),
    };
    Ok(LocationRule { rule: rule::from_xml(r)?, score, role })
}

/// `(node, score, end)` when the rules are the one `pcs resource ban|move ... lifetime=` writes.
fn until(rules: &[LocationRule]) -> Option<(String, String, String)> {
    let [LocationRule { rule, score: RuleScore::Score(score), role: None }] = rules else {
        return None;
    };
    let rule::Expr::And(parts) = &rule.expr else {
        return None;
    };
    let [rule::Expr::Attr { attribute, value, .. }, rule::Expr::DateLt(end)] = parts.as_slice() else {
        return None;
    };
    (attribute == "#uname" && *rule == desired::until_rule(value, end))
        .then(|| (value.clone(), score.clone(), end.clone()))
}

/// A colocation's `node-attribute` and `influence`, checked.
fn colocation_attrs(c: &Element) -> Result<Vec<(String, String)>, NotNative> {
    let mut out = Vec::new();
    if let Some(n) = c.attr("node-attribute") {
        if n.is_empty() {
            return Err("an empty `node-attribute`".into());
        }
        out.push(("node-attribute".to_string(), n.to_string()));
    }
    if let Some(i) = c.attr("influence") {
        check_bool(i, "influence")?;
        out.push(("influence".to_string(), i.to_string()));
    }
    Ok(out)
}

/// The role named by attribute `a` of a constraint, checked.
fn role_attr(c: &Element, a: &str) -> Result<Option<String>, NotNative> {
    match c.attr(a) {
        Some(r) => check_role(r).map(|()| Some(r.to_string())),
        None => Ok(None),
    }
}
