//! Bundles, natively: `bundles: { ID: { docker|podman|rkt, network, port-mapping,
//! storage-mapping, resource, meta } }`. Checked against the CIB real pcs built
//! (`tests/fixtures/gen-bundles.sh`), translated by hand in `tests/fixtures/bundles-pcs.yaml`:
//! planned to zero, exported natively, applied like pcs; and on the scheduler corpus's bundles.

mod common;

use common::*;

#[test]
fn the_natural_translation_plans_to_zero_and_the_export_is_native() {
    assert_native_round_trip("bundles-pcs.yaml", "bundles-pcs.xml", &["bundles:",
        "- { port: 80, id: httpd-port }",
        r#"- { range: "8000-8010" }"#,
        "      - source-dir-root: /var/log/pacemaker/bundles\n        target-dir: /etc/httpd/logs\n        options: rw\n    resource: httpd\n",
        "resource: httpd",
        "rkt: { image: localhost/tool }"]);
}

/// The committed fixture is what today's pcs writes.
#[test]
#[ignore = "needs pacemaker tools: pcs, crm_diff"]
fn bundles_rebuilt_by_real_pcs_plan_to_zero_changes() {
    need_tools(&["pcs"]);
    rebuilt_plans_to_zero("gen-bundles.sh", "bundles-pcs.xml", "tests/fixtures/bundles-pcs.yaml");
}

#[test]
fn applied_to_an_empty_cib_the_file_writes_what_pcs_wrote() {
    let args = ["apply", "cluster.yaml", "--target", "file:cib.xml", "--auto-approve", "--allow-disable-stonith"];
    let yaml = format!("{}properties: {{ stonith-enabled: false }}\n", fixture_text("bundles-pcs.yaml"));
    let (dir, out) = in_scratch(&yaml, EMPTY_CIB, &args);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let ours = cibform::cib::Cib::parse("ours", &std::fs::read_to_string(dir.path().join("cib.xml")).unwrap()).unwrap();
    let pcs = cibform::cib::Cib::parse("pcs", &fixture_text("bundles-pcs.xml")).unwrap();
    let d: Vec<_> = cibform::plan::diff(pcs.configuration(), ours.configuration())
        .into_iter()
        .filter(|c| c.key.kind != "properties")
        .collect();
    assert!(d.is_empty(), "cibform and pcs wrote different clusters: {d:#?}");
    for id in ["httpd-bundle-port-map-8443", "httpd-bundle-storage-map", "db-bundle-storage-map", "httpd-port"] {
        assert!(ours.configuration().find_id(id).is_some(), "missing pcs id {id}");
    }
}

#[test]
fn a_changed_bundle_is_shown_line_by_line() {
    let yaml = fixture_text("bundles-pcs.yaml")
        .replace("replicas: 2\n", "replicas: 4\n")
        .replace("      - { port: 8443, internal-port: 443 }\n", "      - { port: 8443, internal-port: 8443 }\n")
        .replace("      - { range: 8000-8010 }\n", "")
        .replace("podman: {", "docker: {")
        .replace("params: { configfile: /etc/httpd/conf/httpd.conf }", "params: { configfile: /etc/httpd.conf }");
    let out = plan_scratch(&yaml, &fixture_text("bundles-pcs.xml"));
    assert_eq!(out.code, 2, "{}", out.snapshot());
    for line in [
        "~ bundle httpd-bundle",
        r#"~ docker.replicas: "2" → "4""#,
        r#"~ port-mapping 8443: "to 443" → "to 8443""#,
        r#"- port-mapping 8000-8010"#,
        "~ bundle db-bundle",
        r#"- podman.image: "localhost/db:latest""#,
        r#"+ docker.image: "localhost/db:latest""#,
        "~ primitive httpd",
        r#"~ params.configfile: "/etc/httpd/conf/httpd.conf" → "/etc/httpd.conf""#,
    ] {
        assert!(out.stdout.contains(line), "{line:?} is not in the plan:\n{}", out.stdout);
    }
}

#[test]
fn mapping_order_and_ids_mean_nothing() {
    let yaml = fixture_text("bundles-pcs.yaml").replace(
        "      - { port: 80, id: httpd-port }\n      - { port: 8443, internal-port: 443 }\n",
        "      - { port: 8443, internal-port: 443, id: other-id }\n      - { port: 80, internal-port: 80 }\n",
    );
    let out = plan_scratch(&yaml, &fixture_text("bundles-pcs.xml"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

#[test]
fn mistakes_in_bundles_are_located_errors() {
    let cases: &[(&str, &str, &str)] = &[
        ("  b: { resource: r }\n", "cibform::bundle::container", "has no container"),
        ("  b: { docker: { image: x }, podman: { image: y } }\n", "cibform::bundle::container", "two containers"),
        ("  b: { docker: { image: '' } }\n", "cibform::bundle::container", "empty image"),
        ("  b: { docker: { image: x, replicas: 0 } }\n", "cibform::bundle::container", "is 0"),
        ("  b: { docker: { image: x }, network: { ip-range-start: 10.0.0 } }\n", "cibform::bundle::network", "not an IP"),
        ("  b: { docker: { image: x }, network: { control-port: 70000 } }\n", "cibform::bundle::network", "not a port"),
        ("  b: { docker: { image: x }, network: { host-netmask: 200 } }\n", "cibform::bundle::network", "128"),
        ("  b: { docker: { image: x }, port-mapping: [{ id: p }] }\n", "cibform::bundle::port", "exactly one"),
        ("  b: { docker: { image: x }, port-mapping: [{ port: 80 }, { port: 80 }] }\n", "cibform::bundle::port", "mapped twice"),
        ("  b: { docker: { image: x }, port-mapping: [{ range: 90-80 }] }\n", "cibform::bundle::port", "not a port range"),
        ("  b: { docker: { image: x }, port-mapping: [{ range: 80-90, internal-port: 8 }] }\n", "cibform::bundle::port", "with a `range`"),
        ("  b: { docker: { image: x }, storage-mapping: [{ target-dir: /t }] }\n", "cibform::bundle::storage", "exactly one"),
        (
            "  b: { docker: { image: x }, storage-mapping: [{ source-dir: /a, target-dir: /t }, { source-dir: /b, target-dir: /t }] }\n",
            "cibform::bundle::storage",
            "mounted twice",
        ),
        ("  b: { docker: { image: x }, resource: rr }\n", "cibform::ref::unknown", "did you mean `r`?"),
        ("  b: { docker: { image: x }, resource: r }\n  c: { docker: { image: x }, resource: r }\n", "cibform::bundle::resource", "already in bundle `b`"),
        ("  b: { docker: { image: x }, resource: r }\nclones:\n  r-clone: r\n", "cibform::bundle::resource", "already in clone"),
        ("  r: { docker: { image: x } }\n", "cibform::id::duplicate", "rename one"),
        ("  b: { docker: { image: x, replica: 2 } }\n", "cibform::yaml::unknown_key", "replicas"),
    ];
    for (entry, code, text) in cases {
        let yaml = format!("cluster: c\nresources:\n  r: {{ agent: ocf:pacemaker:Dummy }}\nbundles:\n{entry}");
        assert_refused_with(&yaml, entry, code, text);
    }
}

#[test]
fn a_constraint_may_name_a_bundle() {
    let yaml = format!(
        "{}constraints:\n  - {{ location: httpd-bundle, node: node1, score: 100 }}\n  - {{ colocation: db-bundle, with: httpd-bundle }}\n",
        fixture_text("bundles-pcs.yaml")
    );
    let (_d, out) = in_scratch(&yaml, "", &["validate", "cluster.yaml"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
}
