//! The CIB of a running cluster, through Pacemaker's own command-line tools run by a `Run`ner
//! (this host, a node over ssh, or a remote CIB via `CIB_server`).
//!
//! Writes send one versioned patch (`plan::patch`) bound to the exact CIB just read, so a
//! concurrent change is never overwritten: Pacemaker refuses a patch whose source version is
//! not the live one (rc 103). When only status moved, the configuration is re-checked and the
//! patch re-made, a bounded number of times.

use super::runner::{Cmd, Output, Run, RunError};
use super::{BackendError, Live, WriteState};
use crate::cib::xml::Element;
use crate::cib::{Basis, Cib, Version};

/// `pcmk_err_old_data`: the patch's source version is not the live one.
const RC_OLD_DATA: i32 = 103;
/// `cibadmin` stopped waiting for the CIB manager (`CRM_EX_TIMEOUT`, "Timer expired"); the
/// request was sent and may still be applied.
const RC_TIMEOUT: i32 = 124;
/// How many times a write is re-made when only status moved.
pub const MAX_ATTEMPTS: usize = 5;

/// How long `cibadmin --patch` waits for the CIB manager to take a patch, in seconds: its own
/// default of 30, one more per 100 changes, at most 120. The CIB manager locates each change in
/// the whole CIB, so a large patch on a large CIB takes a while; past its wait, cibadmin gives
/// up on a patch that may still be applied. Waiting longer is of no use: pacemakerd kills a CIB
/// manager that has not answered it for about 30 s (measured with Pacemaker 2.1.5: one patch of
/// 23,300 objects on a 10 MB CIB), and cibadmin does not notice it die, so it waits out its
/// whole time.
pub fn patch_wait(changes: usize) -> u64 {
    30 + u64::try_from(changes / 100).unwrap_or(u64::MAX).min(90)
}

/// `cibadmin --patch` for `patch`, waiting as `patch_wait` says (and the runner a little longer,
/// so that cibadmin's own answer is the one heard).
fn patch_command(patch: &Element, env: &[(String, String)]) -> Cmd {
    let changes = patch.elements().filter(|e| e.name == "change").count();
    let wait = patch_wait(changes);
    let cmd = Cmd::new(&["cibadmin", "--patch", "--xml-pipe", "--timeout", &wait.to_string()]);
    with_env(cmd, env).stdin(patch.to_xml()).timeout(std::time::Duration::from_secs(wait + 30))
}

fn with_env(mut cmd: Cmd, env: &[(String, String)]) -> Cmd {
    cmd.env.extend(env.iter().cloned());
    cmd
}

fn tool_failed(place: &str, cmd: &Cmd, out: &Output) -> BackendError {
    let err = out.stderr.trim();
    let lower = err.to_ascii_lowercase();
    if lower.contains("transport endpoint is not connected")
        || lower.contains("could not connect to the cib")
        || lower.contains("connection refused")
        || lower.contains("not connected")
    {
        return BackendError::ClusterDown {
            place: place.into(),
            detail: err.lines().last().unwrap_or_default().to_string(),
        };
    }
    BackendError::Command { place: place.into(), command: cmd.display(), code: out.code, stderr: err.to_string() }
}

/// Read the live CIB.
///
/// # Errors
/// The runner fails (unreachable, not installed, ...), the cluster is down, or the output is not a CIB.
pub async fn read<R: Run>(r: &R, env: &[(String, String)]) -> Result<Live, BackendError> {
    let cmd = with_env(Cmd::new(&["cibadmin", "--query"]), env);
    let out = r.run(&cmd).await?;
    if out.code != 0 {
        return Err(tool_failed(&r.place(), &cmd, &out));
    }
    let name = format!("{}:cib", r.place());
    let text = String::from_utf8_lossy(&out.stdout);
    let cib = Cib::parse(&name, &text).map_err(|diag| BackendError::BadCib { name: name.clone(), diag })?;
    Ok(Live { name, cib, corosync: None })
}

/// Where corosync keeps its configuration on a node.
pub const COROSYNC_CONF: &str = "/etc/corosync/corosync.conf";

/// Read the CIB and, when the node has one, corosync.conf (its absence is not an error: the plan
/// then says it could not compare it).
///
/// # Errors
/// As `read`.
pub async fn read_with_corosync<R: Run>(r: &R) -> Result<Live, BackendError> {
    let mut live = read(r, &[]).await?;
    if let Ok(out) = r.run(&Cmd::new(&["cat", COROSYNC_CONF])).await {
        if out.code == 0 {
            live.corosync = Some(super::ConfText {
                name: format!("{}:{COROSYNC_CONF}", r.place()),
                text: String::from_utf8_lossy(&out.stdout).into_owned(),
            });
        }
    }
    Ok(live)
}

