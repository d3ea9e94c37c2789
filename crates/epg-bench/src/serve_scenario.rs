//! `epg serve` under load, over real HTTP: 50 clients ask random channels' 24-hour
//! windows of the 1,000 channels × 14 days guide for 20 seconds while a second provider
//! imports through the API (created, triggered and run with `POST /jobs/run`, its feed
//! served by a loopback file server here).
//!
//! The real binary is started: `EPG_BIN`, or the `epg` beside this executable (so build
//! it first: `cargo build --release -p epg-cli -p epg-bench`). `EPG_BENCH_SERVE_SECS` and
//! `EPG_BENCH_SERVE_CLIENTS` change the duration and the number of clients.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use epg::Store;
use epg_bench::Rng;

use crate::guide_scenario;
use crate::harness::{Scratch, open_db, today};
use crate::report::Report;

const DEFAULT_SECS: u64 = 20;
const DEFAULT_CLIENTS: usize = 50;
/// The loaded provider's feed: big enough that its import overlaps the load.
const LOADED_SIZE: (u32, u32) = (300, 14);
const TOKEN: &str = "bench-token";

/// Requests/s, p50/p99 latency and errors of channel windows under load.
pub fn serve(scratch: &Scratch, report: &mut Report) -> anyhow::Result<()> {
    let db = guide_scenario::build(scratch, report)?;
    let ids: Arc<Vec<i64>> = Arc::new(
        open_db(&db)?
            .execute("SELECT id FROM channels ORDER BY id", &[])?
            .iter()
            .map(|r| r.i64(0))
            .collect::<Result<_, _>>()?,
    );
    anyhow::ensure!(!ids.is_empty(), "the guide has no channels");
    let feed = scratch.path("loaded.xml");
    let (channels, days) = LOADED_SIZE;
    epg_bench::generate_from(
        BufWriter::new(File::create(&feed)?),
        channels,
        days,
        3,
        today(),
    )?;
    let feeds = FileServer::start(feed)?;
    let server = Server::start(&db)?;
    let secs = env_or("EPG_BENCH_SERVE_SECS", DEFAULT_SECS);
    let clients = env_or("EPG_BENCH_SERVE_CLIENTS", DEFAULT_CLIENTS);

    let import = {
        let (base, url) = (server.base.clone(), feeds.url.clone());
        thread::spawn(move || import_through_api(&base, &url))
    };
    let load = load(&server.base, &ids, clients, Duration::from_secs(secs))?;
    let (status, import_secs) = import
        .join()
        .map_err(|_| anyhow::anyhow!("the import thread panicked"))??;
    let label = format!("{clients} clients, 24 h windows, {secs} s");
    load.report(report, &label);
    report.row(
        "serve",
        &format!("import of {channels} channels × {days} days meanwhile ({status})"),
        format!("{import_secs:.1} s"),
        "",
    );
    Ok(())
}

/// What the clients saw.
struct Load {
    /// Every request's latency, ms, sorted.
    ms: Vec<f64>,
    errors: Vec<String>,
    elapsed_secs: f64,
}

/// Runs `clients` clients for `duration`.
fn load(
    base: &str,
    ids: &Arc<Vec<i64>>,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<Load> {
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|n| {
            let (base, ids) = (base.to_owned(), Arc::clone(ids));
            thread::spawn(move || client(&base, &ids, n as u64, deadline))
        })
        .collect();
    let (mut ms, mut errors) = (Vec::new(), Vec::new());
    for worker in workers {
        let (times, errs) = worker
            .join()
            .map_err(|_| anyhow::anyhow!("a client panicked"))?;
        ms.extend(times);
        errors.extend(errs);
    }
    ms.sort_by(f64::total_cmp);
    Ok(Load {
        ms,
        errors,
        elapsed_secs: started.elapsed().as_secs_f64(),
    })
}

impl Load {
    fn report(&self, report: &mut Report, label: &str) {
        let count = self.ms.len();
        report.row(
            "serve",
            &format!("{label}: requests"),
            count.to_string(),
            "",
        );
        let rate = format!("{:.0}", count as f64 / self.elapsed_secs);
        report.row("serve", &format!("{label}: requests/s"), rate, "");
        for (name, q) in [("p50", 0.5), ("p99", 0.99)] {
            let value = percentile(&self.ms, q).map_or("-".into(), |v| format!("{v:.2} ms"));
            report.row("serve", &format!("{label}: {name}"), value, "");
        }
        let errors = self.errors.len().to_string();
        report.row("serve", &format!("{label}: errors"), errors, "0");
        if let Some(first) = self.errors.first() {
            report.row("serve", "first error", first.clone(), "");
        }
    }
}

/// The value at quantile `q` (0..=1) of sorted `values`, nearest rank; `None` when empty.
pub fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = (last as f64 * q.clamp(0.0, 1.0)).round() as usize;
    sorted.get(rank).copied()
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn agent(timeout_secs: u64) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(timeout_secs)))
        .build()
        .into()
}

