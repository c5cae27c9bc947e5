//! Model → YAML text: the cluster file as a person would write it, through `config::emit`.
//! Knows nothing of the CIB.

use crate::config::emit::{self, Yaml};
use crate::model::{
    self, Cluster, Completion, Constraint, Group, LocationRule, Node, Op, Placement, Primitive, Resource, ResourceSet,
    RuleScore, TicketTarget,
};
use crate::rule;

fn pairs_yaml(pairs: &[(String, String)]) -> Yaml {
    Yaml::Map(pairs.iter().map(|(k, v)| (k.clone(), Yaml::text(v))).collect())
}

fn push_pairs(m: &mut Vec<(String, Yaml)>, key: &str, pairs: &[(String, String)]) {
    if !pairs.is_empty() {
        m.push((key.into(), pairs_yaml(pairs)));
    }
}

/// `meta` without `target-role=Stopped`, and whether it was there (`enabled: false`).
fn split_enabled(meta: &[(String, String)]) -> (Vec<(String, String)>, bool) {
    let stopped = meta.iter().any(|(k, v)| k == "target-role" && v == "Stopped");
    let rest = meta.iter().filter(|(k, v)| !(stopped && k == "target-role" && v == "Stopped")).cloned().collect();
    (rest, stopped)
}

fn op_yaml(o: &Op) -> Yaml {
    let mut m = vec![("name".to_string(), Yaml::str(&o.name))];
    // A monitor without an interval runs every 60s: its interval is always written.
    if o.name == "monitor" || !matches!(o.interval.as_str(), "0" | "0s") {
        m.push(("interval".into(), Yaml::text(&o.interval)));
    }
    for (k, v) in &o.attrs {
        let y = match k.as_str() {
            "enabled" => Yaml::Bool(v == "true"),
            "timeout" | "start-delay" | "interval-origin" | "record-pending" => Yaml::text(v),
            _ => Yaml::str(v),
        };
        m.push((k.clone(), y));
    }
    push_pairs(&mut m, "params", &o.params);
    push_pairs(&mut m, "meta", &o.meta);
    Yaml::Map(m)
}

fn primitive_yaml(p: &Primitive) -> Yaml {
    let mut m = match &p.template {
        Some(t) => vec![("template".to_string(), Yaml::str(t))],
        None => vec![("agent".to_string(), Yaml::str(p.agent.to_string()))],
    };
    if let Some(d) = &p.description {
        m.push(("description".into(), Yaml::str(d)));
    }
    let (meta, stopped) = split_enabled(&p.meta);
    if stopped {
        m.push(("enabled".into(), Yaml::Bool(false)));
    }
    push_pairs(&mut m, "params", &p.params);
    push_pairs(&mut m, "meta", &meta);
    push_pairs(&mut m, "utilization", &p.utilization);
    for (key, sets) in [("params_sets", &p.params_sets), ("meta_sets", &p.meta_sets)] {
        if !sets.is_empty() {
            m.push((key.into(), Yaml::Seq(sets.iter().map(attr_set_yaml).collect())));
        }
    }
    // Omitted and an empty list complete differently: the empty list is written only for
    // `Monitor` and `Exact` (see `model::Completion`).
    // With a template the list is always exact: nothing to say when it is empty.
    let templated = p.template.is_some();
    if !p.ops.declared.is_empty() || (p.ops.completion != Completion::Agent && !templated) {
        m.push(("ops".into(), Yaml::Seq(p.ops.declared.iter().map(op_yaml).collect())));
    }
    if p.ops.completion == Completion::Exact && !templated {
        m.push(("ops_exact".into(), Yaml::Bool(true)));
    }
    if p.force {
        m.push(("force".into(), Yaml::Bool(true)));
    }
    Yaml::Map(m)
}

