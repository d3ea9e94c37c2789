//! The XMLTV export: exact documents, DTD order, escaping, offsets, filters, chunking,
//! gzip, cache validators, and (with `EPG_TV_VALIDATE=1`) the XMLTV project's validator.

use crate::common::fresh_db as db;
use std::io::Read;

use epg::export::{self, CHUNK_SECONDS, ExportOptions, ExportStats};
use epg::model::{
    Audio, Credit, EpisodeNum, Icon, Image, LangText, Length, PreviouslyShown, Programme, Rating,
    Review, Role, Subtitles, Url, Video,
};
use epg::store::{SqliteStore, Store, Value};

/// 2024-06-01 00:00:00 UTC.
const DAY0: i64 = 1_717_200_000;
const HOUR: i64 = 3600;

fn id_of(db: &SqliteStore, sql: &str, params: &[Value]) -> i64 {
    let rows = db.execute(sql, params).expect("insert");
    rows.first().expect("returning").i64(0).expect("id")
}

fn provider(db: &SqliteStore, name: &str, priority: i64) -> i64 {
    id_of(
        db,
        "INSERT INTO providers (name, xmltv_url, priority, created_at, updated_at) \
         VALUES (?, 'http://example.com/guide.xml', ?, 0, 0) RETURNING id",
        &[name.into(), priority.into()],
    )
}

/// A logical channel: name, xmltv_id, lcn, icon, enabled.
fn channel(
    db: &SqliteStore,
    name: &str,
    xmltv_id: Option<&str>,
    lcn: Option<&str>,
    icon: Option<&str>,
    enabled: bool,
) -> i64 {
    id_of(
        db,
        "INSERT INTO channels (name, normalized_name, icon, xmltv_id, lcn, enabled, created_at, updated_at) \
         VALUES (?, lower(?), ?, ?, ?, ?, 0, 0) RETURNING id",
        &[
            name.into(),
            name.into(),
            icon.into(),
            xmltv_id.into(),
            lcn.into(),
            enabled.into(),
        ],
    )
}

fn mapping(
    db: &SqliteStore,
    provider: i64,
    provider_channel_id: &str,
    channel: i64,
    shift_minutes: i64,
) -> i64 {
    id_of(
        db,
        "INSERT INTO channel_mappings (provider_id, provider_channel_id, channel_id, time_shift_minutes, created_at, updated_at) \
         VALUES (?, ?, ?, ?, 0, 0) RETURNING id",
        &[
            provider.into(),
            provider_channel_id.into(),
            channel.into(),
            shift_minutes.into(),
        ],
    )
}

/// Stores `p` under `mapping` the way the importer does: shifted times in the columns,
/// the feed's record as JSON.
fn programme(db: &SqliteStore, mapping: i64, p: &Programme) -> i64 {
    let data = serde_json::to_string(p).expect("json");
    programme_json(db, mapping, p.start, p.stop.expect("stop"), &data)
}

fn programme_json(db: &SqliteStore, mapping: i64, start: i64, stop: i64, data: &str) -> i64 {
    id_of(
        db,
        "INSERT INTO programmes (mapping_id, channel_id, provider_id, start, stop, title, data) \
         SELECT id, channel_id, provider_id, ? + time_shift_minutes * 60, ? + time_shift_minutes * 60, 'title', ? \
         FROM channel_mappings WHERE id = ? RETURNING id",
        &[start.into(), stop.into(), data.into(), mapping.into()],
    )
}

fn simple(title: &str, start: i64, stop: i64) -> Programme {
    Programme {
        start,
        stop: Some(stop),
        titles: vec![LangText::new(title)],
        ..Programme::default()
    }
}

fn lang(value: &str, lang: &str) -> LangText {
    LangText {
        value: value.into(),
        lang: Some(lang.into()),
    }
}

fn person(role: Role, name: &str) -> Credit {
    Credit {
        role,
        name: name.into(),
        character: None,
        guest: false,
        images: vec![],
        urls: vec![],
    }
}

