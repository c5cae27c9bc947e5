//! Bootstrap: a cluster created from nothing through pcsd (`--pcsd`), the equivalent of `pcs
//! host auth` + `pcs cluster setup --start`. `bootstrap_check` asks every declared node's pcsd
//! (concurrently) whether it already has this cluster; when none does, it returns the
//! preflight facts the plan shows first (pcsd reachable and authenticated, names resolving to
//! the declared link-0 addresses, compatible versions, no other cluster there, one link count).
//! `bootstrap_apply` sets the cluster up and waits for quorum; the CIB part is then applied the
//! usual way. Nothing here decides what the CIB should hold.

use std::time::{Duration, Instant};

use crate::backend::pcsd::{Pcsd, PcsdError, Secret, SwVersions};

/// A cluster about to be created, and what was checked first.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Bootstrap {
    pub cluster: String,
    pub nodes: Vec<String>,
    /// knet links (addresses per node).
    pub links: usize,
    pub facts: Vec<Fact>,
}

/// One preflight check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fact {
    pub ok: bool,
    pub text: String,
}

fn fact(ok: bool, text: impl Into<String>) -> Fact {
    Fact { ok, text: text.into() }
}

impl Bootstrap {
    /// Whether every preflight fact holds (else `apply` refuses).
    pub fn ready(&self) -> bool {
        self.facts.iter().all(|f| f.ok)
    }

    /// The plan's first lines.
    pub fn text(&self) -> String {
        let nodes = self.nodes.join(", ");
        let links = crate::render::count(self.links, "knet link");
        let mut out = format!("cluster `{}` will be created on {nodes} with {links}\n  preflight:\n", self.cluster);
        for f in &self.facts {
            out.push_str(&format!("    {} {}\n", if f.ok { "ok  " } else { "FAIL" }, f.text));
        }
        out
    }
}

/// What one node's pcsd said: its corosync.conf (if any) and its versions.
struct Probe {
    conf: Option<String>,
    versions: Option<SwVersions>,
}

async fn probe(n: &crate::backend::pcsd::Node) -> Result<Probe, PcsdError> {
    n.check_auth().await?;
    let conf = n.corosync_conf().await?;
    let versions = n.sw_versions().await.ok();
    Ok(Probe { conf, versions })
}

/// The cluster name a corosync.conf declares.
fn cluster_name(conf: &str) -> Option<String> {
    let parsed = crate::corosync::parse("corosync.conf", conf).ok()?;
    crate::corosync::Facts::from_conf(&parsed).cluster_name
}

/// `None` when some declared node already runs this cluster (plan and apply as usual); else
/// the bootstrap with its preflight facts.
///
/// # Errors
/// A pcsd refuses in a way another node cannot make right (a changed certificate).
pub async fn bootstrap_check(model: &crate::model::Cluster, pcsd: &Pcsd) -> Result<Option<Bootstrap>, PcsdError> {
    let names: Vec<String> = model.members().map(|n| n.name.clone()).collect();
    if names.is_empty() {
        return Ok(None); // nothing to create a cluster on
    }
    // The `--pcsd` hosts first: one that has a corosync.conf means an existing cluster (whether
    // or not the file's node names can be reached from here).
    if super::corosync_via_pcsd(pcsd).await?.is_some() {
        return Ok(None);
    }
    let probes = pcsd.each(&names, async |n| probe(n).await).await;
    let mut reach = Vec::new();
    let mut others = Vec::new();
    let mut versions = Vec::new();
    for (name, r) in probes {
        match r {
            Ok(p) => {
                match p.conf.as_deref().map(|c| cluster_name(c).unwrap_or_default()) {
                    Some(c) if c == model.name => return Ok(None),
                    Some(c) => others.push(format!("{name} already has cluster `{c}`")),
                    None => {}
                }
                versions.push((name, p.versions.unwrap_or_default()));
            }
            Err(e @ PcsdError::CertMismatch { .. }) => return Err(e),
            Err(e) => reach.push(format!("{name}: {e}")),
        }
    }
    let mut facts = vec![if reach.is_empty() {
        fact(true, "pcsd reachable and authenticated on every node")
    } else {
        fact(false, format!("pcsd not usable on {}", reach.join("; ")))
    }];
    facts.push(resolve_fact(model));
    facts.push(versions_fact(&versions));
    facts.push(if others.is_empty() {
        fact(true, "no other cluster configured on these nodes")
    } else {
        fact(false, others.join("; "))
    });
    // No addresses: one link, on the address pcs knows the node by.
    let links_of = |n: &crate::model::Node| n.addrs.len().max(1);
    let links = model.members().next().map_or(1, links_of);
    if model.members().any(|n| links_of(n) != links) {
        facts.push(fact(false, "the nodes declare different numbers of addresses (knet links)"));
    }
    Ok(Some(Bootstrap { cluster: model.name.clone(), nodes: names, links, facts }))
}

