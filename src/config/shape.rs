//! Stage 1 (shape): every unknown key, wrong type and missing key of a cluster file at once.
//!
//! serde stops at the first of these; this pass walks the whole YAML document against the file's
//! JSON Schema (the one `cibform schema` prints, derived from `raw`) and reports each one, located
//! on its key or value, with a suggestion. It runs only after serde has refused the file, and is
//! lenient where serde is (any scalar is text; `yes`, `'3'` are a boolean and a number): serde's
//! own error is kept whenever this pass does not report it. It also returns the text with the
//! offending entries blanked (same byte offsets), so the semantic checks can run on the rest.
//! It interprets no value.

use serde_json::Value;
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};

use crate::config::raw::{RawCluster, Span};
use crate::diag::{codes, suggest, Diag, Source};

/// Deeper than this, the walk stops (the parser allows 64 levels).
const MAX_DEPTH: usize = 64;

/// A YAML node with its place in the text.
struct Yaml {
    span: Span,
    kind: Kind,
}

enum Kind {
    Map(Vec<(Yaml, Yaml)>),
    Seq(Vec<Yaml>),
    Scalar {
        text: String,
        plain: bool,
    },
    /// An alias: not expanded, not checked.
    Alias,
}

/// What the walk found: the diagnostics, and the text with each refused entry blanked (`None`
/// when a problem cannot be cut out: a missing key, a wrong list item).
pub struct Shape {
    pub diags: Vec<Diag>,
    pub repaired: Option<String>,
}

/// Walk `text` against the file's schema.
pub fn check(src: &Source, text: &str) -> Shape {
    let schema = serde_json::to_value(schemars::schema_for!(RawCluster)).unwrap_or_default();
    let mut w = Walker { src, root: &schema, diags: Vec::new(), cuts: Vec::new(), whole: true, section: String::new() };
    if let Some(doc) = tree(text) {
        w.node(&doc, &schema, 0);
    }
    let repaired = w.whole.then(|| blank(text, &w.cuts));
    Shape { diags: w.diags, repaired }
}

/// The document as a tree, or `None` when it does not parse (the parser's error stands).
fn tree(text: &str) -> Option<Yaml> {
    let mut stack: Vec<(usize, Vec<Yaml>, bool)> = Vec::new();
    let mut done = None;
    for ev in Parser::new_from_str(text) {
        let (ev, span) = ev.ok()?;
        let start = span.start.byte_offset().unwrap_or(0);
        let end = span.end.byte_offset().unwrap_or(start).max(start);
        let node = match ev {
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                // Deeper than the walk goes: no tree (whose drop would recurse that deep).
                if stack.len() >= MAX_DEPTH {
                    return None;
                }
                stack.push((start, Vec::new(), matches!(ev, Event::MappingStart(..))));
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let (s, items, is_map) = stack.pop()?;
                let kind = if is_map {
                    let mut pairs = Vec::new();
                    let mut it = items.into_iter();
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        pairs.push((k, v));
                    }
                    Kind::Map(pairs)
                } else {
                    Kind::Seq(items)
                };
                Yaml { span: Span { offset: s, len: end.saturating_sub(s).max(1) }, kind }
            }
            Event::Scalar(v, style, ..) => Yaml {
                span: Span { offset: start, len: (end - start).max(1) },
                kind: Kind::Scalar { text: v.into_owned(), plain: style == ScalarStyle::Plain },
            },
            Event::Alias(_) => Yaml { span: Span { offset: start, len: (end - start).max(1) }, kind: Kind::Alias },
            _ => continue,
        };
        match stack.last_mut() {
            Some((_, items, _)) => items.push(node),
            None => done = Some(node),
        }
    }
    done
}

struct Walker<'a> {
    src: &'a Source,
    root: &'a Value,
    diags: Vec<Diag>,
    /// Byte ranges to blank for the repaired text.
    cuts: Vec<(usize, usize)>,
    /// Every problem so far can be cut out.
    whole: bool,
    /// The top-level key being walked.
    section: String,
}

