//! Stage 5 (escaping): input-derived text made inert for the format it lands in.
//!
//! Ids, names, values, agent strings and warnings come from the cluster file, the live CIB or
//! Pacemaker's tools; a printer must show them, never let them start a block, close a fence,
//! open an HTML comment or a Mermaid node. One function per context: Markdown text, Markdown
//! inline code, a Markdown table cell, HTML text, a Mermaid label. None of them decides what
//! to show.

use std::fmt::Write as _;

/// Control characters, line and paragraph separators, bidi overrides and zero-widths as
/// visible Rust escapes (`\n`, `\u{1b}`): text that stays on one line and means what it shows.
pub fn one_line(s: &str) -> String {
    crate::diag::printable(s, &[], usize::MAX)
}

/// Markdown text inside a line (a paragraph, a list item, a table cell): one line, and every
/// character that can be inline markup on GitHub backslash-escaped (emphasis, code, links and
/// images, HTML and entities, table pipes, strikethrough, math, mentions, references), so
/// nothing in it is markup. Block markers need no escape: a value never starts a line.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in one_line(s).chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '!' | '|' | '#' | '~' | '&' | '$' | '@') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One of our sentences that quotes ids in backticks (warnings, reasons): the quoted parts as
/// inline code, the rest as text. Whatever the quoted ids hold, each part is escaped on its own,
/// so the worst a stray backtick can do is pair differently.
pub fn md_prose(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return md_text(s);
    }
    parts.iter().enumerate().map(|(i, p)| if i % 2 == 1 { md_code(p) } else { md_text(p) }).collect()
}

/// Markdown inline code: one line, fenced with more backticks than it holds in a row (padded
/// with a space when it starts or ends with a backtick or a space, as CommonMark strips one).
pub fn md_code(s: &str) -> String {
    let s = one_line(s);
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with(['`', ' ']) || s.ends_with(['`', ' ']) { " " } else { "" };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Markdown already rendered inline (text or code), made safe inside a table cell: GitHub splits
/// cells at every unescaped `|`, even inside code.
pub fn md_cell(inline: &str) -> String {
    let mut out = String::with_capacity(inline.len());
    let mut escaped = false;
    for c in inline.chars() {
        if c == '|' && !escaped {
            out.push('\\');
        }
        escaped = c == '\\' && !escaped;
        out.push(c);
    }
    out
}

/// Text inside HTML (`<summary>`, `<code>`): one line, and every ASCII punctuation character
/// but `. , : - / ( )` as a numeric entity: neither HTML nor Markdown (should a renderer read
/// Markdown there) finds markup in it.
pub fn html_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        if c.is_ascii_punctuation() && !matches!(c, '.' | ',' | ':' | '-' | '/' | '(' | ')') {
            let _ = write!(out, "&#{};", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// Text inside a quoted Mermaid label (`["..."]`, `|"..."|`): everything but letters, digits
/// and a few harmless marks is written as a Mermaid entity code (`#35;`), so no quote, bracket,
/// newline or backtick can end the label, the node or the fenced block.
pub fn mermaid_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_alphanumeric() && !c.is_control()
            || matches!(c, ' ' | '_' | '.' | ',' | ':' | '/' | '@' | '+' | '=' | '-')
        {
            out.push(c);
        } else {
            let _ = write!(out, "#{};", u32::from(c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_context_is_escaped() {
        assert_eq!(one_line("a\nb\u{1b}[0m\u{202e}"), r"a\nb\u{1b}[0m\u{202e}");
        assert_eq!(md_text("a_b *c* <!-- `d` |e|\n# f"), r"a\_b \*c\* \<\!-- \`d\` \|e\|\\n\# f");
        assert_eq!(md_text("rs-vip-33 (node's, file:x.y)"), "rs-vip-33 (node's, file:x.y)");
        assert_eq!(md_code("plain"), "`plain`");
        assert_eq!(md_prose("node `a-b` is <odd>"), r"node `a-b` is \<odd\>");
        assert_eq!(md_prose("node `a`b` x"), r"node \`a\`b\` x");
        assert_eq!(md_code("a`b``c"), "```a`b``c```");
        assert_eq!(md_code("`x"), "`` `x ``");
        assert_eq!(md_cell(r"`a|b` \| c"), r"`a\|b` \| c");
        assert_eq!(html_text(r#"<b x="1">&'![a]"#), "&#60;b x&#61;&#34;1&#34;&#62;&#38;&#39;&#33;&#91;a&#93;");
        assert_eq!(mermaid_label("a \"b\" [c]\n#`"), "a #34;b#34; #91;c#93;#10;#35;#96;");
    }
}
