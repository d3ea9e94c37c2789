//! Scheduled work: leased claims, conditional downloads with redirects and a size cap,
//! the daily schedule, and whole passes of `run_due` over a fake HTTP client.

use crate::common::fresh_db as store;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Read;

use epg::Config;
use epg::SqliteStore;
use epg::import::RunStatus;
use epg::jobs::{
    self, Download, DownloadError, FetchError, FetchRequest, FetchResponse, Fetcher, LEASE_SECS,
    Validators,
};
use epg::store::{self, Store, Value};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/xmltv-samples");
/// 2025-06-01T12:00:00Z
const NOW: i64 = 1_748_779_200;

/// Status, headers and body of a canned response.
type Canned = (u16, Vec<(String, String)>, Vec<u8>);

/// Serves canned responses by URL and records every request.
#[derive(Default)]
struct FakeFetcher {
    responses: HashMap<String, Canned>,
    requests: RefCell<Vec<FetchRequest>>,
}

impl FakeFetcher {
    fn serve(mut self, url: &str, status: u16, headers: &[(&str, &str)], body: &[u8]) -> Self {
        let headers = headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        self.responses
            .insert(url.to_owned(), (status, headers, body.to_vec()));
        self
    }

    fn urls(&self) -> Vec<String> {
        self.requests
            .borrow()
            .iter()
            .map(|r| r.url.clone())
            .collect()
    }
}

impl Fetcher for FakeFetcher {
    fn get(&self, request: &FetchRequest) -> Result<FetchResponse<'_>, FetchError> {
        self.requests.borrow_mut().push(request.clone());
        let (status, headers, body) = self
            .responses
            .get(&request.url)
            .ok_or_else(|| FetchError::Denied(request.url.clone()))?;
        Ok(FetchResponse {
            status: *status,
            headers: headers.clone(),
            body: Box::new(body.as_slice()),
        })
    }
}

fn provider(store: &impl Store, name: &str, url: &str, enabled: bool) -> i64 {
    let rows = store
        .execute(
            "INSERT INTO providers (name, xmltv_url, enabled, created_at, updated_at) \
             VALUES (?, ?, ?, 0, 0) RETURNING id",
            &[name.into(), url.into(), enabled.into()],
        )
        .expect("insert provider");
    rows.first().expect("row").i64(0).expect("id")
}

fn queued_run(store: &impl Store, provider_id: i64) -> i64 {
    let rows = store
        .execute(
            "INSERT INTO import_log (provider_id, trigger, status, queued_at) \
             VALUES (?, 'manual', 'queued', ?) RETURNING id",
            &[provider_id.into(), (NOW - 60).into()],
        )
        .expect("insert run");
    rows.first().expect("row").i64(0).expect("id")
}

/// Marks today's daily import as queued already, so that a pass only claims.
fn today_done(store: &impl Store) {
    store
        .execute(
            "INSERT INTO job_state (name, last_run_key) VALUES ('daily_import', '2025-06-01')",
            &[],
        )
        .expect("today done");
}

/// A run of `provider_id` whose importer died after `attempts` claims and 4,096 bytes,
/// its lease and progress long past.
fn crashed_run(store: &impl Store, provider_id: i64, attempts: i64) -> i64 {
    let run = queued_run(store, provider_id);
    store
        .execute(
            "UPDATE import_log SET status = 'running', attempts = ?, lease_expires_at = ?, \
             started_at = ?, bytes_read = 4096 WHERE id = ?",
            &[
                attempts.into(),
                (NOW - 1).into(),
                (NOW - 3 * LEASE_SECS).into(),
                run.into(),
            ],
        )
        .expect("crashed run");
    run
}

fn run_row(store: &impl Store, run_id: i64) -> (String, i64, Option<String>, Option<i64>) {
    let rows = store
        .execute(
            "SELECT status, attempts, error, started_at FROM import_log WHERE id = ?",
            &[run_id.into()],
        )
        .expect("select run");
    let row = rows.first().expect("run exists");
    (
        row.string(0).expect("status"),
        row.i64(1).expect("attempts"),
        row.opt_string(2).expect("error"),
        row.opt_i64(3).expect("started_at"),
    )
}

