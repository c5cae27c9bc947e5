//! Nodes joining or leaving a running cluster through corosync.conf, in the order `pcs cluster
//! node add`/`remove` takes (pcs/lib/commands/cluster.py):
//!
//! - join: the new nodes checked first (reachable, no corosync.conf, corosync not running);
//!   corosync's (and Pacemaker's) authkey copied to them; the same corosync.conf on every node
//!   and the new ones; one reload on the running nodes; corosync and pacemaker started on each
//!   new node; waited for until Pacemaker sees it online.
//! - leave: pacemaker and corosync stopped on the node (a failure is a warning, as pcs's
//!   destroy: a dead node can be removed); the same corosync.conf on the other nodes; one
//!   reload; the node's corosync.conf set aside; `crm_node --force -R` on every staying node
//!   (Pacemaker forgets it: its `<node>` and its status), then the controllers' peer cache
//!   purged until no `crm_node -l` lists it (`forget` says why `crm_node -R` is not enough).
//!
//! Through pcsd, a join is pcs's own procedure on a cluster node (`cluster-add-nodes`), then
//! every node gets the file as planned; a leave takes pcs's steps through pcsd without pcs's
//! destroy of the node (`by_pcsd` says why). What corosync.conf
//! becomes is `corosync::reconcile`'s job; the steps on one node are the backend's.

use std::time::{Duration, Instant};

use super::*;
use crate::backend::corosync::{self as seam, ConfNodes, NodeFiles};
use crate::backend::members::Membership;
use crate::backend::pcsd::conf_nodes::PcsdNodes;
use crate::corosync as conf;

/// How long a new node may take to show online in Pacemaker.
const ONLINE_WAIT: Duration = Duration::from_secs(120);

/// A pause for corosync's membership to settle after a reload, before Pacemaker forgets a node.
const SETTLE: Duration = Duration::from_secs(2);

/// How long the staying nodes' peer caches may take to drop a leaving node.
const PURGE_WAIT: Duration = Duration::from_secs(20);

/// Why nodes cannot join or leave in this apply (empty: they can).
pub fn membership_refusals(
    model: &Cluster,
    joining: &[String],
    leaving: &[String],
    links: &conf::LinkSteps,
    full_stop: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    if joining.is_empty() && leaving.is_empty() {
        return out;
    }
    if !joining.is_empty() && !leaving.is_empty() {
        out.push(format!(
            "nodes join ({}) and leave ({}) in one apply: add or remove nodes in separate applies, as pcs does",
            joining.join(", "),
            leaving.join(", ")
        ));
    }
    if !links.added.is_empty() || !links.removed.is_empty() || !links.readdressed.is_empty() {
        out.push(
            "nodes join or leave while knet links change: change the links and the nodes in separate applies".into(),
        );
    }
    if full_stop {
        out.push("nodes join or leave together with a change that needs the whole cluster stopped: make the full-stop change in its own apply".into());
    }
    let count = links.kept.len();
    for n in model.nodes.iter().filter(|n| joining.contains(&n.name)) {
        if n.addrs.len() != count {
            out.push(format!(
                "node `{}` declares {} but the cluster runs {}: corosync needs an address on every link",
                n.name,
                crate::render::count(n.addrs.len(), "address"),
                crate::render::count(count, "knet link")
            ));
        }
    }
    if !leaving.is_empty() && model.members().next().is_none() {
        out.push("every node would leave".into());
    }
    out.extend(quorum_gap(model, joining, leaving));
    out
}

/// Whether the cluster would run without quorum part-way (one vote a node, every node up): nodes
/// joining are in the nodelist after the reload but vote only once they run; nodes leaving
/// stop before the reload (pcs refuses such a removal without `--force`). Pacemaker then stops
/// every resource (measured: two spares joining a two-node cluster, then leaving, in one apply
/// each, restarted them all), unless
/// the file sets `no-quorum-policy: ignore`. Not judged with a quorum device (its votes), nor
/// for a two-node cluster (`two_node`: one node keeps quorum) or nodes joining one.
fn quorum_gap(model: &Cluster, joining: &[String], leaving: &[String]) -> Option<String> {
    let ignored = model.properties.iter().any(|(k, v)| k == "no-quorum-policy" && v == "ignore");
    if ignored || model.quorum.device.is_some() {
        return None;
    }
    let after = model.members().count();
    let need = |expected: usize| expected / 2 + 1;
    let names = |n: &[String]| n.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    if !joining.is_empty() {
        let running = after.saturating_sub(joining.len());
        if after > 2 && running < need(after) {
            return Some(format!(
                "nodes {} joining at once would leave the cluster without quorum until they run ({running} of {after} votes, {} needed) and Pacemaker would stop every resource: let at most {} join per apply, as `pcs cluster node add` adds one at a time, or set `no-quorum-policy: ignore`",
                names(joining),
                need(after),
                crate::render::count(running.saturating_sub(1), "node")
            ));
        }
    }
    let before = after + leaving.len();
    if !leaving.is_empty() && before > 2 && after < need(before) {
        return Some(format!(
            "nodes {} leaving at once would cost the cluster its quorum once they stop ({after} of {before} votes, {} needed; pcs refuses this without `--force`) and Pacemaker would stop every resource: let at most {} leave per apply, or set `no-quorum-policy: ignore`",
            names(leaving),
            need(before),
            crate::render::count(before - need(before), "node")
        ));
    }
    None
}

