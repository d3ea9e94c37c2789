//! [`Store`] over rusqlite (bundled SQLite), for tests and native tools.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::{Error, Result, Rows, Store, Value};

/// A rusqlite connection with the settings the service uses: WAL (readers never wait
/// for an import), a busy timeout, and a statement cache.
pub struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(map_error)?;
        Self::configure(conn, true)
    }

    /// A private in-memory database, for tests.
    pub fn open_in_memory() -> Result<Self> {
        Self::configure(Connection::open_in_memory().map_err(map_error)?, false)
    }

    fn configure(conn: Connection, wal: bool) -> Result<Self> {
        // Imports write in many short transactions (issue 12), each waiting its turn for
        // the write lock; on a loaded host, with several imports at once, a turn can take
        // seconds. Readers never wait (WAL), so a generous wait costs them nothing.
        conn.busy_timeout(Duration::from_secs(30))
            .map_err(map_error)?;
        conn.set_prepared_statement_cache_capacity(64);
        if wal {
            // journal_mode answers with a row, so it cannot go through execute_batch.
            conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
                .map_err(map_error)?;
            conn.execute_batch("PRAGMA synchronous = NORMAL")
                .map_err(map_error)?;
        }
        Ok(Self { conn })
    }

    /// The underlying connection, for native tools that need more than [`Store`].
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Sets this connection up for an import's burst of writes until the guard drops:
    /// a larger page cache, and WAL checkpoints moved off the writer to a thread of
    /// their own with its own connection, so that the copying of pages into the
    /// database runs on another core. On drop the settings are put back and a last
    /// passive checkpoint runs. An in-memory database has no WAL: only the cache grows.
    ///
    /// Measured with `epg import` on the bench's 1,000 channels × 7 days (issue 10):
    /// the checkpoints took 12 % of the import's time on the writer's thread.
    pub fn bulk_writes(&self) -> Result<BulkWrites<'_>> {
        let cache_size = self.pragma("cache_size")?;
        let autocheckpoint = self.pragma("wal_autocheckpoint")?;
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = {BULK_CACHE_SIZE}"))
            .map_err(map_error)?;
        let path = self
            .conn
            .path()
            .filter(|p| !p.is_empty())
            .map(str::to_owned);
        let checkpointer = match path {
            Some(path) => {
                let opened = Self::open(&path)?;
                self.set_autocheckpoint(0)?;
                Some(Checkpointer::spawn(opened))
            }
            None => None,
        };
        Ok(BulkWrites {
            store: self,
            cache_size,
            autocheckpoint,
            checkpointer,
        })
    }

    fn pragma(&self, name: &str) -> Result<i64> {
        self.conn
            .query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))
            .map_err(map_error)
    }

    fn set_autocheckpoint(&self, pages: i64) -> Result<()> {
        self.conn
            .query_row(&format!("PRAGMA wal_autocheckpoint = {pages}"), [], |_| {
                Ok(())
            })
            .map_err(map_error)
    }
}

/// The page cache of a bulk writer, in SQLite's units (negative: KiB): 32 MiB, which
/// holds the indexes' hot pages of a large import; more bought nothing measurable.
const BULK_CACHE_SIZE: i64 = -32_768;
/// Between two passive checkpoints of a bulk write.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// What [`SqliteStore::bulk_writes`] changed, put back on drop.
pub struct BulkWrites<'a> {
    store: &'a SqliteStore,
    cache_size: i64,
    autocheckpoint: i64,
    checkpointer: Option<Checkpointer>,
}

impl Drop for BulkWrites<'_> {
    fn drop(&mut self) {
        // Nothing here can fail the import that has run: at worst the connection keeps
        // a larger cache, and the next commit's autocheckpoint catches up.
        if let Some(checkpointer) = self.checkpointer.take() {
            checkpointer.stop();
            let _ = self.store.set_autocheckpoint(self.autocheckpoint);
            let _ = checkpoint(&self.store.conn);
        }
        let _ = self
            .store
            .conn
            .execute_batch(&format!("PRAGMA cache_size = {}", self.cache_size));
    }
}

/// A thread running passive checkpoints: they copy committed pages into the database
/// without ever waiting for, or blocking, the writer or readers.
struct Checkpointer {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Checkpointer {
    fn spawn(store: SqliteStore) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                // A busy or failed checkpoint is tried again at the next turn.
                let _ = checkpoint(&store.conn);
                std::thread::park_timeout(CHECKPOINT_EVERY);
            }
        });
        Self { stop, thread }
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.thread().unpark();
        let _ = self.thread.join();
    }
}

fn checkpoint(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
}

impl Store for SqliteStore {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(map_error)?;
        let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
        let width = columns.len();
        let bound = rusqlite::params_from_iter(params.iter().map(to_sql));
        let mut rows = stmt.query(bound).map_err(map_error)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(map_error)? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(from_sql(row.get_ref(i).map_err(map_error)?));
            }
            out.push(values);
        }
        Ok(Rows { columns, rows: out })
    }
}

fn to_sql(value: &Value) -> rusqlite::types::ToSqlOutput<'_> {
    use rusqlite::types::ToSqlOutput::Borrowed;
    match value {
        Value::Null => Borrowed(ValueRef::Null),
        Value::Integer(v) => Borrowed(ValueRef::Integer(*v)),
        Value::Real(v) => Borrowed(ValueRef::Real(*v)),
        Value::Text(v) => Borrowed(ValueRef::Text(v.as_bytes())),
        Value::Blob(v) => Borrowed(ValueRef::Blob(v)),
    }
}

fn from_sql(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(v) => Value::Integer(v),
        ValueRef::Real(v) => Value::Real(v),
        ValueRef::Text(v) => Value::Text(String::from_utf8_lossy(v).into_owned()),
        ValueRef::Blob(v) => Value::Blob(v.to_vec()),
    }
}

fn map_error(e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Error::Busy,
        // Only `sqlite3_interrupt` causes it, which nothing here calls; mapped anyway so
        // that a store built on this one behaves as the libSQL host does.
        Some(ErrorCode::OperationInterrupted) => Error::Interrupted,
        _ => Error::Database(e.to_string()),
    }
}
