//! corosync.conf settings of the file (`corosync:`, `quorum.device`): values corosync accepts,
//! link options only for links the nodes have, crypto options that go together, a quorum
//! device corosync can use. Turns them into corosync's own spelling; no I/O.

use crate::config::raw::{RawCluster, RawDevice, RawHeuristics, S};
use crate::diag::codes;
use crate::model::{Corosync, QuorumDevice};

use super::{one_of, Validator};

use crate::corosync::facts::{is_exec_name, HEURISTICS_MODES, HEURISTICS_NUMBERS};
use crate::corosync::facts::{ALGORITHMS, CIPHERS, DEVICE_MODELS as MODELS, HASHES, KNET_TRANSPORTS, LINK_MODES};

impl Validator<'_> {
    pub(super) fn corosync(&mut self, raw: &RawCluster) -> Corosync {
        let mut out = Corosync::default();
        let Some(c) = &raw.corosync else { return out };
        if let Some(t) = &c.value.totem {
            let t = &t.value;
            for (key, v) in [("token", &t.token), ("consensus", &t.consensus), ("join", &t.join)] {
                if let Some(v) = v {
                    self.positive(key, v);
                    out.totem.push((key.into(), v.value.to_string()));
                }
            }
            for (key, v, allowed) in [
                ("crypto_cipher", &t.crypto_cipher, CIPHERS),
                ("crypto_hash", &t.crypto_hash, HASHES),
                ("link_mode", &t.link_mode, LINK_MODES),
            ] {
                if let Some(v) = v {
                    self.word(key, v, allowed);
                    out.totem.push((key.into(), v.value.clone()));
                }
            }
            self.crypto_pair(t.crypto_cipher.as_ref(), t.crypto_hash.as_ref());
        }
        let links = raw.nodes.iter().map(|(_, n)| n.addrs.len()).max();
        for (number, l) in c.value.links.iter().enumerate() {
            if links.is_some_and(|have| number >= have) {
                self.err(
                    codes::COROSYNC_LINK,
                    l.span,
                    format!("options for knet link {number}, but the nodes have {} address(es)", links.unwrap_or(0)),
                    "no such link",
                    "`links` follows the nodes' `addrs`, link 0 first: add the addresses or drop this entry".into(),
                );
            }
            out.links.push(self.link(&l.value));
        }
        if let Some(g) = &c.value.logging {
            let g = &g.value;
            for (key, v) in [
                ("to_logfile", &g.to_logfile),
                ("to_syslog", &g.to_syslog),
                ("to_stderr", &g.to_stderr),
                ("timestamp", &g.timestamp),
                ("debug", &g.debug),
            ] {
                if let Some(v) = v {
                    out.logging.push((key.into(), if v.value { "on" } else { "off" }.into()));
                }
            }
            if let Some(f) = &g.logfile {
                if !is_conf_path(&f.value) {
                    self.value_err(
                        f,
                        "`logfile` must be an absolute path of at most 255 bytes, without spaces, braces or control characters",
                        "write e.g. `/var/log/corosync/corosync.log`".into(),
                    );
                }
                out.logging.push(("logfile".into(), f.value.clone()));
            }
        }
        out
    }

    fn link(&mut self, l: &crate::config::raw::RawLink) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(p) = &l.knet_link_priority {
            if p.value > 255 {
                self.value_err(p, "`knet_link_priority` is 0 to 255", "pick a priority from 0 to 255".into());
            }
            out.push(("knet_link_priority".into(), p.value.to_string()));
        }
        if let Some(t) = &l.knet_transport {
            self.word("knet_transport", t, KNET_TRANSPORTS);
            out.push(("knet_transport".into(), t.value.clone()));
        }
        for (key, v) in [
            ("knet_ping_interval", &l.knet_ping_interval),
            ("knet_ping_timeout", &l.knet_ping_timeout),
            ("knet_ping_precision", &l.knet_ping_precision),
        ] {
            if let Some(v) = v {
                self.positive(key, v);
                out.push((key.into(), v.value.to_string()));
            }
        }
        out
    }

    pub(super) fn quorum_device(&mut self, raw: &RawCluster) -> Option<QuorumDevice> {
        let q = raw.quorum.as_ref()?;
        let decl = q.value.device.as_ref()?;
        let d = match &decl.value {
            RawDevice::Device(d) => S::new(d, decl.span),
            RawDevice::Word(_) => return None,
        };
        self.word("model", &d.value.model, MODELS);
        if let Some(a) = &d.value.algorithm {
            self.word("algorithm", a, ALGORITHMS);
        }
        if let Err(why) = super::nodes::check_addr(&d.value.host.value) {
            self.value_err(
                &d.value.host,
                &format!("`host` must name the qnetd server: {why}"),
                "write its host name or address".into(),
            );
        }
        if q.value.two_node == Some(true) {
            self.err(
                codes::QUORUM_DEVICE,
                d.span,
                "a quorum device and `two_node` do not go together".into(),
                "device declared here",
                "drop `two_node: true`: with a device the nodes keep quorum through it (pcs removes `two_node` too)"
                    .into(),
            );
        }
        Some(QuorumDevice {
            model: d.value.model.value.clone(),
            host: d.value.host.value.clone(),
            algorithm: d.value.algorithm.as_ref().map(|a| a.value.clone()),
            heuristics: d.value.heuristics.as_ref().map(|h| self.heuristics(h)),
        })
    }

    /// `heuristics`: `none` (no keys), or keys corosync-qdevice and pcs take, with values it
    /// reads back the same; in corosync's spelling, in the file's order.
    fn heuristics(&mut self, h: &S<RawHeuristics>) -> Vec<(String, String)> {
        let keys = match &h.value {
            RawHeuristics::Keys(k) => &k.0,
            RawHeuristics::Word(w) => {
                if w != "none" {
                    self.heuristics_err(
                        h.span,
                        format!("`{w}` is not a heuristics setting"),
                        "write `none` (no heuristics: they are removed) or a mapping `{ mode: sync, exec_ping: ... }`"
                            .into(),
                    );
                }
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (k, v) in keys.iter() {
            let value = v.value.0.trim();
            let ok = match k.value.as_str() {
                "mode" if !HEURISTICS_MODES.contains(&value) => {
                    let help = one_of(value, HEURISTICS_MODES);
                    self.heuristics_err(v.span, format!("`{value}` is not a heuristics mode"), help);
                    false
                }
                key if HEURISTICS_NUMBERS.contains(&key) && value.parse::<u32>().map_or(true, |n| n == 0) => {
                    let help = format!("write a whole number of milliseconds from 1, e.g. `{key}: 5000`");
                    self.heuristics_err(
                        v.span,
                        format!("`{key}` must be a number of milliseconds greater than 0"),
                        help,
                    );
                    false
                }
                "mode" => true,
                key if HEURISTICS_NUMBERS.contains(&key) => true,
                key if !is_exec_name(key) => {
                    let help = "heuristics take `mode`, `timeout`, `sync_timeout`, `interval` and commands named `exec_NAME` (letters, digits, `-`, `_`, `/`), e.g. `exec_ping: /usr/bin/ping -c 1 192.168.33.1`".to_string();
                    self.heuristics_err(k.span, format!("`{key}` is not a heuristics key"), help);
                    false
                }
                _ => self.exec_command(&S::new(v.value.0.as_str(), v.span)),
            };
            if ok {
                out.push((k.value.clone(), value.to_string()));
            }
        }
        let mode = out.iter().find(|(k, _)| k == "mode").map(|(_, m)| m.as_str());
        if matches!(mode, Some("on" | "sync")) && !out.iter().any(|(k, _)| is_exec_name(k)) {
            self.warn(
                codes::QUORUM_HEURISTICS,
                h.span,
                format!("heuristics with `mode: {}` and no command", mode.unwrap_or_default()),
                "add an `exec_NAME: command` key (as pcs warns, heuristics without a command do nothing)".into(),
            );
        }
        out
    }

    /// A heuristics command corosync.conf can carry and corosync-qdevice can run: not empty,
    /// one line, no braces (pcs refuses `{`, `}` and line breaks: they would add sections).
    fn exec_command(&mut self, v: &S<&str>) -> bool {
        let flaw = if v.value.trim().is_empty() {
            Some("is empty")
        } else if v.value.chars().any(|c| c.is_control() || matches!(c, '{' | '}')) {
            Some("holds a brace or a control character (a line break, a tab)")
        } else {
            None
        };
        if let Some(flaw) = flaw {
            let help = "write the command on one line, without `{` or `}` (corosync-qdevice splits it into arguments as a shell would, with `\\` and double quotes)".into();
            self.heuristics_err(v.span, format!("the heuristics command {flaw}"), help);
        }
        flaw.is_none()
    }

    fn heuristics_err(&mut self, span: crate::config::raw::Span, msg: String, help: String) {
        self.err(codes::QUORUM_HEURISTICS, span, msg, "not accepted", help);
    }

    /// `device: none` (any other word is refused, located).
    pub(super) fn no_quorum_device(&mut self, raw: &RawCluster) -> bool {
        let Some(decl) = raw.quorum.as_ref().and_then(|q| q.value.device.as_ref()) else { return false };
        let RawDevice::Word(w) = &decl.value else { return false };
        if w != "none" {
            self.err(
                codes::QUORUM_DEVICE,
                decl.span,
                format!("`{w}` is not a quorum device"),
                "not accepted",
                "write `none` (no device: one in corosync.conf is removed) or a mapping `{ model: net, host: ... }`"
                    .into(),
            );
        }
        w == "none"
    }

    fn positive(&mut self, key: &str, v: &S<u32>) {
        if v.value == 0 {
            self.value_err(
                v,
                &format!("`{key}` must be greater than 0"),
                "write a number of milliseconds (or pings) from 1".into(),
            );
        }
    }

    fn word(&mut self, key: &str, v: &S<String>, allowed: &[&str]) {
        if !allowed.contains(&v.value.as_str()) {
            self.value_err(v, &format!("`{}` is not a value of `{key}`", v.value), one_of(&v.value, allowed));
        }
    }

    fn value_err<T>(&mut self, v: &S<T>, msg: &str, help: String) {
        self.err(codes::COROSYNC_VALUE, v.span, msg.into(), "not accepted", help);
    }

    /// corosync refuses a cipher without a hash (and knet a hash-only setting is allowed).
    fn crypto_pair(&mut self, cipher: Option<&S<String>>, hash: Option<&S<String>>) {
        if let (Some(c), Some(h)) = (cipher, hash) {
            if c.value != "none" && h.value == "none" {
                self.err(
                    codes::COROSYNC_CRYPTO,
                    c.span,
                    format!("`crypto_cipher: {}` needs a `crypto_hash` other than `none`", c.value),
                    "cipher without a hash",
                    "set `crypto_hash` (e.g. `sha256`) or `crypto_cipher: none`".into(),
                );
            }
        }
    }
}

/// A path corosync.conf can carry as a value and corosync reads back the same: absolute, short
/// enough for corosync's line reader, nothing it would take for a blank or a section (`{`).
fn is_conf_path(p: &str) -> bool {
    p.starts_with('/')
        && p.len() <= 255
        && !p.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '{' | '}'))
}