fn read_all(download: Download<'_>) -> Result<Vec<u8>, std::io::Error> {
    let Download::Body { mut body, .. } = download else {
        panic!("expected a body");
    };
    let mut out = Vec::new();
    body.read_to_end(&mut out).map(|_| out)
}

#[test]
fn claims_take_queued_runs_oldest_first_and_once() {
    let store = store();
    let p = provider(&store, "a", "http://a/", true);
    let q = provider(&store, "b", "http://b/", true);
    let first = queued_run(&store, p);
    let second = queued_run(&store, q);
    let claim = jobs::claim_next(&store, "one", NOW)
        .expect("claim")
        .expect("a run");
    assert_eq!(
        (claim.run_id, claim.provider_id, claim.attempts),
        (first, p, 1)
    );
    let claim = jobs::claim_next(&store, "two", NOW)
        .expect("claim")
        .expect("a run");
    assert_eq!(claim.run_id, second);
    assert_eq!(jobs::claim_next(&store, "three", NOW).expect("claim"), None);
    assert_eq!(
        run_row(&store, first),
        ("running".into(), 1, None, Some(NOW))
    );
    let rows = store
        .execute(
            "SELECT lease_owner, lease_expires_at FROM import_log WHERE id = ?",
            &[first.into()],
        )
        .expect("lease");
    let row = rows.first().expect("row");
    assert_eq!(row.str(0).expect("owner"), "one");
    assert_eq!(row.i64(1).expect("expiry"), NOW + LEASE_SECS);
}

#[test]
fn an_expired_silent_run_is_taken_over_but_a_progressing_one_is_not() {
    let store = store();
    let p = provider(&store, "a", "http://a/", true);
    let run = queued_run(&store, p);
    jobs::claim_next(&store, "crashed", NOW)
        .expect("claim")
        .expect("a run");
    let later = NOW + LEASE_SECS + 1;
    store
        .execute(
            "UPDATE import_log SET progress_at = ? WHERE id = ?",
            &[(later - 5).into(), run.into()],
        )
        .expect("progress");
    assert_eq!(
        jobs::claim_next(&store, "other", later).expect("claim"),
        None
    );
    store
        .execute(
            "UPDATE import_log SET progress_at = ? WHERE id = ?",
            &[(NOW + 10).into(), run.into()],
        )
        .expect("progress");
    let much_later = NOW + 10 + LEASE_SECS + 1;
    let claim = jobs::claim_next(&store, "other", much_later)
        .expect("claim")
        .expect("the stale run");
    assert_eq!((claim.run_id, claim.attempts), (run, 2));
    // The first start is kept: the run's duration counts from it.
    assert_eq!(run_row(&store, run).3, Some(NOW));
}

