//! The command-runner seam: every command cibform runs on a cluster node is a `Cmd` (argv, env,
//! stdin, timeout) — data that tests can inspect — run locally or over the system `ssh` client.
//! Failures become `RunError`s that say what happened in words an admin acts on.

use std::future::Future;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

pub use crate::command::{shell_quote, Cmd, SECRET_ENV};

/// What a command returned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Output {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Why a command could not be run to completion.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("`{host}` is unreachable over ssh: {detail}")]
    Unreachable { host: String, detail: String },
    #[error("`{program}` is not installed on {host}")]
    NotInstalled { program: String, host: String },
    #[error("permission denied running `{program}` on {host}: run as root or as a member of the haclient group")]
    PermissionDenied { program: String, host: String },
    #[error("`{program}` on {host} did not finish within {seconds} s")]
    Timeout { program: String, host: String, seconds: u64 },
    #[error("`{program}` on {host} printed more than {limit} MiB: that is not what it should answer")]
    TooMuchOutput { program: String, host: String, limit: u64 },
    #[error("cannot run `{program}` on {host}")]
    Spawn {
        program: String,
        host: String,
        #[source]
        source: std::io::Error,
    },
}

/// Something that runs commands on one place (this machine, a node over ssh, a fake).
pub trait Run {
    /// Where commands run, for messages (`this host`, `root@node1`).
    fn place(&self) -> String;
    /// Run one command; a non-zero exit is an `Output`, not an error.
    fn run(&self, cmd: &Cmd) -> impl Future<Output = Result<Output, RunError>>;
}

/// Runs on this machine.
#[derive(Debug, Clone, Default)]
pub struct Local;

/// Runs on a node through the system `ssh` client (BatchMode: never prompts; honours
/// `~/.ssh/config`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ssh {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

impl Ssh {
    /// The local `ssh` argv that runs `cmd` on the node.
    pub fn wrap(&self, cmd: &Cmd) -> Vec<String> {
        let mut argv: Vec<String> = [
            "ssh",
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=10",
            "-o",
            "ServerAliveInterval=5",
            "-o",
            "ServerAliveCountMax=3",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if let Some(p) = self.port {
            argv.extend(["-p".to_string(), p.to_string()]);
        }
        if let Some(u) = &self.user {
            argv.extend(["-l".to_string(), u.clone()]);
        }
        argv.push(self.host.clone());
        argv.push("--".into());
        let mut remote: Vec<String> = Vec::new();
        if !cmd.env.is_empty() {
            remote.push("env".into());
            remote.extend(cmd.env.iter().map(|(k, v)| shell_quote(&format!("{k}={v}"))));
        }
        remote.extend(cmd.argv.iter().map(|a| shell_quote(a)));
        argv.push(remote.join(" "));
        argv
    }
}

async fn spawn(
    place: &str,
    program: &str,
    argv: &[String],
    env: &[(String, String)],
    stdin: Option<&[u8]>,
    timeout: Duration,
) -> Result<Output, RunError> {
    let mut c = tokio::process::Command::new(&argv[0]);
    c.args(&argv[1..])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = c.spawn().map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            RunError::NotInstalled { program: argv[0].clone(), host: place.into() }
        } else {
            RunError::Spawn { program: program.into(), host: place.into(), source }
        }
    })?;
    if let (Some(data), Some(mut pipe)) = (stdin, child.stdin.take()) {
        let data = data.to_vec();
        tokio::spawn(async move {
            let _ = pipe.write_all(&data).await;
            let _ = pipe.shutdown().await;
        });
    }
    let read = bounded_output(&mut child);
    let (code, stdout, stderr) = match tokio::time::timeout(timeout, read).await {
        Ok(Ok(Some(o))) => o,
        Ok(Ok(None)) => {
            return Err(RunError::TooMuchOutput {
                program: program.into(),
                host: place.into(),
                limit: MAX_OUTPUT >> 20,
            })
        }
        Ok(Err(source)) => return Err(RunError::Spawn { program: program.into(), host: place.into(), source }),
        Err(_) => {
            return Err(RunError::Timeout { program: program.into(), host: place.into(), seconds: timeout.as_secs() })
        }
    };
    Ok(Output { code, stdout, stderr: String::from_utf8_lossy(&stderr).into_owned() })
}

/// The most a command may print on standard output (a CIB, a transition): a node that answers
/// with more is not sending a CIB. Standard error is cut at `MAX_STDERR`.
pub const MAX_OUTPUT: u64 = crate::input::MAX_CIB_BYTES;
const MAX_STDERR: u64 = 1 << 20;

/// Read a child's output within the caps and wait for it: `None` when standard output went past
/// `MAX_OUTPUT` (the child is killed then, so nothing waits on a full pipe).
async fn bounded_output(child: &mut tokio::process::Child) -> std::io::Result<Option<(i32, Vec<u8>, Vec<u8>)>> {
    use tokio::io::AsyncReadExt;
    let (mut so, mut se) = (child.stdout.take(), child.stderr.take());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let stdout = async {
        if let Some(so) = so.as_mut() {
            so.take(MAX_OUTPUT + 1).read_to_end(&mut out).await?;
        }
        Ok::<_, std::io::Error>(out.len() as u64 > MAX_OUTPUT)
    };
    let stderr = async {
        if let Some(se) = se.as_mut() {
            se.take(MAX_STDERR).read_to_end(&mut err).await?;
            // Drain the rest so the child never blocks on a full pipe.
            tokio::io::copy(se, &mut tokio::io::sink()).await?;
        }
        Ok::<_, std::io::Error>(())
    };
    let (over, drained) = tokio::join!(
        async {
            let over = stdout.await;
            if matches!(over, Ok(true)) {
                let _ = child.start_kill();
            }
            over
        },
        stderr
    );
    let over = over?;
    drained?;
    let status = child.wait().await?;
    Ok((!over).then(|| (status.code().unwrap_or(-1), out, err)))
}

