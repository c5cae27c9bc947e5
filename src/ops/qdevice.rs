//! A corosync quorum device (model `net`, corosync-qnetd) added, moved to another qnetd host or
//! removed on a running cluster, in the order `pcs quorum device add`/`remove` take
//! (pcs/lib/commands/quorum.py):
//!
//! - add: the qnetd host's CA certificate; a client certificate store on every node; one
//!   node's certificate request signed by qnetd, turned into a PKCS#12 file there and imported
//!   on every node; corosync-qdevice enabled; then (only then) the same corosync.conf with the
//!   device on every node and one reload; corosync-qdevice started on every node. A failure in
//!   the certificate steps leaves corosync.conf as it was (the stores made are removed again).
//! - remove: corosync-qdevice disabled and stopped on every node, the client stores removed,
//!   then the same corosync.conf without the device (`two_node` back with two nodes), one
//!   reload.
//! - another qnetd host: corosync-qdevice stopped, new certificates from the new host, the
//!   file, one reload, corosync-qdevice started.
//! - another algorithm (`pcs quorum device update`): the file, one reload, then
//!   corosync-qdevice stopped on every node and started on every node (it does not follow the
//!   reload by itself; measured: it keeps the old algorithm).
//!
//! Before anything is written (`device_refusals`, `qnetd_ready`): the qnetd host answers with
//! its CA certificate (qnetd set up and running). What corosync.conf becomes is
//! `corosync::reconcile`'s job; the steps on one host are `backend::qdevice`'s. Through pcsd
//! (`--pcsd`) the same procedures are pcs's own requests (`ops::qdevice_pcsd`).

use super::membership::{push_error, Steps};
use super::*;
use crate::backend::corosync::{self as seam, ConfNodes, NodeFiles};
use crate::backend::members::Membership;
use crate::backend::qdevice::{qnetd_runner, Qnetd};
use crate::corosync as conf;
use crate::model::QuorumDevice;

/// What the quorum device needs beyond writing corosync.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceWork {
    Add(QuorumDevice),
    /// To another qnetd host (or model): new certificates.
    Move(QuorumDevice),
    /// Another algorithm: the file, one reload, corosync-qdevice restarted (pcs's "qdevice
    /// client reload": it does not follow the reload by itself).
    Update(QuorumDevice),
    Remove(QuorumDevice),
}

impl DeviceWork {
    pub(super) fn host(&self) -> &str {
        match self {
            DeviceWork::Add(d) | DeviceWork::Move(d) | DeviceWork::Update(d) | DeviceWork::Remove(d) => &d.host,
        }
    }

    fn what(&self) -> String {
        match self {
            DeviceWork::Add(d) => format!("the quorum device (qnetd on `{}`) being added", d.host),
            DeviceWork::Move(d) => format!("the quorum device moving to qnetd on `{}`", d.host),
            DeviceWork::Update(d) => format!("the quorum device (qnetd on `{}`) being updated", d.host),
            DeviceWork::Remove(d) => format!("the quorum device (qnetd on `{}`) being removed", d.host),
        }
    }
}

fn device_of(text: &str) -> Option<QuorumDevice> {
    conf::parse("corosync.conf", text).ok().and_then(|t| conf::Facts::from_conf(&t).device)
}

/// The device procedure from `base` to `new_text`; `None` when the device stays as it is.
pub fn device_work(base: &str, new_text: &str) -> Option<DeviceWork> {
    match (device_of(base), device_of(new_text)) {
        (None, Some(d)) => Some(DeviceWork::Add(d)),
        (Some(d), None) => Some(DeviceWork::Remove(d)),
        (Some(h), Some(d)) if h.host != d.host || h.model != d.model => Some(DeviceWork::Move(d)),
        (Some(h), Some(d)) if h != d => Some(DeviceWork::Update(d)),
        _ => None,
    }
}

/// When the file changes corosync.conf's quorum device (added, moved, updated, removed): the
/// hosts besides the nodes whose pcsd the change needs (the qnetd host, when the device is
/// added or moved: it signs each node's certificate). pcsd is then chosen by default
/// (`default_pcsd`) only when it answers on the nodes and these hosts with the tokens held;
/// otherwise the device is set up over ssh. `None`: the device stays as it is.
pub fn device_pcsd_hosts(model: &Cluster, current: &crate::backend::ConfText) -> Option<Vec<String>> {
    let tree = conf::parse(&current.name, &current.text).ok()?;
    Some(match device_work(&current.text, &conf::reconcile(&tree, model).text)? {
        work @ (DeviceWork::Add(_) | DeviceWork::Move(_)) => vec![work.host().to_string()],
        DeviceWork::Update(_) | DeviceWork::Remove(_) => Vec::new(),
    })
}

