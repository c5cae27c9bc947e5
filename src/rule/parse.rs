//! Tokens → expression tree: a recursive-descent parser for pcs's rule grammar.

use super::check::{self, Problem};
use super::lex::{lex, Kind, Token};
use super::{AttrOp, Expr, Rule, RuleError, ValueType, MAX_DEPTH};
use crate::diag::suggest;

const OPERATORS: &str = "the operators are `lt`, `gt`, `lte`, `gte`, `eq` and `ne`";

/// Keywords that start an expression, for "did you mean" help on attribute names.
const PRIMARY_KEYWORDS: &[&str] = &["date", "date-spec", "defined", "not_defined", "resource", "op"];

pub(crate) fn parse(src: &str) -> Result<Rule, RuleError> {
    let tokens = lex(src)?;
    if tokens.is_empty() {
        return Ok(Rule { expr: Expr::And(Vec::new()) });
    }
    let mut p = Parser { src, tokens, pos: 0 };
    let expr = p.expr(0, None)?;
    if let Some(t) = p.peek() {
        // `expr` only stops early at a `)`.
        return Err(p.at(t, "unmatched `)`").with_help("remove it, or add a matching `(` before it"));
    }
    Ok(Rule { expr })
}

struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
}

/// Could this token be a value (a word that is not an unquoted `and`/`or`)?
fn is_value(t: &Token) -> bool {
    matches!(t.kind, Kind::Word { .. }) && !t.is_keyword("and") && !t.is_keyword("or")
}

fn attr_op(t: &Token) -> Option<AttrOp> {
    t.keyword().and_then(|k| AttrOp::from_keyword(&k))
}

fn value_type(t: &Token) -> Option<ValueType> {
    t.keyword().and_then(|k| ValueType::from_keyword(&k))
}

/// An unquoted `name=value` word.
fn part(t: &Token) -> Option<(&str, &str)> {
    match &t.kind {
        Kind::Word { text, quoted: false } => text.split_once('='),
        _ => None,
    }
}

