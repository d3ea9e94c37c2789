//! One `<programme>` element, children in the order the XMLTV DTD requires.
//!
//! The model's fields already follow the DTD, so this walks them in declaration order
//! whatever order the feed used. Values the DTD or `tv_validate_file` would reject are
//! left out rather than written: blank titles and descriptions, enumerated attributes
//! outside their list, malformed `xmltv_ns` episode numbers.

use std::borrow::Cow;
use std::io::{self, Write};

use super::xml::Xml;
use crate::guide::GuideProgramme;
use crate::model::{Credit, Icon, Image, LangText, Programme, Rating, Review, Role, Url};

const IN: &str = "    ";

/// Writes `gp` on channel `channel_id`; `false` (nothing written) when it has no
/// non-blank title, which the DTD (`title+`) and every client require.
pub(super) fn write_programme<W: Write>(
    xml: &mut Xml<W>,
    gp: &GuideProgramme,
    channel_id: &str,
) -> io::Result<bool> {
    let p = &gp.programme;
    if !p.titles.iter().any(|t| !t.value.trim().is_empty()) {
        return Ok(false);
    }
    start_tag(xml, gp, channel_id)?;
    lang_leaves(xml, "title", &p.titles)?;
    lang_leaves(xml, "sub-title", &p.sub_titles)?;
    lang_leaves(xml, "desc", &p.descs)?;
    credits(xml, &p.credits)?;
    opt_leaf(xml, "date", p.date.as_deref())?;
    lang_leaves(xml, "category", &p.categories)?;
    lang_leaves(xml, "keyword", &p.keywords)?;
    opt_lang_leaf(xml, "language", p.language.as_ref())?;
    opt_lang_leaf(xml, "orig-language", p.orig_language.as_ref())?;
    if let Some(length) = p
        .length
        .as_ref()
        .filter(|l| matches!(l.units.as_str(), "seconds" | "minutes" | "hours"))
    {
        xml.raw("    <length")?;
        xml.attr("units", &length.units)?;
        xml.raw(">")?;
        xml.raw(itoa(u64::from(length.value), &mut [0; 20]))?;
        xml.close("length")?;
    }
    icons(xml, IN, &p.icons)?;
    urls(xml, IN, &p.urls)?;
    lang_leaves(xml, "country", &p.countries)?;
    episode_nums(xml, p)?;
    media(xml, p)?;
    flags(xml, p)?;
    ratings(xml, "rating", &p.ratings)?;
    ratings(xml, "star-rating", &p.star_ratings)?;
    reviews(xml, &p.reviews)?;
    for image in &p.images {
        xml.raw(IN)?;
        image_element(xml, image)?;
        xml.raw("\n")?;
    }
    xml.raw("  </programme>\n")?;
    Ok(true)
}

/// Times are the guide's UTC instants (the mapping's shift applied) shown in the zone
/// the feed wrote them in, so a viewer sees the provider's local times.
fn start_tag<W: Write>(xml: &mut Xml<W>, gp: &GuideProgramme, channel_id: &str) -> io::Result<()> {
    let p = &gp.programme;
    xml.raw("  <programme")?;
    xml.time_attr("start", gp.start, p.start_offset)?;
    xml.time_attr("stop", gp.stop, p.stop_offset.unwrap_or(p.start_offset))?;
    // PDC/VPS times name the broadcast the feed described; on a time-shifted copy
    // ("+1" channels) they would point a recorder at the wrong hour.
    if gp.start == p.start {
        xml.opt_attr("pdc-start", p.pdc_start.as_deref())?;
        xml.opt_attr("vps-start", p.vps_start.as_deref())?;
    }
    xml.opt_attr("showview", p.showview.as_deref())?;
    xml.opt_attr("videoplus", p.videoplus.as_deref())?;
    xml.attr("channel", channel_id)?;
    xml.opt_attr("clumpidx", p.clumpidx.as_deref())?;
    xml.raw(">\n")
}

fn lang_leaves<W: Write>(xml: &mut Xml<W>, name: &str, items: &[LangText]) -> io::Result<()> {
    for item in items {
        if !item.value.trim().is_empty() {
            opt_lang_leaf(xml, name, Some(item))?;
        }
    }
    Ok(())
}

fn opt_lang_leaf<W: Write>(
    xml: &mut Xml<W>,
    name: &str,
    item: Option<&LangText>,
) -> io::Result<()> {
    let Some(item) = item else { return Ok(()) };
    xml.raw(IN)?;
    xml.raw("<")?;
    xml.raw(name)?;
    xml.opt_attr("lang", item.lang.as_deref())?;
    xml.raw(">")?;
    xml.text(&item.value)?;
    xml.close(name)
}

fn opt_leaf<W: Write>(xml: &mut Xml<W>, name: &str, text: Option<&str>) -> io::Result<()> {
    match text {
        Some(text) => xml.leaf(IN, name, text),
        None => Ok(()),
    }
}

