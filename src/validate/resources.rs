//! Resources: agents, operations, primitives, groups and clones, and references to them.

use crate::config::raw::{Attrs, Map, RawClone, RawCluster, RawGroup, RawOp, RawResource, Span, S};
use crate::diag::{codes, suggest, Diag};
use crate::model::{Agent, Completion, Group, Op, Ops, Primitive, Resource};
use crate::vocab::{canonical_role, parse_duration_ms, ROLES, STANDARDS};
use std::collections::{BTreeMap, HashMap};

use super::options::MetaScope;
use super::{one_of, Validator};

impl Validator<'_> {
    pub(super) fn agent(&mut self, a: &S<String>) -> Agent {
        let parts: Vec<&str> = a.value.split(':').collect();
        let bad = |v: &mut Self, why: String, help: String| {
            v.err(codes::AGENT_INVALID, a.span, format!("agent `{}` {why}", a.value), "invalid agent", help);
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
            let d = Diag::error(codes::AGENT_STANDARD, format!("unknown agent standard `{class}`"))
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

    pub(super) fn op(&mut self, rsc: &str, o: &S<RawOp>) -> Op {
        let r = &o.value;
        let interval = match &r.interval {
            Some(i) => {
                if parse_duration_ms(&i.value.0).is_none() {
                    self.err(
                        codes::OP_INTERVAL,
                        i.span,
                        format!("`{}` is not a duration", i.value.0),
                        "not a duration",
                        "write e.g. `10s`, `1min`, `500ms`, or `0s` for one-shot actions".into(),
                    );
                }
                i.value.0.clone()
            }
            // pcs's default interval, not the agent's: pcs writes 60s for a monitor.
            None if r.name.value == "monitor" => {
                self.warn(
                    codes::OP_MONITOR_INTERVAL,
                    r.name.span,
                    format!("the monitor of `{rsc}` has no interval: it runs every 60s, as pcs writes it"),
                    "write `interval: 60s` to say so, or the interval you want".into(),
                );
                "60s".into()
            }
            None => "0s".into(),
        };
        let mut attrs = Vec::new();
        if let Some(t) = &r.timeout {
            if parse_duration_ms(&t.value.0).is_none() {
                self.err(
                    codes::OP_TIMEOUT,
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

    pub(super) fn check_role(&mut self, role: &S<String>) {
        if !ROLES.contains(&role.value.as_str()) {
            let help = one_of(&role.value, ROLES);
            self.err(codes::ROLE_UNKNOWN, role.span, format!("unknown role `{}`", role.value), "unknown role", help);
        }
        self.legacy_role(&role.value, role.span);
    }

    /// Warn about a legacy role name: Pacemaker reads `Master`/`Slave` as `Promoted`/`Unpromoted`,
    /// and the plan compares them so (no change between the two).
    fn legacy_role(&mut self, role: &str, span: Span) {
        if let (true, Some(new)) = (matches!(role, "Master" | "Slave"), canonical_role(role)) {
            self.warn(
                codes::ROLE_LEGACY,
                span,
                format!("`{role}` is the legacy name of the role `{new}`"),
                format!("write `{new}`: Pacemaker treats both the same, so changing it plans no change"),
            );
        }
    }

    /// Meta attributes of a resource, group or clone, with a legacy `target-role` pointed out.
    pub(super) fn meta(&mut self, meta: &Attrs, what: &str) -> Vec<(String, String)> {
        for (k, v) in meta.iter().filter(|(k, _)| k.value == "target-role") {
            let span = Span { offset: k.span.offset, len: v.span.offset + v.span.len - k.span.offset };
            self.legacy_role(&v.value.0, span);
        }
        self.attrs(meta, what)
    }

    pub(super) fn primitive(
        &mut self,
        id: &S<String>,
        r: &S<RawResource>,
        templates: &Map<S<RawResource>>,
    ) -> Primitive {
        let r = &r.value;
        let agent = self.agent_or_template(id, r, templates);
        let mut meta = self.meta(&r.meta, "meta");
        let force = super::options::force_of(id, r.force.as_ref());
        self.typed_meta(&r.meta, MetaScope::Primitive, force.clone());
        self.enabled(&r.enabled, &mut meta);
        let ops = self.ops(id, r, force);
        let (params_sets, meta_sets) = self.primitive_sets(r);
        Primitive {
            id: id.value.clone(),
            agent,
            description: r.description.as_ref().map(|d| d.value.clone()),
            params: self.attrs(&r.params, "params"),
            meta,
            utilization: self.attrs(&r.utilization, "utilization"),
            params_sets,
            meta_sets,
            ops,
            force: r.force.as_ref().is_some_and(|f| f.value),
            template: r.template.as_ref().map(|t| t.value.clone()),
        }
    }

    /// A primitive's agent: its own, or its template's (exactly one of the two).
    fn agent_or_template(&mut self, id: &S<String>, r: &RawResource, templates: &Map<S<RawResource>>) -> Agent {
        let fallback = || Agent { class: "ocf".into(), provider: Some("pacemaker".into()), kind: "Dummy".into() };
        match (&r.agent, &r.template) {
            (Some(a), None) => self.agent(a),
            (None, Some(t)) => match templates.iter().find(|(k, _)| k.value == t.value) {
                Some((_, tr)) if tr.value.template.is_none() => match &tr.value.agent {
                    Some(a) => self.agent(a),
                    None => fallback(), // reported on the template
                },
                Some(_) => fallback(), // reported on the template
                None => {
                    let help = match suggest(&t.value, templates.iter().map(|(k, _)| k.value.as_str())) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "declare it under `templates`".into(),
                    };
                    let msg = format!("template `{}` is not declared", t.value);
                    self.err(codes::REF_UNKNOWN, t.span, msg, "not declared", help);
                    fallback()
                }
            },
            (a, _) => {
                let (span, msg, help) = match a {
                    Some(a) => (
                        a.span,
                        format!("`{}` has both `agent` and `template`", id.value),
                        "the template gives the agent: drop one of them",
                    ),
                    None => (
                        id.span,
                        format!("`{}` has no `agent`", id.value),
                        "write `agent: class[:provider]:type`, or `template: ID`",
                    ),
                };
                self.err(codes::RESOURCE_TEMPLATE, span, msg, "here", help.into());
                fallback()
            }
        }
    }

    /// Resource templates: primitive-shaped, each with its own agent.
    pub(super) fn templates(&mut self, raw: &RawCluster) -> Vec<Primitive> {
        let mut out = Vec::new();
        for (id, t) in raw.templates.iter() {
            self.declare(id, "template");
            if let Some(inner) = &t.value.template {
                let msg = format!("template `{}` names a template", id.value);
                let help = "a template gives its own `agent`".into();
                self.err(codes::RESOURCE_TEMPLATE, inner.span, msg, "here", help);
            }
            // A template's operations are the ones it lists: no tool adds defaults to one.
            let mut p = self.primitive(id, t, &Map::default());
            p.ops.completion = Completion::Exact;
            out.push(p);
        }
        out
    }

    /// A primitive's operations and how the agent's defaults complete them (`model::Ops`).
    fn ops(&mut self, id: &S<String>, r: &RawResource, force: Option<super::forced::Waiver>) -> Ops {
        // With a template, Pacemaker adds the template's operations: no agent default is written.
        let exact = r.ops_exact.as_ref().is_some_and(|e| e.value) || r.template.is_some();
        let Some(ops) = &r.ops else {
            if r.template.is_some() {
                return Ops { declared: Vec::new(), completion: Completion::Exact };
            }
            if let Some(e) = r.ops_exact.as_ref().filter(|e| e.value) {
                self.err(
                    codes::OPS_EXACT_WITHOUT_OPS,
                    e.span,
                    format!("`ops_exact` on `{}`, which has no `ops`", id.value),
                    "exact what?",
                    "write the operations under `ops` (`ops: []` for none at all), or drop `ops_exact`".into(),
                );
            }
            return Ops::default();
        };
        let mut seen: HashMap<(String, u64), Span> = HashMap::new();
        let mut declared = Vec::new();
        for o in ops {
            self.typed_op(&o.value, force.clone());
            let op = self.op(&id.value, o);
            // An interval that is not a duration is reported by `op`; it identifies nothing.
            let Some(interval) = parse_duration_ms(&op.interval) else {
                declared.push(op);
                continue;
            };
            // Pacemaker identifies an operation by name and interval, whatever its role.
            if let Some(first) = seen.insert((op.name.clone(), interval), o.span) {
                let d = Diag::error(
                    codes::OP_DUPLICATE,
                    format!("operation `{} {}` is declared twice for `{}`", op.name, op.interval, id.value),
                )
                .label(o.value.name.span, "declared again")
                .label(first, "first declared here")
                .help("Pacemaker identifies an operation by name and interval, whatever the role: change one interval")
                .in_source(self.src);
                self.diags.push(d);
            }
            declared.push(op);
        }
        let completion = match (exact, declared.is_empty()) {
            (true, _) => Completion::Exact,
            (false, true) => Completion::Monitor,
            (false, false) => Completion::Agent,
        };
        Ops { declared, completion }
    }

    pub(super) fn enabled(&mut self, enabled: &Option<S<bool>>, meta: &mut Vec<(String, String)>) {
        if let Some(e) = enabled {
            if meta.iter().any(|(k, _)| k == "target-role") {
                self.err(
                    codes::META_TARGET_ROLE_TWICE,
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
    pub(super) fn resources(&mut self, raw: &RawCluster) -> Vec<Resource> {
        let (prims, prim_order) = self.primitives(raw);
        let (groups, member_of) = self.groups(raw, &prims);
        let (clones, cloned) = self.clones(raw, &prims, &groups, &member_of);
        // Bundles go after the rest: the order of top-level resources means nothing.
        let (bundles, bundled) = self.bundles(raw, &prims, [&member_of, &cloned]);
        let prim_order: Vec<String> = prim_order.into_iter().filter(|p| !bundled.contains_key(p)).collect();
        let tree = Tree { prims, groups, clones, member_of, cloned };
        let mut out = tree.top_level(&prim_order);
        out.extend(bundles.into_iter().map(Resource::Bundle));
        out
    }

    /// Every primitive by id, and the order they were declared in.
    fn primitives(&mut self, raw: &RawCluster) -> (BTreeMap<String, Primitive>, Vec<String>) {
        let mut prims: BTreeMap<String, Primitive> = BTreeMap::new();
        let mut prim_order = Vec::new();
        for (id, r) in raw.resources.iter() {
            self.declare(id, "resource");
            let p = self.primitive(id, r, &raw.templates);
            prim_order.push(id.value.clone());
            prims.entry(id.value.clone()).or_insert(p);
        }
        (prims, prim_order)
    }

    /// Groups by id, and which group each member primitive belongs to.
    fn groups(&mut self, raw: &RawCluster, prims: &BTreeMap<String, Primitive>) -> (BTreeMap<String, Group>, Holders) {
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
                    codes::GROUP_EMPTY,
                    gid.span,
                    format!("group `{}` has no members", gid.value),
                    "empty group",
                    "list the group's resources in start order".into(),
                );
            }
            self.typed_meta(meta, MetaScope::Group, None);
            let mut meta = self.meta(meta, "group meta");
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
                        codes::GROUP_MEMBER_TWICE,
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
        (groups, member_of)
    }

    /// Clones in declaration order, and which clone holds each cloned primitive or group.
    fn clones(
        &mut self,
        raw: &RawCluster,
        prims: &BTreeMap<String, Primitive>,
        groups: &BTreeMap<String, Group>,
        member_of: &Holders,
    ) -> (Vec<crate::model::Clone>, Holders) {
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
            self.typed_meta(meta, MetaScope::Clone, None);
            let mut meta = self.meta(meta, "clone meta");
            self.enabled(enabled, &mut meta);
            let child = if let Some(g) = groups.get(&target.value) {
                Resource::Group(g.clone())
            } else if let Some(p) = prims.get(&target.value) {
                if let Some((g, _)) = member_of.get(&target.value) {
                    let msg = format!("`{}` is a member of group `{g}` and cannot be cloned on its own", target.value);
                    self.err(
                        codes::CLONE_GROUP_MEMBER,
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
                    codes::CLONE_TWICE,
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
        (clones, cloned)
    }

    pub(super) fn unknown_ref(&mut self, r: &S<String>, what: &str) {
        let help = match suggest(&r.value, self.rsc_ids.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "declare it under `resources`, `groups` or `clones`".into(),
        };
        self.err(codes::REF_UNKNOWN, r.span, format!("{what} `{}` is not declared", r.value), "not declared", help);
    }
}

/// Who holds an id (a group its member, a clone its child), with the span that said so.
pub(super) type Holders = HashMap<String, (String, Span)>;

/// The resolved resources before they are arranged into the top-level list.
struct Tree {
    prims: BTreeMap<String, Primitive>,
    groups: BTreeMap<String, Group>,
    clones: Vec<crate::model::Clone>,
    member_of: Holders,
    cloned: Holders,
}

impl Tree {
    /// Top-level order: by the first declared primitive each top-level object contains.
    fn top_level(&self, prim_order: &[String]) -> Vec<Resource> {
        let (prims, groups, clones, member_of, cloned) =
            (&self.prims, &self.groups, &self.clones, &self.member_of, &self.cloned);
        let mut out: Vec<Resource> = Vec::new();
        let mut placed: std::collections::HashSet<String> = std::collections::HashSet::new();
        for pid in prim_order {
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
}