impl<'a> Walker<'a> {
    /// `s` with its `$ref` followed.
    fn resolve(&self, mut s: &'a Value) -> &'a Value {
        for _ in 0..16 {
            let Some(r) = s.get("$ref").and_then(Value::as_str) else { break };
            let name = r.trim_start_matches("#/$defs/");
            match self.root.get("$defs").and_then(|d| d.get(name)) {
                Some(d) => s = d,
                None => break,
            }
        }
        s
    }

    /// Check `y` against schema `s`; whether it fits (problems inside it are reported).
    fn node(&mut self, y: &Yaml, s: &'a Value, depth: usize) -> bool {
        if depth > MAX_DEPTH || matches!(y.kind, Kind::Alias) {
            return true;
        }
        let s = self.resolve(s);
        if let Some(alts) = s.get("anyOf").and_then(Value::as_array) {
            // Untagged forms and `Option`: the alternative whose kind fits the node.
            let pick = alts.iter().map(|a| self.resolve(a)).find(|a| fits_kind(y, a));
            return match pick {
                Some(a) => self.node(y, a, depth),
                None => self.wrong(y, &expected(alts.iter().map(|a| self.resolve(a)))),
            };
        }
        if !fits_kind(y, s) || !fits_scalar(y, s) {
            return self.wrong(y, &expected([s]));
        }
        match &y.kind {
            Kind::Map(pairs) => self.map(y, pairs, s, depth),
            Kind::Seq(items) => {
                let item = s.get("items").unwrap_or(&Value::Bool(true));
                for i in items {
                    if !self.node(i, item, depth + 1) {
                        self.whole = false;
                    }
                }
            }
            _ => {}
        }
        true
    }

    fn map(&mut self, y: &Yaml, pairs: &[(Yaml, Yaml)], s: &'a Value, depth: usize) {
        let props = s.get("properties").and_then(Value::as_object);
        let extra = s.get("additionalProperties");
        for (k, v) in pairs {
            let Kind::Scalar { text: key, plain } = &k.kind else { continue };
            if *plain && key == "<<" {
                continue; // a merge key (`<<: *anchor`): the parser merges it, and serde checks the result
            }
            if depth == 0 {
                self.section.clone_from(key);
            }
            let sub = props.and_then(|p| p.get(key)).or(extra.filter(|e| e.is_object()));
            match sub {
                Some(sub) if !self.node(v, sub, depth + 1) => self.cut(k, v, depth + 1),
                Some(_) => {}
                None if extra == Some(&Value::Bool(false)) => {
                    let allowed: Vec<&str> = props.map(|p| p.keys().map(String::as_str).collect()).unwrap_or_default();
                    let help = match suggest(key, allowed.iter().copied()) {
                        Some(g) => format!("did you mean `{g}`? allowed keys here: {}", allowed.join(", ")),
                        None => format!("allowed keys here: {}", allowed.join(", ")),
                    };
                    self.push(codes::YAML_UNKNOWN_KEY, format!("unknown key `{key}`"), k.span, help);
                    self.cut(k, v, depth + 1);
                }
                None => {}
            }
        }
        let given: Vec<&str> = pairs
            .iter()
            .filter_map(|(k, _)| if let Kind::Scalar { text, .. } = &k.kind { Some(text.as_str()) } else { None })
            .collect();
        for req in s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            if !given.contains(&req) {
                let at = Span { offset: y.span.offset, len: 1 };
                let help = "add the key; see `cibform schema` for the file's shape".to_string();
                self.push(codes::YAML_MISSING_KEY, format!("missing key `{req}`"), at, help);
                self.whole = false;
            }
        }
    }

    fn wrong(&mut self, y: &Yaml, want: &str) -> bool {
        let found = match &y.kind {
            Kind::Map(_) => "a mapping".to_string(),
            Kind::Seq(_) => "a list".to_string(),
            Kind::Scalar { text, plain: true } if is_null(text) => "nothing (null)".to_string(),
            Kind::Scalar { text, .. } => format!("`{text}`"),
            Kind::Alias => "an alias".to_string(),
        };
        let help = "see `cibform schema` for the expected shape".to_string();
        self.push(codes::YAML_TYPE, format!("expected {want}, found {found}"), y.span, help);
        false
    }

    fn push(&mut self, code: crate::diag::Code, msg: String, span: Span, help: String) {
        self.diags.push(Diag::error(code, msg).label(span, "here").help(help).in_source(self.src));
    }

    /// Blank a mapping entry (its key through its value). Cutting a section or an object
    /// others name (`resources:`, `resources: { r: ... }`) would make every reference to it an
    /// error of its own, so the rest is not checked then.
    fn cut(&mut self, k: &Yaml, v: &Yaml, depth: usize) {
        const NAMED: &[&str] = &["nodes", "resources", "groups", "clones", "tags", "acls", "alerts"];
        if depth < 2 || (depth == 2 && NAMED.contains(&self.section.as_str())) {
            self.whole = false;
        }
        let end = (v.span.offset + v.span.len).max(k.span.offset + k.span.len);
        self.cuts.push((k.span.offset, end));
    }
}

