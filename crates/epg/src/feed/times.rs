//! XMLTV times: `YYYYMMDDhhmmss ±HHMM`, every truncation the DTD allows, and the named
//! zones older grabbers write.

use chrono::{Days, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

/// An instant read from the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Time {
    /// Seconds since the Unix epoch, UTC, with the provider's correction applied.
    pub utc: i64,
    /// The offset east of UTC, in seconds, the time was written in.
    pub offset: i32,
}

/// Why a time could not be read; the message names the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid time {value:?}: {reason}")]
pub(super) struct BadTime {
    value: String,
    reason: &'static str,
}

/// Zone abbreviations seen in real feeds, with their offsets in minutes.
const NAMED_ZONES: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("Z", 0),
    ("WET", 0),
    ("BST", 60),
    ("CET", 60),
    ("WEST", 60),
    ("CEST", 120),
    ("EET", 120),
    ("EEST", 180),
    ("MSK", 180),
    // India, not Irish or Israel Standard Time: Indian feeds are by far the most
    // common users of the abbreviation.
    ("IST", 330),
    ("JST", 540),
    ("AEST", 600),
    ("AEDT", 660),
    ("EST", -300),
    ("EDT", -240),
    ("CST", -360),
    ("CDT", -300),
    ("MST", -420),
    ("MDT", -360),
    ("PST", -480),
    ("PDT", -420),
];

/// Reads `text`. Without an offset the time is local to `zone` (UTC if `None`):
/// an ambiguous local time (autumn) is the earlier instant, and one that does not exist
/// (the spring gap) is moved forward by the gap's length. `correction_minutes` is then
/// added to the instant.
pub(super) fn parse(
    text: &str,
    zone: Option<Tz>,
    correction_minutes: i32,
) -> Result<Time, BadTime> {
    let bad = |reason| BadTime {
        value: text.to_owned(),
        reason,
    };
    let trimmed = text.trim();
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    if !matches!(digits, 4 | 6 | 8 | 10 | 12 | 14) {
        return Err(bad("expected YYYYMMDDhhmmss and an optional offset"));
    }
    let naive = naive(&trimmed[..digits]).ok_or_else(|| bad("no such date or time of day"))?;
    let time = match offset_minutes(trimmed[digits..].trim()) {
        Ok(Some(minutes)) => Time {
            utc: naive.and_utc().timestamp() - i64::from(minutes) * 60,
            offset: minutes * 60,
        },
        Ok(None) => local(naive, zone.unwrap_or(Tz::UTC)),
        Err(reason) => return Err(bad(reason)),
    };
    Ok(Time {
        utc: time.utc + i64::from(correction_minutes) * 60,
        offset: time.offset,
    })
}

/// The date and time of day from 4 to 14 digits; missing parts are the first of
/// their range (`2024` is 2024-01-01 00:00:00).
fn naive(digits: &str) -> Option<NaiveDateTime> {
    let field = |from: usize, default: u32| -> Option<u32> {
        match digits.get(from..from + 2) {
            Some(two) => two.parse().ok(),
            None => Some(default),
        }
    };
    let year = digits.get(..4)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, field(4, 1)?, field(6, 1)?)?.and_hms_opt(
        field(8, 0)?,
        field(10, 0)?,
        field(12, 0)?,
    )
}

/// `+0100`, `-05`, `+05:30` or a zone name; `None` for no offset at all.
fn offset_minutes(text: &str) -> Result<Option<i32>, &'static str> {
    if text.is_empty() {
        return Ok(None);
    }
    let sign = match text.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => {
            return NAMED_ZONES
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(text))
                .map(|(_, minutes)| Some(*minutes))
                .ok_or("unknown time zone");
        }
    };
    let digits: String = text[1..].chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return Err("expected an offset like +0100");
    }
    let hours: i32 = digits[..2].parse().map_err(|_| "bad offset hours")?;
    let minutes: i32 = match digits.get(2..) {
        Some(m) if !m.is_empty() => m.parse().map_err(|_| "bad offset minutes")?,
        _ => 0,
    };
    if hours > 14 || minutes > 59 {
        return Err("offset out of range");
    }
    Ok(Some(sign * (hours * 60 + minutes)))
}

