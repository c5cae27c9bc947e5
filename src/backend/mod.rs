//! Stage 6: reaching a cluster. One backend for every target kind; the rest of cibform only sees
//! `read` (the live CIB) and `write` (a new configuration bound to the exact configuration it
//! was planned against).
//!
//! The core never does I/O; this module is the seam. Commands run on cluster nodes are built as
//! data (`runner::Cmd`) and run by a `runner::Run` (this host, or a node over ssh), so they can be
//! tested without running anything.

pub mod corosync;
#[cfg(test)]
pub mod fake;
pub mod file;
pub mod members;
pub mod node;
pub mod pcsd;
pub mod qdevice;
pub mod runner;
pub mod verify;

use std::path::PathBuf;

use crate::cib::xml::Element;
use crate::cib::{Basis, Cib, Version};
use runner::{Local, RunError, Ssh};

/// Pacemaker's remote CIB access (`CIB_server` and friends) from this host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteCib {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub encrypted: bool,
}

impl RemoteCib {
    /// The environment of the CLI tools. The password is never part of a target: it comes from
    /// `CIB_passwd` in cibform's own environment, which the tools inherit.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("CIB_server".into(), self.host.clone()),
            ("CIB_port".into(), self.port.to_string()),
            ("CIB_user".into(), self.user.clone()),
            ("CIB_encrypted".into(), self.encrypted.to_string()),
        ]
    }
}

impl RemoteCib {
    /// The tools would prompt for a password on a terminal; cibform never lets them.
    fn check_password(&self) -> Result<(), BackendError> {
        match std::env::var_os("CIB_passwd") {
            Some(p) if !p.is_empty() => Ok(()),
            _ => Err(BackendError::RemoteLogin {
                place: format!("{}:{}", self.host, self.port),
                user: self.user.clone(),
                detail: "`CIB_passwd` is not set in the environment".into(),
            }),
        }
    }

    /// A refused connection to a remote CIB is a login or port problem, not a stopped cluster.
    fn explain(&self, e: BackendError) -> BackendError {
        match e {
            BackendError::ClusterDown { detail, .. } => BackendError::RemoteLogin {
                place: format!("{}:{}", self.host, self.port),
                user: self.user.clone(),
                detail,
            },
            other => other,
        }
    }
}

/// Where a plan or apply goes, as given by `--target` or the file's `target:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A CIB file (as `cibadmin --query` prints and `CIB_file=` reads).
    File(PathBuf),
    /// This host is a cluster node.
    Local,
    /// Cluster nodes over ssh, tried in order.
    Ssh(Vec<Ssh>),
    /// Pacemaker's remote CIB access.
    Remote(RemoteCib),
    /// A scripted node, for unit tests of the layers above the backend.
    #[cfg(test)]
    Fake(fake::FakeNode),
}

/// The forms `--target` accepts, for help texts.
pub const TARGET_FORMS: &str = "`file:PATH`, `local`, `ssh://[USER@]HOST[:PORT][,HOST...]`, `remote://[USER@]HOST:PORT` (add `+plain` as `remote+plain://` for an unencrypted port)";

