//! Regression tests for trust bugs: each is named after the bug it pins, and runs the real
//! binary (and the real Pacemaker tools where they decide) against file targets.

mod common;

use std::process::Command;

use common::*;

/// The example with the VIP's `nic` parameter set to a YAML double-quoted scalar `"<escaped>"`.
fn with_nic(dir: &std::path::Path, escaped: &str) -> std::path::PathBuf {
    variant(dir, |t| t.replace("nic: ens192", &format!("nic: \"{escaped}\"")))
}

fn apply(yaml: &std::path::Path, cib: &std::path::Path) -> Out {
    cibform(&["apply", yaml.to_str().unwrap(), &target(cib), "--auto-approve", "--no-preview"])
}

#[test]
fn yaml_value_with_a_character_xml_cannot_carry_made_apply_write_a_file_that_is_not_xml() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let before = std::fs::read_to_string(&cib).unwrap();
    for escaped in [r"ens\0192", r"ens\x01", r"ens\e[31m", r"ens\uFFFE", r"ens\uFFFF"] {
        let yaml = with_nic(dir.path(), escaped);
        let out = cibform(&["validate", yaml.to_str().unwrap()]);
        assert_eq!(out.code, 1, "{escaped}: {}", out.snapshot());
        assert!(out.stderr.contains("cibform::input::char"), "{escaped}: {}", out.stderr);
        assert!(out.stderr.contains(&format!("nic: \"{escaped}\"")), "the value is shown: {}", out.stderr);
        assert!(out.stderr.contains("in this value") && out.stderr.contains("help:"), "{}", out.stderr);
        assert!(!out.stderr.contains('\u{1b}'), "no escape character reaches the terminal");
        let out = apply(&yaml, &cib);
        assert_eq!(out.code, 1, "{escaped}: {}", out.snapshot());
        assert_eq!(std::fs::read_to_string(&cib).unwrap(), before, "{escaped}: nothing may be written");
    }
    // Keys and fields other than parameters are covered by the same walk.
    let yaml = variant(dir.path(), |t| t.replace("no-quorum-policy: ignore", "\"no-\\equorum\": ignore"));
    assert!(cibform(&["validate", yaml.to_str().unwrap()]).stderr.contains("cibform::input::char"));
    let yaml =
        variant(dir.path(), |t| t.replace("agent: systemd:squid", "agent: systemd:squid, description: \"a\\x07\""));
    assert!(cibform(&["validate", yaml.to_str().unwrap()]).stderr.contains("cibform::input::char"));
}

#[test]
fn carriage_return_in_a_value_was_read_back_as_a_space_and_never_converged() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let yaml = with_nic(dir.path(), r"ens\r192\t\n");
    let out = apply(&yaml, &cib);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stderr.contains("Verified: the target now matches the file."), "{}", out.stderr);
    let text = std::fs::read_to_string(&cib).unwrap();
    assert!(text.contains(r#"value="ens&#13;192&#9;&#10;""#), "{text}");
    let again = cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), "--detailed-exitcode", "--no-preview"]);
    assert_eq!(again.code, 0, "converged: {}", again.snapshot());
}

