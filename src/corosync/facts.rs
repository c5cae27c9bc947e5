//! corosync.conf tree → the facts cibform compares with the cluster file (cluster name,
//! transport, nodes with ids and per-link addresses, link options, totem, votequorum and its
//! device, logging), and the comparison, each difference classed by how disruptive it is.
//!
//! Pure. Only what the file declares is compared: a key it does not declare is not managed.

use std::collections::BTreeMap;

use serde::Serialize;

use super::parse::Section;
use crate::model::{Cluster, QuorumDevice};

/// Values corosync accepts, for the options the cluster file manages.
pub const CIPHERS: &[&str] = &["none", "aes256", "aes192", "aes128"];
pub const HASHES: &[&str] = &["none", "md5", "sha1", "sha256", "sha384", "sha512"];
pub const LINK_MODES: &[&str] = &["passive", "active", "rr"];
pub const KNET_TRANSPORTS: &[&str] = &["udp", "sctp"];
pub const ALGORITHMS: &[&str] = &["ffsplit", "lms"];
pub const DEVICE_MODELS: &[&str] = &["net"];
/// corosync-qdevice's heuristics: modes, the keys that are milliseconds, the rest `exec_NAME`.
pub const HEURISTICS_MODES: &[&str] = &["off", "on", "sync"];
pub const HEURISTICS_NUMBERS: &[&str] = &["timeout", "sync_timeout", "interval"];
/// `totem` keys the cluster file manages: numbers, then words with their values.
pub const TOTEM_NUMBERS: &[&str] = &["token", "consensus", "join"];
pub const TOTEM_WORDS: &[(&str, &[&str])] =
    &[("crypto_cipher", CIPHERS), ("crypto_hash", HASHES), ("link_mode", LINK_MODES)];
/// Link (`interface`) keys the cluster file manages that are numbers.
pub const LINK_NUMBERS: &[&str] =
    &["knet_link_priority", "knet_ping_interval", "knet_ping_timeout", "knet_ping_precision"];
/// `logging` keys the cluster file manages that are booleans.
pub const LOGGING_FLAGS: &[&str] = &["to_logfile", "to_syslog", "to_stderr", "timestamp", "debug"];

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
    /// `totem` keys as written.
    pub totem: BTreeMap<String, String>,
    /// `totem.interface` sections by link number (no `linknumber` means 0).
    pub links: BTreeMap<u8, BTreeMap<String, String>>,
    /// `logging` keys as written.
    pub logging: BTreeMap<String, String>,
    /// `quorum.device`, when there is one.
    pub device: Option<QuorumDevice>,
}

/// The link number a `ringN_addr` key names.
pub fn ring_link(key: &str) -> Option<u8> {
    key.strip_prefix("ring").and_then(|r| r.strip_suffix("_addr")).and_then(|l| l.parse::<u8>().ok())
}

/// The link number of a `totem.interface` section (corosync takes a missing one as 0).
pub fn interface_link(s: &Section) -> Option<u8> {
    s.value("linknumber").map_or(Some(0), |l| l.parse().ok())
}

