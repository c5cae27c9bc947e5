//! The escape hatch: `raw:` CIB elements, held to the same id rules as native objects.

use crate::cib::declared_ids;
use crate::cib::xml::Element;
use crate::config::raw::{RawCluster, Span, S};
use crate::diag::{codes, Diag};
use crate::model::{RawObject, RawPlace, RAW_SECTIONS};
use std::collections::HashMap;

use super::Validator;

impl Validator<'_> {
    /// Check the `raw:` items: well-formed XML, a configuration object cibform knows where to
    /// put, ids unique across the whole file, no section given twice.
    pub(super) fn raw_objects(&mut self, raw: &RawCluster) -> Vec<RawObject> {
        let mut out = Vec::new();
        let mut sections: HashMap<String, Span> = HashMap::new();
        for item in &raw.raw {
            let el = match Element::parse_object(&item.value) {
                Ok(el) => el,
                Err(e) => {
                    self.err(
                        codes::RAW_XML,
                        item.span,
                        format!("raw object is not well-formed XML: {}", e.message),
                        "in this item",
                        "each `raw` item is one CIB element, e.g. `<rsc_ticket id=\"t\" rsc=\"r\" ticket=\"T\"/>`"
                            .into(),
                    );
                    continue;
                }
            };
            let Some(place) = RawPlace::of(&el.name) else {
                self.err(
                    codes::RAW_ELEMENT,
                    item.span,
                    format!("`<{}>` is not a configuration object", el.name),
                    "unknown element",
                    format!(
                        "a `raw` item is a resource, template, constraint, node, `cluster_property_set` or one of the sections {}",
                        RAW_SECTIONS.join(", ")
                    ),
                );
                continue;
            };
            match place {
                RawPlace::Section => {
                    if let Some(first) = sections.insert(el.name.to_string(), item.span) {
                        let d =
                            Diag::error(codes::RAW_SECTION_TWICE, format!("section `<{}>` is given twice", el.name))
                                .label(item.span, "given again")
                                .label(first, "first given here")
                                .help("merge the two into one element")
                                .in_source(self.src);
                        self.diags.push(d);
                    }
                    let native = match el.name.as_str() {
                        "rsc_defaults" if !raw.rsc_defaults.is_empty() => Some("rsc_defaults"),
                        "rsc_defaults" if !raw.rsc_defaults_sets.is_empty() => Some("rsc_defaults_sets"),
                        "op_defaults" if !raw.op_defaults.is_empty() => Some("op_defaults"),
                        "op_defaults" if !raw.op_defaults_sets.is_empty() => Some("op_defaults_sets"),
                        "fencing-topology" if !raw.fencing_levels.is_empty() => Some("fencing_levels"),
                        "tags" if !raw.tags.is_empty() => Some("tags"),
                        "alerts" if !raw.alerts.is_empty() => Some("alerts"),
                        "acls" if raw.acls.is_some() => Some("acls"),
                        _ => None,
                    };
                    if let Some(key) = native {
                        self.err(
                            codes::RAW_CONFLICT,
                            item.span,
                            format!("`<{}>` is given both here and as `{key}`", el.name),
                            "raw section",
                            format!("keep one: `{key}:`, or the raw section when it needs what `{key}` cannot say"),
                        );
                    }
                }
                RawPlace::PropertySet if crate::cib::is_plain_set(&el) => {
                    self.err(
                        codes::RAW_PLAIN_SET,
                        item.span,
                        format!("property set `{}` has no rule or score", el.id().unwrap_or_default()),
                        "plain set",
                        "write plain cluster properties under `properties`".into(),
                    );
                }
                RawPlace::Node => {
                    let uname = el.attr("uname").unwrap_or_default();
                    if uname.is_empty() {
                        self.err(
                            codes::RAW_NODE,
                            item.span,
                            "raw `<node>` has no `uname`".into(),
                            "no uname",
                            "give the node its name: `<node id=\"1\" uname=\"node1\"/>`".into(),
                        );
                    } else if let Some((k, _)) = raw.nodes.iter().find(|(k, _)| k.value == uname) {
                        let d = Diag::error(codes::NODE_DUPLICATE, format!("node `{uname}` is declared twice"))
                            .label(item.span, "declared again as raw XML")
                            .label(k.span, "first declared here")
                            .help("keep one of them")
                            .in_source(self.src);
                        self.diags.push(d);
                    }
                    self.raw_node_id(&el, raw, item.span);
                }
                _ => {}
            }
            let mut ids = Vec::new();
            declared_ids(&el, None, &mut ids);
            for id in ids {
                self.declare(&S::new(id.to_string(), item.span), "raw object");
            }
            crate::cib::nameable_ids(&el, &mut self.rsc_ids);
            out.push(RawObject { place, element: el });
        }
        out
    }
}

impl Validator<'_> {
    /// A raw node may not take the corosync id of a declared node.
    fn raw_node_id(&mut self, node: &Element, raw: &RawCluster, span: Span) {
        let Some(id) = node.id() else { return };
        if let Some((name, n)) = raw.nodes.iter().find(|(_, n)| n.id.value.0 == id) {
            let d = Diag::error(codes::NODE_DUPLICATE_ID, format!("node id {id} is used twice"))
                .label(span, "used again by raw XML")
                .label(n.id.span, format!("first used by `{}`", name.value))
                .help("every node needs its own id")
                .in_source(self.src);
            self.diags.push(d);
        }
    }
}
