//! Runs the built `epg` binary on a real sample feed.

use std::fs;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Output};

use epg::{SqliteStore, Store};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/xmltv-samples/iptv-org-epg/epgshare01.online.content.xml.gz"
);
const SAMPLE_PLAIN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/xmltv-samples/iptv-org-epg/epgshare01.online.content.xml"
);

fn epg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_epg"))
        .args(args)
        .output()
        .expect("run epg")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("utf-8 stderr")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("json stdout")
}

/// A fresh directory per test, so tests can run in parallel.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("epg-cli")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn help_version_and_usage_errors() {
    let help = epg(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).starts_with("epg: check, import, clean up and export"));

    let check_help = epg(&["check", "--help"]);
    assert_eq!(check_help.status.code(), Some(0));
    assert!(stdout(&check_help).contains("Usage: epg check [OPTIONS] <FEED>"));

    let version = epg(&["--version"]);
    assert_eq!(
        stdout(&version),
        format!("epg {}\n", env!("CARGO_PKG_VERSION"))
    );

    let bad = epg(&["cleanup", "--db", "x.db"]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        stderr(&bad),
        "error: missing required option --days\n\nFor usage, run `epg cleanup --help`.\n"
    );
}

#[test]
fn check_json_counts_the_sample() {
    let out = epg(&["check", "--json", SAMPLE]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["channels"], 2);
    assert_eq!(report["programmes"], 203);
    assert_eq!(report["rejected"], 0);
    assert_eq!(report["warnings"], 0);
    assert_eq!(report["first_start"], "2025-02-07T23:00:00Z");
    assert_eq!(report["last_stop"], "2025-02-11T23:00:00Z");
    assert_eq!(report["rejects"], serde_json::json!([]));
    assert_eq!(report["error"], serde_json::Value::Null);
}

#[test]
fn check_text_reads_stdin() {
    let out = Command::new(env!("CARGO_BIN_EXE_epg"))
        .args(["check", "-"])
        .stdin(fs::File::open(SAMPLE).expect("sample"))
        .output()
        .expect("run epg");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("channels:    2\nprogrammes:  203\nrejected:    0\n"),
        "{text}"
    );
}

#[test]
fn check_fails_on_truncated_feeds() {
    let dir = scratch("truncated");
    for (source, name) in [(SAMPLE_PLAIN, "cut.xml"), (SAMPLE, "cut.xml.gz")] {
        let bytes = fs::read(source).expect("sample");
        let path = dir.join(name);
        fs::write(&path, &bytes[..bytes.len() / 2]).expect("write");
        let out = epg(&["check", path.to_str().expect("path")]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(
            stderr(&out).starts_with("error: "),
            "{name}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn check_reports_a_missing_file() {
    let out = epg(&["check", "/nonexistent/feed.xml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: cannot open /nonexistent/feed.xml: No such file or directory (os error 2)\n"
    );
}

fn programme_count(db: &std::path::Path) -> i64 {
    let store = SqliteStore::open(db).expect("open db");
    let rows = store
        .execute("SELECT COUNT(*) FROM programmes", &[])
        .expect("count");
    rows.first().expect("row").i64(0).expect("count")
}

#[test]
fn import_twice_then_export_and_cleanup() {
    let dir = scratch("import");
    let db = dir.join("guide.db");
    let db_arg = db.to_str().expect("path");
    let import = |_: u32| {
        let out = epg(&[
            "import",
            "--db",
            db_arg,
            "--provider",
            "epgshare01",
            "--json",
            SAMPLE,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        json(&out)
    };

    let first = import(1);
    assert_eq!(first[0]["run"]["status"], "succeeded");
    assert_eq!(first[0]["run"]["programmes_seen"], 203);
    let after_first = programme_count(&db);
    assert!(after_first > 0);

    let second = import(2);
    assert_eq!(second[0]["run"]["status"], "succeeded");
    assert_eq!(second[0]["run"]["added"], 0);
    assert_eq!(programme_count(&db), after_first);

    let out_path = dir.join("guide.xml");
    let export = epg(&[
        "export",
        "--db",
        db_arg,
        "-o",
        out_path.to_str().expect("path"),
    ]);
    assert_eq!(export.status.code(), Some(0), "{}", stderr(&export));
    let xml = fs::read_to_string(&out_path).expect("export file");
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("<tv"), "{xml}");

    let gz = epg(&["export", "--db", db_arg, "--gzip"]);
    assert_eq!(gz.status.code(), Some(0), "{}", stderr(&gz));
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(gz.stdout.as_slice())
        .read_to_string(&mut unzipped)
        .expect("gzip export");
    assert!(unzipped.starts_with("<?xml"), "{unzipped}");

    // The sample is from February 2025: a 7-day retention removes all of it.
    let cleanup = epg(&["cleanup", "--db", db_arg, "--days", "7", "--json"]);
    assert_eq!(cleanup.status.code(), Some(0), "{}", stderr(&cleanup));
    let report = json(&cleanup);
    assert_eq!(report["past_programmes"], after_first);
    assert_eq!(report["future_programmes"], 0);
    assert_eq!(programme_count(&db), 0);
}

#[test]
fn cleanup_and_export_refuse_a_missing_database() {
    let dir = scratch("missing-db");
    let db = dir.join("absent.db");
    let db_arg = db.to_str().expect("path");
    for args in [
        vec!["cleanup", "--db", db_arg, "--days", "7"],
        vec!["export", "--db", db_arg],
    ] {
        let out = epg(&args);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            stderr(&out),
            format!("error: database {db_arg} does not exist\n")
        );
        assert!(!db.exists());
    }
}
