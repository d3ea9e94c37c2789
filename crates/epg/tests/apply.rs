//! Imports applied in bounded steps behind a switch (issue 12, part 3): no write
//! transaction changes more than about two batches of rows, however large the feed, a
//! reader on another connection sees after every commit either the whole old guide or
//! the whole new one, and an import that fails half-way leaves the guide as it was.

use std::cell::{Cell, RefCell};

use epg::export::{self, ExportOptions};
use epg::guide::{self, SearchQuery};
use epg::import::{self, ImportOptions, RunStatus, Trigger};
use epg::store::{self, Rows, SqliteStore, Store, Value};

use crate::common::{TempDb, insert_provider};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/xmltv-samples");
/// 613 channels, 47,063 programmes (SOURCES.md), 2025-02-11 to 2025-02-15.
const US1: &str = "large/epgshare01-epg_ripper_US1.xml.gz";
/// 2025-02-13T00:00:00Z, inside the sample's days.
const NOW: i64 = 1_739_404_800;
const BATCH: usize = 5_000;

fn us1() -> Vec<u8> {
    std::fs::read(format!("{SAMPLES}/{US1}")).expect("sample")
}

/// The sample with every title changed, so that re-importing it replaces every
/// programme, and with one channel more, which the import creates.
fn us1_retitled() -> Vec<u8> {
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(us1().as_slice()),
        &mut xml,
    )
    .expect("gzip");
    xml.replace("<title lang=\"en\">", "<title lang=\"en\">New: ")
        .replacen(
            "<channel ",
            "<channel id=\"extra.example\"><display-name>Extra</display-name></channel>\n\
             <programme start=\"20250213000000 +0000\" stop=\"20250213010000 +0000\" \
             channel=\"extra.example\"><title>Extra news</title></programme>\n<channel ",
            1,
        )
        .into_bytes()
}

/// What a reader of the guide sees: an export of some channels, now and next on every
/// channel, a search, and the channel list.
fn seen(db: &impl Store) -> String {
    let mut xml = Vec::new();
    let options = ExportOptions {
        channels: Some((1..=25).chain([614]).collect()),
        start: NOW - 3 * 86_400,
        end: NOW + 3 * 86_400,
        include_empty_channels: false,
    };
    export::write(db, &options, &mut xml).expect("export");
    let now_next = guide::now_next(db, NOW).expect("now and next");
    let search = guide::search(
        db,
        &SearchQuery {
            q: "news".into(),
            limit: 50,
            ..SearchQuery::default()
        },
    )
    .expect("search");
    let filter = epg::catalog::ChannelFilter {
        q: None,
        enabled: None,
        limit: 1_000,
        offset: 0,
    };
    let channels = epg::catalog::list_channels(db, &filter).expect("channels");
    let channels: Vec<(i64, &str)> = channels
        .items
        .iter()
        .map(|c| (c.id, c.name.as_str()))
        .collect();
    format!(
        "{}\n{}\n{}\n{channels:?}",
        String::from_utf8_lossy(&xml),
        serde_json::to_string(&now_next).expect("json"),
        serde_json::to_string(&search).expect("json"),
    )
}

/// The first line where two views differ, for messages.
fn first_difference(a: &str, b: &str) -> String {
    a.lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map_or_else(
            || "(lengths differ)".to_owned(),
            |(i, (x, y))| format!("line {i}: {:.300} / {:.300}", x, y),
        )
}

/// A connection that records, per write transaction, how many rows it changed, and
/// lets a reader on another connection look at the guide after every commit.
struct Watched<'a> {
    db: &'a SqliteStore,
    in_transaction: Cell<bool>,
    changed: Cell<u64>,
    largest: Cell<u64>,
    commits: Cell<u32>,
    /// Called after every commit (and every write outside a transaction).
    after_commit: Box<dyn Fn() + 'a>,
    /// Fails the n-th `INSERT … INTO programmes`, as a server that went away would.
    fail_insert: Option<u32>,
    inserts: Cell<u32>,
    /// Once failed, fails every statement: the process is gone.
    dead: Cell<bool>,
}

impl<'a> Watched<'a> {
    fn new(db: &'a SqliteStore, after_commit: impl Fn() + 'a) -> Self {
        Self {
            db,
            in_transaction: Cell::new(false),
            changed: Cell::new(0),
            largest: Cell::new(0),
            commits: Cell::new(0),
            after_commit: Box::new(after_commit),
            fail_insert: None,
            inserts: Cell::new(0),
            dead: Cell::new(false),
        }
    }

