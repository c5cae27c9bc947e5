//! Access control lists: roles and their permissions, and the users and groups that have them.
//! Checks shapes and references within `acls:`; what an XPath or a `reference` selects is the
//! CIB's business (Pacemaker ignores a permission that selects nothing).

use crate::config::raw::{RawAclPermission, RawAclTarget, RawCluster, S};
use crate::diag::codes;
use crate::model::{AclObject, AclPermission, AclRole, AclTarget, Acls};
use crate::vocab::is_xml_id;

use super::{one_of, Validator};

/// What a permission may do.
pub(crate) const KINDS: &[&str] = &["read", "write", "deny"];

impl Validator<'_> {
    pub(super) fn acls(&mut self, raw: &RawCluster) -> Acls {
        let Some(acls) = &raw.acls else { return Acls::default() };
        let a = &acls.value;
        let roles: Vec<AclRole> =
            a.roles.iter().map(|(id, r)| self.acl_role(id, &r.value.description, &r.value.permissions)).collect();
        let known: Vec<&str> = roles.iter().map(|r| r.id.as_str()).collect();
        let users = a.users.iter().map(|(id, t)| self.acl_target(id, &t.value, &known, "user")).collect();
        let groups = a.groups.iter().map(|(id, t)| self.acl_target(id, &t.value, &known, "group")).collect();
        Acls { roles, users, groups }
    }

    fn acl_role(
        &mut self,
        id: &S<String>,
        description: &Option<S<String>>,
        permissions: &[S<RawAclPermission>],
    ) -> AclRole {
        self.declare(id, "ACL role");
        let permissions = permissions.iter().filter_map(|p| self.acl_permission(&id.value, p)).collect();
        AclRole { id: id.value.clone(), description: description.as_ref().map(|d| d.value.clone()), permissions }
    }

    fn acl_permission(&mut self, role: &str, p: &S<RawAclPermission>) -> Option<AclPermission> {
        let r = &p.value;
        if let Some(pid) = &r.id {
            self.declare(pid, "ACL permission");
        }
        if !KINDS.contains(&r.kind.value.as_str()) {
            let msg = format!("unknown permission kind `{}` in role `{role}`", r.kind.value);
            self.err(codes::ACL_PERMISSION, r.kind.span, msg, "unknown", one_of(&r.kind.value, KINDS));
            return None;
        }
        let on = match (&r.xpath, &r.reference, &r.object_type) {
            (Some(x), None, None) if !x.value.is_empty() && r.attribute.is_none() => AclObject::Xpath(x.value.clone()),
            (None, Some(id), None) if r.attribute.is_none() => {
                if !is_xml_id(&id.value) {
                    let msg = format!("`{}` is not an id a permission can refer to", id.value);
                    let help = "`reference` is the id of an element of the CIB (a resource, a node, a set, ...)";
                    self.err(codes::ACL_PERMISSION, id.span, msg, "not an id", help.into());
                    return None;
                }
                AclObject::Reference(id.value.clone())
            }
            (None, None, Some(t)) if !t.value.is_empty() => AclObject::Type {
                object_type: t.value.clone(),
                attribute: r.attribute.as_ref().map(|a| a.value.clone()),
            },
            _ => {
                let msg =
                    format!("a permission of role `{role}` needs exactly one of `xpath`, `reference`, `object-type`");
                let help = "give `xpath: /cib/...`, `reference: ID`, or `object-type: TYPE` (with `attribute` only beside `object-type`)";
                self.err(codes::ACL_PERMISSION, p.span, msg, "here", help.into());
                return None;
            }
        };
        Some(AclPermission {
            id: r.id.as_ref().map(|i| i.value.clone()),
            kind: r.kind.value.clone(),
            on,
            description: r.description.as_ref().map(|d| d.value.clone()),
        })
    }

    fn acl_target(&mut self, id: &S<String>, t: &RawAclTarget, known: &[&str], what: &'static str) -> AclTarget {
        self.declare(id, if what == "user" { "ACL user" } else { "ACL group" });
        let (name, roles) = match t {
            RawAclTarget::Roles(r) => (None, r.as_slice()),
            RawAclTarget::Full(f) => (f.name.as_ref(), f.roles.as_slice()),
        };
        if let Some(n) = name.filter(|n| n.value.trim().is_empty()) {
            let msg = format!("ACL {what} `{}` has an empty name", id.value);
            self.err(
                codes::ACL_ROLE,
                n.span,
                msg,
                "empty",
                "give the name, or leave `name` out when it is the id".into(),
            );
        }
        let mut out: Vec<String> = Vec::new();
        for r in roles {
            if !known.contains(&r.value.as_str()) {
                let msg = format!("ACL {what} `{}` names role `{}`, which is not declared", id.value, r.value);
                self.err(codes::ACL_ROLE, r.span, msg, "no such role", one_of(&r.value, known));
            } else if out.contains(&r.value) {
                let msg = format!("ACL {what} `{}` names role `{}` twice", id.value, r.value);
                self.err(codes::ACL_ROLE, r.span, msg, "named again", "name each role once".into());
            } else {
                out.push(r.value.clone());
            }
        }
        AclTarget { id: id.value.clone(), name: name.map(|n| n.value.clone()), roles: out }
    }
}
