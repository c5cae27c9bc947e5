//! Stage 2 (model): the validated description of a cluster.
//!
//! Produced only by `validate`, so every value here has been checked: ids are unique, every
//! reference resolves, agents parse, scores are scores, rules parse. It carries no spans and knows
//! nothing of YAML. The one piece of XML is the escape hatch (`RawObject`): objects the model
//! cannot express yet, kept as checked CIB elements.

use crate::cib::xml::Element;
use crate::rule::Rule;

/// The whole cluster as declared.
#[derive(Debug, Clone, Default)]
pub struct Cluster {
    pub name: String,
    pub target: Option<String>,
    pub nodes: Vec<Node>,
    pub quorum: Quorum,
    /// `crm_config` properties in declaration order.
    pub properties: Vec<(String, String)>,
    pub rsc_defaults: Vec<(String, String)>,
    pub op_defaults: Vec<(String, String)>,
    /// Property, resource-default and operation-default sets with a rule or a score.
    pub property_sets: Vec<AttrSet>,
    pub rsc_defaults_sets: Vec<AttrSet>,
    pub op_defaults_sets: Vec<AttrSet>,
    /// Top-level resources (primitives, groups, clones) in declaration order.
    pub resources: Vec<Resource>,
    pub constraints: Vec<Constraint>,
    /// Alerts, in declaration order.
    pub alerts: Vec<Alert>,
    /// Resource templates (`<template>`, primitive-shaped), in declaration order.
    pub templates: Vec<Primitive>,
    /// Tags (id, the resources it names), in declaration order.
    pub tags: Vec<(String, Vec<String>)>,
    /// Fencing topology levels, in declaration order.
    pub fencing_levels: Vec<FencingLevel>,
    /// Access control lists (`acls:`).
    pub acls: Acls,
    pub policy: Policy,
    /// Escape-hatch objects, in declaration order.
    pub raw: Vec<RawObject>,
    /// Failover tests (`scenarios:`), in declaration order.
    pub scenarios: Vec<FailoverTest>,
    /// corosync.conf settings beyond nodes and quorum (`corosync:`).
    pub corosync: Corosync,
}

/// Where an escape-hatch object lives in the CIB `<configuration>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawPlace {
    /// A `<cluster_property_set>` in `crm_config` (one with a rule or score; plain properties
    /// go in `properties`).
    PropertySet,
    /// A `<node>` in `nodes`.
    Node,
    /// A top-level resource or template in `resources`.
    Resource,
    /// A constraint in `constraints`.
    Constraint,
    /// A whole section (`rsc_defaults`, `op_defaults`, `fencing-topology`, `acls`, `alerts`,
    /// `tags`).
    Section,
}

/// One escape-hatch object: a CIB element, well-formed, of a known kind, with ids unique across
/// the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawObject {
    pub place: RawPlace,
    pub element: Element,
}

impl RawPlace {
    /// The place for a root element name, `None` when it is not a configuration object.
    pub fn of(name: &str) -> Option<RawPlace> {
        Some(match name {
            "cluster_property_set" => RawPlace::PropertySet,
            "node" => RawPlace::Node,
            "primitive" | "group" | "clone" | "master" | "bundle" | "template" => RawPlace::Resource,
            "rsc_location" | "rsc_colocation" | "rsc_order" | "rsc_ticket" => RawPlace::Constraint,
            s if RAW_SECTIONS.contains(&s) => RawPlace::Section,
            _ => return None,
        })
    }
}

/// Configuration sections the escape hatch may hold whole.
pub const RAW_SECTIONS: &[&str] = &["rsc_defaults", "op_defaults", "fencing-topology", "acls", "alerts", "tags"];

/// An alert agent and its recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub id: String,
    pub path: String,
    pub description: Option<String>,
    pub params: Vec<(String, String)>,
    pub meta: Vec<(String, String)>,
    /// `nodes`, `fencing`, `resources`, `attributes`; empty: every event.
    pub select: Vec<String>,
    /// Node attributes selected by name (`attributes` is then in `select`).
    pub attributes: Vec<String>,
    pub recipients: Vec<Recipient>,
}

