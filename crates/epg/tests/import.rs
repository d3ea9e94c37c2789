//! The import pipeline against a real SQLite: run lifecycle, staging, channel mapping,
//! resolution within a feed, and applying to the guide.
//!
//! Most tests feed the run's sink directly with model values (`import::run_with`); the
//! last section goes through `import::run` and the XMLTV reader with real files.

use std::cell::Cell;
use std::io::Read;

use epg::feed::{self, Reject, RejectReason, Sink, Summary};
use epg::import::{self, Error, ImportOptions, RunRecord, RunStatus, Trigger};
use epg::model::{Channel, Icon, LangText, Programme};
use epg::store::{SqliteStore, Store, Value};

use crate::common::{TempDb, fresh_db, insert_provider};

/// 2023-11-14T22:13:20Z.
const T0: i64 = 1_700_000_000;
const H: i64 = 3600;

fn prog(channel: &str, start: i64, stop: i64, title: &str) -> Programme {
    Programme {
        channel: channel.into(),
        start,
        stop: Some(stop),
        titles: vec![LangText::new(title)],
        ..Programme::default()
    }
}

fn chan(id: &str, names: &[&str]) -> Channel {
    Channel {
        id: id.into(),
        display_names: names.iter().map(|n| LangText::new(*n)).collect(),
        ..Channel::default()
    }
}

fn try_import(
    db: &SqliteStore,
    provider: i64,
    channels: Vec<Channel>,
    programmes: Vec<Programme>,
) -> Result<RunRecord, Error> {
    let run = import::start_run(db, provider, Trigger::Cli).expect("start run");
    import::run_with(db, run.id, &ImportOptions::default(), |_, sink| {
        for c in channels {
            sink.channel(c)?;
        }
        for p in programmes {
            sink.programme(p)?;
        }
        Ok(Summary::default())
    })
}

fn import(db: &SqliteStore, provider: i64, ch: Vec<Channel>, pr: Vec<Programme>) -> RunRecord {
    try_import(db, provider, ch, pr).expect("import")
}

/// The provider's guide: (provider channel id, start, stop, title), by channel and start.
fn guide(db: &impl Store, provider: i64) -> Vec<(String, i64, i64, String)> {
    let rows = db
        .execute(
            "SELECT m.provider_channel_id, p.start, p.stop, p.title FROM programmes p \
             JOIN channel_mappings m ON m.id = p.mapping_id WHERE p.provider_id = ? \
             ORDER BY m.provider_channel_id, p.start",
            &[provider.into()],
        )
        .expect("guide");
    rows.iter()
        .map(|r| {
            let s = |i| r.string(i).expect("text");
            let n = |i| r.i64(i).expect("int");
            (s(0), n(1), n(2), s(3))
        })
        .collect()
}

fn g(channel: &str, start: i64, stop: i64, title: &str) -> (String, i64, i64, String) {
    (channel.into(), start, stop, title.into())
}

fn all_programmes(db: &impl Store) -> Vec<Vec<Value>> {
    db.execute("SELECT * FROM programmes ORDER BY id", &[])
        .expect("programmes")
        .rows
}

fn scalar(db: &impl Store, sql: &str, params: &[Value]) -> i64 {
    let rows = db.execute(sql, params).expect("query");
    rows.first().expect("row").i64(0).expect("integer")
}

fn text(db: &impl Store, sql: &str, params: &[Value]) -> Option<String> {
    let rows = db.execute(sql, params).expect("query");
    rows.first().expect("row").opt_string(0).expect("text")
}

fn staged_rows(db: &impl Store) -> i64 {
    scalar(db, "SELECT COUNT(*) FROM staging_programmes", &[])
        + scalar(db, "SELECT COUNT(*) FROM staging_channels", &[])
}

fn channel_of(db: &impl Store, provider: i64, id: &str) -> i64 {
    scalar(
        db,
        "SELECT channel_id FROM channel_mappings WHERE provider_id = ? AND provider_channel_id = ?",
        &[provider.into(), id.into()],
    )
}

fn assert_no_overlaps(guide: &[(String, i64, i64, String)]) {
    for pair in guide.windows(2) {
        if pair[0].0 == pair[1].0 {
            assert!(
                pair[0].2 <= pair[1].1,
                "overlap: {:?} and {:?}",
                pair[0],
                pair[1]
            );
        }
        assert!(pair[0].1 < pair[0].2, "empty programme {:?}", pair[0]);
    }
}

// ---------------------------------------------------------------------------------------
// Run lifecycle and the import_log row
// ---------------------------------------------------------------------------------------

#[test]
fn start_and_queue_create_rows_that_read_back() {
    let db = fresh_db();
    let provider = insert_provider(&db, "a");
    let queued = import::queue_run(&db, provider, Trigger::Schedule).expect("queue");
    let started = import::start_run(&db, provider, Trigger::Cli).expect("start");
    assert_eq!(queued.status, RunStatus::Queued);
    assert_eq!(queued.started_at, None);
    assert_eq!(started.status, RunStatus::Running);
    assert_eq!(started.started_at, Some(started.queued_at));
    assert_eq!(
        text(
            &db,
            "SELECT status || '/' || trigger FROM import_log WHERE id = ?",
            &[queued.id.into()]
        ),
        Some("queued/schedule".into())
    );
    assert_eq!(
        text(
            &db,
            "SELECT status || '/' || trigger FROM import_log WHERE id = ?",
            &[started.id.into()]
        ),
        Some("running/cli".into())
    );
    assert_eq!(
        import::get_run(&db, queued.id).expect("get"),
        Some(queued.clone())
    );
    assert_eq!(import::get_run(&db, 999).expect("get"), None);
    let all = import::list_runs(&db, None, 10).expect("list");
    assert_eq!(all, vec![started.clone(), queued.clone()]);
    let only_queued = import::list_runs(&db, Some(RunStatus::Queued), 10).expect("list");
    assert_eq!(only_queued, vec![queued]);
    assert_eq!(
        import::list_runs(&db, None, 1).expect("list"),
        vec![started]
    );
}