impl Target {
    /// Parse a target.
    ///
    /// # Errors
    /// A message saying what is wrong and which forms are accepted.
    pub fn parse(s: &str) -> Result<Target, String> {
        if let Some(p) = s.strip_prefix("file:") {
            if p.is_empty() {
                return Err("`file:` needs a path, e.g. `file:cib.xml`".into());
            }
            return Ok(Target::File(PathBuf::from(p)));
        }
        if s == "local" {
            return Ok(Target::Local);
        }
        if let Some(hosts) = s.strip_prefix("ssh://") {
            let list: Result<Vec<Ssh>, String> = hosts.split(',').map(parse_ssh).collect();
            return list.map(Target::Ssh);
        }
        for (prefix, encrypted) in [("remote://", true), ("remote+plain://", false)] {
            if let Some(rest) = s.strip_prefix(prefix) {
                let (user, hostport) = match rest.split_once('@') {
                    Some((u, _)) if u.contains(':') => {
                        return Err("do not put a password in a target: set `CIB_passwd` in the environment".into())
                    }
                    Some((u, h)) => (u.to_string(), h),
                    None => ("hacluster".to_string(), rest),
                };
                let (host, port) = hostport
                    .rsplit_once(':')
                    .ok_or_else(|| format!("`{s}` needs a port, e.g. `remote://hacluster@node1:7777`"))?;
                let port = port.parse().map_err(|_| format!("`{port}` is not a port number"))?;
                if host.is_empty() {
                    return Err(format!("`{s}` needs a host"));
                }
                return Ok(Target::Remote(RemoteCib { host: host.into(), port, user, encrypted }));
            }
        }
        Err(format!("unknown target `{s}`"))
    }

    /// The default for a file with no `target:`: its nodes over ssh, in order.
    pub fn from_nodes<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<Target> {
        let hosts: Vec<Ssh> = names.into_iter().map(|n| Ssh { user: None, host: n.into(), port: None }).collect();
        (!hosts.is_empty()).then_some(Target::Ssh(hosts))
    }
}

fn parse_ssh(h: &str) -> Result<Ssh, String> {
    let (user, hostport) = match h.split_once('@') {
        // ssh would take `user:secret` for a login name, and every plan would print it.
        Some((u, _)) if u.contains(':') => {
            return Err("do not put a password in a target: ssh logs in with keys (`ssh-agent`, `~/.ssh/config`)".into())
        }
        Some((u, rest)) if !u.is_empty() => (Some(u.to_string()), rest),
        _ => (None, h),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => {
            (host, Some(port.parse::<u16>().map_err(|_| format!("`{port}` is not a port number"))?))
        }
        _ => (hostport, None),
    };
    if host.is_empty() || host.starts_with('-') {
        return Err(format!("`{h}` is not a host"));
    }
    Ok(Ssh { user, host: host.into(), port })
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::File(p) => write!(f, "file:{}", p.display()),
            Target::Local => write!(f, "local"),
            Target::Ssh(hosts) => {
                let list: Vec<String> = hosts
                    .iter()
                    .map(|h| {
                        format!("{}{}", runner::Run::place(h), h.port.map(|p| format!(":{p}")).unwrap_or_default())
                    })
                    .collect();
                write!(f, "ssh://{}", list.join(","))
            }
            Target::Remote(r) => {
                write!(f, "remote{}://{}@{}:{}", if r.encrypted { "" } else { "+plain" }, r.user, r.host, r.port)
            }
            #[cfg(test)]
            Target::Fake(_) => write!(f, "fake"),
        }
    }
}

/// What a backend read.
#[derive(Debug, Clone)]
pub struct Live {
    /// Name used in diagnostics about the CIB (a path or `host:cib`).
    pub name: String,
    pub cib: Cib,
    /// corosync.conf, where the target has one (cluster nodes) or it was given.
    pub corosync: Option<ConfText>,
}

/// The text of a corosync.conf and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfText {
    pub name: String,
    pub text: String,
}

impl ConfText {
    /// Read a local corosync.conf (`--corosync PATH`).
    ///
    /// # Errors
    /// The file cannot be read.
    pub fn from_file(path: &std::path::Path) -> Result<ConfText, BackendError> {
        let name = path.display().to_string();
        // A symlink that cannot be read (to nothing, a loop) says so, as the writer would.
        let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        let text = crate::input::read_text_capped(path, crate::input::MAX_COROSYNC_BYTES).map_err(|source| {
            let source = if link { crate::fsutil::resolve(path).err().unwrap_or(source) } else { source };
            BackendError::Read { path: name.clone(), source }
        })?;
        Ok(ConfText { name, text })
    }
}

