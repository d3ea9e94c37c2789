//! Logical channels: what the guide lists, fed by one or more provider channels.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::{Error, checked_name, count, invalid};
use crate::store::{self, Row, Store, Value, shown, write_transaction};

/// A `channels` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Channel {
    /// Row id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Icon URL.
    pub icon: Option<String>,
    /// The id written in XMLTV exports (unique when set).
    pub xmltv_id: Option<String>,
    /// Logical channel number, from a feed.
    pub lcn: Option<String>,
    /// Disabled channels are left out of listings and exports.
    pub enabled: bool,
    /// Creation time, UTC seconds.
    pub created_at: i64,
    /// Last change, UTC seconds.
    pub updated_at: i64,
}

const COLUMNS: &str = "id, name, icon, xmltv_id, lcn, enabled, created_at, updated_at";

fn channel_from(row: Row<'_>) -> store::Result<Channel> {
    Ok(Channel {
        id: row.i64(0)?,
        name: row.string(1)?,
        icon: row.opt_string(2)?,
        xmltv_id: row.opt_string(3)?,
        lcn: row.opt_string(4)?,
        enabled: row.bool(5)?,
        created_at: row.i64(6)?,
        updated_at: row.i64(7)?,
    })
}

/// Which channels to list, and which page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelFilter {
    /// Substring of the name, case-insensitive (SQLite folds ASCII letters only).
    pub q: Option<String>,
    /// Only enabled (or only disabled) channels.
    pub enabled: Option<bool>,
    /// Page size.
    pub limit: u32,
    /// Rows skipped.
    pub offset: u32,
}

/// One page of channels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelPage {
    /// The page, by name then id.
    pub items: Vec<Channel>,
    /// Matching channels in all pages.
    pub total: u64,
}

/// Channels matching `filter`, one page of them, with the total count.
pub fn list_channels(store: &impl Store, filter: &ChannelFilter) -> Result<ChannelPage, Error> {
    let mut conditions = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    if let Some(q) = filter.q.as_deref().filter(|q| !q.is_empty()) {
        // SQLite's lower() folds ASCII only, so the query is folded the same way for the
        // name; the folded name (accents and case gone, as imports store it) catches
        // "orf" for "ÖRF" too.
        conditions.push("(instr(lower(name), ?) > 0 OR instr(normalized_name, ?) > 0)");
        params.push(q.to_ascii_lowercase().into());
        let folded = crate::import::normalize_name(q);
        params.push(
            if folded.is_empty() {
                q.to_ascii_lowercase()
            } else {
                folded
            }
            .into(),
        );
    }
    if let Some(enabled) = filter.enabled {
        conditions.push("enabled = ?");
        params.push(enabled.into());
    }
    conditions.push(shown!(channels));
    let filter_sql = format!(" WHERE {}", conditions.join(" AND "));
    let total = count(
        store,
        &format!("SELECT COUNT(*) FROM channels{filter_sql}"),
        &params,
    )?;
    params.push(filter.limit.into());
    params.push(filter.offset.into());
    let rows = store.execute(
        &format!(
            "SELECT {COLUMNS} FROM channels{filter_sql} \
             ORDER BY lower(name), id LIMIT ? OFFSET ?"
        ),
        &params,
    )?;
    let items = rows
        .iter()
        .map(channel_from)
        .collect::<store::Result<_>>()?;
    Ok(ChannelPage { items, total })
}

/// One channel.
pub fn get_channel(store: &impl Store, id: i64) -> Result<Channel, Error> {
    let rows = store.execute(
        &format!(
            "SELECT {COLUMNS} FROM channels WHERE id = ? AND {}",
            shown!(channels)
        ),
        &[id.into()],
    )?;
    match rows.first() {
        Some(row) => Ok(channel_from(row)?),
        None => Err(Error::NotFound {
            what: "channel",
            id,
        }),
    }
}

/// Every channel's name by id, for listings that only carry ids.
pub fn channel_names(store: &impl Store) -> Result<BTreeMap<i64, String>, Error> {
    let rows = store.execute("SELECT id, name FROM channels", &[])?;
    let mut names = BTreeMap::new();
    for row in rows.iter() {
        names.insert(row.i64(0)?, row.string(1)?);
    }
    Ok(names)
}

