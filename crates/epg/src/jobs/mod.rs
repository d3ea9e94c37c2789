//! Scheduled and queued work: claiming runs with a lease, the daily import, fetching a
//! provider's feed over HTTP, and cleanup. The cron components and `POST /jobs/run`
//! call [`run_due`]; they differ only in the [`Fetcher`] they pass.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::import::{self, ImportOptions, RunRecord, RunStatus};
use crate::retention::{self, CleanupReport};
use crate::store::{self, Store};

mod claim;
mod download;
mod log;
mod schedule;

pub use claim::{Claim, LEASE_SECS, MAX_ATTEMPTS, claim_next, queued_count};
pub use download::{Download, DownloadError, MAX_REDIRECTS, Validators, download, is_fetchable};
pub use schedule::{daily_due, queue_daily};

/// A request for a provider's feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRequest {
    /// Absolute http(s) URL.
    pub url: String,
    /// Extra headers (`If-None-Match`, `If-Modified-Since`, `Accept-Encoding`, …).
    pub headers: Vec<(String, String)>,
}

/// A response whose body is read as a stream.
pub struct FetchResponse<'a> {
    /// HTTP status.
    pub status: u16,
    /// Response headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body, pulled as the reader parses.
    pub body: Box<dyn Read + 'a>,
}

/// Why a fetch failed before a response arrived.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The host is not allowed (Spin's `allowed_outbound_hosts`).
    #[error("outbound requests to {0} are not allowed")]
    Denied(String),
    /// The request failed.
    #[error("request failed: {0}")]
    Failed(String),
}

/// Outbound HTTP, one request at a time, no redirects followed (the job follows them).
pub trait Fetcher {
    /// Sends a GET.
    fn get(&self, request: &FetchRequest) -> Result<FetchResponse<'_>, FetchError>;
}

/// What one pass of due work did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct JobReport {
    /// Runs queued by the daily schedule during this pass.
    pub scheduled: u32,
    /// Runs this pass imported (finished, failed or unchanged), and the one it paused at
    /// its time budget (still `running`, with `paused_at` set).
    pub runs: Vec<crate::import::RunRecord>,
    /// Runs left queued because the time budget ran out (or the host is stopping).
    pub deferred: u32,
    /// Runs stopped at the time budget, continued by the next pass: 0 or 1.
    pub paused: u32,
    /// The cleanup that followed the imports, if any ran.
    pub cleanup: Option<crate::retention::CleanupReport>,
}

/// Errors of a job pass. A run that fails (download or import) is not an error of the
/// pass: it is recorded as a failed run and the pass goes on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// Queueing the daily runs failed.
    #[error(transparent)]
    Import(#[from] import::Error),
}

/// The time one pass of [`run_due_within`] may take, counted from its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// No run is claimed after this.
    pub claims: Duration,
    /// A run in hand stops staging after this, once its current batch is committed, and
    /// is left for the next pass to continue.
    pub staging: Duration,
    /// A run in hand stops applying after this, once its current step is committed.
    pub applying: Duration,
}

/// When the run in hand pauses, for one pass.
#[derive(Debug, Clone, Copy)]
struct Deadlines {
    staging: Instant,
    applying: Instant,
}

impl Budget {
    /// A pass that must answer within `secs`: staging stops at three fifths of it, which
    /// leaves time for settling the feed when it ends in time, and applying at 85 %,
    /// which leaves time for a last step and the switch.
    pub fn of_seconds(secs: u64) -> Self {
        Self {
            claims: Duration::from_secs(secs),
            staging: Duration::from_millis(secs.saturating_mul(600)),
            applying: Duration::from_millis(secs.saturating_mul(850)),
        }
    }
}

/// Does the due work now: queues the daily import once `config.import_time` has passed
/// in `config.timezone`, then claims queued runs (and runs whose lease expired) one at a
/// time with a lease, fetches and imports each, and runs cleanup after importing. Stops
/// claiming new runs once `budget_secs` have passed, so that it answers before a host's
/// handler limit; a run already claimed is finished even if that takes longer.
pub fn run_due(
    store: &impl Store,
    fetcher: &dyn Fetcher,
    config: &Config,
    now: i64,
    budget_secs: u64,
) -> Result<JobReport, Error> {
    run_due_until(store, fetcher, config, now, budget_secs, &|| false)
}

