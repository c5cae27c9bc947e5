//! The registry of diagnostic codes: every code cibform reports, with what it means.
//!
//! A code is a promise: scripts and CI filters match on it, so a code is never reused for
//! another meaning and never renamed. `Diag::error`/`Diag::warning` take a `Code`, so a code
//! that is not listed here cannot be reported. Pure data; no I/O.

/// A diagnostic's stable name and a one-line description of when it is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    pub name: &'static str,
    pub summary: &'static str,
}

macro_rules! codes {
    ($($id:ident = $name:literal, $summary:literal;)*) => {
        $(#[doc = $summary] pub const $id: Code = Code { name: $name, summary: $summary };)*
        /// Every code, in registry order.
        pub const ALL: &[Code] = &[$($id),*];
    };
}

codes! {
    // Reading an input file (cluster file, CIB, corosync.conf, saved plan).
    INPUT_READ = "cibform::input::read", "the file cannot be read";
    INPUT_EMPTY = "cibform::input::empty", "the file is empty";
    INPUT_BINARY = "cibform::input::binary", "the file is not text";
    INPUT_ENCODING = "cibform::input::encoding", "the file is not valid UTF-8";
    INPUT_TOO_LARGE = "cibform::input::too_large", "the file is larger than cibform reads";
    INPUT_CHAR = "cibform::input::char", "a value holds a character XML 1.0 cannot carry (NUL, ESC, U+FFFE, ...)";
    // The cluster file's YAML.
    YAML_SYNTAX = "cibform::yaml::syntax", "the YAML is not well-formed";
    YAML_TYPE = "cibform::yaml::type", "a value has the wrong shape (a list where a mapping is expected, ...)";
    YAML_UNKNOWN_KEY = "cibform::yaml::unknown_key", "a key the cluster file does not have";
    YAML_MISSING_KEY = "cibform::yaml::missing_key", "a required key is missing";
    YAML_DUPLICATE_KEY = "cibform::yaml::duplicate_key", "a mapping repeats a key";
    YAML_DOCUMENTS = "cibform::yaml::documents", "more than one YAML document in the file";
    YAML_LIMIT = "cibform::yaml::limit", "nesting or aliases beyond the parser's safety limits";
    // Ids and attribute lists.
    ID_INVALID = "cibform::id::invalid", "an id that is not a valid XML id";
    ID_DUPLICATE = "cibform::id::duplicate", "an id declared twice (ids are shared by every kind of object)";
    ATTR_EMPTY_NAME = "cibform::attr::empty_name", "an attribute with an empty name";
    ATTR_DUPLICATE = "cibform::attr::duplicate", "an attribute set twice in one list";
    // The cluster and its nodes.
    CLUSTER_NAME = "cibform::cluster::name", "the cluster name is not valid";
    QUORUM_TWO_NODE = "cibform::quorum::two_node", "`two_node` with other than two nodes";
    PROPERTY_OWNED = "cibform::property::owned", "a cluster property that Pacemaker maintains itself";
    PROPERTY_UNKNOWN = "cibform::property::unknown", "a cluster property Pacemaker's metadata does not know";
    PROPERTY_VALUE = "cibform::property::value", "a cluster property value of the wrong type or not among the allowed values";
    PROPERTY_NEWER = "cibform::property::newer", "a cluster property only a later Pacemaker than the metadata's knows (warning)";
    PROPERTY_DEPRECATED = "cibform::property::deprecated", "a deprecated or legacy cluster property name (warning)";
    NODE_DUPLICATE = "cibform::node::duplicate", "a node declared twice";
    NODE_ID = "cibform::node::id", "a node id that is not a positive integer";
    NODE_DUPLICATE_ID = "cibform::node::duplicate_id", "two nodes with the same corosync id";
    NODE_ADDR = "cibform::node::addr", "a node address that is neither an IP address nor a host name";
    NODE_DUPLICATE_ADDR = "cibform::node::duplicate_addr", "an address used twice";
    NODE_LINKS = "cibform::node::links", "nodes with different numbers of knet link addresses";
    NODE_STANDBY_TWICE = "cibform::node::standby_twice", "`standby` given both as a key and as an attribute";
    // Resources.
    AGENT_STANDARD = "cibform::agent::standard", "an unknown resource agent standard";
    AGENT_INVALID = "cibform::agent::invalid", "an agent that is not `standard[:provider]:type`";
    AGENT_METADATA = "cibform::agent::metadata", "an agent without metadata, or not installed where it runs (warning)";
    AGENT_MISSING = "cibform::agent::missing", "an agent the cluster's node does not have";
    AGENT_UNKNOWN = "cibform::agent::unknown", "an agent nobody has, close to one the snapshot has (a typo)";
    AGENT_PARAM_UNKNOWN = "cibform::agent::param_unknown", "a parameter the agent's metadata does not have";
    AGENT_PARAM_MISSING = "cibform::agent::param_missing", "a parameter the agent requires is missing";
    AGENT_PARAM_VALUE = "cibform::agent::param_value", "a parameter value not among the agent's options (a warning when only its type is wrong)";
    AGENT_PARAM_DEPRECATED = "cibform::agent::param_deprecated", "a deprecated agent parameter (warning; an error for a fence device's `action`)";
    AGENT_PARAM_UNIQUE = "cibform::agent::param_unique", "two resources of one agent share the value of a unique parameter";
    AGENT_ACTION = "cibform::agent::action", "an operation the agent does not advertise";
    AGENT_CHECK_LEVEL = "cibform::agent::check_level", "an `OCF_CHECK_LEVEL` that is not a non-negative integer";
    FENCE_PARAM = "cibform::fence::param", "a fencing parameter (`pcmk_host_map`, `pcmk_host_list`, `pcmk_host_check`) Pacemaker cannot parse";
    OP_INTERVAL = "cibform::op::interval", "an operation interval that is not a duration";
    OP_TIMEOUT = "cibform::op::timeout", "an operation timeout that is not a duration";
    OP_DUPLICATE = "cibform::op::duplicate", "the same operation (name and interval, whatever the role) declared twice";
    OP_MONITOR_INTERVAL = "cibform::op::monitor_interval", "a monitor without an interval: it runs every 60s, as pcs writes it (warning)";
    OPS_EXACT_WITHOUT_OPS = "cibform::ops::exact_without_ops", "`ops_exact` on a resource without `ops`";
    ROLE_UNKNOWN = "cibform::role::unknown", "an unknown role";
    ROLE_LEGACY = "cibform::role::legacy", "a legacy role name (`Master`, `Slave`), the same as `Promoted`, `Unpromoted` (warning)";
    META_TARGET_ROLE_TWICE = "cibform::meta::target_role_twice", "`enabled` and `meta.target-role` both set";
    META_UNKNOWN = "cibform::meta::unknown", "a meta attribute or default Pacemaker does not read (warning)";
    META_VALUE = "cibform::meta::value", "a meta attribute or default value of the wrong type";
    META_DEPRECATED = "cibform::meta::deprecated", "a deprecated meta attribute name (warning)";
    OP_VALUE = "cibform::op::value", "an operation attribute (`on-fail`, `record-pending`, ...) with a wrong value";
    VALUE_LAX = "cibform::value::lax", "a value Pacemaker reads as something other than what is written (warning)";
    GROUP_EMPTY = "cibform::group::empty", "a group without members";
    GROUP_MEMBER_TWICE = "cibform::group::member_twice", "a resource in two groups";
    CLONE_GROUP_MEMBER = "cibform::clone::group_member", "a group member cloned on its own";
    CLONE_TWICE = "cibform::clone::twice", "a resource or group cloned twice";
    REF_UNKNOWN = "cibform::ref::unknown", "a reference to a resource, group or clone that is not declared";
    // Constraints and rules.
    SCORE_INVALID = "cibform::score::invalid", "a score that is not an integer or (-)INFINITY";
    CONSTRAINT_KIND = "cibform::constraint::kind", "a constraint that is not exactly one of location, colocation, order";
    CONSTRAINT_FIELD = "cibform::constraint::field", "a field that belongs to another kind of constraint";
    CONSTRAINT_LOCATION = "cibform::constraint::location", "a location with neither `node` nor `rule`";
    CONSTRAINT_COLOCATION = "cibform::constraint::colocation", "a colocation without `with`";
    CONSTRAINT_ORDER = "cibform::constraint::order", "an order without `then`";
    CONSTRAINT_ORDER_KIND = "cibform::constraint::order_kind", "an unknown order kind";
    CONSTRAINT_ACTION = "cibform::constraint::action", "an unknown order action";
    CONSTRAINT_DISCOVERY = "cibform::constraint::discovery", "an unknown resource-discovery value";
    CONSTRAINT_UNKNOWN_NODE = "cibform::constraint::unknown_node", "a location on a node not declared under `nodes` (warning)";
    RULE_PARSE = "cibform::rule::parse", "a rule that does not parse";
    RULE_STRUCTURED = "cibform::rule::structured", "a structured rule of the wrong shape";
    RULE_OPERATOR = "cibform::rule::operator", "an unknown rule operator";
    RULE_TYPE = "cibform::rule::type", "an unknown rule value type";
    RULE_ATTRIBUTE = "cibform::rule::attribute", "a rule reads a node attribute nothing in the file defines (warning)";
    CONSTRAINT_SCORE_ATTRIBUTE = "cibform::constraint::score_attribute", "`score` and `score-attribute` both given, or `score-attribute` without a rule";
    CONSTRAINT_UNTIL = "cibform::constraint::until", "`until` without `node`, or not an ISO 8601 date";
    CONSTRAINT_PATTERN = "cibform::constraint::pattern", "a location `pattern` that is empty or not a regular expression";
    CONSTRAINT_TICKET = "cibform::constraint::ticket", "a ticket constraint without `resource`, or a ticket name that is not valid";
    CONSTRAINT_LOSS_POLICY = "cibform::constraint::loss_policy", "an unknown ticket loss-policy";
    ATTR_SET_PLAIN = "cibform::attr_set::plain", "a `*_sets` entry without `rule` or `score` (plain values go in the section itself)";
    FENCING_LEVEL = "cibform::fencing::level", "a fencing level without exactly one target, with index 0, without devices, or given twice";
    TAG_EMPTY = "cibform::tag::empty", "a tag that names no resource, or names one twice";
    ALERT_PATH = "cibform::alert::path", "an alert without a path to its agent";
    ALERT_SELECT = "cibform::alert::select", "an alert selection that is not `nodes`, `fencing`, `resources` or `attributes`, or is given twice";
    ALERT_RECIPIENT = "cibform::alert::recipient", "an alert recipient with an empty value, or given twice";
    BUNDLE_CONTAINER = "cibform::bundle::container", "a bundle without exactly one container (`docker`, `podman`, `rkt`), or with an empty image or zero replicas";
    BUNDLE_NETWORK = "cibform::bundle::network", "a bundle network setting that is not an address, a netmask or a port";
    BUNDLE_PORT = "cibform::bundle::port", "a port mapping without exactly one of `port` and `range`, out of range, or given twice";
    BUNDLE_STORAGE = "cibform::bundle::storage", "a storage mapping without exactly one of `source-dir` and `source-dir-root`, or with a target given twice";
    NODE_NOT_IN_COROSYNC = "cibform::node::not_in_corosync", "addresses on a node without a corosync node id (a remote node, or one whose CIB id is text)";
    RESOURCE_TEMPLATE = "cibform::resource::template", "a primitive with both or neither of `agent` and `template`, or a template that names a template";
    BUNDLE_RESOURCE = "cibform::bundle::resource", "a bundle's resource that is also in a group, a clone or another bundle";
    ACL_PERMISSION = "cibform::acl::permission", "an ACL permission whose kind is not `read`, `write` or `deny`, or that does not name exactly one of `xpath`, `reference`, `object-type`";
    ACL_ROLE = "cibform::acl::role", "an ACL user or group that names an undeclared role, or one role twice";
    // Failover tests (`scenarios:`).
    SCENARIO_NAME = "cibform::scenario::name", "a failover scenario with an empty name, or a name used twice";
    SCENARIO_EMPTY = "cibform::scenario::empty", "a failover scenario that expects nothing, or a condition or list that names nothing";
    SCENARIO_NODE = "cibform::scenario::node", "a failover scenario names a node not declared under `nodes`";
    SCENARIO_KIND = "cibform::scenario::kind", "an expectation or condition on the wrong kind of resource (instances of a primitive, ...)";
    SCENARIO_ATTR = "cibform::scenario::attr", "an attribute condition without `node` or attributes, or not `NODE:NAME=VALUE`";
    SCENARIO_OP = "cibform::scenario::op", "an operation failure with an invalid operation name";
    SCENARIO_CONFLICT = "cibform::scenario::conflict", "expectations that contradict or repeat each other";
    // The escape hatch.
    RAW_XML = "cibform::raw::xml", "a `raw:` item that is not well-formed XML";
    RAW_ELEMENT = "cibform::raw::element", "a `raw:` item that is not a configuration object";
    RAW_SECTION_TWICE = "cibform::raw::section_twice", "a `raw:` section given twice";
    RAW_CONFLICT = "cibform::raw::conflict", "a `raw:` section also given natively";
    RAW_PLAIN_SET = "cibform::raw::plain_set", "a `raw:` property set that belongs under `properties`";
    RAW_NODE = "cibform::raw::node", "a `raw:` node without `uname`";
    // The CIB.
    CIB_EMPTY = "cibform::cib::empty", "the CIB file is empty";
    CIB_XML = "cibform::cib::xml", "the CIB is not well-formed XML";
    CIB_ROOT = "cibform::cib::root", "the root element is not `<cib>`";
    CIB_CONFIGURATION = "cibform::cib::configuration", "the CIB has no `<configuration>`";
    CIB_SECTION = "cibform::cib::section", "the CIB lacks a required configuration section";
    CIB_VERSION = "cibform::cib::version", "the CIB's version attributes are not integers";
    // corosync.conf.
    COROSYNC_SYNTAX = "cibform::corosync::syntax", "corosync.conf does not parse";
    COROSYNC_VALUE = "cibform::corosync::value", "a corosync option has a value corosync does not accept";
    COROSYNC_LINK = "cibform::corosync::link", "options for a knet link that no node has an address on";
    COROSYNC_CRYPTO = "cibform::corosync::crypto", "`crypto_cipher` and `crypto_hash` do not go together";
    QUORUM_DEVICE = "cibform::quorum::device", "a quorum device that corosync cannot use";
    // Added later (appended: codes are never reordered).
    NODE_NAME = "cibform::node::name", "a node name that is not a host name (empty, spaces, controls, invisible characters)";
    YAML_TAG = "cibform::yaml::tag", "a YAML tag other than the core schema's plain ones (`!!binary`, `!custom`)";
    SCENARIO_TICKET = "cibform::scenario::ticket", "a failover scenario names a ticket no ticket constraint uses";
    ID_NON_ASCII = "cibform::id::non_ascii", "an id that is not plain ASCII: it can look exactly like another id";
    QUORUM_HEURISTICS = "cibform::quorum::heuristics", "quorum device heuristics corosync-qdevice cannot use (mode, milliseconds, `exec_NAME` commands)";
}

#[cfg(test)]
mod tests {
    use super::ALL;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut names: Vec<&str> = ALL.iter().map(|c| c.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "a code is registered twice");
        for c in ALL {
            let parts: Vec<&str> = c.name.split("::").collect();
            assert!(parts.len() == 3 && parts[0] == "cibform", "{}", c.name);
            assert!(c.name.chars().all(|ch| ch.is_ascii_lowercase() || ch == ':' || ch == '_'), "{}", c.name);
            assert!(!c.summary.is_empty() && !c.summary.ends_with('.'), "{}", c.name);
        }
    }
}
