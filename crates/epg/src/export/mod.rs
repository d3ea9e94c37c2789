//! Writing the merged guide as an XMLTV document, streamed.
//!
//! Plex, Jellyfin, Emby, Kodi (IPTV Simple) and Tvheadend all read one XMLTV URL; this
//! module writes it. The document is produced as a stream into any `Write`: channels
//! are listed first (there are few), then each channel's programmes are fetched from
//! [`guide::channel_programmes`] one [`CHUNK_SECONDS`] window at a time and written
//! straight out, so memory stays flat however large the guide is.
//!
//! What is written:
//! - Only enabled logical channels, in id order, optionally restricted to a list.
//! - `<channel id>` follows the rule of [`xmltv_id_for`]. Its `<display-name>`s are, in
//!   this order and without repeats: the channel's name, its stored `xmltv_id`, every
//!   provider channel id mapped to it (best provider first), and its LCN, which Kodi and
//!   Tvheadend read as a channel number. Clients that matched a provider's ids keep
//!   matching.
//! - Programme times are the guide's (the mapping's time shift applied), written in the
//!   UTC offset the feed used, so `+0100` stays `+0100`.
//! - Elements follow the XMLTV DTD's order whatever order the feed used. What the DTD or
//!   `tv_validate_file` would reject is left out rather than written: programmes without
//!   a non-blank title, blank descriptions, enumerated attributes outside their list,
//!   malformed `xmltv_ns` episode numbers, `<live/>`, and characters XML 1.0 forbids
//!   (plus C1 controls).
//! - Channels with no programmes in the window are left out, because
//!   `tv_validate_file` refuses a document that lists them ("No programme entries found
//!   for …"); [`ExportOptions::include_empty_channels`] keeps them for clients that
//!   would otherwise drop their channel mappings.

mod channel;
mod programme;
mod validators;
mod xml;

use std::io::{self, BufWriter, Write};

use flate2::Compression;
use flate2::write::GzEncoder;

pub use programme::exportable_xmltv_ns;
pub(crate) use validators::note_guide_edit;
pub use validators::{Validators, http_date, parse_http_date, validators};

use crate::guide::{self, GuideProgramme};
use crate::store::{self, Store, live};
use channel::ExportChannel;
use xml::Xml;
pub(crate) use xml::xmltv_time;