#[test]
fn two_connections_never_claim_the_same_run() {
    let path = std::env::temp_dir().join(format!("epg-jobs-claims-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let a = SqliteStore::open(&path).expect("open a");
    let b = SqliteStore::open(&path).expect("open b");
    store::migrate(&a).expect("migrate");
    let runs: Vec<i64> = (0..6)
        .map(|i| {
            let p = provider(&a, &format!("p{i}"), "http://a/", true);
            queued_run(&a, p)
        })
        .collect();
    let mut claimed = Vec::new();
    loop {
        let mut got = false;
        for (store, owner) in [(&a, "a"), (&b, "b")] {
            if let Some(claim) = jobs::claim_next(store, owner, NOW).expect("claim") {
                claimed.push(claim.run_id);
                got = true;
            }
        }
        if !got {
            break;
        }
    }
    drop((a, b));
    let _ = std::fs::remove_file(&path);
    assert_eq!(claimed, runs);
}

#[test]
fn download_sends_validators_and_follows_relative_redirects() {
    let fetcher = FakeFetcher::default()
        .serve(
            "http://a.example/feed",
            301,
            &[("Location", "/v2/feed.xml")],
            b"",
        )
        .serve(
            "http://a.example/v2/feed.xml",
            302,
            &[("location", "https://cdn.example/guide.xml?x=1")],
            b"",
        )
        .serve(
            "https://cdn.example/guide.xml?x=1",
            200,
            &[
                ("etag", "\"v2\""),
                ("Last-Modified", "Sun, 01 Jun 2025 10:00:00 GMT"),
            ],
            b"<tv/>",
        );
    let validators = Validators {
        etag: Some("\"v1\"".into()),
        last_modified: Some("Sat, 31 May 2025 10:00:00 GMT".into()),
    };
    let download =
        jobs::download(&fetcher, "http://a.example/feed", &validators, 100).expect("download");
    let Download::Body {
        etag,
        last_modified,
        ..
    } = &download
    else {
        panic!("expected a body");
    };
    assert_eq!(etag.as_deref(), Some("\"v2\""));
    assert_eq!(
        last_modified.as_deref(),
        Some("Sun, 01 Jun 2025 10:00:00 GMT")
    );
    assert_eq!(read_all(download).expect("body"), b"<tv/>");
    assert_eq!(
        fetcher.urls(),
        [
            "http://a.example/feed",
            "http://a.example/v2/feed.xml",
            "https://cdn.example/guide.xml?x=1"
        ]
    );
    let sent = &fetcher.requests.borrow()[0].headers;
    let header = |name: &str| {
        sent.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header("if-none-match"), Some("\"v1\""));
    assert_eq!(
        header("if-modified-since"),
        Some("Sat, 31 May 2025 10:00:00 GMT")
    );
    assert_eq!(header("accept-encoding"), Some("gzip"));
    assert_eq!(
        header("user-agent"),
        Some(concat!("epg/", env!("CARGO_PKG_VERSION")))
    );
}

#[test]
fn download_outcomes() {
    let fetcher = FakeFetcher::default()
        .serve("http://a/same", 304, &[], b"")
        .serve("http://a/gone", 404, &[], b"not found")
        .serve("http://a/loop", 307, &[("location", "http://a/loop")], b"")
        .serve("http://a/ftp", 302, &[("location", "ftp://a/feed")], b"")
        .serve(
            "http://a/big",
            200,
            &[("content-length", "11")],
            b"01234567890",
        );
    let none = Validators::default();
    assert!(matches!(
        jobs::download(&fetcher, "http://a/same", &none, 10),
        Ok(Download::Unchanged)
    ));
    let message = |url: &str| match jobs::download(&fetcher, url, &none, 10) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("{url} should fail"),
    };
    assert_eq!(message("http://a/gone"), "provider answered HTTP 404");
    assert_eq!(
        message("http://a/loop"),
        "the provider redirected more than 5 times"
    );
    assert_eq!(message("http://a/ftp"), "invalid feed url \"ftp://a/feed\"");
    assert_eq!(
        message("file:///etc/passwd"),
        "invalid feed url \"file:///etc/passwd\""
    );
    assert_eq!(message("http://a/big"), "the feed is larger than 10 bytes");
    assert_eq!(
        message("http://elsewhere/"),
        "outbound requests to http://elsewhere/ are not allowed"
    );
    assert!(matches!(
        jobs::download(&fetcher, "http://a/gone", &none, 10),
        Err(DownloadError::Status(404))
    ));
}

#[test]
fn the_size_cap_applies_to_the_streamed_body() {
    // No Content-Length: the cap must stop the body itself.
    let fetcher = FakeFetcher::default().serve("http://a/feed", 200, &[], b"0123456789");
    let none = Validators::default();
    let exact = jobs::download(&fetcher, "http://a/feed", &none, 10).expect("download");
    assert_eq!(read_all(exact).expect("exactly the cap").len(), 10);
    let over = jobs::download(&fetcher, "http://a/feed", &none, 9).expect("download");
    let error = read_all(over).expect_err("over the cap");
    assert_eq!(error.to_string(), "the feed is larger than 9 bytes");
}

#[test]
fn the_daily_key_is_set_once_per_local_day() {
    let store = store();
    let config = Config {
        timezone: chrono_tz::Europe::Berlin,
        ..Config::default()
    };
    // 12:00 UTC is 14:00 in Berlin, after the default 03:00.
    assert_eq!(jobs::queue_daily(&store, &config, NOW).expect("queue"), 0);
    let rows = store
        .execute(
            "SELECT last_run_key, last_run_at FROM job_state WHERE name = 'daily_import'",
            &[],
        )
        .expect("state");
    let row = rows.first().expect("the day was recorded");
    assert_eq!(row.str(0).expect("key"), "2025-06-01");
    assert_eq!(row.i64(1).expect("at"), NOW);
    store
        .execute("UPDATE job_state SET last_run_at = 0", &[])
        .expect("reset");
    assert_eq!(
        jobs::queue_daily(&store, &config, NOW + 3600).expect("queue"),
        0
    );
    let rows = store
        .execute("SELECT last_run_at FROM job_state", &[])
        .expect("state");
    assert_eq!(rows.first().expect("row").i64(0).expect("at"), 0);
}

#[test]
fn a_spent_budget_defers_the_queue() {
    let store = store();
    let p = provider(&store, "a", "http://a/", true);
    queued_run(&store, p);
    queued_run(&store, p);
    today_done(&store);
    let fetcher = FakeFetcher::default();
    let report = jobs::run_due(&store, &fetcher, &Config::default(), NOW, 0).expect("pass");
    assert_eq!(
        (report.scheduled, report.runs.len(), report.deferred),
        (0, 0, 2)
    );
    assert!(report.cleanup.is_none());
    assert!(fetcher.urls().is_empty());
}

// The tests below go through `import::{queue_run, run, get_run}` and
// `retention::cleanup`.

#[test]
fn the_daily_schedule_queues_enabled_idle_providers() {
    let store = store();
    let idle = provider(&store, "idle", "http://a/", true);
    let busy = provider(&store, "busy", "http://b/", true);
    provider(&store, "off", "http://c/", false);
    queued_run(&store, busy);
    let config = Config::default();
    assert_eq!(jobs::queue_daily(&store, &config, NOW).expect("queue"), 1);
    let rows = store
        .execute(
            "SELECT provider_id, trigger, status FROM import_log ORDER BY id",
            &[],
        )
        .expect("runs");
    let runs: Vec<Vec<Value>> = rows.rows;
    assert_eq!(
        runs,
        [
            vec![busy.into(), "manual".into(), "queued".into()],
            vec![idle.into(), "schedule".into(), "queued".into()],
        ]
    );
    assert_eq!(
        jobs::queue_daily(&store, &config, NOW + 60).expect("again"),
        0
    );
}

#[test]
fn the_daily_schedule_leaves_out_providers_fed_by_hand() {
    let store = store();
    let fetched = provider(&store, "fetched", "https://a.example/guide.xml", true);
    provider(&store, "cli", "file:///srv/guide.xml", true);
    provider(&store, "odd", "ftp://b.example/guide.xml", true);
    assert_eq!(
        jobs::queue_daily(&store, &Config::default(), NOW).expect("queue"),
        1
    );
    let rows = store
        .execute("SELECT provider_id FROM import_log", &[])
        .expect("runs");
    assert_eq!(rows.rows, [vec![Value::from(fetched)]]);
}

#[test]
fn a_pass_imports_fetches_conditionally_and_records_failures() {
    let store = store();
    let feed = std::fs::read(format!(
        "{SAMPLES}/iptv-org-epg/epgshare01.online.content.xml.gz"
    ))
    .expect("sample");
    let fresh = provider(&store, "fresh", "http://a/feed.xml.gz", true);
    let same = provider(&store, "same", "http://b/feed", true);
    let gone = provider(&store, "gone", "http://c/feed", true);
    let runs = [fresh, same, gone].map(|p| queued_run(&store, p));
    today_done(&store);
    let fetcher = FakeFetcher::default()
        .serve("http://a/feed.xml.gz", 200, &[("etag", "\"e1\"")], &feed)
        .serve("http://b/feed", 304, &[], b"")
        .serve("http://c/feed", 404, &[], b"");
    let report = jobs::run_due(&store, &fetcher, &Config::default(), NOW, 50).expect("pass");
    let outcome: Vec<(i64, RunStatus, Option<String>)> = report
        .runs
        .iter()
        .map(|r| (r.id, r.status, r.error.clone()))
        .collect();
    assert_eq!(
        outcome,
        [
            (runs[0], RunStatus::Succeeded, None),
            (runs[1], RunStatus::Unchanged, None),
            (
                runs[2],
                RunStatus::Failed,
                Some("provider answered HTTP 404".into())
            ),
        ]
    );
    assert_eq!(report.runs[0].channels_seen, 2);
    assert_eq!(report.runs[0].programmes_seen, 203);
    assert!(report.cleanup.is_some());
    // The sample's guide (February 2025) ended months before NOW: the cleanup that
    // follows an import removed every programme of it.
    let cleanup = report.cleanup.expect("cleanup");
    assert_eq!(cleanup.past_programmes, report.runs[0].added);
    let left = store
        .execute("SELECT COUNT(*) FROM programmes", &[])
        .expect("count");
    assert_eq!(left.first().expect("row").i64(0).expect("count"), 0);
    let rows = store
        .execute(
            "SELECT etag, last_fetched_at FROM providers ORDER BY id",
            &[],
        )
        .expect("providers");
    assert_eq!(
        rows.rows,
        [
            vec!["\"e1\"".into(), NOW.into()],
            vec![Value::Null, NOW.into()],
            vec![Value::Null, Value::Null],
        ]
    );
}

#[test]
fn a_run_interrupted_three_times_is_given_up() {
    let store = store();
    let p = provider(&store, "a", "http://a/", true);
    crashed_run(&store, p, 3);
    today_done(&store);
    let fetcher = FakeFetcher::default();
    let report = jobs::run_due(&store, &fetcher, &Config::default(), NOW, 50).expect("pass");
    assert_eq!(report.runs.len(), 1);
    assert_eq!(report.runs[0].status, RunStatus::Failed);
    assert_eq!(
        report.runs[0].error.as_deref(),
        Some(
            "the import was interrupted 3 times: each attempt stopped without a result \
             (the importer was killed or trapped), the last after reading 4096 bytes of \
             the feed; giving up"
        )
    );
    assert!(fetcher.urls().is_empty());
    assert!(report.cleanup.is_none());
}

/// A feed body that hands out `feed` in one read, then, before failing like a broken
/// connection, notes what the run's row said while the feed was still being read.
struct ProbeFetcher<'s> {
    store: &'s SqliteStore,
    feed: Vec<u8>,
    seen: RefCell<Option<(usize, i64, Option<String>)>>,
}

