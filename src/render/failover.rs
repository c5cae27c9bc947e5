//! Stage 5 (failover tests): the scenarios' verdicts as words — the `cibform test` report, the
//! plan's section in text and Markdown, and JUnit XML for CI. Printers only: they decide nothing
//! and write nothing.

use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::escape::{md_cell, md_prose, md_text, one_line};
use super::Header;
use crate::failover::{not_played, tally, CaseVerdict, Status, Verdict};

/// `failover tests: 4/5 hold`.
pub fn summary(verdicts: &[Verdict]) -> String {
    let (pass, all) = tally(verdicts);
    format!("failover tests: {pass}/{all} hold")
}

/// The scheduler's actions in a case, on one line.
fn actions_line(c: &CaseVerdict) -> String {
    match c.actions.is_empty() {
        true => "nothing starts, stops or moves".into(),
        false => c.actions.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
    }
}

/// Why a test did not pass: each failure, then the scheduler's actions of each failed case.
fn explanation(v: &Verdict) -> Vec<String> {
    let mut out = v.reasons();
    let many = v.cases.len() > 1;
    for c in v.cases.iter().filter(|c| c.status == Status::Fail) {
        let when = if many { format!(" when {}", c.when()) } else { String::new() };
        out.push(format!("the scheduler's actions{when}: {}", actions_line(c)));
    }
    out
}

fn word(s: Status, color: bool) -> String {
    let (w, code) = match s {
        Status::Pass => ("ok", "32"),
        Status::Fail => ("FAIL", "31"),
        Status::Error => ("ERROR", "33"),
    };
    let padded = format!("{w:<5}");
    if color {
        format!("\x1b[{code}m{padded}\x1b[0m")
    } else {
        padded
    }
}

/// One line per test, each failure explained under it, then the summary.
pub fn lines(verdicts: &[Verdict], color: bool) -> String {
    let mut out = String::new();
    for v in verdicts {
        let _ = writeln!(out, "  {}  {}", word(v.status, color), one_line(&v.name));
        for e in explanation(v) {
            let _ = writeln!(out, "         {}", one_line(&e));
        }
    }
    out
}

/// The report of `cibform test`.
pub fn report(verdicts: &[Verdict], h: &Header, changes: usize, color: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", h.title("test"));
    let change = super::count(changes, "change");
    let _ = writeln!(
        out,
        "Each scenario is played by Pacemaker's scheduler on the planned configuration ({change}) with the current status.\n"
    );
    out.push_str(&lines(verdicts, color));
    let _ = writeln!(out, "\n{}", summary(verdicts));
    out
}

/// The text plan's section, after the what-ifs.
pub fn text_section(out: &mut String, verdicts: &[Verdict], color: bool) {
    if verdicts.is_empty() {
        return;
    }
    if let Some(why) = not_played(verdicts) {
        let _ = writeln!(out, "\nFailover tests not played: {}.", one_line(why));
        return;
    }
    let (pass, all) = tally(verdicts);
    let _ = writeln!(out, "\nFailover tests, played by Pacemaker's scheduler on top of this plan: {pass}/{all} hold");
    out.push_str(&lines(verdicts, color));
}

/// The Markdown plan's section: a count and a row per scenario.
pub fn markdown_section(out: &mut String, verdicts: &[Verdict]) {
    if verdicts.is_empty() {
        return;
    }
    if let Some(why) = not_played(verdicts) {
        let _ = writeln!(out, "_Failover tests not played: {}._\n", md_prose(why));
        return;
    }
    let (pass, all) = tally(verdicts);
    let _ = writeln!(out, "#### Failover tests: {pass}/{all} hold\n");
    let _ = writeln!(out, "Each scenario of the file, played by Pacemaker's scheduler on top of this plan.\n");
    let _ = writeln!(out, "| | scenario | result |\n|---|---|---|");
    for v in verdicts {
        let (mark, result) = match v.status {
            Status::Pass => ("✅", "holds".to_string()),
            Status::Fail => ("❌", explanation(v).iter().map(|e| md_prose(e)).collect::<Vec<_>>().join("<br>")),
            Status::Error => ("⚠️", explanation(v).iter().map(|e| md_prose(e)).collect::<Vec<_>>().join("<br>")),
        };
        let _ = writeln!(out, "| {mark} | {} | {} |", md_cell(&md_text(&v.name)), md_cell(&result));
    }
    let _ = writeln!(out);
}

/// JUnit XML: one test suite, a test case per scenario (a failure when it does not hold, an
/// error when it could not be played).
///
/// # Errors
/// The XML cannot be written (quick-junit's serializer failed).
pub fn junit(verdicts: &[Verdict], h: &Header) -> Result<String, String> {
    let mut suite = TestSuite::new(format!("failover tests of {}", h.cluster));
    for v in verdicts {
        let mut status = match v.status {
            Status::Pass => TestCaseStatus::success(),
            Status::Fail => TestCaseStatus::non_success(NonSuccessKind::Failure),
            Status::Error => TestCaseStatus::non_success(NonSuccessKind::Error),
        };
        if v.status != Status::Pass {
            let why = explanation(v);
            status.set_message(why.first().cloned().unwrap_or_default());
            status.set_description(why.join("\n"));
        }
        let mut case = TestCase::new(v.name.clone(), status);
        case.set_classname(format!("cibform.{}", h.cluster));
        suite.add_test_case(case);
    }
    let mut report = Report::new("cibform test");
    report.add_test_suite(suite);
    report.to_string().map_err(|e| e.to_string())
}
