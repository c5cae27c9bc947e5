//! Every diagnostic cibform can report about a cluster file: code, message, the label on the
//! exact span and the help line, as the user sees them (snapshots, no colour).

use cibform::cli::render_diags;
use cibform::diag::Diag;

fn diags(yaml: &str) -> Vec<Diag> {
    match cibform::config::parse("cluster.yaml", yaml.as_bytes()) {
        Err(d) => vec![*d],
        Ok((src, raw)) => match cibform::validate::validate(&src, &raw) {
            Err(d) => d,
            Ok((_, warnings)) => warnings,
        },
    }
}

/// Check the codes, then snapshot the rendering.
fn case(name: &str, yaml: &str, codes: &[&str]) {
    let d = diags(yaml);
    let got: Vec<&str> = d.iter().map(|d| d.code).collect();
    assert_eq!(got, codes, "{name}: {d:#?}");
    for x in &d {
        assert!(x.help.is_some(), "{name}: {} has no help", x.code);
        assert!(
            !x.message.ends_with('.') && x.message.chars().next().is_some_and(|c| !c.is_uppercase()),
            "{name}: message style: {}",
            x.message
        );
    }
    insta::assert_snapshot!(name, render_diags(&d, false));
}

const BASE: &str = "cluster: c\nnodes:\n  n1: { id: 1, addrs: [10.0.0.1] }\n  n2: { id: 2, addrs: [10.0.0.2] }\n";

#[test]
fn yaml_syntax() {
    case("yaml_syntax", "cluster: c\nresources:\n  a: { agent: \"x }\n", &["cibform::yaml::syntax"]);
}

#[test]
fn unknown_key_with_suggestion() {
    case(
        "unknown_key",
        &format!("{BASE}resources:\n  r1: {{ agent: ocf:pacemaker:Dummy, parms: {{ a: 1 }} }}\n"),
        &["cibform::yaml::unknown_key"],
    );
}

#[test]
fn unknown_top_level_key() {
    case(
        "unknown_top_key",
        &format!("{BASE}resource:\n  r1: {{ agent: ocf:pacemaker:Dummy }}\n"),
        &["cibform::yaml::unknown_key"],
    );
}

#[test]
fn wrong_type() {
    case(
        "wrong_type",
        &format!("{BASE}resources:\n  r1: {{ agent: ocf:pacemaker:Dummy, ops: {{ name: monitor }} }}\n"),
        &["cibform::yaml::type"],
    );
}

#[test]
fn missing_key() {
    case("missing_key", &format!("{BASE}alerts:\n  a1: {{ description: x }}\n"), &["cibform::yaml::missing_key"]);
}

#[test]
fn duplicate_ids_across_kinds() {
    case(
        "duplicate_id",
        &format!("{BASE}resources:\n  web: {{ agent: ocf:pacemaker:Dummy }}\ngroups:\n  web: [web]\n"),
        &["cibform::id::duplicate"],
    );
}

#[test]
fn unknown_resource_in_group() {
    case(
        "unknown_group_member",
        &format!("{BASE}resources:\n  rs-vip: {{ agent: ocf:heartbeat:IPaddr2 }}\ngroups:\n  g: [rs-vpi]\n"),
        &["cibform::ref::unknown"],
    );
}

#[test]
fn unknown_resource_in_clone() {
    case("unknown_clone_target", &format!("{BASE}clones:\n  c: nothing\n"), &["cibform::ref::unknown"]);
}

#[test]
fn unknown_resource_in_constraint() {
    case(
        "unknown_constraint_ref",
        &format!("{BASE}resources:\n  a: {{ agent: ocf:pacemaker:Dummy }}\nconstraints:\n  - order: a\n    then: b\n"),
        &["cibform::ref::unknown"],
    );
}

#[test]
fn resource_in_two_groups() {
    case(
        "member_twice",
        &format!("{BASE}resources:\n  a: {{ agent: ocf:pacemaker:Dummy }}\ngroups:\n  g1: [a]\n  g2: [a]\n"),
        &["cibform::group::member_twice"],
    );
}

#[test]
fn unknown_agent_standard() {
    case(
        "agent_standard",
        &format!("{BASE}resources:\n  a: {{ agent: sytemd:squid }}\n"),
        &["cibform::agent::standard"],
    );
}

#[test]
fn ocf_agent_without_provider() {
    case("agent_provider", &format!("{BASE}resources:\n  a: {{ agent: ocf:IPaddr2 }}\n"), &["cibform::agent::invalid"]);
}

