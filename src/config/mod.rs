//! Stage 1: reading `cluster.yaml`.
//!
//! `load` turns bytes into `raw::RawCluster` or diagnostics that name the file and point at the
//! place. This is the only module that knows the input is YAML (the parser, serde-saphyr, is
//! used nowhere else, so it can be swapped). It does not interpret values: that is `validate`.

pub mod emit;
pub mod raw;
pub mod raw_bundle;
pub mod shape;
pub mod text;

use crate::config::raw::{RawCluster, Span};
use crate::diag::{codes, suggest, Diag, Source};

/// Largest file we read (a 10,000-resource cluster is about 2 MB).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// Parse a cluster file's bytes.
///
/// # Errors
/// One diagnostic naming `name`: empty input, binary data, invalid UTF-8, more than one YAML
/// document, YAML syntax, alias bombs and deep nesting (hard budget, no hang), unknown keys
/// (with a suggestion), wrong types.
pub fn parse(name: &str, bytes: &[u8]) -> Result<(Source, RawCluster), Box<Diag>> {
    let fail = |code, msg: String, help: &str| Err(Box::new(Diag::error(code, msg).help(help)));
    if bytes.len() > MAX_FILE_BYTES {
        return fail(
            codes::INPUT_TOO_LARGE,
            format!("`{name}` is larger than 64 MiB"),
            "a cluster file is YAML text; check the path",
        );
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return fail(
            codes::INPUT_EMPTY,
            format!("`{name}` is empty"),
            "start from examples/clst-01/cluster.yaml or run `cibform export`",
        );
    }
    if bytes.contains(&0) {
        return fail(
            codes::INPUT_BINARY,
            format!("`{name}` is not a text file"),
            "a cluster file is YAML text; check the path",
        );
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let src = Source::new(name, String::from_utf8_lossy(bytes).into_owned());
            let at = e.valid_up_to();
            return Err(Box::new(
                Diag::error(codes::INPUT_ENCODING, format!("`{name}` is not valid UTF-8"))
                    .label(Span { offset: at, len: 1 }, "invalid byte here")
                    .help("save the file as UTF-8")
                    .in_source(&src),
            ));
        }
    };
    // A byte-order mark is not part of the YAML; dropping it from the source too keeps every
    // span (and so every column shown) right.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let src = Source::new(name, text.to_string());
    text::check_raw(&src, text)?;
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: 64,
            max_documents: 1,
            max_aliases: 1_000,
            max_anchors: 10_000,
            max_nodes: 5_000_000,
            max_events: 20_000_000,
            max_total_scalar_bytes: MAX_FILE_BYTES,
        },
    };
    match serde_saphyr::from_str_with_options::<RawCluster>(text, options) {
        Ok(raw) => text::check_scalars(&src, text).map(|()| (src, raw)),
        Err(e) => Err(Box::new(yaml_error(&e, &src, text.len()))),
    }
}

/// A cluster file refused: every problem of its shape, and the file without the refused
/// entries when it parses so (for the semantic checks; spans are the file's own).
pub struct Refused {
    pub diags: Vec<Diag>,
    pub rest: Option<Box<(Source, RawCluster)>>,
}

/// `parse`, reporting every unknown key, wrong type and missing key of the file at once
/// (`shape`), not only the first one serde meets.
///
/// # Errors
/// The diagnostics, sorted by place, and the rest of the file when it can still be checked.
pub fn parse_all(name: &str, bytes: &[u8]) -> Result<(Source, RawCluster), Box<Refused>> {
    let first = match parse(name, bytes) {
        Ok(ok) => return Ok(ok),
        Err(d) => *d,
    };
    let shape_codes = [codes::YAML_UNKNOWN_KEY.name, codes::YAML_TYPE.name, codes::YAML_MISSING_KEY.name];
    let Some(src) = first.source.clone().filter(|_| shape_codes.contains(&first.code)) else {
        return Err(Box::new(Refused { diags: vec![first], rest: None }));
    };
    let shape = shape::check(&src, &src.text);
    let mut diags = shape.diags;
    let at = |d: &Diag| d.labels.first().map(|(s, _)| s.offset);
    // serde's own words for the problem it met (they say the range, the null, ...).
    diags.retain(|d| !(d.code == first.code && (at(d) == at(&first) || d.message == first.message)));
    diags.push(first);
    diags.sort_by_key(|d| at(d));
    let rest = shape
        .repaired
        .filter(|_| diags.iter().all(|d| shape_codes.contains(&d.code)))
        .and_then(|text| parse(name, text.as_bytes()).ok())
        .map(|(_, raw)| Box::new((src, raw)));
    Err(Box::new(Refused { diags, rest }))
}