/// [`run_due`] that also stops claiming new runs once `stop` returns true: a host that
/// is shutting down lets the run in hand finish and leaves the rest queued.
pub fn run_due_until(
    store: &impl Store,
    fetcher: &dyn Fetcher,
    config: &Config,
    now: i64,
    budget_secs: u64,
    stop: &dyn Fn() -> bool,
) -> Result<JobReport, Error> {
    let claims = Duration::from_secs(budget_secs);
    pass(store, fetcher, config, now, claims, None, stop)
}

/// [`run_due`] for hosts that end a handler after a fixed time: the run in hand also
/// stops at the budget (see [`Budget`]) and stays `running`, paused; the next pass
/// claims it at once and continues from what it staged, re-reading the feed from its
/// start without writing what is staged, so a feed of any size completes over several
/// passes with the guide one long pass gives. A run whose holder is gone (a crash) is
/// continued the same way once its lease has run out.
pub fn run_due_within(
    store: &impl Store,
    fetcher: &dyn Fetcher,
    config: &Config,
    now: i64,
    budget: Budget,
) -> Result<JobReport, Error> {
    pass(
        store,
        fetcher,
        config,
        now,
        budget.claims,
        Some((budget.staging, budget.applying)),
        &|| false,
    )
}

fn pass(
    store: &impl Store,
    fetcher: &dyn Fetcher,
    config: &Config,
    now: i64,
    claims: Duration,
    pauses: Option<(Duration, Duration)>,
    stop: &dyn Fn() -> bool,
) -> Result<JobReport, Error> {
    let started = Instant::now();
    let deadlines = pauses.map(|(staging, applying)| Deadlines {
        staging: started + staging,
        applying: started + applying,
    });
    let clock = || now + i64::try_from(started.elapsed().as_secs()).unwrap_or(i64::MAX / 2);
    let owner = lease_owner(now);
    let mut report = JobReport {
        scheduled: queue_daily(store, config, now)?,
        ..JobReport::default()
    };
    loop {
        if started.elapsed() >= claims || stop() {
            report.deferred = queued_count(store)?;
            break;
        }
        let Some(claim) = claim_next(store, &owner, clock())? else {
            break;
        };
        if let Some(record) = process(store, fetcher, config, claim, clock(), deadlines)? {
            log::run(config, &record);
            let paused = record.paused_at.is_some();
            report.runs.push(record);
            if paused {
                report.paused += 1;
                report.deferred = queued_count(store)?;
                break;
            }
        }
    }
    if report.runs.iter().any(|r| r.status == RunStatus::Succeeded) {
        report.cleanup = Some(run_cleanup(store, config, clock())?);
    }
    Ok(report)
}

/// Deletes what is past retention (see [`retention::cleanup`]) and logs what went.
pub fn run_cleanup(store: &impl Store, config: &Config, now: i64) -> Result<CleanupReport, Error> {
    import::sweep(store)?;
    let report = retention::cleanup(store, now, config.retention_days)?;
    log::cleanup(config, &report);
    Ok(report)
}

