//! Expression tree ⇄ CIB `<rule>` element.

use std::collections::HashSet;

use super::check;
use super::{AttrOp, Expr, Rule, ValueType, MAX_DEPTH};
use crate::cib::xml::{Element, Node};

// ---------------------------------------------------------------------------------------
// Tree → XML
// ---------------------------------------------------------------------------------------

pub(crate) fn to_xml(
    rule: &Rule,
    id_prefix: &str,
    extra_attrs: &[(&str, &str)],
    taken: &dyn Fn(&str) -> bool,
) -> Element {
    let expr = rule.expr.normalized();
    let mut builder = Builder { used: HashSet::new(), taken };
    builder.used.insert(id_prefix.to_string());
    let mut el = Element::new("rule").with_attr("id", id_prefix);
    builder.fill_rule(&mut el, &expr, id_prefix);

    // pcs (`rule.dom_rule_add`) sets its options in this order.
    let rank = |name: &str| match name {
        "role" => 0,
        "score" => 1,
        "score-attribute" => 2,
        _ => 3,
    };
    let mut extra: Vec<&(&str, &str)> = extra_attrs.iter().filter(|(k, _)| *k != "id" && *k != "boolean-op").collect();
    extra.sort_by_key(|(k, _)| rank(k));
    for (k, v) in extra {
        el.set_attr(k, *v);
    }
    el
}

struct Builder<'a> {
    used: HashSet<String>,
    taken: &'a dyn Fn(&str) -> bool,
}

