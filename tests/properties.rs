//! Property tests over generated cluster files: small valid models (nodes, primitives with
//! params, meta and ops, groups, clones, location/colocation/order constraints, properties,
//! defaults), with ids from a safe alphabet (often shared between two models, so one model's
//! primitive is another's group) and values holding `<&"'`, tabs, line breaks, spaces and non-ASCII text.
//!
//! Each model is written as a cluster file (JSON flow style, which is YAML, so every value is
//! escaped by serde_json rather than by hand), loaded and validated like a user's file, and
//! applied the way a file target is written (the CIB text written and read back).
//!
//! 64 cases per property by default; more with `PROPTEST_CASES=2000 cargo test --test properties`.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use std::collections::{BTreeMap, BTreeSet};

use cibform::cib::Cib;
use cibform::model::Cluster;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{json, Map, Value};

// ---- generation ---------------------------------------------------------------------------

/// Ids: a few shared names (so two models overlap) or fresh ones from the XML-id-safe alphabet.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["a", "b", "web", "db.1", "x_y", "r-2", "vip"]).prop_map(str::to_string),
        "[a-z][a-z0-9_.-]{0,5}",
    ]
}

/// Attribute values: markup and quote characters, tabs, line breaks (CR too), spaces, non-ASCII
/// text, or empty.
fn value() -> impl Strategy<Value = String> {
    "[a-z0-9 <>&\"'=:/._@é中🦀\t\n\r-]{0,10}"
}

fn attrs(max: usize) -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map("[a-z][a-z0-9_-]{0,7}", value(), 0..max)
}

fn score() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("INFINITY".to_string()),
        Just("-INFINITY".to_string()),
        (-1000i32..1000).prop_map(|n| n.to_string())
    ]
}

/// One primitive's content (its id is assigned later).
#[derive(Debug, Clone)]
struct Prim {
    agent: &'static str,
    params: BTreeMap<String, String>,
    meta: Vec<(&'static str, String)>,
    ops: BTreeMap<(usize, usize), Option<&'static str>>,
    enabled: Option<bool>,
    description: Option<String>,
}

const AGENTS: &[&str] =
    &["ocf:heartbeat:IPaddr2", "ocf:pacemaker:Dummy", "ocf:pacemaker:Stateful", "systemd:squid", "lsb:legacy"];
const OPS: &[&str] = &["monitor", "start", "stop"];
const INTERVALS: &[&str] = &["10s", "20s", "1min"];
const TIMEOUTS: &[&str] = &["20s", "40s", "2min"];

fn meta() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    prop::collection::vec(
        prop_oneof![
            (0u32..10).prop_map(|n| ("migration-threshold", n.to_string())),
            (0u32..200).prop_map(|n| ("resource-stickiness", n.to_string())),
            any::<bool>().prop_map(|b| ("is-managed", b.to_string())),
            value().prop_map(|v| ("custom-note", v)),
        ],
        0..3,
    )
    .prop_map(|mut v| {
        v.sort_by_key(|(k, _)| *k);
        v.dedup_by_key(|(k, _)| *k);
        v
    })
}

fn prim() -> impl Strategy<Value = Prim> {
    (
        prop::sample::select(AGENTS),
        attrs(3),
        meta(),
        prop::collection::btree_map(
            (0..OPS.len(), 0..INTERVALS.len()),
            prop::option::of(prop::sample::select(TIMEOUTS)),
            0..3,
        ),
        prop::option::of(any::<bool>()),
        prop::option::of(value()),
    )
        .prop_map(|(agent, params, meta, ops, enabled, description)| Prim {
            agent,
            params,
            meta,
            ops,
            enabled,
            description,
        })
}

/// What an id becomes: a primitive, a group of the next primitives, or a clone of an earlier
/// object.
#[derive(Debug, Clone, Copy)]
enum Role {
    Primitive,
    Group(usize),
    Clone { promotable: bool },
}

#[derive(Debug, Clone)]
enum Con {
    LocNode { rsc: usize, node: usize, score: String },
    LocRule { rsc: usize, rule: usize, score: String },
    Colo { rsc: usize, with: usize, score: String },
    Order { first: usize, then: usize, kind: usize },
}

