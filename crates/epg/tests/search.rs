//! Search: the FTS5 path, the `LIKE` fallback, filters, paging, errors, index sync.

use epg::guide::{self, SearchError, SearchPage, SearchQuery};
use epg::store::{self, SqliteStore, Store, Value};

use crate::guide::{Text, channel, db, mapping, programme, programme_with, provider};

const T: i64 = 1_700_000_000;

/// Both kinds of database: with the FTS5 index (through `epg::prepare`) and without.
fn both() -> [(&'static str, SqliteStore); 2] {
    let fts = SqliteStore::open_in_memory().expect("open");
    assert_eq!(
        epg::prepare(&fts).expect("prepare"),
        store::latest_version()
    );
    [("fts", fts), ("like", db())]
}

fn query(q: &str) -> SearchQuery {
    SearchQuery {
        q: q.into(),
        ..SearchQuery::default()
    }
}

fn run(db: &impl Store, q: &SearchQuery) -> SearchPage {
    guide::search(db, q).expect("search")
}

fn hit_ids(page: &SearchPage) -> Vec<i64> {
    page.hits.iter().map(|h| h.programme.id).collect()
}

fn titled(db: &impl Store, mapping: i64, start: i64, title: &str, desc: &str) -> i64 {
    let text = Text {
        title,
        desc: Some(desc),
        ..Text::default()
    };
    programme_with(db, mapping, start, start + 600, &text)
}

#[test]
fn title_hit_ranks_above_description_hit() {
    for (kind, db) in both() {
        let p = provider(&db, "p", 1, true);
        let c = channel(&db, "Sport One", true);
        let m = mapping(&db, p, c);
        let in_desc = titled(&db, m, T, "Evening News", "Football results and weather.");
        let in_title = titled(&db, m, T + 3600, "Football Tonight", "Highlights.");
        titled(&db, m, T + 7200, "Cooking", "Soup.");

        let page = run(&db, &query("football"));
        assert_eq!(page.total, 2, "{kind}");
        assert_eq!(hit_ids(&page), vec![in_title, in_desc], "{kind}");
        assert!(page.hits[0].rank > page.hits[1].rank, "{kind}");
        assert_eq!(page.hits[0].channel_id, c);
        assert_eq!(page.hits[0].channel_name, "Sport One");
        assert_eq!(page.hits[0].programme.start, T + 3600);
        match kind {
            "fts" => {
                assert_eq!(
                    page.hits[1].snippet.as_deref(),
                    Some("[Football] results and weather.")
                );
            }
            _ => {
                assert_eq!(page.hits[0].rank, 1.0);
                assert_eq!(page.hits[1].rank, 0.0);
                assert_eq!(page.hits[1].snippet, None);
            }
        }
    }
}

#[test]
fn terms_phrases_prefixes_or_and_exclusion() {
    for (kind, db) in both() {
        let p = provider(&db, "p", 1, true);
        let c = channel(&db, "One", true);
        let m = mapping(&db, p, c);
        let news = titled(&db, m, T, "World News", "Today's stories.");
        let weather = titled(&db, m, T + 600, "News and Weather", "Rain later.");
        let quiz = titled(&db, m, T + 1200, "Quiz Night", "Teams compete.");
        let cases: [(&str, Vec<i64>); 6] = [
            ("news", vec![news, weather]),
            ("news -weather", vec![news]),
            ("\"world news\"", vec![news]),
            ("wea*", vec![weather]),
            ("quiz OR rain", vec![weather, quiz]),
            ("news quiz", vec![]),
        ];
        for (q, expected) in cases {
            let mut got = hit_ids(&run(&db, &query(q)));
            got.sort_unstable();
            assert_eq!(got, expected, "{kind}: {q}");
        }
    }
}

#[test]
fn window_and_channel_filters() {
    for (kind, db) in both() {
        let p = provider(&db, "p", 1, true);
        let one = channel(&db, "One", true);
        let two = channel(&db, "Two", true);
        let m1 = mapping(&db, p, one);
        let m2 = mapping(&db, p, two);
        let early = programme(&db, m1, T, T + 600, "Film");
        let late = programme(&db, m1, T + 3600, T + 4200, "Film");
        let elsewhere = programme(&db, m2, T + 600, T + 1200, "Film");

        let window = SearchQuery {
            start: Some(T + 600),
            end: Some(T + 3600),
            ..query("film")
        };
        assert_eq!(hit_ids(&run(&db, &window)), vec![elsewhere], "{kind}");
        let on_one = SearchQuery {
            channel_id: Some(one),
            ..query("film")
        };
        assert_eq!(hit_ids(&run(&db, &on_one)), vec![early, late], "{kind}");
        let from = SearchQuery {
            start: Some(T + 601),
            ..query("film")
        };
        assert_eq!(hit_ids(&run(&db, &from)), vec![elsewhere, late], "{kind}");
    }
}

#[test]
fn pages_and_caps_the_limit() {
    for (kind, db) in both() {
        let p = provider(&db, "p", 1, true);
        let c = channel(&db, "One", true);
        let m = mapping(&db, p, c);
        let ids: Vec<i64> = (0..105)
            .map(|i| programme(&db, m, T + i * 600, T + i * 600 + 600, "Episode"))
            .collect();
        let second = SearchQuery {
            limit: 2,
            offset: 2,
            ..query("episode")
        };
        let page = run(&db, &second);
        assert_eq!(page.total, 105, "{kind}");
        assert_eq!(hit_ids(&page), ids[2..4].to_vec(), "{kind}");
        let huge = SearchQuery {
            limit: 1000,
            ..query("episode")
        };
        assert_eq!(hit_ids(&run(&db, &huge)), ids[..100].to_vec(), "{kind}");
        let past_end = SearchQuery {
            offset: 200,
            ..query("episode")
        };
        let page = run(&db, &past_end);
        assert_eq!((page.total, page.hits.len()), (105, 0), "{kind}");
    }
}

#[test]
fn hides_what_the_guide_hides() {
    for (kind, db) in both() {
        let best = provider(&db, "best", 1, true);
        let other = provider(&db, "other", 5, true);
        let off = provider(&db, "off", 0, false);
        let c = channel(&db, "One", true);
        let hidden_channel = channel(&db, "Hidden", false);
        let (mb, mo, moff) = (
            mapping(&db, best, c),
            mapping(&db, other, c),
            mapping(&db, off, c),
        );
        let shown = programme(&db, mb, T, T + 600, "Drama");
        programme(&db, mo, T + 300, T + 900, "Drama");
        let fills = programme(&db, mo, T + 600, T + 1200, "Drama");
        programme(&db, moff, T, T + 1200, "Drama");
        programme(&db, mapping(&db, best, hidden_channel), T, T + 600, "Drama");

        let page = run(&db, &query("drama"));
        assert_eq!(hit_ids(&page), vec![shown, fills], "{kind}");
        assert_eq!(page.total, 2, "{kind}");
    }
}

#[test]
fn malformed_queries_are_invalid_not_failures() {
    for (kind, db) in both() {
        for (q, reason) in [
            ("\"", "unbalanced quotes"),
            ("news \"at ten", "unbalanced quotes"),
            ("   ", "the query is empty"),
            ("OR", "OR must stand between two terms"),
        ] {
            match guide::search(&db, &query(q)) {
                Err(SearchError::InvalidQuery { reason: got }) => {
                    assert_eq!(got, reason, "{kind}: {q}");
                }
                other => panic!("{kind}: {q}: {other:?}"),
            }
        }
        let err = guide::search(&db, &query("\"")).expect_err("invalid");
        assert_eq!(err.to_string(), "invalid search query: unbalanced quotes");
    }
}

#[test]
fn fts_syntax_is_taken_literally() {
    for (kind, db) in both() {
        let p = provider(&db, "p", 1, true);
        let c = channel(&db, "One", true);
        let m = mapping(&db, p, c);
        let id = programme(&db, m, T, T + 600, "^NEAR (title: AND more)");
        for q in ["NEAR", "^near", "(title:", "AND", "title: more)", "near*"] {
            assert_eq!(hit_ids(&run(&db, &query(q))), vec![id], "{kind}: {q}");
        }
    }
}

#[test]
fn triggers_keep_the_index_in_sync() {
    let db = db();
    let p = provider(&db, "p", 1, true);
    let c = channel(&db, "One", true);
    let m = mapping(&db, p, c);
    let before = programme(&db, m, T, T + 600, "Gardening");
    assert!(guide::ensure_search_index(&db).expect("index"));
    assert_eq!(
        hit_ids(&run(&db, &query("gardening"))),
        vec![before],
        "rebuilt"
    );

    let after = programme(&db, m, T + 600, T + 1200, "Gardening");
    assert_eq!(hit_ids(&run(&db, &query("gardening"))), vec![before, after]);

    db.execute("DELETE FROM programmes WHERE id = ?", &[before.into()])
        .expect("delete");
    assert_eq!(hit_ids(&run(&db, &query("gardening"))), vec![after]);

    db.execute(
        "UPDATE programmes SET title = 'Baking' WHERE id = ?",
        &[after.into()],
    )
    .expect("update");
    assert_eq!(run(&db, &query("gardening")).total, 0);
    assert_eq!(hit_ids(&run(&db, &query("baking"))), vec![after]);

    assert!(guide::ensure_search_index(&db).expect("again"));
    let check = db
        .execute(
            "INSERT INTO programmes_fts (programmes_fts, rank) VALUES ('integrity-check', 1)",
            &[],
        )
        .map(|_| ());
    assert!(check.is_ok(), "{check:?}");
}

/// A store whose SQLite lacks FTS5, as some hosts' builds do.
struct NoFts5(SqliteStore);

impl Store for NoFts5 {
    fn execute(&self, sql: &str, params: &[Value]) -> store::Result<store::Rows> {
        if sql.contains("USING fts5") {
            return Err(store::Error::Database("no such module: fts5".into()));
        }
        self.0.execute(sql, params)
    }
}

#[test]
fn without_fts5_nothing_is_created_and_search_scans() {
    let db = NoFts5(SqliteStore::open_in_memory().expect("open"));
    assert_eq!(epg::prepare(&db).expect("prepare"), store::latest_version());
    assert!(!guide::ensure_search_index(&db).expect("no fts5"));
    let created = db
        .execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'programmes_fts%'",
            &[],
        )
        .expect("count");
    assert_eq!(created.first().expect("row").i64(0).expect("n"), 0);

    let p = provider(&db, "p", 1, true);
    let c = channel(&db, "One", true);
    let m = mapping(&db, p, c);
    let id = programme(&db, m, T, T + 600, "Gardening");
    let page = run(&db, &query("garden*"));
    assert_eq!(hit_ids(&page), vec![id]);
    assert_eq!(page.hits[0].snippet, None);
}

