//! `<programme>` and its children, one function per element. Times stay raw here; the
//! reader validates them (see `reader.rs`).

use std::io::BufRead;

use super::parts::{icon_from, image_from, lang_text_from, rating_from, url_from};
use super::xml::Xml;
use super::{Error, repair};
use crate::model::{
    Audio, Credit, EpisodeNum, LangText, Length, PreviouslyShown, Programme, Review, Role,
    Subtitles, Video,
};

/// A programme as written, before its times are checked.
#[derive(Debug, Default)]
pub(super) struct RawProgramme {
    /// The `channel` attribute.
    pub channel: Option<String>,
    /// The `start` attribute.
    pub start: Option<String>,
    /// The `stop` attribute.
    pub stop: Option<String>,
    /// Everything else, filled in.
    pub programme: Programme,
}

/// The attributes of `<programme>`, just opened.
fn programme_attrs<R: BufRead>(xml: &Xml<R>) -> RawProgramme {
    RawProgramme {
        channel: xml.attr_owned("channel"),
        start: xml.attr_owned("start"),
        stop: xml.attr_owned("stop"),
        programme: Programme {
            pdc_start: xml.attr_owned("pdc-start"),
            vps_start: xml.attr_owned("vps-start"),
            showview: xml.attr_owned("showview"),
            videoplus: xml.attr_owned("videoplus"),
            clumpidx: xml.attr_owned("clumpidx").filter(|c| c != "0/1"),
            ..Programme::default()
        },
    }
}

/// A whole `<programme>`, just opened.
pub(super) fn programme_from<R: BufRead>(
    xml: &mut Xml<R>,
    buf: &mut Vec<u8>,
) -> Result<RawProgramme, Error> {
    let mut raw = programme_attrs(xml);
    let p = &mut raw.programme;
    while xml.child(buf)? {
        if let Some(list) = lang_list(p, xml.name()) {
            let text = lang_text_from(xml, buf)?;
            list.extend(Some(text).filter(|t| !t.value.is_empty()));
            continue;
        }
        match xml.name() {
            b"credits" => credits_from(xml, buf, &mut p.credits)?,
            b"date" => p.date = Some(xml.text(buf)?).filter(|d| !d.is_empty()),
            b"language" => p.language = Some(lang_text_from(xml, buf)?),
            b"orig-language" => p.orig_language = Some(lang_text_from(xml, buf)?),
            b"length" => p.length = length_from(xml, buf)?,
            b"icon" => p.icons.extend(icon_from(xml, buf)?),
            b"url" => p.urls.extend(url_from(xml, buf)?),
            b"episode-num" => p.episode_nums.extend(episode_num_from(xml, buf)?),
            b"video" => p.video = Some(video_from(xml, buf)?),
            b"audio" => p.audio = Some(audio_from(xml, buf)?),
            b"previously-shown" => p.previously_shown = Some(previously_shown_from(xml, buf)?),
            b"premiere" => p.premiere = Some(lang_text_from(xml, buf)?),
            b"last-chance" => p.last_chance = Some(lang_text_from(xml, buf)?),
            b"new" => (p.new, _) = (true, xml.skip(buf)?),
            b"live" => (p.live, _) = (true, xml.skip(buf)?),
            b"subtitles" => p.subtitles.push(subtitles_from(xml, buf)?),
            b"rating" => p.ratings.extend(rating_from(xml, buf)?),
            b"star-rating" => p.star_ratings.extend(rating_from(xml, buf)?),
            b"review" => p.reviews.extend(review_from(xml, buf)?),
            b"image" => p.images.extend(image_from(xml, buf)?),
            _ => xml.skip(buf)?,
        }
    }
    Ok(raw)
}

/// The repeatable text-with-language children; empty ones are dropped.
fn lang_list<'p>(p: &'p mut Programme, name: &[u8]) -> Option<&'p mut Vec<LangText>> {
    Some(match name {
        b"title" => &mut p.titles,
        b"sub-title" => &mut p.sub_titles,
        b"desc" => &mut p.descs,
        b"category" => &mut p.categories,
        b"keyword" => &mut p.keywords,
        b"country" => &mut p.countries,
        _ => return None,
    })
}

/// `<credits>`: one [`Credit`] per person element, in document order.
fn credits_from<R: BufRead>(
    xml: &mut Xml<R>,
    buf: &mut Vec<u8>,
    credits: &mut Vec<Credit>,
) -> Result<(), Error> {
    while xml.child(buf)? {
        match Role::from_name(std::str::from_utf8(xml.name()).unwrap_or("")) {
            Some(role) => credits.extend(person_from(xml, buf, role)?),
            None => xml.skip(buf)?,
        }
    }
    Ok(())
}