const RULES: &[&str] = &[
    "pingd lt 1 or not_defined pingd",
    "#uname eq n1",
    "date gt 2024-01-01 and defined site",
    "owner eq string \"a<b & 'c'\"",
];
const ORDER_KINDS: &[&str] = &["Mandatory", "Optional", "Serialize"];
const PROPERTIES: &[(&str, &[&str])] = &[
    ("no-quorum-policy", &["stop", "ignore", "freeze"]),
    ("cluster-recheck-interval", &["5min", "15min"]),
    ("symmetric-cluster", &["true", "false"]),
];

fn con() -> impl Strategy<Value = Con> {
    let i = || 0usize..16;
    prop_oneof![
        (i(), 0usize..3, score()).prop_map(|(rsc, node, score)| Con::LocNode { rsc, node, score }),
        (i(), 0..RULES.len(), score()).prop_map(|(rsc, rule, score)| Con::LocRule { rsc, rule, score }),
        (i(), i(), score()).prop_map(|(rsc, with, score)| Con::Colo { rsc, with, score }),
        (i(), i(), 0..ORDER_KINDS.len()).prop_map(|(first, then, kind)| Con::Order { first, then, kind }),
    ]
}

type GenNode = (BTreeMap<String, String>, Option<bool>);

#[derive(Debug, Clone)]
struct Gen {
    ids: BTreeSet<String>,
    roles: Vec<Role>,
    prims: Vec<Prim>,
    /// Nodes `n1`..`n3`: absent, or their attributes and `standby`.
    nodes: Vec<Option<GenNode>>,
    constraints: Vec<Con>,
    properties: Vec<(usize, usize)>,
    custom_property: Option<String>,
    rsc_defaults: BTreeMap<String, String>,
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        3 => Just(Role::Primitive),
        1 => (1usize..3).prop_map(Role::Group),
        1 => any::<bool>().prop_map(|promotable| Role::Clone { promotable }),
    ]
}

fn gen() -> impl Strategy<Value = Gen> {
    (
        prop::collection::btree_set(id(), 1..7),
        prop::collection::vec(role(), 7),
        prop::collection::vec(prim(), 7),
        prop::collection::vec(prop::option::of((attrs(2), prop::option::of(any::<bool>()))), 3),
        prop::collection::vec(con(), 0..4),
        prop::collection::vec((0..PROPERTIES.len(), 0usize..3), 0..3),
        prop::option::of(value()),
        attrs(2),
    )
        .prop_map(|(ids, roles, prims, nodes, constraints, properties, custom_property, rsc_defaults)| Gen {
            ids,
            roles,
            prims,
            nodes,
            constraints,
            properties,
            custom_property,
            rsc_defaults,
        })
}

// ---- the cluster file ---------------------------------------------------------------------

fn obj(pairs: impl IntoIterator<Item = (String, Value)>) -> Value {
    Value::Object(pairs.into_iter().collect::<Map<_, _>>())
}

fn strings(m: &BTreeMap<String, String>) -> Value {
    obj(m.iter().map(|(k, v)| (k.clone(), json!(v))))
}

fn primitive(p: &Prim) -> Value {
    let mut r = Map::new();
    r.insert("agent".into(), json!(p.agent));
    if !p.params.is_empty() {
        r.insert("params".into(), strings(&p.params));
    }
    if !p.meta.is_empty() {
        r.insert("meta".into(), obj(p.meta.iter().map(|(k, v)| (k.to_string(), json!(v)))));
    }
    if !p.ops.is_empty() {
        let ops = p.ops.iter().map(|(&(name, interval), timeout)| {
            let mut op = json!({ "name": OPS[name] });
            if OPS[name] == "monitor" {
                op["interval"] = json!(INTERVALS[interval]);
            }
            if let Some(t) = timeout {
                op["timeout"] = json!(t);
            }
            op
        });
        // start and stop have no interval: one of each at most.
        let mut seen = BTreeSet::new();
        let ops: Vec<Value> =
            ops.filter(|op| seen.insert((op["name"].to_string(), op["interval"].to_string()))).collect();
        r.insert("ops".into(), Value::Array(ops));
    }
    if let Some(e) = p.enabled {
        r.insert("enabled".into(), json!(e));
    }
    if let Some(d) = &p.description {
        r.insert("description".into(), json!(d));
    }
    Value::Object(r)
}

