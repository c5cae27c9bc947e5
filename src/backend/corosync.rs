//! Stage 6 (corosync): the seam for corosync work on a cluster's nodes — read a node's
//! corosync.conf, write it atomically, reload corosync, add or remove a knet link — as one small
//! trait (`ConfNodes`), implemented for cluster nodes reached by a `Run`ner (this host, ssh; a
//! scripted node in tests) and for a single corosync.conf file (`--corosync PATH`). A pcsd client
//! implements the same trait.
//!
//! It decides nothing about content: `ops` says what to write, in which order.

use super::node::COROSYNC_CONF;
use super::runner::{Cmd, Local, Output, Run, RunError, Ssh};
use super::BackendError;

/// Where corosync.conf lives and how corosync is told to reload it.
#[allow(async_fn_in_trait)]
pub trait ConfNodes {
    /// The nodes, by corosync node name (a file target has one, named by its path).
    fn nodes(&self) -> Vec<String>;
    /// The node's corosync.conf.
    async fn get(&self, node: &str) -> Result<String, BackendError>;
    /// Replace the node's corosync.conf: all or nothing (a temporary file renamed over it, mode
    /// and owner kept).
    async fn set(&self, node: &str, text: &str) -> Result<(), BackendError>;
    /// Tell corosync to reload corosync.conf (`corosync-cfgtool -R` reloads every running node);
    /// says where it ran, `None` when there is no corosync to reload (a file).
    async fn reload(&self) -> Result<Option<String>, BackendError>;
    /// Stop the cluster on every node, in `pcs cluster stop --all`'s order: pacemaker on every
    /// node first (resources stop while corosync still carries the membership), then corosync.
    async fn stop_cluster(&self) -> Result<(), BackendError>;
    /// Start it again: corosync on every node, then pacemaker.
    async fn start_cluster(&self) -> Result<(), BackendError>;
    /// Add knet links: as `pcs cluster link add`, the file with the new addresses on every node,
    /// then one reload.
    async fn link_add(&self, links: &[u8], text: &str) -> Result<Pushed, PushError> {
        let _ = links;
        push(self, text).await
    }
    /// Remove knet links: as `pcs cluster link delete`, the file without them on every node,
    /// then one reload.
    async fn link_remove(&self, links: &[u8], text: &str) -> Result<Pushed, PushError> {
        let _ = links;
        push(self, text).await
    }
    /// How nodes join and leave through this transport (`backend::members`): a file is only
    /// written.
    fn membership(&self) -> super::members::Membership<'_> {
        super::members::Membership::FileOnly
    }
}

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    pub nodes: Vec<String>,
    /// Where the reload ran (`None`: nothing to reload).
    pub reloaded_on: Option<String>,
}

/// A push that stopped part-way, saying which nodes have the new file.
#[derive(Debug)]
pub enum PushError {
    /// `written` got the new file, `failed` did not (nor did the nodes after it); no reload ran.
    Write { written: Vec<String>, failed: String, cause: BackendError },
    /// Every node has the new file; the reload failed.
    Reload { nodes: Vec<String>, cause: BackendError },
}

/// The same file on every node, then one reload (what pcs does for every corosync.conf change
/// on a running cluster).
///
/// # Errors
/// Which nodes were written before a write failed, or that the reload failed after all were.
pub async fn push<T: ConfNodes + ?Sized>(t: &T, text: &str) -> Result<Pushed, PushError> {
    let nodes = t.nodes();
    let mut written = Vec::new();
    for n in &nodes {
        if let Err(cause) = t.set(n, text).await {
            return Err(PushError::Write { written, failed: n.clone(), cause });
        }
        written.push(n.clone());
    }
    match t.reload().await {
        Ok(reloaded_on) => Ok(Pushed { nodes, reloaded_on }),
        Err(cause) => Err(PushError::Reload { nodes, cause }),
    }
}

/// One node's runner.
#[derive(Debug, Clone)]
pub enum NodeRunner {
    Local(Local),
    Ssh(Ssh),
    #[cfg(test)]
    Fake(super::fake::FakeNode, String),
}

