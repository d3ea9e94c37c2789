//! Reading XMLTV feeds: bytes in, channels and programmes out, in bounded memory.
//!
//! The stages are `Read` wrappers composed in [`read`]: size limit → decompressor
//! (gzip, xz or zip, chosen by magic bytes) → charset decoder (XML declaration or BOM)
//! → per-token limit → XMLTV pull parser → [`Sink`]. Nothing here takes a path or a URL.

mod channel;
mod decode;
mod decompress;
mod entities;
mod episode;
mod limit;
mod parts;
mod programme;
mod reader;
mod repair;
mod times;
mod token;
mod xml;

/// `Read::read` for a reader whose `BufRead` side does the work: copies from its buffer.
fn read_from_buffer(reader: &mut impl std::io::BufRead, buf: &mut [u8]) -> std::io::Result<usize> {
    let available = reader.fill_buf()?;
    let n = available.len().min(buf.len());
    buf[..n].copy_from_slice(&available[..n]);
    reader.consume(n);
    Ok(n)
}

use chrono_tz::Tz;

pub use token::TokenKind;

use crate::model::{Channel, Programme, TvInfo};

/// The default [`Limits::max_token_bytes`]: real feeds have lines of 1.5 M characters
/// and descriptions of kilobytes, so 16 MiB refuses only what no feed needs.
pub const DEFAULT_MAX_TOKEN_BYTES: u64 = 16 * 1024 * 1024;

/// Limits on untrusted input. Exceeding one is an error, never a silent truncation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes after decompression (gzip bombs stop here).
    pub max_decompressed_bytes: u64,
    /// Element nesting depth.
    pub max_depth: usize,
    /// Bytes of text in one element, and of one attribute value.
    pub max_text_bytes: usize,
    /// Bytes of text and attribute values in one record (a `<channel>` or
    /// `<programme>` with everything in it), which is held whole until it reaches the
    /// sink.
    pub max_record_bytes: usize,
    /// Distinct channel ids, from `<channel>` elements and programmes' `channel`. An
    /// importer keeps one entry per channel in every stage, so this bounds its memory.
    pub max_channels: usize,
    /// Bytes in one token (a text run, tag with its attributes, comment, CDATA section,
    /// processing instruction or DOCTYPE), checked while it is read: the parser holds
    /// a whole token in memory, so this bounds the memory a read needs.
    pub max_token_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_decompressed_bytes: 4 * 1024 * 1024 * 1024,
            max_depth: 64,
            max_text_bytes: 1024 * 1024,
            max_record_bytes: 4 * 1024 * 1024,
            max_channels: 50_000,
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
        }
    }
}

/// How to read one provider's feed.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Input limits.
    pub limits: Limits,
    /// The zone that times without an offset are in (`None`: UTC).
    pub timezone: Option<Tz>,
    /// Minutes added to every time, for feeds that lie about their zone.
    pub offset_correction_minutes: i32,
    /// Leave programmes whose stop is missing or not after their start to the sink
    /// ([`Sink::programme_without_stop`]) instead of inferring the stop from the next
    /// programme of the channel in document order. An importer that stores the
    /// programmes can then infer it from the next one by start time.
    pub defer_stops: bool,
}

/// Why a record was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RejectReason {
    /// `start` is absent.
    MissingStart,
    /// `start` or `stop` could not be parsed.
    BadTime,
    /// No `stop`, and no later programme on the channel to infer it from.
    MissingStop,
    /// `stop` is not after `start`.
    StopNotAfterStart,
    /// No non-empty `<title>`.
    MissingTitle,
    /// No `channel` attribute.
    MissingChannel,
}

impl RejectReason {
    /// A stable snake_case name, used as a key in import logs and APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::MissingStart => "missing_start",
            RejectReason::BadTime => "bad_time",
            RejectReason::MissingStop => "missing_stop",
            RejectReason::StopNotAfterStart => "stop_not_after_start",
            RejectReason::MissingTitle => "missing_title",
            RejectReason::MissingChannel => "missing_channel",
        }
    }
}

