//! Stage 1 (raw): the serde-facing shape of `cluster.yaml`.
//!
//! These types mirror what the admin typed, with source spans, and derive the JSON Schema that
//! editors use. They hold no meaning beyond shape: every cross-reference and value check is done
//! by `validate`, which turns them into `model` types. Only this module and `config::load` know
//! that the input is YAML.

use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

pub use crate::diag::Span;

/// A value and the place in the source it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S<T> {
    pub value: T,
    pub span: Span,
}

impl<T> S<T> {
    pub fn new(value: T, span: Span) -> Self {
        S { value, span }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for S<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let sp = serde_saphyr::Spanned::<T>::deserialize(d)?;
        let loc = sp.referenced;
        let span = Span {
            offset: loc.span().byte_offset().unwrap_or(0) as usize,
            len: loc.span().byte_len().unwrap_or(0) as usize,
        };
        Ok(S { value: sp.value, span })
    }
}

impl<T: JsonSchema> JsonSchema for S<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        T::json_schema(g)
    }
    fn inline_schema() -> bool {
        T::inline_schema()
    }
}

/// Any YAML scalar (string, number, boolean), kept as the text the admin wrote.
///
/// Pacemaker stores every value as a string; `24`, `"24"` and `5s` are all fine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        // Asking for a string makes the YAML layer hand over the scalar's text as written.
        d.deserialize_str(V)
    }
}

impl JsonSchema for Scalar {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Scalar".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({ "type": ["string", "number", "boolean"] })
    }
}

/// A YAML mapping kept in source order, with the span of every key.
///
/// Duplicate keys are kept so that validation can point at both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Map<V>(pub Vec<(S<String>, V)>);

impl<V> Default for Map<V> {
    fn default() -> Self {
        Map(Vec::new())
    }
}

impl<V> Map<V> {
    pub fn iter(&self) -> impl Iterator<Item = &(S<String>, V)> {
        self.0.iter()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Map<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MV<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MV<V> {
            type Value = Map<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Map<V>, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = m.next_key::<S<Scalar>>()? {
                    let v = m.next_value::<V>()?;
                    out.push((S::new(k.value.0, k.span), v));
                }
                Ok(Map(out))
            }
        }
        d.deserialize_map(MV(PhantomData))
    }
}

impl<V: JsonSchema> JsonSchema for Map<V> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Map_of_{}", V::schema_name()).into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let v = g.subschema_for::<V>();
        schemars::json_schema!({ "type": "object", "additionalProperties": v })
    }
    fn inline_schema() -> bool {
        true
    }
}

/// Name/value pairs such as `params`, `meta`, `properties`.
pub type Attrs = Map<S<Scalar>>;

/// The whole file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "cibform cluster", description = "A Pacemaker/Corosync cluster described as code")]
pub struct RawCluster {
    /// Cluster name (corosync `totem.cluster_name`, Pacemaker's `cluster-name`).
    pub cluster: S<String>,
    /// Where `plan`/`apply` go when no `--target` is given, e.g. `ssh://root@node1` or `file:cib.xml`.
    #[serde(default)]
    pub target: Option<S<String>>,
    /// Cluster nodes by name.
    #[serde(default)]
    pub nodes: Map<RawNode>,
    /// Corosync votequorum options.
    #[serde(default)]
    pub quorum: Option<S<RawQuorum>>,
    /// Cluster properties (`crm_config`), e.g. `stonith-enabled: false`.
    #[serde(default)]
    pub properties: Attrs,
    /// Resource defaults (`rsc_defaults` meta attributes).
    #[serde(default)]
    pub rsc_defaults: Attrs,
    /// Operation defaults (`op_defaults` meta attributes).
    #[serde(default)]
    pub op_defaults: Attrs,
    /// Cluster properties that apply where a rule holds (or ordered by score), e.g. a
    /// different `no-quorum-policy` at night.
    #[serde(default)]
    pub property_sets: Vec<S<RawAttrSet>>,
    /// Resource defaults that apply where a rule holds (`pcs resource defaults set create ...
    /// rule ...`), e.g. to the resources of one agent.
    #[serde(default)]
    pub rsc_defaults_sets: Vec<S<RawAttrSet>>,
    /// Operation defaults that apply where a rule holds (`pcs resource op defaults set create
    /// ... rule ...`), e.g. to monitors only.
    #[serde(default)]
    pub op_defaults_sets: Vec<S<RawAttrSet>>,
    /// Primitive resources by id.
    #[serde(default)]
    pub resources: Map<S<RawResource>>,
    /// Groups by id: a list of member resources, or a mapping with `members` and `meta`.
    #[serde(default)]
    pub groups: Map<S<RawGroup>>,
    /// Clones by id: the cloned resource or group, or a mapping with `resource`, `promotable`, `meta`.
    #[serde(default)]
    pub clones: Map<S<RawClone>>,
    /// Resource templates by id (crmsh's `rsc_template`): an agent with settings that
    /// primitives take with `template: ID`. Written as a primitive is, but its `ops` are the
    /// whole list (no agent default is added).
    #[serde(default)]
    pub templates: Map<S<RawResource>>,
    /// Bundles by id: a container image run as replicas, optionally holding a primitive
    /// (`pcs resource bundle create`).
    #[serde(default)]
    pub bundles: Map<S<crate::config::raw_bundle::RawBundle>>,
    /// Location, colocation and order constraints.
    #[serde(default)]
    pub constraints: Vec<S<RawConstraint>>,
    /// Alerts by id: an agent Pacemaker runs on cluster events, with its recipients
    /// (`pcs alert create`, `pcs alert recipient add`).
    #[serde(default)]
    pub alerts: Map<S<RawAlert>>,
    /// Tags by id: named lists of resources (`pcs tag create`), which constraints may name.
    #[serde(default)]
    pub tags: Map<S<Vec<S<String>>>>,
    /// Fencing topology: which devices fence a node, tried level by level (`pcs stonith level
    /// add`).
    #[serde(default)]
    pub fencing_levels: Vec<S<RawFencingLevel>>,
    /// Access control lists: roles (what may be read, written or denied), and the users and
    /// groups that have them (`pcs acl role create`, `pcs acl user create`, `pcs acl group
    /// create`). Pacemaker applies them when the property `enable-acl` is true.
    #[serde(default)]
    pub acls: Option<S<RawAcls>>,
    /// Policy gates for `apply`.
    #[serde(default)]
    pub policy: Option<S<RawPolicy>>,
    /// The escape hatch: configuration objects as CIB XML, each a whole object with its own ids
    /// (`<bundle>`, `<template>`, `<rsc_ticket>`, `<fencing-topology>`, `<acls>`, `<alerts>`,
    /// `<tags>`, a `<cluster_property_set>` with a rule, a `<node>`, ...). They are owned like
    /// the rest of the file: planned, applied, and removed when dropped from the list.
    #[serde(default)]
    pub raw: Vec<S<String>>,
    /// Failover tests: what must hold after the change when something happens to the cluster,
    /// checked with Pacemaker's own scheduler by `cibform test` and `cibform plan`.
    #[serde(default)]
    pub scenarios: Vec<S<RawScenario>>,
    /// corosync.conf settings beyond nodes and quorum: `totem`, per-link options, `logging`.
    /// Only the keys written here are managed; corosync.conf's other keys are left alone.
    #[serde(default)]
    pub corosync: Option<S<RawCorosync>>,
}

