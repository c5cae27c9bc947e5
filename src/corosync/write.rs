//! A `Section` tree → corosync.conf text. Lines kept from the parsed file are written as they
//! were; new or edited lines are indented like their section's other lines (four spaces per
//! level when there are none, as pcs writes) and end like most of the file's lines (CRLF in a
//! CRLF file), so an edit never mixes line endings.
//!
//! Pure: it decides no content.

use super::parse::{Item, Section};

/// The file for a tree.
pub fn to_text(root: &Section) -> String {
    let mut w = Writer { out: String::new(), crlf: root.crlf, last_fresh: false };
    w.body(root, "");
    if root.no_final_newline {
        w.out.pop();
        if w.last_fresh && w.crlf {
            w.out.pop();
        }
    }
    w.out
}

/// The indentation of a section's own lines: that of its first line kept as written, else one
/// level (four spaces, or a tab in a tab-indented file) deeper than its parent's.
fn indent_of(s: &Section, parent: &str) -> String {
    let kept = s.items.iter().find_map(|i| match i {
        Item::Value { line: Some(l), .. } => Some(l.as_str()),
        Item::Section(Section { head: Some(l), .. }) => Some(l.as_str()),
        _ => None,
    });
    match kept {
        Some(l) => l[..l.len() - l.trim_start().len()].to_string(),
        None if parent.starts_with('\t') => format!("{parent}\t"),
        None => format!("{parent}    "),
    }
}

struct Writer {
    out: String,
    /// Fresh lines end in CRLF.
    crlf: bool,
    /// The last line written was fresh (not kept as written).
    last_fresh: bool,
}

impl Writer {
    /// A line kept as written: its own `\r`, if it had one, is part of it.
    fn kept(&mut self, line: &str) {
        self.out.push_str(line);
        self.out.push('\n');
        self.last_fresh = false;
    }

    /// A line written fresh, ended like the file's lines.
    fn fresh(&mut self, line: &str) {
        self.out.push_str(line);
        self.out.push_str(if self.crlf { "\r\n" } else { "\n" });
        self.last_fresh = true;
    }

    fn body(&mut self, s: &Section, pad: &str) {
        for item in &s.items {
            match item {
                Item::Value { line: Some(l), .. } | Item::Comment(l) | Item::Blank(l) => self.kept(l),
                Item::Value { key, value, line: None } => self.fresh(&format!("{pad}{key}: {value}")),
                Item::Section(sub) => {
                    match &sub.head {
                        Some(h) => self.kept(h),
                        None => self.fresh(&format!("{pad}{} {{", sub.name)),
                    }
                    self.body(sub, &indent_of(sub, pad));
                    match &sub.tail {
                        Some(t) => self.kept(t),
                        None => self.fresh(&format!("{pad}}}")),
                    }
                }
            }
        }
    }
}