/// A skipped record, with enough context to find it in the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Why.
    pub reason: RejectReason,
    /// The programme's position in the document, 1-based.
    pub position: u64,
    /// The `channel` attribute, if any.
    pub channel: Option<String>,
    /// The `start` attribute as written, if any.
    pub start: Option<String>,
    /// A human explanation (for example the unparseable value).
    pub detail: String,
}

/// A programme handed over without a usable stop (see [`ReadOptions::defer_stops`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenStop {
    /// The programme's position in the document, 1-based.
    pub position: u64,
    /// The `start` attribute as written.
    pub start: String,
    /// The `stop` attribute as written, when there is one (it is not after the start).
    pub stop: Option<String>,
}

/// Something repaired rather than rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// Bytes invalid in the declared encoding were replaced with U+FFFD.
    InvalidEncoding {
        /// How many replacement characters were produced so far in this chunk.
        count: u64,
    },
}

/// What a whole read saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Input bytes consumed (compressed, as received).
    pub bytes_read: u64,
    /// `<channel>` elements passed to the sink.
    pub channels: u64,
    /// Programmes passed to the sink (with `defer_stops`, those without a stop too).
    pub programmes: u64,
    /// Programmes rejected.
    pub rejected: u64,
    /// Warnings raised.
    pub warnings: u64,
    /// Earliest start among accepted programmes.
    pub first_start: Option<i64>,
    /// Latest stop among accepted programmes.
    pub last_stop: Option<i64>,
}

/// Where the reader delivers what it parsed.
///
/// Calls arrive in document order, except that a programme without `stop` is held back
/// until its stop is known (the next programme on its channel), so every programme
/// [`Sink::programme`] sees has `stop` set and after `start`. With
/// [`ReadOptions::defer_stops`] nothing is held: a programme without a usable stop goes
/// to [`Sink::programme_without_stop`] in its place. An `Err` from any method stops the
/// read and is returned from [`read`] as it is.
pub trait Sink {
    /// The error type of the whole read: the sink's own failures and the reader's.
    type Error: From<Error>;