#[test]
fn unknown_provider_and_run_are_errors() {
    let db = fresh_db();
    let err = import::queue_run(&db, 999, Trigger::Manual).expect_err("no provider");
    assert_eq!(err.to_string(), "provider 999 not found");
    let err = import::run_with(&db, 12345, &ImportOptions::default(), |_, _| {
        Ok(Summary::default())
    })
    .expect_err("no run");
    assert_eq!(err.to_string(), "import run 12345 not found");
}

#[test]
fn successful_run_records_outcome_and_clears_staging() {
    let db = fresh_db();
    let provider = insert_provider(&db, "a");
    let run = import::start_run(&db, provider, Trigger::Manual).expect("start");
    let record = import::run_with(&db, run.id, &ImportOptions::default(), |_, sink| {
        sink.channel(chan("one", &["One"]))?;
        sink.programme(prog("one", T0, T0 + H, "News"))?;
        sink.programme(prog("one", T0 + H, T0 + 2 * H, "Film"))?;
        sink.warning(feed::Warning::InvalidEncoding { count: 1 })?;
        sink.progress(4321, 2)?;
        Ok(Summary {
            bytes_read: 4321,
            ..Summary::default()
        })
    })
    .expect("run");
    assert_eq!(record.status, RunStatus::Succeeded);
    assert!(record.finished_at.is_some());
    assert_eq!(
        (
            record.added,
            record.updated,
            record.removed,
            record.rejected,
            record.warnings
        ),
        (2, 0, 0, 0, 1)
    );
    assert_eq!(
        (
            record.bytes_read,
            record.channels_seen,
            record.programmes_seen
        ),
        (4321, 1, 2)
    );
    assert_eq!(record.error, None);
    assert_eq!(staged_rows(&db), 0);
    let success = scalar(
        &db,
        "SELECT last_success_at FROM providers WHERE id = ?",
        &[provider.into()],
    );
    assert_eq!(Some(success), record.finished_at);
    let err = import::run_with(&db, run.id, &ImportOptions::default(), |_, _| {
        Ok(Summary::default())
    })
    .expect_err("finished run");
    assert_eq!(
        err.to_string(),
        format!("import run {} is succeeded, not queued or running", run.id)
    );
}

#[test]
fn a_queued_run_is_started_by_run() {
    let db = fresh_db();
    let provider = insert_provider(&db, "a");
    let queued = import::queue_run(&db, provider, Trigger::Schedule).expect("queue");
    let record = import::run_with(&db, queued.id, &ImportOptions::default(), |_, sink| {
        sink.programme(prog("x", T0, T0 + H, "A"))?;
        Ok(Summary::default())
    })
    .expect("run");
    assert_eq!(record.status, RunStatus::Succeeded);
    assert!(record.started_at.is_some());
    assert_eq!(record.trigger, Trigger::Schedule);
}

#[test]
fn rejects_keep_counts_and_the_first_five_examples() {
    let db = fresh_db();
    let provider = insert_provider(&db, "a");
    let run = import::start_run(&db, provider, Trigger::Cli).expect("start");
    let reject = |reason, position: u64| Reject {
        reason,
        position,
        channel: Some("one".into()),
        start: Some(format!("2024010{position}000000")),
        detail: format!("case {position}"),
    };
    let record = import::run_with(&db, run.id, &ImportOptions::default(), |_, sink| {
        for position in 1..=7 {
            sink.reject(reject(RejectReason::MissingTitle, position))?;
        }
        sink.reject(reject(RejectReason::BadTime, 8))?;
        Ok(Summary::default())
    })
    .expect("run");
    assert_eq!(record.rejected, 8);
    let titles = &record.rejects["missing_title"];
    assert_eq!(titles.count, 7);
    let positions: Vec<u64> = titles.examples.iter().map(|e| e.position).collect();
    assert_eq!(positions, [1, 2, 3, 4, 5]);
    assert_eq!(titles.examples[0].start.as_deref(), Some("20240101000000"));
    assert_eq!(titles.examples[0].detail, "case 1");
    assert_eq!(record.rejects["bad_time"].count, 1);
    let json = text(
        &db,
        "SELECT rejects FROM import_log WHERE id = ?",
        &[run.id.into()],
    )
    .expect("rejects json");
    let stored: std::collections::BTreeMap<String, import::RejectStats> =
        serde_json::from_str(&json).expect("json");
    assert_eq!(stored, record.rejects);
}

#[test]
fn leftovers_of_ended_runs_are_removed_and_running_ones_kept() {
    let db = fresh_db();
    let provider = insert_provider(&db, "a");
    let crashed = import::start_run(&db, provider, Trigger::Cli).expect("start");
    let other = import::start_run(&db, provider, Trigger::Cli).expect("start");
    db.execute(
        "UPDATE import_log SET status = 'failed' WHERE id = ?",
        &[crashed.id.into()],
    )
    .expect("fail");
    for run_id in [crashed.id, other.id, 999] {
        db.execute(
            "INSERT INTO staging_programmes (run_id, seq, provider_channel_id, start, stop, \
             title, data) VALUES (?, 1, 'x', 0, 1, 't', '{}')",
            &[run_id.into()],
        )
        .expect("stage");
        db.execute(
            "INSERT INTO staging_channels VALUES (?, 'x', '{}')",
            &[run_id.into()],
        )
        .expect("stage");
    }
    import(&db, provider, vec![], vec![]);
    let left = db
        .execute("SELECT DISTINCT run_id FROM staging_programmes", &[])
        .expect("left");
    assert_eq!(left.rows, vec![vec![Value::Integer(other.id)]]);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM staging_channels", &[]), 1);
}

// ---------------------------------------------------------------------------------------
// Staging in committed batches
// ---------------------------------------------------------------------------------------

