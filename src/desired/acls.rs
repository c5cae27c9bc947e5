//! Model → CIB: the `<acls>` section, with the ids pcs gives (`ROLE-KIND`, `ROLE-KIND-1`, ...).
//! Builds XML only; what the section means is compared in `plan::view`.

use super::Ids;
use crate::cib::xml::Element;
use crate::model::{AclObject, AclRole, AclTarget, Acls};

/// Reserve the ids the file chose: roles, users, groups and explicit permission ids.
pub(super) fn reserve(acls: &Acls, ids: &mut Ids) {
    for r in &acls.roles {
        ids.reserve(&r.id);
        r.permissions.iter().filter_map(|p| p.id.as_deref()).for_each(|p| ids.reserve(p));
    }
    acls.users.iter().chain(&acls.groups).for_each(|t| ids.reserve(&t.id));
}

/// The `<acls>` section: roles, then users (`acl_target`), then groups, each in file order.
pub(super) fn acls_xml(acls: &Acls, ids: &mut Ids) -> Element {
    let mut el = Element::new("acls");
    for r in &acls.roles {
        el = el.with_child(role_xml(r, ids));
    }
    for t in &acls.users {
        el = el.with_child(target_xml("acl_target", t));
    }
    for t in &acls.groups {
        el = el.with_child(target_xml("acl_group", t));
    }
    el
}

fn role_xml(r: &AclRole, ids: &mut Ids) -> Element {
    let mut el = Element::new("acl_role").with_attr("id", &r.id);
    if let Some(d) = &r.description {
        el.set_attr("description", d);
    }
    for p in &r.permissions {
        let id = p.id.clone().unwrap_or_else(|| ids.fresh(&format!("{}-{}", r.id, p.kind)));
        let mut perm = Element::new("acl_permission").with_attr("id", id).with_attr("kind", &p.kind);
        match &p.on {
            AclObject::Xpath(x) => perm.set_attr("xpath", x),
            AclObject::Reference(x) => perm.set_attr("reference", x),
            AclObject::Type { object_type, attribute } => {
                perm.set_attr("object-type", object_type);
                if let Some(a) = attribute {
                    perm.set_attr("attribute", a);
                }
            }
        }
        if let Some(d) = &p.description {
            perm.set_attr("description", d);
        }
        el = el.with_child(perm);
    }
    el
}

fn target_xml(tag: &str, t: &AclTarget) -> Element {
    let mut el = Element::new(tag).with_attr("id", &t.id);
    if let Some(n) = &t.name {
        el.set_attr("name", n);
    }
    t.roles.iter().fold(el, |el, r| el.with_child(Element::new("role").with_attr("id", r)))
}
