//! The Spin side of epg: everything a component needs from its host, behind epg's own
//! interfaces, so that each component is a few lines.
//!
//! - [`SpinStore`]: [`epg::Store`] over `spin:sqlite`; `open_store` readies it and wraps
//!   it in [`epg::store::Resilient`], which retries what libSQL fails.
//! - [`SpinFetcher`]: [`epg::jobs::Fetcher`] over Spin's outbound HTTP, streaming bodies.
//! - [`config`]: [`epg::Config`] from Spin variables.
//! - [`serve`]: one API area's request answered, its body read within the API's limit.

#![deny(missing_docs)]

mod fetch;
mod request;
mod store;
mod stream;

pub use fetch::SpinFetcher;
pub use store::{SpinStore, open_store};

use epg::api::{self, ApiError, Area, Context};
use epg::config::{Config, ConfigError, LogFormat, LogLevel};
use spin_sdk::http::{IncomingRequest, ResponseOutparam};

/// Reads the settings from the component's Spin variables (see `spin.toml`); a variable
/// that is not defined keeps its default.
pub fn config() -> Result<Config, ConfigError> {
    Config::from_lookup(|name| spin_sdk::variables::get(name).ok())
}

/// The current time, UTC seconds.
pub fn now() -> i64 {
    epg::store::now_seconds()
}

/// Answers one request of `area` and writes the response to `out`: reads the settings,
/// opens the store, converts the request (its body read as a stream and cut off one
/// byte past the API's 1 MiB limit), calls the API and sends its
/// response, streaming an XMLTV export. `outbound` gives the API Spin's outbound HTTP.
///
/// Never fails: a broken setting or database becomes a 503 problem+json (the cause
/// goes to the log, not to the client), an unreadable request a 400.
pub fn serve(area: Area, request: IncomingRequest, out: ResponseOutparam, outbound: bool) {
    let config = match config() {
        Ok(config) => config,
        Err(e) => return stream::send_error(unavailable("invalid-configuration", &e), out),
    };
    let store = match open_store() {
        Ok(store) => store,
        Err(e) => return stream::send_error(unavailable("database-unavailable", &e), out),
    };
    let request = match request::read(request) {
        Ok(request) => request,
        Err(e) => return stream::send_error(unreadable(&config, &e), out),
    };
    let fetcher = SpinFetcher;
    let ctx = Context {
        store: &store,
        config: &config,
        now: now(),
        fetcher: outbound.then_some(&fetcher as &dyn epg::jobs::Fetcher),
    };
    let response = api::handle(area, request, &ctx);
    stream::send(&store, response, out);
}

/// A 503 for failures before the API could run.
fn unavailable(kind: &str, cause: &dyn std::fmt::Display) -> http::Response<api::Body> {
    // The configuration may be what failed, so the line uses the default format.
    log(LogFormat::Text, kind, &cause.to_string());
    api::error_response(&ApiError::ServiceUnavailable {
        detail: "the service is not ready; see the server log".into(),
    })
}

/// A 400 for a request that could not be converted or whose body could not be read.
fn unreadable(config: &Config, err: &request::ReadError) -> http::Response<api::Body> {
    let (kind, cause) = match err {
        request::ReadError::Invalid(cause) => ("invalid-request", cause),
        request::ReadError::Body(cause) => ("request-body-unreadable", cause),
    };
    log(config.log_format, kind, cause);
    api::error_response(&ApiError::bad_request(
        "the request could not be read; see the server log",
    ))
}

fn log(format: LogFormat, kind: &str, cause: &str) {
    let fields = [("event", kind.into()), ("error", cause.into())];
    eprintln!("{}", api::format_line(format, LogLevel::Error, &fields));
}

/// The importer's tick: runs the due jobs (see [`epg::jobs::run_due`]) for at most
/// `budget_secs` of claiming. The error is the message for the cron trigger's log.
pub fn run_jobs(budget_secs: u64) -> Result<epg::jobs::JobReport, String> {
    let config = config().map_err(|e| e.to_string())?;
    let store = open_store().map_err(|e| e.to_string())?;
    epg::jobs::run_due(&store, &SpinFetcher, &config, now(), budget_secs).map_err(|e| e.to_string())
}

/// The cleanup tick (see [`epg::jobs::run_cleanup`]).
pub fn run_cleanup() -> Result<epg::retention::CleanupReport, String> {
    let config = config().map_err(|e| e.to_string())?;
    let store = open_store().map_err(|e| e.to_string())?;
    epg::jobs::run_cleanup(&store, &config, now()).map_err(|e| e.to_string())
}