/// One recipient of an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub id: Option<String>,
    pub value: String,
    pub description: Option<String>,
    pub params: Vec<(String, String)>,
    pub meta: Vec<(String, String)>,
}

/// One fencing level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FencingLevel {
    pub id: Option<String>,
    pub index: u32,
    pub target: LevelTarget,
    pub devices: Vec<String>,
}

/// Which nodes a fencing level fences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LevelTarget {
    Node(String),
    Pattern(String),
    Attribute { name: String, value: String },
}

/// An attribute set with a rule or a score (a plain set is the section's pairs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrSet {
    /// `None`: generated as pcs does.
    pub id: Option<String>,
    pub rule: Option<Rule>,
    pub score: Option<String>,
    pub values: Vec<(String, String)>,
}

/// One cluster node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub id: u32,
    pub addrs: Vec<String>,
    /// Permanent node attributes, `standby` included when declared.
    pub attributes: Vec<(String, String)>,
    pub utilization: Vec<(String, String)>,
    /// The `<node id>` when it is not a corosync node id (`id` is then 0): crmsh writes a node it
    /// creates itself with its name as id, heartbeat wrote UUIDs, a remote node's id is its name.
    pub cib_id: Option<String>,
    /// A Pacemaker Remote node (`type="remote"`): in the CIB only, never in corosync.conf.
    pub remote: bool,
}

impl Node {
    /// Whether corosync.conf knows the node by this id (its `nodeid`).
    pub fn in_corosync(&self) -> bool {
        self.cib_id.is_none() && !self.remote
    }

    /// The `<node id>` in the CIB.
    pub fn cib_id(&self) -> String {
        self.cib_id.clone().unwrap_or_else(|| self.id.to_string())
    }
}

impl Cluster {
    /// The nodes that are corosync members: every node but Pacemaker Remote ones, which live in
    /// the CIB only. corosync.conf's nodelist, `two_node`'s node count, nodes joining or leaving
    /// and a new cluster's setup count these (a node known by another CIB id is a member whose
    /// corosync entry the file does not manage: `Node::in_corosync`).
    pub fn members(&self) -> impl Iterator<Item = &Node> + '_ {
        self.nodes.iter().filter(|n| !n.remote)
    }
}

/// Corosync votequorum options; `None` = not declared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Quorum {
    pub two_node: Option<bool>,
    pub wait_for_all: Option<bool>,
    pub last_man_standing: Option<bool>,
    pub auto_tie_breaker: Option<bool>,
    pub expected_votes: Option<u32>,
    /// A quorum device (corosync-qdevice), when declared.
    pub device: Option<QuorumDevice>,
    /// `device: none`: corosync.conf must have no quorum device (one there is removed).
    pub no_device: bool,
}

/// A quorum device: `quorum.device` of corosync.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumDevice {
    /// `model` (`net`: corosync-qnetd).
    pub model: String,
    /// `net.host`: the qnetd server.
    pub host: String,
    /// `net.algorithm` (`ffsplit`, `lms`), when declared.
    pub algorithm: Option<String>,
    /// `heuristics` keys as corosync.conf spells them (`mode`, `timeout`, `exec_NAME`, ...), in
    /// order. `None`: not declared (not managed) or, read from corosync.conf, no such section;
    /// `Some` and empty: declared `none` (no heuristics).
    pub heuristics: Option<Vec<(String, String)>>,
}

/// corosync.conf keys the file declares, in corosync's own spelling (`token` → `3000`,
/// `to_syslog` → `yes`): only these are managed, every other key is left as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Corosync {
    /// `totem` keys (`token`, `consensus`, `join`, `crypto_cipher`, `crypto_hash`, `link_mode`).
    pub totem: Vec<(String, String)>,
    /// Options of each knet link, index = link number (`totem.interface` keys).
    pub links: Vec<Vec<(String, String)>>,
    /// `logging` keys.
    pub logging: Vec<(String, String)>,
}

/// Apply-time gates declared in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Policy {
    pub allow_destroy: bool,
    pub allow_disable_stonith: bool,
    /// Names added to the masking rule (`render::mask`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive: Vec<String>,
    /// Metadata findings (unknown properties and parameters, wrong values) are warnings.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_unknown_params: bool,
}

