//! Stage 2: raw YAML types → validated `model`.
//!
//! Every check that can be made offline lives here, each reported as a `Diag` with a stable
//! code, a label on the exact span and a help line. All problems are collected, not just the
//! first. No I/O, no knowledge of the CIB.

use std::collections::{BTreeMap, HashMap};

use crate::cib::xml::Element;
use crate::config::raw::{
    Attrs, Map, RawClone, RawCluster, RawConstraint, RawGroup, RawOp, RawResource, RawRule, RawRuleExpr, RawSet,
    RawTarget, Span, S,
};
use crate::diag::{suggest, Diag, Source};
use crate::model::{
    Agent, Cluster, Constraint, Group, LocationRule, Node, Op, Placement, Policy, Primitive, Quorum, RawObject,
    RawPlace, Resource, ResourceSet, RAW_SECTIONS,
};
use crate::rule::{self, AttrOp, Expr, Rule, ValueType};

/// Resource agent standards Pacemaker 2.1 knows.
pub const STANDARDS: &[&str] = &["ocf", "lsb", "service", "systemd", "stonith", "nagios", "upstart"];
pub const ROLES: &[&str] = &["Started", "Stopped", "Promoted", "Unpromoted", "Master", "Slave"];
pub const ORDER_KINDS: &[&str] = &["Mandatory", "Optional", "Serialize"];
pub const ACTIONS: &[&str] = &["start", "stop", "promote", "demote"];
pub const DISCOVERY: &[&str] = &["always", "never", "exclusive"];

/// Validate a parsed file.
///
/// # Errors
/// Every error found (warnings are returned with the model on success).
pub fn validate(src: &Source, raw: &RawCluster) -> Result<(Cluster, Vec<Diag>), Vec<Diag>> {
    let mut v = Validator { src, diags: Vec::new(), ids: HashMap::new(), rsc_ids: known_ids(raw) };
    // Escape-hatch objects first: constraints may name the resources they hold.
    let raw_objects = v.raw_objects(raw);
    let mut cluster = v.cluster(raw);
    cluster.raw = raw_objects;
    if v.diags.iter().any(Diag::is_error) {
        Err(v.diags)
    } else {
        Ok((cluster, v.diags))
    }
}

struct Validator<'a> {
    src: &'a Source,
    diags: Vec<Diag>,
    /// Every declared object id → (span, what it is).
    ids: HashMap<String, (Span, &'static str)>,
    /// Ids a constraint may name: resources, groups, clones.
    rsc_ids: Vec<String>,
}

/// Whether `s` is a valid CIB id (an XML NCName in practice).
pub fn is_xml_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

