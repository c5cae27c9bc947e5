//! Export, corosync part: the corosync.conf settings the cluster file can declare (`totem`
//! options, link options, logging basics, the quorum device), read from corosync.conf's facts
//! into the model, and written as YAML. A setting the file cannot express is named in a note,
//! never dropped silently.

use crate::config::emit::Yaml;
use crate::corosync::facts::{is_exec_name, HEURISTICS_MODES, HEURISTICS_NUMBERS};
use crate::corosync::facts::{
    is_true, Facts, ALGORITHMS, DEVICE_MODELS, KNET_TRANSPORTS, LINK_NUMBERS, LOGGING_FLAGS, TOTEM_NUMBERS, TOTEM_WORDS,
};
use crate::model::{Cluster, Corosync, QuorumDevice};

/// Take the `corosync:` settings and the quorum device from corosync.conf's facts.
pub fn settings(model: &mut Cluster, f: &Facts, notes: &mut Vec<String>) {
    let mut c = Corosync::default();
    for (k, v) in &f.totem {
        if let Some(v) = number(k, v, TOTEM_NUMBERS, "totem", notes) {
            c.totem.push((k.clone(), v));
        } else if let Some((_, allowed)) = TOTEM_WORDS.iter().find(|(w, _)| w == k) {
            if allowed.contains(&v.as_str()) {
                c.totem.push((k.clone(), v.clone()));
            } else {
                notes.push(format!("corosync.conf sets `totem.{k}: {v}`, which the cluster file cannot express; it is not exported (and not managed)"));
            }
        }
    }
    let links = model.nodes.iter().map(|n| n.addrs.len()).max().unwrap_or(0);
    for (l, opts) in &f.links {
        let l = usize::from(*l);
        let mut out = Vec::new();
        for (k, v) in opts {
            if let Some(v) = number(k, v, LINK_NUMBERS, &format!("link {l}"), notes) {
                out.push((k.clone(), v));
            } else if k == "knet_transport" && KNET_TRANSPORTS.contains(&v.as_str()) {
                out.push((k.clone(), v.clone()));
            }
        }
        if out.is_empty() {
            continue;
        }
        if l >= links {
            notes.push(format!("corosync.conf has options for knet link {l}, which no exported node has an address on; they are not exported"));
            continue;
        }
        if c.links.len() <= l {
            c.links.resize(l + 1, Vec::new());
        }
        c.links[l] = out;
    }
    for (k, v) in &f.logging {
        if LOGGING_FLAGS.contains(&k.as_str()) {
            match flag(v) {
                Some(b) => c.logging.push((k.clone(), if b { "on" } else { "off" }.into())),
                None => notes.push(format!("corosync.conf sets `logging.{k}: {v}`, which is not a yes/no the cluster file can express; it is not exported (and not managed)")),
            }
        } else if k == "logfile" && v.starts_with('/') && !v.contains(char::is_whitespace) {
            c.logging.push((k.clone(), v.clone()));
        }
    }
    model.corosync = c;
    model.quorum.device = device(f, model, notes);
}

fn number(key: &str, v: &str, keys: &[&str], place: &str, notes: &mut Vec<String>) -> Option<String> {
    if !keys.contains(&key) {
        return None;
    }
    match v.parse::<u32>() {
        Ok(n) if n > 0 || key == "knet_link_priority" => Some(n.to_string()),
        _ => {
            notes.push(format!("corosync.conf sets `{place}.{key}: {v}`, which is not a number the cluster file accepts; it is not exported (and not managed)"));
            None
        }
    }
}

fn flag(v: &str) -> Option<bool> {
    if is_true(v) {
        Some(true)
    } else {
        ["0", "no", "off", "false"].iter().any(|f| v.eq_ignore_ascii_case(f)).then_some(false)
    }
}

/// The quorum device, when the file can express it; otherwise a note that says so loudly.
fn device(f: &Facts, model: &mut Cluster, notes: &mut Vec<String>) -> Option<QuorumDevice> {
    let d = f.device.as_ref()?;
    let ok = DEVICE_MODELS.contains(&d.model.as_str())
        && !d.host.is_empty()
        && d.algorithm.as_ref().is_none_or(|a| ALGORITHMS.contains(&a.as_str()));
    if !ok {
        notes.push(format!("warning: corosync.conf has a quorum device (model `{}`, host `{}`) the cluster file cannot express; it is NOT in the exported file, and applying that file leaves it alone", d.model, d.host));
        return None;
    }
    if model.quorum.two_node.take() == Some(true) {
        notes.push("corosync.conf sets both a quorum device and `two_node`; the device is exported, `two_node` is not (corosync-qdevice replaces it)".into());
    }
    let mut d = d.clone();
    if d.heuristics.as_deref().is_some_and(|h| !h.iter().all(|(k, v)| heuristic_expressible(k, v))) {
        notes.push("warning: corosync.conf has quorum device heuristics the cluster file cannot express; they are NOT in the exported file, and applying that file leaves them alone".into());
        d.heuristics = None;
    }
    Some(d)
}

/// A heuristics key and value the cluster file takes (what `validate` accepts).
fn heuristic_expressible(k: &str, v: &str) -> bool {
    match k {
        "mode" => HEURISTICS_MODES.contains(&v),
        _ if HEURISTICS_NUMBERS.contains(&k) => v.parse::<u32>().is_ok_and(|n| n > 0),
        _ => is_exec_name(k) && !v.trim().is_empty() && !v.chars().any(|c| c.is_control() || matches!(c, '{' | '}')),
    }
}

/// `corosync:` for the exported file, when there is anything to write.
pub fn yaml(c: &Corosync) -> Option<Yaml> {
    let scalar = |k: &str, v: &str| {
        if TOTEM_NUMBERS.contains(&k) || LINK_NUMBERS.contains(&k) {
            v.parse().map_or_else(|_| Yaml::str(v), Yaml::Int)
        } else if LOGGING_FLAGS.contains(&k) {
            Yaml::Bool(v == "on")
        } else {
            Yaml::str(v)
        }
    };
    let map = |pairs: &[(String, String)]| Yaml::Map(pairs.iter().map(|(k, v)| (k.clone(), scalar(k, v))).collect());
    let mut m = Vec::new();
    if !c.totem.is_empty() {
        m.push(("totem".to_string(), map(&c.totem)));
    }
    if !c.links.is_empty() {
        m.push(("links".into(), Yaml::Seq(c.links.iter().map(|l| map(l)).collect())));
    }
    if !c.logging.is_empty() {
        m.push(("logging".into(), map(&c.logging)));
    }
    (!m.is_empty()).then_some(Yaml::Map(m))
}

/// `device:` of the exported `quorum:`.
pub fn device_yaml(d: &QuorumDevice) -> Yaml {
    let mut m = vec![("model".to_string(), Yaml::str(&d.model)), ("host".into(), Yaml::str(&d.host))];
    if let Some(a) = &d.algorithm {
        m.push(("algorithm".into(), Yaml::str(a)));
    }
    match d.heuristics.as_deref() {
        Some([]) | None => {}
        Some(h) => {
            let value = |k: &str, v: &str| match v.parse() {
                Ok(n) if HEURISTICS_NUMBERS.contains(&k) => Yaml::Int(n),
                _ => Yaml::str(v),
            };
            m.push(("heuristics".into(), Yaml::Map(h.iter().map(|(k, v)| (k.clone(), value(k, v))).collect())));
        }
    }
    Yaml::Map(m)
}
