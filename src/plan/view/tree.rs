//! Raw XML compared as a tree (stub).

use crate::cib::xml::Element;

/// The canonical text of an element for comparison.
pub fn semantic_xml(el: &Element) -> String {
    crate::cib::canonical_xml(el)
}
