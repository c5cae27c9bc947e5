//! Diagrams of a cluster configuration, for Markdown plans (the planned cluster, each object
//! coloured by what the plan does to it) and for `cibform graph` (the whole cluster): resources
//! (groups with their start order and clones as boxes), constraints as edges, nodes and where
//! constraints place resources. One drawing (`Drawing`), built once from a `<configuration>`,
//! written as Mermaid (GitHub and GitLab render it in a comment) or as Graphviz dot.
//! Pure text generation: it decides nothing and reads nothing.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::cib::xml::Element;
use crate::plan::view::{is_resource, Section};
use crate::plan::{Action, Plan};

/// A diagram-safe node id for a CIB id, one-to-one: letters and digits stay, `_` doubles, and
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

/// The key of a cluster node in a drawing: CIB ids hold no `:`, so it never meets a CIB id.
fn node_key(uname: &str) -> String {
    format!("node:{uname}")
}

/// Text inside a Mermaid label: quotes, brackets, newlines and backticks would end it.
fn label(s: &str) -> String {
    super::escape::mermaid_label(s)
}

/// Text inside a dot label (double-quoted string): backslashes, quotes and line breaks.
fn dot_label(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// How a leaf is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A resource.
    Box,
    /// A location constraint.
    Hexagon,
    /// A cluster node.
    Stadium,
}

/// How an edge is drawn, and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// A group's start order.
    Plain,
    /// A mandatory order.
    Thick,
    /// An optional order, or a location constraint's target.
    Dotted,
    /// A colocation (no direction).
    Link,
    /// A location constraint's node (no direction).
    DottedLink,
}

#[derive(Debug, Clone)]
struct Edge {
    from: String,
    to: String,
    line: Line,
    label: Option<String>,
}

/// One thing drawn: a leaf (resource, constraint, node) or a frame around leaves (group, clone,
/// the nodes), keyed by CIB id (nodes: `node_key`).
#[derive(Debug, Clone)]
enum Item {
    Leaf { key: String, title: String, detail: Option<String>, shape: Shape },
    Frame { key: String, title: String, items: Vec<Item>, edges: Vec<Edge> },
}

impl Item {
    fn key(&self) -> &str {
        match self {
            Item::Leaf { key, .. } | Item::Frame { key, .. } => key,
        }
    }

    /// The first leaf inside (dot draws edges between leaves only).
    fn first_leaf(&self) -> Option<&str> {
        match self {
            Item::Leaf { key, .. } => Some(key),
            Item::Frame { items, .. } => items.iter().find_map(Item::first_leaf),
        }
    }
}

/// A whole diagram: what to draw and how each object is coloured.
#[derive(Debug, Clone, Default)]
pub struct Drawing {
    items: Vec<Item>,
    edges: Vec<Edge>,
    /// Key → `create`, `update` or `destroy`.
    classes: BTreeMap<String, &'static str>,
}

/// The colours of the Mermaid diagram; `LEGEND` says in words what they mean.
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

/// The resources a constraint names in `attr`, or in its resource sets, in order.
fn members(c: &Element, attr: &str) -> Vec<Vec<String>> {
    if let Some(a) = c.attr(attr) {
        return vec![vec![a.to_string()]];
    }
    c.elements()
        .filter(|s| s.name == "resource_set")
        .map(|s| s.elements().filter(|r| r.name == "resource_ref").filter_map(|r| r.id().map(str::to_string)).collect())
        .filter(|s: &Vec<String>| !s.is_empty())
        .collect()
}

/// The (from, to) resource pairs a two-resource constraint links: its two attributes, or, for
/// resource sets, each member to the next and the last of a set to the first of the next set.
fn pairs(c: &Element, from: &str, to: &str) -> Vec<(String, String)> {
    if let (Some(a), Some(b)) = (c.attr(from), c.attr(to)) {
        return vec![(a.to_string(), b.to_string())];
    }
    let sets = members(c, "\0");
    let mut out = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        out.extend(set.windows(2).map(|w| (w[0].clone(), w[1].clone())));
        if let (Some(last), Some(next)) = (set.last(), sets.get(i + 1).and_then(|n| n.first())) {
            out.push((last.clone(), next.clone()));
        }
    }
    out
}

