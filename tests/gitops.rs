//! The GitOps pipeline of `examples/gitops/`: `ci.sh plan|apply|drift` played through the whole
//! story by `rehearse.sh` on a CIB file (always), its comment adapters against a local stand-in
//! of GitHub's and GitLab's APIs, and the scripts' shellcheck. The same rehearsal on the real
//! two-node cluster is in `tests/live/gitops.rs` (it needs root).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn gitops() -> PathBuf {
    root().join("examples/gitops")
}

/// PR plan → re-run (comment untouched) → push (comment updated) → a merge of another file
/// refused → merge applied and verified → hand edit → nightly drift → fix PR → stale merge
/// refused → re-plan → merge → nightly clean, with the comment thread a directory.
#[test]
fn rehearsal_on_a_file_target_plays_the_whole_story() {
    let out = rehearse("--offline");
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(!out.stdout.contains("not ok"), "{}", out.stdout);
    let last = out.stdout.lines().last().unwrap_or_default();
    let passed: usize = last.strip_suffix(" passed, 0 failed").and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(passed >= 25, "the rehearsal checked too little: {last}\n{}", out.stdout);
}

#[test]
#[ignore = "needs shellcheck"]
fn gitops_scripts_are_shellcheck_clean() {
    need_tools(&["shellcheck"]);
    let out =
        Command::new("shellcheck").arg(gitops().join("ci.sh")).arg(gitops().join("rehearse.sh")).output().unwrap();
    let out = Out::from(out);
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

/// `tests/gitops/forge.py`, running until dropped.
struct Forge {
    child: Child,
    port: u16,
    log: PathBuf,
    state: PathBuf,
}

impl Forge {
    fn start(dir: &Path, token: &str, seed: usize) -> Forge {
        let (portfile, log, state) = (dir.join("port"), dir.join("forge.log"), dir.join("forge.json"));
        let child = Command::new("python3")
            .arg(root().join("tests/gitops/forge.py"))
            .args([&portfile, &log, &state])
            .arg(token)
            .arg(seed.to_string())
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let end = Instant::now() + Duration::from_secs(20);
        let port = loop {
            if let Some(p) = std::fs::read_to_string(&portfile).ok().and_then(|p| p.trim().parse().ok()) {
                break p;
            }
            assert!(Instant::now() < end, "forge.py did not start");
            std::thread::sleep(Duration::from_millis(50));
        };
        Forge { child, port, log, state }
    }

    /// The requests since the last call.
    fn requests(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        std::fs::write(&self.log, "").unwrap();
        text.lines().map(str::to_string).collect()
    }

    /// Every comment body of every thread.
    fn bodies(&self) -> Vec<String> {
        let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&self.state).unwrap()).unwrap();
        let threads = doc.as_object().unwrap();
        threads.values().flat_map(|t| t.as_array().unwrap()).map(|c| c["body"].as_str().unwrap().to_string()).collect()
    }
}

