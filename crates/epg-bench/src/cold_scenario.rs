//! Requests as Spin serves them, natively: every request opens a new connection and
//! readies it with [`epg::ready`] before the handler runs, against the same requests on
//! one warm connection. CI cannot run Spin, so this is where the set-up's share of a
//! request shows (issue 12, part 1).
//!
//! The guide is 1,000 channels × 14 days. Figures are sequential, one request at a time
//! on one core: requests/s is 1 / mean. `SqliteStore::open` also sets the native
//! connection's pragmas (busy timeout, `journal_mode`, `synchronous`), which Spin's host
//! does its own way, so the "open" phase is this build's, not Spin's.

use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, SecondsFormat};
use epg::api::{self, Area, Context};
use epg::config::LogLevel;
use epg::store::Store;
use epg::{Config, SqliteStore};
use epg_bench::Rng;

use crate::harness::{Scratch, generate_file, import_file, open_db, today};
use crate::report::Report;

const SIZE: (u32, u32) = (1_000, 14);
const REQUESTS: usize = 2_000;

/// One request, as the component would receive it.
struct Call {
    area: Area,
    path: String,
}

/// Times of one request's phases, microseconds.
#[derive(Default, Clone, Copy)]
struct Phases {
    open: f64,
    ready: f64,
    handle: f64,
}

impl Phases {
    fn total(&self) -> f64 {
        self.open + self.ready + self.handle
    }
}

/// Health and 24 h windows of random channels, cold and warm.
pub fn cold(scratch: &Scratch, report: &mut Report) -> anyhow::Result<()> {
    let feed = scratch.path("cold-feed.xml");
    generate_file(&feed, SIZE.0, SIZE.1, false)?;
    let db = scratch.path("cold.db");
    import_file(&db, &feed)?;
    let _ = std::fs::remove_file(&feed);
    let config = Config {
        // Access log lines would be most of a request's time.
        log_level: LogLevel::Error,
        ..Config::default()
    };
    let warm = open_db(&db)?;
    let ids: Vec<i64> = warm
        .execute("SELECT id FROM channels ORDER BY id", &[])?
        .iter()
        .map(|r| r.i64(0))
        .collect::<Result<_, _>>()?;
    anyhow::ensure!(!ids.is_empty(), "the guide has no channels");

    let health = |_: usize| Call {
        area: Area::Health,
        path: "/api/v1/health".into(),
    };
    let mut rng = Rng::new(5);
    let windows: Vec<Call> = (0..REQUESTS)
        .map(|_| window_call(*rng.pick(&ids), today() + rng.below(13 * 86_400) as i64))
        .collect();
    let window = |i: usize| Call {
        area: windows[i].area,
        path: windows[i].path.clone(),
    };
    let label = format!("24 h window, {}x{}", SIZE.0, SIZE.1);
    for (name, make) in [
        ("health", &health as &dyn Fn(usize) -> Call),
        (label.as_str(), &window),
    ] {
        let warm_times = run(|i| warm_request(&warm, &config, &make(i)))?;
        let cold_times = run(|i| cold_request(&db, &config, &make(i), Setup::Ready))?;
        let before_times = run(|i| cold_request(&db, &config, &make(i), Setup::Before))?;
        figures(report, name, &warm_times, &cold_times);
        let before = format!("{name}, cold with the set-up before issue 12");
        figures_of(report, &before, &before_times);
    }
    Ok(())
}

/// What a cold request runs before its handler.
#[derive(Clone, Copy)]
enum Setup {
    /// [`epg::ready`]: one read when the schema is current.
    Ready,
    /// The four statements every request ran before issue 12 (busy timeout, journal
    /// mode, `CREATE TABLE IF NOT EXISTS schema_version` and a read of it), for the
    /// before/after figure.
    Before,
}

fn window_call(channel: i64, start: i64) -> Call {
    let start = DateTime::from_timestamp(start, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true);
    Call {
        area: Area::Channels,
        path: format!("/api/v1/channels/{channel}/programs?start={start}"),
    }
}

fn run(request: impl FnMut(usize) -> anyhow::Result<Phases>) -> anyhow::Result<Vec<Phases>> {
    (0..REQUESTS).map(request).collect()
}

fn warm_request(store: &SqliteStore, config: &Config, call: &Call) -> anyhow::Result<Phases> {
    let t = Instant::now();
    answer(store, config, call)?;
    Ok(Phases {
        handle: micros(t),
        ..Phases::default()
    })
}

fn cold_request(db: &Path, config: &Config, call: &Call, setup: Setup) -> anyhow::Result<Phases> {
    let t = Instant::now();
    let store = SqliteStore::open(db)?;
    let open = micros(t);
    let t = Instant::now();
    match setup {
        Setup::Ready => epg::ready(&store, |_| {})?,
        Setup::Before => {
            for sql in [
                "PRAGMA busy_timeout = 5000",
                "PRAGMA journal_mode = WAL",
                "CREATE TABLE IF NOT EXISTS schema_version (\
                 version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
                "SELECT COALESCE(MAX(version), 0) FROM schema_version",
            ] {
                store.execute(sql, &[])?;
            }
        }
    }
    let ready = micros(t);
    let t = Instant::now();
    answer(&store, config, call)?;
    Ok(Phases {
        open,
        ready,
        handle: micros(t),
    })
}

fn answer(store: &SqliteStore, config: &Config, call: &Call) -> anyhow::Result<()> {
    let ctx = Context {
        store,
        config,
        now: epg::store::now_seconds(),
        fetcher: None,
    };
    let request = http::Request::get(call.path.as_str()).body(Vec::new())?;
    let response = api::handle_full(call.area, request, &ctx);
    anyhow::ensure!(
        response.status() == 200,
        "{} answered {}",
        call.path,
        response.status()
    );
    Ok(())
}

/// Requests/s, p50 and p99 of one series.
fn figures_of(report: &mut Report, name: &str, times: &[Phases]) {
    let mean = times.iter().map(Phases::total).sum::<f64>() / times.len() as f64;
    let mut totals: Vec<f64> = times.iter().map(Phases::total).collect();
    totals.sort_by(f64::total_cmp);
    let at = |q: f64| totals[((totals.len() - 1) as f64 * q) as usize] / 1e3;
    report.row(
        "cold",
        &format!("{name}: requests/s, p50, p99"),
        format!(
            "{:.0}/s, {:.3} ms, {:.3} ms",
            1e6 / mean,
            at(0.50),
            at(0.99)
        ),
        "",
    );
}

fn micros(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e6
}

fn figures(report: &mut Report, name: &str, warm: &[Phases], cold: &[Phases]) {
    for (kind, times) in [("warm", warm), ("cold", cold)] {
        figures_of(report, &format!("{name}, {kind}"), times);
    }
    let sum = |f: fn(&Phases) -> f64| cold.iter().map(f).sum::<f64>();
    let total = sum(Phases::total);
    report.row(
        "cold",
        &format!("{name}, cold: share of open, of epg::ready"),
        format!(
            "{:.0} %, {:.0} %",
            100.0 * sum(|p| p.open) / total,
            100.0 * sum(|p| p.ready) / total
        ),
        "",
    );
}