/// Every field of the model filled, credits in feed order (not DTD order).
fn rich(start: i64, stop: i64, offset: i32) -> Programme {
    Programme {
        channel: "bbc1.provider".into(),
        start,
        stop: Some(stop),
        start_offset: offset,
        stop_offset: Some(offset),
        pdc_start: Some("20240601200000 +0100".into()),
        vps_start: Some("20240601200000 +0100".into()),
        showview: Some("12345".into()),
        videoplus: Some("67890".into()),
        clumpidx: Some("0/2".into()),
        titles: vec![lang("Doctor Who", "en"), lang("Docteur Who", "fr")],
        sub_titles: vec![lang("The Day", "en")],
        descs: vec![lang("The Doctor returns.", "en"), LangText::new("  ")],
        credits: vec![
            person(Role::Writer, "Steven Moffat"),
            Credit {
                role: Role::Actor,
                name: "Matt Smith".into(),
                character: Some("The Doctor".into()),
                guest: false,
                images: vec![Image {
                    value: "http://img/ms.jpg".into(),
                    kind: Some("person".into()),
                    size: Some("2".into()),
                    orient: Some("P".into()),
                    system: Some("tmdb".into()),
                }],
                urls: vec![Url {
                    value: "http://imdb/ms".into(),
                    system: Some("imdb".into()),
                }],
            },
            person(Role::Director, "Nick Hurran"),
            Credit {
                guest: true,
                ..person(Role::Actor, "John Hurt")
            },
            person(Role::Guest, "Tom Baker"),
            person(Role::Presenter, "Zoe Ball"),
            person(Role::Producer, "Marcus Wilson"),
        ],
        date: Some("2013".into()),
        categories: vec![lang("Drama", "en"), LangText::new("Sci-Fi")],
        keywords: vec![lang("time-travel", "en")],
        language: Some(LangText::new("en")),
        orig_language: Some(lang("English", "en")),
        length: Some(Length {
            value: 75,
            units: "minutes".into(),
        }),
        icons: vec![Icon {
            src: "http://img/dw.png".into(),
            width: Some(100),
            height: Some(50),
        }],
        urls: vec![Url {
            value: "http://bbc.co.uk/dw".into(),
            system: None,
        }],
        countries: vec![LangText::new("GB")],
        episode_nums: vec![
            EpisodeNum {
                system: "xmltv_ns".into(),
                value: "6.12.0/1".into(),
            },
            EpisodeNum {
                system: "onscreen".into(),
                value: "S07E13".into(),
            },
        ],
        video: Some(Video {
            present: Some("yes".into()),
            colour: Some("yes".into()),
            aspect: Some("16:9".into()),
            quality: Some("HDTV".into()),
        }),
        audio: Some(Audio {
            present: Some("yes".into()),
            stereo: Some("dolby digital".into()),
        }),
        previously_shown: Some(PreviouslyShown {
            start: Some("20131123194500 +0000".into()),
            channel: Some("bbc1.bbc.co.uk".into()),
        }),
        premiere: Some(lang("First showing", "en")),
        last_chance: Some(LangText::new("")),
        new: true,
        live: true,
        subtitles: vec![
            Subtitles {
                kind: Some("teletext".into()),
                language: Some(LangText::new("English")),
            },
            Subtitles {
                kind: Some("deaf-signed".into()),
                language: None,
            },
        ],
        ratings: vec![Rating {
            value: "PG".into(),
            system: Some("BBFC".into()),
            icons: vec![Icon {
                src: "http://img/pg.png".into(),
                width: None,
                height: None,
            }],
        }],
        star_ratings: vec![Rating {
            value: "4/5".into(),
            system: None,
            icons: vec![],
        }],
        reviews: vec![Review {
            kind: "text".into(),
            value: "Superb.".into(),
            source: Some("Radio Times".into()),
            reviewer: Some("A. Critic".into()),
            lang: Some("en".into()),
        }],
        images: vec![Image {
            value: "http://img/poster.jpg".into(),
            kind: Some("poster".into()),
            size: None,
            orient: Some("L".into()),
            system: None,
        }],
    }
}

/// Exports to a string through the merged guide and checks the stats against it.
fn export_to_string(db: &SqliteStore, opts: &ExportOptions) -> String {
    let (text, _) = export_with_stats(db, opts);
    text
}

