//! Stage 6: pcsd, the daemon Pacemaker admins already run on every node (HTTPS, port 2224), as a
//! path to what it offers: corosync.conf (get, set, reload), node status, quorum, software
//! versions, agent metadata, cluster setup, node standby and a quorum device's steps. pcsd has
//! no endpoint for the raw CIB, so the CIB keeps its own path (`--target`); `--pcsd` names pcsd
//! for the rest.
//!
//! Trust: the node's self-signed certificate is pinned on first use (`pins`), tokens are kept
//! the way pcs keeps them (`tokens`), the password comes from the environment or a file and
//! never from argv or the cluster file (`secret`). Every request is bounded in time; requests
//! to several nodes run concurrently with a bound (`Pcsd::each`). This module decides nothing
//! about a cluster's configuration and prints nothing: what a caller should tell the admin
//! (a certificate pinned for the first time) is collected in `Settings::take_notes`.

mod client;
pub mod conf_nodes;
pub mod metadata;
pub mod pins;
pub mod qdevice;
pub mod secret;
pub mod tokens;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use client::{Node, Reload, SwVersions};
pub use secret::{PasswordSource, Secret};

/// pcsd's port.
pub const DEFAULT_PORT: u16 = 2224;

/// The forms `--pcsd` accepts, for help texts.
pub const PCSD_FORMS: &str = "`pcsd://HOST[:PORT][,HOST[:PORT]...]` (port 2224 by default; hosts tried in order)";

/// One pcsd: a host (name or address) and its port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl Endpoint {
    /// Parse `HOST`, `HOST:PORT`, `[V6]` or `[V6]:PORT`.
    ///
    /// # Errors
    /// A message saying what is wrong.
    pub fn parse(s: &str) -> Result<Endpoint, String> {
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (h, after) = rest.split_once(']').ok_or_else(|| format!("`{s}` lacks the closing `]`"))?;
            (h, after.strip_prefix(':'))
        } else {
            match s.rsplit_once(':') {
                Some((h, p)) if !h.contains(':') => (h, Some(p)),
                Some(_) => return Err(format!("`{s}`: write an IPv6 address in brackets, e.g. `[fd00::1]:2224`")),
                None => (s, None),
            }
        };
        if host.is_empty() || host.starts_with('-') || host.chars().any(|c| c.is_whitespace() || c == '/' || c == '@') {
            return Err(format!("`{s}` is not a host"));
        }
        let port = match port {
            Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| format!("`{p}` is not a port number"))?,
            None => DEFAULT_PORT,
        };
        Ok(Endpoint { host: host.to_string(), port })
    }
}

/// `--pcsd pcsd://HOST[:PORT][,HOST...]`: pcsd hosts, tried in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcsdTarget {
    pub hosts: Vec<Endpoint>,
}

impl PcsdTarget {
    /// Parse a pcsd target.
    ///
    /// # Errors
    /// A message saying what is wrong and which form is accepted.
    pub fn parse(s: &str) -> Result<PcsdTarget, String> {
        let rest = s.strip_prefix("pcsd://").ok_or_else(|| format!("`{s}` is not a pcsd target ({PCSD_FORMS})"))?;
        if rest.contains('@') {
            return Err("do not put a user or password in a pcsd target: the user is `hacluster`, the password comes from `PCSD_PASSWORD` or `PCSD_PASSWORD_FILE`".into());
        }
        let hosts = rest.split(',').map(Endpoint::parse).collect::<Result<Vec<_>, _>>()?;
        Ok(PcsdTarget { hosts })
    }
}

impl std::fmt::Display for PcsdTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list: Vec<String> = self.hosts.iter().map(Endpoint::to_string).collect();
        write!(f, "pcsd://{}", list.join(","))
    }
}

