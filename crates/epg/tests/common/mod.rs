//! Helpers shared by the integration tests: migrated databases and seed rows.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use epg::api::Area;
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

/// The component that serves an area in spin.toml.
pub fn component_of(area: Area) -> &'static str {
    match area {
        Area::Health => "health",
        Area::Channels => "channels",
        Area::Providers => "providers",
        Area::Imports => "imports",
        Area::Xmltv => "xmltv",
        Area::Web => "web",
    }
}

/// `(route, component)` of every HTTP trigger in spin.toml.
pub fn spin_routes() -> Vec<(String, String)> {
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../spin.toml"))
        .expect("spin.toml");
    let value = |line: &str, key: &str| {
        line.strip_prefix(key).map(|rest| {
            rest.trim()
                .trim_start_matches('=')
                .trim()
                .trim_matches('"')
                .to_owned()
        })
    };
    let mut routes = Vec::new();
    let mut lines = manifest.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if let Some(route) = value(line, "route") {
            let component = lines
                .next()
                .and_then(|l| value(l, "component"))
                .expect("component after route");
            routes.push((route, component));
        }
    }
    routes
}

/// Spin's routing: exact, or a prefix when the route ends in `/...`; the longest wins.
pub fn spin_component_for<'a>(routes: &'a [(String, String)], path: &str) -> Option<&'a str> {
    routes
        .iter()
        .filter(|(route, _)| match route.strip_suffix("/...") {
            Some(prefix) => path == prefix || path.starts_with(&format!("{prefix}/")),
            None => path == route,
        })
        .max_by_key(|(route, _)| route.len())
        .map(|(_, component)| component.as_str())
}