fn export_with_stats(db: &SqliteStore, opts: &ExportOptions) -> (String, ExportStats) {
    let mut out = Vec::new();
    let stats = export::write(db, opts, &mut out).expect("export");
    assert_eq!(stats.bytes, out.len() as u64);
    let text = String::from_utf8(out).expect("utf-8");
    assert_eq!(stats.programmes, text.matches("<programme ").count() as u64);
    assert_eq!(stats.channels, text.matches("<channel ").count() as u64);
    (text, stats)
}

fn window(days: i64) -> ExportOptions {
    ExportOptions {
        channels: None,
        start: DAY0,
        end: DAY0 + days * CHUNK_SECONDS,
        include_empty_channels: false,
    }
}

/// The `start` attributes of every programme, in document order.
fn starts(doc: &str) -> Vec<&str> {
    doc.match_indices("<programme start=\"")
        .map(|(i, m)| &doc[i + m.len()..i + m.len() + 20])
        .collect()
}

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                    <!DOCTYPE tv SYSTEM \"xmltv.dtd\">\n\
                    <tv generator-info-name=\"epg\">\n";

/// Two channels, three providers' ids, one rich programme and one plain one.
fn small_guide(db: &SqliteStore) -> (i64, i64) {
    let alpha = provider(db, "alpha", 1);
    let beta = provider(db, "beta", 5);
    let bbc = channel(
        db,
        "BBC One",
        Some("bbc1.bbc.co.uk"),
        Some("101"),
        Some("http://img/bbc1.png"),
        true,
    );
    let film = channel(db, "Film & Co \"HD\"", Some("Film Co"), None, None, true);
    let m_bbc = mapping(db, beta, "bbc-one@SD", bbc, 0);
    mapping(db, beta, "BBC One", bbc, 0);
    mapping(db, alpha, "BBC1.uk", bbc, 0);
    let m_film = mapping(db, alpha, "film", film, 0);
    programme(
        db,
        m_bbc,
        &rich(DAY0 + 19 * HOUR, DAY0 + 20 * HOUR + 900, 3600),
    );
    programme(
        db,
        m_film,
        &simple("News", DAY0 + 6 * HOUR, DAY0 + 6 * HOUR + 1800),
    );
    (bbc, film)
}

#[test]
fn small_guide_exact_document() {
    let db = db();
    small_guide(&db);
    let (doc, stats) = export_with_stats(&db, &window(1));
    assert_eq!(doc, SMALL_GUIDE);
    assert_eq!(
        stats,
        ExportStats {
            channels: 2,
            programmes: 2,
            bytes: SMALL_GUIDE.len() as u64
        }
    );
}

