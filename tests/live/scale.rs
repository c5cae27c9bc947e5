//! Scale on a real cluster: a 1% change to 1,000 primitives is one small patch.

use crate::common::*;
use crate::harness::*;

/// Issue 13: a 1% change to a large live cluster (1,000 primitives shaped as `examples/gencluster`
/// makes them, nothing started) goes out as one patch holding the edited primitives only, and
/// converges. `tools/live-scale.sh` runs the same at 10,000 with timings.
#[test]
#[ignore = "needs root for a live cluster: network namespaces"]
fn a_one_percent_change_to_a_large_cluster_is_one_small_patch() {
    need_live();
    let c = Cluster::single();
    let n = 1_000;
    let full = c.write("scale.yaml", &crate::shape::yaml_with(crate::shape::LAB_HEAD, n, false));
    let changed = c.write("scale-changed.yaml", &crate::shape::yaml_with(crate::shape::LAB_HEAD, n, true));
    let (full, changed) = (full.to_string_lossy(), changed.to_string_lossy());
    let load = c.cibform("t3021cent", &["apply", &full, "--auto-approve", "--cib-only", "--no-preview"]);
    assert_eq!(load.code, 0, "{}", load.snapshot());
    let patches = c.work().join("patches");
    std::fs::create_dir(&patches).unwrap();
    let path =
        format!("PATH={}:{}", root().join("tests/cluster/keep-patches").display(), std::env::var("PATH").unwrap());
    let keep = format!("CIBF_PATCH_DIR={}", patches.display());
    let exe = env!("CARGO_BIN_EXE_cibform");
    let out = c.on(
        "t3021cent",
        &["env", &path, &keep, exe, "apply", &changed, "--auto-approve", "--cib-only", "--target", "local"],
    );
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stderr.contains("Verified: the target now matches the file."), "{}", out.stderr);

    let sent: Vec<String> =
        std::fs::read_dir(&patches).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    assert_eq!(sent.len(), 1, "one patch: {sent:?}");
    let cib = c.on("t3021cent", &["cibadmin", "--query"]).stdout;
    let edited = n.div_ceil(100);
    assert_eq!(cib.matches("value=\"10.128.").count(), edited, "every edited VIP is in the live CIB");
    let changes = sent[0].matches("<change ").count();
    assert!(
        (1..=edited + 1).contains(&changes),
        "at most one change per edited primitive and the version: {}",
        sent[0]
    );
    assert!(
        sent[0].len() * 100 < cib.len(),
        "the patch ({} bytes) is under 1% of the CIB ({} bytes)",
        sent[0].len(),
        cib.len()
    );
    let again = c.cibform("t3021cent", &["plan", &changed, "--no-preview", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "nothing left to do:\n{}", again.snapshot());
}
