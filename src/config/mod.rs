//! Stage 1: reading `cluster.yaml`.
//!
//! `load` turns bytes into `raw::RawCluster` or diagnostics that name the file and point at the
//! place. This is the only module that knows the input is YAML (the parser, serde-saphyr, is
//! used nowhere else, so it can be swapped). It does not interpret values: that is `validate`.

pub mod emit;
pub mod raw;
pub mod text;

use crate::config::raw::{RawCluster, Span};
use crate::diag::{suggest, Diag, Source};

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
            "cibform::input::too_large",
            format!("`{name}` is larger than 64 MiB"),
            "a cluster file is YAML text; check the path",
        );
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return fail(
            "cibform::input::empty",
            format!("`{name}` is empty"),
            "start from examples/clst-01/cluster.yaml or run `cibform export`",
        );
    }
    if bytes.contains(&0) {
        return fail(
            "cibform::input::binary",
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
                Diag::error("cibform::input::encoding", format!("`{name}` is not valid UTF-8"))
                    .label(Span { offset: at, len: 1 }, "invalid byte here")
                    .help("save the file as UTF-8")
                    .in_source(&src),
            ));
        }
    };
    let src = Source::new(name, text.to_string());
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
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

/// Read and parse a cluster file.
///
/// # Errors
/// A diagnostic when the file cannot be read or does not parse.
pub fn load(path: &std::path::Path) -> Result<(Source, RawCluster), Box<Diag>> {
    let name = path.display().to_string();
    match crate::input::read_capped(path, MAX_FILE_BYTES as u64) {
        Ok(bytes) => parse(&name, &bytes),
        Err(e) => Err(Box::new(
            Diag::error("cibform::input::read", format!("cannot read `{name}`: {e}"))
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
        ("cibform::yaml::unknown_key", help)
    } else if msg.contains("appears twice in the same mapping") {
        ("cibform::yaml::duplicate_key", "keep one of them: YAML mappings cannot repeat a key".to_string())
    } else if lower.contains("more than one yaml document") {
        (
            "cibform::yaml::documents",
            "a cluster file holds exactly one YAML document: remove the `---` separators".to_string(),
        )
    } else if lower.contains("safety limit")
        || lower.contains("levels deep")
        || lower.contains("aliases")
        || lower.contains("recursion")
    {
        (
            "cibform::yaml::limit",
            "cluster files are small and shallow; anchors/aliases and nesting are limited to keep parsing safe"
                .to_string(),
        )
    } else if lower.contains("missing field") {
        msg = msg.replace("missing field", "missing key");
        ("cibform::yaml::missing_key", "add the key; see `cibform schema` for the file's shape".to_string())
    } else if lower.contains("invalid type") || lower.contains("expected") || lower.contains("cannot deserialize") {
        msg = msg
            .replace("expected sequence start", "expected a list")
            .replace("expected mapping start", "expected a mapping");
        ("cibform::yaml::type", "see `cibform schema` for the expected shape".to_string())
    } else {
        ("cibform::yaml::syntax", "fix the YAML syntax at the marked place".to_string())
    };
    if msg.is_empty() {
        msg = "invalid YAML".to_string();
    }
    if let Some(first) = msg.get(..1) {
        msg = first.to_lowercase() + &msg[1..];
    }
    Diag::error(code, msg).label(span, "here").help(help).in_source(src)
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
    fn scalars_keep_their_text() {
        let (_, raw) = parse("t", b"cluster: c\nproperties: { a: 0.10, b: false, c: 24 }\n").unwrap();
        let v: Vec<_> = raw.properties.iter().map(|(k, v)| (k.value.clone(), v.value.0.clone())).collect();
        assert_eq!(v, [("a".into(), "0.10".into()), ("b".into(), "false".into()), ("c".into(), "24".into())]);
    }
}
