//! Elements that appear in both `<channel>` and `<programme>`, or in several places
//! inside a programme. Each function is called just after [`Xml::child`] opened its
//! element, reads the attributes first (reading on replaces them), and returns after
//! the element's end tag.

use std::io::BufRead;

use super::Error;
use super::xml::Xml;
use crate::model::{Icon, Image, LangText, Rating, Url};

/// Text with a `lang` attribute.
pub(super) fn lang_text_from<R: BufRead>(
    xml: &mut Xml<R>,
    buf: &mut Vec<u8>,
) -> Result<LangText, Error> {
    let lang = xml.attr_owned("lang");
    Ok(LangText {
        value: xml.text(buf)?,
        lang,
    })
}

/// `<icon src width height>`; `None` without a `src`.
pub(super) fn icon_from<R: BufRead>(
    xml: &mut Xml<R>,
    buf: &mut Vec<u8>,
) -> Result<Option<Icon>, Error> {
    let number = |name| xml.attr(name).and_then(|v| v.trim().parse().ok());
    let icon = xml.attr_owned("src").map(|src| Icon {
        src,
        width: number("width"),
        height: number("height"),
    });
    xml.skip(buf)?;
    Ok(icon)
}

/// `<url system>`; `None` if empty.
pub(super) fn url_from<R: BufRead>(
    xml: &mut Xml<R>,
    buf: &mut Vec<u8>,
) -> Result<Option<Url>, Error> {
    let system = xml.attr_owned("system");
    let value = xml.text(buf)?;
    Ok((!value.is_empty()).then_some(Url { value, system }))
}

/// `<image type size orient system>`; `None` if empty.
pub(super) fn image_from<R: BufRead>(
    xml: &mut Xml<R>,
    buf: &mut Vec<u8>,
) -> Result<Option<Image>, Error> {
    let mut image = Image {
        value: String::new(),
        kind: xml.attr_owned("type"),
        size: xml.attr_owned("size"),
        orient: xml.attr_owned("orient"),
        system: xml.attr_owned("system"),
    };
    image.value = xml.text(buf)?;
    Ok((!image.value.is_empty()).then_some(image))
}

/// `<rating system>` and `<star-rating system>`: a `<value>` and `<icon>`s; `None`
/// without a value.
pub(super) fn rating_from<R: BufRead>(
    xml: &mut Xml<R>,
    buf: &mut Vec<u8>,
) -> Result<Option<Rating>, Error> {
    let mut rating = Rating {
        value: String::new(),
        system: xml.attr_owned("system"),
        icons: Vec::new(),
    };
    while xml.child(buf)? {
        match xml.name() {
            b"value" => rating.value = xml.text(buf)?,
            b"icon" => rating.icons.extend(icon_from(xml, buf)?),
            _ => xml.skip(buf)?,
        }
    }
    Ok((!rating.value.is_empty()).then_some(rating))
}