struct Probe<'f, 's> {
    fetcher: &'f ProbeFetcher<'s>,
    first_read: Option<usize>,
}

impl Read for Probe<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let Some(first) = self.first_read else {
            let n = buf.len().min(self.fetcher.feed.len());
            buf[..n].copy_from_slice(&self.fetcher.feed[..n]);
            self.first_read = Some(n);
            return Ok(n);
        };
        let rows = self
            .fetcher
            .store
            .execute("SELECT bytes_read, error FROM import_log", &[])
            .expect("run row");
        let row = rows.first().expect("one run");
        let row = (
            first,
            row.i64(0).expect("bytes"),
            row.opt_string(1).expect("error"),
        );
        *self.fetcher.seen.borrow_mut() = Some(row);
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection reset",
        ))
    }
}

impl Fetcher for ProbeFetcher<'_> {
    fn get(&self, _: &FetchRequest) -> Result<FetchResponse<'_>, FetchError> {
        Ok(FetchResponse {
            status: 200,
            headers: Vec::new(),
            body: Box::new(Probe {
                fetcher: self,
                first_read: None,
            }),
        })
    }
}

/// Issue 11: a retried run says in its error why it is retried, its download progress
/// is in its row before the feed has been parsed, and a failed import records every byte
/// it read.
#[test]
fn issue11_a_retried_run_says_why_and_records_progress_while_reading() {
    let store = store();
    let p = provider(&store, "a", "http://a/", true);
    let run = crashed_run(&store, p, 1);
    today_done(&store);
    let mut feed = b"<tv><channel id=\"a\"><display-name>A</display-name></channel><!--".to_vec();
    feed.resize(8000, b'x');
    let fetcher = ProbeFetcher {
        store: &store,
        feed,
        seen: RefCell::new(None),
    };
    let report = jobs::run_due(&store, &fetcher, &Config::default(), NOW, 50).expect("pass");
    let (first_read, bytes_while_reading, error_while_reading) =
        fetcher.seen.borrow().clone().expect("the body was read");
    assert!(first_read > 0);
    assert_eq!(
        bytes_while_reading,
        i64::try_from(first_read).expect("small")
    );
    assert_eq!(
        error_while_reading.as_deref(),
        Some("attempt 1 stopped without a result after reading 4096 bytes; retrying")
    );
    assert_eq!(report.runs.len(), 1);
    assert_eq!(report.runs[0].status, RunStatus::Failed);
    assert_eq!(
        report.runs[0].error.as_deref(),
        Some("could not read the feed: connection reset")
    );
    assert_eq!(report.runs[0].bytes_read, first_read as u64);
    assert_eq!(run_row(&store, run).1, 2);
}