#[test]
fn batches_are_committed_and_progress_is_visible_mid_run() {
    let tmp = TempDb::new("import-progress");
    let provider = insert_provider(&tmp.db, "a");
    let run = import::start_run(&tmp.db, provider, Trigger::Cli).expect("start");
    let options = ImportOptions {
        batch_size: 10,
        progress_interval_secs: 0,
        ..ImportOptions::default()
    };
    let seen_mid_run = Cell::new(None);
    let record = import::run_with(&tmp.db, run.id, &options, |_, sink| {
        sink.channel(chan("one", &["One"]))?;
        for i in 0..25 {
            sink.programme(prog("one", T0 + i * H, T0 + (i + 1) * H, "P"))?;
        }
        // A second connection sees what the two committed batches wrote.
        let other = SqliteStore::open(&tmp.path).expect("second connection");
        let row = (
            scalar(
                &other,
                "SELECT programmes_seen FROM import_log WHERE id = ?",
                &[run.id.into()],
            ),
            scalar(
                &other,
                "SELECT COUNT(*) FROM staging_programmes WHERE run_id = ?",
                &[run.id.into()],
            ),
            scalar(
                &other,
                "SELECT COUNT(*) FROM staging_channels WHERE run_id = ?",
                &[run.id.into()],
            ),
            // ...and nothing of the half-read feed in the guide itself.
            scalar(&other, "SELECT COUNT(*) FROM programmes", &[]),
        );
        sink.progress(777, 25)?;
        let after = (
            scalar(
                &other,
                "SELECT bytes_read FROM import_log WHERE id = ?",
                &[run.id.into()],
            ),
            scalar(
                &other,
                "SELECT programmes_seen FROM import_log WHERE id = ?",
                &[run.id.into()],
            ),
        );
        seen_mid_run.set(Some((row, after)));
        Ok(Summary {
            bytes_read: 800,
            ..Summary::default()
        })
    })
    .expect("run");
    assert_eq!(seen_mid_run.get(), Some(((20, 20, 1, 0), (777, 25))));
    assert_eq!(record.programmes_seen, 25);
    assert_eq!(record.bytes_read, 800);
    assert_eq!(guide(&tmp.db, provider).len(), 25);
}

#[test]
fn stored_columns_come_from_the_first_texts_and_data_is_the_programme() {
    let db = fresh_db();
    let provider = insert_provider(&db, "a");
    let mut p = prog("one", T0, T0 + H, "Title one");
    p.titles.push(LangText::new("Title two"));
    p.sub_titles = vec![LangText::new("Sub")];
    p.descs = vec![LangText::new("Desc one"), LangText::new("Desc two")];
    import(&db, provider, vec![], vec![p.clone()]);
    let rows = db
        .execute(
            "SELECT title, sub_title, description, season, episode, part, data FROM programmes",
            &[],
        )
        .expect("row");
    let row = rows.first().expect("one programme");
    assert_eq!(row.str(0).expect("title"), "Title one");
    assert_eq!(row.opt_str(1).expect("sub"), Some("Sub"));
    assert_eq!(row.opt_str(2).expect("desc"), Some("Desc one"));
    assert_eq!(row.opt_i64(3).expect("season"), None);
    let data: Programme = serde_json::from_str(row.str(6).expect("data")).expect("json");
    assert_eq!(data, p);
}

// ---------------------------------------------------------------------------------------
// Channel mapping
// ---------------------------------------------------------------------------------------

#[test]
fn same_xmltv_id_from_two_providers_maps_to_one_channel() {
    let db = fresh_db();
    let (a, b) = (insert_provider(&db, "a"), insert_provider(&db, "b"));
    let mut bbc = chan("bbc1.uk", &["BBC One", "BBC 1"]);
    bbc.icons = vec![Icon {
        src: "https://i/bbc.png".into(),
        width: None,
        height: None,
    }];
    bbc.lcn = Some("101".into());
    import(&db, a, vec![bbc], vec![]);
    import(
        &db,
        b,
        vec![chan("bbc1.uk", &["Totally different"])],
        vec![],
    );
    assert_eq!(channel_of(&db, a, "bbc1.uk"), channel_of(&db, b, "bbc1.uk"));
    let rows = db
        .execute(
            "SELECT name, normalized_name, icon, xmltv_id, lcn FROM channels",
            &[],
        )
        .expect("channels");
    assert_eq!(
        rows.rows,
        vec![vec![
            Value::Text("BBC One".into()),
            Value::Text("bbcone".into()),
            Value::Text("https://i/bbc.png".into()),
            Value::Text("bbc1.uk".into()),
            Value::Text("101".into()),
        ]]
    );
}

#[test]
fn names_that_fold_alike_map_to_one_channel() {
    let db = fresh_db();
    let (a, b, c) = (
        insert_provider(&db, "a"),
        insert_provider(&db, "b"),
        insert_provider(&db, "c"),
    );
    import(&db, a, vec![chan("bbc1.uk", &["BBC One"])], vec![]);
    import(&db, b, vec![chan("101", &["BBC One HD"])], vec![]);
    import(&db, c, vec![chan("x", &["Other", "bbc-one"])], vec![]);
    let first = channel_of(&db, a, "bbc1.uk");
    assert_eq!(channel_of(&db, b, "101"), first);
    assert_eq!(channel_of(&db, c, "x"), first);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM channels", &[]), 1);
}

#[test]
fn one_provider_keeps_its_sd_and_hd_channels_apart() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    import(
        &db,
        a,
        vec![chan("sd", &["BBC One"]), chan("hd", &["BBC One HD"])],
        vec![],
    );
    assert_ne!(channel_of(&db, a, "sd"), channel_of(&db, a, "hd"));
}

#[test]
fn an_existing_manual_mapping_is_kept_and_its_data_refreshed() {
    let db = fresh_db();
    let (a, b) = (insert_provider(&db, "a"), insert_provider(&db, "b"));
    import(&db, a, vec![chan("bbc1.uk", &["BBC One"])], vec![]);
    let target = scalar(
        &db,
        "INSERT INTO channels (name, normalized_name, created_at, updated_at) \
         VALUES ('Mine', 'mine', 0, 0) RETURNING id",
        &[],
    );
    db.execute(
        "INSERT INTO channel_mappings (provider_id, provider_channel_id, channel_id, manual, \
         created_at, updated_at) VALUES (?, 'bbc1.uk', ?, 1, 0, 0)",
        &[b.into(), target.into()],
    )
    .expect("manual mapping");
    import(
        &db,
        b,
        vec![chan("bbc1.uk", &["BBC One"])],
        vec![prog("bbc1.uk", T0, T0 + H, "N")],
    );
    assert_eq!(channel_of(&db, b, "bbc1.uk"), target);
    assert_eq!(
        text(
            &db,
            "SELECT data FROM channel_mappings WHERE provider_id = ?",
            &[b.into()]
        ),
        Some(r#"{"id":"bbc1.uk","display_names":[{"value":"BBC One"}]}"#.into())
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT channel_id FROM programmes WHERE provider_id = ?",
            &[b.into()]
        ),
        target
    );
}

