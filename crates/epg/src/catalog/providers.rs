//! Providers: the XMLTV feeds the guide is built from.

use serde::{Deserialize, Serialize};

use super::{Error, checked_name, checked_shift, count, invalid};
use crate::store::{self, Row, Store, Value, write_transaction};

/// A `providers` row. Fetch state (`etag`, `last_*`) is written by the importer only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provider {
    /// Row id.
    pub id: i64,
    /// Unique display name.
    pub name: String,
    /// Where the feed is fetched from.
    pub xmltv_url: String,
    /// Disabled providers are not imported.
    pub enabled: bool,
    /// Lower wins when several providers feed one channel.
    pub priority: i64,
    /// IANA zone of offset-less feed times (`None`: UTC).
    pub timezone: Option<String>,
    /// Minutes added to every feed time.
    pub offset_correction_minutes: i64,
    /// The feed's last `ETag`.
    pub etag: Option<String>,
    /// The feed's last `Last-Modified`.
    pub last_modified: Option<String>,
    /// Last fetch attempt, UTC seconds.
    pub last_fetched_at: Option<i64>,
    /// Last successful import, UTC seconds.
    pub last_success_at: Option<i64>,
    /// Creation time, UTC seconds.
    pub created_at: i64,
    /// Last change, UTC seconds.
    pub updated_at: i64,
}

/// The writable fields of a provider, as `POST`/`PUT /providers` take them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderInput {
    /// Unique, non-blank, at most 200 characters.
    pub name: String,
    /// Absolute `http` or `https` URL with a host.
    pub xmltv_url: String,
    /// Defaults to `true`.
    #[serde(default = "default_enabled")]
    pub enabled: bool,
    /// Defaults to 10; lower wins.
    #[serde(default = "default_priority", deserialize_with = "super::whole::whole")]
    pub priority: i64,
    /// An IANA zone name such as `Europe/Berlin`.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Between -1440 and 1440.
    #[serde(default, deserialize_with = "super::whole::whole")]
    pub offset_correction_minutes: i64,
}

fn default_enabled() -> bool {
    true
}

fn default_priority() -> i64 {
    10
}

impl ProviderInput {
    /// Checks every field and returns the input normalised (name trimmed, empty zone
    /// dropped).
    pub fn validated(&self) -> Result<ProviderInput, Error> {
        let name = checked_name("name", &self.name)?;
        let xmltv_url = checked_url(&self.xmltv_url)?;
        let timezone = match self.timezone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(zone) => {
                zone.parse::<chrono_tz::Tz>().map_err(|_| {
                    invalid(
                        "timezone",
                        format!("{zone:?} is not an IANA time zone such as Europe/Berlin"),
                    )
                })?;
                Some(zone.to_owned())
            }
        };
        let offset = checked_shift("offset_correction_minutes", self.offset_correction_minutes)?;
        Ok(ProviderInput {
            name,
            xmltv_url,
            enabled: self.enabled,
            priority: self.priority,
            timezone,
            offset_correction_minutes: offset,
        })
    }
}

/// What `xmltv_url` must match, as the OpenAPI document states it (ASCII only, so every
/// regex dialect reads it alike): an RFC 3986 URI with an `http` or `https` scheme, an
/// optional user, a host name (no `--`; the last label starts with a letter, so it is never
/// read as a number) or an IPv4 address, a port up to 65535, and a path, query and
/// fragment of URI characters. The document and the check share it, so that no URL the
/// document calls valid is refused and none it calls invalid is stored.
pub const XMLTV_URL_PATTERN: &str = concat!(
    "^https?://",
    "(([A-Za-z0-9._~!$&'()*+,;=:-]|%[0-9A-Fa-f]{2})*@)?",
    "(([A-Za-z0-9]+(-[A-Za-z0-9]+)*\\.)*[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*",
    "|(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3})",
    "(:([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?",
    "(/([A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2}|/)*)?",
    "(\\?([A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2}|[/?])*)?",
    "(#([A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2}|[/?])*)?$",
);

static XMLTV_URL: std::sync::LazyLock<regex_lite::Regex> = std::sync::LazyLock::new(|| {
    // A constant, compiled in every test run.
    regex_lite::Regex::new(XMLTV_URL_PATTERN).expect("XMLTV_URL_PATTERN compiles")
});

