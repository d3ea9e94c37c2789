//! `epg export`: the merged guide as XMLTV, to a file or standard output.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::ExportArgs;
use crate::input::existing_store;
use epg::export;

/// The end of "everything from now on": the last second of year 9999, a real time that
/// any date code can still format and add shifts to, unlike `i64::MAX`.
const FOREVER: i64 = 253_402_300_799;

/// The window `[start, end)` to export at `now`: from now (so the programme on air is
/// included) to `days` ahead, or everything from now on.
pub fn window(now: i64, days: Option<u32>) -> (i64, i64) {
    let end = days.map_or(FOREVER, |d| now.saturating_add(i64::from(d) * 86_400));
    (now, end)
}

/// Runs `epg export`.
pub fn run(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let store = existing_store(&args.db)?;
    let (start, end) = window(epg::store::now_seconds(), args.days);
    let options = export::ExportOptions {
        channels: args.channels.clone(),
        start,
        end,
        include_empty_channels: false,
    };
    let out: Box<dyn Write> = match args.output.as_deref() {
        None | Some("-") => Box::new(io::stdout().lock()),
        Some(path) => {
            Box::new(File::create(path).with_context(|| format!("cannot create {path}"))?)
        }
    };
    let mut out = BufWriter::with_capacity(64 * 1024, out);
    if args.gzip {
        export::write_gzip(&store, &options, &mut out)?;
    } else {
        export::write(&store, &options, &mut out)?;
    }
    out.flush().context("cannot write the export")?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_runs_from_now_to_days_ahead_or_forever() {
        assert_eq!(window(1_000, Some(7)), (1_000, 1_000 + 7 * 86_400));
        assert_eq!(window(1_000, Some(0)), (1_000, 1_000));
        assert_eq!(window(1_000, None), (1_000, FOREVER));
    }
}