impl Builder<'_> {
    /// pcs's `find_unique_id`: `base`, else `base-1`, `base-2`, ...
    fn alloc(&mut self, base: &str) -> String {
        let free = |b: &Self, id: &str| !b.used.contains(id) && !(b.taken)(id);
        let mut id = base.to_string();
        let mut n = 1u64;
        while !free(self, &id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.used.insert(id.clone());
        id
    }

    /// Put `expr` into the rule element `el` (whose id is `id`).
    fn fill_rule(&mut self, el: &mut Element, expr: &Expr, id: &str) {
        match expr {
            Expr::And(items) | Expr::Or(items) => {
                let is_and = matches!(expr, Expr::And(_));
                el.set_attr("boolean-op", if is_and { "and" } else { "or" });
                for item in items {
                    self.add_member(el, item, is_and, id);
                }
            }
            leaf => {
                let child = self.leaf(leaf, id);
                el.children.push(Node::Element(child));
            }
        }
    }

    /// A member of a group: same-operator groups merge into the parent (as pcs writes
    /// `(a and b) and c`), other groups become nested rules with `score="0"`.
    fn add_member(&mut self, parent: &mut Element, item: &Expr, parent_and: bool, parent_id: &str) {
        match item {
            Expr::And(items) | Expr::Or(items) => {
                let is_and = matches!(item, Expr::And(_));
                if is_and == parent_and && !items.is_empty() {
                    for sub in items {
                        self.add_member(parent, sub, parent_and, parent_id);
                    }
                    return;
                }
                let id = self.alloc(&format!("{parent_id}-rule"));
                let mut nested = Element::new("rule").with_attr("id", id.as_str());
                self.fill_rule(&mut nested, item, &id);
                nested.set_attr("score", "0");
                parent.children.push(Node::Element(nested));
            }
            leaf => {
                let child = self.leaf(leaf, parent_id);
                parent.children.push(Node::Element(child));
            }
        }
    }

    fn leaf(&mut self, expr: &Expr, parent_id: &str) -> Element {
        let expr_id = |b: &mut Self| b.alloc(&format!("{parent_id}-expr"));
        match expr {
            Expr::Attr { attribute, op, value, value_type, value_source } => {
                let mut el = Element::new("expression")
                    .with_attr("id", expr_id(self))
                    .with_attr("operation", op.as_str())
                    .with_attr("attribute", attribute.as_str());
                if let Some(t) = value_type {
                    el.set_attr("type", t.as_str());
                }
                el.set_attr("value", value.as_str());
                if let Some(s) = value_source {
                    el.set_attr("value-source", s.as_str());
                }
                el
            }
            Expr::Defined { attribute, defined } => Element::new("expression")
                .with_attr("id", expr_id(self))
                .with_attr("operation", if *defined { "defined" } else { "not_defined" })
                .with_attr("attribute", attribute.as_str()),
            Expr::DateGt(date) => Element::new("date_expression")
                .with_attr("id", expr_id(self))
                .with_attr("operation", "gt")
                .with_attr("start", date.as_str()),
            Expr::DateLt(date) => Element::new("date_expression")
                .with_attr("id", expr_id(self))
                .with_attr("operation", "lt")
                .with_attr("end", date.as_str()),
            Expr::DateInRange { start, end, duration } => {
                let id = expr_id(self);
                let mut el =
                    Element::new("date_expression").with_attr("id", id.as_str()).with_attr("operation", "in_range");
                if let Some(start) = start {
                    el.set_attr("start", start.as_str());
                }
                if let Some(end) = end {
                    el.set_attr("end", end.as_str());
                }
                if let Some(parts) = duration {
                    let d = self.parts_element("duration", &format!("{id}-duration"), parts);
                    el = el.with_child(d);
                }
                el
            }
            Expr::DateSpec(parts) => {
                let id = expr_id(self);
                let spec = self.parts_element("date_spec", &format!("{id}-datespec"), parts);
                Element::new("date_expression")
                    .with_attr("id", id.as_str())
                    .with_attr("operation", "date_spec")
                    .with_child(spec)
            }
            Expr::Resource { standard, provider, agent_type } => {
                // pcs's rule exporter: `{parent}-rsc-{class}-{provider}-{type}`, sanitized.
                let parts: Vec<&str> = [standard, provider, agent_type].iter().filter_map(|p| p.as_deref()).collect();
                let id = self.alloc(&sanitize_id(&format!("{parent_id}-rsc-{}", parts.join("-"))));
                let mut el = Element::new("rsc_expression").with_attr("id", id);
                for (name, value) in [("class", standard), ("provider", provider), ("type", agent_type)] {
                    if let Some(v) = value {
                        el.set_attr(name, v.as_str());
                    }
                }
                el
            }
            Expr::Op { name, interval } => {
                let id = self.alloc(&sanitize_id(&format!("{parent_id}-op-{name}")));
                let mut el = Element::new("op_expression").with_attr("id", id).with_attr("name", name.as_str());
                if let Some(i) = interval {
                    el.set_attr("interval", i.as_str());
                }
                el
            }
            // Groups are handled by the callers; keep this total anyway.
            Expr::And(_) | Expr::Or(_) => {
                let id = self.alloc(&format!("{parent_id}-rule"));
                let mut nested = Element::new("rule").with_attr("id", id.as_str());
                self.fill_rule(&mut nested, expr, &id);
                nested.set_attr("score", "0");
                nested
            }
        }
    }

    fn parts_element(&mut self, name: &str, id_base: &str, parts: &[(String, String)]) -> Element {
        let mut el = Element::new(name).with_attr("id", self.alloc(id_base));
        for (k, v) in parts {
            el.set_attr(k, v.as_str());
        }
        el
    }
}

/// pcs's `sanitize_id`: drop characters not allowed in an XML id.
fn sanitize_id(candidate: &str) -> String {
    let mut out = String::with_capacity(candidate.len());
    for (i, c) in candidate.chars().enumerate() {
        let ok = if i == 0 {
            c.is_ascii_alphabetic() || c == '_'
        } else {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
        };
        if ok {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// XML → tree
// ---------------------------------------------------------------------------------------

pub(crate) fn from_xml(rule: &Element) -> Result<Rule, String> {
    if rule.name != "rule" {
        return Err(format!("expected a <rule> element, found <{}>", rule.name));
    }
    let expr = read_rule(rule, 0)?;
    Ok(Rule { expr: expr.normalized() })
}

/// How to name an element in messages.
fn describe(el: &Element) -> String {
    match el.id() {
        Some(id) => format!("<{} id=\"{id}\">", el.name),
        None => format!("<{}>", el.name),
    }
}

fn check_attrs(el: &Element, allowed: &[&str]) -> Result<(), String> {
    match el.attrs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        Some((k, _)) => Err(format!("{} has attribute `{k}`, which a rule text cannot express", describe(el))),
        None => Ok(()),
    }
}

/// The child elements; text (other than whitespace) and comments are refused.
fn child_elements(el: &Element) -> Result<Vec<&Element>, String> {
    let mut out = Vec::new();
    for node in &el.children {
        match node {
            Node::Element(e) => out.push(e),
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Text(_) => return Err(format!("{} contains text", describe(el))),
            Node::Comment(_) => {
                return Err(format!("{} contains a comment, which a rule text cannot keep", describe(el)))
            }
        }
    }
    Ok(out)
}

fn no_children(el: &Element) -> Result<(), String> {
    match child_elements(el)?.first() {
        Some(c) => Err(format!("{} has an unexpected child <{}>", describe(el), c.name)),
        None => Ok(()),
    }
}

fn required<'a>(el: &'a Element, name: &str) -> Result<&'a str, String> {
    el.attr(name).ok_or_else(|| format!("{} has no `{name}`", describe(el)))
}

