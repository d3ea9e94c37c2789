//! The store interface the whole library talks to, and its implementations.
//!
//! A [`Store`] runs one SQL statement with positional `?` parameters and returns every
//! row. That is the shape of Spin's `spin:sqlite` host interface, so components implement
//! it in a few lines, and of rusqlite ([`SqliteStore`]), which tests and native tools use.
//! Transactions are plain statements (`BEGIN IMMEDIATE`, `COMMIT`, `ROLLBACK`) on the same
//! store, which is one connection: see [`write_transaction`].
//!
//! SQL written against a store must be accepted by plain SQLite and by libSQL: new ids
//! come from `INSERT … RETURNING id`, never from last-insert-rowid.

mod migrations;
#[cfg(feature = "sqlite")]
mod sqlite;
mod value;

pub use migrations::{
    MIGRATIONS, Migration, latest_version, migrate, schema_version, split_statements,
};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
pub use value::{Row, Rows, Value};

/// Errors of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another connection holds the write lock and did not release it in time.
    #[error("the database is busy; try again")]
    Busy,
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

/// Shorthand for store results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One database connection.
///
/// Implementations run `sql` (a single statement) with `params` bound to its `?`
/// placeholders in order, and return every row it produced (none for statements without
/// results). A lock timeout must surface as [`Error::Busy`] so that callers can retry.
pub trait Store {
    /// Runs one statement.
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows>;
}

impl<S: Store + ?Sized> Store for &S {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows> {
        (**self).execute(sql, params)
    }
}

/// How often [`write_transaction`] tries to take the write lock before giving up.
const BEGIN_ATTEMPTS: u32 = 5;

/// Runs `f` inside `BEGIN IMMEDIATE` … `COMMIT`, rolling back if it fails.
///
/// `BEGIN IMMEDIATE` takes SQLite's write lock up front, so two writers never both read
/// and then fail to upgrade; a busy lock is retried a few times (each attempt already
/// waits for the connection's busy timeout). Keep `f` short: readers are never blocked
/// (WAL), but every other writer waits for it.
pub fn write_transaction<S, T, E>(store: &S, f: impl FnOnce(&S) -> Result<T, E>) -> Result<T, E>
where
    S: Store + ?Sized,
    E: From<Error>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match store.execute("BEGIN IMMEDIATE", &[]) {
            Ok(_) => break,
            Err(Error::Busy) if attempt < BEGIN_ATTEMPTS => continue,
            Err(e) => return Err(e.into()),
        }
    }
    match f(store) {
        Ok(value) => match store.execute("COMMIT", &[]) {
            Ok(_) => Ok(value),
            Err(e) => {
                let _ = store.execute("ROLLBACK", &[]);
                Err(e.into())
            }
        },
        Err(e) => {
            // The transaction may already be gone (SQLite rolls back on some errors);
            // a failing ROLLBACK then says nothing new.
            let _ = store.execute("ROLLBACK", &[]);
            Err(e)
        }
    }
}

/// The current time as UTC seconds; one place so that tests can reason about it.
pub fn now_seconds() -> i64 {
    chrono::Utc::now().timestamp()
}
