//! Mutation testing of every parser on hostile input: seeded random edits (byte flips, cuts,
//! duplications, splices of other inputs) of real inputs — the examples, corpus CIBs, rules,
//! corosync.conf — must give a value or a diagnostic, never a panic. Deterministic (fixed seeds),
//! a few seconds; a cheap stand-in until the parsers get coverage-guided fuzz targets.

mod common;

use common::*;

/// xorshift64*: small, seeded, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Interesting bytes for text formats: structure characters, quotes, multibyte UTF-8 starts.
const SPICE: &[u8] = b"{}[]<>:,-&*!|'\"\\\n\t #%@`\x00\xc3\xe2\xf0";

fn mutate(rng: &mut Rng, input: &[u8], others: &[Vec<u8>]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(6) {
            0 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] = SPICE[rng.below(SPICE.len())];
            }
            1 => v.insert(at, SPICE[rng.below(SPICE.len())]),
            2 if at < v.len() => {
                let end = (at + rng.below(64)).min(v.len());
                v.drain(at..end);
            }
            3 if at < v.len() => {
                let end = (at + rng.below(64)).min(v.len());
                let chunk = v[at..end].to_vec();
                for _ in 0..1 + rng.below(8) {
                    v.splice(at..at, chunk.iter().copied());
                }
            }
            4 if !others.is_empty() => {
                let o = &others[rng.below(others.len())];
                let s = rng.below(o.len() + 1);
                let e = (s + rng.below(200)).min(o.len());
                v.splice(at..at, o[s..e].iter().copied());
            }
            _ => v.truncate(at),
        }
    }
    v
}

/// Run `check` on `rounds` mutants of each seed input; the first input that panics is saved and
/// its path returned.
fn mutants_of(
    name: &str,
    seeds: &[Vec<u8>],
    rounds: usize,
    check: impl Fn(&[u8]) + std::panic::RefUnwindSafe,
) -> Result<(), std::path::PathBuf> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ name.len() as u64);
    std::panic::set_hook(Box::new(|_| {}));
    for (i, seed) in seeds.iter().enumerate() {
        for round in 0..rounds {
            let input = mutate(&mut rng, seed, seeds);
            if std::panic::catch_unwind(|| check(&input)).is_err() {
                let _ = std::panic::take_hook();
                let path = std::env::temp_dir().join(format!("cibform-{name}-crash-{i}-{round}"));
                std::fs::write(&path, &input).unwrap();
                return Err(path);
            }
        }
    }
    let _ = std::panic::take_hook();
    Ok(())
}

/// `mutants_of`, failing the test with the saved input's path.
fn hammer(name: &str, seeds: &[Vec<u8>], rounds: usize, check: impl Fn(&[u8]) + std::panic::RefUnwindSafe) {
    if let Err(path) = mutants_of(name, seeds, rounds, check) {
        panic!("{name}: a mutant panics; input saved to {}", path.display());
    }
}

fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn cluster_files_never_panic() {
    let seeds = vec![read(&example()), read(&root().join("examples/full/cluster.yaml"))];
    hammer("yaml", &seeds, 5000, |b| {
        if let Ok((src, raw)) = cibform::config::parse("m.yaml", b) {
            if let Ok((model, _)) = cibform::validate::validate(&src, &raw) {
                let d = cibform::desired::build(&model, Vec::new(), &cibform::desired::builtin_default_ops());
                let empty = cibform::cib::Cib::parse("e", EMPTY_CIB).unwrap();
                let _ = cibform::plan::compute(empty.configuration(), &d);
            }
        }
    });
}

