//! References by id inside a configuration (`id-ref`, an ACL permission's `reference`) that
//! name no element of it: Pacemaker's schema refuses such a CIB. Pure; reads XML only.
//!
//! The semantic diff does not see the ids of the parts pcs and Pacemaker name themselves
//! (`GENERATED_ID_PARTS`), and the merge keeps the CIB's ids for them, so a `raw:` item that
//! renames such a part, and another that refers to it by the new id, plan as one change that
//! `apply` cannot make. Checking the planned configuration catches that, whatever the path.

use super::xml::Element;

/// The ids referred to in `config` that no element of it declares (sorted, each once).
pub fn dangling(config: &Element) -> Vec<String> {
    let mut declared = Vec::new();
    config.collect_ids(&mut declared);
    let declared: std::collections::HashSet<&str> = declared.into_iter().collect();
    let mut refs = Vec::new();
    referred(config, &mut refs);
    let mut out: Vec<String> = refs.into_iter().filter(|r| !declared.contains(r)).map(str::to_string).collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn referred<'a>(el: &'a Element, out: &mut Vec<&'a str>) {
    out.extend(el.attr("id-ref"));
    if el.name == "acl_permission" {
        out.extend(el.attr("reference"));
    }
    el.elements().for_each(|c| referred(c, out));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_to_nothing_are_found() {
        let c = Element::parse(
            r#"<configuration><constraints><rsc_location id="a" rsc="x"><rule id="r1" score="1"><expression id="e" attribute="a" operation="defined"/></rule></rsc_location><rsc_location id="b" rsc="y"><rule id-ref="r2"/></rsc_location><rsc_location id="c" rsc="y"><rule id-ref="r1"/></rsc_location></constraints><acls><acl_role id="o"><acl_permission id="p" kind="read" reference="gone"/><acl_permission id="q" kind="read" reference="a"/></acl_role></acls></configuration>"#,
        )
        .unwrap();
        assert_eq!(dangling(&c), ["gone", "r2"]);
    }
}