#[test]
fn a_channel_known_only_from_programmes_is_created() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    import(&db, a, vec![], vec![prog("ghost.tv", T0, T0 + H, "Boo")]);
    let channel = channel_of(&db, a, "ghost.tv");
    assert_eq!(
        text(
            &db,
            "SELECT name || '|' || xmltv_id || '|' || normalized_name FROM channels WHERE id = ?",
            &[channel.into()]
        ),
        Some("ghost.tv|ghost.tv|ghosttv".into())
    );
    assert_eq!(guide(&db, a), [g("ghost.tv", T0, T0 + H, "Boo")]);
}

// ---------------------------------------------------------------------------------------
// Duplicates and overlaps within one feed
// ---------------------------------------------------------------------------------------

#[test]
fn duplicates_clumps_and_overlaps_are_resolved_before_applying() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    let m = 60;
    let base = 1_067_065_200; // 2003-10-25T07:00Z, as in test_remove_some_overlapping.xml
    let feed = vec![
        prog("3", base, base + 45 * m, "Container A"),
        prog("3", base, base + 5 * m, "Contained A 0"),
        prog("3", base + 5 * m, base + 15 * m, "Contained A 1"),
        prog("3", base + 15 * m, base + 45 * m, "Contained A 2"),
        prog("3", base + 5 * m, base + 15 * m, "Contained A 1"),
        prog("3", base + 120 * m, base + 180 * m, "Overlap 0"),
        prog("3", base + 120 * m, base + 180 * m, "Overlap 1"),
        prog("3", base + 170 * m, base + 200 * m, "Late"),
    ];
    let record = import(&db, a, vec![], feed);
    assert_eq!(
        guide(&db, a),
        [
            g("3", base, base + 5 * m, "Contained A 0"),
            g("3", base + 5 * m, base + 15 * m, "Contained A 1"),
            g("3", base + 15 * m, base + 45 * m, "Contained A 2"),
            g("3", base + 120 * m, base + 170 * m, "Overlap 0"),
            g("3", base + 170 * m, base + 200 * m, "Late"),
        ]
    );
    assert_eq!(record.added, 5);
    let data = text(
        &db,
        "SELECT data FROM programmes WHERE title = 'Overlap 0'",
        &[],
    )
    .expect("data");
    let stored: Programme = serde_json::from_str(&data).expect("json");
    assert_eq!(
        stored.stop,
        Some(base + 170 * m),
        "the JSON keeps the cut stop"
    );
}

// ---------------------------------------------------------------------------------------
// Applying to the guide
// ---------------------------------------------------------------------------------------

fn day(channel: &str, titles: &[&str]) -> Vec<Programme> {
    titles
        .iter()
        .zip(0..)
        .map(|(t, i)| prog(channel, T0 + i * H, T0 + (i + 1) * H, t))
        .collect()
}

#[test]
fn exact_reimport_counts_nothing_and_keeps_the_same_rows() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    let feed = [day("one", &["A", "B", "C"]), day("two", &["X", "Y"])].concat();
    let first = import(&db, a, vec![chan("one", &["One"])], feed.clone());
    assert_eq!((first.added, first.updated, first.removed), (5, 0, 0));
    let before = all_programmes(&db);
    let second = import(&db, a, vec![chan("one", &["One"])], feed);
    assert_eq!((second.added, second.updated, second.removed), (0, 0, 0));
    // Identical programmes are left in place, ids included.
    assert_eq!(all_programmes(&db), before);
}

#[test]
fn a_remapped_channel_gets_its_programmes_moved_on_reimport() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    import(&db, a, vec![], day("one", &["A", "B"]));
    let other = scalar(
        &db,
        "INSERT INTO channels (name, normalized_name, created_at, updated_at) \
         VALUES ('Other', 'other', 0, 0) RETURNING id",
        &[],
    );
    db.execute(
        "UPDATE channel_mappings SET channel_id = ?, manual = 1",
        &[other.into()],
    )
    .expect("remap");
    let record = import(&db, a, vec![], day("one", &["A", "B"]));
    assert_eq!((record.added, record.updated, record.removed), (0, 2, 0));
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM programmes WHERE channel_id = ?",
            &[other.into()]
        ),
        2
    );
}

#[test]
fn a_schedule_change_in_the_middle_leaves_nothing_stale() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    import(&db, a, vec![], day("one", &["A", "B", "C", "D"]));
    let changed = vec![
        prog("one", T0, T0 + H, "A"),
        prog("one", T0 + H, T0 + H + H / 2, "X"),
        prog("one", T0 + H + H / 2, T0 + 3 * H, "Y"),
        prog("one", T0 + 3 * H, T0 + 4 * H, "D"),
    ];
    let record = import(&db, a, vec![], changed);
    assert_eq!(
        guide(&db, a),
        [
            g("one", T0, T0 + H, "A"),
            g("one", T0 + H, T0 + H + H / 2, "X"),
            g("one", T0 + H + H / 2, T0 + 3 * H, "Y"),
            g("one", T0 + 3 * H, T0 + 4 * H, "D"),
        ]
    );
    assert_eq!((record.added, record.updated, record.removed), (2, 0, 2));
}

