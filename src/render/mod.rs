//! Stage 5: plan → words. One plan, three printers: text (terminal), JSON (machines, saved
//! plans), Markdown (pull-request comments).
//!
//! Printers return strings; they never write, never decide anything, and never show a secret:
//! every value goes through `crate::mask::Mask` (one rule for every format and message).

pub(crate) mod corosync;
pub mod diagram;
pub mod escape;
pub mod failover;
pub mod json;

use std::fmt::Write as _;

use crate::corosync::Disruption;
use crate::plan::{Action, Change, Plan};
use crate::preview::Preview;
use escape::{html_text, md_cell, md_code, md_prose, md_text, one_line};

pub use crate::mask::Mask;

/// Context a printer shows alongside the plan.
#[derive(Debug, Clone, Default)]
pub struct Header {
    pub cluster: String,
    pub target: String,
    pub version: String,
    /// Names the cluster file's `policy: { sensitive: [...] }` adds to the masking rule.
    pub sensitive: Vec<String>,
}

impl Header {
    /// The masking rule for this plan.
    pub fn mask(&self) -> Mask {
        Mask::new(&self.sensitive)
    }

    /// The first line of a terminal report (`what`: `plan`, `test`). A saved plan's cluster
    /// name and target are untrusted text, so they are shown on one line, controls escaped.
    pub fn title(&self, what: &str) -> String {
        let target = crate::mask::urls(&self.target);
        let (cluster, target, version) = (one_line(&self.cluster), one_line(&target), one_line(&self.version));
        format!("cibform {what} for cluster `{cluster}` against {target} (CIB {version})")
    }
}

fn symbol(a: Action) -> &'static str {
    match a {
        Action::Create => "+",
        Action::Update => "~",
        Action::Destroy => "-",
    }
}

fn kind_label(c: &Change) -> String {
    match c.key.kind.as_str() {
        "properties" => "cluster properties".into(),
        "rsc_defaults" => "resource defaults".into(),
        "op_defaults" => "operation defaults".into(),
        "rsc_location" => format!("location constraint {}", c.key.id),
        "rsc_colocation" => format!("colocation constraint {}", c.key.id),
        "rsc_order" => format!("order constraint {}", c.key.id),
        "rsc_ticket" => format!("ticket constraint {}", c.key.id),
        "fencing-topology" => "fencing topology".into(),
        "tags" => "tags".into(),
        "alerts" => "alerts".into(),
        "acls" => "ACLs".into(),
        k => format!("{k} {}", c.key.id),
    }
}

