//! `cibform export`: the seed cluster built with pcs and with crmsh exports to a file equivalent
//! to the reference example; the command line writes YAML to stdout or a file and notes to
//! stderr; objects the model cannot express go through `raw:` and still plan to zero changes.

mod common;

use common::*;

use cibform::backend::{Live, Target};
use cibform::cib::Cib;
use cibform::plan::view::views;

fn export_fixture(name: &str) -> (String, Vec<String>) {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let live = Live { name: name.into(), cib: Cib::parse(name, &text).unwrap(), corosync: None };
    let opts = cibform::export::Options { cluster: Some("clst-01".into()), ..Default::default() };
    cibform::ops::export_live(&live, &Target::File(path), &opts).unwrap()
}

/// The configuration a cluster file creates on an empty cluster.
fn created_views(yaml: &str) -> Vec<(cibform::plan::view::ObjKey, cibform::plan::view::View)> {
    let (src, raw) = cibform::config::parse("t.yaml", yaml.as_bytes()).unwrap();
    let (model, _) = cibform::validate::validate(&src, &raw).unwrap();
    let live = Live { name: "empty".into(), cib: Cib::parse("empty", EMPTY_CIB).unwrap(), corosync: None };
    let planned = cibform::ops::plan_live(
        &model,
        live,
        &Target::File("empty.xml".into()),
        &cibform::desired::builtin_default_ops(),
    )
    .unwrap();
    views(&planned.plan.new_config)
}

#[test]
fn pcs_seed_exports_to_the_reference_example() {
    let (yaml, notes) = export_fixture("seed-pcs.xml");
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(created_views(&yaml), created_views(&example_text()));
    insta::assert_snapshot!("seed_pcs_export", yaml);
}

#[test]
fn crmsh_seed_exports_to_the_reference_example() {
    let (yaml, notes) = export_fixture("seed-crmsh.xml");
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(created_views(&yaml), created_views(&example_text()));
}

#[test]
fn export_then_plan_on_the_command_line() {
    let (dir, cib) = scratch_with_cib(Some("seed-pcs.xml"));
    let yaml = dir.path().join("cluster.yaml");
    let out = cibform(&["export", &target(&cib), "--cluster", "clst-01", "-o", yaml.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("wrote"), "{}", out.stderr);
    let plan = cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.snapshot());
    // Without a name the CIB does not record, the file says so on stderr and still plans clean.
    let out = cibform(&["export", &target(&cib)]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stdout.starts_with("# Written by `cibform export`"));
    assert!(out.stderr.contains("no `cluster-name`"), "{}", out.stderr);
}

#[test]
fn a_bad_cib_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("cib.xml");
    std::fs::write(&bad, "<cib><configuration><nodes/></configuration></cib>").unwrap();
    let out = cibform(&["export", &target(&bad)]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("no `<crm_config>`"), "{}", out.stderr);
}