    /// The `<tv>` element's attributes, once, before anything else.
    fn tv(&mut self, _tv: &TvInfo) -> Result<(), Self::Error> {
        Ok(())
    }
    /// A `<channel>` element.
    fn channel(&mut self, channel: Channel) -> Result<(), Self::Error>;
    /// A valid programme (times in UTC, corrections applied).
    fn programme(&mut self, programme: Programme) -> Result<(), Self::Error>;
    /// A skipped programme.
    fn reject(&mut self, reject: Reject) -> Result<(), Self::Error>;
    /// A programme whose stop is missing or not after its start, with `defer_stops` set:
    /// `programme.stop` is `None`, and the sink settles it (by default, rejects it).
    fn programme_without_stop(
        &mut self,
        programme: Programme,
        open: OpenStop,
    ) -> Result<(), Self::Error> {
        let (reason, detail) = match open.stop {
            Some(_) => (
                RejectReason::StopNotAfterStart,
                "the stop is not after the start",
            ),
            None => (RejectReason::MissingStop, "the programme has no stop"),
        };
        self.reject(Reject {
            reason,
            position: open.position,
            channel: Some(programme.channel),
            start: Some(open.start),
            detail: detail.to_owned(),
        })
    }
    /// A repaired problem.
    fn warning(&mut self, _warning: Warning) -> Result<(), Self::Error> {
        Ok(())
    }
    /// Progress, called every few hundred programmes and at the end.
    fn progress(&mut self, _bytes_read: u64, _programmes: u64) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Errors that end a read: the document is broken or over a limit.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading the input failed (includes truncated or corrupt compressed data).
    #[error("could not read the feed: {0}")]
    Io(#[from] std::io::Error),
    /// The XML is malformed.
    #[error("malformed XML at byte {position}: {message}")]
    Xml {
        /// Byte offset in the decoded document.
        position: u64,
        /// The parser's message.
        message: String,
    },
    /// The document ended inside an element.
    #[error("the feed ends in the middle of the document (inside <{element}>)")]
    Truncated {
        /// The innermost open element.
        element: String,
    },
    /// The root element is not `<tv>`.
    #[error("not an XMLTV document: the root element is <{0}>, expected <tv>")]
    NotXmltv(String),
    /// A DOCTYPE declared entities; they are never expanded.
    #[error("the feed declares entities in its DOCTYPE, which are not allowed")]
    EntityDeclaration,
    /// The decompressed feed is larger than allowed.
    #[error("the feed is larger than {limit} bytes after decompression")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// Elements nest deeper than allowed.
    #[error("elements nest deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// One token (text run, tag, comment, …) is longer than allowed.
    #[error("the {kind} at byte {position} is longer than {limit} bytes")]
    TokenTooLong {
        /// What the token is.
        kind: TokenKind,
        /// Where it starts, as a byte offset in the decoded document.
        position: u64,
        /// The limit, in bytes.
        limit: u64,
    },
    /// An attribute value is longer than allowed.
    #[error("the value of attribute {name} is longer than {limit} bytes")]
    AttributeTooLong {
        /// The attribute's name.
        name: String,
        /// The limit, in bytes ([`Limits::max_text_bytes`]).
        limit: usize,
    },
    /// One channel or programme holds more text than allowed.
    #[error("a <{element}> holds more than {limit} bytes of text and attribute values")]
    RecordTooLarge {
        /// The record's element name.
        element: String,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The feed names more channels than allowed.
    #[error("the feed has more than {limit} channels")]
    TooManyChannels {
        /// The limit.
        limit: usize,
    },
    /// An element's text is longer than allowed.
    #[error("an element's text is longer than {limit} bytes")]
    TextTooLong {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The declared encoding is unknown.
    #[error("unsupported encoding {0:?}")]
    UnsupportedEncoding(String),
    /// A zip archive holds no XML file.
    #[error("the zip archive holds no XML file")]
    EmptyArchive,
    /// The input has no root element at all (for example it is empty).
    #[error("the feed is empty: it has no root element")]
    Empty,
}

/// Reads a whole feed into `sink`: `input` may be plain, gzip, xz or zip (by its magic
/// bytes) and in any encoding its BOM or XML declaration names.
///
/// Memory stays bounded whatever the input's size: the document is streamed, and the
/// only state kept across programmes is one held programme per channel (see [`Sink`]).
/// Every `<programme>` reaches either [`Sink::programme`] or [`Sink::reject`].
pub fn read<R: std::io::Read, S: Sink>(
    input: R,
    options: &ReadOptions,
    sink: &mut S,
) -> Result<Summary, S::Error> {
    let counters = reader::Counters {
        consumed: limit::Counter::default(),
        replacements: limit::Counter::default(),
    };
    let counted = limit::Counting::new(input, counters.consumed.clone());
    decompress::with_decompressed(counted, |plain| {
        let limited = limit::Limit::new(plain, options.limits.max_decompressed_bytes);
        let decoded = decode::Utf8Reader::new(limited, counters.replacements.clone()).map_err(
            |e| match e {
                Error::Io(io) => match limit::limit_exceeded(&io) {
                    Some(limit) => Error::TooLarge { limit },
                    None => Error::Io(io),
                },
                other => other,
            },
        )?;
        reader::run(decoded, options, counters, sink)
    })
}

/// Season, episode and part (one-based) from a programme's episode numbers:
/// `xmltv_ns` first (zero-based in the feed), then `onscreen` forms like `S01E02`.
pub fn parse_episode(nums: &[crate::model::EpisodeNum]) -> crate::model::EpisodeInfo {
    episode::parse(nums)
}
