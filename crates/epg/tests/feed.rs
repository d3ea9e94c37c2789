//! The XMLTV reader on real samples and on hostile input.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use epg::feed::{self, Limits, ReadOptions, Reject, RejectReason, Sink, Summary, Warning};
use epg::model::{Channel, Programme, TvInfo};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/xmltv-samples");

/// Remembers everything the reader delivers.
#[derive(Debug, Default)]
struct Collect {
    tv: Option<TvInfo>,
    channels: Vec<Channel>,
    programmes: Vec<Programme>,
    rejects: Vec<Reject>,
    warnings: Vec<Warning>,
    progress: Vec<(u64, u64)>,
}

impl Sink for Collect {
    type Error = feed::Error;

    fn tv(&mut self, tv: &TvInfo) -> Result<(), feed::Error> {
        self.tv = Some(tv.clone());
        Ok(())
    }
    fn channel(&mut self, channel: Channel) -> Result<(), feed::Error> {
        self.channels.push(channel);
        Ok(())
    }
    fn programme(&mut self, programme: Programme) -> Result<(), feed::Error> {
        self.programmes.push(programme);
        Ok(())
    }
    fn reject(&mut self, reject: Reject) -> Result<(), feed::Error> {
        self.rejects.push(reject);
        Ok(())
    }
    fn warning(&mut self, warning: Warning) -> Result<(), feed::Error> {
        self.warnings.push(warning);
        Ok(())
    }
    fn progress(&mut self, bytes_read: u64, programmes: u64) -> Result<(), feed::Error> {
        self.progress.push((bytes_read, programmes));
        Ok(())
    }
}

fn read_with(bytes: &[u8], options: &ReadOptions) -> Result<(Collect, Summary), feed::Error> {
    let mut sink = Collect::default();
    let summary = feed::read(bytes, options, &mut sink)?;
    Ok((sink, summary))
}

fn read(bytes: &[u8]) -> Result<(Collect, Summary), feed::Error> {
    read_with(bytes, &ReadOptions::default())
}

fn read_ok(bytes: &[u8]) -> Collect {
    read(bytes).expect("feed reads").0
}

fn error(bytes: &[u8]) -> String {
    read(bytes).expect_err("feed is refused").to_string()
}

fn sample(path: &str) -> Collect {
    let bytes = std::fs::read(Path::new(SAMPLES).join(path)).expect("sample exists");
    read_ok(&bytes)
}

/// A document around `body`.
fn tv(body: &str) -> Vec<u8> {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tv>{body}</tv>").into_bytes()
}

fn utc(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .expect("rfc3339")
        .timestamp()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("compress");
    encoder.finish().expect("compress")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("samples dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            if !path.ends_with("t-data-expected") {
                files(&path, out);
            }
        } else if path.to_string_lossy().ends_with(".xml") || path.to_string_lossy().ends_with(".xml.gz") {
            out.push(path);
        }
    }
}

/// (file, channels, programmes, no_stop) from SOURCES.md.
const TABLE: &[(&str, u64, u64, u64)] = &[
    ("iptv-org-epg/energeek.cl.content.xml", 5, 294, 0),
    ("iptv-org-epg/epg.iptvx.one.content.xml", 1, 230, 0),
    ("iptv-org-epg/epg.iptvx.one.content.xml.gz", 1, 230, 0),
    ("iptv-org-epg/epg.tmacaraibes.com.content.xml", 1, 318, 0),
    ("iptv-org-epg/epgshare01.online.content.xml", 2, 203, 0),
    ("iptv-org-epg/epgshare01.online.content.xml.gz", 2, 203, 0),
    ("iptv-org-epg/makrodigitaltelevision.com.content.xml", 1, 66, 0),
    ("iptv-org-epg/nzxmltv.com.content.xml", 1, 2, 0),
    ("iptv-org-epg/tests.expected.multilang.guide.xml", 2, 4, 0),
    ("iptv-org-epg/vantagetv.ee.content.xml", 3, 332, 0),
    ("iptv-org-epg/x1co.com.br.content.xml", 1, 91, 0),
    ("jellyfin-xmltv/MultilanguageData.xml", 1, 2, 0),
    ("jellyfin-xmltv/UK_Data.xml", 5, 1964, 0),
    ("jellyfin-xmltv/custom.xml", 1, 1, 0),
    ("jellyfin-xmltv/schedulesdirect.xml", 2, 2, 0),
    ("large/epgshare01-epg_ripper_US1.xml.gz", 613, 47063, 0),
    ("large/i.mjh.nz-all-epg.xml.gz", 291, 33499, 0),
    ("xmltv-project/other/tv_augment_automatic_type_5-2.xml", 1, 99, 0),
    ("xmltv-project/other/tv_tmdb_Title-with-accent.xml", 0, 3, 3),
    ("xmltv-project/other/tv_tmdb_Utf8.xml", 0, 2, 2),
    ("xmltv-project/t-data/amp.xml", 0, 2, 1),
    ("xmltv-project/t-data/attrs.xml", 0, 1, 0),
    ("xmltv-project/t-data/clump.xml", 0, 2, 0),
    ("xmltv-project/t-data/clump_extract.xml", 0, 2, 0),
    ("xmltv-project/t-data/clump_extract_1.xml", 0, 3, 0),
    ("xmltv-project/t-data/dups.xml", 0, 7, 6),
    ("xmltv-project/t-data/empty.xml", 0, 0, 0),
    ("xmltv-project/t-data/intervals.xml", 0, 6, 1),
    ("xmltv-project/t-data/length.xml", 0, 1, 0),
    ("xmltv-project/t-data/overlap.xml", 0, 14, 6),
    ("xmltv-project/t-data/simple.xml", 0, 2, 2),
    ("xmltv-project/t-data/sort.xml", 0, 4, 2),
    ("xmltv-project/t-data/sort1.xml", 0, 6, 4),
    ("xmltv-project/t-data/sort2.xml", 0, 3, 2),
    ("xmltv-project/t-data/test.xml", 2, 1, 1),
    ("xmltv-project/t-data/test_empty.xml", 0, 1, 1),
    ("xmltv-project/t-data/test_livre.xml", 0, 1, 1),
    ("xmltv-project/t-data/test_remove_some_overlapping.xml", 0, 12, 0),
    ("xmltv-project/t-data/test_sort_by_channel.xml", 0, 3, 1),
    ("xmltv-project/t-data/whitespace.xml", 0, 5, 5),
    ("xmltv-project/t-data/x-whatever.xml", 0, 2, 2),
];