/// Errors reaching or changing a cluster. Messages are lowercase and say what to do next.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("cannot read `{path}`")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write `{path}`")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the CIB from `{name}` is not usable")]
    BadCib { name: String, diag: Box<crate::diag::Diag> },
    #[error(
        "the cluster changed since this plan was made (planned against CIB {planned}, now {now}); nothing was changed"
    )]
    Stale { planned: Version, now: Version, current: Box<Cib> },
    #[error(transparent)]
    Run(RunError),
    #[error("pacemaker is not running on {place} ({detail}): start the cluster or pick another node")]
    ClusterDown { place: String, detail: String },
    #[error("`{command}` failed on {place} with exit code {code}: {stderr}")]
    Command { place: String, command: String, code: i32, stderr: String },
    #[error("pacemaker would reject the new CIB (crm_verify on {place}); nothing was sent:\n{output}")]
    Rejected { place: String, output: String },
    #[error("the CIB on {place} kept changing during {attempts} attempts to write; nothing was changed, try again")]
    Busy { place: String, attempts: usize },
    #[error("the write failed; {state}")]
    WriteFailed {
        #[source]
        cause: Box<BackendError>,
        state: WriteState,
    },
    #[error("cannot log in to the CIB at {place} as `{user}` ({detail}): check `CIB_passwd`, that the user is in the haclient group, and that the port is open (`remote-clear-port`/`remote-tls-port`)")]
    RemoteLogin { place: String, user: String, detail: String },
    #[error("no node could be reached: {}", .0.iter().map(|(h, e)| format!("{h}: {e}")).collect::<Vec<_>>().join("; "))]
    NoNode(Vec<(String, BackendError)>),
    #[error(transparent)]
    Pcsd(#[from] pcsd::PcsdError),
}

/// Whether a failed command changed the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Nothing was written.
    Nothing,
    /// The new configuration was written.
    Yes,
    /// A write may have happened; the error says how to find out.
    Unknown,
}

/// Which configuration a cluster holds after a write failed part-way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteState {
    #[error("the cluster still has the old configuration: nothing was changed")]
    Old,
    #[error("the cluster has the new configuration: the change was applied")]
    New,
    #[error("`cibadmin` stopped waiting for Pacemaker, whose configuration was still the old one just after; Pacemaker may yet apply the patch it was sent: run `cibform plan` in a minute to see which configuration the cluster holds")]
    OldSoFar,
    #[error(
        "the cluster's configuration is neither the old nor the new one: someone else changed it; run `cibform plan`"
    )]
    Neither,
    #[error("the cluster cannot be read now ({0}); once it is back, run `cibform plan` to see which configuration it holds (Pacemaker applies a patch whole or not at all)")]
    Unreadable(String),
    #[error("Pacemaker accepted the patch, so the change was applied, but the cluster cannot be read back now; once it is back, run `cibform plan` to confirm")]
    AcceptedUnreadable,
}

impl BackendError {
    /// Whether anything was written before this error.
    pub fn written(&self) -> Written {
        match self {
            BackendError::WriteFailed { state: WriteState::Old, .. } => Written::Nothing,
            BackendError::WriteFailed { state: WriteState::New | WriteState::AcceptedUnreadable, .. } => Written::Yes,
            BackendError::WriteFailed { .. } => Written::Unknown,
            _ => Written::Nothing,
        }
    }

    /// Whether another node of an ssh list might do better.
    fn try_next(&self) -> bool {
        matches!(
            self,
            BackendError::Run(RunError::Unreachable { .. } | RunError::NotInstalled { .. } | RunError::Timeout { .. })
                | BackendError::ClusterDown { .. }
        )
    }
}

