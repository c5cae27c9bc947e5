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
