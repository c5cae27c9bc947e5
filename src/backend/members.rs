//! Stage 6 (corosync membership): the one-node steps of a node joining or leaving a running
//! cluster, for nodes reached by a runner (this host, ssh): is a new node free of any cluster,
//! the authkeys copied to it, one node's cluster started or stopped, a leaving node's
//! corosync.conf set aside, a node forgotten by Pacemaker (`crm_node --force -R`), a node seen
//! online. Through pcsd the whole procedure is pcs's own (`pcsd::members`).
//!
//! It decides nothing about order or content (`ops::membership` does) and prints nothing. Key
//! material passes from one node's stdout to another's stdin and is never shown.

use super::corosync::{resolve_target_sh, service_cmd, NodeFiles};
use super::runner::{Cmd, Run};
use super::BackendError;

/// How nodes join and leave through a corosync transport.
#[derive(Debug, Clone, Copy)]
pub enum Membership<'a> {
    /// Step by step, with commands on each node.
    Steps(&'a NodeFiles),
    /// pcs's own procedure, through a cluster node's pcsd.
    Pcsd(&'a super::pcsd::conf_nodes::PcsdNodes),
    /// Nothing runs: a corosync.conf file is only written.
    FileOnly,
}

/// A key file copied to a joining node: path, mode, owner.
const KEYS: [(&str, &str, &str); 2] =
    [("/etc/corosync/authkey", "0400", "root:root"), ("/etc/pacemaker/authkey", "0640", "hacluster:haclient")];

/// Fails (exit 3, the reason on stderr) when the node has a corosync.conf or corosync answers.
const READY_SCRIPT: &str = r#"if [ -e /etc/corosync/corosync.conf ]; then
  echo "it already has /etc/corosync/corosync.conf (another cluster? \`pcs cluster destroy\` there first)" >&2; exit 3
fi
if corosync-cfgtool -s >/dev/null 2>&1; then echo "corosync is running there" >&2; exit 3; fi
exit 0"#;

/// Prints the key file if it exists (exit 0), nothing when it does not (exit 4).
const READ_KEY_SCRIPT: &str = r#"[ -e "$1" ] || exit 4
exec cat -- "$1""#;

/// Writes stdin to `$1` atomically with mode `$2` and owner `$3` (a symlink is resolved:
/// `resolve_target_sh`).
const WRITE_KEY_SCRIPT: &str = concat!(
    "set -eu\nf=$1\nmkdir -p \"$(dirname \"$f\")\"\n",
    resolve_target_sh!(),
    r#"t=$(mktemp "$(dirname "$f")/.authkey.cibform.XXXXXX")
trap 'rm -f "$t"' EXIT
chmod "$2" "$t"
cat >"$t"
chown "$3" "$t" 2>/dev/null || true
sync "$t"
mv -f "$t" "$f"
trap - EXIT"#
);

/// Renames corosync.conf out of the way (corosync there then never starts into the cluster).
const SET_ASIDE_SCRIPT: &str = r#"[ ! -e /etc/corosync/corosync.conf ] || mv -f /etc/corosync/corosync.conf /etc/corosync/corosync.conf.cibform-removed"#;

/// Asks the controller to purge node `$1` from its peer cache through libcrmcommon's public API
/// (`pcmk_ipc_purge_node`), then waits on the same connection for the reply to a ping.
/// `crm_node -R` sends the same purge and hangs up at once; libqb's server drops what a client
/// sent before it hung up when it sees the hang-up first, so under load the controllers often
/// never hear of it and `crm_node -l` keeps listing the node as `lost`. Requests on one
/// connection are handled in order: the ping's reply means the purge was taken (the controller
/// relays it to every controller). Exit 5: no python3 ctypes or libcrmcommon here.
const PURGE_SCRIPT: &str = r#"import ctypes, ctypes.util, sys
path = ctypes.util.find_library("crmcommon")
if not path:
    sys.exit(5)
lib = ctypes.CDLL(path)
lib.pcmk_ipc_name.restype = ctypes.c_char_p
def controller():
    # The controller's number in enum pcmk_ipc_server (2 before Pacemaker 3, 3 since): by name.
    for server in (2, 3):
        api = ctypes.c_void_p()
        if lib.pcmk_new_ipc_api(ctypes.byref(api), server) != 0:
            continue
        if lib.pcmk_ipc_name(api, ctypes.c_bool(False)) == b"crmd":
            return api
        lib.pcmk_free_ipc_api(api)
    sys.exit(5)
api = controller()
if lib.pcmk_connect_ipc(api, 2) != 0:  # pcmk_ipc_dispatch_sync
    sys.stderr.write("cannot connect to the controller\n")
    sys.exit(6)
purged = lib.pcmk_ipc_purge_node(api, sys.argv[1].encode(), ctypes.c_uint32(0))
pinged = lib.pcmk_controld_api_ping(api, None)
lib.pcmk_free_ipc_api(api)
if purged != 0 or pinged != 0:
    sys.stderr.write("purge: %d, ping: %d\n" % (purged, pinged))
    sys.exit(7)
"#;

/// Where a leaving node's corosync.conf goes.
pub const SET_ASIDE: &str = "/etc/corosync/corosync.conf.cibform-removed";

impl NodeFiles {
    /// A node about to join: reachable, no corosync.conf, corosync not running.
    ///
    /// # Errors
    /// Unreachable, or why it cannot join (in the node's words).
    pub async fn ready_to_join(&self, node: &str) -> Result<(), BackendError> {
        self.must(node, &Cmd::new(&["sh", "-c", READY_SCRIPT, "cibform-ready-to-join"])).await.map(drop)
    }

    /// Copy corosync's authkey (and Pacemaker's, when `from` has one) from `from` to `to`, as
    /// `pcs cluster node add` distributes them; returns the files copied.
    ///
    /// # Errors
    /// A read or write failed (the message never holds key material).
    pub async fn copy_keys(&self, from: &str, to: &str) -> Result<Vec<&'static str>, BackendError> {
        let mut copied = Vec::new();
        for (path, mode, owner) in KEYS {
            let read = Cmd::new(&["sh", "-c", READ_KEY_SCRIPT, "cibform-read-key", path]);
            let r = self.runner(from)?;
            let out = r.run(&read).await?;
            match out.code {
                0 => {}
                4 if path != KEYS[0].0 => continue,
                code => {
                    return Err(BackendError::Command {
                        place: r.place(),
                        command: read.display(),
                        code,
                        stderr: out.stderr.trim().into(),
                    })
                }
            }
            let write = Cmd::new(&["sh", "-c", WRITE_KEY_SCRIPT, "cibform-write-key", path, mode, owner]);
            self.must(to, &write.stdin(out.stdout)).await?;
            copied.push(path);
        }
        Ok(copied)
    }

    /// Start corosync, then pacemaker, on one node.
    ///
    /// # Errors
    /// A start failed.
    pub async fn start_node(&self, node: &str) -> Result<(), BackendError> {
        for unit in ["corosync", "pacemaker"] {
            self.must(node, &service_cmd("start", unit)).await?;
        }
        Ok(())
    }

    /// Stop pacemaker (its resources move away), then corosync, on one node.
    ///
    /// # Errors
    /// A stop failed.
    pub async fn stop_node(&self, node: &str) -> Result<(), BackendError> {
        for unit in ["pacemaker", "corosync"] {
            self.must(node, &service_cmd("stop", unit)).await?;
        }
        Ok(())
    }

    /// Rename a leaving node's corosync.conf to `SET_ASIDE`.
    ///
    /// # Errors
    /// The rename failed.
    pub async fn set_aside(&self, node: &str) -> Result<(), BackendError> {
        self.must(node, &Cmd::new(&["sh", "-c", SET_ASIDE_SCRIPT])).await.map(drop)
    }

    /// Make Pacemaker forget `name` (its `<node>` and its status), run on `on`.
    ///
    /// # Errors
    /// `crm_node` failed.
    pub async fn forget(&self, on: &str, name: &str) -> Result<(), BackendError> {
        self.must(on, &Cmd::new(&["crm_node", "--force", "-R", name])).await.map(drop)
    }

    /// Purge `name` from every controller's peer cache, asked on `on` (`PURGE_SCRIPT`); `false`
    /// when that node has no python3 or libcrmcommon to ask with.
    ///
    /// # Errors
    /// The controller refused or could not be reached.
    pub async fn purge_peer(&self, on: &str, name: &str) -> Result<bool, BackendError> {
        let cmd = Cmd::new(&["python3", "-c", PURGE_SCRIPT, name]);
        let r = self.runner(on)?;
        let out = r.run(&cmd).await?;
        match out.code {
            0 => Ok(true),
            5 | 127 => Ok(false),
            _ => Err(super::corosync::failed(r, &cmd, &out)),
        }
    }

    /// corosync's view on `on` of node `nodeid`: its `runtime.members` status (`joined`,
    /// `left`), `None` when corosync there has never seen it.
    ///
    /// # Errors
    /// `corosync-cmapctl` cannot be run there.
    pub async fn member_status(&self, on: &str, nodeid: &str) -> Result<Option<String>, BackendError> {
        let out = self.must(on, &Cmd::new(&["corosync-cmapctl", "-b", "runtime.members"])).await?;
        let key = format!("runtime.members.{nodeid}.status (str) = ");
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix(&key).map(|v| v.trim().to_string())))
    }

    /// Whether `crm_node -l` on `on` lists `name` (in any state).
    ///
    /// # Errors
    /// `crm_node` cannot be run there.
    pub async fn lists(&self, on: &str, name: &str) -> Result<bool, BackendError> {
        let out = self.must(on, &Cmd::new(&["crm_node", "-l"])).await?;
        Ok(String::from_utf8_lossy(&out.stdout).lines().any(|l| l.split_whitespace().nth(1) == Some(name)))
    }

    /// Whether Pacemaker on `on` sees `name` online with a DC elected.
    ///
    /// # Errors
    /// `crm_mon` cannot be run there.
    pub async fn online(&self, on: &str, name: &str) -> Result<bool, BackendError> {
        let r = self.runner(on)?;
        let out = r.run(&Cmd::new(&["crm_mon", "-1", "--output-as=xml"])).await?;
        Ok(out.code == 0 && node_online(&String::from_utf8_lossy(&out.stdout), name))
    }
}

