//! Constraints: location, colocation, order and ticket, their resource sets and scores
//! (location's placements are in `locations`).

use crate::config::raw::{RawCluster, RawConstraint, RawSet, RawTarget, Span, S};
use crate::diag::codes;
use crate::model::{Constraint, ResourceSet, TicketTarget};
use crate::vocab::{is_xml_id, normalize_score, ACTIONS, LOSS_POLICIES, ORDER_KINDS};

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
        let kinds = [r.location.is_some(), r.colocation.is_some(), r.order.is_some(), r.ticket.is_some()];
        if kinds.iter().filter(|k| **k).count() != 1 {
            self.err(
                codes::CONSTRAINT_KIND,
                c.span,
                "a constraint needs exactly one of `location`, `colocation`, `order`, `ticket`".into(),
                "here",
                "start the entry with `location: RESOURCE`, `colocation: RESOURCE`, `order: RESOURCE` or `ticket: TICKET`"
                    .into(),
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
            self.stray_fields(r, &["node", "rule", "rules", "score", "score-attribute", "until", "resource-discovery"]);
            return self.location(r, loc, id, role, nodes);
        }
        if let Some(col) = &r.colocation {
            self.stray_fields(r, &["with", "with-role", "score", "node-attribute", "influence"]);
            return self.colocation(r, col, id, role);
        }
        if let Some(ticket) = &r.ticket {
            self.stray_fields(r, &["resource", "loss-policy"]);
            return self.ticket(r, ticket, id, role);
        }
        let order = r.order.as_ref()?;
        self.stray_fields(r, &["then", "kind", "score", "symmetrical", "first-action", "then-action", "require-all"]);
        self.order(r, order, id)
    }

    /// Fields that belong to another kind of constraint are errors, not silently ignored.
    fn stray_fields(&mut self, r: &RawConstraint, allowed: &[&str]) {
        let fields: [(&str, Option<Span>); 19] = [
            ("node", r.node.as_ref().map(|x| x.span)),
            ("rule", r.rule.as_ref().map(|x| x.span)),
            ("rules", r.rules.as_ref().map(|x| x.span)),
            ("score", r.score.as_ref().map(|x| x.span)),
            ("score-attribute", r.score_attribute.as_ref().map(|x| x.span)),
            ("until", r.until.as_ref().map(|x| x.span)),
            ("with", r.with.as_ref().map(|x| x.span)),
            ("with-role", r.with_role.as_ref().map(|x| x.span)),
            ("node-attribute", r.node_attribute.as_ref().map(|x| x.span)),
            ("influence", r.influence.as_ref().map(|x| x.span)),
            ("then", r.then.as_ref().map(|x| x.span)),
            ("kind", r.kind.as_ref().map(|x| x.span)),
            ("symmetrical", r.symmetrical.as_ref().map(|x| x.span)),
            ("first-action", r.first_action.as_ref().map(|x| x.span)),
            ("then-action", r.then_action.as_ref().map(|x| x.span)),
            ("require-all", r.require_all.as_ref().map(|x| x.span)),
            ("resource-discovery", r.resource_discovery.as_ref().map(|x| x.span)),
            ("resource", r.resource.as_ref().map(|x| x.span)),
            ("loss-policy", r.loss_policy.as_ref().map(|x| x.span)),
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
                    attrs: colocation_attrs(r),
                })
            }
            RawTarget::Sets(sets) => {
                Some(Constraint::ColocationSets { id, sets: self.sets(sets), score, attrs: colocation_attrs(r) })
            }
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
        if let Some(s) = &r.require_all {
            attrs.push(("require-all".into(), s.value.to_string()));
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

    fn ticket(
        &mut self,
        r: &RawConstraint,
        ticket: &S<String>,
        id: Option<String>,
        role: Option<String>,
    ) -> Option<Constraint> {
        if !is_xml_id(&ticket.value) {
            self.err(
                codes::CONSTRAINT_TICKET,
                ticket.span,
                format!("`{}` is not a valid ticket name", ticket.value),
                "invalid name",
                "ticket names start with a letter or `_` and contain only letters, digits, `-`, `_` and `.`".into(),
            );
        }
        let loss_policy = r.loss_policy.as_ref().map(|l| {
            if !LOSS_POLICIES.contains(&l.value.as_str()) {
                let h = one_of(&l.value, LOSS_POLICIES);
                let msg = format!("unknown loss-policy `{}`", l.value);
                self.err(codes::CONSTRAINT_LOSS_POLICY, l.span, msg, "unknown policy", h);
            }
            l.value.clone()
        });
        let Some(target) = &r.resource else {
            self.err(
                codes::CONSTRAINT_TICKET,
                ticket.span,
                "a ticket constraint needs `resource`".into(),
                "here",
                "add `resource: RESOURCE` (it runs only while the ticket is granted), or a list of resource sets"
                    .into(),
            );
            return None;
        };
        let target = match &target.value {
            RawTarget::One(rsc) => {
                TicketTarget::One { rsc: self.rsc_ref(&S::new(rsc.clone(), target.span), "ticket's resource"), role }
            }
            RawTarget::Sets(sets) => {
                if let Some(x) = &r.role {
                    self.err(
                        codes::CONSTRAINT_FIELD,
                        x.span,
                        "`role` does not apply to a ticket of resource sets".into(),
                        "not applicable",
                        "give each set its own `role`".into(),
                    );
                }
                TicketTarget::Sets(self.sets(sets))
            }
        };
        Some(Constraint::Ticket { id, ticket: ticket.value.clone(), target, loss_policy })
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

impl Validator<'_> {
    /// Pacemaker refuses `loss-policy: fence` when fencing is off (`crm_verify`: "Resetting
    /// 'loss-policy' ... because fencing is not configured").
    pub(super) fn fence_loss_policy(&mut self, raw: &RawCluster) {
        let fencing_off = raw.properties.iter().any(|(k, v)| {
            matches!(k.value.as_str(), "stonith-enabled" | "fencing-enabled") && crate::vocab::is_false(&v.value.0)
        });
        if !fencing_off {
            return;
        }
        for c in &raw.constraints {
            if let Some(l) = c.value.loss_policy.as_ref().filter(|l| l.value == "fence") {
                self.err(
                    codes::CONSTRAINT_LOSS_POLICY,
                    l.span,
                    "loss-policy `fence` with fencing disabled".into(),
                    "needs fencing",
                    "Pacemaker resets it to `stop` and reports an error: use `stop`, or enable fencing (`stonith-enabled`)"
                        .into(),
                );
            }
        }
    }
}

/// A colocation's `node-attribute` and `influence`, as the CIB writes them.
fn colocation_attrs(r: &RawConstraint) -> Vec<(String, String)> {
    let mut attrs = Vec::new();
    if let Some(n) = &r.node_attribute {
        attrs.push(("node-attribute".into(), n.value.clone()));
    }
    if let Some(i) = &r.influence {
        attrs.push(("influence".into(), i.value.to_string()));
    }
    attrs
}
