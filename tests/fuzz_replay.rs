//! The fuzzers' smoke run: every saved input under `fuzz/corpus/<target>/` (seeds and the
//! corpus the fuzzers grew) and `fuzz/regressions/<target>/` (inputs that once crashed) is
//! replayed through the same harness functions the AFL targets run (`fuzz/src/lib.rs`). No AFL
//! build is needed, so CI runs it as an ordinary test; open-ended fuzzing is `fuzz/README.md`.

#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
}

/// Replay one target's saved inputs; the names of those that panic, with the panic message.
fn replay(target: &str, run: fn(&[u8])) -> (usize, Vec<String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let files: Vec<PathBuf> =
        ["corpus", "regressions"].iter().flat_map(|d| inputs(&root.join(d).join(target))).collect();
    let mut failures = Vec::new();
    // Failures are reported with their file below; the default hook would print each twice.
    std::panic::set_hook(Box::new(|_| {}));
    for file in &files {
        let data = std::fs::read(file).unwrap();
        if let Err(p) = catch_unwind(AssertUnwindSafe(|| run(&data))) {
            let msg = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()));
            failures.push(format!("{}: {}", file.display(), msg.unwrap_or_default()));
        }
    }
    let _ = std::panic::take_hook();
    (files.len(), failures)
}

#[test]
fn every_saved_fuzz_input_replays_cleanly() {
    let mut failures = Vec::new();
    for (target, run) in harness::TARGETS {
        let (count, failed) = replay(target, *run);
        eprintln!("{target}: {count} inputs replayed, {} failed", failed.len());
        assert!(count > 0, "fuzz/corpus/{target}/ holds no input");
        failures.extend(failed);
    }
    assert!(failures.is_empty(), "{} input(s) fail:\n{}", failures.len(), failures.join("\n"));
}

/// The replay fails when a harness does: a panicking target is reported, not swallowed.
#[test]
fn a_failing_harness_is_reported() {
    fn boom(_: &[u8]) {
        panic!("boom");
    }
    let (count, failed) = replay("planfile", boom);
    assert!(count > 0);
    assert_eq!(failed.len(), count);
    assert!(failed[0].ends_with(": boom"), "{}", failed[0]);
}