/// A set of values that applies where its rule holds; sets are tried by `score`, highest first.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAttrSet {
    /// The set's id; generated the way pcs does when omitted.
    #[serde(default)]
    pub id: Option<S<String>>,
    /// When the values apply (pcs rule text or the structured form): `resource
    /// ocf:pacemaker:Dummy`, `op monitor`, `date-spec hours=0-6`, ...
    #[serde(default)]
    pub rule: Option<S<RawRule>>,
    /// Which set wins where several apply (highest first).
    #[serde(default)]
    pub score: Option<S<Scalar>>,
    /// The values (name: value).
    #[serde(default)]
    pub values: Attrs,
}

/// An alert agent and who it tells.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAlert {
    /// The alert agent (an executable on every node).
    pub path: S<String>,
    #[serde(default)]
    pub description: Option<S<String>>,
    /// Instance attributes passed to the agent (pcs `options`).
    #[serde(default)]
    pub params: Attrs,
    /// Meta attributes (`timeout`, `timestamp-format`, ...).
    #[serde(default)]
    pub meta: Attrs,
    /// Which events it gets: `nodes`, `fencing`, `resources`, `attributes` (default: all).
    #[serde(default)]
    pub select: Option<S<Vec<S<String>>>>,
    /// Only these node attributes' changes (implies `attributes` in `select`).
    #[serde(default)]
    pub attributes: Vec<S<String>>,
    /// Who it tells, each a value passed to the agent (an address, a file, ...).
    #[serde(default)]
    pub recipients: Vec<S<RawRecipient>>,
}

/// One recipient of an alert.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRecipient {
    pub value: S<Scalar>,
    #[serde(default)]
    pub description: Option<S<String>>,
    #[serde(default)]
    pub params: Attrs,
    #[serde(default)]
    pub meta: Attrs,
    /// The recipient's id; generated as pcs does (`ALERT-recipient`) when omitted.
    #[serde(default)]
    pub id: Option<S<String>>,
}

/// One fencing level: the devices that must all succeed to fence its target, tried in `index`
/// order. The target is one of `target` (a node), `target-pattern` (a regular expression on
/// node names) or `target-attribute` with `target-value` (nodes with that attribute value).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFencingLevel {
    /// The order in which levels are tried for a target, from 1.
    pub index: S<u32>,
    #[serde(default)]
    pub target: Option<S<String>>,
    #[serde(default, rename = "target-pattern")]
    pub target_pattern: Option<S<String>>,
    #[serde(default, rename = "target-attribute")]
    pub target_attribute: Option<S<String>>,
    #[serde(default, rename = "target-value")]
    pub target_value: Option<S<Scalar>>,
    /// Fencing devices (stonith resources), all used at this level.
    pub devices: Vec<S<String>>,
    /// The level's id; generated as pcs does (`fl-TARGET-INDEX`) when omitted.
    #[serde(default)]
    pub id: Option<S<String>>,
}

