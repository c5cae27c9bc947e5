//! Stage 1 (text): characters a cluster file may hold.
//!
//! Every string of the file can end up in the CIB, and a CIB is XML 1.0, which cannot carry most
//! control characters (NUL, ESC, ...) nor U+FFFE/U+FFFF: not even as character references. This
//! module walks every scalar of the YAML document once (keys and values, whatever field they
//! belong to, after YAML escapes are decoded) and refuses such characters with a located
//! diagnostic, so a new field is covered without being named here. On the same walk it refuses
//! YAML tags other than the core schema's plain ones: a tag such as `!!binary` turns the text
//! checked here into other characters after the check. It interprets nothing else.

use serde_saphyr::granit_parser::{Event, Parser};

use crate::config::raw::Span;
use crate::diag::{codes, Diag, Source};

/// Whether XML 1.0 can carry `c` (its `Char` production: tab, line feed, carriage return, and
/// everything from U+0020 except U+FFFE and U+FFFF; Rust chars are never surrogates).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
}

/// The first character of `s` that XML 1.0 cannot carry.
pub fn first_non_xml_char(s: &str) -> Option<char> {
    s.chars().find(|c| !is_xml_char(*c))
}

/// Refuse the first scalar of `text` (the YAML as parsed, spans relative to it) that holds a
/// character XML cannot carry. A document that does not parse here is left to the parser's own
/// diagnostics (this runs after it has accepted the document).
///
/// # Errors
/// `cibform::input::char`, labelled on the scalar.
pub fn check_scalars(src: &Source, text: &str) -> Result<(), Box<Diag>> {
    // A scalar's characters come from the text itself, a double-quoted escape (`\e`) or a tag
    // that transforms it (`!!binary`): with no bad character, no backslash and no `!` anywhere,
    // no scalar can hold one and no tag is there, and the second parse (a tenth of a large
    // file's load) is skipped.
    if !text.contains(['\\', '!']) && first_non_xml_char(text).is_none() {
        return Ok(());
    }
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else { return Ok(()) };
        let start = span.start.byte_offset().unwrap_or(0);
        let end = span.end.byte_offset().unwrap_or(start).max(start + 1);
        let label = Span { offset: start, len: end - start };
        if let Some(tag) = event.tag().filter(|t| !is_plain_tag(t)) {
            return Err(Box::new(
                Diag::error(codes::YAML_TAG, format!("the tag `{}{}` is not allowed here", tag.original_handle(), tag.suffix()))
                    .label(label, "this tag")
                    .help("write the value as plain text: a cluster file takes no tags but `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map` and `!!seq` (`!!binary` would change the value after it was checked)")
                    .in_source(src),
            ));
        }
        let Event::Scalar(value, ..) = event else { continue };
        let Some(c) = first_non_xml_char(&value) else { continue };
        return Err(Box::new(
            Diag::error(codes::INPUT_CHAR, format!("this value holds {}, which a CIB cannot store", char_name(c)))
                .label(label, "in this value")
                .help("XML 1.0 carries no control characters other than tab, newline and carriage return, nor U+FFFE or U+FFFF: remove it")
                .in_source(src),
        ));
    }
    Ok(())
}

/// A tag that only says which core type a value is (`!!str 010`), never how to transform it.
fn is_plain_tag(tag: &serde_saphyr::granit_parser::Tag) -> bool {
    tag.is_yaml_core_schema() && matches!(tag.suffix(), "str" | "int" | "float" | "bool" | "null" | "map" | "seq")
}

/// Whether YAML 1.2 allows `c` written as is (its `c-printable` production): tab, line feed,
/// carriage return, printable ASCII, NEL, and the rest of Unicode but the C1 controls, U+FFFE and
/// U+FFFF. Anything else must be written as an escape in a double-quoted string.
fn is_yaml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}') || (c >= '\u{a0}' && c != '\u{fffe}' && c != '\u{ffff}')
}

/// Refuse the first character YAML does not allow in a file as is, at its place (the parser's
/// own error for it names the start of the file).
///
/// # Errors
/// `cibform::input::char`, labelled on the character.
pub fn check_raw(src: &Source, text: &str) -> Result<(), Box<Diag>> {
    let Some((at, c)) = text.char_indices().find(|(_, c)| !is_yaml_char(*c)) else { return Ok(()) };
    Err(Box::new(
        Diag::error(codes::INPUT_CHAR, format!("this file holds {} as is, which YAML does not allow", char_name(c)))
            .label(Span { offset: at, len: c.len_utf8() }, "this character")
            .help("remove it; YAML writes such characters only as escapes in double-quoted strings, and a CIB cannot store most of them")
            .in_source(src),
    ))
}

/// `U+001B (escape)`-style name of a character, safe to print.
fn char_name(c: char) -> String {
    let what = match c {
        '\0' => " (NUL)",
        '\u{1b}' => " (escape)",
        _ => "",
    };
    format!("U+{:04X}{what}", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(yaml: &str) -> Result<(), Box<Diag>> {
        check_scalars(&Source::new("t.yaml", yaml), yaml)
    }

    #[test]
    fn a_raw_control_character_was_located_at_the_start_of_the_file() {
        for (text, at) in [("a: b\u{1}c\n", 4), ("a: x\u{7f}\n", 4), ("k: é\u{9f}\n", 5)] {
            let d = check_raw(&Source::new("t.yaml", text), text).unwrap_err();
            assert_eq!(d.code, "cibform::input::char", "{text:?}");
            assert_eq!(d.labels[0].0.offset, at, "{text:?}");
        }
        let fine = "a: \"tab\there\"\r\nb: é\u{85}\u{a0}\u{10000}\n";
        assert!(check_raw(&Source::new("t.yaml", fine), fine).is_ok());
    }

    #[test]
    fn xml_chars_are_the_xml_1_0_char_production() {
        for c in ['\t', '\n', '\r', ' ', 'é', '\u{d7ff}', '\u{e000}', '\u{fffd}', '\u{10000}', '\u{10ffff}'] {
            assert!(is_xml_char(c), "{c:?}");
        }
        for c in ['\0', '\u{1}', '\u{8}', '\u{b}', '\u{c}', '\u{1b}', '\u{1f}', '\u{fffe}', '\u{ffff}'] {
            assert!(!is_xml_char(c), "{c:?}");
        }
    }

    #[test]
    fn escaped_control_characters_are_refused_where_they_are() {
        for esc in [r"\0", r"\x01", r"\e", r"\uFFFE", r"\x7f\x1b"] {
            let yaml = format!("cluster: c\nresources:\n  r: {{ agent: \"ocf:x:y\", params: {{ k: \"a{esc}b\" }} }}\n");
            let d = check(&yaml).unwrap_err();
            assert_eq!(d.code, "cibform::input::char", "{esc}");
            let (span, _) = &d.labels[0];
            assert_eq!(&yaml[span.offset..span.offset + span.len], format!("\"a{esc}b\""), "{esc}");
            assert!(!d.message.contains('\u{1b}'));
        }
    }

    #[test]
    fn keys_are_checked_too_and_whitespace_passes() {
        assert!(check("cluster: c\nproperties: { \"a\\eb\": 1 }\n").is_err());
        assert!(check("cluster: c\nproperties: { a: \"x\\ty\\r\\nz\" }\n").is_ok());
    }
}
