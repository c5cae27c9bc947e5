//! Rules: the pcs text form and the structured YAML form, both into `rule::Rule`.

use crate::config::raw::{RawCluster, RawRule, RawRuleExpr, Span, S};
use crate::diag::{codes, suggest, Diag};
use crate::rule::{self, AttrOp, Expr, Rule, ValueType};

use super::{one_of, Validator};

/// Agents that publish a node attribute named by one of their parameters (its value, else the
/// parameter's default in the agent's metadata): ping sets `pingd` unless told `name: other`.
const NAMED_BY_PARAM: &[(&str, &str)] = &[
    ("ocf:pacemaker:ping", "name"),
    ("ocf:pacemaker:pingd", "name"),
    ("ocf:pacemaker:attribute", "name"),
    ("ocf:heartbeat:ethmonitor", "name"),
];

/// Agents that publish fixed node attributes (`#`-names are Pacemaker's and always known).
const FIXED: &[(&str, &[&str])] = &[(
    "ocf:pacemaker:SysInfo",
    &["arch", "os", "free_swap", "cpu_info", "cpu_speed", "cpu_cores", "cpu_load", "ram_total", "ram_free"],
)];

/// The node attributes something in the file defines: the nodes' own attributes (and
/// `standby`), and what the file's attribute-publishing agents set.
pub(super) fn defined_attributes(raw: &RawCluster) -> Vec<String> {
    let mut out = vec!["standby".to_string()];
    for (_, n) in raw.nodes.iter() {
        out.extend(n.attributes.iter().map(|(k, _)| k.value.clone()));
    }
    for (_, r) in raw.resources.iter() {
        let Some(agent) = r.value.agent.as_ref().map(|a| a.value.as_str()) else { continue };
        if let Some((_, param)) = NAMED_BY_PARAM.iter().find(|(a, _)| *a == agent) {
            let given = r.value.params.iter().find(|(k, _)| k.value == *param).map(|(_, v)| v.value.0.clone());
            let default = || {
                let meta = super::metadata::snapshot::get().agent(agent)?;
                meta.param(param)?.default.clone()
            };
            let interface =
                || r.value.params.iter().find(|(k, _)| k.value == "interface").map(|(_, v)| v.value.0.clone());
            match given.or_else(default) {
                Some(name) if !name.is_empty() => out.push(name),
                // ethmonitor's default is `ethmonitor-INTERFACE`.
                _ => out.extend(interface().map(|i| format!("ethmonitor-{i}"))),
            }
        }
        if let Some((_, names)) = FIXED.iter().find(|(a, _)| *a == agent) {
            out.extend(names.iter().map(|n| (*n).to_string()));
        }
    }
    out
}

/// Every node attribute a rule reads.
fn attributes(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| attributes(e, out)),
        Expr::Attr { attribute, .. } | Expr::Defined { attribute, .. } => out.push(attribute.clone()),
        _ => {}
    }
}

