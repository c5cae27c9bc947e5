//! Typed values: whether a value is what its metadata type says, read the way Pacemaker reads
//! it. A value Pacemaker cannot read is `Bad`; one it reads as something else than what was
//! written (`1.0` read as `1`, `10seconds` read as `10s`) is `Lax`, worth a warning; the literal
//! `#default` (Pacemaker's "use the default") is always fine.
//!
//! Pure functions of the text; no diagnostics here (the callers word them).

use super::metadata::ValueType;
use crate::vocab::{is_false, is_true};

/// What Pacemaker makes of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// Read, but not as written: what Pacemaker reads instead.
    Lax(String),
    Bad,
}

/// How strictly to read integers and selects: Pacemaker's own options take scores and compare
/// case-insensitively; agents are shell scripts that do neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Pacemaker,
    Agent,
}

/// Judge `v` against `ty`.
pub fn check(ty: &ValueType, v: &str, reader: Reader) -> Verdict {
    if v == "#default" {
        return Verdict::Ok;
    }
    let ok = |b: bool| if b { Verdict::Ok } else { Verdict::Bad };
    match ty {
        ValueType::String => Verdict::Ok,
        ValueType::Boolean => ok(is_true(v) || is_false(v)),
        ValueType::Integer if reader == Reader::Pacemaker => pacemaker_integer(v),
        ValueType::Integer => ok(is_integer(v)),
        ValueType::Duration => duration(v),
        ValueType::Seconds => ok(is_seconds(v)),
        ValueType::Percentage => {
            ok(v.strip_suffix('%').is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())))
        }
        // Pacemaker compares its own values case-insensitively.
        ValueType::Select(options) => match options.iter().find(|o| o.eq_ignore_ascii_case(v)) {
            Some(o) if o == v || reader == Reader::Pacemaker => Verdict::Ok,
            _ => Verdict::Bad,
        },
    }
}

/// What a type accepts, for help lines.
pub fn describe(ty: &ValueType) -> String {
    match ty {
        ValueType::String => "any text".into(),
        ValueType::Boolean => "a boolean: true/false, yes/no, on/off, 1/0".into(),
        ValueType::Integer => "an integer".into(),
        ValueType::Duration => "a duration, e.g. `30s`, `500ms`, `5min`, `1h` or ISO 8601 `PT30S`".into(),
        ValueType::Seconds => "a number of seconds, e.g. `20` or `2.5`".into(),
        ValueType::Percentage => "a percentage, e.g. `80%`".into(),
        ValueType::Select(o) => format!("one of {}", o.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")),
    }
}

/// The type's name, for messages.
pub fn name(ty: &ValueType) -> &'static str {
    match ty {
        ValueType::String => "text",
        ValueType::Boolean => "a boolean",
        ValueType::Integer => "an integer",
        ValueType::Duration => "a duration",
        ValueType::Seconds => "a number of seconds",
        ValueType::Percentage => "a percentage",
        ValueType::Select(_) => "one of the allowed values",
    }
}

fn is_integer(v: &str) -> bool {
    let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_seconds(v: &str) -> bool {
    let (int, frac) = v.split_once('.').unwrap_or((v, "0"));
    is_integer(int) && !int.starts_with(['+', '-']) && !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit())
}

/// Pacemaker's integers (`pcmk__scan_ll`, `char2score`): `[+-]INFINITY`, an integer, or leading
/// digits followed by something it ignores (with a warning in its log).
fn pacemaker_integer(v: &str) -> Verdict {
    let bare = v.strip_prefix(['+', '-']).unwrap_or(v);
    if bare.eq_ignore_ascii_case("INFINITY") || is_integer(v) {
        return Verdict::Ok;
    }
    let t = v.trim_start();
    let sign = usize::from(t.starts_with(['+', '-']));
    let digits = t[sign..].bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        Verdict::Bad
    } else {
        Verdict::Lax(t[..sign + digits].trim_start_matches('+').to_string())
    }
}

