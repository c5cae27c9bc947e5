//! Stage 5 (corosync part): the edits a plan makes to corosync.conf, as text and as Markdown.
//! Every line comes from a corosync.conf, so each is made inert for where it lands.

use std::fmt::Write as _;

use crate::mask::{Mask, MASK};

/// What `apply` does with corosync.conf differences, in one clause.
pub const APPLY_SAYS: &str = "`apply` makes the reload changes, adds or removes knet links and lets nodes join or leave and adds, updates or removes a quorum device (as pcs does) on a running cluster, and makes full-stop changes only with `--allow-cluster-restart`";

/// One diff line with the value of a sensitive key masked (the one masking rule, in its corosync
/// form: the totem token timings show).
fn masked(m: &Mask, line: &str) -> String {
    let m = &m.for_corosync();
    let body = line.get(1..).unwrap_or_default();
    let shown = match body.split_once(':') {
        Some((k, v))
            if !line.starts_with("---")
                && !line.starts_with("+++")
                && m.is_sensitive(k.trim())
                && !v.trim().is_empty() =>
        {
            format!("{}{k}: {MASK}", &line[..1])
        }
        _ => line.to_string(),
    };
    // Tabs stay: corosync.conf is often tab-indented, and a tab moves no cursor.
    crate::diag::printable(&crate::mask::urls(&shown), &['\t'], usize::MAX)
}

/// The unified diff with sensitive values masked, for the JSON plan.
pub fn masked_diff(m: &Mask, diff: &str) -> String {
    diff.lines().map(|l| masked(m, l) + "\n").collect()
}

/// The unified diff under the text plan's corosync part.
pub fn text_diff(out: &mut String, m: &Mask, diff: &str) {
    if diff.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n  corosync.conf edits:");
    for line in diff.lines() {
        let _ = writeln!(out, "    {}", masked(m, line));
    }
}

/// The unified diff in a fenced block longer than any run of backticks in it, so no line can
/// close it.
pub fn markdown_diff(out: &mut String, m: &Mask, diff: &str) {
    if diff.is_empty() {
        return;
    }
    let longest = diff.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let _ = writeln!(out, "<details><summary>corosync.conf edits</summary>\n\n{fence}diff");
    for line in diff.lines() {
        let line = masked(m, line);
        // A content line as `- text`, like the CIB changes above: its first two characters are
        // the diff's own, whatever the file holds.
        match line.split_at_checked(1) {
            Some((p @ ("-" | "+" | " "), rest)) if !line.starts_with("---") && !line.starts_with("+++") => {
                let _ = writeln!(out, "{p} {rest}");
            }
            _ => {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    let _ = writeln!(out, "{fence}\n</details>\n");
}