/// Read and parse a cluster file, reporting every problem of its shape at once (`parse_all`).
///
/// # Errors
/// The file cannot be read, or does not parse.
pub fn load_all(path: &std::path::Path) -> Result<(Source, RawCluster), Box<Refused>> {
    let name = path.display().to_string();
    match crate::input::read_capped(path, MAX_FILE_BYTES as u64) {
        Ok(bytes) => parse_all(&name, &bytes),
        Err(e) => Err(Box::new(Refused {
            diags: vec![Diag::error(codes::INPUT_READ, format!("cannot read `{name}`: {e}"))
                .help("pass the cluster file as the first argument (default `cluster.yaml`)")],
            rest: None,
        })),
    }
}

/// Read and parse a cluster file.
///
/// # Errors
/// A diagnostic when the file cannot be read or does not parse.
pub fn load(path: &std::path::Path) -> Result<(Source, RawCluster), Box<Diag>> {
    let name = path.display().to_string();
    match crate::input::read_capped(path, MAX_FILE_BYTES as u64) {
        Ok(bytes) => parse(&name, &bytes),
        Err(e) => Err(Box::new(
            Diag::error(codes::INPUT_READ, format!("cannot read `{name}`: {e}"))
                .help("pass the cluster file as the first argument (default `cluster.yaml`)"),
        )),
    }
}

fn yaml_error(e: &serde_saphyr::Error, src: &Source, len: usize) -> Diag {
    let full = e.without_snippet().to_string();
    // serde-saphyr prefixes "line L column C: "; the location is shown by the label instead.
    let msg = full
        .split_once(": ")
        .filter(|(head, _)| head.starts_with("line "))
        .map_or(full.as_str(), |(_, rest)| rest)
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .trim_end_matches('.')
        .to_string();
    let span = e
        .location()
        .map(|l| Span {
            offset: (l.span().byte_offset().unwrap_or(0) as usize).min(len),
            len: (l.span().byte_len().unwrap_or(1) as usize).max(1),
        })
        .unwrap_or_default();
    // The location is shown by the label; drop it from the text.
    let msg = match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains(", column ") => msg[..i].to_string(),
        _ => msg,
    };
    let lower = msg.to_lowercase();
    let mut msg = msg;
    if let Some(rest) = msg.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(", set DuplicateKeyPolicy").next().unwrap_or(rest).trim();
        msg = format!("`{key}` appears twice in the same mapping");
    }
    if lower.starts_with("budget breached") {
        msg = if lower.contains("documents") {
            "the file holds more than one YAML document".into()
        } else if lower.contains("depth") {
            "the YAML is nested more than 64 levels deep".into()
        } else if lower.contains("alias") || lower.contains("anchor") {
            "the YAML uses too many aliases (possible alias bomb)".into()
        } else {
            format!(
                "the YAML exceeds a parser safety limit ({})",
                msg.trim_start_matches("budget breached: ").split(" at line").next().unwrap_or_default()
            )
        };
    }
    let lower = msg.to_lowercase();
    let (code, help) = if let Some(field) = unknown_field(&msg) {
        // serde names the allowed keys in its message ("expected one of a, b").
        let expected: Vec<&str> = msg
            .split_once("expected one of ")
            .or_else(|| msg.split_once("expected "))
            .map(|(_, rest)| rest.split(", ").map(|s| s.trim_matches('`')).collect())
            .unwrap_or_default();
        let help = match suggest(&field, expected.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? allowed keys here: {}", expected.join(", ")),
            None if expected.is_empty() => "see `cibform schema` for the allowed keys".to_string(),
            None => format!("allowed keys here: {}", expected.join(", ")),
        };
        msg = format!("unknown key `{field}`");
        (codes::YAML_UNKNOWN_KEY, help)
    } else if msg.contains("appears twice in the same mapping") {
        (codes::YAML_DUPLICATE_KEY, "keep one of them: YAML mappings cannot repeat a key".to_string())
    } else if lower.contains("more than one yaml document") {
        (
            codes::YAML_DOCUMENTS,
            "a cluster file holds exactly one YAML document: remove the `---` separators".to_string(),
        )
    } else if lower.contains("safety limit")
        || lower.contains("levels deep")
        || lower.contains("aliases")
        || lower.contains("recursion")
    {
        (
            codes::YAML_LIMIT,
            "cluster files are small and shallow; anchors/aliases and nesting are limited to keep parsing safe"
                .to_string(),
        )
    } else if lower.contains("missing field") {
        msg = msg.replace("missing field", "missing key");
        (codes::YAML_MISSING_KEY, "add the key; see `cibform schema` for the file's shape".to_string())
    } else if lower.contains("invalid type")
        || lower.contains("expected")
        || lower.contains("cannot deserialize")
        || is_invalid_scalar(&lower)
    {
        msg = msg
            .replace("expected sequence start", "expected a list")
            .replace("expected mapping start", "expected a mapping");
        (codes::YAML_TYPE, "see `cibform schema` for the expected shape".to_string())
    } else {
        (codes::YAML_SYNTAX, "fix the YAML syntax at the marked place".to_string())
    };
    let mut msg = plain_words(&msg);
    if msg.is_empty() {
        msg = "invalid YAML".to_string();
    }
    if let Some(first) = msg.get(..1) {
        msg = first.to_lowercase() + &msg[1..];
    }
    Diag::error(code, msg).label(span, "here").help(help).in_source(src)
}