const RICH_CIB: &str = r##"<cib validate-with="pacemaker-3.9" epoch="3" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="o-1" name="cluster-name" value="lab"/>
        <nvpair id="o-2" name="stonith-enabled" value="true"/>
      </cluster_property_set>
      <cluster_property_set id="night" score="10">
        <rule id="night-rule" boolean-op="and">
          <date_expression id="night-expr" operation="date_spec"><date_spec id="night-spec" hours="0-6"/></date_expression>
        </rule>
        <nvpair id="night-1" name="batch-limit" value="50"/>
      </cluster_property_set>
    </crm_config>
    <nodes>
      <node id="1" uname="n1"><instance_attributes id="n1-ia"><nvpair id="n1-s" name="standby" value="on"/></instance_attributes></node>
      <node id="2" uname="n2"/>
    </nodes>
    <resources>
      <primitive id="fence" class="stonith" type="fence_dummy"/>
      <primitive id="web" class="ocf" provider="heartbeat" type="apache">
        <instance_attributes id="web-a"><nvpair id="web-a-1" name="configfile" value="/etc/a.conf"/></instance_attributes>
        <instance_attributes id="web-b" score="5">
          <rule id="web-b-r"><expression id="web-b-e" attribute="#uname" operation="eq" value="n2"/></rule>
          <nvpair id="web-b-1" name="configfile" value="/etc/b.conf"/>
        </instance_attributes>
      </primitive>
      <clone id="db-clone">
        <meta_attributes id="db-clone-meta"><nvpair id="db-p" name="promotable" value="true"/></meta_attributes>
        <primitive id="db" class="ocf" provider="pacemaker" type="Stateful">
          <meta_attributes id="db-meta"><nvpair id="db-t" name="target-role" value="Stopped"/></meta_attributes>
          <operations>
            <op id="db-m1" name="monitor" interval="10s" timeout="20s" role="Promoted"/>
            <op id="db-m2" name="monitor" interval="11s" timeout="20s" role="Unpromoted"/>
          </operations>
        </primitive>
      </clone>
    </resources>
    <constraints>
      <rsc_location id="prefer-n1" rsc="web" node="n1" score="100"/>
      <rsc_order id="order-db-clone-web-mandatory" first="db-clone" first-action="promote" then="web"/>
      <rsc_colocation id="web-with-db" score="INFINITY">
        <resource_set id="s1" role="Promoted"><resource_ref id="db-clone"/></resource_set>
        <resource_set id="s2"><resource_ref id="web"/></resource_set>
      </rsc_colocation>
      <rsc_ticket id="web-ticket" rsc="web" ticket="T1" loss-policy="stop"/>
    </constraints>
    <fencing-topology>
      <fencing-level id="fl-1" target="n1" index="1" devices="fence"/>
    </fencing-topology>
    <acls><!-- a comment keeps the section raw --><acl_role id="viewer"><acl_permission id="viewer-read" kind="read" xpath="/cib"/></acl_role></acls>
  </configuration>
  <status/>
</cib>
"##;

#[test]
fn what_the_model_cannot_express_goes_through_raw_and_still_plans_clean() {
    let dir = tempfile::tempdir().unwrap();
    let cib = dir.path().join("cib.xml");
    std::fs::write(&cib, RICH_CIB).unwrap();
    let out = cibform(&["export", &target(&cib)]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stderr.contains("`<acls>` written as raw XML"), "{}", out.stderr);
    // A ticket constraint, a primitive with a set that has a rule and a score, and a property
    // set with a rule have their native forms.
    assert!(out.stdout.contains("params_sets:"), "{}", out.stdout);
    assert!(!out.stderr.contains("web-ticket"), "{}", out.stderr);
    assert!(out.stdout.contains("ticket: T1"), "{}", out.stdout);
    // So has a property set with a rule and a score.
    assert!(!out.stderr.contains("\"night\""), "{}", out.stderr);
    assert!(out.stdout.contains("property_sets:"), "{}", out.stdout);
    insta::assert_snapshot!("rich_export", out.stdout);
    let yaml = dir.path().join("cluster.yaml");
    std::fs::write(&yaml, &out.stdout).unwrap();
    let plan = cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.snapshot());
    // Raw objects are owned: dropping one from the file plans its removal.
    let dropped = drop_raw_item(&out.stdout, "acls");
    std::fs::write(&yaml, dropped).unwrap();
    let plan = cibform(&["plan", yaml.to_str().unwrap(), &target(&cib), "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}", plan.snapshot());
    assert!(plan.stdout.contains("- ACLs"), "{}", plan.stdout);
    assert!(plan.stdout.contains("1 to destroy"), "{}", plan.stdout);
}