/// Operator spellings people try, and what pcs calls them.
fn operator_alias(word: &str) -> Option<&'static str> {
    Some(match word {
        "le" | "<=" | "=<" | "lteq" | "leq" => "lte",
        "ge" | ">=" | "=>" | "gteq" | "geq" => "gte",
        "=" | "==" | "is" | "equals" | "equal" | "eql" => "eq",
        "!=" | "<>" | "neq" | "not_eq" | "noteq" => "ne",
        "<" | "less" => "lt",
        ">" | "greater" => "gt",
        _ => return None,
    })
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_at(&self, n: usize) -> Option<&Token> {
        self.tokens.get(self.pos + n)
    }

    fn bump(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn at(&self, t: &Token, message: impl Into<String>) -> RuleError {
        RuleError::new(message, t.offset, t.len)
    }

    fn at_end(&self, message: impl Into<String>) -> RuleError {
        RuleError::new(message, self.src.len(), 0)
    }

    fn shown(&self, t: &Token) -> String {
        t.shown(self.src)
    }

    fn problem_at(&self, t: &Token, p: Problem) -> RuleError {
        self.at(t, p.message).with_help(p.help)
    }

    /// `primary (("and"|"or") primary)*`, grouped from the left as pcs does: a run of the
    /// same operator forms one group, and a change of operator makes the group so far the
    /// first member of a new one.
    ///
    /// Each change of operator nests the expression so far one group deeper, so the height of
    /// the tree (not only of the parentheses) is bounded: what parses prints back (`to_text`
    /// puts every nested group in parentheses) and writes to XML (one `<rule>` per group) within
    /// the limits `parse` and `from_xml` accept, and nothing recurses without bound.
    fn expr(&mut self, depth: usize, after: Option<&Token>) -> Result<Expr, RuleError> {
        let mut left = self.primary(depth, after)?;
        // Heights (in groups) of `left` and of the tallest of `rest`.
        let (mut left_h, mut rest_h) = (height(&left), 0);
        // The operator of the group being built, and its last token.
        let mut last: Option<(bool, Token)> = None;
        let mut rest = Vec::new();
        while let Some(tok) = self.peek() {
            let is_and = if tok.is_keyword("and") {
                true
            } else if tok.is_keyword("or") {
                false
            } else if tok.kind == Kind::Close {
                break;
            } else {
                return Err(self.unexpected_after_expression(tok));
            };
            let op_tok = tok.clone();
            self.pos += 1;
            let right = self.primary(depth, Some(&op_tok))?;
            if last.as_ref().is_some_and(|(prev, _)| *prev != is_and) {
                left = group(!is_and, left, std::mem::take(&mut rest));
                left_h = self.grouped(left_h, rest_h, &op_tok)?;
                rest_h = 0;
            }
            rest_h = rest_h.max(height(&right));
            rest.push(right);
            last = Some((is_and, op_tok));
        }
        if let Some((is_and, op_tok)) = last {
            self.grouped(left_h, rest_h, &op_tok)?;
            left = group(is_and, left, rest);
        }
        Ok(left)
    }

    /// The height of a group of members this tall, refused (at `tok`) beyond the limit.
    fn grouped(&self, left_h: usize, rest_h: usize, tok: &Token) -> Result<usize, RuleError> {
        let h = 1 + left_h.max(rest_h);
        if h > MAX_GROUP_HEIGHT {
            return Err(self.at(tok, "the rule is nested too deeply").with_help(format!(
                "each change between `and` and `or` nests the expression before it one level deeper; \
                 at most {MAX_DEPTH} levels are allowed: group with parentheses, e.g. `(a and b) or (c and d)`"
            )));
        }
        Ok(h)
    }

    fn unexpected_after_expression(&self, tok: &Token) -> RuleError {
        let shown = self.shown(tok);
        let err = self.at(tok, format!("unexpected `{shown}` after an expression"));
        let suggestion = match tok.keyword().as_deref() {
            Some("&&" | "&") => Some("and"),
            Some("||" | "|") => Some("or"),
            Some(w) => suggest(w, ["and", "or"]),
            None => None,
        };
        match (suggestion, &tok.kind) {
            (Some(s), _) => err.with_help(format!("did you mean `{s}`?")),
            (None, Kind::Open) => err.with_help("join expressions with `and` or `or`"),
            _ => err.with_help(
                "join expressions with `and` or `or`, and quote values that contain spaces, \
                 e.g. \"two words\"",
            ),
        }
    }

    fn primary(&mut self, depth: usize, after: Option<&Token>) -> Result<Expr, RuleError> {
        let Some(tok) = self.peek().cloned() else {
            let message = match after {
                Some(a) => format!("expected an expression after `{}`", self.shown(a)),
                None => "expected an expression".to_string(),
            };
            return Err(self
                .at_end(message)
                .with_help("e.g. `pingd lt 1`, `not_defined pingd` or `date gt 2024-01-01`"));
        };
        match &tok.kind {
            Kind::Open => {
                if depth >= MAX_DEPTH {
                    return Err(self
                        .at(&tok, "parentheses are nested too deeply")
                        .with_help(format!("at most {MAX_DEPTH} levels are allowed")));
                }
                self.pos += 1;
                if let Some(close) = self.peek().filter(|t| t.kind == Kind::Close) {
                    let len = close.offset + close.len - tok.offset;
                    return Err(RuleError::new("empty parentheses", tok.offset, len)
                        .with_help("put an expression inside, or remove them"));
                }
                let inner = self.expr(depth + 1, Some(&tok))?;
                match self.bump() {
                    Some(t) if t.kind == Kind::Close => Ok(inner),
                    _ => Err(self.at(&tok, "unclosed `(`").with_help("add a matching `)`")),
                }
            }
            Kind::Close => {
                let message = match after {
                    Some(a) => {
                        format!("expected an expression after `{}`, found `)`", self.shown(a))
                    }
                    None => "unexpected `)`".to_string(),
                };
                Err(self.at(&tok, message))
            }
            Kind::Word { .. } => match tok.keyword().as_deref() {
                Some(w @ ("and" | "or")) => {
                    let message = match after {
                        Some(a) => {
                            format!("expected an expression after `{}`, found `{w}`", self.shown(a))
                        }
                        None => format!("expected an expression before `{w}`"),
                    };
                    Err(self
                        .at(&tok, message)
                        .with_help(format!("to test an attribute named `{w}`, quote it: \"{w}\"")))
                }
                Some("date") => self.date(),
                Some("date-spec") => self.date_spec(),
                Some("defined" | "not_defined") if !self.attribute_follows() => self.defined(),
                Some("resource") if !self.attribute_follows() => self.resource(),
                Some("op") if !self.attribute_follows() => self.op(),
                _ => self.attribute(),
            },
        }
    }

    /// Is the current word the attribute of a comparison (`defined eq 1`)? pcs takes the
    /// longest match, so a keyword followed by an operator and a value is an attribute name.
    fn attribute_follows(&self) -> bool {
        self.peek_at(1).and_then(attr_op).is_some() && self.peek_at(2).is_some_and(is_value)
    }

    /// A value word after `after`, described as `what` in errors.
    fn value(&mut self, after: &Token, what: &str) -> Result<(String, Token), RuleError> {
        let shown = self.shown(after);
        match self.peek().cloned() {
            None => Err(self.at_end(format!("expected {what} after `{shown}`"))),
            Some(t) if is_value(&t) => {
                self.pos += 1;
                Ok((t.word().unwrap_or_default().to_string(), t))
            }
            Some(t) => {
                let found = self.shown(&t);
                let err = self.at(&t, format!("expected {what} after `{shown}`, found `{found}`"));
                Err(match t.kind {
                    Kind::Word { .. } => {
                        err.with_help(format!("to use the word `{found}` itself, quote it: \"{found}\""))
                    }
                    _ => err.with_help("quote values that contain parentheses, e.g. \"a(b)\""),
                })
            }
        }
    }

    /// `NAME op [TYPE] [param|meta] VALUE`
    fn attribute(&mut self) -> Result<Expr, RuleError> {
        let Some(name_tok) = self.bump() else {
            return Err(self.at_end("expected an expression"));
        };
        let name = name_tok.word().unwrap_or_default().to_string();
        let shown = self.shown(&name_tok);
        let Some(op_tok) = self.peek().cloned() else {
            let err = self.at_end(format!("expected an operator after `{shown}`"));
            return Err(self.operator_help(err, &name_tok, None));
        };
        let Some(op) = attr_op(&op_tok) else {
            if name_tok.is_keyword("not") {
                return Err(self.at(&name_tok, "`not` is not supported").with_help(
                    "use `not_defined NAME`, or the opposite operator (`ne` for `eq`, `lt` for \
                     `gte`, ...)",
                ));
            }
            let err = self.at(&op_tok, format!("expected an operator after `{shown}`"));
            return Err(self.operator_help(err, &name_tok, Some(&op_tok)));
        };
        self.pos += 1;
        let mut last = op_tok;

        let mut value_type_ = None;
        if let Some(t) = self.peek().cloned() {
            if let Some(vt) = value_type(&t) {
                if self.peek_at(1).is_some_and(is_value) {
                    value_type_ = Some(vt);
                    self.pos += 1;
                    last = t;
                } else {
                    let w = self.shown(&t);
                    let err = match self.peek_at(1) {
                        Some(next) => self.at(next, format!("expected a value after `{w}`")),
                        None => self.at_end(format!("expected a value after `{w}`")),
                    };
                    return Err(err.with_help(format!(
                        "`{w}` is a value type here; to compare with the word itself, quote it: \
                         \"{w}\""
                    )));
                }
            }
        }

        let mut value_source = None;
        if let Some(t) = self.peek().cloned() {
            if let Some(k @ ("param" | "meta")) = t.keyword().as_deref() {
                if self.peek_at(1).is_some_and(is_value) {
                    value_source = Some(k.to_string());
                    self.pos += 1;
                    last = t;
                }
            }
        }

        let (value, value_tok) = self.value(&last, "a value")?;
        if value_source.is_none() {
            if let Some(vt) = value_type_ {
                check::typed_value(vt, &value).map_err(|p| self.problem_at(&value_tok, p))?;
            }
        }
        Ok(Expr::Attr { attribute: name, op, value, value_type: value_type_, value_source })
    }

    fn operator_help(&self, err: RuleError, name: &Token, found: Option<&Token>) -> RuleError {
        let found_kw = found.and_then(Token::keyword);
        if let Some(alias) = found_kw.as_deref().and_then(operator_alias) {
            return err.with_help(format!("did you mean `{alias}`? {OPERATORS}"));
        }
        let name_shown = self.shown(name);
        match found_kw.as_deref() {
            Some(k @ ("defined" | "not_defined")) => {
                return err.with_help(format!("write `{k} {name_shown}`"));
            }
            Some("in_range") => {
                return err.with_help("`in_range` is for dates: `date in_range START to END`");
            }
            _ => {}
        }
        if let Some(k) = name.keyword() {
            let keyword = match k.as_str() {
                "undefined" | "notdefined" | "not-defined" => Some("not_defined"),
                "datespec" | "date_spec" => Some("date-spec"),
                _ => suggest(&k, PRIMARY_KEYWORDS.iter().copied()).filter(|s| *s != k),
            };
            if let Some(kw) = keyword {
                return err.with_help(format!("did you mean `{kw}`? otherwise {OPERATORS}"));
            }
        }
        if let Some(s) =
            found_kw.as_deref().and_then(|k| suggest(k, ["lt", "gt", "lte", "gte", "eq", "ne"]).filter(|_| k.len() > 2))
        {
            return err.with_help(format!("did you mean `{s}`? {OPERATORS}"));
        }
        err.with_help(OPERATORS)
    }

    /// `defined NAME` / `not_defined NAME`
    fn defined(&mut self) -> Result<Expr, RuleError> {
        let Some(kw) = self.bump() else {
            return Err(self.at_end("expected an expression"));
        };
        let defined = kw.is_keyword("defined");
        let (attribute, _) = self.value(&kw, "an attribute name")?;
        Ok(Expr::Defined { attribute, defined })
    }

    /// `date gt|lt DATE`, `date in_range ...`, or an attribute named `date`.
    fn date(&mut self) -> Result<Expr, RuleError> {
        let next = self.peek_at(1).cloned();
        let op = next.as_ref().and_then(Token::keyword);
        if let (Some(op_tok), Some(o)) = (&next, op.as_deref()) {
            match o {
                "gt" | "lt" => {
                    // `date gt integer 5` compares a node attribute named `date`, as in pcs.
                    let typed = self.peek_at(2).and_then(value_type).is_some() && self.peek_at(3).is_some_and(is_value);
                    if typed {
                        return self.attribute();
                    }
                    self.pos += 2;
                    let (date, tok) = self.value(op_tok, "a date")?;
                    check::date(&date).map_err(|p| self.problem_at(&tok, p))?;
                    return Ok(if o == "gt" { Expr::DateGt(date) } else { Expr::DateLt(date) });
                }
                "in_range" => {
                    self.pos += 2;
                    return self.in_range(op_tok);
                }
                _ if AttrOp::from_keyword(o).is_some() => return self.attribute(),
                _ => {}
            }
        }
        let message = "expected `gt`, `lt` or `in_range` after `date`";
        let err = match &next {
            Some(t) => self.at(t, message),
            None => self.at_end(message),
        };
        let help = match (&next, op.as_deref()) {
            (Some(t), _) if part(t).is_some() => "did you mean `date-spec`? e.g. `date-spec hours=9-16 weekdays=1-5`",
            (_, Some(o)) if suggest(o, ["in_range"]).is_some() => "did you mean `in_range`?",
            _ => {
                "e.g. `date gt 2024-01-01` or `date in_range 2024-01-01 to 2024-12-31`; to test \
                 a node attribute named `date`, quote it: \"date\""
            }
        };
        Err(err.with_help(help))
    }

    /// After `date in_range`: `[START] to (END | duration PART...)`.
    fn in_range(&mut self, in_range: &Token) -> Result<Expr, RuleError> {
        let mut start = None;
        let mut before_to = in_range.clone();
        if !self.peek().is_some_and(|t| t.is_keyword("to")) {
            let (date, tok) = self.value(in_range, "a start date or `to`")?;
            check::date(&date).map_err(|p| self.problem_at(&tok, p))?;
            start = Some(date);
            before_to = tok;
        }
        let to = match self.peek().cloned() {
            Some(t) if t.is_keyword("to") => {
                self.pos += 1;
                t
            }
            other => {
                let message = format!("expected `to` after `{}`", self.shown(&before_to));
                let err = match &other {
                    Some(t) => self.at(t, message),
                    None => self.at_end(message),
                };
                return Err(err.with_help(
                    "write `date in_range START to END` or `date in_range START to duration \
                     months=1`",
                ));
            }
        };
        if let Some(kw) = self.peek().filter(|t| t.is_keyword("duration")).cloned() {
            if self.peek_at(1).is_some_and(|t| part(t).is_some()) {
                self.pos += 1;
                let parts = self.parts(&kw, false)?;
                return Ok(Expr::DateInRange { start, end: None, duration: Some(parts) });
            }
            let message = "expected duration parts after `duration`";
            let err = match self.peek_at(1) {
                Some(t) => self.at(t, message),
                None => self.at_end(message),
            };
            return Err(err.with_help("e.g. `duration months=2 days=3`; no spaces around `=`"));
        }
        let (end, tok) = self.value(&to, "an end date or `duration`")?;
        check::date(&end).map_err(|p| self.problem_at(&tok, p))?;
        Ok(Expr::DateInRange { start, end: Some(end), duration: None })
    }

    /// `date-spec PART...`
    fn date_spec(&mut self) -> Result<Expr, RuleError> {
        let Some(kw) = self.bump() else {
            return Err(self.at_end("expected an expression"));
        };
        Ok(Expr::DateSpec(self.parts(&kw, true)?))
    }

    /// One or more `name=value` words, checked and sorted by name.
    fn parts(&mut self, kw: &Token, date_spec: bool) -> Result<Vec<(String, String)>, RuleError> {
        let names: Vec<&str> = if date_spec {
            check::DATE_SPEC_PARTS.iter().map(|(n, _)| *n).collect()
        } else {
            check::DURATION_PARTS.to_vec()
        };
        let example = if date_spec { "hours=9-16" } else { "months=2" };
        let mut parts: Vec<(String, String)> = Vec::new();
        while let Some(t) = self.peek().cloned() {
            let Some((name, value)) = part(&t) else {
                if let Some(w) = t.word().filter(|w| !t.is_keyword("and") && names.contains(w)) {
                    return Err(self
                        .at(&t, format!("expected `{w}=VALUE`"))
                        .with_help(format!("no spaces are allowed around `=`, e.g. `{example}`")));
                }
                break;
            };
            if name.is_empty() {
                return Err(self.at(&t, "missing a part name before `=`"));
            }
            if value.is_empty() {
                return Err(self
                    .at(&t, format!("missing a value after `{name}=`"))
                    .with_help(format!("no spaces are allowed around `=`, e.g. `{example}`")));
            }
            let checked =
                if date_spec { check::date_spec_part(name, value) } else { check::duration_part(name, value) };
            checked.map_err(|p| {
                // Point at the name when it is unknown, else at the value.
                let span = if names.contains(&name) {
                    Token { offset: t.offset + name.len() + 1, len: value.len(), ..t.clone() }
                } else {
                    Token { len: name.len(), ..t.clone() }
                };
                self.problem_at(&span, p)
            })?;
            if parts.iter().any(|(n, _)| n == name) {
                return Err(self.at(&t, format!("`{name}` is given twice")));
            }
            parts.push((name.to_string(), value.to_string()));
            self.pos += 1;
        }
        if parts.is_empty() {
            let message = format!("expected parts such as `{example}` after `{}`", self.shown(kw));
            let err = match self.peek() {
                Some(t) => self.at(t, message),
                None => self.at_end(message),
            };
            return Err(err.with_help(format!("parts are {}", names.join(", "))));
        }
        parts.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(parts)
    }

    /// `resource [STANDARD]:[PROVIDER]:[TYPE]`
    fn resource(&mut self) -> Result<Expr, RuleError> {
        let Some(kw) = self.bump() else {
            return Err(self.at_end("expected an expression"));
        };
        let (spec, tok) = self.value(&kw, "a resource agent such as `ocf:heartbeat:IPaddr2`")?;
        let parts: Vec<&str> = spec.split(':').collect();
        let [standard, provider, agent_type] = parts[..] else {
            return Err(self.at(&tok, format!("`{}` is not a resource agent", self.shown(&tok))).with_help(
                "write `standard:provider:type`, leaving out parts to match any, e.g. \
                     `ocf:heartbeat:IPaddr2`, `systemd::chronyd` or `::Dummy`",
            ));
        };
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Ok(Expr::Resource { standard: some(standard), provider: some(provider), agent_type: some(agent_type) })
    }

    /// `op NAME [interval=INTERVAL]`
    fn op(&mut self) -> Result<Expr, RuleError> {
        let Some(kw) = self.bump() else {
            return Err(self.at_end("expected an expression"));
        };
        let (name, _) = self.value(&kw, "an operation name such as `monitor`")?;
        let mut interval = None;
        if let Some(t) = self.peek().cloned() {
            if let Some((_, value)) = part(&t).filter(|(k, _)| k.eq_ignore_ascii_case("interval")) {
                check::interval(value).map_err(|p| {
                    let span = Token { offset: t.offset + 9, len: value.len(), ..t.clone() };
                    self.problem_at(&span, p)
                })?;
                interval = Some(value.to_string());
                self.pos += 1;
            } else if t.is_keyword("interval") {
                return Err(self
                    .at(&t, "expected `interval=VALUE`")
                    .with_help("no spaces are allowed around `=`, e.g. `interval=10s`"));
            }
        }
        Ok(Expr::Op { name, interval })
    }
}

/// A group of `left` and `rest`, merging members that are groups with the same operator.
/// The most groups on any path of a parsed tree: `MAX_DEPTH` parentheses in the printed text.
const MAX_GROUP_HEIGHT: usize = MAX_DEPTH + 1;

/// The height of a tree in groups (a condition is 0). The parser bounds it, so the recursion.
fn height(e: &Expr) -> usize {
    match e {
        Expr::And(items) | Expr::Or(items) => 1 + items.iter().map(height).max().unwrap_or(0),
        _ => 0,
    }
}

fn group(is_and: bool, left: Expr, rest: Vec<Expr>) -> Expr {
    let mut items = Vec::with_capacity(rest.len() + 1);
    for item in std::iter::once(left).chain(rest) {
        match item {
            Expr::And(inner) if is_and && !inner.is_empty() => items.extend(inner),
            Expr::Or(inner) if !is_and && !inner.is_empty() => items.extend(inner),
            other => items.push(other),
        }
    }
    if is_and {
        Expr::And(items)
    } else {
        Expr::Or(items)
    }
}
