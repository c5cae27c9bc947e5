//! A `Section` tree → corosync.conf text. Lines kept from the parsed file are written as they
//! were; new or edited lines are indented like their section's other lines (four spaces per
//! level when there are none, as pcs writes).
//!
//! Pure: it decides no content.

use super::parse::{Item, Section};

/// The file for a tree.
pub fn to_text(root: &Section) -> String {
    let mut out = String::new();
    body(&mut out, root, "");
    if root.no_final_newline {
        out.pop();
    }
    out
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

fn body(out: &mut String, s: &Section, pad: &str) {
    for item in &s.items {
        match item {
            Item::Value { line: Some(l), .. } | Item::Comment(l) | Item::Blank(l) => out.push_str(l),
            Item::Value { key, value, line: None } => {
                out.push_str(pad);
                out.push_str(key);
                out.push_str(": ");
                out.push_str(value);
            }
            Item::Section(sub) => {
                match &sub.head {
                    Some(h) => out.push_str(h),
                    None => out.push_str(&format!("{pad}{} {{", sub.name)),
                }
                out.push('\n');
                body(out, sub, &indent_of(sub, pad));
                match &sub.tail {
                    Some(t) => out.push_str(t),
                    None => out.push_str(&format!("{pad}}}")),
                }
            }
        }
        out.push('\n');
    }
}