/// Pacemaker's durations (`crm_parse_interval_spec`): ISO 8601 (`P...`), or a non-negative
/// number with an optional unit (`ms`, `msec`, `us`, `usec`, `s`, `sec`, `m`, `min`, `h`,
/// `hr`, any case). Pacemaker matches units by prefix and stops the number at a `.`; such values
/// are read, not as written.
fn duration(v: &str) -> Verdict {
    if let Some(iso) = v.strip_prefix('P') {
        return if iso_duration(iso) { Verdict::Ok } else { Verdict::Bad };
    }
    let t = v.trim_start_matches([' ', '\t']);
    let num_len = t.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    let (num, rest) = t.split_at(num_len);
    let int_len = num.bytes().take_while(u8::is_ascii_digit).count();
    if int_len == 0 {
        return Verdict::Bad;
    }
    let unit = rest.trim_start_matches([' ', '\t']).trim_end_matches(['\n', '\r']);
    let lower = unit.to_ascii_lowercase();
    const UNITS: &[&str] = &["", "ms", "msec", "us", "usec", "s", "sec", "m", "min", "h", "hr"];
    let read = |u: &str| format!("{}{u}", &num[..int_len]);
    if UNITS.contains(&lower.as_str()) {
        return if int_len == num.len() { Verdict::Ok } else { Verdict::Lax(read(&lower)) };
    }
    // Pacemaker's prefix matching, in its order.
    let by_prefix = [("ms", "ms"), ("us", "us"), ("s", "s"), ("m", "min"), ("h", "h")];
    match by_prefix.iter().find(|(p, _)| lower.starts_with(p)) {
        Some((_, u)) => Verdict::Lax(read(u)),
        None => Verdict::Bad,
    }
}

/// `[nY][nM][nW][nD][T[nH][nM][nS]]` after the `P`, at least one part.
fn iso_duration(s: &str) -> bool {
    let (date, time) = match s.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let parts = |text: &str, designators: &str| -> Option<usize> {
        let mut count = 0;
        let mut num = 0;
        let mut allowed = designators;
        for c in text.chars() {
            if c.is_ascii_digit() {
                num += 1;
            } else {
                let at = allowed.find(c.to_ascii_uppercase())?;
                if num == 0 {
                    return None;
                }
                allowed = &allowed[at + 1..];
                num = 0;
                count += 1;
            }
        }
        (num == 0).then_some(count)
    };
    match (parts(date, "YMWD"), time.map(|t| parts(t, "HMS"))) {
        (Some(d), None) => d > 0,
        (Some(_), Some(Some(t))) => t > 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ValueType as T;

    #[test]
    fn durations_read_like_pacemaker() {
        for ok in ["10", "10s", "500ms", "2min", "1h", "5 s", "10S", "PT10S", "P1D", "P1DT2H", "0", "#default"] {
            assert_eq!(check(&T::Duration, ok, Reader::Agent), Verdict::Ok, "{ok}");
        }
        for bad in ["", "abc", "-1", "s10", "10x", "P", "PT", "P1X", "PT10"] {
            assert_eq!(check(&T::Duration, bad, Reader::Agent), Verdict::Bad, "{bad}");
        }
        assert_eq!(check(&T::Duration, "10seconds", Reader::Agent), Verdict::Lax("10s".into()));
        assert_eq!(check(&T::Duration, "1.5s", Reader::Agent), Verdict::Lax("1s".into()));
    }

    #[test]
    fn integers_booleans_percentages_and_selects() {
        assert_eq!(check(&T::Integer, "-INFINITY", Reader::Pacemaker), Verdict::Ok);
        assert_eq!(check(&T::Integer, "INFINITY", Reader::Agent), Verdict::Bad);
        assert_eq!(check(&T::Integer, "1.0", Reader::Pacemaker), Verdict::Lax("1".into()));
        assert_eq!(check(&T::Integer, "abc", Reader::Pacemaker), Verdict::Bad);
        assert_eq!(check(&T::Integer, "-12", Reader::Agent), Verdict::Ok);
        assert_eq!(check(&T::Boolean, "Yes", Reader::Agent), Verdict::Ok);
        assert_eq!(check(&T::Boolean, "sometimes", Reader::Pacemaker), Verdict::Bad);
        assert_eq!(check(&T::Percentage, "80%", Reader::Pacemaker), Verdict::Ok);
        assert_eq!(check(&T::Percentage, "80", Reader::Pacemaker), Verdict::Bad);
        assert_eq!(check(&T::Seconds, "2.5", Reader::Agent), Verdict::Ok);
        assert_eq!(check(&T::Seconds, "2s", Reader::Agent), Verdict::Bad);
        let sel = T::Select(vec!["stop".into(), "ignore".into()]);
        assert_eq!(check(&sel, "ignore", Reader::Agent), Verdict::Ok);
        assert_eq!(check(&sel, "IGNORE", Reader::Pacemaker), Verdict::Ok);
        assert_eq!(check(&sel, "IGNORE", Reader::Agent), Verdict::Bad);
        assert_eq!(check(&sel, "ignor", Reader::Pacemaker), Verdict::Bad);
    }
}