/// A full replacement of a channel's editable fields (`PUT`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelReplace {
    /// Display name.
    pub name: String,
    /// Icon URL; absent or `null` removes it.
    #[serde(default)]
    pub icon: Option<String>,
    /// Whether the channel is listed.
    pub enabled: bool,
}

/// Some of a channel's editable fields (`PATCH`); absent fields stay as they are, and
/// `null` clears `icon` or `xmltv_id`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelPatch {
    /// New display name.
    #[serde(default)]
    pub name: Option<String>,
    /// New icon, or `Some(None)` to remove it.
    #[serde(default, deserialize_with = "present")]
    pub icon: Option<Option<String>>,
    /// New enabled flag.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// New export id, or `Some(None)` to remove it.
    #[serde(default, deserialize_with = "present")]
    pub xmltv_id: Option<Option<String>>,
}

/// Tells a field given as `null` (`Some(None)`) from an absent one (`None`, by default).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl From<ChannelReplace> for ChannelPatch {
    fn from(r: ChannelReplace) -> Self {
        ChannelPatch {
            name: Some(r.name),
            icon: Some(r.icon),
            enabled: Some(r.enabled),
            xmltv_id: None,
        }
    }
}

/// Applies `patch` to channel `id` and returns the result.
///
/// The name used for matching feed channels (`normalized_name`) is left alone: it was
/// derived from the feeds by the importer, and a display rename should not change which
/// provider channels later match this one.
pub fn update_channel(
    store: &impl Store,
    id: i64,
    patch: &ChannelPatch,
    now: i64,
) -> Result<Channel, Error> {
    write_transaction(store, |store| {
        let mut channel = get_channel(store, id)?;
        if let Some(name) = &patch.name {
            channel.name = checked_name("name", name)?;
        }
        if let Some(icon) = &patch.icon {
            channel.icon = icon
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Into::into);
        }
        if let Some(enabled) = patch.enabled {
            channel.enabled = enabled;
        }
        if let Some(xmltv_id) = &patch.xmltv_id {
            channel.xmltv_id = checked_xmltv_id(store, id, xmltv_id.as_deref())?;
        }
        store.execute(
            "UPDATE channels SET name = ?, icon = ?, enabled = ?, xmltv_id = ?, updated_at = ? \
             WHERE id = ?",
            &[
                channel.name.as_str().into(),
                channel.icon.clone().into(),
                channel.enabled.into(),
                channel.xmltv_id.clone().into(),
                now.into(),
                id.into(),
            ],
        )?;
        get_channel(store, id)
    })
}

fn checked_xmltv_id(
    store: &impl Store,
    id: i64,
    xmltv_id: Option<&str>,
) -> Result<Option<String>, Error> {
    let Some(xmltv_id) = xmltv_id.map(str::trim) else {
        return Ok(None);
    };
    if xmltv_id.is_empty() {
        return Err(invalid(
            "xmltv_id",
            "must not be empty; use null to remove it",
        ));
    }
    let taken = count(
        store,
        "SELECT COUNT(*) FROM channels WHERE xmltv_id = ? AND id <> ?",
        &[xmltv_id.into(), id.into()],
    )?;
    if taken > 0 {
        return Err(Error::Conflict {
            detail: format!("another channel already has xmltv_id {xmltv_id:?}"),
        });
    }
    Ok(Some(xmltv_id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_tells_null_from_absent() {
        let p: ChannelPatch = serde_json::from_str(r#"{"icon":null}"#).expect("patch");
        assert_eq!(p.icon, Some(None));
        assert_eq!(p.xmltv_id, None);
        let p: ChannelPatch = serde_json::from_str(r#"{"xmltv_id":"a.de"}"#).expect("patch");
        assert_eq!(p.xmltv_id, Some(Some("a.de".into())));
        assert_eq!(p.icon, None);
        let err = serde_json::from_str::<ChannelPatch>(r#"{"lcn":"1"}"#).expect_err("unknown");
        assert!(err.to_string().starts_with("unknown field `lcn`"), "{err}");
    }
}
