//! Stage 3 (corosync): corosync.conf text ⇄ the facts cibform compares with the cluster file
//! (cluster name, transport, nodes with ids and per-link addresses, votequorum options), and the
//! comparison itself, with each difference classed by how disruptive it is to change.
//!
//! Pure: parses text and compares values. Reading the file is the backend's job; changing it is
//! not automated yet (the plan says how, and what it costs).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::{codes, Span};
use crate::diag::{Diag, Source};
use crate::model::Cluster;

/// One `key: value` or `name { ... }` of corosync.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Value(String, String),
    Section(Section),
}

/// A `name { ... }` block (the file itself is an unnamed section).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    pub name: String,
    pub items: Vec<Item>,
}

impl Section {
    /// Sub-sections with this name.
    pub fn sections<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Section> + 'a {
        self.items.iter().filter_map(move |i| match i {
            Item::Section(s) if s.name == name => Some(s),
            _ => None,
        })
    }

    /// The last value of a key (corosync uses the last one).
    pub fn value(&self, key: &str) -> Option<&str> {
        self.items.iter().rev().find_map(|i| match i {
            Item::Value(k, v) if k == key => Some(v.as_str()),
            _ => None,
        })
    }
}

/// Parse corosync.conf.
///
/// # Errors
/// A diagnostic on the offending line (unbalanced braces, a line that is neither `key: value` nor
/// `name {` nor `}`).
pub fn parse(name: &str, text: &str) -> Result<Section, Box<Diag>> {
    let src = Source::new(name, text);
    let mut stack: Vec<Section> = vec![Section::default()];
    let mut offset = 0;
    let fail = |offset: usize, len: usize, msg: String, help: &str| {
        Box::new(
            Diag::error(codes::COROSYNC_SYNTAX, msg)
                .label(Span { offset, len: len.max(1) }, "here")
                .help(help)
                .in_source(&src),
        )
    };
    for raw_line in text.split_inclusive('\n') {
        let line = raw_line.trim();
        let here = offset + (raw_line.len() - raw_line.trim_start().len());
        offset += raw_line.len();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "}" {
            if stack.len() == 1 {
                return Err(fail(
                    here,
                    1,
                    format!("`}}` without an open section in `{name}`"),
                    "remove it or open the section it closes",
                ));
            }
            let done = stack.pop().expect("len checked");
            stack.last_mut().expect("root stays").items.push(Item::Section(done));
        } else if let Some(head) = line.strip_suffix('{') {
            let head = head.trim();
            if head.is_empty() || head.contains(':') {
                return Err(fail(
                    here,
                    line.len(),
                    format!("`{line}` is not a section header"),
                    "a section starts with `name {`",
                ));
            }
            stack.push(Section { name: head.to_string(), items: Vec::new() });
        } else if let Some((k, v)) = line.split_once(':') {
            stack.last_mut().expect("root stays").items.push(Item::Value(k.trim().to_string(), v.trim().to_string()));
        } else {
            return Err(fail(
                here,
                line.len(),
                format!("`{line}` is neither `key: value` nor a section"),
                "corosync.conf lines are `key: value`, `name {` or `}`",
            ));
        }
    }
    if stack.len() > 1 {
        let open = stack.last().map(|s| s.name.clone()).unwrap_or_default();
        return Err(fail(
            text.len().saturating_sub(1),
            1,
            format!("section `{open}` is never closed in `{name}`"),
            "add the missing `}`",
        ));
    }
    Ok(stack.pop().expect("root"))
}

/// A node of the nodelist.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfNode {
    pub name: Option<String>,
    pub nodeid: Option<String>,
    /// Link number → address (`ring0_addr`, `ring1_addr`, ...).
    pub addrs: BTreeMap<u8, String>,
}

/// What cibform reads from corosync.conf.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    pub cluster_name: Option<String>,
    pub transport: Option<String>,
    pub nodes: Vec<ConfNode>,
    /// votequorum options as written (`two_node: 1`).
    pub quorum: BTreeMap<String, String>,
}

impl Facts {
    pub fn from_conf(conf: &Section) -> Facts {
        let totem = conf.sections("totem").last();
        let mut facts = Facts {
            cluster_name: totem.and_then(|t| t.value("cluster_name")).map(str::to_string),
            transport: totem.and_then(|t| t.value("transport")).map(str::to_string),
            ..Facts::default()
        };
        for nl in conf.sections("nodelist") {
            for n in nl.sections("node") {
                let mut node = ConfNode {
                    name: n.value("name").map(str::to_string),
                    nodeid: n.value("nodeid").map(str::to_string),
                    addrs: BTreeMap::new(),
                };
                for item in &n.items {
                    if let Item::Value(k, v) = item {
                        if let Some(link) = k
                            .strip_prefix("ring")
                            .and_then(|r| r.strip_suffix("_addr"))
                            .and_then(|l| l.parse::<u8>().ok())
                        {
                            node.addrs.insert(link, v.clone());
                        }
                    }
                }
                facts.nodes.push(node);
            }
        }
        if let Some(q) = conf.sections("quorum").last() {
            for item in &q.items {
                if let Item::Value(k, v) = item {
                    facts.quorum.insert(k.clone(), v.clone());
                }
            }
        }
        facts
    }