fn resource(el: &Element) -> Item {
    let key = el.id().unwrap_or_default().to_string();
    match el.name.as_str() {
        "group" | "clone" | "master" => {
            let promotable = el.name == "master"
                || el
                    .elements()
                    .filter(|m| m.name == "meta_attributes")
                    .flat_map(Element::elements)
                    .any(|nv| nv.attr("name") == Some("promotable") && is_on(nv.attr("value")));
            let kind = match el.name.as_str() {
                "group" => "group",
                _ if promotable => "promotable clone",
                _ => "clone",
            };
            let members: Vec<Item> = el.elements().filter(|c| is_resource(&c.name)).map(resource).collect();
            let mut edges = Vec::new();
            if el.name == "group" {
                for w in members.windows(2) {
                    edges.push(Edge { from: w[0].key().into(), to: w[1].key().into(), line: Line::Plain, label: None });
                }
            }
            Item::Frame { title: format!("{kind} {key}"), key, items: members, edges }
        }
        _ => Item::Leaf {
            title: key.clone(),
            key,
            detail: Some(el.attr("type").unwrap_or_default().to_string()),
            shape: Shape::Box,
        },
    }
}

fn is_on(v: Option<&str>) -> bool {
    matches!(v.map(str::to_ascii_lowercase).as_deref(), Some("on" | "true" | "yes" | "1"))
}

/// The cluster nodes, standby marked, in one frame.
fn nodes(cfg: &Element) -> Option<Item> {
    let items: Vec<Item> = cfg
        .child("nodes")?
        .elements()
        .filter(|n| n.name == "node")
        .filter_map(|n| {
            let uname = n.attr("uname")?;
            let standby = n
                .elements()
                .filter(|s| s.name == "instance_attributes")
                .flat_map(Element::elements)
                .any(|nv| nv.attr("name") == Some("standby") && is_on(nv.attr("value")));
            let title = if standby { format!("{uname} (standby)") } else { uname.to_string() };
            Some(Item::Leaf { key: node_key(uname), title, detail: None, shape: Shape::Stadium })
        })
        .collect();
    (!items.is_empty()).then(|| Item::Frame { key: node_key(""), title: "nodes".into(), items, edges: Vec::new() })
}

/// A location constraint: a hexagon saying what it does, to each resource it places, and from
/// the node it names.
fn location(d: &mut Drawing, c: &Element, cid: &str, known_nodes: &[String]) {
    let score = c.attr("score").unwrap_or("");
    let what = match (c.attr("node"), c.child("rule")) {
        (Some(node), _) => location_label(score, &format!("on {node}")),
        (None, Some(rule)) => {
            let text =
                crate::rule::from_xml(rule).map(|r| crate::rule::to_text(&r)).unwrap_or_else(|_| "a rule".into());
            let score = rule.attr("score").or(rule.attr("score-attribute")).unwrap_or("");
            location_label(score, &format!("where {text}"))
        }
        _ => "location".into(),
    };
    let targets: Vec<String> = members(c, "rsc").into_iter().flatten().collect();
    if targets.is_empty() {
        return;
    }
    d.items.push(Item::Leaf { key: cid.into(), title: what, detail: None, shape: Shape::Hexagon });
    for t in targets {
        d.edges.push(Edge { from: cid.into(), to: t, line: Line::Dotted, label: None });
    }
    if let Some(node) = c.attr("node").filter(|n| known_nodes.iter().any(|k| k == n)) {
        d.edges.push(Edge { from: node_key(node), to: cid.into(), line: Line::DottedLink, label: None });
    }
}

impl Drawing {
    /// The drawing of `cfg` (a `<configuration>`), each object coloured by `actions`; `destroyed`
    /// (kind, id) are drawn apart, as they are no longer in `cfg`.
    fn new(cfg: &Element, actions: &BTreeMap<String, Action>, destroyed: &[(String, String)]) -> Drawing {
        let mut d = Drawing::default();
        if let Some(res) = cfg.child("resources") {
            d.items.extend(res.elements().filter(|e| is_resource(&e.name)).map(resource));
        }
        let node_frame = nodes(cfg);
        let known_nodes: Vec<String> = match &node_frame {
            Some(Item::Frame { items, .. }) => {
                items.iter().map(|i| i.key().trim_start_matches("node:").to_string()).collect()
            }
            _ => Vec::new(),
        };
        if let Some(cons) = cfg.child("constraints") {
            for c in cons.elements() {
                d.constraint(c, actions, &known_nodes);
            }
        }
        d.items.extend(node_frame);
        for (kind, id) in destroyed {
            d.items.push(Item::Leaf {
                key: id.clone(),
                title: format!("{kind} {id} (destroyed)"),
                detail: None,
                shape: Shape::Box,
            });
        }
        let mut drawn = Vec::new();
        collect_keys(&d.items, &mut drawn);
        for (id, a) in actions.iter().filter(|(id, _)| drawn.contains(id)) {
            let class = match a {
                Action::Create => "create",
                Action::Update => "update",
                Action::Destroy => "destroy",
            };
            d.classes.insert(id.clone(), class);
        }
        d
    }

