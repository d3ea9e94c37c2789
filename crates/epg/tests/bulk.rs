//! Bulk import: a feed read on its own thread gives the guide a single-threaded read
//! gives, and an import's rows reach the search index in bulk.

use std::fs::File;
use std::io::BufReader;

use epg::feed::{self, Reject, Sink};
use epg::guide::{self, SearchQuery};
use epg::import::{self, Error, ImportOptions, RunRecord, Trigger};
use epg::model::{Channel, Programme};
use epg::store::{SqliteStore, Store, Value};

use crate::common::{fresh_db, insert_provider};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/xmltv-samples");

fn open(path: &str) -> BufReader<File> {
    BufReader::new(File::open(format!("{SAMPLES}/{path}")).expect("sample file"))
}

fn single(db: &SqliteStore, path: &str) -> RunRecord {
    let a = insert_provider(db, "a");
    single_for(db, a, path)
}

fn single_for(db: &SqliteStore, a: i64, path: &str) -> RunRecord {
    let run = import::start_run(db, a, Trigger::Cli).expect("start");
    import::run(db, run.id, open(path), &ImportOptions::default()).expect("import")
}

fn threaded(db: &SqliteStore, path: &str) -> RunRecord {
    let a = insert_provider(db, "a");
    let run = import::start_run(db, a, Trigger::Cli).expect("start");
    import::run_with(db, run.id, &ImportOptions::default(), |options, sink| {
        import::read_in_thread(open(path), options, sink)
    })
    .expect("import")
}

/// The guide as the readers see it: everything but the row ids.
fn guide_rows(db: &impl Store) -> Vec<Vec<Value>> {
    db.execute(
        "SELECT channel_id, provider_id, start, stop, title, sub_title, description, season, \
         episode, part, data FROM programmes ORDER BY channel_id, start",
        &[],
    )
    .expect("programmes")
    .rows
}

fn counts(r: &RunRecord) -> (u64, u64, u64, u64, u64) {
    (
        r.channels_seen,
        r.programmes_seen,
        r.added,
        r.rejected,
        r.warnings,
    )
}

#[test]
fn a_feed_read_on_its_own_thread_gives_the_same_guide() {
    for (path, expected) in [
        ("large/i.mjh.nz-all-epg.xml.gz", (291, 33_499, 33_478, 0, 0)),
        // Programmes without a stop go through the sink's settling, not the reject default.
        ("xmltv-project/t-data/dups.xml", (0, 4, 2, 3, 0)),
    ] {
        let (one, two) = (fresh_db(), fresh_db());
        let a = single(&one, path);
        let b = threaded(&two, path);
        assert_eq!(counts(&a), expected, "{path}");
        assert_eq!(counts(&b), expected, "{path}");
        assert_eq!(b.bytes_read, a.bytes_read, "{path}");
        assert_eq!(guide_rows(&two), guide_rows(&one), "{path}");
    }
}

/// Passes everything on and fails at the `fail_at`-th programme.
struct FailingSink<'a, S> {
    inner: &'a mut S,
    seen: u64,
    fail_at: u64,
}

impl<S: Sink<Error = Error>> Sink for FailingSink<'_, S> {
    type Error = Error;

    fn channel(&mut self, channel: Channel) -> Result<(), Error> {
        self.inner.channel(channel)
    }

    fn programme(&mut self, programme: Programme) -> Result<(), Error> {
        self.seen += 1;
        if self.seen == self.fail_at {
            return Err(Error::RunNotFound(-1));
        }
        self.inner.programme(programme)
    }

    fn reject(&mut self, reject: Reject) -> Result<(), Error> {
        self.inner.reject(reject)
    }
}

#[test]
fn the_writing_side_failing_stops_the_reader_with_its_own_error() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    let run = import::start_run(&db, a, Trigger::Cli).expect("start");
    let err = import::run_with(&db, run.id, &ImportOptions::default(), |options, sink| {
        let mut failing = FailingSink {
            inner: sink,
            seen: 0,
            fail_at: 5_000,
        };
        import::read_in_thread(open("large/i.mjh.nz-all-epg.xml.gz"), options, &mut failing)
    })
    .expect_err("fails");
    assert_eq!(err.to_string(), "import run -1 not found");
    let rows = db
        .execute("SELECT COUNT(*) FROM programmes", &[])
        .expect("count");
    assert_eq!(rows.first().expect("row").i64(0).expect("int"), 0);
}

#[test]
fn a_broken_feed_read_on_its_own_thread_fails_with_the_reader_error() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    let run = import::start_run(&db, a, Trigger::Cli).expect("start");
    let broken: &[u8] = b"<tv><programme channel=\"x\" start=\"20240101000000 +0000\">";
    let err = import::run_with(&db, run.id, &ImportOptions::default(), |options, sink| {
        import::read_in_thread(broken, options, sink)
    })
    .expect_err("fails");
    assert_eq!(
        err.to_string(),
        feed::read(broken, &feed::ReadOptions::default(), &mut Counting)
            .expect_err("broken")
            .to_string()
    );
}

struct Counting;

impl Sink for Counting {
    type Error = feed::Error;

    fn channel(&mut self, _: Channel) -> Result<(), feed::Error> {
        Ok(())
    }

    fn programme(&mut self, _: Programme) -> Result<(), feed::Error> {
        Ok(())
    }

    fn reject(&mut self, _: Reject) -> Result<(), feed::Error> {
        Ok(())
    }
}

fn hits(db: &impl Store, q: &str) -> u64 {
    let query = SearchQuery {
        q: q.into(),
        ..SearchQuery::default()
    };
    guide::search(db, &query).expect("search").total
}

#[test]
fn imported_and_hand_written_rows_both_reach_the_search_index() {
    let db = fresh_db();
    assert!(guide::ensure_search_index(&db).expect("index"));
    let a = insert_provider(&db, "a");
    let record = single_for(&db, a, "iptv-org-epg/vantagetv.ee.content.xml");
    assert_eq!(record.added, 332);
    let indexed = db
        .execute(
            "SELECT COUNT(*) FROM programmes_fts WHERE programmes_fts MATCH 'partyzone'",
            &[],
        )
        .expect("count");
    let indexed = indexed.first().expect("row").i64(0).expect("int");
    assert_eq!(indexed, 20);
    assert_eq!(
        hits(&db, "partyzone"),
        u64::try_from(indexed).expect("count")
    );
    db.execute(
        "INSERT INTO programmes (mapping_id, channel_id, provider_id, start, stop, title, data) \
         SELECT mapping_id, channel_id, provider_id, 0, 60, 'Zebrafish', data FROM programmes \
         LIMIT 1",
        &[],
    )
    .expect("insert");
    assert_eq!(hits(&db, "zebrafish"), 1);
    // Re-importing the same feed leaves the index as it was.
    let again = single_for(&db, a, "iptv-org-epg/vantagetv.ee.content.xml");
    assert_eq!((again.added, again.removed), (0, 0));
    let check = db.execute(
        "INSERT INTO programmes_fts (programmes_fts, rank) VALUES ('integrity-check', 1)",
        &[],
    );
    assert!(check.is_ok(), "{check:?}");
    assert_eq!(
        hits(&db, "partyzone"),
        u64::try_from(indexed).expect("count")
    );
}
