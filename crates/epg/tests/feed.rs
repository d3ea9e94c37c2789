//! The XMLTV reader on real samples and on hostile input.

use std::io::Write;
use std::path::{Path, PathBuf};

use epg::feed::{self, Limits, ReadOptions, Reject, RejectReason, Sink, Summary, Warning};
use epg::model::{
    Audio, Channel, EpisodeInfo, EpisodeNum, Icon, Image, LangText, Length, PreviouslyShown,
    Programme, Rating, Review, Role, Subtitles, TvInfo, Url,
};

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
        } else if path.to_string_lossy().ends_with(".xml")
            || path.to_string_lossy().ends_with(".xml.gz")
        {
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
    (
        "iptv-org-epg/makrodigitaltelevision.com.content.xml",
        1,
        66,
        0,
    ),
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
    (
        "xmltv-project/other/tv_augment_automatic_type_5-2.xml",
        1,
        99,
        0,
    ),
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
    (
        "xmltv-project/t-data/test_remove_some_overlapping.xml",
        0,
        12,
        0,
    ),
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
        .map(|p| {
            p.strip_prefix(SAMPLES)
                .expect("under samples")
                .to_string_lossy()
                .trim_start_matches('/')
                .to_owned()
        })
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
        assert_eq!(
            (summary.programmes, summary.rejected),
            (accepted, rejected),
            "{file}"
        );
        assert_eq!(summary.bytes_read, bytes.len() as u64, "{file} bytes read");
        assert_eq!(
            c.progress.last(),
            Some(&(summary.bytes_read, accepted)),
            "{file}"
        );
        let missing_stop = c
            .rejects
            .iter()
            .filter(|r| r.reason == RejectReason::MissingStop)
            .count();
        assert!(
            missing_stop as u64 <= *no_stop,
            "{file}: only stop-less programmes lack a stop"
        );
        for p in &c.programmes {
            assert!(p.stop.expect("stop set") > p.start, "{file}: {p:?}");
            assert!(!p.titles.is_empty(), "{file}");
        }
        let mut positions: Vec<u64> = c.rejects.iter().map(|r| r.position).collect();
        positions.dedup();
        assert!(
            positions.iter().all(|p| (1..=*programmes).contains(p)),
            "{file} positions"
        );
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
            (
                "A",
                utc("2001-12-28T11:31:00Z"),
                Some(utc("2001-12-28T11:31:01Z"))
            ),
            (
                "A",
                utc("2001-12-28T11:31:00Z"),
                Some(utc("2001-12-28T11:31:02Z"))
            ),
            (
                "B",
                utc("2001-12-28T11:31:01Z"),
                Some(utc("2001-12-28T11:31:02Z"))
            ),
        ]
    );
    let rejects: Vec<(u64, RejectReason, Option<&str>, &str)> = c
        .rejects
        .iter()
        .map(|r| (r.position, r.reason, r.start.as_deref(), r.detail.as_str()))
        .collect();
    let earlier =
        "the next programme on the channel does not start later, so the stop cannot be inferred";
    let last = "no later programme on the channel to infer the stop from";
    assert_eq!(
        rejects,
        [
            (
                2,
                RejectReason::MissingStop,
                Some("20011228113101"),
                earlier
            ),
            (
                4,
                RejectReason::MissingStop,
                Some("20011228113102"),
                earlier
            ),
            (
                6,
                RejectReason::MissingStop,
                Some("20020517020200 BST"),
                earlier
            ),
            (
                7,
                RejectReason::MissingStop,
                Some("20020517020200 BST"),
                last
            ),
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

/// With `defer_stops` nothing is held or inferred: a sink that settles no stops itself
/// rejects what has none.
#[test]
fn deferred_stops_reach_the_sink_in_document_order() {
    let options = ReadOptions {
        defer_stops: true,
        ..ReadOptions::default()
    };
    let (c, summary) = read_with(
        &tv(r#"
        <programme channel="a" start="20240101100000"><title>Open</title></programme>
        <programme channel="a" start="20240101110000" stop="20240101100000"><title>Back</title></programme>
        <programme channel="a" start="20240101120000" stop="20240101130000"><title>Fine</title></programme>"#),
        &options,
    )
    .expect("read");
    let rejects: Vec<(u64, RejectReason, Option<&str>, &str)> = c
        .rejects
        .iter()
        .map(|r| (r.position, r.reason, r.start.as_deref(), r.detail.as_str()))
        .collect();
    assert_eq!(
        rejects,
        [
            (
                1,
                RejectReason::MissingStop,
                Some("20240101100000"),
                "the programme has no stop"
            ),
            (
                2,
                RejectReason::StopNotAfterStart,
                Some("20240101110000"),
                "the stop is not after the start"
            ),
        ]
    );
    assert_eq!(c.programmes.len(), 1);
    assert_eq!((summary.programmes, summary.rejected), (3, 0));
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
    let rejects: Vec<(u64, RejectReason, String)> = c
        .rejects
        .iter()
        .map(|r| (r.position, r.reason, r.detail.clone()))
        .collect();
    assert_eq!(
        rejects,
        [
            (
                1,
                RejectReason::MissingChannel,
                "the programme has no channel attribute".into()
            ),
            (
                2,
                RejectReason::MissingStart,
                "the programme has no start attribute".into()
            ),
            (
                3,
                RejectReason::BadTime,
                "start: invalid time \"20240230100000\": no such date or time of day".into()
            ),
            (
                4,
                RejectReason::BadTime,
                "stop: invalid time \"20240101250000\": no such date or time of day".into()
            ),
            (
                5,
                RejectReason::MissingTitle,
                "the programme has no non-empty title".into()
            ),
            (
                6,
                RejectReason::StopNotAfterStart,
                "stop 1704103200 is not after start 1704103200".into()
            ),
        ]
    );
    assert_eq!(c.programmes.len(), 1);
    assert_eq!(c.programmes[0].titles[0].value, "Fine");
}

fn sample_bytes(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(SAMPLES).join(path)).expect("sample exists")
}

/// A sample with `from` replaced once by `to`, to give a stop-less sample a stop.
fn patched(path: &str, from: &str, to: &str) -> Collect {
    let bytes = sample_bytes(path);
    let at = bytes
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .expect("patch target");
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(to.as_bytes());
    out.extend_from_slice(&bytes[at + from.len()..]);
    read_ok(&out)
}

fn lt(value: &str, lang: Option<&str>) -> LangText {
    LangText {
        value: value.into(),
        lang: lang.map(Into::into),
    }
}

#[test]
fn uk_data_is_read_as_iso_8859_1() {
    let c = sample("jellyfin-xmltv/UK_Data.xml");
    assert!(c.warnings.is_empty());
    let tv = c.tv.expect("tv");
    assert_eq!(tv.date.as_deref(), Some("20151126"));
    assert_eq!(
        c.channels[0].display_names,
        [lt("BBC1 HD", Some("en")), lt("7-1", Some("en"))]
    );
    assert_eq!(
        c.channels[0].icons,
        [Icon {
            src: "Logo_UK_RT_2667".into(),
            width: Some(100),
            height: Some(200)
        }]
    );
    // The file holds the bytes EF BF BD: as ISO-8859-1 (windows-1252) they are the three
    // characters "ï¿½", a replacement character that went through a bad round trip
    // upstream; the reader makes it one U+FFFD again.
    let budget = c
        .programmes
        .iter()
        .flat_map(|p| &p.descs)
        .find(|d| d.value.contains("keen walkers"))
        .expect("desc");
    assert!(
        budget.value.contains("budget of \u{FFFD}500,000"),
        "{}",
        budget.value
    );
    let fake = &c.programmes[1];
    assert_eq!(fake.titles, [lt("Fake Britain", Some("en"))]);
    assert!(fake.descs[0].value.starts_with("The 'edible' glitter"));
    assert_eq!(
        fake.credits
            .iter()
            .map(|c| (c.role, c.name.as_str()))
            .collect::<Vec<_>>(),
        [
            (Role::Director, "Jago Smith"),
            (Role::Actor, "Presenter - Matt Allwright")
        ]
    );
    assert_eq!(fake.categories, [lt("Documentary", Some("en"))]);
    assert_eq!(
        fake.length,
        Some(Length {
            value: 45,
            units: "minutes".into()
        })
    );
    assert_eq!(
        feed::parse_episode(&fake.episode_nums),
        EpisodeInfo {
            season: Some(6),
            episode: Some(4),
            part: None
        }
    );
    assert_eq!(
        fake.video.as_ref().and_then(|v| v.aspect.as_deref()),
        Some("16:9")
    );
    assert_eq!(
        fake.subtitles,
        [Subtitles {
            kind: Some("teletext".into()),
            language: Some(lt("English", Some("en")))
        }]
    );
    assert_eq!(
        (fake.start, fake.stop),
        (
            utc("2015-11-26T09:15:00Z"),
            Some(utc("2015-11-26T10:00:00Z"))
        )
    );
}

#[test]
fn iso_8859_1_title_is_decoded() {
    let c = patched(
        "xmltv-project/t-data/test_livre.xml",
        "start=\"20011211180000\"",
        "start=\"20011211180000\" stop=\"20011211190000\"",
    );
    assert_eq!(c.programmes[0].titles, [lt("£", None)]);
}

#[test]
fn multilanguage_titles_keep_their_languages() {
    let c = sample("jellyfin-xmltv/MultilanguageData.xml");
    assert_eq!(
        c.programmes[0].titles,
        [
            lt("Homes Under the Hammer - Spanish", Some("es")),
            lt("Homes Under the Hammer - Spanish 2", Some("es")),
            lt("Homes Under the Hammer - English", Some("en")),
            lt("Homes Under the Hammer - English 2", Some("en")),
            lt("Homes Under the Hammer - Empty Language", None),
            lt("Homes Under the Hammer - No Language", None),
        ]
    );
    assert_eq!(c.programmes[0].categories.len(), 4);
    assert_eq!(
        feed::parse_episode(&c.programmes[0].episode_nums),
        EpisodeInfo {
            season: Some(19),
            episode: Some(51),
            part: None
        }
    );
}

#[test]
fn schedules_direct_credits_ratings_and_bom() {
    let c = sample("jellyfin-xmltv/schedulesdirect.xml");
    let tv = c.tv.expect("tv");
    assert_eq!(tv.source_info_name.as_deref(), Some("Schedules Direct"));
    assert_eq!(c.channels[0].id, "EPG123.10108.schedulesdirect.org");
    assert_eq!(c.channels[0].display_names.len(), 5);
    let game = &c.programmes[0];
    assert_eq!(game.language, Some(lt("en", None)));
    assert_eq!(game.date.as_deref(), Some("20170514"));
    assert_eq!(game.icons.len(), 4);
    assert_eq!(
        game.icons[3],
        Icon {
            src: "p12845677_b_h12_af.jpg".into(),
            width: Some(960),
            height: Some(540)
        }
    );
    assert_eq!(
        game.episode_nums[0],
        EpisodeNum {
            system: "dd_progid".into(),
            value: "EP02420905.0022".into()
        }
    );
    assert_eq!(
        feed::parse_episode(&game.episode_nums),
        EpisodeInfo {
            season: Some(2),
            episode: Some(12),
            part: Some(1)
        }
    );
    assert_eq!(
        game.audio,
        Some(Audio {
            present: None,
            stereo: Some("stereo".into())
        })
    );
    assert_eq!(game.previously_shown, Some(PreviouslyShown::default()));
    assert_eq!(
        game.subtitles,
        [Subtitles {
            kind: Some("teletext".into()),
            language: None
        }]
    );
    assert_eq!(
        game.ratings
            .iter()
            .map(|r| (r.system.as_deref(), r.value.as_str()))
            .collect::<Vec<_>>(),
        [
            (Some("Canadian Parental Rating"), "14+"),
            (Some("USA Parental Rating"), "TV14"),
            (Some("VCHIP"), "TV-14"),
        ]
    );
    assert_eq!(
        game.credits
            .iter()
            .filter(|c| c.role == Role::Guest)
            .count(),
        6
    );
    let actors: Vec<(&str, Option<&str>)> = c.programmes[1]
        .credits
        .iter()
        .filter(|c| c.role == Role::Actor)
        .map(|c| (c.name.as_str(), c.character.as_deref()))
        .collect();
    assert_eq!(actors[0], ("Poppy Montgomery", Some("Carrie Wells")));
    assert_eq!(actors.len(), 5);
}

#[test]
fn person_images_and_urls_in_custom_xml() {
    let c = sample("jellyfin-xmltv/custom.xml");
    assert_eq!(
        c.channels[0].urls,
        [Url {
            value: "https://example.com/channel_one".into(),
            system: Some("imdb".into())
        }]
    );
    let daya = c.programmes[0]
        .credits
        .iter()
        .find(|c| c.character.as_deref() == Some("Det. Nina Inara"))
        .expect("actor");
    assert_eq!(daya.name, "Daya Vaidya");
    assert!(!daya.guest);
    assert_eq!(daya.images[0].value, "https://example.com/xxx.jpg");
    assert_eq!(daya.images[0].kind.as_deref(), Some("person"));
    assert_eq!(daya.urls.len(), 2);
    assert_eq!(
        daya.urls[1],
        Url {
            value: "https://example.com/person/205".into(),
            system: Some("imdb".into())
        }
    );
}

/// Role, name, character, guest, images, urls.
type CreditRow<'a> = (Role, &'a str, Option<&'a str>, bool, usize, usize);

#[test]
fn every_dtd_field_of_test_xml() {
    let c = patched(
        "xmltv-project/t-data/test.xml",
        "start=\"200006031633\"",
        "start=\"200006031633\" stop=\"200006031733\"",
    );
    let p = &c.programmes[0];
    assert_eq!(
        (p.start, p.stop),
        (
            utc("2000-06-03T16:33:00Z"),
            Some(utc("2000-06-03T17:33:00Z"))
        )
    );
    assert_eq!(p.titles, [lt("blah", Some("de")), lt("blah", Some("en"))]);
    assert_eq!(p.descs, [lt("Blah Blah Blah.", Some("de"))]);
    let credits: Vec<CreditRow> = p
        .credits
        .iter()
        .map(|c| {
            (
                c.role,
                c.name.as_str(),
                c.character.as_deref(),
                c.guest,
                c.images.len(),
                c.urls.len(),
            )
        })
        .collect();
    assert_eq!(
        credits,
        [
            (Role::Director, "blah", None, false, 0, 0),
            (Role::Actor, "a", None, false, 0, 0),
            (Role::Actor, "b", None, false, 0, 0),
            (Role::Actor, "c", Some("blah"), false, 0, 0),
            (Role::Actor, "d", None, true, 0, 0),
            (Role::Actor, "e", Some("blah"), false, 1, 1),
        ]
    );
    assert_eq!(
        p.credits[5].urls[0],
        Url {
            value: "https://www.themoviedb.org/person/204".into(),
            system: Some("TMDB".into())
        }
    );
    assert_eq!(p.date.as_deref(), Some("19901011"));
    assert_eq!(
        p.length,
        Some(Length {
            value: 60,
            units: "minutes".into()
        })
    );
    assert_eq!(
        p.icons,
        [Icon {
            src: "http://image.example.com/dgXPhzNJH8H.jpg".into(),
            width: Some(500),
            height: Some(123)
        }]
    );
    assert_eq!(p.urls.len(), 2);
    assert_eq!(p.urls[1].system.as_deref(), Some("IMDb"));
    assert_eq!(p.countries, [lt("ES", None)]);
    assert_eq!(
        feed::parse_episode(&p.episode_nums),
        EpisodeInfo {
            season: Some(3),
            episode: Some(10),
            part: Some(1)
        }
    );
    assert_eq!(p.last_chance, Some(lt("", None)));
    assert_eq!(p.premiere, None);
    assert_eq!(
        p.ratings,
        [Rating {
            value: "PG".into(),
            system: Some("MPAA".into()),
            icons: vec![]
        }]
    );
    assert_eq!(
        p.star_ratings,
        [Rating {
            value: "3/3".into(),
            system: None,
            icons: vec![Icon {
                src: "stars.png".into(),
                width: None,
                height: None
            }]
        }]
    );
    assert_eq!(
        p.reviews,
        [Review {
            kind: "text".into(),
            value: "More blah blah".into(),
            source: Some("tvreviews".into()),
            reviewer: Some("joe".into()),
            lang: Some("en".into())
        }]
    );
    assert_eq!(p.images.len(), 3);
    assert_eq!(
        p.images[2],
        Image {
            value: "https://www.example.com/xxxx.jpg".into(),
            kind: Some("poster".into()),
            size: Some("2".into()),
            orient: Some("L".into()),
            system: Some("myapp".into())
        }
    );
    assert_eq!(
        c.channels[1].display_names,
        [lt("ARD", Some("de")), lt("Das Erste", Some("de"))]
    );
}

#[test]
fn programme_attributes_of_attrs_xml() {
    let p = &sample("xmltv-project/t-data/attrs.xml").programmes[0];
    assert_eq!(p.start, utc("2001-08-28T23:05:00Z"));
    assert_eq!(p.start_offset, 3600);
    assert_eq!(p.pdc_start.as_deref(), Some("20010829000000 BST"));
    assert_eq!(p.vps_start.as_deref(), Some("20010829001000 BST"));
    assert_eq!(p.showview.as_deref(), Some("12345"));
    assert_eq!(p.videoplus.as_deref(), Some("54321"));
    assert_eq!(p.clumpidx.as_deref(), Some("0/2"));
}

#[test]
fn entities_of_amp_xml() {
    let c = sample("xmltv-project/t-data/amp.xml");
    assert_eq!(c.rejects[0].reason, RejectReason::MissingStop);
    assert_eq!(
        c.rejects[0].detail,
        "no later programme on the channel to infer the stop from"
    );
    let c = patched(
        "xmltv-project/t-data/amp.xml",
        "start=\"20010829000500 BST\"",
        "start=\"20010829000500 BST\" stop=\"20010829003000 BST\"",
    );
    let p = &c.programmes[0];
    assert_eq!(p.titles, [lt("Ampersand Land", None), lt("&", None)]);
    assert_eq!(
        p.descs[0].value,
        "& hello && there &amp; everyone <\n      &< <amp;"
    );
}

#[test]
fn twelve_digit_times_and_children_of_tv_augment() {
    let c = sample("xmltv-project/other/tv_augment_automatic_type_5-2.xml");
    assert_eq!(
        c.tv.expect("tv").generator_info_name.as_deref(),
        Some("tv_augment")
    );
    let p = &c.programmes[0];
    assert_eq!(
        (p.start, p.stop),
        (
            utc("2016-06-30T20:00:00Z"),
            Some(utc("2016-06-30T21:00:00Z"))
        )
    );
    assert_eq!((p.start_offset, p.stop_offset), (3600, Some(3600)));
    assert_eq!(
        p.sub_titles,
        [lt("Dead Man's Eleven : Series 2/10", Some("en"))]
    );
    assert_eq!(p.previously_shown, Some(PreviouslyShown::default()));
    assert_eq!(p.subtitles[0].language, Some(lt("English", Some("en"))));
}

#[test]
fn mst_times_of_a_grabber_sample() {
    // Both programmes start at once and lack a stop; moving the second an hour on lets
    // the first be inferred and shows how MST (UTC-7) was read.
    let c = patched(
        "xmltv-project/other/tv_tmdb_Utf8.xml",
        "<programme channel=\"channel0\" start=\"20010829000500 MST\">\n    <title lang",
        "<programme channel=\"channel0\" start=\"20010829010500 MST\">\n    <title lang",
    );
    let p = &c.programmes[0];
    assert_eq!(p.titles, [lt("Angèle and Tony", None)]);
    assert_eq!(
        (p.start, p.stop),
        (
            utc("2001-08-29T07:05:00Z"),
            Some(utc("2001-08-29T08:05:00Z"))
        )
    );
    assert_eq!(
        (p.start_offset, p.stop_offset),
        (-7 * 3600, Some(-7 * 3600))
    );
    assert_eq!(c.rejects.len(), 1);
    assert_eq!(c.rejects[0].start.as_deref(), Some("20010829010500 MST"));
}

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(DATA).join(name)).expect("fixture")
}