#[test]
fn cibs_never_panic_in_parse_export_and_plan() {
    let mut seeds =
        vec![read(&fixture("seed-pcs.xml")), read(&fixture("full-pcs.xml")), read(&fixture("seed-running.xml"))];
    seeds.extend(corpus::cibs().iter().step_by(40).map(|e| e.text.clone().into_bytes()));
    hammer("cib", &seeds, 400, |b| {
        let Ok(text) = std::str::from_utf8(b) else { return };
        if let Ok(cib) = cibform::cib::Cib::parse("m.xml", text) {
            let ex =
                cibform::export::from_cib(&cib, None, &Default::default(), &cibform::desired::builtin_default_ops());
            let _ = cibform::export::to_yaml(&ex.model);
            let _ = cibform::plan::view::views(cib.configuration());
            let _ = cibform::plan::patch::patch(&cib, &cib.with_configuration(Default::default()));
        }
    });
}

#[test]
fn rules_never_panic() {
    let seeds: Vec<Vec<u8>> = [
        "pingd lt 1 or not_defined pingd",
        "(#uname eq node1 or #uname eq node2) and date gt 2024-01-01",
        "date in_range 2023-01-01 to duration months=2 and date-spec hours=9-16 weekdays=1-5",
        "attr eq version 1.2.3 and other ne string \"a b\"",
        "resource ocf:heartbeat:IPaddr2 and op monitor interval=10s",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    hammer("rule", &seeds, 20000, |b| {
        let text = String::from_utf8_lossy(b);
        if let Ok(rule) = cibform::rule::parse(&text) {
            // what parses prints back to text that parses to the same rule
            let again = cibform::rule::parse(&cibform::rule::to_text(&rule)).expect("to_text output parses");
            assert_eq!(again, rule);
            let _ = cibform::rule::from_xml(&cibform::rule::to_xml(&rule, "r", &[]));
        }
    });
}

#[test]
fn corosync_confs_never_panic() {
    let mut seeds = vec![read(&fixture("corosync-clst-01.conf"))];
    for name in ["knet-two-node.conf", "udpu.conf", "qdevice.conf", "comments.conf"] {
        seeds.push(read(&fixture(&format!("corosync/{name}"))));
    }
    let yaml = "cluster: clst-01\nnodes:\n  t3021cent: { id: 1, addrs: [192.168.33.21, 192.168.22.21, 192.168.44.21] }\n  t3022cent: { id: 2, addrs: [192.168.33.22, 192.168.22.22, 192.168.44.22] }\nquorum: { two_node: true }\ncorosync:\n  totem: { token: 5000 }\n  links: [{ knet_link_priority: 2 }]\n  logging: { debug: true }\n";
    let (src, raw) = cibform::config::parse("t.yaml", yaml.as_bytes()).unwrap();
    let model = cibform::validate::validate(&src, &raw).unwrap().0;
    hammer("corosync", &seeds, 5000, |b| {
        let text = String::from_utf8_lossy(b);
        if let Ok(conf) = cibform::corosync::parse("c.conf", &text) {
            let _ = cibform::corosync::Facts::from_conf(&conf);
            // what parses is written back byte for byte
            assert_eq!(cibform::corosync::to_text(&conf), text);
        }
    });
    hammer("corosync-edit", &seeds, 400, |b| {
        if let Ok(conf) = cibform::corosync::parse("c.conf", &String::from_utf8_lossy(b)) {
            // the edited file parses, and editing it again changes nothing
            let r = cibform::corosync::reconcile(&conf, &model);
            let again = cibform::corosync::parse("c.conf", &r.text).expect("an edited file parses");
            let twice = cibform::corosync::reconcile(&again, &model);
            assert_eq!(twice.changes, Vec::new(), "not a fixed point:\n{}", r.text);
            assert_eq!(twice.text, r.text);
        }
    });
}

/// The harness itself: a parser that panics on some mutant is caught and reported.
#[test]
fn the_harness_reports_a_panicking_parser() {
    let seeds = vec![b"pingd lt 1".to_vec()];
    let found = mutants_of("selftest", &seeds, 500, |b| assert!(!b.contains(&b'{'), "a brace"));
    let path = found.expect_err("a mutant with a brace must have been found and reported");
    assert!(std::fs::read(&path).unwrap().contains(&b'{'));
    std::fs::remove_file(path).unwrap();
}
