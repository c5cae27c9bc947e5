//! CIB → model: bundles (container, network, port and storage mappings, the primitive inside).
//! Whatever the cluster file cannot say exactly (the old `masters`, instance attributes, a value
//! validation would refuse, comments) keeps the bundle raw. Decides nothing about changes.

use super::read::{check_bool, extra_attr, plain_pairs, NotNative, Pairs, Reader};
use crate::cib::xml::{Element, Node};
use crate::model::{Bundle, Mapping};
use crate::vocab::is_xml_id;

const CONTAINER_ATTRS: &[&str] =
    &["image", "replicas", "replicas-per-host", "promoted-max", "run-command", "network", "options"];
const NETWORK_ATTRS: &[&str] = &["ip-range-start", "host-interface", "host-netmask", "control-port", "add-host"];

impl Reader<'_> {
    pub(super) fn bundle(&self, b: &Element) -> Result<Bundle, NotNative> {
        extra_attr(b, &["description"])?;
        let id = Self::object_id(b)?;
        no_text(b)?;
        let mut container: Option<(String, Pairs)> = None;
        let (mut network, mut port_mappings, mut storage_mappings) = (Vec::new(), Vec::new(), Vec::new());
        let mut primitive = None;
        let mut seen = Vec::new();
        for c in b.elements() {
            let name = c.name.as_str();
            if name != "meta_attributes" && seen.contains(&name) {
                return Err(format!("two `<{name}>` in it"));
            }
            seen.push(name);
            match name {
                "docker" | "podman" | "rkt" if container.is_none() => {
                    container = Some((name.into(), container_attrs(c)?))
                }
                "network" => (network, port_mappings) = network_of(c)?,
                "storage" => storage_mappings = storage_of(c)?,
                "primitive" => {
                    primitive = Some(Box::new(
                        self.primitive(c).map_err(|w| format!("`{}`: {w}", c.id().unwrap_or_default()))?,
                    ));
                }
                "meta_attributes" => {}
                other => return Err(format!("`<{other}>` in it")),
            }
        }
        let (container, container_attrs) = container.ok_or("it has no container")?;
        drop_pcs_ids(&id, &mut port_mappings, &mut storage_mappings);
        Ok(Bundle {
            id,
            description: b.attr("description").map(str::to_string),
            container,
            container_attrs,
            network,
            port_mappings,
            storage_mappings,
            meta: plain_pairs(b, "meta_attributes")?,
            primitive,
        })
    }
}

fn no_text(el: &Element) -> Result<(), NotNative> {
    if el.children.iter().any(|n| !matches!(n, Node::Element(_))) {
        return Err(format!("comments or text in `<{}>`", el.name));
    }
    Ok(())
}

/// A whole number as the file's integer fields hold it (`u32`, written canonically).
fn number(el: &Element, k: &str, min: u32, max: u32) -> Result<Option<String>, NotNative> {
    let Some(v) = el.attr(k) else { return Ok(None) };
    match v.parse::<u32>() {
        Ok(n) if n.to_string() == v && (min..=max).contains(&n) => Ok(Some(v.to_string())),
        _ => Err(format!("`{k}=\"{v}\"` in `<{}>`", el.name)),
    }
}

/// Leaf elements only, with these attributes.
fn leaf(el: &Element, allowed: &[&str]) -> Result<(), NotNative> {
    extra_attr(el, allowed)?;
    if !el.children.is_empty() {
        return Err(format!("children in `<{}>`", el.name));
    }
    Ok(())
}

fn container_attrs(c: &Element) -> Result<Pairs, NotNative> {
    leaf(c, CONTAINER_ATTRS)?;
    if c.attr("image").is_none_or(|i| i.trim().is_empty()) {
        return Err(format!("`<{}>` without an image", c.name));
    }
    let mut out = Vec::new();
    for k in CONTAINER_ATTRS {
        let v = match *k {
            "replicas" | "replicas-per-host" => number(c, k, 1, u32::MAX)?,
            "promoted-max" => number(c, k, 0, u32::MAX)?,
            _ => c.attr(k).map(str::to_string),
        };
        out.extend(v.map(|v| (k.to_string(), v)));
    }
    Ok(out)
}