/// A template as a primitive is written, without `ops_exact` (its list is always exact).
fn template_yaml(t: &Primitive) -> Yaml {
    match primitive_yaml(t) {
        Yaml::Map(m) => Yaml::Map(
            m.into_iter()
                .filter(|(k, v)| k != "ops_exact" && !(k == "ops" && matches!(v, Yaml::Seq(s) if s.is_empty())))
                .collect(),
        ),
        other => other,
    }
}

fn container_extras(m: &mut Vec<(String, Yaml)>, description: Option<&String>, meta: &[(String, String)]) {
    let (meta, stopped) = split_enabled(meta);
    if stopped {
        m.push(("enabled".into(), Yaml::Bool(false)));
    }
    if let Some(d) = description {
        m.push(("description".into(), Yaml::str(d)));
    }
    push_pairs(m, "meta", &meta);
}

/// An attribute the loader reads as a number, a boolean or a string, written as such.
fn typed(k: &str, v: &str) -> Yaml {
    const NUMBERS: &[&str] =
        &["replicas", "replicas-per-host", "promoted-max", "host-netmask", "control-port", "port", "internal-port"];
    match (k, v.parse::<u64>()) {
        (k, Ok(n)) if NUMBERS.contains(&k) => Yaml::Int(n),
        ("add-host", _) => Yaml::Bool(v == "true"),
        _ => Yaml::str(v),
    }
}

fn typed_map(pairs: &[(String, String)]) -> Vec<(String, Yaml)> {
    pairs.iter().map(|(k, v)| (k.clone(), typed(k, v))).collect()
}

fn bundle_yaml(b: &model::Bundle) -> Yaml {
    let mut m = vec![(b.container.clone(), Yaml::Map(typed_map(&b.container_attrs)))];
    if !b.network.is_empty() {
        m.push(("network".into(), Yaml::Map(typed_map(&b.network))));
    }
    for (key, list) in [("port-mapping", &b.port_mappings), ("storage-mapping", &b.storage_mappings)] {
        if list.is_empty() {
            continue;
        }
        let items = list.iter().map(|x| {
            let mut e = typed_map(&x.attrs);
            e.extend(x.id.as_ref().map(|id| ("id".to_string(), Yaml::str(id))));
            Yaml::Map(e)
        });
        m.push((key.into(), Yaml::Seq(items.collect())));
    }
    if let Some(p) = &b.primitive {
        m.push(("resource".into(), Yaml::str(&p.id)));
    }
    container_extras(&mut m, b.description.as_ref(), &b.meta);
    Yaml::Map(m)
}

fn group_yaml(g: &Group) -> Yaml {
    let members = Yaml::Seq(g.members.iter().map(|p| Yaml::str(&p.id)).collect());
    if g.meta.is_empty() && g.description.is_none() {
        return members;
    }
    let mut m = vec![("members".to_string(), members)];
    container_extras(&mut m, g.description.as_ref(), &g.meta);
    Yaml::Map(m)
}

fn clone_yaml(c: &model::Clone) -> Yaml {
    let child = c.child.id();
    if c.meta.is_empty() && c.description.is_none() && !c.promotable {
        return Yaml::str(child);
    }
    let mut m = vec![("resource".to_string(), Yaml::str(child))];
    if c.promotable {
        m.push(("promotable".into(), Yaml::Bool(true)));
    }
    container_extras(&mut m, c.description.as_ref(), &c.meta);
    Yaml::Map(m)
}

fn sets_yaml(sets: &[ResourceSet]) -> Yaml {
    Yaml::Seq(
        sets.iter()
            .map(|s| {
                let ids = Yaml::Seq(s.resources.iter().map(Yaml::str).collect());
                if s.attrs.is_empty() && s.id.is_none() {
                    return ids;
                }
                let mut m = vec![("resources".to_string(), ids)];
                for (k, v) in &s.attrs {
                    let y = match k.as_str() {
                        "sequential" | "require-all" => Yaml::Bool(v == "true"),
                        "score" => Yaml::text(v),
                        _ => Yaml::str(v),
                    };
                    m.push((k.clone(), y));
                }
                if let Some(id) = &s.id {
                    m.push(("id".into(), Yaml::str(id)));
                }
                Yaml::Map(m)
            })
            .collect(),
    )
}