/// Takes a claimed run to its end, or to its pause at `budget`, and returns its row.
fn process(
    store: &impl Store,
    fetcher: &dyn Fetcher,
    config: &Config,
    claim: Claim,
    now: i64,
    budget: Option<Deadlines>,
) -> Result<Option<RunRecord>, Error> {
    if claim.attempts > 1 {
        // Only a run whose importer stopped without recording a result is claimed again.
        let read = claim::bytes_read(store, claim.run_id)?;
        let previous = claim.attempts - 1;
        if claim.attempts > MAX_ATTEMPTS {
            let error = format!(
                "the import was interrupted {MAX_ATTEMPTS} times: each attempt stopped \
                 without a result (the importer was killed or trapped), the last after \
                 reading {read} bytes of the feed; giving up"
            );
            claim::finish_run(store, claim.run_id, "failed", Some(&error), now)?;
            return final_record(store, claim.run_id);
        }
        let next = if import::is_staged(store, claim.run_id)? {
            "continuing its apply where it stopped".to_owned()
        } else {
            match import::staged_until(store, claim.run_id)? {
                Some(seq) => format!("continuing after programme {seq}, which it staged"),
                None => "retrying".to_owned(),
            }
        };
        let note = format!(
            "attempt {previous} stopped without a result after reading {read} bytes; {next}"
        );
        claim::note_retry(store, claim.run_id, &note)?;
    }
    let Some((url, validators)) = provider_source(store, claim.provider_id)? else {
        let error = format!("provider {} not found", claim.provider_id);
        claim::finish_run(store, claim.run_id, "failed", Some(&error), now)?;
        return final_record(store, claim.run_id);
    };
    let mut options = ImportOptions::default();
    options.limits.max_decompressed_bytes = config.max_feed_bytes;
    options.limits.max_token_bytes = config.max_token_bytes;
    options.pause_at = budget.map(|b| b.staging);
    options.pause_apply_at = budget.map(|b| b.applying);
    if import::is_staged(store, claim.run_id)? {
        // Read and settled by an earlier call: only the apply is left, without the feed.
        if let Ok(run) = import::continue_staged(store, claim.run_id, &options)
            && run.status == RunStatus::Succeeded
        {
            let fetched = import::feed_version(store, claim.run_id)?;
            mark_fetched(store, claim.provider_id, Some(fetched), now)?;
        }
        return final_record(store, claim.run_id);
    }
    // A continued run whose feed turns out to have changed starts over, with one more
    // download.
    for _ in 0..2 {
        match download(fetcher, &url, &validators, config.max_feed_bytes) {
            Err(e) => {
                claim::finish_run(store, claim.run_id, "failed", Some(&e.to_string()), now)?;
            }
            Ok(Download::Unchanged) => {
                claim::finish_run(store, claim.run_id, "unchanged", None, now)?;
                mark_fetched(store, claim.provider_id, None, now)?;
            }
            Ok(Download::Body {
                body,
                etag,
                last_modified,
            }) => {
                import::note_feed_version(
                    store,
                    claim.run_id,
                    etag.as_deref(),
                    last_modified.as_deref(),
                )?;
                // A failed import has marked its run failed with the reason; the record
                // read below carries it.
                match import::run(store, claim.run_id, body, &options) {
                    Ok(run) if run.status == RunStatus::Succeeded => {
                        mark_fetched(store, claim.provider_id, Some((etag, last_modified)), now)?;
                    }
                    Err(import::Error::FeedChanged) => continue,
                    _ => {}
                }
            }
        }
        break;
    }
    final_record(store, claim.run_id)
}

/// The run's row, `None` when it is gone: deleting a provider deletes its runs, even
/// one being imported, and that must not end the pass for the other providers.
fn final_record(store: &impl Store, run_id: i64) -> Result<Option<RunRecord>, Error> {
    Ok(import::get_run(store, run_id)?)
}

fn provider_source(
    store: &impl Store,
    provider_id: i64,
) -> Result<Option<(String, Validators)>, store::Error> {
    let rows = store.execute(
        "SELECT xmltv_url, etag, last_modified FROM providers WHERE id = ?",
        &[provider_id.into()],
    )?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let validators = Validators {
        etag: row.opt_string(1)?,
        last_modified: row.opt_string(2)?,
    };
    Ok(Some((row.string(0)?, validators)))
}

/// Records a fetch on the provider; `validators` (a new feed's `ETag` and
/// `Last-Modified`) replace the stored ones only after the feed was imported, so that a
/// failed import is fetched in full next time.
fn mark_fetched(
    store: &impl Store,
    provider_id: i64,
    validators: Option<(Option<String>, Option<String>)>,
    now: i64,
) -> Result<(), store::Error> {
    match validators {
        Some((etag, last_modified)) => store.execute(
            "UPDATE providers SET etag = ?, last_modified = ?, last_fetched_at = ? WHERE id = ?",
            &[
                etag.into(),
                last_modified.into(),
                now.into(),
                provider_id.into(),
            ],
        )?,
        None => store.execute(
            "UPDATE providers SET last_fetched_at = ? WHERE id = ?",
            &[now.into(), provider_id.into()],
        )?,
    };
    Ok(())
}

/// A name for this pass's leases, unique enough to tell processes apart in the log.
fn lease_owner(now: i64) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("jobs-{now}-{nanos:09}")
}
