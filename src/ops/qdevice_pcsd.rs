//! Orchestration of a quorum device change through pcsd (`--pcsd`), in the order `pcs quorum
//! device add`/`update`/`remove` take (pcs/lib/commands/quorum.py), each step a pcsd request:
//!
//! - add: the qnetd host and the nodes with their pcsd tokens put in every node's pcsd
//!   known-hosts (as `pcs host auth` and `pcs cluster setup` leave it); on every node, pcs
//!   sets up the node's own client certificates (`quorum.device_net_certificate_setup_local`:
//!   the node's request signed by the qnetd host, the key never leaves the node);
//!   corosync-qdevice enabled; then (only then) the same
//!   corosync.conf on every node and one reload; corosync-qdevice started. A failure in the
//!   certificate steps leaves corosync.conf as it was (the client stores made are destroyed).
//! - remove: corosync-qdevice disabled and stopped, the client certificates destroyed, then the
//!   file and one reload.
//! - another qnetd host: corosync-qdevice stopped, certificates from the new host, the file,
//!   one reload, started. Another algorithm: the file, one reload, stopped and started.
//!
//! Before anything is written (`qnetd_ready`): the qnetd host's pcsd answers, accepts us
//! (token held or the `hacluster` password) and has qnetd's CA certificate. What corosync.conf
//! becomes is `corosync::reconcile`'s job; the requests are `backend::pcsd::qdevice`'s.

use super::membership::Steps;
use super::qdevice::{push, DeviceWork};
use super::CorosyncWork;
use crate::backend::pcsd::conf_nodes::PcsdNodes;
use crate::backend::pcsd::qdevice::{Done, Service};
use crate::backend::pcsd::PcsdError;

/// Why the qnetd host cannot serve the device through pcsd (empty: it can). Read only.
pub(super) async fn qnetd_ready(p: &PcsdNodes, host: &str) -> Vec<String> {
    let ready = async {
        let q = p.pcsd.node(host)?;
        q.check_auth().await?;
        q.qnetd_ca_present().await
    };
    match ready.await {
        Ok(()) => Vec::new(),
        Err(e) => vec![format!("the qnetd host `{host}` cannot serve the quorum device through pcsd: {e}")],
    }
}

/// Add, move, update or remove the device through every node's pcsd.
pub(super) async fn by_pcsd<T>(
    p: &PcsdNodes,
    w: &CorosyncWork<T>,
    work: &DeviceWork,
    cluster: &str,
    log: &mut Steps<'_>,
) -> Result<(), String> {
    let host = work.host();
    match work {
        DeviceWork::Add(_) => {
            (log.progress)(&format!(
                "corosync.conf: adding the quorum device (qnetd on {host}) through pcsd, as `pcs quorum device add`"
            ));
            if let Err(e) = certificates(p, host, cluster, log).await {
                undo_stores(p, log).await;
                return Err(e);
            }
            each(p, Service::Enable, log).await?;
            push(p, w, log).await?;
            each(p, Service::Start, log).await
        }
        DeviceWork::Move(_) => {
            (log.progress)(&format!("corosync.conf: moving the quorum device to qnetd on {host} through pcsd"));
            each(p, Service::Stop, log).await?;
            certificates(p, host, cluster, log).await?;
            push(p, w, log).await?;
            each(p, Service::Start, log).await
        }
        DeviceWork::Update(_) => {
            (log.progress)(&format!(
                "corosync.conf: updating the quorum device (qnetd on {host}) through pcsd, as `pcs quorum device update`"
            ));
            push(p, w, log).await?;
            // pcs's "qdevice client reload": stopped on every node, then started on every node.
            each(p, Service::Stop, log).await?;
            each(p, Service::Start, log).await
        }
        DeviceWork::Remove(_) => {
            (log.progress)(&format!(
                "corosync.conf: removing the quorum device (qnetd on {host}) through pcsd, as `pcs quorum device remove`"
            ));
            each(p, Service::Disable, log).await?;
            each(p, Service::Stop, log).await?;
            for n in &p.nodes {
                log.step(destroy(p, n).await, &format!("qdevice client certificates removed on {n}"))?;
            }
            push(p, w, log).await
        }
    }
}