/// Why the device cannot change in this apply (empty: it can).
pub fn device_refusals(model: &Cluster, base: &str, work: Option<&DeviceWork>, others: bool) -> Vec<String> {
    let mut out = Vec::new();
    let have = device_of(base);
    if have.is_some() && model.quorum.device.is_none() && !model.quorum.no_device && model.quorum.two_node == Some(true)
    {
        out.push("corosync.conf has a quorum device, which does not go with the file's `two_node: true`: write `device: none` under `quorum` to remove the device (as `pcs quorum device remove`), or drop `two_node`".into());
    }
    if work.is_some() && others {
        out.push("the quorum device changes together with nodes joining or leaving, knet links or a full-stop change: change the quorum device in its own apply".into());
    }
    out
}

/// Ask the qnetd host for its CA certificate before anything is written (read only): the
/// reason it cannot serve, if it cannot.
pub async fn qnetd_ready<T: ConfNodes>(t: &T, work: Option<&DeviceWork>) -> Vec<String> {
    let Some(work @ (DeviceWork::Add(_) | DeviceWork::Move(_))) = work else { return Vec::new() };
    let host = work.host();
    let nodes = match t.membership() {
        Membership::Steps(nodes) => nodes,
        Membership::Pcsd(p) => return super::qdevice_pcsd::qnetd_ready(p, host).await,
        Membership::FileOnly => return Vec::new(),
    };
    match Qnetd(qnetd_runner(nodes, host)).ca().await {
        Ok(_) => Vec::new(),
        Err(e) => vec![format!("the qnetd host `{host}` cannot serve the quorum device: {}", short(e))],
    }
}

/// A failed step in the host's own words: the scripts themselves say nothing to the admin.
fn short(e: BackendError) -> String {
    match e {
        BackendError::Command { place, code, stderr, .. } => format!("{place}: {stderr} (exit code {code})"),
        e => e.to_string(),
    }
}

/// Add, move or remove the device (`work`); then every node holds `w.new_text`.
///
/// # Errors
/// `NodeChange`: the steps done and the one that failed.
pub async fn change_device<T: ConfNodes>(
    w: &CorosyncWork<T>,
    work: &DeviceWork,
    progress: &dyn Fn(&str),
) -> Result<(), Error> {
    let mut log = Steps { done: Vec::new(), what: work.what(), progress };
    let r = match w.transport.membership() {
        Membership::Steps(nodes) => by_steps(nodes, w, work, &mut log).await,
        Membership::Pcsd(p) => match cluster_name(&w.base) {
            Ok(cluster) => super::qdevice_pcsd::by_pcsd(p, w, work, &cluster, &mut log).await,
            Err(e) => Err(e),
        },
        Membership::FileOnly => {
            let pushed = seam::push(&w.transport, &w.new_text).await;
            log.step(pushed.map(drop).map_err(|e| push_error(&e)), "corosync.conf written")
        }
    };
    r.map_err(|cause| Error::NodeChange { what: log.what, done: log.done, cause })
}

/// The cluster's name in corosync.conf (the certificates are signed for it).
fn cluster_name(base: &str) -> Result<String, String> {
    conf::parse("corosync.conf", base)
        .ok()
        .and_then(|c| conf::Facts::from_conf(&c).cluster_name)
        .ok_or_else(|| "corosync.conf names no cluster (`totem.cluster_name`)".into())
}