/// Whether `crm_mon --output-as=xml` shows `name` online and a DC.
pub fn node_online(xml: &str, name: &str) -> bool {
    let Ok(doc) = crate::cib::xml::Element::parse(xml) else { return false };
    let dc =
        doc.child("summary").and_then(|s| s.child("current_dc")).is_some_and(|d| d.attr("present") == Some("true"));
    let online = doc
        .child("nodes")
        .is_some_and(|n| n.elements().any(|e| e.attr("name") == Some(name) && e.attr("online") == Some("true")));
    dc && online
}

#[cfg(test)]
mod tests {
    use super::super::corosync::NodeRunner;
    use super::super::fake::{answer as ok, block, FakeNode, Script};
    use super::super::runner::{Local, Output};
    use super::*;
    use std::rc::Rc;

    #[test]
    fn keys_go_from_stdout_to_stdin_and_a_missing_pacemaker_key_is_skipped() {
        let (a, b) = (
            Rc::new(Script::new(vec![("sh", ok("KEYBYTES")), ("sh", Output { code: 4, ..Output::default() })])),
            Rc::new(Script::new(vec![("sh", ok(""))])),
        );
        let t = NodeFiles {
            nodes: vec![
                ("n1".into(), NodeRunner::Fake(FakeNode(a.clone()), "n1".into())),
                ("n3".into(), NodeRunner::Fake(FakeNode(b.clone()), "n3".into())),
            ],
        };
        assert_eq!(block(t.copy_keys("n1", "n3")).unwrap(), ["/etc/corosync/authkey"]);
        let seen = b.seen.borrow();
        assert_eq!(seen[0].stdin.as_deref(), Some(&b"KEYBYTES"[..]));
        assert_eq!(seen[0].argv[4..], ["/etc/corosync/authkey", "0400", "root:root"]);
        assert!(!seen[0].display().contains("KEYBYTES"), "key material is never shown");
        assert!(a.is_done() && b.is_done());
    }