/// `invalid u32`, `invalid boolean`: a scalar of the wrong kind (a type error, not a syntax one).
fn is_invalid_scalar(lower: &str) -> bool {
    lower.strip_prefix("invalid ").is_some_and(|ty| {
        ty.starts_with("boolean")
            || (ty.starts_with(['u', 'i', 'f']) && ty[1..].chars().take_while(char::is_ascii_digit).count() > 0)
            || ty.starts_with("usize")
            || ty.starts_with("isize")
    })
}

/// The parser's messages in the words of the file, not of the Rust types behind it
/// (`cannot deserialize null into string; use Option<String>`, `invalid u32`, `struct RawOp`).
fn plain_words(msg: &str) -> String {
    const PHRASES: &[(&str, &str)] = &[
        ("cannot deserialize null into string; use Option<String>", "expected a value here, found nothing (null)"),
        ("invalid char: cannot deserialize null; use Option<char>", "expected a character here, found nothing (null)"),
        ("expected string scalar", "expected a text value"),
        ("cannot deserialize tagged scalar into string", "expected a text value without a YAML tag"),
    ];
    let mut out = msg.to_string();
    for (from, to) in PHRASES {
        out = out.replace(from, to);
    }
    let words: Vec<String> = out
        .split(' ')
        .map(|w| {
            let bare = w.trim_end_matches([',', ';', ':']);
            let plain = match bare {
                // With the range: `rc: 99999` is a whole number, just not one this field takes.
                "u8" => "whole number from 0 to 255",
                "u16" => "whole number from 0 to 65535",
                "u32" => "whole number from 0 to 4294967295",
                "u64" | "u128" | "usize" => "non-negative whole number",
                "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "whole number",
                "f32" | "f64" => "number",
                "bool" => "boolean (true or false)",
                "String" | "str" | "&str" => "text value",
                _ if bare.starts_with("Option<") || bare.starts_with("Vec<") || bare.starts_with("Raw") => "value",
                _ => return w.to_string(),
            };
            format!("{plain}{}", &w[bare.len()..])
        })
        .collect();
    // `struct RawOp` / `enum RawGroup` → `a mapping` / `a value`.
    words.join(" ").replace("struct value", "mapping").replace("enum value", "value")
}

