//! The pcsd client against a local HTTPS stand-in: a tokio + rustls server with a self-signed
//! certificate (rcgen) that answers like pcsd 0.11.5 does (measured, see the lab notes), so
//! every failure case runs without a real pcsd.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::*;

pub(crate) const PASSWORD: &str = "Secr3t-pw";
pub(crate) const TOKEN: &str = "6a1f0d2e-0000-4000-8000-00000000cafe";

/// What the stand-in saw and how it behaves.
#[derive(Default)]
pub(crate) struct Seen {
    pub(crate) requests: Mutex<Vec<String>>,
    /// Answer like a node where no cluster was set up yet.
    pub(crate) no_cluster: std::sync::atomic::AtomicBool,
    /// Refuse `set_corosync_conf` as pcsd does a file it cannot take (400 `Failed`).
    pub(crate) refuse_set: std::sync::atomic::AtomicBool,
    /// The corosync.conf `get_corosync_conf` answers (else a bare one).
    pub(crate) conf: Mutex<Option<String>>,
    /// Fail pcs's certificate setup on this node as pcs does when the qnetd host cannot be
    /// reached from it.
    pub(crate) refuse_certificates: std::sync::atomic::AtomicBool,
    /// Answer like a host without qnetd set up (no CA certificate).
    pub(crate) no_qnetd: std::sync::atomic::AtomicBool,
    /// Each request's path with its place in the order of every stand-in's requests (`ORDER`).
    pub(crate) order: Mutex<Vec<(usize, String)>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// Counts the requests of all stand-ins, so tests with several see one order.
static ORDER: AtomicUsize = AtomicUsize::new(0);

pub(crate) struct StandIn {
    pub(crate) port: u16,
    pub(crate) seen: Arc<Seen>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn tls_config() -> Arc<rustls::ServerConfig> {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(ck.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![ck.cert.der().clone()], key)
        .unwrap();
    Arc::new(cfg)
}

/// pcsd's answers: (status, body) for a request line, its cookie and its body.
fn answer(line: &str, cookie: Option<&str>, body: &str, seen: &Seen) -> (u16, String) {
    let no_cluster = seen.no_cluster.load(Ordering::SeqCst);
    let authed = cookie == Some(&format!("token={TOKEN}"));
    let path = line.split_whitespace().nth(1).unwrap_or("");
    match path {
        "/remote/get_corosync_conf" if authed && no_cluster => (400, "Unable to read corosync.conf".into()),
        "/remote/get_sw_versions" if authed && no_cluster => {
            (200, r#"{"rhel":null,"pcs":[0,11,5],"pacemaker":[2,1,5],"corosync":[3,1,7]}"#.into())
        }
        "/remote/auth" if body.contains(&format!("password={PASSWORD}")) => (200, TOKEN.into()),
        "/remote/auth" => (200, String::new()),
        _ if !authed => (401, r#"{"notauthorized":"true"}"#.into()),
        "/remote/get_corosync_conf" => {
            let conf = seen.conf.lock().unwrap().clone();
            (200, conf.unwrap_or_else(|| "totem {\n    cluster_name: clst-01\n}\n".into()))
        }
        "/remote/check_auth" => (200, r#"{"success":true}"#.into()),
        "/remote/set_corosync_conf" if seen.refuse_set.load(Ordering::SeqCst) => (400, "Failed".into()),
        "/remote/set_corosync_conf" => (200, "Succeeded".into()),
        "/remote/reload_corosync_conf" => (200, r#"{"code": "reloaded", "message": ""}"#.into()),
        "/remote/cluster_stop" | "/remote/cluster_start" => (200, String::new()),
        "/remote/known_hosts_change" | "/remote/qdevice_net_client_destroy" => (200, String::new()),
        "/remote/qdevice_net_get_ca_certificate" if seen.no_qnetd.load(Ordering::SeqCst) => (
            400,
            "Unable to read certificate: No such file or directory @ rb_sysopen - /etc/corosync/qnetd/nssdb/qnetd-cacert.crt"
                .into(),
        ),
        "/remote/qdevice_net_get_ca_certificate" => (200, "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n".into()),
        "/remote/qdevice_client_enable" => (200, "corosync is not enabled, skipping".into()),
        "/remote/qdevice_client_start" => (200, "corosync-qdevice started".into()),
        "/remote/qdevice_client_stop" => (200, "corosync-qdevice stopped".into()),
        "/remote/qdevice_client_disable" => (200, "corosync-qdevice disabled".into()),
        "/api/v2/task/run" if seen.refuse_certificates.load(Ordering::SeqCst) => (
            200,
            r#"{"task_ident": "t1", "command": {}, "reports": [{"severity": {"level": "ERROR", "force_code": null}, "message": {"code": "NODE_COMMUNICATION_ERROR_UNABLE_TO_CONNECT", "message": "Unable to connect to qnetd (Failed to connect to qnetd port 2224: Connection refused)", "payload": {}}, "context": null}], "state": "FINISHED", "task_finish_type": "FAIL", "kill_reason": null, "result": null}"#.into(),
        ),
        "/api/v2/task/run" => (
            200,
            r#"{"task_ident": "t1", "command": {}, "reports": [], "state": "FINISHED", "task_finish_type": "SUCCESS", "kill_reason": null, "result": null}"#.into(),
        ),
        "/remote/get_sw_versions" => (200, "<html>Internal Server Error</html>".into()),
        "/remote/status?version=2" => (403, "Permission denied".into()),
        "/api/v1/cluster-setup/v1" => (
            200,
            r#"{"status":"error","status_msg":null,"report_list":[{"severity":{"level":"ERROR","force_code":null},"message":{"code":"HOST_ALREADY_IN_CLUSTER_CONFIG","message":"t3021cent: The host seems to be in a cluster already","payload":{}},"context":null}],"data":null}"#.into(),
        ),
        "/api/v1/resource-agent-get-agent-metadata/v1" if body.contains("NoSuchAgent") => (
            200,
            r#"{"status": "error", "status_msg": null, "report_list": [{"severity": {"level": "ERROR", "force_code": null}, "message": {"code": "UNABLE_TO_GET_AGENT_METADATA", "message": "Agent 'ocf:heartbeat:NoSuchAgent' is not installed or does not provide valid metadata: crm_resource: Metadata query for ocf:heartbeat:NoSuchAgent failed: No such device or address\nError performing operation: No such object", "payload": {}}, "context": null}], "data": null}"#.into(),
        ),
        "/api/v1/resource-agent-get-agent-metadata/v1" => (
            200,
            r#"{"status": "success", "status_msg": null, "report_list": [], "data": {"name": {"standard": "ocf", "provider": "pacemaker", "type": "Dummy"}, "shortdesc": null, "longdesc": null, "parameters": [{"name": "state", "type": "string", "required": false}], "actions": [{"name": "start", "timeout": "20s"}]}}"#.into(),
        ),
        _ => (404, "Unknown Request".into()),
    }
}

async fn serve_one(stream: tokio::net::TcpStream, tls: tokio_rustls::TlsAcceptor, seen: Arc<Seen>, delay: Duration) {
    let Ok(mut s) = tls.accept(stream).await else { return };
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let Ok(n) = s.read(&mut chunk).await else { return };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let len: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let Ok(n) = s.read(&mut chunk).await else { return };
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
    let line = head.lines().next().unwrap_or("").to_string();
    let cookie = head.lines().find_map(|l| l.strip_prefix("cookie: ").or_else(|| l.strip_prefix("Cookie: ")));
    seen.requests.lock().unwrap().push(format!("{line} | {} | {body}", cookie.unwrap_or("-")));
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    seen.order.lock().unwrap().push((ORDER.fetch_add(1, Ordering::SeqCst), path));
    let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    seen.max_in_flight.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(delay).await;
    seen.in_flight.fetch_sub(1, Ordering::SeqCst);
    let (status, text) = answer(&line, cookie, &body, &seen);
    let reply = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}", text.len());
    let _ = s.write_all(reply.as_bytes()).await;
    let _ = s.shutdown().await;
}

pub(crate) async fn stand_in(delay: Duration) -> StandIn {
    stand_in_on(0, delay).await
}

async fn stand_in_on(port: u16, delay: Duration) -> StandIn {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let tls = tokio_rustls::TlsAcceptor::from(tls_config());
    let seen = Arc::new(Seen::default());
    let s2 = seen.clone();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve_one(stream, tls.clone(), s2.clone(), delay));
        }
    });
    StandIn { port, seen, task }
}

fn settings(dir: &std::path::Path, password: Option<&str>) -> Arc<Settings> {
    let pw = password.map_or(PasswordSource::None, |p| PasswordSource::Given(Secret::new(p)));
    let mut s = Settings::new(dir, Some(dir.join("pcs-known-hosts")), pw);
    s.timeout = Duration::from_secs(5);
    Arc::new(s)
}

fn node(port: u16, s: &Arc<Settings>) -> Node {
    Node::new(Endpoint { host: "127.0.0.1".into(), port }, s.clone()).unwrap()
}

pub(crate) fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// No secret in any text a user or a log could see.
fn assert_no_secret(text: &str) {
    assert!(!text.contains(PASSWORD) && !text.contains(TOKEN), "a secret leaked: {text}");
}

#[test]
fn first_use_logs_in_pins_the_certificate_and_later_runs_reuse_both() {
    rt().block_on(async {
        let server = stand_in(Duration::ZERO).await;
        let dir = tempfile::tempdir().unwrap();
        let s = settings(dir.path(), Some(PASSWORD));
        let conf = node(server.port, &s).corosync_conf().await.unwrap().unwrap();
        assert!(conf.contains("cluster_name: clst-01"));
        let notes = s.take_notes();
        assert!(notes.len() == 1 && notes[0].starts_with("pinned the certificate of pcsd at 127.0.0.1:"), "{notes:?}");
        let pins = std::fs::read_to_string(dir.path().join("pcsd-certs")).unwrap();
        assert!(pins.contains(&format!("127.0.0.1:{} sha256 ", server.port)), "{pins}");
        // A later run: no password, the stored token and the pin are enough.
        let later = settings(dir.path(), None);
        node(server.port, &later).check_auth().await.unwrap();
        assert!(later.take_notes().is_empty());
        let reqs = server.seen.requests.lock().unwrap().clone();
        assert_eq!(reqs.iter().filter(|r| r.starts_with("POST /remote/auth")).count(), 1, "{reqs:?}");
        assert!(reqs[1].contains(&format!("token={TOKEN}")), "the token goes as a cookie: {reqs:?}");
        assert!(reqs[0].contains("username=hacluster"), "{reqs:?}");
    });
}

#[test]
fn a_wrong_password_is_named_and_nothing_is_stored() {
    rt().block_on(async {
        let server = stand_in(Duration::ZERO).await;
        let dir = tempfile::tempdir().unwrap();
        let s = settings(dir.path(), Some("wrong"));
        let e = node(server.port, &s).corosync_conf().await.unwrap_err();
        assert!(matches!(e, PcsdError::WrongPassword { .. }), "{e:?}");
        assert!(e.to_string().contains("refused the password of `hacluster`"), "{e}");
        assert!(!dir.path().join("pcsd-known-hosts").exists());
    });
}

#[test]
fn an_expired_token_is_replaced_with_a_password_and_refused_without_one() {
    rt().block_on(async {
        let server = stand_in(Duration::ZERO).await;
        let dir = tempfile::tempdir().unwrap();
        let ep = Endpoint { host: "127.0.0.1".into(), port: server.port };
        let s = settings(dir.path(), None);
        s.tokens.save("127.0.0.1", &ep, &Secret::new("expired-token")).unwrap();
        let e = node(server.port, &s).check_auth().await.unwrap_err();
        assert!(matches!(e, PcsdError::TokenRefused { .. }), "{e:?}");
        assert!(e.to_string().contains("expired or revoked"), "{e}");
        let with_pw = settings(dir.path(), Some(PASSWORD));
        with_pw.tokens.save("127.0.0.1", &ep, &Secret::new("expired-token")).unwrap();
        node(server.port, &with_pw).check_auth().await.unwrap();
        assert_eq!(
            with_pw.tokens.find("127.0.0.1", &ep).unwrap().unwrap().0.expose(),
            TOKEN,
            "the fresh token is kept"
        );
    });
}

#[test]
fn a_token_from_pcs_known_hosts_is_used_without_a_password() {
    rt().block_on(async {
        let server = stand_in(Duration::ZERO).await;
        let dir = tempfile::tempdir().unwrap();
        let pcs = format!(
            r#"{{"format_version": 1, "data_version": 1, "known_hosts": {{"n1": {{"token": "{TOKEN}", "dest_list": [{{"addr": "127.0.0.1", "port": {}}}]}}}}}}"#,
            server.port
        );
        std::fs::write(dir.path().join("pcs-known-hosts"), pcs).unwrap();
        let s = settings(dir.path(), None);
        node(server.port, &s).check_auth().await.unwrap();
        let reqs = server.seen.requests.lock().unwrap().clone();
        assert!(reqs.iter().all(|r| !r.starts_with("POST /remote/auth")), "{reqs:?}");
    });
}

#[test]
fn a_replaced_certificate_is_refused_before_any_request_is_sent() {
    rt().block_on(async {
        let first = stand_in(Duration::ZERO).await;
        let port = first.port;
        let dir = tempfile::tempdir().unwrap();
        let s = settings(dir.path(), Some(PASSWORD));
        node(port, &s).check_auth().await.unwrap();
        drop(first);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let second = stand_in_on(port, Duration::ZERO).await; // same place, new certificate
        let e = node(port, &s).check_auth().await.unwrap_err();
        let PcsdError::CertMismatch { pinned, shown, .. } = &e else { panic!("{e:?}") };
        assert_ne!(pinned, shown);
        let text = e.to_string();
        assert!(text.contains("pcsd-certs") && text.contains(&format!("delete the line `127.0.0.1:{port}`")), "{text}");
        assert!(second.seen.requests.lock().unwrap().is_empty(), "no request reaches an unknown certificate");
        assert_no_secret(&format!("{e} {e:?}"));
    });
}

#[test]
fn pcsd_down_is_named_as_such() {
    rt().block_on(async {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let dir = tempfile::tempdir().unwrap();
        let s = settings(dir.path(), Some(PASSWORD));
        let e = node(port, &s).check_auth().await.unwrap_err();
        assert!(matches!(e, PcsdError::Down { .. }), "{e:?}");
        assert!(e.to_string().starts_with(&format!("pcsd is not reachable at 127.0.0.1:{port}")), "{e}");
        assert_no_secret(&format!("{e} {e:?}"));
    });
}

#[test]
fn a_slow_pcsd_times_out_within_the_bound() {
    rt().block_on(async {
        let server = stand_in(Duration::from_secs(5)).await;
        let dir = tempfile::tempdir().unwrap();
        let mut s = Settings::new(dir.path(), None, PasswordSource::Given(Secret::new(PASSWORD)));
        s.timeout = Duration::from_millis(400);
        let s = Arc::new(s);
        let started = std::time::Instant::now();
        let e = node(server.port, &s).check_auth().await.unwrap_err();
        assert!(matches!(e, PcsdError::Timeout { .. }), "{e:?}");
        assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    });
}

#[test]
fn answers_that_are_not_json_or_not_allowed_are_typed() {
    rt().block_on(async {
        let server = stand_in(Duration::ZERO).await;
        let dir = tempfile::tempdir().unwrap();
        let s = settings(dir.path(), Some(PASSWORD));
        let n = node(server.port, &s);
        let e = n.sw_versions().await.unwrap_err();
        assert!(matches!(e, PcsdError::BadAnswer { .. }), "{e:?}");
        assert!(e.to_string().contains("Internal Server Error"), "{e}");
        let e = n.status().await.unwrap_err();
        assert!(matches!(e, PcsdError::Forbidden { .. }), "{e:?}");
        let e = n.cluster_setup(&serde_json::json!({}), Duration::from_secs(5)).await.unwrap_err();
        assert!(e.to_string().contains("The host seems to be in a cluster already"), "{e}");
        assert_no_secret(&format!("{e} {e:?} {n:?} {s:?}"));
    });
}

#[test]
fn hosts_are_tried_in_order_and_requests_to_many_run_within_the_bound() {
    rt().block_on(async {
        let server = stand_in(Duration::from_millis(200)).await;
        let dead = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let dir = tempfile::tempdir().unwrap();
        let mut s = Settings::new(dir.path(), None, PasswordSource::Given(Secret::new(PASSWORD)));
        s.parallel = 2;
        let target = PcsdTarget::parse(&format!("pcsd://127.0.0.1:{dead},127.0.0.1:{}", server.port)).unwrap();
        let p = Pcsd::new(target, Arc::new(s));
        let conf = p.first(async |n| n.corosync_conf().await).await.unwrap();
        assert!(conf.is_some());
        let hosts: Vec<String> = vec!["127.0.0.1".into(); 6];
        // `node` takes the port of a listed host: the live one is listed second.
        let p = Pcsd::new(PcsdTarget::parse(&format!("pcsd://127.0.0.1:{}", server.port)).unwrap(), p.settings.clone());
        let all = p.each(&hosts, async |n| n.check_auth().await).await;
        assert!(all.iter().all(|(_, r)| r.is_ok()), "{all:?}");
        assert_eq!(server.seen.max_in_flight.load(Ordering::SeqCst), 2);
    });
}

#[test]
fn targets_parse_and_refuse_credentials() {
    let t = PcsdTarget::parse("pcsd://t3021cent,t3022cent:2225,[fd00::1]").unwrap();
    assert_eq!(t.to_string(), "pcsd://t3021cent:2224,t3022cent:2225,[fd00::1]:2224");
    assert!(PcsdTarget::parse("pcsd://hacluster:pw@node1").unwrap_err().contains("password"));
    assert!(PcsdTarget::parse("pcsd://").is_err());
    assert!(PcsdTarget::parse("pcsd://-x").is_err());
    assert!(PcsdTarget::parse("pcsd://n1:0").is_err());
    assert!(PcsdTarget::parse("pcsd://fd00::1").is_err());
    assert!(PcsdTarget::parse("ssh://n1").is_err());
}

#[test]
fn metadata_comes_back_as_ocf_xml_and_a_missing_agent_is_none() {
    rt().block_on(async {
        let server = stand_in(Duration::ZERO).await;
        let dir = tempfile::tempdir().unwrap();
        let s = settings(dir.path(), Some(PASSWORD));
        let n = node(server.port, &s);
        let dummy =
            crate::model::Agent { class: "ocf".into(), provider: Some("pacemaker".into()), kind: "Dummy".into() };
        let xml = n.agent_metadata(&dummy).await.unwrap().unwrap();
        assert!(xml.contains(r#"<parameter name="state" required="0">"#), "{xml}");
        let reqs = server.seen.requests.lock().unwrap().clone();
        let asked = reqs.iter().find(|r| r.contains("get-agent-metadata")).unwrap();
        assert!(asked.contains(r#""agent_name":{"#) && asked.contains(r#""type":"Dummy""#), "{asked}");
        // pcs's real answer is longer than an error excerpt: the code decides, not the tail.
        let missing = crate::model::Agent { kind: "NoSuchAgent".into(), ..dummy };
        assert_eq!(n.agent_metadata(&missing).await.unwrap(), None);
    });
}

/// Regression: a token pcsd refused was replaced by a login, but the new one was kept under the
/// address reached (`127.0.0.1`) instead of the node name it was looked up by, so the next run
/// found no token (nor endpoint) for the name, and two nodes at one address overwrote each
/// other's. Both origins: a refused token of cibform's store (`n1`) and of pcs's file (`n2`).
#[test]
fn a_token_renewed_after_a_refusal_was_stored_under_the_address() {
    rt().block_on(async {
        let (a, b) = (stand_in(Duration::ZERO).await, stand_in(Duration::ZERO).await);
        let dir = tempfile::tempdir().unwrap();
        let at = |port| Endpoint { host: "127.0.0.1".into(), port };
        let first = settings(dir.path(), Some(PASSWORD));
        first.tokens.save("n1", &at(a.port), &Secret::new("expired-token")).unwrap();
        let pcs = format!(
            r#"{{"format_version": 1, "data_version": 1, "known_hosts": {{"n2": {{"token": "expired-too", "dest_list": [{{"addr": "127.0.0.1", "port": {}}}]}}}}}}"#,
            b.port
        );
        std::fs::write(dir.path().join("pcs-known-hosts"), &pcs).unwrap();
        let run = |s: Arc<Settings>| Pcsd::new(PcsdTarget { hosts: Vec::new() }, s);
        for name in ["n1", "n2"] {
            run(first.clone()).node(name).unwrap().check_auth().await.unwrap();
        }
        let own = tokens::KnownHosts::parse(&std::fs::read_to_string(dir.path().join("pcsd-known-hosts")).unwrap())
            .unwrap();
        let keys: Vec<&str> = own.hosts.keys().map(String::as_str).collect();
        assert_eq!(keys, ["n1", "n2"], "renewed tokens are kept under the names looked up");
        for (name, port) in [("n1", a.port), ("n2", b.port)] {
            assert_eq!(own.hosts[name].token.expose(), TOKEN);
            assert_eq!(own.hosts[name].dest_list, [tokens::Dest { addr: "127.0.0.1".into(), port }]);
        }
        assert_eq!(std::fs::read_to_string(dir.path().join("pcs-known-hosts")).unwrap(), pcs, "pcs's file is not ours");
        // The next run has no password: the renewed tokens must be found by name.
        let later = settings(dir.path(), None);
        for name in ["n1", "n2"] {
            run(later.clone()).node(name).unwrap().check_auth().await.unwrap();
        }
        for server in [&a, &b] {
            let reqs = server.seen.requests.lock().unwrap().clone();
            assert_eq!(reqs.iter().filter(|r| r.starts_with("POST /remote/auth")).count(), 1, "{reqs:?}");
        }
    });
}