/// `<credits>`: people grouped by role in the DTD's order, each group in feed order.
fn credits<W: Write>(xml: &mut Xml<W>, credits: &[Credit]) -> io::Result<()> {
    if credits.is_empty() {
        return Ok(());
    }
    xml.raw("    <credits>\n")?;
    for role in Role::ALL {
        for credit in credits.iter().filter(|c| c.role == role) {
            person(xml, credit)?;
        }
    }
    xml.raw("    </credits>\n")
}

/// A person is mixed content, so nothing is indented inside it: whitespace there
/// would become part of the name.
fn person<W: Write>(xml: &mut Xml<W>, credit: &Credit) -> io::Result<()> {
    let name = credit.role.as_str();
    xml.raw("      <")?;
    xml.raw(name)?;
    // `role` and `guest` are declared on <actor> only.
    if credit.role == Role::Actor {
        xml.opt_attr("role", credit.character.as_deref())?;
        if credit.guest {
            xml.attr("guest", "yes")?;
        }
    }
    xml.raw(">")?;
    xml.text(&credit.name)?;
    for image in &credit.images {
        image_element(xml, image)?;
    }
    for url in &credit.urls {
        url_element(xml, url)?;
    }
    xml.close(name)
}

fn image_element<W: Write>(xml: &mut Xml<W>, image: &Image) -> io::Result<()> {
    xml.raw("<image")?;
    xml.opt_attr(
        "type",
        one_of(
            &image.kind,
            &["poster", "backdrop", "still", "person", "character"],
        ),
    )?;
    xml.opt_attr("size", one_of(&image.size, &["1", "2", "3"]))?;
    xml.opt_attr("orient", one_of(&image.orient, &["P", "L"]))?;
    xml.opt_attr("system", image.system.as_deref())?;
    xml.raw(">")?;
    xml.text(&image.value)?;
    xml.raw("</image>")
}

/// `value` when it is one of an enumerated attribute's `allowed` values.
fn one_of<'a>(value: &'a Option<String>, allowed: &[&str]) -> Option<&'a str> {
    value.as_deref().filter(|v| allowed.contains(v))
}

fn url_element<W: Write>(xml: &mut Xml<W>, url: &Url) -> io::Result<()> {
    xml.raw("<url")?;
    xml.opt_attr("system", url.system.as_deref())?;
    xml.raw(">")?;
    xml.text(&url.value)?;
    xml.raw("</url>")
}

fn urls<W: Write>(xml: &mut Xml<W>, indent: &str, urls: &[Url]) -> io::Result<()> {
    for url in urls {
        xml.raw(indent)?;
        url_element(xml, url)?;
        xml.raw("\n")?;
    }
    Ok(())
}

fn icons<W: Write>(xml: &mut Xml<W>, indent: &str, icons: &[Icon]) -> io::Result<()> {
    for icon in icons {
        xml.raw(indent)?;
        xml.raw("<icon")?;
        xml.attr("src", &icon.src)?;
        if let Some(w) = icon.width {
            xml.attr("width", itoa(u64::from(w), &mut [0; 20]))?;
        }
        if let Some(h) = icon.height {
            xml.attr("height", itoa(u64::from(h), &mut [0; 20]))?;
        }
        xml.raw("/>\n")?;
    }
    Ok(())
}

fn episode_nums<W: Write>(xml: &mut Xml<W>, p: &Programme) -> io::Result<()> {
    for num in &p.episode_nums {
        let value = if num.system == "xmltv_ns" {
            match exportable_xmltv_ns(&num.value) {
                Some(value) => value,
                None => continue,
            }
        } else {
            Cow::Borrowed(num.value.as_str())
        };
        xml.raw("    <episode-num")?;
        xml.attr("system", &num.system)?;
        xml.raw(">")?;
        xml.text(&value)?;
        xml.close("episode-num")?;
    }
    Ok(())
}

/// An `xmltv_ns` value as the export writes it: as stored when it is valid; with its
/// invalid parts emptied when it has the three parts (feeds write "-1.12.0" for "season
/// unknown", and emptying keeps the episode); `None` when nothing valid is left.
pub fn exportable_xmltv_ns(value: &str) -> Option<Cow<'_, str>> {
    if valid_xmltv_ns(value) {
        return Some(Cow::Borrowed(value));
    }
    let parts: Vec<&str> = value.split('.').collect();
    if parts.len() != 3 {
        return None;
    }
    let kept: Vec<&str> = parts
        .into_iter()
        .map(|p| if valid_part(p) { p.trim() } else { "" })
        .collect();
    kept.iter()
        .any(|p| !p.is_empty())
        .then(|| Cow::Owned(kept.join(".")))
}

/// `tv_validate_file`'s rule: three dot-separated parts, each an optional number with an
/// optional `/ total`, spaces allowed around everything.
fn valid_xmltv_ns(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() == 3 && parts.into_iter().all(valid_part)
}