/// The backend of one command, built once (in `cli`) and passed down: where the CIB is read and
/// written, and where Pacemaker's tools run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    pub target: Target,
    /// Whether Pacemaker's tools on this host may stand in for a cluster's when the target is a
    /// CIB file (`crm_simulate` for previews, `crm_resource` for agent metadata). The one switch
    /// that decides it; off, a file target's output does not depend on what this host has.
    pub host_tools: bool,
    /// pcsd, for what it offers besides the CIB (`--pcsd`): corosync.conf, agent metadata.
    pub pcsd: Option<pcsd::Pcsd>,
    /// Whether `crm_verify` checks the whole new CIB before it is written (and in the plan).
    /// On by default; off only with `--no-crm-verify`, and every plan and apply then says so.
    pub crm_verify: bool,
}

impl Backend {
    pub fn new(target: Target, host_tools: bool) -> Backend {
        Backend { target, host_tools, pcsd: None, crm_verify: true }
    }

    /// The same backend, with the pre-write `crm_verify` on or (`--no-crm-verify`) off.
    pub fn with_crm_verify(self, crm_verify: bool) -> Backend {
        Backend { crm_verify, ..self }
    }

    /// The same backend, with pcsd for corosync.conf and agent metadata.
    pub fn with_pcsd(self, pcsd: Option<pcsd::Pcsd>) -> Backend {
        Backend { pcsd, ..self }
    }

    /// Read the target.
    ///
    /// # Errors
    /// As `read`.
    pub async fn read(&self) -> Result<Live, BackendError> {
        read(&self.target).await
    }

    /// Write a new configuration bound to `basis`.
    ///
    /// # Guarantees
    /// As `write`: all or nothing, and nothing when the configuration is no longer `basis`'s.
    ///
    /// # Errors
    /// As `write`.
    pub async fn write(&self, basis: &Basis, new_config: &Element) -> Result<Version, BackendError> {
        write(&self.target, basis, new_config, self.crm_verify).await
    }

    /// Ask the running cluster (`crm_mon`, `crm_resource --wait`): `None` for a CIB file, which
    /// has no cluster behind it.
    ///
    /// # Errors
    /// The command cannot be run on any node.
    pub async fn query(&self, cmd: runner::Cmd) -> Result<Option<runner::Output>, BackendError> {
        tool(&self.target, cmd).await
    }

    /// Run a tool that works on the data it is given (`crm_simulate --xml-pipe`, agent
    /// metadata): where the cluster is, or on this host for a CIB file when host tools are
    /// allowed; `None` when there is nowhere to run it. Also says where it ran.
    ///
    /// # Errors
    /// The command cannot be run.
    pub async fn offline(&self, cmd: runner::Cmd) -> Result<Option<(runner::Output, String)>, BackendError> {
        use runner::Run;
        match &self.target {
            Target::File(_) if self.host_tools => Ok(Some((Local.run(&cmd).await?, "this host".into()))),
            Target::File(_) => Ok(None),
            t => Ok(tool(t, cmd).await?.map(|o| (o, format!("{t}")))),
        }
    }
}

/// Try each ssh host in order until one answers.
async fn each_host<T>(hosts: &[Ssh], f: impl AsyncFn(&Ssh) -> Result<T, BackendError>) -> Result<T, BackendError> {
    let mut errors = Vec::new();
    for h in hosts {
        match f(h).await {
            Ok(v) => return Ok(v),
            Err(e) if e.try_next() => errors.push((runner::Run::place(h), e)),
            Err(e) => return Err(e),
        }
    }
    Err(BackendError::NoNode(errors))
}

/// Read the target.
///
/// # Errors
/// The target cannot be read, or what it returned is not a CIB.
pub async fn read(target: &Target) -> Result<Live, BackendError> {
    match target {
        Target::File(p) => file::read(p),
        Target::Local => node::read_with_corosync(&Local).await,
        Target::Remote(r) => r.check_password().and(node::read(&Local, &r.env()).await).map_err(|e| r.explain(e)),
        Target::Ssh(hosts) => each_host(hosts, async |h| node::read_with_corosync(h).await).await,
        #[cfg(test)]
        Target::Fake(n) => node::read(&*n.0, &[]).await,
    }
}

