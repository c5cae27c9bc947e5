//! Expression tree → canonical pcs rule text.

use super::Expr;

/// Words that would be read as keywords where an attribute name starts an expression.
const NAME_KEYWORDS: &[&str] = &["and", "or", "date", "date-spec", "defined", "not_defined", "resource", "op"];
/// Words that would be read as keywords in a comparison's value position.
const VALUE_KEYWORDS: &[&str] = &["and", "or", "string", "integer", "number", "version", "param", "meta"];
/// Words that end an expression.
const BOOL_KEYWORDS: &[&str] = &["and", "or"];
/// Words that would make `op NAME …` read as a comparison of an attribute named `op`.
const OP_NAME_KEYWORDS: &[&str] = &["and", "or", "lt", "gt", "lte", "gte", "eq", "ne"];

pub(crate) fn to_text(expr: &Expr) -> String {
    let mut out = String::new();
    match expr {
        // The empty rule is the empty text; nested empty groups have no text form.
        Expr::And(items) if items.is_empty() => {}
        _ => write_expr(&mut out, expr),
    }
    out
}

fn write_expr(out: &mut String, expr: &Expr) {
    match expr {
        Expr::And(items) => write_group(out, items, " and "),
        Expr::Or(items) => write_group(out, items, " or "),
        Expr::Attr { attribute, op, value, value_type, value_source } => {
            out.push_str(&quote(attribute, NAME_KEYWORDS));
            out.push(' ');
            out.push_str(op.as_str());
            if let Some(t) = value_type {
                out.push(' ');
                out.push_str(t.as_str());
            }
            if let Some(s) = value_source {
                out.push(' ');
                out.push_str(s);
            }
            out.push(' ');
            out.push_str(&quote(value, VALUE_KEYWORDS));
        }
        Expr::Defined { attribute, defined } => {
            out.push_str(if *defined { "defined " } else { "not_defined " });
            out.push_str(&quote(attribute, BOOL_KEYWORDS));
        }
        Expr::DateGt(date) => {
            out.push_str("date gt ");
            out.push_str(&quote(date, BOOL_KEYWORDS));
        }
        Expr::DateLt(date) => {
            out.push_str("date lt ");
            out.push_str(&quote(date, BOOL_KEYWORDS));
        }
        Expr::DateInRange { start, end, duration } => {
            out.push_str("date in_range ");
            if let Some(start) = start {
                out.push_str(&quote(start, &["and", "or", "to"]));
                out.push(' ');
            }
            out.push_str("to");
            if let Some(end) = end {
                out.push(' ');
                out.push_str(&quote(end, &["and", "or", "duration"]));
            }
            if let Some(parts) = duration {
                out.push_str(" duration");
                write_parts(out, parts);
            }
        }
        Expr::DateSpec(parts) => {
            out.push_str("date-spec");
            write_parts(out, parts);
        }
        Expr::Resource { standard, provider, agent_type } => {
            let spec = [standard, provider, agent_type].map(|p| p.as_deref().unwrap_or("")).join(":");
            out.push_str("resource ");
            out.push_str(&quote(&spec, BOOL_KEYWORDS));
        }
        Expr::Op { name, interval } => {
            out.push_str("op ");
            out.push_str(&quote(name, OP_NAME_KEYWORDS));
            if let Some(interval) = interval {
                out.push_str(" interval=");
                out.push_str(interval);
            }
        }
    }
}

/// Members joined by the operator; member groups in parentheses, as pcs prints them.
fn write_group(out: &mut String, items: &[Expr], joiner: &str) {
    if items.is_empty() {
        out.push_str("()");
        return;
    }
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(joiner);
        }
        if matches!(item, Expr::And(_) | Expr::Or(_)) {
            out.push('(');
            write_expr(out, item);
            out.push(')');
        } else {
            write_expr(out, item);
        }
    }
}

fn write_parts(out: &mut String, parts: &[(String, String)]) {
    for (name, value) in parts {
        out.push(' ');
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
}

/// A word as the lexer reads it back: quoted when it is empty, holds whitespace,
/// parentheses or quotes, or is one of `keywords` (any case). Uses pcs's quoting style:
/// double quotes, else single quotes, else double quotes with `\"` and `\\` escapes.
pub(crate) fn quote(word: &str, keywords: &[&str]) -> String {
    let special = word.is_empty()
        || word.chars().any(|c| c.is_whitespace() || matches!(c, '(' | ')' | '"' | '\''))
        || keywords.iter().any(|k| word.eq_ignore_ascii_case(k));
    if !special {
        return word.to_string();
    }
    if !word.contains(['"', '\\']) {
        return format!("\"{word}\"");
    }
    if !word.contains('\'') {
        return format!("'{word}'");
    }
    let mut out = String::with_capacity(word.len() + 2);
    out.push('"');
    for c in word.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}