fn values(s: &Section) -> BTreeMap<String, String> {
    s.values().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The keys of every one of these sections, a later one overriding an earlier one.
fn merged<'a>(sections: impl Iterator<Item = &'a Section>) -> BTreeMap<String, String> {
    sections.flat_map(|s| s.values()).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

impl Facts {
    /// What corosync loads: a section may be written more than once (`quorum { }` twice), and
    /// corosync reads every one in order, a later key overriding an earlier one.
    pub fn from_conf(conf: &Section) -> Facts {
        let totem = merged(conf.sections("totem"));
        let mut facts = Facts {
            cluster_name: totem.get("cluster_name").cloned(),
            transport: totem.get("transport").cloned(),
            totem,
            ..Facts::default()
        };
        for i in conf.sections("totem").flat_map(|t| t.sections("interface")) {
            if let Some(l) = interface_link(i) {
                facts.links.entry(l).or_default().extend(values(i));
            }
        }
        for nl in conf.sections("nodelist") {
            for n in nl.sections("node") {
                let addrs = n.values().filter_map(|(k, v)| ring_link(k).map(|l| (l, v.to_string()))).collect();
                facts.nodes.push(ConfNode {
                    name: n.value("name").map(str::to_string),
                    nodeid: n.value("nodeid").map(str::to_string),
                    addrs,
                });
            }
        }
        facts.quorum = merged(conf.sections("quorum"));
        let devices: Vec<&Section> = conf.sections("quorum").flat_map(|q| q.sections("device")).collect();
        if !devices.is_empty() {
            let d = merged(devices.iter().copied());
            let net = merged(devices.iter().flat_map(|d| d.sections("net")));
            let heuristics: Vec<&Section> = devices.iter().flat_map(|d| d.sections("heuristics")).collect();
            facts.device = Some(QuorumDevice {
                model: d.get("model").cloned().unwrap_or_default(),
                host: net.get("host").cloned().unwrap_or_default(),
                algorithm: net.get("algorithm").cloned(),
                heuristics: (!heuristics.is_empty()).then(|| merged(heuristics.into_iter()).into_iter().collect()),
            });
        }
        facts.logging = merged(conf.sections("logging"));
        facts
    }

    /// A boolean votequorum option (`1`/`0`; absent → `None`).
    pub fn quorum_flag(&self, key: &str) -> Option<bool> {
        self.quorum.get(key).map(|v| is_true(v))
    }
}

/// corosync's yes: `1`, `yes`, `on`, `true`.
pub fn is_true(v: &str) -> bool {
    ["1", "yes", "on", "true"].iter().any(|t| v.eq_ignore_ascii_case(t))
}

/// Keys whose values are booleans (`yes` and `on` are the same value).
const BOOLEAN_KEYS: &[&str] = LOGGING_FLAGS;

/// Whether a value in corosync.conf already is the value the file wants.
pub fn same(key: &str, have: Option<&str>, want: &str) -> bool {
    match have {
        Some(h) if BOOLEAN_KEYS.contains(&key) && ["on", "off"].contains(&want) => is_true(h) == (want == "on"),
        Some(h) => h == want,
        None => false,
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

/// The online procedures of a node joining or leaving, as `pcs cluster node add`/`remove` run them.
pub const JOIN: &str = "online, as `pcs cluster node add`: corosync's (and pacemaker's) authkey copied to the new node, the same corosync.conf on every node and the new one, one reload, then corosync and pacemaker started on the new node (the CIB part first: its `<node>` entry)";
pub const LEAVE: &str = "online, as `pcs cluster node remove`: pacemaker and corosync stopped on the node, the same corosync.conf on the other nodes, one reload, the node's corosync.conf set aside, then `crm_node --force -R` (the node leaves the CIB's nodes and status)";

/// The online procedures of a quorum device, as `pcs quorum device add`/`remove` run them.
pub const DEVICE_ADD: &str = "online, as `pcs quorum device add model net host=... algorithm=...`: the qnetd CA and a client certificate it signs on every node (before corosync.conf changes), corosync-qdevice enabled, the same corosync.conf on every node (without `two_node`), one reload, corosync-qdevice started on every node";
pub const DEVICE_REMOVE: &str = "online, as `pcs quorum device remove`: corosync-qdevice disabled and stopped on every node, its client certificates removed, the same corosync.conf on every node (`two_node` back with two nodes), one reload";

const TWO_NODE_FOLLOWS: &str = "follows the node count as `pcs cluster node add`/`remove` keeps it: `1` with exactly two nodes (no quorum device, no auto_tie_breaker), absent otherwise; in the same corosync.conf as the nodes";

const RELOAD: &str = "the same corosync.conf on every node, then `corosync-cfgtool -R` on one";
const STOP: &str = "stop the cluster, edit corosync.conf on every node (`pcs cluster corosync`), start it";

/// How disruptive changing a `totem`, link or `logging` key is.
pub fn disruption_of(section: &str, key: &str) -> Disruption {
    match (section, key) {
        ("totem", "crypto_cipher" | "crypto_hash" | "link_mode" | "cluster_name" | "transport") => Disruption::FullStop,
        ("link", "knet_transport") => Disruption::FullStop,
        _ => Disruption::Reload,
    }
}

/// The quorum flags and expected votes the file declares, in corosync's spelling.
pub fn declared_quorum(model: &Cluster) -> [(&'static str, Option<String>); 5] {
    let q = &model.quorum;
    let flag = |b: Option<bool>| b.map(|b| u8::from(b).to_string());
    [
        ("two_node", flag(q.two_node)),
        ("wait_for_all", flag(q.wait_for_all)),
        ("last_man_standing", flag(q.last_man_standing)),
        ("auto_tie_breaker", flag(q.auto_tie_breaker)),
        ("expected_votes", q.expected_votes.map(|v| v.to_string())),
    ]
}

/// Whether a quorum key already has the wanted value (an absent flag is off).
pub fn same_quorum(facts: &Facts, key: &str, want: &str) -> bool {
    match key {
        "expected_votes" => facts.quorum.get(key).map(String::as_str) == Some(want),
        _ => facts.quorum_flag(key).map_or(want == "0", |b| u8::from(b).to_string() == want),
    }
}

/// Compare what the file declares with corosync.conf. Only what the file declares is compared:
/// no nodes declared → the nodelist is not compared; an undeclared option is not compared.
pub fn compare(model: &Cluster, facts: &Facts) -> Vec<ConfChange> {
    let mut out = Vec::new();
    if facts.cluster_name.as_deref() != Some(model.name.as_str()) {
        out.push(change("totem.cluster_name".into(), facts.cluster_name.as_deref(), Some(&model.name), Disruption::FullStop, "stop the cluster, edit totem.cluster_name on every node (`pcs cluster corosync`), start it; Pacemaker then records the new cluster-name"));
    }
    for (k, v) in &model.corosync.totem {
        let have = facts.totem.get(k).map(String::as_str);
        if !same(k, have, v) {
            let d = disruption_of("totem", k);
            out.push(change(
                format!("totem.{k}"),
                have,
                Some(v),
                d,
                if d == Disruption::Reload { RELOAD } else { STOP },
            ));
        }
    }
    for (l, opts) in model.corosync.links.iter().enumerate() {
        let l = u8::try_from(l).unwrap_or(u8::MAX);
        for (k, v) in opts {
            let have = facts.links.get(&l).and_then(|o| o.get(k)).map(String::as_str);
            if !same(k, have, v) {
                let d = disruption_of("link", k);
                out.push(change(
                    format!("link {l}.{k}"),
                    have,
                    Some(v),
                    d,
                    if d == Disruption::Reload { RELOAD } else { STOP },
                ));
            }
        }
    }
    if model.members().next().is_some() {
        compare_nodes(model, facts, &mut out);
    }
    if let Some(want) = two_node_follow(model, facts) {
        out.push(change(
            "quorum.two_node".into(),
            facts.quorum.get("two_node").map(String::as_str),
            want,
            Disruption::Online,
            TWO_NODE_FOLLOWS,
        ));
    }
    for ((key, want), (_, disruption, how)) in declared_quorum(model).iter().zip(QUORUM) {
        let Some(want) = want else { continue };
        if !same_quorum(facts, key, want) {
            // Declared as pcs sets it while nodes join or leave: part of that procedure.
            let (disruption, how) = if *key == "two_node"
                && (members_change(model, facts) || device_removed(model, facts))
                && pcs_two_node(model, facts).unwrap_or("0") == want
            {
                (Disruption::Online, TWO_NODE_FOLLOWS)
            } else {
                (disruption, how)
            };
            out.push(change(
                format!("quorum.{key}"),
                facts.quorum.get(*key).map(String::as_str),
                Some(want),
                disruption,
                how,
            ));
        }
    }
    if let Some(d) = &model.quorum.device {
        if facts.device.as_ref().is_none_or(|have| !same_device(have, d)) {
            out.push(change(
                "quorum.device".into(),
                facts.device.as_ref().map(describe_device).as_deref(),
                Some(&describe_device(d)),
                Disruption::Online,
                device_procedure(facts.device.as_ref(), d),
            ));
        }
    }
    if device_removed(model, facts) {
        out.push(change(
            "quorum.device".into(),
            facts.device.as_ref().map(describe_device).as_deref(),
            None,
            Disruption::Online,
            DEVICE_REMOVE,
        ));
    }
    for (k, v) in &model.corosync.logging {
        let have = facts.logging.get(k).map(String::as_str);
        if !same(k, have, v) {
            out.push(change(format!("logging.{k}"), have, Some(v), Disruption::Reload, RELOAD));
        }
    }
    out
}

fn compare_nodes(model: &Cluster, facts: &Facts, out: &mut Vec<ConfChange>) {
    for n in model.nodes.iter().filter(|n| n.in_corosync()) {
        let id = n.id.to_string();
        let want: BTreeMap<u8, String> =
            n.addrs.iter().enumerate().map(|(i, a)| (u8::try_from(i).unwrap_or(u8::MAX), a.clone())).collect();
        match facts.nodes.iter().find(|c| c.name.as_deref() == Some(n.name.as_str())) {
            None => out.push(change(
                format!("node {}", n.name),
                None,
                Some(&describe(&id, &want)),
                Disruption::Online,
                JOIN,
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
                        out.push(change(format!("node {} link {l}", n.name), b.map(String::as_str), a.map(String::as_str), Disruption::Online, "`pcs cluster link add`/`link delete` on a running cluster (a changed address: delete, then add)"));
                    }
                }
            }
        }
    }
    for (i, c) in facts.nodes.iter().enumerate() {
        let name = c.name.clone().unwrap_or_else(|| format!("nodeid {}", c.nodeid.as_deref().unwrap_or("?")));
        // Only the first entry of a name was compared: a repeated name or nodeid is one more
        // entry, however it matches, and corosync needs each once.
        let repeated = facts.nodes[..i]
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
        } else if !model.members().any(|n| Some(n.name.as_str()) == c.name.as_deref()) {
            out.push(change(
                format!("node {name}"),
                Some(&describe(c.nodeid.as_deref().unwrap_or("?"), &c.addrs)),
                None,
                Disruption::Online,
                LEAVE,
            ));
        }
    }
}

/// `two_node` when nodes join or leave and the file does not declare it, kept as pcs keeps it
/// (`1` with exactly two nodes, no quorum device and no `auto_tie_breaker`; absent otherwise):
/// `Some(value)` (`None`: the key goes) when corosync.conf must change, `None` when not.
pub fn two_node_follow(model: &Cluster, facts: &Facts) -> Option<Option<&'static str>> {
    if model.quorum.two_node.is_some() || !(members_change(model, facts) || device_removed(model, facts)) {
        return None;
    }
    let two = pcs_two_node(model, facts);
    (facts.quorum_flag("two_node").unwrap_or(false) != two.is_some()).then_some(two)
}

/// Whether the file's nodes are others than corosync.conf's (nodes join or leave).
pub fn members_change(model: &Cluster, facts: &Facts) -> bool {
    let mut have: Vec<&str> = facts.nodes.iter().filter_map(|n| n.name.as_deref()).collect();
    let mut want: Vec<&str> = model.members().map(|n| n.name.as_str()).collect();
    have.sort_unstable();
    want.sort_unstable();
    !want.is_empty() && have != want
}

/// `two_node` as pcs sets it for the file's nodes: `1` with exactly two nodes, no quorum
/// device and no `auto_tie_breaker`; absent otherwise.
fn pcs_two_node(model: &Cluster, facts: &Facts) -> Option<&'static str> {
    let device = model.quorum.device.is_some() || (facts.device.is_some() && !model.quorum.no_device);
    let atb = model.quorum.auto_tie_breaker.unwrap_or(facts.quorum_flag("auto_tie_breaker") == Some(true));
    let members = model.members().count();
    let nodes = if members == 0 { facts.nodes.len() } else { members };
    (nodes == 2 && !device && !atb).then_some("1")
}

