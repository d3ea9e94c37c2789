//! A few idle SQLite connections kept for reuse, so that a request does not pay for
//! opening the file and preparing its statements again.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use epg::SqliteStore;
use epg::store;

/// Idle connections kept at most; more are opened under load and closed after use.
const MAX_IDLE: usize = 16;

/// Connections to one database file (WAL, so readers never wait for an import).
pub struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<SqliteStore>>,
}

impl Pool {
    /// A pool for `path`, seeded with `first` (already migrated).
    pub fn new(path: PathBuf, first: SqliteStore) -> Self {
        Self {
            path,
            idle: Mutex::new(vec![first]),
        }
    }

    /// An idle connection, or a new one.
    pub fn take(&self) -> Result<SqliteStore, store::Error> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        match idle {
            Some(store) => Ok(store),
            None => SqliteStore::open(&self.path),
        }
    }

    /// Gives `store` back. A connection left inside a transaction (a handler that
    /// failed halfway) is closed, which rolls the transaction back, instead of being
    /// handed to the next request.
    pub fn put(&self, store: SqliteStore) {
        if !store.connection().is_autocommit() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE {
            idle.push(store);
        }
    }
}