/// Four channels of six programmes, imported and then changed, with a batch size
/// under and over the channel sizes: applying several channels per statement must give
/// the same guide and counts as applying them all at once.
#[test]
fn applying_in_small_groups_gives_the_same_guide_and_counts() {
    let titles = ["A", "B", "C", "D", "E", "F"];
    let first: Vec<Programme> = ["c0", "c1", "c2", "c3"]
        .iter()
        .flat_map(|c| day(c, &titles))
        .collect();
    let mut second = [
        day("c0", &titles),
        day("c1", &["A", "Z", "C", "D", "E", "F"]),
        day("c2", &titles),
        day("c3", &["U", "V", "W", "X", "Y", "Q"]),
    ]
    .concat();
    second[13].descs = vec![LangText::new("now with a description")];
    let run = |db: &SqliteStore, a: i64, batch_size: usize, feed: &[Programme]| {
        let run = import::start_run(db, a, Trigger::Cli).expect("start run");
        let options = ImportOptions {
            batch_size,
            ..ImportOptions::default()
        };
        import::run_with(db, run.id, &options, |_, sink| {
            for p in feed {
                sink.programme(p.clone())?;
            }
            Ok(Summary::default())
        })
        .expect("import")
    };
    let mut outcomes = Vec::new();
    for batch_size in [1, 5_000] {
        let db = fresh_db();
        let a = insert_provider(&db, "a");
        let added = run(&db, a, batch_size, &first).added;
        let again = run(&db, a, batch_size, &second);
        outcomes.push((
            added,
            again.added,
            again.updated,
            again.removed,
            guide(&db, a),
        ));
    }
    assert_eq!(
        (outcomes[0].0, outcomes[0].1, outcomes[0].2, outcomes[0].3),
        (24, 7, 1, 7)
    );
    assert_eq!(outcomes[0].4.len(), 24);
    assert_eq!(outcomes[0].4[7], g("c1", T0 + H, T0 + 2 * H, "Z"));
    assert_eq!(outcomes[0], outcomes[1]);
}

#[test]
fn changed_details_count_as_updated() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    import(&db, a, vec![], day("one", &["A", "B"]));
    let mut feed = day("one", &["A", "B"]);
    feed[1].descs = vec![LangText::new("now with a description")];
    let record = import(&db, a, vec![], feed);
    assert_eq!((record.added, record.updated, record.removed), (0, 1, 0));
    assert_eq!(
        text(
            &db,
            "SELECT description FROM programmes WHERE title = 'B'",
            &[]
        ),
        Some("now with a description".into())
    );
}

#[test]
fn programmes_outside_the_new_span_and_absent_channels_are_untouched() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    let first = [day("one", &["A", "B", "C", "D"]), day("two", &["X", "Y"])].concat();
    import(&db, a, vec![], first);
    let later = vec![
        prog("one", T0 + 2 * H, T0 + 3 * H, "C2"),
        prog("one", T0 + 3 * H, T0 + 5 * H, "E"),
    ];
    let record = import(&db, a, vec![chan("two", &["Two"])], later);
    assert_eq!(
        guide(&db, a),
        [
            g("one", T0, T0 + H, "A"),
            g("one", T0 + H, T0 + 2 * H, "B"),
            g("one", T0 + 2 * H, T0 + 3 * H, "C2"),
            g("one", T0 + 3 * H, T0 + 5 * H, "E"),
            g("two", T0, T0 + H, "X"),
            g("two", T0 + H, T0 + 2 * H, "Y"),
        ]
    );
    assert_eq!((record.added, record.removed), (2, 2));
}

#[test]
fn an_empty_feed_wipes_nothing() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    import(&db, a, vec![chan("one", &["One"])], day("one", &["A", "B"]));
    let before = all_programmes(&db);
    let record = import(&db, a, vec![], vec![]);
    assert_eq!((record.added, record.updated, record.removed), (0, 0, 0));
    assert_eq!(record.status, RunStatus::Succeeded);
    assert_eq!(all_programmes(&db), before);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM channel_mappings", &[]), 1);
}

#[test]
fn a_time_shift_moves_stored_times_but_not_the_feed_data() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    import(&db, a, vec![chan("plus1", &["One +1"])], vec![]);
    db.execute("UPDATE channel_mappings SET time_shift_minutes = 60", &[])
        .expect("shift");
    import(&db, a, vec![], day("plus1", &["A", "B"]));
    assert_eq!(
        guide(&db, a),
        [
            g("plus1", T0 + H, T0 + 2 * H, "A"),
            g("plus1", T0 + 2 * H, T0 + 3 * H, "B")
        ]
    );
    let data = text(&db, "SELECT data FROM programmes WHERE title = 'A'", &[]).expect("data");
    let stored: Programme = serde_json::from_str(&data).expect("json");
    assert_eq!((stored.start, stored.stop), (T0, Some(T0 + H)));
    let again = import(&db, a, vec![], day("plus1", &["A", "B"]));
    assert_eq!((again.added, again.removed), (0, 0));
}

#[test]
fn a_failure_mid_import_leaves_the_guide_byte_identical() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    import(
        &db,
        a,
        vec![chan("one", &["One"])],
        day("one", &["A", "B", "C"]),
    );
    let before = all_programmes(&db);
    let run = import::start_run(&db, a, Trigger::Cli).expect("start");
    let options = ImportOptions {
        batch_size: 10,
        ..ImportOptions::default()
    };
    let err = import::run_with(&db, run.id, &options, |_, sink| {
        for i in 0..25 {
            sink.programme(prog("one", T0 + i * 60, T0 + (i + 1) * 60, "New"))?;
        }
        Err(feed::Error::Io(std::io::Error::other("connection reset")).into())
    })
    .expect_err("fails");
    assert_eq!(err.to_string(), "could not read the feed: connection reset");
    assert_eq!(all_programmes(&db), before);
    assert_eq!(staged_rows(&db), 0);
    let record = import::get_run(&db, run.id).expect("get").expect("row");
    assert_eq!(record.status, RunStatus::Failed);
    assert_eq!(
        record.error.as_deref(),
        Some("could not read the feed: connection reset")
    );
    assert!(record.finished_at.is_some());
}

#[test]
fn an_unknown_provider_time_zone_fails_the_run() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    db.execute("UPDATE providers SET timezone = 'Mars/Olympus'", &[])
        .expect("zone");
    let err = try_import(&db, a, vec![], day("one", &["A"])).expect_err("bad zone");
    let message = format!("provider {a} has an unknown time zone \"Mars/Olympus\"");
    assert_eq!(err.to_string(), message);
    let runs = import::list_runs(&db, Some(RunStatus::Failed), 5).expect("list");
    assert_eq!(runs[0].error.as_deref(), Some(message.as_str()));
    assert!(all_programmes(&db).is_empty());
}