fn checked_url(raw: &str) -> Result<String, Error> {
    let parsed = url::Url::parse(raw)
        .map_err(|e| invalid("xmltv_url", format!("{raw:?} is not a valid URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(
            "xmltv_url",
            format!(
                "scheme {:?} is not supported; use http or https",
                parsed.scheme()
            ),
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("xmltv_url", "the URL has no host"));
    }
    if !XMLTV_URL.is_match(raw) {
        return Err(invalid(
            "xmltv_url",
            format!(
                "{raw:?} is not a URL this service takes: a host name or IPv4 address, \
                 then only URI characters (spaces and the like percent-encoded)"
            ),
        ));
    }
    Ok(raw.to_owned())
}

const COLUMNS: &str = "id, name, xmltv_url, enabled, priority, timezone, \
    offset_correction_minutes, etag, last_modified, last_fetched_at, last_success_at, \
    created_at, updated_at";

fn provider_from(row: Row<'_>) -> store::Result<Provider> {
    Ok(Provider {
        id: row.i64(0)?,
        name: row.string(1)?,
        xmltv_url: row.string(2)?,
        enabled: row.bool(3)?,
        priority: row.i64(4)?,
        timezone: row.opt_string(5)?,
        offset_correction_minutes: row.i64(6)?,
        etag: row.opt_string(7)?,
        last_modified: row.opt_string(8)?,
        last_fetched_at: row.opt_i64(9)?,
        last_success_at: row.opt_i64(10)?,
        created_at: row.i64(11)?,
        updated_at: row.i64(12)?,
    })
}

/// Every provider, by priority then name.
pub fn list_providers(store: &impl Store) -> Result<Vec<Provider>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM providers ORDER BY priority, name, id");
    let rows = store.execute(&sql, &[])?;
    Ok(rows
        .iter()
        .map(provider_from)
        .collect::<store::Result<_>>()?)
}

/// One provider.
pub fn get_provider(store: &impl Store, id: i64) -> Result<Provider, Error> {
    let sql = format!("SELECT {COLUMNS} FROM providers WHERE id = ?");
    let rows = store.execute(&sql, &[id.into()])?;
    match rows.first() {
        Some(row) => Ok(provider_from(row)?),
        None => Err(Error::NotFound {
            what: "provider",
            id,
        }),
    }
}

fn ensure_unique_name(store: &impl Store, name: &str, except: i64) -> Result<(), Error> {
    let clashes = count(
        store,
        "SELECT COUNT(*) FROM providers WHERE name = ? AND id <> ?",
        &[name.into(), except.into()],
    )?;
    if clashes > 0 {
        return Err(Error::Conflict {
            detail: format!("a provider named {name:?} already exists"),
        });
    }
    Ok(())
}

/// Validates `input` and inserts it; a taken name is a [`Error::Conflict`].
pub fn create_provider(
    store: &impl Store,
    input: &ProviderInput,
    now: i64,
) -> Result<Provider, Error> {
    let input = input.validated()?;
    let id = write_transaction(store, |store| {
        ensure_unique_name(store, &input.name, 0)?;
        let rows = store.execute(
            "INSERT INTO providers (name, xmltv_url, enabled, priority, timezone, \
             offset_correction_minutes, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                input.name.as_str().into(),
                input.xmltv_url.as_str().into(),
                input.enabled.into(),
                input.priority.into(),
                input.timezone.clone().into(),
                input.offset_correction_minutes.into(),
                now.into(),
                now.into(),
            ],
        )?;
        Ok::<_, Error>(rows.first().map_or(Ok(0), |r| r.i64(0))?)
    })?;
    get_provider(store, id)
}

/// Validates `input` and replaces every writable field of provider `id`.
///
/// A new URL, zone or offset correction forgets the cached `etag`/`last_modified`: they
/// belong to the old resource, or the feed must be read again with the new settings, and
/// sending them could get a `304 Not Modified` that keeps the old guide.
pub fn replace_provider(
    store: &impl Store,
    id: i64,
    input: &ProviderInput,
    now: i64,
) -> Result<Provider, Error> {
    let input = input.validated()?;
    write_transaction(store, |store| {
        let old = get_provider(store, id)?;
        ensure_unique_name(store, &input.name, id)?;
        let reread = old.xmltv_url != input.xmltv_url
            || old.timezone != input.timezone
            || old.offset_correction_minutes != input.offset_correction_minutes;
        store.execute(
            "UPDATE providers SET name = ?, xmltv_url = ?, enabled = ?, priority = ?, \
             timezone = ?, offset_correction_minutes = ?, updated_at = ?, \
             etag = CASE WHEN ? THEN NULL ELSE etag END, \
             last_modified = CASE WHEN ? THEN NULL ELSE last_modified END \
             WHERE id = ?",
            &[
                input.name.as_str().into(),
                input.xmltv_url.as_str().into(),
                input.enabled.into(),
                input.priority.into(),
                input.timezone.clone().into(),
                input.offset_correction_minutes.into(),
                now.into(),
                reread.into(),
                reread.into(),
                id.into(),
            ],
        )?;
        Ok::<_, Error>(())
    })?;
    get_provider(store, id)
}

/// What deleting a provider removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeleteReport {
    /// Its channel mappings.
    pub mappings: u64,
    /// Its programmes.
    pub programmes: u64,
    /// Logical channels that were left with no mapping at all.
    pub channels: u64,
}

