//! Stage 6 (corosync quorum device, model `net`): the one-host steps of setting up, moving and
//! removing corosync-qdevice, for hosts reached by a runner (this host, ssh): the qnetd host's
//! CA certificate and its signature of a client certificate request, a node's client
//! certificate store initialized, its request, the signed certificate turned into a PKCS#12
//! file (certificate and private key), that file imported on every node, the store destroyed,
//! and `systemctl ACTION corosync-qdevice`. The commands are those pcs runs
//! (pcs/lib/corosync/qdevice_net.py), as data.
//!
//! It decides nothing about order (`ops::qdevice` does) and prints nothing. The PKCS#12 file
//! holds the cluster's qdevice private key: it passes from one node's stdout to the others'
//! stdin in a `Pk12`, which never shows its bytes, and is written only to 0600 temporary files.

use super::corosync::{service_cmd, NodeFiles, NodeRunner};
use super::runner::{Cmd, Output, Run, Ssh};
use super::BackendError;

/// The qnetd host's CA certificate (as `pcs qdevice setup model net` makes it).
const QNETD_CA: &str = "/etc/corosync/qnetd/nssdb/qnetd-cacert.crt";

/// A node's client certificate store (`pcs qdevice net-client destroy` removes it).
pub const CLIENT_DB: &str = "/etc/corosync/qdevice/net/nssdb";

/// The qdevice service on every node.
pub const UNIT: &str = "corosync-qdevice";

/// Prints the qnetd CA certificate; exit 3 with the reason when qnetd is not set up or not
/// running there (`corosync-qnetd-tool -s` answers only a running qnetd).
const CA_SCRIPT: &str = r#"[ -e "$1" ] || { echo "no qnetd CA certificate ($1): set qnetd up there first (\`pcs qdevice setup model net --enable --start\`)" >&2; exit 3; }
corosync-qnetd-tool -s >/dev/null 2>&1 || { echo "corosync-qnetd is not running there" >&2; exit 3; }
exec cat -- "$1""#;

/// A fresh client store for the CA certificate on stdin (`$1`: the store), as pcs's
/// `client_setup`: the old store removed, the directory 0700, `certutil -i`.
const INIT_SCRIPT: &str = r#"set -eu
rm -rf -- "$1"
mkdir -p -- "$1"
chmod 0700 "$1"
cat >"$1/qnetd-cacert.crt"
corosync-qdevice-net-certutil -i -c "$1/qnetd-cacert.crt" >/dev/null"#;

/// Runs a certificate tool (`$@`) and prints the file it says it stored (`Certificate stored
/// in PATH`, `Certificate request stored in PATH`), as pcs's `_get_output_certificate` reads it;
/// stdin goes to a 0600 temporary file that replaces the argument `@IN@`. The file
/// printed is left 0600.
const STORED_SCRIPT: &str = r#"set -eu
umask 077
in=$(mktemp)
trap 'rm -f "$in"' EXIT
cat >"$in"
n=$#
for a in "$@"; do
  [ "$a" != @IN@ ] || a=$in
  set -- "$@" "$a"
done
shift "$n"
out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; exit 3; }
f=$(printf '%s\n' "$out" | sed -n 's/^Certificate\( request\)\{0,1\} stored in //p' | tail -n 1)
[ -n "$f" ] && [ -e "$f" ] || { printf '%s\n' "$out" >&2; exit 3; }
chmod 0600 "$f"
exec cat -- "$f""#;

/// Imports the PKCS#12 file on stdin (a 0600 temporary file, removed after).
const IMPORT_SCRIPT: &str = r#"set -eu
umask 077
t=$(mktemp)
trap 'rm -f "$t"' EXIT
cat >"$t"
corosync-qdevice-net-certutil -m -c "$t" >/dev/null"#;

/// The cluster's qdevice certificate and private key (PKCS#12): never shown.
#[derive(Clone)]
pub struct Pk12(Vec<u8>);

impl std::fmt::Debug for Pk12 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(secret)")
    }
}

fn sh(script: &str, name: &str, args: &[&str]) -> Cmd {
    let mut argv = vec!["sh", "-c", script, name];
    argv.extend_from_slice(args);
    Cmd::new(&argv)
}

/// The commands, as data.
pub fn ca_cmd() -> Cmd {
    sh(CA_SCRIPT, "cibform-qnetd-ca", &[QNETD_CA])
}

pub fn init_cmd(ca: &[u8]) -> Cmd {
    sh(INIT_SCRIPT, "cibform-qdevice-init", &[CLIENT_DB]).stdin(ca.to_vec())
}

/// `corosync-qdevice-net-certutil -r -n CLUSTER`: the request, on one node.
pub fn request_cmd(cluster: &str) -> Cmd {
    sh(STORED_SCRIPT, "cibform-qdevice-request", &["corosync-qdevice-net-certutil", "-r", "-n", cluster])
        .stdin(Vec::new())
}

/// `corosync-qnetd-certutil -s -c REQUEST -n CLUSTER`: signed on the qnetd host.
pub fn sign_cmd(request: &[u8], cluster: &str) -> Cmd {
    sh(STORED_SCRIPT, "cibform-qnetd-sign", &["corosync-qnetd-certutil", "-s", "-c", "@IN@", "-n", cluster])
        .stdin(request.to_vec())
}

/// `corosync-qdevice-net-certutil -M -c SIGNED`: the PKCS#12 file, on the node that asked.
pub fn pk12_cmd(signed: &[u8]) -> Cmd {
    sh(STORED_SCRIPT, "cibform-qdevice-pk12", &["corosync-qdevice-net-certutil", "-M", "-c", "@IN@"])
        .stdin(signed.to_vec())
}