/// One node.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNode {
    /// Corosync node id (`nodelist.node.nodeid`); or, for a node the CIB knows by another id,
    /// that id as text: crmsh writes a node it creates itself with its name as id, heartbeat
    /// wrote UUIDs, a remote node's id is its name. Such a node is not managed in corosync.conf.
    pub id: S<Scalar>,
    /// One address per knet link, link 0 first.
    #[serde(default)]
    pub addrs: Vec<S<Scalar>>,
    /// Permanent node attributes (`<nodes><node><instance_attributes>`).
    #[serde(default)]
    pub attributes: Attrs,
    /// Shorthand for the `standby` node attribute: the declarative `pcs node standby`.
    #[serde(default)]
    pub standby: Option<S<bool>>,
    /// Node utilization (capacity) attributes.
    #[serde(default)]
    pub utilization: Attrs,
    /// A Pacemaker Remote node (a remote or guest node's `<node type="remote">`, which holds its
    /// attributes): in the CIB only, never in corosync.conf; its `id` is its name.
    #[serde(default)]
    pub remote: Option<S<bool>>,
}

/// Corosync votequorum settings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawQuorum {
    #[serde(default)]
    pub two_node: Option<bool>,
    #[serde(default)]
    pub wait_for_all: Option<bool>,
    #[serde(default)]
    pub last_man_standing: Option<bool>,
    #[serde(default)]
    pub auto_tie_breaker: Option<bool>,
    #[serde(default)]
    pub expected_votes: Option<u32>,
    /// A quorum device (corosync-qdevice with corosync-qnetd): `quorum.device`; `none`: no
    /// device (one in corosync.conf is removed).
    #[serde(default)]
    pub device: Option<S<RawDevice>>,
}

/// `quorum.device`: a device, or `none`.
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RawDevice {
    /// `none`: corosync.conf has no quorum device (one there is removed, as `pcs quorum device
    /// remove` does).
    Word(String),
    Device(RawQuorumDevice),
}

/// A quorum device.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawQuorumDevice {
    /// `net` (corosync-qnetd), the only model corosync-qdevice has.
    pub model: S<String>,
    /// The qnetd server's host name or address (`device.net.host`).
    pub host: S<String>,
    /// `ffsplit` (the default) or `lms` (`device.net.algorithm`).
    #[serde(default)]
    pub algorithm: Option<S<String>>,
    /// Heuristics (`device.heuristics`): `mode` (`off`, `on`, `sync`), `timeout`,
    /// `sync_timeout`, `interval` (milliseconds) and `exec_NAME: command` keys, as `pcs quorum
    /// device add ... heuristics ...` takes them; the whole section is managed. `none`: no
    /// heuristics (as `pcs quorum device heuristics remove`). Not given: left as they are.
    #[serde(default)]
    pub heuristics: Option<S<RawHeuristics>>,
}

/// `quorum.device.heuristics`: its keys, or `none`.
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RawHeuristics {
    /// `none`: corosync.conf has no heuristics (they are removed).
    Word(String),
    Keys(RawHeuristicKeys),
}

/// The keys of `heuristics`, checked by `validate` (`exec_NAME` keys are free-named).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct RawHeuristicKeys(pub Attrs);

impl JsonSchema for RawHeuristicKeys {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RawHeuristicKeys".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let ms = |what: &str| schemars::json_schema!({ "type": "integer", "minimum": 1, "description": what });
        schemars::json_schema!({
            "type": "object",
            "description": "corosync-qdevice heuristics: `mode`, `timeout`, `sync_timeout`, `interval` and `exec_NAME: command` keys",
            "properties": {
                "mode": { "type": "string", "enum": ["off", "on", "sync"],
                          "description": "off (the default), on (also at regular times) or sync (at startup and membership changes only)" },
                "timeout": ms("milliseconds the commands may take at regular times (default: 5000)"),
                "sync_timeout": ms("milliseconds the commands may take at membership changes (default: 15000)"),
                "interval": ms("milliseconds between two regular runs (default: 30000)")
            },
            "patternProperties": { "^exec_[-_/a-zA-Z0-9]+$": { "type": "string", "minLength": 1 } },
            "additionalProperties": { "type": "string", "description": "`exec_NAME`: a command to run" }
        })
    }
}

/// corosync.conf settings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCorosync {
    /// The `totem` section.
    #[serde(default)]
    pub totem: Option<S<RawTotem>>,
    /// Options of each knet link, link 0 first (the order of the nodes' `addrs`); `{}` for a
    /// link whose options are not managed.
    #[serde(default)]
    pub links: Vec<S<RawLink>>,
    /// The `logging` section.
    #[serde(default)]
    pub logging: Option<S<RawLogging>>,
}

/// `totem` options.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTotem {
    /// Token timeout in milliseconds (applied with a reload).
    #[serde(default)]
    pub token: Option<S<u32>>,
    /// Consensus timeout in milliseconds (applied with a reload).
    #[serde(default)]
    pub consensus: Option<S<u32>>,
    /// Join timeout in milliseconds (applied with a reload).
    #[serde(default)]
    pub join: Option<S<u32>>,
    /// `none`, `aes256`, `aes192`, `aes128` (a change needs the cluster stopped).
    #[serde(default)]
    pub crypto_cipher: Option<S<String>>,
    /// `none`, `md5`, `sha1`, `sha256`, `sha384`, `sha512` (a change needs the cluster stopped).
    #[serde(default)]
    pub crypto_hash: Option<S<String>>,
    /// How knet uses several links: `passive`, `active` or `rr`.
    #[serde(default)]
    pub link_mode: Option<S<String>>,
}

