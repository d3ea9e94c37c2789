//! What the scenarios share: scratch files, a counting sink, importing a file, and
//! peak memory measured in a child process.

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use epg::feed;
use epg::import::{self, ImportOptions, RunRecord, Trigger};
use epg::model::{Channel, Programme};
use epg::{SqliteStore, Store};
use epg_bench::GenStats;

use epg::export;

/// A scratch directory removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A new directory under the system temp dir.
    pub fn new() -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!("epg-bench-{}", std::process::id()));
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Self(dir))
    }

    /// A path inside it.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Midnight UTC today: generated feeds start here so that no retention rule in the
/// importer can mistake them for stale data.
pub fn today() -> i64 {
    let now = epg::store::now_seconds();
    now - now.rem_euclid(86_400)
}

/// Generates a feed file (gzip when `gzip`), returning its stats and generation time.
pub fn generate_file(
    path: &Path,
    channels: u32,
    days: u32,
    gzip: bool,
) -> anyhow::Result<(GenStats, f64)> {
    let started = Instant::now();
    let file = BufWriter::new(File::create(path)?);
    let stats = if gzip {
        epg_bench::generate_gzip(file, channels, days, 1, today())?
    } else {
        epg_bench::generate_from(file, channels, days, 1, today())?
    };
    Ok((stats, started.elapsed().as_secs_f64()))
}

/// Counts and drops everything: parsing cost only.
#[derive(Debug, Default)]
pub struct CountingSink {
    /// Programmes seen.
    pub programmes: u64,
    /// Rejects seen.
    pub rejects: u64,
}

impl feed::Sink for CountingSink {
    type Error = feed::Error;

    fn channel(&mut self, _channel: Channel) -> Result<(), feed::Error> {
        Ok(())
    }

    fn programme(&mut self, _programme: Programme) -> Result<(), feed::Error> {
        self.programmes += 1;
        Ok(())
    }

    fn reject(&mut self, _reject: feed::Reject) -> Result<(), feed::Error> {
        self.rejects += 1;
        Ok(())
    }
}

/// Parses `path` into a [`CountingSink`]; returns programmes and seconds.
pub fn parse_file(path: &Path) -> anyhow::Result<(u64, f64)> {
    let started = Instant::now();
    let input = BufReader::with_capacity(256 * 1024, File::open(path)?);
    let mut sink = CountingSink::default();
    feed::read(input, &feed::ReadOptions::default(), &mut sink)?;
    Ok((sink.programmes, started.elapsed().as_secs_f64()))
}

/// Opens (creating) and migrates a database file.
pub fn open_db(path: &Path) -> anyhow::Result<SqliteStore> {
    let store = SqliteStore::open(path)?;
    epg::prepare(&store)?;
    Ok(store)
}

/// Imports `feed` into the database at `db` as provider `bench`; returns the run and seconds.
pub fn import_file(db: &Path, feed: &Path) -> anyhow::Result<(RunRecord, f64)> {
    import_into(open_db(db)?, feed)
}

/// [`import_file`] into a database without the FTS5 index and its triggers, to show the
/// search index's share of the import.
pub fn import_file_without_fts(db: &Path, feed: &Path) -> anyhow::Result<(RunRecord, f64)> {
    let store = open_db(db)?;
    drop_fts(&store)?;
    import_into(store, feed)
}

/// Copies the live programmes of the guide at `from` into a new guide at `to`, as the
/// apply's last write does (statements of 5,000 rows, each its own transaction, into the
/// same table, indexes and, with `fts`, search index) but with nothing parsed, staged
/// or compared: what SQLite alone takes to write the rows, the ceiling of any import.
/// Returns the rows copied and seconds.
pub fn copy_programmes(from: &Path, to: &Path, fts: bool) -> anyhow::Result<(u64, f64)> {
    let store = open_db(to)?;
    if !fts {
        drop_fts(&store)?;
    }
    let _bulk = store.bulk_writes()?;
    store.execute(
        "ATTACH DATABASE ? AS source",
        &[from.to_string_lossy().as_ref().into()],
    )?;
    // What the programmes refer to, outside the timing: both guides have one schema.
    for table in ["providers", "channels", "channel_mappings"] {
        store.execute(
            &format!("INSERT INTO main.{table} SELECT * FROM source.{table}"),
            &[],
        )?;
    }
    let last = store.execute("SELECT COALESCE(MAX(id), 0) FROM source.programmes", &[])?;
    let last = last.first().context("no row")?.i64(0)?;
    let started = Instant::now();
    let mut copied = 0;
    for first in (0..=last).step_by(5_000) {
        store.execute(
            "INSERT INTO main.programmes (run_id, mapping_id, channel_id, provider_id, start, \
             stop, title, sub_title, description, season, episode, part, data) \
             SELECT run_id, mapping_id, channel_id, provider_id, start, stop, title, sub_title, \
             description, season, episode, part, data FROM source.programmes \
             WHERE id > ? AND id <= ?",
            &[first.into(), (first + 5_000).into()],
        )?;
        let changes = store.execute("SELECT changes()", &[])?;
        copied += changes.first().context("no row")?.i64(0)?;
    }
    Ok((copied.try_into()?, started.elapsed().as_secs_f64()))
}