/// Elements in DTD order, credits grouped by role, `live` and the blank `desc` dropped,
/// pdc/vps kept (no time shift), display names: name, xmltv_id, provider ids (best
/// provider first, repeats dropped), lcn.
const SMALL_GUIDE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tv SYSTEM "xmltv.dtd">
<tv generator-info-name="epg">
  <channel id="bbc1.bbc.co.uk">
    <display-name>BBC One</display-name>
    <display-name>bbc1.bbc.co.uk</display-name>
    <display-name>BBC1.uk</display-name>
    <display-name>bbc-one@SD</display-name>
    <display-name>101</display-name>
    <icon src="http://img/bbc1.png"/>
  </channel>
  <channel id="ch2.epg">
    <display-name>Film &amp; Co "HD"</display-name>
    <display-name>Film Co</display-name>
    <display-name>film</display-name>
  </channel>
  <programme start="20240601200000 +0100" stop="20240601211500 +0100" pdc-start="20240601200000 +0100" vps-start="20240601200000 +0100" showview="12345" videoplus="67890" channel="bbc1.bbc.co.uk" clumpidx="0/2">
    <title lang="en">Doctor Who</title>
    <title lang="fr">Docteur Who</title>
    <sub-title lang="en">The Day</sub-title>
    <desc lang="en">The Doctor returns.</desc>
    <credits>
      <director>Nick Hurran</director>
      <actor role="The Doctor">Matt Smith<image type="person" size="2" orient="P" system="tmdb">http://img/ms.jpg</image><url system="imdb">http://imdb/ms</url></actor>
      <actor guest="yes">John Hurt</actor>
      <writer>Steven Moffat</writer>
      <producer>Marcus Wilson</producer>
      <presenter>Zoe Ball</presenter>
      <guest>Tom Baker</guest>
    </credits>
    <date>2013</date>
    <category lang="en">Drama</category>
    <category>Sci-Fi</category>
    <keyword lang="en">time-travel</keyword>
    <language>en</language>
    <orig-language lang="en">English</orig-language>
    <length units="minutes">75</length>
    <icon src="http://img/dw.png" width="100" height="50"/>
    <url>http://bbc.co.uk/dw</url>
    <country>GB</country>
    <episode-num system="xmltv_ns">6.12.0/1</episode-num>
    <episode-num system="onscreen">S07E13</episode-num>
    <video>
      <present>yes</present>
      <colour>yes</colour>
      <aspect>16:9</aspect>
      <quality>HDTV</quality>
    </video>
    <audio>
      <present>yes</present>
      <stereo>dolby digital</stereo>
    </audio>
    <previously-shown start="20131123194500 +0000" channel="bbc1.bbc.co.uk"/>
    <premiere lang="en">First showing</premiere>
    <last-chance></last-chance>
    <new/>
    <subtitles type="teletext">
      <language>English</language>
    </subtitles>
    <subtitles type="deaf-signed"/>
    <rating system="BBFC">
      <value>PG</value>
      <icon src="http://img/pg.png"/>
    </rating>
    <star-rating>
      <value>4/5</value>
    </star-rating>
    <review type="text" source="Radio Times" reviewer="A. Critic" lang="en">Superb.</review>
    <image type="poster" orient="L">http://img/poster.jpg</image>
  </programme>
  <programme start="20240601060000 +0000" stop="20240601063000 +0000" channel="ch2.epg">
    <title>News</title>
  </programme>
</tv>
"#;

#[test]
fn dtd_order_whatever_order_the_stored_record_has() {
    let db = db();
    let p = provider(&db, "alpha", 1);
    let c = channel(&db, "One", Some("one.tv"), None, None, true);
    let m = mapping(&db, p, "one", c, 0);
    // Keys in reverse DTD order and credits with roles out of order, as a feed may give them.
    let shuffled = r#"{"images":[{"value":"http://i/p.jpg"}],"new":true,
        "episode_nums":[{"system":"onscreen","value":"E1"}],"categories":[{"value":"News"}],
        "credits":[{"role":"guest","name":"G"},{"role":"writer","name":"W"},
                   {"role":"actor","name":"A2"},{"role":"director","name":"D"},{"role":"actor","name":"A1"}],
        "descs":[{"value":"About"}],"titles":[{"value":"T"}],
        "start_offset":0,"stop":1717203600,"start":1717200000}"#;
    programme_json(&db, m, DAY0, DAY0 + HOUR, shuffled);
    let doc = export_to_string(&db, &window(1));
    let body = &doc[doc.find("<programme ").expect("programme")..];
    assert_eq!(
        body,
        "<programme start=\"20240601000000 +0000\" stop=\"20240601010000 +0000\" channel=\"one.tv\">\n\
         \x20   <title>T</title>\n\
         \x20   <desc>About</desc>\n\
         \x20   <credits>\n\
         \x20     <director>D</director>\n\
         \x20     <actor>A2</actor>\n\
         \x20     <actor>A1</actor>\n\
         \x20     <writer>W</writer>\n\
         \x20     <guest>G</guest>\n\
         \x20   </credits>\n\
         \x20   <category>News</category>\n\
         \x20   <episode-num system=\"onscreen\">E1</episode-num>\n\
         \x20   <new/>\n\
         \x20   <image>http://i/p.jpg</image>\n\
         \x20 </programme>\n\
         </tv>\n"
    );
}