/// Values that need escaping, each written by `apply` and read back by Pacemaker itself.
const HOSTILE_VALUES: &[(&str, &str)] = &[
    (r#"a\"b'c"#, "a\"b'c"),
    ("x &amp; y", "x &amp; y"),
    ("<b>bold</b> ]]> <!-- no -->", "<b>bold</b> ]]> <!-- no -->"),
    (r"tab\there", "tab\there"),
    (r"two\nlines", "two\nlines"),
    (r"cr\rlf\r\n", "cr\rlf\r\n"),
    ("&#10; as text", "&#10; as text"),
    (r"  spaced  ", "  spaced  "),
    ("ünïcødé ☃ \u{10348}", "ünïcødé ☃ \u{10348}"),
];

#[test]
fn hostile_values_are_written_so_that_pacemaker_reads_them_back_exactly() {
    if !have("crm_verify") || !have("crm_resource") {
        return;
    }
    for (escaped, value) in HOSTILE_VALUES {
        let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
        let out = apply(&with_nic(dir.path(), escaped), &cib);
        assert_eq!(out.code, 0, "{escaped}: {}", out.snapshot());
        let verify = Command::new("crm_verify").arg("-x").arg(&cib).output().unwrap();
        assert!(verify.status.success(), "{escaped}: {}", String::from_utf8_lossy(&verify.stderr));
        let got = Command::new("crm_resource")
            .args(["--resource", "rs-vip-33", "--get-parameter", "nic"])
            .env("CIB_file", &cib)
            .output()
            .unwrap();
        assert!(got.status.success(), "{escaped}: {}", String::from_utf8_lossy(&got.stderr));
        assert_eq!(String::from_utf8(got.stdout).unwrap(), format!("{value}\n"), "{escaped}");
        let back = cibform::cib::Cib::parse("cib", &std::fs::read_to_string(&cib).unwrap()).unwrap();
        assert_eq!(back.root.find_id("rs-vip-33-instance_attributes-nic").unwrap().attr("value"), Some(*value));
    }
}

/// A CIB with elements nested `depth` deep inside `<resources>`.
fn deep_cib(depth: usize) -> String {
    EMPTY_CIB.replace(
        "<resources/>",
        &format!(
            "<resources>{}{}</resources>",
            "<meta_attributes id=\"m\">".repeat(depth),
            "</meta_attributes>".repeat(depth)
        ),
    )
}

#[test]
fn deep_cib_aborted_plan_and_export_with_a_stack_overflow() {
    let (_dir, cib) = scratch_with_cib(None);
    std::fs::write(&cib, deep_cib(20_000)).unwrap();
    for args in [&["plan", "examples/clst-01/cluster.yaml", "--no-preview"][..], &["export"][..]] {
        let out = cibform(&[args, &[target(&cib).as_str()]].concat());
        assert_eq!(out.code, 1, "{args:?}: {}", out.snapshot());
        assert!(out.stderr.contains("cibform::cib::xml"), "{}", out.stderr);
        assert!(out.stderr.contains("nested more than 256 deep"), "{}", out.stderr);
        assert!(out.stderr.len() < 4_000, "the echo is cut: {} bytes", out.stderr.len());
    }
    // Pacemaker's own limit is the same: what is deep but allowed still plans.
    std::fs::write(&cib, deep_cib(200)).unwrap();
    let out = cibform(&["plan", "examples/clst-01/cluster.yaml", &target(&cib), "--no-preview"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

#[test]
fn deep_raw_item_aborted_validate_with_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let raw = format!("<tags>{}{}</tags>", "<tag id=\"t\">".repeat(15_000), "</tag>".repeat(15_000));
    let yaml = variant(dir.path(), |t| format!("{t}raw:\n  - '{raw}'\n"));
    let out = cibform(&["validate", yaml.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("cibform::raw::xml") && out.stderr.contains("nested more than"), "{}", out.stderr);
    assert!(out.stderr.len() < 4_000, "the echo is cut: {} bytes", out.stderr.len());
}

#[test]
fn huge_or_endless_input_files_were_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.xml");
    std::fs::File::create(&big).unwrap().set_len(1 << 30).unwrap();
    let started = std::time::Instant::now();
    let out = cibform(&["plan", "examples/clst-01/cluster.yaml", &target(&big)]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("larger than 128 MiB"), "{}", out.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "refused before reading");
    // Streams are read through a bounded reader: each kind of input file.
    for args in [
        &["validate", "/dev/zero"][..],
        &["plan", "examples/clst-01/cluster.yaml", "--target=file:/dev/zero"][..],
        &["plan", "examples/clst-01/cluster.yaml", "--target=file:tests/fixtures/seed-pcs.xml", "--corosync=/dev/zero"]
            [..],
        &["apply", "/dev/zero", "--target=file:tests/fixtures/seed-pcs.xml"][..],
    ] {
        let out = cibform(args);
        assert_eq!(out.code, 1, "{args:?}: {}", out.snapshot());
        assert!(out.stderr.contains("larger than"), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn diagnostics_echoed_whole_input_lines_and_raw_escape_sequences() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(5_000_000);
    let yaml = variant(dir.path(), |t| t.replace("nic: ens192", &format!("nic: ens192, k{long}: [1]")));
    let out = cibform(&["validate", yaml.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stderr.len());
    assert!(out.stderr.contains("cibform::yaml::type") && out.stderr.contains('…'), "{}", &out.stderr[..2000]);
    assert!(out.stderr.len() < 4_000, "the echo is cut: {} bytes", out.stderr.len());
    // An escape sequence in the source, and one decoded into a message, are shown escaped.
    let yaml = variant(dir.path(), |t| t.replace("stonith-enabled: false", "stonith-enabled: false\n\u{1b}[2J: 1"));
    let out = cibform(&["validate", yaml.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(!out.stderr.contains('\u{1b}'), "{}", out.stderr);
    let cib = dir.path().join("cib.xml");
    std::fs::write(&cib, EMPTY_CIB.replace("<nodes/>", "<nodes/>\u{1b}[2J\u{1b}]0;pwned\u{7}")).unwrap();
    let out = cibform(&["plan", "examples/clst-01/cluster.yaml", &target(&cib)]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(!out.stderr.contains('\u{1b}') && out.stderr.contains(r"\u{1b}[2J"), "{}", out.stderr);
    let yaml = variant(dir.path(), |t| format!("{t}\"\\e]0;pwned\\a\": 1\n"));
    let out = cibform(&["validate", yaml.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(!out.stderr.contains('\u{1b}') && !out.stderr.contains('\u{7}'), "{}", out.stderr);
}

#[test]
fn updating_one_nvpair_in_place_moved_it_and_its_neighbour() {
    if !have("crm_diff") {
        return;
    }
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let before = dir.path().join("before.xml");
    std::fs::copy(&cib, &before).unwrap();
    let yaml = variant(dir.path(), |t| t.replace("ip: 192.168.33.23", "ip: 192.168.33.24"));
    let out = apply(&yaml, &cib);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let diff = Command::new("crm_diff").arg("-o").arg(&before).arg("-n").arg(&cib).output().unwrap();
    let diff = String::from_utf8(diff.stdout).unwrap();
    // Besides the version bump on `/cib`, exactly one change: the value, set in place.
    let changes: Vec<&str> =
        diff.lines().filter(|l| l.contains("<change operation=") && !l.contains("path=\"/cib\"")).collect();
    assert_eq!(changes.len(), 1, "{diff}");
    assert!(changes[0].contains("operation=\"modify\"") && changes[0].contains("instance_attributes-ip"), "{diff}");
    assert!(diff.contains(r#"<change-attr name="value" operation="set" value="192.168.33.24"/>"#), "{diff}");
    // Our own patch (what `apply` sends to a cluster) is the same single change.
    let old = cibform::cib::Cib::parse("before", &std::fs::read_to_string(&before).unwrap()).unwrap();
    let new = cibform::cib::Cib::parse("after", &std::fs::read_to_string(&cib).unwrap()).unwrap();
    let patch = cibform::plan::patch::patch(&old, &new);
    let ops: Vec<_> = patch
        .elements()
        .filter(|e| e.name == "change" && e.attr("path") != Some("/cib"))
        .map(|e| e.attr("operation").unwrap())
        .collect();
    assert_eq!(ops, ["modify"], "{}", patch.to_xml());
}

/// Strings that would end a code span, a fence, a table cell, a Mermaid label or the Markdown
/// itself if they were written raw.
const HOSTILE_TEXT: &[&str] = &[
    "a`b",
    "x\n```\n<!--",
    "<!-- swallow the rest",
    "</details><script>alert(1)</script>",
    "| cell | split |",
    "\n# heading\n> quote\n- item",
    "\"]\n  evil[\"x",
    "#quot; #35; &amp; &lt;",
    "![img](https://example.invalid/t.png) [l](javascript:x)",
    "*bold* _em_ ~~s~~ \\",
    "\u{202e}reversed\u{2028}sep\u{85}nel",
];

/// A plan in which every input-derived string is `s`.
fn plan_with(s: &str) -> (cibform::plan::Plan, cibform::render::Header) {
    use cibform::cib::xml::Element;
    use cibform::plan::view::{ObjKey, Section};
    use cibform::plan::{Action, AttrChange, Change, CorosyncPlan, Plan};
    use cibform::preview::{Preview, Scenario, SimAction};
    let key = |section, kind: &str| ObjKey { section, kind: kind.into(), id: s.into() };
    let attr = AttrChange { key: s.into(), before: Some(s.into()), after: Some(format!("{s}2")) };
    let primitive = Element::new("primitive").with_attr("id", s).with_attr("type", s);
    let colocation = Element::new("rsc_colocation").with_attr("id", s).with_attr("rsc", s).with_attr("with-rsc", s);
    let config = Element::new("configuration")
        .with_child(
            Element::new("resources").with_child(Element::new("group").with_attr("id", s).with_child(primitive)),
        )
        .with_child(Element::new("constraints").with_child(colocation.with_attr("score", s)));
    let sim =
        SimAction { action: s.into(), resource: s.into(), node: Some(s.into()), dest: None, reason: Some(s.into()) };
    let plan = Plan {
        changes: vec![
            Change { action: Action::Create, key: key(Section::Resources, "primitive"), attrs: vec![attr.clone()] },
            Change {
                action: Action::Update,
                key: key(Section::Constraints, "rsc_colocation"),
                attrs: vec![attr.clone()],
            },
            Change { action: Action::Destroy, key: key(Section::Resources, s), attrs: vec![attr] },
        ],
        warnings: vec![format!("node `{s}` is in the CIB but not declared in the file; {s}")],
        new_config: config,
        corosync: CorosyncPlan {
            source: Some(s.into()),
            changes: vec![cibform::corosync::ConfChange {
                key: s.into(),
                before: Some(s.into()),
                after: Some(s.into()),
                disruption: cibform::corosync::Disruption::Online,
                procedure: "`pcs cluster link update`".into(),
            }],
        },
        preview: Some(Preview::Ran { source: s.into(), actions: vec![sim.clone()] }),
        what_if: vec![
            (Scenario::NodeDown { node: s.into() }, Preview::Ran { source: s.into(), actions: vec![sim] }),
            (Scenario::NodeFail { node: s.into() }, Preview::Skipped { reason: s.into() }),
        ],
    };
    let header = cibform::render::Header { cluster: s.into(), target: s.into(), version: "0.1.0".into() };
    (plan, header)
}

/// A line of Markdown with its code spans (a run of n backticks to the next run of exactly n)
/// removed.
fn outside_code_spans(line: &str) -> String {
    let runs: Vec<(usize, usize)> = line
        .char_indices()
        .filter(|(i, c)| *c == '`' && (*i == 0 || !line[..*i].ends_with('`')))
        .map(|(i, _)| (i, line[i..].chars().take_while(|c| *c == '`').count()))
        .collect();
    let (mut out, mut at, mut k) = (String::new(), 0, 0);
    while k < runs.len() {
        let (start, n) = runs[k];
        match runs[k + 1..].iter().position(|r| r.1 == n) {
            Some(j) if start >= at => {
                out.push_str(&line[at..start]);
                at = runs[k + 1 + j].0 + n;
                k += j + 2;
            }
            _ => k += 1,
        }
    }
    out + &line[at..]
}

/// Markdown text with its backslash escapes (`\<`: a literal `<`) removed.
fn without_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.next().is_some_and(|n| n.is_ascii_punctuation()) {
            continue;
        }
        out.push(c);
    }
    out
}

#[test]
fn markdown_plans_could_be_injected_by_input_text() {
    let (plan, h) = plan_with("plain");
    let benign = cibform::render::markdown(&plan, &h);
    let shape = |md: &str| md.lines().map(|l| l.chars().take(2).collect::<String>()).collect::<Vec<_>>();
    for s in HOSTILE_TEXT {
        let (plan, h) = plan_with(s);
        let md = cibform::render::markdown(&plan, &h);
        // Same lines, each starting the same block as with a plain string: no value opened a
        // block, closed a fence, split a table row or ended a Mermaid label.
        assert_eq!(shape(&md), shape(&benign), "{s:?}:\n{md}");
        // Outside code spans (where CommonMark shows everything literally) nothing is markup.
        let mut in_fence = false;
        let outside: String = md
            .lines()
            .filter(|l| {
                let fence = l.starts_with("```");
                in_fence ^= fence;
                !in_fence && !fence
            })
            .map(|l| without_escapes(&outside_code_spans(l)))
            .collect::<Vec<_>>()
            .join("\n");
        for raw in ["<!--", "<script", "</details><", "![", "](", "\u{202e}", "\u{2028}", "\u{85}"] {
            assert!(!outside.contains(raw), "{s:?} left {raw:?} raw:\n{outside}");
        }
        let mermaid = md.split("```mermaid\n").nth(1).unwrap().split("```\n").next().unwrap();
        for line in mermaid.lines() {
            assert!(!line.contains('`') && line.matches('"').count() % 2 == 0, "{s:?}: {line}");
        }
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
        for row in rows {
            let cells = row.replace("\\|", "").matches('|').count();
            assert!(cells == 4 || cells == 6, "{s:?}: a value split a table row: {row}");
        }
    }
}

#[test]
fn agent_string_with_markup_replaced_the_markdown_plan_body() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = variant(dir.path(), |t| t.replace("agent: systemd:squid", "agent: \"systemd:squid`\\n<!--\""));
    let out = cibform(&["validate", yaml.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("cibform::agent::invalid") && out.stderr.contains("invalid agent"), "{}", out.stderr);
    assert!(out.stderr.contains("help: write `class[:provider]:type`"), "{}", out.stderr);
}