fn constraint_yaml(c: &Constraint) -> Yaml {
    let mut m: Vec<(String, Yaml)> = Vec::new();
    let opt = |m: &mut Vec<(String, Yaml)>, k: &str, v: &Option<String>| {
        if let Some(v) = v {
            m.push((k.into(), Yaml::str(v)));
        }
    };
    let cid = match c {
        Constraint::Location { id, rsc, pattern, placement, role, discovery } => {
            let target = if *pattern { Yaml::Map(vec![("pattern".into(), Yaml::str(rsc))]) } else { Yaml::str(rsc) };
            m.push(("location".into(), target));
            match placement {
                Placement::Node { node, score } => {
                    m.push(("node".into(), Yaml::str(node)));
                    m.push(("score".into(), Yaml::text(score)));
                }
                Placement::Until { node, score, end } => {
                    m.push(("node".into(), Yaml::str(node)));
                    m.push(("score".into(), Yaml::text(score)));
                    m.push(("until".into(), Yaml::text(end)));
                }
                Placement::Rules(rules) => match rules.as_slice() {
                    [one] => m.extend(location_rule_entries(one)),
                    many => m.push((
                        "rules".into(),
                        Yaml::Seq(many.iter().map(|r| Yaml::Map(location_rule_entries(r))).collect()),
                    )),
                },
            }
            opt(&mut m, "role", role);
            opt(&mut m, "resource-discovery", discovery);
            id
        }
        Constraint::Colocation { id, rsc, with, score, role, with_role, attrs } => {
            m.push(("colocation".into(), Yaml::str(rsc)));
            m.push(("with".into(), Yaml::str(with)));
            m.push(("score".into(), Yaml::text(score)));
            opt(&mut m, "role", role);
            opt(&mut m, "with-role", with_role);
            colocation_attrs(&mut m, attrs);
            id
        }
        Constraint::ColocationSets { id, sets, score, attrs } => {
            m.push(("colocation".into(), sets_yaml(sets)));
            m.push(("score".into(), Yaml::text(score)));
            colocation_attrs(&mut m, attrs);
            id
        }
        Constraint::Order { id, first, then, attrs } => {
            m.push(("order".into(), Yaml::str(first)));
            m.push(("then".into(), Yaml::str(then)));
            order_attrs(&mut m, attrs);
            id
        }
        Constraint::OrderSets { id, sets, attrs } => {
            m.push(("order".into(), sets_yaml(sets)));
            order_attrs(&mut m, attrs);
            id
        }
        Constraint::Ticket { id, ticket, target, loss_policy } => {
            m.push(("ticket".into(), Yaml::str(ticket)));
            match target {
                TicketTarget::One { rsc, role } => {
                    m.push(("resource".into(), Yaml::str(rsc)));
                    opt(&mut m, "role", role);
                }
                TicketTarget::Sets(sets) => m.push(("resource".into(), sets_yaml(sets))),
            }
            opt(&mut m, "loss-policy", loss_policy);
            id
        }
    };
    if let Some(id) = cid {
        m.push(("id".into(), Yaml::str(id)));
    }
    Yaml::Map(m)
}

/// `rule` with its score (or score-attribute) and role.
fn location_rule_entries(lr: &LocationRule) -> Vec<(String, Yaml)> {
    let mut m = vec![("rule".to_string(), Yaml::str(rule::to_text(&lr.rule)))];
    match &lr.score {
        RuleScore::Score(s) => m.push(("score".into(), Yaml::text(s))),
        RuleScore::Attribute(a) => m.push(("score-attribute".into(), Yaml::str(a))),
    }
    if let Some(r) = &lr.role {
        m.push(("role".into(), Yaml::str(r)));
    }
    m
}