struct Paint(bool);
impl Paint {
    fn color(&self, a: Action, s: &str) -> String {
        if !self.0 {
            return s.to_string();
        }
        let code = match a {
            Action::Create => "32",
            Action::Update => "33",
            Action::Destroy => "31",
        };
        format!("\x1b[{code}m{s}\x1b[0m")
    }
    fn bold(&self, s: &str) -> String {
        if self.0 {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// The terminal plan, terraform-like.
pub fn text(plan: &Plan, h: &Header, color: bool) -> String {
    let p = Paint(color);
    let m = h.mask();
    let mut out = String::new();
    let _ = writeln!(out, "{}", h.title("plan"));
    for w in &plan.warnings {
        let _ = writeln!(out, "warning: {}", one_line(&crate::mask::urls(w)));
    }
    if plan.is_empty() {
        let _ = writeln!(out, "\nNo changes. The cluster matches the configuration.");
        if plan.what_if.is_empty() && plan.scenarios.is_empty() {
            return out;
        }
    }
    if !plan.changes.is_empty() {
        let _ = writeln!(out, "\ncibform will perform the following actions:");
    }
    for c in &plan.changes {
        let _ = writeln!(out);
        let note = match c.action {
            Action::Create => "will be created",
            Action::Update => "will be updated in place",
            Action::Destroy => "will be DESTROYED (in the CIB but not declared in the file)",
        };
        let label = one_line(&kind_label(c));
        let _ = writeln!(out, "  # {label} {note}");
        write_change(&mut out, &p, &m, c);
    }
    if !plan.notes.is_empty() {
        let _ = writeln!(out);
    }
    for n in &plan.notes {
        let _ = writeln!(out, "note: {}", one_line(&crate::mask::source_text(&m, n)));
    }
    match &plan.preview {
        Some(Preview::Ran { source, actions }) if actions.is_empty() => {
            let _ = writeln!(out, "\nPacemaker's scheduler ({source}) predicts: no resource starts, stops or moves.");
        }
        Some(Preview::Ran { source, actions }) => {
            let _ = writeln!(out, "\nPacemaker's scheduler ({source}) predicts, from the current status:");
            for a in actions {
                let _ = writeln!(out, "  {} {a}", p.color(action_tone(&a.action), "*"));
            }
        }
        Some(Preview::Skipped { reason }) => {
            let _ = writeln!(out, "\nTransition preview not available: {reason}.");
        }
        None => {}
    }
    for (scenario, p2) in &plan.what_if {
        // A `--what-if` value is the user's text, shown as data: one line, controls escaped.
        let scenario = one_line(&scenario.to_string());
        match p2 {
            Preview::Ran { actions, .. } if actions.is_empty() => {
                let _ = writeln!(
                    out,
                    "\nWhat if {scenario}? Pacemaker's scheduler predicts, on top of this plan: nothing starts, stops or moves."
                );
            }
            Preview::Ran { actions, .. } => {
                let _ = writeln!(out, "\nWhat if {scenario}? Pacemaker's scheduler predicts, on top of this plan:");
                for a in actions {
                    let _ = writeln!(out, "  {} {a}", p.color(action_tone(&a.action), "*"));
                }
            }
            Preview::Skipped { reason } => {
                let _ = writeln!(out, "\nWhat if {scenario}? Not available: {}.", one_line(reason));
            }
        }
    }
    failover::text_section(&mut out, &plan.scenarios, color);
    if !plan.corosync.changes.is_empty() {
        let source = plan.corosync.source.as_deref().unwrap_or("corosync.conf");
        let _ = writeln!(out, "\ncorosync.conf ({source}) differs from the file; {}:", corosync::APPLY_SAYS);
        if let Some(r) = &plan.corosync.transport {
            let _ = writeln!(out, "\n  apply's transport: {}", one_line(&r.says()));
        }
        let mc = m.for_corosync();
        for c in &plan.corosync.changes {
            if let Some(line) = attr_line(&p, &mc, &c.key, c.before.as_deref(), c.after.as_deref()) {
                let _ = writeln!(out, "\n  {line}\n      {}: {}", p.bold(&c.disruption.to_string()), c.procedure);
            }
        }
        corosync::text_diff(&mut out, &m, &plan.corosync.diff);
    }
    if !plan.is_empty() {
        let (add, change, destroy) = plan.counts();
        let _ = write!(out, "\n{} {add} to add, {change} to change, {destroy} to destroy.", p.bold("Plan:"));
        let _ = writeln!(out, "{}", corosync_summary(plan));
    }
    out
}

/// Colour of a predicted action: starting green, stopping red, the rest yellow.
/// One change: its symbol and object, then its attributes, indented under it.
fn write_change(out: &mut String, p: &Paint, m: &Mask, c: &Change) {
    let _ = writeln!(out, "  {} {}", p.color(c.action, symbol(c.action)), p.bold(&one_line(&kind_label(c))));
    for a in &c.attrs {
        if let Some(line) = attr_line(p, m, &a.key, a.before.as_deref(), a.after.as_deref()) {
            let _ = writeln!(out, "      {line}{}", note_suffix(a));
        }
    }
}

/// `  (agent default)` after a line whose value the file does not say, or nothing.
fn note_suffix(a: &crate::plan::AttrChange) -> String {
    a.note.as_deref().map(|n| format!("  ({})", one_line(n))).unwrap_or_default()
}

/// A list of changes without a plan around it (what changed in a cluster since a plan was made).
pub fn changes_text(changes: &[Change], mask: &Mask, color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    for c in changes {
        write_change(&mut out, &p, mask, c);
    }
    out
}

fn action_tone(action: &str) -> Action {
    match action {
        "start" | "promote" => Action::Create,
        "stop" | "demote" => Action::Destroy,
        _ => Action::Update,
    }
}

/// One `~ key: old → new` / `+ key: new` / `- key: old` line, secrets masked.
fn attr_line(p: &Paint, m: &Mask, raw_key: &str, before: Option<&str>, after: Option<&str>) -> Option<String> {
    let key = &one_line(&crate::mask::urls(raw_key));
    let shown = |v| m.shown(raw_key, v);
    Some(match (before, after) {
        (Some(b), Some(n)) if is_long(b) || is_long(n) => {
            format!(
                "{} {key}:\n{}",
                p.color(Action::Update, "~"),
                line_diff(p, &m.value(raw_key, b), &m.value(raw_key, n))
            )
        }
        (Some(b), Some(n)) => format!("{} {key}: {} → {}", p.color(Action::Update, "~"), shown(b), shown(n)),
        (None, Some(n)) => format!("{} {key}: {}", p.color(Action::Create, "+"), shown(n)),
        (Some(b), None) => format!("{} {key}: {}", p.color(Action::Destroy, "-"), shown(b)),
        (None, None) => return None,
    })
}

/// A value too long to read as `before → after` on one line (raw XML, a long description).
fn is_long(v: &str) -> bool {
    v.len() > 60 || v.contains('\n')
}

/// The lines of a long value that change, with one line of context around each change: XML is
/// broken at each element first. Indented to sit under its attribute line.
fn line_diff(p: &Paint, before: &str, after: &str) -> String {
    let split = |v: &str| v.replace("><", ">\n<") + "\n";
    let (b, a) = (split(before), split(after));
    let diff = similar::TextDiff::from_lines(&b, &a);
    let mut out = Vec::new();
    for (i, group) in diff.grouped_ops(1).iter().enumerate() {
        if i > 0 {
            out.push("          ...".to_string());
        }
        for change in group.iter().flat_map(|op| diff.iter_changes(op)) {
            let line = printable(change.value().trim_end_matches('\n'));
            out.push(match change.tag() {
                similar::ChangeTag::Equal => format!("          {line}"),
                similar::ChangeTag::Delete => format!("        {} {line}", p.color(Action::Destroy, "-")),
                similar::ChangeTag::Insert => format!("        {} {line}", p.color(Action::Create, "+")),
            });
        }
    }
    out.join("\n")
}

/// `1 object`, `2 objects`: a count and its noun, in the plural when it is not one.
pub fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ if noun.ends_with(['s', 'x']) || noun.ends_with("sh") || noun.ends_with("ch") => format!("{n} {noun}es"),
        _ => format!("{n} {noun}s"),
    }
}

/// A line with its control characters escaped, so a value cannot move the terminal's cursor.
fn printable(line: &str) -> String {
    line.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// ` corosync.conf: 2 differences (1 full stop, 1 online procedure).`, or nothing.
fn corosync_summary(plan: &Plan) -> String {
    let c = &plan.corosync.changes;
    if c.is_empty() {
        return String::new();
    }
    let mut kinds: Vec<String> = Vec::new();
    for d in [Disruption::FullStop, Disruption::Online, Disruption::Reload] {
        let n = c.iter().filter(|x| x.disruption == d).count();
        if n > 0 {
            kinds.push(format!("{n} {d}"));
        }
    }
    format!(" corosync.conf: {} ({}).", count(c.len(), "difference"), kinds.join(", "))
}

/// A Markdown plan for a pull-request comment.
pub fn markdown(plan: &Plan, h: &Header) -> String {
    let m = h.mask();
    let mut out = String::new();
    let (add, change, destroy) = plan.counts();
    let _ = writeln!(out, "### cibform plan for {}\n", md_code(&h.cluster));
    let _ = writeln!(
        out,
        "Target {} (CIB {}): **{add} to add, {change} to change, {destroy} to destroy**\n",
        md_code(&crate::mask::urls(&h.target)),
        h.version,
    );
    if !plan.corosync.changes.is_empty() {
        let _ = writeln!(out, "{}\n", corosync_summary(plan).trim());
    }
    for w in &plan.warnings {
        let _ = writeln!(out, "> **warning:** {}\n", md_prose(&crate::mask::urls(w)));
    }
    for n in &plan.notes {
        let _ = writeln!(out, "> **note:** {}\n", md_prose(&crate::mask::source_text(&m, n)));
    }
    failover::markdown_section(&mut out, &plan.scenarios);
    if plan.is_empty() {
        let _ = writeln!(out, "No changes. The cluster matches the configuration.\n");
        if plan.what_if.is_empty() {
            return out;
        }
    }
    if destroy > 0 {
        let what = count(destroy, "object");
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> This plan **destroys {what}**: they are in the CIB but not declared in the file.\n"
        );
    }
    if !plan.changes.is_empty() {
        let _ = writeln!(out, "| | object | change |\n|---|---|---|");
    }
    for c in &plan.changes {
        let what = match c.action {
            Action::Create => "create",
            Action::Update => "update in place",
            Action::Destroy => "**destroy**",
        };
        let _ = writeln!(out, "| {} | {} | {what} |", symbol(c.action), md_cell(&md_text(&kind_label(c))));
    }
    let _ = writeln!(out);
    if !plan.changes.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Diagram of the planned cluster</summary>\n\n{}\n{}\n</details>\n",
            diagram::mermaid(plan),
            diagram::LEGEND
        );
    }
    for c in &plan.changes {
        let _ = writeln!(
            out,
            "<details{}><summary><code>{} {}</code></summary>\n",
            if c.action == Action::Destroy { " open" } else { "" },
            symbol(c.action),
            html_text(&kind_label(c))
        );
        // Every line of the block starts with `-` or `+` and holds no line break: nothing in it
        // can close the fence.
        let _ = writeln!(out, "```diff");
        for a in &c.attrs {
            let key = one_line(&crate::mask::urls(&a.key));
            if let Some(b) = &a.before {
                let _ = writeln!(out, "- {key}: {}", one_line(&m.shown(&a.key, b)));
            }
            if let Some(n) = &a.after {
                let _ = writeln!(out, "+ {key}: {}{}", one_line(&m.shown(&a.key, n)), note_suffix(a));
            }
        }
        let _ = writeln!(out, "```\n</details>\n");
    }
    match &plan.preview {
        Some(Preview::Ran { source, actions }) => {
            let _ = writeln!(
                out,
                "#### What Pacemaker will do\n\nPredicted by {} from the current status:\n",
                md_text(source)
            );
            if actions.is_empty() {
                let _ = writeln!(out, "No resource starts, stops or moves.\n");
            }
            for a in actions {
                let _ = writeln!(out, "- {}", md_text(&a.to_string()));
            }
            let _ = writeln!(out);
        }
        Some(Preview::Skipped { reason }) => {
            let _ = writeln!(out, "_Transition preview not available: {}._\n", md_prose(reason));
        }
        None => {}
    }
    if !plan.what_if.is_empty() {
        let _ = writeln!(out, "#### What if ...\n\nEach scenario is predicted on top of this plan: the new configuration with the current status.\n");
    }
    for (scenario, p2) in &plan.what_if {
        let _ = writeln!(out, "##### What if {}?\n", md_text(&scenario.to_string()));
        match p2 {
            Preview::Ran { actions, .. } if actions.is_empty() => {
                let _ = writeln!(out, "Nothing starts, stops or moves.\n");
            }
            Preview::Ran { actions, .. } => {
                for a in actions {
                    let _ = writeln!(out, "- {}", md_text(&a.to_string()));
                }
                let _ = writeln!(out);
            }
            Preview::Skipped { reason } => {
                let _ = writeln!(out, "_Not available: {}._\n", md_prose(reason));
            }
        }
    }
    if !plan.corosync.changes.is_empty() {
        let source = plan.corosync.source.as_deref().unwrap_or("corosync.conf");
        let _ = writeln!(
            out,
            "#### corosync.conf ({})\n\n{}; each difference and what it takes:\n",
            md_code(source),
            corosync::APPLY_SAYS
        );
        if let Some(r) = &plan.corosync.transport {
            let _ = writeln!(out, "apply's transport: {}\n", md_prose(&r.says()));
        }
        let _ = writeln!(out, "| setting | now | file | disruption | how |\n|---|---|---|---|---|");
        for c in &plan.corosync.changes {
            let mc = m.for_corosync();
            let cell = |v: &Option<String>| {
                v.as_deref().map_or("—".to_string(), |v| md_cell(&md_code(&mc.value(&c.key, v))))
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | **{}** | {} |",
                md_cell(&md_code(&c.key)),
                cell(&c.before),
                cell(&c.after),
                c.disruption,
                md_cell(&c.procedure)
            );
        }
        let _ = writeln!(out);
        corosync::markdown_diff(&mut out, &m, &plan.corosync.diff);
    }
    out
}

#[cfg(test)]
mod long_value_tests {
    use super::*;

    #[test]
    fn a_changed_raw_item_shows_the_lines_that_change() {
        let before = r#"<rsc_ticket id="t" rsc="a" ticket="T"><x a="1"/><y/><z/></rsc_ticket>"#;
        let after = r#"<rsc_ticket id="t" rsc="a" ticket="T"><x a="2"/><y/><z/></rsc_ticket>"#;
        let line = attr_line(&Paint(false), &Mask::default(), "xml", Some(before), Some(after)).unwrap();
        assert_eq!(
            line,
            "~ xml:\n          <rsc_ticket id=\"t\" rsc=\"a\" ticket=\"T\">\n        - <x a=\"1\"/>\n        + <x a=\"2\"/>\n          <y/>"
        );
    }

    #[test]
    fn short_values_stay_on_one_line() {
        let line = attr_line(&Paint(false), &Mask::default(), "params.ip", Some("1.2.3.4"), Some("1.2.3.5")).unwrap();
        assert_eq!(line, "~ params.ip: \"1.2.3.4\" → \"1.2.3.5\"");
    }
}