    #[test]
    fn the_key_scripts_copy_a_file_with_its_mode_and_leave_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let (src, dst) = (dir.path().join("src"), dir.path().join("sub/dst"));
        std::fs::write(&src, b"\x00\x01secret").unwrap();
        let read = Cmd::new(&["sh", "-c", READ_KEY_SCRIPT, "r", src.to_str().unwrap()]);
        let out = block(Local.run(&read)).unwrap();
        assert_eq!(out.stdout, b"\x00\x01secret");
        let missing = Cmd::new(&["sh", "-c", READ_KEY_SCRIPT, "r", dir.path().join("nope").to_str().unwrap()]);
        assert_eq!(block(Local.run(&missing)).unwrap().code, 4);
        let owner = format!("{}:{}", nix_id("-u"), nix_id("-g"));
        let write = Cmd::new(&["sh", "-c", WRITE_KEY_SCRIPT, "w", dst.to_str().unwrap(), "0400", &owner]);
        let out = block(Local.run(&write.stdin(out.stdout))).unwrap();
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(std::fs::read(&dst).unwrap(), b"\x00\x01secret");
        let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&dst).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o400);
        assert_eq!(std::fs::read_dir(dst.parent().unwrap()).unwrap().count(), 1);
        // A symlinked key file: the file it points to is replaced, the link kept.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&dst, &link).unwrap();
        let write = Cmd::new(&["sh", "-c", WRITE_KEY_SCRIPT, "w", link.to_str().unwrap(), "0400", &owner]);
        let out = block(Local.run(&write.stdin(b"new".to_vec()))).unwrap();
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&dst).unwrap(), b"new");
    }

    fn nix_id(flag: &str) -> String {
        let out = std::process::Command::new("id").arg(flag).output().unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    #[test]
    fn online_needs_the_node_online_and_a_dc() {
        let xml = r#"<pacemaker-result><summary><current_dc present="true" name="a"/></summary><nodes><node name="a" online="true"/><node name="c" online="false"/></nodes></pacemaker-result>"#;
        assert!(node_online(xml, "a"));
        assert!(!node_online(xml, "c"));
        assert!(!node_online(&xml.replace(r#"present="true""#, r#"present="false""#), "a"));
        assert!(!node_online("not xml", "a"));
    }
}
