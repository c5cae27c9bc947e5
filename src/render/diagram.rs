//! A Mermaid diagram of the planned cluster for Markdown plans: resources (groups and clones as
//! boxes), constraints as edges, and each object coloured by what the plan does to it. GitHub and
//! GitLab render it in a pull-request comment. Pure text generation.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::cib::xml::Element;
use crate::plan::view::{is_resource, Section};
use crate::plan::{Action, Plan};

/// A Mermaid-safe node id for a CIB id, one-to-one: letters and digits stay, `_` doubles, and
/// any other character becomes its code in hex between single `_` (`rs-vip` → `n_rs_2d_vip`,
/// `rs_vip` → `n_rs__vip`), so two ids never share a node.
fn nid(id: &str) -> String {
    let mut s = String::from("n_");
    for c in id.chars() {
        match c {
            c if c.is_ascii_alphanumeric() => s.push(c),
            '_' => s.push_str("__"),
            c => {
                let _ = write!(s, "_{:x}_", c as u32);
            }
        }
    }
    s
}

/// Text inside a Mermaid label: quotes, brackets, newlines and backticks would end it.
fn label(s: &str) -> String {
    super::escape::mermaid_label(s)
}

fn class_of(actions: &BTreeMap<String, Action>, id: &str) -> Option<&'static str> {
    actions.get(id).map(|a| match a {
        Action::Create => "create",
        Action::Update => "update",
        Action::Destroy => "destroy",
    })
}

fn agent_of(p: &Element) -> String {
    p.attr("type").unwrap_or_default().to_string()
}

fn resource(el: &Element, out: &mut String, depth: usize, drawn: &mut Vec<String>) {
    let pad = "  ".repeat(depth);
    let id = el.id().unwrap_or_default();
    drawn.push(id.to_string());
    match el.name.as_str() {
        "group" | "clone" | "master" => {
            let kind = if el.name == "group" { "group" } else { "clone" };
            let _ = writeln!(out, "{pad}subgraph {}[\"{kind} {}\"]", nid(id), label(id));
            let members: Vec<&Element> = el.elements().filter(|c| is_resource(&c.name)).collect();
            for m in &members {
                resource(m, out, depth + 1, drawn);
            }
            if el.name == "group" {
                for w in members.windows(2) {
                    let _ = writeln!(
                        out,
                        "{pad}  {} --> {}",
                        nid(w[0].id().unwrap_or_default()),
                        nid(w[1].id().unwrap_or_default())
                    );
                }
            }
            let _ = writeln!(out, "{pad}end");
        }
        _ => {
            let _ = writeln!(out, "{pad}{}[\"{}<br/><small>{}</small>\"]", nid(id), label(id), label(&agent_of(el)));
        }
    }
}

/// The colours of the diagram; `LEGEND` says in words what they mean.
const CLASSES: &str = "  classDef create fill:#b7ebb7,stroke:#1b5e20,color:#111111\n  classDef update fill:#ffd166,stroke:#8a5a00,color:#111111\n  classDef destroy fill:#f4a6a6,stroke:#b71c1c,color:#111111,stroke-dasharray: 4 2\n";

/// What the colours and arrows of the diagram mean, as Markdown under it.
pub const LEGEND: &str = "Green: added · amber: changed · red, dashed: destroyed · `==>` order · `-.->` optional order · `---` colocation · `+`/`~` on an edge: a new or changed constraint.";

/// A location constraint in words: `avoid where pingd lt 1` for -INFINITY, `require ...` for
/// INFINITY, `prefer (100) ...` otherwise.
fn location_label(score: &str, place: &str) -> String {
    match score {
        "-INFINITY" => format!("avoid {place}"),
        "INFINITY" | "+INFINITY" => format!("require {place}"),
        s if s.starts_with('-') => format!("dislike ({s}) {place}"),
        s => format!("prefer ({s}) {place}"),
    }
}

/// `+ ` for a constraint the plan creates, `~ ` for one it changes.
fn mark(actions: &BTreeMap<String, Action>, id: &str) -> &'static str {
    match actions.get(id) {
        Some(Action::Create) => "+ ",
        Some(Action::Update) => "~ ",
        _ => "",
    }
}

