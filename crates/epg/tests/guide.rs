//! Guide queries: a channel's merged window and now/next, on rows inserted with plain SQL.

use epg::guide::{self, GuideProgramme, LOOKBACK_SECONDS, NowNext, WINDOW_SQL};
use epg::model::{EpisodeInfo, LangText, Programme};
use epg::store::{self, Store, Value};

/// A migrated in-memory database without the search index.
pub(crate) use crate::common::fresh_db as db;

fn id_of(rows: &store::Rows) -> i64 {
    rows.first().expect("a row").i64(0).expect("an id")
}

pub(crate) fn provider(db: &impl Store, name: &str, priority: i64, enabled: bool) -> i64 {
    id_of(
        &db.execute(
            "INSERT INTO providers (name, xmltv_url, enabled, priority, created_at, updated_at) \
             VALUES (?, 'http://example.invalid/epg.xml', ?, ?, 0, 0) RETURNING id",
            &[name.into(), enabled.into(), priority.into()],
        )
        .expect("provider"),
    )
}

pub(crate) fn channel(db: &impl Store, name: &str, enabled: bool) -> i64 {
    id_of(
        &db.execute(
            "INSERT INTO channels (name, normalized_name, enabled, created_at, updated_at) \
             VALUES (?, lower(?), ?, 0, 0) RETURNING id",
            &[name.into(), name.into(), enabled.into()],
        )
        .expect("channel"),
    )
}

/// Maps `provider`'s channel (named after the logical channel id) onto `channel`.
pub(crate) fn mapping(db: &impl Store, provider: i64, channel: i64) -> i64 {
    id_of(
        &db.execute(
            "INSERT INTO channel_mappings \
             (provider_id, provider_channel_id, channel_id, created_at, updated_at) \
             VALUES (?, ?, ?, 0, 0) RETURNING id",
            &[
                provider.into(),
                format!("ch{channel}").into(),
                channel.into(),
            ],
        )
        .expect("mapping"),
    )
}

/// What a test programme says besides its times.
#[derive(Default)]
pub(crate) struct Text<'a> {
    pub title: &'a str,
    pub sub_title: Option<&'a str>,
    pub desc: Option<&'a str>,
    pub season: Option<u32>,
    pub episode: Option<u32>,
}

pub(crate) fn model(start: i64, stop: i64, text: &Text<'_>) -> Programme {
    Programme {
        channel: "feed.channel".into(),
        start,
        stop: Some(stop),
        titles: vec![LangText::new(text.title)],
        sub_titles: text.sub_title.map(LangText::new).into_iter().collect(),
        descs: text.desc.map(LangText::new).into_iter().collect(),
        ..Programme::default()
    }
}

/// Inserts a programme on `mapping`'s channel and provider; returns its id.
pub(crate) fn programme_with(
    db: &impl Store,
    mapping: i64,
    start: i64,
    stop: i64,
    text: &Text<'_>,
) -> i64 {
    let data = serde_json::to_string(&model(start, stop, text)).expect("json");
    id_of(
        &db.execute(
            "INSERT INTO programmes (mapping_id, channel_id, provider_id, start, stop, title, \
               sub_title, description, season, episode, part, data) \
             SELECT id, channel_id, provider_id, ?, ?, ?, ?, ?, ?, ?, NULL, ? \
             FROM channel_mappings WHERE id = ? RETURNING id",
            &[
                start.into(),
                stop.into(),
                text.title.into(),
                text.sub_title.into(),
                text.desc.into(),
                text.season.into(),
                text.episode.into(),
                data.into(),
                mapping.into(),
            ],
        )
        .expect("programme"),
    )
}

pub(crate) fn programme(db: &impl Store, mapping: i64, start: i64, stop: i64, title: &str) -> i64 {
    let text = Text {
        title,
        ..Text::default()
    };
    programme_with(db, mapping, start, stop, &text)
}

fn ids(programmes: &[GuideProgramme]) -> Vec<i64> {
    programmes.iter().map(|p| p.id).collect()
}

fn assert_no_overlap(programmes: &[GuideProgramme]) {
    for pair in programmes.windows(2) {
        assert!(pair[0].stop <= pair[1].start, "{:?} overlaps", pair[1].id);
    }
}

const T: i64 = 1_700_000_000;

#[test]
fn single_provider_window_in_start_order_with_full_record() {
    let db = db();
    let p = provider(&db, "only", 10, true);
    let c = channel(&db, "One", true);
    let m = mapping(&db, p, c);
    let third = programme(&db, m, T + 7200, T + 9000, "Third");
    let text = Text {
        title: "First",
        sub_title: Some("Pilot"),
        desc: Some("It begins."),
        season: Some(2),
        episode: Some(5),
    };
    let first = programme_with(&db, m, T, T + 3600, &text);
    let second = programme(&db, m, T + 3600, T + 7200, "Second");

    let got = guide::channel_programmes(&db, c, T, T + 86_400).expect("window");
    assert_eq!(ids(&got), vec![first, second, third]);
    assert_eq!(
        got[0],
        GuideProgramme {
            id: first,
            channel_id: c,
            provider_id: p,
            start: T,
            stop: T + 3600,
            episode: EpisodeInfo {
                season: Some(2),
                episode: Some(5),
                part: None,
            },
            programme: model(T, T + 3600, &text),
        }
    );
}

