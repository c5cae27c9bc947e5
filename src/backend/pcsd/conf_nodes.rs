//! Stage 6 (corosync over pcsd): the corosync seam (`backend::corosync::ConfNodes`) for a cluster
//! reached through pcsd (`--pcsd`), as pcs does it: each node's corosync.conf read and written
//! through that node's pcsd, one reload through the first node where corosync runs, the cluster
//! stopped and started with pcsd's `cluster_stop`/`cluster_start`. Link add/remove and the push
//! are the seam's shared ones (the same file to every node, then one reload).
//!
//! It decides nothing about content and prints nothing.

use std::time::Duration;

use super::{Pcsd, PcsdError, Reload};
use crate::backend::corosync::ConfNodes;
use crate::backend::BackendError;

/// How long stopping or starting a node's cluster may take (resources stop cleanly first), as
/// for the node transport's `systemctl`.
const SERVICE_TIMEOUT: Duration = Duration::from_secs(600);

/// The cluster's nodes (corosync node names), each reached through its own pcsd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcsdNodes {
    pub pcsd: Pcsd,
    pub nodes: Vec<String>,
}

impl PcsdNodes {
    /// `f` on every node (concurrently, within the client's bound); the first failure, by node.
    async fn every(&self, f: impl AsyncFn(&super::Node) -> Result<(), PcsdError>) -> Result<(), BackendError> {
        match self.pcsd.each(&self.nodes, f).await.into_iter().find_map(|(_, r)| r.err()) {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }
}

impl ConfNodes for PcsdNodes {
    fn nodes(&self) -> Vec<String> {
        self.nodes.clone()
    }

    async fn get(&self, node: &str) -> Result<String, BackendError> {
        Ok(self.pcsd.get_corosync_conf(node).await?)
    }

    async fn set(&self, node: &str, text: &str) -> Result<(), BackendError> {
        Ok(self.pcsd.set_corosync_conf(node, text).await?)
    }

    /// Tried on each node in order until one reloads (as pcs does); `None` when corosync runs
    /// on no node (it reads the new file when it starts).
    async fn reload(&self) -> Result<Option<String>, BackendError> {
        let mut errors = Vec::new();
        for n in &self.nodes {
            let node = self.pcsd.node(n)?;
            match node.reload_corosync_conf().await {
                Ok(Reload::Reloaded) => return Ok(Some(node.place())),
                Ok(Reload::NotRunning) => {}
                Err(e) => errors.push((n.clone(), e.into())),
            }
        }
        if errors.is_empty() {
            Ok(None)
        } else {
            Err(BackendError::NoNode(errors))
        }
    }

    /// pacemaker on every node, then corosync, as `pcs cluster stop --all`.
    async fn stop_cluster(&self) -> Result<(), BackendError> {
        for component in ["pacemaker", "corosync"] {
            self.every(async |n| n.cluster_stop(component, SERVICE_TIMEOUT).await).await?;
        }
        Ok(())
    }

    /// `pcs cluster start` on every node (corosync, then pacemaker, on each), as `pcs cluster
    /// start --all`.
    async fn start_cluster(&self) -> Result<(), BackendError> {
        self.every(async |n| n.cluster_start(SERVICE_TIMEOUT).await).await
    }

    fn membership(&self) -> crate::backend::members::Membership<'_> {
        crate::backend::members::Membership::Pcsd(self)
    }
}

/// How long pcs may take to add a node and see it start, or to remove one.
const MEMBERS_TIMEOUT: Duration = Duration::from_secs(300);

impl PcsdNodes {
    /// A node about to join: its pcsd answers and accepts us, and it has no corosync.conf.
    ///
    /// # Errors
    /// pcsd cannot be used there, or the node has a corosync.conf.
    pub async fn ready_to_join(&self, node: &str) -> Result<(), PcsdError> {
        let n = self.pcsd.node(node)?;
        n.check_auth().await?;
        match n.corosync_conf().await? {
            None => Ok(()),
            Some(_) => Err(PcsdError::Http {
                place: n.place(),
                what: "get_corosync_conf".into(),
                status: 200,
                excerpt: "it already has a corosync.conf (another cluster? `pcs cluster destroy` there first)".into(),
            }),
        }
    }

    /// `pcs cluster node add NAME addr=... --start --wait` through `via`'s pcsd
    /// (`cluster-add-nodes`): the new nodes' tokens first go to `via`'s known-hosts, as `pcs
    /// host auth` leaves them.
    ///
    /// # Errors
    /// A pcsd cannot be used, or pcs refuses (its messages).
    pub async fn add_nodes(&self, via: &str, nodes: &[(String, Vec<String>)]) -> Result<(), PcsdError> {
        let names: Vec<String> = nodes.iter().map(|(n, _)| n.clone()).collect();
        let mut hosts = Vec::new();
        for (name, r) in
            self.pcsd.each(&names, async |n| Ok((n.endpoint().clone(), n.token_for_sharing().await?))).await
        {
            let (ep, token) = r?;
            hosts.push((name, ep, token));
        }
        let coordinator = self.pcsd.node(via)?;
        coordinator.known_hosts_add(&hosts).await?;
        let list: Vec<serde_json::Value> =
            nodes.iter().map(|(name, addrs)| serde_json::json!({ "name": name, "addrs": addrs })).collect();
        let params = serde_json::json!({ "nodes": list, "start": true, "enable": false, "wait": "120",
            "no_watchdog_validation": false, "force_flags": [] });
        coordinator.api_v1("cluster-add-nodes", &params, Some(MEMBERS_TIMEOUT)).await.map(drop)
    }