async fn by_steps<T>(t: &NodeFiles, w: &CorosyncWork<T>, work: &DeviceWork, log: &mut Steps<'_>) -> Result<(), String> {
    let nodes = t.nodes();
    let cluster = cluster_name(&w.base)?;
    let q = Qnetd(qnetd_runner(t, work.host()));
    match work {
        DeviceWork::Add(d) => {
            (log.progress)(&format!(
                "corosync.conf: adding the quorum device (qnetd on {}) as `pcs quorum device add`",
                d.host
            ));
            if let Err(e) = certificates(t, &q, work.host(), &cluster, log).await {
                undo_stores(t, &nodes, log).await;
                return Err(e);
            }
            each(t, &nodes, "enable", log).await?;
            push(t, w, log).await?;
            each(t, &nodes, "start", log).await
        }
        DeviceWork::Move(d) => {
            (log.progress)(&format!("corosync.conf: moving the quorum device to qnetd on {}", d.host));
            each(t, &nodes, "stop", log).await?;
            certificates(t, &q, work.host(), &cluster, log).await?;
            push(t, w, log).await?;
            each(t, &nodes, "start", log).await
        }
        DeviceWork::Update(d) => {
            (log.progress)(&format!(
                "corosync.conf: updating the quorum device (qnetd on {}) as `pcs quorum device update`",
                d.host
            ));
            push(t, w, log).await?;
            // pcs's "qdevice client reload": stopped on every node, then started on every node.
            each(t, &nodes, "stop", log).await?;
            each(t, &nodes, "start", log).await
        }
        DeviceWork::Remove(d) => {
            (log.progress)(&format!(
                "corosync.conf: removing the quorum device (qnetd on {}) as `pcs quorum device remove`",
                d.host
            ));
            each(t, &nodes, "disable", log).await?;
            each(t, &nodes, "stop", log).await?;
            for n in &nodes {
                log.step(
                    t.qdevice_destroy(n).await.map_err(short),
                    &format!("qdevice client certificates removed on {n}"),
                )?;
            }
            push(t, w, log).await
        }
    }
}

/// pcs's `set_up_client_certificates`: CA, stores, one request signed, PKCS#12 on every node.
async fn certificates(t: &NodeFiles, q: &Qnetd, host: &str, cluster: &str, log: &mut Steps<'_>) -> Result<(), String> {
    let nodes = t.nodes();
    let first = nodes.first().ok_or("no node")?;
    let ca = q.ca().await.map_err(short)?;
    log.step(Ok::<(), String>(()), &format!("qnetd CA certificate read from {host}"))?;
    for n in &nodes {
        log.step(
            t.qdevice_init(n, &ca).await.map_err(short),
            &format!("qdevice client certificate store initialized on {n}"),
        )?;
    }
    let request = t.qdevice_request(first, cluster).await.map_err(short)?;
    let signed = q.sign(&request, cluster).await.map_err(short)?;
    log.step(
        Ok::<(), String>(()),
        &format!("certificate request of {first} signed by qnetd on {host} (cluster {cluster})"),
    )?;
    let pk12 = t.qdevice_pk12(first, &signed).await.map_err(short)?;
    for n in &nodes {
        log.step(
            t.qdevice_import(n, &pk12).await.map_err(short),
            &format!("qdevice client certificate and key imported on {n}"),
        )?;
    }
    Ok(())
}

/// After a failed add: the client stores removed again (best effort, said).
async fn undo_stores(t: &NodeFiles, nodes: &[String], log: &mut Steps<'_>) {
    if log.done.is_empty() {
        return;
    }
    for n in nodes {
        match t.qdevice_destroy(n).await {
            Ok(()) => (log.progress)(&format!("  qdevice client certificate store removed again on {n}")),
            Err(e) => (log.progress)(&format!("  warning: the qdevice client store on {n} was not removed ({e})")),
        }
    }
    (log.progress)("  corosync.conf was not changed");
}

async fn each(t: &NodeFiles, nodes: &[String], action: &str, log: &mut Steps<'_>) -> Result<(), String> {
    let done = match action {
        "enable" => "enabled",
        "disable" => "disabled",
        "start" => "started",
        _ => "stopped",
    };
    for n in nodes {
        log.step(t.qdevice_service(n, action).await.map_err(short), &format!("corosync-qdevice {done} on {n}"))?;
    }
    Ok(())
}