impl Validator<'_> {
    fn err(&mut self, code: &'static str, span: Span, msg: String, label: &str, help: String) {
        let d = Diag::error(code, msg).label(span, label).help(help).in_source(self.src);
        self.diags.push(d);
    }

    fn warn(&mut self, code: &'static str, span: Span, msg: String, help: String) {
        let d = Diag::warning(code, msg).label(span, "here").help(help).in_source(self.src);
        self.diags.push(d);
    }

    /// Register an object id (resource, group, clone, constraint): valid and unique.
    fn declare(&mut self, id: &S<String>, what: &'static str) {
        if !is_xml_id(&id.value) {
            self.err(
                "cibform::id::invalid",
                id.span,
                format!("`{}` is not a valid id", id.value),
                "invalid id",
                "ids start with a letter or `_` and contain only letters, digits, `-`, `_` and `.`".into(),
            );
            return;
        }
        if let Some((first, kind)) = self.ids.get(&id.value).copied() {
            let d = Diag::error("cibform::id::duplicate", format!("id `{}` is declared twice", id.value))
                .label(id.span, format!("declared again as a {what}"))
                .label(first, format!("first declared as a {kind}"))
                .help("ids are shared by resources, groups, clones, constraints and raw objects: rename one")
                .in_source(self.src);
            self.diags.push(d);
        } else {
            self.ids.insert(id.value.clone(), (id.span, what));
        }
    }

    fn attrs(&mut self, attrs: &Attrs, what: &str) -> Vec<(String, String)> {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut out = Vec::new();
        for (k, v) in attrs.iter() {
            if k.value.is_empty() {
                self.err(
                    "cibform::attr::empty_name",
                    k.span,
                    format!("empty name in {what}"),
                    "empty name",
                    "give the attribute a name".into(),
                );
                continue;
            }
            if let Some(first) = seen.insert(&k.value, k.span) {
                let d = Diag::error("cibform::attr::duplicate", format!("`{}` is set twice in {what}", k.value))
                    .label(k.span, "set again here")
                    .label(first, "first set here")
                    .help("keep one of them")
                    .in_source(self.src);
                self.diags.push(d);
                continue;
            }
            out.push((k.value.clone(), v.value.0.clone()));
        }
        out
    }

    fn cluster(&mut self, raw: &RawCluster) -> Cluster {
        if !is_xml_id(&raw.cluster.value) {
            self.err(
                "cibform::cluster::name",
                raw.cluster.span,
                format!("`{}` is not a valid cluster name", raw.cluster.value),
                "invalid name",
                "use letters, digits, `-`, `_` and `.`".into(),
            );
        }
        let nodes = self.nodes(&raw.nodes);
        let quorum = raw.quorum.as_ref().map_or_else(Quorum::default, |q| Quorum {
            two_node: q.value.two_node,
            wait_for_all: q.value.wait_for_all,
            last_man_standing: q.value.last_man_standing,
            auto_tie_breaker: q.value.auto_tie_breaker,
            expected_votes: q.value.expected_votes,
        });
        if let Some(q) = &raw.quorum {
            if q.value.two_node == Some(true) && !raw.nodes.is_empty() && raw.nodes.0.len() != 2 {
                self.err(
                    "cibform::quorum::two_node",
                    q.span,
                    format!("`two_node` needs exactly 2 nodes, {} declared", raw.nodes.0.len()),
                    "two_node set here",
                    "remove `two_node` or declare two nodes".into(),
                );
            }
        }
        let properties = self.attrs(&raw.properties, "properties");
        for (k, _) in raw.properties.iter() {
            if crate::cib::PACEMAKER_OWNED.contains(&k.value.as_str()) {
                self.err(
                    "cibform::property::owned",
                    k.span,
                    format!("property `{}` is maintained by Pacemaker", k.value),
                    "owned by Pacemaker",
                    "remove it: cibform never writes Pacemaker-owned properties".into(),
                );
            }
        }
        let rsc_defaults = self.attrs(&raw.rsc_defaults, "rsc_defaults");
        let op_defaults = self.attrs(&raw.op_defaults, "op_defaults");
        let resources = self.resources(raw);
        let node_names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
        let constraints = raw.constraints.iter().filter_map(|c| self.constraint(c, &node_names)).collect();
        let policy = raw.policy.as_ref().map_or_else(Policy::default, |p| Policy {
            allow_destroy: p.value.allow_destroy.unwrap_or(false),
            allow_disable_stonith: p.value.allow_disable_stonith.unwrap_or(false),
        });
        Cluster {
            name: raw.cluster.value.clone(),
            target: raw.target.as_ref().map(|t| t.value.clone()),
            nodes,
            quorum,
            properties,
            rsc_defaults,
            op_defaults,
            resources,
            constraints,
            policy,
            raw: Vec::new(),
        }
    }

    fn nodes(&mut self, raw: &Map<crate::config::raw::RawNode>) -> Vec<Node> {
        let mut out = Vec::new();
        let mut names: HashMap<&str, Span> = HashMap::new();
        let mut ids: HashMap<u32, Span> = HashMap::new();
        let mut addrs: HashMap<String, Span> = HashMap::new();
        let mut links: Option<(usize, Span, &str)> = None;
        for (name, n) in raw.iter() {
            if let Some(first) = names.insert(&name.value, name.span) {
                let d = Diag::error("cibform::node::duplicate", format!("node `{}` is declared twice", name.value))
                    .label(name.span, "declared again")
                    .label(first, "first declared here")
                    .help("keep one of them")
                    .in_source(self.src);
                self.diags.push(d);
            }
            let id = match n.id.value.0.parse::<u32>() {
                Ok(i) if i > 0 => i,
                _ => {
                    self.err(
                        "cibform::node::id",
                        n.id.span,
                        format!("node id `{}` is not a positive integer", n.id.value.0),
                        "not a node id",
                        "corosync node ids are integers from 1".into(),
                    );
                    0
                }
            };
            if id > 0 {
                if let Some(first) = ids.insert(id, n.id.span) {
                    let d = Diag::error("cibform::node::duplicate_id", format!("node id {id} is used twice"))
                        .label(n.id.span, "used again")
                        .label(first, "first used here")
                        .help("every node needs its own id")
                        .in_source(self.src);
                    self.diags.push(d);
                }
            }
            for a in &n.addrs {
                if let Err(why) = check_addr(&a.value.0) {
                    self.err(
                        "cibform::node::addr",
                        a.span,
                        format!("`{}` is not a valid address: {why}", a.value.0),
                        "invalid address",
                        "write an IPv4/IPv6 address or a host name, one per knet link".into(),
                    );
                } else if let Some(first) = addrs.insert(a.value.0.clone(), a.span) {
                    let d =
                        Diag::error("cibform::node::duplicate_addr", format!("address `{}` is used twice", a.value.0))
                            .label(a.span, "used again")
                            .label(first, "first used here")
                            .help("each node needs its own address on each link")
                            .in_source(self.src);
                    self.diags.push(d);
                }
            }
            match links {
                None => links = Some((n.addrs.len(), name.span, &name.value)),
                Some((count, _, first)) if count != n.addrs.len() => {
                    let msg =
                        format!("node `{}` has {} address(es) but `{first}` has {count}", name.value, n.addrs.len());
                    self.err(
                        "cibform::node::links",
                        name.span,
                        msg,
                        "different number of links",
                        "every node needs one address per knet link, in the same link order".into(),
                    );
                }
                _ => {}
            }
            let mut attributes = self.attrs(&n.attributes, "node attributes");
            if let Some(sb) = &n.standby {
                if attributes.iter().any(|(k, _)| k == "standby") {
                    self.err(
                        "cibform::node::standby_twice",
                        sb.span,
                        "`standby` is set both here and in `attributes`".into(),
                        "set twice",
                        "keep `standby: true|false` and drop it from `attributes`".into(),
                    );
                }
                attributes.retain(|(k, _)| k != "standby");
                if sb.value {
                    attributes.push(("standby".into(), "on".into()));
                }
            }
            let utilization = self.attrs(&n.utilization, "node utilization");
            out.push(Node {
                name: name.value.clone(),
                id,
                addrs: n.addrs.iter().map(|a| a.value.0.clone()).collect(),
                attributes,
                utilization,
            });
        }
        out
    }

    fn agent(&mut self, a: &S<String>) -> Agent {
        let parts: Vec<&str> = a.value.split(':').collect();
        let bad = |v: &mut Self, why: String, help: String| {
            v.err("cibform::agent::invalid", a.span, format!("agent `{}` {why}", a.value), "invalid agent", help);
            Agent { class: "ocf".into(), provider: Some("pacemaker".into()), kind: "Dummy".into() }
        };
        if let Some(why) = crate::agent::shape_problem(&a.value) {
            return bad(self, why, "write `class[:provider]:type` of letters, digits and `_ . - @ + /`".into());
        }
        let class = parts[0];
        if !STANDARDS.contains(&class) {
            let help = match suggest(class, STANDARDS.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? known standards: {}", STANDARDS.join(", ")),
                None => format!("known standards: {}", STANDARDS.join(", ")),
            };
            let d = Diag::error("cibform::agent::standard", format!("unknown agent standard `{class}`"))
                .label(Span { offset: a.span.offset, len: class.len().min(a.span.len) }, "unknown standard")
                .help(help)
                .in_source(self.src);
            self.diags.push(d);
            return Agent { class: class.into(), provider: None, kind: parts.last().unwrap_or(&"").to_string() };
        }
        match (class, parts.len()) {
            ("ocf", 3) if !parts[1].is_empty() && !parts[2].is_empty() => {
                Agent { class: "ocf".into(), provider: Some(parts[1].into()), kind: parts[2].into() }
            }
            ("ocf", _) => {
                bad(self, "needs a provider".into(), "write `ocf:PROVIDER:TYPE`, e.g. `ocf:heartbeat:IPaddr2`".into())
            }
            (_, 2) if !parts[1].is_empty() => Agent { class: class.into(), provider: None, kind: parts[1].into() },
            _ => bad(self, "is not `standard:type`".into(), format!("write `{class}:TYPE`, e.g. `systemd:squid`")),
        }
    }

    fn op(&mut self, o: &S<RawOp>) -> Op {
        let r = &o.value;
        let interval = match &r.interval {
            Some(i) => {
                if parse_duration_ms(&i.value.0).is_none() {
                    self.err(
                        "cibform::op::interval",
                        i.span,
                        format!("`{}` is not a duration", i.value.0),
                        "not a duration",
                        "write e.g. `10s`, `1min`, `500ms`, or `0s` for one-shot actions".into(),
                    );
                }
                i.value.0.clone()
            }
            None => "0s".into(),
        };
        let mut attrs = Vec::new();
        if let Some(t) = &r.timeout {
            if parse_duration_ms(&t.value.0).is_none() {
                self.err(
                    "cibform::op::timeout",
                    t.span,
                    format!("`{}` is not a duration", t.value.0),
                    "not a duration",
                    "write e.g. `20s`".into(),
                );
            }
            attrs.push(("timeout".to_string(), t.value.0.clone()));
        }
        if let Some(role) = &r.role {
            self.check_role(role);
            attrs.push(("role".into(), role.value.clone()));
        }
        for (k, v) in [("on-fail", &r.on_fail), ("description", &r.description)] {
            if let Some(v) = v {
                attrs.push((k.into(), v.value.clone()));
            }
        }
        for (k, v) in [
            ("start-delay", &r.start_delay),
            ("interval-origin", &r.interval_origin),
            ("record-pending", &r.record_pending),
        ] {
            if let Some(v) = v {
                attrs.push((k.into(), v.value.0.clone()));
            }
        }
        if let Some(e) = &r.enabled {
            attrs.push(("enabled".into(), e.value.to_string()));
        }
        Op {
            name: r.name.value.clone(),
            interval,
            attrs,
            meta: self.attrs(&r.meta, "op meta"),
            params: self.attrs(&r.params, "op params"),
        }
    }

    fn check_role(&mut self, role: &S<String>) {
        if !ROLES.contains(&role.value.as_str()) {
            let help = one_of(&role.value, ROLES);
            self.err(
                "cibform::role::unknown",
                role.span,
                format!("unknown role `{}`", role.value),
                "unknown role",
                help,
            );
        }
    }

    fn primitive(&mut self, id: &S<String>, r: &S<RawResource>) -> Primitive {
        let r = &r.value;
        let agent = self.agent(&r.agent);
        let mut meta = self.attrs(&r.meta, "meta");
        self.enabled(&r.enabled, &mut meta);
        let ops = r.ops.as_ref().map(|ops| {
            let mut seen: HashMap<(String, u64, Option<String>), Span> = HashMap::new();
            let mut out = Vec::new();
            for o in ops {
                let op = self.op(o);
                let key = (
                    op.name.clone(),
                    parse_duration_ms(&op.interval).unwrap_or(0),
                    o.value.role.as_ref().map(|r| r.value.clone()),
                );
                if let Some(first) = seen.insert(key, o.span) {
                    let d = Diag::error(
                        "cibform::op::duplicate",
                        format!("operation `{} {}` is declared twice for `{}`", op.name, op.interval, id.value),
                    )
                    .label(o.value.name.span, "declared again")
                    .label(first, "first declared here")
                    .help("an operation is identified by its name, interval and role")
                    .in_source(self.src);
                    self.diags.push(d);
                }
                out.push(op);
            }
            out
        });
        Primitive {
            id: id.value.clone(),
            agent,
            description: r.description.as_ref().map(|d| d.value.clone()),
            params: self.attrs(&r.params, "params"),
            meta,
            utilization: self.attrs(&r.utilization, "utilization"),
            ops,
        }
    }

    fn enabled(&mut self, enabled: &Option<S<bool>>, meta: &mut Vec<(String, String)>) {
        if let Some(e) = enabled {
            if meta.iter().any(|(k, _)| k == "target-role") {
                self.err(
                    "cibform::meta::target_role_twice",
                    e.span,
                    "`enabled` and `meta.target-role` are both set".into(),
                    "set twice",
                    "keep `enabled` and drop `target-role` from `meta`".into(),
                );
            } else if !e.value {
                meta.push(("target-role".into(), "Stopped".into()));
            }
        }
    }

    /// Resolve primitives, groups and clones into the top-level resource tree.
    fn resources(&mut self, raw: &RawCluster) -> Vec<Resource> {
        let mut prims: BTreeMap<String, Primitive> = BTreeMap::new();
        let mut prim_order = Vec::new();
        for (id, r) in raw.resources.iter() {
            self.declare(id, "resource");
            let p = self.primitive(id, r);
            prim_order.push(id.value.clone());
            prims.entry(id.value.clone()).or_insert(p);
        }
        // primitive id -> group id
        let mut member_of: HashMap<String, (String, Span)> = HashMap::new();
        let mut groups: BTreeMap<String, Group> = BTreeMap::new();
        for (gid, g) in raw.groups.iter() {
            self.declare(gid, "group");
            let (members, meta, enabled, description) = match &g.value {
                RawGroup::Members(m) => (m.as_slice(), &Map::default(), &None, None),
                RawGroup::Full(f) => (f.members.as_slice(), &f.meta, &f.enabled, f.description.as_ref()),
            };
            if members.is_empty() {
                self.err(
                    "cibform::group::empty",
                    gid.span,
                    format!("group `{}` has no members", gid.value),
                    "empty group",
                    "list the group's resources in start order".into(),
                );
            }
            let mut meta = self.attrs(meta, "group meta");
            self.enabled(enabled, &mut meta);
            let mut group = Group {
                id: gid.value.clone(),
                description: description.map(|d| d.value.clone()),
                members: Vec::new(),
                meta,
            };
            for m in members {
                let Some(p) = prims.get(&m.value) else {
                    self.unknown_ref(m, "group member");
                    continue;
                };
                if let Some((other, first)) = member_of.get(&m.value) {
                    let d = Diag::error(
                        "cibform::group::member_twice",
                        format!("resource `{}` is in two groups (`{other}` and `{}`)", m.value, gid.value),
                    )
                    .label(m.span, "second group")
                    .label(*first, "first group")
                    .help("a resource belongs to at most one group")
                    .in_source(self.src);
                    self.diags.push(d);
                    continue;
                }
                member_of.insert(m.value.clone(), (gid.value.clone(), m.span));
                group.members.push(p.clone());
            }
            groups.entry(gid.value.clone()).or_insert(group);
        }
        // cloned id (primitive or group) -> clone
        let mut cloned: HashMap<String, (String, Span)> = HashMap::new();
        let mut clones: Vec<crate::model::Clone> = Vec::new();
        for (cid, c) in raw.clones.iter() {
            self.declare(cid, "clone");
            let (target, promotable, meta, enabled, description) = match &c.value {
                RawClone::Of(t) => (S::new(t.clone(), c.span), false, &Map::default(), &None, None),
                RawClone::Full(f) => (
                    f.resource.clone(),
                    f.promotable.as_ref().is_some_and(|p| p.value),
                    &f.meta,
                    &f.enabled,
                    f.description.as_ref(),
                ),
            };
            let mut meta = self.attrs(meta, "clone meta");
            self.enabled(enabled, &mut meta);
            let child = if let Some(g) = groups.get(&target.value) {
                Resource::Group(g.clone())
            } else if let Some(p) = prims.get(&target.value) {
                if let Some((g, _)) = member_of.get(&target.value) {
                    let msg = format!("`{}` is a member of group `{g}` and cannot be cloned on its own", target.value);
                    self.err(
                        "cibform::clone::group_member",
                        target.span,
                        msg,
                        "group member",
                        format!("clone the whole group `{g}`, or take `{}` out of it", target.value),
                    );
                    continue;
                }
                Resource::Primitive(p.clone())
            } else {
                self.unknown_ref(&target, "cloned resource");
                continue;
            };
            if let Some((other, first)) = cloned.get(&target.value) {
                let d = Diag::error(
                    "cibform::clone::twice",
                    format!("`{}` is cloned twice (`{other}` and `{}`)", target.value, cid.value),
                )
                .label(target.span, "cloned again")
                .label(*first, "first cloned here")
                .help("a resource or group has at most one clone")
                .in_source(self.src);
                self.diags.push(d);
                continue;
            }
            cloned.insert(target.value.clone(), (cid.value.clone(), target.span));
            clones.push(crate::model::Clone {
                id: cid.value.clone(),
                description: description.map(|d| d.value.clone()),
                promotable,
                meta,
                child: Box::new(child),
            });
        }
        // Top-level order: by the first declared primitive each top-level object contains.
        let mut out: Vec<Resource> = Vec::new();
        let mut placed: std::collections::HashSet<String> = std::collections::HashSet::new();
        for pid in &prim_order {
            let holder = member_of.get(pid).map_or(pid.clone(), |(g, _)| g.clone());
            let top = cloned.get(&holder).map_or(holder.clone(), |(c, _)| c.clone());
            if !placed.insert(top.clone()) {
                continue;
            }
            if let Some(c) = clones.iter().find(|c| c.id == top) {
                out.push(Resource::Clone(c.clone()));
            } else if let Some(g) = groups.get(&top) {
                out.push(Resource::Group(g.clone()));
            } else if let Some(p) = prims.get(&top) {
                out.push(Resource::Primitive(p.clone()));
            }
        }
        out
    }

    fn unknown_ref(&mut self, r: &S<String>, what: &str) {
        let help = match suggest(&r.value, self.rsc_ids.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "declare it under `resources`, `groups` or `clones`".into(),
        };
        self.err(
            "cibform::ref::unknown",
            r.span,
            format!("{what} `{}` is not declared", r.value),
            "not declared",
            help,
        );
    }

    fn score(&mut self, s: &S<crate::config::raw::Scalar>) -> String {
        match normalize_score(&s.value.0) {
            Some(v) => v,
            None => {
                self.err(
                    "cibform::score::invalid",
                    s.span,
                    format!("`{}` is not a score", s.value.0),
                    "not a score",
                    "a score is an integer, `INFINITY` or `-INFINITY`".into(),
                );
                s.value.0.clone()
            }
        }
    }

    fn rsc_ref(&mut self, r: &S<String>, what: &str) -> String {
        if !self.rsc_ids.contains(&r.value) {
            self.unknown_ref(r, what);
        }
        r.value.clone()
    }

    fn constraint(&mut self, c: &S<RawConstraint>, nodes: &[&str]) -> Option<Constraint> {
        let r = &c.value;
        let kinds = [r.location.is_some(), r.colocation.is_some(), r.order.is_some()];
        if kinds.iter().filter(|k| **k).count() != 1 {
            self.err(
                "cibform::constraint::kind",
                c.span,
                "a constraint needs exactly one of `location`, `colocation`, `order`".into(),
                "here",
                "start the entry with `location: RESOURCE`, `colocation: RESOURCE` or `order: RESOURCE`".into(),
            );
            return None;
        }
        if let Some(id) = &r.id {
            self.declare(id, "constraint");
        }
        let id = r.id.as_ref().map(|i| i.value.clone());
        let role = r.role.as_ref().map(|x| {
            self.check_role(x);
            x.value.clone()
        });
        // Fields that belong to another kind of constraint are errors, not silently ignored.
        let stray = |v: &mut Self, allowed: &[&str]| {
            let fields: [(&str, Option<Span>); 10] = [
                ("node", r.node.as_ref().map(|x| x.span)),
                ("rule", r.rule.as_ref().map(|x| x.span)),
                ("with", r.with.as_ref().map(|x| x.span)),
                ("with-role", r.with_role.as_ref().map(|x| x.span)),
                ("then", r.then.as_ref().map(|x| x.span)),
                ("kind", r.kind.as_ref().map(|x| x.span)),
                ("symmetrical", r.symmetrical.as_ref().map(|x| x.span)),
                ("first-action", r.first_action.as_ref().map(|x| x.span)),
                ("then-action", r.then_action.as_ref().map(|x| x.span)),
                ("resource-discovery", r.resource_discovery.as_ref().map(|x| x.span)),
            ];
            for (name, span) in fields {
                if let Some(span) = span {
                    if !allowed.contains(&name) {
                        v.err(
                            "cibform::constraint::field",
                            span,
                            format!("`{name}` does not apply to this kind of constraint"),
                            "not applicable",
                            format!("allowed here: {}", allowed.join(", ")),
                        );
                    }
                }
            }
        };
        if let Some(loc) = &r.location {
            stray(self, &["node", "rule", "resource-discovery"]);
            let rsc = self.rsc_ref(loc, "location target");
            let discovery = r.resource_discovery.as_ref().map(|d| {
                if !DISCOVERY.contains(&d.value.as_str()) {
                    let h = one_of(&d.value, DISCOVERY);
                    self.err(
                        "cibform::constraint::discovery",
                        d.span,
                        format!("unknown resource-discovery `{}`", d.value),
                        "unknown value",
                        h,
                    );
                }
                d.value.clone()
            });
            let score = r.score.as_ref().map(|s| self.score(s));
            let placement = match (&r.node, &r.rule) {
                (Some(n), None) => {
                    if !nodes.is_empty() && !nodes.contains(&n.value.as_str()) {
                        let help = suggest(&n.value, nodes.iter().copied()).map_or_else(
                            || "declare the node under `nodes`".to_string(),
                            |s| format!("did you mean `{s}`?"),
                        );
                        self.warn(
                            "cibform::constraint::unknown_node",
                            n.span,
                            format!("node `{}` is not declared under `nodes`", n.value),
                            help,
                        );
                    }
                    Placement::Node { node: n.value.clone(), score: score.unwrap_or_else(|| "INFINITY".into()) }
                }
                (None, Some(rule)) => {
                    let rule = self.rule(rule)?;
                    Placement::Rule(LocationRule {
                        rule,
                        score: score.unwrap_or_else(|| "INFINITY".into()),
                        role: role.clone(),
                    })
                }
                _ => {
                    self.err(
                        "cibform::constraint::location",
                        loc.span,
                        "a location constraint needs either `node` or `rule`".into(),
                        "here",
                        "add `node: NODE` with a `score`, or `rule: EXPRESSION`".into(),
                    );
                    return None;
                }
            };
            let role = if matches!(placement, Placement::Rule(_)) { None } else { role };
            return Some(Constraint::Location { id, rsc, placement, role, discovery });
        }
        if let Some(col) = &r.colocation {
            stray(self, &["with", "with-role"]);
            let score = r.score.as_ref().map_or_else(|| "INFINITY".into(), |s| self.score(s));
            return match &col.value {
                RawTarget::One(a) => {
                    let a = S::new(a.clone(), col.span);
                    let Some(with) = &r.with else {
                        self.err(
                            "cibform::constraint::colocation",
                            col.span,
                            "a colocation needs `with`".into(),
                            "here",
                            "add `with: RESOURCE` (the resource this one is placed with)".into(),
                        );
                        return None;
                    };
                    let with_role = r.with_role.as_ref().map(|x| {
                        self.check_role(x);
                        x.value.clone()
                    });
                    Some(Constraint::Colocation {
                        id,
                        rsc: self.rsc_ref(&a, "colocated resource"),
                        with: self.rsc_ref(with, "colocation target"),
                        score,
                        role,
                        with_role,
                    })
                }
                RawTarget::Sets(sets) => Some(Constraint::ColocationSets { id, sets: self.sets(sets), score }),
            };
        }
        let order = r.order.as_ref()?;
        stray(self, &["then", "kind", "symmetrical", "first-action", "then-action"]);
        let mut attrs = Vec::new();
        if let Some(k) = &r.kind {
            if !ORDER_KINDS.contains(&k.value.as_str()) {
                let h = one_of(&k.value, ORDER_KINDS);
                self.err(
                    "cibform::constraint::order_kind",
                    k.span,
                    format!("unknown order kind `{}`", k.value),
                    "unknown kind",
                    h,
                );
            }
            attrs.push(("kind".into(), k.value.clone()));
        }
        if let Some(s) = &r.score {
            attrs.push(("score".into(), self.score(s)));
        }
        if let Some(s) = &r.symmetrical {
            attrs.push(("symmetrical".into(), s.value.to_string()));
        }
        for (name, a) in [("first-action", &r.first_action), ("then-action", &r.then_action)] {
            if let Some(a) = a {
                if !ACTIONS.contains(&a.value.as_str()) {
                    let h = one_of(&a.value, ACTIONS);
                    self.err(
                        "cibform::constraint::action",
                        a.span,
                        format!("unknown action `{}`", a.value),
                        "unknown action",
                        h,
                    );
                }
                attrs.push((name.into(), a.value.clone()));
            }
        }
        match &order.value {
            RawTarget::One(first) => {
                let first = S::new(first.clone(), order.span);
                let Some(then) = &r.then else {
                    self.err(
                        "cibform::constraint::order",
                        order.span,
                        "an order needs `then`".into(),
                        "here",
                        "add `then: RESOURCE` (started after this one)".into(),
                    );
                    return None;
                };
                Some(Constraint::Order {
                    id,
                    first: self.rsc_ref(&first, "order's first resource"),
                    then: self.rsc_ref(then, "order's then resource"),
                    attrs,
                })
            }
            RawTarget::Sets(sets) => Some(Constraint::OrderSets { id, sets: self.sets(sets), attrs }),
        }
    }

    fn sets(&mut self, sets: &[S<RawSet>]) -> Vec<ResourceSet> {
        sets.iter()
            .map(|s| match &s.value {
                RawSet::Members(m) => ResourceSet {
                    id: None,
                    resources: m.iter().map(|r| self.rsc_ref(r, "set member")).collect(),
                    attrs: Vec::new(),
                },
                RawSet::Full(f) => {
                    let mut attrs = Vec::new();
                    for (k, v) in [("sequential", &f.sequential), ("require-all", &f.require_all)] {
                        if let Some(v) = v {
                            attrs.push((k.to_string(), v.value.to_string()));
                        }
                    }
                    if let Some(r) = &f.role {
                        self.check_role(r);
                        attrs.push(("role".into(), r.value.clone()));
                    }
                    if let Some(a) = &f.action {
                        attrs.push(("action".into(), a.value.clone()));
                    }
                    if let Some(sc) = &f.score {
                        attrs.push(("score".into(), self.score(sc)));
                    }
                    ResourceSet {
                        id: f.id.as_ref().map(|i| i.value.clone()),
                        resources: f.resources.iter().map(|r| self.rsc_ref(r, "set member")).collect(),
                        attrs,
                    }
                }
            })
            .collect()
    }

    fn rule(&mut self, r: &S<RawRule>) -> Option<Rule> {
        match &r.value {
            RawRule::Text(text) => match rule::parse(text) {
                Ok(rule) => Some(rule),
                Err(e) => {
                    // Point into the scalar: skip an opening quote when the value was quoted.
                    let src = &self.src.text;
                    let quoted = src.get(r.span.offset..r.span.offset + 1).is_some_and(|c| c == "\"" || c == "'");
                    let base = r.span.offset + usize::from(quoted);
                    let span = Span { offset: base + e.offset, len: e.len.max(1) };
                    let help = e.help.clone().unwrap_or_else(|| "see `pcs help rule` syntax: `ATTR lt|gt|lte|gte|eq|ne VALUE`, `defined ATTR`, `and`, `or`, parentheses, `date ...`".into());
                    self.err("cibform::rule::parse", span, format!("invalid rule: {}", e.message), "here", help);
                    None
                }
            },
            RawRule::Structured(s) => self.structured(s, r.span).map(|expr| Rule { expr }),
        }
    }

    fn structured(&mut self, s: &RawRuleExpr, span: Span) -> Option<Expr> {
        let present =
            [s.and.is_some(), s.or.is_some(), s.defined.is_some(), s.not_defined.is_some(), s.attribute.is_some()];
        if present.iter().filter(|p| **p).count() != 1 {
            self.err(
                "cibform::rule::structured",
                span,
                "a structured rule needs exactly one of `and`, `or`, `defined`, `not_defined`, `attribute`".into(),
                "here",
                "e.g. `{ attribute: pingd, op: lt, value: 1 }` or `{ or: [...] }`".into(),
            );
            return None;
        }
        let list = |v: &mut Self, items: &[S<RawRule>]| -> Option<Vec<Expr>> {
            let mut out = Vec::new();
            for i in items {
                out.push(v.rule(i)?.expr);
            }
            Some(out)
        };
        if let Some(items) = &s.and {
            return list(self, items).map(Expr::And);
        }
        if let Some(items) = &s.or {
            return list(self, items).map(Expr::Or);
        }
        if let Some(a) = &s.defined {
            return Some(Expr::Defined { attribute: a.value.clone(), defined: true });
        }
        if let Some(a) = &s.not_defined {
            return Some(Expr::Defined { attribute: a.value.clone(), defined: false });
        }
        let attribute = s.attribute.as_ref()?;
        let (Some(op), Some(value)) = (&s.op, &s.value) else {
            self.err(
                "cibform::rule::structured",
                attribute.span,
                "an attribute expression needs `op` and `value`".into(),
                "here",
                "e.g. `{ attribute: pingd, op: lt, value: 1 }`".into(),
            );
            return None;
        };
        let ops = [
            ("lt", AttrOp::Lt),
            ("gt", AttrOp::Gt),
            ("lte", AttrOp::Lte),
            ("gte", AttrOp::Gte),
            ("eq", AttrOp::Eq),
            ("ne", AttrOp::Ne),
        ];
        let Some((_, aop)) = ops.iter().find(|(n, _)| *n == op.value) else {
            let h = one_of(&op.value, &["lt", "gt", "lte", "gte", "eq", "ne"]);
            self.err(
                "cibform::rule::operator",
                op.span,
                format!("unknown operator `{}`", op.value),
                "unknown operator",
                h,
            );
            return None;
        };
        let types = [
            ("integer", ValueType::Integer),
            ("number", ValueType::Number),
            ("version", ValueType::Version),
            ("string", ValueType::String),
        ];
        let value_type = match &s.value_type {
            None => None,
            Some(t) => match types.iter().find(|(n, _)| *n == t.value) {
                Some((_, vt)) => Some(*vt),
                None => {
                    let h = one_of(&t.value, &["integer", "number", "version", "string"]);
                    self.err(
                        "cibform::rule::type",
                        t.span,
                        format!("unknown value type `{}`", t.value),
                        "unknown type",
                        h,
                    );
                    return None;
                }
            },
        };
        Some(Expr::Attr {
            attribute: attribute.value.clone(),
            op: *aop,
            value: value.value.0.clone(),
            value_type,
            value_source: None,
        })
    }
}

