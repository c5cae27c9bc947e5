//! Native constraint forms beyond a node or one rule: locations on a `pattern`, with
//! `score-attribute`, several `rules` and a lifetime (`until`); colocation `node-attribute` and
//! `influence`; `require-all` on an order; ticket constraints. Checked against the CIB real pcs
//! built (`tests/fixtures/gen-constraints.sh`), translated by hand in
//! `tests/fixtures/constraints-pcs.yaml`: planned to zero, exported natively, applied like pcs.

mod common;

use common::*;

#[test]
fn the_natural_translation_of_pcs_commands_plans_to_zero_changes() {
    let out = plan_scratch(&fixture_text("constraints-pcs.yaml"), &fixture_text("constraints-pcs.xml"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

#[test]
fn export_writes_every_form_natively_and_plans_to_zero_changes() {
    let cib = fixture_text("constraints-pcs.xml");
    let (dir, out) = in_scratch("", &cib, &["export", "--target", "file:cib.xml", "-o", "exported.yaml"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let text = std::fs::read_to_string(dir.path().join("exported.yaml")).unwrap();
    assert!(!text.contains("raw:"), "a constraint went through the escape hatch:\n{text}\n{}", out.stderr);
    for form in [
        "location: { pattern: web-.* }",
        "score-attribute: pingd",
        "rules:",
        r#"until: "2026-12-31 06:54:38Z""#,
        "node-attribute: rack",
        "influence: false",
        "require-all: false",
        "ticket: site-b",
        "loss-policy: demote",
    ] {
        assert!(text.contains(form), "{form:?} is not in the export:\n{text}");
    }
    let again = cibform_in(dir.path(), &["plan", "exported.yaml", "--target", "file:cib.xml", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
}

/// Applied to an empty CIB, the file writes what pcs wrote (the same meaning), and converges.
#[test]
fn applied_to_an_empty_cib_the_file_writes_what_pcs_wrote() {
    let (dir, out) = in_scratch(
        &fixture_text("constraints-pcs.yaml"),
        EMPTY_CIB,
        &["apply", "cluster.yaml", "--target", "file:cib.xml", "--auto-approve", "--allow-disable-stonith"],
    );
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let again = cibform_in(dir.path(), &["plan", "cluster.yaml", "--target", "file:cib.xml", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
    let ours = cibform::cib::Cib::parse("ours", &std::fs::read_to_string(dir.path().join("cib.xml")).unwrap()).unwrap();
    let pcs = cibform::cib::Cib::parse("pcs", &fixture_text("constraints-pcs.xml")).unwrap();
    let d = cibform::plan::diff(pcs.configuration(), ours.configuration());
    assert!(d.is_empty(), "cibform and pcs wrote different clusters: {d:#?}");
    // pcs's ids where the file gives none: a lifetime ban is one `pcs resource clear` removes.
    for id in ["cli-ban-db-on-node1", "cli-prefer-app", "ticket-site-a-state-clone-Promoted", "location-db-rule-1"] {
        assert!(ours.configuration().find_id(id).is_some(), "missing pcs id {id}");
    }
}

/// Pacemaker's own checker finds no error in what cibform wrote.
#[test]
#[ignore = "needs pacemaker tools: crm_verify"]
fn what_the_file_writes_passes_crm_verify() {
    need_tools(&["crm_verify"]);
    let (dir, out) = in_scratch(
        &fixture_text("constraints-pcs.yaml"),
        EMPTY_CIB,
        &["apply", "cluster.yaml", "--target", "file:cib.xml", "--auto-approve", "--allow-disable-stonith"],
    );
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let v =
        std::process::Command::new("crm_verify").arg("-x").arg(dir.path().join("cib.xml")).arg("-VV").output().unwrap();
    let why = format!("{}{}", String::from_utf8_lossy(&v.stdout), String::from_utf8_lossy(&v.stderr));
    // Warnings are Pacemaker's word on what pcs wrote too (require-all is deprecated); errors
    // would be ours.
    assert!(!why.contains("error:") && !why.contains("config not valid"), "crm_verify rejected it:\n{why}");
    assert!(why.contains("require-all in ordering constraints is deprecated"), "{why}");
}

/// The committed fixture is what today's pcs writes (lifetimes aside: they are dates from now).
#[test]
#[ignore = "needs pacemaker tools: pcs, crm_resource"]
fn constraints_rebuilt_by_real_pcs_plan_to_zero_changes_but_for_the_dates() {
    need_tools(&["pcs", "crm_resource", "cibadmin"]);
    let (_dir, fresh) = rebuild("gen-constraints.sh");
    let out = cibform(&[
        "plan",
        "tests/fixtures/constraints-pcs.yaml",
        "--target",
        &format!("file:{}", fresh.display()),
        "--detailed-exitcode",
    ]);
    // Only the three lifetimes differ: their end is 30 days from the day the script ran.
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(out.stdout.contains("Plan: 0 to add, 3 to change, 0 to destroy."), "{}", out.stdout);
    assert_eq!(out.stdout.matches("date lt").count(), 6, "{}", out.stdout);
}

#[test]
fn changes_to_the_new_forms_are_shown_line_by_line() {
    let yaml = fixture_text("constraints-pcs.yaml");
    let yaml = edit_once(&yaml, "until: 2026-12-31 06:54:38Z", "until: 2027-01-31");
    let yaml = edit_once(&yaml, "score-attribute: pingd }", "score-attribute: rack }");
    let yaml = edit_once(&yaml, "loss-policy: freeze", "loss-policy: stop");
    let yaml = edit_once(&yaml, "influence: false", "influence: true");
    let out = plan_scratch(&yaml, &fixture_text("constraints-pcs.xml"));
    assert_eq!(out.code, 2, "{}", out.snapshot());
    for line in [
        "~ location constraint cli-ban-db-on-node1",
        r##"~ rule: "#uname eq string node1 and date lt \"2026-12-31 06:54:38Z\"" → "#uname eq string node1 and date lt 2027-01-31""##,
        r#"~ rule score-attribute: "pingd" → "rack""#,
        "~ ticket constraint ticket-site-a-db",
        r#"~ loss-policy: "freeze" → "stop""#,
        r#"~ influence: "false" → "true""#,
        "Plan: 0 to add, 4 to change, 0 to destroy.",
    ] {
        assert!(out.stdout.contains(line), "{line:?} is not in the plan:\n{}", out.stdout);
    }
}

/// Dropping a constraint of a new form removes it; nothing else moves.
#[test]
fn a_dropped_ticket_or_pattern_location_is_destroyed() {
    let yaml = fixture_text("constraints-pcs.yaml");
    let yaml = edit_once(&yaml, "  - location: { pattern: web-.* }\n    node: node1\n    score: 50\n", "");
    let yaml = edit_once(&yaml, "  - ticket: site-b\n    resource: [[web-1, web-2]]\n    loss-policy: stop\n", "");
    let out = plan_scratch(&yaml, &fixture_text("constraints-pcs.xml"));
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(out.stdout.contains("- location constraint location-web-.-node1-50"), "{}", out.stdout);
    assert!(out.stdout.contains("- ticket constraint ticket_set_w1w2"), "{}", out.stdout);
    assert!(out.stdout.contains("Plan: 0 to add, 0 to change, 2 to destroy."), "{}", out.stdout);
}

/// Each mistake gets its code, a label on the value and a help line.
#[test]
fn mistakes_in_the_new_forms_are_located_errors() {
    let base = "cluster: c\nresources:\n  db: { agent: ocf:pacemaker:Dummy }\nconstraints:\n";
    let cases: &[(&str, &str, &str)] = &[
        (
            "  - { location: db, rule: defined pingd, score: 5, score-attribute: pingd }\n",
            "cibform::constraint::score_attribute",
            "keep `score: 5` or `score-attribute: pingd`",
        ),
        (
            "  - { location: db, node: n1, score-attribute: pingd }\n",
            "cibform::constraint::score_attribute",
            "needs a rule",
        ),
        (
            "  - { location: db, rule: defined x, until: 2027-01-01 }\n",
            "cibform::constraint::until",
            "`until` needs `node`",
        ),
        ("  - { location: db, node: n1, until: tomorrow }\n", "cibform::constraint::until", "is not an ISO 8601 date"),
        ("  - { location: { pattern: '' }, node: n1 }\n", "cibform::constraint::pattern", "an empty location pattern"),
        (
            "  - { location: db, rules: [] }\n",
            "cibform::constraint::location",
            "exactly one of `node`, `rule`, `rules`",
        ),
        (
            "  - { location: db, rules: [{ rule: defined x }], score: 5 }\n",
            "cibform::constraint::field",
            "`score` goes in each of `rules`",
        ),
        (
            "  - { ticket: T, resource: db, loss-policy: fenc }\n",
            "cibform::constraint::loss_policy",
            "did you mean `fence`?",
        ),
        ("  - { ticket: T }\n", "cibform::constraint::ticket", "a ticket constraint needs `resource`"),
        (
            "  - { ticket: T, resource: db, loss-policy: fence }\nproperties: { stonith-enabled: false }\n",
            "cibform::constraint::loss_policy",
            "loss-policy `fence` with fencing disabled",
        ),
        ("  - { ticket: T, resource: dbb }\n", "cibform::ref::unknown", "did you mean `db`?"),
        ("  - { ticket: 'not a name', resource: db }\n", "cibform::constraint::ticket", "is not a valid ticket name"),
        ("  - { location: db, node: n1, loss-policy: stop }\n", "cibform::constraint::field", "allowed here:"),
        ("  - { order: db, then: db, influence: false }\n", "cibform::constraint::field", "allowed here:"),
        (
            "  - { ticket: T, resource: [[db]], role: Promoted }\n",
            "cibform::constraint::field",
            "give each set its own `role`",
        ),
    ];
    for (entry, code, text) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cluster.yaml"), format!("{base}{entry}")).unwrap();
        let out = cibform_in(dir.path(), &["validate", "cluster.yaml"]);
        assert_eq!(out.code, 1, "{entry}: {}", out.snapshot());
        assert!(out.stderr.contains(code), "{entry}: no {code}:\n{}", out.stderr);
        assert!(out.stderr.contains(text), "{entry}: no {text:?}:\n{}", out.stderr);
        assert!(out.stderr.contains("help:"), "{entry}: no help line:\n{}", out.stderr);
        assert!(out.stderr.contains("cluster.yaml:5:"), "{entry}: not located on the entry's line:\n{}", out.stderr);
    }
}
