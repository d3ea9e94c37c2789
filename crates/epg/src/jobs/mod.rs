//! Scheduled and queued work: claiming runs with a lease, the daily import, fetching a
//! provider's feed over HTTP, and cleanup. The cron components and `POST /jobs/run`
//! call [`run_due`]; they differ only in the [`Fetcher`] they pass.

use std::io::Read;

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
    /// Runs this pass imported (finished, failed or unchanged).
    pub runs: Vec<crate::import::RunRecord>,
    /// Runs left queued because the time budget ran out.
    pub deferred: u32,
    /// The cleanup that followed the imports, if any ran.
    pub cleanup: Option<crate::retention::CleanupReport>,
}

/// Errors of a job pass.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::Error),
}

/// Does the due work now: queues the daily import once `config.import_time` has passed
/// in `config.timezone`, then claims queued runs (and runs whose lease expired) one at a
/// time with a lease, fetches and imports each, and runs cleanup after importing. Stops
/// claiming new runs once `budget_secs` have passed, so that it answers before a host's
/// handler limit.
pub fn run_due(
    _store: &impl crate::store::Store,
    _fetcher: &dyn Fetcher,
    _config: &crate::config::Config,
    _now: i64,
    _budget_secs: u64,
) -> Result<JobReport, Error> {
    unimplemented!("jobs::run_due")
}