fn valid_part(s: &str) -> bool {
    let (n, total) = match s.split_once('/') {
        Some((n, t)) => (n.trim(), Some(t.trim())),
        None => (s.trim(), None),
    };
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    digits(n) && total.is_none_or(|t| !t.is_empty() && digits(t))
}

/// `<video>`, `<audio>`, `<previously-shown>`, `<premiere>`, `<last-chance>`.
fn media<W: Write>(xml: &mut Xml<W>, p: &Programme) -> io::Result<()> {
    const IN2: &str = "      ";
    if let Some(v) = &p.video {
        xml.raw("    <video>\n")?;
        for (name, value) in [
            ("present", &v.present),
            ("colour", &v.colour),
            ("aspect", &v.aspect),
            ("quality", &v.quality),
        ] {
            if let Some(value) = value {
                xml.leaf(IN2, name, value)?;
            }
        }
        xml.raw("    </video>\n")?;
    }
    if let Some(a) = &p.audio {
        xml.raw("    <audio>\n")?;
        for (name, value) in [("present", &a.present), ("stereo", &a.stereo)] {
            if let Some(value) = value {
                xml.leaf(IN2, name, value)?;
            }
        }
        xml.raw("    </audio>\n")?;
    }
    if let Some(ps) = &p.previously_shown {
        xml.raw("    <previously-shown")?;
        xml.opt_attr("start", ps.start.as_deref())?;
        xml.opt_attr("channel", ps.channel.as_deref())?;
        xml.raw("/>\n")?;
    }
    opt_lang_leaf(xml, "premiere", p.premiere.as_ref())?;
    opt_lang_leaf(xml, "last-chance", p.last_chance.as_ref())
}

/// `<new/>` and `<subtitles>`. `live` is not in the DTD, so it is never written.
fn flags<W: Write>(xml: &mut Xml<W>, p: &Programme) -> io::Result<()> {
    if p.new {
        xml.raw("    <new/>\n")?;
    }
    for s in &p.subtitles {
        xml.raw("    <subtitles")?;
        let kind = s
            .kind
            .as_deref()
            .filter(|k| matches!(*k, "teletext" | "onscreen" | "deaf-signed"));
        xml.opt_attr("type", kind)?;
        match &s.language {
            Some(language) => {
                xml.raw(">\n")?;
                xml.raw("      <language")?;
                xml.opt_attr("lang", language.lang.as_deref())?;
                xml.raw(">")?;
                xml.text(&language.value)?;
                xml.close("language")?;
                xml.raw("    </subtitles>\n")?;
            }
            None => xml.raw("/>\n")?,
        }
    }
    Ok(())
}

fn ratings<W: Write>(xml: &mut Xml<W>, name: &str, ratings: &[Rating]) -> io::Result<()> {
    for rating in ratings {
        xml.raw(IN)?;
        xml.raw("<")?;
        xml.raw(name)?;
        xml.opt_attr("system", rating.system.as_deref())?;
        xml.raw(">\n")?;
        xml.leaf("      ", "value", &rating.value)?;
        icons(xml, "      ", &rating.icons)?;
        xml.raw(IN)?;
        xml.close(name)?;
    }
    Ok(())
}

fn reviews<W: Write>(xml: &mut Xml<W>, reviews: &[Review]) -> io::Result<()> {
    for review in reviews
        .iter()
        .filter(|r| matches!(r.kind.as_str(), "text" | "url"))
    {
        xml.raw("    <review")?;
        xml.attr("type", &review.kind)?;
        xml.opt_attr("source", review.source.as_deref())?;
        xml.opt_attr("reviewer", review.reviewer.as_deref())?;
        xml.opt_attr("lang", review.lang.as_deref())?;
        xml.raw(">")?;
        xml.text(&review.value)?;
        xml.close("review")?;
    }
    Ok(())
}

/// Decimal digits of `n` in `buf`, without allocating.
fn itoa(mut n: u64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xmltv_ns_follows_tv_validate_file() {
        for ok in ["0.4.", "0 . 4 . 0/1", "1/3.0/10.", "..", " . . "] {
            assert!(valid_xmltv_ns(ok), "{ok:?}");
        }
        for bad in ["S01E04", "1.2", "1.2.3.4", "a.b.c", "1/.2.", ""] {
            assert!(!valid_xmltv_ns(bad), "{bad:?}");
        }
        let repaired = |v| exportable_xmltv_ns(v).map(Cow::into_owned);
        assert_eq!(repaired("0.4."), Some("0.4.".into()));
        assert_eq!(repaired("-1.12.0"), Some(".12.0".into()));
        assert_eq!(repaired("1/.2."), Some(".2.".into()));
        assert_eq!(repaired("a.b.c"), None);
        assert_eq!(repaired("S01E04"), None);
    }

    #[test]
    fn itoa_writes_decimal() {
        assert_eq!(itoa(0, &mut [0; 20]), "0");
        assert_eq!(itoa(1920, &mut [0; 20]), "1920");
        assert_eq!(itoa(u64::MAX, &mut [0; 20]), "18446744073709551615");
    }
}
