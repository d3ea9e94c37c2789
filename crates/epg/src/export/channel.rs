//! The logical channels an export lists, their XMLTV ids and `<channel>` elements.

use std::io::{self, Write};

use super::xml::Xml;
use crate::store::{self, Store, shown};

/// One enabled logical channel, with every name a client may know it by.
pub(super) struct ExportChannel {
    pub(super) id: i64,
    /// The id written in `<channel id>` and `<programme channel>`: see [`xmltv_id_for`].
    pub(super) xmltv_id: String,
    /// Display names in the documented order, without repeats.
    pub(super) names: Vec<String>,
    pub(super) icon: Option<String>,
}

/// Enabled channels in id order, restricted to `only` when given.
pub(super) fn load(store: &impl Store, only: Option<&[i64]>) -> store::Result<Vec<ExportChannel>> {
    let rows = store.execute(
        concat!(
            "SELECT id, name, icon, xmltv_id, lcn FROM channels WHERE enabled = 1 AND ",
            shown!(channels),
            " ORDER BY id"
        ),
        &[],
    )?;
    let mut channels = Vec::new();
    for row in rows.iter() {
        let id = row.i64(0)?;
        if only.is_some_and(|ids| !ids.contains(&id)) {
            continue;
        }
        let xmltv_id = row.opt_str(3)?;
        let mut names = Vec::new();
        add_name(&mut names, row.str(1)?);
        if let Some(x) = xmltv_id {
            add_name(&mut names, x);
        }
        channels.push((
            ExportChannel {
                id,
                xmltv_id: xmltv_id_for(id, xmltv_id),
                names,
                icon: row.opt_string(2)?.filter(|s| !s.trim().is_empty()),
            },
            row.opt_string(4)?,
        ));
    }
    add_provider_ids(store, &mut channels)?;
    Ok(channels
        .into_iter()
        .map(|(mut channel, lcn)| {
            if let Some(lcn) = lcn {
                add_name(&mut channel.names, &lcn);
            }
            channel
        })
        .collect())
}

/// Appends every provider channel id mapped to each channel, best provider first.
fn add_provider_ids(
    store: &impl Store,
    channels: &mut [(ExportChannel, Option<String>)],
) -> store::Result<()> {
    let rows = store.execute(
        "SELECT m.channel_id, m.provider_channel_id FROM channel_mappings m \
         JOIN channels c ON c.id = m.channel_id \
         LEFT JOIN providers p ON p.id = m.provider_id \
         WHERE c.enabled = 1 \
         ORDER BY m.channel_id, p.priority, m.provider_id, m.id",
        &[],
    )?;
    for row in rows.iter() {
        let channel_id = row.i64(0)?;
        if let Ok(i) = channels.binary_search_by_key(&channel_id, |(c, _)| c.id) {
            add_name(&mut channels[i].0.names, row.str(1)?);
        }
    }
    Ok(())
}

fn add_name(names: &mut Vec<String>, name: &str) {
    let name = name.trim();
    if !name.is_empty() && !names.iter().any(|n| n == name) {
        names.push(name.to_owned());
    }
}

/// The XMLTV id of logical channel `id`.
///
/// `tv_validate_file` wants ids like `bbc1.bbc.co.uk`
/// (`^[-a-zA-Z0-9]+(\.[-a-zA-Z0-9]+)+$`), and clients remember channels by id, so the
/// id must not change when a channel is renamed or re-imported. Rule: the channel's own
/// `xmltv_id` when it has that shape, else `ch{id}.epg`, built from the numeric id
/// alone. An `xmltv_id` that itself looks like `ch<digits>.epg` is replaced by the
/// generated form too, so the two kinds can never collide.
pub(super) fn xmltv_id_for(id: i64, xmltv_id: Option<&str>) -> String {
    match xmltv_id {
        Some(x) if valid_id(x) && !generated_form(x) => x.to_owned(),
        _ => format!("ch{id}.epg"),
    }
}

fn valid_id(id: &str) -> bool {
    let part = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let mut parts = id.split('.');
    parts.next().is_some_and(part) && {
        let rest: Vec<&str> = parts.collect();
        !rest.is_empty() && rest.into_iter().all(part)
    }
}

fn generated_form(id: &str) -> bool {
    id.strip_prefix("ch")
        .and_then(|s| s.strip_suffix(".epg"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `<channel id>`: display names, then the icon.
pub(super) fn write_channel<W: Write>(xml: &mut Xml<W>, channel: &ExportChannel) -> io::Result<()> {
    xml.raw("  <channel")?;
    xml.attr("id", &channel.xmltv_id)?;
    xml.raw(">\n")?;
    for name in &channel.names {
        xml.leaf("    ", "display-name", name)?;
    }
    if let Some(icon) = &channel.icon {
        xml.raw("    <icon")?;
        xml.attr("src", icon)?;
        xml.raw("/>\n")?;
    }
    xml.raw("  </channel>\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_rule() {
        let cases = [
            (Some("bbc1.bbc.co.uk"), "bbc1.bbc.co.uk"),
            (Some("BBC-One.uk"), "BBC-One.uk"),
            (Some("BBCOne"), "ch7.epg"),
            (Some("BBC One.uk"), "ch7.epg"),
            (Some("bbc1.uk@SD"), "ch7.epg"),
            (Some("bbc1..uk"), "ch7.epg"),
            (Some(".uk"), "ch7.epg"),
            (Some("uk."), "ch7.epg"),
            (Some("101"), "ch7.epg"),
            (Some("ch3.epg"), "ch7.epg"),
            (Some("ch.epg"), "ch.epg"),
            (Some(""), "ch7.epg"),
            (None, "ch7.epg"),
        ];
        for (given, expected) in cases {
            assert_eq!(xmltv_id_for(7, given), expected, "{given:?}");
        }
    }
}