fn known_ids(raw: &RawCluster) -> Vec<String> {
    raw.resources
        .iter()
        .map(|(k, _)| k.value.clone())
        .chain(raw.groups.iter().map(|(k, _)| k.value.clone()))
        .chain(raw.clones.iter().map(|(k, _)| k.value.clone()))
        .collect()
}

fn one_of(word: &str, allowed: &[&str]) -> String {
    match suggest(word, allowed.iter().copied()) {
        Some(s) => format!("did you mean `{s}`? allowed: {}", allowed.join(", ")),
        None => format!("allowed: {}", allowed.join(", ")),
    }
}

/// `INFINITY`, `+INFINITY`, `-INFINITY` or an integer; normalised (`+INFINITY` → `INFINITY`).
pub fn normalize_score(s: &str) -> Option<String> {
    match s {
        "INFINITY" | "+INFINITY" | "infinity" | "+infinity" => Some("INFINITY".into()),
        "-INFINITY" | "-infinity" => Some("-INFINITY".into()),
        _ => s.strip_prefix('+').unwrap_or(s).parse::<i64>().ok().map(|n| n.to_string()),
    }
}

/// Parse a Pacemaker duration (`10`, `10s`, `500ms`, `2min`, `1h`, ISO 8601 `PT10S`) to ms.
pub fn parse_duration_ms(s: &str) -> Option<u64> {
    let s = s.trim();
    if let Some(iso) = s.strip_prefix("PT").or_else(|| s.strip_prefix("pt")) {
        let mut total = 0u64;
        let mut num = String::new();
        for c in iso.chars() {
            if c.is_ascii_digit() {
                num.push(c);
            } else {
                let n: u64 = num.parse().ok()?;
                num.clear();
                total += n * match c.to_ascii_uppercase() {
                    'H' => 3_600_000,
                    'M' => 60_000,
                    'S' => 1000,
                    _ => return None,
                };
            }
        }
        return num.is_empty().then_some(total);
    }
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    let mult = match unit.trim() {
        "" | "s" | "sec" => 1000,
        "ms" | "msec" => 1,
        "us" | "usec" => return Some(n / 1000),
        "m" | "min" => 60_000,
        "h" | "hr" => 3_600_000,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// Canonical text for a duration, for comparing `10`, `10s` and `10000ms` as equal.
pub fn canonical_duration(s: &str) -> String {
    match parse_duration_ms(s) {
        Some(ms) if ms % 1000 == 0 => format!("{}s", ms / 1000),
        Some(ms) => format!("{ms}ms"),
        None => s.to_string(),
    }
}

fn check_addr(a: &str) -> Result<(), &'static str> {
    if a.parse::<std::net::IpAddr>().is_ok() {
        return Ok(());
    }
    if a.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err("not an IPv4 address");
    }
    if a.contains(':') {
        return Err("not an IPv6 address");
    }
    let host_ok = !a.is_empty()
        && a.len() <= 253
        && a.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if host_ok {
        Ok(())
    } else {
        Err("not an IP address or host name")
    }
}

