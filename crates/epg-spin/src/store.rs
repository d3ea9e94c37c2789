//! [`Store`] over Spin's SQLite interface (`spin:sqlite@3.0.0`).

use epg::store::{self, Rows, Store, Value};
use spin_sdk::sqlite3::{self, Connection};

/// One connection to the component's `default` database.
pub struct SpinStore {
    conn: Connection,
}

/// Opens the `default` database, sets it up for several writers and brings its schema
/// up to date.
///
/// Each open is a new connection, so the busy timeout is set on every one: without it a
/// writer that meets another process's write lock fails at once instead of waiting. WAL
/// (readers never wait for an import) is a property of the file, so it is set only when
/// missing. Both are ignored where the host refuses them (libSQL).
pub fn open_store() -> Result<SpinStore, store::Error> {
    let conn = Connection::open_default().map_err(map_error)?;
    let store = SpinStore { conn };
    let _ = store.execute("PRAGMA busy_timeout = 5000", &[]);
    let mode = store.execute("PRAGMA journal_mode", &[]).ok();
    let is_wal = mode
        .as_ref()
        .and_then(Rows::first)
        .and_then(|row| row.str(0).ok())
        .is_some_and(|m| m.eq_ignore_ascii_case("wal"));
    if !is_wal {
        let _ = store.execute("PRAGMA journal_mode = WAL", &[]);
    }
    epg::prepare(&store)?;
    Ok(store)
}

impl Store for SpinStore {
    fn execute(&self, sql: &str, params: &[Value]) -> store::Result<Rows> {
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
    use super::is_busy;

    #[test]
    fn lock_timeouts_are_busy() {
        assert!(is_busy("database is locked"));
        assert!(is_busy("Error: Database is locked (code 5)"));
        assert!(!is_busy("no such table: channels"));
    }
}
