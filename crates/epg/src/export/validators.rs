//! HTTP cache validators for the export: an ETag and a Last-Modified time that change
//! whenever the exported document could.

use super::xml::civil_from_days;
use crate::store::{self, Store};

/// What an export's content depends on, for conditional requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validators {
    /// A hash of the guide's state, unquoted; see [`Validators::etag_for`].
    pub etag: String,
    /// UTC seconds of the latest change: the last successful import, channel or
    /// mapping edit.
    pub last_modified: i64,
}

impl Validators {
    /// A quoted strong ETag for one document. `options_key` must name everything else
    /// that shapes the bytes: channel list, window start and length, gzip or not
    /// (a strong ETag differs between content codings).
    pub fn etag_for(&self, options_key: &str) -> String {
        format!("\"{}-{:016x}\"", self.etag, fnv1a(options_key.as_bytes()))
    }
}

/// The validators of the current guide, or `None` before the first successful import
/// (then there is nothing worth caching).
///
/// The guide's programmes change only through imports, so the last succeeded run
/// (its id and finish time) stands for them. Channels, mappings and providers are edited
/// through the API, so their latest `updated_at` and their counts are hashed in too, and
/// deletions (which move no `updated_at`) leave their time in `job_state`'s
/// `guide_edit` row.
pub fn validators(store: &impl Store) -> Result<Option<Validators>, store::Error> {
    let rows = store.execute(
        "SELECT \
           (SELECT MAX(id) FROM import_log WHERE status = 'succeeded'), \
           (SELECT MAX(finished_at) FROM import_log WHERE status = 'succeeded'), \
           (SELECT MAX(updated_at) FROM channels), \
           (SELECT COUNT(*) FROM channels), \
           (SELECT MAX(updated_at) FROM channel_mappings), \
           (SELECT COUNT(*) FROM channel_mappings), \
           (SELECT MAX(updated_at) FROM providers), \
           (SELECT COUNT(*) FROM providers), \
           (SELECT MAX(last_run_at) FROM job_state WHERE name = 'guide_edit'), \
           (SELECT TOTAL(id * enabled) + 1000003 * TOTAL(id * priority) FROM providers)",
        &[],
    )?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let Some(import_id) = row.opt_i64(0)? else {
        return Ok(None);
    };
    let mut parts = vec![import_id];
    for column in 1..9 {
        parts.push(row.opt_i64(column)?.unwrap_or(0));
    }
    // Which providers are on and their order decide the merge, within one second too.
    parts.push(row.f64(9)?.to_bits().cast_signed());
    let mut bytes = Vec::with_capacity(parts.len() * 8);
    for part in &parts {
        bytes.extend_from_slice(&part.to_le_bytes());
    }
    let times = [parts[1], parts[2], parts[4], parts[6], parts[8]];
    Ok(Some(Validators {
        etag: format!("{:016x}", fnv1a(&bytes)),
        last_modified: times.into_iter().max().unwrap_or(0),
    }))
}

/// Records that the guide changed by a deletion, for [`validators`].
pub(crate) fn note_guide_edit(store: &impl Store, now: i64) -> Result<(), store::Error> {
    store.execute(
        "INSERT INTO job_state (name, last_run_at) VALUES ('guide_edit', ?) \
         ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at",
        &[now.into()],
    )?;
    Ok(())
}

/// FNV-1a, 64 bits: written out because ETags must stay the same across builds, which
/// `std`'s hasher does not promise.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `secs` (UTC) as an IMF-fixdate, the form HTTP requires: `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    let weekday = DAYS[days.rem_euclid(7) as usize];
    let month = MONTHS[(month - 1) as usize];
    format!(
        "{weekday}, {day:02} {month} {year:04} {:02}:{:02}:{:02} GMT",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// An HTTP date (`If-Modified-Since`) as UTC seconds. Accepts the three forms RFC 9110
/// §5.6.7 says recipients must: IMF-fixdate, RFC 850 and asctime.
pub fn parse_http_date(value: &str) -> Option<i64> {
    const FORMATS: [&str; 3] = [
        "%a, %d %b %Y %H:%M:%S GMT",
        "%A, %d-%b-%y %H:%M:%S GMT",
        "%a %b %e %H:%M:%S %Y",
    ];
    let value = value.trim();
    FORMATS.iter().find_map(|f| {
        chrono::NaiveDateTime::parse_from_str(value, f)
            .ok()
            .map(|t| t.and_utc().timestamp())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_round_trip() {
        assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(1_709_164_800), "Thu, 29 Feb 2024 00:00:00 GMT");
        for secs in [0, 784_111_777, 1_709_164_800, 1_735_689_599] {
            assert_eq!(parse_http_date(&http_date(secs)), Some(secs));
        }
    }

    #[test]
    fn obsolete_http_date_forms_are_accepted() {
        assert_eq!(
            parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_http_date("Sun Nov  6 08:49:37 1994"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_http_date(" Sun, 06 Nov 1994 08:49:37 GMT "),
            Some(784_111_777)
        );
    }

    #[test]
    fn bad_http_dates_are_none() {
        for bad in [
            "",
            "yesterday",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 32 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn etag_is_quoted_and_varies_with_options() {
        let v = Validators {
            etag: "00ff".into(),
            last_modified: 0,
        };
        let a = v.etag_for("channels=1,2;days=7;gzip");
        // Pinned: ETags must not change between builds for the same state.
        assert_eq!(a, "\"00ff-f2da6097bb1cceb2\"");
        assert_ne!(a, v.etag_for("channels=1,2;days=7"));
        assert_eq!(a, v.etag_for("channels=1,2;days=7;gzip"));
    }
}
