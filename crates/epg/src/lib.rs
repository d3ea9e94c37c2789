//! epg: an Electronic Program Guide service's core, free of any Spin dependency.
//!
//! Data flows one way through the modules:
//!
//! 1. [`feed`] reads an XMLTV document (compressed or not, any common encoding) from any
//!    `Read` into a [`feed::Sink`], in bounded memory.
//! 2. [`import`] stages a feed's programmes, maps its channels onto logical channels and
//!    applies them to the live guide in short steps behind a switch, over several calls
//!    when a host limits how long one may take.
//! 3. [`store`] is the SQLite interface every stage talks to, with its migrations.
//! 4. [`guide`] answers queries: a channel's merged programmes, now/next, search.
//! 5. [`export`] writes the merged guide back out as XMLTV.
//! 6. [`retention`] prunes what is too old or too far ahead; [`jobs`] schedules imports
//!    and cleanup.
//! 7. [`catalog`] edits providers, channels and mappings; [`api`] is the HTTP API over all
//!    of it.
//!
//! Error policy: every module has its own `thiserror` enum whose messages are fit to
//! show users; `anyhow` is for binaries and tests only.

#![deny(missing_docs)]

pub mod api;
pub mod catalog;
pub mod config;
pub mod export;
pub mod feed;
pub mod guide;
pub mod import;
pub mod jobs;
mod logging;
pub mod model;
pub mod retention;
pub mod store;
pub mod web;

pub use config::Config;
#[cfg(feature = "sqlite")]
pub use store::SqliteStore;
pub use store::Store;

/// Readies a connection that a host opens for every request (Spin does), with a single
/// statement when the database is already as [`prepare`] leaves it: this build's schema
/// and a complete search index. Otherwise `first_use` applies the host's connection
/// settings that outlive the connection (such as WAL) and [`prepare`] runs.
///
/// A database where either check fails for a reason (no schema yet, an older or newer
/// one, a SQLite without FTS5) takes the long way, which reports what is wrong.
pub fn ready<S: Store>(store: &S, first_use: impl FnOnce(&S)) -> Result<(), store::Error> {
    let check = format!(
        "SELECT (SELECT MAX(version) FROM schema_version) = ? AND ({}) = ?",
        guide::SEARCH_INDEX_OBJECTS
    );
    let params = [
        store::latest_version().into(),
        guide::SEARCH_INDEX_OBJECT_COUNT.into(),
    ];
    let is_ready = store
        .execute(&check, &params)
        .ok()
        .and_then(|rows| rows.first().and_then(|row| row.i64(0).ok()))
        == Some(1);
    if !is_ready {
        first_use(store);
        prepare(store)?;
    }
    Ok(())
}

/// Readies a database for use: applies pending migrations, then creates the search
/// index if this SQLite has FTS5. Returns the schema version. Every component and the
/// CLI call this once at start; it is cheap when there is nothing to do.
pub fn prepare(store: &impl Store) -> Result<i64, store::Error> {
    let version = store::migrate(store)?;
    guide::ensure_search_index(store)?;
    Ok(version)
}
