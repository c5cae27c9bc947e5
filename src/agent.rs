//! Stage 2 (vocabulary): the shape of a resource agent name, `class[:provider]:type`.
//!
//! Syntax only, with a strict character set: an agent name goes into the CIB, into plans and
//! into Pacemaker's command lines, so it holds nothing that could mean something there. Which
//! standards exist and whether a provider is needed is `validate`'s business.

/// Why `name` is not shaped like an agent name, or `None` when it is: parts separated by `:`,
/// each non-empty, the class and provider of ASCII letters, digits, `_`, `.` and `-`, the type
/// also `@`, `+` and `/` (systemd templates such as `getty@tty1`, stonith plugins such as
/// `external/sbd`).
pub fn shape_problem(name: &str) -> Option<String> {
    let parts: Vec<&str> = name.split(':').collect();
    if parts.len() > 3 {
        return Some("has more than three `:`-separated parts".into());
    }
    if parts.iter().any(|p| p.is_empty()) {
        return Some("has an empty part".into());
    }
    let last = parts.len() - 1;
    for (i, part) in parts.iter().enumerate() {
        let allowed = |c: char| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') || (i == last && matches!(c, '@' | '+' | '/'))
        };
        if let Some(c) = part.chars().find(|c| !allowed(*c)) {
            return Some(format!(
                "holds {}, which an agent name cannot",
                crate::diag::printable(&format!("`{c}`"), &[], 8)
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_agent_names_pass_and_markup_does_not() {
        for ok in [
            "ocf:heartbeat:IPaddr2",
            "systemd:squid",
            "systemd:getty@tty1",
            "stonith:fence_ipmilan",
            "lsb:my.svc-1",
            "service:a+b",
            "stonith:external/sbd",
        ] {
            assert_eq!(shape_problem(ok), None, "{ok}");
        }
        for bad in [
            "ocf:heart`beat:X",
            "systemd:a\n<!--",
            "ocf:x:y z",
            "ocf:a|b:c",
            "ocf:a@b:c",
            "ocf:a/b:c",
            "a:b:c:d",
            "ocf::x",
            "systemd:",
            "ocf:x:<b>",
        ] {
            assert!(shape_problem(bad).is_some(), "{bad:?}");
        }
        assert_eq!(shape_problem("ocf:x:a\u{1b}b").as_deref(), Some(r"holds `\u{1b}`, which an agent name cannot"));
    }
}