/// The (from, to) resource pairs a two-resource constraint links: its two attributes, or, for
/// resource sets, each member to the next and the last of a set to the first of the next set.
fn pairs(c: &Element, from: &str, to: &str) -> Vec<(String, String)> {
    if let (Some(a), Some(b)) = (c.attr(from), c.attr(to)) {
        return vec![(a.to_string(), b.to_string())];
    }
    let sets: Vec<Vec<String>> = c
        .elements()
        .filter(|s| s.name == "resource_set")
        .map(|s| s.elements().filter(|r| r.name == "resource_ref").filter_map(|r| r.id().map(str::to_string)).collect())
        .filter(|s: &Vec<String>| !s.is_empty())
        .collect();
    let mut out = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        out.extend(set.windows(2).map(|w| (w[0].clone(), w[1].clone())));
        if let (Some(last), Some(next)) = (set.last(), sets.get(i + 1).and_then(|n| n.first())) {
            out.push((last.clone(), next.clone()));
        }
    }
    out
}

/// The diagram, as a fenced `mermaid` block.
pub fn mermaid(plan: &Plan) -> String {
    // Only resources and constraints are drawn (properties and nodes are not boxes).
    let actions: BTreeMap<String, Action> = plan
        .changes
        .iter()
        .filter(|c| matches!(c.key.section, Section::Resources | Section::Constraints))
        .map(|c| (c.key.id.clone(), c.action))
        .collect();
    let mut out = String::from("```mermaid\nflowchart LR\n");
    let cfg = &plan.new_config;
    let mut drawn = Vec::new();
    if let Some(res) = cfg.child("resources") {
        for r in res.elements().filter(|e| is_resource(&e.name)) {
            resource(r, &mut out, 1, &mut drawn);
        }
    }
    if let Some(cons) = cfg.child("constraints") {
        for c in cons.elements() {
            let cid = c.id().unwrap_or_default();
            let score = c.attr("score").unwrap_or("");
            match c.name.as_str() {
                "rsc_location" => {
                    let what = match (c.attr("node"), c.child("rule")) {
                        (Some(node), _) => location_label(score, &format!("on {node}")),
                        (None, Some(rule)) => {
                            let text = crate::rule::from_xml(rule)
                                .map(|r| crate::rule::to_text(&r))
                                .unwrap_or_else(|_| "a rule".into());
                            let score = rule.attr("score").or(rule.attr("score-attribute")).unwrap_or("");
                            location_label(score, &format!("where {text}"))
                        }
                        _ => "location".into(),
                    };
                    if let Some(rsc) = c.attr("rsc") {
                        let _ = writeln!(out, "  {}{{{{\"{}\"}}}} -.-> {}", nid(cid), label(&what), nid(rsc));
                        drawn.push(cid.to_string());
                    }
                }
                "rsc_colocation" => {
                    let mark = mark(&actions, cid);
                    let text = format!("{mark}with {score}");
                    for (a, b) in pairs(c, "rsc", "with-rsc") {
                        let _ = writeln!(out, "  {} ---|\"{}\"| {}", nid(&a), label(&text), nid(&b));
                    }
                }
                "rsc_order" => {
                    let mark = mark(&actions, cid);
                    let optional = c.attr("kind") == Some("Optional") || score == "0";
                    let (arrow, text) = if optional { ("-.->", "then, if both run") } else { ("==>", "then") };
                    for (a, b) in pairs(c, "first", "then") {
                        let _ =
                            writeln!(out, "  {} {arrow}|\"{}\"| {}", nid(&a), label(&format!("{mark}{text}")), nid(&b));
                    }
                }
                _ => {}
            }
        }
    }
    // Objects the plan destroys are no longer in the new configuration: show them apart.
    for c in plan.changes.iter().filter(|c| c.action == Action::Destroy && actions.contains_key(&c.key.id)) {
        let _ = writeln!(out, "  {}[\"{} {} (destroyed)\"]", nid(&c.key.id), label(&c.key.kind), label(&c.key.id));
        drawn.push(c.key.id.clone());
    }
    // Every class sets its text colour: a dark theme's light text on a light fill is unreadable.
    out.push_str(CLASSES);
    for id in actions.keys().filter(|id| drawn.contains(id)) {
        if let Some(class) = class_of(&actions, id) {
            let _ = writeln!(out, "  class {} {class}", nid(id));
        }
    }
    out.push_str("```\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_labels_are_mermaid_safe() {
        assert_eq!(nid("rs-vip-33"), "n_rs_2d_vip_2d_33");
        assert_ne!(nid("rs-vip"), nid("rs_vip"));
        assert_ne!(nid("a_2d"), nid("a-"));
        assert_eq!(label(r#"a "b" <c> #uname"#), "a #34;b#34; #60;c#62; #35;uname");
        assert_eq!(label("x\n```\n<!--"), "x#10;#96;#96;#96;#10;#60;#33;--");
    }
}
