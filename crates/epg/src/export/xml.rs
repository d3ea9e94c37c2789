//! The bytes of an XMLTV document: escaping, stripping what XML 1.0 forbids, and times.

use std::io::{self, Write};

/// A writer of XML pieces over any `Write` (the caller buffers it).
pub(super) struct Xml<W: Write> {
    out: W,
}

impl<W: Write> Xml<W> {
    pub(super) fn new(out: W) -> Self {
        Self { out }
    }

    pub(super) fn into_inner(self) -> W {
        self.out
    }

    /// Markup the caller knows needs no escaping.
    pub(super) fn raw(&mut self, s: &str) -> io::Result<()> {
        self.out.write_all(s.as_bytes())
    }

    /// Character data: `&`, `<` and `>` escaped; quotes are left alone because they only
    /// matter inside attributes and would bloat every description.
    pub(super) fn text(&mut self, s: &str) -> io::Result<()> {
        escape(&mut self.out, s, false)
    }

    /// ` name="value"`, the value fully escaped.
    pub(super) fn attr(&mut self, name: &str, value: &str) -> io::Result<()> {
        self.out.write_all(b" ")?;
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(b"=\"")?;
        escape(&mut self.out, value, true)?;
        self.out.write_all(b"\"")
    }

    /// [`Xml::attr`] when the value is present.
    pub(super) fn opt_attr(&mut self, name: &str, value: Option<&str>) -> io::Result<()> {
        match value {
            Some(v) => self.attr(name, v),
            None => Ok(()),
        }
    }

    /// ` name="YYYYMMDDhhmmss +HHMM"`: `utc` shown in the zone `offset` seconds east.
    pub(super) fn time_attr(&mut self, name: &str, utc: i64, offset: i32) -> io::Result<()> {
        self.out.write_all(b" ")?;
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(b"=\"")?;
        self.out.write_all(&xmltv_time(utc, offset))?;
        self.out.write_all(b"\"")
    }

    /// `<name>text</name>` with the text escaped, on its own line at `indent`.
    pub(super) fn leaf(&mut self, indent: &str, name: &str, text: &str) -> io::Result<()> {
        self.raw(indent)?;
        self.raw("<")?;
        self.raw(name)?;
        self.raw(">")?;
        self.text(text)?;
        self.close(name)
    }

    /// `</name>` and a newline.
    pub(super) fn close(&mut self, name: &str) -> io::Result<()> {
        self.raw("</")?;
        self.raw(name)?;
        self.raw(">\n")
    }
}

