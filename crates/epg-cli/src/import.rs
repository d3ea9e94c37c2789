//! `epg import`: one provider, one run per feed, the import log's figures printed.

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Instant;

use epg::SqliteStore;
use epg::feed;
use epg::import::{self, ImportOptions, RunRecord, RunStatus, Trigger};
use serde::Serialize;

use crate::check::quoted;
use crate::cli::ImportArgs;
use crate::input::{create_store, feed_size, open_feed};
use crate::progress::{Progress, Reporting};
use crate::provider::{self, ProviderSpec};

/// One feed's outcome, as printed.
#[derive(Debug, Serialize)]
struct Outcome {
    feed: String,
    /// The run's row; `None` when the run could not even be created or read back.
    run: Option<RunRecord>,
    duration_secs: f64,
    programmes_per_sec: f64,
    error: Option<String>,
}

/// Runs `epg import`: 1 when any run failed.
pub fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let store = create_store(&args.db)?;
    let zone = args.timezone.map(|tz| tz.name());
    let spec = ProviderSpec {
        name: &args.provider,
        url: args.url.as_deref(),
        timezone: zone,
        priority: args.priority,
    };
    let first = args.feeds.first().map_or("-", String::as_str);
    let provider_id = provider::find_or_create(&store, &spec, first, epg::store::now_seconds())?;
    let mut outcomes = Vec::new();
    let mut out = io::stdout().lock();
    for feed in &args.feeds {
        let progress = Progress::new(!args.json, feed_size(feed));
        let outcome = import_one(&store, provider_id, feed, &progress);
        progress.finish();
        if !args.json {
            print_text(&mut out, &outcome)?;
        }
        outcomes.push(outcome);
    }
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&outcomes)?)?;
    }
    out.flush()?;
    let failed = outcomes.iter().any(|o| o.error.is_some());
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn import_one(store: &SqliteStore, provider_id: i64, feed: &str, progress: &Progress) -> Outcome {
    let started = Instant::now();
    let result = open_feed(feed).and_then(|input| {
        let run = import::start_run(store, provider_id, Trigger::Cli)?;
        let options = ImportOptions::default();
        // Without it (a second connection that cannot be opened) the import is slower only.
        let _bulk = store.bulk_writes().ok();
        // A failed run is recorded in its row; read it back so that its figures show.
        import::run_with(store, run.id, &options, |read_options, sink| {
            let mut sink = Reporting {
                inner: sink,
                progress,
            };
            feed::read(input, read_options, &mut sink)
        })
        .map_err(|e| {
            let record = import::get_run(store, run.id).ok().flatten();
            anyhow::Error::new(e).context(RunFailed(record))
        })
    });
    let duration = started.elapsed().as_secs_f64();
    let (run, error) = match result {
        Ok(record) => (Some(record), None),
        Err(e) => {
            let record = e.downcast_ref::<RunFailed>().and_then(|f| f.0.clone());
            (record, Some(format!("{e:#}")))
        }
    };
    let programmes = run.as_ref().map_or(0, |r| r.programmes_seen);
    Outcome {
        feed: feed.to_owned(),
        run,
        duration_secs: duration,
        programmes_per_sec: if duration > 0.0 {
            programmes as f64 / duration
        } else {
            0.0
        },
        error,
    }
}

/// Context carrying the failed run's row through `anyhow`.
#[derive(Debug)]
struct RunFailed(Option<RunRecord>);

impl std::fmt::Display for RunFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the import failed")
    }
}

fn print_text(out: &mut impl Write, o: &Outcome) -> io::Result<()> {
    if let Some(r) = &o.run {
        writeln!(out, "run {} {}: {}", r.id, status(r.status), o.feed)?;
        writeln!(
            out,
            "  bytes {}, channels {}, programmes {}",
            r.bytes_read, r.channels_seen, r.programmes_seen
        )?;
        writeln!(
            out,
            "  added {}, updated {}, removed {}, rejected {}, warnings {}",
            r.added, r.updated, r.removed, r.rejected, r.warnings
        )?;
        for (reason, stats) in &r.rejects {
            writeln!(out, "  rejected {reason}: {}", stats.count)?;
            for e in &stats.examples {
                writeln!(
                    out,
                    "    #{} channel {} start {}: {}",
                    e.position,
                    quoted(e.channel.as_deref()),
                    quoted(e.start.as_deref()),
                    e.detail
                )?;
            }
        }
        writeln!(
            out,
            "  duration {:.3} s, {:.0} programmes/s",
            o.duration_secs, o.programmes_per_sec
        )?;
    }
    if let Some(e) = &o.error {
        eprintln!("error: {}: {e}", o.feed);
    }
    Ok(())
}

fn status(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Queued => "queued",
        RunStatus::Running => "running",
        RunStatus::Succeeded => "succeeded",
        RunStatus::Unchanged => "unchanged",
        RunStatus::Failed => "failed",
    }
}
