//! Shared helpers for the integration tests: run the real binary, find fixtures, read the CIB
//! corpus, check the prerequisites of ignored tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub mod corpus;
pub mod prereq;
pub mod rebuild;
#[allow(unused_imports)]
pub use prereq::{need_root, need_tools};
#[allow(unused_imports)]
pub use rebuild::{assert_fixture_fresh, rebuild, rebuilt_plans_to_zero};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn example() -> PathBuf {
    root().join("examples/clst-01/cluster.yaml")
}

pub fn example_text() -> String {
    std::fs::read_to_string(example()).unwrap()
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// The output of one run of the binary.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<std::process::Output> for Out {
    fn from(out: std::process::Output) -> Out {
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Out {
    /// Exit code, stdout and stderr in one string, for snapshots.
    pub fn snapshot(&self) -> String {
        format!("exit: {}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// Run `cibform` with `args` in `dir`, no colour, no terminal.
pub fn cibform_in(dir: &Path, args: &[&str]) -> Out {
    cibform_env_in(dir, &[], args)
}

/// `cibform_in` with `envs` set. The saved-plan key is never inherited from the environment the
/// tests run in: a test that wants one passes it here.
pub fn cibform_env_in(dir: &Path, envs: &[(&str, &str)], args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_cibform"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CIBFORM_PLAN_KEY")
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run cibform");
    Out::from(out)
}

/// `cibform` with `envs` set (see `cibform_env_in`).
pub fn cibform_env(envs: &[(&str, &str)], args: &[&str]) -> Out {
    cibform_env_in(&root(), envs, args)
}

pub fn cibform(args: &[&str]) -> Out {
    cibform_in(&root(), args)
}

/// A scratch directory with a copy of a CIB fixture (or an empty CIB) as `cib.xml`.
pub fn scratch_with_cib(cib: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cib.xml");
    let text = match cib {
        Some(name) => std::fs::read_to_string(fixture(name)).unwrap(),
        None => EMPTY_CIB.to_string(),
    };
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// What `cibadmin --empty` prints on pacemaker 2.1.5 (one copy, in the library).
pub use cibform::cib::EMPTY_CIB;

/// Write a variant of the example file into `dir` and return its path.
pub fn variant(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let text = edit(example_text());
    assert_ne!(text, example_text(), "the edit must change the example");
    let path = dir.join("cluster.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

pub fn target(cib: &Path) -> String {
    format!("--target=file:{}", cib.display())
}

/// The example's text without its failover scenarios, for variants that remove what they name.
pub fn without_scenarios(text: String) -> String {
    match text.split_once("\n# Failover tests") {
        Some((head, _)) => format!("{head}\n"),
        None => text,
    }
}

/// A fixture's text.
pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

/// Run cibform in a scratch directory holding `cluster.yaml` and `cib.xml`.
pub fn in_scratch(yaml: &str, cib: &str, args: &[&str]) -> (tempfile::TempDir, Out) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cluster.yaml"), yaml).unwrap();
    std::fs::write(dir.path().join("cib.xml"), cib).unwrap();
    let out = cibform_in(dir.path(), args);
    (dir, out)
}

/// `plan --detailed-exitcode` of `yaml` against `cib`, in a scratch directory.
pub fn plan_scratch(yaml: &str, cib: &str) -> Out {
    in_scratch(yaml, cib, &["plan", "cluster.yaml", "--target", "file:cib.xml", "--detailed-exitcode"]).1
}

/// `text` with the first `from` replaced by `to`; `from` must be there.
pub fn edit_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} is not in the text");
    text.replacen(from, to, 1)
}

/// `examples/gitops/rehearse.sh FLAG` (`--offline` or `--live`) with this build of cibform.
pub fn rehearse(flag: &str) -> Out {
    let out = Command::new("bash")
        .arg(root().join("examples/gitops/rehearse.sh"))
        .arg(flag)
        .env("CIBFORM", env!("CARGO_BIN_EXE_cibform"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Out::from(out)
}

/// A native form's round trip: the hand translation `yaml` plans to zero against the tool-built
/// `xml` (fixture names); the export of `xml` writes no `raw:`, holds each of `forms`, and plans
/// to zero in turn. Returns the export's text for the caller's own checks.
pub fn assert_native_round_trip(yaml: &str, xml: &str, forms: &[&str]) -> String {
    let out = plan_scratch(&fixture_text(yaml), &fixture_text(xml));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let (dir, out) = in_scratch("", &fixture_text(xml), &["export", "--target", "file:cib.xml", "-o", "out.yaml"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let text = std::fs::read_to_string(dir.path().join("out.yaml")).unwrap();
    assert!(!text.contains("raw:"), "{text}");
    for form in forms {
        assert!(text.contains(form), "{form:?} is not in the export:\n{text}");
    }
    let again = cibform_in(dir.path(), &["plan", "out.yaml", "--target", "file:cib.xml", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
    text
}

/// `validate` refuses `yaml` (a case named `entry`) with diagnostic `code`, a message holding
/// `text`, and a help line; the output, for the caller's own checks.
pub fn assert_refused_with(yaml: &str, entry: &str, code: &str, text: &str) -> Out {
    let (_d, out) = in_scratch(yaml, "", &["validate", "cluster.yaml"]);
    assert_eq!(out.code, 1, "{entry}: {}", out.snapshot());
    assert!(out.stderr.contains(code), "{entry}: no {code}:\n{}", out.stderr);
    assert!(out.stderr.contains(text), "{entry}: no {text:?}:\n{}", out.stderr);
    assert!(out.stderr.contains("help:"), "{entry}: no help line:\n{}", out.stderr);
    out
}