fn drop_fts(store: &SqliteStore) -> anyhow::Result<()> {
    for trigger in ["insert", "delete", "update"] {
        store.execute(&format!("DROP TRIGGER programmes_fts_{trigger}"), &[])?;
    }
    store.execute("DROP TABLE programmes_fts", &[])?;
    Ok(())
}

fn import_into(store: SqliteStore, feed: &Path) -> anyhow::Result<(RunRecord, f64)> {
    let provider = insert_bench_provider(&store, feed)?;
    let started = Instant::now();
    // As `epg import` and `epg serve` import.
    let _bulk = store.bulk_writes()?;
    let run = import::start_run(&store, provider, Trigger::Cli)?;
    let input = BufReader::with_capacity(256 * 1024, File::open(feed)?);
    let record = import::run(&store, run.id, input, &ImportOptions::default())?;
    Ok((record, started.elapsed().as_secs_f64()))
}

/// The provider `bench` reading `feed`, created unless it exists; returns its id.
pub fn insert_bench_provider(store: &impl Store, feed: &Path) -> anyhow::Result<i64> {
    let now = epg::store::now_seconds();
    let rows = store.execute(
        "INSERT INTO providers (name, xmltv_url, created_at, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at RETURNING id",
        &[
            "bench".into(),
            format!("file://{}", feed.display()).into(),
            now.into(),
            now.into(),
        ],
    )?;
    Ok(rows.first().context("no provider id")?.i64(0)?)
}

/// Exports `[start, end)` of every channel to a byte counter; returns bytes and seconds.
pub fn export_db(db: &Path, start: i64, end: i64) -> anyhow::Result<(u64, f64)> {
    let store = open_db(db)?;
    let options = export::ExportOptions {
        channels: None,
        start,
        end,
        include_empty_channels: false,
    };
    let mut out = Counter(0);
    let started = Instant::now();
    export::write(&store, &options, &mut out)?;
    Ok((out.0, started.elapsed().as_secs_f64()))
}

/// A sink that counts bytes.
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// This process's peak resident set (`VmHWM`), in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// What a child measured.
#[derive(Debug, Clone, Copy)]
pub struct ChildFigures {
    /// Peak RSS, KiB.
    pub peak_kib: u64,
    /// Items processed (programmes or bytes).
    pub count: u64,
    /// Seconds.
    pub secs: f64,
}

/// Runs `epg-bench rss-child ARGS…` and reads its figures, so that peak memory is the
/// measured step's alone, not the generator's or an earlier scenario's.
pub fn run_child(args: &[&str]) -> anyhow::Result<ChildFigures> {
    let out = Command::new(std::env::current_exe()?)
        .arg("rss-child")
        .args(args)
        .output()?;
    if !out.status.success() {
        bail!(
            "child {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| {
        text.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .with_context(|| format!("child output lacks {name}: {text}"))
    };
    Ok(ChildFigures {
        peak_kib: field("peak_kib")?.parse()?,
        count: field("count")?.parse()?,
        secs: field("secs")?.parse()?,
    })
}

/// The child side: `parse FEED`, `import FEED DB` or `export DB START END`; also
/// `generate OUT CHANNELS DAYS`, the bench's plain feed, to profile `epg import` on.
pub fn child_main(args: &[String]) -> anyhow::Result<()> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (count, secs) = match args.as_slice() {
        ["parse", feed] => parse_file(Path::new(feed))?,
        ["import", feed, db] => {
            let (run, secs) = import_file(Path::new(db), Path::new(feed))?;
            (run.programmes_seen, secs)
        }
        ["generate", out, channels, days] => {
            let (stats, secs) =
                generate_file(Path::new(out), channels.parse()?, days.parse()?, false)?;
            (stats.programmes, secs)
        }
        ["export", db, start, end] => export_db(Path::new(db), start.parse()?, end.parse()?)?,
        _ => bail!(
            "usage: epg-bench rss-child parse FEED | import FEED DB | export DB START END \
             | generate OUT CHANNELS DAYS"
        ),
    };
    let peak = peak_rss_kib().context("no VmHWM in /proc/self/status")?;
    println!("peak_kib={peak} count={count} secs={secs}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_copies_every_imported_programme_into_a_searchable_guide() {
        let scratch = Scratch::new().expect("scratch");
        let feed = scratch.path("feed.xml");
        let (stats, _) = generate_file(&feed, 4, 1, false).expect("feed");
        let db = scratch.path("guide.db");
        let (run, _) = import_file(&db, &feed).expect("import");
        assert_eq!(run.added, stats.programmes);
        for fts in [true, false] {
            let copy = scratch.path(&format!("copy-{fts}.db"));
            let (copied, _) = copy_programmes(&db, &copy, fts).expect("copy");
            assert_eq!(copied, stats.programmes);
            let store = SqliteStore::open(&copy).expect("open copy");
            let indexed = store
                .execute(
                    "SELECT COUNT(*) FROM sqlite_master WHERE name = 'programmes_fts'",
                    &[],
                )
                .expect("schema");
            assert_eq!(
                indexed.first().expect("row").i64(0).expect("count"),
                i64::from(fts)
            );
            if fts {
                let hits = store
                    .execute(
                        "SELECT COUNT(*) FROM programmes_fts WHERE programmes_fts MATCH 'the'",
                        &[],
                    )
                    .expect("search");
                assert!(hits.first().expect("row").i64(0).expect("count") > 0);
            }
        }
    }
}
