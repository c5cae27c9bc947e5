//! The metadata snapshot shipped inside cibform: Pacemaker's option metadata and the metadata of
//! the resource and fence agents of one set of packages, made by `tools/snapshot-metadata.sh`
//! (which records the package versions in it). Used when no cluster node is asked: `validate`,
//! plans against CIB files without host tools, and agents a node does not have.
//!
//! Read once per process (`OnceLock`), on first use. No I/O: the file is compiled in.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::AgentMeta;

const TEXT: &str = include_str!("snapshot.xml");

/// The parsed snapshot.
#[derive(Debug)]
pub struct Snapshot {
    /// `(package, version)` as the script recorded them.
    pub packages: Vec<(String, String)>,
    agents: HashMap<String, AgentMeta>,
}

/// The snapshot, parsed on first use.
pub fn get() -> &'static Snapshot {
    static SNAPSHOT: OnceLock<Snapshot> = OnceLock::new();
    SNAPSHOT.get_or_init(|| parse(TEXT))
}

fn parse(text: &str) -> Snapshot {
    // The snapshot is part of the source tree; a test pins that it parses.
    let Ok(doc) = roxmltree::Document::parse(text) else {
        return Snapshot { packages: Vec::new(), agents: HashMap::new() };
    };
    let mut packages = Vec::new();
    let mut agents = HashMap::new();
    for e in doc.root_element().children().filter(roxmltree::Node::is_element) {
        match e.tag_name().name() {
            "package" => packages.push((
                e.attribute("name").unwrap_or_default().to_string(),
                e.attribute("version").unwrap_or_default().to_string(),
            )),
            "agent" => {
                let (Some(name), Some(ra)) =
                    (e.attribute("name"), e.children().find(|c| c.has_tag_name("resource-agent")))
                else {
                    continue;
                };
                agents.insert(name.to_string(), super::from_node(ra));
            }
            _ => {}
        }
    }
    Snapshot { packages, agents }
}

impl Snapshot {
    /// An agent's metadata by its full name (`ocf:heartbeat:IPaddr2`, `stonith:fence_ipmilan`),
    /// or a daemon's (`pacemaker-schedulerd`).
    pub fn agent(&self, name: &str) -> Option<&AgentMeta> {
        self.agents.get(name)
    }

    /// Every agent name in the snapshot.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.agents.keys().map(String::as_str)
    }

    /// The version of a package, without the Debian epoch and revision (`1:4.12.0-2` → `4.12.0`).
    pub fn version(&self, package: &str) -> Option<&str> {
        let (_, v) = self.packages.iter().find(|(p, v)| p == package && v != "unknown")?;
        let v = v.split_once(':').map_or(v.as_str(), |(_, rest)| rest);
        Some(v.split_once('-').map_or(v, |(upstream, _)| upstream))
    }

    /// What the snapshot holds, for "where metadata came from" lines.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = ["pacemaker", "resource-agents", "fence-agents"]
            .iter()
            .filter_map(|p| self.version(p).map(|v| format!("{p} {v}")))
            .collect();
        format!("snapshot of {}", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_snapshot_parses_and_names_its_packages() {
        let s = get();
        assert!(s.version("pacemaker").is_some(), "{:?}", s.packages);
        for daemon in ["pacemaker-schedulerd", "pacemaker-controld", "pacemaker-based", "pacemaker-fenced"] {
            assert!(s.agent(daemon).is_some_and(|m| !m.params.is_empty()), "{daemon}");
        }
        let ip = s.agent("ocf:heartbeat:IPaddr2").expect("IPaddr2 in the snapshot");
        assert!(ip.param("ip").is_some_and(|p| p.required && p.unique_group.is_some()));
        assert!(ip.actions.iter().any(|a| a == "monitor"));
        assert!(s.agent("ocf:pacemaker:ping").is_some_and(|m| m.param("host_list").is_some_and(|p| p.required)));
        assert!(s.agents.keys().any(|k| k.starts_with("stonith:fence_")), "fence agents in the snapshot");
        assert!(TEXT.len() < 1 << 20, "the snapshot stays under 1 MiB: {} bytes", TEXT.len());
    }

    #[test]
    fn versions_drop_epoch_and_revision() {
        let s = Snapshot {
            packages: vec![("resource-agents".into(), "1:4.12.0-2".into()), ("pacemaker".into(), "2.1.5".into())],
            agents: HashMap::new(),
        };
        assert_eq!(s.version("resource-agents"), Some("4.12.0"));
        assert_eq!(s.describe(), "snapshot of pacemaker 2.1.5, resource-agents 4.12.0");
    }
}