/// Each node's name resolves (on this host) to its declared link-0 address.
fn resolve_fact(model: &crate::model::Cluster) -> Fact {
    use std::net::ToSocketAddrs as _;
    let mut bad = Vec::new();
    for n in model.members() {
        let Some(addr0) = n.addrs.first() else { continue };
        let Ok(want) = addr0.parse::<std::net::IpAddr>() else { continue };
        match (n.name.as_str(), 0).to_socket_addrs() {
            Ok(found) => {
                let found: Vec<std::net::IpAddr> = found.map(|s| s.ip()).collect();
                if !found.contains(&want) {
                    let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
                    bad.push(format!("`{}` resolves to {}, not {addr0}", n.name, shown.join(", ")));
                }
            }
            Err(_) => bad.push(format!("`{}` does not resolve here", n.name)),
        }
    }
    if bad.is_empty() {
        fact(true, "node names resolve to their link-0 addresses")
    } else {
        fact(false, bad.join("; "))
    }
}

/// Same pcs major.minor everywhere, corosync 3 (knet) everywhere.
fn versions_fact(versions: &[(String, SwVersions)]) -> Fact {
    let show = |v: &[u32]| v.iter().map(ToString::to_string).collect::<Vec<_>>().join(".");
    let pcs: Vec<&[u32]> = versions.iter().map(|(_, v)| v.pcs.get(..2).unwrap_or(&v.pcs)).collect();
    let old: Vec<String> = versions
        .iter()
        .filter(|(_, v)| v.corosync.first().is_none_or(|m| *m < 3))
        .map(|(n, v)| format!("{n} has corosync `{}`", show(&v.corosync)))
        .collect();
    if !old.is_empty() {
        return fact(false, format!("knet needs corosync 3: {}", old.join("; ")));
    }
    if pcs.windows(2).any(|w| w[0] != w[1]) {
        let all: Vec<String> = versions.iter().map(|(n, v)| format!("{n} pcs {}", show(&v.pcs))).collect();
        return fact(false, format!("pcs versions differ: {}", all.join(", ")));
    }
    let one = versions.first().map(|(_, v)| {
        format!("pcs {}, corosync {}, pacemaker {}", show(&v.pcs), show(&v.corosync), show(&v.pacemaker))
    });
    fact(true, format!("versions compatible ({})", one.unwrap_or_default()))
}

/// pcs's `cluster.setup` parameters for `model` (knet; quorum options pcs accepts at setup;
/// pcs adds `two_node` itself for two nodes).
pub fn setup_params(model: &crate::model::Cluster) -> serde_json::Value {
    // A node without addresses is sent without `addrs`: pcs then takes its known-hosts address.
    let nodes: Vec<serde_json::Value> = model
        .members()
        .map(|n| {
            if n.addrs.is_empty() {
                serde_json::json!({ "name": n.name })
            } else {
                serde_json::json!({ "name": n.name, "addrs": n.addrs })
            }
        })
        .collect();
    let mut quorum = serde_json::Map::new();
    let q = &model.quorum;
    for (key, v) in [
        ("wait_for_all", q.wait_for_all),
        ("last_man_standing", q.last_man_standing),
        ("auto_tie_breaker", q.auto_tie_breaker),
    ] {
        if let Some(v) = v {
            quorum.insert(key.into(), (if v { "1" } else { "0" }).into());
        }
    }
    serde_json::json!({
        "cluster_name": model.name,
        "nodes": nodes,
        "transport_type": "knet",
        "quorum_options": quorum,
        "start": true,
        "enable": false,
        "wait": false,
    })
}

