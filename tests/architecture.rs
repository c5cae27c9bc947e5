//! The module graph the README describes: stages import only from earlier stages and leaves, so
//! there is no import cycle, and the leaves (shared vocabulary) import nothing from the crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Modules every stage may use, which themselves use nothing from the crate.
const LEAVES: &[&str] = &["vocab", "diag", "command", "fsutil"];

/// Top-level module → the top-level modules its non-test code names as `crate::NAME`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
            let top = rel.split('/').next().unwrap().trim_end_matches(".rs").to_string();
            if matches!(top.as_str(), "lib" | "main") || !rel.ends_with(".rs") || rel.ends_with("tests.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]\nmod ").next().unwrap();
            let deps = out.entry(top.clone()).or_default();
            for (i, _) in code.match_indices("crate::") {
                let name: String = code[i + 7..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if name != top && !name.is_empty() {
                    deps.insert(name);
                }
            }
        }
    }
    out
}

#[test]
fn leaves_import_nothing_from_the_crate() {
    let g = graph();
    for leaf in LEAVES {
        let deps = g.get(*leaf).unwrap_or_else(|| panic!("no module `{leaf}`"));
        assert!(deps.is_empty(), "`{leaf}` is a leaf but imports {deps:?}");
    }
}

#[test]
fn the_module_graph_has_no_cycle() {
    let g = graph();
    // Repeatedly remove modules that import nothing still present; what remains is in a cycle.
    let mut left: BTreeMap<&str, BTreeSet<&str>> = g
        .iter()
        .map(|(k, v)| (k.as_str(), v.iter().map(String::as_str).filter(|d| g.contains_key(*d)).collect()))
        .collect();
    loop {
        let done: Vec<&str> = left.iter().filter(|(_, d)| d.is_empty()).map(|(k, _)| *k).collect();
        if done.is_empty() {
            break;
        }
        for k in &done {
            left.remove(k);
        }
        for deps in left.values_mut() {
            deps.retain(|d| !done.contains(d));
        }
    }
    assert!(left.is_empty(), "modules in an import cycle: {left:?}");
}
