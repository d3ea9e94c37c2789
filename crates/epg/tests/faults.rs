//! A remote database's failures (issue 12, part 3), injected under `store::Resilient`:
//! interrupted statements, connections that expire while idle, transactions the server
//! rolls back. Imports of a real sample and API calls must end exactly as without the
//! fault, or fail cleanly with the reason, the guide unchanged and no run left running.

use std::cell::{Cell, RefCell};
use std::io::Read;

use epg::Config;
use epg::api::{self, Area, Context};
use epg::import::{self, ImportOptions, RunRecord, RunStatus, Trigger};
use epg::jobs::{self, FetchError, FetchRequest, FetchResponse, Fetcher};
use epg::store::{self, Resilient, Rows, SqliteStore, Store, Value};
use http::{Method, Request};
use serde_json::json;

use crate::common::{fresh_db, insert_provider};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/xmltv-samples");
/// Imported before the fault is armed, so that the faulty import replaces a guide.
const FIRST_FEED: &str = "iptv-org-epg/energeek.cl.content.xml";
/// Imported under the fault: 3 channels, 332 programmes.
const FEED: &str = "iptv-org-epg/vantagetv.ee.content.xml";
/// 2025-06-01T12:00:00Z
const NOW: i64 = 1_748_779_200;

/// What goes wrong, at the n-th statement since [`Faulty::arm`] (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    /// The statement is interrupted; an interrupted write takes its transaction with it,
    /// as in SQLite, while an interrupted read leaves the transaction open.
    Interrupt(u64),
    /// The server drops the connection: this and every later statement fail until
    /// `reconnect`, and an open transaction is rolled back.
    Expire(u64),
    /// The server rolls the open transaction back; the statement fails with
    /// `TRANSACTION_TIMEOUT` and later ones run outside any transaction, as in libSQL.
    RollBack(u64),
    /// Every transaction that writes the live guide is rolled back by the server.
    RollBackGuideWrites,
}

/// A SQLite connection that fails as a libSQL server does, once armed.
struct Faulty {
    db: SqliteStore,
    fault: Cell<Fault>,
    statements: Cell<u64>,
    /// Numbers of the statements that ran inside a transaction.
    in_transaction: RefCell<Vec<u64>>,
    expired: Cell<bool>,
    fired: Cell<u32>,
    reconnects: Cell<u32>,
}

impl Faulty {
    fn new(db: SqliteStore) -> Self {
        Self {
            db,
            fault: Cell::new(Fault::None),
            statements: Cell::new(0),
            in_transaction: RefCell::new(Vec::new()),
            expired: Cell::new(false),
            fired: Cell::new(0),
            reconnects: Cell::new(0),
        }
    }

    fn arm(&self, fault: Fault) {
        self.fault.set(fault);
        self.statements.set(0);
        self.in_transaction.borrow_mut().clear();
    }

    /// What the server does to the open transaction when it fails a statement.
    fn lose_transaction(&self) {
        if !self.db.connection().is_autocommit() {
            self.db
                .execute("ROLLBACK", &[])
                .expect("server-side rollback");
        }
    }

    fn fail(&self, error: store::Error, ends_transaction: bool) -> store::Result<Rows> {
        if ends_transaction {
            self.lose_transaction();
        }
        self.fired.set(self.fired.get() + 1);
        Err(error)
    }
}

fn writes_guide(sql: &str) -> bool {
    sql.contains("INTO programmes") || sql.contains("DELETE FROM programmes")
}

impl Store for Faulty {
    fn execute(&self, sql: &str, params: &[Value]) -> store::Result<Rows> {
        let n = self.statements.get() + 1;
        self.statements.set(n);
        let in_tx = !self.db.connection().is_autocommit();
        if in_tx {
            self.in_transaction.borrow_mut().push(n);
        }
        if self.fault.get() == Fault::Expire(n) {
            self.expired.set(true);
        }
        if self.expired.get() {
            return self.fail(store::Error::Expired, true);
        }
        match self.fault.get() {
            Fault::Interrupt(at) if at == n => {
                let is_read = sql.trim_start().starts_with("SELECT");
                return self.fail(store::Error::Interrupted, !is_read);
            }
            Fault::RollBack(at) if n >= at && in_tx => {
                self.fault.set(Fault::None);
                return self.fail(store::Error::RolledBack, true);
            }
            Fault::RollBackGuideWrites if in_tx && writes_guide(sql) => {
                return self.fail(store::Error::RolledBack, true);
            }
            _ => {}
        }
        self.db.execute(sql, params)
    }

