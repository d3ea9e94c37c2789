//! The measured scenarios. Each adds rows to the report and never asserts: a figure
//! that misses its target is printed beside the target, not turned into a failure.

use std::path::PathBuf;
use std::time::Instant;

use epg::guide;
use epg::store::Store;
use epg_bench::Rng;

use crate::harness::{self, Scratch, generate_file, import_file, open_db, run_child, today};
use crate::report::Report;
use crate::spin_like;

/// Feed sizes the brief fixes for the query and export figures.
const QUERY_SIZE: (u32, u32) = (1_000, 14);
const EXPORT_SIZE: (u32, u32) = (1_000, 7);
const QUERIES: usize = 2_000;
/// About 1 GB of generated XMLTV: 14 days of one channel are ≈ 300 programmes, ≈ 435 KB.
const LARGE_SIZE: (u32, u32) = (2_300, 14);

const MB: f64 = 1_000_000.0;

/// `--channels` × `--days` feeds, made once and shared by the scenarios.
pub struct Feeds<'a> {
    scratch: &'a Scratch,
    channels: u32,
    days: u32,
    made: Vec<(String, PathBuf)>,
}

impl<'a> Feeds<'a> {
    /// Feeds of `channels` × `days` in `scratch`.
    pub fn new(scratch: &'a Scratch, channels: u32, days: u32) -> Self {
        Self {
            scratch,
            channels,
            days,
            made: Vec::new(),
        }
    }

    /// The feed `name` (`.gz` names are compressed), generated on first use.
    fn get(
        &mut self,
        name: &str,
        size: (u32, u32),
        report: &mut Report,
    ) -> anyhow::Result<PathBuf> {
        let key = format!("{}x{}-{name}", size.0, size.1);
        if let Some((_, path)) = self.made.iter().find(|(k, _)| *k == key) {
            return Ok(path.clone());
        }
        let path = self.scratch.path(&key);
        let (stats, secs) = generate_file(&path, size.0, size.1, name.ends_with(".gz"))?;
        let on_disk = std::fs::metadata(&path)?.len();
        report.row(
            "generate",
            &format!(
                "{key}: {} programmes, {:.1} MB xml, {:.1} MB file",
                stats.programmes,
                stats.bytes as f64 / MB,
                on_disk as f64 / MB
            ),
            format!("{:.1} s", secs),
            "",
        );
        self.made.push((key, path.clone()));
        Ok(path)
    }

    fn default_size(&self) -> (u32, u32) {
        (self.channels, self.days)
    }
}

/// Parse-only throughput, plain and gzip.
pub fn parse(feeds: &mut Feeds<'_>, report: &mut Report) -> anyhow::Result<()> {
    let size = feeds.default_size();
    for name in ["feed.xml", "feed.xml.gz"] {
        let path = feeds.get(name, size, report)?;
        let xml_bytes = if name.ends_with(".gz") {
            std::fs::metadata(feeds.get("feed.xml", size, report)?)?.len()
        } else {
            std::fs::metadata(&path)?.len()
        };
        let (programmes, secs) = harness::parse_file(&path)?;
        report.row(
            "parse",
            &format!("{name}: MB/s of XML"),
            format!("{:.1}", xml_bytes as f64 / MB / secs),
            "",
        );
        report.row(
            "parse",
            &format!("{name}: programmes/s"),
            format!("{:.0}", programmes as f64 / secs),
            "",
        );
    }
    Ok(())
}

/// Full import throughput into a file-backed SQLite database.
pub fn import(feeds: &mut Feeds<'_>, report: &mut Report) -> anyhow::Result<()> {
    let path = feeds.get("feed.xml", feeds.default_size(), report)?;
    let db = feeds.scratch.path("import.db");
    let (run, secs) = import_file(&db, &path)?;
    report.row(
        "import",
        &format!("{} programmes, {} added", run.programmes_seen, run.added),
        format!("{:.0} programmes/s", run.programmes_seen as f64 / secs),
        ">= 300000 programmes/s",
    );
    for fts in [true, false] {
        let copy = feeds
            .scratch
            .path(&format!("ceiling-{}.db", if fts { "fts" } else { "plain" }));
        let (rows, secs) = harness::copy_programmes(&db, &copy, fts)?;
        report.row(
            "import",
            &format!(
                "ceiling: SQLite copying the imported rows, {}",
                if fts { "with FTS5" } else { "without FTS5" }
            ),
            format!("{:.0} programmes/s", rows as f64 / secs),
            "",
        );
    }
    let db = feeds.scratch.path("import-spin-like.db");
    let spin = spin_like::import(&db, &path)?;
    let programmes = spin.run.programmes_seen.max(1) as f64;
    report.row(
        "import",
        "Spin-like (each statement copied as a host call)",
        format!(
            "{:.0} programmes/s",
            spin.run.programmes_seen as f64 / spin.secs
        ),
        ">= 100000 programmes/s",
    );
    report.row(
        "import",
        "Spin-like: statements per 1,000 programmes",
        format!("{:.2}", spin.calls as f64 * 1000.0 / programmes),
        "",
    );
    report.row(
        "import",
        "Spin-like: bytes copied per programme",
        format!("{:.0}", spin.bytes as f64 / programmes),
        "",
    );
    let db = feeds.scratch.path("import-no-fts.db");
    let (run, secs) = harness::import_file_without_fts(&db, &path)?;
    report.row(
        "import",
        "same, without the FTS5 index",
        format!("{:.0} programmes/s", run.programmes_seen as f64 / secs),
        "",
    );
    Ok(())
}