/// Rejections per sample: zero-length programmes (stop == start) in the large and UK
/// files, and programmes without `stop` whose channel has no later programme.
fn expected_rejects(file: &str) -> u64 {
    match file {
        "jellyfin-xmltv/UK_Data.xml" => 49,
        "large/epgshare01-epg_ripper_US1.xml.gz" => 379,
        "xmltv-project/other/tv_tmdb_Title-with-accent.xml" => 3,
        "xmltv-project/other/tv_tmdb_Utf8.xml" => 2,
        "xmltv-project/t-data/dups.xml" => 4,
        "xmltv-project/t-data/intervals.xml" => 2,
        "xmltv-project/t-data/overlap.xml" => 6,
        "xmltv-project/t-data/simple.xml" => 2,
        "xmltv-project/t-data/sort1.xml" => 4,
        "xmltv-project/t-data/sort2.xml" => 2,
        "xmltv-project/t-data/whitespace.xml" => 5,
        "xmltv-project/t-data/x-whatever.xml" => 2,
        "xmltv-project/t-data/amp.xml"
        | "xmltv-project/t-data/sort.xml"
        | "xmltv-project/t-data/test.xml"
        | "xmltv-project/t-data/test_empty.xml"
        | "xmltv-project/t-data/test_livre.xml"
        | "xmltv-project/t-data/test_sort_by_channel.xml" => 1,
        _ => 0,
    }
}

