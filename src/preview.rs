//! Stage 5a (preview): what Pacemaker's own scheduler would do after a change.
//!
//! cibform never guesses the transition: it hands the new CIB (new configuration, current
//! status) to `crm_simulate -R` and reads back the actions (`<rsc_action>`). This module builds
//! that command as data and parses its answer; running it is the backend's job.

use serde::{Deserialize, Serialize};

use crate::cib::xml::Element;
use crate::cib::Cib;
use crate::command::Cmd;

/// One action of the predicted transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimAction {
    /// `start`, `stop`, `restart`, `move`, `promote`, `demote`, `migrate`, ...
    pub action: String,
    pub resource: String,
    /// Where it happens (or where a move starts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Where a move or migration ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dest: Option<String>,
    /// Why, when Pacemaker says (`required rs-vip-33 start`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl std::fmt::Display for SimAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.action, self.resource)?;
        match (&self.node, &self.dest) {
            (Some(a), Some(b)) if a != b => write!(f, " from {a} to {b}")?,
            (_, Some(n)) | (Some(n), None) => write!(f, " on {n}")?,
            (None, None) => {}
        }
        if let Some(r) = &self.reason {
            write!(f, " ({r})")?;
        }
        Ok(())
    }
}

/// The transition preview of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Preview {
    /// The scheduler ran; `actions` is empty when nothing would start, stop or move.
    Ran { source: String, actions: Vec<SimAction> },
    /// It was not run, and why (lowercase).
    Skipped { reason: String },
}

/// The command: the CIB on standard input, the transition as XML on standard output.
pub fn command() -> Cmd {
    Cmd::new(&["crm_simulate", "--run", "--xml-pipe", "--output-as=xml"]).timeout(std::time::Duration::from_secs(30))
}

/// A "what if" on top of the change: something that happens to the cluster afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scenario {
    /// The node leaves cleanly (`--node-down`).
    NodeDown { node: String },
    /// The node fails (`--node-fail`): fenced if fencing is on.
    NodeFail { node: String },
    /// A transient node attribute takes a value (`pingd` drops to 0 when a NIC is cut).
    Attribute { node: String, name: String, value: String },
}

impl std::fmt::Display for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scenario::NodeDown { node } => write!(f, "{node} goes down"),
            Scenario::NodeFail { node } => write!(f, "{node} fails"),
            Scenario::Attribute { node, name, value } => write!(f, "{name} becomes {value} on {node}"),
        }
    }
}

impl Scenario {
    /// Parse `node-down=NODE`, `node-fail=NODE` or `attr=NODE:NAME=VALUE`.
    ///
    /// # Errors
    /// A message naming the accepted forms.
    pub fn parse(s: &str) -> Result<Scenario, String> {
        let forms = "use `node-down=NODE`, `node-fail=NODE` or `attr=NODE:NAME=VALUE` (e.g. `attr=t3021cent:pingd=0`)";
        let (kind, rest) = s.split_once('=').ok_or_else(|| format!("`{s}` is not a scenario: {forms}"))?;
        let node_ok = |n: &str| !n.is_empty() && !n.contains(['=', ':', ' ']);
        match kind {
            "node-down" if node_ok(rest) => Ok(Scenario::NodeDown { node: rest.into() }),
            "node-fail" if node_ok(rest) => Ok(Scenario::NodeFail { node: rest.into() }),
            "attr" => {
                let (node, nv) = rest.split_once(':').ok_or_else(|| format!("`{s}` needs NODE:NAME=VALUE"))?;
                let (name, value) = nv.split_once('=').ok_or_else(|| format!("`{s}` needs NODE:NAME=VALUE"))?;
                if !node_ok(node) || name.is_empty() {
                    return Err(format!("`{s}` needs NODE:NAME=VALUE"));
                }
                Ok(Scenario::Attribute { node: node.into(), name: name.into(), value: value.into() })
            }
            _ => Err(format!("`{s}` is not a scenario: {forms}")),
        }
    }

    /// The command for this scenario, and the CIB to feed it (attribute scenarios edit the status).
    ///
    /// # Errors
    /// The node is not in the CIB's status.
    pub fn prepare(&self, cib: &Cib) -> Result<(Cmd, Cib), String> {
        let mut cmd = command();
        let mut cib = cib.clone();
        let node = match self {
            Scenario::NodeDown { node } | Scenario::NodeFail { node } | Scenario::Attribute { node, .. } => node,
        };
        let status = cib.root.child_mut("status").ok_or("the CIB has no status section")?;
        let Some(state) =
            status.elements_mut().find(|e| e.name == "node_state" && e.attr("uname") == Some(node.as_str()))
        else {
            return Err(format!("node `{node}` is not in the CIB's status"));
        };
        match self {
            Scenario::NodeDown { node } => cmd.argv.extend(["--node-down".to_string(), node.clone()]),
            Scenario::NodeFail { node } => cmd.argv.extend(["--node-fail".to_string(), node.clone()]),
            Scenario::Attribute { name, value, .. } => {
                let id = state.id().unwrap_or_default().to_string();
                let ta = state.child_or_insert("transient_attributes");
                if ta.id().is_none() {
                    ta.set_attr("id", &id);
                }
                let set = ta.child_or_insert("instance_attributes");
                if set.id().is_none() {
                    set.set_attr("id", format!("status-{id}"));
                }
                let existing = set.elements().position(|nv| nv.attr("name") == Some(name.as_str()));
                if let Some(i) = existing {
                    if let Some(nv) = set.elements_mut().nth(i) {
                        nv.set_attr("value", value);
                    }
                } else {
                    let nv = Element::new("nvpair")
                        .with_attr("id", format!("status-{id}-{name}"))
                        .with_attr("name", name)
                        .with_attr("value", value);
                    set.children.push(crate::cib::xml::Node::Element(nv));
                }
            }
        }
        Ok((cmd, cib))
    }
}

