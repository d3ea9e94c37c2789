//! The user's search text, parsed into plain terms and rendered for FTS5 or `LIKE`.
//!
//! User text never reaches FTS5's query language as is: every term is quoted, so that
//! column filters, `NEAR`, `^` and stray punctuation are taken literally. What is kept
//! of the syntax is small and written in [`parse`].

use crate::store::Value;

/// How many terms one query may hold: each costs a `LIKE` per column in the fallback.
pub(crate) const MAX_TERMS: usize = 16;

/// One word or quoted phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    /// The text, without quotes or the prefix star.
    pub text: String,
    /// Whether a trailing `*` asked for a prefix match.
    pub prefix: bool,
}

/// A parsed query: every group must match (AND), one term of a group suffices (OR),
/// and no excluded term may match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// The groups, each with one or more alternatives.
    pub groups: Vec<Vec<Term>>,
    /// Terms that must not match.
    pub excluded: Vec<Term>,
}

#[derive(Debug)]
enum Token {
    Term { term: Term, negated: bool },
    Or,
}

/// Parses the user's text. Words and `"quoted phrases"` are terms; a trailing `*` makes
/// a prefix match; `OR` (upper case) between two terms makes either suffice; a leading
/// `-` excludes a term. Returns the reason when the text is not a valid query.
pub(crate) fn parse(q: &str) -> Result<Parsed, String> {
    let tokens = tokenize(q)?;
    let mut groups: Vec<Vec<Term>> = Vec::new();
    let mut excluded = Vec::new();
    let mut pending_or = false;
    let mut last_negated = false;
    for token in tokens {
        match token {
            Token::Or if groups.is_empty() || pending_or || last_negated => {
                return Err("OR must stand between two terms".into());
            }
            Token::Or => pending_or = true,
            Token::Term { negated: true, .. } if pending_or => {
                return Err("OR must stand between two terms".into());
            }
            Token::Term {
                term,
                negated: true,
            } => {
                excluded.push(term);
                last_negated = true;
            }
            Token::Term { term, .. } => {
                match groups.last_mut() {
                    Some(group) if pending_or => group.push(term),
                    _ => groups.push(vec![term]),
                }
                pending_or = false;
                last_negated = false;
            }
        }
    }
    if pending_or {
        return Err("OR must stand between two terms".into());
    }
    if groups.is_empty() {
        return Err(if excluded.is_empty() {
            "the query is empty".into()
        } else {
            "a query cannot only exclude terms".into()
        });
    }
    if groups.iter().map(Vec::len).sum::<usize>() + excluded.len() > MAX_TERMS {
        return Err(format!("too many terms (at most {MAX_TERMS})"));
    }
    Ok(Parsed { groups, excluded })
}

fn tokenize(q: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut rest = q.trim_start();
    while !rest.is_empty() {
        let negated =
            rest.len() > 1 && rest.starts_with('-') && !rest[1..].starts_with(char::is_whitespace);
        if negated {
            rest = &rest[1..];
        }
        let (token, after) = if let Some(inner) = rest.strip_prefix('"') {
            phrase(inner)?
        } else {
            word(rest)?
        };
        tokens.push(match token {
            Some(term) => Token::Term { term, negated },
            None if negated => {
                return Err("OR must stand between two terms".into());
            }
            None => Token::Or,
        });
        rest = after.trim_start();
    }
    Ok(tokens)
}

/// A quoted phrase, `inner` starting after the opening quote; `None` never.
fn phrase(inner: &str) -> Result<(Option<Term>, &str), String> {
    let close = inner.find('"').ok_or("unbalanced quotes")?;
    let text = inner[..close].trim();
    if text.is_empty() {
        return Err("a quoted phrase is empty".into());
    }
    let mut after = &inner[close + 1..];
    let prefix = after.starts_with('*');
    if prefix {
        after = &after[1..];
    }
    if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
        return Err("a closing quote must end a term".into());
    }
    let term = Term {
        text: text.to_owned(),
        prefix,
    };
    Ok((Some(term), after))
}

/// A bare word; `None` for the `OR` operator.
fn word(rest: &str) -> Result<(Option<Term>, &str), String> {
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let (raw, after) = rest.split_at(end);
    if raw.contains('"') {
        return Err("unbalanced quotes".into());
    }
    if raw == "OR" {
        return Ok((None, after));
    }
    let (text, prefix) = match raw.strip_suffix('*') {
        Some(text) => (text, true),
        None => (raw, false),
    };
    if text.is_empty() {
        return Err("'*' must follow a term".into());
    }
    if prefix && text.chars().count() < MIN_PREFIX_CHARS {
        return Err(format!(
            "a prefix search needs at least {MIN_PREFIX_CHARS} characters before '*'"
        ));
    }
    let term = Term {
        text: text.to_owned(),
        prefix,
    };
    Ok((Some(term), after))
}

/// Shortest prefix a `*` may follow. The full-text index merges the posting lists of
/// every word with the prefix before anything limits the result, so `w*` would cost as
/// much as a scan of the guide: a cheap way for any client to load the service.
pub const MIN_PREFIX_CHARS: usize = 3;