    /// Stop pacemaker, then corosync, on one node (`remote/cluster_stop`).
    ///
    /// # Errors
    /// pcsd cannot be used there, or refuses.
    pub async fn stop_node(&self, node: &str) -> Result<(), PcsdError> {
        let n = self.pcsd.node(node)?;
        for component in ["pacemaker", "corosync"] {
            n.cluster_stop(component, SERVICE_TIMEOUT).await?;
        }
        Ok(())
    }

    /// Pacemaker forgets `names` (`crm_node --force -R`, through `via`'s pcsd).
    ///
    /// # Errors
    /// pcsd cannot be used there, or refuses.
    pub async fn forget(&self, via: &str, names: &[String]) -> Result<(), PcsdError> {
        self.pcsd.node(via)?.remove_nodes_from_cib(names).await
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{self as standin, StandIn};
    use super::super::{PasswordSource, PcsdTarget, Secret, Settings};
    use super::*;
    use crate::backend::corosync::{push, PushError, Pushed};
    use std::sync::atomic::Ordering;

    /// The cluster's nodes `127.0.0.1` and `localhost`, each its own pcsd on its own port.
    fn two(a: u16, b: u16, dir: &std::path::Path) -> PcsdNodes {
        let settings = Settings::new(dir, None, PasswordSource::Given(Secret::new(standin::PASSWORD)));
        let target = PcsdTarget::parse(&format!("pcsd://127.0.0.1:{a},localhost:{b}")).unwrap();
        PcsdNodes {
            pcsd: Pcsd::new(target, std::sync::Arc::new(settings)),
            nodes: vec!["127.0.0.1".into(), "localhost".into()],
        }
    }

    /// The requests a stand-in saw to `what`, with their bodies.
    fn asked(s: &StandIn, what: &str) -> Vec<String> {
        let reqs = s.seen.requests.lock().unwrap();
        reqs.iter().filter(|r| r.contains(what)).map(|r| r.rsplit(" | ").next().unwrap_or("").to_string()).collect()
    }

    #[test]
    fn every_node_gets_the_same_file_through_its_pcsd_then_one_reload() {
        standin::rt().block_on(async {
            let (a, b) = (standin::stand_in(Duration::ZERO).await, standin::stand_in(Duration::ZERO).await);
            let dir = tempfile::tempdir().unwrap();
            let t = two(a.port, b.port, dir.path());
            let done = push(&t, "totem {\n    token: 5000\n}\n").await.unwrap();
            let first = format!("127.0.0.1:{}", a.port);
            assert_eq!(done, Pushed { nodes: t.nodes.clone(), reloaded_on: Some(first) });
            let sent = asked(&a, "/remote/set_corosync_conf");
            assert_eq!(sent, ["corosync_conf=totem+%7B%0A++++token%3A+5000%0A%7D%0A"]);
            assert_eq!(asked(&b, "/remote/set_corosync_conf"), sent, "the identical file on every node");
            assert_eq!(asked(&a, "/remote/reload_corosync_conf").len(), 1);
            assert!(asked(&b, "/remote/reload_corosync_conf").is_empty(), "one reload");
        });
    }

    #[test]
    fn a_refused_set_on_the_second_node_says_which_nodes_have_the_new_file_and_nothing_reloads() {
        standin::rt().block_on(async {
            let (a, b) = (standin::stand_in(Duration::ZERO).await, standin::stand_in(Duration::ZERO).await);
            b.seen.refuse_set.store(true, Ordering::SeqCst);
            let dir = tempfile::tempdir().unwrap();
            let e = push(&two(a.port, b.port, dir.path()), "totem {\n}\n").await.unwrap_err();
            let PushError::Write { written, failed, cause } = e else { panic!("{e:?}") };
            assert_eq!((written, failed.as_str()), (vec!["127.0.0.1".to_string()], "localhost"));
            let cause = cause.to_string();
            assert!(cause.contains("`remote/set_corosync_conf` with HTTP 400: Failed"), "{cause}");
            assert_eq!(asked(&a, "/remote/set_corosync_conf").len(), 1);
            assert!(asked(&a, "reload").is_empty() && asked(&b, "reload").is_empty(), "no reload");
        });
    }

    #[test]
    fn the_reload_goes_to_the_next_node_when_one_pcsd_is_down() {
        standin::rt().block_on(async {
            let b = standin::stand_in(Duration::ZERO).await;
            let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let dir = tempfile::tempdir().unwrap();
            let on = two(dead, b.port, dir.path()).reload().await.unwrap();
            assert_eq!(on, Some(format!("localhost:{}", b.port)));
        });
    }

    #[test]
    fn the_cluster_stops_pacemaker_everywhere_before_corosync_and_starts_on_every_node() {
        standin::rt().block_on(async {
            let s = standin::stand_in(Duration::ZERO).await;
            let dir = tempfile::tempdir().unwrap();
            let mut t = two(s.port, s.port, dir.path());
            t.nodes = vec!["127.0.0.1".into(); 2]; // one stand-in sees both, in order
            t.stop_cluster().await.unwrap();
            t.start_cluster().await.unwrap();
            let reqs = s.seen.requests.lock().unwrap();
            let order: Vec<&str> = reqs
                .iter()
                .filter(|r| r.contains("/remote/cluster_"))
                .map(|r| r.rsplit(" | ").next().unwrap())
                .collect();
            let (pm, cs) = ("component=pacemaker&force=1", "component=corosync&force=1");
            assert_eq!(order, [pm, pm, cs, cs, "", ""]);
            assert_eq!(reqs.iter().filter(|r| r.contains("/remote/cluster_start")).count(), 2);
        });
    }
}