/// Ask Pacemaker whether it would accept this CIB (`crm_verify`): schema and semantics. Warnings
/// are not a refusal (see `verify`): they are returned, for the caller to show.
///
/// # Errors
/// `Rejected` with crm_verify's words when it reports errors, or a runner failure.
pub async fn verify<R: Run>(r: &R, env: &[(String, String)], cib: &Cib) -> Result<Vec<String>, BackendError> {
    let out = r.run(&with_env(super::verify::command(cib), env)).await?;
    match super::verify::judge(&out) {
        super::verify::Verdict::Clean { .. } => Ok(Vec::new()),
        super::verify::Verdict::Warnings(w) => Ok(w),
        super::verify::Verdict::Errors(output) => Err(BackendError::Rejected { place: r.place(), output }),
    }
}

/// Write `new_config` as one patch bound to the configuration described by `expect`.
///
/// # Guarantees
/// The configuration is changed only if it is still exactly the one planned against; the
/// change is one atomic CIB update; a concurrent configuration change is never overwritten.
///
/// # Errors
/// `Stale` when the configuration moved; `Rejected` when Pacemaker refuses the new CIB; runner
/// failures; `Busy` when status kept moving for `MAX_ATTEMPTS` tries.
pub async fn write<R: Run>(
    r: &R,
    env: &[(String, String)],
    expect: &Basis,
    new_config: &Element,
    check: bool,
) -> Result<Version, BackendError> {
    for _ in 0..MAX_ATTEMPTS {
        let live = read(r, env).await?;
        if live.cib.config_digest() != expect.config_digest {
            let now = live.cib.version().unwrap_or(expect.version);
            return Err(BackendError::Stale { planned: expect.version, now, current: Box::new(live.cib) });
        }
        let new = live.cib.with_configuration(new_config.clone());
        if check {
            verify(r, env, &new).await?;
        }
        let patch = crate::plan::patch::patch(&live.cib, &new);
        let cmd = patch_command(&patch, env);
        let out = match r.run(&cmd).await {
            Ok(o) => o,
            Err(e) => return Err(after_failure(r, env, expect, new_config, e.into()).await),
        };
        match out.code {
            0 => {
                // Pacemaker accepted the patch: from here on, an error must say the change is in.
                return match read(r, env).await {
                    Ok(now) => Ok(now.cib.version().unwrap_or(expect.version)),
                    Err(e) => {
                        Err(BackendError::WriteFailed { cause: Box::new(e), state: WriteState::AcceptedUnreadable })
                    }
                };
            }
            // Only the version moved (status updates bump num_updates): check and try again.
            RC_OLD_DATA => continue,
            code => {
                let err = tool_failed(&r.place(), &cmd, &out);
                let mut failed = after_failure(r, env, expect, new_config, err).await;
                if code == RC_TIMEOUT {
                    if let BackendError::WriteFailed { state: state @ WriteState::Old, .. } = &mut failed {
                        *state = WriteState::OldSoFar;
                    }
                }
                return Err(failed);
            }
        }
    }
    Err(BackendError::Busy { place: r.place(), attempts: MAX_ATTEMPTS })
}

/// After a failed write, find out which configuration the cluster holds and say so.
async fn after_failure<R: Run>(
    r: &R,
    env: &[(String, String)],
    expect: &Basis,
    new_config: &Element,
    err: BackendError,
) -> BackendError {
    let state = match read(r, env).await {
        Ok(live) if live.cib.config_digest() == expect.config_digest => WriteState::Old,
        Ok(live) if crate::plan::diff(live.cib.configuration(), new_config).is_empty() => WriteState::New,
        Ok(_) => WriteState::Neither,
        Err(e) => WriteState::Unreadable(e.to_string()),
    };
    BackendError::WriteFailed { cause: Box::new(err), state }
}

