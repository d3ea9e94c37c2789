//! The Spin side of epg: everything a component needs from its host, behind epg's own
//! interfaces, so that each component is a few lines.
//!
//! - [`SpinStore`]: [`epg::Store`] over `spin:sqlite` (`open_store` also migrates).
//! - [`SpinFetcher`]: [`epg::jobs::Fetcher`] over Spin's outbound HTTP, streaming bodies.
//! - [`config`]: [`epg::Config`] from Spin variables.
//! - [`serve`]: one API area's request to a full response, errors included.

#![deny(missing_docs)]

mod fetch;
mod store;
mod stream;

pub use fetch::SpinFetcher;
pub use store::{SpinStore, open_store};

use epg::api::{self, Area, Context};
use epg::config::{Config, ConfigError, LogFormat, LogLevel};

/// Reads the settings from the component's Spin variables (see `spin.toml`); a variable
/// that is not defined keeps its default.
pub fn config() -> Result<Config, ConfigError> {
    Config::from_lookup(|name| spin_sdk::variables::get(name).ok())
}

/// The current time, UTC seconds.
pub fn now() -> i64 {
    epg::store::now_seconds()
}

/// Answers one request of `area`: reads the settings, opens the store and calls the
/// API. Never fails: a broken setting or database becomes a problem+json response (the
/// cause goes to the log, not to the client), because an `Err` would make Spin send a
/// bare 500 with the raw message.
pub fn serve(
    area: Area,
    request: http::Request<Vec<u8>>,
    outbound: bool,
) -> http::Response<Vec<u8>> {
    let config = match config() {
        Ok(config) => config,
        Err(e) => return unavailable("invalid-configuration", &e.to_string()),
    };
    let store = match open_store() {
        Ok(store) => store,
        Err(e) => return unavailable("database-unavailable", &e.to_string()),
    };
    let fetcher = SpinFetcher;
    let ctx = Context {
        store: &store,
        config: &config,
        now: now(),
        fetcher: outbound.then_some(&fetcher as &dyn epg::jobs::Fetcher),
    };
    api::handle_full(area, request, &ctx)
}

/// Like [`serve`], but writes the response to `out` as it is produced: the XMLTV export
/// streams instead of being built in memory.
pub fn serve_streaming(
    area: Area,
    request: http::Request<Vec<u8>>,
    out: spin_sdk::http::ResponseOutparam,
) {
    let config = match config() {
        Ok(config) => config,
        Err(e) => {
            return stream::send_full(unavailable("invalid-configuration", &e.to_string()), out);
        }
    };
    let store = match open_store() {
        Ok(store) => store,
        Err(e) => {
            return stream::send_full(unavailable("database-unavailable", &e.to_string()), out);
        }
    };
    let ctx = Context {
        store: &store,
        config: &config,
        now: now(),
        fetcher: None,
    };
    let response = api::handle(area, request, &ctx);
    stream::send(&store, response, out);
}

/// A 503 problem+json for failures before the API could run.
fn unavailable(kind: &str, cause: &str) -> http::Response<Vec<u8>> {
    // The configuration may be what failed, so the line uses the default format.
    let fields = [("event", kind.into()), ("error", cause.into())];
    eprintln!(
        "{}",
        api::format_line(LogFormat::Text, LogLevel::Error, &fields)
    );
    let body = serde_json::json!({
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "the service is not ready; see the server log",
    });
    let mut response = http::Response::new(body.to_string().into_bytes());
    *response.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/problem+json"),
    );
    response
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
