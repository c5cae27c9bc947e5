//! Forms of the configuration that need a newer CIB schema than the one a CIB validates with
//! (`validate-with="pacemaker-X.Y"`): Pacemaker refuses a CIB holding them, and the cluster
//! file does not know the target's schema when it is validated. Pure; reads XML only.

use super::xml::Element;

/// What needs which schema: (element, its parent or `""` for any, an attribute or `""` for the
/// element itself, the first schema that has it, what to call it).
const NEEDS: &[(&str, &str, &str, (u32, u32), &str)] = &[
    ("acl_target", "", "name", (3, 8), "an ACL user's `name`"),
    ("acl_group", "", "name", (3, 8), "an ACL group's `name`"),
    ("bundle", "", "", (2, 8), "bundles"),
    ("rkt", "bundle", "", (2, 10), "rkt bundles"),
    ("podman", "bundle", "", (3, 2), "podman bundles"),
    ("select", "alert", "", (2, 10), "an alert's `select`"),
];

/// The schema a CIB's root names (`pacemaker-3.7` is `(3, 7)`); `None` for `pacemaker-next`,
/// `none` or anything else, which this check leaves alone.
pub fn version(root: &Element) -> Option<(u32, u32)> {
    let v = root.attr("validate-with")?.strip_prefix("pacemaker-")?;
    let (major, minor) = v.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// The forms in `config` that schema `have` does not have, each once: (what, the schema it
/// needs as `X.Y`).
pub fn too_new(config: &Element, have: (u32, u32)) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    walk(config, "", have, &mut out);
    out
}

fn walk(el: &Element, parent: &str, have: (u32, u32), out: &mut Vec<(&'static str, String)>) {
    for &(name, within, attr, need, what) in NEEDS {
        let matches = el.name == name && (within.is_empty() || within == parent);
        if matches && (attr.is_empty() || el.attr(attr).is_some()) && need > have {
            let found = (what, format!("{}.{}", need.0, need.1));
            if !out.contains(&found) {
                out.push(found);
            }
        }
    }
    el.elements().for_each(|c| walk(c, &el.name, have, out));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_newer_than_the_schema_are_found() {
        let cib = Element::parse(r#"<cib validate-with="pacemaker-3.0"/>"#).unwrap();
        assert_eq!(version(&cib), Some((3, 0)));
        assert_eq!(version(&Element::parse(r#"<cib validate-with="pacemaker-next"/>"#).unwrap()), None);
        let c = Element::parse(
            r#"<configuration><acls><acl_target id="c" name="carol"/><acl_target id="d"/></acls><resources><bundle id="b"><podman image="i"/></bundle></resources></configuration>"#,
        )
        .unwrap();
        assert_eq!(too_new(&c, (3, 0)), [("an ACL user's `name`", "3.8".into()), ("podman bundles", "3.2".into())]);
        assert!(too_new(&c, (3, 8)).is_empty());
    }
}
