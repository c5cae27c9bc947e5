//! pcsd by default for corosync work: when `--pcsd` is not given, the target reaches cluster
//! nodes (local, ssh), cibform or pcs holds a pcsd token for every node corosync.conf names (and
//! for the qnetd host a quorum device change needs), and each of their pcsd answers with it,
//! `apply` does its corosync.conf work through pcsd — the transport Pacemaker admins already
//! run. Otherwise the target's own way, and why.
//!
//! Never asks for a password it was not given: a node without a held token means "not pcsd". A
//! certificate seen for the first time is pinned (and said) as with `--pcsd`; a changed one is
//! refused, so pcsd is then not used. Decides nothing about corosync.conf's content.

use std::sync::Arc;
use std::time::Duration;

use crate::backend::pcsd::{Endpoint, Pcsd, PcsdTarget, Settings, DEFAULT_PORT};
use crate::backend::{Backend, ConfText, Target};

/// How long each node's pcsd may take to answer the probe.
const PROBE: Duration = Duration::from_secs(5);

/// pcsd for the nodes of `current` when it can be used without asking anything, the nodes' and
/// `also`'s (the qnetd host of a quorum device change); the line that says why it is or is not
/// used (`None`: no token held at all, nothing to say).
pub async fn default_pcsd(
    backend: &Backend,
    current: Option<&ConfText>,
    settings: Arc<Settings>,
    also: &[String],
) -> (Option<Pcsd>, Option<String>) {
    if !matches!(backend.target, Target::Local | Target::Ssh(_)) || backend.pcsd.is_some() {
        return (None, None);
    }
    let Some(nodes) = current.and_then(node_names).filter(|n| !n.is_empty()) else { return (None, None) };
    let names: Vec<String> = nodes.iter().chain(also).cloned().collect();
    let (mut endpoints, held): (Vec<Endpoint>, Vec<bool>) = held(&settings, &names).into_iter().unzip();
    if !held.contains(&true) {
        return (None, None);
    }
    let missing: Vec<&str> = names.iter().zip(&held).filter(|(_, h)| !**h).map(|(n, _)| n.as_str()).collect();
    if !missing.is_empty() {
        return (
            None,
            Some(format!(
                "note: pcsd not used for corosync.conf: no pcsd token for {} (`pcs host auth`, or pass --pcsd)",
                missing.join(", ")
            )),
        );
    }
    endpoints.truncate(nodes.len()); // the cluster's nodes: where corosync.conf is read
    let pcsd = Pcsd::new(PcsdTarget { hosts: endpoints }, settings);
    let probes = pcsd
        .each(&names, async |n| match tokio::time::timeout(PROBE, n.check_auth()).await {
            Ok(r) => r,
            Err(_) => Err(crate::backend::pcsd::PcsdError::Timeout {
                place: n.place(),
                what: "check_auth".into(),
                seconds: PROBE.as_secs(),
            }),
        })
        .await;
    let failed: Vec<String> = probes.into_iter().filter_map(|(n, r)| r.err().map(|e| format!("{n}: {e}"))).collect();
    if failed.is_empty() {
        let line = format!(
            "corosync.conf: pcsd answers on {} with the tokens held: it is used (as with --pcsd)",
            names.join(", ")
        );
        (Some(pcsd), Some(line))
    } else {
        (None, Some(format!("note: pcsd not used for corosync.conf ({})", failed.join("; "))))
    }
}

/// Where each node's pcsd answers (as pcs reaches it by name) and whether a token is held for
/// it, in cibform's store or pcs's known-hosts. Reads the token files only.
pub(super) fn held(settings: &Settings, names: &[String]) -> Vec<(Endpoint, bool)> {
    names
        .iter()
        .map(|n| (n, settings.tokens.known_endpoint(n).unwrap_or(Endpoint { host: n.clone(), port: DEFAULT_PORT })))
        .map(|(n, ep)| {
            let held = matches!(settings.tokens.find(n, &ep), Ok(Some(_)));
            (ep, held)
        })
        .collect()
}

