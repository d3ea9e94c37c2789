//! Mappings: which provider channel feeds which logical channel, with a time shift.

use serde::{Deserialize, Serialize};

use super::{Error, checked_shift, get_channel, get_provider, invalid};
use crate::store::{self, Row, Store, write_transaction};

/// A `channel_mappings` row with its provider's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mapping {
    /// Row id.
    pub id: i64,
    /// The provider.
    pub provider_id: i64,
    /// The provider's name.
    pub provider_name: String,
    /// The channel id in the provider's feed.
    pub provider_channel_id: String,
    /// The logical channel fed.
    pub channel_id: i64,
    /// Minutes added to every programme.
    pub time_shift_minutes: i64,
    /// Set through the API: imports never move it.
    pub manual: bool,
    /// Creation time, UTC seconds.
    pub created_at: i64,
    /// Last change, UTC seconds.
    pub updated_at: i64,
}

const SELECT: &str = "SELECT m.id, m.provider_id, p.name, m.provider_channel_id, m.channel_id, \
    m.time_shift_minutes, m.manual, m.created_at, m.updated_at \
    FROM channel_mappings m JOIN providers p ON p.id = m.provider_id";

fn mapping_from(row: Row<'_>) -> store::Result<Mapping> {
    Ok(Mapping {
        id: row.i64(0)?,
        provider_id: row.i64(1)?,
        provider_name: row.string(2)?,
        provider_channel_id: row.string(3)?,
        channel_id: row.i64(4)?,
        time_shift_minutes: row.i64(5)?,
        manual: row.bool(6)?,
        created_at: row.i64(7)?,
        updated_at: row.i64(8)?,
    })
}

/// The mappings feeding channel `channel_id`, by provider priority.
pub fn channel_mappings(store: &impl Store, channel_id: i64) -> Result<Vec<Mapping>, Error> {
    let rows = store.execute(
        &format!("{SELECT} WHERE m.channel_id = ? ORDER BY p.priority, p.name, m.id"),
        &[channel_id.into()],
    )?;
    Ok(rows
        .iter()
        .map(mapping_from)
        .collect::<store::Result<_>>()?)
}

/// One mapping.
pub fn get_mapping(store: &impl Store, id: i64) -> Result<Mapping, Error> {
    let rows = store.execute(&format!("{SELECT} WHERE m.id = ?"), &[id.into()])?;
    match rows.first() {
        Some(row) => Ok(mapping_from(row)?),
        None => Err(Error::NotFound {
            what: "mapping",
            id,
        }),
    }
}

/// A manual mapping request (`POST /channels/{id}/mappings`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingInput {
    /// The provider.
    #[serde(deserialize_with = "super::whole::whole")]
    pub provider_id: i64,
    /// The channel id in its feed.
    pub provider_channel_id: String,
    /// Minutes added to every programme (-1440..=1440), default 0.
    #[serde(default, deserialize_with = "super::whole::whole")]
    pub time_shift_minutes: i64,
}

/// Whether [`assign_mapping`] made a new mapping or moved an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingOutcome {
    /// The provider channel had no mapping.
    Created,
    /// Its mapping now points at this channel (it may already have).
    Moved,
}

/// Maps the provider channel in `input` onto `channel_id`, marking the mapping manual so
/// that imports leave it alone.
///
/// A provider channel has one mapping: if it exists it is moved here, and the programmes
/// already stored for it follow (their `channel_id`, and their times by the change in
/// shift), so the guide is right before the next import.
pub fn assign_mapping(
    store: &impl Store,
    channel_id: i64,
    input: &MappingInput,
    now: i64,
) -> Result<(Mapping, MappingOutcome), Error> {
    // Kept as given: feed channel ids are arbitrary strings and must match byte for byte.
    let pcid = input.provider_channel_id.as_str();
    if pcid.trim().is_empty() {
        return Err(invalid("provider_channel_id", "must not be empty"));
    }
    let shift = checked_shift("time_shift_minutes", input.time_shift_minutes)?;
    write_transaction(store, |store| {
        get_channel(store, channel_id)?;
        get_provider(store, input.provider_id)?;
        let existing = store.execute(
            "SELECT id, time_shift_minutes FROM channel_mappings \
             WHERE provider_id = ? AND provider_channel_id = ?",
            &[input.provider_id.into(), pcid.into()],
        )?;
        let Some(row) = existing.first() else {
            let rows = store.execute(
                "INSERT INTO channel_mappings (provider_id, provider_channel_id, channel_id, \
                 time_shift_minutes, manual, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id",
                &[
                    input.provider_id.into(),
                    pcid.into(),
                    channel_id.into(),
                    shift.into(),
                    now.into(),
                    now.into(),
                ],
            )?;
            let id = rows.first().map_or(Ok(0), |r| r.i64(0))?;
            return Ok((get_mapping(store, id)?, MappingOutcome::Created));
        };
        let (id, old_shift) = (row.i64(0)?, row.i64(1)?);
        store.execute(
            "UPDATE channel_mappings SET channel_id = ?, time_shift_minutes = ?, manual = 1, \
             updated_at = ? WHERE id = ?",
            &[channel_id.into(), shift.into(), now.into(), id.into()],
        )?;
        let delta = (shift - old_shift) * 60;
        store.execute(
            "UPDATE programmes SET channel_id = ?, start = start + ?, stop = stop + ? \
             WHERE mapping_id = ?",
            &[channel_id.into(), delta.into(), delta.into(), id.into()],
        )?;
        Ok((get_mapping(store, id)?, MappingOutcome::Moved))
    })
}

/// Sets a mapping's time shift, moving its stored programmes by the difference.
pub fn set_time_shift(
    store: &impl Store,
    id: i64,
    minutes: i64,
    now: i64,
) -> Result<Mapping, Error> {
    let shift = checked_shift("time_shift_minutes", minutes)?;
    write_transaction(store, |store| {
        let old = get_mapping(store, id)?;
        store.execute(
            "UPDATE channel_mappings SET time_shift_minutes = ?, updated_at = ? WHERE id = ?",
            &[shift.into(), now.into(), id.into()],
        )?;
        let delta = (shift - old.time_shift_minutes) * 60;
        store.execute(
            "UPDATE programmes SET start = start + ?, stop = stop + ? WHERE mapping_id = ?",
            &[delta.into(), delta.into(), id.into()],
        )?;
        get_mapping(store, id)
    })
}

/// Deletes a mapping and its programmes. The logical channel stays, even when nothing
/// feeds it any more. The next import of the provider may map its channel again.
pub fn delete_mapping(store: &impl Store, id: i64) -> Result<(), Error> {
    write_transaction(store, |store| {
        get_mapping(store, id)?;
        store.execute("DELETE FROM programmes WHERE mapping_id = ?", &[id.into()])?;
        store.execute("DELETE FROM channel_mappings WHERE id = ?", &[id.into()])?;
        crate::export::note_guide_edit(store, crate::store::now_seconds())?;
        Ok(())
    })
}
