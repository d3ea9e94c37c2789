//! `<channel>` and the `<tv>` element's attributes.

use std::io::BufRead;

use super::Error;
use super::parts::{icon_from, lang_text_from, url_from};
use super::xml::Xml;
use crate::model::{Channel, TvInfo};

/// The attributes of `<tv>`, just opened.
pub(super) fn tv_from<R: BufRead>(xml: &Xml<R>) -> TvInfo {
    TvInfo {
        date: xml.attr_owned("date"),
        source_info_url: xml.attr_owned("source-info-url"),
        source_info_name: xml.attr_owned("source-info-name"),
        source_data_url: xml.attr_owned("source-data-url"),
        generator_info_name: xml.attr_owned("generator-info-name"),
        generator_info_url: xml.attr_owned("generator-info-url"),
    }
}

/// A whole `<channel>`, just opened. The `id` is kept as written but for surrounding
/// white space, exactly as `<programme channel>` is read, so the two always match: inner
/// spaces and `@` suffixes matter, a stray trailing space does not.
pub(super) fn channel_from<R: BufRead>(
    xml: &mut Xml<R>,
    buf: &mut Vec<u8>,
) -> Result<Channel, Error> {
    let mut channel = Channel {
        id: xml.attr_owned("id").unwrap_or_default(),
        ..Channel::default()
    };
    while xml.child(buf)? {
        match xml.name() {
            b"display-name" => {
                let name = lang_text_from(xml, buf)?;
                channel
                    .display_names
                    .extend(Some(name).filter(|n| !n.value.is_empty()));
            }
            b"icon" => channel.icons.extend(icon_from(xml, buf)?),
            b"url" => channel.urls.extend(url_from(xml, buf)?),
            b"lcn" => channel.lcn = Some(xml.text(buf)?).filter(|l| !l.is_empty()),
            _ => xml.skip(buf)?,
        }
    }
    Ok(channel)
}
