//! Rules: the pcs text form and the structured YAML form, both into `rule::Rule`.

use crate::config::raw::{RawRule, RawRuleExpr, Span, S};
use crate::diag::codes;
use crate::rule::{self, AttrOp, Expr, Rule, ValueType};

use super::{one_of, Validator};

impl Validator<'_> {
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
