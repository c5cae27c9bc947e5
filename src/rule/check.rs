//! Value checks shared by the text parser and the XML reader, so that everything
//! `from_xml` accepts prints as text that `parse` accepts again.

use super::ValueType;
use crate::diag::suggest;

/// A failed check: message (lowercase, no final period) and help.
pub(crate) struct Problem {
    pub message: String,
    pub help: String,
}

fn problem(message: String, help: impl Into<String>) -> Problem {
    Problem { message, help: help.into() }
}

/// `date-spec` part names Pacemaker's schema knows, with pcs's value limits.
pub(crate) const DATE_SPEC_PARTS: &[(&str, Option<(u64, u64)>)] = &[
    ("hours", Some((0, 23))),
    ("minutes", Some((0, 59))),
    ("monthdays", Some((1, 31))),
    ("months", Some((1, 12))),
    ("moon", Some((0, 7))),
    ("seconds", Some((0, 59))),
    ("weekdays", Some((1, 7))),
    ("weeks", Some((1, 53))),
    ("weekyears", None),
    ("yeardays", Some((1, 366))),
    ("years", None),
];

/// `duration` part names Pacemaker evaluates.
pub(crate) const DURATION_PARTS: &[&str] = &["days", "hours", "minutes", "months", "seconds", "weeks", "years"];

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_integer(s: &str) -> bool {
    all_digits(s.strip_prefix(['+', '-']).unwrap_or(s))
}

/// pcs's float check: `[-+]?(\d+|\d*\.\d+|\d+\.\d*)([eE][-+]?\d+)?`.
fn is_number(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => (a.is_empty() || all_digits(a)) && (b.is_empty() || all_digits(b)) && a.len() + b.len() > 0,
        None => all_digits(mantissa),
    };
    let exponent_ok = match exponent {
        Some(e) => is_integer(e),
        None => true,
    };
    mantissa_ok && exponent_ok
}

fn is_version(s: &str) -> bool {
    s.split('.').all(all_digits)
}

/// The value of a typed comparison (a literal, not a parameter name).
pub(crate) fn typed_value(value_type: ValueType, value: &str) -> Result<(), Problem> {
    match value_type {
        ValueType::Integer if !is_integer(value) => {
            Err(problem(format!("`{value}` is not an integer"), "integer values look like `42` or `-5`"))
        }
        ValueType::Number if !is_number(value) => {
            Err(problem(format!("`{value}` is not a number"), "number values look like `42`, `-2.5` or `1e3`"))
        }
        ValueType::Version if !is_version(value) => Err(problem(
            format!("`{value}` is not a version"),
            "version values are dot-separated numbers such as `1.2.3`",
        )),
        _ => Ok(()),
    }
}

/// A date for `date gt|lt|in_range`, as Pacemaker's ISO 8601 parser (`iso8601 -d`, which pcs
/// asks) reads it: `2024-01-31`, `20240131`, `2024-W05-3`, `2024-031`, then optionally a time
/// (`T` or a space, `HH[:MM[:SS]]`) and an offset (`Z`, `+HH:MM`). The calendar must exist:
/// `2024-02-30`, month 13, hour 25 are refused; other spellings Pacemaker takes are let through.
pub(crate) fn date(value: &str) -> Result<(), Problem> {
    let shaped = value.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && value.chars().all(|c| c.is_ascii_alphanumeric() || "-:.+, ".contains(c))
        && !value.ends_with(' ');
    let why = if shaped { calendar_problem(value) } else { Some(String::new()) };
    match why {
        None => Ok(()),
        Some(why) => Err(problem(
            format!("`{value}` is not an ISO 8601 date{why}"),
            "dates look like `2024-01-31` or `2024-01-31T08:00:00`",
        )),
    }
}

/// What makes a date-shaped value impossible, if anything (`: February 2024 has 29 days`).
fn calendar_problem(value: &str) -> Option<String> {
    let (date, time) = match value.find(['T', ' ']) {
        Some(i) => (&value[..i], Some(&value[i + 1..])),
        None => (value, None),
    };
    if let Some(why) = date_part_problem(date) {
        return Some(why);
    }
    let time = time?.trim_end_matches('Z');
    let clock = time.split(['+', '-', ' ']).next().unwrap_or_default();
    let fields: Vec<&str> = clock.split(':').collect();
    let num = |i: usize| fields.get(i).and_then(|f| f.parse::<u32>().ok());
    let (h, m, s) = (num(0).unwrap_or(0), num(1).unwrap_or(0), num(2).unwrap_or(0));
    let midnight = h == 24 && m == 0 && s == 0;
    if (h > 23 && !midnight) || m > 59 || s > 59 {
        return Some(format!(": `{clock}` is not a time of day"));
    }
    None
}