#[test]
fn the_provider_zone_and_correction_reach_the_reader() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    db.execute(
        "UPDATE providers SET timezone = 'America/New_York', offset_correction_minutes = -30",
        &[],
    )
    .expect("zone");
    let run = import::start_run(&db, a, Trigger::Cli).expect("start");
    let seen = Cell::new(None);
    import::run_with(&db, run.id, &ImportOptions::default(), |options, _| {
        seen.set(Some((options.timezone, options.offset_correction_minutes)));
        Ok(Summary::default())
    })
    .expect("run");
    assert_eq!(seen.get(), Some((Some(chrono_tz::America::New_York), -30)));
}

// ---------------------------------------------------------------------------------------
// Through the XMLTV reader (`import::run` with `feed::read`): real documents and inputs.
// These need the reader (`feed::read`, `feed::parse_episode`).
// ---------------------------------------------------------------------------------------

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/xmltv-samples");

fn run_bytes(db: &SqliteStore, provider: i64, input: impl Read) -> Result<RunRecord, Error> {
    let run = import::start_run(db, provider, Trigger::Cli).expect("start");
    import::run(db, run.id, input, &ImportOptions::default())
}

fn sample(path: &str) -> Vec<u8> {
    std::fs::read(format!("{SAMPLES}/{path}")).expect("sample file")
}

#[test]
fn reader_episode_numbers_fill_season_episode_and_part() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    let mut p = prog("one", T0, T0 + H, "Show");
    p.episode_nums = vec![epg::model::EpisodeNum {
        system: "xmltv_ns".into(),
        value: "1.2.0/2".into(),
    }];
    import(&db, a, vec![], vec![p]);
    let rows = db
        .execute("SELECT season, episode, part FROM programmes", &[])
        .expect("row");
    assert_eq!(
        rows.rows,
        vec![vec![
            Value::Integer(2),
            Value::Integer(3),
            Value::Integer(1)
        ]]
    );
}

#[test]
fn reader_test_remove_some_overlapping_keeps_the_parts() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    let input = sample("xmltv-project/t-data/test_remove_some_overlapping.xml");
    let record = run_bytes(&db, a, input.as_slice()).expect("import");
    assert_eq!(record.programmes_seen, 12);
    let titles: Vec<String> = guide(&db, a).into_iter().map(|p| p.3).collect();
    assert_eq!(
        titles,
        [
            "Contained A 0",
            "Contained A 1",
            "Contained A 2",
            "Contained B 0",
            "Contained B 1",
            "Overlap 0",
            "Contained C 0",
            "Contained C 1"
        ]
    );
    assert_eq!(
        channel_of(&db, a, "3"),
        scalar(&db, "SELECT id FROM channels WHERE xmltv_id = '3'", &[])
    );
}

#[test]
fn reader_overlap_and_dups_files_leave_no_overlap() {
    for file in ["overlap.xml", "dups.xml", "intervals.xml"] {
        let db = fresh_db();
        let a = insert_provider(&db, "a");
        let input = sample(&format!("xmltv-project/t-data/{file}"));
        run_bytes(&db, a, input.as_slice()).expect(file);
        let stored = guide(&db, a);
        assert_no_overlaps(&stored);
        if file == "overlap.xml" {
            let titles: Vec<&str> = stored
                .iter()
                .filter(|p| p.0 == "2" || p.0 == "5")
                .map(|p| p.3.as_str())
                .collect();
            assert_eq!(titles, ["G", "J"]);
        }
    }
}

#[test]
fn reader_large_feed_is_imported_whole() {
    let tmp = TempDb::new("import-large");
    let a = insert_provider(&tmp.db, "a");
    let input = sample("large/epgshare01-epg_ripper_US1.xml.gz");
    let record = run_bytes(&tmp.db, a, input.as_slice()).expect("import");
    assert_eq!(record.programmes_seen + record.rejected, 47_063);
    assert_eq!(record.channels_seen, 613);
    assert_eq!(record.bytes_read, input.len() as u64);
    let stored = guide(&tmp.db, a);
    assert_no_overlaps(&stored);
    assert_eq!(stored.len() as u64, record.added);
}

/// Fails with an I/O error after `limit` bytes.
struct FailingRead<'a> {
    data: &'a [u8],
    limit: usize,
}

impl Read for FailingRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.limit == 0 {
            return Err(std::io::Error::other("disk gone"));
        }
        let n = buf.len().min(self.limit).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        self.limit -= n;
        Ok(n)
    }
}

#[test]
fn reader_failing_input_and_broken_xml_fail_the_run_and_keep_the_guide() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    let good = sample("iptv-org-epg/vantagetv.ee.content.xml");
    run_bytes(&db, a, good.as_slice()).expect("baseline");
    let before = all_programmes(&db);
    assert!(!before.is_empty());
    let failing = FailingRead {
        data: &good,
        limit: good.len() / 2,
    };
    let broken = &good[..good.len() / 2];
    for input in [Box::new(failing) as Box<dyn Read>, Box::new(broken)] {
        let err = run_bytes(&db, a, input).expect_err("fails");
        let record = import::list_runs(&db, None, 1).expect("list").remove(0);
        assert_eq!(record.status, RunStatus::Failed);
        assert_eq!(record.error, Some(err.to_string()));
        assert_eq!(all_programmes(&db), before);
        assert_eq!(staged_rows(&db), 0);
    }
}

#[test]
fn reader_times_use_the_provider_zone_and_correction() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    db.execute(
        "UPDATE providers SET timezone = 'America/New_York', offset_correction_minutes = -30",
        &[],
    )
    .expect("zone");
    let xml = r#"<tv><programme start="20240115120000" stop="20240115130000" channel="c"><title>Noon</title></programme>
        <programme start="20240715120000" stop="20240715130000" channel="c"><title>Summer</title></programme></tv>"#;
    run_bytes(&db, a, xml.as_bytes()).expect("import");
    // 12:00 EST is 17:00Z, 12:00 EDT is 16:00Z; then 30 minutes earlier.
    let (winter, summer) = (1_705_338_000 - 1800, 1_721_059_200 - 1800);
    assert_eq!(
        guide(&db, a),
        [
            g("c", winter, winter + H, "Noon"),
            g("c", summer, summer + H, "Summer")
        ]
    );
}