    fn constraint(&mut self, c: &Element, actions: &BTreeMap<String, Action>, known_nodes: &[String]) {
        let cid = c.id().unwrap_or_default();
        let score = c.attr("score").unwrap_or("");
        let mark = mark(actions, cid);
        match c.name.as_str() {
            "rsc_location" => location(self, c, cid, known_nodes),
            "rsc_colocation" => {
                let roles = match (c.attr("rsc-role"), c.attr("with-rsc-role")) {
                    (None, None) => String::new(),
                    (r, w) => format!(" ({} with {})", r.unwrap_or("Started"), w.unwrap_or("Started")),
                };
                for (a, b) in pairs(c, "rsc", "with-rsc") {
                    let label = Some(format!("{mark}with {score}{roles}"));
                    self.edges.push(Edge { from: a, to: b, line: Line::Link, label });
                }
            }
            "rsc_order" => {
                let optional = c.attr("kind") == Some("Optional") || score == "0";
                let (line, text) = if optional { (Line::Dotted, "then, if both run") } else { (Line::Thick, "then") };
                let text = match (c.attr("first-action"), c.attr("then-action")) {
                    (None, None) => text.to_string(),
                    (f, t) => format!("{} {text} {}", f.unwrap_or("start"), t.unwrap_or("start")),
                };
                for (a, b) in pairs(c, "first", "then") {
                    self.edges.push(Edge { from: a, to: b, line, label: Some(format!("{mark}{text}")) });
                }
            }
            _ => {}
        }
    }

    /// The drawing of a plan's new configuration, coloured by the plan's changes.
    pub fn of_plan(plan: &Plan) -> Drawing {
        let drawn = plan.changes.iter().filter(|c| matches!(c.key.section, Section::Resources | Section::Constraints));
        let actions: BTreeMap<String, Action> = drawn.clone().map(|c| (c.key.id.clone(), c.action)).collect();
        let destroyed: Vec<(String, String)> =
            drawn.filter(|c| c.action == Action::Destroy).map(|c| (c.key.kind.clone(), c.key.id.clone())).collect();
        Drawing::new(&plan.new_config, &actions, &destroyed)
    }

    /// The drawing of a configuration as it is, uncoloured.
    pub fn of_configuration(cfg: &Element) -> Drawing {
        Drawing::new(cfg, &BTreeMap::new(), &[])
    }