    fn committed(&self) {
        self.largest.set(self.largest.get().max(self.changed.get()));
        self.changed.set(0);
        self.commits.set(self.commits.get() + 1);
        (self.after_commit)();
    }
}

impl Store for Watched<'_> {
    fn execute(&self, sql: &str, params: &[Value]) -> store::Result<Rows> {
        if self.dead.get() {
            return Err(store::Error::Database("the process is gone".into()));
        }
        if sql.starts_with("INSERT OR FAIL INTO programmes") {
            let n = self.inserts.get() + 1;
            self.inserts.set(n);
            if self.fail_insert == Some(n) {
                self.dead.set(true);
                let _ = self.db.execute("ROLLBACK", &[]);
                return Err(store::Error::Database("the process is gone".into()));
            }
        }
        let rows = self.db.execute(sql, params)?;
        let verb = sql.split_whitespace().next().unwrap_or("");
        match verb {
            "BEGIN" => self.in_transaction.set(true),
            "COMMIT" => {
                self.in_transaction.set(false);
                self.committed();
            }
            "ROLLBACK" => {
                self.in_transaction.set(false);
                self.changed.set(0);
            }
            "INSERT" | "UPDATE" | "DELETE" => {
                // Emptying a table whole drops its pages without visiting its rows.
                let truncation = verb == "DELETE" && !sql.contains("WHERE");
                if !truncation {
                    self.changed
                        .set(self.changed.get() + self.db.connection().changes());
                }
                if !self.in_transaction.get() {
                    self.committed();
                }
            }
            _ => {}
        }
        Ok(rows)
    }
}

fn import(db: &impl Store, provider: i64, feed: &[u8]) -> Result<import::RunRecord, import::Error> {
    let run = import::start_run(db, provider, Trigger::Cli).expect("run");
    let options = ImportOptions {
        batch_size: BATCH,
        ..ImportOptions::default()
    };
    import::run(db, run.id, feed, &options)
}

#[test]
fn no_write_transaction_of_a_large_import_changes_more_than_two_batches() {
    let temp = TempDb::new("bounded");
    let provider = insert_provider(&temp.db, "us1");
    import(&temp.db, provider, &us1()).expect("first import");
    let watched = Watched::new(&temp.db, || {});
    let run = import(&watched, provider, &us1_retitled()).expect("second import");
    assert_eq!(run.status, RunStatus::Succeeded);
    // Every programme replaced: all retired, all inserted, all deleted after.
    assert!(run.added > 40_000 && run.removed > 40_000, "{run:?}");
    let largest = watched.largest.get();
    assert!(largest > 0);
    assert!(
        largest <= 2 * BATCH as u64 + 1_000,
        "a transaction changed {largest} rows"
    );
    assert!(
        watched.commits.get() > 20,
        "{} commits",
        watched.commits.get()
    );
}

#[test]
fn a_reader_sees_the_old_guide_or_the_new_one_after_every_commit() {
    let temp = TempDb::new("switch");
    let provider = insert_provider(&temp.db, "us1");
    import(&temp.db, provider, &us1()).expect("first import");
    let reader = SqliteStore::open(&temp.path).expect("reader");
    let before = seen(&reader);
    let after = {
        let other = TempDb::new("switch-expected");
        let p = insert_provider(&other.db, "us1");
        import(&other.db, p, &us1()).expect("first import");
        import(&other.db, p, &us1_retitled()).expect("second import");
        seen(&other.db)
    };
    assert_ne!(before, after);
    let switched = Cell::new(false);
    let checks = Cell::new(0);
    let watched = Watched::new(&temp.db, || {
        checks.set(checks.get() + 1);
        let now = seen(&reader);
        if switched.get() {
            assert!(
                now == after,
                "after commit {}: not the new guide",
                checks.get()
            );
        } else if now != before {
            assert!(
                now == after,
                "after commit {}: half an import: {}",
                checks.get(),
                first_difference(&now, &before)
            );
            switched.set(true);
        }
    });
    import(&watched, provider, &us1_retitled()).expect("second import");
    assert!(switched.get());
    assert!(checks.get() > 20, "{} commits", checks.get());
}

