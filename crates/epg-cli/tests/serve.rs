//! `epg serve` over real HTTP: the built binary on a free loopback port, every request
//! through the socket.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use epg::import::{self, Trigger};
use epg::{SqliteStore, Store, catalog};
use serde_json::{Value, json};
use support::{Canned, FeedServer, Gate, feed_xml};

/// A running `epg serve`, killed when dropped.
struct Server {
    child: Child,
    base: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(db: &Path, env: &[(&str, &str)]) -> Self {
        Self::start_with(db, env, &[])
    }

    fn start_with(db: &Path, env: &[(&str, &str)], flags: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_epg"))
            .args([
                "serve",
                "--db",
                db.to_str().expect("path"),
                "--listen",
                "127.0.0.1:0",
            ])
            .args(flags)
            // Only the settings a test gives: no SPIN_VARIABLE_*, EPG_DB or proxy of
            // the caller's may change what the server does.
            .env_clear()
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start epg serve");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let base = loop {
            let line = lines.next().expect("serve exited early").expect("log line");
            if let Some(url) = line.strip_prefix("level=info event=listening url=") {
                break url.to_owned();
            }
        };
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().expect("lock").push(line);
            }
        });
        Self { child, base, log }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    fn terminate(&self) {
        // The shell's built-in `kill`: no binary to install, no unsafe `libc::kill`.
        let status = Command::new("sh")
            .args(["-c", &format!("kill -TERM {}", self.child.id())])
            .status()
            .expect("sh");
        assert!(status.success());
    }

    /// Waits for a log line starting with `prefix` (the reader thread may lag behind
    /// the response).
    fn log_line(&self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let lines = self.log.lock().expect("lock").clone();
            if let Some(line) = lines.iter().find(|l| l.starts_with(prefix)) {
                return line.clone();
            }
            assert!(Instant::now() < deadline, "no line {prefix:?} in {lines:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "epg serve did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .proxy(None)
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// Status, headers of interest and body of a response.
struct Reply {
    status: u16,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().expect("ascii"))
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("json body")
    }
}

fn reply(response: Result<http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let response = response.expect("response");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    response
        .into_body()
        .into_reader()
        .read_to_end(&mut body)
        .expect("body");
    Reply {
        status,
        headers,
        body,
    }
}

fn send_json(
    request: ureq::RequestBuilder<ureq::typestate::WithBody>,
    body: &Value,
) -> Result<http::Response<ureq::Body>, ureq::Error> {
    request
        .header("content-type", "application/json")
        .send(body.to_string().as_bytes())
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("epg-serve")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join("guide.db")
}

/// Adds provider `name` fetching `url` to the database (created if needed), with a
/// queued run, and returns the run.
fn queued_run(db: &Path, name: &str, url: &str) -> i64 {
    let store = SqliteStore::open(db).expect("open");
    epg::prepare(&store).expect("prepare");
    let input = serde_json::from_value(json!({"name": name, "xmltv_url": url})).expect("input");
    let provider =
        catalog::create_provider(&store, &input, epg::store::now_seconds()).expect("provider");
    import::queue_run(&store, provider.id, Trigger::Manual)
        .expect("queue")
        .id
}

