//! Bundles: the container (`docker`, `podman`, `rkt`), its network, port and storage mappings,
//! and the primitive inside. Stage 2: raw → model, no I/O, no knowledge of the CIB.

use std::collections::{BTreeMap, HashMap};

use crate::config::raw::{Span, S};
use crate::config::raw_bundle::{RawBundle, RawBundleNetwork, RawContainer, RawPortMapping, RawStorageMapping};
use crate::diag::codes;
use crate::model::{Bundle, Mapping, Primitive};

use super::options::MetaScope;
use super::resources::Holders;
use super::Validator;

impl Validator<'_> {
    /// Bundles in declaration order, and which bundle holds each primitive.
    pub(super) fn bundles(
        &mut self,
        raw: &crate::config::raw::RawCluster,
        prims: &BTreeMap<String, Primitive>,
        held: [&Holders; 2],
    ) -> (Vec<Bundle>, Holders) {
        let mut bundled: Holders = HashMap::new();
        let mut out = Vec::new();
        for (id, b) in raw.bundles.iter() {
            self.declare(id, "bundle");
            let primitive = b.value.resource.as_ref().and_then(|r| self.bundled(id, r, prims, held, &mut bundled));
            out.push(self.bundle(id, &b.value, primitive));
        }
        (out, bundled)
    }

    /// The primitive a bundle holds, when it is declared and held by nothing else.
    fn bundled(
        &mut self,
        id: &S<String>,
        r: &S<String>,
        prims: &BTreeMap<String, Primitive>,
        [member_of, cloned]: [&Holders; 2],
        bundled: &mut Holders,
    ) -> Option<Box<Primitive>> {
        let Some(p) = prims.get(&r.value) else {
            self.unknown_ref(r, "bundled resource");
            return None;
        };
        let holder = [("group", member_of), ("clone", cloned), ("bundle", &*bundled)]
            .into_iter()
            .find_map(|(what, h)| h.get(&r.value).map(|(other, _)| (what, other.clone())));
        if let Some((what, other)) = holder {
            self.err(
                codes::BUNDLE_RESOURCE,
                r.span,
                format!("`{}` is already in {what} `{other}` and cannot be in bundle `{}` too", r.value, id.value),
                "held twice",
                "a primitive is in at most one group, clone or bundle: put another primitive in the bundle".into(),
            );
            return None;
        }
        bundled.insert(r.value.clone(), (id.value.clone(), r.span));
        Some(Box::new(p.clone()))
    }

    fn bundle(&mut self, id: &S<String>, b: &RawBundle, primitive: Option<Box<Primitive>>) -> Bundle {
        let (container, container_attrs) = self.container(id, b);
        let network = b.network.as_ref().map(|n| self.bundle_network(&n.value)).unwrap_or_default();
        let port_mappings = self.port_mappings(&b.port_mapping);
        let storage_mappings = self.storage_mappings(&b.storage_mapping);
        self.typed_meta(&b.meta, MetaScope::Clone, None);
        let mut meta = self.meta(&b.meta, "bundle meta");
        self.enabled(&b.enabled, &mut meta);
        Bundle {
            id: id.value.clone(),
            description: b.description.as_ref().map(|d| d.value.clone()),
            container,
            container_attrs,
            network,
            port_mappings,
            storage_mappings,
            meta,
            primitive,
        }
    }

    /// The one container of a bundle and its attributes.
    fn container(&mut self, id: &S<String>, b: &RawBundle) -> (String, Vec<(String, String)>) {
        let given: Vec<(&str, &S<RawContainer>)> = [("docker", &b.docker), ("podman", &b.podman), ("rkt", &b.rkt)]
            .into_iter()
            .filter_map(|(k, c)| c.as_ref().map(|c| (k, c)))
            .collect();
        let Some(&(kind, c)) = given.first() else {
            self.err(
                codes::BUNDLE_CONTAINER,
                id.span,
                format!("bundle `{}` has no container", id.value),
                "no container",
                "add one of `docker`, `podman` or `rkt` with the `image` to run".into(),
            );
            return ("docker".into(), Vec::new());
        };
        for (other, c2) in &given[1..] {
            self.err(
                codes::BUNDLE_CONTAINER,
                c2.span,
                format!("bundle `{}` has two containers (`{kind}` and `{other}`)", id.value),
                "second container",
                "a bundle runs one container tool: keep one of them".into(),
            );
        }
        let c = &c.value;
        if c.image.value.trim().is_empty() {
            let msg = format!("bundle `{}` has an empty image", id.value);
            self.err(codes::BUNDLE_CONTAINER, c.image.span, msg, "empty", "name the image to run".into());
        }
        let mut attrs = vec![("image".to_string(), c.image.value.clone())];
        for (k, v) in [("replicas", &c.replicas), ("replicas-per-host", &c.replicas_per_host)] {
            if let Some(v) = v.as_ref().filter(|v| v.value == 0) {
                let msg = format!("`{k}` of bundle `{}` is 0", id.value);
                self.err(codes::BUNDLE_CONTAINER, v.span, msg, "zero", format!("`{k}` is at least 1"));
            }
        }
        let numbers =
            [("replicas", &c.replicas), ("replicas-per-host", &c.replicas_per_host), ("promoted-max", &c.promoted_max)];
        attrs.extend(numbers.into_iter().filter_map(|(k, v)| v.as_ref().map(|v| (k.to_string(), v.value.to_string()))));
        let texts = [("run-command", &c.run_command), ("network", &c.network), ("options", &c.options)];
        attrs.extend(texts.into_iter().filter_map(|(k, v)| v.as_ref().map(|v| (k.to_string(), v.value.clone()))));
        (kind.to_string(), attrs)
    }

    fn bundle_network(&mut self, n: &RawBundleNetwork) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(ip) = &n.ip_range_start {
            if ip.value.parse::<std::net::IpAddr>().is_err() {
                let msg = format!("`{}` is not an IP address", ip.value);
                let help = "write the first address of the replicas, e.g. `192.168.122.131`".into();
                self.err(codes::BUNDLE_NETWORK, ip.span, msg, "not an address", help);
            }
            out.push(("ip-range-start".to_string(), ip.value.clone()));
        }
        if let Some(i) = &n.host_interface {
            out.push(("host-interface".into(), i.value.clone()));
        }
        if let Some(m) = &n.host_netmask {
            if m.value > 128 {
                let msg = format!("netmask `{}` is more than 128 bits", m.value);
                self.err(codes::BUNDLE_NETWORK, m.span, msg, "too wide", "write the prefix length, e.g. `24`".into());
            }
            out.push(("host-netmask".into(), m.value.to_string()));
        }
        if let Some(p) = &n.control_port {
            self.check_port(p, codes::BUNDLE_NETWORK);
            out.push(("control-port".into(), p.value.to_string()));
        }
        if let Some(a) = &n.add_host {
            out.push(("add-host".into(), a.value.to_string()));
        }
        out
    }

    fn check_port(&mut self, p: &S<u32>, code: crate::diag::Code) -> bool {
        let ok = (1..=65535).contains(&p.value);
        if !ok {
            let msg = format!("`{}` is not a port", p.value);
            self.err(code, p.span, msg, "not a port", "a port is 1 to 65535".into());
        }
        ok
    }

    fn port_mappings(&mut self, list: &[S<RawPortMapping>]) -> Vec<Mapping> {
        let mut seen: HashMap<String, Span> = HashMap::new();
        let mut out = Vec::new();
        for m in list {
            let r = &m.value;
            let (key, span, mut attrs) = match (&r.port, &r.range) {
                (Some(p), None) => {
                    self.check_port(p, codes::BUNDLE_PORT);
                    let mut attrs = vec![("port".to_string(), p.value.to_string())];
                    if let Some(i) = &r.internal_port {
                        self.check_port(i, codes::BUNDLE_PORT);
                        attrs.push(("internal-port".into(), i.value.to_string()));
                    }
                    (p.value.to_string(), p.span, attrs)
                }
                (None, Some(range)) => {
                    self.check_range(range);
                    if let Some(i) = &r.internal_port {
                        let help = "a range is forwarded as it is: drop `internal-port`, or map one `port`".into();
                        self.err(codes::BUNDLE_PORT, i.span, "`internal-port` with a `range`".into(), "here", help);
                    }
                    (range.value.clone(), range.span, vec![("range".to_string(), range.value.clone())])
                }
                _ => {
                    let help = "write `port` (with `internal-port` if it differs) or `range: FIRST-LAST`".into();
                    let msg = "a port mapping needs exactly one of `port` and `range`".into();
                    self.err(codes::BUNDLE_PORT, m.span, msg, "here", help);
                    continue;
                }
            };
            if let Some(first) = seen.insert(key.clone(), span) {
                let d = crate::diag::Diag::error(codes::BUNDLE_PORT, format!("port `{key}` is mapped twice"))
                    .label(span, "mapped again")
                    .label(first, "first mapped here")
                    .help("map each port once")
                    .in_source(self.src);
                self.diags.push(d);
            }
            if let Some(id) = &r.id {
                self.declare(id, "port mapping");
            }
            out.push(Mapping { id: r.id.as_ref().map(|i| i.value.clone()), attrs: std::mem::take(&mut attrs) });
        }
        out
    }

    fn check_range(&mut self, range: &S<String>) {
        let ends: Option<(u32, u32)> =
            range.value.split_once('-').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
        if !ends.is_some_and(|(a, b)| (1..=b).contains(&a) && b <= 65535) {
            let msg = format!("`{}` is not a port range", range.value);
            let help = "write `FIRST-LAST`, e.g. `8000-8010`, ports 1 to 65535".into();
            self.err(codes::BUNDLE_PORT, range.span, msg, "not a range", help);
        }
    }

    fn storage_mappings(&mut self, list: &[S<RawStorageMapping>]) -> Vec<Mapping> {
        let mut seen: HashMap<String, Span> = HashMap::new();
        let mut out = Vec::new();
        for m in list {
            let r = &m.value;
            let source = match (&r.source_dir, &r.source_dir_root) {
                (Some(s), None) => ("source-dir", s),
                (None, Some(s)) => ("source-dir-root", s),
                _ => {
                    let help = "write `source-dir` (one directory for all) or `source-dir-root` (one per replica)";
                    let msg = "a storage mapping needs exactly one of `source-dir` and `source-dir-root`".into();
                    self.err(codes::BUNDLE_STORAGE, m.span, msg, "here", help.into());
                    continue;
                }
            };
            let t = &r.target_dir;
            if let Some(first) = seen.insert(t.value.clone(), t.span) {
                let d = crate::diag::Diag::error(codes::BUNDLE_STORAGE, format!("`{}` is mounted twice", t.value))
                    .label(t.span, "mounted again")
                    .label(first, "first mounted here")
                    .help("mount one directory on each target")
                    .in_source(self.src);
                self.diags.push(d);
            }
            let mut attrs =
                vec![(source.0.to_string(), source.1.value.clone()), ("target-dir".into(), t.value.clone())];
            if let Some(o) = &r.options {
                attrs.push(("options".into(), o.value.clone()));
            }
            if let Some(id) = &r.id {
                self.declare(id, "storage mapping");
            }
            out.push(Mapping { id: r.id.as_ref().map(|i| i.value.clone()), attrs });
        }
        out
    }
}