/// Whether the file says `device: none` and corosync.conf has a device (it is removed).
pub fn device_removed(model: &Cluster, facts: &Facts) -> bool {
    model.quorum.no_device && facts.device.is_some()
}

/// Whether corosync.conf's device is the declared one (an undeclared algorithm or heuristics
/// section is not managed).
pub fn same_device(have: &QuorumDevice, want: &QuorumDevice) -> bool {
    have.model == want.model
        && have.host == want.host
        && want.algorithm.as_ref().is_none_or(|a| have.algorithm.as_ref() == Some(a))
        && want.heuristics.as_ref().is_none_or(|w| same_heuristics(have.heuristics.as_deref(), w))
}

/// Whether corosync.conf's heuristics are the declared ones, key for key in any order (an
/// empty section is none; a key declared twice counts once, the later as corosync reads it).
pub fn same_heuristics(have: Option<&[(String, String)]>, want: &[(String, String)]) -> bool {
    let keys = |h: &[(String, String)]| h.iter().cloned().collect::<BTreeMap<String, String>>();
    keys(have.unwrap_or_default()) == keys(want)
}

/// A heuristics command name corosync-qdevice and pcs take: `exec_` and then letters, digits,
/// `-`, `_` or `/` (pcs's `QUORUM_DEVICE_HEURISTICS_EXEC_NAME_RE`).
pub fn is_exec_name(key: &str) -> bool {
    key.strip_prefix("exec_")
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/')))
}

