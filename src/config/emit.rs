//! Stage 1, in reverse: writing a cluster file.
//!
//! `export` builds a [`Yaml`] tree; this module turns it into text that reads as if a person had
//! written it: short mappings and lists in flow style (`{ ip: 10.0.0.1, nic: eth0 }`), long ones
//! in block style, multi-line text as literal blocks, and quotes only where the loader would
//! otherwise read something else than the text. It lives in `config` because only `config` knows
//! the file is YAML; it does not decide what goes in the file.

use std::fmt::Write as _;

/// A YAML value to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Yaml {
    /// A string for a field read as a string or an id (plain only when no YAML reader could take
    /// it for a boolean or a number).
    Str(String),
    /// Text for a field read as a scalar's text (`params`, `properties`, scores, durations):
    /// `false`, `24` and `0x1F` stay plain, because the loader keeps the text as written.
    Text(String),
    /// A boolean (for fields the loader reads as `bool`).
    Bool(bool),
    /// An integer (for fields the loader reads as a number).
    Int(u64),
    /// A list.
    Seq(Vec<Yaml>),
    /// A mapping, in this order.
    Map(Vec<(String, Yaml)>),
    /// Multi-line text, written as a literal block (`|`).
    Block(String),
    /// A mapping entry list preceded by comment lines (only meaningful inside a block mapping).
    Commented(Vec<String>, Box<Yaml>),
}

impl Yaml {
    pub fn str(s: impl Into<String>) -> Yaml {
        Yaml::Str(s.into())
    }
    pub fn text(s: impl Into<String>) -> Yaml {
        Yaml::Text(s.into())
    }
}

/// Widest line we aim for.
const WIDTH: usize = 100;
/// Widest flow mapping written as one list item (`- { ... }`); longer items read better as blocks.
const ITEM_WIDTH: usize = 64;

/// The document: a top-level block mapping, one blank line between top-level entries that are
/// not scalars.
pub fn to_string(top: &[(String, Yaml)]) -> String {
    let mut out = String::new();
    let mut prev_scalar = true;
    for (i, (k, v)) in top.iter().enumerate() {
        let is_scalar = matches!(v, Yaml::Str(_) | Yaml::Text(_) | Yaml::Bool(_) | Yaml::Int(_));
        if i > 0 && !(is_scalar && prev_scalar) {
            out.push('\n');
        }
        prev_scalar = is_scalar;
        if is_scalar {
            entry(&mut out, 0, k, v);
        } else {
            // Top-level sections are always blocks, as a person lays the file out.
            let (comments, inner) = match v {
                Yaml::Commented(lines, inner) => (lines.as_slice(), inner.as_ref()),
                other => (&[][..], other),
            };
            for l in comments {
                let _ = writeln!(out, "# {l}");
            }
            let _ = writeln!(out, "{}:", scalar(k));
            block(&mut out, 2, inner);
        }
    }
    out
}

/// Write `key: value` at `indent`.
fn entry(out: &mut String, indent: usize, key: &str, v: &Yaml) {
    let pad = " ".repeat(indent);
    let key = scalar(key);
    match v {
        Yaml::Commented(lines, inner) => {
            for l in lines {
                let _ = writeln!(out, "{pad}# {l}");
            }
            entry(out, indent, &key, inner);
        }
        Yaml::Block(text) => {
            let _ = writeln!(out, "{pad}{key}: {}", block_header(text));
            block_body(out, indent + 2, text);
        }
        _ => match flow(v) {
            Some(f) if indent + key.len() + 2 + f.len() <= WIDTH => {
                let _ = writeln!(out, "{pad}{key}: {f}");
            }
            _ => {
                let _ = writeln!(out, "{pad}{key}:");
                block(out, indent + 2, v);
            }
        },
    }
}

/// Write a collection in block style at `indent`.
fn block(out: &mut String, indent: usize, v: &Yaml) {
    let pad = " ".repeat(indent);
    match v {
        Yaml::Map(entries) => {
            for (k, v) in entries {
                entry(out, indent, k, v);
            }
        }
        Yaml::Seq(items) => {
            for item in items {
                item_line(out, indent, &pad, item);
            }
        }
        Yaml::Commented(_, inner) => block(out, indent, inner),
        other => {
            let _ = writeln!(out, "{pad}{}", flow(other).unwrap_or_default());
        }
    }
}