/// Options of one knet link (a `totem.interface` section).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    /// 0–255; in `passive` mode the link with the highest priority carries the traffic.
    #[serde(default)]
    pub knet_link_priority: Option<S<u32>>,
    /// `udp` or `sctp`.
    #[serde(default)]
    pub knet_transport: Option<S<String>>,
    /// Milliseconds between knet pings.
    #[serde(default)]
    pub knet_ping_interval: Option<S<u32>>,
    /// Milliseconds without a pong before the link is down.
    #[serde(default)]
    pub knet_ping_timeout: Option<S<u32>>,
    /// Pings kept to judge the link's latency.
    #[serde(default)]
    pub knet_ping_precision: Option<S<u32>>,
}

/// `logging` options.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLogging {
    #[serde(default)]
    pub to_logfile: Option<S<bool>>,
    /// The log file (with `to_logfile: true`).
    #[serde(default)]
    pub logfile: Option<S<String>>,
    #[serde(default)]
    pub to_syslog: Option<S<bool>>,
    #[serde(default)]
    pub to_stderr: Option<S<bool>>,
    #[serde(default)]
    pub timestamp: Option<S<bool>>,
    #[serde(default)]
    pub debug: Option<S<bool>>,
}

/// A primitive resource.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawResource {
    /// `standard[:provider]:type`, e.g. `ocf:heartbeat:IPaddr2`, `systemd:squid`, `stonith:fence_ipmilan`
    /// (not with `template`).
    #[serde(default)]
    pub agent: Option<S<String>>,
    /// A template under `templates` this primitive takes its agent and settings from (crmsh's
    /// `primitive ID @TEMPLATE`); its own `params`, `meta` and `ops` are added to them. Its
    /// `ops` are then the whole list: no agent default is added.
    #[serde(default)]
    pub template: Option<S<String>>,
    /// Instance attributes passed to the agent.
    #[serde(default)]
    pub params: Attrs,
    /// Meta attributes (resource options), e.g. `resource-stickiness`.
    #[serde(default)]
    pub meta: Attrs,
    /// Operations, completed like pcs's `resource create ... op ...`: each declared operation
    /// replaces the agent's default operations of its name, and the agent's other defaults are
    /// written on create. An empty list writes only the agent's monitor (pcs's
    /// `--no-default-ops`). On an existing resource the file owns the operations of the names it
    /// declares; live operations of other names are left alone.
    #[serde(default)]
    pub ops: Option<Vec<S<RawOp>>>,
    /// `true`: `ops` is the whole list, no agent default is added, and live operations not in
    /// the list are removed.
    #[serde(default)]
    pub ops_exact: Option<S<bool>>,
    /// `false` writes `target-role=Stopped` (the declarative `pcs resource disable`).
    #[serde(default)]
    pub enabled: Option<S<bool>>,
    /// Utilization attributes.
    #[serde(default)]
    pub utilization: Attrs,
    /// Free-text description.
    #[serde(default)]
    pub description: Option<S<String>>,
    /// Parameters that apply where a rule holds (e.g. another `configfile` on one node).
    #[serde(default)]
    pub params_sets: Vec<S<RawAttrSet>>,
    /// Meta attributes that apply where a rule holds (e.g. a stickiness during office hours).
    #[serde(default)]
    pub meta_sets: Vec<S<RawAttrSet>>,
    /// Accept what the agent's metadata refuses (unknown or missing parameters, wrong values,
    /// unadvertised operations) with a warning instead of an error, like pcs `--force`.
    #[serde(default)]
    pub force: Option<S<bool>>,
}

/// One operation of a primitive.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOp {
    /// `monitor`, `start`, `stop`, `promote`, `demote`, `reload-agent`, ...
    pub name: S<String>,
    /// How often (monitor) — `0s` for one-shot actions; default `60s` for `monitor` (as pcs
    /// writes it, with a warning), `0s` for the others.
    #[serde(default)]
    pub interval: Option<S<Scalar>>,
    #[serde(default)]
    pub timeout: Option<S<Scalar>>,
    /// Role the operation applies to (`Promoted`, `Unpromoted`, `Started`, ...).
    #[serde(default)]
    pub role: Option<S<String>>,
    #[serde(default, rename = "on-fail")]
    pub on_fail: Option<S<String>>,
    #[serde(default, rename = "start-delay")]
    pub start_delay: Option<S<Scalar>>,
    #[serde(default, rename = "interval-origin")]
    pub interval_origin: Option<S<Scalar>>,
    #[serde(default, rename = "record-pending")]
    pub record_pending: Option<S<Scalar>>,
    #[serde(default)]
    pub enabled: Option<S<bool>>,
    #[serde(default)]
    pub description: Option<S<String>>,
    /// Operation meta attributes (e.g. `OCF_CHECK_LEVEL` goes in `params`).
    #[serde(default)]
    pub meta: Attrs,
    /// Operation instance attributes.
    #[serde(default)]
    pub params: Attrs,
}