impl Run for NodeRunner {
    fn place(&self) -> String {
        match self {
            NodeRunner::Local(l) => l.place(),
            NodeRunner::Ssh(s) => s.place(),
            #[cfg(test)]
            NodeRunner::Fake(_, name) => name.clone(),
        }
    }
    async fn run(&self, cmd: &Cmd) -> Result<Output, RunError> {
        match self {
            NodeRunner::Local(l) => l.run(cmd).await,
            NodeRunner::Ssh(s) => s.run(cmd).await,
            #[cfg(test)]
            NodeRunner::Fake(s, _) => s.0.run(cmd).await,
        }
    }
}

/// Shell lines, for the scripts that replace a file `$f` on a node: a symlinked `$f` is resolved
/// to the file it points to, which is then replaced in its own directory (the rename never
/// crosses filesystems) and the link kept, as `fsutil::write` does here; a link to nothing, a
/// link loop, or a path that is not a regular file is refused before anything is written.
macro_rules! resolve_target_sh {
    () => {
        r#"if [ -L "$f" ]; then
  r=$(readlink -e -- "$f") || { echo "$f is a symlink to a file that cannot be reached (dangling, or a loop); nothing was written" >&2; exit 1; }
  f=$r
fi
if [ -e "$f" ] && [ ! -f "$f" ]; then echo "$f is not a regular file; nothing was written" >&2; exit 1; fi
"#
    };
}
pub(crate) use resolve_target_sh;

/// Writes a file atomically on a node: a temporary file in the same directory (mktemp), the
/// text from stdin, the old file's mode and owner, fsync, rename over the file. `$1` is the path
/// (a symlink is resolved: `resolve_target_sh`).
const WRITE_SCRIPT: &str = concat!(
    "set -eu\nf=$1\n",
    resolve_target_sh!(),
    r#"t=$(mktemp "$(dirname "$f")/.corosync.conf.cibform.XXXXXX")
trap 'rm -f "$t"' EXIT
cat >"$t"
if [ -e "$f" ]; then chmod --reference="$f" "$t"; chown --reference="$f" "$t"; else chmod 644 "$t"; fi
sync "$t"
mv -f "$t" "$f"
trap - EXIT"#
);

/// The commands, as data.
pub fn read_cmd() -> Cmd {
    Cmd::new(&["cat", COROSYNC_CONF])
}

pub fn write_cmd(text: &str) -> Cmd {
    Cmd::new(&["sh", "-c", WRITE_SCRIPT, "cibform-write-corosync-conf", COROSYNC_CONF]).stdin(text)
}

pub fn reload_cmd() -> Cmd {
    Cmd::new(&["corosync-cfgtool", "-R"])
}

/// This node's corosync node id (`runtime.votequorum.this_node_id`).
pub fn this_node_cmd() -> Cmd {
    Cmd::new(&["corosync-cmapctl", "-g", "runtime.votequorum.this_node_id"])
}

/// Cluster nodes, each reached by its own runner.
#[derive(Debug, Clone)]
pub struct NodeFiles {
    pub nodes: Vec<(String, NodeRunner)>,
}

pub(super) fn failed(r: &NodeRunner, cmd: &Cmd, out: &Output) -> BackendError {
    BackendError::Command { place: r.place(), command: cmd.display(), code: out.code, stderr: out.stderr.trim().into() }
}

impl NodeFiles {
    pub(crate) fn runner(&self, node: &str) -> Result<&NodeRunner, BackendError> {
        self.nodes.iter().find(|(n, _)| n == node).map(|(_, r)| r).ok_or_else(|| BackendError::Command {
            place: node.into(),
            command: "corosync".into(),
            code: -1,
            stderr: format!("`{node}` is not a node of this cluster"),
        })
    }

    /// Run `cmd` on `node`; a non-zero exit is an error.
    pub(crate) async fn must(&self, node: &str, cmd: &Cmd) -> Result<Output, BackendError> {
        let r = self.runner(node)?;
        let out = r.run(cmd).await?;
        if out.code != 0 {
            return Err(failed(r, cmd, &out));
        }
        Ok(out)
    }
}

impl ConfNodes for NodeFiles {
    fn nodes(&self) -> Vec<String> {
        self.nodes.iter().map(|(n, _)| n.clone()).collect()
    }

    async fn get(&self, node: &str) -> Result<String, BackendError> {
        let out = self.must(node, &read_cmd()).await?;
        String::from_utf8(out.stdout).map_err(|_| BackendError::Command {
            place: node.into(),
            command: read_cmd().display(),
            code: 0,
            stderr: "corosync.conf is not UTF-8 text".into(),
        })
    }

