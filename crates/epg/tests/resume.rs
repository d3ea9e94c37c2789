//! Runs that finish over several calls (issue 12, part 2): a pass with a time budget
//! pauses the run in hand, the next pass continues it from what it staged, and the
//! guide ends row for row as one long pass leaves it. A changed feed starts the run over;
//! a run whose holder died continues once its lease has run out.

use std::cell::{Cell, RefCell};
use std::fmt::Write as _;
use std::io::{self, Read};
use std::time::Duration;

use epg::Config;
use epg::guide::SearchQuery;
use epg::import::RunStatus;
use epg::jobs::{self, Budget, FetchError, FetchRequest, FetchResponse, Fetcher, JobReport};
use epg::store::{Rows, SqliteStore, Store, Value};

use crate::common::fresh_db;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/xmltv-samples");
/// 613 channels, 47,063 programmes (SOURCES.md), 2025-02-11 to 2025-02-15.
const US1: &str = "large/epgshare01-epg_ripper_US1.xml.gz";
/// 2025-02-13T00:00:00Z, inside the sample's days.
const NOW: i64 = 1_739_404_800;
const URL: &str = "http://feeds.example/guide.xml";

/// Every pass stops after its first committed batch of staging or step of applying.
const ONE_BATCH: Budget = Budget {
    claims: Duration::from_secs(600),
    staging: Duration::ZERO,
    applying: Duration::ZERO,
};

/// Passes that read the whole feed but stop applying after one step.
const ONE_STEP: Budget = Budget {
    claims: Duration::from_secs(600),
    staging: Duration::from_secs(600),
    applying: Duration::ZERO,
};

/// Serves one feed (replaceable) in reads of uneven sizes that differ from one request
/// to the next, as a network does, with an optional `ETag`.
struct Feed {
    body: RefCell<Vec<u8>>,
    etag: RefCell<Option<String>>,
    requests: Cell<u32>,
}

impl Feed {
    fn new(body: Vec<u8>) -> Self {
        Self {
            body: RefCell::new(body),
            etag: RefCell::new(None),
            requests: Cell::new(0),
        }
    }
}

impl Fetcher for Feed {
    fn get(&self, request: &FetchRequest) -> Result<FetchResponse<'_>, FetchError> {
        assert_eq!(request.url, URL);
        let n = self.requests.get() + 1;
        self.requests.set(n);
        let headers = self
            .etag
            .borrow()
            .iter()
            .map(|tag| ("etag".to_owned(), tag.clone()))
            .collect();
        Ok(FetchResponse {
            status: 200,
            headers,
            body: Box::new(Uneven {
                data: self.body.borrow().clone(),
                pos: 0,
                state: u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            }),
        })
    }
}

/// A reader that hands out 1 to 20,000 bytes per call, pseudo-randomly.
struct Uneven {
    data: Vec<u8>,
    pos: usize,
    state: u64,
}