/// One `- item` of a block list.
fn item_line(out: &mut String, indent: usize, pad: &str, item: &Yaml) {
    match item {
        Yaml::Block(text) => {
            let _ = writeln!(out, "{pad}- {}", block_header(text));
            block_body(out, indent + 2, text);
        }
        Yaml::Commented(lines, inner) => {
            for l in lines {
                let _ = writeln!(out, "{pad}# {l}");
            }
            item_line(out, indent, pad, inner);
        }
        Yaml::Map(entries) if !entries.is_empty() => match flow(item) {
            Some(f) if f.len() <= ITEM_WIDTH && indent + 2 + f.len() <= WIDTH => {
                let _ = writeln!(out, "{pad}- {f}");
            }
            _ => {
                // `- key: value` then the other keys aligned under the first.
                let mut first = String::new();
                entry(&mut first, indent + 2, &entries[0].0, &entries[0].1);
                out.push_str(pad);
                out.push_str("- ");
                out.push_str(&first[indent + 2..]);
                for (k, v) in &entries[1..] {
                    entry(out, indent + 2, k, v);
                }
            }
        },
        _ => match flow(item) {
            Some(f) if indent + 2 + f.len() <= WIDTH => {
                let _ = writeln!(out, "{pad}- {f}");
            }
            _ => {
                let _ = writeln!(out, "{pad}-");
                block(out, indent + 2, item);
            }
        },
    }
}

fn block_header(text: &str) -> &'static str {
    if text.ends_with('\n') {
        "|"
    } else {
        "|-"
    }
}

fn block_body(out: &mut String, indent: usize, text: &str) {
    let pad = " ".repeat(indent);
    for line in text.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{pad}{line}");
        }
    }
}

/// The flow form of a value, or `None` when it has no one-line form (blocks, comments).
fn flow(v: &Yaml) -> Option<String> {
    match v {
        Yaml::Str(s) => Some(scalar(s)),
        Yaml::Text(s) => Some(text(s)),
        Yaml::Bool(b) => Some(b.to_string()),
        Yaml::Int(n) => Some(n.to_string()),
        Yaml::Seq(items) => {
            let parts: Option<Vec<String>> = items.iter().map(flow).collect();
            Some(format!("[{}]", parts?.join(", ")))
        }
        Yaml::Map(entries) if entries.is_empty() => Some("{}".into()),
        Yaml::Map(entries) => {
            let parts: Option<Vec<String>> =
                entries.iter().map(|(k, v)| flow(v).map(|f| format!("{}: {f}", scalar(k)))).collect();
            Some(format!("{{ {} }}", parts?.join(", ")))
        }
        Yaml::Block(_) | Yaml::Commented(..) => None,
    }
}

/// Words YAML reads as null: no field can hold them as text.
const NULLS: &[&str] = &["", "~", "null"];
/// Words YAML 1.1 or 1.2 read as booleans (a field that takes an id or a boolean sees a bool).
const BOOLS: &[&str] = &["true", "false", "yes", "no", "on", "off", "y", "n"];

/// A string or id as YAML: plain when that reads back as exactly `s` in every context we write
/// (block and flow, key and value, string fields and fields that take an id or a mapping),
/// double-quoted otherwise.
pub fn scalar(s: &str) -> String {
    let first = s.chars().next().unwrap_or(' ');
    let numeric_like = first.is_ascii_digit() || matches!(first, '+' | '.' | '-');
    let boolish = BOOLS.contains(&s.to_ascii_lowercase().as_str());
    if is_plain(s) && !boolish && !(numeric_like && looks_like_number(s)) {
        s.to_string()
    } else {
        quote(s)
    }
}

/// A value the loader keeps as text (`Scalar`). cibform reads any scalar back as its text, but
/// other YAML tools (PyYAML, yq, editor plugins) resolve types and write back their canonical
/// form, so only what survives that stays plain: canonical integers (`24`, `-1`), `true` and
/// `false`, and text no resolver types. `03`, `0x10`, `1e3`, `0.10`, `yes`, `on`, dates and
/// times are quoted, so `InstanceNumber: "03"` stays `03` after a round trip through them.
pub fn text(s: &str) -> String {
    let canonical = is_canonical_int(s) || matches!(s, "true" | "false");
    if is_plain(s) && (canonical || !resolves_to_a_type(s)) {
        s.to_string()
    } else {
        quote(s)
    }
}

/// `0`, `24`, `-1`: an integer every YAML tool writes back exactly as it reads it.
fn is_canonical_int(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && s != "-0"
}

