//! Stage 5a (preview): what Pacemaker's own scheduler would do after a change.
//!
//! cibform never guesses the transition: it hands the new CIB (new configuration, current
//! status) to `crm_simulate -R` and reads back the actions (`<rsc_action>`); a failover test's
//! case goes to `crm_simulate -S` for the state after the transition and its graph. This module
//! builds those commands as data and parses the answers; running them is the backend's job.

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
pub use crate::model::Event as Scenario;

/// Most characters of a `--what-if` argument echoed in an error.
const SHOWN_CHARS: usize = 80;

impl std::fmt::Display for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scenario::NodeDown { node } => write!(f, "{node} goes down"),
            Scenario::NodeFail { node } => write!(f, "{node} fails"),
            Scenario::Attribute { node, name, value } => write!(f, "{name} becomes {value} on {node}"),
            Scenario::AttributeUnset { node, name } => write!(f, "{name} is undefined on {node}"),
            Scenario::Standby { node } => write!(f, "{node} is in standby"),
            Scenario::OpFails { resource, op, node, rc, .. } => {
                write!(f, "{op} of {resource} fails on {node} (rc {rc})")
            }
            Scenario::TicketGranted { ticket } => write!(f, "ticket {ticket} is granted"),
            Scenario::TicketRevoked { ticket } => write!(f, "ticket {ticket} is revoked"),
        }
    }
}

impl Scenario {
    /// The scenario as printers may show it: an attribute value under a secret name (`password`,
    /// the file's `policy.sensitive`) is masked, as are a URL's credentials in any value. The
    /// scheduler is asked with the real value.
    pub fn masked(&self, mask: &crate::mask::Mask) -> Scenario {
        match self {
            Scenario::Attribute { node, name, value } => {
                let value = if mask.is_sensitive(name) { crate::mask::MASK.into() } else { crate::mask::urls(value) };
                Scenario::Attribute { node: node.clone(), name: name.clone(), value }
            }
            other => other.clone(),
        }
    }

    /// Parse `node-down=NODE`, `node-fail=NODE`, `standby=NODE`, `attr=NODE:NAME=VALUE`,
    /// `ticket-grant=TICKET` or `ticket-revoke=TICKET`.
    ///
    /// # Errors
    /// A message naming the accepted forms.
    pub fn parse(s: &str) -> Result<Scenario, String> {
        let forms = "use `node-down=NODE`, `node-fail=NODE`, `standby=NODE`, `attr=NODE:NAME=VALUE` (e.g. `attr=t3021cent:pingd=0`), `ticket-grant=TICKET` or `ticket-revoke=TICKET`";
        // The argument is echoed cut short, control characters escaped: it may be anything.
        let shown = crate::diag::printable(s, &[], SHOWN_CHARS);
        let (kind, rest) = s.split_once('=').ok_or_else(|| format!("`{shown}` is not a scenario: {forms}"))?;
        match kind {
            "node-down" if Scenario::node_ok(rest) => Ok(Scenario::NodeDown { node: rest.into() }),
            "node-fail" if Scenario::node_ok(rest) => Ok(Scenario::NodeFail { node: rest.into() }),
            "standby" if Scenario::node_ok(rest) => Ok(Scenario::Standby { node: rest.into() }),
            "attr" => Scenario::parse_attr(rest).ok_or_else(|| format!("`{shown}` needs NODE:NAME=VALUE")),
            "ticket-grant" if Scenario::node_ok(rest) => Ok(Scenario::TicketGranted { ticket: rest.into() }),
            "ticket-revoke" if Scenario::node_ok(rest) => Ok(Scenario::TicketRevoked { ticket: rest.into() }),
            _ => Err(format!("`{shown}` is not a scenario: {forms}")),
        }
    }

    /// The command for this scenario, and the CIB to feed it (attribute scenarios edit the status).
    ///
    /// # Errors
    /// The node is not in the CIB's status.
    pub fn prepare(&self, cib: &Cib) -> Result<(Cmd, Cib), String> {
        prepare(std::slice::from_ref(self), cib, command())
    }
}

