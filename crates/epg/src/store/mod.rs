//! The store interface the whole library talks to, and its implementations.
//!
//! A [`Store`] runs one SQL statement with positional `?` parameters and returns every
//! row. That is the shape of Spin's `spin:sqlite` host interface, so components implement
//! it in a few lines, and of rusqlite ([`SqliteStore`]), which tests and native tools use.
//! Transactions are plain statements (`BEGIN IMMEDIATE`, `COMMIT`, `ROLLBACK`) on the same
//! store, which is one connection: see [`write_transaction`].
//!
//! A remote database (libSQL) can interrupt a statement, drop an idle connection or roll
//! a transaction back. Hosts classify those failures ([`Error::Interrupted`],
//! [`Error::Expired`], [`Error::RolledBack`]) and wrap their store in [`Resilient`], which
//! retries single statements and reopens expired connections; [`write_transaction`] runs
//! a lost transaction again as a whole.
//!
//! SQL written against a store must be accepted by plain SQLite and by libSQL: new ids
//! come from `INSERT … RETURNING id`, never from last-insert-rowid.

mod migrations;
mod resilient;
#[cfg(feature = "sqlite")]
mod sqlite;
mod value;

pub use migrations::{
    MIGRATIONS, Migration, latest_version, migrate, schema_version, split_statements,
};
pub use resilient::Resilient;
#[cfg(feature = "sqlite")]
pub use sqlite::{BulkWrites, SqliteStore};
pub use value::{Row, Rows, Value};

/// The condition that a programme (alias `p` with its provider `pr`, or `b` with `bp`)
/// is in the live guide, as an SQL literal for `concat!`: written by a run its provider
/// has switched to, and not retired by one (migration 0005). An import's rows stay out
/// of sight until its switch, and the rows it replaces until then stay in.
macro_rules! live {
    (p) => {
        "p.run_id <= pr.live_run AND (p.retired_by IS NULL OR p.retired_by > pr.live_run)"
    };
    (b) => {
        "b.run_id <= bp.live_run AND (b.retired_by IS NULL OR b.retired_by > bp.live_run)"
    };
}
pub(crate) use live;

/// The condition that a channel (alias `c`, or the table `channels`) is in sight: not
/// created by a run that is still applying (migration 0005), whose programmes nobody
/// sees yet either.
macro_rules! shown {
    (c) => {
        "(c.created_by_run IS NULL OR NOT EXISTS (SELECT 1 FROM import_log l \
         WHERE l.id = c.created_by_run AND l.applying = 1))"
    };
    (channels) => {
        "(channels.created_by_run IS NULL OR NOT EXISTS (SELECT 1 FROM import_log l \
         WHERE l.id = channels.created_by_run AND l.applying = 1))"
    };
}
pub(crate) use shown;

/// Errors of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another connection holds the write lock and did not release it in time.
    #[error("the database is busy; try again")]
    Busy,
    /// The database interrupted the statement before it ran to its end (libSQL's
    /// `SQLITE_INTERRUPT`); it may be run again.
    #[error("the database interrupted the statement; try again")]
    Interrupted,
    /// The connection is gone, for instance dropped by the server after being idle
    /// (libSQL's `STREAM_EXPIRED`); [`Store::reconnect`] opens a new one.
    #[error("the database connection expired; try again")]
    Expired,
    /// The server rolled the transaction in progress back (libSQL's
    /// `TRANSACTION_TIMEOUT`), or an earlier failure ended it.
    #[error("the database rolled the transaction back; try again")]
    RolledBack,
    /// The database reported an error.
    #[error("database error: {0}")]
    Database(String),
    /// A column held a value of another type than the code expects.
    #[error("column {column} holds {found}, expected {expected}")]
    Type {
        /// The column index.
        column: usize,
        /// The expected type.
        expected: &'static str,
        /// The type found.
        found: &'static str,
    },
    /// The database was written by a newer build.
    #[error(
        "the database schema is version {found}, newer than this build knows ({supported}); upgrade epg"
    )]
    SchemaTooNew {
        /// The version in `schema_version`.
        found: i64,
        /// The newest version this build embeds.
        supported: i64,
    },
    /// A migration failed; it was rolled back.
    #[error("migration {version} failed: {message}")]
    Migration {
        /// The migration's version.
        version: i64,
        /// What the database said.
        message: String,
    },
}