fn small_titles(c: &Collect) -> Vec<&str> {
    c.programmes
        .iter()
        .map(|p| p.titles[0].value.as_str())
        .collect()
}

#[test]
fn compressed_inputs_are_sniffed_not_named() {
    let plain = fixture("small.xml");
    // A zip's central directory, after the entry, is never read.
    let zip = fixture("small.zip");
    let cases = [
        (plain.clone(), plain.len()),
        (gzip(&plain), gzip(&plain).len()),
        (fixture("small.xml.xz"), fixture("small.xml.xz").len()),
        (zip.clone(), zip.len() - 181),
    ];
    for (bytes, consumed) in cases {
        let (c, summary) = read(&bytes).expect("reads");
        assert_eq!(small_titles(&c), ["Compressed", "Twice"]);
        assert_eq!(c.channels[0].lcn.as_deref(), Some("101"));
        assert_eq!(summary.bytes_read, consumed as u64);
        assert_eq!(
            (summary.first_start, summary.last_stop),
            (
                Some(utc("2024-01-01T10:00:00Z")),
                Some(utc("2024-01-01T12:00:00Z"))
            )
        );
    }
}

#[test]
fn gzip_with_several_members_is_read_whole() {
    let plain = fixture("small.xml");
    let (head, tail) = plain.split_at(200);
    let mut two = gzip(head);
    two.extend(gzip(tail));
    assert_eq!(small_titles(&read_ok(&two)), ["Compressed", "Twice"]);
}