#[test]
fn text_and_attributes_are_escaped_and_forbidden_characters_stripped() {
    let db = db();
    let p = provider(&db, "alpha", 1);
    let c = channel(
        &db,
        "A&B <\"'>",
        Some("ab.tv"),
        None,
        Some("http://i/x.png?a=1&b=\"2\""),
        true,
    );
    let m = mapping(&db, p, "ab", c, 0);
    let mut prog = simple("Tom & Jerry", DAY0, DAY0 + HOUR);
    prog.descs = vec![LangText::new(
        "1 < 2 > 0, \"quoted\" & it's\u{1}\u{8}\u{b}\u{1f}\u{85} ok\tline\r\nnext",
    )];
    prog.sub_titles = vec![LangText {
        value: "Fünf €".into(),
        lang: Some("d\"e".into()),
    }];
    programme(&db, m, &prog);
    let doc = export_to_string(&db, &window(1));
    assert!(
        doc.contains("<display-name>A&amp;B &lt;\"'&gt;</display-name>"),
        "{doc}"
    );
    assert!(
        doc.contains("<icon src=\"http://i/x.png?a=1&amp;b=&quot;2&quot;\"/>"),
        "{doc}"
    );
    assert!(doc.contains("<title>Tom &amp; Jerry</title>"), "{doc}");
    assert!(
        doc.contains("<sub-title lang=\"d&quot;e\">Fünf €</sub-title>"),
        "{doc}"
    );
    assert!(
        doc.contains("<desc>1 &lt; 2 &gt; 0, \"quoted\" &amp; it's ok\tline&#13;\nnext</desc>"),
        "{doc}"
    );
}

#[test]
fn feed_offsets_are_kept_and_time_shift_applied() {
    let db = db();
    let p = provider(&db, "alpha", 1);
    let one = channel(&db, "One", Some("one.tv"), None, None, true);
    let plus1 = channel(&db, "One +1", Some("one1.tv"), None, None, true);
    let m = mapping(&db, p, "one", one, 0);
    let m1 = mapping(&db, p, "one+1", plus1, 60);
    // 2024-10-27 00:30 UTC, 02:30 CEST (+0200) to 03:30 CET (+0100) across the DST change.
    let start = 1_729_989_000;
    let mut prog = simple("Night", start, start + 2 * HOUR);
    prog.start_offset = 7200;
    prog.stop_offset = Some(3600);
    prog.pdc_start = Some("20241027023000 +0200".into());
    programme(&db, m, &prog);
    programme(&db, m1, &prog);
    let doc = export_to_string(
        &db,
        &ExportOptions {
            channels: None,
            start: start - HOUR,
            end: start + 4 * HOUR,
            ..window(1)
        },
    );
    assert!(doc.contains(
        "<programme start=\"20241027023000 +0200\" stop=\"20241027033000 +0100\" pdc-start=\"20241027023000 +0200\" channel=\"one.tv\">"
    ), "{doc}");
    // The +1 channel: an hour later, same zones, and no PDC time that would be wrong.
    assert!(doc.contains(
        "<programme start=\"20241027033000 +0200\" stop=\"20241027043000 +0100\" channel=\"one1.tv\">"
    ), "{doc}");
}

#[test]
fn channel_ids_are_valid_and_stable() {
    let db = db();
    let p = provider(&db, "alpha", 1);
    let good = channel(&db, "Good", Some("good.example"), None, None, true);
    let bad = channel(&db, "Bad", Some("Bad Id"), None, None, true);
    let none = channel(&db, "None", None, None, None, true);
    for (c, name) in [(good, "g"), (bad, "b"), (none, "n")] {
        let m = mapping(&db, p, name, c, 0);
        programme(&db, m, &simple(name, DAY0, DAY0 + HOUR));
    }
    let before = export_to_string(&db, &window(1));
    for id in [
        "good.example",
        &format!("ch{bad}.epg"),
        &format!("ch{none}.epg"),
    ] {
        assert!(
            before.contains(&format!("<channel id=\"{id}\">")),
            "{id}: {before}"
        );
        assert!(
            before.contains(&format!("channel=\"{id}\">")),
            "{id}: {before}"
        );
    }
    db.execute("UPDATE channels SET name = 'Renamed ' || id", &[])
        .expect("rename");
    let after = export_to_string(&db, &window(1));
    assert!(
        after.contains("<display-name>Renamed 1</display-name>"),
        "{after}"
    );
    assert_eq!(channel_ids(&after), channel_ids(&before));
}