    async fn set(&self, node: &str, text: &str) -> Result<(), BackendError> {
        self.must(node, &write_cmd(text)).await.map(drop)
    }

    /// Tried on each node in order until one succeeds (as pcs does).
    async fn reload(&self) -> Result<Option<String>, BackendError> {
        let mut errors = Vec::new();
        for (n, r) in &self.nodes {
            match self.must(n, &reload_cmd()).await {
                Ok(_) => return Ok(Some(r.place())),
                Err(e) => errors.push((n.clone(), e)),
            }
        }
        Err(BackendError::NoNode(errors))
    }

    async fn stop_cluster(&self) -> Result<(), BackendError> {
        self.each_node(&[("stop", "pacemaker"), ("stop", "corosync")]).await
    }

    async fn start_cluster(&self) -> Result<(), BackendError> {
        self.each_node(&[("start", "corosync"), ("start", "pacemaker")]).await
    }

    fn membership(&self) -> super::members::Membership<'_> {
        super::members::Membership::Steps(self)
    }
}

/// `systemctl ACTION UNIT`, with room for a clean stop of every resource.
pub fn service_cmd(action: &str, unit: &str) -> Cmd {
    Cmd::new(&["systemctl", action, unit]).timeout(std::time::Duration::from_secs(600))
}

impl NodeFiles {
    /// Each `(action, unit)` on every node before the next one.
    async fn each_node(&self, steps: &[(&str, &str)]) -> Result<(), BackendError> {
        for (action, unit) in steps {
            for (n, _) in &self.nodes {
                self.must(n, &service_cmd(action, unit)).await?;
            }
        }
        Ok(())
    }
}

/// One corosync.conf file (`--corosync PATH`): written in place, nothing to reload.
#[derive(Debug, Clone)]
pub struct ConfFile {
    pub path: std::path::PathBuf,
}

impl ConfNodes for ConfFile {
    fn nodes(&self) -> Vec<String> {
        vec![self.path.display().to_string()]
    }

    async fn get(&self, _node: &str) -> Result<String, BackendError> {
        super::ConfText::from_file(&self.path).map(|c| c.text)
    }

    async fn set(&self, _node: &str, text: &str) -> Result<(), BackendError> {
        crate::fsutil::write(&self.path, text.as_bytes(), crate::fsutil::Access::Keep)
            .map(drop)
            .map_err(|source| BackendError::Write { path: self.path.display().to_string(), source })
    }

    async fn reload(&self) -> Result<Option<String>, BackendError> {
        Ok(None)
    }

    /// A file has no cluster to stop.
    async fn stop_cluster(&self) -> Result<(), BackendError> {
        Ok(())
    }

    async fn start_cluster(&self) -> Result<(), BackendError> {
        Ok(())
    }
}

/// The corosync work of one apply: the cluster's nodes, or one file.
#[derive(Debug, Clone)]
pub enum Transport {
    Nodes(NodeFiles),
    File(ConfFile),
    /// Through each node's pcsd (`--pcsd`).
    Pcsd(super::pcsd::conf_nodes::PcsdNodes),
}

impl Transport {
    /// How corosync.conf is reached, for the admin.
    pub fn via(&self) -> String {
        match self {
            Transport::Nodes(n) => {
                let places: Vec<String> = n.nodes.iter().map(|(_, r)| r.place()).collect();
                format!("commands on each node ({})", places.join(", "))
            }
            Transport::File(f) => match crate::fsutil::link_note(&f.path) {
                Some(note) => format!("the file `{}` ({})", f.path.display(), note.trim_start_matches("note: ")),
                None => format!("the file `{}`", f.path.display()),
            },
            Transport::Pcsd(p) => format!("pcsd on {}", p.nodes.join(", ")),
        }
    }
}

