//! The quick-xml pull loop underneath the element functions: one reader, names of the
//! open elements (for depth limits and truncation messages), text assembly from
//! `Text`, `GeneralRef` and `CData`, and skipping of elements we do not know.

use std::io::{self, BufRead};
use std::sync::Arc;

use quick_xml::Reader;
use quick_xml::errors::{IllFormedError, SyntaxError};
use quick_xml::events::{BytesStart, Event};

use super::limit::limit_exceeded;
use super::token::{TokenLimit, token_too_long};
use super::{Error, Limits, entities, repair};

/// The XML reader with the bookkeeping every element function needs.
pub(super) struct Xml<R> {
    reader: Reader<TokenLimit<R>>,
    /// Names of the open elements, concatenated; `starts` indexes them.
    names: Vec<u8>,
    starts: Vec<usize>,
    limits: Limits,
    /// Scratch for [`Xml::text`], kept to reuse its allocation.
    scratch: String,
    /// The attributes of the element [`Xml::child`] last returned: names and values
    /// (references resolved) concatenated in `attr_text`, delimited by `attr_spans`.
    attr_text: String,
    attr_spans: Vec<[usize; 3]>,
    /// Text and attribute bytes read since the current record (a child of the root)
    /// opened, against [`Limits::max_record_bytes`].
    record_bytes: usize,
}

impl<R: BufRead> Xml<R> {
    pub(super) fn new(input: R, limits: Limits) -> Self {
        let mut reader = Reader::from_reader(TokenLimit::new(input, limits.max_token_bytes));
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        Self {
            reader,
            names: Vec::with_capacity(256),
            starts: Vec::with_capacity(16),
            limits,
            scratch: String::new(),
            attr_text: String::new(),
            attr_spans: Vec::new(),
            record_bytes: 0,
        }
    }

    /// How many elements are open.
    pub(super) fn depth(&self) -> usize {
        self.starts.len()
    }

