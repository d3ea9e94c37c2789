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