/// How a device gets from `have` to `want`: added (or moved to another qnetd host, which signs
/// new certificates), or only its algorithm changed (`pcs quorum device update`: a reload).
fn device_procedure(have: Option<&QuorumDevice>, want: &QuorumDevice) -> &'static str {
    match have {
        Some(h) if h.model == want.model && h.host == want.host => "`pcs quorum device update` (algorithm, heuristics; `pcs quorum device heuristics remove`): the same corosync.conf on every node, one reload, then corosync-qdevice stopped and started again on every node",
        Some(_) => "online: as `pcs quorum device remove`, then `add` with the new host (corosync-qdevice stopped on every node, certificates from the new qnetd host, the same corosync.conf on every node, one reload, corosync-qdevice started)",
        None => DEVICE_ADD,
    }
}

fn describe_device(d: &QuorumDevice) -> String {
    let mut out = match &d.algorithm {
        Some(a) => format!("model {}, host {}, algorithm {a}", d.model, d.host),
        None => format!("model {}, host {}", d.model, d.host),
    };
    match d.heuristics.as_deref() {
        Some([]) => out.push_str(", no heuristics"),
        Some(h) => {
            let keys: Vec<String> = h.iter().map(|(k, v)| format!("{k} {v}")).collect();
            out.push_str(&format!(", heuristics {}", keys.join(", ")));
        }
        None => {}
    }
    out
}

fn describe(id: &str, addrs: &BTreeMap<u8, String>) -> String {
    let a: Vec<&str> = addrs.values().map(String::as_str).collect();
    format!("nodeid {id}, addrs {}", a.join(", "))
}