fn colocation_attrs(m: &mut Vec<(String, Yaml)>, attrs: &[(String, String)]) {
    for (k, v) in attrs {
        let y = if k == "influence" { Yaml::Bool(v == "true") } else { Yaml::str(v) };
        m.push((k.clone(), y));
    }
}

fn order_attrs(m: &mut Vec<(String, Yaml)>, attrs: &[(String, String)]) {
    for (k, v) in attrs {
        let y = match k.as_str() {
            "symmetrical" | "require-all" => Yaml::Bool(v == "true"),
            "score" => Yaml::text(v),
            _ => Yaml::str(v),
        };
        m.push((k.clone(), y));
    }
}

fn alert_yaml(a: &model::Alert) -> Yaml {
    let mut m = vec![("path".to_string(), Yaml::str(&a.path))];
    if let Some(d) = &a.description {
        m.push(("description".into(), Yaml::str(d)));
    }
    push_pairs(&mut m, "params", &a.params);
    push_pairs(&mut m, "meta", &a.meta);
    if !a.select.is_empty() {
        m.push(("select".into(), Yaml::Seq(a.select.iter().map(Yaml::str).collect())));
    }
    if !a.attributes.is_empty() {
        m.push(("attributes".into(), Yaml::Seq(a.attributes.iter().map(Yaml::str).collect())));
    }
    if !a.recipients.is_empty() {
        let rs = a.recipients.iter().map(|r| {
            let mut x = vec![("value".to_string(), Yaml::text(&r.value))];
            if let Some(d) = &r.description {
                x.push(("description".into(), Yaml::str(d)));
            }
            push_pairs(&mut x, "params", &r.params);
            push_pairs(&mut x, "meta", &r.meta);
            if let Some(id) = &r.id {
                x.push(("id".into(), Yaml::str(id)));
            }
            Yaml::Map(x)
        });
        m.push(("recipients".into(), Yaml::Seq(rs.collect())));
    }
    Yaml::Map(m)
}

/// `acls: { roles, users, groups }`; a user or group is its list of roles unless it has a name.
fn acls_yaml(acls: &model::Acls) -> Yaml {
    let role = |r: &model::AclRole| {
        let mut m = Vec::new();
        if let Some(d) = &r.description {
            m.push(("description".to_string(), Yaml::str(d)));
        }
        let perms = r.permissions.iter().map(|p| {
            let mut x = vec![("kind".to_string(), Yaml::str(&p.kind))];
            match &p.on {
                model::AclObject::Xpath(v) => x.push(("xpath".into(), Yaml::str(v))),
                model::AclObject::Reference(v) => x.push(("reference".into(), Yaml::str(v))),
                model::AclObject::Type { object_type, attribute } => {
                    x.push(("object-type".into(), Yaml::str(object_type)));
                    if let Some(a) = attribute {
                        x.push(("attribute".into(), Yaml::str(a)));
                    }
                }
            }
            if let Some(d) = &p.description {
                x.push(("description".into(), Yaml::str(d)));
            }
            if let Some(id) = &p.id {
                x.push(("id".into(), Yaml::str(id)));
            }
            Yaml::Map(x)
        });
        if !r.permissions.is_empty() {
            m.push(("permissions".into(), Yaml::Seq(perms.collect())));
        }
        Yaml::Map(m)
    };
    let target = |t: &model::AclTarget| {
        let roles = Yaml::Seq(t.roles.iter().map(Yaml::str).collect());
        match &t.name {
            None => roles,
            Some(n) => Yaml::Map(vec![("name".into(), Yaml::str(n)), ("roles".into(), roles)]),
        }
    };
    let mut m = Vec::new();
    for (key, items) in [
        ("roles", acls.roles.iter().map(|r| (r.id.clone(), role(r))).collect::<Vec<_>>()),
        ("users", acls.users.iter().map(|t| (t.id.clone(), target(t))).collect()),
        ("groups", acls.groups.iter().map(|t| (t.id.clone(), target(t))).collect()),
    ] {
        if !items.is_empty() {
            m.push((key.to_string(), Yaml::Map(items)));
        }
    }
    Yaml::Map(m)
}