/// `naive` read as a wall-clock time in `zone`.
fn local(naive: NaiveDateTime, zone: Tz) -> Time {
    let at = |offset: i32| Time {
        utc: naive.and_utc().timestamp() - i64::from(offset),
        offset,
    };
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
            at(t.offset().fix().local_minus_utc())
        }
        LocalResult::None => {
            // In the gap: use the offset in force before it (a day earlier; no zone
            // changes twice in a day), which moves the time forward by the gap.
            let before = naive
                .checked_sub_days(Days::new(1))
                .map(|d| zone.from_local_datetime(&d).earliest());
            let offset = before
                .flatten()
                .map_or(0, |t| t.offset().fix().local_minus_utc());
            let shifted = at(offset);
            Time {
                utc: shifted.utc,
                offset: zone
                    .offset_from_utc_datetime(
                        &chrono::DateTime::from_timestamp(shifted.utc, 0)
                            .map_or(naive, |d| d.naive_utc()),
                    )
                    .fix()
                    .local_minus_utc(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{Europe, Pacific};

    fn utc(text: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(text)
            .expect("rfc3339")
            .timestamp()
    }

    #[test]
    fn formats_and_offsets() {
        let cases: &[(&str, &str, i32)] = &[
            ("20240101120000 +0100", "2024-01-01T11:00:00Z", 3600),
            ("20240101120000+0100", "2024-01-01T11:00:00Z", 3600),
            ("20240101120000 -0530", "2024-01-01T17:30:00Z", -19800),
            ("20240101120000 +01", "2024-01-01T11:00:00Z", 3600),
            ("20240101120000 +05:30", "2024-01-01T06:30:00Z", 19800),
            ("20240101120000", "2024-01-01T12:00:00Z", 0),
            ("202401011230 +0000", "2024-01-01T12:30:00Z", 0),
            ("2024010112", "2024-01-01T12:00:00Z", 0),
            ("20240315", "2024-03-15T00:00:00Z", 0),
            ("202403", "2024-03-01T00:00:00Z", 0),
            ("2024", "2024-01-01T00:00:00Z", 0),
            ("  20240101120000 Z ", "2024-01-01T12:00:00Z", 0),
            ("20010829000500 BST", "2001-08-28T23:05:00Z", 3600),
            ("20010829000500 MST", "2001-08-29T07:05:00Z", -25200),
            ("20240101120000 cest", "2024-01-01T10:00:00Z", 7200),
            ("20240101120000 IST", "2024-01-01T06:30:00Z", 19800),
            ("20240101120000 AEDT", "2024-01-01T01:00:00Z", 39600),
            ("20240101120000 PDT", "2024-01-01T19:00:00Z", -25200),
        ];
        for (text, expected, offset) in cases {
            assert_eq!(
                parse(text, None, 0),
                Ok(Time {
                    utc: utc(expected),
                    offset: *offset
                }),
                "{text}"
            );
        }
    }

    #[test]
    fn zone_less_times_use_the_providers_zone() {
        let cases: &[(&str, Tz, &str, i32)] = &[
            (
                "20240715120000",
                Europe::London,
                "2024-07-15T11:00:00Z",
                3600,
            ),
            ("20240115120000", Europe::London, "2024-01-15T12:00:00Z", 0),
            // Autumn: 01:30 happens twice; the earlier (BST) one is taken.
            (
                "20241027013000",
                Europe::London,
                "2024-10-27T00:30:00Z",
                3600,
            ),
            // Spring: 01:30 does not exist; it moves forward by the hour to 02:30 BST.
            (
                "20240331013000",
                Europe::London,
                "2024-03-31T01:30:00Z",
                3600,
            ),
            (
                "20240929023000",
                Pacific::Auckland,
                "2024-09-28T14:30:00Z",
                46800,
            ),
            // An explicit offset beats the zone.
            (
                "20240715120000 +0000",
                Europe::London,
                "2024-07-15T12:00:00Z",
                0,
            ),
        ];
        for (text, zone, expected, offset) in cases {
            assert_eq!(
                parse(text, Some(*zone), 0),
                Ok(Time {
                    utc: utc(expected),
                    offset: *offset
                }),
                "{text} in {zone}"
            );
        }
    }

    #[test]
    fn correction_moves_the_instant_not_the_offset() {
        assert_eq!(
            parse("20240101120000 +0100", None, -90),
            Ok(Time {
                utc: utc("2024-01-01T09:30:00Z"),
                offset: 3600
            })
        );
    }

    #[test]
    fn bad_times_name_the_value() {
        let cases = [
            (
                "20240230120000 +0000",
                "invalid time \"20240230120000 +0000\": no such date or time of day",
            ),
            (
                "20240101250000",
                "invalid time \"20240101250000\": no such date or time of day",
            ),
            (
                "20241301",
                "invalid time \"20241301\": no such date or time of day",
            ),
            (
                "2024010112000",
                "invalid time \"2024010112000\": expected YYYYMMDDhhmmss and an optional offset",
            ),
            (
                "",
                "invalid time \"\": expected YYYYMMDDhhmmss and an optional offset",
            ),
            (
                "20240101120000 XYZ",
                "invalid time \"20240101120000 XYZ\": unknown time zone",
            ),
            (
                "20240101120000 +1",
                "invalid time \"20240101120000 +1\": expected an offset like +0100",
            ),
            (
                "20240101120000 +2500",
                "invalid time \"20240101120000 +2500\": offset out of range",
            ),
            (
                "20240101120000.5",
                "invalid time \"20240101120000.5\": unknown time zone",
            ),
        ];
        for (text, message) in cases {
            let e = parse(text, None, 0).expect_err(text);
            assert_eq!(e.to_string(), message);
        }
    }
}
