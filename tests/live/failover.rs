//! The reference two-node cluster: standby and a cut NIC fail over as the file's scenarios
//! predict.

use std::process::Command;

use crate::common::*;
use crate::harness::*;

/// The reference case for real: two nodes, the reference names and addresses, the example as
/// written (systemd agents swapped for runnable ones), standby and NIC failover.
#[test]
#[ignore = "needs root for a live cluster: network namespaces"]
fn reference_cluster_fails_over_on_standby_and_on_a_cut_nic() {
    need_live();
    let c = Cluster::two();
    let base = runtime_example(false);
    let yaml = c.write("cluster.yaml", &base);
    let y = yaml.to_str().unwrap();
    let out = c.cibform("t3021cent", &["apply", y, "--auto-approve", "--wait", "90"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    // Adopting the running cluster: export (CIB + the node's corosync.conf) gives back the file.
    let exported = c.cibform("t3021cent", &["export"]);
    assert_eq!(exported.code, 0, "{}", exported.snapshot());
    let load = |text: &str| {
        let (src, raw) = cibform::config::parse("x", text.as_bytes()).unwrap();
        cibform::validate::validate(&src, &raw).unwrap().0
    };
    let (ours, theirs) = (load(&exported.stdout), load(&base));
    assert_eq!(
        (&ours.name, &ours.nodes, &ours.quorum),
        (&theirs.name, &theirs.nodes, &theirs.quorum),
        "{}",
        exported.stdout
    );
    let back = c.write("exported.yaml", &exported.stdout);
    let replan = c.cibform("t3021cent", &["plan", back.to_str().unwrap(), "--detailed-exitcode"]);
    assert_eq!(replan.code, 0, "{}", replan.snapshot());
    // pingd needs a monitor round plus dampen before rg-01 may start anywhere.
    c.wait_started(&["rs-systemd-squid"]);
    let active = c.running("t3021cent")["rs-vip-33"][0].clone();
    let other = if active == "t3021cent" { "t3022cent" } else { "t3021cent" };
    let addr = c.on(&active, &["ip", "-br", "addr", "show", "ens192"]);
    assert!(addr.stdout.contains("192.168.33.23/24"), "VIP not on ens192 of {active}: {}", addr.stdout);
    assert_eq!(c.running("t3021cent")["rs-systemd-squid"], std::slice::from_ref(&active), "squid runs with its VIP");

    // The file's failover scenarios, played by `cibform test` on the live cluster (touching
    // nothing), must hold before they are compared with what really happens below; they name
    // t3021cent as the node that fails, so they are turned around when rg-01 runs on t3022cent.
    let predicted = c.write("scenarios.yaml", &scenarios_for(&base, &active));
    let test = c.cibform("t3021cent", &["test", predicted.to_str().unwrap(), "--junit", "failover.xml"]);
    assert_eq!(test.code, 0, "{}", test.snapshot());
    assert!(test.stdout.contains("failover tests: 5/5 hold"), "{}", test.stdout);

    // (1) standby: true on the active node moves rg-01 away (the declarative `pcs node standby`);
    // for real, as the scenario predicted: everything runs on the other node.
    let standby = c.write(
        "standby.yaml",
        &base.replace(&format!("{active}: {{ id: "), &format!("{active}: {{ standby: true, id: ")),
    );
    let out = c.cibform("t3021cent", &["apply", standby.to_str().unwrap(), "--auto-approve", "--wait", "90"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    c.until("everything on the other node, as the standby scenario predicted", 60, || {
        let running = c.running("t3021cent");
        running.len() == 4 && running.values().all(|n| n == &[other.to_string()])
    });
    // Removing it lets rg-01 come back when asked: unstandby, then standby the other node.
    assert_eq!(c.cibform("t3021cent", &["apply", y, "--auto-approve", "--wait", "90"]).code, 0);
    let back =
        c.write("back.yaml", &base.replace(&format!("{other}: {{ id: "), &format!("{other}: {{ standby: true, id: ")));
    assert_eq!(c.cibform("t3021cent", &["apply", back.to_str().unwrap(), "--auto-approve", "--wait", "90"]).code, 0);
    c.until("rg-01 back on the first node", 60, || {
        c.running("t3021cent").get("rs-vip-33").is_some_and(|n| n == std::slice::from_ref(&active))
    });
    assert_eq!(c.cibform("t3021cent", &["apply", y, "--auto-approve", "--wait", "90"]).code, 0);
    c.until("pingd on both nodes", 60, || {
        c.on("t3021cent", &["crm_mon", "-1", "-A"]).stdout.matches("pingd").count() >= 2
    });

    // (2) Cutting the active node's ens192 drops pingd there and rg-01 fails over — first as
    // Pacemaker's scheduler predicts it from the live status (what-if), then for real.
    let now = c.running("t3021cent")["rs-vip-33"][0].clone();
    let survivor = if now == "t3021cent" { "t3022cent" } else { "t3021cent" };
    let scenarios = c.write("scenarios-now.yaml", &scenarios_for(&base, &now));
    let test = c.cibform("t3021cent", &["test", scenarios.to_str().unwrap()]);
    assert!(
        test.code == 0 && test.stdout.contains("  ok     rg-01 leaves a node that cannot reach the gateway"),
        "the scenario predicts the failover:\n{}",
        test.snapshot()
    );
    let predicted = c.cibform("t3021cent", &["plan", y, &format!("--what-if=attr={now}:pingd=0")]);
    assert!(predicted.stdout.contains(&format!("* move rs-vip-33 from {now} to {survivor}")), "{}", predicted.stdout);
    let cut = Command::new("bash")
        .arg(root().join("tests/cluster/link.sh"))
        .arg(&c.dir)
        .args([now.as_str(), "ens192", "down"])
        .output()
        .unwrap();
    assert!(cut.status.success(), "{}", String::from_utf8_lossy(&cut.stderr));
    c.until("rg-01 failed over after the NIC cut", 90, || {
        c.running(survivor).get("rs-vip-33").is_some_and(|n| n == &[survivor.to_string()])
            && c.running(survivor).get("rs-systemd-squid").is_some_and(|n| n == &[survivor.to_string()])
    });
    let addr = c.on(survivor, &["ip", "-br", "addr", "show", "ens192"]);
    assert!(addr.stdout.contains("192.168.33.23/24"), "{}", addr.stdout);
    // Runtime state is not configuration drift.
    let plan = c.cibform(survivor, &["plan", y, "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "plan after failover must be empty:\n{}", plan.snapshot());
}

/// The cluster file with its failover scenarios about `node` failing: as written for t3021cent,
/// with the two nodes' names swapped in the scenarios for t3022cent.
fn scenarios_for(base: &str, node: &str) -> String {
    let (head, scenarios) = base.split_once("\n# Failover tests").expect("the example has scenarios");
    let scenarios = match node {
        "t3021cent" => scenarios.to_string(),
        _ => scenarios.replace("t3021cent", "\0").replace("t3022cent", "t3021cent").replace('\0', "t3022cent"),
    };
    format!("{head}\n# Failover tests{scenarios}")
}
