//! Nodes: names, corosync ids and knet link addresses, attributes, standby.

use crate::config::raw::{Map, Span};
use crate::diag::{codes, Diag};
use crate::model::Node;
use std::collections::HashMap;

use super::Validator;

impl Validator<'_> {
    pub(super) fn nodes(&mut self, raw: &Map<crate::config::raw::RawNode>) -> Vec<Node> {
        let mut out = Vec::new();
        let mut names: HashMap<&str, Span> = HashMap::new();
        let mut ids: HashMap<u32, Span> = HashMap::new();
        let mut text_ids: HashMap<String, Span> = HashMap::new();
        let mut addrs: HashMap<String, Span> = HashMap::new();
        let mut links: Option<(usize, Span, &str)> = None;
        for (name, n) in raw.iter() {
            if let Some(first) = names.insert(&name.value, name.span) {
                let d = Diag::error(codes::NODE_DUPLICATE, format!("node `{}` is declared twice", name.value))
                    .label(name.span, "declared again")
                    .label(first, "first declared here")
                    .help("keep one of them")
                    .in_source(self.src);
                self.diags.push(d);
            }
            if !is_node_name(&name.value) {
                self.err(
                    codes::NODE_NAME,
                    name.span,
                    format!("`{}` is not a valid node name", name.value.escape_default()),
                    "invalid node name",
                    "node names are host names (`uname -n`): letters, digits, `-`, `_` and `.`".into(),
                );
            }
            let remote = n.remote.as_ref().is_some_and(|r| r.value);
            let cib_id = self.cib_node_id(&name.value, n, remote);
            let id = match n.id.value.0.parse::<u32>() {
                _ if cib_id.is_some() => 0,
                Ok(i) if i > 0 && !remote => i,
                _ => {
                    self.err(
                        codes::NODE_ID,
                        n.id.span,
                        format!("node id `{}` is not a positive integer", n.id.value.0),
                        "not a node id",
                        "corosync node ids are integers from 1; a remote node's id is its name".into(),
                    );
                    0
                }
            };
            // A CIB id that is not a nodeid (crmsh's, a remote node's) must be unique too.
            if let Some(first) = cib_id.as_ref().and_then(|t| text_ids.insert(t.clone(), n.id.span)) {
                let d = Diag::error(codes::NODE_DUPLICATE_ID, format!("node id `{}` is used twice", n.id.value.0))
                    .label(n.id.span, "used again")
                    .label(first, "first used here")
                    .help("every node needs its own id")
                    .in_source(self.src);
                self.diags.push(d);
            }
            if id > 0 {
                if let Some(first) = ids.insert(id, n.id.span) {
                    let d = Diag::error(codes::NODE_DUPLICATE_ID, format!("node id {id} is used twice"))
                        .label(n.id.span, "used again")
                        .label(first, "first used here")
                        .help("every node needs its own id")
                        .in_source(self.src);
                    self.diags.push(d);
                }
            }
            for a in &n.addrs {
                if let Err(why) = check_addr(&a.value.0) {
                    self.err(
                        codes::NODE_ADDR,
                        a.span,
                        format!("`{}` is not a valid address: {why}", a.value.0),
                        "invalid address",
                        "write an IPv4/IPv6 address or a host name, one per knet link".into(),
                    );
                } else if let Some(first) = addrs.insert(a.value.0.clone(), a.span) {
                    let d = Diag::error(codes::NODE_DUPLICATE_ADDR, format!("address `{}` is used twice", a.value.0))
                        .label(a.span, "used again")
                        .label(first, "first used here")
                        .help("each node needs its own address on each link")
                        .in_source(self.src);
                    self.diags.push(d);
                }
            }
            if cib_id.is_some() && !n.addrs.is_empty() {
                self.err(
                    codes::NODE_NOT_IN_COROSYNC,
                    n.addrs[0].span,
                    format!("node `{}` has addresses but no corosync node id", name.value),
                    "not a corosync node",
                    "addresses are corosync's: give the node its corosync id, or drop `addrs`".into(),
                );
            }
            match links {
                _ if cib_id.is_some() => {}
                None => links = Some((n.addrs.len(), name.span, &name.value)),
                Some((count, _, first)) if count != n.addrs.len() => {
                    let msg =
                        format!("node `{}` has {} address(es) but `{first}` has {count}", name.value, n.addrs.len());
                    self.err(
                        codes::NODE_LINKS,
                        name.span,
                        msg,
                        "different number of links",
                        "every node needs one address per knet link, in the same link order".into(),
                    );
                }
                _ => {}
            }
            let mut attributes = self.attrs(&n.attributes, "node attributes");
            if let Some(sb) = &n.standby {
                if attributes.iter().any(|(k, _)| k == "standby") {
                    self.err(
                        codes::NODE_STANDBY_TWICE,
                        sb.span,
                        "`standby` is set both here and in `attributes`".into(),
                        "set twice",
                        "keep `standby: true|false` and drop it from `attributes`".into(),
                    );
                }
                attributes.retain(|(k, _)| k != "standby");
                if sb.value {
                    attributes.push(("standby".into(), "on".into()));
                }
            }
            let utilization = self.attrs(&n.utilization, "node utilization");
            out.push(Node {
                name: name.value.clone(),
                id,
                addrs: n.addrs.iter().map(|a| a.value.0.clone()).collect(),
                attributes,
                utilization,
                cib_id,
                remote,
            });
        }
        out
    }
}

impl Validator<'_> {
    /// The node's CIB id when it is not a corosync node id: text that is not a number (a remote
    /// node's own name, crmsh's name, heartbeat's UUID), written as it is.
    fn cib_node_id(&mut self, name: &str, n: &crate::config::raw::RawNode, remote: bool) -> Option<String> {
        let id = &n.id.value.0;
        let numeric = !id.is_empty() && id.chars().all(|c| c.is_ascii_digit());
        if numeric && !remote {
            return None;
        }
        let text_ok = !numeric
            && id.len() <= 255
            && id.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
        if text_ok && (!remote || id == name) {
            return Some(id.clone());
        }
        let help = if remote {
            format!("a remote node's id is its name: write `id: {name}`")
        } else {
            "write the corosync node id (an integer from 1), or the id the CIB holds".into()
        };
        let msg = format!("node id `{}` is not one Pacemaker gives node `{name}`", id.escape_default());
        self.err(codes::NODE_ID, n.id.span, msg, "not a node id", help);
        Some(String::new())
    }
}

/// An IPv4/IPv6 address or a host name (for knet links and the qnetd host), or why not.
pub(super) fn check_addr(a: &str) -> Result<(), &'static str> {
    if a.parse::<std::net::IpAddr>().is_ok() {
        return Ok(());
    }
    if a.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err("not an IPv4 address");
    }
    if a.contains(':') {
        return Err("not an IPv6 address");
    }
    let host_ok = !a.is_empty()
        && a.len() <= 253
        && a.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if host_ok {
        Ok(())
    } else {
        Err("not an IP address or host name")
    }
}

/// A node name as Pacemaker and corosync know a host: its name, nothing invisible or spaced
/// that would show as another node's name in a plan, and nothing a scenario's `NODE:` or an
/// XML attribute could misread.
fn is_node_name(s: &str) -> bool {
    (1..=255).contains(&s.len()) && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}
