//! Importing one provider's feed: stage its programmes in committed batches, map its
//! channels, then apply them to the live guide in short steps out of readers' sight and
//! switch the guide to them in one small transaction. A run can stop at a time budget
//! (or die) at any point and be continued by a later call.
//!
//! The stages, one module each, in the order a run goes through them:
//! `staging` writes the parsed feed into `staging_*` tables in committed batches
//! (so a reader sees progress and memory stays bounded), `progress` follows the bytes
//! read, `stops` settles missing stops; `resolve` settles duplicates and overlaps within
//! the feed; `mapping` ties each provider channel to a logical channel; `apply` swaps the
//! provider's programmes inside each channel's span, step by step behind a switch.
//! `log` owns the `import_log` row that records all of it.

mod apply;
mod log;
mod mapping;
mod normalize;
mod pipeline;
mod progress;
mod resolve;
mod staging;
mod stops;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::feed;
use crate::store::{self, Store};

pub use normalize::normalize_name;
pub use staging::StagingSink;

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trigger {
    /// `POST /import/trigger`.
    Manual,
    /// The daily schedule.
    Schedule,
    /// The command-line tool.
    Cli,
}

impl Trigger {
    /// The name stored in `import_log.trigger`.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Manual => "manual",
            Trigger::Schedule => "schedule",
            Trigger::Cli => "cli",
        }
    }

    /// The trigger for a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        [Trigger::Manual, Trigger::Schedule, Trigger::Cli]
            .into_iter()
            .find(|t| t.as_str() == name)
    }
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Waiting for the importer.
    Queued,
    /// Being imported.
    Running,
    /// Applied.
    Succeeded,
    /// The provider answered 304: nothing to do.
    Unchanged,
    /// Stopped; the guide is as it was.
    Failed,
}

impl RunStatus {
    /// Every status.
    pub const ALL: [RunStatus; 5] = [
        RunStatus::Queued,
        RunStatus::Running,
        RunStatus::Succeeded,
        RunStatus::Unchanged,
        RunStatus::Failed,
    ];

    /// The name stored in `import_log.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Unchanged => "unchanged",
            RunStatus::Failed => "failed",
        }
    }

    /// The status for a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        RunStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// Counts and examples of one reject or warning reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RejectStats {
    /// How many records were rejected for this reason.
    pub count: u64,
    /// The first few, for "why is my guide empty".
    pub examples: Vec<RejectExample>,
}

/// One rejected record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RejectExample {
    /// Programme position in the document, 1-based.
    pub position: u64,
    /// The channel attribute.
    pub channel: Option<String>,
    /// The start attribute as written.
    pub start: Option<String>,
    /// Why, in words.
    pub detail: String,
}

/// An `import_log` row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRecord {
    /// Run id.
    pub id: i64,
    /// Provider imported.
    pub provider_id: i64,
    /// What started it.
    pub trigger: Trigger,
    /// Where it is.
    pub status: RunStatus,
    /// Queue time, UTC seconds.
    pub queued_at: i64,
    /// Start time.
    pub started_at: Option<i64>,
    /// End time.
    pub finished_at: Option<i64>,
    /// Last progress update.
    pub progress_at: Option<i64>,
    /// Bytes read from the feed so far.
    pub bytes_read: u64,
    /// Channels seen.
    pub channels_seen: u64,
    /// Programmes processed so far.
    pub programmes_seen: u64,
    /// Programmes added to the guide.
    pub added: u64,
    /// Programmes replaced by the same programme with new data.
    pub updated: u64,
    /// Stored programmes removed because the feed no longer has them.
    pub removed: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Repaired problems.
    pub warnings: u64,
    /// Rejects by reason (`RejectReason::as_str`).
    pub rejects: BTreeMap<String, RejectStats>,
    /// Warnings by reason, with examples: `stop_repaired` counts stops not after their
    /// start that were replaced by the next programme's start.
    pub warning_reasons: BTreeMap<String, RejectStats>,
    /// Why the run failed.
    pub error: Option<String>,
    /// When a call stopped this running run at its time budget; the next call (`POST
    /// /jobs/run`, or the importer's tick) continues it from what it staged.
    pub paused_at: Option<i64>,
}

/// Settings of an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Input limits for the reader (the provider's zone and correction come from its row).
    pub limits: feed::Limits,
    /// Programmes per staging transaction; ten times as many per statement when applying.
    pub batch_size: usize,
    /// Seconds between progress updates of the run's row.
    pub progress_interval_secs: u64,
    /// When the run should stop staging and leave the rest to a later call, which
    /// continues where it stopped. Checked after each committed batch, so every call
    /// stages at least one; `None` reads the whole feed in one call.
    pub pause_at: Option<std::time::Instant>,
    /// When the run should stop applying and leave the rest to a later call; checked
    /// after each step of the apply, so every call makes at least one.
    pub pause_apply_at: Option<std::time::Instant>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            limits: feed::Limits::default(),
            batch_size: 5_000,
            progress_interval_secs: 2,
            pause_at: None,
            pause_apply_at: None,
        }
    }
}

