//! One pcsd: an HTTPS client bound to its pinned certificate, its token, and the endpoints
//! cibform uses. Requests are bounded in time; answers are read up to a size cap; a token pcsd
//! refuses is replaced by logging in again once, when a password is at hand.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;

use super::pins::{self, Fingerprint, Seen};
use super::secret::Secret;
use super::tokens::Origin;
use super::{Endpoint, PcsdError, Settings};

/// The largest answer read from pcsd (agent metadata and status are the big ones, well below).
const MAX_ANSWER: usize = 16 << 20;

/// How much of an unexpected answer an error quotes.
const EXCERPT: usize = 200;

/// A client of one pcsd.
#[derive(Debug)]
pub struct Node {
    /// The name the node was asked for: its tokens are looked up and kept under it.
    name: String,
    ep: Endpoint,
    http: reqwest::Client,
    pinned: Option<Fingerprint>,
    seen: Seen,
    settings: Arc<Settings>,
    token: Mutex<Option<(Secret, Origin)>>,
}

/// A request: method, path, body.
pub(super) enum Body<'a> {
    None,
    Form(&'a [(&'a str, &'a str)]),
    Json(&'a serde_json::Value),
}

/// What `reload_corosync_conf` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reload {
    Reloaded,
    /// corosync is not running there: nothing to reload.
    NotRunning,
}

/// `get_sw_versions`: each is a list of numbers (`[0, 11, 5]`), empty when not installed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SwVersions {
    #[serde(default)]
    pub pcs: Vec<u32>,
    #[serde(default)]
    pub pacemaker: Vec<u32>,
    #[serde(default)]
    pub corosync: Vec<u32>,
}

impl Node {
    /// A client for `ep`, trusting only its pinned certificate (any, on first use).
    ///
    /// # Errors
    /// The pin file cannot be read.
    pub fn new(ep: Endpoint, settings: Arc<Settings>) -> Result<Node, PcsdError> {
        Node::named(&ep.host.clone(), ep, settings)
    }

