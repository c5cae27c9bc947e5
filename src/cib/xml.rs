//! Stage: CIB text ⇄ element tree.
//!
//! A small owned XML tree that keeps what Pacemaker keeps: element names, attributes in
//! document order, child elements, text and comments. It parses with `roxmltree` (which
//! refuses DTDs and entity expansion, so no billion-laughs) and writes back with stable
//! formatting. It knows nothing about what a CIB means; see `cib::Cib` for that.
//!
//! Names and attribute values are [`XmlStr`]s: a CIB's names and most of its values are short
//! (`nvpair`, `id`, `monitor`, `10s`) and are kept inline, so reading, building and cloning a
//! large tree does not allocate once per string (issue 13).

/// A name or attribute value of the tree: a string kept inline up to 24 bytes.
pub type XmlStr = compact_str::CompactString;

/// How deep elements may nest in a document we read: libxml2's default, so what we accept
/// Pacemaker accepts too, and every recursive walk of a tree stays far from the stack's end.
pub const MAX_DEPTH: usize = 256;

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
    pub name: XmlStr,
    pub attrs: Vec<(XmlStr, XmlStr)>,
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
    pub fn new(name: impl Into<XmlStr>) -> Self {
        Element { name: name.into(), attrs: Vec::new(), children: Vec::new() }
    }

    /// Builder: set an attribute.
    #[must_use]
    pub fn with_attr(mut self, name: &str, value: impl Into<XmlStr>) -> Self {
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
    pub fn set_attr(&mut self, name: &str, value: impl Into<XmlStr>) {
        let value = value.into();
        if let Some(slot) = self.attrs.iter_mut().find(|(k, _)| k == name) {
            slot.1 = value;
        } else {
            self.attrs.push((name.into(), value));
        }
    }

    /// Remove an attribute; returns its old value.
    pub fn remove_attr(&mut self, name: &str) -> Option<String> {
        let pos = self.attrs.iter().position(|(k, _)| k == name)?;
        Some(self.attrs.remove(pos).1.into_string())
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
        Element::parse_within(text, MAX_DEPTH)
    }

    /// Parse one configuration object that will sit under `<cib><configuration><section>`: its
    /// own nesting may use what the CIB's limit leaves.
    ///
    /// # Errors
    /// As [`Element::parse`].
    pub fn parse_object(text: &str) -> Result<Element, XmlError> {
        Element::parse_within(text, MAX_DEPTH - 3)
    }

    /// Parse a document whose elements nest at most `max_depth` deep (the root is depth 1).
    ///
    /// # Errors
    /// As [`Element::parse`], and a too deep element (refused before anything recurses into it).
    pub fn parse_within(text: &str, max_depth: usize) -> Result<Element, XmlError> {
        if let Some(offset) = too_deep(text, max_depth) {
            return Err(XmlError { message: format!("elements are nested more than {max_depth} deep"), offset });
        }
        let opts = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: u32::MAX };
        let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|e| {
            let pos = e.pos();
            XmlError { message: e.to_string(), offset: offset_of(text, pos.row, pos.col) }
        })?;
        Ok(convert(doc.root_element()))
    }

    /// Serialise with two-space indentation, as `cibadmin --query` prints.
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write_xml(&mut out);
        out
    }

    /// Write what [`Element::to_xml`] returns into `out`, without building the text first (a
    /// digest of a large configuration hashes it as it is written).
    pub fn write_xml(&self, out: &mut impl std::fmt::Write) {
        // Writing to a `String` or a hasher cannot fail.
        let _ = self.write(out, 0);
    }

    fn write(&self, out: &mut impl std::fmt::Write, depth: usize) -> std::fmt::Result {
        pad(out, depth)?;
        write!(out, "<{}", self.name)?;
        for (k, v) in &self.attrs {
            write!(out, " {k}=\"")?;
            write_escaped(out, v)?;
            out.write_char('"')?;
        }
        if self.children.is_empty() {
            return out.write_str("/>\n");
        }
        let only_text = self.children.iter().all(|n| matches!(n, Node::Text(_)));
        if only_text {
            out.write_char('>')?;
            write_escaped(out, &self.text())?;
            return writeln!(out, "</{}>", self.name);
        }
        out.write_str(">\n")?;
        for c in &self.children {
            match c {
                Node::Element(e) => e.write(out, depth + 1)?,
                Node::Text(t) => {
                    pad(out, depth + 1)?;
                    write_escaped(out, t.trim())?;
                    out.write_char('\n')?;
                }
                Node::Comment(t) => {
                    pad(out, depth + 1)?;
                    writeln!(out, "<!--{t}-->")?;
                }
            }
        }
        pad(out, depth)?;
        writeln!(out, "</{}>", self.name)
    }
}

