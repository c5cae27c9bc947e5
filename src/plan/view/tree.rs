//! XML the views do not model (`raw:` items, unknown children) compared as a tree, not as text.
//!
//! What Pacemaker ignores vanishes: attribute order, whitespace, comments, the order of
//! children where its schema or its reading makes order meaningless, and the ids of the parts
//! pcs and Pacemaker name themselves (`cib::GENERATED_ID_PARTS`: nvpairs, sets, ops, rules,
//! permissions, ...) below the object's own id. Order is kept where it means something: a
//! group's members, resource sets and their members, the sets of one kind in an object (the
//! first set wins a name), a rule's expressions (kept as written, to be safe), a tag's members.
//! Pure; no I/O.

use crate::cib::xml::{Element, Node, XmlStr};
use crate::cib::GENERATED_ID_PARTS;

/// Parents whose children are a set: any order means the same.
const UNORDERED: &[&str] = &[
    "operations",
    "acls",
    "acl_role",
    "acl_target",
    "acl_group",
    "alerts",
    "select",
    "select_attributes",
    "tags",
    "fencing-topology",
    "nodes",
    "network",
    "storage",
];

/// Parents whose children of one kind keep their order, while kinds may come in any order
/// (an nvset's nvpairs by name: the first of a repeated name wins).
const BY_KIND: &[&str] = &[
    "primitive",
    "template",
    "clone",
    "master",
    "bundle",
    "alert",
    "recipient",
    "node",
    "instance_attributes",
    "meta_attributes",
    "utilization",
    "cluster_property_set",
    "op",
];

/// The canonical text of `el` for comparison: equal exactly when Pacemaker reads the same.
pub fn semantic_xml(el: &Element) -> String {
    let mut out = String::new();
    write(el, true, &mut out);
    out
}

fn write(el: &Element, top: bool, out: &mut String) {
    let generated = !top && GENERATED_ID_PARTS.contains(&el.name.as_str());
    let mut attrs: Vec<&(XmlStr, XmlStr)> = el.attrs.iter().filter(|(k, _)| !(generated && k == "id")).collect();
    attrs.sort();
    out.push('<');
    out.push_str(&el.name);
    for (k, v) in attrs {
        out.push_str(&format!(" {k}={v:?}"));
    }
    let mut children: Vec<(String, String)> = el
        .children
        .iter()
        .filter_map(|n| match n {
            Node::Element(c) => {
                let mut text = String::new();
                write(c, false, &mut text);
                Some((sort_key(c), text))
            }
            Node::Text(t) if !t.trim().is_empty() => Some((String::new(), format!("{:?}", t.trim()))),
            _ => None,
        })
        .collect();
    if UNORDERED.contains(&el.name.as_str()) {
        children.sort();
    } else if BY_KIND.contains(&el.name.as_str()) {
        children.sort_by(|a, b| a.0.cmp(&b.0));
    }
    if children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    children.into_iter().for_each(|(_, t)| out.push_str(&t));
    out.push_str(&format!("</{}>", el.name));
}

/// What orders `c` among its siblings in a `BY_KIND` parent: its element name (and an nvpair's
/// name, so a set's pairs compare by name).
fn sort_key(c: &Element) -> String {
    match c.name.as_str() {
        "nvpair" => format!("nvpair {}", c.attr("name").unwrap_or_default()),
        n => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        semantic_xml(&Element::parse(a).unwrap()) == semantic_xml(&Element::parse(b).unwrap())
    }

    #[test]
    fn attribute_order_whitespace_comments_and_set_order_mean_nothing() {
        assert!(same(
            r#"<acls><acl_role id="r" description="d"><acl_permission id="p1" kind="read" xpath="/cib"/><acl_permission id="p2" kind="write" xpath="//nodes"/></acl_role><acl_target id="u"><role id="r"/></acl_target></acls>"#,
            "<acls>\n  <!-- who -->\n  <acl_target id=\"u\">\n    <role id=\"r\"/>\n  </acl_target>\n  <acl_role description=\"d\" id=\"r\">\n    <acl_permission kind=\"write\" xpath=\"//nodes\" id=\"x1\"/>\n    <acl_permission xpath=\"/cib\" kind=\"read\" id=\"x2\"/>\n  </acl_role>\n</acls>",
        ));
        assert!(same(
            r#"<bundle id="b"><docker image="i"/><network ip-range-start="10.0.0.1"><port-mapping id="m1" port="80"/><port-mapping id="m2" port="443"/></network></bundle>"#,
            r#"<bundle id="b"><network ip-range-start="10.0.0.1"><port-mapping id="b-port-map-443" port="443"/><port-mapping id="b-port-map-80" port="80"/></network><docker image="i"/></bundle>"#,
        ));
    }

    #[test]
    fn real_changes_and_meaningful_order_still_differ() {
        assert!(!same(r#"<acls><acl_role id="r"/></acls>"#, r#"<acls><acl_role id="s"/></acls>"#));
        assert!(!same(
            r#"<rsc_ticket id="t" rsc="a" ticket="T"/>"#,
            r#"<rsc_ticket id="t" rsc="a" ticket="T" loss-policy="stop"/>"#
        ));
        // A group's members and a resource set's members keep their order.
        assert!(!same(
            r#"<rsc_order id="o"><resource_set id="s"><resource_ref id="a"/><resource_ref id="b"/></resource_set></rsc_order>"#,
            r#"<rsc_order id="o"><resource_set id="s"><resource_ref id="b"/><resource_ref id="a"/></resource_set></rsc_order>"#
        ));
        // Two sets of one kind: the first wins a name, so their order counts.
        assert!(!same(
            r#"<template id="t"><meta_attributes id="a"><nvpair id="1" name="x" value="1"/></meta_attributes><meta_attributes id="b"><nvpair id="2" name="x" value="2"/></meta_attributes></template>"#,
            r#"<template id="t"><meta_attributes id="b"><nvpair id="2" name="x" value="2"/></meta_attributes><meta_attributes id="a"><nvpair id="1" name="x" value="1"/></meta_attributes></template>"#
        ));
        // The object's own id and a reference's id are not generated.
        assert!(!same(
            r#"<tags><tag id="t"><obj_ref id="a"/></tag></tags>"#,
            r#"<tags><tag id="t"><obj_ref id="b"/></tag></tags>"#
        ));
    }

    #[test]
    fn ids_pcs_or_pacemaker_generate_mean_nothing() {
        assert!(same(
            r#"<template id="t" class="ocf" provider="heartbeat" type="IPaddr2"><instance_attributes id="t-instance_attributes"><nvpair id="t-instance_attributes-ip" name="ip" value="10.0.0.1"/></instance_attributes><operations><op id="t-monitor-interval-10s" name="monitor" interval="10s"/></operations></template>"#,
            r#"<template id="t" class="ocf" provider="heartbeat" type="IPaddr2"><instance_attributes id="ia"><nvpair id="ip" name="ip" value="10.0.0.1"/></instance_attributes><operations><op id="mon" name="monitor" interval="10s"/></operations></template>"#,
        ));
    }
}