/// Whether a cluster file's text holds a secret value: a value of a sensitive key anywhere, a
/// URL with credentials in any value, or a sensitive nvpair or attribute in a `raw:` XML item.
/// Text that does not parse holds none that cibform could find.
pub fn holds_secrets(text: &str, mask: &crate::mask::Mask) -> bool {
    fn walk(v: &serde_json::Value, mask: &crate::mask::Mask) -> bool {
        match v {
            serde_json::Value::Object(map) => {
                map.iter().any(|(k, v)| (mask.is_sensitive(k) && !v.is_null()) || walk(v, mask))
            }
            serde_json::Value::Array(items) => items.iter().any(|v| walk(v, mask)),
            serde_json::Value::String(s) if !crate::mask::url_credentials(s).is_empty() => true,
            serde_json::Value::String(s) if s.trim_start().starts_with('<') => {
                crate::cib::xml::Element::parse(s).is_ok_and(|el| mask.xml_holds_secret(&el))
            }
            _ => false,
        }
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_saphyr::from_str::<serde_json::Value>(text).is_ok_and(|v| walk(&v, mask))
}

fn unknown_field(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("unknown field `")?;
    Some(rest.split('`').next()?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> Diag {
        *parse("t.yaml", text.as_bytes()).unwrap_err()
    }

    #[test]
    fn unknown_key_suggests_the_right_one() {
        let d = err("cluster: c\nresources:\n  r: { agent: ocf:pacemaker:Dummy, parms: { a: 1 } }\n");
        assert_eq!(d.code, "cibform::yaml::unknown_key");
        assert!(d.help.as_deref().unwrap().starts_with("did you mean `params`?"));
        assert_eq!(d.message, "unknown key `parms`");
        assert_eq!(d.location().as_deref(), Some("t.yaml:3:36"));
    }

    #[test]
    fn bad_inputs_have_codes() {
        assert_eq!(err("").code, "cibform::input::empty");
        assert_eq!(err("a\0b").code, "cibform::input::binary");
        assert_eq!(parse("t", &[b'a', 0xff]).unwrap_err().code, "cibform::input::encoding");
        assert_eq!(err("cluster: a\n---\ncluster: b\n").code, "cibform::yaml::documents");
        let deep = "[".repeat(100_000);
        assert_eq!(err(&deep).code, "cibform::yaml::limit");
        let mut bomb = String::from("cluster: c\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..20 {
            let prev = if i == 0 { "a".to_string() } else { format!("b{}", i - 1) };
            bomb.push_str(&format!(
                "b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let d = err(&bomb);
        assert!(matches!(d.code, "cibform::yaml::limit" | "cibform::yaml::unknown_key"), "{d:?}");
    }

    #[test]
    fn type_errors_speak_of_the_file_not_of_rust() {
        for (text, want) in [
            ("cluster: ~\n", "expected a value here, found nothing (null)"),
            ("cluster: c\nquorum: { expected_votes: x }\n", "invalid whole number from 0 to 4294967295"),
            ("cluster: [c]\n", "expected a text value"),
        ] {
            let d = err(text);
            assert_eq!(d.code, "cibform::yaml::type", "{text}");
            assert_eq!(d.message, want, "{text}");
        }
        assert_eq!(
            plain_words("invalid type: integer `3`, expected struct RawOp"),
            "invalid type: integer `3`, expected mapping"
        );
        assert_eq!(plain_words("expected u32, found `x`"), "expected whole number from 0 to 4294967295, found `x`");
    }

    #[test]
    fn a_byte_order_mark_does_not_shift_columns() {
        let text = "cluster: c\nresources:\n  r: { agent: ocf:pacemaker:Dummy, parms: { a: 1 } }\n";
        let plain = err(text);
        let bom = *parse("t.yaml", format!("\u{feff}{text}").as_bytes()).unwrap_err();
        assert_eq!(bom.location(), plain.location());
        assert_eq!(bom.location().as_deref(), Some("t.yaml:3:36"));
    }

    #[test]
    fn secrets_are_found_in_values_and_raw_xml() {
        let m = crate::mask::Mask::default();
        assert!(holds_secrets("cluster: c\nresources: { f: { agent: stonith:x, params: { passwd: p } } }\n", &m));
        assert!(holds_secrets("cluster: c\nraw: ['<alerts><alert id=\"a\" path=\"/x\"><instance_attributes id=\"i\"><nvpair id=\"n\" name=\"api_key\" value=\"k\"/></instance_attributes></alert></alerts>']\n", &m));
        assert!(!holds_secrets("cluster: c\nresources: { f: { agent: ocf:x:y, params: { keepalive: 1 } } }\n", &m));
        assert!(holds_secrets(
            "cluster: c\nresources: { f: { agent: ocf:x:y, params: { url: 'https://u:p@h/' } } }\n",
            &m
        ));
        assert!(!holds_secrets(
            "cluster: c\nresources: { f: { agent: ocf:x:y, params: { url: 'https://h/' } } }\n",
            &m
        ));
    }

    #[test]
    fn scalars_keep_their_text() {
        let (_, raw) = parse("t", b"cluster: c\nproperties: { a: 0.10, b: false, c: 24 }\n").unwrap();
        let v: Vec<_> = raw.properties.iter().map(|(k, v)| (k.value.clone(), v.value.0.clone())).collect();
        assert_eq!(v, [("a".into(), "0.10".into()), ("b".into(), "false".into()), ("c".into(), "24".into())]);
    }
}