    /// A boolean votequorum option (`1`/`0`; absent → `None`).
    pub fn quorum_flag(&self, key: &str) -> Option<bool> {
        self.quorum.get(key).map(|v| v == "1" || v.eq_ignore_ascii_case("yes") || v.eq_ignore_ascii_case("on"))
    }
}

/// How disruptive a corosync change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disruption {
    /// `corosync-cfgtool -R` on every node; nothing stops.
    Reload,
    /// An online procedure: nodes stay up, one step at a time.
    Online,
    /// Every node must be stopped and started again.
    FullStop,
}

impl std::fmt::Display for Disruption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Disruption::Reload => "reload",
            Disruption::Online => "online procedure",
            Disruption::FullStop => "full stop",
        })
    }
}

/// One difference between the file and corosync.conf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ConfChange {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    pub disruption: Disruption,
    /// How an admin makes this change today.
    pub procedure: String,
}

fn change(
    key: String,
    before: Option<&str>,
    after: Option<&str>,
    disruption: Disruption,
    procedure: &str,
) -> ConfChange {
    ConfChange {
        key,
        before: before.map(str::to_string),
        after: after.map(str::to_string),
        disruption,
        procedure: procedure.to_string(),
    }
}

const QUORUM: [(&str, Disruption, &str); 5] = [
    (
        "two_node",
        Disruption::FullStop,
        "stop the cluster, edit the quorum section on every node (`pcs quorum update two_node=...`), start it",
    ),
    ("wait_for_all", Disruption::FullStop, "stop the cluster, `pcs quorum update wait_for_all=...`, start it"),
    (
        "last_man_standing",
        Disruption::FullStop,
        "stop the cluster, `pcs quorum update last_man_standing=...`, start it",
    ),
    ("auto_tie_breaker", Disruption::FullStop, "stop the cluster, `pcs quorum update auto_tie_breaker=...`, start it"),
    ("expected_votes", Disruption::Online, "`pcs quorum expected-votes N` (runtime), and set it in corosync.conf"),
];

/// Compare what the file declares with corosync.conf. Only what the file declares is compared:
/// no nodes declared → the nodelist is not compared; an undeclared quorum option is not compared.
pub fn compare(model: &Cluster, facts: &Facts) -> Vec<ConfChange> {
    let mut out = Vec::new();
    if facts.cluster_name.as_deref() != Some(model.name.as_str()) {
        out.push(change("totem.cluster_name".into(), facts.cluster_name.as_deref(), Some(&model.name), Disruption::FullStop, "stop the cluster, edit totem.cluster_name on every node (`pcs cluster corosync`), start it; Pacemaker then records the new cluster-name"));
    }
    if !model.nodes.is_empty() {
        for n in &model.nodes {
            let id = n.id.to_string();
            let want: BTreeMap<u8, String> =
                n.addrs.iter().enumerate().map(|(i, a)| (u8::try_from(i).unwrap_or(u8::MAX), a.clone())).collect();
            match facts.nodes.iter().find(|c| c.name.as_deref() == Some(n.name.as_str())) {
                None => out.push(change(
                    format!("node {}", n.name),
                    None,
                    Some(&describe(&id, &want)),
                    Disruption::Online,
                    "`pcs cluster node add NAME addr=...` (one node at a time)",
                )),
                Some(c) => {
                    if c.nodeid.as_deref() != Some(id.as_str()) {
                        out.push(change(
                            format!("node {} nodeid", n.name),
                            c.nodeid.as_deref(),
                            Some(&id),
                            Disruption::FullStop,
                            "stop the cluster, change nodeid on every node, start it (or remove and re-add the node)",
                        ));
                    }
                    let links: std::collections::BTreeSet<u8> = want.keys().chain(c.addrs.keys()).copied().collect();
                    for l in links {
                        let (b, a) = (c.addrs.get(&l), want.get(&l));
                        if b != a {
                            out.push(change(format!("node {} link {l}", n.name), b.map(String::as_str), a.map(String::as_str), Disruption::Online, "`pcs cluster link update`, or `pcs cluster link delete` + `link add`, on a running cluster"));
                        }
                    }
                }
            }
        }
        for (i, c) in facts.nodes.iter().enumerate() {
            let name = c.name.clone().unwrap_or_else(|| format!("nodeid {}", c.nodeid.as_deref().unwrap_or("?")));
            // Only the first entry of a name was compared: a repeated name or nodeid is one
            // more entry, however it matches, and corosync needs each once.
            let earlier = &facts.nodes[..i];
            let repeated = earlier
                .iter()
                .any(|e| (e.name.is_some() && e.name == c.name) || (e.nodeid.is_some() && e.nodeid == c.nodeid));
            if repeated {
                out.push(change(
                    format!("node {name} (listed again)"),
                    Some(&describe(c.nodeid.as_deref().unwrap_or("?"), &c.addrs)),
                    None,
                    Disruption::FullStop,
                    "corosync.conf lists this node name or nodeid twice: remove the extra `node { }` entry on every node and restart the cluster",
                ));
            } else if !model.nodes.iter().any(|n| Some(n.name.as_str()) == c.name.as_deref()) {
                out.push(change(
                    format!("node {name}"),
                    Some(&describe(c.nodeid.as_deref().unwrap_or("?"), &c.addrs)),
                    None,
                    Disruption::Online,
                    "`pcs cluster node remove NAME`",
                ));
            }
        }
    }
    let q = &model.quorum;
    let declared: [(&str, Option<String>); 5] = [
        ("two_node", q.two_node.map(|b| u8::from(b).to_string())),
        ("wait_for_all", q.wait_for_all.map(|b| u8::from(b).to_string())),
        ("last_man_standing", q.last_man_standing.map(|b| u8::from(b).to_string())),
        ("auto_tie_breaker", q.auto_tie_breaker.map(|b| u8::from(b).to_string())),
        ("expected_votes", q.expected_votes.map(|v| v.to_string())),
    ];
    for ((key, want), (_, disruption, how)) in declared.iter().zip(QUORUM) {
        let Some(want) = want else { continue };
        let have = facts.quorum.get(*key);
        let same = match (*key, have) {
            ("expected_votes", h) => h == Some(want),
            (_, h) => {
                facts.quorum_flag(key).map(|b| u8::from(b).to_string()) == Some(want.clone())
                    || (h.is_none() && want == "0")
            }
        };
        if !same {
            out.push(change(format!("quorum.{key}"), have.map(String::as_str), Some(want), disruption, how));
        }
    }
    out
}

