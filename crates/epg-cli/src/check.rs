//! `epg check`: read a feed with a counting sink and report what it holds.

use std::io::{self, Write};
use std::process::ExitCode;

use epg::feed::{self, Reject, Warning};
use epg::model::{Channel, Programme};
use serde::Serialize;

use crate::cli::CheckArgs;
use crate::input::{feed_size, open_feed, rfc3339};
use crate::progress::{Progress, Reporting};

/// Counts everything and keeps every reject and warning, which are few in any feed
/// worth importing (and a feed full of them is exactly what `check` must show).
#[derive(Debug, Default)]
struct Tally {
    channels: u64,
    programmes: u64,
    first_start: Option<i64>,
    last_stop: Option<i64>,
    rejects: Vec<Reject>,
    warnings: Vec<String>,
}

impl feed::Sink for Tally {
    type Error = feed::Error;

    fn channel(&mut self, _channel: Channel) -> Result<(), feed::Error> {
        self.channels += 1;
        Ok(())
    }

    fn programme(&mut self, programme: Programme) -> Result<(), feed::Error> {
        self.programmes += 1;
        let stop = programme.stop.unwrap_or(programme.start);
        self.first_start = Some(
            self.first_start
                .map_or(programme.start, |s| s.min(programme.start)),
        );
        self.last_stop = Some(self.last_stop.map_or(stop, |s| s.max(stop)));
        Ok(())
    }

    fn reject(&mut self, reject: Reject) -> Result<(), feed::Error> {
        self.rejects.push(reject);
        Ok(())
    }

    fn warning(&mut self, warning: Warning) -> Result<(), feed::Error> {
        self.warnings.push(describe_warning(&warning));
        Ok(())
    }
}

fn describe_warning(warning: &Warning) -> String {
    match warning {
        Warning::InvalidEncoding { count } => {
            format!("{count} byte sequences invalid in the declared encoding were replaced")
        }
    }
}

/// The `--json` output.
#[derive(Debug, Serialize)]
struct Report {
    channels: u64,
    programmes: u64,
    rejected: u64,
    warnings: u64,
    first_start: Option<String>,
    last_stop: Option<String>,
    rejects: Vec<RejectJson>,
    warning_messages: Vec<String>,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct RejectJson {
    position: u64,
    channel: Option<String>,
    start: Option<String>,
    reason: &'static str,
    detail: String,
}

/// Runs `epg check`: 0 when the document is readable, 1 when it is not.
pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let input = open_feed(&args.feed)?;
    let mut options = feed::ReadOptions {
        timezone: args.timezone,
        ..feed::ReadOptions::default()
    };
    if let Some(max) = args.max_bytes {
        options.limits.max_decompressed_bytes = max;
    }
    let mut tally = Tally::default();
    let progress = Progress::new(!args.json, feed_size(&args.feed));
    let mut sink = Reporting {
        inner: &mut tally,
        progress: &progress,
    };
    let error = feed::read(input, &options, &mut sink)
        .err()
        .map(|e| e.to_string());
    progress.finish();
    let report = report(tally, error);
    let mut out = io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        print_text(&mut out, &report)?;
    }
    out.flush()?;
    Ok(match &report.error {
        Some(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
        None => ExitCode::SUCCESS,
    })
}

fn report(tally: Tally, error: Option<String>) -> Report {
    Report {
        channels: tally.channels,
        programmes: tally.programmes,
        rejected: tally.rejects.len() as u64,
        warnings: tally.warnings.len() as u64,
        first_start: tally.first_start.map(rfc3339),
        last_stop: tally.last_stop.map(rfc3339),
        rejects: tally
            .rejects
            .into_iter()
            .map(|r| RejectJson {
                position: r.position,
                channel: r.channel,
                start: r.start,
                reason: r.reason.as_str(),
                detail: r.detail,
            })
            .collect(),
        warning_messages: tally.warnings,
        error,
    }
}

fn print_text(out: &mut impl Write, report: &Report) -> io::Result<()> {
    let none = || "-".to_owned();
    writeln!(out, "channels:    {}", report.channels)?;
    writeln!(out, "programmes:  {}", report.programmes)?;
    writeln!(out, "rejected:    {}", report.rejected)?;
    writeln!(out, "warnings:    {}", report.warnings)?;
    let first = report.first_start.clone().unwrap_or_else(none);
    writeln!(out, "first start: {first}")?;
    let last = report.last_stop.clone().unwrap_or_else(none);
    writeln!(out, "last stop:   {last}")?;
    for r in &report.rejects {
        writeln!(
            out,
            "rejected programme #{} channel {} start {}: {}: {}",
            r.position,
            quoted(r.channel.as_deref()),
            quoted(r.start.as_deref()),
            r.reason,
            r.detail
        )?;
    }
    for w in &report.warning_messages {
        writeln!(out, "warning: {w}")?;
    }
    Ok(())
}

/// A value as `"…"`, or `-` when absent, so that empty and missing differ.
pub fn quoted(value: Option<&str>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:?}"))
}
