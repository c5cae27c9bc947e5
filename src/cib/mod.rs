//! Stage 3: the CIB as data.
//!
//! `Cib` wraps a parsed CIB document: its version triple, the `configuration` section, and a
//! digest of that section that ignores status and formatting. It reads text and returns text; it
//! never talks to a cluster (that is `backend`) and never decides what should change (`plan`).

pub mod refs;
pub mod schema;
pub mod xml;

use sha2::{Digest, Sha256};

use crate::diag::{codes, Span};
use crate::diag::{Diag, Source};
use xml::Element;

/// `(admin_epoch, epoch, num_updates)`: Pacemaker's CIB version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Version {
    pub admin_epoch: u64,
    pub epoch: u64,
    pub num_updates: u64,
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.admin_epoch, self.epoch, self.num_updates)
    }
}

/// The sections Pacemaker's schema requires in `<configuration>`.
/// What `cibadmin --empty` prints on pacemaker 2.1.5: a CIB with nothing configured.
pub const EMPTY_CIB: &str = r#"<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes/>
    <resources/>
    <constraints/>
  </configuration>
  <status/>
</cib>
"#;

pub const REQUIRED_SECTIONS: [&str; 4] = ["crm_config", "nodes", "resources", "constraints"];

/// What a plan is made against and what a write is bound to: a CIB's version and the digest of
/// its configuration. A write happens only while the target's configuration still has this
/// digest; the version is for people (and for Pacemaker's patch format).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Basis {
    #[serde(flatten)]
    pub version: Version,
    /// `sha256:` of the configuration section (status and num_updates excluded).
    pub config_digest: String,
}

/// A parsed CIB document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cib {
    pub root: Element,
}

