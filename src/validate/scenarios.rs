//! Failover tests (`scenarios:`): names, conditions and expectations, checked against the nodes
//! and resources the file declares. Says nothing about whether they hold: that is the
//! scheduler's answer, judged by `failover`.

use std::collections::HashMap;

use crate::config::raw::{
    Map, RawAttr, RawAttrFull, RawAttrs, RawCases, RawClone, RawCluster, RawExpect, RawNames, RawOpFails,
    RawOpFailures, RawScenario, RawWhen, Span, S,
};
use crate::diag::{codes, suggest, Diag};
use crate::model::{Event, Expect, FailoverTest};

use super::Validator;

/// A condition on names (nodes, tickets), and the event it makes of each.
type NodeEvent<'a> = (&'a Option<S<RawNames>>, fn(String) -> Event);

/// What the file declares that scenarios may name.
struct Known {
    nodes: Vec<String>,
    primitives: Vec<String>,
    groups: Vec<String>,
    /// Clone id → promotable.
    clones: HashMap<String, bool>,
    /// Tickets the file's ticket constraints name.
    tickets: Vec<String>,
}

impl Known {
    fn of(raw: &RawCluster) -> Known {
        Known {
            nodes: raw.nodes.iter().map(|(k, _)| k.value.clone()).collect(),
            primitives: raw.resources.iter().map(|(k, _)| k.value.clone()).collect(),
            groups: raw.groups.iter().map(|(k, _)| k.value.clone()).collect(),
            clones: raw
                .clones
                .iter()
                .map(|(k, c)| {
                    let promotable =
                        matches!(&c.value, RawClone::Full(f) if f.promotable.as_ref().is_some_and(|p| p.value));
                    (k.value.clone(), promotable)
                })
                .collect(),
            tickets: raw.constraints.iter().filter_map(|c| c.value.ticket.as_ref().map(|t| t.value.clone())).collect(),
        }
    }

    /// `primitive`, `group` or `clone`; `None` for a raw object's resource.
    fn kind(&self, id: &str) -> Option<&'static str> {
        if self.primitives.iter().any(|p| p == id) {
            Some("primitive")
        } else if self.groups.iter().any(|g| g == id) {
            Some("group")
        } else if self.clones.contains_key(id) {
            Some("clone")
        } else {
            None
        }
    }
}