/// The qnetd host in every node's known-hosts, then each node's own certificates.
///
/// The nodes go into the known-hosts too, with the tokens cibform holds (as `pcs cluster
/// setup` leaves them): on a cluster node pcsd does not write the file itself but sends it to
/// every cluster node (itself included) with the tokens it knows, and a cluster that pcs did
/// not set up has none; measured: the change is answered `200` and nothing is written.
async fn certificates(p: &PcsdNodes, host: &str, cluster: &str, log: &mut Steps<'_>) -> Result<(), String> {
    let mut hosts = Vec::new();
    for name in std::iter::once(host).chain(p.nodes.iter().map(String::as_str)) {
        let shared = async {
            let n = p.pcsd.node(name)?;
            Ok::<_, PcsdError>((name.to_string(), n.endpoint().clone(), n.token_for_sharing().await?))
        };
        hosts.push(shared.await.map_err(|e| e.to_string())?);
    }
    for n in &p.nodes {
        let added = async { p.pcsd.node(n)?.known_hosts_add(&hosts).await };
        log.step(added.await, &format!("qnetd host `{host}` and the nodes added to the pcsd known-hosts of {n}"))?;
    }
    for n in &p.nodes {
        let set_up = async { p.pcsd.node(n)?.qdevice_certificates(host, cluster).await };
        log.step(
            set_up.await,
            &format!(
                "qdevice client certificate of {n} signed by qnetd on {host} (cluster {cluster}) and imported there"
            ),
        )?;
    }
    Ok(())
}

async fn destroy(p: &PcsdNodes, node: &str) -> Result<(), PcsdError> {
    p.pcsd.node(node)?.qdevice_destroy().await
}

/// After a failed add: the client stores removed again once a node may have made one (pcs's
/// setup on the node that failed may have got part-way), best effort, said.
async fn undo_stores(p: &PcsdNodes, log: &mut Steps<'_>) {
    if log.done.iter().filter(|d| d.contains("added to the pcsd known-hosts of")).count() == p.nodes.len() {
        for n in &p.nodes {
            match destroy(p, n).await {
                Ok(()) => (log.progress)(&format!("  qdevice client certificates removed again on {n}")),
                Err(e) => (log.progress)(&format!("  warning: the qdevice client store on {n} was not removed ({e})")),
            }
        }
    }
    (log.progress)("  corosync.conf was not changed");
}

