//! The guide's read paths on a realistic guide: now/next for every channel and search,
//! the two that the API exposes over all channels at once.
//!
//! The database is 1,000 channels × 14 days from one provider, plus a second, worse
//! provider feeding the first 100 channels, so that the merge and the "hidden by a
//! better provider" rule have real work. Set `EPG_BENCH_GUIDE_DB` to a path to build it
//! once and reuse it across runs (it is kept only when built for the same day), and
//! `EPG_BENCH_GUIDE_RUNS` to change the number of timed calls per figure.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use epg::guide::{self, SearchQuery};
use epg::import::{self, ImportOptions, Trigger};
use epg::store::Store;
use epg_bench::Rng;

use crate::harness::{Scratch, open_db, today};
use crate::report::Report;

pub(crate) const SIZE: (u32, u32) = (1_000, 14);
/// Channels the second provider also feeds.
const SECOND_CHANNELS: u32 = 100;
const DEFAULT_RUNS: usize = 200;
/// A word added to a handful of titles: the "rare term".
const RARE: &str = "Zanzibar";

/// p50/p99 of now/next and of searches on the 1,000 × 14 guide.
pub fn guide(scratch: &Scratch, report: &mut Report) -> anyhow::Result<()> {
    let db = build(scratch, report)?;
    let store = open_db(&db)?;
    let runs = std::env::var("EPG_BENCH_GUIDE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_RUNS);
    let ids: Vec<i64> = store
        .execute("SELECT id FROM channels ORDER BY id", &[])?
        .iter()
        .map(|r| r.i64(0))
        .collect::<Result<_, _>>()?;
    anyhow::ensure!(!ids.is_empty(), "the guide has no channels");
    let day = today();
    let span = u64::from(SIZE.1 - 1) * 86_400;
    let mut rng = Rng::new(11);
    let mut instant = move || day + rng.below(span) as i64;

    let mut found = 0;
    let times = timed(runs, || {
        let all = guide::now_next(&store, instant())?;
        found += all.iter().filter(|n| n.next.is_some()).count();
        Ok(())
    })?;
    let label = format!("now_next, {} channels", ids.len());
    figures(report, &label, &times, "< 50 ms");
    report.row(
        "guide",
        "now_next: channels with a next (mean)",
        format!("{:.1}", found as f64 / runs as f64),
        "",
    );

    let mut pick = Rng::new(13);
    for (what, q, channel) in [
        ("rare term", RARE, false),
        ("term in every programme", "the", false),
        ("title term", "weather", false),
        ("prefix term", "wea*", false),
        ("every programme, one channel", "the", true),
    ] {
        let mut total = String::new();
        let times = timed(runs, || {
            // The API's default window, now to now + 14 days, from some time on day one.
            let start = day + pick.below(86_400) as i64;
            let query = SearchQuery {
                q: q.to_owned(),
                start: Some(start),
                end: Some(start + 14 * 86_400),
                channel_id: channel.then(|| *pick.pick(&ids)),
                ..SearchQuery::default()
            };
            let page = guide::search(&store, &query)?;
            total = format!(
                "{}{}",
                page.total,
                if page.total_is_exact { "" } else { "+" }
            );
            Ok(())
        })?;
        let label = format!("search {what} ({q:?}, last total {total})");
        figures(report, &label, &times, "< 100 ms");
    }
    Ok(())
}

/// Milliseconds of `runs` calls, sorted.
fn timed(runs: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<Vec<f64>> {
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        f()?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    Ok(ms)
}

fn figures(report: &mut Report, label: &str, ms: &[f64], target: &str) {
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    report.row(
        "guide",
        &format!("{label}: p50"),
        format!("{:.2} ms", at(0.5)),
        "",
    );
    report.row(
        "guide",
        &format!("{label}: p99"),
        format!("{:.2} ms", at(0.99)),
        target,
    );
}

/// The database, built unless `EPG_BENCH_GUIDE_DB` names one built today.
pub(crate) fn build(scratch: &Scratch, report: &mut Report) -> anyhow::Result<PathBuf> {
    let stamp = format!("{}", today());
    let (db, reuse) = match std::env::var_os("EPG_BENCH_GUIDE_DB") {
        Some(path) => (PathBuf::from(path), true),
        None => (scratch.path("guide.db"), false),
    };
    let marker = db.with_extension("built");
    if reuse && std::fs::read_to_string(&marker).ok().as_deref() == Some(stamp.as_str()) {
        return Ok(db);
    }
    for stale in [
        &db,
        &db.with_extension("db-wal"),
        &db.with_extension("db-shm"),
    ] {
        let _ = std::fs::remove_file(stale);
    }
    let started = Instant::now();
    let first = scratch.path("guide-a.xml");
    let second = scratch.path("guide-b.xml");
    write_feed(&first, SIZE.0, 1)?;
    write_feed(&second, SECOND_CHANNELS, 2)?;
    import_as(&db, "guide-a", 10, &first)?;
    import_as(&db, "guide-b", 20, &second)?;
    let store = open_db(&db)?;
    store.execute(
        &format!(
            "UPDATE programmes SET title = title || ' {RARE}' \
             WHERE id IN (SELECT id FROM programmes WHERE id % 20000 = 7)"
        ),
        &[],
    )?;
    let rows = store.execute("SELECT COUNT(*) FROM programmes", &[])?;
    let count = rows.first().context("no count")?.i64(0)?;
    report.row(
        "guide",
        &format!("build: {count} programmes"),
        format!("{:.1} s", started.elapsed().as_secs_f64()),
        "",
    );
    if reuse {
        std::fs::write(&marker, stamp)?;
    }
    Ok(db)
}

fn write_feed(path: &Path, channels: u32, seed: u64) -> anyhow::Result<()> {
    let file = BufWriter::new(File::create(path)?);
    epg_bench::generate_from(file, channels, SIZE.1, seed, today())?;
    Ok(())
}

/// Imports `feed` as provider `name` with `priority`.
fn import_as(db: &Path, name: &str, priority: i64, feed: &Path) -> anyhow::Result<()> {
    let store = open_db(db)?;
    let now = epg::store::now_seconds();
    let rows = store.execute(
        "INSERT INTO providers (name, xmltv_url, priority, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?) RETURNING id",
        &[
            name.into(),
            format!("file://{}", feed.display()).into(),
            priority.into(),
            now.into(),
            now.into(),
        ],
    )?;
    let provider = rows.first().context("no provider id")?.i64(0)?;
    let run = import::start_run(&store, provider, Trigger::Cli)?;
    let input = BufReader::with_capacity(256 * 1024, File::open(feed)?);
    import::run(&store, run.id, input, &ImportOptions::default())?;
    Ok(())
}