impl Parsed {
    /// The FTS5 query: every term quoted, explicit parentheses, NOT last.
    pub(crate) fn to_fts(&self) -> String {
        let positive = self
            .groups
            .iter()
            .map(|g| any_of(g))
            .collect::<Vec<_>>()
            .join(" AND ");
        if self.excluded.is_empty() {
            positive
        } else {
            format!("({positive}) NOT {}", any_of(&self.excluded))
        }
    }

    /// A `LIKE` condition over `p.title`, `p.sub_title` and `p.description`, and its
    /// parameters in order.
    pub(crate) fn to_like(&self) -> (String, Vec<Value>) {
        let mut params = Vec::new();
        let mut parts: Vec<String> = self
            .groups
            .iter()
            .map(|g| like_any(g, &mut params))
            .collect();
        for term in &self.excluded {
            parts.push(format!(
                "NOT {}",
                like_any(std::slice::from_ref(term), &mut params)
            ));
        }
        (parts.join(" AND "), params)
    }

    /// A 0/1 expression: whether any wanted term is in the title, and its parameters.
    pub(crate) fn title_match(&self) -> (String, Vec<Value>) {
        let terms: Vec<&Term> = self.groups.iter().flatten().collect();
        let sql = vec!["p.title LIKE ? ESCAPE '\\'"; terms.len()].join(" OR ");
        let params = terms.iter().map(|t| like_pattern(&t.text)).collect();
        (format!("CASE WHEN {sql} THEN 1.0 ELSE 0.0 END"), params)
    }
}

fn any_of(terms: &[Term]) -> String {
    let alternatives: Vec<String> = terms
        .iter()
        .map(|t| {
            let star = if t.prefix { "*" } else { "" };
            format!("\"{}\"{star}", t.text.replace('"', "\"\""))
        })
        .collect();
    format!("({})", alternatives.join(" OR "))
}

fn like_any(terms: &[Term], params: &mut Vec<Value>) -> String {
    let alternatives: Vec<&str> = terms
        .iter()
        .map(|t| {
            // A substring match already covers a prefix match.
            params.extend(std::iter::repeat_n(like_pattern(&t.text), 3));
            "p.title LIKE ? ESCAPE '\\' OR COALESCE(p.sub_title, '') LIKE ? ESCAPE '\\' \
             OR COALESCE(p.description, '') LIKE ? ESCAPE '\\'"
        })
        .collect();
    format!("({})", alternatives.join(" OR "))
}

fn like_pattern(text: &str) -> Value {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Value::Text(format!("%{escaped}%"))
}

#[cfg(test)]
mod tests {
    use super::{MAX_TERMS, parse};

    #[test]
    fn renders_fts_with_every_term_quoted() {
        let cases = [
            ("news", r#"("news")"#),
            ("  big   news ", r#"("big") AND ("news")"#),
            ("foot*", r#"("foot"*)"#),
            (r#""match of the day"*"#, r#"("match of the day"*)"#),
            ("cats OR dogs birds", r#"("cats" OR "dogs") AND ("birds")"#),
            (
                "news -weather -sport",
                r#"(("news")) NOT ("weather" OR "sport")"#,
            ),
            (
                "title:x NEAR ^y or",
                r#"("title:x") AND ("NEAR") AND ("^y") AND ("or")"#,
            ),
            ("- a", r#"("-") AND ("a")"#),
        ];
        for (q, fts) in cases {
            assert_eq!(parse(q).map(|p| p.to_fts()), Ok(fts.to_owned()), "{q}");
        }
    }

    #[test]
    fn rejects_malformed_queries() {
        let too_many = vec!["a"; MAX_TERMS + 1].join(" ");
        let cases = [
            ("", "the query is empty"),
            ("   ", "the query is empty"),
            ("\"", "unbalanced quotes"),
            ("\"open phrase", "unbalanced quotes"),
            ("say\"what", "unbalanced quotes"),
            ("\"a\"b", "a closing quote must end a term"),
            ("\"  \"", "a quoted phrase is empty"),
            ("*", "'*' must follow a term"),
            (
                "w*",
                "a prefix search needs at least 3 characters before '*'",
            ),
            (
                "news we*",
                "a prefix search needs at least 3 characters before '*'",
            ),
            ("OR news", "OR must stand between two terms"),
            ("news OR", "OR must stand between two terms"),
            ("a OR OR b", "OR must stand between two terms"),
            ("a OR -b", "OR must stand between two terms"),
            ("a -OR b", "OR must stand between two terms"),
            ("-weather", "a query cannot only exclude terms"),
            (too_many.as_str(), "too many terms (at most 16)"),
        ];
        for (q, reason) in cases {
            assert_eq!(parse(q).map(|p| p.to_fts()), Err(reason.to_owned()), "{q}");
        }
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        let (sql, params) = parse("100% a_b -x").expect("valid").to_like();
        assert_eq!(sql.matches("LIKE ?").count(), 9);
        assert!(sql.contains("AND NOT (p.title LIKE"), "{sql}");
        let texts: Vec<String> = params
            .iter()
            .map(|v| match v {
                crate::store::Value::Text(t) => t.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(texts[0], "%100\\%%");
        assert_eq!(texts[3], "%a\\_b%");
        assert_eq!(texts[6], "%x%");
    }
}