/// The exported text without the `raw:` item whose element is `<name ...>`.
fn drop_raw_item(yaml: &str, name: &str) -> String {
    let (head, raw) = yaml.split_once("\nraw:\n").expect("a raw section");
    let items: Vec<&str> = raw.split("  - ").filter(|i| !i.is_empty()).collect();
    let kept: Vec<&str> = items.into_iter().filter(|i| !i.contains(&format!("<{name}"))).collect();
    if kept.is_empty() {
        return format!("{head}\n");
    }
    format!("{head}\nraw:\n  - {}", kept.join("  - "))
}

#[test]
fn raw_objects_are_applied() {
    apply_rich_export();
}

#[test]
#[ignore = "needs pacemaker tools: crm_verify"]
fn pacemaker_accepts_the_applied_raw_objects() {
    need_tools(&["crm_verify"]);
    let (_d, empty) = apply_rich_export();
    let v = std::process::Command::new("crm_verify").arg("-V").arg("-x").arg(&empty).output().unwrap();
    let err = String::from_utf8_lossy(&v.stderr);
    assert!(!err.contains("schema validation"), "{err}");
}

/// Export the rich CIB and apply the result to an empty CIB; returns that CIB (`cib.xml`).
fn apply_rich_export() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let rich = dir.path().join("rich.xml");
    std::fs::write(&rich, RICH_CIB).unwrap();
    let out = cibform(&["export", &target(&rich)]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let yaml = dir.path().join("cluster.yaml");
    std::fs::write(&yaml, &out.stdout).unwrap();
    let (scratch, empty) = scratch_with_cib(None);
    let apply = cibform(&["apply", yaml.to_str().unwrap(), &target(&empty), "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}", apply.snapshot());
    assert!(apply.stderr.contains("Verified"), "{}", apply.stderr);
    let written = std::fs::read_to_string(&empty).unwrap();
    for id in ["web-ticket", "fl-1", "night-rule", "web-b", "viewer-read"] {
        assert!(written.contains(id), "{id} missing from\n{written}");
    }
    (scratch, empty)
}

#[test]
fn an_object_forced_through_raw_keeps_its_members_and_constraints_working() {
    let path = fixture("seed-pcs.xml");
    let text = std::fs::read_to_string(&path).unwrap();
    let live = Live { name: "seed".into(), cib: Cib::parse("seed", &text).unwrap(), corosync: None };
    let mut opts = cibform::export::Options::default();
    opts.force_raw.insert("resource:rg-01".into(), "forced by the test".into());
    let (yaml, notes) = cibform::ops::export_live(&live, &Target::File(path), &opts).unwrap();
    assert_eq!(
        notes,
        [
            "the CIB records no `cluster-name`; wrote `cluster: cluster` (pass --cluster NAME to choose)",
            "`<group id=\"rg-01\">` written as raw XML: forced by the test"
        ]
    );
    assert!(yaml.contains("  - location: rg-01"), "{yaml}");
    assert!(!yaml.contains("rs-vip-33:"), "{yaml}");
}

/// Export a CIB with a corosync.conf: the exported file, its notes, and the plan of the exported
/// file against the same CIB and corosync.conf.
fn export_with_conf(conf: &str) -> (String, Vec<String>, cibform::plan::Plan) {
    let path = fixture("seed-pcs.xml");
    let text = std::fs::read_to_string(&path).unwrap();
    let corosync = Some(cibform::backend::ConfText { name: "corosync.conf".into(), text: conf.into() });
    let live = Live { name: "seed".into(), cib: Cib::parse("seed", &text).unwrap(), corosync };
    let (yaml, notes) = cibform::ops::export_live(&live, &Target::File(path.clone()), &Default::default()).unwrap();
    let (src, raw) = cibform::config::parse("exported.yaml", yaml.as_bytes()).unwrap();
    let (model, _) = cibform::validate::validate(&src, &raw).unwrap_or_else(|d| panic!("{d:#?}\n{yaml}"));
    let planned =
        cibform::ops::plan_live(&model, live, &Target::File(path), &cibform::desired::builtin_default_ops()).unwrap();
    (yaml, notes, planned.plan)
}

/// Issue 11: export dropped a quorum device without a word (the file then planned nothing for it).
#[test]
fn export_keeps_the_quorum_device_link_options_and_totem_settings() {
    let conf = std::fs::read_to_string(fixture("corosync/knet-two-node.conf"))
        .unwrap()
        .replace("    two_node: 1\n", "    device {\n        model: net\n        votes: 1\n        net {\n            algorithm: lms\n            host: qnetd.example.com\n        }\n    }\n")
        .replace("    crypto_hash: sha256\n", "    crypto_hash: sha256\n    token: 5000\n    interface {\n        linknumber: 1\n        knet_link_priority: 3\n        knet_transport: sctp\n    }\n");
    let (yaml, notes, plan) = export_with_conf(&conf);
    assert!(yaml.contains("device: { model: net, host: qnetd.example.com, algorithm: lms }"), "{yaml}");
    assert!(yaml.contains("totem: { crypto_cipher: aes256, crypto_hash: sha256, token: 5000 }"), "{yaml}");
    assert!(yaml.contains("links: [{}, { knet_link_priority: 3, knet_transport: sctp }]"), "{yaml}");
    assert!(yaml.contains("  logging:\n    logfile: /var/log/cluster/corosync.log\n    timestamp: true\n"), "{yaml}");
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(plan.corosync.changes, Vec::new(), "{yaml}");
    assert_eq!(plan.corosync.diff, "");
}

#[test]
fn a_corosync_setting_the_file_cannot_express_is_named_not_dropped() {
    let conf = std::fs::read_to_string(fixture("corosync/knet-two-node.conf"))
        .unwrap()
        .replace("    two_node: 1\n", "    device {\n        model: disk\n    }\n")
        .replace("    timestamp: on\n", "    timestamp: hires\n");
    let (yaml, notes, plan) = export_with_conf(&conf);
    assert!(!yaml.contains("device"), "{yaml}");
    assert!(notes.iter().any(|n| n.contains("quorum device") && n.contains("NOT in the exported file")), "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("`logging.timestamp: hires`")), "{notes:?}");
    // Not declared, so not managed: the device stays as it is.
    assert_eq!(plan.corosync.changes, Vec::new());
}

/// Quorum device heuristics are exported (numbers as numbers, `mode: on` as a word, not a
/// boolean) and the exported file plans nothing; heuristics the file cannot hold are named and
/// left out (then not managed), never half-exported.
#[test]
fn export_keeps_quorum_device_heuristics_or_names_them() {
    let device = |heuristics: &str| {
        std::fs::read_to_string(fixture("corosync/knet-two-node.conf")).unwrap().replace(
            "    two_node: 1\n",
            &format!("    device {{\n        model: net\n        votes: 1\n        net {{\n            algorithm: ffsplit\n            host: qnetd\n        }}\n        heuristics {{\n{heuristics}        }}\n    }}\n"),
        )
    };
    let conf = device("            mode: on\n            interval: 30000\n            exec_ping: /usr/bin/ping -q -c 1 192.168.33.1\n");
    let (yaml, notes, plan) = export_with_conf(&conf);
    let exported = "heuristics: { exec_ping: /usr/bin/ping -q -c 1 192.168.33.1, interval: 30000, mode: \"on\" }";
    assert!(yaml.contains(exported), "{yaml}");
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(plan.corosync.changes, Vec::new(), "{yaml}");
    let (yaml, notes, plan) = export_with_conf(&device("            mode: maybe\n            exec_x.y: /bin/true\n"));
    assert!(!yaml.contains("heuristics") && yaml.contains("host: qnetd"), "{yaml}");
    assert!(notes.iter().any(|n| n.contains("heuristics") && n.contains("NOT in the exported file")), "{notes:?}");
    assert_eq!(plan.corosync.changes, Vec::new());
}