/// A group: `[a, b]`, or `{ members: [a, b], meta: {...} }`.
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RawGroup {
    Members(Vec<S<String>>),
    Full(RawGroupFull),
}

/// The long form of a group.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawGroupFull {
    pub members: Vec<S<String>>,
    #[serde(default)]
    pub meta: Attrs,
    #[serde(default)]
    pub enabled: Option<S<bool>>,
    #[serde(default)]
    pub description: Option<S<String>>,
}

/// A clone: the id of the cloned resource or group, or the long form.
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RawClone {
    Of(String),
    Full(RawCloneFull),
}

/// The long form of a clone.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCloneFull {
    /// The primitive or group being cloned.
    pub resource: S<String>,
    /// A promotable clone (promoted/unpromoted roles).
    #[serde(default)]
    pub promotable: Option<S<bool>>,
    #[serde(default)]
    pub meta: Attrs,
    #[serde(default)]
    pub enabled: Option<S<bool>>,
    #[serde(default)]
    pub description: Option<S<String>>,
}

/// What a constraint's kind key holds: one resource, or a list of resource sets.
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RawTarget {
    /// One resource id.
    One(String),
    /// Resource sets, in order; each a list of ids or a mapping with `resources`.
    Sets(Vec<S<RawSet>>),
}

/// A resource set: `[a, b]` or `{ resources: [a, b], sequential: false, ... }`.
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RawSet {
    Members(Vec<S<String>>),
    Full(Box<RawSetFull>),
}

/// The long form of a resource set.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSetFull {
    pub resources: Vec<S<String>>,
    #[serde(default)]
    pub sequential: Option<S<bool>>,
    #[serde(default, rename = "require-all")]
    pub require_all: Option<S<bool>>,
    #[serde(default)]
    pub role: Option<S<String>>,
    #[serde(default)]
    pub action: Option<S<String>>,
    #[serde(default)]
    pub score: Option<S<Scalar>>,
    #[serde(default)]
    pub id: Option<S<String>>,
}

/// A rule: pcs rule text (`pingd lt 1 or not_defined pingd`) or the structured form.
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RawRule {
    Text(String),
    Structured(Box<RawRuleExpr>),
}

/// The structured form of a rule expression: exactly one key.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRuleExpr {
    /// All of these hold.
    #[serde(default)]
    pub and: Option<Vec<S<RawRule>>>,
    /// Any of these holds.
    #[serde(default)]
    pub or: Option<Vec<S<RawRule>>>,
    /// The node attribute is set.
    #[serde(default)]
    pub defined: Option<S<String>>,
    /// The node attribute is not set.
    #[serde(default)]
    pub not_defined: Option<S<String>>,
    /// A node attribute compared with `op` to `value`.
    #[serde(default)]
    pub attribute: Option<S<String>>,
    /// `lt`, `gt`, `lte`, `gte`, `eq`, `ne`.
    #[serde(default)]
    pub op: Option<S<String>>,
    #[serde(default)]
    pub value: Option<S<Scalar>>,
    /// `integer`, `number`, `version` or `string`.
    #[serde(default, rename = "type")]
    pub value_type: Option<S<String>>,
}

/// Deserialise a "short form or mapping" enum by hand: serde's `untagged` would buffer the
/// input and lose every span inside it, and would say only "data did not match any variant".
/// Each arm names the visitor method, what it deserialises and how it becomes the enum.
macro_rules! short_or_full {
    ($ty:ident, $expect:literal $(, str => $from_str:expr)? $(, seq => $seq_ty:ty => $from_seq:expr)? $(, map => $map_ty:ty => $from_map:expr)?) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str($expect)
                    }
                    $(fn visit_str<E: de::Error>(self, v: &str) -> Result<$ty, E> {
                        Ok($from_str(v.to_string()))
                    })?
                    $(fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<$ty, A::Error> {
                        <$seq_ty>::deserialize(de::value::SeqAccessDeserializer::new(a)).map($from_seq)
                    })?
                    $(fn visit_map<M: MapAccess<'de>>(self, m: M) -> Result<$ty, M::Error> {
                        <$map_ty>::deserialize(de::value::MapAccessDeserializer::new(m)).map($from_map)
                    })?
                }
                d.deserialize_any(V)
            }
        }
    };
}

short_or_full!(RawGroup, "a list of member resources, or a mapping with `members`",
    seq => Vec<S<String>> => RawGroup::Members, map => RawGroupFull => RawGroup::Full);
short_or_full!(RawClone, "the id of the cloned resource, or a mapping with `resource`",
    str => RawClone::Of, map => RawCloneFull => RawClone::Full);
short_or_full!(RawTarget, "a resource id, or a list of resource sets",
    str => RawTarget::One, seq => Vec<S<RawSet>> => RawTarget::Sets);
short_or_full!(RawSet, "a list of resource ids, or a mapping with `resources`",
    seq => Vec<S<String>> => RawSet::Members, map => RawSetFull => |f| RawSet::Full(Box::new(f)));