/// A resource agent reference: `class[:provider]:type`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Agent {
    pub class: String,
    pub provider: Option<String>,
    pub kind: String,
}

impl std::fmt::Display for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.provider {
            Some(p) => write!(f, "{}:{p}:{}", self.class, self.kind),
            None => write!(f, "{}:{}", self.class, self.kind),
        }
    }
}

/// One operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    pub name: String,
    pub interval: String,
    /// Other `<op>` attributes (timeout, role, on-fail, ...), in declaration order.
    pub attrs: Vec<(String, String)>,
    pub meta: Vec<(String, String)>,
    pub params: Vec<(String, String)>,
}

/// A primitive resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Primitive {
    pub id: String,
    pub agent: Agent,
    pub description: Option<String>,
    pub params: Vec<(String, String)>,
    /// Meta attributes, `target-role` included when `enabled: false`.
    pub meta: Vec<(String, String)>,
    pub utilization: Vec<(String, String)>,
    /// Parameter and meta attribute sets with a rule or a score.
    pub params_sets: Vec<AttrSet>,
    pub meta_sets: Vec<AttrSet>,
    /// Declared operations and how the agent's defaults complete them.
    pub ops: Ops,
    /// `force: true`: what the agent's metadata refuses is accepted with a warning.
    pub force: bool,
    /// The template it takes its agent and settings from (`template=`): `agent` is then the
    /// template's, and only the primitive's own settings are written.
    pub template: Option<String>,
}

/// A primitive's operations: the declared ones, and which of the agent's default operations
/// complete them, the way pcs completes `resource create ... op ...`.
///
/// On create, the declared operations are written with the completing defaults. Afterwards the
/// file owns the operations of the declared names (all of them when `Exact`): those are made
/// exactly as declared, and live operations of other names are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ops {
    pub declared: Vec<Op>,
    pub completion: Completion,
}

/// Which of the agent's default operations complete the declared ones on create.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Completion {
    /// The defaults of every name not declared (`pcs resource create ... op ...`; `ops` omitted
    /// or a non-empty list).
    #[default]
    Agent,
    /// Only the agent's monitors, which pcs always writes (`ops: []`, pcs `--no-default-ops`).
    Monitor,
    /// None: the declared list is all there is, and the file owns every operation
    /// (`ops_exact: true`).
    Exact,
}

impl Ops {
    /// Whether the file owns the live operations named `name` (and makes them as declared).
    pub fn owns(&self, name: &str) -> bool {
        self.completion == Completion::Exact || self.declared.iter().any(|o| o.name == name)
    }

    /// Whether agent defaults are written on create.
    pub fn uses_defaults(&self) -> bool {
        self.completion != Completion::Exact
    }
}

/// A group of primitives, started in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub description: Option<String>,
    pub members: Vec<Primitive>,
    pub meta: Vec<(String, String)>,
}

/// A clone (or promotable clone) of a primitive or group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clone {
    pub id: String,
    pub description: Option<String>,
    pub promotable: bool,
    pub meta: Vec<(String, String)>,
    pub child: Box<Resource>,
}

/// A top-level resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    Primitive(Primitive),
    Group(Group),
    Clone(Clone),
    Bundle(Bundle),
}

impl Resource {
    /// Every primitive in this resource, in order.
    pub fn primitives(&self) -> Vec<&Primitive> {
        match self {
            Resource::Primitive(p) => vec![p],
            Resource::Group(g) => g.members.iter().collect(),
            Resource::Clone(c) => c.child.primitives(),
            Resource::Bundle(b) => b.primitive.iter().map(|p| &**p).collect(),
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Resource::Primitive(p) => &p.id,
            Resource::Group(g) => &g.id,
            Resource::Clone(c) => &c.id,
            Resource::Bundle(b) => &b.id,
        }
    }
}