    fn reconnect(&self) -> store::Result<()> {
        self.expired.set(false);
        self.reconnects.set(self.reconnects.get() + 1);
        Ok(())
    }
}

fn sample(path: &str) -> Vec<u8> {
    std::fs::read(format!("{SAMPLES}/{path}")).expect("sample file")
}

/// A provider with [`FIRST_FEED`] imported, on a store not yet armed.
fn seeded() -> (Resilient<Faulty>, i64) {
    let store = Resilient::new(Faulty::new(fresh_db()));
    let provider = insert_provider(&store, "p");
    import_feed(&store, provider, FIRST_FEED).expect("first import");
    // The API shows these times, and they come from the clock.
    for table in ["providers", "channels", "channel_mappings"] {
        let sql = format!("UPDATE {table} SET created_at = 0, updated_at = 0");
        store.execute(&sql, &[]).expect("fixed times");
    }
    (store, provider)
}

fn options() -> ImportOptions {
    // Small batches: several staging transactions, each one a place to fail.
    ImportOptions {
        batch_size: 100,
        ..ImportOptions::default()
    }
}

fn import_feed(store: &impl Store, provider: i64, feed: &str) -> Result<RunRecord, import::Error> {
    let run = import::start_run(store, provider, Trigger::Cli)?;
    import::run(store, run.id, sample(feed).as_slice(), &options())
}

fn rows(db: &impl Store, sql: &str) -> Vec<Vec<Value>> {
    db.execute(sql, &[]).expect("query").rows
}

/// Every row the guide is made of (times of writing left out).
fn guide(db: &impl Store) -> Vec<Vec<Value>> {
    [
        "SELECT id, mapping_id, channel_id, provider_id, start, stop, title, sub_title, \
         description, season, episode, part, data FROM programmes ORDER BY id",
        "SELECT id, name, normalized_name, icon, xmltv_id, lcn, enabled FROM channels ORDER BY id",
        "SELECT id, provider_id, provider_channel_id, channel_id, time_shift_minutes, manual, \
         data FROM channel_mappings ORDER BY id",
    ]
    .iter()
    .flat_map(|sql| rows(db, sql))
    .collect()
}

/// A run's outcome without its times.
fn outcome(run: &RunRecord) -> (RunStatus, [u64; 8], Option<String>) {
    let counts = [
        run.bytes_read,
        run.channels_seen,
        run.programmes_seen,
        run.added,
        run.updated,
        run.removed,
        run.rejected,
        run.warnings,
    ];
    (run.status, counts, run.error.clone())
}

/// Runs left `running` and staging rows left behind: none, whatever happened.
fn leftovers(db: &impl Store) -> Vec<Vec<Value>> {
    rows(
        db,
        "SELECT (SELECT COUNT(*) FROM import_log WHERE status = 'running'), \
         (SELECT COUNT(*) FROM staging_programmes), (SELECT COUNT(*) FROM staging_channels)",
    )
}

/// The fault-free import of [`FEED`]: its guide, outcome, and statement numbers.
fn baseline() -> (Vec<Vec<Value>>, RunRecord, u64, Vec<u64>) {
    let (store, provider) = seeded();
    store.inner().arm(Fault::None);
    let run = import_feed(&store, provider, FEED).expect("fault-free import");
    let faulty = store.inner();
    let (statements, in_tx) = (
        faulty.statements.get(),
        faulty.in_transaction.borrow().clone(),
    );
    (guide(&store), run, statements, in_tx)
}

/// Imports [`FEED`] with `fault` armed and asserts the result is the fault-free one.
fn assert_import_survives(fault: Fault, expected: &(Vec<Vec<Value>>, RunRecord)) {
    let (store, provider) = seeded();
    store.inner().arm(fault);
    let run = import_feed(&store, provider, FEED).unwrap_or_else(|e| panic!("{fault:?}: {e}"));
    assert_eq!(store.inner().fired.get(), 1, "{fault:?} did not fire");
    assert_eq!(outcome(&run), outcome(&expected.1), "{fault:?}");
    assert!(guide(&store) == expected.0, "{fault:?}: the guide differs");
    assert_eq!(leftovers(&store), [[0.into(), 0.into(), 0.into()]]);
}