impl From<RunError> for BackendError {
    fn from(e: RunError) -> Self {
        BackendError::Run(e)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{block, Script};
    use super::*;

    fn cib(epoch: u64, num_updates: u64, nodes: &str) -> Output {
        let xml = format!(
            r#"<cib admin_epoch="0" epoch="{epoch}" num_updates="{num_updates}"><configuration><crm_config/><nodes>{nodes}</nodes><resources/><constraints/></configuration><status/></cib>"#
        );
        Output { code: 0, stdout: xml.into_bytes(), stderr: String::new() }
    }

    fn ok() -> Output {
        Output::default()
    }

    fn expect_for(out: &Output) -> Basis {
        let c = Cib::parse("x", std::str::from_utf8(&out.stdout).unwrap()).unwrap();
        Basis { version: c.version().unwrap(), config_digest: c.config_digest() }
    }

    fn new_config() -> Element {
        Element::parse(r#"<configuration><crm_config/><nodes><node id="1" uname="a"/></nodes><resources/><constraints/></configuration>"#).unwrap()
    }

    /// Found loading 10,000 primitives (issue 13): cibadmin waited its default 30 s for a patch
    /// of 23,300 objects, then gave up while the CIB manager still worked on it. The wait grows
    /// with the patch (within bounds), and the runner waits past it so that cibadmin's answer is
    /// heard.
    #[test]
    fn a_large_patch_was_given_cibadmin_s_thirty_seconds() {
        let first = cib(5, 1, "");
        let s = Script::new(vec![("cibadmin", first.clone()), ("cibadmin", ok()), ("cibadmin", cib(6, 0, ""))]);
        block(write(&s, &[], &expect_for(&first), &new_config(), false)).unwrap();
        let seen = s.seen.borrow();
        let patch = seen.iter().find(|c| c.argv[1] == "--patch").unwrap();
        assert_eq!(patch.argv[2..], ["--xml-pipe", "--timeout", "30"], "a one-change patch: cibadmin's own wait");
        assert_eq!(patch.timeout, std::time::Duration::from_secs(60));
        assert_eq!(
            [patch_wait(101), patch_wait(5_000), patch_wait(23_300), patch_wait(usize::MAX)],
            [31, 80, 120, 120]
        );
    }

    #[test]
    fn status_only_moves_are_retried_with_a_fresh_patch() {
        let first = cib(5, 1, "");
        let expect = expect_for(&first);
        let s = Script::new(vec![
            ("cibadmin", first),
            ("crm_verify", ok()),
            (
                "cibadmin",
                Output { code: 103, stdout: Vec::new(), stderr: "Update was older than existing configuration".into() },
            ),
            ("cibadmin", cib(5, 7, "")),
            ("crm_verify", ok()),
            ("cibadmin", ok()),
            ("cibadmin", cib(6, 0, r#"<node id="1" uname="a"/>"#)),
        ]);
        let v = block(write(&s, &[], &expect, &new_config(), true)).unwrap();
        assert_eq!(v, Version { admin_epoch: 0, epoch: 6, num_updates: 0 });
        let seen = s.seen.borrow();
        let patches: Vec<String> = seen
            .iter()
            .filter(|c| c.argv[1] == "--patch")
            .map(|c| String::from_utf8(c.stdin.clone().unwrap()).unwrap())
            .collect();
        assert_eq!(patches.len(), 2);
        assert!(patches[0].contains(r#"<source admin_epoch="0" epoch="5" num_updates="1"/>"#), "{}", patches[0]);
        assert!(
            patches[1].contains(r#"<source admin_epoch="0" epoch="5" num_updates="7"/>"#),
            "the retry is bound to the new version: {}",
            patches[1]
        );
    }

    #[test]
    fn a_configuration_change_since_the_plan_is_never_overwritten() {
        let first = cib(5, 1, "");
        let expect = expect_for(&first);
        let s = Script::new(vec![
            ("cibadmin", first),
            ("crm_verify", ok()),
            ("cibadmin", Output { code: 103, stdout: Vec::new(), stderr: String::new() }),
            ("cibadmin", cib(6, 0, r#"<node id="9" uname="someone-else"/>"#)),
        ]);
        let e = block(write(&s, &[], &expect, &new_config(), true)).unwrap_err();
        assert!(matches!(e, BackendError::Stale { .. }), "{e}");
        assert_eq!(s.seen.borrow().iter().filter(|c| c.argv.get(1).map(String::as_str) == Some("--patch")).count(), 1);
    }

    #[test]
    fn a_cib_pacemaker_rejects_is_never_sent() {
        let first = cib(5, 1, "");
        let expect = expect_for(&first);
        let s = Script::new(vec![
            ("cibadmin", first),
            (
                "crm_verify",
                Output {
                    code: 1,
                    stdout: Vec::new(),
                    stderr: "error: Resource start-up disabled since no STONITH resources have been defined".into(),
                },
            ),
        ]);
        let e = block(write(&s, &[], &expect, &new_config(), true)).unwrap_err();
        assert!(matches!(e, BackendError::Rejected { .. }), "{e}");
        assert!(s.seen.borrow().iter().all(|c| c.argv.get(1).map(String::as_str) != Some("--patch")));
    }

    #[test]
    fn a_failed_patch_says_which_configuration_the_cluster_has() {
        let first = cib(5, 1, "");
        let expect = expect_for(&first);
        let s = Script::new(vec![
            ("cibadmin", first.clone()),
            ("crm_verify", ok()),
            (
                "cibadmin",
                Output {
                    code: 1,
                    stdout: Vec::new(),
                    stderr: "Update does not conform to the configured schema".into(),
                },
            ),
            ("cibadmin", first),
        ]);
        let e = block(write(&s, &[], &expect, &new_config(), true)).unwrap_err();
        let BackendError::WriteFailed { state, .. } = &e else { panic!("{e}") };
        assert_eq!(*state, WriteState::Old, "{state}");
        assert!(state.to_string().contains("nothing was changed"), "{state}");
    }

    /// Found loading 10,000 primitives in one patch (issue 13): `cibadmin` gave up waiting
    /// ("Timer expired", exit 124) and the apply said "nothing was changed", though the CIB
    /// manager may still apply a patch it was sent.
    #[test]
    fn a_patch_that_timed_out_was_reported_as_nothing_changed() {
        let first = cib(5, 1, "");
        let expect = expect_for(&first);
        let timer =
            Output { code: 124, stdout: Vec::new(), stderr: "Call cib_apply_diff failed: Timer expired".into() };
        let s = Script::new(vec![
            ("cibadmin", first.clone()),
            ("crm_verify", ok()),
            ("cibadmin", timer),
            ("cibadmin", first),
        ]);
        let e = block(write(&s, &[], &expect, &new_config(), true)).unwrap_err();
        let BackendError::WriteFailed { state, .. } = &e else { panic!("{e}") };
        assert_eq!(*state, WriteState::OldSoFar, "{state}");
        assert!(!state.to_string().contains("nothing was changed"), "{state}");
        assert!(state.to_string().contains("run `cibform plan`"), "{state}");
        assert_eq!(e.written(), crate::backend::Written::Unknown);
    }

    /// Issue 8 item 11: the stack died after `cibadmin --patch` returned 0 and before the re-read.
    #[test]
    fn a_patch_accepted_before_the_cluster_died_is_reported_as_applied() {
        let first = cib(5, 1, "");
        let expect = expect_for(&first);
        let down = Output {
            code: 102,
            stdout: Vec::new(),
            stderr: "Could not connect to the CIB: Transport endpoint is not connected\nInit failed, could not perform requested operations".into(),
        };
        let s = Script::new(vec![("cibadmin", first), ("crm_verify", ok()), ("cibadmin", ok()), ("cibadmin", down)]);
        let e = block(write(&s, &[], &expect, &new_config(), true)).unwrap_err();
        let BackendError::WriteFailed { state, cause } = &e else { panic!("{e}") };
        assert_eq!(*state, WriteState::AcceptedUnreadable, "{state}");
        assert!(matches!(**cause, BackendError::ClusterDown { .. }), "{cause}");
        assert!(state.to_string().contains("the change was applied"), "{state}");
        assert_eq!(e.written(), crate::backend::Written::Yes);
        assert_eq!(crate::error::Error::Backend(e).written(), crate::backend::Written::Yes);
        // Exactly one patch, and nothing run after the failed re-read.
        let seen = s.seen.borrow();
        assert_eq!(seen.len(), 4);
        assert_eq!(seen.iter().filter(|c| c.argv.get(1).map(String::as_str) == Some("--patch")).count(), 1);
    }

    /// Issue 8 item 10: crm_verify's warnings (same exit code 78 as errors) never stop a write.
    #[test]
    fn a_running_resource_can_be_removed_despite_the_active_orphan_warning() {
        let first = cib(5, 1, "");
        let expect = expect_for(&first);
        let orphan = Output {
            code: 78,
            stdout: Vec::new(),
            stderr: "(unpack_config) \twarning: Blind faith: not fencing unseen nodes\n(process_rsc_state) \twarning: Detected active orphan byhand running on a\ncrm_verify: Warnings found during check: config may not be valid\n".into(),
        };
        let s = Script::new(vec![
            ("cibadmin", first),
            ("crm_verify", orphan),
            ("cibadmin", ok()),
            ("cibadmin", cib(6, 0, r#"<node id="1" uname="a"/>"#)),
        ]);
        let v = block(write(&s, &[], &expect, &new_config(), true)).unwrap();
        assert_eq!(v, Version { admin_epoch: 0, epoch: 6, num_updates: 0 });
        assert_eq!(s.seen.borrow()[1].argv, ["crm_verify", "--xml-pipe", "-VV"]);
    }

    #[test]
    fn a_down_cluster_is_named() {
        let s = Script::new(vec![(
            "cibadmin",
            Output {
                code: 102,
                stdout: Vec::new(),
                stderr: "Could not connect to the CIB: Transport endpoint is not connected".into(),
            },
        )]);
        let e = block(read(&s, &[])).unwrap_err();
        assert!(matches!(e, BackendError::ClusterDown { .. }), "{e}");
    }
}
