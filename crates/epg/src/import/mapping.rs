//! Tying a feed's provider channels to the guide's logical channels.
//!
//! For each provider channel of a run (from `<channel>` elements and from programmes
//! whose channel has none), in this order:
//! 1. an existing mapping `(provider, provider channel id)` is kept as it is, manual or
//!    not: an import never moves a channel, only refreshes the mapping's `data`;
//! 2. else the logical channel whose `xmltv_id` is the provider channel id, unless this
//!    provider already maps a channel onto it;
//! 3. once every channel of the feed has had steps 1 and 2: the first logical channel
//!    whose `normalized_name` equals the folded form of one of the channel's display
//!    names (tried in feed order), unless this provider already maps a channel onto it:
//!    a feed's "BBC One" and "BBC One HD" are two channels of that provider, and merging
//!    them would show each programme twice;
//! 4. else a new logical channel from the provider channel (its first display name or
//!    its id, first icon, lcn, and the id as `xmltv_id`).

use super::Error;
use super::normalize::normalize_name;
use crate::model::Channel;
use crate::store::{self, Store, now_seconds, write_transaction};

/// A provider channel of the run and where its programmes go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mapped {
    pub provider_channel_id: String,
    pub mapping_id: i64,
    pub channel_id: i64,
    pub time_shift_minutes: i64,
}

/// Channels mapped per write transaction: enough that a feed's channels take few
/// transactions, few enough that none holds the write lock for long.
const CHANNELS_PER_TRANSACTION: usize = 200;

/// Maps every staged channel of the run, creating mappings and channels as needed, in
/// write transactions of [`CHANNELS_PER_TRANSACTION`] channels.
///
/// Exact matches go first: every channel that has a mapping or an xmltv id match is
/// placed before any is matched by name, so a fuzzy name match never takes the logical
/// channel that another channel of the same feed names exactly ("BBC One" would
/// otherwise take "BBC One HD"'s channel, whose folded name is the same).
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
    let staged: Vec<(&str, &str)> = rows
        .iter()
        .map(|row| Ok((row.str(0)?, row.str(1)?)))
        .collect::<Result<_, store::Error>>()?;
    let mut mapped = Vec::with_capacity(staged.len());
    let mut by_name = Vec::new();
    for chunk in staged.chunks(CHANNELS_PER_TRANSACTION) {
        // A transaction run again must start from nothing: results are collected inside.
        let (exact, rest) = write_transaction(store, |store| {
            let (mut exact, mut rest) = (Vec::new(), Vec::new());
            for &(id, data) in chunk {
                match map_exact(store, (provider_id, run_id), id, data)? {
                    Some(m) => exact.push(m),
                    None => rest.push((id, data)),
                }
            }
            Ok::<_, Error>((exact, rest))
        })?;
        mapped.extend(exact);
        by_name.extend(rest);
    }
    for chunk in by_name.chunks(CHANNELS_PER_TRANSACTION) {
        let named = write_transaction(store, |store| {
            let mut named = Vec::with_capacity(chunk.len());
            for &(id, data) in chunk {
                // The JSON was written by the staging sink; should it not parse, the id
                // alone still maps the channel.
                let channel: Channel = serde_json::from_str(data).unwrap_or_else(|_| Channel {
                    id: id.to_owned(),
                    ..Channel::default()
                });
                let channel_id = match find_by_name(store, provider_id, &channel)? {
                    Some(channel_id) => channel_id,
                    None => create_channel(store, run_id, id, &channel)?,
                };
                named.push(insert_mapping(
                    store,
                    (provider_id, run_id),
                    id,
                    channel_id,
                    data,
                )?);
            }
            Ok::<_, Error>(named)
        })?;
        mapped.extend(named);
    }
    // Apply walks the channels in staging order.
    mapped.sort_by(|a, b| a.provider_channel_id.cmp(&b.provider_channel_id));
    Ok(mapped)
}