fn network_of(n: &Element) -> Result<(Pairs, Vec<Mapping>), NotNative> {
    extra_attr(n, NETWORK_ATTRS)?;
    no_text(n)?;
    let mut attrs = Vec::new();
    for k in NETWORK_ATTRS {
        let v = match *k {
            "ip-range-start" => match n.attr(k) {
                Some(ip) if ip.parse::<std::net::IpAddr>().is_err() => {
                    return Err(format!("`ip-range-start=\"{ip}\"`"))
                }
                v => v.map(str::to_string),
            },
            "host-netmask" => number(n, k, 0, 128)?,
            "control-port" => number(n, k, 1, 65535)?,
            "add-host" => n.attr(k).map(|v| check_bool(v, k)).transpose()?.map(str::to_string),
            _ => n.attr(k).map(str::to_string),
        };
        attrs.extend(v.map(|v| (k.to_string(), v)));
    }
    let mut ports: Vec<Mapping> = Vec::new();
    for m in n.elements() {
        if m.name != "port-mapping" {
            return Err(format!("`<{}>` in `<network>`", m.name));
        }
        leaf(m, &["port", "internal-port", "range"])?;
        let mut pairs = Vec::new();
        match (number(m, "port", 1, 65535)?, m.attr("range")) {
            (Some(p), None) => {
                pairs.push(("port".to_string(), p));
                pairs.extend(number(m, "internal-port", 1, 65535)?.map(|i| ("internal-port".to_string(), i)));
            }
            (None, Some(r)) if valid_range(r) && m.attr("internal-port").is_none() => {
                pairs.push(("range".to_string(), r.to_string()));
            }
            _ => return Err("a port mapping without exactly one of a port and a range".into()),
        }
        if ports.iter().any(|p| p.attrs[0].1 == pairs[0].1) {
            return Err(format!("port `{}` mapped twice", pairs[0].1));
        }
        ports.push(Mapping { id: Some(mapping_id(m)?), attrs: pairs });
    }
    Ok((attrs, ports))
}

fn valid_range(r: &str) -> bool {
    let ends: Option<(u32, u32)> = r.split_once('-').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
    ends.is_some_and(|(a, b)| (1..=b).contains(&a) && b <= 65535 && format!("{a}-{b}") == r)
}

fn mapping_id(m: &Element) -> Result<String, NotNative> {
    m.id().filter(|i| is_xml_id(i)).map(str::to_string).ok_or_else(|| format!("a `<{}>` without a valid id", m.name))
}

fn storage_of(s: &Element) -> Result<Vec<Mapping>, NotNative> {
    extra_attr(s, &[])?;
    no_text(s)?;
    let mut out: Vec<Mapping> = Vec::new();
    for m in s.elements() {
        if m.name != "storage-mapping" {
            return Err(format!("`<{}>` in `<storage>`", m.name));
        }
        leaf(m, &["source-dir", "source-dir-root", "target-dir", "options"])?;
        let source = match (m.attr("source-dir"), m.attr("source-dir-root")) {
            (Some(d), None) => ("source-dir", d),
            (None, Some(d)) => ("source-dir-root", d),
            _ => return Err("a storage mapping without exactly one source".into()),
        };
        let target = m.attr("target-dir").ok_or("a storage mapping without a target")?;
        if out.iter().any(|o| o.attrs[1].1 == target) {
            return Err(format!("`{target}` mounted twice"));
        }
        let mut attrs = vec![(source.0.to_string(), source.1.to_string()), ("target-dir".to_string(), target.into())];
        attrs.extend(m.attr("options").map(|o| ("options".to_string(), o.to_string())));
        out.push(Mapping { id: Some(mapping_id(m)?), attrs });
    }
    Ok(out)
}

/// Leave out the mapping ids pcs would give anyway (`B-port-map-80`, `B-storage-map`, `-1`, ...):
/// pcs gives the next free one to each mapping created without an id.
fn drop_pcs_ids(bundle: &str, ports: &mut [Mapping], storage: &mut [Mapping]) {
    let mut taken = std::collections::HashSet::new();
    let mut drop_if_pcs = |m: &mut Mapping, base: String| {
        let pcs = (0..).map(|n| if n == 0 { base.clone() } else { format!("{base}-{n}") }).find(|c| !taken.contains(c));
        if m.id == pcs {
            m.id = None;
            taken.extend(pcs);
        }
    };
    for m in ports.iter_mut() {
        let base = crate::desired::sanitize_id(&format!("{bundle}-port-map-{}", m.attrs[0].1));
        drop_if_pcs(m, base);
    }
    for m in storage.iter_mut() {
        drop_if_pcs(m, format!("{bundle}-storage-map"));
    }
}
