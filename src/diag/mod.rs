//! Diagnostics: one type for every problem cibform reports about its inputs.
//!
//! A `Diag` has a stable code, a lowercase message, labels on exact byte spans of a named
//! source, and a help line. It implements `miette::Diagnostic`; rendering is done once, in
//! `cli`. This module does no I/O.

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, Severity, SourceCode};

pub mod codes;
pub use codes::Code;

/// A byte range in the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub offset: usize,
    pub len: usize,
}

/// A source text that diagnostics point into (a YAML file, a CIB, a rule).
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub text: Arc<String>,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Source { name: name.into(), text: Arc::new(text.into()) }
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let upto = &self.text[..offset.min(self.text.len())];
        let line = upto.matches('\n').count() + 1;
        let col = upto.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}

/// One problem, with where it is and what to do about it.
#[derive(Debug, Clone)]
pub struct Diag {
    pub code: &'static str,
    pub message: String,
    pub labels: Vec<(Span, String)>,
    pub help: Option<String>,
    pub severity: Severity,
    pub source: Option<Source>,
}

impl Diag {
    /// An error with a code and message and no location yet.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diag {
            code: code.name,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            severity: Severity::Error,
            source: None,
        }
    }

    /// A warning: reported, but does not fail the command.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diag { severity: Severity::Warning, ..Diag::error(code, message) }
    }

    #[must_use]
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push((span, text.into()));
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn in_source(mut self, source: &Source) -> Self {
        self.source = Some(source.clone());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col` of the first label, for one-line output.
    pub fn location(&self) -> Option<String> {
        let src = self.source.as_ref()?;
        let (span, _) = self.labels.first()?;
        let (l, c) = src.line_col(span.offset);
        Some(format!("{}:{l}:{c}", src.name))
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diag {}

impl miette::Diagnostic for Diag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| &s.text as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.is_none() || self.labels.is_empty() {
            return None;
        }
        let len = self.source.as_ref().map_or(0, |s| s.text.len());
        Some(Box::new(self.labels.iter().map(move |(sp, text)| {
            let start = sp.offset.min(len);
            let l = sp.len.min(len - start);
            LabeledSpan::new(Some(text.clone()), start, l)
        })))
    }
}

/// How much source a rendered diagnostic shows on each side of its labels, in bytes.
const WINDOW: usize = 120;
/// Most of a label's span shown, in bytes.
const MAX_LABEL_BYTES: usize = 240;
/// Most characters of a message, label or help line shown.
const MAX_TEXT_CHARS: usize = 600;

/// `s` made safe for a terminal: control characters (but `keep`), bidirectional overrides and
/// the like are written as Rust escapes (`\u{1b}`), and it is cut after `max` characters.
pub fn printable(s: &str, keep: &[char], max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max));
    for (i, c) in s.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        push_printable(&mut out, c, keep);
    }
    out
}

fn push_printable(out: &mut String, c: char, keep: &[char]) {
    let invisible = c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}');
    if invisible && !keep.contains(&c) {
        out.extend(c.escape_default());
    } else {
        out.push(c);
    }
}

/// One line of text for a diagnostic: no control characters, no newline, bounded length.
pub fn one_line(s: &str) -> String {
    printable(s, &[], MAX_TEXT_CHARS)
}

/// The parts of a source a diagnostic shows: a window around each group of nearby labels, long
/// lines cut, control characters escaped, the windows one after the other. Line and column
/// numbers stay those of the whole source.
#[derive(Debug, Default)]
struct Excerpt {
    name: String,
    text: String,
    windows: Vec<Window>,
    /// The whole source, for true column numbers.
    source: Arc<String>,
}

/// One window of an excerpt.
#[derive(Debug)]
struct Window {
    /// Where it sits in the excerpt's text.
    at: std::ops::Range<usize>,
    /// 0-based line of the source where it starts.
    first_line: usize,
    /// `(offset in the excerpt, offset in the source)` of each character shown, in order.
    map: Vec<(usize, usize)>,
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let w = self
            .windows
            .iter()
            .find(|w| w.at.contains(&span.offset()) || w.at.end == span.offset())
            .ok_or(miette::MietteError::OutOfBounds)?;
        let local = miette::SourceSpan::new((span.offset() - w.at.start).into(), span.len());
        let inner = self.text[w.at.clone()].read_span(&local, before, after)?;
        // Without context lines miette gives the column of the span: give the source's own.
        let column = if before == 0 { self.source_column(w, span.offset()) } else { inner.column() };
        let whole = miette::SourceSpan::new((inner.span().offset() + w.at.start).into(), inner.span().len());
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            whole,
            inner.line() + w.first_line,
            column,
            inner.line_count(),
        )))
    }
}

/// The largest char boundary of `s` at or below `i`.
fn floor(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl Excerpt {
    /// The 0-based byte column in the source of excerpt offset `at` (inside window `w`).
    fn source_column(&self, w: &Window, at: usize) -> usize {
        let i = w.map.partition_point(|(e, _)| *e <= at).saturating_sub(1);
        let src = w.map.get(i).map_or(0, |(_, s)| *s);
        src - self.source[..src].rfind('\n').map_or(0, |n| n + 1)
    }

    /// The excerpt of `src` around `labels`, and the labels moved into it.
    fn new(src: &Source, labels: &[(Span, String)]) -> (Excerpt, Vec<LabeledSpan>) {
        let text = src.text.as_str();
        let spans: Vec<(usize, usize)> = labels
            .iter()
            .map(|(sp, _)| {
                let start = floor(text, sp.offset);
                (start, floor(text, start + sp.len.min(MAX_LABEL_BYTES)).max(start))
            })
            .collect();
        let mut order: Vec<usize> = (0..spans.len()).collect();
        order.sort_by_key(|&i| spans[i]);
        let mut ex = Excerpt { name: one_line(&src.name), source: src.text.clone(), ..Excerpt::default() };
        let mut at = std::collections::HashMap::new();
        let mut group: Option<(usize, usize)> = None;
        for &i in &order {
            let (s, e) = spans[i];
            group = match group {
                Some((gs, ge)) if s <= ge + 2 * WINDOW => Some((gs, ge.max(e))),
                Some(g) => {
                    ex.window(text, g, &mut at);
                    Some((s, e))
                }
                None => Some((s, e)),
            };
        }
        if let Some(g) = group {
            ex.window(text, g, &mut at);
        }
        let moved = labels
            .iter()
            .zip(&spans)
            .map(|((_, label), (s, e))| {
                let (s, e) = (at[s], at[e]);
                LabeledSpan::new(Some(one_line(label)), s, e.saturating_sub(s))
            })
            .collect();
        (ex, moved)
    }

    /// Append the window around source bytes `first..last`: back to the start of the line before,
    /// forward to the end of the line after, never more than WINDOW bytes either way. Records
    /// where each source offset of the window lands in `at`.
    fn window(&mut self, text: &str, (first, last): (usize, usize), at: &mut std::collections::HashMap<usize, usize>) {
        let lo_bound = floor(text, first.saturating_sub(WINDOW));
        let lo = text[lo_bound..first].rmatch_indices('\n').nth(1).map_or(lo_bound, |(i, _)| lo_bound + i + 1);
        let hi_bound = floor(text, last + WINDOW);
        let hi = text[last..hi_bound].match_indices('\n').nth(1).map_or(hi_bound, |(i, _)| last + i);
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        let start = self.text.len();
        let cut_before = lo > 0 && !text[..lo].ends_with('\n');
        if cut_before {
            self.text.push('…');
        }
        let mut map = Vec::new();
        let mut chars = text[lo..hi].char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            at.insert(lo + i, self.text.len());
            map.push((self.text.len(), lo + i));
            let crlf = c == '\r' && chars.peek().is_some_and(|(_, n)| *n == '\n');
            push_printable(&mut self.text, c, if crlf { &['\n', '\t', '\r'] } else { &['\n', '\t'] });
        }
        at.insert(hi, self.text.len());
        map.push((self.text.len(), hi));
        if hi < text.len() && !text[hi..].starts_with('\n') {
            self.text.push('…');
        }
        self.windows.push(Window { at: start..self.text.len(), first_line: text[..lo].matches('\n').count(), map });
    }
}

/// A diagnostic as shown on a terminal: its source cut to an excerpt around the labels, with
/// the file name (miette shows `[file:line:col]` from it), and every piece of text made
/// printable, so no input reaches the terminal raw or whole.
pub struct Rendered<'a> {
    diag: &'a Diag,
    message: String,
    help: Option<String>,
    source: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
}

impl<'a> Rendered<'a> {
    pub fn new(d: &'a Diag) -> Self {
        let (source, labels) = match &d.source {
            Some(src) if !d.labels.is_empty() => {
                let (ex, labels) = Excerpt::new(src, &d.labels);
                (Some(ex), labels)
            }
            _ => (None, Vec::new()),
        };
        Rendered { diag: d, message: one_line(&d.message), help: d.help.as_deref().map(one_line), source, labels }
    }
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diag, f)
    }
}
impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for Rendered<'_> {}
impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag.code()
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.diag.severity)
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// "did you mean": the candidate closest to a misspelt `word`, if it is close enough to be a
/// likely typo. Close is a small edit distance, a swap of neighbours counting as one edit
/// (`adn` → `and`), or a high Jaro-Winkler similarity, which favours a shared prefix
/// (`no-quorum-polcy` → `no-quorum-policy`). The one "did you mean" rule of the crate.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = word.chars().count();
    if len > 64 {
        return None;
    }
    let lower = word.to_lowercase();
    let limit = match len {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    };
    candidates
        .into_iter()
        .filter_map(|c| {
            let edits = strsim::osa_distance(&lower, &c.to_lowercase());
            let similar = strsim::jaro_winkler(word, c);
            (edits <= limit || similar > 0.8).then_some((edits, similar, c))
        })
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))
        .map(|(_, _, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(d: &Diag) -> String {
        let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
        let mut out = String::new();
        handler.render_report(&mut out, &Rendered::new(d)).unwrap();
        out
    }

    #[test]
    fn far_apart_labels_show_their_own_lines_with_true_numbers() {
        let mut text = String::new();
        for i in 1..=5000 {
            text.push_str(&format!("line {i}\n"));
        }
        let src = Source::new("f", text.clone());
        let at = |needle: &str| Span { offset: text.find(needle).unwrap(), len: needle.len() };
        let d = Diag::error(codes::YAML_SYNTAX, "m")
            .label(at("line 10\n"), "first")
            .label(at("line 4000\n"), "second")
            .in_source(&src);
        let out = render(&d);
        assert!(out.contains("[f:10:1]"), "{out}");
        assert!(out.contains("4000 │ line 4000") && out.contains("10 │ line 10"), "{out}");
        assert!(out.len() < 1500 && !out.contains("line 2000"), "{out}");
    }

    #[test]
    fn long_lines_are_cut_around_the_label_and_controls_escaped() {
        let text = format!("{}\u{1b}[31mHERE\u{202e}{}", "a".repeat(1_000_000), "b".repeat(1_000_000));
        let src = Source::new("f\u{7}", text.clone());
        let d = Diag::error(codes::YAML_SYNTAX, "bad \u{1b}[2J\nthing")
            .label(Span { offset: text.find("HERE").unwrap(), len: 4 }, "x\u{1b}")
            .help("h\u{9b}")
            .in_source(&src);
        let out = render(&d);
        assert!(out.len() < 2000, "{} bytes", out.len());
        assert!(out.contains("[f\\u{7}:1:1000006]"), "{out}");
        assert!(out.contains(r"…aaa") && out.contains(r"\u{1b}[31mHERE\u{202e}bbb"), "{out}");
        assert!(out.contains(r"bad \u{1b}[2J\nthing"), "{out}");
        assert!(!out.contains(['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}']), "{out}");
    }
}