fn read_rule(el: &Element, depth: usize) -> Result<Expr, String> {
    if depth > MAX_DEPTH {
        return Err(format!("rules are nested more than {MAX_DEPTH} levels deep"));
    }
    if el.attr("id-ref").is_some() {
        return Err(format!("{} refers to another rule (id-ref)", describe(el)));
    }
    if depth == 0 {
        check_attrs(el, &["id", "boolean-op", "score", "score-attribute", "role"])?;
    } else {
        // Pacemaker ignores the score of nested rules (pcs writes score="0" to satisfy the
        // schema), but a role on a nested rule would be lost.
        check_attrs(el, &["id", "boolean-op", "score", "score-attribute"])?;
    }
    let is_and = match el.attr("boolean-op") {
        None | Some("and") => true,
        Some("or") => false,
        Some(other) => return Err(format!("{} has unknown boolean-op `{other}`", describe(el))),
    };
    let mut items = Vec::new();
    for child in child_elements(el)? {
        items.push(match child.name.as_str() {
            "rule" => read_rule(child, depth + 1)?,
            "expression" => read_expression(child)?,
            "date_expression" => read_date_expression(child)?,
            "rsc_expression" => read_rsc_expression(child)?,
            "op_expression" => read_op_expression(child)?,
            other => return Err(format!("{} contains unsupported <{other}>", describe(el))),
        });
    }
    if items.is_empty() {
        if depth > 0 {
            return Err(format!("nested {} is empty", describe(el)));
        }
        if !is_and {
            return Err(format!(
                "{} is empty with boolean-op=\"or\" (never true), which a rule text cannot express",
                describe(el)
            ));
        }
    }
    Ok(if is_and { Expr::And(items) } else { Expr::Or(items) })
}

fn read_expression(el: &Element) -> Result<Expr, String> {
    check_attrs(el, &["id", "attribute", "operation", "value", "type", "value-source"])?;
    no_children(el)?;
    let attribute = required(el, "attribute")?.to_string();
    let operation = required(el, "operation")?;
    let value_source = match el.attr("value-source") {
        None | Some("literal") => None,
        Some(s @ ("param" | "meta")) => Some(s.to_string()),
        Some(other) => return Err(format!("{} has unknown value-source `{other}`", describe(el))),
    };
    if let Some(defined) = match operation {
        "defined" => Some(true),
        "not_defined" => Some(false),
        _ => None,
    } {
        for ignored in ["value", "type"] {
            if el.attr(ignored).is_some() {
                return Err(format!("{} has `{ignored}` with operation `{operation}`", describe(el)));
            }
        }
        if value_source.is_some() {
            return Err(format!("{} has a value-source with operation `{operation}`", describe(el)));
        }
        return Ok(Expr::Defined { attribute, defined });
    }
    let Some(op) = AttrOp::from_keyword(operation) else {
        return Err(format!("{} has unknown operation `{operation}`", describe(el)));
    };
    let value = required(el, "value")?.to_string();
    let value_type = match el.attr("type") {
        None => None,
        Some(t) => match ValueType::from_keyword(t) {
            Some(vt) => Some(vt),
            None => return Err(format!("{} has unknown type `{t}`", describe(el))),
        },
    };
    if let (Some(vt), None) = (value_type, &value_source) {
        check::typed_value(vt, &value).map_err(|p| format!("{}: {}", describe(el), p.message))?;
    }
    Ok(Expr::Attr { attribute, op, value, value_type, value_source })
}