/// The schema's types (`"type": "x"` or `["x", "null"]`); an empty list accepts anything.
fn types(s: &Value) -> Vec<&str> {
    match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// Whether the node's kind (mapping, list, scalar, null) is one the schema takes.
fn fits_kind(y: &Yaml, s: &Value) -> bool {
    let ts = types(s);
    if ts.is_empty() {
        return s.get("properties").is_none() || matches!(y.kind, Kind::Map(_));
    }
    match &y.kind {
        Kind::Map(_) => ts.contains(&"object"),
        Kind::Seq(_) => ts.contains(&"array"),
        Kind::Scalar { text, plain: true } if is_null(text) => ts.contains(&"null"),
        Kind::Scalar { .. } => ts.iter().any(|t| matches!(*t, "string" | "boolean" | "integer" | "number")),
        Kind::Alias => true,
    }
}

/// Whether a scalar reads as the schema's scalar type, as leniently as serde reads it.
fn fits_scalar(y: &Yaml, s: &Value) -> bool {
    let Kind::Scalar { text, .. } = &y.kind else { return true };
    let ts = types(s);
    if ts.contains(&"string") || ts.is_empty() || is_null(text) {
        return true;
    }
    let t = text.trim();
    let bool_ok = ts.contains(&"boolean")
        && matches!(t.to_lowercase().as_str(), "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n");
    let int = parse_int(t);
    let in_range = |n: i128| {
        s.get("minimum").and_then(Value::as_f64).is_none_or(|m| n as f64 >= m)
            && s.get("maximum").and_then(Value::as_f64).is_none_or(|m| n as f64 <= m)
    };
    let int_ok = ts.contains(&"integer") && int.is_some_and(in_range);
    let num_ok = ts.contains(&"number") && (int.is_some() || t.parse::<f64>().is_ok());
    bool_ok || int_ok || num_ok
}

fn parse_int(t: &str) -> Option<i128> {
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let n = if let Some(h) = body.strip_prefix("0x") {
        i128::from_str_radix(h, 16).ok()?
    } else if let Some(o) = body.strip_prefix("0o") {
        i128::from_str_radix(o, 8).ok()?
    } else {
        body.parse::<i128>().ok()?
    };
    Some(if neg { -n } else { n })
}

/// What the schemas take, in words: `a mapping`, `a list or a text value`, ...
fn expected<'v>(schemas: impl IntoIterator<Item = &'v Value>) -> String {
    let mut words: Vec<String> = Vec::new();
    for s in schemas {
        let range = match (s.get("minimum").and_then(Value::as_i64), s.get("maximum").and_then(Value::as_i64)) {
            (Some(lo), Some(hi)) => format!(" from {lo} to {hi}"),
            (Some(0), None) => " (0 or more)".to_string(),
            _ => String::new(),
        };
        let ts = types(s);
        let ts = if ts.is_empty() && s.get("properties").is_some() { vec!["object"] } else { ts };
        for t in ts {
            let w = match t {
                "object" => "a mapping",
                "array" => "a list",
                "string" => "a text value",
                "boolean" => "a boolean (true or false)",
                "integer" => &format!("a whole number{range}"),
                "number" => "a number",
                _ => continue,
            };
            if !words.iter().any(|x| x == w) {
                words.push(w.to_string());
            }
        }
    }
    if words.is_empty() {
        return "a value".into();
    }
    words.join(" or ")
}

/// `text` with each cut replaced by spaces (line breaks kept): every other offset stays.
fn blank(text: &str, cuts: &[(usize, usize)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for &(a, b) in cuts {
        for c in bytes.iter_mut().take(b.min(text.len())).skip(a) {
            if *c != b'\n' && *c != b'\r' {
                *c = b' ';
            }
        }
    }
    // Only whole characters were inside the cuts (they run from a key to a value's end), so the
    // result is text; if not, there is nothing to repair.
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> Shape {
        check(&Source::new("t.yaml", text), text)
    }

    #[test]
    fn every_unknown_key_and_wrong_type_is_found_and_cut() {
        let text = "cluster: c\nresources:\n  r: { agent: a, parms: {}, ops: [{ name: m, timout: 1 }] }\nquorum: { two_node: maybe }\n";
        let s = shape(text);
        let msgs: Vec<&str> = s.diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            ["unknown key `parms`", "unknown key `timout`", "expected a boolean (true or false), found `maybe`"]
        );
        let rest = s.repaired.unwrap();
        assert_eq!(rest.len(), text.len());
        assert!(!rest.contains("parms") && !rest.contains("timout") && !rest.contains("maybe"), "{rest}");
        assert!(rest.contains("agent: a"), "{rest}");
        // A whole resource cut out would make each reference to it a problem of its own.
        assert!(shape("cluster: c\nresources:\n  r: 3\n").repaired.is_none());
        assert!(shape("cluster: c\nresourcs: {}\n").repaired.is_none());
    }

    #[test]
    fn deep_or_broken_yaml_gives_no_tree_and_no_panic() {
        let deep = format!("cluster: c\nclusterr: {}", "[".repeat(100_000));
        assert!(shape(&deep).diags.is_empty());
        let deep = format!("cluster: c\nclusterr: 1\nx: {}{}", "[".repeat(1_000), "]".repeat(1_000));
        assert!(shape(&deep).diags.is_empty());
        assert!(shape("cluster: [c\n").diags.is_empty());
    }

    #[test]
    fn serde_s_lenient_readings_are_not_problems() {
        let text =
            "cluster: 24\nnodes: { n: { id: 1, standby: yes } }\nquorum: { expected_votes: '3', two_node: True }\n";
        assert!(shape(text).diags.is_empty());
    }
}
