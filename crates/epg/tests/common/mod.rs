//! Helpers shared by the integration tests: migrated databases and seed rows.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use epg::store::{self, SqliteStore, Store};

/// A migrated in-memory database.
pub fn fresh_db() -> SqliteStore {
    let db = SqliteStore::open_in_memory().expect("open in-memory database");
    store::migrate(&db).expect("migrate");
    db
}

/// A migrated database file, removed (with its WAL files) when dropped.
pub struct TempDb {
    /// The database file, for opening more connections.
    pub path: PathBuf,
    /// A connection to it.
    pub db: SqliteStore,
}

impl TempDb {
    /// A new, empty database file named after `label`.
    pub fn new(label: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("epg-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        let path = dir.join(format!("{label}-{n}.db"));
        remove_db_files(&path);
        let db = SqliteStore::open(&path).expect("open database file");
        store::migrate(&db).expect("migrate");
        Self { path, db }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        remove_db_files(&self.path);
    }
}

fn remove_db_files(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(file));
    }
}

/// Inserts an enabled provider (UTC, no correction, priority 10) and returns its id.
pub fn insert_provider(db: &impl Store, name: &str) -> i64 {
    let rows = db
        .execute(
            "INSERT INTO providers (name, xmltv_url, created_at, updated_at) \
             VALUES (?, ?, 0, 0) RETURNING id",
            &[
                name.into(),
                format!("https://example.com/{name}.xml").into(),
            ],
        )
        .expect("insert provider");
    rows.first().expect("id row").i64(0).expect("id")
}
