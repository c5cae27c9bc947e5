//! Stage 5a (failover tests): does what Pacemaker's scheduler made of a scenario meet its
//! expectations?
//!
//! The scheduler's answer (`preview::Outcome`: its actions, the resources after them, the
//! transition graph) is judged here against a `model::FailoverTest`. Pure: it never runs the
//! scheduler, never guesses placement itself, and decides nothing it cannot read in the answer.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::model::{Event, Expect, FailoverTest};
use crate::preview::{GraphAction, Instance, Outcome, SimAction};

/// How a failover test (or one case of it) came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every expectation holds.
    Pass,
    /// An expectation does not hold.
    Fail,
    /// The scheduler could not be asked (cut short, no tools, a node not in the status).
    Error,
}

/// The result of a failover test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub name: String,
    /// `pass` when every case passes; else `fail` when a case fails, else `error`.
    pub status: Status,
    pub cases: Vec<CaseVerdict>,
}

/// The result of one case (one set of events) of a failover test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseVerdict {
    /// What happened (empty: the planned change alone).
    pub events: Vec<Event>,
    pub status: Status,
    /// Each expectation that does not hold, and why (lowercase).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<String>,
    /// Why the scheduler could not be asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The scheduler's actions in this case: the reason behind a failure.
    #[serde(default)]
    pub actions: Vec<SimAction>,
}

impl CaseVerdict {
    /// What happened, in words.
    pub fn when(&self) -> String {
        if self.events.is_empty() {
            return "nothing else happens".into();
        }
        self.events.iter().map(ToString::to_string).collect::<Vec<_>>().join(" and ")
    }

    /// A case the scheduler could not be asked about.
    pub fn error(events: Vec<Event>, reason: String) -> CaseVerdict {
        CaseVerdict { events, status: Status::Error, failures: Vec::new(), error: Some(reason), actions: Vec::new() }
    }
}

impl Verdict {
    /// The verdict as printers may show it: its events' secret values masked (`Scenario::masked`).
    pub fn masked(mut self, mask: &crate::mask::Mask) -> Verdict {
        for case in &mut self.cases {
            case.events = case.events.iter().map(|e| e.masked(mask)).collect();
        }
        self
    }

    /// Gather the cases of `test`.
    pub fn new(test: &FailoverTest, cases: Vec<CaseVerdict>) -> Verdict {
        let has = |s| cases.iter().any(|c| c.status == s);
        let status = if has(Status::Fail) {
            Status::Fail
        } else if has(Status::Error) {
            Status::Error
        } else {
            Status::Pass
        };
        Verdict { name: test.name.clone(), status, cases }
    }

    /// The first lines that explain a failed or errored test (one per failure, with its case).
    pub fn reasons(&self) -> Vec<String> {
        let many = self.cases.len() > 1;
        let mut out = Vec::new();
        for c in self.cases.iter().filter(|c| c.status != Status::Pass) {
            let prefix = if many { format!("when {}: ", c.when()) } else { String::new() };
            out.extend(c.failures.iter().map(|f| format!("{prefix}{f}")));
            out.extend(c.error.iter().map(|e| format!("{prefix}not evaluated: {e}")));
        }
        out
    }
}

/// The one reason no test could be played, when every case of every test failed to be asked
/// for the same reason (no tools, no status, cut short).
pub fn not_played(verdicts: &[Verdict]) -> Option<&str> {
    let mut reasons = verdicts.iter().flat_map(|v| &v.cases).map(|c| c.error.as_deref());
    let first = reasons.next()??;
    reasons.all(|r| r == Some(first)).then_some(first)
}

/// `(passed, total)`.
pub fn tally(verdicts: &[Verdict]) -> (usize, usize) {
    (verdicts.iter().filter(|v| v.status == Status::Pass).count(), verdicts.len())
}

/// Judge one case: every expectation of `test` against what the scheduler made of `events`.
pub fn judge(test: &FailoverTest, events: &[Event], outcome: &Outcome) -> CaseVerdict {
    let down: Vec<&str> = events
        .iter()
        .filter(|e| matches!(e, Event::NodeDown { .. } | Event::NodeFail { .. }))
        .filter_map(Event::node)
        .collect();
    let failures: Vec<String> = test.expect.iter().filter_map(|e| check(e, outcome, &down).err()).collect();
    CaseVerdict {
        events: events.to_vec(),
        status: if failures.is_empty() { Status::Pass } else { Status::Fail },
        failures,
        error: None,
        actions: outcome.actions.clone(),
    }
}