/// Issue 11: `max_token_bytes` reaches the import, and the failed run records what it
/// read.
#[test]
fn issue11_the_token_limit_setting_fails_the_run_with_its_reason() {
    let store = store();
    let p = provider(&store, "a", "http://a/feed.xml", true);
    let run = queued_run(&store, p);
    today_done(&store);
    let feed = format!("<tv><!--{}--></tv>", "x".repeat(100));
    let fetcher = FakeFetcher::default().serve("http://a/feed.xml", 200, &[], feed.as_bytes());
    let config = Config {
        max_token_bytes: 50,
        ..Config::default()
    };
    let report = jobs::run_due(&store, &fetcher, &config, NOW, 50).expect("pass");
    assert_eq!(report.runs.len(), 1);
    assert_eq!(report.runs[0].id, run);
    assert_eq!(report.runs[0].status, RunStatus::Failed);
    assert_eq!(
        report.runs[0].error.as_deref(),
        Some("the comment at byte 4 is longer than 50 bytes")
    );
    assert_eq!(report.runs[0].bytes_read, feed.len() as u64);
}

#[test]
fn a_feed_over_the_cap_fails_its_run() {
    let store = store();
    let feed = std::fs::read(format!(
        "{SAMPLES}/iptv-org-epg/epgshare01.online.content.xml"
    ))
    .expect("sample");
    let p = provider(&store, "big", "http://a/feed.xml", true);
    let run = queued_run(&store, p);
    today_done(&store);
    // No Content-Length: the cap has to stop the stream itself.
    let fetcher =
        FakeFetcher::default().serve("http://a/feed.xml", 200, &[("etag", "\"x\"")], &feed);
    let config = Config {
        max_feed_bytes: 10_000,
        ..Config::default()
    };
    let report = jobs::run_due(&store, &fetcher, &config, NOW, 50).expect("pass");
    assert_eq!(report.runs.len(), 1);
    assert_eq!(report.runs[0].id, run);
    assert_eq!(report.runs[0].status, RunStatus::Failed);
    let error = report.runs[0].error.as_deref().expect("a reason");
    assert!(
        error.contains("the feed is larger than 10000 bytes"),
        "{error}"
    );
    assert!(report.cleanup.is_none());
    let rows = store
        .execute("SELECT etag, last_fetched_at FROM providers", &[])
        .expect("provider");
    assert_eq!(rows.rows, [vec![Value::Null, Value::Null]]);
}

