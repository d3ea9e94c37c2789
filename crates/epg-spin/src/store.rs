//! [`Store`] over Spin's SQLite interface (`spin:sqlite@3.0.0`).

use std::cell::{Cell, RefCell};

use epg::store::{self, Resilient, Rows, Store, Value};
use spin_sdk::sqlite3::{self, Connection};

/// One connection to the component's `default` database, replaced by a new one when
/// libSQL has dropped it (see [`Store::reconnect`]).
pub struct SpinStore {
    conn: RefCell<Connection>,
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
///
/// The store is [`Resilient`]: what libSQL's failures need (retries, a new connection)
/// is done by the library, and this host only tells them apart (see `map_error`).
pub fn open_store() -> Result<Resilient<SpinStore>, store::Error> {
    let conn = Connection::open_default().map_err(map_error)?;
    let store = Resilient::new(SpinStore {
        conn: RefCell::new(conn),
        waits_for_locks: Cell::new(false),
    });
    epg::ready(&store, set_wal)?;
    Ok(store)
}

fn set_wal(store: &impl Store) {
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
        let result = self
            .conn
            .borrow()
            .execute(sql, &params)
            .map_err(map_error)?;
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

    fn reconnect(&self) -> store::Result<()> {
        let conn = Connection::open_default().map_err(map_error)?;
        *self.conn.borrow_mut() = conn;
        // The busy timeout belonged to the old connection.
        self.waits_for_locks.set(false);
        Ok(())
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

/// Spin reports a lock timeout and libSQL's failures only as text (its libSQL client
/// passes on the error's `Display`); callers need them typed to retry.
fn map_error(e: sqlite3::Error) -> store::Error {
    match e {
        sqlite3::Error::Io(message) => classify(message),
        sqlite3::Error::NoSuchDatabase => store::Error::Database("no such database".into()),
        sqlite3::Error::AccessDenied => {
            store::Error::Database("access to the database denied".into())
        }
        sqlite3::Error::InvalidConnection => store::Error::Database("invalid connection".into()),
        sqlite3::Error::DatabaseFull => store::Error::Database("the database is full".into()),
    }
}

/// Types a host error message. libSQL's codes (`SQLITE_INTERRUPT`, `STREAM_EXPIRED`,
/// `TRANSACTION_TIMEOUT`) come inside the text, with sqld's own wording beside them.
fn classify(message: String) -> store::Error {
    let lower = message.to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| lower.contains(n));
    if has(&["database is locked", "database is busy"]) {
        store::Error::Busy
    } else if has(&["sqlite_interrupt", "interrupted"]) {
        store::Error::Interrupted
    } else if has(&["stream_expired", "stream has expired"]) {
        store::Error::Expired
    } else if has(&["transaction_timeout", "transaction timed out"]) {
        store::Error::RolledBack
    } else {
        store::Error::Database(message)
    }
}

#[cfg(test)]
mod tests {
    use super::{classify, is_read};
    use epg::store::Error;

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

    /// The messages as Spin's libSQL client gives them (`libsql::Error`'s `Display` of
    /// sqld's answers), and SQLite's own.
    #[test]
    fn host_messages_are_classified() {
        let cases = [
            ("database is locked", "the database is busy; try again"),
            (
                "Error: Database is locked (code 5)",
                "the database is busy; try again",
            ),
            (
                "Hrana: `stream error: `StreamResponseError { error: Error { message: \
                 \"SQLite error: interrupted\", code: \"SQLITE_INTERRUPT\" } }``",
                "the database interrupted the statement; try again",
            ),
            (
                "Hrana: `api error: `status=400 Bad Request, body={\"message\":\"The stream \
                 has expired due to inactivity\",\"code\":\"STREAM_EXPIRED\"}``",
                "the database connection expired; try again",
            ),
            (
                "Hrana: `stream error: `StreamResponseError { error: Error { message: \
                 \"Transaction timed out\", code: \"TRANSACTION_TIMEOUT\" } }``",
                "the database rolled the transaction back; try again",
            ),
            (
                "no such table: channels",
                "database error: no such table: channels",
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(classify(message.into()).to_string(), expected, "{message}");
        }
        assert!(matches!(
            classify("SQLITE_INTERRUPT".into()),
            Error::Interrupted
        ));
    }
}