/// Create the cluster: every node's token in the first node's known-hosts, `cluster-setup`
/// with start there, then wait up to `wait` for quorum. The nodes keep their pcsd certificates
/// (pcs replaces them only where `PCSD_SSL_CERT_SYNC_ENABLED=true`, with new ones cibform cannot
/// vouch for: the next request is then refused as a changed certificate, with how to accept it).
///
/// # Errors
/// A node cannot be reached or refuses, the setup fails, or no quorum within `wait`.
pub async fn bootstrap_apply(
    model: &crate::model::Cluster,
    pcsd: &Pcsd,
    wait: Duration,
    progress: &dyn Fn(&str),
) -> Result<(), crate::error::Error> {
    set_up(model, pcsd, progress).await.map_err(crate::backend::BackendError::from)?;
    progress("cluster set up and starting; waiting for quorum");
    let first = model.members().next().map(|n| n.name.as_str()).unwrap_or_default();
    let coordinator = pcsd.node(first).map_err(crate::backend::BackendError::from)?;
    let end = Instant::now() + wait;
    loop {
        match coordinator.quorate().await {
            Ok(true) => return Ok(()),
            _ if Instant::now() >= end => {
                return Err(crate::error::Error::NotSettled {
                    seconds: wait.as_secs(),
                    detail: format!("cluster `{}` was created but has no quorum yet", model.name),
                })
            }
            _ => tokio::time::sleep(Duration::from_secs(1)).await,
        }
    }
}

/// Known-hosts on the first node, then `cluster-setup` with start through it.
async fn set_up(model: &crate::model::Cluster, pcsd: &Pcsd, progress: &dyn Fn(&str)) -> Result<(), PcsdError> {
    let names: Vec<String> = model.members().map(|n| n.name.clone()).collect();
    let coordinator = pcsd.node(names.first().map(String::as_str).unwrap_or_default())?;
    let mut hosts: Vec<(String, crate::backend::pcsd::Endpoint, Secret)> = Vec::new();
    for (name, r) in pcsd.each(&names, async |n| Ok((n.endpoint().clone(), n.token_for_sharing().await?))).await {
        let (ep, token) = r?;
        hosts.push((name, ep, token));
    }
    coordinator.known_hosts_add(&hosts).await?;
    progress(&format!("setting up cluster `{}` through pcsd at {}", model.name, coordinator.place()));
    coordinator.cluster_setup(&setup_params(model), Duration::from_secs(180)).await?;
    Ok(())
}

/// The configuration `cibadmin --empty` gives: what a new cluster's CIB holds before cibform.
const EMPTY_CIB: &str = r#"<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/><nodes/><resources/><constraints/></configuration><status/></cib>"#;

