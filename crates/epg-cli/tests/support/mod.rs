//! What the CLI's test binaries share: a loopback feed server and generated feeds.

#![allow(dead_code)] // each test binary uses part of it

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// An XMLTV document with `channels` channels of hourly programmes, the first starting
/// an hour before `now` (rounded down to the hour), `hours` per channel.
pub fn feed_xml(now: i64, channels: u32, hours: u32) -> String {
    let start = now - now.rem_euclid(3600) - 3600;
    let time = |t: i64| {
        DateTime::<Utc>::from_timestamp(t, 0)
            .expect("time")
            .format("%Y%m%d%H%M%S +0000")
            .to_string()
    };
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tv>\n");
    for c in 0..channels {
        xml.push_str(&format!(
            "<channel id=\"ch{c}.test\"><display-name>Channel {c}</display-name></channel>\n"
        ));
    }
    for c in 0..channels {
        for h in 0..hours {
            let t = start + i64::from(h) * 3600;
            xml.push_str(&format!(
                "<programme start=\"{}\" stop=\"{}\" channel=\"ch{c}.test\"><title>Show {h}</title></programme>\n",
                time(t),
                time(t + 3600)
            ));
        }
    }
    xml.push_str("</tv>\n");
    xml
}

/// A canned answer of the feed server.
#[derive(Clone)]
pub struct Canned {
    /// The status line's code and reason, e.g. `200 OK`.
    pub status: &'static str,
    /// Extra header lines.
    pub headers: Vec<String>,
    /// The body.
    pub body: Vec<u8>,
    /// Time to wait before answering.
    pub delay: Duration,
    /// Whether to send `Content-Length`; without it the body ends when the connection
    /// closes, so its size is known only once read.
    pub length: bool,
    /// Holds the answer until the test opens the gate.
    pub gate: Option<Gate>,
}

/// Requests held until the test opens it, counting those waiting: proof that so many
/// were in flight at once.
#[derive(Clone, Default)]
pub struct Gate {
    state: Arc<(Mutex<(usize, bool)>, Condvar)>,
}

impl Gate {
    fn pass(&self) {
        let (lock, changed) = &*self.state;
        let mut state = lock.lock().expect("lock");
        state.0 += 1;
        changed.notify_all();
        while !state.1 {
            state = changed.wait(state).expect("wait");
        }
    }

    /// Waits up to `timeout` for `n` requests at the gate; returns how many came.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> usize {
        let (lock, changed) = &*self.state;
        let state = lock.lock().expect("lock");
        let (state, _) = changed
            .wait_timeout_while(state, timeout, |s| s.0 < n)
            .expect("wait");
        state.0
    }

    /// Lets every held request through, and all later ones.
    pub fn open(&self) {
        let (lock, changed) = &*self.state;
        lock.lock().expect("lock").1 = true;
        changed.notify_all();
    }
}

impl Canned {
    /// A 200 with `body`.
    pub fn ok(body: impl Into<Vec<u8>>) -> Self {
        Self {
            status: "200 OK",
            headers: vec!["Content-Type: application/xml".into()],
            body: body.into(),
            delay: Duration::ZERO,
            length: true,
            gate: None,
        }
    }

    /// A response with `status` and no body.
    pub fn status(status: &'static str) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
            length: true,
            gate: None,
        }
    }

    /// A redirect to `location`.
    pub fn redirect(location: &str) -> Self {
        Self {
            status: "302 Found",
            headers: vec![format!("Location: {location}")],
            body: Vec::new(),
            delay: Duration::ZERO,
            length: true,
            gate: None,
        }
    }
}

/// A loopback HTTP server for feeds: answers each path with its [`Canned`] response
/// (404 otherwise) and records every request head. A test stub, not a server: one
/// thread per connection, `Connection: close`.
pub struct FeedServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The request heads received, in order.
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl FeedServer {
    /// Starts the server on a free loopback port.
    pub fn start(routes: Vec<(&'static str, Canned)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind feed server");
        let addr = listener.local_addr().expect("addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let routes = Arc::new(routes);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (routes, seen) = (Arc::clone(&routes), Arc::clone(&seen));
                std::thread::spawn(move || answer(stream, &routes, &seen));
            }
        });
        Self { addr, requests }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

fn answer(mut stream: TcpStream, routes: &[(&'static str, Canned)], seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let path = head.split(' ').nth(1).unwrap_or("").to_owned();
    seen.lock().expect("lock").push(head);
    let canned = routes
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, c)| c.clone())
        .unwrap_or_else(|| Canned::status("404 Not Found"));
    if let Some(gate) = &canned.gate {
        gate.pass();
    }
    std::thread::sleep(canned.delay);
    let mut out = format!("HTTP/1.1 {}\r\n", canned.status);
    for h in &canned.headers {
        out.push_str(h);
        out.push_str("\r\n");
    }
    if canned.length {
        out.push_str(&format!("Content-Length: {}\r\n", canned.body.len()));
    }
    out.push_str("Connection: close\r\n\r\n");
    let _ = stream.write_all(out.as_bytes());
    let _ = stream.write_all(&canned.body);
}
