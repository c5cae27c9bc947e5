//! Stage: Pacemaker rule expressions, pcs rule text ⇄ AST ⇄ CIB `<rule>` element.
//!
//! This is the rule stage. It does no I/O: it turns text into an [`Expr`] tree, prints the
//! tree back as canonical text, and converts the tree to and from the shared XML tree type
//! [`crate::cib::xml::Element`].
//!
//! # Syntax
//!
//! The text syntax is pcs's rule syntax as pcs 0.11 parses it for `pcs resource defaults
//! set create … rule` (`pcs/lib/cib/rule/parser.py`); value checks aside, that accepts all
//! that the older parser behind `pcs constraint location … rule` (`pcs/rule.py`) accepts.
//! The XML is written the way that older code writes it, since location constraints are
//! where rules mostly live:
//!
//! ```text
//! rule     := ""  |  expr
//! expr     := primary (("and" | "or") primary)*        all left-associative, SAME precedence
//! primary  := "(" expr ")"
//!           | "defined" NAME | "not_defined" NAME
//!           | NAME ("lt"|"gt"|"lte"|"gte"|"eq"|"ne") [TYPE] [("param"|"meta")] VALUE
//!           | "date" ("gt"|"lt") DATE
//!           | "date" "in_range" [DATE] "to" (DATE | "duration" PART+)
//!           | "date-spec" PART+                           PART is `name=value`, no spaces
//!           | "resource" [STANDARD] ":" [PROVIDER] ":" [TYPE]
//!           | "op" NAME ["interval=" INTERVAL]
//! TYPE     := "integer" | "number" | "version" | "string"
//! ```
//!
//! As in pcs, `and` and `or` have the same precedence and group from the left, so
//! `a eq 1 or b eq 2 and c eq 3` means `(a eq 1 or b eq 2) and c eq 3`. Keywords are
//! case-insensitive (as in pcs's current parser) and printed in lowercase.
//!
//! Two extensions over pcs:
//! - quoting, as a shell user would type it for pcs: `"…"` (with `\"` and `\\` escapes) or
//!   `'…'` around a whole token makes it a literal that may hold spaces, parentheses or a
//!   keyword (`#uname eq "and"`);
//! - a value source for Pacemaker's `value-source` attribute, written between the type and
//!   the value: `#uname eq param node_param` (only when a value follows, so a plain
//!   `x eq param` still compares with the literal word `param`).
//!
//! # Canonical form
//!
//! [`parse`] and [`from_xml`] both return a *normalized* tree: groups never contain a group
//! with the same operator (`(a and b) and c` is `a and b and c`, as pcs writes it), a group
//! with a single member is replaced by that member, and `date-spec`/`duration` parts are
//! sorted by name (as pcs prints them). Ids never matter. So two CIB rules that Pacemaker
//! evaluates identically and that pcs or crmsh write for the same text give the same tree
//! and the same [`to_text`].

mod check;
mod lex;
mod parse;
mod text;
mod xml;

#[cfg(test)]
mod tests;

use std::fmt;

use crate::cib::xml::Element;

/// A parsed rule: the expression tree of one top-level `<rule>` element.
///
/// The rule element's own attributes other than `id` and `boolean-op` (`score`,
/// `score-attribute`, `role`) are not part of it; the caller owns those.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The expression; a bare expression when the rule has a single member.
    pub expr: Expr,
}

/// One node of a rule expression tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// All members must hold (`boolean-op="and"`, also the default). `And(vec![])` is the
    /// empty rule, written as the empty text.
    And(Vec<Expr>),
    /// At least one member must hold (`boolean-op="or"`).
    Or(Vec<Expr>),
    /// `attr lt|gt|lte|gte|eq|ne [integer|number|version|string] [param|meta] value`.
    Attr {
        /// The node attribute name, e.g. `pingd` or `#uname`.
        attribute: String,
        /// The comparison.
        op: AttrOp,
        /// The value to compare with (or the parameter name when `value_source` is set).
        value: String,
        /// How to compare; `None` leaves it to Pacemaker's default.
        value_type: Option<ValueType>,
        /// `Some("param")` or `Some("meta")` for Pacemaker's `value-source`; `None` = literal.
        value_source: Option<String>,
    },
    /// `defined attr` (`defined: true`) or `not_defined attr` (`defined: false`).
    Defined {
        /// The node attribute name.
        attribute: String,
        /// `true` for `defined`, `false` for `not_defined`.
        defined: bool,
    },
    /// `date gt DATE`: now is after the date.
    DateGt(String),
    /// `date lt DATE`: now is before the date.
    DateLt(String),
    /// `date in_range [START] to END` or `date in_range [START] to duration PART…`.
    DateInRange {
        /// The start date, if any.
        start: Option<String>,
        /// The end date, if any.
        end: Option<String>,
        /// Duration parts (`months=2`), sorted by name, if any.
        duration: Option<Vec<(String, String)>>,
    },
    /// `date-spec PART…`, e.g. `date-spec hours=9-16 weekdays=1-5`; parts sorted by name.
    DateSpec(Vec<(String, String)>),
    /// `resource STANDARD:PROVIDER:TYPE`, any part may be empty (`None`).
    Resource {
        /// Resource class, e.g. `ocf`.
        standard: Option<String>,
        /// Resource provider, e.g. `heartbeat`.
        provider: Option<String>,
        /// Resource agent, e.g. `IPaddr2`.
        agent_type: Option<String>,
    },
    /// `op NAME [interval=INTERVAL]`.
    Op {
        /// Operation name, e.g. `monitor`.
        name: String,
        /// Operation interval as written, e.g. `10s`.
        interval: Option<String>,
    },
}

