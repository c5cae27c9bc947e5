//! Stage 6 (before a write): what `crm_verify` says about a whole CIB, told apart into errors
//! (Pacemaker refuses or ignores part of the CIB) and warnings (it takes the CIB as it is).
//!
//! This module builds the command as data and reads its answer; running it, and deciding what
//! to do about warnings, is the caller's job. It must never turn a warning into a refusal.
//!
//! How the verdict is read, and why: `crm_verify` exits 78 (`CRM_EX_CONFIG`, "Invalid
//! configuration") for warnings and errors alike, so the exit code alone cannot tell them apart.
//! `--output-as=xml` does not either: Pacemaker 2.1.5 reports only the status code there, and
//! later versions list warnings inside `<errors><error>`. What every version prints is one summary
//! line, chosen from the scheduler's own flags, errors first: "Errors found during check" or
//! "Warnings found during check". So a CIB is taken as accepted-with-warnings only when the exit
//! code is exactly 78 *and* that summary says warnings *and* no error is mentioned; anything else
//! that is not exit 0 is a refusal (fail closed: an unknown answer never lets a write through).

use super::runner::{Cmd, Output};
use crate::cib::Cib;

/// `CRM_EX_CONFIG`: crm_verify found errors or warnings.
pub const RC_CONFIG: i32 = 78;

/// The check: the CIB on standard input, messages on standard error. `-VV` makes every version
/// print each message (at `-V`, 2.1.5 prints some warnings only when another one occurs), so the
/// same CIB always gives the same list and two lists can be compared.
pub fn command(cib: &Cib) -> Cmd {
    Cmd::new(&["crm_verify", "--xml-pipe", "-VV"]).stdin(cib.root.to_xml())
}

/// What crm_verify said about a CIB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Exit 0; `warnings` are log messages that did not count (e.g. "Blind faith: ...").
    Clean { warnings: Vec<String> },
    /// Accepted with warnings: Pacemaker takes this CIB as it is.
    Warnings(Vec<String>),
    /// Refused, in crm_verify's own words (repeated lines once).
    Errors(String),
}

/// Read crm_verify's answer.
pub fn judge(out: &Output) -> Verdict {
    let text = words(out);
    let warnings = messages(&text, "warning:");
    if out.code == 0 {
        return Verdict::Clean { warnings };
    }
    let says_warnings = text.contains("Warnings found during check");
    let says_errors = text.contains("Errors found during check") || !messages(&text, "error:").is_empty();
    if out.code == RC_CONFIG && says_warnings && !says_errors {
        Verdict::Warnings(warnings)
    } else {
        Verdict::Errors(text)
    }
}

/// Standard output and standard error, trimmed, each distinct line once, in order.
fn words(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut seen = std::collections::HashSet::new();
    stdout
        .lines()
        .chain(out.stderr.lines())
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && seen.insert(l.to_string()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The messages of one severity (`warning:`, `error:`), without the `(function)` prefix.
fn messages(text: &str, severity: &str) -> Vec<String> {
    text.lines().filter_map(|l| l.split_once(severity).map(|(_, m)| m.trim().to_string())).collect()
}

/// The warnings a change causes: those of the new CIB that the current one does not have, each
/// as a plan note.
pub fn notes(new: &[String], current: &[String]) -> Vec<String> {
    new.iter().filter(|w| !current.contains(w)).map(|w| note(w)).collect()
}

/// One warning in words, naming what the change does where crm_verify's words are known.
fn note(warning: &str) -> String {
    // "Detected active orphan RSC running on NODE": a running resource is no longer configured.
    if let Some((rsc, node)) =
        warning.strip_prefix("Detected active orphan ").and_then(|rest| rest.split_once(" running on "))
    {
        return format!("crm_verify: resource `{rsc}` is running on {node} and will be stopped (active orphan)");
    }
    format!("crm_verify warns (Pacemaker accepts the CIB): {warning}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(code: i32, stderr: &str) -> Output {
        Output { code, stdout: Vec::new(), stderr: stderr.into() }
    }

    /// crm_verify 2.1.5 -VV on a CIB without the running resource `byhand` (measured).
    const ORPHAN: &str = "(unpack_config) \twarning: Blind faith: not fencing unseen nodes\n\
        (process_rsc_state) \twarning: Detected active orphan byhand running on t3021cent\n\
        crm_verify: Warnings found during check: config may not be valid\n";

    #[test]
    fn a_warning_is_not_a_rejection() {
        let v = judge(&out(78, ORPHAN));
        assert_eq!(
            v,
            Verdict::Warnings(vec![
                "Blind faith: not fencing unseen nodes".into(),
                "Detected active orphan byhand running on t3021cent".into()
            ])
        );
    }

    #[test]
    fn errors_with_the_same_exit_code_are_a_rejection() {
        let e = "(cluster_status) \twarning: Fencing and resource management disabled due to lack of quorum\n\
            (unpack_resources) \terror: Resource start-up disabled since no STONITH resources have been defined\n\
            crm_verify: Errors found during check: config not valid\n";
        let Verdict::Errors(words) = judge(&out(78, e)) else { panic!("errors must refuse") };
        assert!(words.contains("no STONITH resources"), "{words}");
    }

    #[test]
    fn anything_unknown_is_a_rejection() {
        // Schema errors (no `error:` prefix but the summary says errors), an unparsable CIB
        // (exit 1), a warnings summary with another exit code, a bare 78, a newer version's
        // summary listing an error next to warnings.
        let schema = "Entity: line 1: element bad: Relax-NG validity error : Did not expect element bad there\n\
            crm_verify: Errors found during check: config not valid\n";
        for (code, text) in [
            (78, schema),
            (1, "crm_verify: Couldn't parse input from STDIN."),
            (1, ORPHAN),
            (78, ""),
            (78, "warning: Ignoring x\nerror: CIB did not pass schema validation\nWarnings found during check: config not valid"),
        ] {
            assert!(matches!(judge(&out(code, text)), Verdict::Errors(_)), "{code} {text}");
        }
    }

    #[test]
    fn repeated_lines_are_shown_once() {
        let line = "Entity: line 1: element bad: Relax-NG validity error : Did not expect element bad there\n";
        let Verdict::Errors(words) = judge(&out(78, &line.repeat(25))) else { panic!() };
        assert_eq!(words.lines().count(), 1, "{words}");
    }

    #[test]
    fn only_the_warnings_the_change_causes_become_notes() {
        let Verdict::Warnings(new) = judge(&out(78, ORPHAN)) else { panic!() };
        let Verdict::Clean { warnings: current } =
            judge(&out(0, "(unpack_config) \twarning: Blind faith: not fencing unseen nodes\n"))
        else {
            panic!()
        };
        assert_eq!(
            notes(&new, &current),
            ["crm_verify: resource `byhand` is running on t3021cent and will be stopped (active orphan)"]
        );
        assert_eq!(
            notes(&["Something new".into()], &[]),
            ["crm_verify warns (Pacemaker accepts the CIB): Something new"]
        );
    }
}