/// The same corosync.conf on every node of `t`, one reload.
pub(super) async fn push<C: ConfNodes, T>(t: &C, w: &CorosyncWork<T>, log: &mut Steps<'_>) -> Result<(), String> {
    let pushed = seam::push(t, &w.new_text).await.map_err(|e| push_error(&e))?;
    let reloaded = pushed.reloaded_on.unwrap_or_else(|| "no node".into());
    log.step(
        Ok::<(), String>(()),
        &format!("corosync.conf written to {}; corosync reloaded (on {reloaded})", pushed.nodes.join(", ")),
    )
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::backend::corosync::NodeRunner;
    use crate::backend::fake::{answer as ok, block, FakeNode, Script};
    use crate::backend::runner::Output;
    use std::cell::RefCell;
    use std::rc::Rc;

    pub(crate) const CONF: &str = include_str!("../../tests/fixtures/corosync/knet-two-node.conf");

    pub(crate) fn model(quorum: &str) -> Cluster {
        let yaml = format!("cluster: clst-01\nnodes:\n  t3021cent: {{ id: 1, addrs: [192.168.33.21, 192.168.22.21] }}\n  t3022cent: {{ id: 2, addrs: [192.168.33.22, 192.168.22.22] }}\n{quorum}");
        let (src, raw) = crate::config::parse("t.yaml", yaml.as_bytes()).unwrap();
        crate::validate::validate(&src, &raw).unwrap().0
    }

    pub(crate) fn planned(from: &str, m: &Cluster) -> String {
        conf::reconcile(&conf::parse("c", from).unwrap(), m).text
    }

    /// Both nodes and the qnetd host answer from one script, so it records the order across them.
    fn cluster(answers: Vec<(&'static str, Output)>) -> (NodeFiles, Rc<Script>) {
        let s = Rc::new(Script::new(answers));
        let nodes =
            ["t3021cent", "t3022cent"].map(|n| (n.to_string(), NodeRunner::Fake(FakeNode(s.clone()), n.into())));
        (NodeFiles { nodes: nodes.to_vec() }, s)
    }

    /// Each step: the script's name for a shell script, else the command.
    fn steps(s: &Script) -> Vec<String> {
        s.seen.borrow().iter().map(|c| if c.argv[0] == "sh" { c.argv[3].clone() } else { c.argv.join(" ") }).collect()
    }

    fn stdin_of(s: &Script, step: &str) -> Vec<String> {
        s.seen
            .borrow()
            .iter()
            .filter(|c| c.argv.get(3).map(String::as_str) == Some(step))
            .map(|c| String::from_utf8_lossy(c.stdin.as_deref().unwrap_or_default()).into_owned())
            .collect()
    }

    fn run(t: NodeFiles, m: &Cluster) -> (Result<(), Error>, Vec<String>) {
        let w = block(corosync_work(t, m)).unwrap();
        assert!(w.refused.is_empty(), "{:?}", w.refused);
        let lines = RefCell::new(Vec::new());
        let r = block(push_corosync(&w, &|l| lines.borrow_mut().push(l.to_string())));
        (r, lines.into_inner())
    }

    fn twice(a: &'static str) -> [(&'static str, Output); 2] {
        [(a, ok("")), (a, ok(""))]
    }

    /// pcs's order: certificates on every node before corosync.conf changes; enabled before,
    /// started after the reload. The PKCS#12 file (key) goes from stdout to stdin, never shown.
    #[test]
    fn a_device_is_added_certificates_first_then_the_file_then_started() {
        let m = model("quorum:\n  device: { model: net, host: qnetd, algorithm: ffsplit }\n");
        let want = planned(CONF, &m);
        assert!(want.contains("host: qnetd") && !want.contains("two_node"), "{want}");
        assert!(want.contains("        votes: 1\n"), "ffsplit needs `votes: 1`, as pcs writes it: {want}");
        let mut a = vec![("cat", ok(CONF)), ("cat", ok(CONF)), ("sh", ok("CA")), ("sh", ok("CA"))];
        a.extend(twice("sh"));
        a.extend([("sh", ok("REQ")), ("sh", ok("SIGNED")), ("sh", ok("PK12KEY"))]);
        a.extend(twice("sh"));
        a.extend(twice("systemctl"));
        a.extend(twice("sh"));
        a.push(("corosync-cfgtool", ok("")));
        a.extend(twice("systemctl"));
        a.extend([("cat", ok(&want)), ("cat", ok(&want))]);
        let (t, s) = cluster(a);
        let (r, lines) = run(t, &m);
        r.unwrap();
        assert!(s.is_done());
        assert_eq!(
            steps(&s),
            [
                "cat /etc/corosync/corosync.conf",
                "cat /etc/corosync/corosync.conf",
                "cibform-qnetd-ca",
                "cibform-qnetd-ca",
                "cibform-qdevice-init",
                "cibform-qdevice-init",
                "cibform-qdevice-request",
                "cibform-qnetd-sign",
                "cibform-qdevice-pk12",
                "cibform-qdevice-import",
                "cibform-qdevice-import",
                "systemctl enable corosync-qdevice",
                "systemctl enable corosync-qdevice",
                "cibform-write-corosync-conf",
                "cibform-write-corosync-conf",
                "corosync-cfgtool -R",
                "systemctl start corosync-qdevice",
                "systemctl start corosync-qdevice",
                "cat /etc/corosync/corosync.conf",
                "cat /etc/corosync/corosync.conf"
            ]
        );
        assert_eq!(stdin_of(&s, "cibform-qdevice-init"), ["CA", "CA"]);
        assert_eq!(stdin_of(&s, "cibform-qnetd-sign"), ["REQ"]);
        assert_eq!(stdin_of(&s, "cibform-qdevice-pk12"), ["SIGNED"]);
        assert_eq!(stdin_of(&s, "cibform-qdevice-import"), ["PK12KEY", "PK12KEY"]);
        assert!(s.seen.borrow()[7].argv.ends_with(&["-n".to_string(), "clst-01".to_string()]));
        let said = lines.join("\n");
        assert!(said.contains("certificate request of t3021cent signed by qnetd on qnetd (cluster clst-01)"), "{said}");
        assert!(said.contains("corosync-qdevice started on t3022cent"), "{said}");
        assert!(!said.contains("PK12KEY") && !said.contains("SIGNED"), "{said}");
    }

    /// Another qnetd host: corosync-qdevice stopped, new certificates, the file, started.
    #[test]
    fn a_new_qnetd_host_gets_new_certificates_between_stop_and_start() {
        let before = planned(CONF, &model("quorum:\n  device: { model: net, host: qnetd }\n"));
        let m = model("quorum:\n  device: { model: net, host: qnetd2 }\n");
        let want = planned(&before, &m);
        let mut a = vec![("cat", ok(&before)), ("cat", ok(&before)), ("sh", ok("CA2"))];
        a.extend(twice("systemctl"));
        a.push(("sh", ok("CA2")));
        a.extend(twice("sh"));
        a.extend([("sh", ok("REQ")), ("sh", ok("SIGNED")), ("sh", ok("PK12KEY"))]);
        a.extend(twice("sh"));
        a.extend(twice("sh"));
        a.push(("corosync-cfgtool", ok("")));
        a.extend(twice("systemctl"));
        a.extend([("cat", ok(&want)), ("cat", ok(&want))]);
        let (t, s) = cluster(a);
        run(t, &m).0.unwrap();
        assert!(s.is_done());
        let order = steps(&s);
        assert_eq!(order[3..5], ["systemctl stop corosync-qdevice", "systemctl stop corosync-qdevice"]);
        assert_eq!(order[5], "cibform-qnetd-ca");
        assert_eq!(order[13], "cibform-write-corosync-conf");
        assert_eq!(order[16..18], ["systemctl start corosync-qdevice", "systemctl start corosync-qdevice"]);
        assert!(want.contains("host: qnetd2"), "{want}");
    }

    /// Only the algorithm changes: the file, one reload, then corosync-qdevice restarted on
    /// every node (`pcs quorum device update`); no certificate step.
    #[test]
    fn an_algorithm_change_is_one_write_one_reload_and_a_qdevice_restart() {
        let before = planned(CONF, &model("quorum:\n  device: { model: net, host: qnetd, algorithm: ffsplit }\n"));
        let m = model("quorum:\n  device: { model: net, host: qnetd, algorithm: lms }\n");
        let want = planned(&before, &m);
        assert!(want.contains("algorithm: lms"), "{want}");
        assert!(!want.contains("votes"), "no `votes` with lms, as pcs keeps it: {want}");
        let (t, s) = cluster(update_answers(&before, &want));
        let w = block(corosync_work(t, &m)).unwrap();
        assert!(w.changes[0].procedure.starts_with("`pcs quorum device update` (algorithm"), "{:?}", w.changes);
        block(push_corosync(&w, &|_| {})).unwrap();
        assert!(s.is_done());
        assert_eq!(steps(&s)[2..9], UPDATE_STEPS);
    }

    /// What the nodes run for `pcs quorum device update`, after reading their files: the file
    /// on each, one reload, corosync-qdevice stopped and started on each.
    const UPDATE_STEPS: [&str; 7] = [
        "cibform-write-corosync-conf",
        "cibform-write-corosync-conf",
        "corosync-cfgtool -R",
        "systemctl stop corosync-qdevice",
        "systemctl stop corosync-qdevice",
        "systemctl start corosync-qdevice",
        "systemctl start corosync-qdevice",
    ];

    /// The two nodes' answers to an update from `from` to `want`: their files read, then
    /// `UPDATE_STEPS`, then the files read back.
    fn update_answers(from: &str, want: &str) -> Vec<(&'static str, Output)> {
        let mut a = vec![("cat", ok(from)), ("cat", ok(from))];
        a.extend(twice("sh"));
        a.push(("corosync-cfgtool", ok("")));
        a.extend(twice("systemctl"));
        a.extend(twice("systemctl"));
        a.extend([("cat", ok(want)), ("cat", ok(want))]);
        a
    }

    /// `device: none`: disabled, stopped, certificates removed, then the file with `two_node`.
    #[test]
    fn device_none_removes_it_in_pcs_order_and_two_node_comes_back() {
        let before = planned(CONF, &model("quorum:\n  device: { model: net, host: qnetd }\n"));
        let m = model("quorum:\n  device: none\n");
        let want = planned(&before, &m);
        assert_eq!(want, CONF, "back to the two-node file");
        let w = block(corosync_work(cluster(vec![("cat", ok(&before)), ("cat", ok(&before))]).0, &m)).unwrap();
        let kinds: Vec<(&str, Option<&str>)> = w.changes.iter().map(|c| (c.key.as_str(), c.after.as_deref())).collect();
        assert_eq!(kinds, [("quorum.two_node", Some("1")), ("quorum.device", None)]);
        assert!(w.changes.iter().all(|c| c.disruption == conf::Disruption::Online), "{:?}", w.changes);
        let mut a = vec![("cat", ok(&before)), ("cat", ok(&before))];
        a.extend(twice("systemctl"));
        a.extend(twice("systemctl"));
        a.extend(twice("rm"));
        a.extend(twice("sh"));
        a.push(("corosync-cfgtool", ok("")));
        a.extend([("cat", ok(&want)), ("cat", ok(&want))]);
        let (t, s) = cluster(a);
        run(t, &m).0.unwrap();
        assert!(s.is_done());
        assert_eq!(
            steps(&s)[2..9],
            [
                "systemctl disable corosync-qdevice",
                "systemctl disable corosync-qdevice",
                "systemctl stop corosync-qdevice",
                "systemctl stop corosync-qdevice",
                "rm -rf -- /etc/corosync/qdevice/net/nssdb",
                "rm -rf -- /etc/corosync/qdevice/net/nssdb",
                "cibform-write-corosync-conf"
            ]
        );
        // Undeclared: the device stays.
        let (t, _) = cluster(vec![("cat", ok(&before)), ("cat", ok(&before))]);
        assert!(block(corosync_work(t, &model(""))).unwrap().is_empty());
    }

    /// The qnetd host cannot be reached: refused at the read stage, nothing written anywhere.
    #[test]
    fn an_unreachable_qnetd_host_is_refused_before_anything_is_written() {
        let m = model("quorum:\n  device: { model: net, host: qnetd-gone }\n");
        let gone = Output {
            code: 255,
            stdout: Vec::new(),
            stderr: "ssh: Could not resolve hostname qnetd-gone: Name or service not known".into(),
        };
        let (t, s) = cluster(vec![("cat", ok(CONF)), ("cat", ok(CONF)), ("sh", gone)]);
        let w = block(corosync_work(t, &m)).unwrap();
        assert_eq!(w.refused.len(), 1, "{:?}", w.refused);
        assert!(
            w.refused[0].starts_with("the qnetd host `qnetd-gone` cannot serve the quorum device: ")
                && w.refused[0].contains("Could not resolve hostname qnetd-gone")
                && w.refused[0].ends_with("(exit code 255)")
                && !w.refused[0].contains("sh -c"),
            "{:?}",
            w.refused
        );
        assert!(s.is_done());
    }

    /// A failure in the certificate steps leaves corosync.conf as it was and removes the stores.
    #[test]
    fn a_failed_signature_changes_no_corosync_conf_and_removes_the_stores() {
        let m = model("quorum:\n  device: { model: net, host: qnetd }\n");
        let refused = Output { code: 3, stdout: Vec::new(), stderr: "Can't open certificate request".into() };
        let mut a = vec![("cat", ok(CONF)), ("cat", ok(CONF)), ("sh", ok("CA")), ("sh", ok("CA"))];
        a.extend(twice("sh"));
        a.extend([("sh", ok("REQ")), ("sh", refused)]);
        a.extend(twice("rm"));
        let (t, s) = cluster(a);
        let (r, lines) = run(t, &m);
        let e = r.unwrap_err().to_string();
        assert!(e.starts_with("the quorum device (qnetd on `qnetd`) being added stopped part-way (done: qnetd CA certificate read from qnetd;"), "{e}");
        assert!(e.contains("Can't open certificate request"), "{e}");
        assert!(s.is_done());
        assert!(!steps(&s).iter().any(|c| c.contains("write-corosync-conf")));
        assert!(lines.join("\n").contains("corosync.conf was not changed"), "{lines:?}");
    }

    /// `device:` takes `none` or a mapping; another word is a located error.
    #[test]
    fn device_takes_none_or_a_mapping() {
        let yaml = "cluster: clst-01\nquorum:\n  device: nope\n";
        let (src, raw) = crate::config::parse("t.yaml", yaml.as_bytes()).unwrap();
        let diags = crate::validate::validate(&src, &raw).unwrap_err();
        let d = diags.iter().find(|d| d.code == "cibform::quorum::device").expect("the device diagnostic");
        assert!(d.message.contains("`nope` is not a quorum device"), "{}", d.message);
        assert_eq!(&yaml[d.labels[0].0.offset..][..4], "nope", "the label is on the word");
        assert!(model("quorum: { device: none }\n").quorum.no_device);
        assert!(!model("quorum: { device: { model: net, host: q } }\n").quorum.no_device);
    }

    /// A device change goes alone; `two_node: true` with an undeclared device names `none`.
    #[test]
    fn a_device_with_other_changes_or_against_two_node_is_refused() {
        let m =
            model("quorum:\n  device: { model: net, host: qnetd }\ncorosync: { totem: { crypto_cipher: aes128 } }\n");
        let (t, s) = cluster(vec![("cat", ok(CONF)), ("cat", ok(CONF))]);
        let w = block(corosync_work(t, &m)).unwrap();
        assert!(w.refused.iter().any(|r| r.contains("change the quorum device in its own apply")), "{:?}", w.refused);
        assert!(s.is_done(), "not even the qnetd host is asked");
        let with = planned(CONF, &model("quorum:\n  device: { model: net, host: qnetd }\n"));
        let (t, _) = cluster(vec![("cat", ok(&with)), ("cat", ok(&with))]);
        let w = block(corosync_work(t, &model("quorum: { two_node: true }\n"))).unwrap();
        assert!(w.refused.iter().any(|r| r.contains("write `device: none`")), "{:?}", w.refused);
    }

    /// Heuristics added to a running device, then removed (`heuristics: none`): each as `pcs
    /// quorum device update` / `heuristics remove` does it: the same file on every node, one
    /// reload, then corosync-qdevice stopped and started on every node (pcs's "qdevice client
    /// reload"); no certificate step, nothing on the qnetd host.
    #[test]
    fn heuristics_added_and_removed_are_one_write_one_reload_and_a_qdevice_restart() {
        let plain = "quorum:\n  device: { model: net, host: qnetd, algorithm: ffsplit }\n";
        let with = "quorum:\n  device:\n    model: net\n    host: qnetd\n    heuristics: { mode: sync, exec_ping: /bin/true }\n";
        let without = "quorum:\n  device: { model: net, host: qnetd, heuristics: none }\n";
        let before = planned(CONF, &model(plain));
        for (from, yaml) in [(before.clone(), with), (planned(&before, &model(with)), without)] {
            let m = model(yaml);
            let want = planned(&from, &m);
            assert_eq!(want.contains("heuristics {"), yaml == with, "{want}");
            assert_eq!(device_work(&from, &want).map(|w| matches!(w, DeviceWork::Update(_))), Some(true));
            let (t, s) = cluster(update_answers(&from, &want));
            let (r, lines) = run(t, &m);
            r.unwrap();
            assert!(s.is_done());
            let read_back = ["cat /etc/corosync/corosync.conf", "cat /etc/corosync/corosync.conf"];
            assert_eq!(steps(&s)[2..], [&UPDATE_STEPS[..], &read_back].concat());
            assert_eq!(stdin_of(&s, "cibform-write-corosync-conf"), [want.clone(), want.clone()]);
            assert!(lines.iter().any(|l| l.contains("as `pcs quorum device update`")), "{lines:?}");
        }
    }
}
