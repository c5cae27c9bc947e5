//! corosync.conf text → a lossless tree (`Section`): every comment, blank line, unknown key and
//! the exact text of every line are kept, so `write::to_text` gives the file back byte for byte
//! and an edit changes only the lines it touches.
//!
//! Pure: text in, tree out. It knows corosync's syntax, not what any key means.

use crate::diag::{codes, Span};
use crate::diag::{Diag, Source};

/// One line (or block) of corosync.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// `key: value`; `line` is the line as written (`None` once edited: written fresh).
    Value {
        key: String,
        value: String,
        line: Option<String>,
    },
    Section(Section),
    /// A `#` comment line, as written.
    Comment(String),
    /// An empty (or whitespace-only) line, as written.
    Blank(String),
}

/// A `name { ... }` block (the file itself is an unnamed section).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    pub name: String,
    pub items: Vec<Item>,
    /// The `name {` and `}` lines as written (`None` for a new section: written fresh).
    pub head: Option<String>,
    pub tail: Option<String>,
    /// The file's last line has no newline (root only).
    pub no_final_newline: bool,
    /// Most of the file's lines end in CRLF (root only): lines written fresh end so too, so an
    /// edit never leaves a file with mixed line endings.
    pub crlf: bool,
}

impl Section {
    /// A new, empty section.
    pub fn new(name: &str) -> Section {
        Section { name: name.to_string(), ..Section::default() }
    }

    /// Sub-sections with this name.
    pub fn sections<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Section> + 'a {
        self.items.iter().filter_map(move |i| match i {
            Item::Section(s) if s.name == name => Some(s),
            _ => None,
        })
    }

    /// Sub-sections with this name, to edit.
    pub fn sections_mut<'a>(&'a mut self, name: &'a str) -> impl Iterator<Item = &'a mut Section> + 'a {
        self.items.iter_mut().filter_map(move |i| match i {
            Item::Section(s) if s.name == name => Some(s),
            _ => None,
        })
    }

    /// The last value of a key (corosync uses the last one).
    pub fn value(&self, key: &str) -> Option<&str> {
        self.values().rev().find_map(|(k, v)| (k == key).then_some(v))
    }

    /// Every `key: value` of this section, in order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = (&str, &str)> {
        self.items.iter().filter_map(|i| match i {
            Item::Value { key, value, .. } => Some((key.as_str(), value.as_str())),
            _ => None,
        })
    }

    /// Set a key: the last occurrence takes the value (earlier ones are dropped, so the file
    /// says it once); a new key goes after the section's last value.
    pub fn set(&mut self, key: &str, value: &str) {
        if self.value(key) == Some(value) && self.values().filter(|(k, _)| *k == key).count() == 1 {
            return;
        }
        let last = self.items.iter().rposition(|i| matches!(i, Item::Value { key: k, .. } if k == key));
        match last {
            Some(at) => {
                self.items[at] = Item::Value { key: key.into(), value: value.into(), line: None };
                let mut i = 0;
                self.items.retain(|it| {
                    i += 1;
                    i - 1 == at || !matches!(it, Item::Value { key: k, .. } if k == key)
                });
            }
            None => {
                let at = self.items.iter().rposition(|i| matches!(i, Item::Value { .. })).map_or(0, |p| p + 1);
                self.items.insert(at, Item::Value { key: key.into(), value: value.into(), line: None });
            }
        }
    }

    /// Remove every occurrence of a key; whether there was one.
    pub fn remove(&mut self, key: &str) -> bool {
        let before = self.items.len();
        self.items.retain(|i| !matches!(i, Item::Value { key: k, .. } if k == key));
        self.items.len() != before
    }

    /// The last sub-section with this name, created at the end when there is none.
    pub fn ensure_section(&mut self, name: &str) -> &mut Section {
        if !self.sections(name).any(|_| true) {
            self.push_section(Section::new(name));
        }
        let at = self.items.iter().rposition(|i| matches!(i, Item::Section(s) if s.name == name));
        match &mut self.items[at.expect("just ensured")] {
            Item::Section(s) => s,
            _ => unreachable!("a section was found at this position"),
        }
    }

    /// Append a sub-section (after a blank line at the top level, as pcs lays files out).
    pub fn push_section(&mut self, s: Section) {
        let top = self.head.is_none() && self.name.is_empty();
        if top && !self.items.is_empty() && !matches!(self.items.last(), Some(Item::Blank(_))) {
            self.items.push(Item::Blank(if self.crlf { "\r" } else { "" }.to_string()));
        }
        self.items.push(Item::Section(s));
    }

    /// Remove the sub-sections for which `drop` holds.
    pub fn remove_sections(&mut self, drop: impl Fn(&Section) -> bool) {
        self.items.retain(|i| !matches!(i, Item::Section(s) if drop(s)));
    }
}