/// After `check_at` bytes, looks at the run from a second connection once.
struct WatchingRead<'a> {
    data: &'a [u8],
    read: usize,
    check_at: usize,
    path: &'a std::path::Path,
    run_id: i64,
    seen: Option<(i64, i64)>,
}

impl Read for WatchingRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.seen.is_none() && self.read >= self.check_at {
            let other = SqliteStore::open(self.path).expect("second connection");
            let id = self.run_id.into();
            self.seen = Some((
                scalar(
                    &other,
                    "SELECT programmes_seen FROM import_log WHERE id = ?",
                    &[id],
                ),
                scalar(
                    &other,
                    "SELECT COUNT(*) FROM staging_programmes WHERE run_id = ?",
                    &[self.run_id.into()],
                ),
            ));
        }
        let n = self.data.read(buf)?;
        self.read += n;
        Ok(n)
    }
}

#[test]
fn reader_progress_is_visible_while_the_feed_is_read() {
    let tmp = TempDb::new("import-watch");
    let a = insert_provider(&tmp.db, "a");
    let mut xml = String::from("<tv>");
    for i in 0..20_000 {
        xml.push_str(&format!(
            "<programme start=\"{}\" stop=\"{}\" channel=\"c{}\"><title>P{i}</title></programme>\n",
            stamp(T0 + (i / 10) * H),
            stamp(T0 + (i / 10 + 1) * H),
            i % 10
        ));
    }
    xml.push_str("</tv>");
    let run = import::start_run(&tmp.db, a, Trigger::Cli).expect("start");
    let mut input = WatchingRead {
        data: xml.as_bytes(),
        read: 0,
        check_at: xml.len() * 3 / 4,
        path: &tmp.path,
        run_id: run.id,
        seen: None,
    };
    let options = ImportOptions {
        batch_size: 1000,
        ..ImportOptions::default()
    };
    let record = import::run(&tmp.db, run.id, &mut input, &options).expect("import");
    let (seen, staged) = input.seen.expect("checked mid-run");
    assert!(seen >= 1000, "programmes_seen mid-run: {seen}");
    assert!(staged >= 1000, "staged rows mid-run: {staged}");
    assert_eq!(record.added, 20_000);
}

/// `YYYYMMDDhhmmss +0000` for UTC seconds.
fn stamp(t: i64) -> String {
    let dt = chrono::DateTime::from_timestamp(t, 0).expect("time");
    dt.format("%Y%m%d%H%M%S +0000").to_string()
}

// Found in review.

/// Rule 3 refuses to put a second channel of one provider onto a logical channel the
/// provider already maps; rule 2 (xmltv id) has no such check, so a provider's SD and HD
/// channels end up on one logical channel when another provider created the HD one.
#[test]
fn xmltv_id_match_never_puts_two_channels_of_one_provider_together() {
    let db = fresh_db();
    let q = insert_provider(&db, "q");
    import(
        &db,
        q,
        vec![chan("BBCOneHD.uk", &["BBC One HD"])],
        day("BBCOneHD.uk", &["A"]),
    );
    let p = insert_provider(&db, "p");
    import(
        &db,
        p,
        vec![
            chan("BBCOne.uk", &["BBC One"]),
            chan("BBCOneHD.uk", &["BBC One HD"]),
        ],
        [day("BBCOne.uk", &["A"]), day("BBCOneHD.uk", &["A"])].concat(),
    );
    assert_ne!(
        channel_of(&db, p, "BBCOne.uk"),
        channel_of(&db, p, "BBCOneHD.uk")
    );
}

/// The store is busy (another writer) just once the apply transaction has committed:
/// clearing the staging rows then fails, and pipeline::execute returns that error, so the
/// run is recorded as failed although its programmes are already in the guide.
#[test]
fn a_committed_run_stays_succeeded_when_cleanup_after_it_fails() {
    struct BusyAfterApply<'a> {
        db: &'a SqliteStore,
        applied: Cell<bool>,
        busy: Cell<bool>,
    }
    impl Store for BusyAfterApply<'_> {
        fn execute(&self, sql: &str, params: &[Value]) -> epg::store::Result<epg::store::Rows> {
            if self.busy.get() && sql.starts_with("BEGIN") {
                return Err(epg::store::Error::Busy);
            }
            let rows = self.db.execute(sql, params)?;
            if sql.contains("last_success_at") {
                self.applied.set(true);
            }
            if self.applied.get() && sql == "COMMIT" {
                self.busy.set(true);
            }
            Ok(rows)
        }
    }
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    let store = BusyAfterApply {
        db: &db,
        applied: Cell::new(false),
        busy: Cell::new(false),
    };
    let run = import::start_run(&store, a, Trigger::Cli).expect("start");
    let result = import::run_with(&store, run.id, &ImportOptions::default(), |_, sink| {
        for p in day("one", &["A", "B"]) {
            sink.programme(p)?;
        }
        Ok(Summary::default())
    });
    let record = import::get_run(&db, run.id).expect("get").expect("row");
    assert_eq!(guide(&db, a).len(), 2, "the programmes were applied");
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(record.status, RunStatus::Succeeded);
}

// Issue 11: stops that real feeds write wrongly, and unsorted feeds.

fn xml_programme(channel: &str, start: i64, stop: Option<i64>, title: &str) -> String {
    let stop = stop.map_or(String::new(), |s| format!(" stop=\"{}\"", stamp(s)));
    format!(
        "<programme channel=\"{channel}\" start=\"{}\"{stop}><title>{title}</title></programme>",
        stamp(start)
    )
}

fn feed_of(programmes: &[String]) -> Vec<u8> {
    format!("<tv>{}</tv>", programmes.concat()).into_bytes()
}

/// 2024-01-01T00:00:00Z.
const DAY: i64 = 1_704_067_200;