/// The channel's existing mapping (its data refreshed), or a new one onto the logical
/// channel whose `xmltv_id` is the provider channel id, unless this provider already
/// maps a channel there; `None` when neither exists.
fn map_exact(
    store: &impl Store,
    (provider_id, run_id): (i64, i64),
    id: &str,
    data: &str,
) -> Result<Option<Mapped>, Error> {
    // The mapping's data is refreshed at the switch (`refresh_data`), with the rest of
    // the run, not here.
    let existing = store.execute(
        "SELECT id, channel_id, time_shift_minutes FROM channel_mappings \
         WHERE provider_id = ? AND provider_channel_id = ?",
        &[provider_id.into(), id.into()],
    )?;
    if let Some(row) = existing.first() {
        return Ok(Some(Mapped {
            provider_channel_id: id.to_owned(),
            mapping_id: row.i64(0)?,
            channel_id: row.i64(1)?,
            time_shift_minutes: row.i64(2)?,
        }));
    }
    let rows = store.execute(
        "SELECT id FROM channels WHERE xmltv_id = ? AND id NOT IN \
         (SELECT channel_id FROM channel_mappings WHERE provider_id = ?)",
        &[id.into(), provider_id.into()],
    )?;
    match rows.first() {
        Some(row) => insert_mapping(store, (provider_id, run_id), id, row.i64(0)?, data).map(Some),
        None => Ok(None),
    }
}

fn insert_mapping(
    store: &impl Store,
    (provider_id, run_id): (i64, i64),
    id: &str,
    channel_id: i64,
    data: &str,
) -> Result<Mapped, Error> {
    let now = now_seconds();
    let rows = store.execute(
        "INSERT INTO channel_mappings (provider_id, provider_channel_id, channel_id, \
         time_shift_minutes, manual, data, created_at, updated_at, created_by_run) \
         VALUES (?, ?, ?, 0, 0, ?, ?, ?, ?) RETURNING id",
        &[
            provider_id.into(),
            id.into(),
            channel_id.into(),
            data.into(),
            now.into(),
            now.into(),
            run_id.into(),
        ],
    )?;
    Ok(Mapped {
        provider_channel_id: id.to_owned(),
        mapping_id: returned_id(&rows)?,
        channel_id,
        time_shift_minutes: 0,
    })
}

/// The first logical channel whose folded name equals one of the channel's display
/// names (in feed order) and that this provider does not map yet.
fn find_by_name(
    store: &impl Store,
    provider_id: i64,
    channel: &Channel,
) -> Result<Option<i64>, Error> {
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

fn create_channel(
    store: &impl Store,
    run_id: i64,
    id: &str,
    channel: &Channel,
) -> Result<i64, Error> {
    let name = channel
        .display_names
        .iter()
        .map(|n| n.value.trim())
        .find(|n| !n.is_empty())
        .unwrap_or(id);
    let now = now_seconds();
    let rows = store.execute(
        "INSERT INTO channels (name, normalized_name, icon, xmltv_id, lcn, enabled, \
         created_at, updated_at, created_by_run) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?) \
         RETURNING id",
        &[
            name.into(),
            normalize_name(name).into(),
            channel.icons.first().map(|i| i.src.as_str()).into(),
            id.into(),
            channel.lcn.as_deref().into(),
            now.into(),
            now.into(),
            run_id.into(),
        ],
    )?;
    returned_id(&rows)
}

/// Gives the run's mappings their `<channel>` element from the feed: call in the
/// switch's transaction.
pub(crate) fn refresh_data(store: &impl Store, provider_id: i64, run_id: i64) -> Result<(), Error> {
    store.execute(
        "UPDATE channel_mappings SET data = s.data, updated_at = ? FROM staging_channels s \
         WHERE s.run_id = ? AND channel_mappings.provider_id = ? \
           AND channel_mappings.provider_channel_id = s.provider_channel_id",
        &[now_seconds().into(), run_id.into(), provider_id.into()],
    )?;
    Ok(())
}

/// Takes back the mappings and channels a run created (call once its programmes are
/// gone): a channel stays if another mapping points at it.
pub(crate) fn undo(store: &impl Store, run_id: i64) -> Result<(), Error> {
    store.execute(
        "DELETE FROM channel_mappings WHERE created_by_run = ?",
        &[run_id.into()],
    )?;
    store.execute(
        "DELETE FROM channels WHERE created_by_run = ? AND NOT EXISTS \
         (SELECT 1 FROM channel_mappings m WHERE m.channel_id = channels.id)",
        &[run_id.into()],
    )?;
    Ok(())
}

fn returned_id(rows: &store::Rows) -> Result<i64, Error> {
    match rows.first() {
        Some(row) => Ok(row.i64(0)?),
        None => Err(store::Error::Database("insert returned no id".into()).into()),
    }
}