    /// The next event, after clearing `buf`. The input ending inside an element is
    /// [`Error::Truncated`], so only a complete document yields `Event::Eof`.
    pub(super) fn next<'b>(&mut self, buf: &'b mut Vec<u8>) -> Result<Event<'b>, Error> {
        buf.clear();
        self.reader.get_mut().start_token();
        match self.reader.read_event_into(buf) {
            Ok(Event::Start(e)) => {
                if self.starts.len() >= self.limits.max_depth {
                    return Err(Error::TooDeep {
                        limit: self.limits.max_depth,
                    });
                }
                self.starts.push(self.names.len());
                self.names.extend_from_slice(e.name().as_ref());
                Ok(Event::Start(e))
            }
            Ok(Event::End(e)) => {
                if let Some(start) = self.starts.pop() {
                    self.names.truncate(start);
                }
                Ok(Event::End(e))
            }
            Ok(Event::Eof) if !self.starts.is_empty() => Err(self.truncated()),
            Ok(event) => Ok(event),
            Err(e) => Err(self.error(e)),
        }
    }

    /// Opens the next child element of the element last opened (then [`Xml::name`]
    /// and [`Xml::attr`] describe it), or returns `false` at the parent's end. Text
    /// between children (indentation) is passed over.
    ///
    /// The child's name and attributes are copied out of `buf` rather than returned as
    /// a borrowed event so that element functions can keep reading with `buf`.
    pub(super) fn child(&mut self, buf: &mut Vec<u8>) -> Result<bool, Error> {
        let depth = self.depth();
        loop {
            match self.next(buf)? {
                Event::Start(e) => return self.capture(&e).map(|()| true),
                Event::End(_) if self.depth() < depth => return Ok(false),
                _ => {}
            }
        }
    }

    /// Appends the element's text to `out` until its next child element (opened as by
    /// [`Xml::child`], returning `true`) or its end (`false`).
    pub(super) fn text_or_child(
        &mut self,
        buf: &mut Vec<u8>,
        out: &mut String,
    ) -> Result<bool, Error> {
        let depth = self.depth();
        loop {
            match self.next(buf)? {
                Event::Start(e) => return self.capture(&e).map(|()| true),
                Event::End(_) if self.depth() < depth => return Ok(false),
                Event::Text(t) => self.push_text(&t, out)?,
                Event::CData(t) => self.push_text(&t, out)?,
                Event::GeneralRef(r) => entities::push_reference(&r, out),
                _ => {}
            }
            if out.len() > self.limits.max_text_bytes {
                return Err(self.text_too_long());
            }
        }
    }

    /// Appends one run of text, refusing it before the copy if it would pass the limit.
    fn push_text(&mut self, text: &[u8], out: &mut String) -> Result<(), Error> {
        if out.len() + text.len() > self.limits.max_text_bytes {
            return Err(self.text_too_long());
        }
        self.count_record_bytes(text.len())?;
        out.push_str(self.utf8(text)?);
        Ok(())
    }

    /// Everything a record keeps is held until it reaches the sink, so its total is
    /// bounded as well as each text and attribute value.
    fn count_record_bytes(&mut self, bytes: usize) -> Result<(), Error> {
        self.record_bytes = self.record_bytes.saturating_add(bytes);
        if self.record_bytes > self.limits.max_record_bytes {
            let record = self.starts.get(1).map_or(&[][..], |s| {
                let end = self.starts.get(2).copied().unwrap_or(self.names.len());
                &self.names[*s..end]
            });
            return Err(Error::RecordTooLarge {
                element: String::from_utf8_lossy(record).into_owned(),
                limit: self.limits.max_record_bytes,
            });
        }
        Ok(())
    }

    fn text_too_long(&self) -> Error {
        Error::TextTooLong {
            limit: self.limits.max_text_bytes,
        }
    }

    /// The name of the innermost open element.
    pub(super) fn name(&self) -> &[u8] {
        self.starts.last().map_or(&[][..], |s| &self.names[*s..])
    }

    /// An attribute of the element last opened by [`Xml::child`] or [`Xml::root`].
    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }

    /// An attribute, owned and trimmed; `None` if absent or blank.
    pub(super) fn attr_owned(&self, name: &str) -> Option<String> {
        self.attr(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| repair::text(v).into_owned())
    }

    /// Every attribute of the element last opened, as (name, value).
    pub(super) fn attrs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.attr_spans.iter().map(|[start, split, end]| {
            (
                &self.attr_text[*start..*split],
                &self.attr_text[*split..*end],
            )
        })
    }

    /// Reads up to the root element, which it opens; `false` if the document has none.
    /// `prolog` sees each DOCTYPE's text.
    pub(super) fn root(
        &mut self,
        buf: &mut Vec<u8>,
        mut prolog: impl FnMut(&[u8]) -> Result<(), Error>,
    ) -> Result<bool, Error> {
        loop {
            match self.next(buf)? {
                Event::Start(e) => return self.capture(&e).map(|()| true),
                Event::DocType(t) => prolog(&t)?,
                Event::Eof => return Ok(false),
                _ => {}
            }
        }
    }

    fn capture(&mut self, start: &BytesStart<'_>) -> Result<(), Error> {
        self.attr_text.clear();
        self.attr_spans.clear();
        // The root's children are the records: channels and programmes.
        if self.depth() == 2 {
            self.record_bytes = 0;
        }
        for attribute in start.attributes().with_checks(false) {
            let attribute = attribute.map_err(|e| self.xml_error(e.to_string()))?;
            if attribute.value.len() > self.limits.max_text_bytes {
                return Err(Error::AttributeTooLong {
                    name: String::from_utf8_lossy(attribute.key.as_ref()).into_owned(),
                    limit: self.limits.max_text_bytes,
                });
            }
            self.count_record_bytes(attribute.value.len())?;
            let key = self.utf8(attribute.key.as_ref())?;
            let raw =
                std::str::from_utf8(&attribute.value).map_err(|e| self.xml_error(e.to_string()))?;
            let begin = self.attr_text.len();
            self.attr_text.push_str(key);
            let split = self.attr_text.len();
            if raw.contains('&') {
                entities::unescape_into(raw, &mut self.attr_text);
            } else {
                self.attr_text.push_str(raw);
            }
            self.attr_spans.push([begin, split, self.attr_text.len()]);
        }
        Ok(())
    }

    /// The element's text, trimmed, with unknown child elements skipped.
    pub(super) fn text(&mut self, buf: &mut Vec<u8>) -> Result<String, Error> {
        let mut text = std::mem::take(&mut self.scratch);
        text.clear();
        let result = self.text_into(buf, &mut text);
        let trimmed = repair::text(text.trim()).into_owned();
        self.scratch = text;
        result.map(|()| trimmed)
    }

    fn text_into(&mut self, buf: &mut Vec<u8>, out: &mut String) -> Result<(), Error> {
        while self.text_or_child(buf, out)? {
            self.skip(buf)?;
        }
        Ok(())
    }

    /// Reads past the end of the element last opened, whatever it holds.
    pub(super) fn skip(&mut self, buf: &mut Vec<u8>) -> Result<(), Error> {
        let depth = self.depth();
        while self.depth() >= depth {
            self.next(buf)?;
        }
        Ok(())
    }

    fn utf8<'t>(&self, bytes: &'t [u8]) -> Result<&'t str, Error> {
        std::str::from_utf8(bytes).map_err(|e| self.xml_error(e.to_string()))
    }

    fn truncated(&self) -> Error {
        Error::Truncated {
            element: String::from_utf8_lossy(self.name()).into_owned(),
        }
    }

    fn xml_error(&self, message: String) -> Error {
        Error::Xml {
            position: self.reader.buffer_position(),
            message,
        }
    }

    fn error(&self, e: quick_xml::Error) -> Error {
        match e {
            quick_xml::Error::Io(io) => from_io(io),
            // These only arise when the input ends inside markup or a reference.
            quick_xml::Error::Syntax(
                SyntaxError::UnclosedTag
                | SyntaxError::UnclosedCData
                | SyntaxError::UnclosedComment
                | SyntaxError::UnclosedPIOrXmlDecl,
            )
            | quick_xml::Error::IllFormed(IllFormedError::UnclosedReference)
                if !self.starts.is_empty() =>
            {
                self.truncated()
            }
            other => Error::Xml {
                position: self.reader.error_position(),
                message: other.to_string(),
            },
        }
    }
}

/// Unwraps an I/O error quick-xml shared, recovering the size limit's own error.
fn from_io(io: Arc<io::Error>) -> Error {
    if let Some(limit) = limit_exceeded(&io) {
        return Error::TooLarge { limit };
    }
    if let Some(e) = token_too_long(&io) {
        return Error::TokenTooLong {
            kind: e.kind,
            position: e.position,
            limit: e.limit,
        };
    }
    match Arc::try_unwrap(io) {
        Ok(e) => Error::Io(e),
        Err(shared) => Error::Io(io::Error::new(shared.kind(), shared.to_string())),
    }
}
