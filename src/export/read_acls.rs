//! CIB → model: the `<acls>` section of schema 2.0 and 3.8 (roles, `acl_target`, `acl_group`).
//! The 1.x form (`acl_user`, `<read>`/`<write>` elements), comments, unknown attributes, a role
//! reference to no role of the section and ids the file cannot declare keep the section raw.

use super::read::{extra_attr, NotNative, Reader};
use crate::cib::xml::{Element, Node};
use crate::model::{AclObject, AclPermission, AclRole, AclTarget, Acls};
use crate::vocab::is_xml_id;

impl Reader<'_> {
    pub(super) fn acls(&self, top: &Element) -> Result<Acls, NotNative> {
        no_text(top)?;
        let mut acls = Acls::default();
        for c in top.elements() {
            match c.name.as_str() {
                "acl_role" => acls.roles.push(role(c)?),
                "acl_target" => acls.users.push(target(c)?),
                "acl_group" => acls.groups.push(target(c)?),
                other => return Err(format!("`<{other}>` in it")),
            }
        }
        for t in acls.users.iter().chain(&acls.groups) {
            if let Some(r) = t.roles.iter().find(|r| !acls.roles.iter().any(|x| &x.id == *r)) {
                return Err(format!("`{}` has role `{r}`, which is not in the section", t.id));
            }
        }
        Ok(acls)
    }
}

fn no_text(el: &Element) -> Result<(), NotNative> {
    if el.children.iter().any(|n| !matches!(n, Node::Element(_))) {
        return Err(format!("comments or text in `<{}>`", el.name));
    }
    Ok(())
}

fn id_of(el: &Element) -> Result<String, NotNative> {
    match el.id() {
        Some(id) if is_xml_id(id) => Ok(id.to_string()),
        other => Err(format!("`<{}>` with id {other:?}", el.name)),
    }
}

fn role(r: &Element) -> Result<AclRole, NotNative> {
    no_text(r)?;
    extra_attr(r, &["description"])?;
    let id = id_of(r)?;
    let mut permissions: Vec<AclPermission> = Vec::new();
    for p in r.elements() {
        if p.name != "acl_permission" || !p.children.is_empty() {
            return Err(format!("`<{}>` in role `{id}`", p.name));
        }
        extra_attr(p, &["kind", "xpath", "reference", "object-type", "attribute", "description"])?;
        let kind = p.attr("kind").filter(|k| crate::validate::acl_kinds().contains(k));
        let kind = kind.ok_or_else(|| format!("a permission of `{id}` without a known kind"))?.to_string();
        let on = match (p.attr("xpath"), p.attr("reference"), p.attr("object-type"), p.attr("attribute")) {
            (Some(x), None, None, None) if !x.is_empty() => AclObject::Xpath(x.into()),
            (None, Some(x), None, None) if is_xml_id(x) => AclObject::Reference(x.into()),
            (None, None, Some(t), a) if !t.is_empty() => {
                AclObject::Type { object_type: t.into(), attribute: a.map(str::to_string) }
            }
            _ => return Err(format!("a permission of `{id}` without exactly one object")),
        };
        // Leave out the ids pcs gives anyway: `ROLE-KIND`, then `ROLE-KIND-1`, ...
        let nth = permissions.iter().filter(|x| x.kind == kind).count();
        let pcs = if nth == 0 { format!("{id}-{kind}") } else { format!("{id}-{kind}-{nth}") };
        let pid = id_of(p)?;
        let description = p.attr("description").map(str::to_string);
        permissions.push(AclPermission { id: (pid != pcs).then_some(pid), kind, on, description });
    }
    Ok(AclRole { id, description: r.attr("description").map(str::to_string), permissions })
}

fn target(t: &Element) -> Result<AclTarget, NotNative> {
    no_text(t)?;
    extra_attr(t, &["name"])?;
    let id = id_of(t)?;
    let mut roles: Vec<String> = Vec::new();
    for r in t.elements() {
        if r.name != "role" || !r.children.is_empty() {
            return Err(format!("`<{}>` in `{id}`", r.name));
        }
        extra_attr(r, &[])?;
        let rid = r.id().unwrap_or_default().to_string();
        if roles.contains(&rid) {
            return Err(format!("`{id}` has role `{rid}` twice"));
        }
        roles.push(rid);
    }
    let name = t.attr("name").filter(|n| !n.trim().is_empty()).map(str::to_string);
    if t.attr("name").is_some() && name.is_none() {
        return Err(format!("`{id}` with an empty name"));
    }
    Ok(AclTarget { id, name, roles })
}
