//! The Mermaid that cibform writes (the Markdown plan's diagram, `cibform graph`) checked with
//! Mermaid's own parser: npm's `mermaid` (GitHub renders with Mermaid 11) under node, installed
//! at test time into the target directory (`tests/mermaid/package.json` pins the versions), so
//! nothing is committed and a second run installs nothing.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;

/// One install at a time (the tests of this binary run in parallel).
static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// `tests/mermaid/` installed under the target directory; fails saying why when npm cannot.
fn installed() -> PathBuf {
    need_tools(&["node", "npm"]);
    let _one = INSTALL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mermaid-check");
    std::fs::create_dir_all(&dir).unwrap();
    let pinned = std::fs::read_to_string(root().join("tests/mermaid/package.json")).unwrap();
    let same = std::fs::read_to_string(dir.join("package.json")).is_ok_and(|p| p == pinned);
    if !(same && dir.join("node_modules/mermaid/package.json").exists()) {
        std::fs::write(dir.join("package.json"), &pinned).unwrap();
        let out = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--no-package-lock", "--prefix"])
            .arg(&dir)
            .env("npm_config_cache", dir.join(".npm"))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "npm could not install mermaid (is the npm registry reachable?):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::copy(root().join("tests/mermaid/parse.mjs"), dir.join("parse.mjs")).unwrap();
    dir
}

/// Parse each file; the parser's report.
fn parse(dir: &Path, files: &[PathBuf]) -> Out {
    let out = Command::new("node").arg(dir.join("parse.mjs")).args(files).stdin(Stdio::null()).output().unwrap();
    Out::from(out)
}

/// Every ```mermaid block of a Markdown text.
fn blocks(md: &str) -> Vec<String> {
    md.split("```mermaid\n").skip(1).filter_map(|b| b.split("```").next()).map(str::to_string).collect()
}

#[test]
#[ignore = "needs node and npm"]
fn plans_and_graphs_parse_with_mermaids_own_parser() {
    let dir = installed();
    let work = tempfile::tempdir().unwrap();
    let mut diagrams: Vec<(String, String)> = Vec::new();
    // The example's plan against its drifted CIB (updates, a destroyed resource).
    let plan = example_markdown_plan();
    diagrams.extend(blocks(&plan.stdout).into_iter().map(|b| ("example-plan".to_string(), b)));
    for (name, file) in [("reference", "examples/clst-01/cluster.yaml"), ("full", "examples/full/cluster.yaml")] {
        diagrams.push((format!("graph-{name}"), cibform(&["graph", file]).stdout));
    }
    // Every plan snapshot's diagram (creates, updates, destroys, standby, rules) and every graph
    // snapshot (sets, roles, a promotable clone, the plan's colours).
    for entry in std::fs::read_dir(root().join("tests/snapshots")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        if name.ends_with(".markdown.snap") {
            diagrams.extend(blocks(&text).into_iter().map(|b| (name.clone(), b)));
        } else if name.ends_with(".mermaid.snap") {
            // A graph snapshot: the diagram itself, after insta's header.
            let body = text.splitn(3, "---\n").nth(2).unwrap_or_default();
            diagrams.push((name.clone(), body.to_string()));
        }
    }
    assert!(diagrams.len() >= 13, "too few diagrams: {}", diagrams.len());
    let files: Vec<PathBuf> = diagrams
        .iter()
        .enumerate()
        .map(|(i, (name, text))| {
            assert!(text.starts_with("flowchart LR\n"), "{name}: {text}");
            let p = work.path().join(format!("{i:02}-{name}.mmd"));
            std::fs::write(&p, text).unwrap();
            p
        })
        .collect();
    let out = parse(&dir, &files);
    assert_eq!(out.code, 0, "Mermaid rejects a diagram:\n{}", out.snapshot());
    assert_eq!(out.stdout.matches("(flowchart-v2)").count(), files.len(), "{}", out.stdout);
}

/// The check can fail: a diagram Mermaid cannot parse is reported with the parser's message.
#[test]
#[ignore = "needs node and npm"]
fn a_broken_diagram_fails_the_check() {
    let dir = installed();
    let work = tempfile::tempdir().unwrap();
    let bad = work.path().join("bad.mmd");
    std::fs::write(&bad, "flowchart LR\n  n_a[\"a \"quoted\" b\"] --> n_b\n").unwrap();
    let out = parse(&dir, &[bad]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stdout.contains("error ") && out.stdout.contains("Parse error"), "{}", out.stdout);
}

/// Load `page` in headless Chromium; the page's title once its scripts ran.
fn browser_title(page: &Path, screenshot: &Path) -> String {
    let chromium = ["chromium", "chromium-browser"].into_iter().find(|c| which(c)).expect("chromium");
    let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=20000"];
    let url = format!("file://{}", page.display());
    let dom = Command::new(chromium).args(common).arg("--dump-dom").arg(&url).stdin(Stdio::null()).output().unwrap();
    assert!(dom.status.success(), "chromium failed:\n{}", String::from_utf8_lossy(&dom.stderr));
    let shot = Command::new(chromium)
        .args(common)
        .arg("--window-size=1280,2400")
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(&url)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(shot.status.success(), "chromium screenshot failed:\n{}", String::from_utf8_lossy(&shot.stderr));
    let dom = String::from_utf8_lossy(&dom.stdout);
    dom.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap_or_default().to_string()
}

fn which(tool: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().is_ok_and(|o| o.status.success())
}

/// The example's Markdown plan rendered as GitHub would (GFM, Mermaid 11) in a real browser,
/// light and dark: every diagram renders without a Mermaid error, and the screenshots are kept
/// as test artifacts (`target/tmp/mermaid-check/plan-{light,dark}.png`).
#[test]
#[ignore = "needs chromium, node and npm"]
fn the_markdown_plan_renders_in_a_browser_light_and_dark() {
    need_tools(&["chromium"]);
    let dir = installed();
    let plan = example_markdown_plan();
    // A JSON string is a JavaScript string; `</` must not end the script element.
    let literal = serde_json::to_string(&plan.stdout).unwrap().replace("</", "<\\/");
    let template = std::fs::read_to_string(root().join("tests/mermaid/render.html")).unwrap();
    for theme in ["light", "dark"] {
        let page = dir.join(format!("plan-{theme}.html"));
        std::fs::write(&page, template.replace("THEME", theme).replace("MARKDOWN", &literal)).unwrap();
        let shot = dir.join(format!("plan-{theme}.png"));
        let _ = std::fs::remove_file(&shot);
        let title = browser_title(&page, &shot);
        assert_eq!(title, "rendered 1 of 1 diagrams, 0 errors", "{theme}: the page says {title:?}");
        assert!(std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000), "{theme}: no screenshot");
    }
}

/// The Markdown plan of the example against its drifted CIB (updates, a destroyed resource).
fn example_markdown_plan() -> Out {
    let plan = cibform(&[
        "--no-host-tools",
        "plan",
        "examples/clst-01/cluster.yaml",
        "--target",
        "file:examples/clst-01/live-cib.xml",
        "--format",
        "markdown",
    ]);
    assert_eq!(plan.code, 0, "{}", plan.snapshot());
    plan
}