impl Gen {
    /// The cluster file's text, and the ids of its resources, groups and clones.
    fn file(&self) -> String {
        let ids: Vec<&String> = self.ids.iter().collect();
        let (mut resources, mut groups, mut clones) = (Map::new(), Map::new(), Map::new());
        // Objects that may still be grouped (primitives) or cloned (primitives and groups).
        let (mut free_prims, mut cloneable): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        for (i, id) in ids.iter().enumerate().rev() {
            let id = id.to_string();
            match self.roles[i] {
                Role::Group(n) if free_prims.len() >= n => {
                    let members: Vec<String> = free_prims.drain(..n).collect();
                    cloneable.retain(|c| !members.contains(c));
                    groups.insert(id.clone(), json!({ "members": members }));
                    cloneable.push(id);
                }
                Role::Clone { promotable } if !cloneable.is_empty() => {
                    let of = cloneable.remove(0);
                    free_prims.retain(|p| *p != of);
                    clones.insert(id, json!({ "resource": of, "promotable": promotable }));
                }
                _ => {
                    resources.insert(id.clone(), primitive(&self.prims[i]));
                    free_prims.push(id.clone());
                    cloneable.push(id);
                }
            }
        }
        let nodes = obj(self.nodes.iter().enumerate().filter_map(|(i, n)| {
            let (attributes, standby) = n.as_ref()?;
            let mut node = json!({ "id": i + 1, "attributes": strings(attributes) });
            if let Some(s) = standby {
                node["standby"] = json!(s);
            }
            Some((format!("n{}", i + 1), node))
        }));
        let mut properties: Map<String, Value> = self
            .properties
            .iter()
            .map(|&(p, v)| (PROPERTIES[p].0.into(), json!(PROPERTIES[p].1[v % PROPERTIES[p].1.len()])))
            .collect();
        if let Some(v) = &self.custom_property {
            properties.insert("x-note".into(), json!(v));
        }
        let constraints: Vec<Value> = self.constraints.iter().filter_map(|c| self.constraint(c, &ids)).collect();
        let file = json!({
            "cluster": "prop",
            "nodes": nodes,
            "properties": properties,
            "rsc_defaults": strings(&self.rsc_defaults),
            "resources": resources,
            "groups": groups,
            "clones": clones,
            "constraints": constraints,
            // Custom properties, meta and params test what is written, not the agents' metadata.
            "policy": { "allow_unknown_params": true, "allow_disable_stonith": true },
        });
        serde_json::to_string_pretty(&file).unwrap()
    }

    fn constraint(&self, c: &Con, ids: &[&String]) -> Option<Value> {
        let at = |i: usize| ids[i % ids.len()].to_string();
        Some(match c {
            Con::LocNode { rsc, node, score } => {
                json!({ "location": at(*rsc), "node": format!("n{}", node + 1), "score": score })
            }
            Con::LocRule { rsc, rule, score } => json!({ "location": at(*rsc), "rule": RULES[*rule], "score": score }),
            Con::Colo { rsc, with, score } if at(*rsc) != at(*with) => {
                json!({ "colocation": at(*rsc), "with": at(*with), "score": score })
            }
            Con::Order { first, then, kind } if at(*first) != at(*then) => {
                json!({ "order": at(*first), "then": at(*then), "kind": ORDER_KINDS[*kind] })
            }
            _ => return None,
        })
    }
}

// ---- the properties -----------------------------------------------------------------------

/// Load and validate a generated file; generated files are valid by construction.
fn model(g: &Gen) -> Cluster {
    let text = g.file();
    let (src, raw) = cibform::config::parse("gen.yaml", text.as_bytes())
        .unwrap_or_else(|d| panic!("generated file does not load: {}\n{text}", d.message));
    let (model, _) = cibform::validate::validate(&src, &raw).unwrap_or_else(|d| {
        panic!("generated file does not validate: {}\n{text}", cibform::cli::render_diags(&d, false))
    });
    model
}

fn empty() -> Cib {
    Cib::parse("empty.xml", harness::EMPTY_CIB).unwrap()
}

/// Plan `model` against `cib` and write the result.
fn apply(model: &Cluster, cib: Cib) -> Cib {
    let planned = harness::plan_against(model, cib).expect("plans");
    harness::apply(&planned.live.cib, &planned.plan.new_config)
}