impl Read for Uneven {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        let size = usize::try_from(self.state % 20_000).unwrap_or(0) + 1;
        let n = size.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// A database with one provider of `URL`, today's daily import already done, and one
/// queued run.
fn guide_db() -> (SqliteStore, i64) {
    let db = fresh_db();
    db.execute(
        "INSERT INTO providers (name, xmltv_url, created_at, updated_at) \
         VALUES ('feed', ?, 0, 0)",
        &[URL.into()],
    )
    .expect("provider");
    db.execute(
        "INSERT INTO job_state (name, last_run_key) VALUES ('daily_import', '2025-02-13')",
        &[],
    )
    .expect("today's import done");
    let rows = db
        .execute(
            "INSERT INTO import_log (provider_id, trigger, status, queued_at) \
             SELECT id, 'manual', 'queued', ? FROM providers RETURNING id",
            &[(NOW - 60).into()],
        )
        .expect("queue a run");
    let run = rows.first().expect("row").i64(0).expect("id");
    (db, run)
}

fn staged(db: &impl Store) -> i64 {
    scalar(db, "SELECT COUNT(*) FROM staging_programmes")
}

/// Programmes staged, and written into the guide out of sight: what a run has done.
fn done(db: &impl Store) -> i64 {
    staged(db) + scalar(db, "SELECT COUNT(*) FROM programmes WHERE run_id > 0")
}

fn scalar(db: &impl Store, sql: &str) -> i64 {
    let rows = db.execute(sql, &[]).expect(sql);
    rows.first().expect("a row").i64(0).expect("an integer")
}

fn table(db: &impl Store, sql: &str) -> Vec<Vec<Value>> {
    db.execute(sql, &[]).expect(sql).rows
}

/// Everything the guide is made of, and what the run recorded, to compare two imports.
fn guide(db: &impl Store) -> Vec<Vec<Vec<Value>>> {
    let mut tables: Vec<Vec<Vec<Value>>> = [
        "SELECT * FROM programmes ORDER BY id",
        // Without the times of day they were written at.
        "SELECT id, name, normalized_name, icon, xmltv_id, lcn, enabled FROM channels \
         ORDER BY id",
        "SELECT id, provider_id, provider_channel_id, channel_id, time_shift_minutes, manual, \
         data FROM channel_mappings ORDER BY id",
        "SELECT status, bytes_read, channels_seen, programmes_seen, added, updated, removed, \
         rejected, warnings, rejects, warning_reasons FROM import_log ORDER BY id",
        "SELECT COUNT(*) FROM staging_programmes",
    ]
    .into_iter()
    .map(|sql| table(db, sql))
    .collect();
    for term in ["news", "the", "live", "show", "world"] {
        let query = SearchQuery {
            q: term.into(),
            limit: 100,
            ..SearchQuery::default()
        };
        let page = epg::guide::search(db, &query).expect("search");
        let page = serde_json::to_string(&page).expect("json");
        tables.push(vec![vec![Value::Text(page)]]);
    }
    tables
}

/// Asserts that two guides are the same, naming the first difference.
fn assert_same(left: &[Vec<Vec<Value>>], right: &[Vec<Vec<Value>>]) {
    assert_eq!(left.len(), right.len());
    for (t, (a, b)) in left.iter().zip(right).enumerate() {
        for (r, (x, y)) in a.iter().zip(b).enumerate() {
            assert_eq!(x, y, "table {t}, row {r}");
        }
        assert_eq!(a.len(), b.len(), "rows of table {t}");
    }
}

/// Passes of `ONE_BATCH` until the run ends; returns how many it took. Every pass
/// but the last must pause the run, having done more than the one before.
fn import_in_steps(db: &SqliteStore, run: i64, feed: &Feed) -> u32 {
    import_with(db, run, feed, ONE_BATCH)
}

fn import_with(db: &SqliteStore, run: i64, feed: &Feed, budget: Budget) -> u32 {
    let mut passes = 0;
    let mut before = 0;
    loop {
        passes += 1;
        assert!(passes < 1_000, "the run never ends");
        let report =
            jobs::run_due_within(db, feed, &Config::default(), NOW, budget).expect("a pass");
        let record = only_run(&report, run);
        if record.status != RunStatus::Running {
            assert_eq!(record.status, RunStatus::Succeeded, "{:?}", record.error);
            assert_eq!(report.paused, 0);
            return passes;
        }
        assert_eq!(report.paused, 1);
        assert!(record.paused_at.is_some());
        let now = done(db);
        assert!(now > before, "pass {passes} did nothing new");
        before = now;
    }
}

fn only_run(report: &JobReport, run: i64) -> &epg::import::RunRecord {
    assert_eq!(report.runs.len(), 1, "{report:?}");
    assert_eq!(report.runs[0].id, run);
    &report.runs[0]
}

/// The guide of one pass without a budget.
fn import_at_once(body: Vec<u8>) -> Vec<Vec<Vec<Value>>> {
    let (db, run) = guide_db();
    let feed = Feed::new(body);
    let report = jobs::run_due(&db, &feed, &Config::default(), NOW, 600).expect("a pass");
    assert_eq!(only_run(&report, run).status, RunStatus::Succeeded);
    guide(&db)
}

fn us1() -> Vec<u8> {
    std::fs::read(format!("{SAMPLES}/{US1}")).expect("sample")
}

/// A 1,000-channel feed of 36 programmes a channel, with what real feeds get wrong:
/// programmes without a stop, stops before their start, unreadable starts, overlapping
/// programmes, and channels declared after their programmes.
fn thousand_channels() -> Vec<u8> {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tv>\n");
    let channel = |xml: &mut String, c: u32| {
        let _ = writeln!(
            xml,
            "<channel id=\"c{c}.example\"><display-name>Channel {c}</display-name></channel>"
        );
    };
    for c in 0..990 {
        channel(&mut xml, c);
    }
    let base = chrono::DateTime::from_timestamp(NOW - 6 * 3600, 0).expect("time");
    let stamp = |minutes: i64| {
        (base + chrono::Duration::minutes(minutes))
            .format("%Y%m%d%H%M%S +0000")
            .to_string()
    };
    for c in 0..1_000u32 {
        for p in 0..36i64 {
            let n = i64::from(c) * 36 + p;
            let start = if n % 101 == 7 {
                "not a time".to_owned()
            } else if n % 200 == 13 {
                // Overlaps the programme before.
                stamp(p * 40 - 20)
            } else {
                stamp(p * 40)
            };
            let stop = match n % 50 {
                3 => String::new(),
                4 => format!(" stop=\"{}\"", stamp(p * 40 - 30)),
                _ => format!(" stop=\"{}\"", stamp(p * 40 + 40)),
            };
            let _ = writeln!(
                xml,
                "<programme start=\"{start}\"{stop} channel=\"c{c}.example\">\
                 <title lang=\"en\">Show {} news</title><sub-title>Part {p}</sub-title>\
                 <desc lang=\"en\">The world of channel {c}, live &amp; direct.</desc>\
                 <episode-num system=\"xmltv_ns\">{}.{}.</episode-num></programme>",
                n % 97,
                c % 5,
                p
            );
        }
    }
    for c in 990..1_000 {
        channel(&mut xml, c);
    }
    xml.push_str("</tv>\n");
    xml.into_bytes()
}

#[test]
fn a_real_feed_imported_in_paused_steps_gives_the_guide_of_one_pass() {
    let (db, run) = guide_db();
    let feed = Feed::new(us1());
    let passes = import_in_steps(&db, run, &feed);
    // 47,063 programmes in batches of 5,000.
    assert!(passes >= 5, "{passes} passes");
    let stepped = guide(&db);
    assert_same(&stepped, &import_at_once(us1()));
    // Every programme of the sample was read once, none twice (SOURCES.md).
    let record = epg::import::get_run(&db, run).expect("read").expect("run");
    assert_eq!(
        record.programmes_seen + record.rejected,
        47_063,
        "{record:?}"
    );
    assert_eq!(
        i64::try_from(record.added).expect("small"),
        scalar(&db, "SELECT COUNT(*) FROM programmes")
    );
}

#[test]
fn a_thousand_channel_feed_with_faults_imported_in_steps_gives_the_guide_of_one_pass() {
    let (db, run) = guide_db();
    let feed = Feed::new(thousand_channels());
    let passes = import_in_steps(&db, run, &feed);
    assert!(passes >= 5, "{passes} passes");
    let stepped = guide(&db);
    let whole = import_at_once(thousand_channels());
    assert_same(&stepped, &whole);
    let record = epg::import::get_run(&db, run).expect("read").expect("run");
    assert!(record.rejected > 0 && record.warnings > 0, "{record:?}");
    assert_eq!(
        scalar(&db, "SELECT COUNT(DISTINCT channel_id) FROM programmes"),
        1_000
    );
}

/// The apply continues over passes too, without downloading the feed again, and the
/// guide stays as it was until the last of them switches it.
#[test]
fn an_apply_paused_between_steps_continues_without_the_feed() {
    let (db, run) = guide_db();
    let feed = Feed::new(us1());
    let report = jobs::run_due_within(&db, &feed, &Config::default(), NOW, ONE_STEP).expect("pass");
    assert_eq!(only_run(&report, run).status, RunStatus::Running);
    assert!(epg::import::is_staged(&db, run).expect("read"));
    assert!(scalar(&db, "SELECT COUNT(*) FROM programmes") > 0);
    // Written, but out of sight until the switch.
    let options = epg::export::ExportOptions {
        channels: None,
        start: NOW - 7 * 86_400,
        end: NOW + 7 * 86_400,
        include_empty_channels: true,
    };
    let stats = epg::export::write(&db, &options, std::io::sink()).expect("export");
    assert_eq!((stats.channels, stats.programmes), (0, 0));
    let passes = import_with(&db, run, &feed, ONE_STEP);
    // 47,063 programmes in steps of about 5,000, one a pass.
    assert!(passes >= 5, "{passes} passes");
    assert_eq!(feed.requests.get(), 1);
    assert_same(&guide(&db), &import_at_once(us1()));
}

#[test]
fn a_feed_that_changes_between_passes_starts_the_run_over() {
    let (db, run) = guide_db();
    let feed = Feed::new(thousand_channels());
    let report =
        jobs::run_due_within(&db, &feed, &Config::default(), NOW, ONE_BATCH).expect("pass");
    assert_eq!(only_run(&report, run).status, RunStatus::Running);
    assert_eq!(feed.requests.get(), 1);
    // The same length, other bytes early on: only the CRC can tell.
    let changed = String::from_utf8(thousand_channels())
        .expect("utf-8")
        .replacen("Channel 1</display-name>", "Channel I</display-name>", 1)
        .into_bytes();
    *feed.body.borrow_mut() = changed.clone();
    let report =
        jobs::run_due_within(&db, &feed, &Config::default(), NOW, ONE_BATCH).expect("pass");
    assert_eq!(only_run(&report, run).status, RunStatus::Running);
    // The pass found the change and downloaded the feed again.
    assert_eq!(feed.requests.get(), 3);
    import_in_steps(&db, run, &feed);
    assert_same(&guide(&db), &import_at_once(changed));
}

/// A feed cut short before the bytes the staged programmes came from (the same first
/// bytes, then an end) is another feed too.
#[test]
fn a_feed_that_now_ends_earlier_starts_the_run_over() {
    let (db, run) = guide_db();
    let feed = Feed::new(thousand_channels());
    jobs::run_due_within(&db, &feed, &Config::default(), NOW, ONE_BATCH).expect("pass");
    assert!(staged(&db) >= 5_000);
    let xml = String::from_utf8(thousand_channels()).expect("utf-8");
    let cut = xml
        .match_indices("</programme>")
        .nth(1_000)
        .map(|(at, end)| at + end.len())
        .expect("programmes");
    let shorter = format!("{}\n</tv>\n", &xml[..cut]).into_bytes();
    *feed.body.borrow_mut() = shorter.clone();
    let passes = import_in_steps(&db, run, &feed);
    assert_eq!(passes, 1);
    assert_eq!(feed.requests.get(), 3);
    assert_same(&guide(&db), &import_at_once(shorter));
}

#[test]
fn a_feed_with_a_new_etag_starts_the_run_over_without_a_second_download() {
    let (db, run) = guide_db();
    let feed = Feed::new(us1());
    *feed.etag.borrow_mut() = Some("\"one\"".into());
    jobs::run_due_within(&db, &feed, &Config::default(), NOW, ONE_BATCH).expect("pass");
    let first = staged(&db);
    assert!(first > 0);
    *feed.etag.borrow_mut() = Some("\"two\"".into());
    let report =
        jobs::run_due_within(&db, &feed, &Config::default(), NOW, ONE_BATCH).expect("pass");
    assert_eq!(only_run(&report, run).status, RunStatus::Running);
    assert_eq!(feed.requests.get(), 2);
    // Started over: one batch staged again, not two.
    assert_eq!(staged(&db), first);
    // The same validators continue.
    jobs::run_due_within(&db, &feed, &Config::default(), NOW, ONE_BATCH).expect("pass");
    assert!(staged(&db) > first);
}

/// A run whose process died (here: its pause forgotten, its lease and progress old, as
/// after `kill -9`) is continued from its staged rows once its lease has run out, by a
/// pass without a budget, and says so.
#[test]
fn a_run_whose_holder_died_continues_from_what_it_staged() {
    let (db, run) = guide_db();
    let feed = Feed::new(us1());
    for _ in 0..3 {
        jobs::run_due_within(&db, &feed, &Config::default(), NOW, ONE_BATCH).expect("pass");
    }
    let staged_before = staged(&db);
    assert!(staged_before >= 15_000, "{staged_before}");
    db.execute(
        "UPDATE import_log SET paused_at = NULL, attempts = 1, lease_owner = 'dead', \
         lease_expires_at = ?, progress_at = ? WHERE id = ?",
        &[
            (NOW - 1).into(),
            (NOW - 2 * jobs::LEASE_SECS).into(),
            run.into(),
        ],
    )
    .expect("a dead holder");
    let seen = RefCell::new(None);
    let watcher = Watcher {
        feed: &feed,
        db: &db,
        seen: &seen,
    };
    let counting = Counting {
        db: &db,
        staged_rows: Cell::new(0),
    };
    let report = jobs::run_due(&counting, &watcher, &Config::default(), NOW, 600).expect("pass");
    assert_eq!(only_run(&report, run).status, RunStatus::Succeeded);
    let note = seen.borrow().clone().expect("downloaded");
    assert!(
        note.as_deref()
            .is_some_and(|n| n.starts_with("attempt 1 stopped without a result")
                && n.contains("; continuing after programme ")),
        "{note:?}"
    );
    // Only what the dead holder had not staged was written again.
    assert_eq!(counting.staged_rows.get(), 47_063 - staged_before);
    assert_same(&guide(&db), &import_at_once(us1()));
}

/// Records the run's note when the feed is requested.
struct Watcher<'a> {
    feed: &'a Feed,
    db: &'a SqliteStore,
    seen: &'a RefCell<Option<Option<String>>>,
}

impl Fetcher for Watcher<'_> {
    fn get(&self, request: &FetchRequest) -> Result<FetchResponse<'_>, FetchError> {
        let rows = self
            .db
            .execute("SELECT error FROM import_log", &[])
            .expect("run");
        let note = rows.first().and_then(|r| r.opt_string(0).expect("error"));
        *self.seen.borrow_mut() = Some(note);
        self.feed.get(request)
    }
}

/// Counts the programmes written into the staging table.
struct Counting<'a> {
    db: &'a SqliteStore,
    staged_rows: Cell<i64>,
}

impl Store for Counting<'_> {
    fn execute(&self, sql: &str, params: &[Value]) -> epg::store::Result<Rows> {
        if sql.starts_with("INSERT OR FAIL INTO staging_programmes") {
            // Thirteen columns a row.
            let rows = i64::try_from(params.len() / 13).expect("small");
            self.staged_rows.set(self.staged_rows.get() + rows);
        }
        self.db.execute(sql, params)
    }
}
