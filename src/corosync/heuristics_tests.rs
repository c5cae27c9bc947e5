//! Quorum device heuristics (`quorum.device.heuristics`) read from, compared with and written
//! to corosync.conf, against a file laid out as pcs writes it, with comments. Tests only.

use super::tests::changed;
use super::{compare, parse, reconcile, to_text, Disruption, Facts};
use crate::model::Cluster;

const FIXTURE: &str = include_str!("../../tests/fixtures/corosync/qdevice-heuristics.conf");

fn model(device: &str) -> Cluster {
    let yaml = format!("cluster: clst-01\nnodes:\n  t3021cent: {{ id: 1, addrs: [192.168.33.21, 192.168.22.21] }}\n  t3022cent: {{ id: 2, addrs: [192.168.33.22, 192.168.22.22] }}\nquorum:\n  device: {device}\n");
    let (src, raw) = crate::config::parse("t.yaml", yaml.as_bytes()).unwrap();
    crate::validate::validate(&src, &raw).unwrap().0
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

const SAME: &str = "{ model: net, host: qnetd, algorithm: ffsplit, heuristics: { exec_ping: /usr/bin/ping -q -c 1 192.168.33.1, interval: 30000, mode: sync } }";

#[test]
fn a_file_with_heuristics_and_comments_round_trips_and_is_read() {
    let conf = parse("c", FIXTURE).unwrap();
    assert_eq!(to_text(&conf), FIXTURE);
    let d = Facts::from_conf(&conf).device.unwrap();
    let want = pairs(&[("exec_ping", "/usr/bin/ping -q -c 1 192.168.33.1"), ("interval", "30000"), ("mode", "sync")]);
    assert_eq!(d.heuristics, Some(want));
    let qdevice = include_str!("../../tests/fixtures/corosync/qdevice.conf");
    assert_eq!(Facts::from_conf(&parse("c", qdevice).unwrap()).device.unwrap().heuristics, None);
}

#[test]
fn the_same_heuristics_in_another_order_are_no_change() {
    let r = reconcile(&parse("c", FIXTURE).unwrap(), &model(SAME));
    assert_eq!((r.changes, r.text.as_str()), (Vec::new(), FIXTURE));
}

#[test]
fn undeclared_heuristics_are_left_alone() {
    let r = reconcile(&parse("c", FIXTURE).unwrap(), &model("{ model: net, host: qnetd }"));
    assert_eq!((r.changes, r.text.as_str()), (Vec::new(), FIXTURE));
}

/// As `pcs quorum device update heuristics mode=on exec_ping= exec_gw=...`: keys set in place,
/// a key the file drops goes, comments stay; one online change with pcs's update procedure.
#[test]
fn changed_heuristics_are_edited_in_place_keeping_comments() {
    let m = model(
        "{ model: net, host: qnetd, heuristics: { mode: on, exec_gw: /bin/true, interval: 30000, timeout: 3000 } }",
    );
    let r = reconcile(&parse("c", FIXTURE).unwrap(), &m);
    assert_eq!(
        changed(FIXTURE, &r.text),
        (
            vec![
                "            mode: sync".to_string(),
                "            exec_ping: /usr/bin/ping -q -c 1 192.168.33.1".into()
            ],
            vec![
                "            mode: on".to_string(),
                "            exec_gw: /bin/true".into(),
                "            timeout: 3000".into()
            ]
        )
    );
    assert!(r.text.contains("        # set by `pcs quorum device add") && r.text.contains("# the gateway answers"));
    assert_eq!(r.changes.len(), 1, "{:?}", r.changes);
    let c = &r.changes[0];
    assert_eq!((c.key.as_str(), c.disruption), ("quorum.device", Disruption::Online));
    assert!(c.procedure.starts_with("`pcs quorum device update` (algorithm, heuristics"), "{}", c.procedure);
    assert!(c
        .after
        .as_deref()
        .unwrap()
        .ends_with("heuristics mode on, exec_gw /bin/true, interval 30000, timeout 3000"));
    assert_eq!(compare(&m, &Facts::from_conf(&parse("c", &r.text).unwrap())), Vec::new(), "converged");
}

/// `heuristics: none`, as `pcs quorum device heuristics remove`: the section goes with the
/// comments inside it (one above it belongs to the device and stays), nothing else changes.
#[test]
fn heuristics_none_removes_the_section_only() {
    let m = model("{ model: net, host: qnetd, heuristics: none }");
    let r = reconcile(&parse("c", FIXTURE).unwrap(), &m);
    let (gone, new) = changed(FIXTURE, &r.text);
    assert!(new.is_empty(), "{new:?}");
    assert_eq!(gone.len(), 6, "{gone:?}");
    assert_eq!((gone[0].as_str(), gone[5].as_str()), ("        heuristics {", "        }"));
    assert!(r.changes[0].after.as_deref().unwrap().ends_with("no heuristics"), "{:?}", r.changes);
    assert!(r.text.contains("algorithm: ffsplit") && r.text.contains("votes: 1"));
    assert_eq!(compare(&m, &Facts::from_conf(&parse("c", &r.text).unwrap())), Vec::new());
    let without = r.text;
    let r = reconcile(&parse("c", &without).unwrap(), &m);
    assert_eq!((r.changes, r.text), (Vec::new(), without), "none and no section are the same");
}

/// Heuristics added to a device whose algorithm the file does not declare: the algorithm in
/// force and its `votes` stay (an `lms` device must not get `votes` or `ffsplit`).
#[test]
fn heuristics_added_leave_an_undeclared_algorithm_and_its_votes() {
    let none = reconcile(&parse("c", FIXTURE).unwrap(), &model("{ model: net, host: qnetd, heuristics: none }")).text;
    let lms = none
        .replace("            algorithm: ffsplit\n", "            algorithm: lms\n")
        .replace("        votes: 1\n", "");
    assert!(lms.contains("algorithm: lms") && !lms.contains("votes"));
    let m = model("{ model: net, host: qnetd, heuristics: { mode: sync, exec_ping: /bin/true } }");
    let r = reconcile(&parse("c", &lms).unwrap(), &m);
    let (gone, new) = changed(&lms, &r.text);
    assert!(gone.is_empty(), "{gone:?}");
    assert_eq!(
        new,
        ["        heuristics {", "            mode: sync", "            exec_ping: /bin/true", "        }"]
            .map(String::from)
    );
}

/// A device added with heuristics, in pcs's layout (`device { model; votes; net {..};
/// heuristics {..} }`), `two_node` gone.
#[test]
fn a_device_is_added_with_its_heuristics() {
    let conf = include_str!("../../tests/fixtures/corosync/knet-two-node.conf");
    let m = model("{ model: net, host: qnetd, algorithm: ffsplit, heuristics: { mode: sync, exec_ping: /bin/true } }");
    let r = reconcile(&parse("c", conf).unwrap(), &m);
    assert!(
        r.text.contains("    device {\n        model: net\n        votes: 1\n        net {\n            host: qnetd\n            algorithm: ffsplit\n        }\n        heuristics {\n            mode: sync\n            exec_ping: /bin/true\n        }\n    }\n"),
        "{}",
        r.text
    );
    assert!(!r.text.contains("two_node"));
    assert_eq!(compare(&m, &Facts::from_conf(&parse("c", &r.text).unwrap())), Vec::new());
}
