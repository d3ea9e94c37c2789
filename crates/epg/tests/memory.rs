//! Peak memory on hostile feeds: one huge token of each kind, generated as a stream of
//! several GiB, plain and gzipped. A binary of its own because it measures every
//! allocation of the process with a counting global allocator, which tests running in
//! parallel would disturb; its cases run one after another in one test.

use std::io::{self, Read};
use std::sync::Mutex;

use epg::feed::{self, ReadOptions, TokenKind};
use epg::import::{self, ImportOptions, Trigger};
use epg::store::{self, SqliteStore, Store};
use peak_alloc::PeakAlloc;

#[global_allocator]
static PEAK: PeakAlloc = PeakAlloc;

/// The tests of this binary measure one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Bytes allocated at the peak of `f`, beyond what was allocated before it.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = PEAK.current_usage();
    PEAK.reset_peak_usage();
    let value = f();
    (value, PEAK.peak_usage().saturating_sub(base))
}

/// The issue's bound for `epg check` and an import on any input.
const MAX_PEAK_BYTES: usize = 64_000_000;
/// Each huge token is this long, far past any limit.
const TOKEN_BYTES: u64 = 3 << 30;

const HEAD: &str = "<?xml version=\"1.0\"?>\n";
const CHANNEL: &str = "<tv>\n<channel id=\"a\"><display-name>A</display-name></channel>";

/// `prefix`, then `filler` bytes of `x` produced on demand, then `suffix`.
struct Hostile {
    parts: [Vec<u8>; 2],
    at: usize,
    filler: u64,
    stage: u8,
}

impl Hostile {
    fn new(prefix: &str, suffix: &str) -> Self {
        Self {
            parts: [prefix.as_bytes().to_vec(), suffix.as_bytes().to_vec()],
            at: 0,
            filler: TOKEN_BYTES,
            stage: 0,
        }
    }
}

impl Read for Hostile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let part = match self.stage {
            0 => &self.parts[0],
            1 => {
                let n = buf
                    .len()
                    .min(usize::try_from(self.filler).unwrap_or(usize::MAX));
                if n > 0 {
                    buf[..n].fill(b'x');
                    self.filler -= n as u64;
                    return Ok(n);
                }
                self.stage = 2;
                self.at = 0;
                &self.parts[1]
            }
            _ => &self.parts[1],
        };
        let n = (part.len() - self.at).min(buf.len());
        buf[..n].copy_from_slice(&part[self.at..self.at + n]);
        self.at += n;
        if self.stage == 0 && self.at == part.len() {
            self.stage = 1;
        }
        Ok(n)
    }
}

struct Shape {
    name: &'static str,
    prefix: String,
    suffix: &'static str,
    kind: TokenKind,
    position: usize,
}

fn shapes() -> Vec<Shape> {
    let body = format!("{HEAD}{CHANNEL}");
    let shape = |name, open: &str, suffix, kind, at_body: bool| {
        let before = if at_body {
            body.clone()
        } else {
            HEAD.to_owned()
        };
        Shape {
            name,
            position: before.len(),
            prefix: format!("{before}{open}"),
            suffix,
            kind,
        }
    };
    vec![
        shape("comment", "<!--", "--></tv>", TokenKind::Comment, true),
        shape("text", "", "</tv>", TokenKind::Text, true),
        shape("cdata", "<![CDATA[", "]]></tv>", TokenKind::CData, true),
        shape(
            "attribute value",
            "<programme channel=\"",
            "\"/></tv>",
            TokenKind::StartTag,
            true,
        ),
        shape(
            "pi",
            "<?pi ",
            "?></tv>",
            TokenKind::ProcessingInstruction,
            true,
        ),
        shape(
            "doctype",
            "<!DOCTYPE tv SYSTEM \"",
            "\"><tv/>",
            TokenKind::DocType,
            false,
        ),
    ]
}

fn gzipped(input: Hostile) -> impl Read {
    flate2::read::GzEncoder::new(input, flate2::Compression::fast())
}

struct Discard;

impl feed::Sink for Discard {
    type Error = feed::Error;
    fn channel(&mut self, _: epg::model::Channel) -> Result<(), feed::Error> {
        Ok(())
    }
    fn programme(&mut self, _: epg::model::Programme) -> Result<(), feed::Error> {
        Ok(())
    }
    fn reject(&mut self, _: feed::Reject) -> Result<(), feed::Error> {
        Ok(())
    }
}