/// Ask each joining node whether it can join (before anything is written): the reasons it
/// cannot, by node.
pub async fn joining_ready<T: ConfNodes>(t: &T, joining: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for n in joining {
        let r = match t.membership() {
            Membership::Steps(nodes) => nodes.ready_to_join(n).await,
            Membership::Pcsd(p) => p.ready_to_join(n).await.map_err(Into::into),
            Membership::FileOnly => Ok(()),
        };
        if let Err(e) = r {
            out.push(format!("node `{n}` cannot join: {e}"));
        }
    }
    out
}

/// Leaving nodes cibform cannot reach (`unreached`: name and why) that corosync on a staying
/// node still counts as members: they may be running, cut off from cibform, and would go on
/// with the old nodelist. pcs asks the leaving node whether its removal loses quorum and needs
/// `--force` when it cannot ask; a node corosync sees down cannot cost quorum, so cibform
/// removes it (as `pcs cluster node remove --force`) and refuses only one that may be up.
pub async fn unreached_leaving<T: ConfNodes>(
    t: &T,
    facts: &conf::Facts,
    unreached: &[(String, String)],
    on: Option<&str>,
) -> Vec<String> {
    let (Membership::Steps(nodes), Some(on)) = (t.membership(), on) else { return Vec::new() };
    let mut out = Vec::new();
    for (n, why) in unreached {
        let id = facts.nodes.iter().find(|c| c.name.as_deref() == Some(n.as_str())).and_then(|c| c.nodeid.clone());
        let Some(id) = id else { continue };
        match nodes.member_status(on, &id).await {
            Ok(Some(s)) if s == "joined" => out.push(format!(
                "node `{n}` cannot be reached ({why}) but corosync on {on} still counts it as a member: it may be running, cut off from cibform; stop it there (or make it reachable) and apply again"
            )),
            Ok(_) => {}
            Err(e) => out.push(format!("node `{n}` cannot be reached ({why}) and corosync on {on} cannot say whether it is down: {e}")),
        }
    }
    out
}

/// Make the nodes join or leave (`w.joining`/`w.leaving`), then every node holds `w.new_text`.
///
/// # Errors
/// `NodeChange`: the steps done and the one that failed.
pub async fn change_members<T: ConfNodes>(w: &CorosyncWork<T>, progress: &dyn Fn(&str)) -> Result<(), Error> {
    let mut log = Steps { done: Vec::new(), what: what(w), progress };
    let r = match w.transport.membership() {
        Membership::Steps(nodes) if w.leaving.is_empty() => join(nodes, w, &mut log).await,
        Membership::Steps(nodes) => leave(nodes, w, &mut log).await,
        Membership::Pcsd(p) => by_pcsd(p, w, &mut log).await,
        Membership::FileOnly => {
            let nodes = w.transport.nodes();
            let pushed = seam::push(&w.transport, &w.new_text).await;
            log.step(
                pushed.map(drop).map_err(|e| push_error(&e)),
                &format!("corosync.conf written to {}", nodes.join(", ")),
            )
        }
    };
    r.map_err(|cause| Error::NodeChange { what: log.what, done: log.done, cause })
}

fn what<T>(w: &CorosyncWork<T>) -> String {
    match (w.joining.as_slice(), w.leaving.as_slice()) {
        (j, []) => format!("node(s) {} joining", j.join(", ")),
        (_, l) => format!("node(s) {} leaving", l.join(", ")),
    }
}

/// The steps done so far, each said as it is done.
pub(super) struct Steps<'a> {
    pub(super) done: Vec<String>,
    pub(super) what: String,
    pub(super) progress: &'a dyn Fn(&str),
}

impl Steps<'_> {
    pub(super) fn step<E: std::fmt::Display>(&mut self, r: Result<(), E>, said: &str) -> Result<(), String> {
        r.map_err(|e| e.to_string())?;
        (self.progress)(&format!("  {said}"));
        self.done.push(said.to_string());
        Ok(())
    }
}