pub fn import_cmd(pk12: &Pk12) -> Cmd {
    sh(IMPORT_SCRIPT, "cibform-qdevice-import", &[]).stdin(pk12.0.clone())
}

pub fn destroy_cmd() -> Cmd {
    Cmd::new(&["rm", "-rf", "--", CLIENT_DB])
}

/// The qnetd host, reached as the nodes are: over ssh with the first ssh node's user and port
/// (this host's nodes: plain ssh).
pub fn qnetd_runner(nodes: &NodeFiles, host: &str) -> NodeRunner {
    // Tests: the qnetd host answers from the first scripted node's script (one order for all).
    #[cfg(test)]
    if let Some((_, NodeRunner::Fake(s, _))) = nodes.nodes.first() {
        return NodeRunner::Fake(s.clone(), host.to_string());
    }
    let first = nodes.nodes.iter().find_map(|(_, r)| match r {
        NodeRunner::Ssh(s) => Some(s.clone()),
        _ => None,
    });
    NodeRunner::Ssh(Ssh {
        user: first.as_ref().and_then(|s| s.user.clone()),
        host: host.to_string(),
        port: first.and_then(|s| s.port),
    })
}

fn failed(r: &NodeRunner, cmd: &Cmd, out: &Output) -> BackendError {
    BackendError::Command { place: r.place(), command: cmd.display(), code: out.code, stderr: out.stderr.trim().into() }
}

/// Run `cmd` by `r`; a non-zero exit is an error; its stdout.
///
/// # Errors
/// The command cannot be run or fails.
pub async fn must(r: &NodeRunner, cmd: &Cmd) -> Result<Vec<u8>, BackendError> {
    let out = r.run(cmd).await?;
    if out.code != 0 {
        return Err(failed(r, cmd, &out));
    }
    Ok(out.stdout)
}

/// The qnetd host's steps.
pub struct Qnetd(pub NodeRunner);

impl Qnetd {
    /// The qnetd CA certificate (qnetd set up and running there).
    ///
    /// # Errors
    /// Unreachable, not set up, not running.
    pub async fn ca(&self) -> Result<Vec<u8>, BackendError> {
        must(&self.0, &ca_cmd()).await
    }

    /// The client certificate request signed for `cluster`.
    ///
    /// # Errors
    /// The signature failed.
    pub async fn sign(&self, request: &[u8], cluster: &str) -> Result<Vec<u8>, BackendError> {
        must(&self.0, &sign_cmd(request, cluster)).await
    }
}

impl NodeFiles {
    /// A fresh client certificate store trusting `ca`.
    ///
    /// # Errors
    /// The store cannot be made.
    pub async fn qdevice_init(&self, node: &str, ca: &[u8]) -> Result<(), BackendError> {
        self.must(node, &init_cmd(ca)).await.map(drop)
    }

    /// The client certificate request for `cluster`.
    ///
    /// # Errors
    /// `certutil -r` failed.
    pub async fn qdevice_request(&self, node: &str, cluster: &str) -> Result<Vec<u8>, BackendError> {
        self.must(node, &request_cmd(cluster)).await.map(|o| o.stdout)
    }

    /// The signed certificate imported, exported with its key as PKCS#12.
    ///
    /// # Errors
    /// `certutil -M` failed.
    pub async fn qdevice_pk12(&self, node: &str, signed: &[u8]) -> Result<Pk12, BackendError> {
        self.must(node, &pk12_cmd(signed)).await.map(|o| Pk12(o.stdout))
    }

    /// The PKCS#12 file imported into the node's store.
    ///
    /// # Errors
    /// `certutil -m` failed.
    pub async fn qdevice_import(&self, node: &str, pk12: &Pk12) -> Result<(), BackendError> {
        self.must(node, &import_cmd(pk12)).await.map(drop)
    }

    /// The node's client store removed.
    ///
    /// # Errors
    /// `rm` failed.
    pub async fn qdevice_destroy(&self, node: &str) -> Result<(), BackendError> {
        self.must(node, &destroy_cmd()).await.map(drop)
    }

    /// `systemctl ACTION corosync-qdevice` on the node.
    ///
    /// # Errors
    /// systemctl failed.
    pub async fn qdevice_service(&self, node: &str, action: &str) -> Result<(), BackendError> {
        self.must(node, &service_cmd(action, UNIT)).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::super::runner::Local;
    use super::*;
    use crate::backend::fake::block;

    /// The stored-file script reads the tool's own words, prints that file and leaves it 0600;
    /// the input goes through a temporary file that is gone after.
    #[test]
    fn the_stored_script_prints_the_file_the_tool_names() {
        let dir = tempfile::tempdir().unwrap();
        let out_file = dir.path().join("signed.crt");
        let tool = dir.path().join("tool");
        std::fs::write(
            &tool,
            format!(
                "#!/bin/sh\n[ \"$1\" = -c ] && cp \"$2\" {o} && echo \"Certificate stored in {o}\"\n",
                o = out_file.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&tool, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let cmd = sh(STORED_SCRIPT, "t", &[tool.to_str().unwrap(), "-c", "@IN@"]).stdin(b"REQ".to_vec());
        let out = block(Local.run(&cmd)).unwrap();
        assert_eq!((out.code, out.stdout.as_slice()), (0, &b"REQ"[..]), "{}", out.stderr);
        let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&out_file).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o600);
        let silent = sh(STORED_SCRIPT, "t", &["true"]).stdin(Vec::new());
        assert_eq!(block(Local.run(&silent)).unwrap().code, 3, "no file named: an error");
        assert!(!format!("{:?}", Pk12(b"KEY".to_vec())).contains("KEY"));
        assert!(!import_cmd(&Pk12(b"KEY".to_vec())).display().contains("KEY"));
    }
}