/// The error and the peak bytes allocated while reading `input` as `epg check` does.
fn check(input: impl Read) -> (String, usize) {
    let (e, peak) = peak_of(|| feed::read(input, &ReadOptions::default(), &mut Discard));
    (e.expect_err("hostile").to_string(), peak)
}

/// The error and the peak bytes allocated while importing `input`.
fn import(input: impl Read) -> (String, usize) {
    let (db, run) = run_of_new_provider();
    let (e, peak) = peak_of(|| import::run(&db, run, input, &ImportOptions::default()));
    let e = e.expect_err("hostile");
    let failed = import::get_run(&db, run).expect("get").expect("row");
    assert_eq!(failed.error.as_deref(), Some(e.to_string().as_str()));
    (e.to_string(), peak)
}

#[test]
fn issue11_one_huge_token_fails_in_bounded_memory() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for shape in shapes() {
        let expected = format!(
            "the {} at byte {} is longer than {} bytes",
            shape.kind,
            shape.position,
            feed::DEFAULT_MAX_TOKEN_BYTES
        );
        let plain = || Hostile::new(&shape.prefix, shape.suffix);
        let runs = [
            ("check", check(plain())),
            ("check gzip", check(gzipped(plain()))),
            ("import", import(plain())),
            ("import gzip", import(gzipped(plain()))),
        ];
        for (how, (error, peak)) in runs {
            println!("{} ({how}): peak {peak} bytes", shape.name);
            assert_eq!(error, expected, "{} ({how})", shape.name);
            assert!(peak < MAX_PEAK_BYTES, "{} ({how}): peak {peak}", shape.name);
        }
    }
}

/// A fresh database with one provider and a running run of it.
fn run_of_new_provider() -> (SqliteStore, i64) {
    let db = SqliteStore::open_in_memory().expect("open");
    store::migrate(&db).expect("migrate");
    let rows = db
        .execute(
            "INSERT INTO providers (name, xmltv_url, created_at, updated_at) \
             VALUES ('p', 'https://example.com/p.xml', 0, 0) RETURNING id",
            &[],
        )
        .expect("provider");
    let provider = rows.first().expect("row").i64(0).expect("id");
    let run = import::start_run(&db, provider, Trigger::Cli).expect("run");
    (db, run.id)
}

/// Documents just inside every limit are read whole, in bounded memory too: a comment
/// of almost the token limit, a programme of almost the record limit (a channel id and
/// descriptions of almost the text limit each), and as many channels as allowed.
#[test]
fn issue11_documents_at_the_limits_read_in_bounded_memory() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let near = |limit: u64| "x".repeat(usize::try_from(limit).expect("small") - 100);
    let text = near(1_048_576);
    let comment = format!(
        "{HEAD}{CHANNEL}<!--{}--></tv>",
        near(feed::DEFAULT_MAX_TOKEN_BYTES)
    );
    let descs: String = ["en", "de", "fr"]
        .iter()
        .map(|lang| format!("<desc lang=\"{lang}\">{text}</desc>"))
        .collect();
    let programme = format!(
        "{HEAD}{CHANNEL}<programme channel=\"{text}\" start=\"20240101100000 +0000\" \
         stop=\"20240101110000 +0000\"><title>T</title>{descs}</programme></tv>"
    );
    let channels = feed::Limits::default().max_channels;
    let many: String = (0..channels)
        .map(|i| {
            format!(
                "<programme channel=\"c{i:08}\" start=\"20240101100000 +0000\" \
                 stop=\"20240101110000 +0000\"><title>T</title></programme>"
            )
        })
        .collect();
    let many = format!("<tv>{many}</tv>");
    let cases = [
        ("comment", comment, 0),
        ("programme", programme, 1),
        ("channels", many, channels as u64),
    ];
    for (name, doc, programmes) in cases {
        let (summary, check_peak) =
            peak_of(|| feed::read(doc.as_bytes(), &ReadOptions::default(), &mut Discard));
        assert_eq!(
            summary.expect("within the limits").programmes,
            programmes,
            "{name}"
        );
        let (db, run) = run_of_new_provider();
        let (record, import_peak) =
            peak_of(|| import::run(&db, run, doc.as_bytes(), &ImportOptions::default()));
        assert_eq!(
            record.expect("within the limits").added,
            programmes,
            "{name}"
        );
        println!(
            "{name} at the limits: check peak {check_peak} bytes, import peak {import_peak} bytes"
        );
        assert!(
            check_peak < MAX_PEAK_BYTES,
            "{name}: check peak {check_peak}"
        );
        assert!(
            import_peak < MAX_PEAK_BYTES,
            "{name}: import peak {import_peak}"
        );
    }
}