impl Cib {
    /// Parse CIB text (as `cibadmin --query` prints it).
    ///
    /// # Errors
    /// A diagnostic pointing at the XML error, or saying what is missing (`<cib>`,
    /// `<configuration>`, its sections).
    pub fn parse(name: &str, text: &str) -> Result<Cib, Box<Diag>> {
        let src = Source::new(name, text);
        if text.trim().is_empty() {
            return Err(Box::new(
                Diag::error(codes::CIB_EMPTY, format!("`{name}` is empty"))
                    .help("a CIB file is what `cibadmin --query` prints; `cibadmin --empty` makes an empty one"),
            ));
        }
        if !text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']).starts_with('<') {
            // Not XML at all (a wrong path, or a saved plan's target pointed elsewhere): its
            // lines are somebody's data, perhaps a private file's, so none is quoted.
            return Err(Box::new(
                Diag::error(codes::CIB_XML, format!("`{name}` is not XML: it does not start with `<`"))
                    .help("a CIB file is what `cibadmin --query` prints; check the path"),
            ));
        }
        let root = Element::parse(text).map_err(|e| {
            Box::new(
                Diag::error(codes::CIB_XML, format!("`{name}` is not well-formed XML: {}", e.message))
                    .label(Span { offset: e.offset, len: 1 }, "here")
                    .help("a CIB file is what `cibadmin --query` prints")
                    .in_source(&src),
            )
        })?;
        if root.name != "cib" {
            return Err(Box::new(
                Diag::error(codes::CIB_ROOT, format!("`{name}` is not a CIB: the root element is `<{}>`", root.name))
                    .help("a CIB's root element is `<cib>`; `cibadmin --query` prints one"),
            ));
        }
        let Some(config) = root.child("configuration") else {
            return Err(Box::new(
                Diag::error(codes::CIB_CONFIGURATION, format!("`{name}` has no `<configuration>` section"))
                    .help("a CIB has `<configuration>` and `<status>`; `cibadmin --empty` makes a valid empty one"),
            ));
        };
        for section in REQUIRED_SECTIONS {
            if config.child(section).is_none() {
                return Err(Box::new(
                    Diag::error(codes::CIB_SECTION, format!("`{name}` has no `<{section}>` in `<configuration>`"))
                        .help("Pacemaker's schema requires crm_config, nodes, resources and constraints"),
                ));
            }
        }
        let cib = Cib { root };
        cib.version().map_err(|m| {
            Box::new(
                Diag::error(codes::CIB_VERSION, format!("`{name}`: {m}"))
                    .help("the `<cib>` element carries admin_epoch, epoch and num_updates as integers"),
            )
        })?;
        Ok(cib)
    }

    /// The version triple.
    ///
    /// # Errors
    /// When an attribute is present but not an integer.
    pub fn version(&self) -> Result<Version, String> {
        let get = |n: &str| -> Result<u64, String> {
            match self.root.attr(n) {
                None => Ok(0),
                Some(v) => v.parse().map_err(|_| format!("`{n}` is `{v}`, not an integer")),
            }
        };
        Ok(Version { admin_epoch: get("admin_epoch")?, epoch: get("epoch")?, num_updates: get("num_updates")? })
    }

    /// The `configuration` section (its presence is checked by `parse`).
    pub fn configuration(&self) -> &Element {
        self.root.child("configuration").expect("checked by Cib::parse")
    }

    /// A section of `configuration` (`crm_config`, `nodes`, `resources`, `constraints`, ...).
    pub fn section(&self, name: &str) -> Option<&Element> {
        self.configuration().child(name)
    }

    /// `sha256:` digest of the configuration section: status, num_updates and whitespace do not
    /// count, so a digest changes exactly when the configuration does.
    pub fn config_digest(&self) -> String {
        digest_of(self.configuration())
    }

    /// What a plan made against this CIB is bound to.
    pub fn basis(&self) -> Basis {
        let version = self.version().unwrap_or(Version { admin_epoch: 0, epoch: 0, num_updates: 0 });
        Basis { version, config_digest: self.config_digest() }
    }

    /// The same CIB with `configuration` replaced and the epoch bumped (num_updates reset), as
    /// Pacemaker does on a configuration change.
    #[must_use]
    pub fn with_configuration(&self, config: Element) -> Cib {
        // Everything but the old configuration is copied (status can be large too, but it is
        // what the new CIB holds); the old configuration is not cloned only to be replaced.
        let mut config = Some(config);
        let children = self
            .root
            .children
            .iter()
            .map(|n| match n {
                xml::Node::Element(e) if e.name == "configuration" && config.is_some() => {
                    xml::Node::Element(config.take().expect("checked"))
                }
                other => other.clone(),
            })
            .collect();
        let mut root = Element { name: self.root.name.clone(), attrs: self.root.attrs.clone(), children };
        let v = self.version().unwrap_or(Version { admin_epoch: 0, epoch: 0, num_updates: 0 });
        root.set_attr("epoch", v.epoch.saturating_add(1).to_string());
        root.set_attr("num_updates", "0");
        Cib { root }
    }

    /// The `cluster-name` property, when Pacemaker has recorded one.
    pub fn cluster_name(&self) -> Option<&str> {
        self.section("crm_config")?
            .elements()
            .flat_map(Element::elements)
            .find(|nv| nv.name == "nvpair" && nv.attr("name") == Some("cluster-name"))
            .and_then(|nv| nv.attr("value"))
    }
}

/// Elements whose `id` names another object instead of declaring one.
fn is_reference(el: &Element, parent: Option<&Element>) -> bool {
    matches!(el.name.as_str(), "resource_ref" | "obj_ref" | "node")
        || el.attr("id-ref").is_some()
        || (el.name == "role"
            && parent.is_some_and(|p| matches!(p.name.as_str(), "acl_target" | "acl_user" | "acl_group")))
}

/// Every id an element tree declares, in document order.
pub fn declared_ids<'a>(el: &'a Element, parent: Option<&'a Element>, out: &mut Vec<&'a str>) {
    if !is_reference(el, parent) {
        if let Some(id) = el.id() {
            out.push(id);
        }
    }
    for c in el.elements() {
        declared_ids(c, Some(el), out);
    }
}

/// Ids declared more than once in a configuration (sorted, each once): Pacemaker's schema
/// refuses such a CIB, whichever object brought the second one.
pub fn duplicate_ids(config: &Element) -> Vec<String> {
    let mut ids = Vec::new();
    declared_ids(config, None, &mut ids);
    ids.sort_unstable();
    let mut dups: Vec<String> = ids.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0].to_string()).collect();
    dups.dedup();
    dups
}

/// Parts of a configuration object whose ids pcs and Pacemaker make up themselves (an admin
/// writing one by hand rarely chooses them): below the object's own id they are names, not
/// meaning. `plan::view` compares unmodelled XML without them; `desired` gives them to a `raw:`
/// item that leaves them out.
pub const GENERATED_ID_PARTS: &[&str] = &[
    "instance_attributes",
    "meta_attributes",
    "utilization",
    "nvpair",
    "operations",
    "op",
    "rule",
    "expression",
    "date_expression",
    "date_spec",
    "duration",
    "op_expression",
    "rsc_expression",
    "resource_set",
    "acl_permission",
    "recipient",
    "attribute",
    "port-mapping",
    "storage-mapping",
];