/// Three enabled channels and a disabled one, one programme each at 10:00.
fn four_channels(db: &SqliteStore) -> [i64; 4] {
    let p = provider(db, "alpha", 1);
    let ids = [
        channel(db, "One", Some("one.tv"), None, None, true),
        channel(db, "Two", Some("two.tv"), None, None, true),
        channel(db, "Off", Some("off.tv"), None, None, false),
        channel(db, "Three", Some("three.tv"), None, None, true),
    ];
    for (i, c) in ids.iter().enumerate() {
        let m = mapping(db, p, &format!("p{i}"), *c, 0);
        programme(db, m, &simple("Show", DAY0 + 10 * HOUR, DAY0 + 11 * HOUR));
    }
    ids
}

fn channel_ids(doc: &str) -> Vec<&str> {
    doc.match_indices("<channel id=\"")
        .map(|(i, m)| {
            let rest = &doc[i + m.len()..];
            &rest[..rest.find('"').expect("quote")]
        })
        .collect()
}

#[test]
fn disabled_channels_are_left_out() {
    let db = db();
    four_channels(&db);
    let doc = export_to_string(&db, &window(1));
    assert_eq!(channel_ids(&doc), ["one.tv", "two.tv", "three.tv"]);
    assert!(!doc.contains("off.tv"), "{doc}");
    assert_eq!(doc.matches("<programme ").count(), 3);
}

/// Issue 11: `tv_validate_file` refuses a document listing a channel without
/// programmes, so such channels are left out unless asked for.
#[test]
fn issue11_channels_without_programmes_in_the_window_are_left_out_unless_asked() {
    let db = db();
    let [one, ..] = four_channels(&db);
    channel(&db, "Empty", Some("empty.tv"), None, None, true);
    let p = provider(&db, "beta", 2);
    let later = channel(&db, "Later", Some("later.tv"), None, None, true);
    let m = mapping(&db, p, "later", later, 0);
    programme(
        &db,
        m,
        &simple(
            "Tomorrow",
            DAY0 + CHUNK_SECONDS,
            DAY0 + CHUNK_SECONDS + HOUR,
        ),
    );
    let (doc, stats) = export_with_stats(&db, &window(1));
    assert_eq!(channel_ids(&doc), ["one.tv", "two.tv", "three.tv"]);
    assert_eq!((stats.channels, stats.programmes), (3, 3));
    validate_if_asked("issue11", &doc);
    let all = ExportOptions {
        include_empty_channels: true,
        ..window(1)
    };
    let (doc, stats) = export_with_stats(&db, &all);
    assert_eq!(
        channel_ids(&doc),
        ["one.tv", "two.tv", "three.tv", "empty.tv", "later.tv"]
    );
    assert_eq!((stats.channels, stats.programmes), (5, 3));
    let only_one = ExportOptions {
        channels: Some(vec![one]),
        ..window(2)
    };
    assert_eq!(channel_ids(&export_to_string(&db, &only_one)), ["one.tv"]);
}

#[test]
fn channels_option_restricts_and_keeps_id_order() {
    let db = db();
    let [one, _, off, three] = four_channels(&db);
    let opts = ExportOptions {
        channels: Some(vec![three, off, one, 999]),
        ..window(1)
    };
    let (doc, stats) = export_with_stats(&db, &opts);
    assert_eq!(channel_ids(&doc), ["one.tv", "three.tv"]);
    assert_eq!((stats.channels, stats.programmes), (2, 2));
    let none = ExportOptions {
        channels: Some(vec![]),
        ..window(1)
    };
    assert_eq!(export_to_string(&db, &none), format!("{HEAD}</tv>\n"));
}