/// A node attribute comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttrOp {
    Lt,
    Gt,
    Lte,
    Gte,
    Eq,
    Ne,
}

/// How Pacemaker compares an attribute with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    Integer,
    Number,
    Version,
    String,
}

/// A rule text error, pointing at the offending token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// What is wrong, lowercase, no final period.
    pub message: String,
    /// Byte offset of the offending token in the input (input length at the end).
    pub offset: usize,
    /// Byte length of the offending token (0 at the end of the input).
    pub len: usize,
    /// How to fix it, if there is something useful to say.
    pub help: Option<String>,
}

impl AttrOp {
    /// All operators, in the order pcs documents them.
    pub const ALL: [AttrOp; 6] = [AttrOp::Lt, AttrOp::Gt, AttrOp::Lte, AttrOp::Gte, AttrOp::Eq, AttrOp::Ne];

    /// The keyword, which is also the CIB `operation` value.
    pub fn as_str(self) -> &'static str {
        match self {
            AttrOp::Lt => "lt",
            AttrOp::Gt => "gt",
            AttrOp::Lte => "lte",
            AttrOp::Gte => "gte",
            AttrOp::Eq => "eq",
            AttrOp::Ne => "ne",
        }
    }

    /// The operator for a keyword (exact, lowercase).
    pub fn from_keyword(s: &str) -> Option<AttrOp> {
        AttrOp::ALL.into_iter().find(|op| op.as_str() == s)
    }
}

impl ValueType {
    /// All types.
    pub const ALL: [ValueType; 4] = [ValueType::Integer, ValueType::Number, ValueType::Version, ValueType::String];

    /// The keyword, which is also the CIB `type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Integer => "integer",
            ValueType::Number => "number",
            ValueType::Version => "version",
            ValueType::String => "string",
        }
    }

    /// The type for a keyword (exact, lowercase).
    pub fn from_keyword(s: &str) -> Option<ValueType> {
        ValueType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl Expr {
    /// The canonical form of this tree: same-operator groups merged into their parent,
    /// single-member groups replaced by the member, date parts sorted by name. Empty groups
    /// are kept. [`parse`] and [`from_xml`] already return normalized trees.
    #[must_use]
    pub fn normalized(&self) -> Expr {
        match self {
            Expr::And(items) => normalize_group(true, items),
            Expr::Or(items) => normalize_group(false, items),
            Expr::DateSpec(parts) => Expr::DateSpec(sorted_parts(parts)),
            Expr::DateInRange { start, end, duration } => Expr::DateInRange {
                start: start.clone(),
                end: end.clone(),
                duration: duration.as_ref().map(|d| sorted_parts(d)),
            },
            other => other.clone(),
        }
    }
}

impl Rule {
    /// A rule around an expression (normalized).
    pub fn new(expr: Expr) -> Rule {
        Rule { expr: expr.normalized() }
    }
}

fn normalize_group(is_and: bool, items: &[Expr]) -> Expr {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item.normalized() {
            Expr::And(inner) if is_and && !inner.is_empty() => out.extend(inner),
            Expr::Or(inner) if !is_and && !inner.is_empty() => out.extend(inner),
            other => out.push(other),
        }
    }
    if out.len() == 1 {
        return out.pop().unwrap_or(Expr::And(Vec::new()));
    }
    if is_and {
        Expr::And(out)
    } else {
        Expr::Or(out)
    }
}

fn sorted_parts(parts: &[(String, String)]) -> Vec<(String, String)> {
    let mut parts = parts.to_vec();
    // Stable, so duplicate names (which parse and from_xml refuse) keep their order.
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    parts
}

impl RuleError {
    pub(crate) fn new(message: impl Into<String>, offset: usize, len: usize) -> RuleError {
        RuleError { message: message.into(), offset, len, help: None }
    }