impl Error {
    /// Whether the failure came from the connection rather than from the statement, so
    /// that the same statement (or transaction) may succeed when run again.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Interrupted | Error::Expired | Error::RolledBack
        )
    }
}

/// Shorthand for store results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One database connection.
///
/// Implementations run `sql` (a single statement) with `params` bound to its `?`
/// placeholders in order, and return every row it produced (none for statements without
/// results). A lock timeout must surface as [`Error::Busy`] so that callers can retry,
/// and the failures of a remote connection as [`Error::Interrupted`], [`Error::Expired`]
/// and [`Error::RolledBack`] (see [`Resilient`]).
pub trait Store {
    /// Runs one statement.
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows>;

    /// Replaces a connection that reported [`Error::Expired`] with a new one. The
    /// default does nothing, for connections that cannot expire (a local file).
    fn reconnect(&self) -> Result<()> {
        Ok(())
    }

    /// Whether the transaction in progress has ended under the caller, between the
    /// failure that ended it and the caller's `ROLLBACK`; [`write_transaction`] then runs
    /// it again. Only [`Resilient`] tracks this; the default is `false`.
    fn transaction_lost(&self) -> bool {
        false
    }
}

impl<S: Store + ?Sized> Store for &S {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows> {
        (**self).execute(sql, params)
    }

    fn reconnect(&self) -> Result<()> {
        (**self).reconnect()
    }

    fn transaction_lost(&self) -> bool {
        (**self).transaction_lost()
    }
}

/// The statements that open and end a [`write_transaction`], as [`Resilient`] expects them.
pub(crate) const BEGIN: &str = "BEGIN IMMEDIATE";
pub(crate) const COMMIT: &str = "COMMIT";
pub(crate) const ROLLBACK: &str = "ROLLBACK";

/// How often [`write_transaction`] tries to take the write lock before giving up.
const BEGIN_ATTEMPTS: u32 = 5;

/// How often [`write_transaction`] runs a transaction that the connection lost.
const TRANSACTION_ATTEMPTS: u32 = 3;

/// Runs `f` inside `BEGIN IMMEDIATE` … `COMMIT`, rolling back if it fails.
///
/// `BEGIN IMMEDIATE` takes SQLite's write lock up front, so two writers never both read
/// and then fail to upgrade; a busy lock is retried a few times (each attempt already
/// waits for the connection's busy timeout). Keep `f` short: readers are never blocked
/// (WAL), but every other writer waits for it.
///
/// When the store reports the transaction lost ([`Store::transaction_lost`]: interrupted,
/// expired or rolled back by the server), nothing of it was committed, and `f` runs again
/// in a new transaction, a few times at most. So `f` must do the same when run twice:
/// read what it needs inside the transaction, and change nothing outside the store.
pub fn write_transaction<S, T, E>(store: &S, mut f: impl FnMut(&S) -> Result<T, E>) -> Result<T, E>
where
    S: Store + ?Sized,
    E: From<Error>,
{
    let mut attempt = 1;
    loop {
        begin(store)?;
        let result = f(store).and_then(|value| match store.execute(COMMIT, &[]) {
            Ok(_) => Ok(value),
            Err(e) => Err(e.into()),
        });
        let Err(e) = result else {
            return result;
        };
        let lost = store.transaction_lost();
        // The transaction may already be gone (SQLite rolls back on some errors, libSQL
        // when it ends a transaction); a failing ROLLBACK then says nothing new.
        let _ = store.execute(ROLLBACK, &[]);
        if !lost || attempt >= TRANSACTION_ATTEMPTS {
            return Err(e);
        }
        attempt += 1;
    }
}

/// `BEGIN IMMEDIATE`, retried while another writer holds the lock.
fn begin<S: Store + ?Sized>(store: &S) -> Result<()> {
    let mut attempt = 1;
    loop {
        match store.execute(BEGIN, &[]) {
            Ok(_) => return Ok(()),
            Err(Error::Busy) if attempt < BEGIN_ATTEMPTS => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

/// The current time as UTC seconds; one place so that tests can reason about it.
pub fn now_seconds() -> i64 {
    chrono::Utc::now().timestamp()
}
