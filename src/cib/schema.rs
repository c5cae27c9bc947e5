//! Forms of the configuration that need a newer CIB schema than the one a CIB validates with
//! (`validate-with="pacemaker-X.Y"`): Pacemaker refuses a CIB holding them, and the cluster
//! file does not know the target's schema when it is validated. Pure; reads XML only.

use super::xml::Element;

/// A form that needs a schema: an element (within a parent, or anywhere), or one of its
/// attributes.
struct Needs {
    element: &'static str,
    /// Its parent's name; `""`: any.
    within: &'static str,
    /// The attribute; `""`: the element itself.
    attr: &'static str,
    /// The first schema that has it.
    since: (u32, u32),
    /// What to call it.
    what: &'static str,
}

const fn needs(
    element: &'static str,
    within: &'static str,
    attr: &'static str,
    since: (u32, u32),
    what: &'static str,
) -> Needs {
    Needs { element, within, attr, since, what }
}

const NEEDS: &[Needs] = &[
    needs("acl_target", "", "name", (3, 8), "an ACL user's `name`"),
    needs("acl_group", "", "name", (3, 8), "an ACL group's `name`"),
    needs("bundle", "", "", (2, 8), "bundles"),
    needs("rkt", "bundle", "", (2, 10), "rkt bundles"),
    needs("podman", "bundle", "", (3, 2), "podman bundles"),
    needs("select", "alert", "", (2, 10), "an alert's `select`"),
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
    for n in NEEDS {
        let matches = el.name == n.element && (n.within.is_empty() || n.within == parent);
        if matches && (n.attr.is_empty() || el.attr(n.attr).is_some()) && n.since > have {
            let found = (n.what, format!("{}.{}", n.since.0, n.since.1));
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
