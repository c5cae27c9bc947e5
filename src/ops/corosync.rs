//! Applying corosync.conf: read every node's file, name the nodes whose file differs from the
//! others (drift), refuse what cannot be done on a running cluster, then push in pcs's order —
//! the identical file on every node and one reload; a knet link whose addresses change is
//! removed in one push and added back in the next, so the other links carry the cluster.
//!
//! Talks to nodes only through `backend::corosync::ConfNodes`; what the file becomes is
//! `corosync::reconcile`'s job.

use std::path::Path;

use super::*;
use crate::backend::corosync::{self as seam, ConfNodes, PushError, Transport};
use crate::corosync::{self as conf, ConfChange, Disruption, LinkSteps};

/// The corosync part of one apply, worked out before anything is written.
#[derive(Debug)]
pub struct CorosyncWork<T> {
    pub transport: T,
    /// Every node's file, in node order.
    pub texts: Vec<(String, String)>,
    /// The file most nodes hold (the first node's on a tie): what the edits start from.
    pub base: String,
    /// Nodes whose file differs from `base`.
    pub drift: Vec<String>,
    /// What every node gets.
    pub new_text: String,
    pub changes: Vec<ConfChange>,
    pub steps: LinkSteps,
    /// Why this cannot be applied to a running cluster (empty: it can).
    pub refused: Vec<String>,
    /// Changes that need the whole cluster stopped (refused unless a restart is allowed).
    pub full_stop: Vec<String>,
    /// Nodes whose corosync.conf could not be read, and why (not compared; a change is refused).
    pub unread: Vec<String>,
    /// Nodes the file adds to the cluster (`ops::membership`).
    pub joining: Vec<String>,
    /// Nodes the file removes from the cluster.
    pub leaving: Vec<String>,
}

impl<T> CorosyncWork<T> {
    /// Nothing to write: every node already holds the wanted file.
    pub fn is_empty(&self) -> bool {
        self.drift.is_empty() && self.new_text == self.base
    }
}

/// The corosync transport of an apply: the `--corosync` file, else each node's pcsd when
/// `--pcsd` was given (explicitly: no fallback to ssh when pcsd fails), else the target's
/// cluster nodes (listed in `current`, the corosync.conf the plan read). `None` when the target
/// has no corosync.conf to change (a CIB file, a remote CIB).
///
/// # Errors
/// `current` does not parse, or this host's node cannot be told (local target).
pub async fn corosync_transport(
    backend: &Backend,
    current: Option<&crate::backend::ConfText>,
    path: Option<&Path>,
) -> Result<Option<Transport>, Error> {
    corosync_transport_for(backend, current, path, None).await
}

/// `corosync_transport`, reaching also the nodes `model` adds (after those of corosync.conf):
/// a node joining gets the file too.
///
/// # Errors
/// As `corosync_transport`.
pub async fn corosync_transport_for(
    backend: &Backend,
    current: Option<&crate::backend::ConfText>,
    path: Option<&Path>,
    model: Option<&Cluster>,
) -> Result<Option<Transport>, Error> {
    if let Some(p) = path {
        return Ok(Some(Transport::File(seam::ConfFile { path: p.to_path_buf() })));
    }
    let Some(current) = current else { return Ok(None) };
    let facts = conf::Facts::from_conf(&conf::parse(&current.name, &current.text)?);
    let mut names: Vec<String> = facts.nodes.iter().filter_map(|n| n.name.clone()).collect();
    for n in model.map(|m| m.nodes.as_slice()).unwrap_or_default().iter().filter(|n| n.in_corosync()) {
        if !names.contains(&n.name) {
            names.push(n.name.clone());
        }
    }
    if let Some(pcsd) = &backend.pcsd {
        // `--pcsd` given: pcsd it is, never another way behind the admin's back.
        return Ok(Some(Transport::Pcsd(crate::backend::pcsd::conf_nodes::PcsdNodes {
            pcsd: pcsd.clone(),
            nodes: names,
        })));
    }
    let local = match &backend.target {
        // A one-node cluster is this host, even when corosync does not answer.
        Target::Local if names.len() == 1 => names.first().cloned(),
        Target::Local => this_node(&facts).await?,
        _ => None,
    };
    Ok(seam::runners(&backend.target, &names, local.as_deref())
        .map(|nodes| Transport::Nodes(seam::NodeFiles { nodes })))
}