/// Whether a YAML 1.1 or 1.2 resolver reads `s` as something other than a string: a boolean, a
/// number in any notation, a date or time, or a sexagesimal number (`12:30`).
fn resolves_to_a_type(s: &str) -> bool {
    let first = s.chars().next().unwrap_or(' ');
    let numeric_like = first.is_ascii_digit() || matches!(first, '+' | '.' | '-');
    let date_like = s.len() >= 8 && s.as_bytes()[..4].iter().all(u8::is_ascii_digit) && s.as_bytes()[4] == b'-';
    let sexagesimal = numeric_like
        && s.contains(':')
        && s.chars().all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | '_' | '+' | '-'));
    BOOLS.contains(&s.to_ascii_lowercase().as_str()) || is_yaml_number(s) || date_like || sexagesimal
}

/// A number in YAML 1.1 or 1.2 notation: decimal with at most one `.` and an optional exponent
/// (1.1 also allows `_`), hex, octal, binary, `.inf`, `.nan`. `192.168.33.23` is not one.
fn is_yaml_number(s: &str) -> bool {
    let t = s.strip_prefix(['+', '-']).unwrap_or(s).to_ascii_lowercase();
    if matches!(t.as_str(), ".inf" | ".nan") {
        return true;
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(d) = t.strip_prefix(prefix) {
            return !d.is_empty() && d.chars().all(|c| c == '_' || c.is_digit(radix));
        }
    }
    let t = t.replace('_', "");
    let (mantissa, exponent) = t.split_once('e').unwrap_or((&t, "1"));
    let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    mantissa.chars().any(|c| c.is_ascii_digit())
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && mantissa.matches('.').count() <= 1
        && !exponent.is_empty()
        && exponent.chars().all(|c| c.is_ascii_digit())
}

fn is_plain(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if NULLS.contains(&s.to_ascii_lowercase().as_str()) {
        return false;
    }
    // Indicators that start something else than a plain scalar.
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        // `-INFINITY`, `-1`: a dash followed by a word character stays plain.
        let dash_word = first == '-' && s[1..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        if !dash_word {
            return false;
        }
    }
    if s.starts_with(' ') || s.ends_with(' ') || s.ends_with(':') {
        return false;
    }
    // Flow indicators are written inside `{ ... }`; comments and keys need `: ` and ` #`.
    if s.contains(": ") || s.contains(" #") || s.contains(['[', ']', '{', '}', ',']) {
        return false;
    }
    s.chars().all(|c| !c.is_control() && c != '\u{feff}')
}