short_or_full!(RawRule, "rule text or a structured rule",
    str => RawRule::Text, map => RawRuleExpr => |e| RawRule::Structured(Box::new(e)));
short_or_full!(RawDevice, "`none`, or a quorum device: a mapping with `model` and `host`",
    str => RawDevice::Word, map => RawQuorumDevice => RawDevice::Device);
short_or_full!(RawHeuristics, "`none`, or heuristics: a mapping with `mode` and `exec_NAME` commands",
    str => RawHeuristics::Word, map => RawHeuristicKeys => RawHeuristics::Keys);

/// One constraint: exactly one of `location`, `colocation`, `order`, `ticket`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConstraint {
    /// Constraint id; generated the way pcs does when omitted.
    #[serde(default)]
    pub id: Option<S<String>>,
    /// Location constraint on this resource, or on every resource whose id matches a regular
    /// expression: `{ pattern: "web-.*" }` (pcs `regexp%web-.*`, Pacemaker's `rsc-pattern`).
    #[serde(default)]
    pub location: Option<S<RawLocated>>,
    /// Colocation: this resource (with `with`), or a list of resource sets.
    #[serde(default)]
    pub colocation: Option<S<RawTarget>>,
    /// Order: this resource first (with `then`), or a list of resource sets.
    #[serde(default)]
    pub order: Option<S<RawTarget>>,
    /// Location: the node the score applies to.
    #[serde(default)]
    pub node: Option<S<String>>,
    /// Location: a rule; the score applies on nodes where it holds.
    #[serde(default)]
    pub rule: Option<S<RawRule>>,
    /// `INFINITY`, `-INFINITY` or an integer.
    #[serde(default)]
    pub score: Option<S<Scalar>>,
    /// Role of the resource the constraint applies to (`Promoted`, `Started`, ...).
    #[serde(default)]
    pub role: Option<S<String>>,
    /// Colocation: the resource to place with.
    #[serde(default)]
    pub with: Option<S<String>>,
    /// Colocation: role of the `with` resource.
    #[serde(default, rename = "with-role")]
    pub with_role: Option<S<String>>,
    /// Order: the resource to start after `order`.
    #[serde(default)]
    pub then: Option<S<String>>,
    /// Order: `Mandatory` (default), `Optional` or `Serialize`.
    #[serde(default)]
    pub kind: Option<S<String>>,
    /// Order: also apply in reverse for stopping (default true).
    #[serde(default)]
    pub symmetrical: Option<S<bool>>,
    #[serde(default, rename = "first-action")]
    pub first_action: Option<S<String>>,
    #[serde(default, rename = "then-action")]
    pub then_action: Option<S<String>>,
    /// Location: `always`, `never` or `exclusive`.
    #[serde(default, rename = "resource-discovery")]
    pub resource_discovery: Option<S<String>>,
    /// Location with a `rule`: the node attribute whose value is the score (instead of `score`).
    #[serde(default, rename = "score-attribute")]
    pub score_attribute: Option<S<String>>,
    /// Location: several rules, each with its own score (or score-attribute) and role; the
    /// resource gets the score of each rule that holds (`pcs constraint rule add`).
    #[serde(default)]
    pub rules: Option<S<Vec<S<RawLocationRule>>>>,
    /// Location with `node`: the constraint holds until this date (ISO 8601), as
    /// `pcs resource ban|move ... lifetime=` writes it (a rule with `date lt`).
    #[serde(default)]
    pub until: Option<S<Scalar>>,
    /// Colocation: the node attribute whose equal values count as "the same place" (default
    /// `#uname`: the same node).
    #[serde(default, rename = "node-attribute")]
    pub node_attribute: Option<S<String>>,
    /// Colocation: `false` keeps the dependent resource from moving the other one (default
    /// true).
    #[serde(default)]
    pub influence: Option<S<bool>>,
    /// Order: `false` lets `then` start when any of `order`'s instances has started (clones).
    #[serde(default, rename = "require-all")]
    pub require_all: Option<S<bool>>,
    /// Ticket constraint: the ticket (`pcs constraint ticket add TICKET RESOURCE`).
    #[serde(default)]
    pub ticket: Option<S<String>>,
    /// Ticket: the resource the ticket governs, or a list of resource sets.
    #[serde(default)]
    pub resource: Option<S<RawTarget>>,
    /// Ticket: what happens to the resource when the ticket is revoked: `stop` (default),
    /// `demote`, `fence` or `freeze`.
    #[serde(default, rename = "loss-policy")]
    pub loss_policy: Option<S<String>>,
}

/// What a location constrains: one resource, or the resources whose id matches a pattern.
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RawLocated {
    /// One resource id.
    One(String),
    /// `{ pattern: REGEX }`: every resource whose id matches (POSIX extended regular
    /// expression; `%1`... in a rule's values are its submatches).
    Pattern(RawPattern),
}

/// The long form of a location's target.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPattern {
    pub pattern: S<String>,
}

short_or_full!(RawLocated, "a resource id, or a mapping with `pattern`",
    str => RawLocated::One, map => RawPattern => RawLocated::Pattern);