// Found in review.

/// Two queued runs of one provider (e.g. a trigger plus a CLI queue, or the trigger
/// race) are claimed by two processes at once: nothing keeps one provider to one
/// running import.
#[test]
fn one_provider_is_never_claimed_twice_at_once() {
    let store = store();
    let p = provider(&store, "a", "http://a/", true);
    let first = queued_run(&store, p);
    let _second = queued_run(&store, p);
    let a = jobs::claim_next(&store, "process-a", NOW)
        .expect("claim")
        .expect("a run");
    assert_eq!(a.run_id, first);
    let b = jobs::claim_next(&store, "process-b", NOW).expect("claim");
    assert_eq!(
        b, None,
        "provider {p} is already being imported by process-a"
    );
}

/// A fetcher that deletes the provider while its feed is being fetched (an admin's
/// DELETE /providers/{id} racing the cron tick).
struct DeletingFetcher<'s> {
    store: &'s SqliteStore,
    provider: i64,
}

impl Fetcher for DeletingFetcher<'_> {
    fn get(&self, request: &FetchRequest) -> Result<FetchResponse<'_>, FetchError> {
        if request.url == "http://a/" {
            epg::catalog::delete_provider(self.store, self.provider).expect("delete");
        }
        Ok(FetchResponse {
            status: 404,
            headers: vec![],
            body: Box::new(&b""[..]),
        })
    }
}