/// One expectation; `down` are the nodes the case takes away (what stops there is not a restart).
fn check(expect: &Expect, o: &Outcome, down: &[&str]) -> Result<(), String> {
    match expect {
        Expect::RunsOn { resource, nodes } => runs_on(o, resource, nodes),
        Expect::Stopped { resource } => {
            let running = active(o, resource).next().is_some();
            match running {
                false => known(o, resource),
                true => Err(format!("`{resource}` is not stopped: {}", whereabouts(o, resource))),
            }
        }
        Expect::Promoted { resource, nodes } => in_role(o, resource, nodes, "promoted", Instance::promoted),
        Expect::Unpromoted { resource, nodes } => in_role(o, resource, nodes, "unpromoted", Instance::unpromoted),
        Expect::Instances { resource, count } => {
            known(o, resource)?;
            let first = o.after.iter().find(|i| i.of(resource)).map(|i| i.primitive.as_str()).unwrap_or_default();
            let n: usize =
                o.after.iter().filter(|i| i.of(resource) && i.primitive == first).map(|i| i.nodes.len()).sum();
            match n == *count as usize {
                true => Ok(()),
                false => Err(format!(
                    "`{resource}` runs {} instead of {count}: {}",
                    match n {
                        1 => "1 instance".to_string(),
                        n => format!("{n} instances"),
                    },
                    whereabouts(o, resource)
                )),
            }
        }
        Expect::NoRestart { resource } => no_restart(o, resource, down),
        Expect::StartsBefore { first, then } => starts_before(o, first, then),
        Expect::EverythingOn { node } => everything_on(o, node),
    }
}

/// The resource is in the scheduler's view of the cluster.
fn known(o: &Outcome, resource: &str) -> Result<(), String> {
    match o.after.iter().any(|i| i.of(resource)) {
        true => Ok(()),
        false => Err(format!("`{resource}` is not in the cluster the scheduler sees")),
    }
}

fn active<'a>(o: &'a Outcome, resource: &'a str) -> impl Iterator<Item = &'a Instance> {
    o.after.iter().filter(move |i| i.of(resource) && !i.nodes.is_empty())
}

/// The primitives of a resource, in the scheduler's order.
fn primitives<'a>(o: &'a Outcome, resource: &str) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for i in o.after.iter().filter(|i| i.of(resource)) {
        if !out.contains(&i.primitive.as_str()) {
            out.push(&i.primitive);
        }
    }
    out
}

/// Where each primitive of the resource runs: `rs-vip-33 runs on t1, rs-squid is stopped`.
fn whereabouts(o: &Outcome, resource: &str) -> String {
    let prims = primitives(o, resource);
    let one = |p: &str| {
        let nodes: BTreeSet<&str> =
            o.after.iter().filter(|i| i.primitive == p).flat_map(|i| i.nodes.iter().map(String::as_str)).collect();
        let name = if prims.len() == 1 && p == resource { "it".to_string() } else { format!("`{p}`") };
        match nodes.is_empty() {
            true => format!("{name} is stopped"),
            false => format!("{name} runs on {}", nodes.into_iter().collect::<Vec<_>>().join(", ")),
        }
    };
    prims.iter().map(|p| one(p)).collect::<Vec<_>>().join(", ")
}

fn runs_on(o: &Outcome, resource: &str, nodes: &[String]) -> Result<(), String> {
    known(o, resource)?;
    let prims = primitives(o, resource);
    let on =
        |p: &str, n: &str| o.after.iter().any(|i| i.primitive == p && i.of(resource) && i.nodes.iter().any(|x| x == n));
    let missing: Vec<&str> = nodes.iter().map(String::as_str).filter(|n| !prims.iter().all(|p| on(p, n))).collect();
    match missing.is_empty() {
        true => Ok(()),
        false => Err(format!("`{resource}` does not run on {}: {}", missing.join(", "), whereabouts(o, resource))),
    }
}