    /// A client for the host known as `name` (a node name pcs knows), answering at `ep`.
    ///
    /// # Errors
    /// The pin file cannot be read.
    pub fn named(name: &str, ep: Endpoint, settings: Arc<Settings>) -> Result<Node, PcsdError> {
        let pinned = settings.pins.get(&ep)?;
        let seen: Seen = Arc::new(Mutex::new(None));
        let tls = pins::client_config(pinned.clone(), seen.clone())?;
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| PcsdError::Tls { place: ep.to_string(), detail: chain(&e) })?;
        Ok(Node { name: name.to_string(), ep, http, pinned, seen, settings, token: Mutex::new(None) })
    }

    /// `HOST:PORT`, as errors name it.
    pub fn place(&self) -> String {
        self.ep.to_string()
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.ep
    }

    /// The fingerprint of the certificate this node showed (after a request).
    pub fn shown_certificate(&self) -> Option<Fingerprint> {
        self.seen.lock().ok().and_then(|s| s.clone())
    }

    fn url(&self, path: &str) -> String {
        format!("https://{}/{path}", self.ep)
    }

    /// Send one request (with the token cookie when `token` is given) and read the answer.
    async fn send(
        &self,
        path: &str,
        body: &Body<'_>,
        token: Option<&Secret>,
        timeout: Option<Duration>,
    ) -> Result<(u16, String), PcsdError> {
        let mut req = match body {
            Body::None => self.http.get(self.url(path)),
            Body::Form(f) => self.http.post(self.url(path)).form(f),
            Body::Json(j) => self.http.post(self.url(path)).json(j),
        };
        if let Some(t) = token {
            req = req.header(reqwest::header::COOKIE, format!("token={}", t.expose()));
        }
        if let Some(t) = timeout {
            req = req.timeout(t);
        }
        let budget = timeout.unwrap_or(self.settings.timeout);
        let what = path.split('?').next().unwrap_or(path);
        let mut resp = req.send().await.map_err(|e| self.explain(&e, what, budget))?;
        self.pin_on_first_use()?;
        let status = resp.status().as_u16();
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.explain(&e, what, budget))? {
            if bytes.len() + chunk.len() > MAX_ANSWER {
                return Err(self.bad(what, "an answer of a sane size", "more than 16 MiB"));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// After the first successful handshake with an unpinned node, pin what it showed.
    fn pin_on_first_use(&self) -> Result<(), PcsdError> {
        if self.pinned.is_some() {
            return Ok(());
        }
        let Some(fp) = self.shown_certificate() else { return Ok(()) };
        if self.settings.pins.get(&self.ep)?.as_ref() == Some(&fp) {
            return Ok(());
        }
        self.settings.pins.set(&self.ep, &fp)?;
        self.settings.note(format!(
            "pinned the certificate of pcsd at {} (sha256 {fp}) in `{}`",
            self.ep,
            self.settings.pins.path.display()
        ));
        Ok(())
    }

    /// A transport error as a typed one.
    fn explain(&self, e: &reqwest::Error, what: &str, budget: Duration) -> PcsdError {
        let place = self.place();
        if let (Some(pinned), Some(shown)) = (&self.pinned, self.shown_certificate()) {
            if *pinned != shown {
                return PcsdError::CertMismatch {
                    place,
                    pinned: pinned.to_string(),
                    shown: shown.to_string(),
                    file: self.settings.pins.path.display().to_string(),
                };
            }
        }
        if e.is_timeout() {
            return PcsdError::Timeout { place, what: format!("`{what}`"), seconds: budget.as_secs().max(1) };
        }
        let detail = chain(e);
        if has_source::<rustls::Error>(e) {
            return PcsdError::Tls { place, detail };
        }
        if e.is_connect() || e.is_request() {
            return PcsdError::Down { place, port: self.ep.port, detail };
        }
        PcsdError::BadAnswer { place, what: format!("`{what}`"), expected: "HTTP", excerpt: detail }
    }

    pub(super) fn bad(&self, what: &str, expected: &'static str, answer: &str) -> PcsdError {
        PcsdError::BadAnswer { place: self.place(), what: format!("`{what}`"), expected, excerpt: excerpt(answer) }
    }

    /// Log in as `hacluster` with the password; keep the token in cibform's store.
    ///
    /// # Errors
    /// No password, a wrong one, or pcsd cannot be reached.
    pub async fn login(&self) -> Result<Secret, PcsdError> {
        let password = self
            .settings
            .password
            .get()
            .map_err(PcsdError::Password)?
            .ok_or_else(|| PcsdError::NoPassword { place: self.place(), host: self.ep.host.clone() })?;
        let form = [("username", "hacluster"), ("password", password.expose())];
        let (status, body) = self.send("remote/auth", &Body::Form(&form), None, None).await?;
        let token = body.trim();
        if status != 200 {
            return Err(PcsdError::Http {
                place: self.place(),
                what: "`remote/auth`".into(),
                status,
                excerpt: excerpt(&body),
            });
        }
        if token.is_empty() {
            return Err(PcsdError::WrongPassword { place: self.place() });
        }
        if token.len() > 256 || !token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(self.bad("remote/auth", "a token", "(not shown)"));
        }
        let token = Secret::new(token);
        self.settings.tokens.save(&self.name, &self.ep, &token)?;
        self.remember(Some((token.clone(), Origin::Own)));
        Ok(token)
    }

    fn remember(&self, t: Option<(Secret, Origin)>) {
        if let Ok(mut slot) = self.token.lock() {
            *slot = t;
        }
    }

    /// The token to send: in memory, else stored, else from a login.
    async fn token(&self) -> Result<(Secret, Option<Origin>), PcsdError> {
        if let Some((t, o)) = self.token.lock().ok().and_then(|t| t.clone()) {
            return Ok((t, Some(o)));
        }
        match self.settings.tokens.find(&self.name, &self.ep)? {
            Some((t, o)) => {
                self.remember(Some((t.clone(), o)));
                Ok((t, Some(o)))
            }
            None => Ok((self.login().await?, None)),
        }
    }

    /// An authenticated request. A refused stored token is forgotten and replaced by a login,
    /// once; a refused fresh token is reported.
    pub(super) async fn call(
        &self,
        path: &str,
        body: Body<'_>,
        timeout: Option<Duration>,
    ) -> Result<String, PcsdError> {
        let (token, origin) = self.token().await?;
        let (status, text) = self.send(path, &body, Some(&token), timeout).await?;
        let (status, text) = match (status, origin) {
            (401, Some(origin)) => {
                self.remember(None);
                if origin == Origin::Own {
                    self.settings.tokens.forget(&self.name, &self.ep)?;
                }
                let fresh = self.login().await.map_err(|e| match e {
                    PcsdError::NoPassword { .. } => {
                        PcsdError::TokenRefused { place: self.place(), file: self.token_file(origin) }
                    }
                    other => other,
                })?;
                self.send(path, &body, Some(&fresh), timeout).await?
            }
            other => (other.0, text),
        };
        self.check_status(path, status, text)
    }

    fn token_file(&self, origin: Origin) -> String {
        let path = match origin {
            Origin::Own => Some(&self.settings.tokens.own),
            Origin::Pcs => self.settings.tokens.pcs.as_ref(),
        };
        path.map(|p| p.display().to_string()).unwrap_or_default()
    }

    fn check_status(&self, path: &str, status: u16, text: String) -> Result<String, PcsdError> {
        let what = path.split('?').next().unwrap_or(path).to_string();
        match status {
            200..=299 => Ok(text),
            401 => Err(PcsdError::TokenRefused {
                place: self.place(),
                file: self.settings.tokens.own.display().to_string(),
            }),
            403 => Err(PcsdError::Forbidden { place: self.place(), what: format!("use `{what}`") }),
            _ => {
                Err(PcsdError::Http { place: self.place(), what: format!("`{what}`"), status, excerpt: excerpt(&text) })
            }
        }
    }

    /// Whether pcsd accepts this node's token (`remote/check_auth`).
    ///
    /// # Errors
    /// Not authenticated and no way to log in, or pcsd cannot be reached.
    pub async fn check_auth(&self) -> Result<(), PcsdError> {
        let text = self.call("remote/check_auth", Body::None, None).await?;
        let v: serde_json::Value = self.json("remote/check_auth", &text)?;
        match v.get("success") {
            Some(serde_json::Value::Bool(true)) => Ok(()),
            _ => Err(self.bad("remote/check_auth", "`{\"success\": true}`", &text)),
        }
    }

    pub(super) fn json<T: serde::de::DeserializeOwned>(&self, what: &str, text: &str) -> Result<T, PcsdError> {
        serde_json::from_str(text).map_err(|_| self.bad(what, "JSON of the expected shape", text))
    }

    /// The node's corosync.conf; `None` when it has none (no cluster set up there).
    ///
    /// # Errors
    /// pcsd cannot be reached or refuses.
    pub async fn corosync_conf(&self) -> Result<Option<String>, PcsdError> {
        match self.call("remote/get_corosync_conf", Body::None, None).await {
            Ok(t) => Ok(Some(t)),
            Err(PcsdError::Http { status: 400, excerpt, .. }) if excerpt.contains("Unable to read corosync.conf") => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Write the node's corosync.conf (pcsd keeps a backup of the old one).
    ///
    /// # Errors
    /// pcsd refuses the text or cannot be reached.
    pub async fn set_corosync_conf(&self, text: &str) -> Result<(), PcsdError> {
        let form = [("corosync_conf", text)];
        let answer = self.call("remote/set_corosync_conf", Body::Form(&form), None).await?;
        if answer.trim() == "Succeeded" {
            Ok(())
        } else {
            Err(self.bad("remote/set_corosync_conf", "`Succeeded`", &answer))
        }
    }

    /// `corosync-cfgtool -R` on the node: the running cluster reloads corosync.conf.
    ///
    /// # Errors
    /// The reload failed, or pcsd cannot be reached.
    pub async fn reload_corosync_conf(&self) -> Result<Reload, PcsdError> {
        #[derive(Deserialize)]
        struct Answer {
            code: String,
            #[serde(default)]
            message: String,
        }
        let what = "remote/reload_corosync_conf";
        let text = self.call(what, Body::Form(&[]), None).await?;
        let a: Answer = self.json(what, &text)?;
        match a.code.as_str() {
            "reloaded" => Ok(Reload::Reloaded),
            "not_running" => Ok(Reload::NotRunning),
            _ => Err(PcsdError::Api {
                place: self.place(),
                what: "reloading corosync.conf".into(),
                messages: excerpt(&a.message),
                codes: vec![a.code],
            }),
        }
    }

    /// The node's status as pcsd reports it (`remote/status?version=2`; takes a few seconds).
    ///
    /// # Errors
    /// pcsd cannot be reached, refuses, or answers no JSON.
    pub async fn status(&self) -> Result<serde_json::Value, PcsdError> {
        let text = self.call("remote/status?version=2", Body::None, None).await?;
        self.json("remote/status", &text)
    }

    /// `corosync-quorumtool -p -s` on the node, as text.
    ///
    /// # Errors
    /// pcsd cannot be reached or refuses.
    pub async fn quorum_info(&self) -> Result<String, PcsdError> {
        self.call("remote/get_quorum_info", Body::None, None).await
    }

    /// Whether the node's partition has quorum (from `quorum_info`).
    ///
    /// # Errors
    /// As `quorum_info`.
    pub async fn quorate(&self) -> Result<bool, PcsdError> {
        Ok(quorate(&self.quorum_info().await?))
    }

    /// The versions of pcs, pacemaker and corosync on the node.
    ///
    /// # Errors
    /// pcsd cannot be reached, refuses, or answers no JSON.
    pub async fn sw_versions(&self) -> Result<SwVersions, PcsdError> {
        let text = self.call("remote/get_sw_versions", Body::None, None).await?;
        self.json("remote/get_sw_versions", &text)
    }

    /// Run a pcs library command through `/api/v1/NAME/v1`; its `data` on success.
    ///
    /// # Errors
    /// pcsd refuses the command (its report messages), or cannot be reached.
    pub async fn api_v1(
        &self,
        name: &str,
        params: &serde_json::Value,
        timeout: Option<Duration>,
    ) -> Result<serde_json::Value, PcsdError> {
        #[derive(Deserialize)]
        struct Answer {
            status: String,
            #[serde(default)]
            status_msg: Option<String>,
            #[serde(default)]
            report_list: Vec<serde_json::Value>,
            #[serde(default)]
            data: serde_json::Value,
        }
        let path = format!("api/v1/{name}/v1");
        let text = self.call(&path, Body::Json(params), timeout).await?;
        let a: Answer = self.json(&path, &text)?;
        if a.status == "success" {
            return Ok(a.data);
        }
        let status = format!("status `{}`", a.status);
        Err(self.refused(name, &a.report_list, a.status_msg.filter(|m| !m.is_empty()), status))
    }

    /// A library command pcsd ran and pcs refused: the errors of its reports (codes and
    /// messages) and `also`, else `otherwise`.
    fn refused(&self, name: &str, reports: &[serde_json::Value], also: Option<String>, otherwise: String) -> PcsdError {
        let errors: Vec<(String, String)> = reports.iter().filter_map(report_error).collect();
        let codes = errors.iter().map(|(c, _)| c.clone()).collect();
        let mut messages: Vec<String> = errors.into_iter().map(|(_, m)| m).collect();
        messages.extend(also);
        if messages.is_empty() {
            messages.push(otherwise);
        }
        PcsdError::Api {
            place: self.place(),
            what: format!("`{name}`"),
            messages: excerpt(&messages.join("; ")),
            codes,
        }
    }

    /// Run a pcs library command that pcsd offers only through its API v2 (its async task
    /// mapping, e.g. `quorum.device_net_certificate_setup_local`): `/api/v2/task/run` creates
    /// the task and answers when it has finished; its `result` on success.
    ///
    /// # Errors
    /// pcsd refuses the command (its report messages), the task is killed, or pcsd cannot be
    /// reached within `timeout`.
    pub async fn api_v2(
        &self,
        name: &str,
        params: &serde_json::Value,
        timeout: Option<Duration>,
    ) -> Result<serde_json::Value, PcsdError> {
        #[derive(Deserialize)]
        struct Answer {
            task_finish_type: String,
            #[serde(default)]
            kill_reason: Option<String>,
            #[serde(default)]
            reports: Vec<serde_json::Value>,
            #[serde(default)]
            result: serde_json::Value,
        }
        let path = "api/v2/task/run";
        let command = serde_json::json!({ "command_name": name, "params": params, "options": {} });
        let text = self.call(path, Body::Json(&command), timeout).await?;
        let a: Answer = self.json(path, &text)?;
        if a.task_finish_type.eq_ignore_ascii_case("success") {
            return Ok(a.result);
        }
        let ended = match a.kill_reason {
            Some(why) => format!("the task was killed ({why})"),
            None => format!("the task ended `{}`", a.task_finish_type.to_ascii_lowercase()),
        };
        Err(self.refused(name, &a.reports, None, ended))
    }

    /// An agent's metadata as OCF XML (`resource-agent-get-agent-metadata`); `None` when the
    /// node does not have the agent.
    ///
    /// # Errors
    /// pcsd cannot be reached or refuses.
    pub async fn agent_metadata(&self, agent: &crate::model::Agent) -> Result<Option<String>, PcsdError> {
        let name = serde_json::json!({ "agent_name": {
            "standard": agent.class, "provider": agent.provider, "type": agent.kind } });
        match self.api_v1("resource-agent-get-agent-metadata", &name, None).await {
            Ok(data) => super::metadata::to_xml(&data)
                .map(Some)
                .ok_or_else(|| self.bad("resource-agent-get-agent-metadata", "agent metadata", &data.to_string())),
            Err(PcsdError::Api { messages, codes, .. }) if is_missing_agent(&codes, &messages) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Put nodes in standby or take them out (`node-standby-unstandby`).
    ///
    /// # Errors
    /// pcsd refuses, or cannot be reached.
    pub async fn standby(&self, nodes: &[String], standby: bool) -> Result<(), PcsdError> {
        let params = serde_json::json!({ "standby": standby, "node_names": nodes, "wait": false });
        self.api_v1("node-standby-unstandby", &params, None).await.map(drop)
    }

    /// Stop `component` (`pacemaker` or `corosync`) on this node (`remote/cluster_stop`, what
    /// `pcs cluster stop --all` asks of each node), forced as pcs does (the quorum check is for
    /// stopping some nodes, not all); resources may take `timeout` to stop.
    ///
    /// # Errors
    /// pcsd refuses (pcs's message), or cannot be reached within `timeout`.
    pub async fn cluster_stop(&self, component: &str, timeout: Duration) -> Result<(), PcsdError> {
        let form = [("component", component), ("force", "1")];
        self.call("remote/cluster_stop", Body::Form(&form), Some(timeout)).await.map(drop)
    }

    /// Start corosync, then pacemaker on this node (`remote/cluster_start`, what `pcs cluster
    /// start --all` asks of each node).
    ///
    /// # Errors
    /// pcsd refuses (pcs's message), or cannot be reached within `timeout`.
    pub async fn cluster_start(&self, timeout: Duration) -> Result<(), PcsdError> {
        self.call("remote/cluster_start", Body::Form(&[]), Some(timeout)).await.map(drop)
    }

    /// Make Pacemaker forget nodes (`remote/remove_nodes_from_cib`: `crm_node --force -R` on
    /// this node, what `pcs cluster node remove` asks of a staying node).
    ///
    /// # Errors
    /// pcsd refuses (pcs's message), or cannot be reached.
    pub async fn remove_nodes_from_cib(&self, names: &[String]) -> Result<(), PcsdError> {
        let data = serde_json::json!({ "node_list": names }).to_string();
        self.call("remote/remove_nodes_from_cib", Body::Form(&[("data_json", data.as_str())]), None).await.map(drop)
    }

    /// `pcs cluster setup` through this node (`cluster-setup`); `params` as pcs's library
    /// takes them (`cluster_name`, `nodes`, `transport_type`, `link_list`, `start`, `wait`, ...).
    /// Every node must be in this node's known-hosts first (`known_hosts_add`).
    ///
    /// # Errors
    /// pcsd refuses (its report messages), or cannot be reached within `timeout`.
    pub async fn cluster_setup(&self, params: &serde_json::Value, timeout: Duration) -> Result<(), PcsdError> {
        self.api_v1("cluster-setup", params, Some(timeout)).await.map(drop)
    }

    /// Add hosts and their tokens to this node's known-hosts (what `pcs host auth` leaves on the
    /// node that sets the cluster up).
    ///
    /// # Errors
    /// pcsd refuses, or cannot be reached.
    pub async fn known_hosts_add(&self, hosts: &[(String, Endpoint, Secret)]) -> Result<(), PcsdError> {
        let add: serde_json::Map<String, serde_json::Value> = hosts
            .iter()
            .map(|(name, ep, token)| {
                let v = serde_json::json!({ "token": token.expose(),
                    "dest_list": [{ "addr": ep.host, "port": ep.port }] });
                (name.clone(), v)
            })
            .collect();
        let data = serde_json::json!({ "known_hosts_add": add, "known_hosts_remove": [] }).to_string();
        self.call("remote/known_hosts_change", Body::Form(&[("data_json", data.as_str())]), None).await.map(drop)
    }

    /// The token this node uses (stored or from a login), to hand to another pcsd.
    ///
    /// # Errors
    /// As `check_auth`.
    pub async fn token_for_sharing(&self) -> Result<Secret, PcsdError> {
        self.check_auth().await?;
        Ok(self.token().await?.0)
    }
}

/// The code and message of an error in a pcs report (`{"severity": {"level": "ERROR"},
/// "message": {"code": ..., "message": ...}}`).
fn report_error(r: &serde_json::Value) -> Option<(String, String)> {
    let level = r.pointer("/severity/level").and_then(|l| l.as_str()).unwrap_or("ERROR");
    let text = |p: &str| r.pointer(p).and_then(|m| m.as_str()).map(str::to_string);
    (level == "ERROR")
        .then(|| (text("/message/code").unwrap_or_default(), text("/message/message").unwrap_or("(no message)".into())))
}

/// pcs's answer for an agent the node does not have: `UNABLE_TO_GET_AGENT_METADATA`, "Agent
/// 'ocf:heartbeat:Nope' is not installed or does not provide valid metadata: ...".
fn is_missing_agent(codes: &[String], messages: &str) -> bool {
    codes.iter().any(|c| c == "UNABLE_TO_GET_AGENT_METADATA") && messages.contains("is not installed")
}

/// Whether `corosync-quorumtool -s` output says the partition is quorate.
pub fn quorate(text: &str) -> bool {
    text.lines().any(|l| {
        let mut parts = l.splitn(2, ':');
        parts.next().map(str::trim) == Some("Quorate") && parts.next().map(str::trim) == Some("Yes")
    })
}

/// At most `EXCERPT` characters of an answer, on one line, printable.
fn excerpt(s: &str) -> String {
    let one_line: String = s.trim().chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    match one_line.char_indices().nth(EXCERPT) {
        Some((i, _)) => format!("{}...", &one_line[..i]),
        None if one_line.is_empty() => "(empty)".into(),
        None => one_line,
    }
}

/// An error with its causes, innermost last.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        src = s.source();
    }
    out
}

fn has_source<T: std::error::Error + 'static>(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if s.is::<T>() || s.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()).is_some_and(|i| i.is::<T>()) {
            return true;
        }
        src = s.source();
    }
    false
}

#[cfg(test)]
mod tests {
    #[test]
    fn quorum_text_is_read_like_pcs() {
        assert!(super::quorate("Quorum information\n------------------\nQuorate:          Yes\n"));
        assert!(!super::quorate("Quorate:          No\n"));
        assert!(!super::quorate("Cannot initialize QUORUM service\n"));
    }

    #[test]
    fn excerpts_are_short_single_lines() {
        let long = "x\n".repeat(500);
        let e = super::excerpt(&long);
        assert!(e.len() <= 204 && !e.contains('\n'), "{e}");
        assert_eq!(super::excerpt("  "), "(empty)");
    }
}
