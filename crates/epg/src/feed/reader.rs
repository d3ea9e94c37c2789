//! The document loop: `<tv>`, then channels and programmes to the sink, checking each
//! programme and inferring missing stops.

use std::collections::HashMap;
use std::io::BufRead;

use super::channel::{channel_from, tv_from};
use super::limit::Counter;
use super::programme::{RawProgramme, programme_from};
use super::times::{self, Time};
use super::xml::Xml;
use super::{Error, OpenStop, ReadOptions, Reject, RejectReason, Sink, Summary, Warning};
use crate::model::Programme;

/// How often, in programmes, the sink hears about progress.
const PROGRESS_EVERY: u64 = 500;

/// The counts kept by the stages below the parser.
pub(super) struct Counters {
    /// Input bytes consumed, before decompression.
    pub consumed: Counter,
    /// U+FFFD produced by the charset stage and not yet reported.
    pub replacements: Counter,
}

/// A programme without `stop`, waiting for the next one on its channel.
struct Held {
    programme: Programme,
    position: u64,
    start: String,
}

struct Document<'o, B> {
    xml: Xml<B>,
    buf: Vec<u8>,
    options: &'o ReadOptions,
    counters: Counters,
    summary: Summary,
    /// 1-based index of the last `<programme>` element seen.
    position: u64,
    /// At most one per channel, so memory is bounded by the channel count.
    held: HashMap<String, Held>,
}

/// Reads the decoded document `input` into `sink`.
pub(super) fn run<B: BufRead, S: Sink>(
    input: B,
    options: &ReadOptions,
    counters: Counters,
    sink: &mut S,
) -> Result<Summary, S::Error> {
    let document = Document {
        xml: Xml::new(input, options.limits),
        // quick-xml appends each chunk of the charset stage to `buf`; a `Vec` that
        // starts at the chunk size grows by doubling alone, so a token at the size
        // limit never makes it reserve twice the limit.
        buf: Vec::with_capacity(super::decode::OUT_CAPACITY),
        options,
        counters,
        summary: Summary::default(),
        position: 0,
        held: HashMap::new(),
    };
    document.read(sink)
}