    #[must_use]
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> RuleError {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)?;
        if let Some(help) = &self.help {
            write!(f, "; help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuleError {}

impl fmt::Display for Rule {
    /// The canonical text, as [`to_text`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_text(self))
    }
}

impl std::str::FromStr for Rule {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Rule, RuleError> {
        parse(s)
    }
}

/// Parse pcs rule text, e.g. `pingd lt 1 or not_defined pingd` or
/// `(#uname eq node1 or #uname eq node2) and date gt 2024-01-01`.
///
/// The empty (or all-whitespace) text is the empty rule `And(vec![])`, as in pcs.
/// Values are checked as pcs checks them (`integer`/`number`/`version` values, dates,
/// `date-spec` and `duration` parts, `interval=`).
///
/// # Errors
/// A [`RuleError`] pointing at the offending token.
pub fn parse(text: &str) -> Result<Rule, RuleError> {
    parse::parse(text)
}

/// The canonical pcs text for a rule: `parse(&to_text(r)) == Ok(r)` for every rule that
/// [`parse`] or [`from_xml`] returns. Keywords are lowercase, values are quoted only when
/// they need it, and every nested group is in parentheses (as pcs prints rules), even where
/// left-to-right grouping would make them redundant, because `and`/`or` having equal
/// precedence surprises readers.
///
/// The tree is normalized first. An empty group can only be written at the top (as the
/// empty text); elsewhere it is written as `()`, which [`parse`] refuses.
pub fn to_text(rule: &Rule) -> String {
    text::to_text(&rule.expr.normalized())
}

/// The CIB `<rule>` element for a rule, with pcs-style ids: the rule is `{id_prefix}`, its
/// expressions `{id_prefix}-expr`, `{id_prefix}-expr-1`, …, nested rules
/// `{id_prefix}-rule`, `{id_prefix}-rule-1`, … (each numbering its own expressions the same
/// way), exactly as `pcs constraint location … rule` writes them. Nested rules get
/// `boolean-op` and `score="0"`, as pcs writes them.
///
/// `extra_attrs` (`score`, `score-attribute`, `role`, …) go on the top rule after `id` and
/// `boolean-op`, in pcs's order (`role`, `score`, `score-attribute`, then others as given);
/// `id` and `boolean-op` in `extra_attrs` are ignored. Nothing is added by default (pcs
/// adds `score="INFINITY"` when no score is given; that is the caller's choice).
///
/// `type="integer"` is written as is; CIBs with a schema older than pacemaker-3.5 only
/// know `number`, and pcs writes `number` there.
pub fn to_xml(rule: &Rule, id_prefix: &str, extra_attrs: &[(&str, &str)]) -> Element {
    xml::to_xml(rule, id_prefix, extra_attrs, &|_| false)
}

/// As [`to_xml`], but generated ids also avoid those for which `taken` returns true (pcs
/// avoids every id already in the CIB, so pass the CIB's ids to get exactly its ids).
pub fn to_xml_avoiding(
    rule: &Rule,
    id_prefix: &str,
    extra_attrs: &[(&str, &str)],
    taken: &dyn Fn(&str) -> bool,
) -> Element {
    xml::to_xml(rule, id_prefix, extra_attrs, taken)
}

/// Read a CIB `<rule>` element into the (normalized) tree.
///
/// Accepts what Pacemaker 2.1.5's schemas accept: `<expression>` (with `type` and
/// `value-source`), `<date_expression>` (`gt`, `lt`, `in_range` with `start`/`end` or
/// `<duration>`, `date_spec`), `<rsc_expression>`, `<op_expression>`, nested `<rule>`s,
/// `boolean-op` `and`/`or`/absent (= `and`), single-member and empty rules. Ids are ignored.
/// The top rule's `score`, `score-attribute` and `role` are the caller's; nested rules'
/// `score`/`score-attribute` are ignored, as Pacemaker ignores them.
///
/// # Errors
/// A description of anything the tree cannot represent faithfully (`id-ref`, unknown
/// elements or attributes, comments or text, an `in_range` with both `end` and `duration`,
/// values [`parse`] would refuse, empty `or` or nested rules, nesting deeper than 64, …), so
/// the caller can keep the raw XML instead.
pub fn from_xml(rule: &Element) -> Result<Rule, String> {
    xml::from_xml(rule)
}

/// Deepest nesting of parentheses or rules accepted.
pub const MAX_DEPTH: usize = 64;

/// Check an ISO 8601 date as a `date lt|gt` rule takes it (`2024-01-31`,
/// `2026-12-02 06:42:02Z`, ...).
///
/// # Errors
/// What is wrong with it, and how dates look.
pub fn check_date(value: &str) -> Result<(), (String, String)> {
    check::date(value).map_err(|p| (p.message, p.help))
}
