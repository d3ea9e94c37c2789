//! Tying a feed's provider channels to the guide's logical channels.
//!
//! For each provider channel of a run (from `<channel>` elements and from programmes
//! whose channel has none), in this order:
//! 1. an existing mapping `(provider, provider channel id)` is kept as it is, manual or
//!    not: an import never moves a channel, only refreshes the mapping's `data`;
//! 2. else the logical channel whose `xmltv_id` is the provider channel id;
//! 3. else the first logical channel whose `normalized_name` equals the folded form of
//!    one of the channel's display names (tried in feed order), unless this provider
//!    already maps a channel onto it: a feed's "BBC One" and "BBC One HD" are two
//!    channels of that provider, and merging them would show each programme twice;
//! 4. else a new logical channel from the provider channel (its first display name or
//!    its id, first icon, lcn, and the id as `xmltv_id`).

use super::Error;
use super::normalize::normalize_name;
use crate::model::Channel;
use crate::store::{self, Store, now_seconds};

/// A provider channel of the run and where its programmes go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mapped {
    pub provider_channel_id: String,
    pub mapping_id: i64,
    pub channel_id: i64,
    pub time_shift_minutes: i64,
}

/// Maps every staged channel of the run, creating mappings and channels as needed.
pub(crate) fn map_channels(
    store: &impl Store,
    provider_id: i64,
    run_id: i64,
) -> Result<Vec<Mapped>, Error> {
    let rows = store.execute(
        "SELECT provider_channel_id, data FROM staging_channels WHERE run_id = ? \
         ORDER BY provider_channel_id",
        &[run_id.into()],
    )?;
    let mut mapped = Vec::with_capacity(rows.len());
    for row in rows.iter() {
        let id = row.str(0)?;
        let data = row.str(1)?;
        // The JSON was written by the staging sink; should it not parse, the id alone
        // still maps the channel.
        let channel: Channel = serde_json::from_str(data).unwrap_or_else(|_| Channel {
            id: id.to_owned(),
            ..Channel::default()
        });
        mapped.push(map_one(store, provider_id, id, &channel, data)?);
    }
    Ok(mapped)
}

fn map_one(
    store: &impl Store,
    provider_id: i64,
    id: &str,
    channel: &Channel,
    data: &str,
) -> Result<Mapped, Error> {
    let now = now_seconds();
    let existing = store.execute(
        "UPDATE channel_mappings SET data = ?, updated_at = ? \
         WHERE provider_id = ? AND provider_channel_id = ? \
         RETURNING id, channel_id, time_shift_minutes",
        &[data.into(), now.into(), provider_id.into(), id.into()],
    )?;
    if let Some(row) = existing.first() {
        return Ok(Mapped {
            provider_channel_id: id.to_owned(),
            mapping_id: row.i64(0)?,
            channel_id: row.i64(1)?,
            time_shift_minutes: row.i64(2)?,
        });
    }
    let channel_id = match find_channel(store, provider_id, id, channel)? {
        Some(channel_id) => channel_id,
        None => create_channel(store, id, channel)?,
    };
    let rows = store.execute(
        "INSERT INTO channel_mappings (provider_id, provider_channel_id, channel_id, \
         time_shift_minutes, manual, data, created_at, updated_at) \
         VALUES (?, ?, ?, 0, 0, ?, ?, ?) RETURNING id",
        &[
            provider_id.into(),
            id.into(),
            channel_id.into(),
            data.into(),
            now.into(),
            now.into(),
        ],
    )?;
    Ok(Mapped {
        provider_channel_id: id.to_owned(),
        mapping_id: returned_id(&rows)?,
        channel_id,
        time_shift_minutes: 0,
    })
}

/// An existing logical channel for the provider channel: by xmltv id, then by name.
fn find_channel(
    store: &impl Store,
    provider_id: i64,
    id: &str,
    channel: &Channel,
) -> Result<Option<i64>, Error> {
    let rows = store.execute("SELECT id FROM channels WHERE xmltv_id = ?", &[id.into()])?;
    if let Some(row) = rows.first() {
        return Ok(Some(row.i64(0)?));
    }
    for name in &channel.display_names {
        let folded = normalize_name(&name.value);
        if folded.is_empty() {
            continue;
        }
        let rows = store.execute(
            "SELECT id FROM channels WHERE normalized_name = ? AND id NOT IN \
             (SELECT channel_id FROM channel_mappings WHERE provider_id = ?) \
             ORDER BY id LIMIT 1",
            &[folded.into(), provider_id.into()],
        )?;
        if let Some(row) = rows.first() {
            return Ok(Some(row.i64(0)?));
        }
    }
    Ok(None)
}

fn create_channel(store: &impl Store, id: &str, channel: &Channel) -> Result<i64, Error> {
    let name = channel
        .display_names
        .iter()
        .map(|n| n.value.trim())
        .find(|n| !n.is_empty())
        .unwrap_or(id);
    let now = now_seconds();
    let rows = store.execute(
        "INSERT INTO channels (name, normalized_name, icon, xmltv_id, lcn, enabled, \
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
        &[
            name.into(),
            normalize_name(name).into(),
            channel.icons.first().map(|i| i.src.as_str()).into(),
            id.into(),
            channel.lcn.as_deref().into(),
            now.into(),
            now.into(),
        ],
    )?;
    returned_id(&rows)
}

fn returned_id(rows: &store::Rows) -> Result<i64, Error> {
    match rows.first() {
        Some(row) => Ok(row.i64(0)?),
        None => Err(store::Error::Database("insert returned no id".into()).into()),
    }
}
