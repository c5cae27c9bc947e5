//! The escape hatch: `raw:` CIB elements, held to the same id rules as native objects.

use crate::cib::xml::Element;
use crate::config::raw::{RawCluster, Span, S};
use crate::diag::{codes, Diag};
use crate::model::{RawObject, RawPlace, RAW_SECTIONS};
use std::collections::HashMap;

use super::Validator;

/// Elements whose `id` names another object instead of declaring one.
fn is_reference(el: &Element, parent: Option<&Element>) -> bool {
    matches!(el.name.as_str(), "resource_ref" | "obj_ref" | "node")
        || el.attr("id-ref").is_some()
        || (el.name == "role"
            && parent.is_some_and(|p| matches!(p.name.as_str(), "acl_target" | "acl_user" | "acl_group")))
}

/// Every id an element tree declares, in document order.
fn declared_ids<'a>(el: &'a Element, parent: Option<&'a Element>, out: &mut Vec<&'a str>) {
    if !is_reference(el, parent) {
        if let Some(id) = el.id() {
            out.push(id);
        }
    }
    for c in el.elements() {
        declared_ids(c, Some(el), out);
    }
}

impl Validator<'_> {
    /// Check the `raw:` items: well-formed XML, a configuration object cibform knows where to
    /// put, ids unique across the whole file, no section given twice.
    pub(super) fn raw_objects(&mut self, raw: &RawCluster) -> Vec<RawObject> {
        let mut out = Vec::new();
        let mut sections: HashMap<String, Span> = HashMap::new();
        for item in &raw.raw {
            let el = match Element::parse(&item.value) {
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
                    if let Some(first) = sections.insert(el.name.clone(), item.span) {
                        let d =
                            Diag::error(codes::RAW_SECTION_TWICE, format!("section `<{}>` is given twice", el.name))
                                .label(item.span, "given again")
                                .label(first, "first given here")
                                .help("merge the two into one element")
                                .in_source(self.src);
                        self.diags.push(d);
                    }
                    let native = match el.name.as_str() {
                        "rsc_defaults" => raw.rsc_defaults.0.first(),
                        "op_defaults" => raw.op_defaults.0.first(),
                        _ => None,
                    };
                    if native.is_some() {
                        self.err(
                            codes::RAW_CONFLICT,
                            item.span,
                            format!("`<{}>` is given both here and as `{}`", el.name, el.name),
                            "raw section",
                            format!(
                                "keep one: `{}:` for plain values, or the raw section when it needs rules",
                                el.name
                            ),
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