#[test]
fn bad_score() {
    case("bad_score", &format!("{BASE}resources:\n  a: {{ agent: ocf:pacemaker:Dummy }}\nconstraints:\n  - location: a\n    node: n1\n    score: INFINTY\n"), &["cibform::score::invalid"]);
}

#[test]
fn bad_ip_address() {
    case("bad_ip", "cluster: c\nnodes:\n  n1: { id: 1, addrs: [192.168.33.300] }\n", &["cibform::node::addr"]);
}

#[test]
fn rule_that_does_not_parse_points_at_the_token() {
    case("bad_rule", &format!("{BASE}resources:\n  a: {{ agent: ocf:pacemaker:Dummy }}\nconstraints:\n  - location: a\n    rule: pingd lt 1 or not_defnied pingd\n    score: -INFINITY\n"), &["cibform::rule::parse"]);
}

#[test]
fn quoted_rule_error_points_inside_the_quotes() {
    let d = diags(&format!("{BASE}resources:\n  a: {{ agent: ocf:pacemaker:Dummy }}\nconstraints:\n  - location: a\n    rule: \"pingd lt\"\n"));
    assert_eq!(d.len(), 1);
    let (span, _) = &d[0].labels[0];
    let src = d[0].source.as_ref().unwrap();
    assert!(
        src.text[span.offset..].starts_with("lt") || src.text[span.offset..].starts_with('"'),
        "label at {:?}",
        &src.text[span.offset..]
    );
}

#[test]
fn nodes_with_different_link_counts() {
    case(
        "node_links",
        "cluster: c\nnodes:\n  n1: { id: 1, addrs: [10.0.0.1, 10.1.0.1] }\n  n2: { id: 2, addrs: [10.0.0.2] }\n",
        &["cibform::node::links"],
    );
}

#[test]
fn duplicate_node_ids() {
    case(
        "node_duplicate_id",
        "cluster: c\nnodes:\n  n1: { id: 1 }\n  n2: { id: 1 }\n",
        &["cibform::node::duplicate_id"],
    );
}

#[test]
fn pacemaker_owned_property() {
    case("owned_property", &format!("{BASE}properties: {{ dc-version: 2.1.5 }}\n"), &["cibform::property::owned"]);
}

#[test]
fn two_node_needs_two_nodes() {
    case(
        "two_node",
        "cluster: c\nnodes:\n  n1: { id: 1 }\nquorum: { two_node: true }\n",
        &["cibform::quorum::two_node"],
    );
}

#[test]
fn constraint_without_kind() {
    case("constraint_kind", &format!("{BASE}constraints:\n  - score: 10\n"), &["cibform::constraint::kind"]);
}

#[test]
fn field_of_another_constraint_kind() {
    case("constraint_field", &format!("{BASE}resources:\n  a: {{ agent: ocf:pacemaker:Dummy }}\n  b: {{ agent: ocf:pacemaker:Dummy }}\nconstraints:\n  - order: a\n    then: b\n    with: b\n"), &["cibform::constraint::field"]);
}

#[test]
fn unknown_role() {
    case("unknown_role", &format!("{BASE}resources:\n  a: {{ agent: ocf:pacemaker:Dummy, ops: [{{ name: monitor, interval: 10s, role: Master2 }}] }}\n"), &["cibform::role::unknown"]);
}

#[test]
fn bad_interval() {
    case(
        "bad_interval",
        &format!(
            "{BASE}resources:\n  a: {{ agent: ocf:pacemaker:Dummy, ops: [{{ name: monitor, interval: ten }}] }}\n"
        ),
        &["cibform::op::interval"],
    );
}

#[test]
fn duplicate_op() {
    case("duplicate_op", &format!("{BASE}resources:\n  a: {{ agent: ocf:pacemaker:Dummy, ops: [{{ name: monitor, interval: 10s }}, {{ name: monitor, interval: 10 }}] }}\n"), &["cibform::op::duplicate"]);
}

#[test]
fn cloning_a_group_member() {
    case(
        "clone_group_member",
        &format!("{BASE}resources:\n  a: {{ agent: ocf:pacemaker:Dummy }}\ngroups:\n  g: [a]\nclones:\n  a-clone: a\n"),
        &["cibform::clone::group_member"],
    );
}

#[test]
fn unknown_node_in_location_is_a_warning() {
    case("unknown_node_warning", &format!("{BASE}resources:\n  a: {{ agent: ocf:pacemaker:Dummy }}\nconstraints:\n  - location: a\n    node: n3\n    score: 100\n"), &["cibform::constraint::unknown_node"]);
}