/// A person: the name is the element's text, around optional `<image>` and `<url>`
/// children; an actor's `role` is the character played. `None` if unnamed.
fn person_from<R: BufRead>(
    xml: &mut Xml<R>,
    buf: &mut Vec<u8>,
    role: Role,
) -> Result<Option<Credit>, Error> {
    let mut credit = Credit {
        role,
        name: String::new(),
        character: xml.attr_owned("role"),
        guest: xml.attr("guest").is_some_and(|g| g.trim() == "yes"),
        images: Vec::new(),
        urls: Vec::new(),
    };
    let mut name = String::new();
    while xml.text_or_child(buf, &mut name)? {
        match xml.name() {
            b"image" => credit.images.extend(image_from(xml, buf)?),
            b"url" => credit.urls.extend(url_from(xml, buf)?),
            _ => xml.skip(buf)?,
        }
    }
    credit.name = repair::text(name.trim()).into_owned();
    Ok((!credit.name.is_empty()).then_some(credit))
}

/// `<length units>`; `None` unless the number and units are there.
fn length_from<R: BufRead>(xml: &mut Xml<R>, buf: &mut Vec<u8>) -> Result<Option<Length>, Error> {
    let units = xml.attr_owned("units");
    let value = xml.text(buf)?.parse().ok();
    Ok(value
        .zip(units)
        .map(|(value, units)| Length { value, units }))
}

/// `<episode-num system>`, `system` defaulting to `onscreen` as in the DTD.
fn episode_num_from<R: BufRead>(
    xml: &mut Xml<R>,
    buf: &mut Vec<u8>,
) -> Result<Option<EpisodeNum>, Error> {
    let system = xml
        .attr_owned("system")
        .unwrap_or_else(|| "onscreen".into());
    let value = xml.text(buf)?;
    Ok((!value.is_empty()).then_some(EpisodeNum { system, value }))
}

/// `<video>`: `present`, `colour`, `aspect`, `quality`.
fn video_from<R: BufRead>(xml: &mut Xml<R>, buf: &mut Vec<u8>) -> Result<Video, Error> {
    let mut video = Video::default();
    while xml.child(buf)? {
        let slot = match xml.name() {
            b"present" => &mut video.present,
            b"colour" => &mut video.colour,
            b"aspect" => &mut video.aspect,
            b"quality" => &mut video.quality,
            _ => {
                xml.skip(buf)?;
                continue;
            }
        };
        *slot = Some(xml.text(buf)?).filter(|v| !v.is_empty());
    }
    Ok(video)
}

/// `<audio>`: `present`, `stereo`.
fn audio_from<R: BufRead>(xml: &mut Xml<R>, buf: &mut Vec<u8>) -> Result<Audio, Error> {
    let mut audio = Audio::default();
    while xml.child(buf)? {
        let slot = match xml.name() {
            b"present" => &mut audio.present,
            b"stereo" => &mut audio.stereo,
            _ => {
                xml.skip(buf)?;
                continue;
            }
        };
        *slot = Some(xml.text(buf)?).filter(|v| !v.is_empty());
    }
    Ok(audio)
}

/// `<previously-shown start channel>`.
fn previously_shown_from<R: BufRead>(
    xml: &mut Xml<R>,
    buf: &mut Vec<u8>,
) -> Result<PreviouslyShown, Error> {
    let shown = PreviouslyShown {
        start: xml.attr_owned("start"),
        channel: xml.attr_owned("channel"),
    };
    xml.skip(buf)?;
    Ok(shown)
}

/// `<subtitles type>` with its `<language>`.
fn subtitles_from<R: BufRead>(xml: &mut Xml<R>, buf: &mut Vec<u8>) -> Result<Subtitles, Error> {
    let mut subtitles = Subtitles {
        kind: xml.attr_owned("type"),
        language: None,
    };
    while xml.child(buf)? {
        match xml.name() {
            b"language" => subtitles.language = Some(lang_text_from(xml, buf)?),
            _ => xml.skip(buf)?,
        }
    }
    Ok(subtitles)
}

/// `<review type source reviewer lang>`; `type` defaults to `text`. `None` if empty.
fn review_from<R: BufRead>(xml: &mut Xml<R>, buf: &mut Vec<u8>) -> Result<Option<Review>, Error> {
    let mut review = Review {
        kind: xml.attr_owned("type").unwrap_or_else(|| "text".into()),
        value: String::new(),
        source: xml.attr_owned("source"),
        reviewer: xml.attr_owned("reviewer"),
        lang: xml.attr_owned("lang"),
    };
    review.value = xml.text(buf)?;
    Ok((!review.value.is_empty()).then_some(review))
}