#[test]
fn window_keeps_programmes_overlapping_it() {
    let db = db();
    let p = provider(&db, "alpha", 1);
    let c = channel(&db, "One", Some("one.tv"), None, None, true);
    let m = mapping(&db, p, "one", c, 0);
    for (title, start, stop) in [
        ("ends-at-start", DAY0 - HOUR, DAY0),
        ("straddles-start", DAY0 - 1800, DAY0 + 1800),
        ("inside", DAY0 + HOUR, DAY0 + 2 * HOUR),
        (
            "straddles-end",
            DAY0 + 2 * CHUNK_SECONDS - 1800,
            DAY0 + 2 * CHUNK_SECONDS + 1800,
        ),
        (
            "starts-at-end",
            DAY0 + 2 * CHUNK_SECONDS,
            DAY0 + 2 * CHUNK_SECONDS + HOUR,
        ),
    ] {
        programme(&db, m, &simple(title, start, stop));
    }
    let doc = export_to_string(&db, &window(2));
    assert_eq!(
        starts(&doc),
        [
            "20240531233000 +0000",
            "20240601010000 +0000",
            "20240602233000 +0000"
        ]
    );
}

#[test]
fn programme_across_chunk_boundaries_is_written_once() {
    let db = db();
    let p = provider(&db, "alpha", 1);
    let c = channel(&db, "One", Some("one.tv"), None, None, true);
    let m = mapping(&db, p, "one", c, 0);
    let boundary = DAY0 + CHUNK_SECONDS;
    programme(
        &db,
        m,
        &simple("before", boundary - 2 * HOUR, boundary - HOUR),
    );
    programme(&db, m, &simple("across", boundary - HOUR, boundary + HOUR));
    // Longer than a chunk: returned by three chunks.
    programme(
        &db,
        m,
        &simple(
            "marathon",
            boundary + HOUR,
            boundary + CHUNK_SECONDS + 2 * HOUR,
        ),
    );
    programme(
        &db,
        m,
        &simple(
            "after",
            boundary + CHUNK_SECONDS + 2 * HOUR,
            boundary + CHUNK_SECONDS + 3 * HOUR,
        ),
    );
    let (doc, stats) = export_with_stats(&db, &window(3));
    assert_eq!(
        starts(&doc),
        [
            "20240601220000 +0000",
            "20240601230000 +0000",
            "20240602010000 +0000",
            "20240603020000 +0000"
        ]
    );
    assert_eq!(stats.programmes, 4);
}

#[test]
fn gzip_decompresses_to_the_same_document() {
    let db = db();
    small_guide(&db);
    let plain = export_to_string(&db, &window(1));
    let mut gz = Vec::new();
    let stats = export::write_gzip(&db, &window(1), &mut gz).expect("gzip export");
    assert_eq!(&gz[..2], &[0x1f, 0x8b]);
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut unzipped)
        .expect("gunzip");
    assert_eq!(unzipped, plain);
    assert_eq!(stats.bytes, plain.len() as u64);
}

#[test]
fn empty_guide_is_an_empty_tv_element() {
    let db = db();
    let (doc, stats) = export_with_stats(&db, &window(7));
    assert_eq!(doc, format!("{HEAD}</tv>\n"));
    assert_eq!(
        stats,
        ExportStats {
            channels: 0,
            programmes: 0,
            bytes: doc.len() as u64
        }
    );
}

#[test]
fn programmes_without_a_title_are_skipped() {
    let db = db();
    let p = provider(&db, "alpha", 1);
    let c = channel(&db, "One", Some("one.tv"), None, None, true);
    let m = mapping(&db, p, "one", c, 0);
    programme(&db, m, &simple("  ", DAY0, DAY0 + HOUR));
    programme(&db, m, &simple("Kept", DAY0 + HOUR, DAY0 + 2 * HOUR));
    let (doc, stats) = export_with_stats(&db, &window(1));
    assert_eq!(starts(&doc), ["20240601010000 +0000"]);
    assert_eq!(stats.programmes, 1);
}