/// Two spaces per level of depth.
fn pad(out: &mut impl std::fmt::Write, depth: usize) -> std::fmt::Result {
    const SPACES: &str = "                                                                ";
    let mut left = 2 * depth;
    while left > 0 {
        let n = left.min(SPACES.len());
        out.write_str(&SPACES[..n])?;
        left -= n;
    }
    Ok(())
}

/// The byte offset of the first element nested deeper than `max_depth`, found by a flat scan
/// before the parser runs (roxmltree's tokenizer recurses once per open element, so a deep
/// document would overflow the stack inside it). The scan follows XML's lexical structure
/// (comments, CDATA, processing instructions, quoted attribute values), so on a well-formed
/// document it counts exactly what the parser will see; on a malformed one the parser stops at
/// the first error, before it is any deeper than the scan counted.
fn too_deep(text: &str, max_depth: usize) -> Option<usize> {
    let b = text.as_bytes();
    let skip_past = |from: usize, end: &[u8]| {
        b[from..].windows(end.len()).position(|w| w == end).map_or(b.len(), |p| from + p + end.len())
    };
    let (mut i, mut depth) = (0, 0usize);
    while let Some(p) = b[i..].iter().position(|&c| c == b'<') {
        let at = i + p;
        let rest = &b[at..];
        i = if rest.starts_with(b"<!--") {
            skip_past(at + 4, b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            skip_past(at + 9, b"]]>")
        } else if rest.starts_with(b"<?") {
            skip_past(at + 2, b"?>")
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            skip_past(at + 2, b">")
        } else {
            let (end, self_closing) = tag_end(b, at + 1);
            if !self_closing && !rest.starts_with(b"<!") {
                depth += 1;
                if depth > max_depth {
                    return Some(at);
                }
            }
            end
        };
    }
    None
}

/// Past the `>` that ends the tag whose name starts at `from` (quoted values may hold `>`), and
/// whether the tag closes itself.
fn tag_end(b: &[u8], from: usize) -> (usize, bool) {
    let mut quote = None;
    for (j, &c) in b.iter().enumerate().skip(from) {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(c),
            (None, b'>') => return (j + 1, j > from && b[j - 1] == b'/'),
            _ => {}
        }
    }
    (b.len(), false)
}