/// Errors of an import.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The feed is broken or over a limit.
    #[error(transparent)]
    Feed(#[from] feed::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// The run or its provider does not exist.
    #[error("import run {0} not found")]
    RunNotFound(i64),
    /// The provider does not exist.
    #[error("provider {0} not found")]
    ProviderNotFound(i64),
    /// The run has already ended, so it cannot be imported (again).
    #[error("import run {id} is {status}, not queued or running")]
    RunNotActive {
        /// The run.
        id: i64,
        /// Its status (`RunStatus::as_str`).
        status: &'static str,
    },
    /// The run reached [`ImportOptions::pause_at`] or [`ImportOptions::pause_apply_at`];
    /// it is still running, and the next call continues it.
    #[error("the run stopped at its time budget; the next call continues it")]
    Paused,
    /// A continuing call found a different feed from the one the run's staged
    /// programmes came from: they were removed, so the run starts over.
    #[error("the feed changed since the run began reading it; the run starts over")]
    FeedChanged,
    /// [`continue_staged`] was asked to continue a run that has not staged its feed.
    #[error("import run {0} has not staged its feed yet")]
    NotStaged(i64),
    /// A later run of the provider was applied while this one was: the older one gives way.
    #[error("import run {live} of this provider was applied meanwhile; run {run} gives way to it")]
    Superseded {
        /// This run.
        run: i64,
        /// The provider's live run.
        live: i64,
    },
    /// The provider's `timezone` is not an IANA zone name.
    #[error("provider {provider} has an unknown time zone {timezone:?}")]
    UnknownTimezone {
        /// The provider.
        provider: i64,
        /// The zone as stored.
        timezone: String,
    },
}

/// Queues a run for the importer and returns it.
pub fn queue_run(
    store: &impl Store,
    provider_id: i64,
    trigger: Trigger,
) -> Result<RunRecord, Error> {
    log::insert_run(store, provider_id, trigger, RunStatus::Queued)
}

/// Creates a run that starts now (status `running`), for callers that import at once.
pub fn start_run(
    store: &impl Store,
    provider_id: i64,
    trigger: Trigger,
) -> Result<RunRecord, Error> {
    log::insert_run(store, provider_id, trigger, RunStatus::Running)
}

/// Imports `input` as run `run_id` (status `running`): stages, applies, records the
/// outcome in the run's row, and returns that row. On failure the guide is unchanged, the
/// run is marked failed with the reason, and the error is returned.
///
/// A `queued` run is marked running first; a run that has already ended is refused
/// ([`Error::RunNotActive`]). Staging rows that crashed runs left behind are removed first.
///
/// A run that an earlier call left part-staged (paused at its time budget, or cut off)
/// is continued: `input` must be the same feed from its start, which is read again
/// without writing what was staged. When its first bytes differ from the ones the
/// staged programmes came from, they are removed and [`Error::FeedChanged`] is returned
/// with the run still running, for the caller to start it over with a new download.
/// With [`ImportOptions::pause_at`] the run may stop before the end of the feed, and with
/// [`ImportOptions::pause_apply_at`] between the steps of its apply: it is returned still
/// running, with `paused_at` set, for the next call to continue. A run whose feed an
/// earlier call staged whole is only applied: `input` is not read.
///
/// The bytes read reach the run's row from the first read on and then every
/// `progress_interval_secs`, even while one element is being parsed, so a run whose
/// process dies shows how far it got; a failed run records every byte it read.
pub fn run(
    store: &impl Store,
    run_id: i64,
    input: impl std::io::Read,
    options: &ImportOptions,
) -> Result<RunRecord, Error> {
    // Staged rows without the bytes they came from cannot be checked against this feed.
    let resume = log::resume_point(store, run_id)?.filter(|r| r.prefix.is_some());
    let interval = std::time::Duration::from_secs(options.progress_interval_secs);
    let expect = resume.and_then(|r| r.prefix);
    let mut input = progress::Progressing::new(input, store, run_id, interval, expect);
    let mark = input.mark();
    let result = continue_run(store, run_id, options, resume, Some(mark), |read, sink| {
        let summary = feed::read(&mut input, read, sink).map_err(|e| {
            if input.changed() {
                Error::FeedChanged
            } else {
                e
            }
        })?;
        // A feed that ends before the bytes the staged programmes came from is another.
        if input.checked() {
            Ok(summary)
        } else {
            Err(Error::FeedChanged)
        }
    });
    if matches!(result, Err(ref e) if !matches!(e, Error::FeedChanged)) {
        // Like the failure itself: a store too broken for this surfaces on the next call.
        let _ = input.record_total();
    }
    result
}

