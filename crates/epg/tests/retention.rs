//! Retention: exact cutoffs for programmes and import logs, batches, the search index.

use epg::guide::{self, SearchQuery};
use epg::retention::{self, BATCH, CleanupReport};
use epg::store::{SqliteStore, Store, Value};

use crate::guide::{channel, db, mapping, programme, provider};

const NOW: i64 = 1_700_000_000;
const DAYS: u32 = 7;
const SPAN: i64 = 7 * 86_400;

fn ids(db: &impl Store, table: &str) -> Vec<i64> {
    db.execute(&format!("SELECT id FROM {table} ORDER BY id"), &[])
        .expect("ids")
        .iter()
        .map(|r| r.i64(0).expect("id"))
        .collect()
}

fn import_log(db: &impl Store, status: &str, finished_at: Option<i64>) -> i64 {
    db.execute(
        "INSERT INTO import_log (provider_id, trigger, status, queued_at, finished_at) \
         VALUES (1, 'schedule', ?, 0, ?) RETURNING id",
        &[status.into(), finished_at.into()],
    )
    .expect("import log")
    .first()
    .expect("row")
    .i64(0)
    .expect("id")
}

fn one_mapping(db: &impl Store) -> i64 {
    let p = provider(db, "p", 1, true);
    let c = channel(db, "One", true);
    mapping(db, p, c)
}

#[test]
fn programme_cutoffs_are_exact() {
    let db = db();
    let m = one_mapping(&db);
    let past = NOW - SPAN;
    let future = NOW + SPAN;
    programme(&db, m, past - 600, past - 1, "ended a second too early");
    let kept_past = programme(&db, m, past - 600, past, "ended exactly at the cutoff");
    let current = programme(&db, m, NOW - 60, NOW + 60, "on air");
    let kept_future = programme(&db, m, future, future + 600, "starts exactly at the cutoff");
    programme(&db, m, future + 1, future + 600, "starts a second too late");

    let report = retention::cleanup(&db, NOW, DAYS).expect("cleanup");
    assert_eq!(
        report,
        CleanupReport {
            past_programmes: 1,
            future_programmes: 1,
            import_logs: 0,
        }
    );
    assert_eq!(
        ids(&db, "programmes"),
        vec![kept_past, current, kept_future]
    );
    assert_eq!(
        retention::cleanup(&db, NOW, DAYS).expect("again"),
        CleanupReport::default()
    );
}

#[test]
fn only_finished_import_logs_older_than_the_cutoff_go() {
    let db = db();
    let cutoff = NOW - SPAN;
    import_log(&db, "succeeded", Some(cutoff - 1));
    import_log(&db, "failed", Some(cutoff - 86_400));
    let at_cutoff = import_log(&db, "unchanged", Some(cutoff));
    let recent = import_log(&db, "succeeded", Some(NOW - 10));
    let queued = import_log(&db, "queued", None);
    let running = import_log(&db, "running", None);
    let odd_running = import_log(&db, "running", Some(cutoff - 100));

    let report = retention::cleanup(&db, NOW, DAYS).expect("cleanup");
    assert_eq!(report.import_logs, 2);
    assert_eq!(
        ids(&db, "import_log"),
        vec![at_cutoff, recent, queued, running, odd_running]
    );
}

#[test]
fn deletes_more_than_one_batch() {
    let db = db();
    let m = one_mapping(&db);
    let n = i64::from(BATCH) * 2 + 3;
    db.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
         INSERT INTO programmes (mapping_id, channel_id, provider_id, start, stop, title, data) \
         SELECT m.id, m.channel_id, m.provider_id, ? + i, ? + i + 1, 'old', '{}' \
         FROM n, channel_mappings m WHERE m.id = ?",
        &[n.into(), Value::from(0i64), Value::from(0i64), m.into()],
    )
    .expect("bulk insert");
    let keep = programme(&db, m, NOW, NOW + 60, "now");

    let report = retention::cleanup(&db, NOW, DAYS).expect("cleanup");
    assert_eq!(report.past_programmes, u64::try_from(n).expect("positive"));
    assert_eq!(ids(&db, "programmes"), vec![keep]);
}

#[test]
fn deleted_programmes_leave_the_search_index() {
    let db = SqliteStore::open_in_memory().expect("open");
    epg::prepare(&db).expect("prepare");
    let m = one_mapping(&db);
    programme(&db, m, NOW - SPAN - 600, NOW - SPAN - 1, "Archive");
    let kept = programme(&db, m, NOW, NOW + 600, "Archive");

    retention::cleanup(&db, NOW, DAYS).expect("cleanup");
    let query = SearchQuery {
        q: "archive".into(),
        ..SearchQuery::default()
    };
    let page = guide::search(&db, &query).expect("search");
    assert_eq!(page.total, 1);
    assert_eq!(page.hits[0].programme.id, kept);
}