/// A bundle: a container image run as replicas, optionally with a primitive inside each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub id: String,
    pub description: Option<String>,
    /// `docker`, `podman` or `rkt`.
    pub container: String,
    /// The container element's attributes (`image`, `replicas`, ...), in the order pcs writes them.
    pub container_attrs: Vec<(String, String)>,
    /// `<network>` attributes (`ip-range-start`, `control-port`, ...).
    pub network: Vec<(String, String)>,
    pub port_mappings: Vec<Mapping>,
    pub storage_mappings: Vec<Mapping>,
    /// Meta attributes, `target-role` included when `enabled: false`.
    pub meta: Vec<(String, String)>,
    pub primitive: Option<Box<Primitive>>,
}

/// A port or storage mapping of a bundle: its attributes, and its id when the file gives one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub id: Option<String>,
    pub attrs: Vec<(String, String)>,
}

/// A resource set in a colocation or order constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceSet {
    pub id: Option<String>,
    pub resources: Vec<String>,
    /// Other `<resource_set>` attributes (sequential, require-all, role, action, score).
    pub attrs: Vec<(String, String)>,
}

/// A location rule with its score and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationRule {
    pub rule: Rule,
    pub score: RuleScore,
    pub role: Option<String>,
}

/// What a location rule scores where it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleScore {
    /// A score (`INFINITY`, `-INFINITY`, an integer).
    Score(String),
    /// The value of this node attribute (`score-attribute`).
    Attribute(String),
}

/// Where a location constraint places its resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    Node {
        node: String,
        score: String,
    },
    /// `node` + `score` until a date: the rule `#uname eq NODE and date lt END` that
    /// `pcs resource ban|move ... lifetime=` writes.
    Until {
        node: String,
        score: String,
        end: String,
    },
    /// One or more rules, each scoring on its own.
    Rules(Vec<LocationRule>),
}

/// A constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    Location {
        id: Option<String>,
        /// A resource id, or a regular expression when `pattern` (`rsc-pattern`).
        rsc: String,
        pattern: bool,
        placement: Placement,
        role: Option<String>,
        discovery: Option<String>,
    },
    Colocation {
        id: Option<String>,
        rsc: String,
        with: String,
        score: String,
        role: Option<String>,
        with_role: Option<String>,
        /// `node-attribute`, `influence`, in that order, when given.
        attrs: Vec<(String, String)>,
    },
    ColocationSets {
        id: Option<String>,
        sets: Vec<ResourceSet>,
        score: String,
        /// `node-attribute`, `influence`, in that order, when given.
        attrs: Vec<(String, String)>,
    },
    Order {
        id: Option<String>,
        first: String,
        then: String,
        attrs: Vec<(String, String)>,
    },
    OrderSets {
        id: Option<String>,
        sets: Vec<ResourceSet>,
        attrs: Vec<(String, String)>,
    },
    /// An `rsc_ticket`: the resource (or sets) may run only while the ticket is granted.
    Ticket {
        id: Option<String>,
        ticket: String,
        target: TicketTarget,
        loss_policy: Option<String>,
    },
}

/// What a ticket constraint governs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketTarget {
    One { rsc: String, role: Option<String> },
    Sets(Vec<ResourceSet>),
}

impl Constraint {
    /// The id the file gives, if any.
    pub fn id(&self) -> Option<&str> {
        match self {
            Constraint::Location { id, .. }
            | Constraint::Colocation { id, .. }
            | Constraint::ColocationSets { id, .. }
            | Constraint::Order { id, .. }
            | Constraint::OrderSets { id, .. }
            | Constraint::Ticket { id, .. } => id.as_deref(),
        }
    }

    /// Set (or clear) the id.
    pub fn set_id(&mut self, new: Option<String>) {
        match self {
            Constraint::Location { id, .. }
            | Constraint::Colocation { id, .. }
            | Constraint::ColocationSets { id, .. }
            | Constraint::Order { id, .. }
            | Constraint::OrderSets { id, .. }
            | Constraint::Ticket { id, .. } => *id = new,
        }
    }
}