/// One of a location's `rules`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLocationRule {
    /// pcs rule text or the structured form.
    pub rule: S<RawRule>,
    /// `INFINITY` (default), `-INFINITY` or an integer.
    #[serde(default)]
    pub score: Option<S<Scalar>>,
    /// The node attribute whose value is the score (instead of `score`).
    #[serde(default, rename = "score-attribute")]
    pub score_attribute: Option<S<String>>,
    /// The role the rule applies to.
    #[serde(default)]
    pub role: Option<S<String>>,
}

/// Policy gates for `apply`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// Allow `apply` to destroy resources without `--allow-destroy`.
    #[serde(default)]
    pub allow_destroy: Option<bool>,
    /// Allow `apply` to disable fencing without `--allow-disable-stonith`.
    #[serde(default)]
    pub allow_disable_stonith: Option<bool>,
    /// More attribute names whose values are secrets, masked in every plan and message like
    /// `password` or `api_key` (each matches a whole name or a word of one, case-insensitively).
    #[serde(default)]
    pub sensitive: Vec<String>,
    /// Accept what Pacemaker's or an agent's metadata refuses (unknown properties and
    /// parameters, wrong values) everywhere in the file, with warnings, like pcs `--force`.
    #[serde(default)]
    pub allow_unknown_params: Option<bool>,
}

/// One failover test: a name, what happens (`when`) and what must hold then (`expect`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// What the test checks, in the admin's words (`rg-01 leaves a node without its gateway`).
    pub name: S<String>,
    /// What happens: a mapping (its conditions happen together), or a list of such mappings
    /// (each case on its own; the expectations must hold in every one). Omitted: the planned
    /// change alone.
    #[serde(default)]
    pub when: Option<S<RawCases>>,
    /// What must hold after Pacemaker's scheduler has reacted.
    pub expect: S<RawExpect>,
}

/// `when:`: one case, or a list of cases.
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RawCases {
    One(Box<RawWhen>),
    Each(Vec<S<RawWhen>>),
}

/// Conditions that happen together.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawWhen {
    /// These nodes leave the cluster cleanly.
    #[serde(default)]
    pub node_down: Option<S<RawNames>>,
    /// These nodes fail (fenced, if fencing is on).
    #[serde(default)]
    pub node_fails: Option<S<RawNames>>,
    /// These nodes are put in standby.
    #[serde(default)]
    pub standby: Option<S<RawNames>>,
    /// Transient node attributes take values: `{ node: t3021cent, pingd: 0 }` (`~` for
    /// undefined; `node` may list several nodes), `t3021cent:pingd=0`, or a list of these.
    #[serde(default)]
    pub attr: Option<S<RawAttrs>>,
    /// An operation fails: `{ resource: rs-squid, op: monitor, node: t3021cent }`, or a list.
    #[serde(default)]
    pub op_fails: Option<S<RawOpFailures>>,
    /// These tickets are granted (as `crm_ticket --grant` would).
    #[serde(default)]
    pub ticket_granted: Option<S<RawNames>>,
    /// These tickets are revoked: each ticket constraint's `loss-policy` applies.
    #[serde(default)]
    pub ticket_revoked: Option<S<RawNames>>,
}

/// One name or a list of names (nodes, resources).
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RawNames {
    One(String),
    Many(Vec<S<String>>),
}

impl RawNames {
    /// Each name with its span (`span` is the whole value's, which is the name's for one name).
    pub fn names(&self, span: Span) -> Vec<S<String>> {
        match self {
            RawNames::One(n) => vec![S::new(n.clone(), span)],
            RawNames::Many(v) => v.clone(),
        }
    }
}

/// `attr:`: one attribute condition or a list of them.
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RawAttrs {
    Short(String),
    One(RawAttrFull),
    Many(Vec<S<RawAttr>>),
}

/// One attribute condition: `NODE:NAME=VALUE`, or the mapping.
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RawAttr {
    Short(String),
    Full(RawAttrFull),
}

/// `{ node: NODE or [NODES], NAME: VALUE, ... }`; a `~` value: the attribute is undefined.
#[derive(Debug)]
pub struct RawAttrFull {
    pub node: Option<S<RawNames>>,
    pub attrs: Vec<(S<String>, S<Option<Scalar>>)>,
}