/// Plan the CIB part of a cluster about to be created: against an empty CIB.
///
/// # Errors
/// As `plan_live`.
pub fn plan_new_cluster(
    model: &crate::model::Cluster,
    target: &crate::backend::Target,
    catalog: &crate::validate::agents::Catalog,
) -> Result<super::Planned, crate::error::Error> {
    let cib = crate::cib::Cib::parse("(new cluster)", EMPTY_CIB)?;
    let (defaults, notes) = super::agent_defaults(model, &cib, catalog);
    let live = crate::backend::Live { name: "(new cluster)".into(), cib, corosync: None };
    let mut planned = super::plan_live(model, live, target, &defaults)?;
    planned.plan.warnings.retain(|w| !w.starts_with("corosync.conf was not read"));
    planned.plan.warnings.extend(notes);
    Ok(planned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> crate::model::Cluster {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/clst-01/cluster.yaml")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cluster.yaml");
        std::fs::write(&p, text).unwrap();
        crate::ops::load(&p).unwrap().model
    }

    #[test]
    fn setup_parameters_are_pcs_libraries_with_start() {
        let p = setup_params(&model());
        assert_eq!(p["cluster_name"], "clst-01");
        assert_eq!(
            p["nodes"][0],
            serde_json::json!({"name": "t3021cent", "addrs": ["192.168.33.21", "192.168.22.21"]})
        );
        assert_eq!((p["transport_type"].as_str(), p["start"].as_bool()), (Some("knet"), Some(true)));
        assert!(p["quorum_options"].get("two_node").is_none(), "pcs sets two_node itself: {p}");
    }

    #[test]
    fn the_plan_says_what_is_created_and_which_checks_failed() {
        let b = Bootstrap {
            cluster: "clst-01".into(),
            nodes: vec!["t3021cent".into(), "t3022cent".into()],
            links: 2,
            facts: vec![
                fact(true, "pcsd reachable and authenticated on every node"),
                fact(false, "`t3022cent` does not resolve here"),
            ],
        };
        let t = b.text();
        assert!(t.starts_with("cluster `clst-01` will be created on t3021cent, t3022cent with 2 knet links\n"), "{t}");
        assert!(t.contains("    FAIL `t3022cent` does not resolve here"), "{t}");
        assert!(!b.ready());
        let v = |pcs: &[u32], coro: &[u32]| SwVersions {
            pcs: pcs.to_vec(),
            corosync: coro.to_vec(),
            pacemaker: vec![2, 1, 5],
        };
        assert!(
            versions_fact(&[("a".into(), v(&[0, 11, 5], &[3, 1, 7])), ("b".into(), v(&[0, 11, 4], &[3, 1, 6]))]).ok
        );
        assert!(!versions_fact(&[("a".into(), v(&[0, 11, 5], &[3])), ("b".into(), v(&[0, 10, 1], &[3]))]).ok);
        assert!(!versions_fact(&[("a".into(), v(&[0, 10, 1], &[2, 4]))]).ok);
    }

    /// Against the pcsd stand-in: a node with no corosync.conf means "create", with the facts.
    #[test]
    fn nodes_without_a_cluster_are_a_bootstrap_and_a_node_with_it_is_not() {
        use crate::backend::pcsd::{tests as standin, PasswordSource, Pcsd, PcsdTarget, Secret, Settings};
        use std::sync::atomic::Ordering;
        standin::rt().block_on(async {
            let server = standin::stand_in(Duration::ZERO).await;
            let dir = tempfile::tempdir().unwrap();
            let settings = Settings::new(dir.path(), None, PasswordSource::Given(Secret::new(standin::PASSWORD)));
            let target = PcsdTarget::parse(&format!("pcsd://localhost:{}", server.port)).unwrap();
            let pcsd = Pcsd::new(target, std::sync::Arc::new(settings));
            let mut m = crate::model::Cluster { name: "clst-01".into(), ..Default::default() };
            m.nodes.push(crate::model::Node {
                name: "localhost".into(),
                id: 1,
                addrs: vec!["127.0.0.1".into()],
                attributes: vec![],
                utilization: vec![],
                cib_id: None,
                remote: false,
            });
            assert!(bootstrap_check(&m, &pcsd).await.unwrap().is_none(), "the stand-in has clst-01");
            server.seen.no_cluster.store(true, Ordering::SeqCst);
            let b = bootstrap_check(&m, &pcsd).await.unwrap().unwrap();
            assert_eq!((b.nodes.clone(), b.links), (vec!["localhost".to_string()], 1));
            assert!(b.ready(), "{}", b.text());
            assert!(
                b.text().contains("ok   versions compatible (pcs 0.11.5, corosync 3.1.7, pacemaker 2.1.5)"),
                "{}",
                b.text()
            );
            m.nodes[0].addrs = vec!["192.0.2.7".into()];
            let b = bootstrap_check(&m, &pcsd).await.unwrap().unwrap();
            assert!(b.text().contains("FAIL `localhost` resolves to"), "{}", b.text());
        });
    }

    #[test]
    fn the_cib_part_of_a_new_cluster_is_planned_against_an_empty_cib() {
        let m = model();
        let p = plan_new_cluster(&m, &crate::backend::Target::Local, &Default::default()).unwrap();
        assert!(p.plan.changes.len() > 3, "{:?}", p.plan.changes.len());
        assert!(p.plan.warnings.iter().all(|w| !w.contains("corosync.conf was not read")), "{:?}", p.plan.warnings);
    }
}