fn read_date_expression(el: &Element) -> Result<Expr, String> {
    check_attrs(el, &["id", "operation", "start", "end"])?;
    let children = child_elements(el)?;
    let operation = required(el, "operation")?;
    let date = |name: &str| -> Result<Option<String>, String> {
        match el.attr(name) {
            None => Ok(None),
            Some(d) => match check::date(d) {
                Ok(()) => Ok(Some(d.to_string())),
                Err(p) => Err(format!("{}: {}", describe(el), p.message)),
            },
        }
    };
    let (start, end) = (date("start")?, date("end")?);
    let only = |child: &str| -> Result<Option<&Element>, String> {
        match children.as_slice() {
            [] => Ok(None),
            [c] if c.name == child => Ok(Some(c)),
            [c] => Err(format!("{} has an unexpected child <{}>", describe(el), c.name)),
            _ => Err(format!("{} has more than one child element", describe(el))),
        }
    };
    let unexpected = |attr: &str| format!("{} has `{attr}` with operation `{operation}`", describe(el));
    match operation {
        "gt" | "lt" => {
            if let Some(c) = children.first() {
                return Err(format!("{} has an unexpected child <{}>", describe(el), c.name));
            }
            let (wanted, other) = if operation == "gt" { (start, &end) } else { (end, &start) };
            if other.is_some() {
                return Err(unexpected(if operation == "gt" { "end" } else { "start" }));
            }
            let Some(date) = wanted else {
                return Err(format!("{} has no `{}`", describe(el), if operation == "gt" { "start" } else { "end" }));
            };
            Ok(if operation == "gt" { Expr::DateGt(date) } else { Expr::DateLt(date) })
        }
        "in_range" => {
            let duration = match only("duration")? {
                Some(d) => Some(read_parts(d, false)?),
                None => None,
            };
            if end.is_some() && duration.is_some() {
                return Err(format!("{} has both `end` and <duration> (Pacemaker uses `end`)", describe(el)));
            }
            if end.is_none() && duration.is_none() {
                return Err(format!(
                    "{} is an in_range without an end, which a rule text cannot express",
                    describe(el)
                ));
            }
            Ok(Expr::DateInRange { start, end, duration })
        }
        "date_spec" => {
            for attr in ["start", "end"] {
                if el.attr(attr).is_some() {
                    return Err(unexpected(attr));
                }
            }
            match only("date_spec")? {
                Some(spec) => Ok(Expr::DateSpec(read_parts(spec, true)?)),
                None => Err(format!("{} has no <date_spec>", describe(el))),
            }
        }
        other => Err(format!("{} has unknown operation `{other}`", describe(el))),
    }
}

/// The parts of a `<date_spec>` or `<duration>`, checked and sorted by name.
fn read_parts(el: &Element, date_spec: bool) -> Result<Vec<(String, String)>, String> {
    no_children(el)?;
    let mut parts = Vec::new();
    for (name, value) in el.attrs.iter().filter(|(k, _)| k != "id") {
        let checked = if date_spec { check::date_spec_part(name, value) } else { check::duration_part(name, value) };
        checked.map_err(|p| format!("{}: {}", describe(el), p.message))?;
        parts.push((name.to_string(), value.to_string()));
    }
    if parts.is_empty() {
        return Err(format!("{} is empty", describe(el)));
    }
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(parts)
}

fn read_rsc_expression(el: &Element) -> Result<Expr, String> {
    check_attrs(el, &["id", "class", "provider", "type"])?;
    no_children(el)?;
    let part = |name: &str| -> Result<Option<String>, String> {
        match el.attr(name) {
            None => Ok(None),
            Some(v) if v.is_empty() || v.contains(':') => {
                Err(format!("{} has `{name}` \"{v}\", which a rule text cannot express", describe(el)))
            }
            Some(v) => Ok(Some(v.to_string())),
        }
    };
    Ok(Expr::Resource { standard: part("class")?, provider: part("provider")?, agent_type: part("type")? })
}

fn read_op_expression(el: &Element) -> Result<Expr, String> {
    check_attrs(el, &["id", "name", "interval"])?;
    no_children(el)?;
    let name = required(el, "name")?.to_string();
    let interval = match el.attr("interval") {
        None => None,
        Some(i) => {
            check::interval(i).map_err(|p| format!("{}: {}", describe(el), p.message))?;
            Some(i.to_string())
        }
    };
    Ok(Expr::Op { name, interval })
}