/// Compact XML text of an element, for objects cibform does not model yet.
pub fn canonical_xml(el: &Element) -> String {
    el.to_xml().lines().map(str::trim).collect::<Vec<_>>().join("")
}

/// The Pacemaker-owned properties a configuration sets, in any property set: (set id, name,
/// value). A plan may keep these, never write new ones.
pub fn owned_properties(config: &Element) -> std::collections::BTreeSet<(String, String, String)> {
    let sets = config.child("crm_config").into_iter().flat_map(|c| c.elements());
    let pairs = sets
        .filter(|s| s.name == "cluster_property_set")
        .flat_map(|s| s.elements().filter(|nv| nv.name == "nvpair").map(move |nv| (s.id().unwrap_or_default(), nv)));
    pairs
        .filter_map(|(set, nv)| {
            let name = nv.attr("name").filter(|n| crate::vocab::PACEMAKER_OWNED.contains(n))?;
            Some((set.to_string(), name.to_string(), nv.attr("value").unwrap_or_default().to_string()))
        })
        .collect()
}

/// Ids of the objects a constraint may name (resources at any depth, templates, tags) in a tree,
/// in document order.
pub fn nameable_ids(el: &Element, out: &mut impl Extend<String>) {
    if matches!(el.name.as_str(), "primitive" | "group" | "clone" | "master" | "bundle" | "template" | "tag") {
        if let Some(id) = el.id() {
            out.extend([id.to_string()]);
        }
    }
    for c in el.elements() {
        nameable_ids(c, out);
    }
}

/// Digest of an element's canonical text (hashed as it is written: the text of a large
/// configuration is never built).
pub fn digest_of(el: &Element) -> String {
    struct Hasher(Sha256);
    impl std::fmt::Write for Hasher {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.update(s.as_bytes());
            Ok(())
        }
    }
    let mut h = Hasher(Sha256::new());
    el.write_xml(&mut h);
    let out = h.0.finalize();
    let mut s = String::from("sha256:");
    for b in out {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A set is "plain" when it has no rule, no score and is not a reference to another set: the
/// one the YAML maps directly.
pub fn is_plain_set(set: &Element) -> bool {
    set.child("rule").is_none() && set.attr("score").is_none() && set.attr("id-ref").is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: &str = r#"<cib epoch="3" num_updates="7" admin_epoch="0"><configuration><crm_config/><nodes/><resources/><constraints/></configuration><status/></cib>"#;

    #[test]
    fn digest_ignores_status_and_num_updates() {
        let a = Cib::parse("a", EMPTY).unwrap();
        let b = Cib::parse(
            "b",
            &EMPTY
                .replace("num_updates=\"7\"", "num_updates=\"9\"")
                .replace("<status/>", "<status><node_state id=\"1\"/></status>"),
        )
        .unwrap();
        assert_eq!(a.config_digest(), b.config_digest());
        let c = Cib::parse("c", &EMPTY.replace("<nodes/>", "<nodes><node id=\"1\" uname=\"n\"/></nodes>")).unwrap();
        assert_ne!(a.config_digest(), c.config_digest());
    }

    #[test]
    fn bad_cibs_are_diagnosed() {
        assert_eq!(Cib::parse("x", "").unwrap_err().code, "cibform::cib::empty");
        assert_eq!(Cib::parse("x", "<cib>").unwrap_err().code, "cibform::cib::xml");
        assert_eq!(Cib::parse("x", "<foo/>").unwrap_err().code, "cibform::cib::root");
        assert_eq!(Cib::parse("x", "<cib/>").unwrap_err().code, "cibform::cib::configuration");
        assert_eq!(
            Cib::parse("x", &EMPTY.replace("epoch=\"3\"", "epoch=\"x\"")).unwrap_err().code,
            codes::CIB_VERSION.name
        );
    }

    #[test]
    fn new_configuration_bumps_epoch() {
        let a = Cib::parse("a", EMPTY).unwrap();
        let b = a.with_configuration(a.configuration().clone());
        assert_eq!(b.version().unwrap(), Version { admin_epoch: 0, epoch: 4, num_updates: 0 });
    }
}