#[test]
fn lower_provider_fills_a_gap_wholly_or_not_at_all() {
    let db = db();
    let best = provider(&db, "best", 1, true);
    let other = provider(&db, "other", 5, true);
    let c = channel(&db, "One", true);
    let mb = mapping(&db, best, c);
    let mo = mapping(&db, other, c);
    let b1 = programme(&db, mb, T, T + 100, "best 1");
    let b2 = programme(&db, mb, T + 200, T + 300, "best 2");
    programme(&db, mo, T, T + 100, "other duplicate of best 1");
    let fill = programme(&db, mo, T + 100, T + 200, "other fills the gap");
    programme(&db, mo, T + 250, T + 350, "other overlaps best 2");
    let after = programme(&db, mo, T + 350, T + 400, "other after everything");

    let got = guide::channel_programmes(&db, c, T, T + 1000).expect("window");
    assert_eq!(ids(&got), vec![b1, fill, b2, after]);
    assert_eq!(got[1].provider_id, other);
    assert_no_overlap(&got);
}

#[test]
fn lower_programme_partly_overlapping_the_best_is_excluded() {
    let db = db();
    let best = provider(&db, "best", 1, true);
    let other = provider(&db, "other", 5, true);
    let c = channel(&db, "One", true);
    let mb = mapping(&db, best, c);
    let mo = mapping(&db, other, c);
    let b1 = programme(&db, mb, T, T + 100, "best 1");
    let b2 = programme(&db, mb, T + 200, T + 300, "best 2");
    programme(&db, mo, T + 90, T + 200, "starts inside best 1");
    programme(&db, mo, T + 100, T + 210, "ends inside best 2");

    let got = guide::channel_programmes(&db, c, T, T + 1000).expect("window");
    assert_eq!(ids(&got), vec![b1, b2]);
}

#[test]
fn equal_priority_goes_to_the_lower_provider_id() {
    let db = db();
    let first = provider(&db, "first", 3, true);
    let second = provider(&db, "second", 3, true);
    let c = channel(&db, "One", true);
    let m2 = mapping(&db, second, c);
    let m1 = mapping(&db, first, c);
    programme(&db, m2, T, T + 100, "second's");
    let winner = programme(&db, m1, T + 50, T + 150, "first's");

    let got = guide::channel_programmes(&db, c, T, T + 1000).expect("window");
    assert_eq!(ids(&got), vec![winner]);
}

#[test]
fn programme_begun_before_the_window_is_found_within_the_look_back() {
    let db = db();
    let p = provider(&db, "only", 10, true);
    let c = channel(&db, "One", true);
    let m = mapping(&db, p, c);
    programme(&db, m, T - LOOKBACK_SECONDS - 1, T + 60, "too long ago");
    let running = programme(&db, m, T - 3600, T + 600, "running");

    let got = guide::channel_programmes(&db, c, T, T + 3600).expect("window");
    assert_eq!(ids(&got), vec![running]);
}

#[test]
fn disabled_provider_is_ignored() {
    let db = db();
    let best = provider(&db, "best but off", 1, false);
    let other = provider(&db, "other", 5, true);
    let c = channel(&db, "One", true);
    let mb = mapping(&db, best, c);
    let mo = mapping(&db, other, c);
    programme(&db, mb, T, T + 100, "hidden");
    let shown = programme(&db, mo, T + 50, T + 150, "shown");

    let got = guide::channel_programmes(&db, c, T, T + 1000).expect("window");
    assert_eq!(ids(&got), vec![shown]);
}

#[test]
fn window_boundaries_are_half_open() {
    let db = db();
    let p = provider(&db, "only", 10, true);
    let c = channel(&db, "One", true);
    let other_channel = channel(&db, "Two", true);
    let m = mapping(&db, p, c);
    let m2 = mapping(&db, p, other_channel);
    programme(&db, m, T - 100, T, "ends at start");
    let at_start = programme(&db, m, T, T + 100, "starts at start");
    let before_end = programme(&db, m, T + 900, T + 1000, "ends at end");
    programme(&db, m, T + 1000, T + 1100, "starts at end");
    programme(&db, m2, T + 100, T + 200, "other channel");

    let got = guide::channel_programmes(&db, c, T, T + 1000).expect("window");
    assert_eq!(ids(&got), vec![at_start, before_end]);
    assert!(
        guide::channel_programmes(&db, c, T + 1000, T + 1000)
            .expect("empty window")
            .is_empty()
    );
}