#[test]
fn an_import_that_dies_half_way_through_its_apply_changes_nothing_and_is_undone() {
    let temp = TempDb::new("undo");
    let provider = insert_provider(&temp.db, "us1");
    import(&temp.db, provider, &us1()).expect("first import");
    let reader = SqliteStore::open(&temp.path).expect("reader");
    let before = seen(&reader);
    let guide = |db: &SqliteStore| {
        [
            "SELECT id, mapping_id, channel_id, start, stop, title, data FROM programmes \
             ORDER BY id",
            "SELECT id, name, xmltv_id FROM channels ORDER BY id",
            "SELECT id, provider_channel_id, channel_id, data FROM channel_mappings ORDER BY id",
        ]
        .map(|sql| db.execute(sql, &[]).expect(sql).rows)
    };
    let stored = guide(&temp.db);
    let mut watched = Watched::new(&temp.db, || {
        let now = seen(&reader);
        assert!(
            now == before,
            "a reader saw part of the import: {}",
            first_difference(&now, &before)
        );
    });
    // The fourth step: three groups of programmes are written, none in sight.
    watched.fail_insert = Some(4);
    let dead = import(&watched, provider, &us1_retitled()).expect_err("dies");
    assert_eq!(dead.to_string(), "database error: the process is gone");
    assert!(watched.dead.get());
    assert!(seen(&reader) == before);
    let runs = import::list_runs(&temp.db, None, 1).expect("runs");
    let run = &runs[0];
    // It died before it could say so.
    assert_eq!(run.status, RunStatus::Running);
    let count = |sql: &str| temp.db.execute(sql, &[run.id.into()]).expect(sql).rows[0][0].clone();
    assert!(count("SELECT COUNT(*) FROM programmes WHERE run_id = ?") != Value::Integer(0));
    assert!(count("SELECT COUNT(*) FROM programmes WHERE retired_by = ?") != Value::Integer(0));
    // Given up on (as the jobs do after its lease and attempts), the sweep that every
    // import and the hourly cleanup start with takes back all it wrote.
    temp.db
        .execute(
            "UPDATE import_log SET status = 'failed' WHERE id = ?",
            &[run.id.into()],
        )
        .expect("give up");
    import::sweep(&temp.db).expect("sweep");
    assert_eq!(guide(&temp.db), stored);
    assert_eq!(
        count("SELECT COUNT(*) FROM programmes WHERE run_id = ?1 OR retired_by = ?1"),
        Value::Integer(0)
    );
    // And the next import gives the guide it would have given anyway.
    import(&temp.db, provider, &us1_retitled()).expect("next import");
    let expected = TempDb::new("undo-expected");
    let p = insert_provider(&expected.db, "us1");
    import(&expected.db, p, &us1()).expect("first");
    import(&expected.db, p, &us1_retitled()).expect("second");
    assert!(seen(&reader) == seen(&expected.db));
}

#[test]
fn an_import_that_fails_half_way_undoes_itself() {
    let temp = TempDb::new("fail");
    let provider = insert_provider(&temp.db, "us1");
    import(&temp.db, provider, &us1()).expect("first import");
    let stored = temp
        .db
        .execute("SELECT * FROM programmes ORDER BY id", &[])
        .expect("programmes")
        .rows;
    let channels = temp
        .db
        .execute("SELECT * FROM channels ORDER BY id", &[])
        .expect("channels")
        .rows;
    let failing = Failing {
        db: &temp.db,
        inserts: RefCell::new(0),
    };
    let err = import(&failing, provider, &us1_retitled()).expect_err("fails");
    assert_eq!(err.to_string(), "database error: disk I/O error (injected)");
    let runs = import::list_runs(&temp.db, None, 1).expect("runs");
    assert_eq!(runs[0].status, RunStatus::Failed);
    let now = |sql: &str| temp.db.execute(sql, &[]).expect(sql).rows;
    assert_eq!(now("SELECT * FROM programmes ORDER BY id"), stored);
    assert_eq!(now("SELECT * FROM channels ORDER BY id"), channels);
}

/// Fails the third insert into the guide with a lasting error.
struct Failing<'a> {
    db: &'a SqliteStore,
    inserts: RefCell<u32>,
}

impl Store for Failing<'_> {
    fn execute(&self, sql: &str, params: &[Value]) -> store::Result<Rows> {
        if sql.starts_with("INSERT OR FAIL INTO programmes") {
            *self.inserts.borrow_mut() += 1;
            if *self.inserts.borrow() == 3 {
                return Err(store::Error::Database("disk I/O error (injected)".into()));
            }
        }
        self.db.execute(sql, params)
    }
}