#[test]
fn validators_follow_imports_and_channel_edits() {
    let db = db();
    assert_eq!(export::validators(&db).expect("validators"), None);
    let p = provider(&db, "alpha", 1);
    db.execute(
        "INSERT INTO import_log (provider_id, trigger, status, queued_at, finished_at) VALUES (?, 'cli', 'failed', 0, 500)",
        &[p.into()],
    )
    .expect("failed run");
    assert_eq!(export::validators(&db).expect("validators"), None);
    db.execute(
        "INSERT INTO import_log (provider_id, trigger, status, queued_at, finished_at) VALUES (?, 'cli', 'succeeded', 0, 400)",
        &[p.into()],
    )
    .expect("run");
    let first = export::validators(&db).expect("validators").expect("some");
    assert_eq!(first.last_modified, 400);
    assert_eq!(export::validators(&db).expect("again"), Some(first.clone()));

    db.execute(
        "INSERT INTO channels (name, normalized_name, created_at, updated_at) VALUES ('X', 'x', 0, 450)",
        &[],
    )
    .expect("channel");
    let edited = export::validators(&db).expect("validators").expect("some");
    assert_ne!(edited.etag, first.etag);
    assert_eq!(edited.last_modified, 450);

    db.execute(
        "INSERT INTO import_log (provider_id, trigger, status, queued_at, finished_at) VALUES (?, 'cli', 'succeeded', 0, 900)",
        &[p.into()],
    )
    .expect("run");
    let imported = export::validators(&db).expect("validators").expect("some");
    assert_ne!(imported.etag, edited.etag);
    assert_eq!(imported.last_modified, 900);
    assert_ne!(
        imported.etag_for("days=7"),
        imported.etag_for("days=7;gzip")
    );
    assert_eq!(export::parse_http_date(&export::http_date(900)), Some(900));
}

/// Runs the XMLTV project's `tv_validate_file` (Debian `xmltv-util`) on a rich export
/// when `EPG_TV_VALIDATE=1`; CI sets it. With the variable set, a missing tool fails.
#[test]
fn tv_validate_file_accepts_a_rich_export() {
    if std::env::var("EPG_TV_VALIDATE").as_deref() != Ok("1") {
        return;
    }
    let db = db();
    small_guide(&db);
    validate_if_asked("rich", &export_to_string(&db, &window(1)));
}

/// `tv_validate_file` on `doc` when `EPG_TV_VALIDATE=1`.
fn validate_if_asked(name: &str, doc: &str) {
    if std::env::var("EPG_TV_VALIDATE").as_deref() != Ok("1") {
        return;
    }
    let path = std::env::temp_dir().join(format!(
        "epg-export-validate-{}-{name}.xml",
        std::process::id()
    ));
    std::fs::write(&path, doc).expect("write export");
    let dtd = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/xmltv-samples/xmltv-project/xmltv.dtd"
    );
    let output = std::process::Command::new("tv_validate_file")
        .arg("--dtd-file")
        .arg(dtd)
        .arg(&path)
        .output()
        .expect(
            "EPG_TV_VALIDATE=1 but tv_validate_file could not run (apt-get install xmltv-util)",
        );
    let _ = std::fs::remove_file(&path);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout,
        "Validated ok.\n",
        "{name}: stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success());
}

#[test]
fn only_chunks_holding_data_are_queried() {
    let db = db();
    let p = provider(&db, "alpha", 1);
    let c = channel(&db, "One", Some("one.tv"), None, None, true);
    channel(&db, "Empty", Some("empty.tv"), None, None, true);
    let m = mapping(&db, p, "one", c, 0);
    programme(&db, m, &simple("first", DAY0 + HOUR, DAY0 + 2 * HOUR));
    programme(
        &db,
        m,
        &simple(
            "last",
            DAY0 + 2 * CHUNK_SECONDS + HOUR,
            DAY0 + 2 * CHUNK_SECONDS + 2 * HOUR,
        ),
    );
    let opts = ExportOptions {
        channels: None,
        start: DAY0 - 1000 * CHUNK_SECONDS,
        end: i64::MAX,
        // Listed, but never queried.
        include_empty_channels: true,
    };
    let mut calls = Vec::new();
    let stats = export::write_with(&db, &opts, std::io::sink(), |c, s, e| {
        calls.push((c, s - DAY0, e - DAY0));
        epg::guide::channel_programmes(&db, c, s, e)
    })
    .expect("export");
    let day = CHUNK_SECONDS;
    assert_eq!(
        calls,
        [
            (c, 0, day),
            (c, day, 2 * day),
            (c, 2 * day, 2 * day + 2 * HOUR)
        ]
    );
    assert_eq!((stats.channels, stats.programmes), (2, 2));
}
