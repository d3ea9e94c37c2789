//! Swapping a provider's live programmes for a run's staged ones, channel by channel.
//!
//! For each provider channel with kept staged programmes, the span is
//! `[earliest start, latest stop)` of those programmes, shifted by the mapping's time
//! shift. The provider's live programmes of that mapping overlapping the span are deleted
//! and the staged ones inserted; outside the span nothing changes, and channels absent
//! from the feed (or present without programmes) keep everything.
//!
//! A live programme identical to a staged one (same start, stop, data and channel) is
//! left in place rather than rewritten, so that a daily re-import of a mostly unchanged
//! feed writes little. Of the rest, a deleted and an inserted programme *match* when they
//! have the same start and title: `updated` counts those pairs, `added` the other inserted
//! programmes, `removed` the other deleted ones. Re-importing the same feed counts nothing.

use std::collections::{HashMap, HashSet};

use super::Error;
use super::mapping::Mapped;
use crate::store::{Rows, Store, Value, write_transaction};

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
    let deleted = store.execute(
        "DELETE FROM programmes WHERE mapping_id = ? AND start < ? AND stop > ? AND NOT EXISTS \
         (SELECT 1 FROM staging_programmes s WHERE s.run_id = ? AND s.provider_channel_id = ? \
          AND s.start = programmes.start - ? AND s.dropped = 0 AND s.stop = programmes.stop - ? \
          AND s.data = programmes.data AND programmes.channel_id = ?) \
         RETURNING start, title",
        &[
            m.mapping_id.into(),
            span_stop.into(),
            span_start.into(),
            run_id.into(),
            channel.into(),
            shift.into(),
            shift.into(),
            m.channel_id.into(),
        ],
    )?;
    // What is left in the span is identical to a staged programme, which is not rewritten.
    let identical = store.execute(
        "SELECT COUNT(*) FROM programmes WHERE mapping_id = ? AND start < ? AND stop > ?",
        &[m.mapping_id.into(), span_stop.into(), span_start.into()],
    )?;
    let identical = identical.first().map_or(Ok(0), |r| r.i64(0))?;
    let returning = if deleted.is_empty() {
        ""
    } else {
        " RETURNING start, title"
    };
    let mut params: Vec<Value> = vec![
        m.mapping_id.into(),
        m.channel_id.into(),
        provider_id.into(),
        shift.into(),
        shift.into(),
        run_id.into(),
        channel.into(),
    ];
    // OR FAIL spares SQLite a statement journal: the apply transaction is rolled back
    // whole on any error. Reading the table being inserted into makes SQLite copy the selection first;
    // without identical rows left there is nothing to skip, so the check is left out.
    let skip_identical = if identical > 0 {
        params.extend([m.mapping_id.into(), shift.into()]);
        " AND NOT EXISTS (SELECT 1 FROM programmes p \
          WHERE p.mapping_id = ? AND p.start = s.start + ?)"
    } else {
        ""
    };
    let inserted = store.execute(
        &format!(
            "INSERT OR FAIL INTO programmes (mapping_id, channel_id, provider_id, start, stop, title, \
             sub_title, description, season, episode, part, data) \
             SELECT ?, ?, ?, start + ?, stop + ?, title, sub_title, description, season, \
             episode, part, data FROM staging_programmes s \
             WHERE run_id = ? AND provider_channel_id = ? AND dropped = 0{skip_identical} \
             ORDER BY start{returning}"
        ),
        &params,
    )?;
    let updated = same_programmes(&deleted, &inserted)?;
    Ok(Counts {
        added: non_negative(staged - identical).saturating_sub(updated),
        updated,
        removed: u64::try_from(deleted.len())
            .unwrap_or(u64::MAX)
            .saturating_sub(updated),
    })
}

/// How many deleted rows have an inserted row with the same start and title.
fn same_programmes(deleted: &Rows, inserted: &Rows) -> Result<u64, Error> {
    let mut keys = HashSet::with_capacity(deleted.len());
    for row in deleted.iter() {
        keys.insert((row.i64(0)?, row.str(1)?));
    }
    let mut same = 0;
    for row in inserted.iter() {
        same += u64::from(keys.contains(&(row.i64(0)?, row.str(1)?)));
    }
    Ok(same)
}

fn non_negative(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Deletes a run's staging rows.
///
/// When no other run is running, the tables are emptied whole: SQLite then drops their
/// pages at once instead of deleting row by row, which matters after a large feed.
pub(crate) fn clear_staging(store: &impl Store, run_id: i64) -> Result<(), Error> {
    write_transaction(store, |store| {
        let others = store.execute(
            "SELECT 1 FROM import_log WHERE status = 'running' AND id != ? LIMIT 1",
            &[run_id.into()],
        )?;
        let filter = if others.is_empty() {
            ""
        } else {
            " WHERE run_id = ?"
        };
        let params: &[Value] = if others.is_empty() {
            &[]
        } else {
            &[Value::Integer(run_id)]
        };
        for table in ["staging_programmes", "staging_channels"] {
            store.execute(&format!("DELETE FROM {table}{filter}"), params)?;
        }
        Ok(())
    })
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