impl Validator<'_> {
    pub(super) fn scenarios(&mut self, raw: &RawCluster) -> Vec<FailoverTest> {
        let known = Known::of(raw);
        let mut names: HashMap<&str, Span> = HashMap::new();
        let mut out = Vec::new();
        for s in &raw.scenarios {
            let name = &s.value.name;
            if name.value.trim().is_empty() {
                self.err(
                    codes::SCENARIO_NAME,
                    name.span,
                    "a scenario needs a name".into(),
                    "empty name",
                    "say what it checks, e.g. `rg-01 leaves a node without its gateway`".into(),
                );
            } else if let Some(first) = names.insert(&name.value, name.span) {
                let d = Diag::error(codes::SCENARIO_NAME, format!("scenario `{}` is declared twice", name.value))
                    .label(name.span, "declared again")
                    .label(first, "first declared here")
                    .help("give each scenario its own name: test reports tell them apart by it")
                    .in_source(self.src);
                self.diags.push(d);
            }
            out.push(self.scenario(&s.value, &known));
        }
        out
    }

    fn scenario(&mut self, s: &RawScenario, known: &Known) -> FailoverTest {
        let cases = match &s.when {
            None => vec![Vec::new()],
            Some(w) => match &w.value {
                RawCases::One(when) => vec![self.when(when, w.span, known)],
                RawCases::Each(list) => {
                    if list.is_empty() {
                        self.empty(
                            w.span,
                            "`when` lists no case",
                            "list the cases, or omit `when` to test the planned change alone",
                        );
                    }
                    list.iter().map(|c| self.when(&c.value, c.span, known)).collect()
                }
            },
        };
        let expect = self.expect(&s.expect.value, known);
        if expect.is_empty() {
            self.empty(
                s.expect.span,
                "the scenario expects nothing",
                "say what must hold, e.g. `runs_on: { rg-01: t3022cent }` or `stopped: [rg-01]`",
            );
        }
        FailoverTest { name: s.name.value.clone(), cases, expect }
    }

    fn empty(&mut self, span: Span, msg: &str, help: &str) {
        self.err(codes::SCENARIO_EMPTY, span, msg.into(), "here", help.into());
    }

    /// One case: its events, in the order the keys are listed in the file's schema.
    fn when(&mut self, w: &RawWhen, span: Span, known: &Known) -> Vec<Event> {
        let mut events = Vec::new();
        let node_events: [NodeEvent; 3] = [
            (&w.node_down, |node| Event::NodeDown { node }),
            (&w.node_fails, |node| Event::NodeFail { node }),
            (&w.standby, |node| Event::Standby { node }),
        ];
        for (names, make) in node_events {
            for n in names.as_ref().map(|n| self.names(n)).unwrap_or_default() {
                events.push(make(self.node(&n, known)));
            }
        }
        if let Some(a) = &w.attr {
            self.attrs_when(a, known, &mut events);
        }
        if let Some(o) = &w.op_fails {
            match &o.value {
                RawOpFailures::One(f) => events.push(self.op_fails(f, known)),
                RawOpFailures::Many(list) => {
                    if list.is_empty() {
                        self.empty(o.span, "`op_fails` lists no failure", "name `resource`, `op` and `node`");
                    }
                    events.extend(list.iter().map(|f| self.op_fails(&f.value, known)));
                }
            }
        }
        let ticket_events: [NodeEvent; 2] = [
            (&w.ticket_granted, |ticket| Event::TicketGranted { ticket }),
            (&w.ticket_revoked, |ticket| Event::TicketRevoked { ticket }),
        ];
        for (names, make) in ticket_events {
            for t in names.as_ref().map(|n| self.names(n)).unwrap_or_default() {
                events.push(make(self.scenario_ticket(&t, known)));
            }
        }
        let said = [
            w.node_down.is_some(),
            w.node_fails.is_some(),
            w.standby.is_some(),
            w.attr.is_some(),
            w.op_fails.is_some(),
            w.ticket_granted.is_some(),
            w.ticket_revoked.is_some(),
        ];
        if !said.contains(&true) {
            self.empty(span, "this case names no condition", "use `node_down`, `node_fails`, `standby`, `attr`, `op_fails`, `ticket_granted` or `ticket_revoked`; omit `when` to test the planned change alone");
        }
        events
    }

    /// The names of a one-or-many value; an empty list is reported.
    fn names(&mut self, n: &S<RawNames>) -> Vec<S<String>> {
        let names = n.value.names(n.span);
        if names.is_empty() {
            self.empty(n.span, "the list is empty", "name at least one, or remove the key");
        }
        names
    }

    /// A node a scenario names: one of `nodes:` (when the file declares nodes).
    fn node(&mut self, n: &S<String>, known: &Known) -> String {
        if !known.nodes.is_empty() && !known.nodes.contains(&n.value) {
            let help = match suggest(&n.value, known.nodes.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`? declared nodes: {}", known.nodes.join(", ")),
                None => format!("declared nodes: {}", known.nodes.join(", ")),
            };
            self.err(codes::SCENARIO_NODE, n.span, format!("node `{}` is not declared", n.value), "unknown node", help);
        }
        n.value.clone()
    }

    /// A ticket a condition names: one the file's ticket constraints use.
    fn scenario_ticket(&mut self, t: &S<String>, known: &Known) -> String {
        if !known.tickets.contains(&t.value) {
            let help = match suggest(&t.value, known.tickets.iter().map(String::as_str)) {
                Some(s) => {
                    format!("did you mean `{s}`? tickets of the file's constraints: {}", known.tickets.join(", "))
                }
                None if known.tickets.is_empty() => {
                    "no constraint of the file names a ticket (`ticket:` under `constraints`)".into()
                }
                None => format!("tickets of the file's constraints: {}", known.tickets.join(", ")),
            };
            self.err(
                codes::SCENARIO_TICKET,
                t.span,
                format!("no ticket constraint uses ticket `{}`", t.value),
                "unknown ticket",
                help,
            );
        }
        t.value.clone()
    }

    fn attrs_when(&mut self, a: &S<RawAttrs>, known: &Known, events: &mut Vec<Event>) {
        match &a.value {
            RawAttrs::Short(s) => events.extend(self.attr_short(s, a.span, known)),
            RawAttrs::One(full) => events.extend(self.attr_full(full, a.span, known)),
            RawAttrs::Many(list) => {
                if list.is_empty() {
                    self.empty(a.span, "`attr` lists no attribute", "e.g. `attr: { node: t3021cent, pingd: 0 }`");
                }
                for item in list {
                    match &item.value {
                        RawAttr::Short(s) => events.extend(self.attr_short(s, item.span, known)),
                        RawAttr::Full(full) => events.extend(self.attr_full(full, item.span, known)),
                    }
                }
            }
        }
    }

    fn attr_short(&mut self, s: &str, span: Span, known: &Known) -> Option<Event> {
        let Some(e) = Event::parse_attr(s) else {
            self.err(
                codes::SCENARIO_ATTR,
                span,
                format!("`{s}` is not an attribute condition"),
                "not NODE:NAME=VALUE",
                "write `NODE:NAME=VALUE` (`t3021cent:pingd=0`), or `{ node: t3021cent, pingd: ~ }` for undefined"
                    .into(),
            );
            return None;
        };
        self.node(&S::new(e.node().unwrap_or_default().to_string(), span), known);
        Some(e)
    }

    fn attr_full(&mut self, a: &RawAttrFull, span: Span, known: &Known) -> Vec<Event> {
        let Some(node) = &a.node else {
            self.err(
                codes::SCENARIO_ATTR,
                span,
                "the attribute condition names no node".into(),
                "no `node`",
                "add `node: NODE` (or a list of nodes)".into(),
            );
            return Vec::new();
        };
        if a.attrs.is_empty() {
            self.err(
                codes::SCENARIO_ATTR,
                span,
                "the attribute condition sets no attribute".into(),
                "no attribute",
                "add `NAME: VALUE`, e.g. `pingd: 0` (`pingd: ~` for undefined)".into(),
            );
        }
        let mut out = Vec::new();
        for n in self.names(node) {
            let node = self.node(&n, known);
            for (name, value) in &a.attrs {
                if name.value.is_empty() {
                    self.err(
                        codes::SCENARIO_ATTR,
                        name.span,
                        "empty attribute name".into(),
                        "empty name",
                        "name the node attribute, e.g. `pingd`".into(),
                    );
                    continue;
                }
                let (node, name) = (node.clone(), name.value.clone());
                out.push(match &value.value {
                    Some(v) => Event::Attribute { node, name, value: v.0.clone() },
                    None => Event::AttributeUnset { node, name },
                });
            }
        }
        out
    }

    fn op_fails(&mut self, f: &RawOpFails, known: &Known) -> Event {
        let resource = self.rsc_ref(&f.resource, "resource");
        if let Some(kind @ ("group" | "clone")) = known.kind(&resource) {
            self.err(
                codes::SCENARIO_KIND,
                f.resource.span,
                format!("`{resource}` is a {kind}: operations fail on primitives"),
                "not a primitive",
                "name the primitive whose operation fails".into(),
            );
        }
        let op = f.op.as_ref().map_or("monitor".to_string(), |o| o.value.clone());
        if let Some(o) = f.op.as_ref().filter(|o| !is_op_name(&o.value)) {
            self.err(
                codes::SCENARIO_OP,
                o.span,
                format!("`{}` is not an operation name", o.value),
                "not an operation",
                "e.g. `monitor`, `start`, `stop`, `promote`, `demote`".into(),
            );
        }
        let interval_ms = f.interval.as_ref().and_then(|i| {
            let ms = crate::vocab::parse_duration_ms(&i.value.0);
            if ms.is_none() {
                self.err(
                    codes::OP_INTERVAL,
                    i.span,
                    format!("`{}` is not a duration", i.value.0),
                    "not a duration",
                    "e.g. `60s`, `10s`, `1min`".into(),
                );
            }
            ms
        });
        let node = self.node(&f.node, known);
        Event::OpFails { resource, op, node, interval_ms, rc: f.rc.as_ref().map_or(1, |r| r.value) }
    }

    fn expect(&mut self, e: &RawExpect, known: &Known) -> Vec<Expect> {
        let mut out = Vec::new();
        let mut named: HashMap<(String, &'static str), Span> = HashMap::new();
        let mut claim = |v: &mut Self, r: &S<String>, what: &'static str| {
            if let Some(first) = named.insert((r.value.clone(), what), r.span) {
                let d = Diag::error(codes::SCENARIO_CONFLICT, format!("`{}` is expected {what} twice", r.value))
                    .label(r.span, "again here")
                    .label(first, "first here")
                    .help("keep one (a clone may run on several nodes: list them)")
                    .in_source(v.src);
                v.diags.push(d);
                return;
            }
            let state = |w: &str| if w == "to run" { "running".to_string() } else { w.to_string() };
            let other = if what == "stopped" { ["to run", "promoted", "unpromoted"].as_slice() } else { &["stopped"] };
            for o in other {
                if let Some(first) = named.get(&(r.value.clone(), *o)) {
                    let (now, before) = (state(what), state(o));
                    let d = Diag::error(
                        codes::SCENARIO_CONFLICT,
                        format!("`{}` is expected both {before} and {now}", r.value),
                    )
                    .label(r.span, format!("expected {now} here"))
                    .label(*first, format!("expected {before} here"))
                    .help("a scenario's expectations must all hold at once: keep the one you mean")
                    .in_source(v.src);
                    v.diags.push(d);
                }
            }
        };
        let placed: [(&Map<S<RawNames>>, &'static str); 3] =
            [(&e.runs_on, "to run"), (&e.promoted, "promoted"), (&e.unpromoted, "unpromoted")];
        for (map, what) in placed {
            for (r, nodes) in map.iter() {
                let resource = self.rsc_ref(r, "resource");
                claim(self, r, what);
                let nodes: Vec<String> = self.names(nodes).iter().map(|n| self.node(n, known)).collect();
                self.placement_kind(r, what, nodes.len(), known);
                out.push(match what {
                    "to run" => Expect::RunsOn { resource, nodes },
                    "promoted" => Expect::Promoted { resource, nodes },
                    _ => Expect::Unpromoted { resource, nodes },
                });
            }
        }
        for r in e.stopped.as_ref().map(|s| self.names(s)).unwrap_or_default() {
            let resource = self.rsc_ref(&r, "resource");
            claim(self, &r, "stopped");
            out.push(Expect::Stopped { resource });
        }
        for (r, n) in e.instances.iter() {
            let resource = self.rsc_ref(r, "resource");
            if matches!(known.kind(&resource), Some("primitive" | "group")) {
                self.wrong_kind(r, "only a clone has a number of instances", "expect `runs_on` or `stopped` instead");
            }
            out.push(Expect::Instances { resource, count: n.value });
        }
        for r in e.no_restart.as_ref().map(|s| self.names(s)).unwrap_or_default() {
            out.push(Expect::NoRestart { resource: self.rsc_ref(&r, "resource") });
        }
        self.starts_before(&e.starts_before, &mut out);
        if let Some(n) = &e.everything_on {
            out.push(Expect::EverythingOn { node: self.node(n, known) });
        }
        out
    }

    /// Several nodes only for a clone; promoted and unpromoted only for a promotable one.
    fn placement_kind(&mut self, r: &S<String>, what: &str, nodes: usize, known: &Known) {
        let kind = known.kind(&r.value);
        if what != "to run" && kind.is_some() && known.clones.get(&r.value) != Some(&true) {
            self.wrong_kind(
                r,
                &format!("only a promotable clone is {what}"),
                "expect `runs_on` instead, or make the clone `promotable: true`",
            );
        } else if what == "to run" && nodes > 1 && matches!(kind, Some("primitive" | "group")) {
            self.wrong_kind(r, "only a clone runs on several nodes", "name the one node it runs on");
        }
    }

    fn wrong_kind(&mut self, r: &S<String>, why: &str, help: &str) {
        self.err(codes::SCENARIO_KIND, r.span, format!("`{}`: {why}", r.value), "wrong kind of resource", help.into());
    }

    fn starts_before(&mut self, chain: &[S<String>], out: &mut Vec<Expect>) {
        if chain.len() == 1 {
            self.empty(
                chain[0].span,
                "`starts_before` needs at least two resources",
                "list them in start order, e.g. `[rs-vip-33, rs-systemd-squid]`",
            );
        }
        let ids: Vec<String> = chain.iter().map(|r| self.rsc_ref(r, "resource")).collect();
        for (i, r) in chain.iter().enumerate() {
            if ids[..i].contains(&r.value) {
                self.err(
                    codes::SCENARIO_CONFLICT,
                    r.span,
                    format!("`{}` is listed twice in `starts_before`", r.value),
                    "listed again",
                    "list each resource once, in start order".into(),
                );
            }
        }
        out.extend(ids.windows(2).map(|w| Expect::StartsBefore { first: w[0].clone(), then: w[1].clone() }));
    }
}

/// An operation name as Pacemaker writes them (`monitor`, `migrate_to`, `reload-agent`).
fn is_op_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '-')
}
