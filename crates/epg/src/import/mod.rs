//! Importing one provider's feed: map its channels, stage its programmes in committed
//! batches, then apply them to the live guide in one short transaction.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::feed;
use crate::store::{self, Store};

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

/// Counts and examples of one reject reason.
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
    /// Why the run failed.
    pub error: Option<String>,
}

/// Settings of an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Input limits for the reader (the provider's zone and correction come from its row).
    pub limits: feed::Limits,
    /// Programmes per staging transaction.
    pub batch_size: usize,
    /// Seconds between progress updates of the run's row.
    pub progress_interval_secs: u64,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            limits: feed::Limits::default(),
            batch_size: 5_000,
            progress_interval_secs: 2,
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
}

/// Queues a run for the importer and returns it.
pub fn queue_run(
    _store: &impl Store,
    _provider_id: i64,
    _trigger: Trigger,
) -> Result<RunRecord, Error> {
    unimplemented!("import::queue_run")
}

/// Creates a run that starts now (status `running`), for callers that import at once.
pub fn start_run(
    _store: &impl Store,
    _provider_id: i64,
    _trigger: Trigger,
) -> Result<RunRecord, Error> {
    unimplemented!("import::start_run")
}

/// Imports `input` as run `run_id` (status `running`): stages, applies, records the
/// outcome in the run's row, and returns that row. On failure the guide is unchanged, the
/// run is marked failed with the reason, and the error is returned.
pub fn run(
    _store: &impl Store,
    _run_id: i64,
    _input: impl std::io::Read,
    _options: &ImportOptions,
) -> Result<RunRecord, Error> {
    unimplemented!("import::run")
}

/// One run.
pub fn get_run(_store: &impl Store, _run_id: i64) -> Result<Option<RunRecord>, store::Error> {
    unimplemented!("import::get_run")
}

/// Runs, newest first, optionally only those with one status.
pub fn list_runs(
    _store: &impl Store,
    _status: Option<RunStatus>,
    _limit: u32,
) -> Result<Vec<RunRecord>, store::Error> {
    unimplemented!("import::list_runs")
}