    /// Mermaid flowchart text (no Markdown fence).
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        for item in &self.items {
            mermaid_item(item, &mut out, 1);
        }
        for e in &self.edges {
            mermaid_edge(e, &mut out, "  ");
        }
        // Every class sets its text colour: a dark theme's light text on a light fill is unreadable.
        out.push_str(CLASSES);
        for (key, class) in &self.classes {
            let _ = writeln!(out, "  class {} {class}", nid(key));
        }
        out
    }

    /// Graphviz dot text.
    pub fn to_dot(&self) -> String {
        let mut leaves = BTreeMap::new();
        collect_first_leaves(&self.items, &mut leaves);
        let mut out = String::from("digraph cluster {\n  rankdir=LR;\n  compound=true;\n  graph [fontname=\"sans-serif\"];\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"sans-serif\"];\n  edge [fontname=\"sans-serif\", fontsize=10];\n");
        for item in &self.items {
            self.dot_item(item, &mut out, 1, &leaves);
        }
        for e in &self.edges {
            dot_edge(e, &mut out, "  ", &leaves);
        }
        out.push_str("}\n");
        out
    }

    fn dot_item(&self, item: &Item, out: &mut String, depth: usize, leaves: &BTreeMap<String, String>) {
        let pad = "  ".repeat(depth);
        let colour = |key: &str| match self.classes.get(key).copied() {
            Some("create") => ", fillcolor=\"#b7ebb7\", color=\"#1b5e20\"",
            Some("update") => ", fillcolor=\"#ffd166\", color=\"#8a5a00\"",
            Some("destroy") => ", fillcolor=\"#f4a6a6\", color=\"#b71c1c\", style=\"rounded,filled,dashed\"",
            _ => "",
        };
        match item {
            Item::Leaf { key, title, detail, shape } => {
                let text = match detail {
                    Some(d) => format!("{title}\n{d}"),
                    None => title.clone(),
                };
                let shape = match shape {
                    Shape::Box => "box",
                    Shape::Hexagon => "hexagon",
                    Shape::Stadium => "ellipse",
                };
                let _ =
                    writeln!(out, "{pad}{} [shape={shape}, label=\"{}\"{}];", nid(key), dot_label(&text), colour(key));
            }
            Item::Frame { key, title, items, edges } => {
                let _ = writeln!(out, "{pad}subgraph cluster_{} {{", nid(key));
                let fill = match self.classes.get(key).copied() {
                    Some("create") => "#e3f6e3",
                    Some("update") => "#fff1cc",
                    Some("destroy") => "#fbe0e0",
                    _ => "#f4f4f4",
                };
                let _ = writeln!(
                    out,
                    "{pad}  label=\"{}\"; style=\"rounded,filled\"; fillcolor=\"{fill}\";",
                    dot_label(title)
                );
                for i in items {
                    self.dot_item(i, out, depth + 1, leaves);
                }
                for e in edges {
                    dot_edge(e, out, &format!("{pad}  "), leaves);
                }
                let _ = writeln!(out, "{pad}}}");
            }
        }
    }
}

fn collect_keys(items: &[Item], out: &mut Vec<String>) {
    for i in items {
        out.push(i.key().to_string());
        if let Item::Frame { items, .. } = i {
            collect_keys(items, out);
        }
    }
}

/// Frame key → its first leaf (dot's edges to a frame end at that leaf, clipped at the frame).
fn collect_first_leaves(items: &[Item], out: &mut BTreeMap<String, String>) {
    for i in items {
        if let Item::Frame { key, items, .. } = i {
            if let Some(leaf) = i.first_leaf() {
                out.insert(key.clone(), leaf.to_string());
            }
            collect_first_leaves(items, out);
        }
    }
}

fn mermaid_item(item: &Item, out: &mut String, depth: usize) {
    let pad = "  ".repeat(depth);
    match item {
        Item::Leaf { key, title, detail, shape } => {
            let text = match detail {
                Some(d) => format!("{}<br/><small>{}</small>", label(title), label(d)),
                None => label(title),
            };
            let (open, close) = match shape {
                Shape::Box => ("[", "]"),
                Shape::Hexagon => ("{{", "}}"),
                Shape::Stadium => ("([", "])"),
            };
            let _ = writeln!(out, "{pad}{}{open}\"{text}\"{close}", nid(key));
        }
        Item::Frame { key, title, items, edges } => {
            let _ = writeln!(out, "{pad}subgraph {}[\"{}\"]", nid(key), label(title));
            for i in items {
                mermaid_item(i, out, depth + 1);
            }
            for e in edges {
                mermaid_edge(e, out, &format!("{pad}  "));
            }
            let _ = writeln!(out, "{pad}end");
        }
    }
}

fn mermaid_edge(e: &Edge, out: &mut String, pad: &str) {
    let arrow = match e.line {
        Line::Plain => "-->",
        Line::Thick => "==>",
        Line::Dotted => "-.->",
        Line::Link => "---",
        Line::DottedLink => "-.-",
    };
    match &e.label {
        Some(l) => {
            let _ = writeln!(out, "{pad}{} {arrow}|\"{}\"| {}", nid(&e.from), label(l), nid(&e.to));
        }
        None => {
            let _ = writeln!(out, "{pad}{} {arrow} {}", nid(&e.from), nid(&e.to));
        }
    }
}