/// The name of the node this host is, from corosync's own node id.
async fn this_node(facts: &conf::Facts) -> Result<Option<String>, Error> {
    use crate::backend::runner::Run;
    let cmd = seam::this_node_cmd();
    let out = crate::backend::runner::Local.run(&cmd).await.map_err(BackendError::from)?;
    let id = seam::parse_node_id(&String::from_utf8_lossy(&out.stdout)).ok_or_else(|| BackendError::Command {
        place: "this host".into(),
        command: cmd.display(),
        code: out.code,
        stderr: format!("cannot tell which corosync node this host is: {}", out.stderr.trim()),
    })?;
    Ok(facts.nodes.iter().find(|n| n.nodeid.as_deref() == Some(id.as_str())).and_then(|n| n.name.clone()))
}

/// Refuse when a node's corosync.conf is no longer the text `corosync_work` read (an edit made
/// while the admin reviewed the plan): writing would drop an edit no one saw. The CIB has its
/// basis for this; corosync.conf has this check, run before anything is written.
///
/// # Errors
/// `CorosyncChanged` naming the node, or why it cannot be read now.
pub async fn corosync_unchanged<T: ConfNodes>(w: &CorosyncWork<T>) -> Result<(), Error> {
    for (node, read) in &w.texts {
        if &w.transport.get(node).await? != read {
            return Err(Error::CorosyncChanged { node: node.clone() });
        }
    }
    Ok(())
}