fn in_role(
    o: &Outcome,
    resource: &str,
    nodes: &[String],
    role: &str,
    has: fn(&Instance) -> bool,
) -> Result<(), String> {
    known(o, resource)?;
    let holders: BTreeSet<&str> =
        o.after.iter().filter(|i| i.of(resource) && has(i)).flat_map(|i| i.nodes.iter().map(String::as_str)).collect();
    let missing: Vec<&str> = nodes.iter().map(String::as_str).filter(|n| !holders.contains(n)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let now = match holders.is_empty() {
        true => format!("no instance is {role}"),
        false => format!("{role} on {}", holders.into_iter().collect::<Vec<_>>().join(", ")),
    };
    Err(format!("`{resource}` is not {role} on {}: {now}", missing.join(", ")))
}

/// Summary actions that stop a running instance.
const RESTARTS: &[&str] = &["stop", "restart", "recover", "move", "migrate", "reload"];

fn no_restart(o: &Outcome, resource: &str, down: &[&str]) -> Result<(), String> {
    known(o, resource)?;
    let prims = primitives(o, resource);
    let hits: Vec<String> = o
        .actions
        .iter()
        .filter(|a| RESTARTS.contains(&a.action.as_str()) && a.action != "reload")
        .filter(|a| prims.contains(&crate::preview::instance_id(&a.resource).as_str()))
        .filter(|a| !a.node.as_deref().is_some_and(|n| down.contains(&n)))
        .map(ToString::to_string)
        .collect();
    match hits.is_empty() {
        true => Ok(()),
        false => Err(format!("`{resource}` is disturbed: {}", hits.join("; "))),
    }
}

fn starts_before(o: &Outcome, first: &str, then: &str) -> Result<(), String> {
    known(o, first)?;
    known(o, then)?;
    let graph = o.graph.as_deref().ok_or("the transition graph was not available to check the order")?;
    let starts = |r: &str| -> Vec<&GraphAction> {
        let prims = primitives(o, r);
        graph
            .iter()
            .filter(|a| a.operation == "start" && a.resource.as_deref().is_some_and(|p| prims.contains(&p)))
            .collect()
    };
    let (firsts, thens) = (starts(first), starts(then));
    if thens.is_empty() {
        return Ok(());
    }
    if firsts.is_empty() {
        return match active(o, first).next() {
            Some(_) => Ok(()),
            None => Err(format!("`{then}` starts while `{first}` is stopped")),
        };
    }
    for t in &thens {
        let before = waits_for(graph, t.id);
        for p in primitives(o, first) {
            let ps: Vec<&&GraphAction> = firsts.iter().filter(|f| f.resource.as_deref() == Some(p)).collect();
            if !ps.is_empty() && !ps.iter().any(|f| before.contains(&f.id)) {
                let on = t.node.as_deref().map(|n| format!(" on {n}")).unwrap_or_default();
                return Err(format!(
                    "`{then}` may start before `{first}`: the start of `{}`{on} does not wait for the start of `{p}`",
                    t.resource.as_deref().unwrap_or(then)
                ));
            }
        }
    }
    Ok(())
}

/// Every action `id` waits for, directly or not.
fn waits_for(graph: &[GraphAction], id: u32) -> BTreeSet<u32> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![id];
    while let Some(x) = todo.pop() {
        for a in graph.iter().filter(|a| a.id == x) {
            for i in &a.inputs {
                if seen.insert(*i) {
                    todo.push(*i);
                }
            }
        }
    }
    seen
}

fn everything_on(o: &Outcome, node: &str) -> Result<(), String> {
    let mut wrong: Vec<String> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for i in o.after.iter().filter(|i| !i.disabled) {
        if seen.contains(&i.primitive.as_str()) {
            continue;
        }
        seen.push(&i.primitive);
        let nodes: BTreeSet<&str> = o
            .after
            .iter()
            .filter(|x| x.primitive == i.primitive)
            .flat_map(|x| x.nodes.iter().map(String::as_str))
            .collect();
        if nodes.len() != 1 || !nodes.contains(node) {
            wrong.push(match nodes.is_empty() {
                true => format!("`{}` is stopped", i.primitive),
                false => format!("`{}` runs on {}", i.primitive, nodes.into_iter().collect::<Vec<_>>().join(", ")),
            });
        }
    }
    match wrong.is_empty() {
        true => Ok(()),
        false => Err(format!("not everything runs on {node} alone: {}", wrong.join(", "))),
    }
}

#[cfg(test)]
mod tests;