fn level_yaml(l: &model::FencingLevel) -> Yaml {
    let mut m = Vec::new();
    match &l.target {
        model::LevelTarget::Node(n) => m.push(("target".to_string(), Yaml::str(n))),
        model::LevelTarget::Pattern(p) => m.push(("target-pattern".to_string(), Yaml::str(p))),
        model::LevelTarget::Attribute { name, value } => {
            m.push(("target-attribute".to_string(), Yaml::str(name)));
            m.push(("target-value".to_string(), Yaml::text(value)));
        }
    }
    m.push(("index".into(), Yaml::Int(u64::from(l.index))));
    m.push(("devices".into(), Yaml::Seq(l.devices.iter().map(Yaml::str).collect())));
    if let Some(id) = &l.id {
        m.push(("id".into(), Yaml::str(id)));
    }
    Yaml::Map(m)
}

fn attr_set_yaml(s: &model::AttrSet) -> Yaml {
    let mut m = Vec::new();
    if let Some(id) = &s.id {
        m.push(("id".to_string(), Yaml::str(id)));
    }
    if let Some(r) = &s.rule {
        m.push(("rule".into(), Yaml::str(rule::to_text(r))));
    }
    if let Some(score) = &s.score {
        m.push(("score".into(), Yaml::text(score)));
    }
    m.push(("values".into(), pairs_yaml(&s.values)));
    Yaml::Map(m)
}

fn node_yaml(n: &Node) -> Yaml {
    let id = match &n.cib_id {
        Some(cib) => Yaml::str(cib),
        None => Yaml::Int(u64::from(n.id)),
    };
    let mut m = vec![("id".to_string(), id)];
    if n.remote {
        m.push(("remote".into(), Yaml::Bool(true)));
    }
    if !n.addrs.is_empty() {
        m.push(("addrs".into(), Yaml::Seq(n.addrs.iter().map(Yaml::text).collect())));
    }
    let standby = n.attributes.iter().any(|(k, v)| k == "standby" && v == "on");
    let attrs: Vec<(String, String)> = n.attributes.iter().filter(|(k, _)| k != "standby").cloned().collect();
    if standby {
        m.push(("standby".into(), Yaml::Bool(true)));
    }
    push_pairs(&mut m, "attributes", &attrs);
    push_pairs(&mut m, "utilization", &n.utilization);
    Yaml::Map(m)
}

/// Flatten the resource tree into the file's `resources`, `groups` and `clones`.
fn collect_resources(
    r: &Resource,
    prims: &mut Vec<(String, Yaml)>,
    groups: &mut Vec<(String, Yaml)>,
    clones: &mut Vec<(String, Yaml)>,
) {
    match r {
        Resource::Primitive(p) => prims.push((p.id.clone(), primitive_yaml(p))),
        Resource::Group(g) => {
            for p in &g.members {
                prims.push((p.id.clone(), primitive_yaml(p)));
            }
            groups.push((g.id.clone(), group_yaml(g)));
        }
        Resource::Clone(c) => {
            collect_resources(&c.child, prims, groups, clones);
            clones.push((c.id.clone(), clone_yaml(c)));
        }
        Resource::Bundle(b) => prims.extend(b.primitive.iter().map(|p| (p.id.clone(), primitive_yaml(p)))),
    }
}