/// Errors talking to pcsd. Each names the pcsd (`HOST:PORT`) and says what to do next; none
/// carries a password or a token.
#[derive(Debug, thiserror::Error)]
pub enum PcsdError {
    #[error("pcsd at {place} refused the password of `hacluster`: check `PCSD_PASSWORD` or the password file (set it on the nodes with `passwd hacluster`)")]
    WrongPassword { place: String },
    #[error("no pcsd token for {place} and no password to get one: set `PCSD_PASSWORD` or `PCSD_PASSWORD_FILE` (the `hacluster` password), or run `pcs host auth {host}`")]
    NoPassword { place: String, host: String },
    #[error("pcsd at {place} refused the token from `{file}` (expired or revoked): set `PCSD_PASSWORD` or `PCSD_PASSWORD_FILE` so cibform can log in again")]
    TokenRefused { place: String, file: String },
    #[error("pcsd at {place} does not allow `hacluster` to {what} (HTTP 403): check the permissions in pcsd (`pcs pcsd permissions`)")]
    Forbidden { place: String, what: String },
    #[error("pcsd at {place} shows another certificate than the one pinned in `{file}`: refusing to talk to it (pinned {pinned}, shown {shown}). If the certificate was replaced on purpose (`pcs pcsd certkey`, a new cluster setup), compare the shown fingerprint with `openssl x509 -noout -fingerprint -sha256 -in /var/lib/pcsd/pcsd.crt` on the node, then delete the line `{place}` from `{file}`")]
    CertMismatch { place: String, pinned: String, shown: String, file: String },
    #[error("pcsd is not reachable at {place} ({detail}): check that pcsd runs there (`systemctl status pcsd`) and that port {port} is open")]
    Down { place: String, port: u16, detail: String },
    #[error("pcsd at {place} did not answer {what} within {seconds} s")]
    Timeout { place: String, what: String, seconds: u64 },
    #[error("pcsd at {place} answered {what} with something that is not {expected}: {excerpt}")]
    BadAnswer { place: String, what: String, expected: &'static str, excerpt: String },
    #[error("pcsd at {place} answered {what} with HTTP {status}: {excerpt}")]
    Http { place: String, what: String, status: u16, excerpt: String },
    #[error("pcsd at {place} refused {what}: {messages}")]
    Api { place: String, what: String, messages: String, codes: Vec<String> },
    #[error("TLS with pcsd at {place} failed: {detail}")]
    Tls { place: String, detail: String },
    #[error("cannot use `{path}`: {detail}")]
    Store { path: String, detail: String },
    /// The password file cannot be used (the message names the file, never its content).
    #[error("{0}")]
    Password(String),
    #[error("no pcsd answered: {}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    NoHost(Vec<PcsdError>),
}

impl PcsdError {
    pub(crate) fn store(path: &Path, detail: impl Into<String>) -> PcsdError {
        PcsdError::Store { path: path.display().to_string(), detail: detail.into() }
    }

    /// Whether another host of a list might do better (this one is down or slow). A refused
    /// password or certificate is final: another node would not make it right.
    pub fn try_next(&self) -> bool {
        matches!(self, PcsdError::Down { .. } | PcsdError::Timeout { .. } | PcsdError::Tls { .. })
    }
}

/// How cibform talks to pcsd: where pins and tokens live, the password, the bounds.
#[derive(Debug)]
pub struct Settings {
    pub pins: pins::PinFile,
    pub tokens: tokens::TokenStore,
    pub password: PasswordSource,
    /// The budget of one ordinary request.
    pub timeout: Duration,
    /// At most this many requests in flight at once (`Pcsd::each`).
    pub parallel: usize,
    notes: Mutex<Vec<String>>,
}

/// The environment variable naming cibform's directory for pcsd pins and tokens.
pub const DIR_ENV: &str = "CIBFORM_PCSD_DIR";

impl Settings {
    /// Settings with pins and tokens in `dir`, pcs's token file at `pcs_file`.
    pub fn new(dir: &Path, pcs_file: Option<PathBuf>, password: PasswordSource) -> Settings {
        Settings {
            pins: pins::PinFile { path: pins::default_path(dir) },
            tokens: tokens::TokenStore { own: tokens::default_path(dir), pcs: pcs_file },
            password,
            timeout: Duration::from_secs(30),
            parallel: 8,
            notes: Mutex::new(Vec::new()),
        }
    }

    /// The settings of a cibform run: `CIBFORM_PCSD_DIR`, else `$XDG_CONFIG_HOME/cibform`,
    /// else `~/.config/cibform`; pcs's own known-hosts; the password from the environment or
    /// `password_file`.
    pub fn from_env(password_file: Option<&Path>) -> Settings {
        Settings::new(&default_dir(), tokens::pcs_file(), PasswordSource::from_env(password_file))
    }

    pub(crate) fn note(&self, line: String) {
        if let Ok(mut n) = self.notes.lock() {
            n.push(line);
        }
    }