/// Peak RSS of parse-only and of import, each in a fresh child.
pub fn rss(
    feeds: &mut Feeds<'_>,
    report: &mut Report,
    size: (u32, u32),
    target: &str,
) -> anyhow::Result<()> {
    let path = feeds.get("feed.xml", size, report)?;
    let feed = path.to_string_lossy().into_owned();
    let label = format!("{}x{}", size.0, size.1);
    let parse = run_child(&["parse", &feed])?;
    report.row(
        "rss",
        &format!("{label}: parse-only peak RSS"),
        mib(parse.peak_kib),
        target,
    );
    let db = feeds.scratch.path(&format!("rss-{label}.db"));
    let import = run_child(&["import", &feed, &db.to_string_lossy()])?;
    report.row(
        "rss",
        &format!("{label}: import peak RSS"),
        mib(import.peak_kib),
        target,
    );
    report.row(
        "rss",
        &format!("{label}: import in child"),
        format!("{:.0} programmes/s", import.count as f64 / import.secs),
        "",
    );
    let _ = std::fs::remove_file(db);
    Ok(())
}

/// Peak RSS on a ~1 GB feed.
pub fn large(feeds: &mut Feeds<'_>, report: &mut Report) -> anyhow::Result<()> {
    rss(feeds, report, LARGE_SIZE, "< 100 MiB")
}

/// p50/p99 latency of 24 h windows on random channels.
pub fn query(feeds: &mut Feeds<'_>, report: &mut Report) -> anyhow::Result<()> {
    let path = feeds.get("feed.xml", QUERY_SIZE, report)?;
    let db = feeds.scratch.path("query.db");
    import_file(&db, &path)?;
    let store = open_db(&db)?;
    let ids: Vec<i64> = store
        .execute("SELECT id FROM channels", &[])?
        .iter()
        .map(|r| r.i64(0))
        .collect::<Result<_, _>>()?;
    anyhow::ensure!(!ids.is_empty(), "the import created no channels");
    let span = i64::from(QUERY_SIZE.1 - 1) * 86_400;
    let mut rng = Rng::new(7);
    let mut micros = Vec::with_capacity(QUERIES);
    let mut returned = 0;
    for _ in 0..QUERIES {
        let channel = *rng.pick(&ids);
        let start = today() + rng.below(span as u64) as i64;
        let t = Instant::now();
        returned += guide::channel_programmes(&store, channel, start, start + 86_400)?.len();
        micros.push(t.elapsed().as_secs_f64() * 1e6);
    }
    micros.sort_by(f64::total_cmp);
    let at = |q: f64| micros[((micros.len() - 1) as f64 * q) as usize];
    let label = format!("{QUERIES} x 24 h on {}x{}", QUERY_SIZE.0, QUERY_SIZE.1);
    report.row(
        "query",
        &format!("{label}: p50"),
        format!("{:.3} ms", at(0.50) / 1e3),
        "",
    );
    report.row(
        "query",
        &format!("{label}: p99"),
        format!("{:.3} ms", at(0.99) / 1e3),
        "< 2 ms",
    );
    report.row(
        "query",
        &format!("{label}: max"),
        format!("{:.3} ms", at(1.0) / 1e3),
        "",
    );
    report.row(
        "query",
        "programmes per window (mean)",
        format!("{:.1}", returned as f64 / QUERIES as f64),
        "",
    );
    Ok(())
}

/// Export time and peak memory of the whole guide, in a child.
pub fn export(feeds: &mut Feeds<'_>, report: &mut Report) -> anyhow::Result<()> {
    let path = feeds.get("feed.xml", EXPORT_SIZE, report)?;
    let db = feeds.scratch.path("export.db");
    import_file(&db, &path)?;
    let (start, end) = (today(), today() + i64::from(EXPORT_SIZE.1) * 86_400);
    let child = run_child(&[
        "export",
        &db.to_string_lossy(),
        &start.to_string(),
        &end.to_string(),
    ])?;
    let label = format!("{}x{}", EXPORT_SIZE.0, EXPORT_SIZE.1);
    report.row(
        "export",
        &format!("{label}: time"),
        format!("{:.2} s", child.secs),
        "",
    );
    report.row(
        "export",
        &format!("{label}: output"),
        format!("{:.1} MB/s", child.count as f64 / MB / child.secs),
        "",
    );
    report.row(
        "export",
        &format!("{label}: peak RSS"),
        mib(child.peak_kib),
        "",
    );
    Ok(())
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