#[test]
fn invalid_id() {
    case(
        "invalid_id",
        &format!("{BASE}resources:\n  1bad: {{ agent: ocf:pacemaker:Dummy }}\n"),
        &["cibform::id::invalid"],
    );
}

#[test]
fn duplicate_param() {
    case(
        "duplicate_param",
        &format!("{BASE}resources:\n  a: {{ agent: ocf:pacemaker:Dummy, params: {{ x: 1, x: 2 }} }}\n"),
        &["cibform::yaml::duplicate_key"],
    );
}

#[test]
fn several_problems_are_all_reported() {
    let d = diags(&format!(
        "{BASE}resources:\n  a: {{ agent: ocf:nope }}\n  b: {{ agent: foo:bar }}\ngroups:\n  g: [a, zz]\n"
    ));
    let codes: Vec<&str> = d.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["cibform::agent::invalid", "cibform::agent::standard", "cibform::ref::unknown"]);
}

/// Bad files end with exit 1 and a message naming the file, never a panic or a hang.
#[test]
fn bad_files_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut bomb = String::from("cluster: c\nx0: &a0 [a, a, a, a, a, a, a, a, a]\n");
    for i in 1..30 {
        bomb.push_str(&format!(
            "x{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.yaml", Vec::new(), "cibform::input::empty"),
        ("binary.yaml", vec![0x7f, b'E', b'L', b'F', 0, 1, 2], "cibform::input::binary"),
        ("latin1.yaml", b"cluster: caf\xe9\n".to_vec(), "cibform::input::encoding"),
        ("bomb.yaml", bomb.into_bytes(), "cibform::yaml::"),
        ("deep.yaml", "[".repeat(100_000).into_bytes(), "cibform::yaml::limit"),
        (
            "deep-map.yaml",
            (0..100_000).map(|i| format!("{}a:\n", " ".repeat(i % 200))).collect::<String>().into_bytes(),
            "cibform::yaml::",
        ),
        ("docs.yaml", b"cluster: a\n---\ncluster: b\n".to_vec(), "cibform::yaml::documents"),
    ];
    for (name, bytes, code) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cibform"))
            .arg("validate")
            .arg(&path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains(code), "{name}: expected {code}:\n{stderr}");
        assert!(stderr.contains(name), "{name}: the message names the file:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
}

#[test]
fn raw_not_well_formed() {
    case("raw_xml", &format!("{BASE}raw:\n  - <rsc_ticket id=\"t\" rsc=\"r\" ticket=\"T\">\n"), &["cibform::raw::xml"]);
}

#[test]
fn raw_unknown_element() {
    case("raw_element", &format!("{BASE}raw:\n  - <status/>\n"), &["cibform::raw::element"]);
}

#[test]
fn raw_id_clashes_with_a_resource() {
    case(
        "raw_duplicate_id",
        &format!(
            "{BASE}resources:\n  r1: {{ agent: ocf:pacemaker:Dummy }}\nraw:\n  - |\n    <tags>\n      <tag id=\"r1\"><obj_ref id=\"r1\"/></tag>\n    </tags>\n"
        ),
        &["cibform::id::duplicate"],
    );
}

#[test]
fn raw_section_twice_and_beside_its_native_key() {
    case(
        "raw_section",
        &format!(
            "{BASE}rsc_defaults: {{ resource-stickiness: 1 }}\nraw:\n  - <alerts><alert id=\"a\" path=\"/x\"/></alerts>\n  - <alerts><alert id=\"b\" path=\"/y\"/></alerts>\n  - <rsc_defaults><meta_attributes id=\"m\"/></rsc_defaults>\n"
        ),
        &["cibform::raw::section_twice", "cibform::raw::conflict"],
    );
}

#[test]
fn raw_plain_property_set() {
    case(
        "raw_plain_set",
        &format!("{BASE}raw:\n  - <cluster_property_set id=\"extra\"><nvpair id=\"x\" name=\"a\" value=\"1\"/></cluster_property_set>\n"),
        &["cibform::raw::plain_set"],
    );
}

#[test]
fn raw_objects_may_be_named_by_constraints() {
    let d = diags(&format!(
        "{BASE}constraints:\n  - {{ location: b1, node: n1, score: 10 }}\nraw:\n  - <bundle id=\"b1\"><docker image=\"x\"/></bundle>\n"
    ));
    assert!(d.is_empty(), "{d:#?}");
}

/// The resources failover scenarios may name: a group, a clone, a promotable clone.
const SCEN: &str = "resources:\n  vip: { agent: ocf:heartbeat:IPaddr2 }\n  web: { agent: systemd:nginx }\n  db: { agent: ocf:pacemaker:Stateful }\ngroups:\n  g: [vip, web]\nclones:\n  db-clone: { resource: db, promotable: true }\n  g-clone: g\n";

#[test]
fn scenarios_read_as_the_admin_wrote_them() {
    use cibform::model::{Event, Expect};
    let yaml = format!(
        "{BASE}{}scenarios:\n  - name: all\n    when: {{ node_down: n1, standby: [n2], attr: [n1:pingd=0, {{ node: [n1, n2], pingd: ~, other: 5 }}], op_fails: {{ resource: web, node: n2, interval: 1min }} }}\n    expect: {{ runs_on: {{ g: n2, db-clone: [n1, n2] }}, stopped: vip, promoted: {{ db-clone: n2 }}, instances: {{ db-clone: 1 }}, no_restart: [g], starts_before: [vip, web, db-clone], everything_on: n2 }}\n  - name: alone\n    expect: {{ stopped: [g] }}\n  - name: each\n    when: [{{ node_fails: n1 }}, {{ node_fails: n2 }}]\n    expect: {{ runs_on: {{ g: n1 }} }}\n",
        SCEN.replace("  g-clone: g\n", "")
    );
    let (src, raw) = cibform::config::parse("cluster.yaml", yaml.as_bytes()).unwrap();
    let (model, warnings) = cibform::validate::validate(&src, &raw).unwrap();
    assert!(warnings.is_empty(), "{warnings:#?}");
    let s = &model.scenarios;
    assert_eq!(s.len(), 3);
    let n = |x: &str| x.to_string();
    assert_eq!(
        s[0].cases,
        [vec![
            Event::NodeDown { node: n("n1") },
            Event::Standby { node: n("n2") },
            Event::Attribute { node: n("n1"), name: n("pingd"), value: n("0") },
            Event::AttributeUnset { node: n("n1"), name: n("pingd") },
            Event::Attribute { node: n("n1"), name: n("other"), value: n("5") },
            Event::AttributeUnset { node: n("n2"), name: n("pingd") },
            Event::Attribute { node: n("n2"), name: n("other"), value: n("5") },
            Event::OpFails { resource: n("web"), op: n("monitor"), node: n("n2"), interval_ms: Some(60_000), rc: 1 },
        ]]
    );
    assert_eq!(
        s[0].expect,
        [
            Expect::RunsOn { resource: n("g"), nodes: vec![n("n2")] },
            Expect::RunsOn { resource: n("db-clone"), nodes: vec![n("n1"), n("n2")] },
            Expect::Promoted { resource: n("db-clone"), nodes: vec![n("n2")] },
            Expect::Stopped { resource: n("vip") },
            Expect::Instances { resource: n("db-clone"), count: 1 },
            Expect::NoRestart { resource: n("g") },
            Expect::StartsBefore { first: n("vip"), then: n("web") },
            Expect::StartsBefore { first: n("web"), then: n("db-clone") },
            Expect::EverythingOn { node: n("n2") },
        ]
    );
    assert_eq!(s[1].cases, [Vec::<Event>::new()], "no `when`: the planned change alone");
    assert_eq!(s[2].cases.len(), 2, "a list of cases: each on its own");
}

#[test]
fn scenario_names_an_unknown_node_or_resource() {
    case(
        "scenario_unknown",
        &format!("{BASE}{SCEN}scenarios:\n  - name: x\n    when: {{ node_fails: n3 }}\n    expect: {{ runs_on: {{ gg: n1 }} }}\n"),
        &["cibform::scenario::node", "cibform::ref::unknown"],
    );
}

#[test]
fn scenario_expectation_on_the_wrong_kind_of_resource() {
    case(
        "scenario_kind",
        &format!(
            "{BASE}{SCEN}scenarios:\n  - name: x\n    when: {{ op_fails: {{ resource: g, node: n1 }} }}\n    expect: {{ runs_on: {{ g: [n1, n2] }}, promoted: {{ g-clone: n1 }}, instances: {{ vip: 1 }} }}\n"
        ),
        &["cibform::scenario::kind", "cibform::scenario::kind", "cibform::scenario::kind", "cibform::scenario::kind"],
    );
}

#[test]
fn scenario_without_a_name_expectation_or_condition() {
    case(
        "scenario_empty",
        &format!("{BASE}{SCEN}scenarios:\n  - name: x\n    when: {{}}\n    expect: {{}}\n  - name: x\n    when: []\n    expect: {{ stopped: [], starts_before: [vip] }}\n"),
        &[
            "cibform::scenario::empty",
            "cibform::scenario::empty",
            "cibform::scenario::name",
            "cibform::scenario::empty",
            "cibform::scenario::empty",
            "cibform::scenario::empty",
            "cibform::scenario::empty",
        ],
    );
}

#[test]
fn scenario_attribute_conditions_need_a_node_and_a_value() {
    case(
        "scenario_attr",
        &format!("{BASE}{SCEN}scenarios:\n  - name: x\n    when: {{ attr: [n1-pingd-0, {{ pingd: 0 }}, {{ node: n1 }}] }}\n    expect: {{ stopped: g }}\n"),
        &["cibform::scenario::attr", "cibform::scenario::attr", "cibform::scenario::attr"],
    );
}

#[test]
fn scenario_expectations_that_contradict() {
    case(
        "scenario_conflict",
        &format!("{BASE}{SCEN}scenarios:\n  - name: x\n    expect: {{ runs_on: {{ g: n1 }}, stopped: [g, g], starts_before: [vip, web, vip] }}\n"),
        &["cibform::scenario::conflict", "cibform::scenario::conflict", "cibform::scenario::conflict"],
    );
}

#[test]
fn scenario_operation_failure_needs_an_operation_and_a_duration() {
    case(
        "scenario_op",
        &format!("{BASE}{SCEN}scenarios:\n  - name: x\n    when: {{ op_fails: {{ resource: web, op: Monitor!, node: n1, interval: soon }} }}\n    expect: {{ no_restart: vip }}\n"),
        &["cibform::scenario::op", "cibform::op::interval"],
    );
}

#[test]
fn corosync_value_with_suggestion() {
    case(
        "corosync_value",
        &format!("{BASE}corosync:\n  totem: {{ token: 0, link_mode: pasive }}\n  links:\n    - {{ knet_transport: tcp, knet_link_priority: 300 }}\n"),
        &["cibform::corosync::value", "cibform::corosync::value", "cibform::corosync::value", "cibform::corosync::value"],
    );
}

#[test]
fn corosync_unknown_key_with_suggestion() {
    case(
        "corosync_unknown_key",
        &format!("{BASE}corosync:\n  totem: {{ tokne: 3000 }}\n"),
        &["cibform::yaml::unknown_key"],
    );
}

#[test]
fn corosync_link_without_addresses() {
    case(
        "corosync_link",
        &format!("{BASE}corosync:\n  links: [{{}}, {{ knet_link_priority: 1 }}]\n"),
        &["cibform::corosync::link"],
    );
}

#[test]
fn corosync_cipher_without_hash() {
    case(
        "corosync_crypto",
        &format!("{BASE}corosync:\n  totem: {{ crypto_cipher: aes256, crypto_hash: none }}\n"),
        &["cibform::corosync::crypto"],
    );
}

#[test]
fn quorum_device_with_two_node() {
    case(
        "quorum_device",
        &format!("{BASE}quorum:\n  two_node: true\n  device: {{ model: net, host: qnetd, algorithm: ffslpit }}\n"),
        &["cibform::corosync::value", "cibform::quorum::device"],
    );
}

#[test]
fn node_name_that_corosync_conf_cannot_hold() {
    case(
        "node_name",
        "cluster: c\nnodes:\n  \"n1\\n}\\nquorum {\": { id: 1, addrs: [10.0.0.1] }\n",
        &["cibform::node::name"],
    );
}

#[test]
fn quorum_device_heuristics_corosync_qdevice_cannot_use() {
    case(
        "quorum_heuristics",
        &format!("{BASE}quorum:\n  device:\n    model: net\n    host: qnetd\n    heuristics:\n      mode: sometimes\n      timeout: 0\n      exec_ping: \"\"\n      ping: /bin/true\n      exec_gw: \"/bin/true }}\"\n"),
        &[
            "cibform::quorum::heuristics",
            "cibform::quorum::heuristics",
            "cibform::quorum::heuristics",
            "cibform::quorum::heuristics",
            "cibform::quorum::heuristics",
        ],
    );
    case(
        "quorum_heuristics_word",
        &format!("{BASE}quorum:\n  device: {{ model: net, host: qnetd, heuristics: never }}\n"),
        &["cibform::quorum::heuristics"],
    );
}