fn wait_for_run(server: &Server, run: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = reply(
            agent()
                .get(&server.url(&format!("/api/v1/import/runs/{run}")))
                .call(),
        );
        assert_eq!(r.status, 200);
        let record = r.json();
        if !matches!(record["status"].as_str(), Some("queued" | "running")) {
            return record;
        }
        assert!(
            Instant::now() < deadline,
            "run {run} still {}",
            record["status"]
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn routes_problems_and_the_body_limit() {
    let db = scratch("routes");
    let server = Server::start(&db, &[]);
    let a = agent();

    let health = reply(a.get(&server.url("/api/v1/health")).call());
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    assert_eq!(health.json()["database"], "ok");

    let missing = reply(a.get(&server.url("/nope")).call());
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(
        missing.json(),
        json!({"detail": "route /nope not found", "status": 404, "title": "Not Found", "type": "about:blank"})
    );

    let wrong = reply(a.delete(&server.url("/api/v1/health")).call());
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.header("allow"), Some("GET, HEAD, OPTIONS"));
    assert_eq!(
        wrong.json()["detail"],
        "method not allowed here; allowed: GET, HEAD, OPTIONS"
    );

    let big = vec![b' '; epg::api::MAX_BODY_BYTES + 1];
    let too_large = reply(
        a.post(&server.url("/api/v1/providers"))
            .header("content-type", "application/json")
            .send(&big[..]),
    );
    assert_eq!(too_large.status, 413);
    assert_eq!(
        too_large.json()["detail"],
        "the request body is larger than 1048576 bytes"
    );

    let line = server.log_line("level=info method=DELETE route=/api/v1/health status=405 ");
    assert!(line.contains(" duration_ms="), "{line}");
}

#[test]
fn writes_need_the_token_and_a_forged_client_address_is_replaced() {
    let db = scratch("auth");
    let body = json!({"name": "a", "xmltv_url": "http://127.0.0.1:9/a.xml"});
    let server = Server::start(&db, &[("SPIN_VARIABLE_ADMIN_TOKEN", "s3cret")]);
    let a = agent();
    let post = |token: Option<&str>, name: &str| {
        let mut request = a.post(&server.url("/api/v1/providers"));
        if let Some(token) = token {
            request = request.header("authorization", &format!("Bearer {token}"));
        }
        let body = json!({"name": name, "xmltv_url": body["xmltv_url"]});
        reply(send_json(request, &body))
    };
    assert_eq!(post(None, "a").status, 401);
    assert_eq!(post(Some("wrong"), "a").status, 401);
    let created = post(Some("s3cret"), "a");
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    assert_eq!(created.json()["name"], "a");
    drop(server);

    // Without a token, writes come from loopback only, judged by the real peer
    // address: a client's own `spin-client-addr` is dropped, not trusted or merged.
    let server = Server::start(&db, &[]);
    let forged = reply(send_json(
        a.post(&server.url("/api/v1/providers"))
            .header("spin-client-addr", "203.0.113.9:4000"),
        &json!({"name": "b", "xmltv_url": "http://127.0.0.1:9/b.xml"}),
    ));
    assert_eq!(
        forged.status,
        201,
        "{}",
        String::from_utf8_lossy(&forged.body)
    );
    let proxied = reply(send_json(
        a.post(&server.url("/api/v1/providers"))
            .header("x-forwarded-for", "203.0.113.9"),
        &json!({"name": "c", "xmltv_url": "http://127.0.0.1:9/c.xml"}),
    ));
    assert_eq!(proxied.status, 403);
}

#[test]
fn a_job_tick_imports_a_loopback_feed_and_the_export_streams_it() {
    let now = epg::store::now_seconds();
    let feed = FeedServer::start(vec![
        ("/old.xml", Canned::redirect("/feed.xml")),
        ("/feed.xml", Canned::ok(feed_xml(now, 2, 30))),
    ]);
    let db = scratch("tick");
    let run = queued_run(&db, "loopback", &feed.url("/old.xml"));
    // The job thread's first tick runs at start.
    let server = Server::start(&db, &[]);
    let record = wait_for_run(&server, run);
    assert_eq!(record["status"], "succeeded", "{record}");
    assert_eq!(record["channels_seen"], 2);
    assert_eq!(record["programmes_seen"], 60);
    let heads = feed.requests.lock().expect("lock").clone();
    assert_eq!(heads.len(), 2, "{heads:?}");
    assert!(
        heads[0].starts_with("GET /old.xml HTTP/1.1\r\n"),
        "{heads:?}"
    );
    assert!(
        heads[1].starts_with("GET /feed.xml HTTP/1.1\r\n"),
        "{heads:?}"
    );

    let export = reply(agent().get(&server.url("/xmltv.xml.gz?days=1")).call());
    assert_eq!(export.status, 200);
    assert_eq!(export.header("content-type"), Some("application/gzip"));
    // Streamed: chunked, so no length is known up front.
    assert_eq!(export.header("transfer-encoding"), Some("chunked"));
    assert_eq!(export.header("content-length"), None);
    let mut xml = String::new();
    flate2::read::GzDecoder::new(export.body.as_slice())
        .read_to_string(&mut xml)
        .expect("gzip");
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{xml}"
    );
    assert!(xml.trim_end().ends_with("</tv>"), "{xml}");
    assert_eq!(xml.matches("<channel ").count(), 2);
    // The window is the day from the current hour: 24 of each channel's 30 hours.
    assert_eq!(xml.matches("<programme ").count(), 48);
}

