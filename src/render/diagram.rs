//! A Mermaid diagram of the planned cluster for Markdown plans: resources (groups and clones as
//! boxes), constraints as edges, and each object coloured by what the plan does to it. GitHub and
//! GitLab render it in a pull-request comment. Pure text generation.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::cib::xml::Element;
use crate::plan::view::{is_resource, Section};
use crate::plan::{Action, Plan};

/// A Mermaid-safe node id for a CIB id.
fn nid(id: &str) -> String {
    let mut s: String = id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    s.insert_str(0, "n_");
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
                        (Some(node), _) => format!("{node}: {score}"),
                        (None, Some(rule)) => {
                            let text = crate::rule::from_xml(rule)
                                .map(|r| crate::rule::to_text(&r))
                                .unwrap_or_else(|_| "rule".into());
                            format!("{text}: {}", rule.attr("score").unwrap_or(""))
                        }
                        _ => "location".into(),
                    };
                    if let Some(rsc) = c.attr("rsc") {
                        let _ = writeln!(out, "  {}{{{{\"{}\"}}}} -.-> {}", nid(cid), label(&what), nid(rsc));
                        drawn.push(cid.to_string());
                    }
                }
                "rsc_colocation" => {
                    if let (Some(a), Some(b)) = (c.attr("rsc"), c.attr("with-rsc")) {
                        let _ = writeln!(out, "  {} ---|\"with {}\"| {}", nid(a), label(score), nid(b));
                    }
                }
                "rsc_order" => {
                    if let (Some(a), Some(b)) = (c.attr("first"), c.attr("then")) {
                        let _ = writeln!(out, "  {} ==>|\"then\"| {}", nid(a), nid(b));
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
    out.push_str("  classDef create fill:#d8f5d8,stroke:#2e7d32\n  classDef update fill:#fff4c2,stroke:#b7791f\n  classDef destroy fill:#f9d6d5,stroke:#c62828,stroke-dasharray: 4 2\n");
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
        assert_eq!(nid("rs-vip-33"), "n_rs_vip_33");
        assert_eq!(label(r#"a "b" <c> #uname"#), "a #34;b#34; #60;c#62; #35;uname");
        assert_eq!(label("x\n```\n<!--"), "x#10;#96;#96;#96;#10;#60;#33;--");
    }
}