/// The plan of `model` against `cib`, as text when it is not empty.
fn changes(model: &Cluster, cib: Cib) -> Option<String> {
    let planned = harness::plan_against(model, cib).expect("plans");
    (!planned.plan.is_empty()).then(|| cibform::render::text(&planned.plan, &planned.header, false))
}

/// `changes` less what depends on history by design: nodes `model` does not declare (left
/// alone), the operations a primitive's `ops` does not name (whatever they were created with;
/// README, "Nodes" and "Operations"), and constraint ids (a constraint without an explicit id
/// keeps the one it has: compared by `constraint_views` instead).
fn managed(changes: Vec<cibform::plan::Change>, model: &Cluster) -> Vec<cibform::plan::Change> {
    // Primitives listed here own only the operation names given; the others (`ops_exact`) own all.
    let owned = cibform::desired::build(model, Vec::new(), &cibform::desired::builtin_default_ops()).owned_op_names;
    changes
        .into_iter()
        .filter_map(|mut c| {
            if c.key.kind == "node" && !model.nodes.iter().any(|n| n.name == c.key.id) {
                return None;
            }
            if c.key.section == cibform::plan::view::Section::Constraints {
                return None;
            }
            if let (true, Some(names)) = (c.key.kind == "primitive", owned.get(&c.key.id)) {
                let op_name =
                    |key: &str| key.strip_prefix("op ").map(|rest| rest.split(' ').next().unwrap_or("").to_string());
                c.attrs.retain(|a| op_name(&a.key).is_none_or(|n| names.contains(&n)));
                if c.attrs.is_empty() && c.action == cibform::plan::Action::Update {
                    return None;
                }
            }
            Some(c)
        })
        .collect()
}

/// What the constraints of `cib` mean, ids aside, in a stable order.
fn constraint_views(cib: &Cib) -> Vec<(String, cibform::plan::view::View)> {
    let mut views: Vec<_> = cib
        .section("constraints")
        .map(|c| c.elements().map(|e| (e.name.to_string(), cibform::plan::view::constraint_view(e))).collect())
        .unwrap_or_default();
    views.sort();
    views
}

fn cases() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64),
        // A failing case is saved here and tried first by every later run.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("tests/properties.proptest-regressions"))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(cases())]

    /// (a) A model applied to an empty CIB plans to no change.
    #[test]
    fn applied_model_plans_to_no_change(g in gen()) {
        let m = model(&g);
        let cib = apply(&m, empty());
        prop_assert_eq!(changes(&m, cib), None, "file:\n{}", g.file());
    }

    /// (b) The export of an applied model loads, validates and plans to no change.
    #[test]
    fn exported_model_plans_to_no_change(g in gen()) {
        let cib = apply(&model(&g), empty());
        let live = cibform::backend::Live { name: "cib.xml".into(), cib: cib.clone(), corosync: None };
        let target = cibform::backend::Target::File("cib.xml".into());
        let (yaml, _) = cibform::ops::export_live(&live, &target, &Default::default())
            .unwrap_or_else(|e| panic!("export fails: {e}\nfile:\n{}", g.file()));
        let (src, raw) = cibform::config::parse("exported.yaml", yaml.as_bytes()).expect("the export loads");
        let (exported, _) = cibform::validate::validate(&src, &raw).expect("the export validates");
        prop_assert_eq!(changes(&exported, cib), None, "file:\n{}\nexport:\n{}", g.file(), yaml);
    }

    /// (c) Applying A then B gives the configuration applying B directly gives (but for what B
    /// leaves unmanaged and the ids of constraints, see `managed`).
    #[test]
    fn applying_a_then_b_is_applying_b(a in gen(), b in gen()) {
        let (ma, mb) = (model(&a), model(&b));
        let via_a = apply(&mb, apply(&ma, empty()));
        let direct = apply(&mb, empty());
        prop_assert_eq!(changes(&mb, via_a.clone()), None, "A:\n{}\nB:\n{}", a.file(), b.file());
        let diff = managed(cibform::plan::diff(via_a.configuration(), direct.configuration()), &mb);
        prop_assert!(diff.is_empty(), "A then B differs from B: {:?}\nA:\n{}\nB:\n{}", diff, a.file(), b.file());
        prop_assert_eq!(constraint_views(&via_a), constraint_views(&direct), "A:\n{}\nB:\n{}", a.file(), b.file());
    }
}