/// Deletes provider `id` with its mappings, programmes, import runs (and their staging
/// rows), and the logical channels that no other provider maps to any more: those were
/// created for this provider's feed. Channels still mapped from another provider stay.
pub fn delete_provider(store: &impl Store, id: i64) -> Result<DeleteReport, Error> {
    write_transaction(store, |store| {
        get_provider(store, id)?;
        let p: &[Value] = &[id.into()];
        let twice: &[Value] = &[id.into(), id.into()];
        let orphans = store.execute(ORPHANED_CHANNELS, twice)?;
        let report = DeleteReport {
            mappings: count(
                store,
                "SELECT COUNT(*) FROM channel_mappings WHERE provider_id = ?",
                p,
            )?,
            programmes: count(
                store,
                "SELECT COUNT(*) FROM programmes WHERE provider_id = ?",
                p,
            )?,
            channels: orphans.len() as u64,
        };
        for sql in [
            "DELETE FROM programmes WHERE provider_id = ?",
            "DELETE FROM channel_mappings WHERE provider_id = ?",
            "DELETE FROM staging_programmes WHERE run_id IN \
             (SELECT id FROM import_log WHERE provider_id = ?)",
            "DELETE FROM staging_channels WHERE run_id IN \
             (SELECT id FROM import_log WHERE provider_id = ?)",
            "DELETE FROM import_log WHERE provider_id = ?",
            "DELETE FROM providers WHERE id = ?",
        ] {
            store.execute(sql, p)?;
        }
        // After their mappings: where foreign keys are enforced, a channel still
        // referenced cannot go.
        for row in orphans.iter() {
            store.execute("DELETE FROM channels WHERE id = ?", &[row.i64(0)?.into()])?;
        }
        crate::export::note_guide_edit(store, crate::store::now_seconds())?;
        Ok(report)
    })
}

/// Channels mapped from the provider (bound twice) and from no other provider.
const ORPHANED_CHANNELS: &str = "SELECT DISTINCT m.channel_id FROM channel_mappings m \
    WHERE m.provider_id = ? AND NOT EXISTS (SELECT 1 FROM channel_mappings o \
    WHERE o.channel_id = m.channel_id AND o.provider_id <> ?)";

/// The newest finished import run, for the health check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    /// Run id.
    pub id: i64,
    /// Provider imported.
    pub provider_id: i64,
    /// `succeeded`, `unchanged` or `failed`.
    pub status: String,
    /// End time, UTC seconds.
    pub finished_at: i64,
    /// Programmes added.
    pub added: i64,
    /// Programmes updated.
    pub updated: i64,
    /// Programmes removed.
    pub removed: i64,
    /// Records rejected.
    pub rejected: i64,
    /// Why it failed.
    pub error: Option<String>,
}

/// The most recently finished run, if any.
pub fn last_finished_run(store: &impl Store) -> Result<Option<RunSummary>, Error> {
    let rows = store.execute(
        "SELECT id, provider_id, status, finished_at, added, updated, removed, rejected, \
         error FROM import_log WHERE finished_at IS NOT NULL \
         ORDER BY finished_at DESC, id DESC LIMIT 1",
        &[],
    )?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    Ok(Some(RunSummary {
        id: row.i64(0)?,
        provider_id: row.i64(1)?,
        status: row.string(2)?,
        finished_at: row.i64(3)?,
        added: row.i64(4)?,
        updated: row.i64(5)?,
        removed: row.i64(6)?,
        rejected: row.i64(7)?,
        error: row.opt_string(8)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(url: &str) -> ProviderInput {
        ProviderInput {
            name: " Example ".into(),
            xmltv_url: url.into(),
            enabled: true,
            priority: 10,
            timezone: Some("Europe/Berlin".into()),
            offset_correction_minutes: 0,
        }
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        let ok = input("https://example.com/guide.xml.gz")
            .validated()
            .expect("valid");
        assert_eq!(ok.name, "Example");
        let cases = [
            (
                "ftp://example.com/a.xml",
                "xmltv_url: scheme \"ftp\" is not supported; use http or https",
            ),
            (
                "example.com/a.xml",
                "xmltv_url: \"example.com/a.xml\" is not a valid URL (relative URL without a base)",
            ),
            (
                "http://",
                "xmltv_url: \"http://\" is not a valid URL (empty host)",
            ),
        ];
        for (url, message) in cases {
            let err = input(url).validated().expect_err(url);
            assert_eq!(err.to_string(), message);
        }
    }

    #[test]
    fn zones_and_offsets_are_checked() {
        let mut bad = input("http://example.com/");
        bad.timezone = Some("Mars/Olympus".into());
        assert_eq!(
            bad.validated().expect_err("zone").to_string(),
            "timezone: \"Mars/Olympus\" is not an IANA time zone such as Europe/Berlin"
        );
        let mut bad = input("http://example.com/");
        bad.offset_correction_minutes = 1441;
        assert_eq!(
            bad.validated().expect_err("offset").to_string(),
            "offset_correction_minutes: must be between -1440 and 1440 minutes"
        );
        let mut blank = input("http://example.com/");
        blank.timezone = Some(" ".into());
        assert_eq!(blank.validated().expect("valid").timezone, None);
    }
}
