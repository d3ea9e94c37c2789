//! Writing the generated feed's elements, one function per element group.

use std::io::{self, Write};

use crate::Rng;
use crate::words::{CATEGORIES, CHARACTERS, PEOPLE, TITLES, WORDS, ZONES};

/// The feed writer: counts bytes as they go out.
pub struct Out<W: Write> {
    w: W,
    bytes: u64,
    /// Reused for descriptions and escaped text, so writing allocates nothing per programme.
    scratch: String,
}

/// Year, month, day, hour, minute, second of UTC seconds.
pub fn civil(seconds: i64) -> (i64, u32, u32, u32, u32, u32) {
    use chrono::{Datelike, Timelike};
    let t = chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default();
    (
        i64::from(t.year()),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

impl<W: Write> Out<W> {
    /// A writer over `w`.
    pub fn new(w: W) -> Self {
        Self {
            w,
            bytes: 0,
            scratch: String::with_capacity(1024),
        }
    }

    fn raw(&mut self, s: &str) -> io::Result<()> {
        self.bytes += s.len() as u64;
        self.w.write_all(s.as_bytes())
    }

    fn fmt(&mut self, args: std::fmt::Arguments<'_>) -> io::Result<()> {
        self.scratch.clear();
        std::fmt::Write::write_fmt(&mut self.scratch, args).map_err(io::Error::other)?;
        let s = std::mem::take(&mut self.scratch);
        let r = self.raw(&s);
        self.scratch = s;
        r
    }

    /// Writes `text` escaped.
    fn text(&mut self, text: &str) -> io::Result<()> {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        escape_into(&mut s, text);
        let r = self.raw(&s);
        self.scratch = s;
        r
    }

    /// `<tag lang="…">text</tag>` on its own line.
    fn lang_el(&mut self, tag: &str, lang: &str, text: &str) -> io::Result<()> {
        self.fmt(format_args!("    <{tag} lang=\"{lang}\">"))?;
        self.text(text)?;
        self.fmt(format_args!("</{tag}>\n"))
    }

    /// `20250106013000 +0100`: the local time in the channel's zone, with its offset.
    fn time(&mut self, utc: i64, offset_minutes: i32) -> io::Result<()> {
        let (y, mo, d, h, mi, s) = civil(utc + i64::from(offset_minutes) * 60);
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let abs = offset_minutes.unsigned_abs();
        self.fmt(format_args!(
            "{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02} {sign}{:02}{:02}",
            abs / 60,
            abs % 60
        ))
    }

    /// The XML declaration and `<tv>`.
    pub fn header(&mut self) -> io::Result<()> {
        self.raw(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE tv SYSTEM \"xmltv.dtd\">\n\
             <tv source-info-name=\"epg-bench\" generator-info-name=\"epg-bench\">\n",
        )
    }

    /// A `<channel>`.
    pub fn channel(&mut self, n: u32, rng: &mut Rng) -> io::Result<()> {
        let (country, _) = ZONES[n as usize % ZONES.len()];
        self.fmt(format_args!(
            "  <channel id=\"ch{n}.bench\">\n    <display-name lang=\"en\">Channel {n} HD</display-name>\n    \
             <display-name lang=\"fr\">Chaîne {n}</display-name>\n    <display-name>{n}</display-name>\n    \
             <icon src=\"https://logos.example.com/{country}/ch{n}.png\" width=\"{w}\" height=\"{w}\"/>\n    \
             <url>https://ch{n}.example.com/</url>\n  </channel>\n",
            w = 64 << rng.below(3),
        ))
    }

    /// A `<programme>` with a realistic mix of children.
    pub fn programme(
        &mut self,
        n: u32,
        start: i64,
        stop: i64,
        episode: u64,
        rng: &mut Rng,
    ) -> io::Result<()> {
        let (country, offset) = ZONES[n as usize % ZONES.len()];
        self.raw("  <programme start=\"")?;
        self.time(start, offset)?;
        self.raw("\" stop=\"")?;
        self.time(stop, offset)?;
        self.fmt(format_args!("\" channel=\"ch{n}.bench\">\n"))?;
        let series = rng.chance(70);
        self.texts(series, episode, rng)?;
        if rng.chance(60) {
            self.credits(rng)?;
        }
        if rng.chance(40) {
            self.fmt(format_args!("    <date>{}</date>\n", 1960 + rng.below(65)))?;
        }
        let (en, fr) = *rng.pick(CATEGORIES);
        self.lang_el("category", "en", en)?;
        self.lang_el("category", "fr", fr)?;
        let id = rng.below(1_000_000);
        self.fmt(format_args!(
            "    <icon src=\"https://img.example.com/p/{id}.jpg\" width=\"640\" height=\"360\"/>\n    \
             <url>https://tv.example.com/p/{id}?a=1&amp;b=2</url>\n    <country>{country}</country>\n"
        ))?;
        if series {
            self.episode_nums(episode)?;
        }
        self.av(rng)?;
        self.status(n, start, rng)?;
        self.ratings(rng)?;
        self.raw("  </programme>\n")
    }

    fn texts(&mut self, series: bool, episode: u64, rng: &mut Rng) -> io::Result<()> {
        let (en, fr) = *rng.pick(TITLES);
        self.lang_el("title", "en", en)?;
        if rng.chance(50) {
            self.lang_el("title", "fr", fr)?;
        }
        if series {
            let word = rng.pick::<&str>(WORDS);
            let sub = format!("Episode {episode}: The {word}");
            self.lang_el("sub-title", "en", &sub)?;
        }
        let target = 200 + rng.below(201) as usize;
        let mut desc = String::with_capacity(target + 16);
        while desc.len() < target {
            if !desc.is_empty() {
                desc.push(' ');
            }
            desc.push_str(rng.pick::<&str>(WORDS));
        }
        desc.push('.');
        self.lang_el("desc", "en", &desc)
    }

    fn credits(&mut self, rng: &mut Rng) -> io::Result<()> {
        self.raw("    <credits>\n      <director>")?;
        self.text(rng.pick::<&str>(PEOPLE))?;
        self.raw("</director>\n")?;
        for _ in 0..2 + rng.below(3) {
            self.raw("      <actor role=\"")?;
            self.text(rng.pick::<&str>(CHARACTERS))?;
            self.raw("\">")?;
            self.text(rng.pick::<&str>(PEOPLE))?;
            self.raw("</actor>\n")?;
        }
        if rng.chance(30) {
            self.raw("      <presenter>")?;
            self.text(rng.pick::<&str>(PEOPLE))?;
            self.raw("</presenter>\n")?;
        }
        self.raw("    </credits>\n")
    }

    fn episode_nums(&mut self, episode: u64) -> io::Result<()> {
        let season = episode / 20;
        let ep = episode % 20;
        self.fmt(format_args!(
            "    <episode-num system=\"xmltv_ns\">{season}.{ep}.0/1</episode-num>\n    \
             <episode-num system=\"onscreen\">S{:02}E{:02}</episode-num>\n",
            season + 1,
            ep + 1
        ))
    }

    fn av(&mut self, rng: &mut Rng) -> io::Result<()> {
        let quality = if rng.chance(60) { "HDTV" } else { "SDTV" };
        self.fmt(format_args!(
            "    <video>\n      <present>yes</present>\n      <colour>yes</colour>\n      \
             <aspect>16:9</aspect>\n      <quality>{quality}</quality>\n    </video>\n    \
             <audio>\n      <stereo>{}</stereo>\n    </audio>\n",
            if rng.chance(20) {
                "dolby digital"
            } else {
                "stereo"
            }
        ))
    }

    fn status(&mut self, n: u32, start: i64, rng: &mut Rng) -> io::Result<()> {
        match rng.below(4) {
            0 => {
                self.raw("    <previously-shown start=\"")?;
                self.time(start - 7 * 86_400, 0)?;
                self.fmt(format_args!("\" channel=\"ch{n}.bench\"/>\n"))?;
            }
            1 => {
                self.raw("    <premiere lang=\"en\">First showing &amp; exclusive</premiere>\n")?
            }
            2 => self.raw("    <new/>\n")?,
            _ => {}
        }
        if rng.chance(50) {
            self.raw("    <subtitles type=\"teletext\">\n      <language>French</language>\n    </subtitles>\n")?;
        }
        Ok(())
    }

    fn ratings(&mut self, rng: &mut Rng) -> io::Result<()> {
        let rating = *rng.pick(&["-10", "-12", "-16", "Tous publics"]);
        self.fmt(format_args!(
            "    <rating system=\"CSA\">\n      <value>{rating}</value>\n    </rating>\n    \
             <star-rating>\n      <value>{}/5</value>\n    </star-rating>\n",
            1 + rng.below(5)
        ))
    }

    /// `</tv>`.
    pub fn footer(&mut self) -> io::Result<()> {
        self.raw("</tv>\n")
    }

    /// Flushes and returns the bytes written.
    pub fn finish(mut self) -> io::Result<u64> {
        self.w.flush()?;
        Ok(self.bytes)
    }
}