impl<B: BufRead> Document<'_, B> {
    fn read<S: Sink>(mut self, sink: &mut S) -> Result<Summary, S::Error> {
        if !self.xml.root(&mut self.buf, refuse_entities)? {
            return Err(Error::Empty.into());
        }
        if self.xml.name() != b"tv" {
            let name = String::from_utf8_lossy(self.xml.name()).into_owned();
            return Err(Error::NotXmltv(name).into());
        }
        sink.tv(&tv_from(&self.xml))?;
        while self.xml.child(&mut self.buf)? {
            match self.xml.name() {
                b"channel" => {
                    let channel = channel_from(&mut self.xml, &mut self.buf)?;
                    self.summary.channels += 1;
                    sink.channel(channel)?;
                }
                b"programme" => {
                    let raw = programme_from(&mut self.xml, &mut self.buf)?;
                    self.programme(raw, sink)?;
                }
                _ => self.xml.skip(&mut self.buf)?,
            }
            self.report_replacements(sink)?;
        }
        // Whatever follows `</tv>` (comments, whitespace) is read so that a
        // malformed tail is still noticed.
        while !matches!(self.xml.next(&mut self.buf)?, quick_xml::events::Event::Eof) {}
        self.finish(sink)
    }

    /// Checks one programme, resolves the held programme of its channel, and passes
    /// it on, holds it, or rejects it.
    fn programme<S: Sink>(&mut self, raw: RawProgramme, sink: &mut S) -> Result<(), S::Error> {
        self.position += 1;
        if self.position.is_multiple_of(PROGRESS_EVERY) {
            sink.progress(self.counters.consumed.get(), self.summary.programmes)?;
        }
        let position = self.position;
        let start = match self.start_of(&raw) {
            Ok(start) => start,
            Err((reason, detail)) => {
                return self.reject(rejected(raw, reason, position, detail), sink);
            }
        };
        // Even a programme rejected below marks where the held one ended.
        self.resolve_held(raw.channel.as_deref().unwrap_or_default(), start, sink)?;
        let stop = match self.stop_of(&raw, start) {
            Err((RejectReason::StopNotAfterStart, _)) if self.options.defer_stops => Ok(None),
            other => other,
        };
        let stop = match stop {
            Ok(stop) => stop,
            Err((reason, detail)) => {
                return self.reject(rejected(raw, reason, position, detail), sink);
            }
        };
        let RawProgramme {
            channel,
            start: start_text,
            stop: stop_text,
            mut programme,
        } = raw;
        programme.channel = channel.unwrap_or_default();
        programme.start = start.utc;
        programme.start_offset = start.offset;
        programme.stop = stop.map(|t| t.utc);
        programme.stop_offset = stop.map(|t| t.offset);
        if stop.is_some() {
            return self.accept(programme, sink);
        }
        let start = start_text.unwrap_or_default();
        if self.options.defer_stops {
            self.summary.programmes += 1;
            let open = OpenStop {
                position,
                start,
                stop: stop_text,
            };
            return sink.programme_without_stop(programme, open);
        }
        let held = Held {
            programme,
            position,
            start,
        };
        let limit = self.options.limits.max_channels;
        if self.held.len() >= limit {
            return Err(Error::TooManyChannels { limit }.into());
        }
        self.held.insert(held.programme.channel.clone(), held);
        Ok(())
    }

    /// The start, once the channel and start are known good.
    fn start_of(&self, raw: &RawProgramme) -> Result<Time, (RejectReason, String)> {
        if raw.channel.is_none() {
            let detail = "the programme has no channel attribute";
            return Err((RejectReason::MissingChannel, detail.into()));
        }
        let Some(start) = &raw.start else {
            let detail = "the programme has no start attribute";
            return Err((RejectReason::MissingStart, detail.into()));
        };
        self.time(start)
            .map_err(|e| (RejectReason::BadTime, format!("start: {e}")))
    }

    /// The stop if there is one, once the rest of the record is known good.
    fn stop_of(
        &self,
        raw: &RawProgramme,
        start: Time,
    ) -> Result<Option<Time>, (RejectReason, String)> {
        let stop = match &raw.stop {
            Some(text) => Some(
                self.time(text)
                    .map_err(|e| (RejectReason::BadTime, format!("stop: {e}")))?,
            ),
            None => None,
        };
        if raw.programme.titles.is_empty() {
            let detail = "the programme has no non-empty title";
            return Err((RejectReason::MissingTitle, detail.into()));
        }
        match stop {
            Some(stop) if stop.utc <= start.utc => Err((
                RejectReason::StopNotAfterStart,
                format!("stop {} is not after start {}", stop.utc, start.utc),
            )),
            _ => Ok(stop),
        }
    }

    fn time(&self, text: &str) -> Result<Time, times::BadTime> {
        let options = self.options;
        times::parse(text, options.timezone, options.offset_correction_minutes)
    }

    /// The programme held on `channel` ends where the next one starts, if later.
    fn resolve_held<S: Sink>(
        &mut self,
        channel: &str,
        next: Time,
        sink: &mut S,
    ) -> Result<(), S::Error> {
        if self.held.is_empty() {
            return Ok(());
        }
        let Some(mut held) = self.held.remove(channel) else {
            return Ok(());
        };
        if next.utc <= held.programme.start {
            let detail = "the next programme on the channel does not start later, so the stop cannot be inferred";
            return self.reject(held.missing_stop(detail), sink);
        }
        held.programme.stop = Some(next.utc);
        held.programme.stop_offset = Some(next.offset);
        self.accept(held.programme, sink)
    }

    fn accept<S: Sink>(&mut self, programme: Programme, sink: &mut S) -> Result<(), S::Error> {
        let summary = &mut self.summary;
        summary.programmes += 1;
        summary.first_start = Some(
            summary
                .first_start
                .map_or(programme.start, |s| s.min(programme.start)),
        );
        if let Some(stop) = programme.stop {
            summary.last_stop = Some(summary.last_stop.map_or(stop, |s| s.max(stop)));
        }
        sink.programme(programme)
    }

    fn reject<S: Sink>(&mut self, reject: Reject, sink: &mut S) -> Result<(), S::Error> {
        self.summary.rejected += 1;
        sink.reject(reject)
    }

    fn report_replacements<S: Sink>(&mut self, sink: &mut S) -> Result<(), S::Error> {
        let count = self.counters.replacements.replace(0);
        if count == 0 {
            return Ok(());
        }
        self.summary.warnings += 1;
        sink.warning(Warning::InvalidEncoding { count })
    }

    /// Rejects what is still held, in document order, and reports the totals.
    fn finish<S: Sink>(mut self, sink: &mut S) -> Result<Summary, S::Error> {
        let mut held: Vec<Held> = self.held.drain().map(|(_, h)| h).collect();
        held.sort_by_key(|h| h.position);
        for h in held {
            self.reject(
                h.missing_stop("no later programme on the channel to infer the stop from"),
                sink,
            )?;
        }
        self.report_replacements(sink)?;
        self.summary.bytes_read = self.counters.consumed.get();
        sink.progress(self.summary.bytes_read, self.summary.programmes)?;
        Ok(self.summary)
    }
}

/// The rejection of `raw`, keeping what identifies it.
fn rejected(raw: RawProgramme, reason: RejectReason, position: u64, detail: String) -> Reject {
    Reject {
        reason,
        position,
        channel: raw.channel,
        start: raw.start,
        detail,
    }
}

impl Held {
    fn missing_stop(self, detail: &str) -> Reject {
        Reject {
            reason: RejectReason::MissingStop,
            position: self.position,
            channel: Some(self.programme.channel),
            start: Some(self.start),
            detail: detail.to_owned(),
        }
    }
}

/// Entity declarations are refused outright: expanding them invites billion-laughs
/// bombs and external ones would fetch files or URLs. A DOCTYPE that only names the
/// DTD (`<!DOCTYPE tv SYSTEM "xmltv.dtd">`) is harmless and ignored.
fn refuse_entities(doctype: &[u8]) -> Result<(), Error> {
    let declares = doctype
        .windows(b"<!ENTITY".len())
        .any(|w| w.eq_ignore_ascii_case(b"<!ENTITY"));
    if declares {
        return Err(Error::EntityDeclaration);
    }
    Ok(())
}
