//! Stage: CIB text ⇄ element tree.
//!
//! A small owned XML tree that keeps what Pacemaker keeps: element names, attributes in
//! document order, child elements, text and comments. It parses with `roxmltree` (which
//! refuses DTDs and entity expansion, so no billion-laughs) and writes back with stable
//! formatting. It knows nothing about what a CIB means; see `cib::Cib` for that.

use std::fmt::Write as _;

/// One child of an element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
    Comment(String),
}

/// An XML element with ordered attributes and children.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

/// Where in the source an XML error sits, plus what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    pub message: String,
    /// Byte offset into the source text.
    pub offset: usize,
}

impl Element {
    /// A new element with no attributes or children.
    pub fn new(name: impl Into<String>) -> Self {
        Element { name: name.into(), attrs: Vec::new(), children: Vec::new() }
    }

    /// Builder: set an attribute.
    #[must_use]
    pub fn with_attr(mut self, name: &str, value: impl Into<String>) -> Self {
        self.set_attr(name, value);
        self
    }

    /// Builder: append a child element.
    #[must_use]
    pub fn with_child(mut self, child: Element) -> Self {
        self.children.push(Node::Element(child));
        self
    }

    /// The value of an attribute, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The `id` attribute, if present.
    pub fn id(&self) -> Option<&str> {
        self.attr("id")
    }

    /// Set (or replace in place) an attribute, keeping attribute order stable.
    pub fn set_attr(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        if let Some(slot) = self.attrs.iter_mut().find(|(k, _)| k == name) {
            slot.1 = value;
        } else {
            self.attrs.push((name.to_string(), value));
        }
    }

    /// Remove an attribute; returns its old value.
    pub fn remove_attr(&mut self, name: &str) -> Option<String> {
        let pos = self.attrs.iter().position(|(k, _)| k == name)?;
        Some(self.attrs.remove(pos).1)
    }

    /// Child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    /// Child elements, mutable, in order.
    pub fn elements_mut(&mut self) -> impl Iterator<Item = &mut Element> {
        self.children.iter_mut().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    /// The first child element with this name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// The first child element with this name, mutable.
    pub fn child_mut(&mut self, name: &str) -> Option<&mut Element> {
        self.elements_mut().find(|e| e.name == name)
    }

    /// The first child with this name, created (appended) when missing.
    pub fn child_or_insert(&mut self, name: &str) -> &mut Element {
        if self.child(name).is_none() {
            self.children.push(Node::Element(Element::new(name)));
        }
        self.child_mut(name).expect("just inserted")
    }

    /// Concatenated text content of this element (direct text children only).
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Depth-first search for an element with this `id`.
    pub fn find_id(&self, id: &str) -> Option<&Element> {
        if self.id() == Some(id) {
            return Some(self);
        }
        self.elements().find_map(|e| e.find_id(id))
    }

    /// Every `id` attribute in this subtree, in document order.
    pub fn collect_ids<'a>(&'a self, out: &mut Vec<&'a str>) {
        if let Some(id) = self.id() {
            out.push(id);
        }
        for e in self.elements() {
            e.collect_ids(out);
        }
    }

    /// Drop whitespace-only text children recursively (indentation is not content in a CIB).
    pub fn trim_whitespace(&mut self) {
        self.children.retain(|n| !matches!(n, Node::Text(t) if t.trim().is_empty()));
        for e in self.elements_mut() {
            e.trim_whitespace();
        }
    }

    /// Parse a document and return its root element (whitespace-only text dropped).
    ///
    /// # Errors
    /// Returns the parser's message and the byte offset of the problem.
    pub fn parse(text: &str) -> Result<Element, XmlError> {
        let opts = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: u32::MAX };
        let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|e| {
            let pos = e.pos();
            XmlError { message: e.to_string(), offset: offset_of(text, pos.row, pos.col) }
        })?;
        let mut root = convert(doc.root_element());
        root.trim_whitespace();
        Ok(root)
    }

    /// Serialise with two-space indentation, as `cibadmin --query` prints.
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out
    }

    fn write(&self, out: &mut String, depth: usize) {
        let pad = "  ".repeat(depth);
        let _ = write!(out, "{pad}<{}", self.name);
        for (k, v) in &self.attrs {
            let _ = write!(out, " {k}=\"{}\"", escape(v, true));
        }
        if self.children.is_empty() {
            out.push_str("/>\n");
            return;
        }
        let only_text = self.children.iter().all(|n| matches!(n, Node::Text(_)));
        if only_text {
            let _ = writeln!(out, ">{}</{}>", escape(&self.text(), false), self.name);
            return;
        }
        out.push_str(">\n");
        for c in &self.children {
            match c {
                Node::Element(e) => e.write(out, depth + 1),
                Node::Text(t) => {
                    let _ = writeln!(out, "{pad}  {}", escape(t.trim(), false));
                }
                Node::Comment(t) => {
                    let _ = writeln!(out, "{pad}  <!--{t}-->");
                }
            }
        }
        let _ = writeln!(out, "{pad}</{}>", self.name);
    }
}

fn convert(node: roxmltree::Node<'_, '_>) -> Element {
    let mut el = Element::new(node.tag_name().name());
    for a in node.attributes() {
        el.attrs.push((a.name().to_string(), a.value().to_string()));
    }
    for c in node.children() {
        if c.is_element() {
            el.children.push(Node::Element(convert(c)));
        } else if c.is_text() {
            el.children.push(Node::Text(c.text().unwrap_or_default().to_string()));
        } else if c.is_comment() {
            el.children.push(Node::Comment(c.text().unwrap_or_default().to_string()));
        }
    }
    el
}

fn offset_of(text: &str, row: u32, col: u32) -> usize {
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == row as usize {
            let col_bytes: usize = line.chars().take(col.saturating_sub(1) as usize).map(char::len_utf8).sum();
            return offset + col_bytes;
        }
        offset += line.len();
    }
    text.len()
}

/// Can XML 1.0 hold this character at all (raw or as a reference)? Not the C0 controls but tab
/// and line breaks, nor U+FFFE and U+FFFF.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escape text for an attribute value (`attr = true`) or element content. A carriage return is
/// always a reference: a parser would turn a raw one into a line feed (or a space).
pub fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' if attr => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_attributes_children_and_comments() {
        let src = r#"<cib a="1" b="x &amp; &quot;y&quot;"><configuration><!-- hi --><nodes/></configuration></cib>"#;
        let el = Element::parse(src).unwrap();
        assert_eq!(el.attr("b"), Some("x & \"y\""));
        let again = Element::parse(&el.to_xml()).unwrap();
        assert_eq!(el, again);
        assert!(matches!(el.child("configuration").unwrap().children[0], Node::Comment(_)));
    }

    #[test]
    fn refuses_doctype_entities() {
        let bomb = r#"<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>"#;
        assert!(Element::parse(bomb).is_err());
    }

    #[test]
    fn error_offset_points_into_source() {
        let src = "<cib>\n  <configuration>\n</cib>";
        let err = Element::parse(src).unwrap_err();
        assert!(err.offset > 5 && err.offset <= src.len(), "{err:?}");
    }
}
