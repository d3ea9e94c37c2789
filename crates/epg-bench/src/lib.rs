//! A deterministic generator of realistic XMLTV feeds for the benchmark and tests.
//!
//! The same `(channels, days, seed, start)` always gives the same bytes: a small
//! SplitMix64 generator drives every choice, so no `rand` dependency and no platform
//! differences. Programmes run back to back per channel (15 to 120 minutes each) and,
//! across the feed, use every element kind the reader handles.

mod words;
mod xml;

use std::io::{self, BufWriter, Write};

pub use xml::civil;

/// 2025-01-06 00:00:00 UTC: the start of [`generate`]'s feeds.
pub const BASE_START: i64 = 1_736_121_600;

/// What a generated feed holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GenStats {
    /// `<channel>` elements.
    pub channels: u64,
    /// `<programme>` elements.
    pub programmes: u64,
    /// Uncompressed bytes written.
    pub bytes: u64,
    /// Earliest programme start, UTC seconds.
    pub first_start: i64,
    /// Latest programme stop, UTC seconds.
    pub last_stop: i64,
}

/// SplitMix64: tiny, fast and good enough to vary a feed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Writes a feed of `channels` × `days` starting at [`BASE_START`].
pub fn generate(w: impl Write, channels: u32, days: u32, seed: u64) -> io::Result<GenStats> {
    generate_from(w, channels, days, seed, BASE_START)
}

/// Writes a feed of `channels` × `days` whose programmes start at `start` (UTC seconds).
pub fn generate_from(
    w: impl Write,
    channels: u32,
    days: u32,
    seed: u64,
    start: i64,
) -> io::Result<GenStats> {
    let mut out = xml::Out::new(BufWriter::with_capacity(256 * 1024, w));
    let mut rng = Rng::new(seed);
    let end = start + i64::from(days) * 86_400;
    let mut stats = GenStats {
        first_start: start,
        last_stop: start,
        ..GenStats::default()
    };
    out.header()?;
    for n in 0..channels {
        out.channel(n, &mut rng)?;
        stats.channels += 1;
    }
    for n in 0..channels {
        let mut t = start;
        let mut episode = 0;
        while t < end {
            let minutes = 15 + 5 * rng.below(22) as i64;
            let stop = t + minutes * 60;
            episode += 1;
            out.programme(n, t, stop, episode, &mut rng)?;
            stats.programmes += 1;
            stats.last_stop = stats.last_stop.max(stop);
            t = stop;
        }
    }
    out.footer()?;
    stats.bytes = out.finish()?;
    Ok(stats)
}

/// [`generate_from`], gzip-compressed (fast level, like most feed servers).
pub fn generate_gzip(
    w: impl Write,
    channels: u32,
    days: u32,
    seed: u64,
    start: i64,
) -> io::Result<GenStats> {
    let mut gz = flate2::write::GzEncoder::new(w, flate2::Compression::fast());
    let stats = generate_from(&mut gz, channels, days, seed, start)?;
    gz.finish()?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};

    use super::*;

    fn feed(channels: u32, days: u32, seed: u64) -> (Vec<u8>, GenStats) {
        let mut buf = Vec::new();
        let stats = generate(&mut buf, channels, days, seed).expect("generate");
        (buf, stats)
    }

    fn hash(bytes: &[u8]) -> u64 {
        let mut h = DefaultHasher::new();
        bytes.hash(&mut h);
        h.finish()
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let (a, _) = feed(3, 2, 42);
        let (b, _) = feed(3, 2, 42);
        let (c, _) = feed(3, 2, 43);
        assert_eq!(hash(&a), hash(&b));
        assert_ne!(hash(&a), hash(&c));
    }

    #[test]
    fn stats_match_the_document() {
        let (bytes, stats) = feed(4, 3, 7);
        let text = String::from_utf8(bytes).expect("utf-8");
        assert_eq!(stats.bytes, text.len() as u64);
        assert_eq!(text.matches("<programme ").count() as u64, stats.programmes);
        assert_eq!(text.matches("<channel ").count() as u64, stats.channels);
        assert_eq!(stats.channels, 4);
        assert_eq!(stats.first_start, BASE_START);
        assert!(stats.last_stop >= BASE_START + 3 * 86_400);
        assert!(stats.last_stop < BASE_START + 3 * 86_400 + 120 * 60);
        // 3 days of 15-120 minute programmes on 4 channels.
        assert!((4 * 3 * 12..=4 * 3 * 96).contains(&stats.programmes));
    }

    #[test]
    fn every_element_kind_appears() {
        let (bytes, _) = feed(6, 2, 1);
        let text = String::from_utf8(bytes).expect("utf-8");
        for needle in [
            "<title lang=\"fr\">",
            "<sub-title",
            "<desc lang=\"en\">",
            "&amp;",
            "<actor role=",
            "<director>",
            "<category lang=\"en\">",
            "<episode-num system=\"xmltv_ns\">",
            "<episode-num system=\"onscreen\">",
            "<rating system=",
            "<star-rating>",
            "<icon src=",
            "<url>",
            "<country>",
            "<video>",
            "<audio>",
            "<previously-shown",
            "<new/>",
            "<premiere",
            "<subtitles type=",
            " +0100\"",
            " -0500\"",
            " +0530\"",
        ] {
            assert!(text.contains(needle), "{needle}");
        }
    }

    #[test]
    fn output_is_well_formed_xml() {
        let (bytes, stats) = feed(5, 2, 9);
        let mut reader = quick_xml::Reader::from_reader(bytes.as_slice());
        let mut buf = Vec::new();
        let mut programmes = 0;
        loop {
            match reader.read_event_into(&mut buf).expect("well-formed") {
                quick_xml::events::Event::Start(e) if e.name().as_ref() == b"programme" => {
                    programmes += 1;
                }
                quick_xml::events::Event::GeneralRef(r) => {
                    let name = r.decode().expect("utf-8").into_owned();
                    assert!(
                        ["amp", "lt", "gt", "quot"].contains(&name.as_str()),
                        "{name}"
                    );
                }
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        assert_eq!(programmes, stats.programmes);
    }

    #[test]
    fn civil_converts_epoch_seconds() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(BASE_START), (2025, 1, 6, 0, 0, 0));
        assert_eq!(civil(951_827_696), (2000, 2, 29, 12, 34, 56));
    }
}