/// Deepest section nesting read (real files nest three deep: `quorum { device { net {`).
pub const MAX_DEPTH: usize = 16;
/// Longest line corosync reads whole (it reads 512-byte pieces with `fgets`, newline included):
/// a longer line is read as two, so it would mean something else to corosync than to cibform.
pub const MAX_LINE: usize = 510;

/// What corosync takes for blanks around keys, values and lines.
const BLANK: &[char] = &[' ', '\t'];

/// Why corosync would read a line (without its newline) otherwise than `parse` does, if it would.
fn misread(as_written: &str, line: &str) -> Option<String> {
    if as_written.len() > MAX_LINE {
        Some(format!("a line of {} bytes: corosync reads lines of up to {MAX_LINE}", as_written.len()))
    } else if as_written.contains('\0') {
        Some("a NUL byte: corosync stops reading the line there".into())
    } else if line.starts_with('#') {
        None
    } else if line.find('{').is_some_and(|at| at + 1 != line.len()) {
        Some("a `{` inside a line: corosync opens a section at any `{`".into())
    } else {
        None
    }
}

/// Parse corosync.conf as corosync reads it: only spaces and tabs are blanks, one `\r` ends a
/// line, `{` anywhere in a line opens a section. A line corosync would read otherwise than this
/// tree says (a `{` inside a value, a line longer than corosync reads, a NUL byte) is refused,
/// so what cibform compares and writes is what corosync loads.
///
/// # Errors
/// A diagnostic on the offending line (unbalanced braces, a line that is neither `key: value` nor
/// `name {` nor `}`, a line corosync would read differently, sections nested too deep).
pub fn parse(name: &str, text: &str) -> Result<Section, Box<Diag>> {
    let src = Source::new(name, text);
    let mut stack: Vec<Section> = vec![Section::default()];
    let mut offset = 0;
    let fail = |offset: usize, len: usize, msg: String, help: &str| {
        Box::new(
            Diag::error(codes::COROSYNC_SYNTAX, msg)
                .label(Span { offset, len: len.max(1) }, "here")
                .help(help)
                .in_source(&src),
        )
    };
    for raw_line in text.split_inclusive('\n') {
        let as_written = raw_line.strip_suffix('\n').unwrap_or(raw_line).to_string();
        let content = as_written.strip_suffix('\r').unwrap_or(&as_written);
        let line = content.trim_matches(BLANK);
        let here = offset + (content.len() - content.trim_start_matches(BLANK).len());
        let start = offset;
        offset += raw_line.len();
        if let Some(why) = misread(&as_written, line) {
            let help = "corosync would read this line otherwise than cibform does: rewrite it as corosync reads it";
            return Err(fail(start, as_written.len(), why, help));
        }
        let top = stack.last_mut().expect("root stays");
        if line.is_empty() {
            top.items.push(Item::Blank(as_written));
        } else if line.starts_with('#') {
            top.items.push(Item::Comment(as_written));
        } else if line == "}" {
            if stack.len() == 1 {
                return Err(fail(
                    here,
                    1,
                    format!("`}}` without an open section in `{name}`"),
                    "remove it or open the section it closes",
                ));
            }
            let mut done = stack.pop().expect("len checked");
            done.tail = Some(as_written);
            stack.last_mut().expect("root stays").items.push(Item::Section(done));
        } else if let Some(head) = line.strip_suffix('{') {
            let head = head.trim_matches(BLANK);
            if head.is_empty() || head.contains(':') {
                return Err(fail(
                    here,
                    line.len(),
                    format!("`{line}` is not a section header"),
                    "a section starts with `name {`",
                ));
            }
            if stack.len() > MAX_DEPTH {
                return Err(fail(
                    here,
                    line.len(),
                    format!("sections nest deeper than {MAX_DEPTH} levels in `{name}`"),
                    "corosync.conf sections nest a few levels deep (`quorum { device { net {`): check the braces",
                ));
            }
            stack.push(Section { name: head.to_string(), head: Some(as_written), ..Section::default() });
        } else if let Some((k, v)) = line.split_once(':') {
            top.items.push(Item::Value {
                key: k.trim_matches(BLANK).to_string(),
                value: v.trim_matches(BLANK).to_string(),
                line: Some(as_written),
            });
        } else {
            return Err(fail(
                here,
                line.len(),
                format!("`{line}` is neither `key: value` nor a section"),
                "corosync.conf lines are `key: value`, `name {` or `}`",
            ));
        }
    }
    if stack.len() > 1 {
        let open = stack.last().map(|s| s.name.clone()).unwrap_or_default();
        return Err(fail(
            text.len().saturating_sub(1),
            1,
            format!("section `{open}` is never closed in `{name}`"),
            "add the missing `}`",
        ));
    }
    let mut root = stack.pop().expect("root");
    root.no_final_newline = !text.is_empty() && !text.ends_with('\n');
    let crlf = text.matches("\r\n").count();
    root.crlf = crlf > text.matches('\n').count() - crlf;
    Ok(root)
}