#[test]
fn an_import_ends_as_without_an_interrupt_at_any_statement() {
    let (guide, run, statements, _) = baseline();
    assert_eq!(outcome(&run).0, RunStatus::Succeeded);
    assert_eq!(run.added, 332);
    for n in 1..=statements {
        assert_import_survives(Fault::Interrupt(n), &(guide.clone(), run.clone()));
    }
}

#[test]
fn an_import_ends_as_without_an_expiry_at_any_statement() {
    let (guide, run, statements, _) = baseline();
    for n in 1..=statements {
        assert_import_survives(Fault::Expire(n), &(guide.clone(), run.clone()));
    }
}

#[test]
fn an_import_ends_as_without_a_server_rollback_of_any_transaction() {
    let (guide, run, _, in_transaction) = baseline();
    assert!(in_transaction.len() > 20, "{in_transaction:?}");
    for n in in_transaction {
        assert_import_survives(Fault::RollBack(n), &(guide.clone(), run.clone()));
    }
}

#[test]
fn an_import_whose_apply_is_always_rolled_back_fails_cleanly() {
    let (store, provider) = seeded();
    let before = guide(&store);
    store.inner().arm(Fault::RollBackGuideWrites);
    let err = import_feed(&store, provider, FEED).expect_err("apply never commits");
    assert_eq!(
        err.to_string(),
        "the database rolled the transaction back; try again"
    );
    // One rollback per attempt of the apply transaction.
    assert_eq!(store.inner().fired.get(), 3);
    let run = import::list_runs(&store, None, 1).expect("runs");
    assert_eq!(run[0].status, RunStatus::Failed);
    assert_eq!(
        run[0].error.as_deref(),
        Some("the database rolled the transaction back; try again")
    );
    assert!(guide(&store) == before, "the guide changed");
    assert_eq!(leftovers(&store), [[0.into(), 0.into(), 0.into()]]);
}

// ---------------------------------------------------------------------------------------
// A feed server slow enough for the connection to expire between statements
// ---------------------------------------------------------------------------------------

/// Serves [`FEED`]. When `slow`, every wait for the server (the request, each read of
/// the body) outlasts libSQL's idle limit, so the connection has expired whenever the
/// importer next uses it.
struct SlowFeed<'a> {
    store: &'a Faulty,
    slow: bool,
}

struct SlowBody<'a> {
    feed: &'a SlowFeed<'a>,
    body: &'a [u8],
}

impl SlowFeed<'_> {
    fn wait(&self) {
        if self.slow {
            self.store.expired.set(true);
        }
    }
}

impl Read for SlowBody<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.feed.wait();
        let n = self.body.len().min(buf.len()).min(4096);
        buf[..n].copy_from_slice(&self.body[..n]);
        self.body = &self.body[n..];
        Ok(n)
    }
}

impl Fetcher for SlowFeed<'_> {
    fn get(&self, _request: &FetchRequest) -> Result<FetchResponse<'_>, FetchError> {
        self.wait();
        let body = Box::leak(sample(FEED).into_boxed_slice());
        Ok(FetchResponse {
            status: 200,
            headers: vec![],
            body: Box::new(SlowBody { feed: self, body }),
        })
    }
}

/// One pass of `jobs::run_due` over a queued run of [`FEED`]: the run, the guide, and
/// how often the connection was reopened.
fn jobs_pass(slow: bool) -> (RunRecord, Vec<Vec<Value>>, u32) {
    let (store, provider) = seeded();
    store
        .execute(
            "INSERT INTO import_log (provider_id, trigger, status, queued_at) \
             VALUES (?, 'manual', 'queued', ?)",
            &[provider.into(), NOW.into()],
        )
        .expect("queue");
    let fetcher = SlowFeed {
        store: store.inner(),
        slow,
    };
    let report = jobs::run_due(&store, &fetcher, &Config::default(), NOW, 60).expect("pass");
    assert_eq!(report.runs.len(), 1);
    assert_eq!(leftovers(&store), [[0.into(), 0.into(), 0.into()]]);
    let run = report.runs[0].clone();
    (run, guide(&store), store.inner().reconnects.get())
}

#[test]
fn an_import_survives_a_connection_that_expires_at_every_network_wait() {
    let (run_expected, guide_expected, reconnects) = jobs_pass(false);
    assert_eq!(outcome(&run_expected).0, RunStatus::Succeeded);
    assert_eq!(reconnects, 0);
    let (run, guide, reconnects) = jobs_pass(true);
    assert_eq!(outcome(&run), outcome(&run_expected));
    assert!(guide == guide_expected, "the guide differs");
    // At least the request and the end of the body were waits before a statement.
    assert!(reconnects >= 2, "{reconnects}");
}