/// The cluster file for a model, as text.
pub fn to_yaml(model: &Cluster) -> String {
    let mut top: Vec<(String, Yaml)> = vec![("cluster".into(), Yaml::str(&model.name))];
    if let Some(t) = &model.target {
        top.push(("target".into(), Yaml::str(t)));
    }
    if !model.nodes.is_empty() {
        top.push(("nodes".into(), Yaml::Map(model.nodes.iter().map(|n| (n.name.clone(), node_yaml(n))).collect())));
    }
    let q = &model.quorum;
    let mut quorum = Vec::new();
    for (k, v) in [
        ("two_node", q.two_node),
        ("wait_for_all", q.wait_for_all),
        ("last_man_standing", q.last_man_standing),
        ("auto_tie_breaker", q.auto_tie_breaker),
    ] {
        if let Some(v) = v {
            quorum.push((k.to_string(), Yaml::Bool(v)));
        }
    }
    if let Some(e) = q.expected_votes {
        quorum.push(("expected_votes".into(), Yaml::Int(u64::from(e))));
    }
    if let Some(d) = &q.device {
        quorum.push(("device".into(), super::corosync::device_yaml(d)));
    }
    if !quorum.is_empty() {
        top.push(("quorum".into(), Yaml::Map(quorum)));
    }
    if let Some(c) = super::corosync::yaml(&model.corosync) {
        top.push(("corosync".into(), c));
    }
    push_pairs(&mut top, "properties", &model.properties);
    push_pairs(&mut top, "rsc_defaults", &model.rsc_defaults);
    push_pairs(&mut top, "op_defaults", &model.op_defaults);
    for (key, sets) in [
        ("property_sets", &model.property_sets),
        ("rsc_defaults_sets", &model.rsc_defaults_sets),
        ("op_defaults_sets", &model.op_defaults_sets),
    ] {
        if !sets.is_empty() {
            top.push((key.into(), Yaml::Seq(sets.iter().map(attr_set_yaml).collect())));
        }
    }
    let (mut prims, mut groups, mut clones) = (Vec::new(), Vec::new(), Vec::new());
    for r in &model.resources {
        collect_resources(r, &mut prims, &mut groups, &mut clones);
    }
    let templates: Vec<(String, Yaml)> = model.templates.iter().map(|t| (t.id.clone(), template_yaml(t))).collect();
    if !templates.is_empty() {
        top.push(("templates".into(), Yaml::Map(templates)));
    }
    let bundles: Vec<(String, Yaml)> = model
        .resources
        .iter()
        .filter_map(|r| match r {
            Resource::Bundle(b) => Some((b.id.clone(), bundle_yaml(b))),
            _ => None,
        })
        .collect();
    for (k, v) in [("resources", prims), ("groups", groups), ("clones", clones), ("bundles", bundles)] {
        if !v.is_empty() {
            top.push((k.into(), Yaml::Map(v)));
        }
    }
    if !model.constraints.is_empty() {
        top.push(("constraints".into(), Yaml::Seq(model.constraints.iter().map(constraint_yaml).collect())));
    }
    if !model.alerts.is_empty() {
        top.push(("alerts".into(), Yaml::Map(model.alerts.iter().map(|a| (a.id.clone(), alert_yaml(a))).collect())));
    }
    if !model.tags.is_empty() {
        let tags = model.tags.iter().map(|(id, refs)| (id.clone(), Yaml::Seq(refs.iter().map(Yaml::str).collect())));
        top.push(("tags".into(), Yaml::Map(tags.collect())));
    }
    if !model.fencing_levels.is_empty() {
        top.push(("fencing_levels".into(), Yaml::Seq(model.fencing_levels.iter().map(level_yaml).collect())));
    }
    if !model.acls.is_empty() {
        top.push(("acls".into(), acls_yaml(&model.acls)));
    }
    if model.policy.allow_unknown_params {
        top.push(("policy".into(), Yaml::Map(vec![("allow_unknown_params".into(), Yaml::Bool(true))])));
    }
    if !model.raw.is_empty() {
        top.push((
            "raw".into(),
            Yaml::Commented(
                vec!["Objects the cluster file cannot express natively yet, as CIB XML.".into()],
                Box::new(Yaml::Seq(model.raw.iter().map(|r| Yaml::Block(r.element.to_xml())).collect())),
            ),
        ));
    }
    let mut out = String::from("# Written by `cibform export`; `cibform schema` prints the file's shape.\n");
    out.push_str(&emit::to_string(&top));
    out
}