// XML 1.0 forbids C0 controls other than tab, newline and carriage return, and
// U+FFFE/U+FFFF: they are dropped. C1 controls (U+0080–U+009F) are legal XML but are
// almost always windows-1252 text decoded as Latin-1, and `tv_validate_file` rejects
// them, so they go too.
/// Writes `s` escaped, in runs between the bytes that need work. Byte tests are exact:
/// in UTF-8, ASCII bytes never occur inside a multi-byte sequence, C1 controls are
/// exactly `C2 80`..`C2 9F`, and U+FFFE/U+FFFF are `EF BF BE`/`EF BF BF`.
fn escape(out: &mut impl Write, s: &str, in_attr: bool) -> io::Result<()> {
    let bytes = s.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let (replacement, width): (&[u8], usize) = match bytes[i] {
            b'&' => (b"&amp;", 1),
            b'<' => (b"&lt;", 1),
            b'>' => (b"&gt;", 1),
            b'"' if in_attr => (b"&quot;", 1),
            b'\'' if in_attr => (b"&apos;", 1),
            // Attribute-value normalisation would turn these into spaces.
            b'\t' if in_attr => (b"&#9;", 1),
            b'\n' if in_attr => (b"&#10;", 1),
            // A parser turns a literal CR (and CRLF) into LF, in text too.
            b'\r' => (b"&#13;", 1),
            b'\t' | b'\n' => {
                i += 1;
                continue;
            }
            0..=0x1f => (b"", 1),
            0xc2 if matches!(bytes.get(i + 1), Some(0x80..=0x9f)) => (b"", 2),
            0xef if bytes.get(i + 1) == Some(&0xbf)
                && matches!(bytes.get(i + 2), Some(0xbe | 0xbf)) =>
            {
                (b"", 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.write_all(&bytes[run..i])?;
        out.write_all(replacement)?;
        i += width;
        run = i;
    }
    out.write_all(&bytes[run..])
}

/// `YYYYMMDDhhmmss +HHMM` for `utc` seen from a zone `offset` seconds east of UTC.
/// Offsets are whole minutes in XMLTV; seconds beyond that are dropped from the zone
/// but still counted in the local time, which keeps the instant right to the minute.
pub(crate) fn xmltv_time(utc: i64, offset: i32) -> [u8; 20] {
    let local = utc + i64::from(offset);
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let mut buf = *b"00000000000000 +0000";
    put(&mut buf[0..4], year.rem_euclid(10_000));
    put(&mut buf[4..6], i64::from(month));
    put(&mut buf[6..8], i64::from(day));
    put(&mut buf[8..10], secs / 3600);
    put(&mut buf[10..12], secs / 60 % 60);
    put(&mut buf[12..14], secs % 60);
    if offset < 0 {
        buf[15] = b'-';
    }
    let minutes = i64::from(offset.unsigned_abs() / 60);
    put(&mut buf[16..18], minutes / 60 % 100);
    put(&mut buf[18..20], minutes % 60);
    buf
}

fn put(digits: &mut [u8], mut value: i64) {
    for d in digits.iter_mut().rev() {
        *d = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm):
/// no table, no allocation, exact for every `i64` day count a guide holds.
pub(super) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str, in_attr: bool) -> String {
        let mut out = Vec::new();
        escape(&mut out, s, in_attr).expect("write to vec");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn text_escapes_markup_but_not_quotes() {
        assert_eq!(
            escaped("Tom & Jerry <\"Live\"> it's", false),
            "Tom &amp; Jerry &lt;\"Live\"&gt; it's"
        );
    }

    #[test]
    fn attributes_escape_quotes_and_whitespace_that_would_be_normalised() {
        assert_eq!(
            escaped("a\"b'c&d\te\nf\rg", true),
            "a&quot;b&apos;c&amp;d&#9;e&#10;f&#13;g"
        );
    }

    #[test]
    fn forbidden_characters_are_stripped_and_others_kept() {
        assert_eq!(
            escaped(
                "a\u{0}b\u{1b}c\u{85}d\u{fffe}e\u{ffff}f\té\n€\u{a0}😀",
                false
            ),
            "abcdef\té\n€\u{a0}😀"
        );
    }

    #[test]
    fn times_keep_the_given_offset() {
        let t = |utc, off| String::from_utf8(xmltv_time(utc, off).to_vec()).expect("ascii");
        // 2024-03-31 01:00:00 UTC
        assert_eq!(t(1_711_846_800, 3600), "20240331020000 +0100");
        assert_eq!(t(1_711_846_800, 7200), "20240331030000 +0200");
        assert_eq!(t(1_711_846_800, -5 * 3600 - 1800), "20240330193000 -0530");
        assert_eq!(t(0, 0), "19700101000000 +0000");
        assert_eq!(t(951_782_400, 0), "20000229000000 +0000");
        assert_eq!(t(-1, 0), "19691231235959 +0000");
    }

    #[test]
    fn civil_dates_match_chrono_over_centuries() {
        for days in (-200_000..200_000).step_by(997) {
            let expected = chrono::DateTime::from_timestamp(days * 86_400, 0)
                .expect("in range")
                .date_naive();
            let (y, m, d) = civil_from_days(days);
            use chrono::Datelike;
            assert_eq!(
                (y, m, d),
                (i64::from(expected.year()), expected.month(), expected.day())
            );
        }
    }
}