impl ConfNodes for Transport {
    fn nodes(&self) -> Vec<String> {
        match self {
            Transport::Nodes(n) => n.nodes(),
            Transport::File(f) => f.nodes(),
            Transport::Pcsd(p) => p.nodes(),
        }
    }
    async fn get(&self, node: &str) -> Result<String, BackendError> {
        match self {
            Transport::Nodes(n) => n.get(node).await,
            Transport::File(f) => f.get(node).await,
            Transport::Pcsd(p) => p.get(node).await,
        }
    }
    async fn set(&self, node: &str, text: &str) -> Result<(), BackendError> {
        match self {
            Transport::Nodes(n) => n.set(node, text).await,
            Transport::File(f) => f.set(node, text).await,
            Transport::Pcsd(p) => p.set(node, text).await,
        }
    }
    async fn reload(&self) -> Result<Option<String>, BackendError> {
        match self {
            Transport::Nodes(n) => n.reload().await,
            Transport::File(f) => f.reload().await,
            Transport::Pcsd(p) => p.reload().await,
        }
    }
    async fn stop_cluster(&self) -> Result<(), BackendError> {
        match self {
            Transport::Nodes(n) => n.stop_cluster().await,
            Transport::File(f) => f.stop_cluster().await,
            Transport::Pcsd(p) => p.stop_cluster().await,
        }
    }
    async fn start_cluster(&self) -> Result<(), BackendError> {
        match self {
            Transport::Nodes(n) => n.start_cluster().await,
            Transport::File(f) => f.start_cluster().await,
            Transport::Pcsd(p) => p.start_cluster().await,
        }
    }
    fn membership(&self) -> super::members::Membership<'_> {
        match self {
            Transport::Nodes(n) => n.membership(),
            Transport::File(f) => f.membership(),
            Transport::Pcsd(p) => p.membership(),
        }
    }
}

/// The way to each node of `names` for a target: this host for the node it is (`local_id` →
/// its name), ssh for the others; for an ssh target, the host entry named like the node, else
/// the node's name with the first entry's user and port.
pub fn runners(target: &super::Target, names: &[String], local: Option<&str>) -> Option<Vec<(String, NodeRunner)>> {
    use super::Target;
    let ssh_like = |first: Option<&Ssh>, n: &str| Ssh {
        user: first.and_then(|f| f.user.clone()),
        host: n.to_string(),
        port: first.and_then(|f| f.port),
    };
    let each = |n: &String| -> Option<NodeRunner> {
        match target {
            Target::Local if local == Some(n.as_str()) => Some(NodeRunner::Local(Local)),
            Target::Local => Some(NodeRunner::Ssh(ssh_like(None, n))),
            Target::Ssh(hosts) => Some(NodeRunner::Ssh(
                hosts.iter().find(|h| h.host == *n).cloned().unwrap_or_else(|| ssh_like(hosts.first(), n)),
            )),
            _ => None,
        }
    };
    names.iter().map(|n| each(n).map(|r| (n.clone(), r))).collect()
}