    /// What the admin should be told (certificates pinned for the first time), once.
    pub fn take_notes(&self) -> Vec<String> {
        self.notes.lock().map(|mut n| std::mem::take(&mut *n)).unwrap_or_default()
    }
}

/// cibform's directory for pcsd pins and tokens.
pub fn default_dir() -> PathBuf {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    env(DIR_ENV)
        .or_else(|| env("XDG_CONFIG_HOME").map(|d| d.join("cibform")))
        .or_else(|| env("HOME").map(|h| h.join(".config/cibform")))
        .unwrap_or_else(|| PathBuf::from(".cibform"))
}

/// pcsd on a list of hosts, with shared settings.
#[derive(Debug, Clone)]
pub struct Pcsd {
    pub target: PcsdTarget,
    pub settings: Arc<Settings>,
}

impl Pcsd {
    pub fn new(target: PcsdTarget, settings: Arc<Settings>) -> Pcsd {
        Pcsd { target, settings }
    }

    /// A client for one pcsd (a node of the target, or any other, e.g. a node named in
    /// corosync.conf); its port is the target's for a listed host, else 2224.
    ///
    /// # Errors
    /// The pin file cannot be read.
    pub fn node(&self, host: &str) -> Result<Node, PcsdError> {
        let ep = self.target.hosts.iter().find(|e| e.host == host).cloned();
        // A node name pcs knows (`pcs host auth NAME addr=...`) is reached where pcs reaches it.
        let ep = ep.or_else(|| self.settings.tokens.known_endpoint(host));
        let ep = ep.unwrap_or(Endpoint { host: host.to_string(), port: DEFAULT_PORT });
        Node::named(host, ep, self.settings.clone())
    }

    /// Ask the target's hosts in order until one answers (another is tried only when one is
    /// down or too slow).
    ///
    /// # Errors
    /// The first final error, or every host's error.
    pub async fn first<T>(&self, f: impl AsyncFn(&Node) -> Result<T, PcsdError>) -> Result<T, PcsdError> {
        let mut errors = Vec::new();
        for ep in &self.target.hosts {
            let node = Node::new(ep.clone(), self.settings.clone())?;
            match f(&node).await {
                Ok(v) => return Ok(v),
                Err(e) if e.try_next() => errors.push(e),
                Err(e) => return Err(e),
            }
        }
        Err(PcsdError::NoHost(errors))
    }

    /// Run `f` on each of `hosts` concurrently, at most `settings.parallel` at once; the
    /// results in `hosts`' order.
    pub async fn each<T>(
        &self,
        hosts: &[String],
        f: impl AsyncFn(&Node) -> Result<T, PcsdError>,
    ) -> Vec<(String, Result<T, PcsdError>)> {
        use futures_util::stream::{self, StreamExt as _};
        let f = &f;
        let jobs = hosts.iter().map(|h| async move {
            let r = match self.node(h) {
                Ok(node) => f(&node).await,
                Err(e) => Err(e),
            };
            (h.clone(), r)
        });
        stream::iter(jobs).buffered(self.settings.parallel.max(1)).collect().await
    }

    // The corosync transport (`conf_nodes::PcsdNodes`) uses `get`/`set` below; its reload asks
    // each cluster node in turn, as pcs does. pcsd has no endpoint for knet links: pcs itself
    // adds or removes one by writing the same new corosync.conf on every node and then one
    // reload, which is what the transport's link add/remove does (the seam's shared push).

    /// corosync.conf of one node (the corosync transport's `get`).
    ///
    /// # Errors
    /// As `Node::corosync_conf`; a node with no corosync.conf is an error here.
    pub async fn get_corosync_conf(&self, host: &str) -> Result<String, PcsdError> {
        let node = self.node(host)?;
        node.corosync_conf().await?.ok_or_else(|| PcsdError::Http {
            place: node.place(),
            what: "get_corosync_conf".into(),
            status: 400,
            excerpt: "the node has no corosync.conf".into(),
        })
    }

    /// Write corosync.conf on one node (the corosync transport's `set`).
    ///
    /// # Errors
    /// As `Node::set_corosync_conf`.
    pub async fn set_corosync_conf(&self, host: &str, text: &str) -> Result<(), PcsdError> {
        self.node(host)?.set_corosync_conf(text).await
    }

    /// Make the running cluster reload corosync.conf (the corosync transport's `reload`; one
    /// node's `corosync-cfgtool -R` reloads every node).
    ///
    /// # Errors
    /// No host answers, or the reload failed.
    pub async fn reload_corosync_conf(&self) -> Result<Reload, PcsdError> {
        self.first(async |n| n.reload_corosync_conf().await).await
    }
}

#[cfg(test)]
pub(crate) mod tests;

/// Two `Pcsd`s are the same when they name the same hosts (settings are the run's).
impl PartialEq for Pcsd {
    fn eq(&self, other: &Pcsd) -> bool {
        self.target == other.target
    }
}

impl Eq for Pcsd {}
