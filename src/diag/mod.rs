//! Diagnostics: one type for every problem cibform reports about its inputs.
//!
//! A `Diag` has a stable code, a lowercase message, labels on exact byte spans of a named
//! source, and a help line. It implements `miette::Diagnostic`; rendering is done once, in
//! `cli`. This module does no I/O.

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, Severity, SourceCode};

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

/// A diagnostic with its source attached under the file name, for miette's renderer
/// (which shows `[file:line:col]` from the `NamedSource`).
pub struct Rendered<'a>(pub &'a Diag, Option<NamedSource<Arc<String>>>);

impl<'a> Rendered<'a> {
    pub fn new(d: &'a Diag) -> Self {
        let named = d.source.as_ref().map(|s| NamedSource::new(&s.name, s.text.clone()));
        Rendered(d, named)
    }
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}
impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }
}
impl std::error::Error for Rendered<'_> {}
impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.0.code()
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.0.severity)
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        miette::Diagnostic::help(self.0)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.1.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        miette::Diagnostic::labels(self.0)
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