/// A run that died half-way through its apply, taken over (as the jobs do once its
/// lease has run out), goes on from the last step that committed, without its feed.
#[test]
fn an_import_that_dies_half_way_through_its_apply_is_continued_where_it_stopped() {
    let temp = TempDb::new("continue");
    let provider = insert_provider(&temp.db, "us1");
    import(&temp.db, provider, &us1()).expect("first import");
    let mut watched = Watched::new(&temp.db, || {});
    watched.fail_insert = Some(4);
    import(&watched, provider, &us1_retitled()).expect_err("dies");
    let runs = import::list_runs(&temp.db, None, 1).expect("runs");
    let run = runs[0].id;
    assert!(import::is_staged(&temp.db, run).expect("read"));
    let written = |db: &SqliteStore| {
        db.execute(
            "SELECT COUNT(*) FROM programmes WHERE run_id = ?",
            &[run.into()],
        )
        .expect("count")
        .rows[0][0]
            .clone()
    };
    let before = written(&temp.db);
    assert_ne!(before, Value::Integer(0));
    let counting = Watched::new(&temp.db, || {});
    let options = ImportOptions {
        batch_size: BATCH,
        ..ImportOptions::default()
    };
    let record = import::continue_staged(&counting, run, &options).expect("continued");
    assert_eq!(record.status, RunStatus::Succeeded);
    let expected = TempDb::new("continue-expected");
    let p = insert_provider(&expected.db, "us1");
    import(&expected.db, p, &us1()).expect("first");
    let full = Watched::new(&expected.db, || {});
    let whole = import(&full, p, &us1_retitled()).expect("second");
    // Three steps had committed: only the others ran.
    assert!(full.inserts.get() > 4);
    assert_eq!(counting.inserts.get(), full.inserts.get() - 3);
    assert!(seen(&temp.db) == seen(&expected.db));
    let counts = |r: &import::RunRecord| (r.added, r.updated, r.removed, r.rejected, r.warnings);
    assert_eq!(counts(&record), counts(&whole));
}

fn pragma(db: &SqliteStore, name: &str) -> i64 {
    db.connection()
        .query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))
        .expect("pragma")
}

#[test]
fn an_import_under_bulk_writes_gives_the_same_guide_and_puts_the_settings_back() {
    let plain = TempDb::new("plain");
    let provider = insert_provider(&plain.db, "us1");
    import(&plain.db, provider, &us1()).expect("plain import");

    let bulk = TempDb::new("bulk");
    let provider = insert_provider(&bulk.db, "us1");
    let cache_size = pragma(&bulk.db, "cache_size");
    {
        let _bulk = bulk.db.bulk_writes().expect("bulk writes");
        assert_eq!(pragma(&bulk.db, "wal_autocheckpoint"), 0);
        assert_eq!(pragma(&bulk.db, "cache_size"), -32_768);
        import(&bulk.db, provider, &us1()).expect("bulk import");
    }
    assert_eq!(pragma(&bulk.db, "wal_autocheckpoint"), 1_000);
    assert_eq!(pragma(&bulk.db, "cache_size"), cache_size);
    // The last checkpoint left nothing in the WAL to copy: (busy, frames, checkpointed).
    let (busy, frames, checkpointed): (i64, i64, i64) = bulk
        .db
        .connection()
        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .expect("checkpoint");
    assert_eq!((busy, frames), (0, checkpointed));
    assert_eq!(seen(&bulk.db), seen(&plain.db));
}

#[test]
fn bulk_writes_checkpoint_on_another_connection_while_the_writer_goes_on() {
    let temp = TempDb::new("checkpointer");
    let provider = insert_provider(&temp.db, "us1");
    let size = || std::fs::metadata(&temp.path).expect("database file").len();
    let before = size();
    let _bulk = temp.db.bulk_writes().expect("bulk writes");
    import(&temp.db, provider, &us1()).expect("import");
    // The writer itself no longer checkpoints: only the checkpointer's thread can have
    // grown the database file from its WAL.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while size() < before + 10_000_000 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(size() > before + 10_000_000, "{} bytes", size());
}

#[test]
fn bulk_writes_on_a_database_in_memory_only_grow_the_cache() {
    let db = SqliteStore::open_in_memory().expect("open");
    let autocheckpoint = pragma(&db, "wal_autocheckpoint");
    let bulk = db.bulk_writes().expect("bulk writes");
    assert_eq!(pragma(&db, "cache_size"), -32_768);
    assert_eq!(pragma(&db, "wal_autocheckpoint"), autocheckpoint);
    drop(bulk);
    assert_eq!(pragma(&db, "cache_size"), -2_000);
}