/// A store whose FTS5 rejects every query with the given message.
struct MatchFails(SqliteStore, &'static str);

impl Store for MatchFails {
    fn execute(&self, sql: &str, params: &[Value]) -> store::Result<store::Rows> {
        if sql.contains("MATCH") {
            return Err(store::Error::Database(self.1.into()));
        }
        self.0.execute(sql, params)
    }
}

#[test]
fn fts_errors_become_invalid_queries_and_others_stay_store_errors() {
    let fts = SqliteStore::open_in_memory().expect("open");
    epg::prepare(&fts).expect("prepare");
    let db = MatchFails(fts, "SQL logic error: fts5: syntax error near \"x\"");
    match guide::search(&db, &query("x")) {
        Err(SearchError::InvalidQuery { reason }) => {
            assert_eq!(reason, "fts5: syntax error near \"x\"");
        }
        other => panic!("{other:?}"),
    }
    let db = MatchFails(db.0, "disk I/O error");
    match guide::search(&db, &query("x")) {
        Err(SearchError::Store(e)) => assert_eq!(e.to_string(), "database error: disk I/O error"),
        other => panic!("{other:?}"),
    }
}

/// A word in more programmes than one search counts: the total stops at the cap and
/// says so, and paging still works within what was counted.
#[test]
fn a_common_word_counts_up_to_the_cap() {
    let cap = i64::try_from(guide::MAX_COUNTED).expect("small");
    for (kind, db) in both() {
        let p = provider(&db, "p", 1, true);
        let c = channel(&db, "One", true);
        let m = mapping(&db, p, c);
        let ids: Vec<i64> = (0..=cap)
            .map(|i| programme(&db, m, T + i * 60, T + i * 60 + 60, "Common"))
            .collect();
        let page = run(&db, &query("common"));
        assert_eq!(
            (page.total, page.total_is_exact, page.hits.len()),
            (guide::MAX_COUNTED, false, 20),
            "{kind}"
        );
        let last = SearchQuery {
            offset: u32::try_from(cap - 1).expect("small"),
            ..query("common")
        };
        assert_eq!(run(&db, &last).hits.len(), 1, "{kind}");

        db.execute("DELETE FROM programmes WHERE id = ?", &[ids[0].into()])
            .expect("delete");
        let page = run(&db, &query("common"));
        assert_eq!(
            (page.total, page.total_is_exact),
            (guide::MAX_COUNTED, true),
            "{kind}"
        );
    }
}

/// The channel filter narrows the FTS5 scan to the channel's rowids; the channel is still
/// checked row by row, since another channel's programmes may lie between them.
#[test]
fn channel_filter_with_interleaved_rowids() {
    for (kind, db) in both() {
        let p = provider(&db, "p", 1, true);
        let (one, two) = (channel(&db, "One", true), channel(&db, "Two", true));
        let (m1, m2) = (mapping(&db, p, one), mapping(&db, p, two));
        let first = programme(&db, m1, T, T + 60, "Quiz");
        programme(&db, m2, T, T + 60, "Quiz");
        let last = programme(&db, m1, T + 60, T + 120, "Quiz");
        let on_one = SearchQuery {
            channel_id: Some(one),
            ..query("quiz")
        };
        let page = run(&db, &on_one);
        assert_eq!(
            (page.total, hit_ids(&page)),
            (2, vec![first, last]),
            "{kind}"
        );
        let nowhere = SearchQuery {
            channel_id: Some(two + 1),
            ..query("quiz")
        };
        assert_eq!(run(&db, &nowhere).total, 0, "{kind}");
    }
}