// ---------------------------------------------------------------- the escape hatch

/// Elements whose `id` names another object instead of declaring one.
fn is_reference(el: &Element, parent: Option<&Element>) -> bool {
    matches!(el.name.as_str(), "resource_ref" | "obj_ref" | "node")
        || el.attr("id-ref").is_some()
        || (el.name == "role"
            && parent.is_some_and(|p| matches!(p.name.as_str(), "acl_target" | "acl_user" | "acl_group")))
}

/// Every id an element tree declares, in document order.
fn declared_ids<'a>(el: &'a Element, parent: Option<&'a Element>, out: &mut Vec<&'a str>) {
    if !is_reference(el, parent) {
        if let Some(id) = el.id() {
            out.push(id);
        }
    }
    for c in el.elements() {
        declared_ids(c, Some(el), out);
    }
}

impl Validator<'_> {
    /// Check the `raw:` items: well-formed XML, a configuration object cibform knows where to
    /// put, ids unique across the whole file, no section given twice.
    fn raw_objects(&mut self, raw: &RawCluster) -> Vec<RawObject> {
        let mut out = Vec::new();
        let mut sections: HashMap<String, Span> = HashMap::new();
        for item in &raw.raw {
            let el = match Element::parse_object(&item.value) {
                Ok(el) => el,
                Err(e) => {
                    self.err(
                        "cibform::raw::xml",
                        item.span,
                        format!("raw object is not well-formed XML: {}", e.message),
                        "in this item",
                        "each `raw` item is one CIB element, e.g. `<rsc_ticket id=\"t\" rsc=\"r\" ticket=\"T\"/>`"
                            .into(),
                    );
                    continue;
                }
            };
            let Some(place) = RawPlace::of(&el.name) else {
                self.err(
                    "cibform::raw::element",
                    item.span,
                    format!("`<{}>` is not a configuration object", el.name),
                    "unknown element",
                    format!(
                        "a `raw` item is a resource, template, constraint, node, `cluster_property_set` or one of the sections {}",
                        RAW_SECTIONS.join(", ")
                    ),
                );
                continue;
            };
            match place {
                RawPlace::Section => {
                    if let Some(first) = sections.insert(el.name.clone(), item.span) {
                        let d = Diag::error(
                            "cibform::raw::section_twice",
                            format!("section `<{}>` is given twice", el.name),
                        )
                        .label(item.span, "given again")
                        .label(first, "first given here")
                        .help("merge the two into one element")
                        .in_source(self.src);
                        self.diags.push(d);
                    }
                    let native = match el.name.as_str() {
                        "rsc_defaults" => raw.rsc_defaults.0.first(),
                        "op_defaults" => raw.op_defaults.0.first(),
                        _ => None,
                    };
                    if native.is_some() {
                        self.err(
                            "cibform::raw::conflict",
                            item.span,
                            format!("`<{}>` is given both here and as `{}`", el.name, el.name),
                            "raw section",
                            format!(
                                "keep one: `{}:` for plain values, or the raw section when it needs rules",
                                el.name
                            ),
                        );
                    }
                }
                RawPlace::PropertySet if crate::plan::view::is_plain_set(&el) => {
                    self.err(
                        "cibform::raw::plain_set",
                        item.span,
                        format!("property set `{}` has no rule or score", el.id().unwrap_or_default()),
                        "plain set",
                        "write plain cluster properties under `properties`".into(),
                    );
                }
                RawPlace::Node => {
                    let uname = el.attr("uname").unwrap_or_default();
                    if uname.is_empty() {
                        self.err(
                            "cibform::raw::node",
                            item.span,
                            "raw `<node>` has no `uname`".into(),
                            "no uname",
                            "give the node its name: `<node id=\"1\" uname=\"node1\"/>`".into(),
                        );
                    } else if let Some((k, _)) = raw.nodes.iter().find(|(k, _)| k.value == uname) {
                        let d = Diag::error("cibform::node::duplicate", format!("node `{uname}` is declared twice"))
                            .label(item.span, "declared again as raw XML")
                            .label(k.span, "first declared here")
                            .help("keep one of them")
                            .in_source(self.src);
                        self.diags.push(d);
                    }
                }
                _ => {}
            }
            let mut ids = Vec::new();
            declared_ids(&el, None, &mut ids);
            for id in ids {
                self.declare(&S::new(id.to_string(), item.span), "raw object");
            }
            crate::cib::nameable_ids(&el, &mut self.rsc_ids);
            out.push(RawObject { place, element: el });
        }
        out
    }
}