pub(super) fn node_names(c: &ConfText) -> Option<Vec<String>> {
    let tree = crate::corosync::parse(&c.name, &c.text).ok()?;
    Some(crate::corosync::Facts::from_conf(&tree).nodes.into_iter().filter_map(|n| n.name).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::pcsd::tests as standin;
    use crate::backend::pcsd::{PasswordSource, Secret};

    fn conf(names: &[&str]) -> ConfText {
        let nodes: String = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                format!(
                    "    node {{\n        ring0_addr: 127.0.0.1\n        name: {n}\n        nodeid: {}\n    }}\n",
                    i + 1
                )
            })
            .collect();
        ConfText { name: "c".into(), text: format!("totem {{\n    cluster_name: c\n}}\nnodelist {{\n{nodes}}}\n") }
    }

    fn settings(dir: &std::path::Path) -> Arc<Settings> {
        Arc::new(Settings::new(dir, None, PasswordSource::None))
    }

    /// A token held for every node and pcsd answering: pcsd, reached where the token says.
    #[test]
    fn pcsd_is_used_when_every_node_answers_with_a_held_token() {
        standin::rt().block_on(async {
            let server = standin::stand_in(Duration::ZERO).await;
            let dir = tempfile::tempdir().unwrap();
            let s = settings(dir.path());
            let backend = Backend::new(Target::parse("ssh://n1").unwrap(), false);
            // No token at all: nothing to say, the target's way.
            let (p, note) = default_pcsd(&backend, Some(&conf(&["n1"])), s.clone(), &[]).await;
            assert!(p.is_none() && note.is_none());
            let ep = Endpoint { host: "127.0.0.1".into(), port: server.port };
            s.tokens.save("n1", &ep, &Secret::new(standin::TOKEN)).unwrap();
            let (p, note) = default_pcsd(&backend, Some(&conf(&["n1"])), s.clone(), &[]).await;
            let p = p.expect("pcsd");
            assert_eq!(p.node("n1").unwrap().place(), format!("127.0.0.1:{}", server.port), "reached by name");
            assert!(note.unwrap().starts_with("corosync.conf: pcsd answers on n1 with the tokens held"));
            // A node without a token: said, not used.
            let (p, note) = default_pcsd(&backend, Some(&conf(&["n1", "n2"])), s.clone(), &[]).await;
            assert!(p.is_none());
            assert_eq!(
                note.unwrap(),
                "note: pcsd not used for corosync.conf: no pcsd token for n2 (`pcs host auth`, or pass --pcsd)"
            );
            // A quorum device's qnetd host needs a token and an answering pcsd too; its pcsd
            // is not a place to read corosync.conf from.
            let qnetd = ["q".to_string()];
            let (p, note) = default_pcsd(&backend, Some(&conf(&["n1"])), s.clone(), &qnetd).await;
            assert!(p.is_none());
            assert!(note.unwrap().ends_with("no pcsd token for q (`pcs host auth`, or pass --pcsd)"));
            s.tokens.save("q", &ep, &Secret::new(standin::TOKEN)).unwrap();
            let (p, note) = default_pcsd(&backend, Some(&conf(&["n1"])), s.clone(), &qnetd).await;
            assert_eq!(p.expect("pcsd").target.hosts, std::slice::from_ref(&ep));
            assert!(note.unwrap().starts_with("corosync.conf: pcsd answers on n1, q with the tokens held"));
            // A CIB file target never goes to pcsd.
            let file = Backend::new(Target::parse("file:x.xml").unwrap(), false);
            assert!(default_pcsd(&file, Some(&conf(&["n1"])), s, &[]).await.0.is_none());
        });
    }

    #[test]
    fn a_pcsd_that_does_not_answer_is_named_and_not_used() {
        standin::rt().block_on(async {
            let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let dir = tempfile::tempdir().unwrap();
            let s = settings(dir.path());
            s.tokens.save("n1", &Endpoint { host: "127.0.0.1".into(), port: dead }, &Secret::new("t")).unwrap();
            let backend = Backend::new(Target::Local, false);
            let (p, note) = default_pcsd(&backend, Some(&conf(&["n1"])), s, &[]).await;
            assert!(p.is_none());
            let note = note.unwrap();
            assert!(
                note.starts_with("note: pcsd not used for corosync.conf (n1: pcsd is not reachable at 127.0.0.1:"),
                "{note}"
            );
            assert!(!note.contains("\"t\""), "{note}");
        });
    }
}
