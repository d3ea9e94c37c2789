//! [`Store`] over Spin's SQLite interface (`spin:sqlite@3.0.0`).

use std::cell::Cell;

use epg::store::{self, Rows, Store, Value};
use spin_sdk::sqlite3::{self, Connection};

/// One connection to the component's `default` database.
pub struct SpinStore {
    conn: Connection,
    /// Whether this connection's busy timeout is set; see [`open_store`].
    waits_for_locks: Cell<bool>,
}

/// Opens the `default` database and readies it, paying one statement of set-up per
/// request when the database is ready (see [`epg::ready`]).
///
/// A connection lives for one request, so what a connection remembers is set again on
/// each: the busy timeout (without it a writer that meets another process's write lock
/// fails at once instead of waiting). Only writers can meet the lock (readers never wait,
/// under WAL), so it is set before the connection's first statement that is not a
/// `SELECT`, and a read-only request never pays for it. WAL is a property of the file,
/// set when the database is first readied. Both are ignored where the host refuses them
/// (libSQL).
pub fn open_store() -> Result<SpinStore, store::Error> {
    let conn = Connection::open_default().map_err(map_error)?;
    let store = SpinStore {
        conn,
        waits_for_locks: Cell::new(false),
    };
    epg::ready(&store, set_wal)?;
    Ok(store)
}

fn set_wal(store: &SpinStore) {
    let mode = store.execute("PRAGMA journal_mode", &[]).ok();
    let is_wal = mode
        .as_ref()
        .and_then(Rows::first)
        .and_then(|row| row.str(0).ok())
        .is_some_and(|m| m.eq_ignore_ascii_case("wal"));
    if !is_wal {
        let _ = store.execute("PRAGMA journal_mode = WAL", &[]);
    }
}

impl SpinStore {
    fn wait_for_locks(&self, sql: &str) {
        if self.waits_for_locks.get() || is_read(sql) {
            return;
        }
        self.waits_for_locks.set(true);
        let _ = self.run("PRAGMA busy_timeout = 5000", &[]);
    }

    fn run(&self, sql: &str, params: &[Value]) -> store::Result<Rows> {
        let params: Vec<sqlite3::Value> = params.iter().map(to_spin).collect();
        let result = self.conn.execute(sql, &params).map_err(map_error)?;
        let rows = result
            .rows
            .into_iter()
            .map(|row| row.values.into_iter().map(from_spin).collect())
            .collect();
        Ok(Rows {
            columns: result.columns,
            rows,
        })
    }
}

/// A statement that cannot take the write lock. `PRAGMA`s count as reads: the ones the
/// library runs on reads only query.
fn is_read(sql: &str) -> bool {
    let head = sql.trim_start().get(..6).unwrap_or("");
    head.eq_ignore_ascii_case("select") || head.eq_ignore_ascii_case("pragma")
}

impl Store for SpinStore {
    fn execute(&self, sql: &str, params: &[Value]) -> store::Result<Rows> {
        self.wait_for_locks(sql);
        self.run(sql, params)
    }
}

fn to_spin(value: &Value) -> sqlite3::Value {
    match value {
        Value::Null => sqlite3::Value::Null,
        Value::Integer(v) => sqlite3::Value::Integer(*v),
        Value::Real(v) => sqlite3::Value::Real(*v),
        Value::Text(v) => sqlite3::Value::Text(v.clone()),
        Value::Blob(v) => sqlite3::Value::Blob(v.clone()),
    }
}

fn from_spin(value: sqlite3::Value) -> Value {
    match value {
        sqlite3::Value::Null => Value::Null,
        sqlite3::Value::Integer(v) => Value::Integer(v),
        sqlite3::Value::Real(v) => Value::Real(v),
        sqlite3::Value::Text(v) => Value::Text(v),
        sqlite3::Value::Blob(v) => Value::Blob(v),
    }
}

/// Spin reports a lock timeout only as text ("database is locked"); callers need it as
/// [`store::Error::Busy`] to retry.
fn map_error(e: sqlite3::Error) -> store::Error {
    match e {
        sqlite3::Error::Io(message) if is_busy(&message) => store::Error::Busy,
        sqlite3::Error::Io(message) => store::Error::Database(message),
        sqlite3::Error::NoSuchDatabase => store::Error::Database("no such database".into()),
        sqlite3::Error::AccessDenied => {
            store::Error::Database("access to the database denied".into())
        }
        sqlite3::Error::InvalidConnection => store::Error::Database("invalid connection".into()),
        sqlite3::Error::DatabaseFull => store::Error::Database("the database is full".into()),
    }
}

fn is_busy(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("database is locked") || message.contains("database is busy")
}

#[cfg(test)]
mod tests {
    use super::{is_busy, is_read};

    #[test]
    fn only_writes_set_the_busy_timeout() {
        assert!(is_read("SELECT 1"));
        assert!(is_read("  select * from channels"));
        assert!(is_read("PRAGMA journal_mode"));
        assert!(!is_read("BEGIN IMMEDIATE"));
        assert!(!is_read("INSERT INTO t VALUES (1)"));
        assert!(!is_read("WITH x AS (SELECT 1) DELETE FROM t"));
        assert!(!is_read("sel"));
    }

    #[test]
    fn lock_timeouts_are_busy() {
        assert!(is_busy("database is locked"));
        assert!(is_busy("Error: Database is locked (code 5)"));
        assert!(!is_busy("no such table: channels"));
    }
}
