//! Model → CIB: a `raw:` item as Pacemaker must hold it. The parts whose ids pcs and Pacemaker
//! make up themselves (`cib::GENERATED_ID_PARTS`) may be left out of the item; they get one
//! here, in pcs's style (`PARENT-PART`). Nothing else of the item changes.

use super::Ids;
use crate::cib::xml::Element;
use crate::cib::GENERATED_ID_PARTS;

/// Give each part of `el` that needs an id and has none a fresh one derived from the nearest
/// id above it.
pub(super) fn fill_generated_ids(el: &mut Element, ids: &mut Ids) {
    let base = el.id().unwrap_or(&el.name).to_string();
    fill_below(el, &base, ids);
}

fn fill_below(el: &mut Element, base: &str, ids: &mut Ids) {
    let parent = el.id().unwrap_or(base).to_string();
    for c in el.elements_mut() {
        if c.id().is_none() && c.attr("id-ref").is_none() && GENERATED_ID_PARTS.contains(&c.name.as_str()) {
            let id = match c.attr("name") {
                Some(n) if c.name == "nvpair" => ids.fresh(&format!("{parent}-{n}")),
                _ => ids.fresh(&format!("{parent}-{}", c.name)),
            };
            // The id first, as pcs writes it.
            c.attrs.insert(0, ("id".into(), id.into()));
        }
        fill_below(c, &parent, ids);
    }
}