/// A programme from 23:00 to midnight written with the start's date on the stop ends
/// where the next programme on the channel starts, as a `stop_repaired` warning.
#[test]
fn issue11_a_stop_before_the_start_is_repaired_from_the_next_programme() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    let feed = feed_of(&[
        xml_programme("x", DAY + 22 * H, Some(DAY + 23 * H), "News"),
        xml_programme("x", DAY + 23 * H, Some(DAY), "Late"),
        xml_programme("x", DAY + 24 * H, Some(DAY + 25 * H), "Night"),
    ]);
    let record = run_bytes(&db, a, feed.as_slice()).expect("import");
    assert_eq!(
        guide(&db, a),
        [
            g("x", DAY + 22 * H, DAY + 23 * H, "News"),
            g("x", DAY + 23 * H, DAY + 24 * H, "Late"),
            g("x", DAY + 24 * H, DAY + 25 * H, "Night"),
        ]
    );
    assert_eq!(
        (record.programmes_seen, record.rejected, record.warnings),
        (3, 0, 1)
    );
    let repaired = &record.warning_reasons["stop_repaired"];
    assert_eq!(repaired.count, 1);
    assert_eq!(
        repaired.examples,
        [import::RejectExample {
            position: 2,
            channel: Some("x".into()),
            start: Some("20240101230000 +0000".into()),
            detail: format!(
                "the stop is not after the start; it now ends where the next programme on \
                 the channel starts, at {}",
                DAY + 24 * H
            ),
        }]
    );
    let data = text(&db, "SELECT data FROM programmes WHERE title = 'Late'", &[]).expect("data");
    let data: Programme = serde_json::from_str(&data).expect("programme json");
    assert_eq!((data.stop, data.stop_offset), (Some(DAY + 24 * H), Some(0)));
}

/// Stops are inferred from the next programme by start time: in document order the
/// stop-less 10:00 programme is followed by one at 09:00 and would be lost.
#[test]
fn issue11_stops_are_inferred_by_start_time_in_unsorted_feeds() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    let feed = feed_of(&[
        xml_programme("x", DAY + 10 * H, None, "Ten"),
        xml_programme("x", DAY + 9 * H, Some(DAY + 10 * H), "Nine"),
        xml_programme("y", DAY + 12 * H, Some(DAY + 13 * H), "Other"),
        xml_programme("x", DAY + 11 * H, Some(DAY + 12 * H), "Eleven"),
    ]);
    let record = run_bytes(&db, a, feed.as_slice()).expect("import");
    assert_eq!(
        guide(&db, a),
        [
            g("x", DAY + 9 * H, DAY + 10 * H, "Nine"),
            g("x", DAY + 10 * H, DAY + 11 * H, "Ten"),
            g("x", DAY + 11 * H, DAY + 12 * H, "Eleven"),
            g("y", DAY + 12 * H, DAY + 13 * H, "Other"),
        ]
    );
    assert_eq!(
        (record.programmes_seen, record.rejected, record.warnings),
        (4, 0, 0)
    );
    assert!(record.warning_reasons.is_empty());
}

/// Only a programme with no later one on its channel is rejected, with its reason.
#[test]
fn issue11_an_open_stop_with_nothing_after_it_is_rejected() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    let feed = feed_of(&[
        xml_programme("x", DAY + 10 * H, Some(DAY + 11 * H), "Kept"),
        xml_programme("x", DAY + 12 * H, Some(DAY + 12 * H), "Zero"),
        xml_programme("y", DAY + 8 * H, None, "Last"),
    ]);
    let record = run_bytes(&db, a, feed.as_slice()).expect("import");
    assert_eq!(guide(&db, a), [g("x", DAY + 10 * H, DAY + 11 * H, "Kept")]);
    assert_eq!(
        (record.programmes_seen, record.rejected, record.warnings),
        (1, 2, 0)
    );
    let examples: Vec<(&str, u64, Option<&str>, &str)> = record
        .rejects
        .iter()
        .flat_map(|(reason, stats)| {
            assert_eq!(stats.count, 1);
            stats.examples.iter().map(move |e| {
                (
                    reason.as_str(),
                    e.position,
                    e.start.as_deref(),
                    e.detail.as_str(),
                )
            })
        })
        .collect();
    assert_eq!(
        examples,
        [
            (
                "missing_stop",
                3,
                Some("20240101080000 +0000"),
                "no later programme on the channel to infer the stop from"
            ),
            (
                "stop_not_after_start",
                2,
                Some("20240101120000 +0000"),
                "the stop is not after the start, and no later programme on the channel to \
                 infer it from"
            ),
        ]
    );
    assert_eq!(staged_rows(&db), 0);
}

/// Issue 11: a failed import records every byte it read, not the 0 of a run whose
/// parser never reported progress.
#[test]
fn issue11_a_failed_import_records_the_bytes_it_read() {
    struct Broken;
    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("connection reset"))
        }
    }
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    let head = b"<tv><channel id=\"x\"><display-name>X</display-name></channel><!-- unfinished";
    let run = import::start_run(&db, a, Trigger::Cli).expect("start");
    let e = import::run(&db, run.id, head.chain(Broken), &ImportOptions::default())
        .expect_err("broken input");
    assert_eq!(e.to_string(), "could not read the feed: connection reset");
    let record = import::get_run(&db, run.id).expect("get").expect("row");
    assert_eq!(record.status, RunStatus::Failed);
    assert_eq!(record.bytes_read, head.len() as u64);
}

/// Issue 11: every stage of an import keeps something per channel, so their number is
/// bounded; the run fails with the reason.
#[test]
fn issue11_an_import_refuses_more_channels_than_the_limit() {
    let db = fresh_db();
    let a = insert_provider(&db, "a");
    let feed = feed_of(&[
        xml_programme("x", DAY, Some(DAY + H), "One"),
        xml_programme("y", DAY, Some(DAY + H), "Two"),
        xml_programme("x", DAY + H, Some(DAY + 2 * H), "Three"),
        xml_programme("z", DAY, None, "Four"),
    ]);
    let mut options = ImportOptions::default();
    options.limits.max_channels = 2;
    let run = import::start_run(&db, a, Trigger::Cli).expect("start");
    let e = import::run(&db, run.id, feed.as_slice(), &options).expect_err("three channels");
    assert_eq!(e.to_string(), "the feed has more than 2 channels");
    let record = import::get_run(&db, run.id).expect("get").expect("row");
    assert_eq!(
        (record.status, record.error.as_deref()),
        (RunStatus::Failed, Some("the feed has more than 2 channels"))
    );
    assert!(guide(&db, a).is_empty());
}