/// Whether a CIB's status has any node in it (without one there is nothing to schedule).
pub fn has_status(cib: &Cib) -> bool {
    cib.root.child("status").is_some_and(|s| s.elements().any(|e| e.name == "node_state"))
}

/// Read `crm_simulate --output-as=xml`.
///
/// # Errors
/// The text is not the XML crm_simulate writes.
pub fn parse(xml: &str) -> Result<Vec<SimAction>, String> {
    let root = Element::parse(xml).map_err(|e| format!("crm_simulate's output is not XML: {}", e.message))?;
    if root.name != "pacemaker-result" {
        return Err(format!("unexpected crm_simulate output `<{}>`", root.name));
    }
    if let Some(status) = root.child("status") {
        if status.attr("code").is_some_and(|c| c != "0") {
            let msg = status.attr("message").unwrap_or("failed");
            let errors: Vec<String> =
                status.child("errors").map(|e| e.elements().map(Element::text).collect()).unwrap_or_default();
            return Err(format!("crm_simulate: {msg} {}", errors.join("; ")).trim_end().to_string());
        }
    }
    let Some(actions) = root.child("actions") else { return Ok(Vec::new()) };
    Ok(actions
        .elements()
        .filter(|a| a.name == "rsc_action")
        .map(|a| SimAction {
            action: a.attr("action").unwrap_or_default().to_string(),
            resource: a.attr("resource").unwrap_or_default().to_string(),
            node: a.attr("node").or(a.attr("source")).map(str::to_string),
            dest: a.attr("dest").map(str::to_string),
            reason: a.attr("reason").map(str::to_string),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_actions_crm_simulate_reports() {
        let xml = r#"<pacemaker-result api-version="2.25" request="crm_simulate"><cluster_status/><actions>
            <rsc_action action="restart" resource="rs-vip-33" source="t3021cent"/>
            <rsc_action action="restart" resource="rs-squid" source="t3021cent" reason="required rs-vip-33 start"/>
            <rsc_action action="move" resource="rs-x" source="n1" dest="n2"/>
            <rsc_action action="start" resource="rs-y" node="n2"/>
          </actions><status code="0" message="OK"/></pacemaker-result>"#;
        let a = parse(xml).unwrap();
        let text: Vec<String> = a.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "restart rs-vip-33 on t3021cent",
                "restart rs-squid on t3021cent (required rs-vip-33 start)",
                "move rs-x from n1 to n2",
                "start rs-y on n2"
            ]
        );
    }

    #[test]
    fn scenarios_parse_and_edit_the_status() {
        assert_eq!(Scenario::parse("node-down=n1").unwrap(), Scenario::NodeDown { node: "n1".into() });
        assert!(Scenario::parse("node-down=").is_err());
        assert!(Scenario::parse("reboot=n1").is_err());
        let s = Scenario::parse("attr=n1:pingd=0").unwrap();
        assert_eq!(s.to_string(), "pingd becomes 0 on n1");
        let cib = Cib::parse("c", r#"<cib epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/><nodes/><resources/><constraints/></configuration><status><node_state id="1" uname="n1"/></status></cib>"#).unwrap();
        let (cmd, edited) = s.prepare(&cib).unwrap();
        assert_eq!(cmd.argv, command().argv);
        assert!(edited.root.to_xml().contains(r#"<nvpair id="status-1-pingd" name="pingd" value="0"/>"#));
        let (cmd, _) = Scenario::parse("node-fail=n1").unwrap().prepare(&cib).unwrap();
        assert!(cmd.argv.ends_with(&["--node-fail".to_string(), "n1".to_string()]));
        assert!(Scenario::parse("node-down=n9").unwrap().prepare(&cib).is_err());
    }

    #[test]
    fn errors_are_reported_not_hidden() {
        assert!(parse("not xml").is_err());
        let failed = r#"<pacemaker-result><status code="78" message="Invalid configuration"><errors><error>bad</error></errors></status></pacemaker-result>"#;
        assert_eq!(parse(failed).unwrap_err(), "crm_simulate: Invalid configuration bad");
    }
}
