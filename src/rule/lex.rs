//! Rule text → tokens: parentheses and words, words optionally quoted.

use super::RuleError;

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Open,
    Close,
    /// A word; `quoted` words are always literals, never keywords.
    Word {
        text: String,
        quoted: bool,
    },
}

/// A token and where it sits in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub offset: usize,
    pub len: usize,
}

impl Token {
    /// The word if this is an unquoted word (a possible keyword), lowercased.
    pub fn keyword(&self) -> Option<String> {
        match &self.kind {
            Kind::Word { text, quoted: false } => Some(text.to_ascii_lowercase()),
            _ => None,
        }
    }

    /// Is this the unquoted keyword `kw` (any case)?
    pub fn is_keyword(&self, kw: &str) -> bool {
        matches!(&self.kind, Kind::Word { text, quoted: false } if text.eq_ignore_ascii_case(kw))
    }

    /// The word's text, if a word.
    pub fn word(&self) -> Option<&str> {
        match &self.kind {
            Kind::Word { text, .. } => Some(text),
            _ => None,
        }
    }

    /// How to show the token in a message: its source text, shortened.
    pub fn shown(&self, src: &str) -> String {
        let raw = src.get(self.offset..self.offset + self.len).unwrap_or("");
        shorten(raw)
    }
}

/// A snippet for messages: at most 40 characters.
pub(crate) fn shorten(s: &str) -> String {
    if s.chars().count() > 40 {
        let head: String = s.chars().take(37).collect();
        format!("{head}...")
    } else {
        s.to_string()
    }
}

fn is_delim(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')'
}

/// Split rule text into tokens.
pub(crate) fn lex(src: &str) -> Result<Vec<Token>, RuleError> {
    let mut tokens = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '(' || c == ')' {
            chars.next();
            let kind = if c == '(' { Kind::Open } else { Kind::Close };
            tokens.push(Token { kind, offset: start, len: 1 });
            continue;
        }
        if c == '"' || c == '\'' {
            chars.next();
            let mut text = String::new();
            let mut end = None;
            while let Some((i, ch)) = chars.next() {
                if ch == c {
                    end = Some(i + 1);
                    break;
                }
                if ch == '\\' && c == '"' {
                    if let Some(&(_, next)) = chars.peek() {
                        if next == '"' || next == '\\' {
                            text.push(next);
                            chars.next();
                            continue;
                        }
                    }
                }
                text.push(ch);
            }
            let Some(end) = end else {
                return Err(RuleError::new("unterminated quoted value", start, 1)
                    .with_help(format!("add the closing {c} at the end of the value")));
            };
            if let Some(&(i, next)) = chars.peek() {
                if !is_delim(next) {
                    return Err(RuleError::new(
                        format!("unexpected `{next}` right after a closing quote"),
                        i,
                        next.len_utf8(),
                    )
                    .with_help("quote the whole word, or put a space after the closing quote"));
                }
            }
            tokens.push(Token { kind: Kind::Word { text, quoted: true }, offset: start, len: end - start });
            continue;
        }
        let mut end = src.len();
        while let Some(&(i, ch)) = chars.peek() {
            if is_delim(ch) {
                end = i;
                break;
            }
            chars.next();
        }
        tokens.push(Token {
            kind: Kind::Word { text: src[start..end].to_string(), quoted: false },
            offset: start,
            len: end - start,
        });
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Vec<(String, bool)> {
        lex(src)
            .unwrap()
            .into_iter()
            .map(|t| match t.kind {
                Kind::Word { text, quoted } => (text, quoted),
                Kind::Open => ("(".into(), false),
                Kind::Close => (")".into(), false),
            })
            .collect()
    }

    #[test]
    fn splits_words_parens_and_quotes() {
        let w = words(r#"(a eq "x y")or b eq 'x(y)' c"d"#);
        let texts: Vec<&str> = w.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["(", "a", "eq", "x y", ")", "or", "b", "eq", "x(y)", "c\"d"]);
        assert!(w[3].1);
        assert!(!w[9].1);
        assert!(lex(r#"b eq 'it''s'"#).is_err());
        let w = words(r#"a "q\"\\\n" it's"#);
        assert_eq!(w[1], ("q\"\\\\n".to_string(), true));
        assert_eq!(w[2], ("it's".to_string(), false));
    }

    #[test]
    fn offsets_are_bytes() {
        let t = lex("é eq ü").unwrap();
        assert_eq!((t[1].offset, t[1].len), (3, 2));
        assert_eq!((t[2].offset, t[2].len), (6, 2));
    }

    #[test]
    fn unterminated_quote_points_at_it() {
        let e = lex("a eq \"x").unwrap_err();
        assert_eq!((e.offset, e.len), (5, 1));
    }
}
