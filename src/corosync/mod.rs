//! corosync.conf: a lossless parser (`parse`: comments, blank lines and unknown keys kept), the
//! writer that gives a parsed file back unchanged (`write`), the facts cibform compares with the
//! cluster file and the comparison classed by disruption (`facts`), and the cluster file applied
//! to a file with only the needed edits (`edit`).
//!
//! Pure: text and trees in, text and trees out. Reading and writing the nodes' files, reloading
//! corosync and the order of the steps belong to the backend and `ops`.

pub mod edit;
pub mod facts;
pub mod parse;
pub mod write;

pub use edit::{link_steps, only_nodes, reconcile, without_link, LinkSteps, Reconciled};
pub use facts::{compare, ConfChange, ConfNode, Disruption, Facts};
pub use parse::{parse, Item, Section};
pub use write::to_text;

/// The edits from one corosync.conf text to another as a unified diff (one line of context),
/// empty when they are the same. Every line starts with the diff's own marker: the name (a path,
/// which may hold anything) is written on one line.
pub fn unified_diff(name: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    let name = crate::diag::printable(name, &[], 4096);
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(1)
        .header(&name, &format!("{name} (as the file wants it)"))
        .to_string()
}

#[cfg(test)]
mod heuristics_tests;
#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Cluster;

    const CONF: &str = "totem {\n    version: 2\n    cluster_name: clst-01\n    transport: knet\n}\n\nnodelist {\n    node {\n        ring0_addr: 192.168.33.21\n        ring1_addr: 192.168.22.21\n        name: t3021cent\n        nodeid: 1\n    }\n    node {\n        ring0_addr: 192.168.33.22\n        ring1_addr: 192.168.22.22\n        name: t3022cent\n        nodeid: 2\n    }\n}\n\n# comment\nquorum {\n    provider: corosync_votequorum\n    two_node: 1\n}\n";

    fn model(yaml: &str) -> Cluster {
        let (src, raw) = crate::config::parse("t.yaml", yaml.as_bytes()).unwrap();
        crate::validate::validate(&src, &raw).unwrap().0
    }

    #[test]
    fn reads_what_pcs_writes() {
        let f = Facts::from_conf(&parse("corosync.conf", CONF).unwrap());
        assert_eq!(f.cluster_name.as_deref(), Some("clst-01"));
        assert_eq!(f.nodes.len(), 2);
        assert_eq!(f.nodes[1].addrs[&1], "192.168.22.22");
        assert_eq!(f.quorum_flag("two_node"), Some(true));
    }

    #[test]
    fn the_reference_example_matches_its_corosync_conf() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/clst-01/cluster.yaml")).unwrap();
        let f = Facts::from_conf(&parse("corosync.conf", CONF).unwrap());
        assert_eq!(compare(&model(&text), &f), Vec::new());
    }

    #[test]
    fn differences_are_classed_by_disruption() {
        let f = Facts::from_conf(&parse("corosync.conf", CONF).unwrap());
        let m = model("cluster: clst-02\nnodes:\n  t3021cent: { id: 1, addrs: [192.168.33.21, 192.168.22.99] }\n  t3023cent: { id: 3, addrs: [192.168.33.23, 192.168.22.23] }\nquorum: { wait_for_all: true }\n");
        let got: Vec<(String, Disruption)> = compare(&m, &f).into_iter().map(|c| (c.key, c.disruption)).collect();
        assert_eq!(
            got,
            [
                ("totem.cluster_name".to_string(), Disruption::FullStop),
                ("node t3021cent link 1".to_string(), Disruption::Online),
                ("node t3023cent".to_string(), Disruption::Online),
                ("node t3022cent".to_string(), Disruption::Online),
                ("quorum.wait_for_all".to_string(), Disruption::FullStop),
            ]
        );
    }

    #[test]
    fn syntax_errors_point_at_the_line() {
        let e = parse("c.conf", "totem {\n  version 2\n}\n").unwrap_err();
        assert_eq!(e.location().as_deref(), Some("c.conf:2:3"));
        assert!(parse("c.conf", "totem {\n").is_err());
        assert!(parse("c.conf", "}\n").is_err());
    }

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{}/tests/fixtures/corosync/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    const FIXTURES: [&str; 5] = ["knet-two-node.conf", "udpu.conf", "qdevice.conf", "comments.conf", "crlf.conf"];

    /// The lines that differ: (removed, added).
    pub(super) fn changed(before: &str, after: &str) -> (Vec<String>, Vec<String>) {
        let diff = similar::TextDiff::from_lines(before, after);
        let (mut gone, mut new) = (Vec::new(), Vec::new());
        for c in diff.iter_all_changes() {
            let line = c.value().trim_end_matches('\n').to_string();
            match c.tag() {
                similar::ChangeTag::Delete => gone.push(line),
                similar::ChangeTag::Insert => new.push(line),
                similar::ChangeTag::Equal => {}
            }
        }
        (gone, new)
    }

    #[test]
    fn real_files_round_trip_byte_for_byte() {
        for name in FIXTURES {
            let text = fixture(name);
            assert_eq!(to_text(&parse(name, &text).unwrap()), text, "{name}");
            let crlf_less = text.trim_end_matches('\n').trim_end_matches('\r');
            assert_eq!(to_text(&parse(name, crlf_less).unwrap()), crlf_less, "{name} without a final newline");
        }
    }

    const REFERENCE: &str = "cluster: clst-01\nnodes:\n  t3021cent: { id: 1, addrs: [192.168.33.21, 192.168.22.21] }\n  t3022cent: { id: 2, addrs: [192.168.33.22, 192.168.22.22] }\nquorum: { two_node: true }\n";

    #[test]
    fn a_file_that_matches_is_written_back_unchanged() {
        let text = fixture("knet-two-node.conf");
        let r = reconcile(&parse("c", &text).unwrap(), &model(REFERENCE));
        assert_eq!((r.changes, r.text), (Vec::new(), text));
    }

    #[test]
    fn a_token_change_adds_one_line_and_is_a_reload() {
        let text = fixture("knet-two-node.conf");
        let yaml = format!("{REFERENCE}corosync: {{ totem: {{ token: 5000 }} }}\n");
        let r = reconcile(&parse("c", &text).unwrap(), &model(&yaml));
        assert_eq!(changed(&text, &r.text), (vec![], vec!["    token: 5000".to_string()]));
        assert!(r.text.find("token: 5000").unwrap() < r.text.find('}').unwrap(), "inside totem");
        let kinds: Vec<(String, Disruption)> = r.changes.into_iter().map(|c| (c.key, c.disruption)).collect();
        assert_eq!(kinds, [("totem.token".to_string(), Disruption::Reload)]);
    }

    #[test]
    fn a_third_link_adds_one_address_per_node_after_the_others() {
        let text = fixture("knet-two-node.conf");
        let yaml = REFERENCE
            .replace("192.168.22.21]", "192.168.22.21, 192.168.44.21]")
            .replace("192.168.22.22]", "192.168.22.22, 192.168.44.22]");
        let r = reconcile(&parse("c", &text).unwrap(), &model(&yaml));
        let (gone, new) = changed(&text, &r.text);
        assert_eq!(gone, Vec::<String>::new());
        assert_eq!(new, ["        ring2_addr: 192.168.44.21", "        ring2_addr: 192.168.44.22"]);
        assert!(r
            .text
            .contains("ring1_addr: 192.168.22.21\n        ring2_addr: 192.168.44.21\n        name: t3021cent"));
        let steps = link_steps(&parse("c", &text).unwrap(), &r.conf);
        assert_eq!((steps.added, steps.removed, steps.readdressed, steps.kept), (vec![2], vec![], vec![], vec![0, 1]));
        // And back: the link goes with its addresses.
        let back = reconcile(&r.conf, &model(REFERENCE));
        assert_eq!(back.text, text);
        assert_eq!(link_steps(&r.conf, &back.conf).removed, [2]);
    }

    #[test]
    fn removing_a_link_removes_its_interface_section_and_keeps_the_qdevice() {
        let text = fixture("qdevice.conf");
        let yaml = "cluster: clst-02\nnodes:\n  n41: { id: 1, addrs: [192.168.33.41] }\n  n42: { id: 2, addrs: [192.168.33.42] }\n";
        let r = reconcile(&parse("c", &text).unwrap(), &model(yaml));
        let (gone, new) = changed(&text, &r.text);
        assert_eq!(new, Vec::<String>::new());
        assert!(gone.contains(&"        ring1_addr: 192.168.22.41".to_string()), "{gone:?}");
        assert!(gone.contains(&"        knet_transport: sctp".to_string()), "{gone:?}");
        assert!(r.text.contains("knet_link_priority: 2") && r.text.contains("host: qnetd.example.com"), "{}", r.text);
        assert!(r.changes.iter().all(|c| c.key.starts_with("node ")), "{:?}", r.changes);
    }

    #[test]
    fn link_options_and_a_qdevice_are_read() {
        let f = Facts::from_conf(&parse("c", &fixture("qdevice.conf")).unwrap());
        assert_eq!(f.links[&1]["knet_transport"], "sctp");
        assert_eq!(f.totem["link_mode"], "passive");
        let d = f.device.unwrap();
        assert_eq!(
            (d.model.as_str(), d.host.as_str(), d.algorithm.as_deref()),
            ("net", "qnetd.example.com", Some("ffsplit"))
        );
    }

    #[test]
    fn link_options_edit_the_interface_section_or_add_one() {
        let text = fixture("qdevice.conf");
        let yaml =
            "cluster: clst-02\ncorosync:\n  links:\n    - { knet_link_priority: 5 }\n    - { knet_link_priority: 1 }\n";
        let r = reconcile(&parse("c", &text).unwrap(), &model(yaml));
        assert_eq!(
            changed(&text, &r.text),
            (vec!["        knet_link_priority: 2".to_string()], vec!["        knet_link_priority: 5".to_string()])
        );
        let text = fixture("knet-two-node.conf");
        let yaml =
            format!("{REFERENCE}corosync:\n  links: [{{}}, {{ knet_link_priority: 3, knet_transport: sctp }}]\n");
        let r = reconcile(&parse("c", &text).unwrap(), &model(&yaml));
        assert!(
            r.text.contains("    crypto_hash: sha256\n    interface {\n        linknumber: 1\n        knet_link_priority: 3\n        knet_transport: sctp\n    }\n}"),
            "{}",
            r.text
        );
        let kinds: Vec<(String, Disruption)> = r.changes.into_iter().map(|c| (c.key, c.disruption)).collect();
        assert_eq!(
            kinds,
            [
                ("link 1.knet_link_priority".to_string(), Disruption::Reload),
                ("link 1.knet_transport".to_string(), Disruption::FullStop)
            ]
        );
    }

    #[test]
    fn comments_and_unknown_keys_survive_an_edit_and_new_lines_follow_the_tabs() {
        let text = fixture("comments.conf");
        let yaml = "cluster: debian\ncorosync:\n  totem: { token: 3000, crypto_cipher: none }\n  logging: { to_syslog: true, debug: true }\n";
        let r = reconcile(&parse("c", &text).unwrap(), &model(yaml));
        assert_eq!(
            changed(&text, &r.text),
            (vec!["\tdebug: off".to_string()], vec!["\ttoken: 3000".to_string(), "\tdebug: on".to_string()])
        );
        let keys: Vec<&str> = r.changes.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["totem.token", "logging.debug"], "`yes` is already `true`; `none` is already `none`");
    }

    #[test]
    fn a_declared_qdevice_is_added_in_pcs_layout_replacing_two_node() {
        let text = fixture("knet-two-node.conf");
        let yaml = REFERENCE
            .replace("quorum: { two_node: true }", "quorum:\n  device: { model: net, host: qnetd, algorithm: lms }");
        let r = reconcile(&parse("c", &text).unwrap(), &model(&yaml));
        assert!(
            r.text.contains("quorum {\n    provider: corosync_votequorum\n    device {\n        model: net\n        net {\n            host: qnetd\n            algorithm: lms\n        }\n    }\n}"),
            "{}",
            r.text
        );
        assert_eq!(
            r.changes.iter().map(|c| (c.key.as_str(), c.disruption)).collect::<Vec<_>>(),
            [("quorum.device", Disruption::Online)]
        );
    }

    #[test]
    fn a_new_node_is_written_as_pcs_does_and_a_dropped_one_removed() {
        let text = fixture("udpu.conf");
        let yaml = "cluster: webcluster\nnodes:\n  web1: { id: 1, addrs: [10.0.0.11, 10.0.1.11] }\n  web2: { id: 2, addrs: [10.0.0.12, 10.0.1.12] }\n  web4: { id: 4, addrs: [10.0.0.14, 10.0.1.14] }\n";
        let r = reconcile(&parse("c", &text).unwrap(), &model(yaml));
        assert!(!r.text.contains("web3"), "{}", r.text);
        assert!(
            r.text.contains(
                "\tnode {\n\t\tring0_addr: 10.0.0.14\n\t\tring1_addr: 10.0.1.14\n\t\tname: web4\n\t\tnodeid: 4\n\t}\n}"
            ),
            "{}",
            r.text
        );
    }

    /// Every line of `text` ends in CRLF (the last one may have no ending at all), and no other
    /// `\r` is in it.
    fn all_crlf(text: &str) -> bool {
        text.split_inclusive('\n').all(|l| match l.strip_suffix("\r\n") {
            Some(body) => !body.contains('\r'),
            None => !l.contains(['\r', '\n']),
        })
    }

    #[test]
    fn edits_of_a_crlf_file_wrote_lf_lines() {
        let text = fixture("crlf.conf");
        assert!(all_crlf(&text), "the fixture is CRLF throughout");
        // A changed value, a new key, new addresses, a new node, a new section (after a blank
        // line), a removed key: every line the edit writes ends as the file's lines do.
        let yaml = "cluster: clst-01\nnodes:\n  t3021cent: { id: 1, addrs: [192.168.33.21, 192.168.22.21, 192.168.44.21] }\n  t3022cent: { id: 2, addrs: [192.168.33.22, 192.168.22.22, 192.168.44.22] }\n  t3023cent: { id: 3, addrs: [192.168.33.23, 192.168.22.23, 192.168.44.23] }\nquorum:\n  device: { model: net, host: qnetd }\ncorosync: { totem: { token: 5000 }, logging: { debug: true }, links: [{}, {}, { knet_link_priority: 2 }] }\n";
        let r = reconcile(&parse("c", &text).unwrap(), &model(yaml));
        assert!(r.changes.len() >= 5, "{:?}", r.changes);
        assert!(all_crlf(&r.text), "{:?}", r.text);
        // The same edits of the LF file give the same file, line for line.
        let lf = fixture("knet-two-node.conf");
        assert_eq!(r.text, reconcile(&parse("c", &lf).unwrap(), &model(yaml)).text.replace('\n', "\r\n"));
        // Without a final line ending, a fresh last line gets none either.
        let bare = text.trim_end_matches("\r\n");
        let r = reconcile(&parse("c", bare).unwrap(), &model(yaml));
        assert!(all_crlf(&r.text) && r.text.ends_with('}'), "{:?}", r.text);
        // And back to the reference: the file as it was.
        assert_eq!(reconcile(&parse("c", &text).unwrap(), &model(REFERENCE)).text, text);
    }

    #[test]
    fn a_mixed_file_keeps_its_lines_and_writes_new_ones_as_most_of_them_end() {
        let mostly_lf = "totem {\r\n    version: 2\n    cluster_name: clst-01\n}\n";
        let yaml = "cluster: clst-01\ncorosync: { totem: { token: 5000 } }\n";
        let r = reconcile(&parse("c", mostly_lf).unwrap(), &model(yaml));
        assert_eq!(r.text, "totem {\r\n    version: 2\n    cluster_name: clst-01\n    token: 5000\n}\n");
        let mostly_crlf = "totem {\r\n    version: 2\r\n    cluster_name: clst-01\n}\r\n";
        let r = reconcile(&parse("c", mostly_crlf).unwrap(), &model(yaml));
        assert_eq!(r.text, "totem {\r\n    version: 2\r\n    cluster_name: clst-01\n    token: 5000\r\n}\r\n");
    }
}