/// [`run`] with another source of channels and programmes than [`feed::read`]: `produce`
/// gets the provider's reader settings and the run's sink, feeds it, and returns what it
/// read (only `bytes_read` is used). Tests and tools that build programmes themselves
/// use this; everything else about the run is as in [`run`], and a continued run trusts
/// `produce` to give the same programmes again.
pub fn run_with<S, F>(
    store: &S,
    run_id: i64,
    options: &ImportOptions,
    produce: F,
) -> Result<RunRecord, Error>
where
    S: Store,
    F: FnOnce(&feed::ReadOptions, &mut StagingSink<'_, S>) -> Result<feed::Summary, Error>,
{
    let resume = log::resume_point(store, run_id)?;
    continue_run(store, run_id, options, resume, None, produce)
}

fn continue_run<S, F>(
    store: &S,
    run_id: i64,
    options: &ImportOptions,
    resume: Option<log::ResumePoint>,
    mark: Option<progress::Mark>,
    produce: F,
) -> Result<RunRecord, Error>
where
    S: Store,
    F: FnOnce(&feed::ReadOptions, &mut StagingSink<'_, S>) -> Result<feed::Summary, Error>,
{
    let record = get_run(store, run_id)?.ok_or(Error::RunNotFound(run_id))?;
    if !matches!(record.status, RunStatus::Queued | RunStatus::Running) {
        return Err(Error::RunNotActive {
            id: run_id,
            status: record.status.as_str(),
        });
    }
    match pipeline::execute(store, &record, options, resume, mark, produce) {
        Ok(()) => get_run(store, run_id)?.ok_or(Error::RunNotFound(run_id)),
        Err(Error::Paused) => {
            log::pause(store, run_id)?;
            get_run(store, run_id)?.ok_or(Error::RunNotFound(run_id))
        }
        Err(Error::FeedChanged) => {
            restart(store, run_id)?;
            Err(Error::FeedChanged)
        }
        Err(e) => {
            // The original error is what the caller needs; a store too broken to record
            // the failure will surface again on the next call, and `apply::sweep` undoes
            // what the run wrote once it is marked failed.
            let _ = log::fail(store, run_id, &e.to_string());
            let _ = apply::undo(store, run_id);
            let _ = apply::clear_staging(store, run_id);
            Err(e)
        }
    }
}

/// Whether run `run_id` has staged and settled its whole feed, so that it only needs
/// applying: [`continue_staged`] takes it on without the feed.
pub fn is_staged(store: &impl Store, run_id: i64) -> Result<bool, store::Error> {
    log::is_staged(store, run_id)
}

/// Continues a staged run (see [`is_staged`]) without reading its feed again: applies
/// what it has not applied yet and switches the guide to it, or pauses at
/// [`ImportOptions::pause_apply_at`]. A run that is not staged is refused with
/// [`Error::NotStaged`] and left as it is.
pub fn continue_staged(
    store: &impl Store,
    run_id: i64,
    options: &ImportOptions,
) -> Result<RunRecord, Error> {
    if !log::is_staged(store, run_id)? {
        return Err(Error::NotStaged(run_id));
    }
    continue_run(store, run_id, options, None, None, |_, _| {
        Err(Error::NotStaged(run_id))
    })
}

/// The validators (`ETag`, `Last-Modified`) of the feed run `run_id` read.
pub fn feed_version(
    store: &impl Store,
    run_id: i64,
) -> Result<(Option<String>, Option<String>), store::Error> {
    log::feed_version(store, run_id)
}

/// Removes what the run has staged, so that its next call starts over.
fn restart(store: &impl Store, run_id: i64) -> Result<(), Error> {
    log::clear_resume_point(store, run_id)?;
    apply::clear_staging(store, run_id)
}

/// Records the validators (`ETag`, `Last-Modified`) of the feed that a call of run
/// `run_id` is about to read. When the run has staged programmes of a feed with other
/// validators, [`run`] starts it over instead of continuing; returns whether staged
/// programmes are kept for it to continue from.
pub fn note_feed_version(
    store: &impl Store,
    run_id: i64,
    etag: Option<&str>,
    last_modified: Option<&str>,
) -> Result<bool, Error> {
    Ok(log::note_feed_version(store, run_id, etag, last_modified)?)
}

/// Finishes what imports left in the guide: deletes the programmes that live runs
/// retired and removes what failed runs wrote, in short steps. Imports do it as they
/// start; the hourly cleanup does it too. Only reads when there is nothing to do.
pub fn sweep(store: &impl Store) -> Result<(), Error> {
    apply::sweep(store)
}

/// The document position up to which a running run has staged the feed's programmes
/// for a later call to continue from, if it has.
pub fn staged_until(store: &impl Store, run_id: i64) -> Result<Option<i64>, store::Error> {
    Ok(log::resume_point(store, run_id)?.map(|r| r.seq))
}

/// The provider's oldest queued or running run, if it has one.
pub fn active_run(store: &impl Store, provider_id: i64) -> Result<Option<RunRecord>, store::Error> {
    log::active_run(store, provider_id)
}

/// One run.
pub fn get_run(store: &impl Store, run_id: i64) -> Result<Option<RunRecord>, store::Error> {
    log::get_run(store, run_id)
}

/// Runs, newest first, optionally only those with one status.
pub fn list_runs(
    store: &impl Store,
    status: Option<RunStatus>,
    limit: u32,
) -> Result<Vec<RunRecord>, store::Error> {
    log::list_runs(store, status, limit)
}