/// Our tree of a roxmltree element, whitespace-only text left out as it is met (what
/// `trim_whitespace` would drop afterwards: indentation is most of a CIB's text nodes).
fn convert(node: roxmltree::Node<'_, '_>) -> Element {
    let mut el = Element::new(node.tag_name().name());
    el.attrs = node.attributes().map(|a| (a.name().into(), a.value().into())).collect();
    for c in node.children() {
        if c.is_element() {
            el.children.push(Node::Element(convert(c)));
        } else if c.is_text() {
            let text = c.text().unwrap_or_default();
            if !text.trim().is_empty() {
                el.children.push(Node::Text(text.to_string()));
            }
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

/// Escape text for an attribute value or element content: the one escaping function of every
/// XML text cibform writes. Markup characters and quotes become entities; tab, line feed and
/// carriage return become character references, so an attribute value reads back exactly
/// (a parser normalises literal ones to spaces or line feeds). Characters XML cannot carry at
/// all are refused earlier, when the input is read.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = write_escaped(&mut out, s);
    out
}

/// [`escape`] written into `out`: runs of characters that need no escaping go out whole.
fn write_escaped(out: &mut impl std::fmt::Write, s: &str) -> std::fmt::Result {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\t' => "&#9;",
            b'\n' => "&#10;",
            b'\r' => "&#13;",
            _ => continue,
        };
        out.write_str(&s[start..i])?;
        out.write_str(entity)?;
        start = i + 1;
    }
    out.write_str(&s[start..])
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

    /// Strings of any characters XML can carry, biased towards the ones that need escaping.
    fn xml_strings() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let special = proptest::sample::select(vec!['\t', '\n', '\r', ' ', '&', '<', '>', '"', '\'', ';', '#', ']']);
        let ch = prop_oneof![any::<char>(), special];
        proptest::collection::vec(ch, 0..40)
            .prop_map(|v| v.into_iter().filter(|c| crate::config::text::is_xml_char(*c)).collect::<String>())
    }

    proptest::proptest! {
        /// Any string the input check accepts is written, read back by our reader and compares
        /// equal: as an attribute value, and as the text of an element.
        #[test]
        fn every_accepted_string_round_trips(s in xml_strings()) {
            let el = Element::new("nvpair").with_attr("value", s.clone()).with_child(Element::new("x"));
            let back = Element::parse(&el.to_xml()).unwrap();
            proptest::prop_assert_eq!(back.attr("value"), Some(s.as_str()));
            proptest::prop_assert_eq!(back.elements().count(), 1);
            if !s.trim().is_empty() {
                let mut el = Element::new("description");
                el.children.push(Node::Text(s.clone()));
                let back = Element::parse(&el.to_xml()).unwrap();
                proptest::prop_assert_eq!(back.text(), s);
            }
        }
    }

    #[test]
    fn nesting_is_limited_before_anything_recurses() {
        let nested = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert!(Element::parse(&nested(MAX_DEPTH)).is_ok());
        let err = Element::parse(&nested(MAX_DEPTH + 1)).unwrap_err();
        assert_eq!(err.offset, 3 * MAX_DEPTH, "{err:?}");
        assert!(err.message.contains("nested more than 256 deep"), "{err:?}");
        assert!(Element::parse(&nested(100_000)).is_err());
        // What the scan must not count: comments, CDATA, instructions, quoted `>`, empty tags.
        let noise = r#"<!-- <a> --><![CDATA[<a>]]><?pi <a>?><b x=">" y='/>'/>"#;
        let padded = format!("{}{noise}{}", "<a>".repeat(MAX_DEPTH - 1), "</a>".repeat(MAX_DEPTH - 1));
        assert!(Element::parse(&format!("<r>{noise}{padded}</r>")).is_ok());
        assert!(Element::parse_object(&nested(MAX_DEPTH - 3)).is_ok());
        assert!(Element::parse_object(&nested(MAX_DEPTH - 2)).is_err());
    }

    /// Issue 13: a CIB's names and short values cost no allocation of their own.
    #[test]
    fn names_and_short_values_are_kept_inline() {
        let el = Element::parse(r#"<primitive id="vip-0001" class="ocf" provider="heartbeat" type="IPaddr2"><operations><op id="vip-0001-monitor-interval-10s" name="monitor" interval="10s"/></operations></primitive>"#).unwrap();
        let op = el.child("operations").and_then(|o| o.child("op")).unwrap();
        for e in [&el, op] {
            assert!(!e.name.is_heap_allocated(), "{}", e.name);
            for (k, v) in &e.attrs {
                assert!(!k.is_heap_allocated(), "{k}");
                assert_eq!(v.is_heap_allocated(), v.len() > 24, "{k}={v}");
            }
        }
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