fn dot_edge(e: &Edge, out: &mut String, pad: &str, leaves: &BTreeMap<String, String>) {
    let mut attrs: Vec<String> = Vec::new();
    let end = |key: &str, clip: &str, attrs: &mut Vec<String>| match leaves.get(key) {
        Some(leaf) => {
            attrs.push(format!("{clip}=cluster_{}", nid(key)));
            nid(leaf)
        }
        None => nid(key),
    };
    let from = end(&e.from, "ltail", &mut attrs);
    let to = end(&e.to, "lhead", &mut attrs);
    match e.line {
        Line::Plain => {}
        Line::Thick => attrs.push("penwidth=2.5".into()),
        Line::Dotted => attrs.push("style=dashed".into()),
        Line::Link => attrs.push("dir=none".into()),
        Line::DottedLink => attrs.extend(["style=dashed".into(), "dir=none".into()]),
    }
    if let Some(l) = &e.label {
        attrs.push(format!("label=\"{}\"", dot_label(l)));
    }
    if attrs.is_empty() {
        let _ = writeln!(out, "{pad}{from} -> {to};");
    } else {
        let _ = writeln!(out, "{pad}{from} -> {to} [{}];", attrs.join(", "));
    }
}

/// The plan's diagram, as a fenced `mermaid` block.
pub fn mermaid(plan: &Plan) -> String {
    format!("```mermaid\n{}```\n", Drawing::of_plan(plan).to_mermaid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_labels_are_mermaid_safe() {
        assert_eq!(nid("rs-vip-33"), "n_rs_2d_vip_2d_33");
        assert_ne!(nid("rs-vip"), nid("rs_vip"));
        assert_ne!(nid("a_2d"), nid("a-"));
        assert_ne!(nid(&node_key("a")), nid("a"));
        assert_eq!(label(r#"a "b" <c> #uname"#), "a #34;b#34; #60;c#62; #35;uname");
        assert_eq!(label("x\n```\n<!--"), "x#10;#96;#96;#96;#10;#60;#33;--");
    }

    #[test]
    fn dot_labels_cannot_end_their_string() {
        assert_eq!(dot_label("a \"b\" \\ c\nd\u{1}"), "a \\\"b\\\" \\\\ c\\nd ");
    }

    fn cfg(xml: &str) -> Element {
        Element::parse(&format!("<configuration><crm_config/>{xml}</configuration>")).unwrap()
    }

    #[test]
    fn nodes_standby_and_placement_on_a_node_are_drawn() {
        let c = cfg(
            r#"<nodes><node id="1" uname="a"><instance_attributes id="n"><nvpair id="s" name="standby" value="on"/></instance_attributes></node><node id="2" uname="b"/></nodes><resources><primitive id="r" class="ocf" provider="pacemaker" type="Dummy"/></resources><constraints><rsc_location id="l" rsc="r" node="b" score="100"/></constraints>"#,
        );
        let m = Drawing::of_configuration(&c).to_mermaid();
        assert!(m.contains("n_node_3a_a([\"a #40;standby#41;\"])"), "{m}");
        assert!(m.contains("n_l{{\"prefer #40;100#41; on b\"}}\n"), "{m}");
        assert!(m.contains("n_l -.-> n_r\n") && m.contains("n_node_3a_b -.- n_l\n"), "{m}");
        let d = Drawing::of_configuration(&c).to_dot();
        assert!(d.contains("n_node_3a_b -> n_l [style=dashed, dir=none];"), "{d}");
    }

    #[test]
    fn location_with_a_resource_set_reaches_every_member() {
        let c = cfg(
            r#"<nodes/><resources><primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="b" class="ocf" provider="pacemaker" type="Dummy"/></resources><constraints><rsc_location id="l" score="-INFINITY" node="x"><resource_set id="s"><resource_ref id="a"/><resource_ref id="b"/></resource_set></rsc_location></constraints>"#,
        );
        let m = Drawing::of_configuration(&c).to_mermaid();
        assert!(m.contains("n_l -.-> n_a\n") && m.contains("n_l -.-> n_b\n"), "{m}");
    }

    #[test]
    fn dot_edges_to_a_group_end_at_its_first_member_clipped_at_the_box() {
        let c = cfg(
            r#"<nodes/><resources><group id="g"><primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="b" class="ocf" provider="pacemaker" type="Dummy"/></group><primitive id="c" class="ocf" provider="pacemaker" type="Dummy"/></resources><constraints><rsc_order id="o" first="g" then="c" kind="Optional"/></constraints>"#,
        );
        let d = Drawing::of_configuration(&c).to_dot();
        assert!(d.contains("n_a -> n_c [ltail=cluster_n_g, style=dashed, label=\"then, if both run\"];"), "{d}");
        assert!(d.contains("    n_a -> n_b;\n"), "{d}");
    }
}