/// Write a new configuration to the target, bound to `expect`.
///
/// # Guarantees
/// Either the whole new configuration is in place or nothing changed. If the target's
/// configuration is no longer the one described by `expect`, nothing is written and
/// `BackendError::Stale` is returned. On live clusters the CIB is checked with `crm_verify` first
/// and sent as one versioned patch.
///
/// # Errors
/// Stale configuration, a CIB Pacemaker rejects, or the target cannot be written.
pub async fn write(
    target: &Target,
    expect: &Basis,
    new_config: &Element,
    check: bool,
) -> Result<Version, BackendError> {
    match target {
        Target::File(p) => file::write(p, expect, new_config),
        Target::Local => node::write(&Local, &[], expect, new_config, check).await,
        Target::Remote(r) => r
            .check_password()
            .and(node::write(&Local, &r.env(), expect, new_config, check).await)
            .map_err(|e| r.explain(e)),
        Target::Ssh(hosts) => each_host(hosts, async |h| node::write(h, &[], expect, new_config, check).await).await,
        #[cfg(test)]
        Target::Fake(n) => node::write(&*n.0, &[], expect, new_config, check).await,
    }
}

/// Run a Pacemaker tool where the target's cluster is (nothing for a file target).
///
/// # Errors
/// The command cannot be run on any node.
pub async fn tool(target: &Target, cmd: runner::Cmd) -> Result<Option<runner::Output>, BackendError> {
    use runner::Run;
    match target {
        Target::File(_) => Ok(None),
        Target::Local => Ok(Some(Local.run(&cmd).await?)),
        Target::Remote(r) => {
            let mut cmd = cmd;
            cmd.env.extend(r.env());
            Ok(Some(Local.run(&cmd).await?))
        }
        Target::Ssh(hosts) => each_host(hosts, async |h| Ok(Some(h.run(&cmd).await?))).await,
        #[cfg(test)]
        Target::Fake(n) => Ok(Some(n.0.run(&cmd).await?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        assert_eq!(Target::parse("file:cib.xml").unwrap(), Target::File("cib.xml".into()));
        assert_eq!(Target::parse("local").unwrap(), Target::Local);
        let t = Target::parse("ssh://root@t3021cent,t3022cent:2222").unwrap();
        assert_eq!(
            t,
            Target::Ssh(vec![
                Ssh { user: Some("root".into()), host: "t3021cent".into(), port: None },
                Ssh { user: None, host: "t3022cent".into(), port: Some(2222) }
            ])
        );
        assert_eq!(t.to_string(), "ssh://root@t3021cent,t3022cent:2222");
        let r = Target::parse("remote://hacluster@node1:7777").unwrap();
        assert_eq!(
            r,
            Target::Remote(RemoteCib { host: "node1".into(), port: 7777, user: "hacluster".into(), encrypted: true })
        );
        assert!(Target::parse("remote://hacluster:secret@node1:7777").unwrap_err().contains("password"));
        let e = Target::parse("ssh://n1,root:secret@node2").unwrap_err();
        assert!(e.contains("password") && !e.contains("secret"), "{e}");
        assert!(Target::parse("ssh://").is_err());
        assert!(Target::parse("ssh://-oProxyCommand=x").is_err());
        assert!(Target::parse("http://x").is_err());
        assert!(Target::parse("remote://node1").is_err());
    }

    #[test]
    fn remote_env_never_carries_a_password() {
        let RemoteCib { .. } = RemoteCib { host: "h".into(), port: 1, user: "u".into(), encrypted: false };
        let env = RemoteCib { host: "h".into(), port: 1, user: "u".into(), encrypted: false }.env();
        assert!(env.iter().all(|(k, _)| k != "CIB_passwd"));
        assert!(env.contains(&("CIB_encrypted".into(), "false".into())));
    }
}
