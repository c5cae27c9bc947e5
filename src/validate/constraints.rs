//! Constraints: location, colocation and order, their resource sets and scores.

use crate::config::raw::{RawConstraint, RawSet, RawTarget, Span, S};
use crate::diag::{codes, suggest};
use crate::model::{Constraint, LocationRule, Placement, ResourceSet};
use crate::vocab::{normalize_score, ACTIONS, DISCOVERY, ORDER_KINDS};

use super::{one_of, Validator};

impl Validator<'_> {
    pub(super) fn score(&mut self, s: &S<crate::config::raw::Scalar>) -> String {
        match normalize_score(&s.value.0) {
            Some(v) => v,
            None => {
                self.err(
                    codes::SCORE_INVALID,
                    s.span,
                    format!("`{}` is not a score", s.value.0),
                    "not a score",
                    "a score is an integer, `INFINITY` or `-INFINITY`".into(),
                );
                s.value.0.clone()
            }
        }
    }

    pub(super) fn rsc_ref(&mut self, r: &S<String>, what: &str) -> String {
        if !self.rsc_ids.contains(&r.value) {
            self.unknown_ref(r, what);
        }
        r.value.clone()
    }

    pub(super) fn constraint(&mut self, c: &S<RawConstraint>, nodes: &[&str]) -> Option<Constraint> {
        let r = &c.value;
        let kinds = [r.location.is_some(), r.colocation.is_some(), r.order.is_some()];
        if kinds.iter().filter(|k| **k).count() != 1 {
            self.err(
                codes::CONSTRAINT_KIND,
                c.span,
                "a constraint needs exactly one of `location`, `colocation`, `order`".into(),
                "here",
                "start the entry with `location: RESOURCE`, `colocation: RESOURCE` or `order: RESOURCE`".into(),
            );
            return None;
        }
        if let Some(id) = &r.id {
            self.declare(id, "constraint");
        }
        let id = r.id.as_ref().map(|i| i.value.clone());
        let role = r.role.as_ref().map(|x| {
            self.check_role(x);
            x.value.clone()
        });
        if let Some(loc) = &r.location {
            self.stray_fields(r, &["node", "rule", "resource-discovery"]);
            return self.location(r, loc, id, role, nodes);
        }
        if let Some(col) = &r.colocation {
            self.stray_fields(r, &["with", "with-role"]);
            return self.colocation(r, col, id, role);
        }
        let order = r.order.as_ref()?;
        self.stray_fields(r, &["then", "kind", "symmetrical", "first-action", "then-action"]);
        self.order(r, order, id)
    }

    /// Fields that belong to another kind of constraint are errors, not silently ignored.
    fn stray_fields(&mut self, r: &RawConstraint, allowed: &[&str]) {
        let fields: [(&str, Option<Span>); 10] = [
            ("node", r.node.as_ref().map(|x| x.span)),
            ("rule", r.rule.as_ref().map(|x| x.span)),
            ("with", r.with.as_ref().map(|x| x.span)),
            ("with-role", r.with_role.as_ref().map(|x| x.span)),
            ("then", r.then.as_ref().map(|x| x.span)),
            ("kind", r.kind.as_ref().map(|x| x.span)),
            ("symmetrical", r.symmetrical.as_ref().map(|x| x.span)),
            ("first-action", r.first_action.as_ref().map(|x| x.span)),
            ("then-action", r.then_action.as_ref().map(|x| x.span)),
            ("resource-discovery", r.resource_discovery.as_ref().map(|x| x.span)),
        ];
        for (name, span) in fields {
            if let Some(span) = span {
                if !allowed.contains(&name) {
                    self.err(
                        codes::CONSTRAINT_FIELD,
                        span,
                        format!("`{name}` does not apply to this kind of constraint"),
                        "not applicable",
                        format!("allowed here: {}", allowed.join(", ")),
                    );
                }
            }
        }
    }

    fn location(
        &mut self,
        r: &RawConstraint,
        loc: &S<String>,
        id: Option<String>,
        role: Option<String>,
        nodes: &[&str],
    ) -> Option<Constraint> {
        let rsc = self.rsc_ref(loc, "location target");
        let discovery = r.resource_discovery.as_ref().map(|d| {
            if !DISCOVERY.contains(&d.value.as_str()) {
                let h = one_of(&d.value, DISCOVERY);
                self.err(
                    codes::CONSTRAINT_DISCOVERY,
                    d.span,
                    format!("unknown resource-discovery `{}`", d.value),
                    "unknown value",
                    h,
                );
            }
            d.value.clone()
        });
        let score = r.score.as_ref().map(|s| self.score(s));
        let placement = match (&r.node, &r.rule) {
            (Some(n), None) => {
                if !nodes.is_empty() && !nodes.contains(&n.value.as_str()) {
                    let help = suggest(&n.value, nodes.iter().copied()).map_or_else(
                        || "declare the node under `nodes`".to_string(),
                        |s| format!("did you mean `{s}`?"),
                    );
                    self.warn(
                        codes::CONSTRAINT_UNKNOWN_NODE,
                        n.span,
                        format!("node `{}` is not declared under `nodes`", n.value),
                        help,
                    );
                }
                Placement::Node { node: n.value.clone(), score: score.unwrap_or_else(|| "INFINITY".into()) }
            }
            (None, Some(raw_rule)) => {
                let rule = self.rule(raw_rule)?;
                self.rule_attributes(&rule, raw_rule);
                Placement::Rule(LocationRule {
                    rule,
                    score: score.unwrap_or_else(|| "INFINITY".into()),
                    role: role.clone(),
                })
            }
            _ => {
                self.err(
                    codes::CONSTRAINT_LOCATION,
                    loc.span,
                    "a location constraint needs either `node` or `rule`".into(),
                    "here",
                    "add `node: NODE` with a `score`, or `rule: EXPRESSION`".into(),
                );
                return None;
            }
        };
        let role = if matches!(placement, Placement::Rule(_)) { None } else { role };
        Some(Constraint::Location { id, rsc, placement, role, discovery })
    }

    fn colocation(
        &mut self,
        r: &RawConstraint,
        col: &S<RawTarget>,
        id: Option<String>,
        role: Option<String>,
    ) -> Option<Constraint> {
        let score = r.score.as_ref().map_or_else(|| "INFINITY".into(), |s| self.score(s));
        match &col.value {
            RawTarget::One(a) => {
                let a = S::new(a.clone(), col.span);
                let Some(with) = &r.with else {
                    self.err(
                        codes::CONSTRAINT_COLOCATION,
                        col.span,
                        "a colocation needs `with`".into(),
                        "here",
                        "add `with: RESOURCE` (the resource this one is placed with)".into(),
                    );
                    return None;
                };
                let with_role = r.with_role.as_ref().map(|x| {
                    self.check_role(x);
                    x.value.clone()
                });
                Some(Constraint::Colocation {
                    id,
                    rsc: self.rsc_ref(&a, "colocated resource"),
                    with: self.rsc_ref(with, "colocation target"),
                    score,
                    role,
                    with_role,
                })
            }
            RawTarget::Sets(sets) => Some(Constraint::ColocationSets { id, sets: self.sets(sets), score }),
        }
    }

    fn order(&mut self, r: &RawConstraint, order: &S<RawTarget>, id: Option<String>) -> Option<Constraint> {
        let mut attrs = Vec::new();
        if let Some(k) = &r.kind {
            if !ORDER_KINDS.contains(&k.value.as_str()) {
                let h = one_of(&k.value, ORDER_KINDS);
                self.err(
                    codes::CONSTRAINT_ORDER_KIND,
                    k.span,
                    format!("unknown order kind `{}`", k.value),
                    "unknown kind",
                    h,
                );
            }
            attrs.push(("kind".into(), k.value.clone()));
        }
        if let Some(s) = &r.score {
            attrs.push(("score".into(), self.score(s)));
        }
        if let Some(s) = &r.symmetrical {
            attrs.push(("symmetrical".into(), s.value.to_string()));
        }
        for (name, a) in [("first-action", &r.first_action), ("then-action", &r.then_action)] {
            if let Some(a) = a {
                if !ACTIONS.contains(&a.value.as_str()) {
                    let h = one_of(&a.value, ACTIONS);
                    self.err(
                        codes::CONSTRAINT_ACTION,
                        a.span,
                        format!("unknown action `{}`", a.value),
                        "unknown action",
                        h,
                    );
                }
                attrs.push((name.into(), a.value.clone()));
            }
        }
        match &order.value {
            RawTarget::One(first) => {
                let first = S::new(first.clone(), order.span);
                let Some(then) = &r.then else {
                    self.err(
                        codes::CONSTRAINT_ORDER,
                        order.span,
                        "an order needs `then`".into(),
                        "here",
                        "add `then: RESOURCE` (started after this one)".into(),
                    );
                    return None;
                };
                Some(Constraint::Order {
                    id,
                    first: self.rsc_ref(&first, "order's first resource"),
                    then: self.rsc_ref(then, "order's then resource"),
                    attrs,
                })
            }
            RawTarget::Sets(sets) => Some(Constraint::OrderSets { id, sets: self.sets(sets), attrs }),
        }
    }

    pub(super) fn sets(&mut self, sets: &[S<RawSet>]) -> Vec<ResourceSet> {
        sets.iter()
            .map(|s| match &s.value {
                RawSet::Members(m) => ResourceSet {
                    id: None,
                    resources: m.iter().map(|r| self.rsc_ref(r, "set member")).collect(),
                    attrs: Vec::new(),
                },
                RawSet::Full(f) => {
                    let mut attrs = Vec::new();
                    for (k, v) in [("sequential", &f.sequential), ("require-all", &f.require_all)] {
                        if let Some(v) = v {
                            attrs.push((k.to_string(), v.value.to_string()));
                        }
                    }
                    if let Some(r) = &f.role {
                        self.check_role(r);
                        attrs.push(("role".into(), r.value.clone()));
                    }
                    if let Some(a) = &f.action {
                        attrs.push(("action".into(), a.value.clone()));
                    }
                    if let Some(sc) = &f.score {
                        attrs.push(("score".into(), self.score(sc)));
                    }
                    ResourceSet {
                        id: f.id.as_ref().map(|i| i.value.clone()),
                        resources: f.resources.iter().map(|r| self.rsc_ref(r, "set member")).collect(),
                        attrs,
                    }
                }
            })
            .collect()
    }
}