impl<'de> Deserialize<'de> for RawAttrFull {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawAttrFull;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping with `node` and attribute values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<RawAttrFull, A::Error> {
                let mut out = RawAttrFull { node: None, attrs: Vec::new() };
                while let Some(k) = m.next_key::<S<Scalar>>()? {
                    if k.value.0 == "node" {
                        out.node = Some(m.next_value()?);
                    } else {
                        out.attrs.push((S::new(k.value.0, k.span), m.next_value()?));
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

impl JsonSchema for RawAttrFull {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RawAttrFull".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let node = g.subschema_for::<RawNames>();
        schemars::json_schema!({
            "description": "`node` (one node or a list) and the attributes' values (`~`: undefined)",
            "type": "object",
            "required": ["node"],
            "properties": { "node": node },
            "additionalProperties": { "type": ["string", "number", "boolean", "null"] }
        })
    }
}

/// `op_fails:`: one operation failure or a list.
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RawOpFailures {
    One(RawOpFails),
    Many(Vec<S<RawOpFails>>),
}

/// An operation failure, as `crm_simulate --op-inject` makes it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOpFails {
    /// The primitive whose operation fails.
    pub resource: S<String>,
    /// The operation (default `monitor`).
    #[serde(default)]
    pub op: Option<S<String>>,
    /// Where it fails.
    pub node: S<String>,
    /// The operation's interval, when the configuration gives that operation more than one.
    #[serde(default)]
    pub interval: Option<S<Scalar>>,
    /// The agent's exit code (default 1, a generic error; 7 is "not running").
    #[serde(default)]
    pub rc: Option<S<u8>>,
}

/// What must hold after the scheduler's transition.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    /// Resource → the node it runs on (a clone: the nodes it runs on, each).
    #[serde(default)]
    pub runs_on: Map<S<RawNames>>,
    /// Resources that run nowhere.
    #[serde(default)]
    pub stopped: Option<S<RawNames>>,
    /// Promotable clone → the node(s) of its promoted instance(s).
    #[serde(default)]
    pub promoted: Map<S<RawNames>>,
    /// Promotable clone → nodes with an unpromoted instance.
    #[serde(default)]
    pub unpromoted: Map<S<RawNames>>,
    /// Clone → how many instances run.
    #[serde(default)]
    pub instances: Map<S<u32>>,
    /// Resources the transition must not stop, restart or move.
    #[serde(default)]
    pub no_restart: Option<S<RawNames>>,
    /// Resources in start order: each starts only after the one before it has started.
    #[serde(default)]
    pub starts_before: Vec<S<String>>,
    /// Every resource runs on this node, and nothing runs elsewhere (disabled ones excepted).
    #[serde(default)]
    pub everything_on: Option<S<String>>,
}

short_or_full!(RawCases, "a mapping of conditions, or a list of them",
    seq => Vec<S<RawWhen>> => RawCases::Each, map => RawWhen => |w| RawCases::One(Box::new(w)));
short_or_full!(RawNames, "a name, or a list of names",
    str => RawNames::One, seq => Vec<S<String>> => RawNames::Many);
short_or_full!(RawAttrs, "`NODE:NAME=VALUE`, a mapping with `node`, or a list of them",
    str => RawAttrs::Short, seq => Vec<S<RawAttr>> => RawAttrs::Many, map => RawAttrFull => RawAttrs::One);
short_or_full!(RawAttr, "`NODE:NAME=VALUE`, or a mapping with `node`",
    str => RawAttr::Short, map => RawAttrFull => RawAttr::Full);
short_or_full!(RawOpFailures, "a mapping with `resource` and `node`, or a list of them",
    seq => Vec<S<RawOpFails>> => RawOpFailures::Many, map => RawOpFails => RawOpFailures::One);

/// Access control lists: `roles`, `users` (Pacemaker's `acl_target`) and `groups`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAcls {
    /// Roles by id: what their holders may read, write or not see.
    #[serde(default)]
    pub roles: Map<S<RawAclRole>>,
    /// Users (`acl_target`) by id: the roles each has (a list), or `{ name, roles }` when the
    /// user's name is not the id (Pacemaker 2.1 and later, schema 3.8).
    #[serde(default)]
    pub users: Map<S<RawAclTarget>>,
    /// Unix groups (`acl_group`) by id: the roles their members have, like `users`.
    #[serde(default)]
    pub groups: Map<S<RawAclTarget>>,
}

/// One ACL role.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAclRole {
    #[serde(default)]
    pub description: Option<S<String>>,
    /// What the role grants or denies, each on an XPath, an element's id, or an element type.
    #[serde(default)]
    pub permissions: Vec<S<RawAclPermission>>,
}

/// One permission of a role: `kind` on exactly one of `xpath`, `reference` or `object-type`
/// (optionally narrowed to one `attribute`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAclPermission {
    /// `read`, `write` or `deny`.
    pub kind: S<String>,
    /// The elements an XPath selects, with everything inside them.
    #[serde(default)]
    pub xpath: Option<S<String>>,
    /// The element with this id, with everything inside it (pcs `id`).
    #[serde(default)]
    pub reference: Option<S<String>>,
    /// Every element of this type (`primitive`, `node`, ...).
    #[serde(default, rename = "object-type")]
    pub object_type: Option<S<String>>,
    /// With `object-type`: only this attribute of those elements.
    #[serde(default)]
    pub attribute: Option<S<String>>,
    #[serde(default)]
    pub description: Option<S<String>>,
    /// The permission's id; generated as pcs does (`ROLE-KIND`, `ROLE-KIND-1`, ...) when omitted.
    #[serde(default)]
    pub id: Option<S<String>>,
}

/// A user or group: the roles it has, or the long form.
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RawAclTarget {
    Roles(Vec<S<String>>),
    Full(RawAclTargetFull),
}

/// The long form of an ACL user or group.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAclTargetFull {
    /// The user's (or group's) name, when it is not the id (needs Pacemaker 2.1, schema 3.8).
    #[serde(default)]
    pub name: Option<S<String>>,
    #[serde(default)]
    pub roles: Vec<S<String>>,
}

short_or_full!(RawAclTarget, "a list of roles, or a mapping with `roles`",
    seq => Vec<S<String>> => RawAclTarget::Roles, map => RawAclTargetFull => RawAclTarget::Full);