#[test]
fn zip_without_xml_is_refused() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("notes.txt", zip::write::SimpleFileOptions::default())
        .expect("entry");
    zip.write_all(b"hello").expect("write");
    let bytes = zip.finish().expect("zip").into_inner();
    assert_eq!(error(&bytes), "the zip archive holds no XML file");
}

#[test]
fn truncated_gzip_is_an_error() {
    let big = tv(&"<programme channel=\"a\" start=\"20240101100000\" stop=\"20240101110000\"><title>T</title></programme>".repeat(2000));
    let compressed = gzip(&big);
    // Cut in the deflate data, then in the trailer (CRC and length).
    let cases = [
        (
            compressed.len() / 2,
            "could not read the feed: incomplete deflate stream",
        ),
        (
            compressed.len() - 4,
            "could not read the feed: unexpected end of file",
        ),
    ];
    for (cut, message) in cases {
        let e = read(&compressed[..cut]).expect_err("truncated");
        assert!(matches!(e, feed::Error::Io(_)), "{cut}: {e:?}");
        assert_eq!(e.to_string(), message, "{cut}");
    }
}

#[test]
fn gzip_bomb_stops_at_the_limit() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(b"<tv>").expect("write");
    let spaces = vec![b' '; 1024 * 1024];
    for _ in 0..64 {
        encoder.write_all(&spaces).expect("write");
    }
    encoder.write_all(b"</tv>").expect("write");
    let bomb = encoder.finish().expect("finish");
    assert!(bomb.len() < 1024 * 1024);
    let options = ReadOptions {
        limits: Limits {
            max_decompressed_bytes: 1024 * 1024,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    let e = read_with(&bomb, &options).expect_err("too large");
    assert_eq!(
        e.to_string(),
        "the feed is larger than 1048576 bytes after decompression"
    );
    assert!(matches!(e, feed::Error::TooLarge { limit: 1_048_576 }));
}

#[test]
fn limit_also_applies_to_small_and_plain_input() {
    let options = ReadOptions {
        limits: Limits {
            max_decompressed_bytes: 100,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    let e = read_with(&fixture("small.xml"), &options).expect_err("too large");
    assert_eq!(
        e.to_string(),
        "the feed is larger than 100 bytes after decompression"
    );
}

#[test]
fn hostile_doctypes_are_refused() {
    let laughs = br#"<?xml version="1.0"?>
<!DOCTYPE tv [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<tv><programme channel="a" start="20240101100000" stop="20240101110000"><title>&lol3;</title></programme></tv>"#;
    let external = br#"<?xml version="1.0"?>
<!DOCTYPE tv [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<tv><channel id="a"><display-name>&xxe;</display-name></channel></tv>"#;
    for bytes in [&laughs[..], &external[..]] {
        assert_eq!(
            error(bytes),
            "the feed declares entities in its DOCTYPE, which are not allowed"
        );
    }
}

#[test]
fn doctype_naming_a_dtd_is_ignored_and_never_fetched() {
    let c = read_ok(
        br#"<?xml version="1.0"?>
<!DOCTYPE tv SYSTEM "file:///etc/passwd">
<tv><channel id="a"><display-name>&passwd;</display-name></channel></tv>"#,
    );
    assert_eq!(c.channels[0].display_names, [lt("&passwd;", None)]);
}

#[test]
fn broken_documents_are_errors() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"<tv><channel id=\"a\"><display-name>A</display-name>",
            "the feed ends in the middle of the document (inside <channel>)",
        ),
        (
            b"<tv><programme channel=\"a\" start=\"2024\"><title>Cut",
            "the feed ends in the middle of the document (inside <title>)",
        ),
        (
            b"<tv><programme channel=\"a\" start=\"20",
            "the feed ends in the middle of the document (inside <tv>)",
        ),
        (
            b"<tv><channel id=\"a\"></programme></tv>",
            "malformed XML at byte 20: ill-formed document: expected `</channel>`, but `</programme>` was found",
        ),
        (
            b"<html><body/></html>",
            "not an XMLTV document: the root element is <html>, expected <tv>",
        ),
        (b"", "the feed is empty: it has no root element"),
        (
            b"<?xml version='1.0' encoding='x-unknown'?><tv/>",
            "unsupported encoding \"x-unknown\"",
        ),
    ];
    for (bytes, message) in cases {
        assert_eq!(error(bytes), *message, "{}", String::from_utf8_lossy(bytes));
    }
}

#[test]
fn a_30_megabyte_single_line_feed() {
    let programme = |i: u32| {
        let h = i % 24;
        format!(
            "<programme channel=\"c{}\" start=\"20240101{h:02}0000 +0000\" stop=\"20240101{h:02}3000 +0000\"><title>Programme {i} with a title long enough to matter</title><desc>Tom &amp; Jerry &#233; &eacute;</desc></programme>",
            i / 24
        )
    };
    let mut body = String::with_capacity(31 * 1024 * 1024);
    let mut count = 0;
    while body.len() < 30 * 1024 * 1024 {
        body.push_str(&programme(count));
        count += 1;
    }
    let bytes = tv(&body)
        .into_iter()
        .filter(|b| *b != b'\n')
        .collect::<Vec<u8>>();
    assert!(!bytes.contains(&b'\n'));
    let (c, summary) = read(&bytes).expect("reads");
    assert_eq!(summary.programmes, u64::from(count));
    assert_eq!(summary.rejected, 0);
    assert_eq!(c.programmes[7].descs[0].value, "Tom & Jerry é é");
    assert_eq!(c.progress.len() as u32, count / 500 + 1);
    assert_eq!(c.progress[0].1, 499);
}

#[test]
fn nesting_is_limited_but_unknown_elements_are_skipped() {
    let deep = format!("<tv>{}{}</tv>", "<x>".repeat(10_000), "</x>".repeat(10_000));
    assert_eq!(
        error(deep.as_bytes()),
        "elements nest deeper than 64 levels"
    );
    let nested = format!(
        "<tv><programme channel=\"a\" start=\"20240101100000\" stop=\"20240101110000\"><x-meta a=\"1\">{}text{}</x-meta><title>Kept</title></programme><x-top><y/></x-top></tv>",
        "<x>".repeat(20),
        "</x>".repeat(20)
    );
    let c = read_ok(nested.as_bytes());
    assert_eq!(c.programmes[0].titles, [lt("Kept", None)]);
}

#[test]
fn text_longer_than_the_limit_is_an_error() {
    let options = ReadOptions {
        limits: Limits {
            max_text_bytes: 10,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    let e = read_with(
        &tv("<channel id=\"a\"><display-name>eleven char</display-name></channel>"),
        &options,
    )
    .expect_err("long");
    assert_eq!(e.to_string(), "an element's text is longer than 10 bytes");
}

/// Issue 11: one token longer than the limit fails while it is read, naming its kind
/// and where it starts; the same document within the limit reads.
#[test]
fn issue11_a_token_longer_than_the_limit_is_an_error() {
    let long = "x".repeat(100);
    let body = "<tv><channel id=\"a\"><display-name>A</display-name></channel>";
    let cases = [
        (format!("{body}<!--{long}--></tv>"), "comment", 60),
        (format!("{body}{long}</tv>"), "text", 60),
        (
            format!("{body}<![CDATA[{long}]]></tv>"),
            "CDATA section",
            60,
        ),
        (
            format!("{body}<programme channel=\"{long}\"/></tv>"),
            "start tag",
            60,
        ),
        (
            format!("{body}<?pi {long}?></tv>"),
            "processing instruction",
            60,
        ),
        (
            format!("<!DOCTYPE tv SYSTEM \"{long}\">{body}</tv>"),
            "DOCTYPE",
            0,
        ),
        (format!("{body}</tv{}>", " ".repeat(100)), "end tag", 60),
    ];
    let limited = |max_token_bytes| ReadOptions {
        limits: Limits {
            max_token_bytes,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    for (doc, kind, position) in cases {
        let expected = format!("the {kind} at byte {position} is longer than 100 bytes");
        for bytes in [doc.as_bytes().to_vec(), gzip(doc.as_bytes())] {
            let e = read_with(&bytes, &limited(100)).expect_err(kind);
            assert_eq!(e.to_string(), expected);
        }
        read_with(doc.as_bytes(), &limited(130)).expect(kind);
    }
}

/// Issue 11: every HTML5 name resolves, in text and in attributes; an unknown one stays.
#[test]
fn issue11_html5_entities_resolve_and_unknown_names_stay() {
    let doc = tv(
        "<programme channel=\"a\" start=\"20240101100000\" stop=\"20240101110000\">\
         <title lang=\"&Scaron;&euro;\">Wait&hellip; it&rsquo;s 5&nbsp;&euro; &Scaron;koda &bogus;</title>\
         </programme>",
    );
    let c = read_ok(&doc);
    assert_eq!(
        c.programmes[0].titles,
        [lt(
            "Wait\u{2026} it\u{2019}s 5\u{a0}\u{20ac} \u{160}koda &bogus;",
            Some("\u{160}\u{20ac}")
        )]
    );
}

/// Issue 11: what a record keeps is bounded too: each attribute value by the text
/// limit, and a whole channel or programme by the record limit.
#[test]
fn issue11_attribute_values_and_records_have_limits() {
    let options = ReadOptions {
        limits: Limits {
            max_text_bytes: 14,
            max_record_bytes: 25,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    let cases = [
        (
            "<channel id=\"fifteen chars!!\"><display-name>A</display-name></channel>",
            "the value of attribute id is longer than 14 bytes",
        ),
        (
            "<channel id=\"a\"><display-name>0123456789</display-name>\
             <display-name>0123456789</display-name><display-name>0123456789</display-name></channel>",
            "a <channel> holds more than 25 bytes of text and attribute values",
        ),
        (
            "<programme channel=\"0123456789\" start=\"20240101100000\" \
             stop=\"20240101110000\"><title>T</title></programme>",
            "a <programme> holds more than 25 bytes of text and attribute values",
        ),
    ];
    for (body, message) in cases {
        let e = read_with(&tv(body), &options).expect_err(message);
        assert_eq!(e.to_string(), message);
    }
    // The budget is per record: many small ones read.
    let many = "<channel id=\"a\"><display-name>0123456789</display-name></channel>".repeat(10);
    assert_eq!(
        read_with(&tv(&many), &options)
            .expect("small records")
            .0
            .channels
            .len(),
        10
    );
}

/// Issue 11: stop-less programmes are held one per channel, so the channel count is
/// bounded.
#[test]
fn issue11_held_programmes_are_bounded_by_the_channel_limit() {
    let options = ReadOptions {
        limits: Limits {
            max_channels: 2,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    let open = |channel: &str| {
        format!(
            "<programme channel=\"{channel}\" start=\"20240101100000\"><title>T</title></programme>"
        )
    };
    let two = format!("{}{}{}", open("a"), open("b"), open("a"));
    read_with(&tv(&two), &options).expect("two channels");
    let three = format!("{}{}{}", open("a"), open("b"), open("c"));
    let e = read_with(&tv(&three), &options).expect_err("three channels");
    assert_eq!(e.to_string(), "the feed has more than 2 channels");
}

fn one_title(doc: &[u8]) -> String {
    let c = read_ok(doc);
    assert_eq!(c.programmes.len(), 1, "{:?}", c.rejects);
    c.programmes[0].titles[0].value.clone()
}

fn programme_with_title(title: &str) -> String {
    format!(
        "<programme channel=\"a\" start=\"20240101100000\" stop=\"20240101110000\"><title>{title}</title></programme>"
    )
}

#[test]
fn text_escapes_entities_and_cdata() {
    let cases = [
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("caf&#233; &#xE9;", "café é"),
        ("<![CDATA[Fish & <Chips>]]>", "Fish & <Chips>"),
        ("&eacute;t&eacute;&nbsp;2024", "été\u{a0}2024"),
        ("a &mdash; b &hellip; &euro;5 &trade;", "a — b … €5 ™"),
        ("&foo; stays", "&foo; stays"),
        ("  spaced &lt;tag&gt;  ", "spaced <tag>"),
    ];
    for (raw, expected) in cases {
        assert_eq!(
            one_title(&tv(&programme_with_title(raw))),
            expected,
            "{raw}"
        );
    }
    let c = read_ok(&tv(
        "<channel id=\"Tom &amp; Jerry &eacute;\"><display-name>x</display-name></channel>",
    ));
    assert_eq!(c.channels[0].id, "Tom & Jerry é");
}

#[test]
fn byte_order_marks_choose_the_encoding() {
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><tv>{}</tv>",
        programme_with_title("Café")
    );
    let mut utf8 = vec![0xef, 0xbb, 0xbf];
    utf8.extend(doc.as_bytes());
    assert_eq!(one_title(&utf8), "Café");
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(doc.encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(one_title(&utf16), "Café");
}

#[test]
fn bytes_invalid_in_utf8_become_replacements_with_a_warning() {
    let mut doc = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><tv>".to_vec();
    doc.extend(programme_with_title("Caf\u{1}").as_bytes());
    let at = doc.iter().position(|b| *b == 1).expect("marker");
    doc.splice(at..=at, [0xe9, b' ', 0x93, b'x', 0x94]);
    doc.extend(b"</tv>");
    let (c, summary) = read(&doc).expect("reads");
    assert_eq!(
        c.programmes[0].titles[0].value,
        "Caf\u{FFFD} \u{FFFD}x\u{FFFD}"
    );
    assert_eq!(c.warnings, [Warning::InvalidEncoding { count: 3 }]);
    assert_eq!(summary.warnings, 1);
}

#[test]
fn declared_iso_8859_1_is_decoded() {
    let mut doc = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><tv>".to_vec();
    doc.extend(programme_with_title("Caf\u{1} \u{2}quoted\u{3}").as_bytes());
    for (marker, byte) in [(1u8, 0xe9u8), (2, 0x93), (3, 0x94)] {
        let at = doc.iter().position(|b| *b == marker).expect("marker");
        doc[at] = byte;
    }
    doc.extend(b"</tv>");
    let (c, _) = read(&doc).expect("reads");
    assert_eq!(
        c.programmes[0].titles[0].value,
        "Café \u{201c}quoted\u{201d}"
    );
    assert!(c.warnings.is_empty());
}

fn start_and_offset(time: &str, options: &ReadOptions) -> (i64, i32) {
    let doc = tv(&format!(
        "<programme channel=\"a\" start=\"{time}\" stop=\"20990101000000\"><title>T</title></programme>"
    ));
    let (c, _) = read_with(&doc, options).expect("reads");
    (c.programmes[0].start, c.programmes[0].start_offset)
}

#[test]
fn times_in_all_their_forms() {
    let utc_only = ReadOptions::default();
    let london = ReadOptions {
        timezone: Some(chrono_tz::Europe::London),
        ..ReadOptions::default()
    };
    let corrected = ReadOptions {
        offset_correction_minutes: 60,
        ..ReadOptions::default()
    };
    let cases: &[(&str, &ReadOptions, &str, i32)] = &[
        ("202401011230 +0000", &utc_only, "2024-01-01T12:30:00Z", 0),
        (
            "20240101123000+0100",
            &utc_only,
            "2024-01-01T11:30:00Z",
            3600,
        ),
        (
            "20240101123000 EST",
            &utc_only,
            "2024-01-01T17:30:00Z",
            -18000,
        ),
        (
            "20240101123000 CEST",
            &utc_only,
            "2024-01-01T10:30:00Z",
            7200,
        ),
        ("20240101123000", &utc_only, "2024-01-01T12:30:00Z", 0),
        ("20240715123000", &london, "2024-07-15T11:30:00Z", 3600),
        ("20240115123000", &london, "2024-01-15T12:30:00Z", 0),
        (
            "20240715123000 +0200",
            &london,
            "2024-07-15T10:30:00Z",
            7200,
        ),
        (
            "20240101123000 +0000",
            &corrected,
            "2024-01-01T13:30:00Z",
            0,
        ),
    ];
    for (time, options, expected, offset) in cases {
        assert_eq!(
            start_and_offset(time, options),
            (utc(expected), *offset),
            "{time}"
        );
    }
}

/// A sink that stops the read: its error comes back from `read` as it is.
struct Refuse;

#[derive(Debug, PartialEq)]
enum RefuseError {
    Feed(String),
    Full,
}

impl From<feed::Error> for RefuseError {
    fn from(e: feed::Error) -> Self {
        RefuseError::Feed(e.to_string())
    }
}

impl Sink for Refuse {
    type Error = RefuseError;
    fn channel(&mut self, _: Channel) -> Result<(), RefuseError> {
        Ok(())
    }
    fn programme(&mut self, _: Programme) -> Result<(), RefuseError> {
        Err(RefuseError::Full)
    }
    fn reject(&mut self, _: Reject) -> Result<(), RefuseError> {
        Ok(())
    }
}

#[test]
fn sink_errors_stop_the_read() {
    let result = feed::read(
        &fixture("small.xml")[..],
        &ReadOptions::default(),
        &mut Refuse,
    );
    assert_eq!(result, Err(RefuseError::Full));
    let result = feed::read(&b"<nope/>"[..], &ReadOptions::default(), &mut Refuse);
    assert_eq!(
        result,
        Err(RefuseError::Feed(
            "not an XMLTV document: the root element is <nope>, expected <tv>".into()
        ))
    );
}

// Found in review.

/// `<channel id>` is taken verbatim but `<programme channel>` is trimmed (attr_owned), so
/// a feed whose ids carry a trailing space splits each channel in two: the declared one
/// with names but no programmes, and a bare one with the programmes.
#[test]
fn channel_ids_and_programme_channels_are_read_alike() {
    let c = read_ok(&tv(
        "<channel id=\"BBC One \"><display-name>BBC One</display-name></channel>\
         <programme channel=\"BBC One \" start=\"20240101120000 +0000\" \
          stop=\"20240101130000 +0000\"><title>News</title></programme>",
    ));
    assert_eq!(c.programmes.len(), 1);
    assert_eq!(c.programmes[0].channel, c.channels[0].id);
}

/// Bytes of a 4-byte UTF-8 character split across the decoder's 64 KiB input reads.
#[test]
fn multibyte_characters_split_across_reads() {
    struct OneByOne<'a>(&'a [u8]);
    impl std::io::Read for OneByOne<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(7);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let title = "😀é€".repeat(30_000);
    let doc = tv(&programme_with_title(&title));
    let mut sink = Collect::default();
    feed::read(OneByOne(&doc), &ReadOptions::default(), &mut sink).expect("reads");
    assert_eq!(sink.programmes[0].titles[0].value, title);
    assert!(sink.warnings.is_empty());
}
