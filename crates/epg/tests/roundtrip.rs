//! Real samples through the whole service: import, export, validate the export against
//! the XMLTV DTD (with `EPG_TV_VALIDATE=1`, as CI runs), import the export again, and
//! compare what was stored field by field.

use std::path::Path;

use epg::export::{self, ExportOptions};
use epg::import::{self, ImportOptions, RunStatus, Trigger};
use epg::store::{SqliteStore, Store};

use crate::common::{fresh_db, insert_provider};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/xmltv-samples");

/// Samples with every kind of field between them: ISO-8859-1 with credits and ratings,
/// several languages, Schedules Direct ids, icons and episode numbers, gzip, 12-digit
/// times, and a whole published guide of hundreds of channels.
const FILES: &[&str] = &[
    "jellyfin-xmltv/UK_Data.xml",
    "jellyfin-xmltv/MultilanguageData.xml",
    "jellyfin-xmltv/schedulesdirect.xml",
    "jellyfin-xmltv/custom.xml",
    "iptv-org-epg/epgshare01.online.content.xml.gz",
    "iptv-org-epg/vantagetv.ee.content.xml",
    "iptv-org-epg/tests.expected.multilang.guide.xml",
    "xmltv-project/other/tv_augment_automatic_type_5-2.xml",
    "xmltv-project/t-data/test_remove_some_overlapping.xml",
    "large/i.mjh.nz-all-epg.xml.gz",
];

fn import_bytes(db: &SqliteStore, provider: &str, feed: impl std::io::Read) {
    let provider = insert_provider(db, provider);
    let run = import::start_run(db, provider, Trigger::Cli).expect("start run");
    let record = import::run(db, run.id, feed, &ImportOptions::default()).expect("import");
    assert_eq!(record.status, RunStatus::Succeeded);
}

/// Every stored programme as (start, stop, record without its feed channel id), sorted.
fn stored(db: &SqliteStore) -> Vec<(i64, i64, serde_json::Value)> {
    let rows = db
        .execute("SELECT start, stop, data FROM programmes", &[])
        .expect("programmes");
    let mut out: Vec<_> = rows
        .iter()
        .map(|row| {
            let mut data: serde_json::Value =
                serde_json::from_str(row.str(2).expect("data")).expect("json");
            if let Some(fields) = data.as_object_mut() {
                // What an export leaves out by design: the feed's channel id (channels get
                // stable ids of the form the DTD's validator wants) and `<live/>`, which
                // is not in the DTD.
                fields.remove("channel");
                fields.remove("live");
                // Malformed xmltv_ns numbers go out repaired (or not at all).
                if let Some(serde_json::Value::Array(nums)) = fields.get_mut("episode_nums") {
                    nums.retain_mut(|num| {
                        if num["system"] != "xmltv_ns" {
                            return true;
                        }
                        let value = num["value"].as_str().unwrap_or_default();
                        match export::exportable_xmltv_ns(value) {
                            Some(v) => {
                                num["value"] = v.into_owned().into();
                                true
                            }
                            None => false,
                        }
                    });
                    if nums.is_empty() {
                        fields.remove("episode_nums");
                    }
                }
            }
            (row.i64(0).expect("start"), row.i64(1).expect("stop"), data)
        })
        .collect();
    out.sort_by_cached_key(|p| (p.0, p.1, p.2.to_string()));
    out
}

/// The whole guide. Channels without programmes are left out of an export, so the
/// validator, which reports them as errors, passes every sample's whole guide (the
/// large sample lists channels that have none).
fn export_all(db: &SqliteStore) -> Vec<u8> {
    let options = ExportOptions {
        channels: None,
        start: 0,
        end: 4_102_444_800,
        include_empty_channels: false,
    };
    let mut out = Vec::new();
    export::write(db, &options, &mut out).expect("export");
    out
}

fn validate(name: &str, document: &[u8]) {
    if std::env::var("EPG_TV_VALIDATE").as_deref() != Ok("1") {
        return;
    }
    let path = std::env::temp_dir().join(format!(
        "epg-roundtrip-{}-{}.xml",
        std::process::id(),
        name.replace('/', "_")
    ));
    std::fs::write(&path, document).expect("write export");
    let output = std::process::Command::new("tv_validate_file")
        .arg("--dtd-file")
        .arg(Path::new(SAMPLES).join("xmltv-project/xmltv.dtd"))
        .arg(&path)
        .output()
        .expect(
            "EPG_TV_VALIDATE=1 but tv_validate_file could not run (apt-get install xmltv-util)",
        );
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "Validated ok.\n",
        "{name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn samples_survive_export_and_reimport_with_every_field() {
    for name in FILES {
        let path = Path::new(SAMPLES).join(name);
        let first = fresh_db();
        import_bytes(
            &first,
            "source",
            std::fs::File::open(&path).expect("sample"),
        );
        let before = stored(&first);
        assert!(!before.is_empty(), "{name}: nothing imported");

        let document = export_all(&first);
        validate(name, &document);

        let second = fresh_db();
        import_bytes(&second, "export", &document[..]);
        let after = stored(&second);
        assert_eq!(before.len(), after.len(), "{name}: programme count");
        for (a, b) in before.iter().zip(&after) {
            assert_eq!(a, b, "{name}: a programme changed in the round trip");
        }
    }
}