/// One client: random channels' 24-hour windows until `deadline`. Returns latencies
/// (ms) and what went wrong.
fn client(base: &str, ids: &[i64], seed: u64, deadline: Instant) -> (Vec<f64>, Vec<String>) {
    let agent = agent(60);
    let mut rng = Rng::new(100 + seed);
    let (mut ms, mut errors) = (Vec::new(), Vec::new());
    let day = today();
    while Instant::now() < deadline {
        let channel = rng.pick(ids);
        let start = day + rng.below(u64::from(guide_scenario::SIZE.1 - 1) * 86_400) as i64;
        let url = format!(
            "{base}/api/v1/channels/{channel}/programs?start={}&end={}",
            rfc3339(start),
            rfc3339(start + 86_400)
        );
        let t = Instant::now();
        let result = agent
            .get(&url)
            .call()
            .map_err(|e| e.to_string())
            .and_then(|mut r| {
                let status = r.status().as_u16();
                let body = r.body_mut().read_to_vec().map_err(|e| e.to_string())?;
                match status {
                    200 if body.starts_with(b"{") => Ok(()),
                    _ => Err(format!("{status}: {}", String::from_utf8_lossy(&body))),
                }
            });
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        if let Err(e) = result {
            errors.push(format!("GET {url}: {e}"));
        }
    }
    (ms, errors)
}

fn rfc3339(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Creates a provider for `feed_url`, triggers it and runs the jobs until its run ended.
/// Returns the run's status and how long that took.
fn import_through_api(base: &str, feed_url: &str) -> anyhow::Result<(String, f64)> {
    let agent = agent(300);
    let started = Instant::now();
    let provider = post(
        &agent,
        &format!("{base}/api/v1/providers"),
        &serde_json::json!({"name": "loaded", "xmltv_url": feed_url, "priority": 5}),
    )?;
    let id = provider["id"].as_i64().context("provider id")?;
    let trigger = post(
        &agent,
        &format!("{base}/api/v1/import/trigger"),
        &serde_json::json!({ "provider_id": id }),
    )?;
    let run = trigger["runs"][0]["id"].as_i64().context("run id")?;
    // The job thread may claim the run first; then this pass finds nothing and the run
    // is watched until it ends.
    post(
        &agent,
        &format!("{base}/api/v1/jobs/run?budget_secs=25"),
        &serde_json::json!({}),
    )?;
    loop {
        let mut reply = agent
            .get(&format!("{base}/api/v1/import/runs/{run}"))
            .call()?;
        let body: serde_json::Value = serde_json::from_slice(&reply.body_mut().read_to_vec()?)?;
        let status = body["status"].as_str().unwrap_or("").to_owned();
        if !matches!(status.as_str(), "queued" | "running") {
            return Ok((status, started.elapsed().as_secs_f64()));
        }
        if started.elapsed() > Duration::from_secs(300) {
            bail!("the import did not end within 300 s");
        }
        thread::sleep(Duration::from_millis(200));
    }
}

fn post(
    agent: &ureq::Agent,
    url: &str,
    body: &serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    let mut reply = agent
        .post(url)
        .header("Authorization", &format!("Bearer {TOKEN}"))
        .header("Content-Type", "application/json")
        .send(body.to_string())?;
    let status = reply.status().as_u16();
    let bytes = reply.body_mut().read_to_vec()?;
    if !(200..300).contains(&status) {
        bail!("POST {url}: {status}: {}", String::from_utf8_lossy(&bytes));
    }
    Ok(serde_json::from_slice(&bytes)?)
}

/// `epg serve` on a free loopback port, killed on drop.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(db: &Path) -> anyhow::Result<Self> {
        let bin = epg_binary()?;
        // The daily import is put twelve hours away, so that only the loaded provider imports.
        let import_time = rfc3339(epg::store::now_seconds() + 12 * 3600)[11..16].to_owned();
        let mut child = Command::new(&bin)
            .args(["serve", "--db"])
            .arg(db)
            .args(["--listen", "127.0.0.1:0"])
            .env("SPIN_VARIABLE_ADMIN_TOKEN", TOKEN)
            .env("SPIN_VARIABLE_TIMEZONE", "UTC")
            .env("SPIN_VARIABLE_IMPORT_TIME", import_time)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let stderr = child.stderr.take().context("no stderr")?;
        let (tx, rx) = mpsc::channel();
        // Reads the log to its end, so the server never blocks on a full pipe.
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("url=http://") {
                    let url = line[at + 4..].split_whitespace().next().unwrap_or("");
                    let _ = tx.send(url.trim_matches('"').to_owned());
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(base) => Ok(Self { child, base }),
            Err(_) => {
                let _ = child.kill();
                bail!("{} serve did not report its address", bin.display())
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn epg_binary() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("EPG_BIN") {
        return Ok(PathBuf::from(path));
    }
    let beside = std::env::current_exe()?.with_file_name("epg");
    if beside.is_file() {
        return Ok(beside);
    }
    bail!(
        "no epg binary at {}; build it (cargo build --release -p epg-cli) or set EPG_BIN",
        beside.display()
    )
}

/// Serves one file at `/feed.xml` on a loopback port until the process ends.
struct FileServer {
    url: String,
}

impl FileServer {
    fn start(path: PathBuf) -> anyhow::Result<Self> {
        let server = tiny_http::Server::http("127.0.0.1:0")
            .map_err(|e| anyhow::anyhow!("cannot start the feed server: {e}"))?;
        let port = server
            .server_addr()
            .to_ip()
            .context("feed server address")?
            .port();
        thread::spawn(move || {
            for request in server.incoming_requests() {
                let _ = match File::open(&path) {
                    Ok(file) => request.respond(tiny_http::Response::from_file(file)),
                    Err(_) => request.respond(tiny_http::Response::empty(500)),
                };
            }
        });
        Ok(Self {
            url: format!("http://127.0.0.1:{port}/feed.xml"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let ms: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&ms, 0.5), Some(51.0));
        assert_eq!(percentile(&ms, 0.99), Some(99.0));
        assert_eq!(percentile(&ms, 1.0), Some(100.0));
        assert_eq!(percentile(&ms, 0.0), Some(1.0));
        assert_eq!(percentile(&[7.0], 0.99), Some(7.0));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