fn date_part_problem(date: &str) -> Option<String> {
    let parts: Vec<&str> = date.split('-').collect();
    let num = |s: &str| if all_digits(s) { s.parse::<u32>().ok() } else { None };
    let leap = |y: u32| (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let month_days = |y: u32, m: u32| match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let ymd = |y: u32, m: u32, d: u32| {
        if !(1..=12).contains(&m) {
            Some(format!(": there is no month {m}"))
        } else if d < 1 || d > month_days(y, m) {
            Some(format!(": month {m} of {y} has {} days", month_days(y, m)))
        } else {
            None
        }
    };
    // Pacemaker's `iso8601` wraps a year past 32 bits (99999999999 reads as 1215752191) and
    // reads year 0 as month 0; the week arithmetic below needs a year from 1.
    let year = match parts.as_slice() {
        [compact] if compact.len() == 8 => &compact[..4],
        _ => parts.first().copied().unwrap_or_default(),
    };
    match year.parse::<u64>() {
        Ok(0) => return Some(": there is no year 0".into()),
        Ok(y) if y > 1_000_000 => return Some(format!(": year {y} is past what Pacemaker reads (a million years)")),
        Err(_) if all_digits(year) => return Some(": the year is past what Pacemaker reads (a million years)".into()),
        _ => {}
    }
    match parts.as_slice() {
        [compact] if compact.len() == 8 => {
            let (y, m, d) = (num(&compact[..4])?, num(&compact[4..6])?, num(&compact[6..])?);
            ymd(y, m, d)
        }
        [y] if all_digits(y) => Some(": a year alone is not a date".into()),
        [y, m, d] if !m.starts_with(['W', 'w']) => ymd(num(y)?, num(m)?, num(d)?),
        [y, w, d] => {
            let (y, w, d) = (num(y)?, num(&w[1..])?, num(d)?);
            // ISO years have 53 weeks when they start on a Thursday (or a Wednesday in leap years).
            let jan1 = (1 + 5 * ((y - 1) % 4) + 4 * ((y - 1) % 100) + 6 * ((y - 1) % 400)) % 7; // 0 = Sunday
            let weeks = if jan1 == 4 || (jan1 == 3 && leap(y)) { 53 } else { 52 };
            if w < 1 || w > weeks {
                Some(format!(": {y} has {weeks} ISO weeks"))
            } else if !(1..=7).contains(&d) {
                Some(format!(": there is no weekday {d}"))
            } else {
                None
            }
        }
        [y, ord] => {
            let (y, ord) = (num(y)?, num(ord)?);
            let days = if leap(y) { 366 } else { 365 };
            (ord < 1 || ord > days).then(|| format!(": {y} has {days} days"))
        }
        _ => None,
    }
}

/// One `date-spec` part.
pub(crate) fn date_spec_part(name: &str, value: &str) -> Result<(), Problem> {
    let Some((_, limits)) = DATE_SPEC_PARTS.iter().find(|(n, _)| *n == name) else {
        let names: Vec<&str> = DATE_SPEC_PARTS.iter().map(|(n, _)| *n).collect();
        return Err(unknown_part("date-spec", name, &names));
    };
    let bad = |why: &str| {
        let allowed = match limits {
            Some((lo, hi)) => format!("a number {lo}..{hi} or a range such as `{lo}-{hi}`"),
            None => "a number or a range such as `2020-2025`".to_string(),
        };
        problem(format!("invalid `{name}` value `{value}`{why}"), format!("use {allowed}"))
    };
    let (lo, hi) = match value.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (value, None),
    };
    let parse = |s: &str| {
        if all_digits(s) {
            s.parse::<u64>().ok()
        } else {
            None
        }
    };
    let Some(lo) = parse(lo) else {
        return Err(bad(""));
    };
    let hi = match hi {
        Some(h) => match parse(h) {
            Some(h) => Some(h),
            None => return Err(bad("")),
        },
        None => None,
    };
    if let Some((min, max)) = limits {
        let out = |v: u64| v < *min || v > *max;
        if out(lo) || hi.is_some_and(out) {
            return Err(bad(": out of range"));
        }
    }
    if hi.is_some_and(|h| h < lo) {
        return Err(bad(": the range ends before it starts"));
    }
    Ok(())
}

