use epg::store::{self, SqliteStore, Store};

#[test]
fn fresh_database_gets_every_migration_once() {
    let db = SqliteStore::open_in_memory().expect("open");
    assert_eq!(
        store::migrate(&db).expect("migrate"),
        store::latest_version()
    );
    assert_eq!(store::migrate(&db).expect("again"), store::latest_version());
    let rows = db
        .execute("SELECT COUNT(*) FROM schema_version", &[])
        .expect("count");
    assert_eq!(
        rows.first().expect("row").i64(0).expect("int"),
        store::latest_version()
    );
}

#[test]
fn newer_schema_is_refused() {
    let db = SqliteStore::open_in_memory().expect("open");
    store::migrate(&db).expect("migrate");
    db.execute("INSERT INTO schema_version VALUES (999, 0)", &[])
        .expect("insert");
    let err = store::migrate(&db).expect_err("newer schema");
    assert_eq!(
        err.to_string(),
        format!(
            "the database schema is version 999, newer than this build knows ({}); upgrade epg",
            store::latest_version()
        )
    );
}

#[test]
fn concurrent_starts_apply_each_migration_once() {
    let dir = std::env::temp_dir().join(format!("epg-migrate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("race.db");
    let _ = std::fs::remove_file(&path);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let db = SqliteStore::open(&path).expect("open");
                store::migrate(&db).expect("migrate")
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().expect("join"), store::latest_version());
    }
    let db = SqliteStore::open(&path).expect("open");
    let rows = db
        .execute(
            "SELECT version, COUNT(*) FROM schema_version GROUP BY version",
            &[],
        )
        .expect("rows");
    for row in rows.iter() {
        assert_eq!(row.i64(1).expect("count"), 1, "version applied twice");
    }
    assert_eq!(rows.len() as i64, store::latest_version());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_older_database_gets_only_the_migrations_it_lacks() {
    let db = SqliteStore::open_in_memory().expect("open");
    db.execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
        &[],
    )
    .expect("schema_version");
    for statement in store::split_statements(store::MIGRATIONS[0].sql) {
        db.execute(statement, &[]).expect("0001");
    }
    db.execute("INSERT INTO schema_version VALUES (1, 42)", &[])
        .expect("version 1");
    assert_eq!(
        store::migrate(&db).expect("migrate"),
        store::latest_version()
    );
    let rows = db
        .execute(
            "SELECT version, applied_at FROM schema_version ORDER BY version",
            &[],
        )
        .expect("versions");
    assert_eq!(rows.len() as i64, store::latest_version());
    assert_eq!(rows.first().expect("row").i64(1).expect("applied_at"), 42);
    let columns = db
        .execute(
            "SELECT name FROM pragma_index_info('programmes_channel_start')",
            &[],
        )
        .expect("index");
    let names: Vec<String> = columns.iter().map(|r| r.string(0).expect("name")).collect();
    assert_eq!(names, ["channel_id", "start", "stop"]);
}

/// Counts the statements a connection runs and records them.
struct Counting<'a> {
    inner: &'a SqliteStore,
    statements: std::cell::RefCell<Vec<String>>,
}

impl Store for Counting<'_> {
    fn execute(&self, sql: &str, params: &[store::Value]) -> store::Result<store::Rows> {
        self.statements.borrow_mut().push(sql.to_owned());
        self.inner.execute(sql, params)
    }
}

fn counting(inner: &SqliteStore) -> Counting<'_> {
    Counting {
        inner,
        statements: std::cell::RefCell::new(Vec::new()),
    }
}

#[test]
fn a_ready_database_costs_one_statement_of_set_up() {
    let db = SqliteStore::open_in_memory().expect("open");
    let first = counting(&db);
    let mut first_use = 0;
    epg::ready(&first, |_| first_use += 1).expect("ready");
    assert_eq!(first_use, 1, "a new database is set up");
    assert!(first.statements.borrow().len() > 3);

    let next = counting(&db);
    epg::ready(&next, |_| panic!("a ready database needs no set-up")).expect("ready");
    assert_eq!(next.statements.borrow().len(), 1);
    let has_index = db
        .execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'programmes_fts'",
            &[],
        )
        .expect("index");
    assert_eq!(has_index.first().expect("row").i64(0).expect("int"), 1);
}

#[test]
fn an_incomplete_database_takes_the_long_way() {
    let db = SqliteStore::open_in_memory().expect("open");
    epg::prepare(&db).expect("prepare");
    db.execute("DROP TRIGGER programmes_fts_update", &[])
        .expect("drop");
    let mut first_use = 0;
    epg::ready(&db, |_| first_use += 1).expect("ready");
    assert_eq!(first_use, 1);
    let again = counting(&db);
    epg::ready(&again, |_| panic!("repaired")).expect("ready");
    assert_eq!(again.statements.borrow().len(), 1);

    db.execute("INSERT INTO schema_version VALUES (999, 0)", &[])
        .expect("insert");
    let err = epg::ready(&db, |_| {}).expect_err("newer schema");
    assert!(
        err.to_string()
            .starts_with("the database schema is version 999")
    );
}