#[test]
fn window_query_uses_the_channel_start_index() {
    let db = db();
    let plan = db
        .execute(
            &format!("EXPLAIN QUERY PLAN {WINDOW_SQL}"),
            &[Value::Integer(1), T.into(), T.into(), T.into()],
        )
        .expect("plan");
    let text: Vec<String> = plan
        .iter()
        .map(|row| row.string(3).expect("detail"))
        .collect();
    let text = text.join("\n");
    assert!(
        text.contains(
            "USING INDEX programmes_channel_start (channel_id=? AND start>? AND start<?)"
        ),
        "{text}"
    );
    assert!(!text.contains("SCAN p"), "{text}");
}

#[test]
fn now_next_merges_every_enabled_channel() {
    let db = db();
    let a = provider(&db, "a", 1, true);
    let b = provider(&db, "b", 2, true);
    let one = channel(&db, "One", true);
    let two = channel(&db, "Two", true);
    let off = channel(&db, "Off", false);
    let empty = channel(&db, "Empty", true);
    let gap = channel(&db, "Gap", true);
    let (a1, b1, a2, b2) = (
        mapping(&db, a, one),
        mapping(&db, b, one),
        mapping(&db, a, two),
        mapping(&db, b, two),
    );
    let (a_off, a_gap) = (mapping(&db, a, off), mapping(&db, a, gap));
    let now = T;

    let one_now = programme(&db, a1, now - 600, now + 600, "one: a now");
    programme(&db, b1, now - 600, now + 600, "one: b duplicate");
    let one_next = programme(&db, b1, now + 600, now + 1200, "one: b fills");
    programme(&db, a1, now + 1200, now + 1800, "one: a later");

    programme(&db, a2, now - 1000, now - 10, "two: a before");
    let two_now = programme(&db, b2, now - 10, now + 500, "two: b fills the gap");
    let two_next = programme(&db, a2, now + 500, now + 900, "two: a next");

    programme(&db, a_off, now - 10, now + 10, "disabled channel");
    programme(&db, a_gap, now - 100, now - 50, "gap: before");
    let gap_next = programme(&db, a_gap, now + 50, now + 100, "gap: after");

    let got = guide::now_next(&db, now).expect("now/next");
    let brief = |n: &NowNext| {
        (
            n.channel_id,
            n.now.as_ref().map(|p| p.id),
            n.next.as_ref().map(|p| p.id),
        )
    };
    assert_eq!(
        got.iter().map(brief).collect::<Vec<_>>(),
        vec![
            (one, Some(one_now), Some(one_next)),
            (two, Some(two_now), Some(two_next)),
            (empty, None, None),
            (gap, None, Some(gap_next)),
        ]
    );
    assert_eq!(got[1].now.as_ref().map(|p| p.provider_id), Some(b));
}

#[test]
fn now_next_takes_a_programme_starting_exactly_now_as_now() {
    let db = db();
    let p = provider(&db, "only", 1, true);
    let c = channel(&db, "One", true);
    let m = mapping(&db, p, c);
    programme(&db, m, T - 100, T, "just ended");
    let now = programme(&db, m, T, T + 100, "just started");
    let next = programme(&db, m, T + 100, T + 200, "next");

    let got = guide::now_next(&db, T).expect("now/next");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].now.as_ref().map(|p| p.id), Some(now));
    assert_eq!(got[0].next.as_ref().map(|p| p.id), Some(next));
}

#[test]
fn now_next_finds_a_next_many_hours_away() {
    let db = db();
    let p = provider(&db, "only", 1, true);
    let c = channel(&db, "Sparse", true);
    let m = mapping(&db, p, c);
    let on_air = programme(&db, m, T - 100, T + 7 * 3600, "long");
    let next = programme(&db, m, T + 20 * 3600, T + 21 * 3600, "much later");
    programme(&db, m, T + 25 * 3600, T + 26 * 3600, "beyond a day");

    let got = guide::now_next(&db, T).expect("now/next");
    assert_eq!(got[0].now.as_ref().map(|p| p.id), Some(on_air));
    assert_eq!(got[0].next.as_ref().map(|p| p.id), Some(next));
}

/// A better programme starting hours after now can decide the next: it beats a middle
/// provider's long programme, which then no longer hides the worst provider's short one.
#[test]
fn now_next_sees_a_later_better_programme_that_changes_the_next() {
    let db = db();
    let (best, middle, worst) = (
        provider(&db, "best", 1, true),
        provider(&db, "middle", 2, true),
        provider(&db, "worst", 3, true),
    );
    let c = channel(&db, "Chain", true);
    let (mb, mm, mw) = (
        mapping(&db, best, c),
        mapping(&db, middle, c),
        mapping(&db, worst, c),
    );
    let hour = 3600;
    programme(&db, mb, T + 6 * hour + 1800, T + 8 * hour, "best, late");
    programme(&db, mm, T + 1800, T + 7 * hour, "middle, long, beaten");
    let next = programme(&db, mw, T + hour, T + 2 * hour, "worst, shown");

    let got = guide::now_next(&db, T).expect("now/next");
    assert_eq!(got[0].next.as_ref().map(|p| p.id), Some(next));
    let window = guide::channel_programmes(&db, c, T, T + 9 * hour).expect("window");
    assert_eq!(window.first().map(|p| p.id), Some(next));
}
