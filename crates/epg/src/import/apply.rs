//! Swapping a provider's live programmes for a run's staged ones, channel by channel.
//!
//! For each provider channel with kept staged programmes, the span is
//! `[earliest start, latest stop)` of those programmes, shifted by the mapping's time
//! shift. The provider's live programmes of that mapping overlapping the span are deleted
//! and the staged ones inserted; outside the span nothing changes, and channels absent
//! from the feed (or present without programmes) keep everything.
//!
//! Counts: a deleted and an inserted programme *match* when they have the same mapping,
//! start and title. `updated` counts matches whose stop or data differ; `added` is
//! inserted minus matches; `removed` is deleted minus matches. Re-importing the same feed
//! therefore counts nothing, although the rows are rewritten.

use std::collections::HashMap;

use super::Error;
use super::mapping::Mapped;
use crate::store::Store;

/// Changes to the guide.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub added: u64,
    pub updated: u64,
    pub removed: u64,
}

/// Applies the run's kept staged programmes; call inside the apply transaction.
pub(crate) fn apply(
    store: &impl Store,
    run_id: i64,
    provider_id: i64,
    mapped: &[Mapped],
) -> Result<Counts, Error> {
    let rows = store.execute(
        "SELECT provider_channel_id, MIN(start), MAX(stop), COUNT(*) FROM staging_programmes \
         WHERE run_id = ? AND dropped = 0 GROUP BY provider_channel_id",
        &[run_id.into()],
    )?;
    let mut spans = HashMap::with_capacity(rows.len());
    for row in rows.iter() {
        spans.insert(row.str(0)?, (row.i64(1)?, row.i64(2)?, row.i64(3)?));
    }
    let mut counts = Counts::default();
    for m in mapped {
        if let Some(&(start, stop, staged)) = spans.get(m.provider_channel_id.as_str()) {
            let shift = m.time_shift_minutes * 60;
            let span = (start + shift, stop + shift);
            let c = apply_channel(store, run_id, provider_id, m, span, staged)?;
            counts.added += c.added;
            counts.updated += c.updated;
            counts.removed += c.removed;
        }
    }
    Ok(counts)
}

fn apply_channel(
    store: &impl Store,
    run_id: i64,
    provider_id: i64,
    m: &Mapped,
    (span_start, span_stop): (i64, i64),
    staged: i64,
) -> Result<Counts, Error> {
    let shift = m.time_shift_minutes * 60;
    let channel = m.provider_channel_id.as_str();
    let matches = store.execute(
        "SELECT COUNT(*), COALESCE(SUM(p.stop != s.stop + ? OR p.data != s.data), 0) \
         FROM staging_programmes s JOIN programmes p \
           ON p.mapping_id = ? AND p.start = s.start + ? AND p.title = s.title \
         WHERE s.run_id = ? AND s.provider_channel_id = ? AND s.dropped = 0 \
           AND p.start < ? AND p.stop > ?",
        &[
            shift.into(),
            m.mapping_id.into(),
            shift.into(),
            run_id.into(),
            channel.into(),
            span_stop.into(),
            span_start.into(),
        ],
    )?;
    let (matched, changed) = match matches.first() {
        Some(row) => (row.i64(0)?, row.i64(1)?),
        None => (0, 0),
    };
    let deleted = store.execute(
        "DELETE FROM programmes WHERE mapping_id = ? AND start < ? AND stop > ? RETURNING 1",
        &[m.mapping_id.into(), span_stop.into(), span_start.into()],
    )?;
    store.execute(
        "INSERT INTO programmes (mapping_id, channel_id, provider_id, start, stop, title, \
         sub_title, description, season, episode, part, data) \
         SELECT ?, ?, ?, start + ?, stop + ?, title, sub_title, description, season, \
         episode, part, data FROM staging_programmes \
         WHERE run_id = ? AND provider_channel_id = ? AND dropped = 0 ORDER BY start",
        &[
            m.mapping_id.into(),
            m.channel_id.into(),
            provider_id.into(),
            shift.into(),
            shift.into(),
            run_id.into(),
            channel.into(),
        ],
    )?;
    let deleted = i64::try_from(deleted.len()).unwrap_or(i64::MAX);
    Ok(Counts {
        added: non_negative(staged - matched),
        updated: non_negative(changed),
        removed: non_negative(deleted - matched),
    })
}

fn non_negative(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Deletes a run's staging rows.
pub(crate) fn clear_staging(store: &impl Store, run_id: i64) -> Result<(), Error> {
    store.execute(
        "DELETE FROM staging_programmes WHERE run_id = ?",
        &[run_id.into()],
    )?;
    store.execute(
        "DELETE FROM staging_channels WHERE run_id = ?",
        &[run_id.into()],
    )?;
    Ok(())
}

/// Deletes staging rows of runs that are no longer running: leftovers of crashes.
pub(crate) fn clear_abandoned_staging(store: &impl Store) -> Result<(), Error> {
    for table in ["staging_programmes", "staging_channels"] {
        store.execute(
            &format!(
                "DELETE FROM {table} WHERE run_id IN \
                 (SELECT id FROM import_log WHERE status != 'running') \
                 OR run_id NOT IN (SELECT id FROM import_log)"
            ),
            &[],
        )?;
    }
    Ok(())
}