/// Read every node's corosync.conf and work out what to write.
///
/// # Errors
/// A node's file cannot be read or does not parse; nothing is written.
pub async fn corosync_work<T: ConfNodes>(transport: T, model: &Cluster) -> Result<CorosyncWork<T>, Error> {
    let (mut texts, mut failed) = (Vec::new(), Vec::new());
    for n in transport.nodes() {
        match transport.get(&n).await {
            Ok(text) => texts.push((n, text)),
            Err(e) => failed.push((n, e)),
        }
    }
    // Nodes the file adds are not in the cluster yet: their own file (if any) is not compared.
    let listed = |texts: &[(String, String)]| -> Vec<String> {
        let base = most_held(texts);
        let facts = conf::parse("corosync.conf", &base).map(|t| conf::Facts::from_conf(&t)).unwrap_or_default();
        facts.nodes.iter().filter_map(|n| n.name.clone()).collect()
    };
    let in_conf = listed(&texts);
    // Only a node corosync.conf can list joins (a remote node never does; one known by another
    // CIB id has no nodeid or address for it).
    let joining: Vec<String> = model
        .nodes
        .iter()
        .filter(|n| n.in_corosync())
        .map(|n| n.name.clone())
        .filter(|n| !in_conf.contains(n))
        .collect();
    let mut refused: Vec<String> = texts
        .iter()
        .filter(|(n, _)| joining.contains(n))
        .map(|(n, _)| format!("node `{n}` cannot join: it already has a corosync.conf (another cluster? `pcs cluster destroy` there first)"))
        .collect();
    texts.retain(|(n, _)| !joining.contains(n));
    failed.retain(|(n, _)| !joining.contains(n));
    if texts.is_empty() {
        // Each node's own reason, in the transport's words (a command, pcsd).
        return Err(Error::Backend(BackendError::NoNode(failed)));
    }
    let leaving: Vec<String> = if model.members().next().is_none() {
        Vec::new()
    } else {
        in_conf.iter().filter(|n| !model.members().any(|m| &m.name == *n)).cloned().collect()
    };
    // A leaving node may be dead (as with pcs, it can still be removed).
    let unread: Vec<String> =
        failed.iter().filter(|(n, _)| !leaving.contains(n)).map(|(n, e)| format!("`{n}` ({e})")).collect();
    let base = most_held(&texts);
    let drift: Vec<String> = texts.iter().filter(|(_, t)| *t != base).map(|(n, _)| n.clone()).collect();
    let tree = conf::parse(&format!("{}:corosync.conf", texts.first().map_or("", |(n, _)| n)), &base)?;
    let r = conf::reconcile(&tree, model);
    let steps = if joining.is_empty() && leaving.is_empty() {
        conf::link_steps(&tree, &r.conf)
    } else {
        let staying: Vec<String> = in_conf.iter().filter(|n| !leaving.contains(n)).cloned().collect();
        conf::link_steps(&conf::only_nodes(&tree, &staying), &conf::only_nodes(&r.conf, &staying))
    };
    let full_stop: Vec<String> = r
        .changes
        .iter()
        .filter(|c| c.disruption == Disruption::FullStop)
        .map(|c| format!("`{}` needs the whole cluster stopped ({}): pass --allow-cluster-restart to let cibform stop and start it", c.key, c.procedure))
        .collect();
    if (!steps.removed.is_empty() || !steps.readdressed.is_empty()) && steps.kept.is_empty() {
        refused.push("every knet link would change at once, which would cut the nodes off from each other: change one link per apply, keeping another one as it is".into());
    }
    if conf::Facts::from_conf(&tree).nodes.iter().any(|n| n.name.is_none()) {
        refused.push(
            "a node in corosync.conf has no `name`: cibform (like pcs) cannot reach it to keep the files identical"
                .into(),
        );
    }
    // The safety net for whatever validation missed: the file written must read back as the
    // cluster file says (an injected line would not).
    let fixed = conf::parse("corosync.conf", &r.text).map(|t| conf::reconcile(&t, model).changes.is_empty());
    if !matches!(fixed, Ok(true)) {
        refused.push("the edited corosync.conf does not read back as the cluster file says; nothing is written (please report this with the file)".into());
    }
    refused.extend(membership_refusals(model, &joining, &leaving, &steps, !full_stop.is_empty()));
    let device = super::qdevice::device_work(&base, &r.text);
    let links = !steps.added.is_empty() || !steps.removed.is_empty() || !steps.readdressed.is_empty();
    let others = !joining.is_empty() || !leaving.is_empty() || !full_stop.is_empty() || links;
    refused.extend(super::qdevice::device_refusals(model, &base, device.as_ref(), others));
    if refused.is_empty() {
        refused.extend(joining_ready(&transport, &joining).await);
        refused.extend(super::qdevice::qnetd_ready(&transport, device.as_ref()).await);
    }
    if refused.is_empty() {
        // A leaving node that cannot be reached is removed only when corosync sees it down.
        let unreached: Vec<(String, String)> =
            failed.iter().filter(|(n, _)| leaving.contains(n)).map(|(n, e)| (n.clone(), e.to_string())).collect();
        let on = texts.first().map(|(n, _)| n.as_str());
        refused.extend(unreached_leaving(&transport, &conf::Facts::from_conf(&tree), &unreached, on).await);
    }
    let needed = !drift.is_empty() || r.text != base;
    if needed && !unread.is_empty() {
        refused.push(format!(
            "corosync.conf is changed only when every node's can be read, and these cannot: {}",
            unread.join("; ")
        ));
    }
    Ok(CorosyncWork {
        transport,
        texts,
        base,
        drift,
        new_text: r.text,
        changes: r.changes,
        steps,
        refused,
        full_stop,
        unread,
        joining,
        leaving,
    })
}

/// The text most nodes hold; the first node's on a tie.
fn most_held(texts: &[(String, String)]) -> String {
    let count = |t: &str| texts.iter().filter(|(_, x)| x == t).count();
    texts
        .iter()
        .map(|(_, t)| t)
        .fold(None::<&String>, |best, t| match best {
            Some(b) if count(b) >= count(t) => Some(b),
            _ => Some(t),
        })
        .cloned()
        .unwrap_or_default()
}