/// Turn well-known failures of the command itself into errors.
fn classify(place: &str, program: &str, out: Output) -> Result<Output, RunError> {
    let err = out.stderr.to_ascii_lowercase();
    if out.code == 127 || err.contains("command not found") {
        return Err(RunError::NotInstalled { program: program.into(), host: place.into() });
    }
    if err.contains("permission denied") && !err.contains("publickey") {
        return Err(RunError::PermissionDenied { program: program.into(), host: place.into() });
    }
    Ok(out)
}

impl Run for Local {
    fn place(&self) -> String {
        "this host".into()
    }
    async fn run(&self, cmd: &Cmd) -> Result<Output, RunError> {
        let out = spawn(&self.place(), cmd.program(), &cmd.argv, &cmd.env, cmd.stdin.as_deref(), cmd.timeout).await?;
        classify(&self.place(), cmd.program(), out)
    }
}

impl Run for Ssh {
    fn place(&self) -> String {
        match &self.user {
            Some(u) => format!("{u}@{}", self.host),
            None => self.host.clone(),
        }
    }
    async fn run(&self, cmd: &Cmd) -> Result<Output, RunError> {
        let argv = self.wrap(cmd);
        let out = spawn(&self.place(), cmd.program(), &argv, &[], cmd.stdin.as_deref(), cmd.timeout).await?;
        if out.code == 255 {
            let detail = out.stderr.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("ssh failed").trim().to_string();
            return Err(RunError::Unreachable { host: self.place(), detail });
        }
        classify(&self.place(), cmd.program(), out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_here(argv: &[&str]) -> Result<Output, RunError> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(Local.run(&Cmd::new(argv).timeout(Duration::from_secs(60))))
    }

    #[test]
    fn a_command_that_never_stops_printing_is_cut_off_not_read_whole() {
        let e = run_here(&["yes"]).unwrap_err();
        assert!(matches!(e, RunError::TooMuchOutput { .. }), "{e}");
    }

    #[test]
    fn a_flood_on_stderr_neither_blocks_nor_is_kept_whole() {
        let out = run_here(&["sh", "-c", "head -c 5000000 /dev/zero >&2; echo done"]).unwrap();
        assert_eq!(out.stdout, b"done\n");
        assert_eq!(out.stderr.len() as u64, MAX_STDERR);
    }

    #[test]
    fn ssh_wraps_argv_with_batch_mode_and_quoting() {
        let ssh = Ssh { user: Some("root".into()), host: "t3021cent".into(), port: Some(2222) };
        let mut cmd = Cmd::new(&["cibadmin", "--query"]);
        cmd.env.push(("CIB_file".into(), "/tmp/a b".into()));
        let argv = ssh.wrap(&cmd);
        assert_eq!(argv[..3], ["ssh", "-o", "BatchMode=yes"]);
        assert!(argv.windows(2).any(|w| w == ["-p", "2222"]));
        assert!(argv.windows(2).any(|w| w == ["-l", "root"]));
        assert_eq!(argv.last().unwrap(), "env 'CIB_file=/tmp/a b' cibadmin --query");
    }

    #[test]
    fn quoting_survives_single_quotes() {
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("--xml-pipe"), "--xml-pipe");
    }

    #[test]
    fn secrets_are_masked_in_display() {
        let mut cmd = Cmd::new(&["cibadmin", "--query"]);
        cmd.env.push(("CIB_passwd".into(), "hunter2".into()));
        cmd.env.push(("CIB_user".into(), "hacluster".into()));
        assert_eq!(cmd.display(), "CIB_passwd=*** CIB_user=hacluster cibadmin --query");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn local_runner_reports_missing_programs_and_timeouts() {
        let r = Local;
        let e = r.run(&Cmd::new(&["cibform-no-such-program"])).await.unwrap_err();
        assert!(matches!(e, RunError::NotInstalled { .. }), "{e}");
        let e = r.run(&Cmd::new(&["sleep", "5"]).timeout(Duration::from_millis(200))).await.unwrap_err();
        assert!(matches!(e, RunError::Timeout { .. }), "{e}");
        let out = r.run(&Cmd::new(&["cat"]).stdin("hello")).await.unwrap();
        assert_eq!(out.stdout, b"hello");
        let out = r.run(&Cmd::new(&["sh", "-c", "echo oops >&2; exit 3"])).await.unwrap();
        assert_eq!((out.code, out.stderr.trim()), (3, "oops"));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn tool_failures_become_clear_errors() {
        let r = Local;
        let denied = Cmd::new(&["sh", "-c", "echo 'Call cib_query failed (-13): Permission denied' >&2; exit 13"]);
        assert!(matches!(r.run(&denied).await.unwrap_err(), RunError::PermissionDenied { .. }));
        let missing = Cmd::new(&["sh", "-c", "echo 'sh: 1: cibadmin: not found' >&2; exit 127"]);
        let e = r.run(&missing).await.unwrap_err();
        assert_eq!(e.to_string(), "`sh` is not installed on this host");
    }
}