impl Validator<'_> {
    /// A warning for each node attribute the rule reads that nothing in the file defines (it
    /// may be set outside, by `crm_attribute` or an agent cibform does not know).
    pub(super) fn rule_attributes(&mut self, rule: &Rule, at: &S<RawRule>) {
        let mut read = Vec::new();
        attributes(&rule.expr, &mut read);
        read.dedup();
        for name in read.iter().filter(|n| !n.starts_with('#') && !self.node_attrs.contains(n)) {
            let span = attribute_span(self.src.text.as_str(), at, name).unwrap_or(at.span);
            let help = match suggest(name, self.node_attrs.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`? nothing in this file sets `{name}`"),
                None => "declare it under `nodes.NAME.attributes`, or make sure something sets it (an agent such as `ocf:pacemaker:ping`, or `crm_attribute`)".into(),
            };
            let d = Diag::warning(
                codes::RULE_ATTRIBUTE,
                format!("no node or agent in this file defines attribute `{name}`"),
            )
            .label(span, "read here")
            .help(help)
            .in_source(self.src);
            self.diags.push(d);
        }
    }

    pub(super) fn rule(&mut self, r: &S<RawRule>) -> Option<Rule> {
        match &r.value {
            RawRule::Text(text) => match rule::parse(text) {
                Ok(rule) => Some(rule),
                Err(e) => {
                    // Point into the scalar: skip an opening quote when the value was quoted.
                    let src = &self.src.text;
                    let quoted = src.get(r.span.offset..r.span.offset + 1).is_some_and(|c| c == "\"" || c == "'");
                    let base = r.span.offset + usize::from(quoted);
                    let span = Span { offset: base + e.offset, len: e.len.max(1) };
                    let help = e.help.clone().unwrap_or_else(|| "see `pcs help rule` syntax: `ATTR lt|gt|lte|gte|eq|ne VALUE`, `defined ATTR`, `and`, `or`, parentheses, `date ...`".into());
                    self.err(codes::RULE_PARSE, span, format!("invalid rule: {}", e.message), "here", help);
                    None
                }
            },
            RawRule::Structured(s) => self.structured(s, r.span).map(|expr| Rule { expr }),
        }
    }

    pub(super) fn structured(&mut self, s: &RawRuleExpr, span: Span) -> Option<Expr> {
        let present =
            [s.and.is_some(), s.or.is_some(), s.defined.is_some(), s.not_defined.is_some(), s.attribute.is_some()];
        if present.iter().filter(|p| **p).count() != 1 {
            self.err(
                codes::RULE_STRUCTURED,
                span,
                "a structured rule needs exactly one of `and`, `or`, `defined`, `not_defined`, `attribute`".into(),
                "here",
                "e.g. `{ attribute: pingd, op: lt, value: 1 }` or `{ or: [...] }`".into(),
            );
            return None;
        }
        let list = |v: &mut Self, items: &[S<RawRule>]| -> Option<Vec<Expr>> {
            let mut out = Vec::new();
            for i in items {
                out.push(v.rule(i)?.expr);
            }
            Some(out)
        };
        if let Some(items) = &s.and {
            return list(self, items).map(Expr::And);
        }
        if let Some(items) = &s.or {
            return list(self, items).map(Expr::Or);
        }
        if let Some(a) = &s.defined {
            return Some(Expr::Defined { attribute: a.value.clone(), defined: true });
        }
        if let Some(a) = &s.not_defined {
            return Some(Expr::Defined { attribute: a.value.clone(), defined: false });
        }
        let attribute = s.attribute.as_ref()?;
        let (Some(op), Some(value)) = (&s.op, &s.value) else {
            self.err(
                codes::RULE_STRUCTURED,
                attribute.span,
                "an attribute expression needs `op` and `value`".into(),
                "here",
                "e.g. `{ attribute: pingd, op: lt, value: 1 }`".into(),
            );
            return None;
        };
        let ops = [
            ("lt", AttrOp::Lt),
            ("gt", AttrOp::Gt),
            ("lte", AttrOp::Lte),
            ("gte", AttrOp::Gte),
            ("eq", AttrOp::Eq),
            ("ne", AttrOp::Ne),
        ];
        let Some((_, aop)) = ops.iter().find(|(n, _)| *n == op.value) else {
            let h = one_of(&op.value, &["lt", "gt", "lte", "gte", "eq", "ne"]);
            self.err(codes::RULE_OPERATOR, op.span, format!("unknown operator `{}`", op.value), "unknown operator", h);
            return None;
        };
        let types = [
            ("integer", ValueType::Integer),
            ("number", ValueType::Number),
            ("version", ValueType::Version),
            ("string", ValueType::String),
        ];
        let value_type = match &s.value_type {
            None => None,
            Some(t) => match types.iter().find(|(n, _)| *n == t.value) {
                Some((_, vt)) => Some(*vt),
                None => {
                    let h = one_of(&t.value, &["integer", "number", "version", "string"]);
                    self.err(codes::RULE_TYPE, t.span, format!("unknown value type `{}`", t.value), "unknown type", h);
                    return None;
                }
            },
        };
        Some(Expr::Attr {
            attribute: attribute.value.clone(),
            op: *aop,
            value: value.value.0.clone(),
            value_type,
            value_source: None,
        })
    }
}

/// Where a rule names attribute `name`: the key of a structured rule, a word of a text rule.
fn attribute_span(text: &str, r: &S<RawRule>, name: &str) -> Option<Span> {
    match &r.value {
        RawRule::Text(_) => word_in(text, r.span, name),
        RawRule::Structured(s) => [&s.attribute, &s.defined, &s.not_defined]
            .into_iter()
            .flatten()
            .find(|a| a.value == name)
            .map(|a| a.span)
            .or_else(|| s.and.iter().chain(s.or.iter()).flatten().find_map(|i| attribute_span(text, i, name))),
    }
}

/// Where `word` first stands as a whole word inside `span` of `text`.
fn word_in(text: &str, span: Span, word: &str) -> Option<Span> {
    let hay = text.get(span.offset..span.offset + span.len)?;
    let is_word = |c: char| c.is_alphanumeric() || "_-#.".contains(c);
    let mut from = 0;
    while let Some(i) = hay[from..].find(word) {
        let start = from + i;
        let end = start + word.len();
        let before = hay[..start].chars().next_back().is_none_or(|c| !is_word(c));
        let after = hay[end..].chars().next().is_none_or(|c| !is_word(c));
        if before && after {
            return Some(Span { offset: span.offset + start, len: word.len() });
        }
        from = end;
    }
    None
}