/// Anything a reader could take for a number (`24`, `0x1F`, `1e3`, `.5`, `+1`): text fields keep
/// it as written, but a field that takes an id or a mapping would see a number.
fn looks_like_number(s: &str) -> bool {
    let t = s.trim_start_matches(['+', '-']);
    let lower = t.to_ascii_lowercase();
    lower.starts_with("0x")
        || lower.starts_with("0o")
        || lower.starts_with("0b")
        || matches!(lower.as_str(), ".inf" | ".nan")
        || (!t.is_empty()
            && t.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '_' | '+' | '-'))
            && t.chars().any(|c| c.is_ascii_digit()))
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || c == '\u{feff}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value must come back as exactly its text, as a property value (text field), as a
    /// description (string field), as a key, in flow and block style.
    #[test]
    fn scalars_read_back_as_written() {
        let values = [
            "yes",
            "no",
            "on",
            "off",
            "true",
            "True",
            "FALSE",
            "y",
            "n",
            "~",
            "null",
            "Null",
            "",
            "24",
            "0",
            "-1",
            "007",
            "0x1F",
            "0o17",
            "1e3",
            "1E3",
            ".5",
            "5.",
            "0.10",
            "+1",
            ".inf",
            "-.inf",
            ".nan",
            "1_000",
            "12:30",
            "12:30:45",
            "a: b",
            "a #b",
            "#x",
            "-x",
            "- x",
            "-",
            "*x",
            "&x",
            "!x",
            "%x",
            "@x",
            "`x",
            "|x",
            ">x",
            "'x",
            "\"x",
            "?x",
            ":x",
            "x:",
            "a,b",
            "[a]",
            "{a}",
            " lead",
            "trail ",
            "tab\there",
            "two\nlines",
            "back\\slash",
            "quote\"d",
            "ünïcødé",
            "192.168.33.23",
            "ocf:heartbeat:IPaddr2",
            "-INFINITY",
            "INFINITY",
            "+INFINITY",
            "10s",
            "2001:db8::1",
            "a=b",
            "#uname eq node1",
            "pingd lt 1 or not_defined pingd",
            "100%",
            "x%",
            "2024-01-01",
            "2024-01-01 12:00:00",
            "0:0",
            "1:2:3",
            "<xml/>",
            "=",
            "-0",
            "0.0",
            "1.2.3",
        ];
        for v in values {
            let doc = format!(
                "cluster: c\nproperties: {{ p: {} }}\nrsc_defaults:\n  r: {}\n  {}: k\n\
                 resources:\n  x: {{ agent: systemd:x, description: {} }}\n\
                 clones:\n  c: {}\nconstraints:\n  - {{ location: {}, rule: {} }}\n",
                text(v),
                text(v),
                scalar(v),
                scalar(v),
                scalar(v),
                scalar(v),
                scalar(v)
            );
            let (_, raw) =
                crate::config::parse("t", doc.as_bytes()).unwrap_or_else(|e| panic!("{v:?} as {}: {e:?}", scalar(v)));
            let p = &raw.properties.0[0].1.value.0;
            assert_eq!(p, v, "flow value {v:?} written as {}", text(v));
            let r = &raw.rsc_defaults.0[0].1.value.0;
            assert_eq!(r, v, "block value {v:?} written as {}", text(v));
            let k = &raw.rsc_defaults.0[1].0.value;
            assert_eq!(k, v, "key {v:?} written as {}", scalar(v));
            let d = &raw.resources.0[0].1.value.description.as_ref().unwrap().value;
            assert_eq!(d, v, "string field {v:?} written as {}", scalar(v));
            let crate::config::raw::RawClone::Of(c) = &raw.clones.0[0].1.value else { panic!("{v:?}: clone") };
            assert_eq!(c, v, "id field {v:?} written as {}", scalar(v));
            let con = &raw.constraints[0].value;
            let crate::config::raw::RawLocated::One(l) = &con.location.as_ref().unwrap().value else {
                panic!("{v:?}: location")
            };
            assert_eq!(l, v, "location {v:?} written as {}", scalar(v));
            let crate::config::raw::RawRule::Text(r) = &con.rule.as_ref().unwrap().value else { panic!("{v:?}: rule") };
            assert_eq!(r, v, "rule {v:?} written as {}", scalar(v));
        }
    }

    #[test]
    fn plain_where_a_person_would_write_plain() {
        for v in
            ["ignore", "false", "24", "-1", "0", "192.168.33.23", "ocf:heartbeat:IPaddr2", "-INFINITY", "5s", "ens192"]
        {
            assert_eq!(text(v), v);
        }
        // What PyYAML or yq would read as a number, boolean or date and write back otherwise.
        for v in
            ["03", "010", "0x10", "0x1F", "0.10", "1e3", "+1", "1_000", "yes", "on", "No", "2024-01-01", "12:30", ".5"]
        {
            assert_eq!(text(v), format!("\"{v}\""), "{v} must be quoted");
        }
        for (v, q) in [("yes", "\"yes\""), ("007", "\"007\""), ("24", "\"24\""), ("null", "\"null\"")] {
            assert_eq!(scalar(v), q);
        }
    }

    #[test]
    fn short_maps_flow_long_ones_block() {
        let doc = to_string(&[
            ("cluster".into(), Yaml::str("c")),
            (
                "resources".into(),
                Yaml::Map(vec![
                    ("a".into(), Yaml::Map(vec![("agent".into(), Yaml::str("systemd:a"))])),
                    (
                        "b".into(),
                        Yaml::Map(vec![
                            ("agent".into(), Yaml::str("ocf:heartbeat:IPaddr2")),
                            (
                                "params".into(),
                                Yaml::Map((0..12).map(|i| (format!("param{i}"), Yaml::str("value"))).collect()),
                            ),
                        ]),
                    ),
                ]),
            ),
            ("raw".into(), Yaml::Seq(vec![Yaml::Block("<tags>\n  <tag id=\"t\"/>\n</tags>\n".into())])),
        ]);
        insta::assert_snapshot!(doc, @r#"
        cluster: c

        resources:
          a: { agent: systemd:a }
          b:
            agent: ocf:heartbeat:IPaddr2
            params:
              param0: value
              param1: value
              param2: value
              param3: value
              param4: value
              param5: value
              param6: value
              param7: value
              param8: value
              param9: value
              param10: value
              param11: value

        raw:
          - |
            <tags>
              <tag id="t"/>
            </tags>
        "#);
    }
}