// ---------------------------------------------------------------------------------------
// API reads and writes
// ---------------------------------------------------------------------------------------

fn send(
    store: &impl Store,
    area: Area,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, Vec<u8>) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("spin-client-addr", "127.0.0.1:5555");
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let config = Config::default();
    let ctx = Context {
        store,
        config: &config,
        now: NOW,
        fetcher: None,
    };
    let response = api::handle_full(area, request.body(body).expect("request"), &ctx);
    (response.status().as_u16(), response.into_body())
}

/// The API calls under test: a read, and writes that are each one transaction.
fn calls(store: &impl Store) -> Vec<(u16, Vec<u8>)> {
    vec![
        send(
            store,
            Area::Channels,
            Method::GET,
            "/api/v1/channels?limit=50",
            None,
        ),
        send(
            store,
            Area::Providers,
            Method::POST,
            "/api/v1/providers",
            Some(json!({"name": "second", "xmltv_url": "https://second.example/guide.xml"})),
        ),
        send(
            store,
            Area::Channels,
            Method::PATCH,
            "/api/v1/channels/1",
            Some(json!({"name": "Renamed"})),
        ),
        send(
            store,
            Area::Channels,
            Method::GET,
            "/api/v1/channels/1/programs?start=2022-11-29T00:00:00Z&end=2022-11-30T00:00:00Z",
            None,
        ),
    ]
}

fn database(store: &impl Store) -> Vec<Vec<Value>> {
    let mut all = guide(store);
    all.extend(rows(
        store,
        "SELECT id, name, xmltv_url FROM providers ORDER BY id",
    ));
    all
}

#[test]
fn api_calls_answer_as_without_any_single_fault() {
    let (store, _) = seeded();
    store.inner().arm(Fault::None);
    let expected = calls(&store);
    assert_eq!(
        expected
            .iter()
            .map(|(status, _)| *status)
            .collect::<Vec<_>>(),
        [200, 201, 200, 200]
    );
    let statements = store.inner().statements.get();
    let in_transaction = store.inner().in_transaction.borrow().clone();
    let expected_db = database(&store);
    let window: serde_json::Value = serde_json::from_slice(&expected[3].1).expect("window");
    // EnerGeek 4 has 7 programmes overlapping 2022-11-29 UTC.
    assert_eq!(window["items"].as_array().map(Vec::len), Some(7));
    let faults = (1..=statements)
        .flat_map(|n| [Fault::Interrupt(n), Fault::Expire(n)])
        .chain(in_transaction.into_iter().map(Fault::RollBack));
    for fault in faults {
        let (store, _) = seeded();
        store.inner().arm(fault);
        let answers = calls(&store);
        assert_eq!(store.inner().fired.get(), 1, "{fault:?} did not fire");
        for (got, want) in answers.iter().zip(&expected) {
            assert_eq!(
                got.0,
                want.0,
                "{fault:?}: {}",
                String::from_utf8_lossy(&got.1)
            );
            assert!(
                got.1 == want.1,
                "{fault:?}: {}",
                String::from_utf8_lossy(&got.1)
            );
        }
        assert!(
            database(&store) == expected_db,
            "{fault:?}: the database differs"
        );
    }
}

#[test]
fn a_read_that_keeps_failing_is_a_503_problem_after_three_tries() {
    let store = Resilient::new(AlwaysInterrupted::default());
    let (status, body) = send(
        &store,
        Area::Channels,
        Method::GET,
        "/api/v1/channels",
        None,
    );
    assert_eq!(status, 503);
    let body: serde_json::Value = serde_json::from_slice(&body).expect("problem");
    assert_eq!(
        body["detail"],
        "the database interrupted the statement; try again"
    );
    assert_eq!(store.inner().tries.get(), 3);
}

/// A connection that interrupts every statement.
#[derive(Default)]
struct AlwaysInterrupted {
    tries: Cell<u32>,
}

impl Store for AlwaysInterrupted {
    fn execute(&self, _sql: &str, _params: &[Value]) -> store::Result<Rows> {
        self.tries.set(self.tries.get() + 1);
        Err(store::Error::Interrupted)
    }
}