/// The command for events that happen together, built on `cmd`, and the CIB to feed it: node
/// attributes and standby are set in the status, the rest are `crm_simulate` options.
///
/// # Errors
/// A node is not in the CIB's status, or a failing operation cannot be found.
pub fn prepare(events: &[Scenario], cib: &Cib, mut cmd: Cmd) -> Result<(Cmd, Cib), String> {
    let mut cib = cib.clone();
    for event in events {
        if let Some(node) = event.node() {
            node_state(&mut cib, node)?;
        }
        match event {
            Scenario::NodeDown { node } => cmd.argv.extend(["--node-down".to_string(), node.clone()]),
            Scenario::NodeFail { node } => cmd.argv.extend(["--node-fail".to_string(), node.clone()]),
            Scenario::Attribute { node, name, value } => set_transient(node_state(&mut cib, node)?, name, Some(value)),
            Scenario::AttributeUnset { node, name } => set_transient(node_state(&mut cib, node)?, name, None),
            Scenario::Standby { node } => set_transient(node_state(&mut cib, node)?, "standby", Some("on")),
            Scenario::OpFails { resource, op, node, interval_ms, rc } => {
                let interval = match interval_ms {
                    Some(ms) => *ms,
                    None => op_interval(cib.configuration(), resource, op)?,
                };
                cmd.argv.extend(["--op-inject".to_string(), format!("{resource}_{op}_{interval}@{node}={rc}")]);
            }
            Scenario::TicketGranted { ticket } => cmd.argv.extend(["--ticket-grant".to_string(), ticket.clone()]),
            Scenario::TicketRevoked { ticket } => cmd.argv.extend(["--ticket-revoke".to_string(), ticket.clone()]),
        }
    }
    Ok((cmd, cib))
}

/// The status entry of a node.
fn node_state<'a>(cib: &'a mut Cib, node: &str) -> Result<&'a mut Element, String> {
    let status = cib.root.child_mut("status").ok_or("the CIB has no status section")?;
    status
        .elements_mut()
        .find(|e| e.name == "node_state" && e.attr("uname") == Some(node))
        .ok_or_else(|| format!("node `{node}` is not in the CIB's status"))
}

/// Set (or with `None` remove) a transient attribute of a node's status entry.
fn set_transient(state: &mut Element, name: &str, value: Option<&str>) {
    let id = state.id().unwrap_or_default().to_string();
    let ta = state.child_or_insert("transient_attributes");
    if ta.id().is_none() {
        ta.set_attr("id", &id);
    }
    let set = ta.child_or_insert("instance_attributes");
    if set.id().is_none() {
        set.set_attr("id", format!("status-{id}"));
    }
    let existing = set.elements().position(|nv| nv.attr("name") == Some(name));
    match (existing, value) {
        (Some(i), Some(value)) => {
            if let Some(nv) = set.elements_mut().nth(i) {
                nv.set_attr("value", value);
            }
        }
        (None, Some(value)) => {
            let nv = Element::new("nvpair")
                .with_attr("id", format!("status-{id}-{name}"))
                .with_attr("name", name)
                .with_attr("value", value);
            set.children.push(crate::cib::xml::Node::Element(nv));
        }
        (_, None) => set.children.retain(
            |c| !matches!(c, crate::cib::xml::Node::Element(e) if e.name == "nvpair" && e.attr("name") == Some(name)),
        ),
    }
}

/// The interval (ms) of a primitive's operation in a configuration: the one it has, 0 for an
/// operation the configuration does not list (`start`, `stop`), and an error when it is a
/// `monitor` without one or there are several to choose from.
fn op_interval(config: &Element, resource: &str, op: &str) -> Result<u64, String> {
    let prim = find_primitive(config, resource)
        .ok_or_else(|| format!("primitive `{resource}` is not in the configuration"))?;
    let mut intervals: Vec<u64> = prim
        .child("operations")
        .into_iter()
        .flat_map(|ops| ops.elements().filter(|o| o.name == "op" && o.attr("name") == Some(op)))
        .map(|o| crate::vocab::parse_duration_ms(o.attr("interval").unwrap_or("0")).unwrap_or(0))
        .collect();
    intervals.sort_unstable();
    intervals.dedup();
    match intervals.as_slice() {
        [one] => Ok(*one),
        [] if op == "monitor" => Err(format!("`{resource}` has no `monitor` operation to fail")),
        [] => Ok(0),
        many => Err(format!(
            "`{resource}` has {} `{op}` operations (intervals {} ms): give `interval`",
            many.len(),
            many.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn find_primitive<'a>(e: &'a Element, id: &str) -> Option<&'a Element> {
    if e.name == "primitive" && e.id() == Some(id) {
        return Some(e);
    }
    e.elements().find_map(|c| find_primitive(c, id))
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
    result(xml).map(|root| actions(&root))
}

/// The root of crm_simulate's XML answer, when it reports success.
fn result(xml: &str) -> Result<Element, String> {
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
    Ok(root)
}

/// The transition summary (`<actions>`).
fn actions(root: &Element) -> Vec<SimAction> {
    let Some(actions) = root.child("actions") else { return Vec::new() };
    actions
        .elements()
        .filter(|a| a.name == "rsc_action")
        .map(|a| SimAction {
            action: a.attr("action").unwrap_or_default().to_string(),
            resource: a.attr("resource").unwrap_or_default().to_string(),
            node: a.attr("node").or(a.attr("source")).map(str::to_string),
            dest: a.attr("dest").map(str::to_string),
            reason: a.attr("reason").map(str::to_string),
        })
        .collect()
}

/// The command that plays one case of a failover test: the transition is simulated to its end
/// (the state after it is in the answer) and its graph is written to standard error.
pub fn simulate_command() -> Cmd {
    Cmd::new(&["crm_simulate", "--simulate", "--xml-pipe", "--output-as=xml", "--save-graph=/dev/stderr"])
        .timeout(std::time::Duration::from_secs(30))
}

/// What the scheduler made of a case: its actions, the resources after them, and the graph.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub actions: Vec<SimAction>,
    /// Every resource instance after the transition.
    pub after: Vec<Instance>,
    /// The transition's operations and what each waits for; `None` when crm_simulate wrote no
    /// graph.
    pub graph: Option<Vec<GraphAction>>,
}

/// One instance of a primitive in crm_simulate's view of the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// The primitive's id (without a clone instance's `:N`).
    pub primitive: String,
    /// The group and clone around it, innermost first.
    pub parents: Vec<String>,
    /// `Started`, `Stopped`, `Promoted`, `Unpromoted` (Pacemaker's older `Master`, `Slave`).
    pub role: String,
    /// The nodes it is active on.
    pub nodes: Vec<String>,
    /// The resource is disabled (`target-role=Stopped` on it or around it).
    pub disabled: bool,
}

