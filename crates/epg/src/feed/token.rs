//! The per-token limit, as a `BufRead` between the charset stage and quick-xml.
//!
//! quick-xml copies a whole event (a comment, a text run, a start tag with its
//! attributes, …) into its buffer before returning it, so a check on the event comes
//! after the memory is spent. This stage counts the bytes quick-xml takes since the
//! parser last returned an event and fails while the token is still being read.

use std::fmt;
use std::io::{self, BufRead, Read};

/// What kind of token was too long, told from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Character data between markup.
    Text,
    /// An entity or character reference (`&…;`).
    Reference,
    /// A start tag, attributes included.
    StartTag,
    /// An end tag.
    EndTag,
    /// `<!-- … -->`.
    Comment,
    /// `<![CDATA[ … ]]>`.
    CData,
    /// `<!DOCTYPE …>`.
    DocType,
    /// Another `<! … >` declaration.
    Declaration,
    /// `<? … ?>`, the XML declaration included.
    ProcessingInstruction,
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenKind::Text => "text",
            TokenKind::Reference => "reference",
            TokenKind::StartTag => "start tag",
            TokenKind::EndTag => "end tag",
            TokenKind::Comment => "comment",
            TokenKind::CData => "CDATA section",
            TokenKind::DocType => "DOCTYPE",
            TokenKind::Declaration => "declaration",
            TokenKind::ProcessingInstruction => "processing instruction",
        })
    }
}

/// The error a [`TokenLimit`] returns inside an `io::Error`, recognised by
/// [`token_too_long`] however many layers it went through.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the {kind} at byte {position} is longer than {limit} bytes")]
pub(super) struct TokenTooLong {
    pub kind: TokenKind,
    pub position: u64,
    pub limit: u64,
}

/// The [`TokenTooLong`] carried by `e`, if any.
pub(super) fn token_too_long(e: &io::Error) -> Option<TokenTooLong> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<TokenTooLong>())
        .copied()
}

/// Enough of a token's start to tell its kind (`<![CDATA[` is the longest).
const HEAD: usize = 9;

/// Hands out at most `limit` bytes per token; [`TokenLimit::start_token`] marks where
/// the next token begins.
pub(super) struct TokenLimit<R> {
    inner: R,
    limit: u64,
    /// Bytes consumed in all.
    total: u64,
    /// `total` when the current token began.
    start: u64,
    /// Whether the byte before the token was `<`: quick-xml consumes the `<` that ends
    /// a text run with the text, so the markup that follows starts after it.
    after_lt: bool,
    last: u8,
    head: [u8; HEAD],
    head_len: usize,
}

impl<R: BufRead> TokenLimit<R> {
    pub(super) fn new(inner: R, limit: u64) -> Self {
        Self {
            inner,
            limit,
            total: 0,
            start: 0,
            after_lt: false,
            last: 0,
            head: [0; HEAD],
            head_len: 0,
        }
    }

    /// Called before each event is read.
    pub(super) fn start_token(&mut self) {
        self.start = self.total;
        self.after_lt = self.total > 0 && self.last == b'<';
        self.head_len = 0;
    }

    fn kind(&self) -> TokenKind {
        let head = &self.head[..self.head_len];
        let markup = match head.strip_prefix(b"<") {
            Some(rest) => rest,
            None if self.after_lt => head,
            None if head.starts_with(b"&") => return TokenKind::Reference,
            None => return TokenKind::Text,
        };
        if markup.starts_with(b"!--") {
            TokenKind::Comment
        } else if markup.starts_with(b"![CDATA[") {
            TokenKind::CData
        } else if markup.len() >= 8 && markup[..8].eq_ignore_ascii_case(b"!DOCTYPE") {
            TokenKind::DocType
        } else if markup.starts_with(b"!") {
            TokenKind::Declaration
        } else if markup.starts_with(b"?") {
            TokenKind::ProcessingInstruction
        } else if markup.starts_with(b"/") {
            TokenKind::EndTag
        } else {
            TokenKind::StartTag
        }
    }

    fn too_long(&self) -> io::Error {
        // A token after a text run began at the `<` the text consumed.
        let position = self.start - u64::from(self.after_lt);
        io::Error::other(TokenTooLong {
            kind: self.kind(),
            position,
            limit: self.limit,
        })
    }
}

impl<R: BufRead> Read for TokenLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        super::read_from_buffer(self, buf)
    }
}

impl<R: BufRead> BufRead for TokenLimit<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let used = self.total - self.start;
        let allowed = usize::try_from(self.limit.saturating_sub(used)).unwrap_or(usize::MAX);
        if allowed == 0 {
            if self.inner.fill_buf()?.is_empty() {
                return Ok(&[]);
            }
            return Err(self.too_long());
        }
        let available = self.inner.fill_buf()?;
        Ok(&available[..available.len().min(allowed)])
    }

    fn consume(&mut self, amount: usize) {
        if amount == 0 {
            return;
        }
        // `fill_buf` on a non-empty buffer returns it again without reading, so this
        // sees the bytes being consumed.
        if let Ok(available) = self.inner.fill_buf() {
            let consumed = &available[..amount.min(available.len())];
            let take = consumed.len().min(HEAD - self.head_len);
            self.head[self.head_len..self.head_len + take].copy_from_slice(&consumed[..take]);
            self.head_len += take;
            if let Some(last) = consumed.last() {
                self.last = *last;
            }
        }
        self.total += amount as u64;
        self.inner.consume(amount);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_token_error(input: &[u8], skip: usize, limit: u64) -> TokenTooLong {
        let mut reader = TokenLimit::new(input, limit);
        let mut sink = vec![0; skip];
        reader.read_exact(&mut sink).expect("prefix");
        reader.start_token();
        let e = reader.read_to_end(&mut Vec::new()).expect_err("too long");
        token_too_long(&e).expect("typed")
    }

    #[test]
    fn kinds_are_told_from_the_first_bytes() {
        let cases: &[(&[u8], usize, TokenKind, u64)] = &[
            (b"<!-- long comment -->", 0, TokenKind::Comment, 0),
            (b"x<![CDATA[ long ]]>", 1, TokenKind::CData, 1),
            (b"<!doctype tv [ long ]>", 0, TokenKind::DocType, 0),
            (b"<!ELEMENT tv ANY>", 0, TokenKind::Declaration, 0),
            (b"<?pi long long?>", 0, TokenKind::ProcessingInstruction, 0),
            (b"<tv a='long long'>", 0, TokenKind::StartTag, 0),
            (b"</tv   long long>", 0, TokenKind::EndTag, 0),
            (b"long long text", 0, TokenKind::Text, 0),
            (b"&longlonglong;", 0, TokenKind::Reference, 0),
            // After a text run quick-xml has consumed the `<` already.
            (b"ab<!-- long comment -->", 3, TokenKind::Comment, 2),
            (b"ab<tv a='long long'>", 3, TokenKind::StartTag, 2),
        ];
        for (input, skip, kind, position) in cases {
            let e = first_token_error(input, *skip, 10);
            assert_eq!((e.kind, e.position, e.limit), (*kind, *position, 10));
        }
    }

    #[test]
    fn a_token_of_exactly_the_limit_passes() {
        let mut reader = TokenLimit::new(&b"0123456789"[..], 10);
        let mut out = Vec::new();
        reader.read_to_end(&mut out).expect("fits");
        assert_eq!(out.len(), 10);
        let mut reader = TokenLimit::new(&b"0123456789a"[..], 10);
        let e = reader.read_to_end(&mut Vec::new()).expect_err("over");
        assert_eq!(e.to_string(), "the text at byte 0 is longer than 10 bytes");
    }
}