/// The deleted run's row is gone, so `final_record` errs with RunNotFound and the whole
/// pass fails (POST /jobs/run answers 404 "import run N not found"); the other queued
/// provider is not imported in this pass.
#[test]
fn a_provider_deleted_mid_run_does_not_abort_the_pass() {
    let store = store();
    let p = provider(&store, "a", "http://a/", true);
    let other = provider(&store, "b", "http://b/", true);
    queued_run(&store, p);
    let other_run = queued_run(&store, other);
    today_done(&store);
    let fetcher = DeletingFetcher {
        store: &store,
        provider: p,
    };
    let report = jobs::run_due(&store, &fetcher, &Config::default(), NOW, 50);
    let report = report.expect("a vanished run must not fail the whole pass");
    assert!(report.runs.iter().any(|r| r.id == other_run));
}

/// Records every statement it runs.
struct Recording<'a> {
    db: &'a SqliteStore,
    statements: RefCell<Vec<String>>,
}

impl Store for Recording<'_> {
    fn execute(&self, sql: &str, params: &[Value]) -> store::Result<store::Rows> {
        self.statements.borrow_mut().push(sql.to_owned());
        self.db.execute(sql, params)
    }
}

/// Issue 12: the minute tick reads, and writes nothing, when nothing is due: before the
/// daily import time, after today's import was queued, and with only finished runs.
#[test]
fn a_tick_with_nothing_to_do_writes_nothing() {
    let db = store();
    let p = provider(&db, "a", "http://a/", true);
    let done = queued_run(&db, p);
    db.execute(
        "UPDATE import_log SET status = 'succeeded', finished_at = ? WHERE id = ?",
        &[NOW.into(), done.into()],
    )
    .expect("a finished run");
    let fetcher = FakeFetcher::default();
    let early = Config {
        import_time: chrono::NaiveTime::from_hms_opt(23, 0, 0).expect("time"),
        ..Config::default()
    };
    today_done(&db);
    for config in [&early, &Config::default()] {
        let recording = Recording {
            db: &db,
            statements: RefCell::new(Vec::new()),
        };
        let report = jobs::run_due(&recording, &fetcher, config, NOW, 50).expect("pass");
        assert_eq!((report.scheduled, report.runs.len()), (0, 0));
        let statements = recording.statements.into_inner();
        assert!(!statements.is_empty());
        for sql in &statements {
            assert!(sql.trim_start().starts_with("SELECT"), "a write: {sql}");
        }
    }
    assert!(fetcher.urls().is_empty());
}