/// Lines that say which nodes' corosync.conf differs from the others, each with the diff, and
/// which could not be read.
pub fn drift_report<T>(w: &CorosyncWork<T>) -> Vec<String> {
    let Some((first, _)) = w.texts.iter().find(|(_, t)| *t == w.base) else { return Vec::new() };
    let mut out: Vec<String> = w.unread.iter().map(|u| format!("note: corosync.conf not compared on {u}")).collect();
    for (n, t) in w.texts.iter().filter(|(n, _)| w.drift.contains(n)) {
        out.push(format!("corosync.conf on `{n}` differs from the one on `{first}` (and every node holding the same); every node gets the same file:"));
        out.extend(conf::unified_diff(&format!("{n}:corosync.conf"), t, &w.base).lines().map(|l| format!("  {l}")));
    }
    out
}

/// Push the worked-out file: removals (and re-addressed links) first, then additions, each as
/// the identical file on every node and one reload; then read every node back.
///
/// # Errors
/// `CorosyncWrite` (which nodes got the file) or `CorosyncReload`; a node whose file is not the
/// pushed one afterwards.
pub async fn push_corosync<T: ConfNodes>(w: &CorosyncWork<T>, progress: &dyn Fn(&str)) -> Result<(), Error> {
    let t = &w.transport;
    let nodes = t.nodes().join(", ");
    let s = &w.steps;
    if let Some(d) = super::qdevice::device_work(&w.base, &w.new_text) {
        super::qdevice::change_device(w, &d, progress).await?;
    } else if !w.joining.is_empty() || !w.leaving.is_empty() {
        change_members(w, progress).await?;
    } else if !w.full_stop.is_empty() {
        restart(w, progress).await?;
    } else if !s.readdressed.is_empty() {
        let tree = conf::parse("corosync.conf", &w.new_text)?;
        let without = s.readdressed.iter().fold(tree, |t, l| conf::without_link(&t, *l));
        let first = conf::to_text(&without);
        progress(&format!(
            "corosync.conf: removing knet link(s) {:?} (new addresses) on {nodes}, then reloading",
            s.readdressed
        ));
        said(t.link_remove(&s.readdressed, &first).await, progress)?;
        progress(&format!(
            "corosync.conf: adding knet link(s) {:?} back with the new addresses on {nodes}, then reloading",
            s.readdressed
        ));
        said(t.link_add(&s.readdressed, &w.new_text).await, progress)?;
    } else if !s.removed.is_empty() {
        progress(&format!("corosync.conf: removing knet link(s) {:?} on {nodes}, then reloading", s.removed));
        said(t.link_remove(&s.removed, &w.new_text).await, progress)?;
    } else if !s.added.is_empty() {
        progress(&format!("corosync.conf: adding knet link(s) {:?} on {nodes}, then reloading", s.added));
        said(t.link_add(&s.added, &w.new_text).await, progress)?;
    } else {
        progress(&format!("corosync.conf: writing the same file to {nodes}, then reloading"));
        said(seam::push(t, &w.new_text).await, progress)?;
    }
    for n in t.nodes().into_iter().filter(|n| !w.leaving.contains(n)) {
        if t.get(&n).await? != w.new_text {
            return Err(Error::CorosyncDiffers { node: n });
        }
    }
    progress("corosync.conf: every node holds the planned file.");
    Ok(())
}

/// A full-stop change, in pcs's order: the cluster stopped on every node (pacemaker, then
/// corosync), the identical file on every node, the cluster started (corosync, then pacemaker).
async fn restart<T: ConfNodes>(w: &CorosyncWork<T>, progress: &dyn Fn(&str)) -> Result<(), Error> {
    let t = &w.transport;
    let nodes = t.nodes();
    progress(&format!(
        "corosync.conf: stopping the cluster: pacemaker on {}, then corosync (--allow-cluster-restart)",
        nodes.join(", ")
    ));
    t.stop_cluster().await.map_err(|e| Error::CorosyncRestart { stage: "stopped", cause: e.to_string() })?;
    let mut written = Vec::new();
    for n in &nodes {
        if let Err(e) = t.set(n, &w.new_text).await {
            let cause = format!("{e}; the cluster is stopped");
            return Err(Error::CorosyncWrite { written, failed: n.clone(), cause });
        }
        written.push(n.clone());
    }
    progress(&format!("  written to {}; starting the cluster: corosync, then pacemaker", nodes.join(", ")));
    t.start_cluster().await.map_err(|e| Error::CorosyncRestart { stage: "started again", cause: e.to_string() })
}

