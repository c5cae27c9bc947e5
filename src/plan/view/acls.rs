//! The view of `<acls>`: each role with its permissions, each user and group with its roles.
//! Pacemaker unions a target's roles and ranks matching permissions by specificity and kind
//! (deny, then write, then read), never by their place: so order and permission ids mean
//! nothing here. Pure; no I/O.

use super::View;
use crate::cib::xml::Element;

/// `role R` = its description; `role R KIND xpath X` (or `reference ID`, `object-type T
/// [attribute A]`) = the permission's description; `user U` / `group G` = its roles, sorted;
/// `user U name` = its name when not the id. Anything else is kept as XML.
pub(super) fn acls_view(el: &Element) -> View {
    let mut v = View::new();
    for c in el.elements() {
        let id = c.id().unwrap_or_default();
        match c.name.as_str() {
            "acl_role" if only(c, &["id", "description"]) => role(c, id, &mut v),
            "acl_target" | "acl_group" if only(c, &["id", "name"]) && c.elements().all(is_role_ref) => {
                let what = if c.name == "acl_target" { "user" } else { "group" };
                let mut roles: Vec<&str> = c.elements().filter_map(Element::id).collect();
                roles.sort_unstable();
                v.push((format!("{what} {id}"), roles.join(", ")));
                if let Some(n) = c.attr("name") {
                    v.push((format!("{what} {id} name"), n.to_string()));
                }
            }
            _ => v.push((format!("xml {}", c.name), super::semantic_xml(c))),
        }
    }
    v.sort();
    v
}

fn role(r: &Element, id: &str, v: &mut View) {
    v.push((format!("role {id}"), r.attr("description").unwrap_or_default().to_string()));
    for p in r.elements() {
        const KNOWN: &[&str] = &["id", "kind", "xpath", "reference", "object-type", "attribute", "description"];
        let on = ["xpath", "reference", "object-type", "attribute"]
            .iter()
            .filter_map(|a| p.attr(a).map(|x| format!(" {a} {x}")))
            .collect::<String>();
        if p.name == "acl_permission" && only(p, KNOWN) && p.elements().next().is_none() {
            let kind = p.attr("kind").unwrap_or_default();
            v.push((format!("role {id} {kind}{on}"), p.attr("description").unwrap_or_default().to_string()));
        } else {
            v.push((format!("role {id} xml {}", p.name), super::semantic_xml(p)));
        }
    }
}

fn only(el: &Element, allowed: &[&str]) -> bool {
    el.attrs.iter().all(|(k, _)| allowed.contains(&k.as_str()))
}

fn is_role_ref(r: &Element) -> bool {
    r.name == "role" && only(r, &["id"]) && r.elements().next().is_none()
}