impl Drop for Forge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run `ci.sh plan` in `dir` (a cluster file planned against a copy of the reference CIB file,
/// with no host tools) with the forge's settings.
fn plan_job(dir: &Path, env: &[(&str, String)]) -> Out {
    let mut cmd = Command::new("bash");
    cmd.arg(gitops().join("ci.sh"))
        .arg("plan")
        .current_dir(dir)
        .env("CIBFORM", env!("CARGO_BIN_EXE_cibform"))
        .env("CIBFORM_FLAGS", "--no-host-tools")
        .env("CIBFORM_TARGET", format!("file:{}", dir.join("cib.xml").display()))
        .env("OUT_DIR", dir.join("out"))
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    Out::from(cmd.output().unwrap())
}

fn forge_round_trip(
    api: &str,
    env: impl Fn(u16) -> Vec<(&'static str, String)>,
    thread: &str,
    one: &str,
    update: &str,
) {
    need_tools(&["python3", "curl", "jq"]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(root().join("examples/clst-01/live-cib.xml"), d.join("cib.xml")).unwrap();
    std::fs::write(d.join("cluster.yaml"), without_scenarios(example_text())).unwrap();
    let forge = Forge::start(d, "t0ken", 130);
    let mut env = env(forge.port);
    env.push(("COMMENT_API", api.to_string()));

    // First run: pages through the 130 unrelated comments, then posts one.
    let out = plan_job(d, &env);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stderr.contains("posted the plan as a new comment"), "{}", out.stderr);
    let reqs = forge.requests();
    let want: Vec<String> = ["GET", "GET", "GET", "POST"].iter().map(|m| format!("{m} {thread}")).collect();
    assert_eq!(reqs, want, "two full pages, the empty third, one post");
    let marked = |bodies: Vec<String>| {
        bodies.into_iter().filter(|b| b.contains("<!-- cibform plan: cluster.yaml -->")).collect::<Vec<_>>()
    };
    let bodies = marked(forge.bodies());
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert!(bodies[0].contains("**0 to add, 3 to change, 1 to destroy**"), "{}", bodies[0]);

    // A re-run with nothing changed reads and writes nothing.
    let out = plan_job(d, &env);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stderr.contains("the plan comment is up to date: not touched"), "{}", out.stderr);
    assert!(forge.requests().iter().all(|r| r.starts_with("GET ")), "a re-run must not write");

    // A change updates the same comment in place.
    let text = std::fs::read_to_string(d.join("cluster.yaml")).unwrap().replace("dampen: 5s", "dampen: 6s");
    std::fs::write(d.join("cluster.yaml"), text).unwrap();
    let out = plan_job(d, &env);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let reqs = forge.requests();
    assert_eq!(reqs.last().map(String::as_str), Some(format!("{update} {one}").as_str()), "{reqs:?}");
    assert!(!reqs.iter().any(|r| r.starts_with("POST")), "{reqs:?}");
    let bodies = marked(forge.bodies());
    assert_eq!(bodies.len(), 1, "never a second comment");
    assert!(bodies[0].contains(r#"+ params.dampen: "6s""#), "{}", bodies[0]);

    // A wrong token: the job fails, saying the API refused, and never shows the token.
    let mut bad = env.clone();
    for (k, v) in bad.iter_mut() {
        if k.ends_with("_TOKEN") {
            *v = "wrong-s3cret".into();
        }
    }
    let out = plan_job(d, &bad);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("the comment API refused GET"), "{}", out.stderr);
    assert!(!out.stderr.contains("wrong-s3cret") && !out.stdout.contains("wrong-s3cret"), "{}", out.snapshot());
}

#[test]
#[ignore = "needs python3, curl and jq"]
fn github_adapter_keeps_one_sticky_comment() {
    forge_round_trip(
        "github",
        |port| {
            vec![
                ("GITHUB_API_URL", format!("http://127.0.0.1:{port}")),
                ("GITHUB_REPOSITORY", "team/cluster".into()),
                ("GITHUB_TOKEN", "t0ken".into()),
                ("PR_NUMBER", "7".into()),
            ]
        },
        "/repos/team/cluster/issues/7/comments",
        "/repos/team/cluster/issues/comments/1131",
        "PATCH",
    );
}

#[test]
#[ignore = "needs python3, curl and jq"]
fn gitlab_adapter_keeps_one_sticky_note() {
    forge_round_trip(
        "gitlab",
        |port| {
            vec![
                ("CI_API_V4_URL", format!("http://127.0.0.1:{port}/api/v4")),
                ("CI_PROJECT_ID", "42".into()),
                ("CI_MERGE_REQUEST_IID", "7".into()),
                ("GITLAB_TOKEN", "t0ken".into()),
            ]
        },
        "/api/v4/projects/42/merge_requests/7/notes",
        "/api/v4/projects/42/merge_requests/7/notes/1131",
        "PUT",
    );
}

/// The CI files are thin: each job's commands call `ci.sh` for its one job, and no command
/// touches a secret (they reach `ci.sh` only through the job's environment).
#[test]
fn ci_files_only_call_ci_sh_and_never_touch_a_secret() {
    fn commands(doc: &serde_json::Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (job, spec) in doc.as_object().unwrap() {
            let steps = spec.get("steps").and_then(|s| s.as_array()).cloned().unwrap_or_default();
            out.extend(steps.iter().filter_map(|s| s.get("run")?.as_str()).map(|r| (job.clone(), r.to_string())));
            let script = spec.get("script").and_then(|s| s.as_array()).cloned().unwrap_or_default();
            out.extend(script.iter().filter_map(|s| s.as_str()).map(|r| (job.clone(), r.to_string())));
        }
        out
    }
    let read = |p: &str| -> serde_json::Value {
        serde_saphyr::from_str(&std::fs::read_to_string(gitops().join(p)).unwrap()).unwrap()
    };
    let github = read(".github/workflows/cibform.yml");
    let gitlab = read(".gitlab-ci.yml");
    for (name, jobs, prefix) in [("github", &github["jobs"], ""), ("gitlab", &gitlab, "cibform-")] {
        let cmds = commands(jobs);
        for job in ["plan", "apply", "drift"] {
            let calls: Vec<&(String, String)> = cmds.iter().filter(|(_, c)| c.contains("ci/ci.sh")).collect();
            let ours: Vec<_> = calls.iter().filter(|(j, _)| *j == format!("{prefix}{job}")).collect();
            assert_eq!(ours.len(), 1, "{name}: job {job} calls ci.sh once: {calls:?}");
            assert_eq!(ours[0].1.trim(), format!("bash ci/ci.sh {job}"), "{name}");
        }
        for (job, c) in &cmds {
            for secret in ["secrets.", "CIBFORM_SSH_KEY", "PCSD_PASSWORD", "CIB_passwd", "set -x"] {
                assert!(!c.contains(secret), "{name} job {job} touches {secret}: {c}");
            }
        }
    }
}

/// The saved plan's key reaches the jobs that make and apply the plan, from the secret store.
#[test]
fn ci_files_pass_the_plan_key_to_the_plan_and_apply_jobs() {
    let text = std::fs::read_to_string(gitops().join(".github/workflows/cibform.yml")).unwrap();
    let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    for job in ["plan", "apply"] {
        let steps = doc["jobs"][job]["steps"].as_array().unwrap();
        let keyed = steps.iter().filter(|s| s["run"].as_str().is_some_and(|r| r.contains("ci/ci.sh")));
        let envs: Vec<&serde_json::Value> = keyed.map(|s| &s["env"]["CIBFORM_PLAN_KEY"]).collect();
        assert_eq!(envs, [&serde_json::Value::from("${{ secrets.CIBFORM_PLAN_KEY }}")], "job {job}");
    }
    let gitlab = std::fs::read_to_string(gitops().join(".gitlab-ci.yml")).unwrap();
    assert!(gitlab.contains("CIBFORM_PLAN_KEY"), "the GitLab file names the variable to set");
}