fn said(r: Result<seam::Pushed, PushError>, progress: &dyn Fn(&str)) -> Result<(), Error> {
    match r {
        Ok(p) => {
            match p.reloaded_on {
                Some(on) => progress(&format!("  written to {}; corosync reloaded (on {on})", p.nodes.join(", "))),
                None => progress(&format!(
                    "  written to {} (nothing to reload: a file, or corosync runs on no node)",
                    p.nodes.join(", ")
                )),
            }
            Ok(())
        }
        Err(PushError::Write { written, failed, cause }) => {
            Err(Error::CorosyncWrite { written, failed, cause: cause.to_string() })
        }
        Err(PushError::Reload { nodes, cause }) => Err(Error::CorosyncReload { nodes, cause: cause.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::corosync::{NodeFiles, NodeRunner};
    use crate::backend::fake::{answer as ok, block, FakeNode, Script};
    use crate::backend::runner::Output;
    use std::rc::Rc;

    const CONF: &str = include_str!("../../tests/fixtures/corosync/knet-two-node.conf");

    fn model(yaml: &str) -> Cluster {
        let (src, raw) = crate::config::parse("t.yaml", yaml.as_bytes()).unwrap();
        crate::validate::validate(&src, &raw).unwrap().0
    }

    fn reference(extra: &str, link2: bool) -> Cluster {
        let l2 = |h: &str| if link2 { format!(", 192.168.44.{h}") } else { String::new() };
        model(&format!(
            "cluster: clst-01\nnodes:\n  t3021cent: {{ id: 1, addrs: [192.168.33.21, 192.168.22.21{}] }}\n  t3022cent: {{ id: 2, addrs: [192.168.33.22, 192.168.22.22{}] }}\nquorum: {{ two_node: true }}\n{extra}",
            l2("21"),
            l2("22")
        ))
    }

    fn nodes(a: Vec<(&'static str, Output)>, b: Vec<(&'static str, Output)>) -> (NodeFiles, Rc<Script>, Rc<Script>) {
        let (a, b) = (Rc::new(Script::new(a)), Rc::new(Script::new(b)));
        let nodes = vec![
            ("t3021cent".to_string(), NodeRunner::Fake(FakeNode(a.clone()), "t3021cent".into())),
            ("t3022cent".to_string(), NodeRunner::Fake(FakeNode(b.clone()), "t3022cent".into())),
        ];
        (NodeFiles { nodes }, a, b)
    }

    /// The programs each node was asked to run, with the text written by each `sh` (a write).
    fn asked(s: &Script) -> Vec<String> {
        s.seen
            .borrow()
            .iter()
            .map(|c| match c.argv[0].as_str() {
                "sh" => {
                    format!("write {}", String::from_utf8_lossy(c.stdin.as_deref().unwrap()).matches("_addr").count())
                }
                _ => c.argv.join(" "),
            })
            .collect()
    }

    #[test]
    fn a_token_change_is_one_identical_write_per_node_and_one_reload() {
        let m = reference("corosync: { totem: { token: 5000 } }\n", false);
        let (t, a, b) = nodes(
            vec![("cat", ok(CONF)), ("sh", ok("")), ("corosync-cfgtool", ok("")), ("cat", ok(""))],
            vec![("cat", ok(CONF)), ("sh", ok(""))],
        );
        let w = block(corosync_work(t, &m)).unwrap();
        assert!(w.refused.is_empty() && w.drift.is_empty(), "{:?}", w.refused);
        let e = block(push_corosync(&w, &|_| {})).unwrap_err();
        // The fakes answer the read-back with an empty file: that is named, not taken as done.
        assert!(matches!(e, Error::CorosyncDiffers { .. }), "{e}");
        assert_eq!(
            asked(&a),
            ["cat /etc/corosync/corosync.conf", "write 4", "corosync-cfgtool -R", "cat /etc/corosync/corosync.conf"]
        );
        assert_eq!(asked(&b), ["cat /etc/corosync/corosync.conf", "write 4"]);
        assert!(a.is_done() && b.is_done());
        let sent = a.seen.borrow()[1].stdin.clone().unwrap();
        assert_eq!(sent, b.seen.borrow()[1].stdin.clone().unwrap());
        assert!(String::from_utf8(sent).unwrap().contains("    token: 5000\n"));
    }

    #[test]
    fn a_new_link_is_added_like_pcs_and_checked_back() {
        let m = reference("", true);
        let want = crate::corosync::reconcile(&crate::corosync::parse("c", CONF).unwrap(), &m).text;
        let (t, a, b) = nodes(
            vec![("cat", ok(CONF)), ("sh", ok("")), ("corosync-cfgtool", ok("")), ("cat", ok(&want))],
            vec![("cat", ok(CONF)), ("sh", ok("")), ("cat", ok(&want))],
        );
        let w = block(corosync_work(t, &m)).unwrap();
        assert_eq!(w.steps.added, [2]);
        let lines = std::cell::RefCell::new(Vec::new());
        block(push_corosync(&w, &|l| lines.borrow_mut().push(l.to_string()))).unwrap();
        assert_eq!(asked(&a)[1..3], ["write 6", "corosync-cfgtool -R"]);
        assert!(a.is_done() && b.is_done());
        assert!(
            lines.borrow()[0].starts_with("corosync.conf: adding knet link(s) [2] on t3021cent, t3022cent"),
            "{:?}",
            lines.borrow()
        );
    }

    #[test]
    fn a_readdressed_link_is_removed_then_added_back() {
        let m = model("cluster: clst-01\nnodes:\n  t3021cent: { id: 1, addrs: [192.168.33.21, 192.168.55.21] }\n  t3022cent: { id: 2, addrs: [192.168.33.22, 192.168.55.22] }\n");
        let want = crate::corosync::reconcile(&crate::corosync::parse("c", CONF).unwrap(), &m).text;
        let (t, a, b) = nodes(
            vec![
                ("cat", ok(CONF)),
                ("sh", ok("")),
                ("corosync-cfgtool", ok("")),
                ("sh", ok("")),
                ("corosync-cfgtool", ok("")),
                ("cat", ok(&want)),
            ],
            vec![("cat", ok(CONF)), ("sh", ok("")), ("sh", ok("")), ("cat", ok(&want))],
        );
        let w = block(corosync_work(t, &m)).unwrap();
        assert_eq!((w.steps.readdressed.as_slice(), w.steps.kept.as_slice()), (&[1][..], &[0][..]));
        block(push_corosync(&w, &|_| {})).unwrap();
        assert_eq!(
            asked(&a),
            [
                "cat /etc/corosync/corosync.conf",
                "write 2",
                "corosync-cfgtool -R",
                "write 4",
                "corosync-cfgtool -R",
                "cat /etc/corosync/corosync.conf"
            ]
        );
        assert!(a.is_done() && b.is_done());
    }

    #[test]
    fn full_stop_node_and_every_link_changes_are_refused_before_anything_is_written() {
        let m = model("cluster: clst-09\nnodes:\n  t3021cent: { id: 1, addrs: [10.1.0.21] }\n  t3023cent: { id: 3, addrs: [10.1.0.23] }\n");
        let (t, a, b) = nodes(vec![("cat", ok(CONF))], vec![("cat", ok(CONF))]);
        let w = block(corosync_work(t, &m)).unwrap();
        let all = w.refused.join("\n");
        assert!(
            w.full_stop.join("\n").contains("`totem.cluster_name` needs the whole cluster stopped"),
            "{:?}",
            w.full_stop
        );
        assert!(all.contains("nodes join (t3023cent) and leave (t3022cent) in one apply"), "{all}");
        assert!(all.contains("every knet link would change at once"), "{all}");
        assert_eq!(asked(&a).len() + asked(&b).len(), 2, "only the reads");
    }

    #[test]
    fn drift_between_nodes_is_reported_and_fixed_with_the_file_most_nodes_hold() {
        let m = reference("", false);
        let other = CONF.replace("    two_node: 1\n", "    two_node: 1\n    expected_votes: 2\n");
        let (t, a, b) = nodes(
            vec![("cat", ok(CONF)), ("sh", ok("")), ("corosync-cfgtool", ok("")), ("cat", ok(CONF))],
            vec![("cat", ok(&other)), ("sh", ok("")), ("cat", ok(CONF))],
        );
        let w = block(corosync_work(t, &m)).unwrap();
        assert_eq!(w.drift, ["t3022cent"]);
        assert!(!w.is_empty() && w.changes.is_empty());
        let report = drift_report(&w).join("\n");
        assert!(report.contains("corosync.conf on `t3022cent` differs from the one on `t3021cent`"), "{report}");
        assert!(report.contains("-    expected_votes: 2"), "{report}");
        block(push_corosync(&w, &|_| {})).unwrap();
        assert_eq!(b.seen.borrow()[1].stdin.as_deref(), Some(CONF.as_bytes()));
        assert!(a.is_done() && b.is_done());
    }

    #[test]
    fn a_failed_write_says_what_was_written() {
        let m = reference("corosync: { totem: { token: 5000 } }\n", false);
        let denied = Output { code: 1, stdout: Vec::new(), stderr: "mv: cannot move: Read-only file system".into() };
        let (t, _a, b) = nodes(vec![("cat", ok(CONF)), ("sh", ok(""))], vec![("cat", ok(CONF)), ("sh", denied)]);
        let w = block(corosync_work(t, &m)).unwrap();
        let e = block(push_corosync(&w, &|_| {})).unwrap_err();
        assert_eq!(e.written(), crate::backend::Written::Yes);
        let msg = e.to_string();
        assert!(msg.starts_with("corosync.conf was written to `t3021cent` but not to `t3022cent`"), "{msg}");
        assert!(msg.contains("corosync was not reloaded"), "{msg}");
        assert!(b.is_done());
    }

    #[test]
    fn an_unreachable_node_is_noted_and_blocks_only_a_change() {
        let gone = Output {
            code: 255,
            stdout: Vec::new(),
            stderr: "ssh: connect to host t3022cent port 22: Connection refused".into(),
        };
        let (t, _a, _b) = nodes(vec![("cat", ok(CONF))], vec![("cat", gone.clone())]);
        let w = block(corosync_work(t, &reference("", false))).unwrap();
        assert!(w.is_empty() && w.refused.is_empty(), "{:?}", w.refused);
        assert!(
            drift_report(&w)[0].starts_with("note: corosync.conf not compared on `t3022cent`"),
            "{:?}",
            drift_report(&w)
        );
        let (t, _a, _b) = nodes(vec![("cat", ok(CONF))], vec![("cat", gone)]);
        let w = block(corosync_work(t, &reference("corosync: { totem: { token: 5000 } }\n", false))).unwrap();
        assert!(w.refused.iter().any(|r| r.contains("only when every node's can be read")), "{:?}", w.refused);
    }

    #[test]
    fn a_full_stop_change_stops_every_node_before_writing_and_starts_in_pcs_order() {
        let m = reference("corosync: { totem: { crypto_cipher: aes128 } }\n", false);
        let want = crate::corosync::reconcile(&crate::corosync::parse("c", CONF).unwrap(), &m).text;
        let mut answers = vec![("cat", ok(CONF)), ("cat", ok(CONF))];
        answers.extend(std::iter::repeat_with(|| ("systemctl", ok(""))).take(4));
        answers.extend([("sh", ok("")), ("sh", ok(""))]);
        answers.extend(std::iter::repeat_with(|| ("systemctl", ok(""))).take(4));
        answers.extend([("cat", ok(&want)), ("cat", ok(&want))]);
        // One script for both nodes: it records the order across them.
        let s = Rc::new(Script::new(answers));
        let nodes =
            ["t3021cent", "t3022cent"].map(|n| (n.to_string(), NodeRunner::Fake(FakeNode(s.clone()), n.into())));
        let w = block(corosync_work(NodeFiles { nodes: nodes.to_vec() }, &m)).unwrap();
        assert!(w.refused.is_empty(), "{:?}", w.refused);
        assert!(w.full_stop[0].contains("pass --allow-cluster-restart"), "{:?}", w.full_stop);
        block(push_corosync(&w, &|_| {})).unwrap();
        let order: Vec<String> = asked(&s).into_iter().filter(|c| !c.starts_with("cat")).collect();
        assert_eq!(
            order,
            [
                "systemctl stop pacemaker",
                "systemctl stop pacemaker",
                "systemctl stop corosync",
                "systemctl stop corosync",
                "write 4",
                "write 4",
                "systemctl start corosync",
                "systemctl start corosync",
                "systemctl start pacemaker",
                "systemctl start pacemaker"
            ]
        );
        assert!(s.is_done(), "no reload: corosync starts with the new file");
    }

    /// `--pcsd` given: corosync.conf goes through pcsd, to the nodes corosync.conf names, even
    /// with an ssh target at hand (no silent other way), and apply says so.
    #[test]
    fn with_pcsd_the_corosync_transport_is_pcsd_on_every_node() {
        use crate::backend::pcsd::{PasswordSource, Pcsd, PcsdTarget, Settings};
        let dir = tempfile::tempdir().unwrap();
        let settings = std::sync::Arc::new(Settings::new(dir.path(), None, PasswordSource::None));
        let pcsd = Pcsd::new(PcsdTarget::parse("pcsd://t3021cent").unwrap(), settings);
        let target = Target::parse("ssh://t3021cent,t3022cent").unwrap();
        let backend = Backend::new(target, false).with_pcsd(Some(pcsd));
        let current = crate::backend::ConfText { name: "c".into(), text: CONF.into() };
        let t = block(corosync_transport(&backend, Some(&current), None)).unwrap().unwrap();
        let Transport::Pcsd(p) = &t else { panic!("{t:?}") };
        assert_eq!(p.nodes, ["t3021cent", "t3022cent"]);
        assert_eq!(t.via(), "pcsd on t3021cent, t3022cent");
        let t = block(corosync_transport(&backend.with_pcsd(None), Some(&current), None)).unwrap().unwrap();
        assert!(t.via().starts_with("commands on each node ("), "{}", t.via());
    }

    /// No node's file can be read through pcsd: each node's reason, in pcsd's words.
    #[test]
    fn no_readable_node_names_each_nodes_reason() {
        use crate::backend::pcsd::conf_nodes::PcsdNodes;
        use crate::backend::pcsd::{PasswordSource, Pcsd, PcsdTarget, Secret, Settings};
        let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        let settings = std::sync::Arc::new(Settings::new(dir.path(), None, PasswordSource::Given(Secret::new("pw"))));
        let pcsd = Pcsd::new(PcsdTarget::parse(&format!("pcsd://127.0.0.1:{dead}")).unwrap(), settings);
        let t = PcsdNodes { pcsd, nodes: vec!["127.0.0.1".into()] };
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let e = rt.block_on(corosync_work(t, &reference("", false))).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("no node could be reached: 127.0.0.1: pcsd is not reachable at 127.0.0.1:{dead}")),
            "{e}"
        );
    }

    /// The safety net behind validation: a value that would add lines to corosync.conf (here a
    /// node name with a line break, which validation refuses) is never written.
    #[test]
    fn a_file_that_does_not_read_back_as_planned_is_refused() {
        let mut m = reference("", false);
        m.nodes[1].name = "t3022cent\n    }\n    quorum {\n        two_node: 0".into();
        let (t, a, b) = nodes(vec![("cat", ok(CONF))], vec![("cat", ok(CONF))]);
        let w = block(corosync_work(t, &m)).unwrap();
        assert!(w.refused.iter().any(|r| r.contains("does not read back as the cluster file says")), "{:?}", w.refused);
        assert!(a.is_done() && b.is_done());
    }
}