/// The window each programme query covers: one day keeps every query small while
/// costing only a handful of queries per channel.
pub const CHUNK_SECONDS: i64 = 86_400;

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExportOptions {
    /// Logical channel ids to include; `None` for every enabled channel. Disabled and
    /// unknown ids are skipped.
    pub channels: Option<Vec<i64>>,
    /// Window start, UTC seconds: programmes ending after it are included.
    pub start: i64,
    /// Window end, UTC seconds: programmes starting before it are included.
    pub end: i64,
    /// List channels that have no programmes in the window too (the document then no
    /// longer passes `tv_validate_file`).
    pub include_empty_channels: bool,
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportStats {
    /// `<channel>` elements.
    pub channels: u64,
    /// `<programme>` elements.
    pub programmes: u64,
    /// Bytes of the XML document (before any compression).
    pub bytes: u64,
}

/// Errors of an export.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Writing to the output failed (often: the client went away).
    #[error("could not write the guide: {0}")]
    Io(#[from] io::Error),
    /// Reading the guide failed.
    #[error("could not read the guide: {0}")]
    Store(#[from] store::Error),
}

/// The XMLTV id exported for logical channel `id` whose stored `xmltv_id` is given:
/// that `xmltv_id` when it matches `tv_validate_file`'s `^[-a-zA-Z0-9]+(\.[-a-zA-Z0-9]+)+$`
/// (and is not itself of the generated form), else `ch{id}.epg`, which depends on the
/// numeric id only and so survives renames and re-imports.
pub fn xmltv_id_for(id: i64, xmltv_id: Option<&str>) -> String {
    channel::xmltv_id_for(id, xmltv_id)
}

/// Writes the guide selected by `options` to `out` as XMLTV (UTF-8), through a buffer.
pub fn write<W: Write>(
    store: &impl Store,
    options: &ExportOptions,
    out: W,
) -> Result<ExportStats, Error> {
    write_with(store, options, out, |channel, start, end| {
        guide::channel_programmes(store, channel, start, end)
    })
}

/// [`write()`] gzip-compressed: the same document through a `GzEncoder`, finished.
pub fn write_gzip<W: Write>(
    store: &impl Store,
    options: &ExportOptions,
    out: W,
) -> Result<ExportStats, Error> {
    let mut gz = GzEncoder::new(out, Compression::default());
    let stats = write(store, options, &mut gz)?;
    gz.finish()?;
    Ok(stats)
}

/// [`write()`] with the programme source given: `programmes(channel, start, end)` must
/// return the programmes overlapping `[start, end)` in start order, like
/// [`guide::channel_programmes`]. It is a seam for other merge policies and for tests
/// that watch the chunking.
pub fn write_with<W, F>(
    store: &impl Store,
    options: &ExportOptions,
    out: W,
    mut programmes: F,
) -> Result<ExportStats, Error>
where
    W: Write,
    F: FnMut(i64, i64, i64) -> Result<Vec<GuideProgramme>, store::Error>,
{
    let mut channels = Vec::new();
    for c in channel::load(store, options.channels.as_deref())? {
        let range = stored_range(store, c.id, options)?;
        if range.is_some() || options.include_empty_channels {
            channels.push((c, range));
        }
    }
    let mut xml = Xml::new(BufWriter::with_capacity(
        64 * 1024,
        Counting {
            inner: out,
            bytes: 0,
        },
    ));
    xml.raw(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<!DOCTYPE tv SYSTEM \"xmltv.dtd\">\n",
        "<tv generator-info-name=\"epg\">\n",
    ))?;
    for (c, _) in &channels {
        channel::write_channel(&mut xml, c)?;
    }
    let mut written = 0;
    for (c, range) in &channels {
        if let Some(range) = *range {
            written += write_channel_programmes(&mut xml, c, range, options, &mut programmes)?;
        }
    }
    xml.raw("</tv>\n")?;
    let counting = xml
        .into_inner()
        .into_inner()
        .map_err(io::IntoInnerError::into_error)?;
    Ok(ExportStats {
        channels: channels.len() as u64,
        programmes: written,
        bytes: counting.bytes,
    })
}

/// One channel's programmes in `(first, end)`, its [`stored_range`], chunk by chunk. A
/// programme running across a chunk boundary comes back in both chunks: it is written
/// once, and anything starting before the last written stop is skipped so the output
/// never overlaps even if two chunks' merges disagree.
fn write_channel_programmes<W, F>(
    xml: &mut Xml<W>,
    channel: &ExportChannel,
    (first, end): (i64, i64),
    options: &ExportOptions,
    programmes: &mut F,
) -> Result<u64, Error>
where
    W: Write,
    F: FnMut(i64, i64, i64) -> Result<Vec<GuideProgramme>, store::Error>,
{
    let mut written = 0;
    let mut last: Option<(i64, i64)> = None;
    // Chunks stay aligned on the window start whatever the data's range.
    let mut chunk_start = first - (first - options.start).rem_euclid(CHUNK_SECONDS);
    while chunk_start < end {
        let chunk_end = chunk_start.saturating_add(CHUNK_SECONDS).min(end);
        for gp in programmes(channel.id, chunk_start, chunk_end)? {
            if last.is_some_and(|(id, stop)| gp.id == id || gp.start < stop) {
                continue;
            }
            if programme::write_programme(xml, &gp, &channel.xmltv_id)? {
                written += 1;
                last = Some((gp.id, gp.stop));
            }
        }
        chunk_start = chunk_end;
    }
    Ok(written)
}

/// The part of the window where the channel has stored programmes, if any: chunks
/// outside it would be empty queries, and a window of years would be thousands.
fn stored_range(
    store: &impl Store,
    channel_id: i64,
    options: &ExportOptions,
) -> store::Result<Option<(i64, i64)>> {
    let rows = store.execute(
        concat!(
            "SELECT MIN(p.start), MAX(p.stop) FROM programmes p \
             JOIN providers pr ON pr.id = p.provider_id \
             WHERE p.channel_id = ? AND p.stop > ? AND p.start < ? AND ",
            live!(p)
        ),
        &[channel_id.into(), options.start.into(), options.end.into()],
    )?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    Ok(match (row.opt_i64(0)?, row.opt_i64(1)?) {
        (Some(min), Some(max)) => Some((min.max(options.start), max.min(options.end))),
        _ => None,
    })
}

/// Counts the bytes that reach the caller's writer.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