/// Something that happens to the cluster, for a failover test or a `--what-if`: what Pacemaker's
/// scheduler is asked to react to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// The node leaves cleanly (`--node-down`).
    NodeDown { node: String },
    /// The node fails (`--node-fail`): fenced if fencing is on.
    NodeFail { node: String },
    /// A transient node attribute takes a value (`pingd` drops to 0 when a NIC is cut).
    Attribute { node: String, name: String, value: String },
    /// A transient node attribute disappears (`pingd` before the ping resource reports).
    AttributeUnset { node: String, name: String },
    /// The node is put in standby.
    Standby { node: String },
    /// An operation of a primitive returns `rc` on the node (`--op-inject`); `interval_ms`
    /// `None`: the one interval the configuration gives that operation.
    OpFails { resource: String, op: String, node: String, interval_ms: Option<u64>, rc: u8 },
    /// A ticket is granted (`--ticket-grant`): resources bound to it may run.
    TicketGranted { ticket: String },
    /// A ticket is revoked (`--ticket-revoke`): its constraints' `loss-policy` applies.
    TicketRevoked { ticket: String },
}

impl Event {
    /// The node the event happens on (`None` for a ticket: cluster-wide).
    pub fn node(&self) -> Option<&str> {
        match self {
            Event::NodeDown { node }
            | Event::NodeFail { node }
            | Event::Attribute { node, .. }
            | Event::AttributeUnset { node, .. }
            | Event::Standby { node }
            | Event::OpFails { node, .. } => Some(node),
            Event::TicketGranted { .. } | Event::TicketRevoked { .. } => None,
        }
    }

    /// Parse `NODE:NAME=VALUE` (a `--what-if` and a failover test's short `attr`).
    pub fn parse_attr(s: &str) -> Option<Event> {
        let (node, nv) = s.split_once(':')?;
        let (name, value) = nv.split_once('=')?;
        (Event::node_ok(node) && !name.is_empty()).then(|| Event::Attribute {
            node: node.into(),
            name: name.into(),
            value: value.into(),
        })
    }

    /// A node name as the short forms take it.
    pub fn node_ok(n: &str) -> bool {
        !n.is_empty() && !n.contains(['=', ':', ' '])
    }
}

/// A failover test (`scenarios:`): what must hold after the planned change when something
/// happens to the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailoverTest {
    pub name: String,
    /// Each case is events that happen together; the expectations must hold in every case. One
    /// empty case: the planned change alone.
    pub cases: Vec<Vec<Event>>,
    pub expect: Vec<Expect>,
}

/// One expectation of a failover test, on the cluster after the scheduler's transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// The resource (every primitive in it) is active on each of these nodes.
    RunsOn { resource: String, nodes: Vec<String> },
    /// Nothing of the resource is active anywhere.
    Stopped { resource: String },
    /// A promotable clone has its promoted instance on each of these nodes.
    Promoted { resource: String, nodes: Vec<String> },
    /// A promotable clone has an unpromoted instance on each of these nodes.
    Unpromoted { resource: String, nodes: Vec<String> },
    /// A clone has this many active instances.
    Instances { resource: String, count: u32 },
    /// The transition stops (restarts, moves) nothing of the resource.
    NoRestart { resource: String },
    /// Where both start in the transition, `first` has started before `then` starts (the
    /// transition graph orders it so); `then` never starts while `first` is stopped.
    StartsBefore { first: String, then: String },
    /// Every resource runs on this node, and nothing runs elsewhere (disabled ones excepted).
    EverythingOn { node: String },
}

/// Access control lists: roles and who has them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Acls {
    pub roles: Vec<AclRole>,
    /// `acl_target`s.
    pub users: Vec<AclTarget>,
    /// `acl_group`s.
    pub groups: Vec<AclTarget>,
}

impl Acls {
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty() && self.users.is_empty() && self.groups.is_empty()
    }
}

/// One ACL role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclRole {
    pub id: String,
    pub description: Option<String>,
    pub permissions: Vec<AclPermission>,
}

/// One permission: `kind` (`read`, `write`, `deny`) on what `on` selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclPermission {
    pub id: Option<String>,
    pub kind: String,
    pub on: AclObject,
    pub description: Option<String>,
}

/// What a permission applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AclObject {
    Xpath(String),
    Reference(String),
    Type { object_type: String, attribute: Option<String> },
}

/// A user or group and its roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclTarget {
    pub id: String,
    /// The name, when it is not the id (schema 3.8's `name`).
    pub name: Option<String>,
    pub roles: Vec<String>,
}
