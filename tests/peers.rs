//! The peers' examples: real configurations nobody here wrote (ha_cluster's README and tests,
//! Clusters from Scratch, pcs's and crmsh's test cases), built with pcs or crmsh themselves by
//! `tests/fixtures/peers/gen.sh` (NAME.xml), and written by hand as an admin would from the same
//! source (NAME.yaml). Each hand-written file must plan to zero changes against its CIB, and so
//! must what `export` writes for that CIB. `tests/fixtures/peers/README.md` records the table
//! (objects, how many export writes natively, the native forms still pending); a test keeps it
//! current.

mod common;

use std::path::Path;

use cibform::cib::xml::Element;
use cibform::vocab::PACEMAKER_OWNED;
use common::{cibform, fixture, need_tools, Out};

/// Every example, in the README's order, with its source.
const EXAMPLES: &[(&str, &str)] = &[
    ("hac-properties", "ha_cluster README: Configuring cluster properties"),
    ("hac-sbd", "ha_cluster README: Configuring cluster to use SBD"),
    ("hac-resources", "ha_cluster README: Creating a cluster with fencing and several resources"),
    ("hac-defaults", "ha_cluster README: Configuring resource and resource operation defaults"),
    ("hac-stonith-levels", "ha_cluster README: Configuring stonith levels"),
    ("hac-constraints", "ha_cluster README: Creating a cluster with resource constraints"),
    ("hac-node-attributes", "ha_cluster README: Configuring node attributes"),
    ("hac-acls", "ha_cluster README: Configuring ACLs"),
    ("hac-utilization", "ha_cluster README: Configuring utilization"),
    ("hac-alerts", "ha_cluster README: Configuring Alerts"),
    ("hac-test-stonith-levels", "ha_cluster tests/tests_cib_stonith_levels.yml"),
    ("hac-test-rsc-op-defaults", "ha_cluster tests/tests_cib_rsc_op_defaults.yml"),
    ("cfs-active-passive", "Clusters from Scratch 2.1: Apache, DRBD, fencing chapters"),
    ("cfs-active-active", "Clusters from Scratch 2.1: Convert Storage to Active/Active"),
    ("pcs-cib-all", "pcs pcs_test/resources: resource-, constraint-, node-commands"),
    ("pcs-alerts", "pcs pcs_test/resources/commands-alert"),
    ("crmsh-confbasic", "crmsh test/testcases/confbasic"),
    ("crmsh-acl", "crmsh test/testcases/acl"),
];

const TABLE_START: &str = "<!-- table: written by tests/peers.rs -->\n";
const TABLE_END: &str = "<!-- end of table -->\n";

fn peer(file: &str) -> String {
    format!("tests/fixtures/peers/{file}")
}

fn plan(yaml: &str, xml: &str) -> Out {
    cibform(&["plan", yaml, &format!("--target=file:{xml}"), "--no-preview", "--detailed-exitcode"])
}

/// `cibform export` of the example's CIB, written into `dir`; the exported text.
fn export(name: &str, dir: &Path) -> Result<String, String> {
    let out_file = dir.join(format!("{name}.yaml"));
    let xml = common::root().join(peer(&format!("{name}.xml")));
    let out = cibform(&["export", &format!("--target=file:{}", xml.display()), "-o", out_file.to_str().unwrap()]);
    if out.code != 0 {
        return Err(out.snapshot());
    }
    Ok(std::fs::read_to_string(out_file).unwrap())
}

#[test]
fn every_example_is_listed() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixture("peers"))
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter_map(|f| f.strip_suffix(".xml").map(str::to_string))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = EXAMPLES.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "tests/fixtures/peers/*.xml and EXAMPLES differ");
    for (name, _) in EXAMPLES {
        assert!(fixture(&format!("peers/{name}.yaml")).is_file(), "{name}.yaml is missing");
    }
}