/// Parse `corosync-cmapctl -g runtime.votequorum.this_node_id` (`... (u32) = 1`).
pub fn parse_node_id(out: &str) -> Option<String> {
    out.trim().rsplit_once('=').map(|(_, id)| id.trim().to_string()).filter(|id| id.parse::<u32>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::super::fake::{answer as ok, block, FakeNode, Script};
    use super::*;
    use std::rc::Rc;

    fn two(a: Vec<(&'static str, Output)>, b: Vec<(&'static str, Output)>) -> (NodeFiles, Rc<Script>, Rc<Script>) {
        let (a, b) = (Rc::new(Script::new(a)), Rc::new(Script::new(b)));
        let nodes = vec![
            ("n1".to_string(), NodeRunner::Fake(FakeNode(a.clone()), "n1".into())),
            ("n2".to_string(), NodeRunner::Fake(FakeNode(b.clone()), "n2".into())),
        ];
        (NodeFiles { nodes }, a, b)
    }

    #[test]
    fn a_push_writes_every_node_then_reloads_once() {
        let (t, a, b) = two(vec![("sh", ok("")), ("corosync-cfgtool", ok(""))], vec![("sh", ok(""))]);
        let done = block(push(&t, "totem {\n}\n")).unwrap();
        assert_eq!(done, Pushed { nodes: vec!["n1".into(), "n2".into()], reloaded_on: Some("n1".into()) });
        let (sa, sb) = (a.seen.borrow(), b.seen.borrow());
        assert_eq!(sa[0].argv[..2], ["sh", "-c"]);
        assert_eq!(sa[0].argv[3..], ["cibform-write-corosync-conf", "/etc/corosync/corosync.conf"]);
        assert_eq!(sa[0].stdin.as_deref(), Some(&b"totem {\n}\n"[..]));
        assert_eq!(sb[0], sa[0], "the identical file on every node");
        assert_eq!(sa[1].argv, ["corosync-cfgtool", "-R"]);
        assert_eq!(sb.len(), 1, "one reload, on the first node");
        assert!(a.is_done() && b.is_done());
    }

    #[test]
    fn a_failed_write_says_which_nodes_have_the_new_file_and_nothing_is_reloaded() {
        let refused = Output { code: 1, stdout: Vec::new(), stderr: "mv: cannot move: Read-only file system".into() };
        let (t, a, b) = two(vec![("sh", ok(""))], vec![("sh", refused)]);
        let PushError::Write { written, failed, .. } = block(push(&t, "x\n")).unwrap_err() else { panic!() };
        assert_eq!((written, failed), (vec!["n1".to_string()], "n2".to_string()));
        assert!(a.is_done() && b.is_done(), "no reload after a failed write");
    }

    #[test]
    fn the_reload_tries_the_next_node_when_one_cannot() {
        let down = Output {
            code: 1,
            stdout: Vec::new(),
            stderr: "Could not initialize corosync configuration API error 2".into(),
        };
        let (t, a, b) =
            two(vec![("sh", ok("")), ("corosync-cfgtool", down)], vec![("sh", ok("")), ("corosync-cfgtool", ok(""))]);
        assert_eq!(block(push(&t, "x\n")).unwrap().reloaded_on.as_deref(), Some("n2"));
        assert!(a.is_done() && b.is_done());
    }

    #[test]
    fn the_write_script_is_atomic_and_keeps_mode_and_owner() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("corosync.conf");
        std::fs::write(&f, "old\n").unwrap();
        std::fs::set_permissions(&f, std::os::unix::fs::PermissionsExt::from_mode(0o640)).unwrap();
        let mut cmd = write_cmd("new\n");
        *cmd.argv.last_mut().unwrap() = f.display().to_string();
        let out = block(Local.run(&cmd)).unwrap();
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "new\n");
        let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&f).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o640);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    /// The write script run on `path` (a node's corosync.conf) with `text`.
    fn run_write(path: &std::path::Path, text: &str) -> Output {
        let mut cmd = write_cmd(text);
        *cmd.argv.last_mut().unwrap() = path.display().to_string();
        block(Local.run(&cmd)).unwrap()
    }

    #[test]
    fn the_write_script_replaced_a_symlinked_corosync_conf_with_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        std::fs::create_dir(&store).unwrap();
        let real = store.join("corosync.conf");
        std::fs::write(&real, "old\n").unwrap();
        let link = dir.path().join("corosync.conf");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let out = run_write(&link, "new\n");
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is kept");
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new\n", "the file it points to is replaced");
        assert_eq!(std::fs::read_dir(&store).unwrap().count(), 1, "no temporary file left");
        // What cannot be written is refused, and nothing is created or changed.
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        let looped = dir.path().join("loop");
        std::os::unix::fs::symlink(&looped, &looped).unwrap();
        for (path, why) in
            [(&dangling, "cannot be reached"), (&looped, "cannot be reached"), (&store, "not a regular file")]
        {
            let out = run_write(path, "x\n");
            assert_ne!(out.code, 0, "{}", path.display());
            assert!(out.stderr.contains(why) && out.stderr.contains("nothing was written"), "{}", out.stderr);
        }
        assert!(!dir.path().join("nowhere").exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 4, "store, the link, dangling, loop");
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new\n");
    }

    #[test]
    fn nodes_are_reached_by_name_with_the_targets_user_and_port() {
        let t = super::super::Target::parse("ssh://root@10.0.0.1:2222,t2").unwrap();
        let r = runners(&t, &["t1".into(), "t2".into()], None).unwrap();
        let NodeRunner::Ssh(s1) = &r[0].1 else { panic!() };
        assert_eq!((s1.user.as_deref(), s1.host.as_str(), s1.port), (Some("root"), "t1", Some(2222)));
        let NodeRunner::Ssh(s2) = &r[1].1 else { panic!() };
        assert_eq!((s2.user.as_deref(), s2.port), (None, None), "the entry named like the node");
        let r = runners(&super::super::Target::Local, &["t1".into(), "t2".into()], Some("t2")).unwrap();
        assert!(matches!(r[1].1, NodeRunner::Local(_)) && matches!(r[0].1, NodeRunner::Ssh(_)));
        assert_eq!(parse_node_id("runtime.votequorum.this_node_id (u32) = 2\n").as_deref(), Some("2"));
    }
}