#[test]
fn every_sample_accounts_for_every_programme() {
    let mut found = Vec::new();
    files(Path::new(SAMPLES), &mut found);
    let mut listed: Vec<&str> = TABLE.iter().map(|row| row.0).collect();
    let mut on_disk: Vec<String> = found
        .iter()
        .map(|p| p.strip_prefix(SAMPLES).expect("under samples").to_string_lossy().trim_start_matches('/').to_owned())
        .collect();
    listed.sort_unstable();
    on_disk.sort_unstable();
    assert_eq!(on_disk, listed, "the table lists exactly the sample files");
    for (file, channels, programmes, no_stop) in TABLE {
        let bytes = std::fs::read(Path::new(SAMPLES).join(file)).expect("sample");
        let (c, summary) = read(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(c.channels.len() as u64, *channels, "{file} channels");
        assert_eq!(summary.channels, *channels, "{file} summary channels");
        let accepted = c.programmes.len() as u64;
        let rejected = c.rejects.len() as u64;
        assert_eq!(accepted + rejected, *programmes, "{file} programmes");
        assert_eq!(rejected, expected_rejects(file), "{file} rejects");
        assert_eq!((summary.programmes, summary.rejected), (accepted, rejected), "{file}");
        assert_eq!(summary.bytes_read, bytes.len() as u64, "{file} bytes read");
        assert_eq!(c.progress.last(), Some(&(summary.bytes_read, accepted)), "{file}");
        let missing_stop = c.rejects.iter().filter(|r| r.reason == RejectReason::MissingStop).count();
        assert!(missing_stop as u64 <= *no_stop, "{file}: only stop-less programmes lack a stop");
        for p in &c.programmes {
            assert!(p.stop.expect("stop set") > p.start, "{file}: {p:?}");
            assert!(!p.titles.is_empty(), "{file}");
        }
        let mut positions: Vec<u64> = c.rejects.iter().map(|r| r.position).collect();
        positions.dedup();
        assert!(positions.iter().all(|p| (1..=*programmes).contains(p)), "{file} positions");
    }
}

#[test]
fn stops_are_inferred_from_the_next_programme_on_the_channel() {
    let c = sample("xmltv-project/t-data/dups.xml");
    let accepted: Vec<(&str, i64, Option<i64>)> = c
        .programmes
        .iter()
        .map(|p| (p.titles[0].value.as_str(), p.start, p.stop))
        .collect();
    assert_eq!(
        accepted,
        [
            ("A", utc("2001-12-28T11:31:00Z"), Some(utc("2001-12-28T11:31:01Z"))),
            ("A", utc("2001-12-28T11:31:00Z"), Some(utc("2001-12-28T11:31:02Z"))),
            ("B", utc("2001-12-28T11:31:01Z"), Some(utc("2001-12-28T11:31:02Z"))),
        ]
    );
    let rejects: Vec<(u64, RejectReason, Option<&str>, &str)> = c
        .rejects
        .iter()
        .map(|r| (r.position, r.reason, r.start.as_deref(), r.detail.as_str()))
        .collect();
    let earlier = "the next programme on the channel does not start later, so the stop cannot be inferred";
    let last = "no later programme on the channel to infer the stop from";
    assert_eq!(
        rejects,
        [
            (2, RejectReason::MissingStop, Some("20011228113101"), earlier),
            (4, RejectReason::MissingStop, Some("20011228113102"), earlier),
            (6, RejectReason::MissingStop, Some("20020517020200 BST"), earlier),
            (7, RejectReason::MissingStop, Some("20020517020200 BST"), last),
        ]
    );
    assert_eq!(c.rejects[3].channel.as_deref(), Some("c"));
}

#[test]
fn programme_without_stop_gets_the_next_start() {
    let c = read_ok(&tv(r#"
        <programme channel="a" start="20240101100000 +0000"><title>One</title></programme>
        <programme channel="b" start="20240101100000 +0000"><title>Other</title></programme>
        <programme channel="a" start="20240101113000 +0100" stop="20240101120000 +0100"><title>Two</title></programme>"#));
    assert_eq!(c.programmes.len(), 2);
    assert_eq!(c.programmes[0].titles[0].value, "One");
    assert_eq!(c.programmes[0].stop, Some(utc("2024-01-01T10:30:00Z")));
    assert_eq!(c.programmes[0].stop_offset, Some(3600));
    assert_eq!(c.programmes[1].titles[0].value, "Two");
    assert_eq!(c.rejects.len(), 1);
    assert_eq!(c.rejects[0].position, 2);
    assert_eq!(c.rejects[0].channel.as_deref(), Some("b"));
}

#[test]
fn invalid_records_are_rejected_with_a_reason() {
    let c = read_ok(&tv(r#"
        <programme start="20240101100000"><title>No channel</title></programme>
        <programme channel="a"><title>No start</title></programme>
        <programme channel="a" start="20240230100000" stop="20240101110000"><title>Feb 30</title></programme>
        <programme channel="a" start="20240101100000" stop="20240101250000"><title>Hour 25</title></programme>
        <programme channel="a" start="20240101100000" stop="20240101110000"><title>  </title><desc>x</desc></programme>
        <programme channel="a" start="20240101100000" stop="20240101100000"><title>Zero</title></programme>
        <programme channel="a" start="20240101100000" stop="20240101110000"><title>Fine</title></programme>"#));
    let rejects: Vec<(u64, RejectReason, String)> =
        c.rejects.iter().map(|r| (r.position, r.reason, r.detail.clone())).collect();
    assert_eq!(
        rejects,
        [
            (1, RejectReason::MissingChannel, "the programme has no channel attribute".into()),
            (2, RejectReason::MissingStart, "the programme has no start attribute".into()),
            (3, RejectReason::BadTime, "start: invalid time \"20240230100000\": no such date or time of day".into()),
            (4, RejectReason::BadTime, "stop: invalid time \"20240101250000\": no such date or time of day".into()),
            (5, RejectReason::MissingTitle, "the programme has no non-empty title".into()),
            (6, RejectReason::StopNotAfterStart, "stop 1704103200 is not after start 1704103200".into()),
        ]
    );
    assert_eq!(c.programmes.len(), 1);
    assert_eq!(c.programmes[0].titles[0].value, "Fine");
}