async fn each(p: &PcsdNodes, action: Service, log: &mut Steps<'_>) -> Result<(), String> {
    for n in &p.nodes {
        let done = async { p.pcsd.node(n)?.qdevice_service(action).await };
        match done.await {
            Ok(Done::Done) => log.step(Ok::<(), String>(()), &format!("corosync-qdevice {} on {n}", action.done()))?,
            Ok(Done::Skipped(why)) => {
                log.step(Ok::<(), String>(()), &format!("corosync-qdevice not {} on {n}: {why}", action.done()))?;
            }
            Err(e) => log.step(Err(e), "")?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::qdevice::tests::{model, planned, CONF};
    use super::super::qdevice::{change_device, device_work};
    use super::super::{corosync_work, Cluster, Error};
    use super::*;
    use crate::backend::pcsd::tests::{self as standin, StandIn};
    use crate::backend::pcsd::{Endpoint, PasswordSource, Pcsd, PcsdTarget, Secret, Settings};
    use std::cell::RefCell;
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    /// Two nodes and the qnetd host, each its own pcsd stand-in known by name: the nodes in
    /// cibform's store with a valid token, the qnetd host in pcs's known-hosts with a stale one
    /// (so reaching it takes the `hacluster` password, as a first use does).
    struct Lab {
        a: StandIn,
        b: StandIn,
        q: StandIn,
        p: PcsdNodes,
        _dir: tempfile::TempDir,
    }

    async fn lab(conf: &str, password: &str) -> Lab {
        let (a, b, q) = (
            standin::stand_in(Duration::ZERO).await,
            standin::stand_in(Duration::ZERO).await,
            standin::stand_in(Duration::ZERO).await,
        );
        for s in [&a, &b] {
            *s.seen.conf.lock().unwrap() = Some(conf.to_string());
        }
        let dir = tempfile::tempdir().unwrap();
        let pcs = dir.path().join("pcs-known-hosts");
        let stale = r#"{"token": "stale-token", "dest_list": [{"addr": "127.0.0.1", "port": PORT}]}"#;
        let known = format!(r#"{{"format_version": 1, "data_version": 1, "known_hosts": {{"qnetd": {stale}}}}}"#);
        std::fs::write(&pcs, known.replace("PORT", &q.port.to_string())).unwrap();
        let settings = Settings::new(dir.path(), Some(pcs), PasswordSource::Given(Secret::new(password)));
        let at = |port| Endpoint { host: "127.0.0.1".into(), port };
        settings.tokens.save("t3021cent", &at(a.port), &Secret::new(standin::TOKEN)).unwrap();
        settings.tokens.save("t3022cent", &at(b.port), &Secret::new(standin::TOKEN)).unwrap();
        let target = PcsdTarget::parse(&format!("pcsd://127.0.0.1:{}", a.port)).unwrap();
        let p = PcsdNodes {
            pcsd: Pcsd::new(target, std::sync::Arc::new(settings)),
            nodes: vec!["t3021cent".into(), "t3022cent".into()],
        };
        Lab { a, b, q, p, _dir: dir }
    }

    /// Every request but logins and token checks, as `HOST PATH`, in the order made.
    fn order(l: &Lab) -> Vec<String> {
        let mut all: Vec<(usize, String)> = Vec::new();
        for (name, s) in [("t3021cent", &l.a), ("t3022cent", &l.b), ("qnetd", &l.q)] {
            let seen = s.seen.order.lock().unwrap();
            all.extend(seen.iter().map(|(i, path)| (*i, format!("{name} {path}"))));
        }
        all.sort();
        all.into_iter()
            .map(|(_, r)| r)
            .filter(|r| !r.ends_with("/remote/auth") && !r.ends_with("/check_auth"))
            .collect()
    }

    /// The bodies a stand-in got for `path`.
    fn bodies(s: &StandIn, path: &str) -> Vec<String> {
        let reqs = s.seen.requests.lock().unwrap();
        reqs.iter()
            .filter(|r| r.contains(&format!(" {path} ")))
            .map(|r| r.rsplit(" | ").next().unwrap().into())
            .collect()
    }

    async fn apply(l: &Lab, m: &Cluster) -> (Result<(), Error>, Vec<String>) {
        let w = corosync_work(l.p.clone(), m).await.unwrap();
        assert!(w.refused.is_empty(), "{:?}", w.refused);
        let work = device_work(&w.base, &w.new_text).expect("device work");
        let lines = RefCell::new(Vec::new());
        let r = change_device(&w, &work, &|s| lines.borrow_mut().push(s.to_string())).await;
        (r, lines.into_inner())
    }

    fn no_secret(text: &str) {
        assert!(!text.contains(standin::TOKEN) && !text.contains(standin::PASSWORD), "a secret shows: {text}");
    }

    /// pcs's order through pcsd: the qnetd host checked, its token in every node's
    /// known-hosts, each node's own certificates (API v2), enabled, then the file and one
    /// reload, then started.
    #[test]
    fn a_device_is_added_through_pcsd_in_pcs_order() {
        standin::rt().block_on(async {
            let l = lab(CONF, standin::PASSWORD).await;
            let m = model("quorum:\n  device: { model: net, host: qnetd, algorithm: ffsplit }\n");
            let (r, lines) = apply(&l, &m).await;
            r.unwrap();
            assert_eq!(
                order(&l),
                [
                    "t3021cent /remote/get_corosync_conf",
                    "t3022cent /remote/get_corosync_conf",
                    "qnetd /remote/qdevice_net_get_ca_certificate",
                    "t3021cent /remote/known_hosts_change",
                    "t3022cent /remote/known_hosts_change",
                    "t3021cent /api/v2/task/run",
                    "t3022cent /api/v2/task/run",
                    "t3021cent /remote/qdevice_client_enable",
                    "t3022cent /remote/qdevice_client_enable",
                    "t3021cent /remote/set_corosync_conf",
                    "t3022cent /remote/set_corosync_conf",
                    "t3021cent /remote/reload_corosync_conf",
                    "t3021cent /remote/qdevice_client_start",
                    "t3022cent /remote/qdevice_client_start",
                ]
            );
            let task = bodies(&l.b, "/api/v2/task/run");
            assert_eq!(
                task,
                [r#"{"command_name":"quorum.device_net_certificate_setup_local","params":{"qnetd_host":"qnetd","cluster_name":"clst-01"},"options":{}}"#]
            );
            // The qnetd host's fresh token (from the login) goes to each node, under its name,
            // and the nodes' own (pcsd sends the file to the cluster's nodes with them).
            let hosts = bodies(&l.a, "/remote/known_hosts_change");
            for name in ["qnetd", "t3021cent", "t3022cent"] {
                assert!(hosts[0].contains(&format!("%22{name}%22%3A%7B%22token%22")), "{name}: {hosts:?}");
            }
            assert!(hosts[0].contains(standin::TOKEN), "{hosts:?}");
            for port in [l.q.port, l.a.port, l.b.port] {
                assert!(hosts[0].contains(&format!("%22port%22%3A{port}")), "{hosts:?}");
            }
            assert_eq!(bodies(&l.b, "/remote/known_hosts_change"), hosts);
            let set = bodies(&l.b, "/remote/set_corosync_conf");
            assert_eq!(set, bodies(&l.a, "/remote/set_corosync_conf"), "the same file on every node");
            assert!(set[0].contains("host%3A+qnetd") && !set[0].contains("two_node"), "{set:?}");
            let said = lines.join("\n");
            for step in [
                "corosync.conf: adding the quorum device (qnetd on qnetd) through pcsd, as `pcs quorum device add`",
                "qnetd host `qnetd` and the nodes added to the pcsd known-hosts of t3022cent",
                "qdevice client certificate of t3021cent signed by qnetd on qnetd (cluster clst-01) and imported there",
                "corosync-qdevice not enabled on t3022cent: corosync is not enabled, skipping",
                "corosync reloaded (on 127.0.0.1:",
                "corosync-qdevice started on t3022cent",
            ] {
                assert!(said.contains(step), "{step}:\n{said}");
            }
            no_secret(&said);
        });
    }

    /// Why `corosync_work` refuses to add a device on `qnetd`; nothing asked of a node but its
    /// corosync.conf.
    async fn refused(l: &Lab) -> String {
        let m = model("quorum:\n  device: { model: net, host: qnetd }\n");
        let w = corosync_work(l.p.clone(), &m).await.unwrap();
        let text = w.refused.join("\n");
        no_secret(&text);
        let o = order(l);
        assert!(
            o.iter().all(|r| r.ends_with("get_corosync_conf") || r.starts_with("qnetd ")),
            "nothing asked of a node but its file: {o:?}"
        );
        text
    }

    /// The qnetd host's pcsd down, a wrong password, no qnetd there: refused while reading,
    /// before anything is written anywhere; the reason names the host.
    #[test]
    fn a_qnetd_host_pcsd_cannot_serve_is_refused_before_anything_is_written() {
        standin::rt().block_on(async {
            let l = lab(CONF, "wrong").await;
            let why = refused(&l).await;
            assert!(
                why.starts_with(
                    "the qnetd host `qnetd` cannot serve the quorum device through pcsd: pcsd at 127.0.0.1:"
                ),
                "{why}"
            );
            assert!(why.contains("refused the password of `hacluster`"), "{why}");
            let l = lab(CONF, standin::PASSWORD).await;
            l.q.seen.no_qnetd.store(true, Ordering::SeqCst);
            let why = refused(&l).await;
            assert!(why.contains("Unable to read certificate"), "{why}");
            let mut l = lab(CONF, standin::PASSWORD).await;
            let port = l.q.port;
            l.q = standin::stand_in(Duration::ZERO).await; // the old one is dropped: nothing on its port
            let why = refused(&l).await;
            assert!(why.contains(&format!("pcsd is not reachable at 127.0.0.1:{port}")), "{why}");
        });
    }

    /// A node whose pcs cannot set up its certificates: no corosync.conf written anywhere,
    /// the stores made removed again, and the error says what was done.
    #[test]
    fn a_node_failing_its_certificates_changes_no_corosync_conf() {
        standin::rt().block_on(async {
            let l = lab(CONF, standin::PASSWORD).await;
            l.b.seen.refuse_certificates.store(true, Ordering::SeqCst);
            let m = model("quorum:\n  device: { model: net, host: qnetd }\n");
            let (r, lines) = apply(&l, &m).await;
            let e = r.unwrap_err().to_string();
            assert!(e.starts_with("the quorum device (qnetd on `qnetd`) being added stopped part-way (done: qnetd host `qnetd` and the nodes added to the pcsd known-hosts of t3021cent;"), "{e}");
            assert!(e.contains("qdevice client certificate of t3021cent signed by qnetd on qnetd"), "{e}");
            assert!(e.contains("refused `quorum.device_net_certificate_setup_local`: Unable to connect to qnetd"), "{e}");
            let o = order(&l);
            assert!(!o.iter().any(|r| r.contains("set_corosync_conf") || r.contains("reload") || r.contains("qdevice_client")), "{o:?}");
            assert_eq!(o[o.len() - 2..], ["t3021cent /remote/qdevice_net_client_destroy", "t3022cent /remote/qdevice_net_client_destroy"]);
            assert!(lines.join("\n").contains("corosync.conf was not changed"), "{lines:?}");
            no_secret(&format!("{e}\n{}", lines.join("\n")));
            // The first node fails: it may have a store made part-way, so it is removed too.
            let l = lab(CONF, standin::PASSWORD).await;
            l.a.seen.refuse_certificates.store(true, Ordering::SeqCst);
            let e = apply(&l, &m).await.0.unwrap_err().to_string();
            assert!(e.contains("Unable to connect to qnetd"), "{e}");
            let o = order(&l);
            assert_eq!(
                o[o.len() - 3..],
                [
                    "t3021cent /api/v2/task/run",
                    "t3021cent /remote/qdevice_net_client_destroy",
                    "t3022cent /remote/qdevice_net_client_destroy"
                ]
            );
        });
    }

    /// `device: none`: disabled, stopped, certificates destroyed, then the file; the qnetd host
    /// is not asked anything.
    #[test]
    fn a_device_is_removed_through_pcsd_in_pcs_order() {
        standin::rt().block_on(async {
            let before = planned(CONF, &model("quorum:\n  device: { model: net, host: qnetd }\n"));
            let l = lab(&before, standin::PASSWORD).await;
            apply(&l, &model("quorum:\n  device: none\n")).await.0.unwrap();
            let each = |p: &str| [format!("t3021cent {p}"), format!("t3022cent {p}")];
            let mut want: Vec<String> = each("/remote/get_corosync_conf").into();
            for p in ["/remote/qdevice_client_disable", "/remote/qdevice_client_stop"] {
                want.extend(each(p));
            }
            want.extend(each("/remote/qdevice_net_client_destroy"));
            want.extend(each("/remote/set_corosync_conf"));
            want.push("t3021cent /remote/reload_corosync_conf".into());
            assert_eq!(order(&l), want);
            assert!(bodies(&l.a, "/remote/set_corosync_conf")[0].contains("two_node%3A+1"));
        });
    }

    /// Another algorithm: the file, one reload, then stopped and started on every node.
    /// Another host: stopped, certificates from the new host, the file, started.
    #[test]
    fn an_update_restarts_qdevice_and_a_move_gets_new_certificates() {
        standin::rt().block_on(async {
            let before = planned(CONF, &model("quorum:\n  device: { model: net, host: qnetd, algorithm: ffsplit }\n"));
            let l = lab(&before, standin::PASSWORD).await;
            apply(&l, &model("quorum:\n  device: { model: net, host: qnetd, algorithm: lms }\n")).await.0.unwrap();
            let o = order(&l);
            assert_eq!(
                o[2..],
                [
                    "t3021cent /remote/set_corosync_conf",
                    "t3022cent /remote/set_corosync_conf",
                    "t3021cent /remote/reload_corosync_conf",
                    "t3021cent /remote/qdevice_client_stop",
                    "t3022cent /remote/qdevice_client_stop",
                    "t3021cent /remote/qdevice_client_start",
                    "t3022cent /remote/qdevice_client_start",
                ]
            );
            let moved = planned(CONF, &model("quorum:\n  device: { model: net, host: qnetd-old }\n"));
            let l = lab(&moved, standin::PASSWORD).await;
            apply(&l, &model("quorum:\n  device: { model: net, host: qnetd }\n")).await.0.unwrap();
            let o = order(&l);
            assert_eq!(o[3..5], ["t3021cent /remote/qdevice_client_stop", "t3022cent /remote/qdevice_client_stop"]);
            assert_eq!(o[5], "t3021cent /remote/known_hosts_change");
            assert_eq!(o[7..9], ["t3021cent /api/v2/task/run", "t3022cent /api/v2/task/run"]);
            assert_eq!(
                o[o.len() - 2..],
                ["t3021cent /remote/qdevice_client_start", "t3022cent /remote/qdevice_client_start"]
            );
        });
    }

    /// Heuristics added, then removed, through pcsd: as `pcs quorum device update heuristics
    /// ...` / `heuristics remove` (pcs/lib/commands/quorum.py, `push_corosync_conf` with
    /// `need_qdevice_reload`): `set_corosync_conf` on every node, one reload, then
    /// `qdevice_client_stop` on every node and `qdevice_client_start` on every node; nothing
    /// asked of the qnetd host.
    #[test]
    fn heuristics_are_added_and_removed_through_pcsd_as_pcs_updates_them() {
        standin::rt().block_on(async {
            let before = planned(CONF, &model("quorum:\n  device: { model: net, host: qnetd, algorithm: ffsplit }\n"));
            let with = model("quorum:\n  device:\n    model: net\n    host: qnetd\n    heuristics: { mode: sync, exec_ping: /bin/true }\n");
            let added = planned(&before, &with);
            let without = model("quorum:\n  device: { model: net, host: qnetd, heuristics: none }\n");
            for (from, m, has) in [(&before, &with, true), (&added, &without, false)] {
                let l = lab(from, standin::PASSWORD).await;
                let (r, lines) = apply(&l, m).await;
                r.unwrap();
                assert_eq!(
                    order(&l),
                    [
                        "t3021cent /remote/get_corosync_conf",
                        "t3022cent /remote/get_corosync_conf",
                        "t3021cent /remote/set_corosync_conf",
                        "t3022cent /remote/set_corosync_conf",
                        "t3021cent /remote/reload_corosync_conf",
                        "t3021cent /remote/qdevice_client_stop",
                        "t3022cent /remote/qdevice_client_stop",
                        "t3021cent /remote/qdevice_client_start",
                        "t3022cent /remote/qdevice_client_start",
                    ]
                );
                let set = bodies(&l.a, "/remote/set_corosync_conf");
                assert_eq!(set, bodies(&l.b, "/remote/set_corosync_conf"), "the same file on every node");
                assert_eq!(set[0].contains("heuristics+%7B"), has, "{set:?}");
                assert_eq!(set[0].contains("exec_ping%3A+%2Fbin%2Ftrue"), has, "{set:?}");
                assert!(l.q.seen.requests.lock().unwrap().is_empty(), "the qnetd host is not asked");
                no_secret(&lines.join("\n"));
            }
        });
    }
}
