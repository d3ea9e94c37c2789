//! A stand-in for `epg::export`, which is being written in parallel: the same signatures,
//! so that `epg export` compiles now. When `epg::export` is merged, delete this file and
//! replace `use crate::export_shim as export` in `harness.rs` with `use epg::export`.

use std::fmt;
use std::io::Write;

use epg::Store;

/// What to export.
#[derive(Debug, Clone)]
#[allow(dead_code, reason = "the stand-in exporter reads nothing")]
pub struct ExportOptions {
    /// Only these channels; `None`: every enabled channel.
    pub channels: Option<Vec<i64>>,
    /// Window start, UTC seconds.
    pub start: i64,
    /// Window end, UTC seconds.
    pub end: i64,
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct ExportStats;

/// Why the export failed.
#[derive(Debug)]
pub enum Error {
    /// The real exporter is not merged yet.
    NotAvailable,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("export is not available in this build")
    }
}

impl std::error::Error for Error {}

/// Writes the guide as XMLTV.
pub fn write<W: Write>(
    _store: &impl Store,
    _options: &ExportOptions,
    _out: W,
) -> Result<ExportStats, Error> {
    Err(Error::NotAvailable)
}