/// The point of the whole table: what an admin writes from the source plans no change against
/// the cluster the source's own tool built.
#[test]
fn every_hand_written_example_plans_to_zero_changes() {
    let failures: Vec<String> = EXAMPLES
        .iter()
        .filter_map(|(name, _)| {
            let out = plan(&peer(&format!("{name}.yaml")), &peer(&format!("{name}.xml")));
            (out.code != 0).then(|| format!("== {name}\n{}", out.snapshot()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_example_exports_to_a_file_that_plans_to_zero_changes() {
    let dir = tempfile::tempdir().unwrap();
    let failures: Vec<String> = EXAMPLES
        .iter()
        .filter_map(|(name, _)| {
            let exported = match export(name, dir.path()) {
                Ok(_) => dir.path().join(format!("{name}.yaml")),
                Err(e) => return Some(format!("== {name}: export failed\n{e}")),
            };
            let out = plan(exported.to_str().unwrap(), &peer(&format!("{name}.xml")));
            (out.code != 0).then(|| format!("== {name}\n{}", out.snapshot()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The README's table is the one these fixtures give today.
#[test]
fn the_readme_table_is_current() {
    let dir = tempfile::tempdir().unwrap();
    let table = table(dir.path());
    let readme = std::fs::read_to_string(fixture("peers/README.md")).unwrap();
    let recorded = readme
        .split_once(TABLE_START)
        .and_then(|(_, rest)| rest.split_once(TABLE_END))
        .map(|(t, _)| t)
        .expect("README.md has the table markers");
    assert_eq!(recorded, table, "tests/fixtures/peers/README.md's table is stale; the current one:\n{table}");
}

/// The committed CIBs are still what today's pcs and crmsh build from gen.sh.
#[test]
#[ignore = "needs pacemaker tools: pcs, crm, cibadmin, crm_diff"]
fn examples_rebuilt_by_real_tools_are_current() {
    need_tools(&["pcs", "crm", "cibadmin", "crm_diff"]);
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("bash").arg(fixture("peers/gen.sh")).arg(dir.path()).status().unwrap();
    assert!(status.success());
    for (name, _) in EXAMPLES {
        let diff = std::process::Command::new("crm_diff")
            .arg("--original")
            .arg(fixture(&format!("peers/{name}.xml")))
            .arg("--new")
            .arg(dir.path().join(format!("{name}.xml")))
            .arg("--no-version")
            .output()
            .unwrap();
        let stale = String::from_utf8_lossy(&diff.stdout);
        assert_eq!(
            diff.status.code(),
            Some(0),
            "{name}.xml is stale; run tests/fixtures/peers/gen.sh tests/fixtures/peers\n{stale}"
        );
    }
}

fn table(dir: &Path) -> String {
    let mut t = String::from(
        "| example | source | objects | native | `raw:` | plan empty | export plans to zero | native form pending |\n\
         |---|---|---:|---:|---:|---|---|---|\n",
    );
    let (mut all, mut native_all) = (0, 0);
    for (name, source) in EXAMPLES {
        let cib = std::fs::read_to_string(fixture(&format!("peers/{name}.xml"))).unwrap();
        let config = Element::parse(&cib).unwrap();
        let total = objects(config.child("configuration").unwrap());
        let hand = plan(&peer(&format!("{name}.yaml")), &peer(&format!("{name}.xml")));
        let (raw, exported) = match export(name, dir) {
            Ok(text) => {
                let file = dir.join(format!("{name}.yaml"));
                (raw_objects(&text), plan(file.to_str().unwrap(), &peer(&format!("{name}.xml"))).code == 0)
            }
            Err(_) => (total, false),
        };
        let yaml = std::fs::read_to_string(fixture(&format!("peers/{name}.yaml"))).unwrap();
        all += total;
        native_all += total - raw;
        t.push_str(&format!(
            "| {name} | {source} | {total} | {} | {raw} | {} | {} | {} |\n",
            total - raw,
            yes_no(hand.code == 0),
            yes_no(exported),
            pending(&yaml),
        ));
    }
    t.push_str(&format!("| **all** | | **{all}** | **{native_all}** | **{}** | | | |\n", all - native_all));
    t
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "**no**"
    }
}

/// What the hand-written file's `# native form pending: ...` comment says (its continuation
/// lines included), or `—`.
fn pending(yaml: &str) -> String {
    let mut lines = yaml.lines().skip_while(|l| !l.starts_with("# native form pending:"));
    let Some(first) = lines.next() else { return "—".into() };
    let mut text = first.trim_start_matches("# native form pending:").trim().to_string();
    for l in lines.take_while(|l| l.starts_with("# ")) {
        text.push(' ');
        text.push_str(l.trim_start_matches("# ").trim());
    }
    text
}

/// The configuration objects under `el`: each resource (a group's or clone's or bundle's members
/// too), constraint, node, cluster property set with something of the admin's in it, defaults
/// set, fencing level, ACL role/target/group, alert and tag.
fn objects(el: &Element) -> usize {
    match el.name.as_str() {
        "configuration" | "resources" | "constraints" | "nodes" | "crm_config" => el.elements().map(objects).sum(),
        "primitive" | "template" | "node" => 1,
        "group" | "clone" | "master" | "bundle" => 1 + el.elements().map(objects).sum::<usize>(),
        "rsc_location" | "rsc_colocation" | "rsc_order" | "rsc_ticket" => 1,
        "cluster_property_set" => {
            usize::from(el.elements().any(|nv| !nv.attr("name").is_some_and(|n| PACEMAKER_OWNED.contains(&n))))
        }
        "rsc_defaults" | "op_defaults" | "fencing-topology" | "acls" | "alerts" | "tags" => el.elements().count(),
        _ => 0,
    }
}

/// The objects inside the `raw:` items of an exported file.
fn raw_objects(yaml: &str) -> usize {
    let (_, cluster) = cibform::config::parse("export.yaml", yaml.as_bytes()).unwrap();
    cluster.raw.iter().map(|item| objects(&Element::parse_object(&item.value).unwrap())).sum()
}