/// One `duration` part.
pub(crate) fn duration_part(name: &str, value: &str) -> Result<(), Problem> {
    if !DURATION_PARTS.contains(&name) {
        return Err(unknown_part("duration", name, DURATION_PARTS));
    }
    if !all_digits(value) {
        return Err(problem(
            format!("invalid `{name}` value `{value}`"),
            "duration parts are whole numbers, e.g. `months=2`",
        ));
    }
    let max = duration_part_max(name);
    if value.parse::<u64>().ok().is_none_or(|n| n > max) {
        return Err(problem(
            format!("`{name}={value}` is more than Pacemaker can add to a date (at most {max})"),
            "Pacemaker's date arithmetic overflows past it and then reads the range as expired, so the rule would never apply; a million years is the most it takes",
        ));
    }
    Ok(())
}

/// The largest duration part Pacemaker adds to a date correctly: `seconds`, `minutes` and
/// `hours` become seconds in a 32-bit integer (`hours=596524` already reads as expired, as
/// `crm_rule` shows); the calendar parts are held to a million years, well inside what it adds.
fn duration_part_max(name: &str) -> u64 {
    let i32_max = u64::from(i32::MAX.unsigned_abs());
    match name {
        "seconds" => i32_max,
        "minutes" => i32_max / 60,
        "hours" => i32_max / 3600,
        "days" => 365_000_000,
        "weeks" => 52_000_000,
        "months" => 12_000_000,
        _ => 1_000_000,
    }
}

fn unknown_part(what: &str, name: &str, names: &[&str]) -> Problem {
    let list = format!("{what} parts are {}", names.join(", "));
    let help = match suggest(name, names.iter().copied()) {
        Some(s) => format!("did you mean `{s}`? {list}"),
        None => list,
    };
    problem(format!("unknown {what} part `{name}`"), help)
}

/// An operation interval: digits and an optional unit, as pcs accepts (`10s`, `1min`, `0`).
pub(crate) fn interval(value: &str) -> Result<(), Problem> {
    let digits = value.bytes().take_while(u8::is_ascii_digit).count();
    let unit = &value[digits..];
    if digits > 0 && unit.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(())
    } else {
        Err(problem(
            format!("invalid interval `{value}`"),
            "an interval is a number with an optional unit, e.g. `interval=10s`",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_pcs() {
        for ok in ["1", "-1", "+1.5", ".5", "5.", "1e3", "1.5E-3"] {
            assert!(is_number(ok), "{ok}");
        }
        for bad in ["", ".", "e3", "1e", "1.2.3", "x", "--1"] {
            assert!(!is_number(bad), "{bad}");
        }
        assert!(is_integer("-42") && !is_integer("4.2") && !is_integer("-"));
        assert!(is_version("1.2.3") && !is_version("1..2") && !is_version("1.x"));
    }

    #[test]
    fn date_spec_parts_follow_pcs_limits() {
        assert!(date_spec_part("hours", "9-16").is_ok());
        assert!(date_spec_part("hours", "24").is_err());
        assert!(date_spec_part("weekdays", "0").is_err());
        assert!(date_spec_part("years", "2020-2030").is_ok());
        assert!(date_spec_part("hours", "16-9").is_err());
        assert!(date_spec_part("hours", "9-").is_err());
        assert!(date_spec_part("hour", "9").unwrap_err().help.contains("`hours`"));
    }

    #[test]
    fn dates_must_exist_on_the_calendar() {
        for ok in [
            "2024-02-29",
            "20240228",
            "2024-2-3",
            "2020-W53-1",
            "2024-366",
            "2024-02",
            "2024-02-28 24:00:00",
            "2024-02-28T10",
            "2024-01-01T00:00:00Z",
            "2019-09-23 18:00:00 -05:00",
        ] {
            assert!(date(ok).is_ok(), "{ok}");
        }
        for bad in [
            "2024-02-30",
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-02-28 25:00:00",
            "2024-02-28T23:59:60",
            "2024-W53-1",
            "2024-W01-8",
            "2023-366",
            "20240230",
            "2024-02-28T10:61",
            "2024",
            "tomorrow",
        ] {
            assert!(date(bad).is_err(), "{bad}");
        }
        assert!(date("2024-02-30").unwrap_err().message.contains("month 2 of 2024 has 29 days"));
    }

    #[test]
    fn suggestions_are_close() {
        assert_eq!(suggest("hour", ["hours", "months"]), Some("hours"));
        assert_eq!(suggest("xyz", ["hours", "months"]), None);
        assert_eq!(suggest("adn", ["and", "or"]), Some("and"));
        assert_eq!(suggest("b", ["and", "or"]), None);
    }
}