fn describe(id: &str, addrs: &BTreeMap<u8, String>) -> String {
    let a: Vec<&str> = addrs.values().map(String::as_str).collect();
    format!("nodeid {id}, addrs {}", a.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = "totem {\n    version: 2\n    cluster_name: clst-01\n    transport: knet\n}\n\nnodelist {\n    node {\n        ring0_addr: 192.168.33.21\n        ring1_addr: 192.168.22.21\n        name: t3021cent\n        nodeid: 1\n    }\n    node {\n        ring0_addr: 192.168.33.22\n        ring1_addr: 192.168.22.22\n        name: t3022cent\n        nodeid: 2\n    }\n}\n\n# comment\nquorum {\n    provider: corosync_votequorum\n    two_node: 1\n}\n";

    fn model(yaml: &str) -> Cluster {
        let (src, raw) = crate::config::parse("t.yaml", yaml.as_bytes()).unwrap();
        crate::validate::validate(&src, &raw).unwrap().0
    }

    #[test]
    fn reads_what_pcs_writes() {
        let f = Facts::from_conf(&parse("corosync.conf", CONF).unwrap());
        assert_eq!(f.cluster_name.as_deref(), Some("clst-01"));
        assert_eq!(f.nodes.len(), 2);
        assert_eq!(f.nodes[1].addrs[&1], "192.168.22.22");
        assert_eq!(f.quorum_flag("two_node"), Some(true));
    }

    #[test]
    fn the_reference_example_matches_its_corosync_conf() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/clst-01/cluster.yaml")).unwrap();
        let f = Facts::from_conf(&parse("corosync.conf", CONF).unwrap());
        assert_eq!(compare(&model(&text), &f), Vec::new());
    }

    #[test]
    fn differences_are_classed_by_disruption() {
        let f = Facts::from_conf(&parse("corosync.conf", CONF).unwrap());
        let m = model("cluster: clst-02\nnodes:\n  t3021cent: { id: 1, addrs: [192.168.33.21, 192.168.22.99] }\n  t3023cent: { id: 3, addrs: [192.168.33.23, 192.168.22.23] }\nquorum: { wait_for_all: true }\n");
        let got: Vec<(String, Disruption)> = compare(&m, &f).into_iter().map(|c| (c.key, c.disruption)).collect();
        assert_eq!(
            got,
            [
                ("totem.cluster_name".to_string(), Disruption::FullStop),
                ("node t3021cent link 1".to_string(), Disruption::Online),
                ("node t3023cent".to_string(), Disruption::Online),
                ("node t3022cent".to_string(), Disruption::Online),
                ("quorum.wait_for_all".to_string(), Disruption::FullStop),
            ]
        );
    }

    #[test]
    fn syntax_errors_point_at_the_line() {
        let e = parse("c.conf", "totem {\n  version 2\n}\n").unwrap_err();
        assert_eq!(e.location().as_deref(), Some("c.conf:2:3"));
        assert!(parse("c.conf", "totem {\n").is_err());
        assert!(parse("c.conf", "}\n").is_err());
    }
}
