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

/// `epg` with the environment variables it reads removed, so the caller's cannot leak in.
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_epg"));
    command.args(args).env_remove("EPG_DB");
    command
}

fn epg(args: &[&str]) -> Output {
    command(args).output().expect("run epg")
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
        "error: the following required arguments were not provided:\n  --days <N>\n\n\
         Usage: epg cleanup --db <PATH> --days <N>\n\nFor more information, try '--help'.\n"
    );
    assert_eq!(stdout(&bad), "");

    let typo = epg(&["exprot", "--db", "x.db"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr(&typo).starts_with(
            "error: unrecognized subcommand 'exprot'\n\n  tip: a similar subcommand exists: 'export'\n"
        ),
        "{}",
        stderr(&typo)
    );
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "_epg()"),
        ("zsh", "#compdef epg"),
        ("fish", "complete -c epg"),
    ] {
        let out = epg(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(script.contains("serve"), "{shell}");
    }
    let bad = epg(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).starts_with("error: invalid value 'tcsh' for '<SHELL>'"));
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
fn import_settles_programmes_without_a_stop_instead_of_rejecting_them() {
    let dir = scratch("open-stops");
    let feed = dir.join("feed.xml");
    // The first programme has no stop and the second's stop is before its start: the
    // next start on the channel gives each its stop. The last one has a stop.
    fs::write(
        &feed,
        r#"<tv><channel id="a"><display-name>A</display-name></channel>
<programme channel="a" start="20250201060000 +0000"><title>No stop</title></programme>
<programme channel="a" start="20250201070000 +0000" stop="20250201063000 +0000"><title>Backwards</title></programme>
<programme channel="a" start="20250201080000 +0000" stop="20250201090000 +0000"><title>Last</title></programme>
</tv>"#,
    )
    .expect("feed");
    let db = dir.join("guide.db");
    let out = epg(&[
        "import",
        "--db",
        db.to_str().expect("path"),
        "--provider",
        "p",
        "--json",
        feed.to_str().expect("path"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = &json(&out)[0]["run"];
    assert_eq!(
        (&run["added"], &run["rejected"]),
        (&3.into(), &0.into()),
        "{run}"
    );
    let store = SqliteStore::open(&db).expect("open db");
    let stops = store
        .execute(
            "SELECT title, start, stop FROM programmes ORDER BY start",
            &[],
        )
        .expect("programmes");
    let stops: Vec<(String, i64)> = stops
        .iter()
        .map(|r| {
            (
                r.str(0).expect("title").to_owned(),
                r.i64(2).expect("stop") - r.i64(1).expect("start"),
            )
        })
        .collect();
    let hour = 3_600;
    assert_eq!(
        stops,
        [
            ("No stop".into(), hour),
            ("Backwards".into(), hour),
            ("Last".into(), hour)
        ]
    );
}

#[test]
fn the_database_falls_back_to_epg_db() {
    let dir = scratch("epg-db");
    let db = dir.join("env.db");
    let out = command(&["import", "--provider", "p", "--json", SAMPLE])
        .env("EPG_DB", &db)
        .output()
        .expect("run epg");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)[0]["run"]["programmes_seen"], 203);
    assert!(programme_count(&db) > 0);
}

/// A feed of `n` programmes, big enough for the reader to report progress many times.
fn big_feed(dir: &std::path::Path, n: u32) -> PathBuf {
    let mut xml =
        String::from("<tv><channel id=\"a.test\"><display-name>A</display-name></channel>\n");
    for i in 0..n {
        let (day, hour) = (1 + i / 24, i % 24);
        xml.push_str(&format!(
            "<programme start=\"2025{month:02}{mday:02}{hour:02}0000 +0000\" \
             stop=\"2025{month:02}{mday:02}{hour:02}3000 +0000\" channel=\"a.test\">\
             <title>Show {i}</title></programme>\n",
            month = 1 + (day - 1) / 28,
            mday = 1 + (day - 1) % 28
        ));
    }
    xml.push_str("</tv>\n");
    let path = dir.join("big.xml");
    fs::write(&path, xml).expect("write feed");
    path
}

#[test]
fn no_progress_when_stderr_is_not_a_terminal() {
    let dir = scratch("progress");
    let feed = big_feed(&dir, 5_000);
    let feed = feed.to_str().expect("path");
    let check = epg(&["check", feed]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert!(stdout(&check).starts_with("channels:    1\nprogrammes:  5000\n"));
    assert_eq!(stderr(&check), "");
    let db = dir.join("guide.db");
    let import = epg(&[
        "import",
        "--db",
        db.to_str().expect("path"),
        "--provider",
        "p",
        feed,
    ]);
    assert_eq!(import.status.code(), Some(0), "{}", stderr(&import));
    assert!(
        stdout(&import).contains("programmes 5000\n"),
        "{}",
        stdout(&import)
    );
    assert_eq!(stderr(&import), "");
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let dir = scratch("closed-stdout");
    let db = dir.join("guide.db");
    let db_arg = db.to_str().expect("path");
    let feed = big_feed(&dir, 5_000);
    let import = epg(&[
        "import",
        "--db",
        db_arg,
        "--provider",
        "p",
        feed.to_str().expect("path"),
    ]);
    assert_eq!(import.status.code(), Some(0), "{}", stderr(&import));
    let runs: [&[&str]; 4] = [
        &["check", SAMPLE],
        &["check", "--json", SAMPLE],
        &["completions", "bash"],
        &["export", "--db", db_arg],
    ];
    for args in runs {
        // The reading end is closed before epg starts, as `| head` does once it has
        // its lines: every write fails with a broken pipe.
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = command(args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("run epg");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(stderr(&out), "", "{args:?}");
    }
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
