//! Pacemaker's vocabulary: the words and value forms every stage shares (ids, scores,
//! durations, booleans, roles, agent standards).
//!
//! A leaf: it imports nothing from the crate, does no I/O and makes no judgement about a whole
//! configuration; `validate`, `plan`, `desired` and `export` all speak through it.

/// Cluster properties that Pacemaker maintains itself: never written, never removed.
pub const PACEMAKER_OWNED: &[&str] =
    &["dc-version", "cluster-infrastructure", "cluster-name", "have-watchdog", "last-lrm-refresh"];

/// Resource agent standards Pacemaker 2.1 knows.
pub const STANDARDS: &[&str] = &["ocf", "lsb", "service", "systemd", "stonith", "nagios", "upstart"];
pub const ROLES: &[&str] = &["Started", "Stopped", "Promoted", "Unpromoted", "Master", "Slave"];
/// The role Pacemaker means by `r`, in its current name: the legacy `Master` and `Slave` are
/// `Promoted` and `Unpromoted` (Pacemaker reads role names in any case). `None`: not a role.
pub fn canonical_role(r: &str) -> Option<&'static str> {
    Some(match r.to_ascii_lowercase().as_str() {
        "started" => "Started",
        "stopped" => "Stopped",
        "promoted" | "master" => "Promoted",
        "unpromoted" | "slave" => "Unpromoted",
        _ => return None,
    })
}

pub const ORDER_KINDS: &[&str] = &["Mandatory", "Optional", "Serialize"];
pub const ACTIONS: &[&str] = &["start", "stop", "promote", "demote"];
pub const DISCOVERY: &[&str] = &["always", "never", "exclusive"];
/// What happens to a resource when its ticket is revoked (`rsc_ticket loss-policy`).
pub const LOSS_POLICIES: &[&str] = &["stop", "demote", "fence", "freeze"];

/// Whether `s` is a valid CIB id (an XML NCName in practice).
pub fn is_xml_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Pacemaker's reading of a boolean (`crm_is_true`): `true`, `on`, `yes`, `y`, `1`, any case.
pub fn is_true(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "true" | "yes" | "on" | "1" | "y")
}

/// Pacemaker's explicit false (`crm_str_to_boolean`): `false`, `off`, `no`, `n`, `0`, any case. A
/// value that is neither true nor false is invalid, and Pacemaker then uses the option's default.
pub fn is_false(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "false" | "no" | "off" | "0" | "n")
}

/// A Pacemaker boolean in its canonical spelling, `true` or `false`, whichever spelling Pacemaker
/// accepts (`1`, `on`, `yes`, `n`, ...); `None` for a value that is neither.
pub fn canonical_bool(v: &str) -> Option<&'static str> {
    if is_true(v) {
        Some("true")
    } else if is_false(v) {
        Some("false")
    } else {
        None
    }
}

/// `INFINITY`, `+INFINITY`, `-INFINITY` or an integer; normalised (`+INFINITY` → `INFINITY`).
pub fn normalize_score(s: &str) -> Option<String> {
    match s {
        "INFINITY" | "+INFINITY" | "infinity" | "+infinity" => Some("INFINITY".into()),
        "-INFINITY" | "-infinity" => Some("-INFINITY".into()),
        _ => s.strip_prefix('+').unwrap_or(s).parse::<i64>().ok().map(|n| n.to_string()),
    }
}

/// Parse a Pacemaker duration (`10`, `10s`, `500ms`, `2min`, `1h`, ISO 8601 `PT10S`) to ms.
pub fn parse_duration_ms(s: &str) -> Option<u64> {
    let s = s.trim();
    if let Some(iso) = s.strip_prefix("PT").or_else(|| s.strip_prefix("pt")) {
        let mut total = 0u64;
        let mut num = String::new();
        for c in iso.chars() {
            if c.is_ascii_digit() {
                num.push(c);
            } else {
                let n: u64 = num.parse().ok()?;
                num.clear();
                let unit: u64 = match c.to_ascii_uppercase() {
                    'H' => 3_600_000,
                    'M' => 60_000,
                    'S' => 1000,
                    _ => return None,
                };
                // A duration past u64 milliseconds is not one (as `10…0s` already is not).
                total = total.checked_add(n.checked_mul(unit)?)?;
            }
        }
        return num.is_empty().then_some(total);
    }
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    let mult = match unit.trim() {
        "" | "s" | "sec" => 1000,
        "ms" | "msec" => 1,
        "us" | "usec" => return Some(n / 1000),
        "m" | "min" => 60_000,
        "h" | "hr" => 3_600_000,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// Canonical text for a duration, for comparing `10`, `10s` and `10000ms` as equal.
pub fn canonical_duration(s: &str) -> String {
    match parse_duration_ms(s) {
        Some(ms) if ms % 1000 == 0 => format!("{}s", ms / 1000),
        Some(ms) => format!("{ms}ms"),
        None => s.to_string(),
    }
}

/// Why `s` is not an id (`is_xml_id`), naming the first character at fault (`U+0301`); `None`
/// for an id. An id in decomposed form (`cafe` + U+0301) looks valid on a terminal: only the
/// code point says what is wrong.
pub fn id_flaw(s: &str) -> Option<String> {
    let mut chars = s.chars();
    match chars.next() {
        None => Some("it is empty".into()),
        Some(c) if !(c.is_alphabetic() || c == '_') => Some(format!("it starts with {}", char_name(c))),
        Some(_) => chars
            .find(|&c| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
            .map(|c| format!("it holds {}", char_name(c))),
    }
}

/// The first character of `s` that is not ASCII, with its byte offset: ids that hold one can
/// look exactly like another id (Cyrillic `а` U+0430 and Latin `a`).
pub fn first_non_ascii(s: &str) -> Option<(usize, char)> {
    s.char_indices().find(|(_, c)| !c.is_ascii())
}

/// A character named for a message: an ASCII letter, digit or symbol as itself; any other
/// letter or digit with its code point (`і` (U+0456)); anything else (a control, a mark, a
/// space, which would not show) by its code point alone.
pub fn char_name(c: char) -> String {
    if c.is_ascii_graphic() {
        format!("`{c}`")
    } else if c.is_alphanumeric() {
        format!("`{c}` (U+{:04X})", c as u32)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

#[cfg(test)]
mod id_tests {
    use super::*;

    #[test]
    fn id_flaws_name_the_character_at_fault() {
        assert_eq!(id_flaw("rs-vip"), None);
        assert_eq!(id_flaw("café"), None, "a precomposed letter is a letter");
        assert_eq!(id_flaw("cafe\u{301}").as_deref(), Some("it holds U+0301"));
        assert_eq!(id_flaw("1bad").as_deref(), Some("it starts with `1`"));
        assert_eq!(id_flaw("a b").as_deref(), Some("it holds U+0020"));
        assert_eq!(id_flaw("a\u{1b}").as_deref(), Some("it holds U+001B"));
        assert_eq!(id_flaw("").as_deref(), Some("it is empty"));
        assert_eq!(first_non_ascii("rs-v\u{456}p"), Some((4, '\u{456}')));
        assert_eq!(char_name('\u{456}'), "`\u{456}` (U+0456)");
    }
}