impl Instance {
    /// Whether this instance belongs to the resource `id` (is it, or is in it).
    pub fn of(&self, id: &str) -> bool {
        self.primitive == id || self.parents.iter().any(|p| p == id)
    }

    pub fn promoted(&self) -> bool {
        matches!(self.role.as_str(), "Promoted" | "Master")
    }

    pub fn unpromoted(&self) -> bool {
        matches!(self.role.as_str(), "Unpromoted" | "Slave")
    }
}

/// One action of the transition graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphAction {
    pub id: u32,
    /// The primitive (without `:N`), for a resource operation.
    pub resource: Option<String>,
    /// `start`, `stop`, `monitor`, `running`, ...
    pub operation: String,
    pub node: Option<String>,
    /// The actions it waits for.
    pub inputs: Vec<u32>,
}

/// Read what `simulate_command` printed: the answer on standard output, the graph on standard
/// error (amid anything else crm_simulate says there).
///
/// # Errors
/// The answer is not crm_simulate's, or reports a failure.
pub fn parse_outcome(stdout: &str, stderr: &str) -> Result<Outcome, String> {
    let root = result(stdout)?;
    let mut after = Vec::new();
    if let Some(res) = root.child("revised_cluster_status").and_then(|s| s.child("resources")) {
        instances(res, &mut Vec::new(), false, &mut after);
    }
    Ok(Outcome { actions: actions(&root), after, graph: graph(stderr) })
}

fn instances(e: &Element, parents: &mut Vec<String>, disabled: bool, out: &mut Vec<Instance>) {
    for c in e.elements() {
        let off = disabled
            || c.attr("disabled") == Some("true")
            || c.attr("target_role").is_some_and(|r| r.eq_ignore_ascii_case("stopped"));
        match c.name.as_str() {
            "resource" => out.push(Instance {
                primitive: instance_id(c.id().unwrap_or_default()),
                parents: parents.iter().rev().cloned().collect(),
                role: c.attr("role").unwrap_or_default().to_string(),
                nodes: match c.attr("active") {
                    Some("true") => c
                        .elements()
                        .filter(|n| n.name == "node")
                        .filter_map(|n| n.attr("name"))
                        .map(str::to_string)
                        .collect(),
                    _ => Vec::new(),
                },
                disabled: off,
            }),
            "group" | "clone" | "bundle" => {
                parents.push(instance_id(c.id().unwrap_or_default()));
                instances(c, parents, off, out);
                parents.pop();
            }
            _ => {}
        }
    }
}

/// A resource id without a clone instance's `:N`.
pub fn instance_id(id: &str) -> String {
    match id.rsplit_once(':') {
        Some((base, n)) if n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() => base.to_string(),
        _ => id.to_string(),
    }
}

