//! Location constraints: one resource or a `pattern`, placed by `node` (with an `until` date), by
//! one `rule`, or by several `rules`, each with a score or a `score-attribute`.

use crate::config::raw::{RawConstraint, RawLocated, RawLocationRule, RawRule, Scalar, S};
use crate::diag::{codes, suggest};
use crate::model::{Constraint, LocationRule, Placement, RuleScore};
use crate::vocab::DISCOVERY;

use super::{one_of, Validator};

impl Validator<'_> {
    pub(super) fn location(
        &mut self,
        r: &RawConstraint,
        loc: &S<RawLocated>,
        id: Option<String>,
        role: Option<String>,
        nodes: &[&str],
    ) -> Option<Constraint> {
        let (rsc, pattern) = match &loc.value {
            RawLocated::One(rsc) => (self.rsc_ref(&S::new(rsc.clone(), loc.span), "location target"), false),
            RawLocated::Pattern(p) => {
                self.pattern(&p.pattern);
                (p.pattern.value.clone(), true)
            }
        };
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
        if let (Some(u), None) = (&r.until, &r.node) {
            self.err(
                codes::CONSTRAINT_UNTIL,
                u.span,
                "`until` needs `node`".into(),
                "here",
                "`until` ends a `node` placement at a date (pcs `resource ban|move ... lifetime=`); in a `rule`, write `date lt DATE`".into(),
            );
        }
        let placement = match (&r.node, &r.rule, &r.rules) {
            (Some(n), None, None) => {
                self.node_ref(n, nodes);
                if let Some(a) = &r.score_attribute {
                    self.score_attribute_without_rule(a);
                }
                let score = r.score.as_ref().map_or_else(|| "INFINITY".into(), |s| self.score(s));
                match &r.until {
                    Some(u) => Placement::Until { node: n.value.clone(), score, end: self.until(u)? },
                    None => Placement::Node { node: n.value.clone(), score },
                }
            }
            (None, Some(rule), None) => {
                let one = self.location_rule(rule, r.score.as_ref(), r.score_attribute.as_ref(), role.clone())?;
                Placement::Rules(vec![one])
            }
            (None, None, Some(rules)) if !rules.value.is_empty() => {
                for (what, span) in [
                    ("score", r.score.as_ref().map(|x| x.span)),
                    ("score-attribute", r.score_attribute.as_ref().map(|x| x.span)),
                    ("role", r.role.as_ref().map(|x| x.span)),
                ] {
                    if let Some(span) = span {
                        self.err(
                            codes::CONSTRAINT_FIELD,
                            span,
                            format!("`{what}` goes in each of `rules`, not beside them"),
                            "beside `rules`",
                            format!("move `{what}` into the rules it applies to"),
                        );
                    }
                }
                let given = rules.value.len();
                let rules: Vec<LocationRule> = rules.value.iter().filter_map(|x| self.one_of_rules(x)).collect();
                if rules.len() != given {
                    return None;
                }
                Placement::Rules(rules)
            }
            _ => {
                self.err(
                    codes::CONSTRAINT_LOCATION,
                    loc.span,
                    "a location constraint needs exactly one of `node`, `rule`, `rules`".into(),
                    "here",
                    "add `node: NODE` with a `score`, `rule: EXPRESSION`, or `rules:` (a list of rules with their scores)".into(),
                );
                return None;
            }
        };
        let role = if matches!(placement, Placement::Rules(_)) { None } else { role };
        Some(Constraint::Location { id, rsc, pattern, placement, role, discovery })
    }

    fn pattern(&mut self, p: &S<String>) {
        if p.value.is_empty() {
            self.err(
                codes::CONSTRAINT_PATTERN,
                p.span,
                "an empty location pattern".into(),
                "empty",
                "a pattern is a regular expression matched against resource ids, e.g. `web-.*`".into(),
            );
        }
    }

    fn node_ref(&mut self, n: &S<String>, nodes: &[&str]) {
        if !nodes.is_empty() && !nodes.contains(&n.value.as_str()) {
            let help = suggest(&n.value, nodes.iter().copied())
                .map_or_else(|| "declare the node under `nodes`".to_string(), |s| format!("did you mean `{s}`?"));
            self.warn(
                codes::CONSTRAINT_UNKNOWN_NODE,
                n.span,
                format!("node `{}` is not declared under `nodes`", n.value),
                help,
            );
        }
    }

    fn until(&mut self, u: &S<Scalar>) -> Option<String> {
        match crate::rule::check_date(&u.value.0) {
            Ok(()) => Some(u.value.0.clone()),
            Err((message, help)) => {
                self.err(codes::CONSTRAINT_UNTIL, u.span, message, "not a date", help);
                None
            }
        }
    }

    fn score_attribute_without_rule(&mut self, a: &S<String>) {
        self.err(
            codes::CONSTRAINT_SCORE_ATTRIBUTE,
            a.span,
            "`score-attribute` needs a rule".into(),
            "without a rule",
            "a node placement has a `score`; `score-attribute` scores the nodes where a `rule` holds".into(),
        );
    }

    fn one_of_rules(&mut self, x: &S<RawLocationRule>) -> Option<LocationRule> {
        let role = x.value.role.as_ref().map(|r| {
            self.check_role(r);
            r.value.clone()
        });
        self.location_rule(&x.value.rule, x.value.score.as_ref(), x.value.score_attribute.as_ref(), role)
    }

    /// One rule with its score (default `INFINITY`) or score-attribute.
    fn location_rule(
        &mut self,
        raw_rule: &S<RawRule>,
        score: Option<&S<Scalar>>,
        attribute: Option<&S<String>>,
        role: Option<String>,
    ) -> Option<LocationRule> {
        let score = match (score, attribute) {
            (Some(s), Some(a)) => {
                self.err(
                    codes::CONSTRAINT_SCORE_ATTRIBUTE,
                    a.span,
                    "a rule has `score` or `score-attribute`, not both".into(),
                    "second score",
                    format!("keep `score: {}` or `score-attribute: {}`", s.value.0, a.value),
                );
                return None;
            }
            (None, Some(a)) => {
                if !self.node_attrs.contains(&a.value) && !a.value.starts_with('#') {
                    let help = match suggest(&a.value, self.node_attrs.iter().map(String::as_str)) {
                        Some(s) => format!("did you mean `{s}`? nothing in this file sets `{}`", a.value),
                        None => "make sure something sets it (an agent such as `ocf:pacemaker:ping`, `crm_attribute`, or `nodes.NAME.attributes`)".into(),
                    };
                    self.warn(
                        codes::RULE_ATTRIBUTE,
                        a.span,
                        format!("no node or agent in this file defines attribute `{}`", a.value),
                        help,
                    );
                }
                RuleScore::Attribute(a.value.clone())
            }
            (Some(s), None) => RuleScore::Score(self.score(s)),
            (None, None) => RuleScore::Score("INFINITY".into()),
        };
        let rule = self.rule(raw_rule)?;
        self.rule_attributes(&rule, raw_rule);
        Some(LocationRule { rule, score, role })
    }
}