/// `pcs cluster node add`'s steps, with commands on each node.
async fn join<T>(t: &NodeFiles, w: &CorosyncWork<T>, log: &mut Steps<'_>) -> Result<(), String> {
    let running: Vec<String> = t.nodes().into_iter().filter(|n| !w.joining.contains(n)).collect();
    let from = running.first().cloned().ok_or("no running node to copy the authkey from")?;
    (log.progress)(&format!(
        "corosync.conf: node(s) {} joining (online, as `pcs cluster node add`)",
        w.joining.join(", ")
    ));
    for n in &w.joining {
        let copied = t.copy_keys(&from, n).await.map_err(|e| e.to_string())?;
        log.step(Ok::<(), String>(()), &format!("{} copied from {from} to {n}", copied.join(" and ")))?;
    }
    let pushed = seam::push(t, &w.new_text).await.map_err(|e| push_error(&e))?;
    let reloaded = pushed.reloaded_on.unwrap_or_else(|| "no node".into());
    log.step(
        Ok::<(), String>(()),
        &format!("corosync.conf written to {}; corosync reloaded (on {reloaded})", pushed.nodes.join(", ")),
    )?;
    for n in &w.joining {
        log.step(t.start_node(n).await, &format!("corosync and pacemaker started on {n}"))?;
        let end = Instant::now() + ONLINE_WAIT;
        while !t.online(&from, n).await.unwrap_or(false) {
            if Instant::now() >= end {
                return Err(format!("{n} is not online in Pacemaker after {} s", ONLINE_WAIT.as_secs()));
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        log.step(Ok::<(), String>(()), &format!("{n} online (seen from {from})"))?;
    }
    Ok(())
}

/// `pcs cluster node remove`'s steps, with commands on each node.
async fn leave<T>(t: &NodeFiles, w: &CorosyncWork<T>, log: &mut Steps<'_>) -> Result<(), String> {
    let staying: Vec<String> = t.nodes().into_iter().filter(|n| !w.leaving.contains(n)).collect();
    if staying.is_empty() {
        return Err("no node would stay".into());
    }
    (log.progress)(&format!(
        "corosync.conf: node(s) {} leaving (online, as `pcs cluster node remove`)",
        w.leaving.join(", ")
    ));
    for n in &w.leaving {
        match t.stop_node(n).await {
            Ok(()) => log.step(Ok::<(), String>(()), &format!("pacemaker, then corosync stopped on {n}"))?,
            // As pcs's destroy on a removed node: a warning, so a dead node can be removed.
            Err(e) => (log.progress)(&format!("  warning: could not stop the cluster on {n} ({e}); stop it by hand")),
        }
    }
    for n in &staying {
        log.step(t.set(n, &w.new_text).await, &format!("corosync.conf written to {n}"))?;
    }
    let reloaded = t.reload().await.map_err(|e| format!("corosync could not be reloaded: {e}"))?;
    log.step(
        Ok::<(), String>(()),
        &format!("corosync reloaded (on {})", reloaded.unwrap_or_else(|| "no node".into())),
    )?;
    for n in &w.leaving {
        match t.set_aside(n).await {
            Ok(()) => log.step(
                Ok::<(), String>(()),
                &format!("{n}'s corosync.conf moved to {}", crate::backend::members::SET_ASIDE),
            )?,
            Err(e) => (log.progress)(&format!("  warning: {n}'s corosync.conf was not set aside ({e})")),
        }
        forget(t, &staying, n, log).await?;
    }
    Ok(())
}

/// Pacemaker forgets `name`: `crm_node --force -R` on every staying node (as pcs's
/// `remove_nodes_from_cib`: its `<node>`, its status, the fencer's and attribute manager's
/// caches), then the controllers' peer cache purged in a way that waits for the controller
/// (`NodeFiles::purge_peer`), until no staying node's `crm_node -l` lists it. Measured here:
/// `crm_node -R`'s own purge reached the controllers in 2 calls of 24 under load, and the
/// node stayed listed as `lost`; the purge that waits reached them 8 times of 8.
async fn forget(t: &NodeFiles, staying: &[String], name: &str, log: &mut Steps<'_>) -> Result<(), String> {
    let on = staying.first().ok_or("no node would stay")?;
    tokio::time::sleep(SETTLE).await;
    for n in staying {
        t.forget(n, name).await.map_err(|e| e.to_string())?;
    }
    log.step(
        Ok::<(), String>(()),
        &format!(
            "`crm_node --force -R {name}` on {}: Pacemaker forgot {name} (its node and status)",
            staying.join(", ")
        ),
    )?;
    let waited = t.purge_peer(on, name).await.map_err(|e| e.to_string())?;
    let end = Instant::now() + PURGE_WAIT;
    loop {
        let mut listing = Vec::new();
        for n in staying {
            if t.lists(n, name).await.map_err(|e| e.to_string())? {
                listing.push(n.clone());
            }
        }
        if listing.is_empty() {
            let how = if waited { format!(" (purged through libcrmcommon on {on})") } else { String::new() };
            return log.step(Ok::<(), String>(()), &format!("no peer cache lists {name} any more{how}"));
        }
        if Instant::now() >= end {
            (log.progress)(&format!(
                "  warning: `crm_node -l` on {} still lists {name} (lost) after {} s: Pacemaker's peer cache; `crm_node --force -R {name}` there again",
                listing.join(", "),
                PURGE_WAIT.as_secs()
            ));
            return Ok(());
        }
        if !waited {
            // No way to wait for the controller there: `crm_node -R` again, it may get through.
            t.forget(&listing[0], name).await.map_err(|e| e.to_string())?;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Through pcsd: a join is pcs's own procedure on a cluster node (`cluster-add-nodes`), then
/// the planned file on every node. A leave takes pcs's steps one by one (the node stopped, the
/// others' file, one reload, `remove_nodes_from_cib`) but not pcs's `cluster destroy` of the
/// node: that wipes its files and runs `killall -9` of every cluster daemon on its host. The
/// node's own corosync.conf stays (pcsd cannot remove a file otherwise); it is stopped and no
/// other node lists it.
async fn by_pcsd<T>(p: &PcsdNodes, w: &CorosyncWork<T>, log: &mut Steps<'_>) -> Result<(), String> {
    let staying: Vec<String> =
        p.nodes.iter().filter(|n| !w.leaving.contains(n) && !w.joining.contains(n)).cloned().collect();
    let via = staying.first().cloned().ok_or("no node would stay")?;
    if !w.leaving.is_empty() {
        (log.progress)(&format!(
            "corosync.conf: node(s) {} leaving through pcsd (as `pcs cluster node remove`, without its destroy)",
            w.leaving.join(", ")
        ));
        for n in &w.leaving {
            match p.stop_node(n).await {
                Ok(()) => log.step(Ok::<(), String>(()), &format!("pacemaker, then corosync stopped on {n}"))?,
                Err(e) => {
                    (log.progress)(&format!("  warning: could not stop the cluster on {n} ({e}); stop it by hand"))
                }
            }
        }
        return leave_rest(p, w, &staying, &via, log).await;
    }
    (log.progress)(&format!("corosync.conf: node(s) {} joining through pcsd on {via} (`cluster-add-nodes`, as `pcs cluster node add --start --wait`)", w.joining.join(", ")));
    let model = parse_nodes(&w.new_text, &w.joining);
    log.step(
        p.add_nodes(&via, &model).await,
        &format!("pcs added and started {} (through {via})", w.joining.join(", ")),
    )?;
    // pcs writes corosync.conf its own way: every node then gets the file as planned.
    let mut differs = false;
    for n in &p.nodes {
        differs |= p.get(n).await.map_err(|e| e.to_string())? != w.new_text;
    }
    if differs {
        for n in &p.nodes {
            log.step(p.set(n, &w.new_text).await, &format!("corosync.conf as planned on {n}"))?;
        }
        let on = p.reload().await.map_err(|e| format!("corosync could not be reloaded: {e}"))?;
        log.step(Ok::<(), String>(()), &format!("corosync reloaded (on {})", on.unwrap_or_else(|| "no node".into())))?;
    }
    Ok(())
}

/// The staying nodes' file, one reload, then Pacemaker forgets the leaving nodes.
async fn leave_rest<T>(
    p: &PcsdNodes,
    w: &CorosyncWork<T>,
    staying: &[String],
    via: &str,
    log: &mut Steps<'_>,
) -> Result<(), String> {
    for n in staying {
        log.step(p.set(n, &w.new_text).await, &format!("corosync.conf written to {n}"))?;
    }
    let on = p.reload().await.map_err(|e| format!("corosync could not be reloaded: {e}"))?;
    log.step(Ok::<(), String>(()), &format!("corosync reloaded (on {})", on.unwrap_or_else(|| "no node".into())))?;
    // pcsd runs `crm_node --force -R`, whose purge of the controllers' peer cache is often lost
    // (`forget` says why) and pcsd offers no other way: as pcs, every staying node is asked,
    // and the first once more a moment later, each a chance for the purge to get through.
    tokio::time::sleep(SETTLE).await;
    let forgot = w.leaving.join(", ");
    let first = p.forget(via, &w.leaving).await;
    for n in staying.iter().filter(|n| n.as_str() != via) {
        let _ = p.forget(n, &w.leaving).await; // already gone: pcs may answer with an error
    }
    tokio::time::sleep(SETTLE).await;
    let _ = p.forget(via, &w.leaving).await;
    log.step(first, &format!("`crm_node --force -R` through pcsd on {}: Pacemaker forgot {forgot}", staying.join(", ")))
}

/// The joining nodes' addresses, from the planned corosync.conf.
fn parse_nodes(text: &str, names: &[String]) -> Vec<(String, Vec<String>)> {
    let facts = conf::parse("corosync.conf", text).map(|t| conf::Facts::from_conf(&t)).unwrap_or_default();
    names
        .iter()
        .map(|n| {
            let addrs = facts
                .nodes
                .iter()
                .find(|c| c.name.as_deref() == Some(n.as_str()))
                .map(|c| c.addrs.values().cloned().collect())
                .unwrap_or_default();
            (n.clone(), addrs)
        })
        .collect()
}

pub(super) fn push_error(e: &seam::PushError) -> String {
    match e {
        seam::PushError::Write { written, failed, cause } => {
            format!("corosync.conf written to [{}] but not to {failed}: {cause}", written.join(", "))
        }
        seam::PushError::Reload { cause, .. } => format!("corosync could not be reloaded: {cause}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::corosync::NodeRunner;
    use crate::backend::fake::{answer as ok, block, FakeNode, Script};
    use crate::backend::runner::Output;
    use crate::corosync::Disruption;
    use std::rc::Rc;

    const CONF: &str = include_str!("../../tests/fixtures/corosync/knet-two-node.conf");
    const ONLINE: &str = r#"<pacemaker-result><summary><current_dc present="true"/></summary><nodes><node name="t3023cent" online="true"/></nodes></pacemaker-result>"#;

    fn fail(code: i32, stderr: &str) -> Output {
        Output { code, stdout: Vec::new(), stderr: stderr.into() }
    }

    fn model(names: &[(&str, u32)]) -> Cluster {
        let nodes: String = names
            .iter()
            .map(|(n, id)| format!("  {n}: {{ id: {id}, addrs: [192.168.33.2{id}, 192.168.22.2{id}] }}\n"))
            .collect();
        let (src, raw) =
            crate::config::parse("t.yaml", format!("cluster: clst-01\nnodes:\n{nodes}").as_bytes()).unwrap();
        crate::validate::validate(&src, &raw).unwrap().0
    }

    fn nodes(scripts: &[(&str, &Rc<Script>)]) -> NodeFiles {
        let nodes = scripts
            .iter()
            .map(|(n, s)| (n.to_string(), NodeRunner::Fake(FakeNode((*s).clone()), n.to_string())))
            .collect();
        NodeFiles { nodes }
    }

    fn programs(s: &Script) -> Vec<String> {
        s.seen.borrow().iter().map(|c| c.argv[..c.argv.len().min(3)].join(" ")).collect()
    }

    /// pcs's order: keys, the file on every node and the new one, one reload, then the new
    /// node started; two_node goes with the third node.
    #[test]
    fn a_node_joins_in_pcs_order() {
        let m = model(&[("t3021cent", 1), ("t3022cent", 2), ("t3023cent", 3)]);
        let want = crate::corosync::reconcile(&crate::corosync::parse("c", CONF).unwrap(), &m).text;
        assert!(!want.contains("two_node") && want.contains("name: t3023cent"), "{want}");
        let a = Rc::new(Script::new(vec![
            ("cat", ok(CONF)),
            ("sh", ok("KEY")),
            ("sh", fail(4, "")),
            ("sh", ok("")),
            ("corosync-cfgtool", ok("")),
            ("crm_mon", ok(ONLINE)),
            ("cat", ok(&want)),
        ]));
        let b = Rc::new(Script::new(vec![("cat", ok(CONF)), ("sh", ok("")), ("cat", ok(&want))]));
        let c = Rc::new(Script::new(vec![
            ("cat", fail(1, "cat: /etc/corosync/corosync.conf: No such file or directory")),
            ("sh", ok("")),
            ("sh", ok("")),
            ("sh", ok("")),
            ("systemctl", ok("")),
            ("systemctl", ok("")),
            ("cat", ok(&want)),
        ]));
        let t = nodes(&[("t3021cent", &a), ("t3022cent", &b), ("t3023cent", &c)]);
        let w = block(corosync_work(t, &m)).unwrap();
        assert!(w.refused.is_empty() && w.unread.is_empty(), "{:?} {:?}", w.refused, w.unread);
        assert_eq!((w.joining.as_slice(), w.leaving.len()), (&["t3023cent".to_string()][..], 0));
        let kinds: Vec<(&str, Disruption)> = w.changes.iter().map(|c| (c.key.as_str(), c.disruption)).collect();
        assert_eq!(kinds, [("node t3023cent", Disruption::Online), ("quorum.two_node", Disruption::Online)]);
        let lines = std::cell::RefCell::new(Vec::new());
        block(push_corosync(&w, &|l| lines.borrow_mut().push(l.to_string()))).unwrap();
        assert!(a.is_done() && b.is_done() && c.is_done());
        assert_eq!(
            programs(&c)[1..],
            [
                "sh -c if [ -e /etc/corosync/corosync.conf ]; then\n  echo \"it already has /etc/corosync/corosync.conf (another cluster? \\`pcs cluster destroy\\` there first)\" >&2; exit 3\nfi\nif corosync-cfgtool -s >/dev/null 2>&1; then echo \"corosync is running there\" >&2; exit 3; fi\nexit 0".to_string(),
                programs(&c)[2].clone(),
                programs(&c)[3].clone(),
                "systemctl start corosync".into(),
                "systemctl start pacemaker".into(),
                "cat /etc/corosync/corosync.conf".into()
            ]
        );
        assert_eq!(c.seen.borrow()[2].stdin.as_deref(), Some(&b"KEY"[..]), "the authkey, from t3021cent");
        assert_eq!(c.seen.borrow()[3].stdin.as_deref(), Some(want.as_bytes()), "the new file on the new node");
        let said = lines.borrow().join("\n");
        assert!(said.contains("/etc/corosync/authkey copied from t3021cent to t3023cent"), "{said}");
        assert!(
            said.contains("corosync.conf written to t3021cent, t3022cent, t3023cent; corosync reloaded (on t3021cent)"),
            "{said}"
        );
        assert!(said.contains("t3023cent online (seen from t3021cent)"), "{said}");
        assert!(!said.contains("KEY"), "{said}");
    }

    /// A node that has a corosync.conf or runs corosync is refused before anything is written.
    #[test]
    fn a_node_that_is_not_free_is_refused_before_anything_is_written() {
        let m = model(&[("t3021cent", 1), ("t3022cent", 2), ("t3023cent", 3)]);
        let a = Rc::new(Script::new(vec![("cat", ok(CONF))]));
        let b = Rc::new(Script::new(vec![("cat", ok(CONF))]));
        let c = Rc::new(Script::new(vec![("cat", fail(1, "no file")), ("sh", fail(3, "corosync is running there"))]));
        let w = block(corosync_work(nodes(&[("t3021cent", &a), ("t3022cent", &b), ("t3023cent", &c)]), &m)).unwrap();
        assert_eq!(w.refused.len(), 1, "{:?}", w.refused);
        assert!(w.refused[0].starts_with("node `t3023cent` cannot join: "), "{:?}", w.refused);
        assert!(w.refused[0].contains("corosync is running there"), "{:?}", w.refused);
        let c = Rc::new(Script::new(vec![("cat", ok(CONF))]));
        let (a, b) = (Rc::new(Script::new(vec![("cat", ok(CONF))])), Rc::new(Script::new(vec![("cat", ok(CONF))])));
        let w = block(corosync_work(nodes(&[("t3021cent", &a), ("t3022cent", &b), ("t3023cent", &c)]), &m)).unwrap();
        assert!(w.refused.iter().any(|r| r.contains("it already has a corosync.conf")), "{:?}", w.refused);
        assert!(w.drift.is_empty(), "a joining node's own file is not drift");
    }

    /// pcs's order for a removal: the node stopped, the others' file, one reload, its file set
    /// aside, Pacemaker told to forget it; two_node comes back with two nodes.
    #[test]
    fn a_node_leaves_in_pcs_order() {
        let three = crate::corosync::reconcile(
            &crate::corosync::parse("c", CONF).unwrap(),
            &model(&[("t3021cent", 1), ("t3022cent", 2), ("t3023cent", 3)]),
        )
        .text;
        let m = model(&[("t3021cent", 1), ("t3022cent", 2)]);
        let want = crate::corosync::reconcile(&crate::corosync::parse("c", &three).unwrap(), &m).text;
        assert_eq!(want, CONF, "back to the two-node file, two_node included");
        let a = Rc::new(Script::new(vec![
            ("cat", ok(&three)),
            ("sh", ok("")),
            ("corosync-cfgtool", ok("")),
            ("crm_node", ok("")),
            ("python3", ok("")),
            ("crm_node", ok("1 t3021cent member\n2 t3022cent member\n")),
            ("cat", ok(&want)),
        ]));
        let b = Rc::new(Script::new(vec![
            ("cat", ok(&three)),
            ("sh", ok("")),
            ("crm_node", ok("")),
            ("crm_node", ok("1 t3021cent member\n2 t3022cent member\n")),
            ("cat", ok(&want)),
        ]));
        let c = Rc::new(Script::new(vec![
            ("cat", ok(&three)),
            ("systemctl", ok("")),
            ("systemctl", ok("")),
            ("sh", ok("")),
        ]));
        let t = nodes(&[("t3021cent", &a), ("t3022cent", &b), ("t3023cent", &c)]);
        let w = block(corosync_work(t, &m)).unwrap();
        assert!(w.refused.is_empty(), "{:?}", w.refused);
        assert_eq!(w.leaving, ["t3023cent"]);
        block(push_corosync(&w, &|_| {})).unwrap();
        assert!(a.is_done() && b.is_done() && c.is_done());
        assert_eq!(programs(&c)[1..3], ["systemctl stop pacemaker", "systemctl stop corosync"]);
        // As pcs: `crm_node -R` on every staying node; then the purge that waits for the
        // controller, and every staying node asked.
        for s in [&a, &b] {
            assert_eq!(programs(s)[2..].iter().filter(|p| *p == "crm_node --force -R").count(), 1);
            assert!(s.seen.borrow().iter().any(|c| c.argv == ["crm_node", "--force", "-R", "t3023cent"]));
            assert!(s.seen.borrow().iter().any(|c| c.argv == ["crm_node", "-l"]));
        }
        let purge = &a.seen.borrow()[4];
        assert_eq!((purge.argv[0].as_str(), purge.argv[3].as_str()), ("python3", "t3023cent"));
        assert!(purge.argv[2].contains("pcmk_controld_api_ping"), "the purge waits for the controller");
    }

    /// A node still listed as `lost` is asked about until it is gone; where the purge cannot
    /// run (no python3), `crm_node -R` is repeated.
    #[test]
    fn a_peer_cache_that_keeps_the_node_is_asked_again() {
        let lost = "1 t3021cent member\n2 t3022cent member\n3 t3023cent lost\n";
        let gone = "1 t3021cent member\n2 t3022cent member\n";
        let a = Rc::new(Script::new(vec![
            ("crm_node", ok("")),
            ("python3", fail(127, "sh: python3: not found")),
            ("crm_node", ok(lost)),
            ("crm_node", ok("")),
            ("crm_node", ok(gone)),
        ]));
        let b = Rc::new(Script::new(vec![("crm_node", ok("")), ("crm_node", ok(lost)), ("crm_node", ok(gone))]));
        let t = nodes(&[("t3021cent", &a), ("t3022cent", &b)]);
        let lines = std::cell::RefCell::new(Vec::new());
        let progress = |l: &str| lines.borrow_mut().push(l.to_string());
        let mut log = Steps { done: Vec::new(), what: String::new(), progress: &progress };
        let staying = ["t3021cent".to_string(), "t3022cent".to_string()];
        block(forget(&t, &staying, "t3023cent", &mut log)).unwrap();
        assert!(a.is_done() && b.is_done());
        assert_eq!(a.seen.borrow()[3].argv, ["crm_node", "--force", "-R", "t3023cent"], "asked again");
        assert_eq!(log.done.last().unwrap(), "no peer cache lists t3023cent any more");
    }

    /// A leaving node that cannot be reached: removed when corosync sees it down (as `pcs
    /// cluster node remove --force`), refused before anything is written while corosync still
    /// counts it as a member.
    #[test]
    fn an_unreachable_node_leaves_only_when_corosync_sees_it_down() {
        let three = crate::corosync::reconcile(
            &crate::corosync::parse("c", CONF).unwrap(),
            &model(&[("t3021cent", 1), ("t3022cent", 2), ("t3023cent", 3)]),
        )
        .text;
        let m = model(&[("t3021cent", 1), ("t3022cent", 2)]);
        let unreachable = || fail(255, "ssh: connect to host t3023cent port 22: No route to host");
        for (status, refused) in [("joined", true), ("left", false)] {
            let members =
                format!("runtime.members.1.status (str) = joined\nruntime.members.3.status (str) = {status}\n");
            let a = Rc::new(Script::new(vec![("cat", ok(&three)), ("corosync-cmapctl", ok(&members))]));
            let b = Rc::new(Script::new(vec![("cat", ok(&three))]));
            let c = Rc::new(Script::new(vec![("cat", unreachable())]));
            let t = nodes(&[("t3021cent", &a), ("t3022cent", &b), ("t3023cent", &c)]);
            let w = block(corosync_work(t, &m)).unwrap();
            assert!(a.is_done() && b.is_done() && c.is_done());
            assert_eq!(w.leaving, ["t3023cent"]);
            assert!(w.unread.is_empty(), "a leaving node's file is not needed: {:?}", w.unread);
            if refused {
                assert_eq!(w.refused.len(), 1, "{:?}", w.refused);
                assert!(
                    w.refused[0].starts_with("node `t3023cent` cannot be reached (")
                        && w.refused[0].contains("No route to host")
                        && w.refused[0].contains("corosync on t3021cent still counts it as a member"),
                    "{:?}",
                    w.refused
                );
            } else {
                assert!(w.refused.is_empty(), "down in corosync: it may go, as with pcs --force: {:?}", w.refused);
            }
        }
    }

    /// Live: two spare hosts joining a two-node cluster in one apply, then leaving in one,
    /// restarted every resource (after the join's reload two of four votes, three needed, until
    /// they ran; once both leaving stopped, the same until the reload). Refused unless the file
    /// sets `no-quorum-policy: ignore`.
    #[test]
    fn two_nodes_joining_a_two_node_cluster_at_once_lost_quorum() {
        let ids = [("t3021cent", 1), ("t3022cent", 2), ("t3023cent", 3), ("t3024cent", 4), ("t3025cent", 5)];
        let steps = conf::LinkSteps { kept: vec![0, 1], ..Default::default() };
        let refused = |keep: usize, joining: &[&str], leaving: &[&str], ignore: bool| {
            let mut m = model(&ids[..keep]);
            if ignore {
                m.properties.push(("no-quorum-policy".into(), "ignore".into()));
            }
            let names = |n: &[&str]| n.iter().map(|n| n.to_string()).collect::<Vec<_>>();
            membership_refusals(&m, &names(joining), &names(leaving), &steps, false)
        };
        assert_eq!(refused(4, &["t3023cent", "t3024cent"], &[], false), ["nodes `t3023cent`, `t3024cent` joining at once would leave the cluster without quorum until they run (2 of 4 votes, 3 needed) and Pacemaker would stop every resource: let at most 1 node join per apply, as `pcs cluster node add` adds one at a time, or set `no-quorum-policy: ignore`"]);
        assert_eq!(refused(2, &[], &["t3023cent", "t3024cent"], false), ["nodes `t3023cent`, `t3024cent` leaving at once would cost the cluster its quorum once they stop (2 of 4 votes, 3 needed; pcs refuses this without `--force`) and Pacemaker would stop every resource: let at most 1 node leave per apply, or set `no-quorum-policy: ignore`"]);
        assert!(refused(4, &["t3023cent", "t3024cent"], &[], true).is_empty(), "ignored: no gap that matters");
        assert!(refused(2, &[], &["t3023cent", "t3024cent"], true).is_empty(), "ignored: no gap that matters");
        // Quorum kept all the way: one node joining two or three, two joining three, one
        // leaving four, two leaving five, one leaving a two-node cluster (`two_node`).
        for (keep, joining, leaving) in [
            (3, &["t3023cent"][..], &[][..]),
            (4, &["t3024cent"], &[]),
            (5, &["t3024cent", "t3025cent"], &[]),
            (3, &[], &["t3024cent"]),
            (3, &[], &["t3024cent", "t3025cent"]),
            (1, &[], &["t3022cent"]),
        ] {
            assert!(refused(keep, joining, leaving, false).is_empty(), "{keep} {joining:?} {leaving:?}");
        }
        assert_eq!(refused(2, &[], &["t3023cent", "t3024cent", "t3025cent"], false).len(), 1, "five to two");
        assert_eq!(refused(1, &[], &["t3022cent", "t3023cent"], false).len(), 1, "three to one");
    }

    #[test]
    fn joining_and_leaving_at_once_or_with_link_changes_is_refused() {
        let m = model(&[("t3021cent", 1), ("t3023cent", 3)]);
        let (a, b) = (Rc::new(Script::new(vec![("cat", ok(CONF))])), Rc::new(Script::new(vec![("cat", ok(CONF))])));
        let w = block(corosync_work(nodes(&[("t3021cent", &a), ("t3022cent", &b)]), &m)).unwrap();
        assert!(
            w.refused.iter().any(|r| r.contains("nodes join (t3023cent) and leave (t3022cent) in one apply")),
            "{:?}",
            w.refused
        );
        let mut m = model(&[("t3021cent", 1), ("t3022cent", 2), ("t3023cent", 3)]);
        m.nodes[2].addrs.pop();
        let steps = conf::LinkSteps { kept: vec![0, 1], ..Default::default() };
        let r = membership_refusals(&m, &["t3023cent".into()], &[], &steps, false);
        assert_eq!(r, ["node `t3023cent` declares 1 address but the cluster runs 2 knet links: corosync needs an address on every link"]);
        let steps = conf::LinkSteps { added: vec![2], kept: vec![0, 1], ..Default::default() };
        assert!(membership_refusals(&m, &[], &["x".into()], &steps, true).len() == 2);
    }
}
