//! Shaped synthetic clusters for benchmarks and the comparison script (issue 13).
//!
//! `n` primitives laid out like a real cluster: groups of IPaddr2 + Dummy + systemd (with params,
//! meta and declared ops), one cloned `ping` per 100 primitives, and per group a pingd location
//! rule, a colocation with its ping clone and an order after it. `changed` is the same cluster
//! with 1% of the primitives edited (a VIP address each). Shared by `benches/plan.rs` and the
//! `gencluster` example; it only writes text and must not depend on anything but the library.

// Shared by three crates (the example, the bench, the live tests), each using part of it.
#![allow(dead_code)]

use std::fmt::Write as _;

use cibform::cib::Cib;

/// How the `n` primitives split: `clones` pings, `groups` of three, `loose` Dummies left over.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub n: usize,
    pub clones: usize,
    pub groups: usize,
    pub loose: usize,
}

impl Shape {
    pub fn new(n: usize) -> Self {
        let clones = (n / 100).max(1).min(n);
        let groups = (n - clones) / 3;
        Shape { n, clones, groups, loose: n - clones - 3 * groups }
    }

    /// Is group `g` one of the 1% edited in the changed variant?
    fn edited(&self, g: usize) -> bool {
        let want = self.n.div_ceil(100).max(1);
        let step = (self.groups / want).max(1);
        g.is_multiple_of(step) && g / step < want
    }
}

/// The head of the file: cluster name, nodes, properties and policy.
pub const HEAD: &str = "cluster: big\nnodes:\n  node1: { id: 1 }\n  node2: { id: 2 }\n\
    properties: { stonith-enabled: false }\npolicy: { allow_disable_stonith: true }\n";

/// The head for the one-node lab cluster (`tests/cluster/single-node.sh`): its name and node,
/// and a cluster that runs nothing. `stop-all-resources` keeps every resource stopped and no
/// startup probe runs, so the scheduler has thousands of resources to consider and none to
/// start: what is measured is the configuration's path, not 10,000 agents on two cores.
pub const LAB_HEAD: &str = "cluster: clst-01\nnodes:\n  t3021cent: { id: 1, addrs: [127.0.0.1] }\n\
    properties: { stonith-enabled: false, dc-deadtime: 2s, stop-all-resources: true, enable-startup-probes: false }\n\
    policy: { allow_disable_stonith: true }\n";

/// The cluster file; `changed` edits the VIP of 1% of the groups.
pub fn yaml(n: usize, changed: bool) -> String {
    yaml_with(HEAD, n, changed)
}

/// [`yaml`] under another head (cluster name, nodes, properties, policy).
pub fn yaml_with(head: &str, n: usize, changed: bool) -> String {
    let s = Shape::new(n);
    let mut y = String::with_capacity(n * 260);
    y.push_str(head);
    y.push_str("resources:\n");
    for c in 0..s.clones {
        let _ = writeln!(
            y,
            "  ping{c}: {{ agent: ocf:pacemaker:ping, params: {{ dampen: 5s, multiplier: 1000, host_list: 10.9.{}.{} }} }}",
            c / 250,
            c % 250 + 1
        );
    }
    for g in 0..s.groups {
        // Unique addresses (IPaddr2 wants `ip` unique); an edited one moves to 10.128+.
        let first = g / 62_500 + if changed && s.edited(g) { 128 } else { 1 };
        let _ = writeln!(
            y,
            "  vip{g}:\n    agent: ocf:heartbeat:IPaddr2\n    params: {{ ip: 10.{first}.{}.{}, cidr_netmask: 24, nic: eth0 }}\n    ops: [{{ name: monitor, interval: 30s, timeout: 20s }}]",
            g / 250 % 250,
            g % 250 + 1,
        );
        let _ = writeln!(
            y,
            "  app{g}:\n    agent: ocf:pacemaker:Dummy\n    params: {{ state: /run/app{g}.state, fake: v{} }}\n    meta: {{ migration-threshold: 3 }}\n    ops:\n      - {{ name: monitor, interval: 20s, timeout: 40s, on-fail: restart }}\n      - {{ name: start, timeout: 60s }}",
            g % 7
        );
        let _ = writeln!(
            y,
            "  svc{g}: {{ agent: 'systemd:svc{g}', ops: [{{ name: monitor, interval: 60s, timeout: 100s }}] }}"
        );
    }
    for l in 0..s.loose {
        let _ = writeln!(y, "  spare{l}: {{ agent: ocf:pacemaker:Dummy }}");
    }
    y.push_str("groups:\n");
    for g in 0..s.groups {
        let _ = writeln!(y, "  grp{g}: [vip{g}, app{g}, svc{g}]");
    }
    y.push_str("clones:\n");
    for c in 0..s.clones {
        let _ = writeln!(y, "  ping{c}-clone: {{ resource: ping{c}, meta: {{ interleave: true }} }}");
    }
    y.push_str("constraints:\n");
    for g in 0..s.groups {
        let c = g % s.clones;
        let _ = writeln!(y, "  - {{ location: grp{g}, rule: pingd lt 1 or not_defined pingd, score: -INFINITY }}");
        let _ = writeln!(y, "  - {{ colocation: grp{g}, with: ping{c}-clone, score: INFINITY }}");
        let _ = writeln!(y, "  - {{ order: ping{c}-clone, then: grp{g} }}");
    }
    y
}

/// The CIB that `yaml` describes, as cibform would write it to an empty cluster (pcs ids, the
/// agents' default operations).
pub fn cib(yaml: &str) -> String {
    let (src, raw) = cibform::config::parse("gen.yaml", yaml.as_bytes()).expect("generated YAML parses");
    let (model, _) = cibform::validate::validate(&src, &raw).expect("generated cluster validates");
    let empty = Cib::parse(
        "empty",
        r#"<cib epoch="1" num_updates="0" admin_epoch="0" validate-with="pacemaker-3.9" crm_feature_set="3.16.2"><configuration><crm_config/><nodes/><resources/><constraints/></configuration><status/></cib>"#,
    )
    .expect("empty CIB parses");
    let d = cibform::desired::build(&model, Vec::new(), &cibform::desired::builtin_default_ops());
    let new = cibform::plan::compute(empty.configuration(), &d).new_config;
    empty.with_configuration(new).root.to_xml()
}