/// The `<transition_graph>` in `text`, if there is one.
fn graph(text: &str) -> Option<Vec<GraphAction>> {
    let start = text.find("<transition_graph")?;
    let rest = &text[start..];
    let end = match rest.find("</transition_graph>") {
        Some(i) => i + "</transition_graph>".len(),
        None => rest.find("/>")? + 2,
    };
    let root = Element::parse(&rest[..end]).ok()?;
    let mut out = Vec::new();
    for synapse in root.elements().filter(|s| s.name == "synapse") {
        let Some(action) = synapse.child("action_set").and_then(|a| a.elements().next()) else { continue };
        let Some(id) = action.id().and_then(|i| i.parse().ok()) else { continue };
        let inputs = synapse
            .child("inputs")
            .into_iter()
            .flat_map(Element::elements)
            .filter_map(|t| t.elements().next()?.id()?.parse().ok())
            .collect();
        out.push(GraphAction {
            id,
            resource: action.child("primitive").and_then(Element::id).map(instance_id),
            operation: action.attr("operation").unwrap_or_default().to_string(),
            node: action.attr("on_node").map(str::to_string),
            inputs,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_if_attribute_values_showed_url_credentials() {
        let m = crate::mask::Mask::default();
        let s = Scenario::parse("attr=n1:hook=https://u:PW@h/x").unwrap().masked(&m);
        assert_eq!(s.to_string(), format!("hook becomes https://u:{}@h/x on n1", crate::mask::MASK));
        let s = Scenario::parse("attr=n1:api_key=K").unwrap().masked(&m);
        assert_eq!(s.to_string(), format!("api_key becomes {} on n1", crate::mask::MASK));
        let s = Scenario::parse("attr=n1:pingd=<5").unwrap().masked(&m);
        assert_eq!(s.to_string(), "pingd becomes <5 on n1");
    }

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
        let (cmd, same) = Scenario::parse("ticket-revoke=site-a").unwrap().prepare(&cib).unwrap();
        assert!(cmd.argv.ends_with(&["--ticket-revoke".to_string(), "site-a".to_string()]), "no node involved");
        assert_eq!(same.root.to_xml(), cib.root.to_xml());
        assert_eq!(Scenario::parse("ticket-grant=t").unwrap().to_string(), "ticket t is granted");
        assert!(Scenario::parse("ticket-grant=").is_err());
    }

    #[test]
    fn events_together_edit_the_status_and_inject_failures() {
        let cib = Cib::parse("c", r#"<cib epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/><nodes/><resources>
            <group id="g"><primitive id="squid" class="systemd" type="squid"><operations><op id="m" name="monitor" interval="1min"/></operations></primitive></group>
            <primitive id="two" class="ocf" provider="pacemaker" type="Dummy"><operations><op id="a" name="monitor" interval="10s"/><op id="b" name="monitor" interval="20s" role="Promoted"/></operations></primitive>
            </resources><constraints/></configuration><status>
            <node_state id="1" uname="n1"><transient_attributes id="1"><instance_attributes id="status-1"><nvpair id="status-1-pingd" name="pingd" value="1000"/></instance_attributes></transient_attributes></node_state>
            <node_state id="2" uname="n2"/></status></cib>"#).unwrap();
        let events = [
            Scenario::AttributeUnset { node: "n1".into(), name: "pingd".into() },
            Scenario::Standby { node: "n2".into() },
            Scenario::OpFails {
                resource: "squid".into(),
                op: "monitor".into(),
                node: "n1".into(),
                interval_ms: None,
                rc: 1,
            },
            Scenario::OpFails {
                resource: "squid".into(),
                op: "start".into(),
                node: "n2".into(),
                interval_ms: None,
                rc: 7,
            },
            Scenario::NodeDown { node: "n2".into() },
        ];
        let (cmd, edited) = prepare(&events, &cib, simulate_command()).unwrap();
        assert_eq!(
            &cmd.argv[5..],
            ["--op-inject", "squid_monitor_60000@n1=1", "--op-inject", "squid_start_0@n2=7", "--node-down", "n2"]
        );
        let xml = edited.root.to_xml();
        assert!(!xml.contains("pingd"), "{xml}");
        assert!(xml.contains(r#"<nvpair id="status-2-standby" name="standby" value="on"/>"#), "{xml}");
        let fails = |rsc: &str, interval_ms| {
            let e =
                Scenario::OpFails { resource: rsc.into(), op: "monitor".into(), node: "n1".into(), interval_ms, rc: 1 };
            prepare(&[e], &cib, simulate_command()).map(|(c, _)| c.argv.last().cloned().unwrap_or_default())
        };
        assert_eq!(
            fails("two", None).unwrap_err(),
            "`two` has 2 `monitor` operations (intervals 10000, 20000 ms): give `interval`"
        );
        assert_eq!(fails("two", Some(20_000)).unwrap(), "two_monitor_20000@n1=1");
        assert_eq!(fails("nosuch", None).unwrap_err(), "primitive `nosuch` is not in the configuration");
        assert!(prepare(&[Scenario::Standby { node: "n9".into() }], &cib, simulate_command()).is_err());
    }

    #[test]
    fn errors_are_reported_not_hidden() {
        assert!(parse("not xml").is_err());
        let failed = r#"<pacemaker-result><status code="78" message="Invalid configuration"><errors><error>bad</error></errors></status></pacemaker-result>"#;
        assert_eq!(parse(failed).unwrap_err(), "crm_simulate: Invalid configuration bad");
    }
}