#[test]
fn sigterm_finishes_the_request_in_flight_then_exits_0() {
    let db = scratch("graceful");
    let mut server = Server::start(&db, &[]);
    let body = json!({"name": "late", "xmltv_url": "http://127.0.0.1:9/late.xml"}).to_string();
    let mut stream = TcpStream::connect(server.addr()).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    // `Expect: 100-continue` makes the server say when it is reading the body, so the
    // request is known to be in flight when the signal arrives.
    write!(
        stream,
        "POST /api/v1/providers HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    )
    .expect("head");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    reader.read_line(&mut line).expect("100");
    assert_eq!(line, "HTTP/1.1 100 Continue\r\n");
    reader.read_line(&mut line).expect("blank");

    server.terminate();
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(body.as_bytes()).expect("body");
    let mut response = String::new();
    reader.read_to_string(&mut response).expect("response");
    assert!(
        response.starts_with("HTTP/1.1 201 Created\r\n"),
        "{response}"
    );
    assert!(response.contains("\"name\":\"late\""), "{response}");

    let status = server.wait(Duration::from_secs(20));
    assert_eq!(status.code(), Some(0));
    let lines = server.log.lock().expect("lock").clone();
    assert!(
        lines.contains(&"level=info event=stopped".to_owned()),
        "{lines:?}"
    );
    assert!(TcpStream::connect(server.addr()).is_err());
}

#[test]
fn sigterm_during_an_import_lets_it_finish_and_leaves_no_run_running() {
    let now = epg::store::now_seconds();
    let mut slow = Canned::ok(feed_xml(now, 1, 10));
    slow.delay = Duration::from_millis(1500);
    let feed = FeedServer::start(vec![("/slow.xml", slow)]);
    let db = scratch("stop-mid-import");
    let run = queued_run(&db, "loopback", &feed.url("/slow.xml"));
    let next = queued_run(&db, "next", &feed.url("/slow.xml"));
    let mut server = Server::start(&db, &[]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while feed.requests.lock().expect("lock").is_empty() {
        assert!(Instant::now() < deadline, "the job thread never fetched");
        std::thread::sleep(Duration::from_millis(20));
    }
    server.terminate();
    assert_eq!(server.wait(Duration::from_secs(30)).code(), Some(0));
    let store = SqliteStore::open(&db).expect("open");
    let record = import::get_run(&store, run).expect("read").expect("run");
    assert_eq!(record.status, import::RunStatus::Succeeded);
    assert_eq!(record.programmes_seen, 10);
    // The job thread stopped between runs: the next one waits for the next process.
    let next = import::get_run(&store, next).expect("read").expect("run");
    assert_eq!(next.status, import::RunStatus::Queued);
    assert_eq!(feed.requests.lock().expect("lock").len(), 1);
}

#[test]
fn settings_come_from_spin_variables_and_flags_override_them() {
    let db = scratch("settings");
    let out = Command::new(env!("CARGO_BIN_EXE_epg"))
        .args([
            "serve",
            "--db",
            db.to_str().expect("path"),
            "--listen",
            "127.0.0.1:0",
        ])
        .env_clear()
        .env("SPIN_VARIABLE_TIMEZONE", "Mars/Base")
        .output()
        .expect("run epg");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: invalid value \"Mars/Base\" for setting timezone: \
         expected an IANA zone such as Europe/Berlin\n"
    );

    // A flag wins over its variable; CORS (from its variable) shows on every response.
    let server = Server::start_with(
        &db,
        &[
            ("SPIN_VARIABLE_TIMEZONE", "Mars/Base"),
            ("SPIN_VARIABLE_CORS_ENABLED", "true"),
        ],
        &["--timezone", "Europe/Berlin"],
    );
    let health = reply(agent().get(&server.url("/api/v1/health")).call());
    assert_eq!(health.status, 200);
    assert_eq!(health.header("access-control-allow-origin"), Some("*"));
}

#[test]
fn a_second_signal_stops_at_once() {
    let now = epg::store::now_seconds();
    let mut stalled = Canned::ok(feed_xml(now, 1, 10));
    stalled.delay = Duration::from_secs(60);
    let feed = FeedServer::start(vec![("/stalled.xml", stalled)]);
    let db = scratch("second-signal");
    queued_run(&db, "loopback", &feed.url("/stalled.xml"));
    let mut server = Server::start(&db, &[]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while feed.requests.lock().expect("lock").is_empty() {
        assert!(Instant::now() < deadline, "the job thread never fetched");
        std::thread::sleep(Duration::from_millis(20));
    }
    server.terminate();
    // Once the first is taken (two signals before that would be one).
    server.log_line("level=info event=stopping");
    server.terminate();
    assert_eq!(server.wait(Duration::from_secs(10)).code(), Some(1));
    assert_eq!(
        server.log_line("error: "),
        "error: stopped before the work in flight was finished"
    );
}

#[test]
fn cores_times_four_requests_at_once_and_reads_do_not_wait_for_them() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let n = (cores * 4).max(8);
    let now = epg::store::now_seconds();
    let gate = Gate::default();
    let mut held = Canned::ok(feed_xml(now, 1, 10));
    held.gate = Some(gate.clone());
    let feed = FeedServer::start(vec![("/held.xml", held)]);
    let db = scratch("concurrency");
    let store = SqliteStore::open(&db).expect("open");
    epg::prepare(&store).expect("prepare");
    for i in 0..n {
        let input = serde_json::from_value(
            json!({"name": format!("p{i}"), "xmltv_url": feed.url("/held.xml")}),
        )
        .expect("input");
        let provider = catalog::create_provider(&store, &input, now).expect("provider");
        import::queue_run(&store, provider.id, Trigger::Manual).expect("queue");
    }
    let server = Server::start(&db, &[]);
    // Each `POST /jobs/run` claims a run and holds it at the gate (the job thread
    // takes one too), so `n` feeds at the gate means `n - 1` requests in flight at once.
    let clients: Vec<_> = (0..n)
        .map(|_| {
            let url = server.url("/api/v1/jobs/run");
            std::thread::spawn(move || reply(agent().post(&url).send_empty()).status)
        })
        .collect();
    let arrived = gate.wait_for(n, Duration::from_secs(60));
    let health = reply(agent().get(&server.url("/api/v1/health")).call());
    let channels = reply(agent().get(&server.url("/api/v1/channels")).call());
    gate.open();
    assert_eq!(
        arrived, n,
        "only {arrived} of {n} feeds were fetched at once"
    );
    assert_eq!((health.status, channels.status), (200, 200));
    for client in clients {
        assert_eq!(client.join().expect("client"), 200);
    }
    // The job thread's run is nobody's request: it may finish after the last reply.
    let statuses = || {
        store
            .execute(
                "SELECT status, COUNT(*) FROM import_log GROUP BY status",
                &[],
            )
            .expect("runs")
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut runs = statuses();
    while runs.len() > 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        runs = statuses();
    }
    let row = runs.first().expect("row");
    assert_eq!(runs.len(), 1, "{:?}", runs.rows);
    assert_eq!(
        (row.str(0).expect("status"), row.i64(1).expect("count")),
        ("succeeded", n as i64)
    );
}
