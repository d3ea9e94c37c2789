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

/// A channel of the run with staged programmes, once its live span is cleared.
struct Cleared<'m> {
    mapped: &'m Mapped,
    staged: i64,
    /// Live programmes left in the span: identical to a staged one.
    identical: i64,
    /// `(start, title)` of the live programmes deleted.
    deleted: Rows,
}

/// Applies the run's kept staged programmes; call inside the apply transaction.
///
/// Channels are inserted in groups of about `group_rows` programmes, one `INSERT … SELECT`
/// each: one statement lets SQLite's FTS5 index flush its pending terms once rather than
/// once per channel, and the group bounds what `RETURNING` brings back into memory.
pub(crate) fn apply(
    store: &impl Store,
    run_id: i64,
    provider_id: i64,
    mapped: &[Mapped],
    group_rows: i64,
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
    let mut group: Vec<Cleared<'_>> = Vec::new();
    let mut staged_in_group = 0;
    for m in mapped {
        let Some(&(start, stop, staged)) = spans.get(m.provider_channel_id.as_str()) else {
            continue;
        };
        let shift = m.time_shift_minutes * 60;
        group.push(clear_channel(
            store,
            run_id,
            m,
            (start + shift, stop + shift),
            staged,
        )?);
        staged_in_group += staged;
        if staged_in_group >= group_rows {
            insert_group(store, run_id, provider_id, &group, &mut counts)?;
            group.clear();
            staged_in_group = 0;
        }
    }
    if !group.is_empty() {
        insert_group(store, run_id, provider_id, &group, &mut counts)?;
    }
    Ok(counts)
}

/// Deletes the live programmes of the mapping in the span, except those identical to a
/// staged programme, which stay rather than being rewritten.
fn clear_channel<'m>(
    store: &impl Store,
    run_id: i64,
    m: &'m Mapped,
    (span_start, span_stop): (i64, i64),
    staged: i64,
) -> Result<Cleared<'m>, Error> {
    let shift = m.time_shift_minutes * 60;
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
            m.provider_channel_id.as_str().into(),
            shift.into(),
            shift.into(),
            m.channel_id.into(),
        ],
    )?;
    let identical = store.execute(
        "SELECT COUNT(*) FROM programmes WHERE mapping_id = ? AND start < ? AND stop > ?",
        &[m.mapping_id.into(), span_stop.into(), span_start.into()],
    )?;
    let identical = identical.first().map_or(Ok(0), |r| r.i64(0))?;
    Ok(Cleared {
        mapped: m,
        staged,
        identical,
        deleted,
    })
}

/// Inserts the staged programmes of the cleared channels `group` (consecutive in
/// provider channel order) in one statement, and adds what changed to `counts`.
fn insert_group(
    store: &impl Store,
    run_id: i64,
    provider_id: i64,
    group: &[Cleared<'_>],
    counts: &mut Counts,
) -> Result<(), Error> {
    let (Some(first), Some(last)) = (group.first(), group.last()) else {
        return Ok(());
    };
    let any_deleted = group.iter().any(|c| !c.deleted.is_empty());
    let returning = if any_deleted {
        " RETURNING mapping_id, start, title"
    } else {
        ""
    };
    // Reading the table being inserted into makes SQLite copy the selection first; with no
    // identical rows left there is nothing to skip, so the check is left out. (A staged
    // programme can only meet a live one at its start inside its own channel's span, and
    // every other live programme there was just deleted.)
    let skip_identical = if group.iter().any(|c| c.identical > 0) {
        " AND NOT EXISTS (SELECT 1 FROM programmes p \
          WHERE p.mapping_id = m.id AND p.start = s.start + m.time_shift_minutes * 60)"
    } else {
        ""
    };
    // OR FAIL spares SQLite a statement journal: the apply transaction is rolled back
    // whole on any error. The order follows the staging index, so nothing is sorted.
    let inserted = store.execute(
        &format!(
            "INSERT OR FAIL INTO programmes (mapping_id, channel_id, provider_id, start, stop, \
             title, sub_title, description, season, episode, part, data) \
             SELECT m.id, m.channel_id, m.provider_id, s.start + m.time_shift_minutes * 60, \
             s.stop + m.time_shift_minutes * 60, s.title, s.sub_title, s.description, s.season, \
             s.episode, s.part, s.data FROM staging_programmes s JOIN channel_mappings m \
             ON m.provider_id = ? AND m.provider_channel_id = s.provider_channel_id \
             WHERE s.run_id = ? AND s.provider_channel_id BETWEEN ? AND ? AND s.dropped = 0\
             {skip_identical} ORDER BY s.provider_channel_id, s.start{returning}"
        ),
        &[
            provider_id.into(),
            run_id.into(),
            first.mapped.provider_channel_id.as_str().into(),
            last.mapped.provider_channel_id.as_str().into(),
        ],
    )?;
    let updated = same_programmes(group, &inserted)?;
    for c in group {
        let same = updated.get(&c.mapped.mapping_id).copied().unwrap_or(0);
        counts.added += non_negative(c.staged - c.identical).saturating_sub(same);
        counts.updated += same;
        counts.removed += u64::try_from(c.deleted.len())
            .unwrap_or(u64::MAX)
            .saturating_sub(same);
    }
    Ok(())
}

/// Per mapping, how many deleted rows have an inserted row with the same start and title.
fn same_programmes(group: &[Cleared<'_>], inserted: &Rows) -> Result<HashMap<i64, u64>, Error> {
    let mut keys = HashSet::new();
    for c in group {
        for row in c.deleted.iter() {
            keys.insert((c.mapped.mapping_id, row.i64(0)?, row.str(1)?));
        }
    }
    let mut same = HashMap::new();
    for row in inserted.iter() {
        let mapping = row.i64(0)?;
        if keys.contains(&(mapping, row.i64(1)?, row.str(2)?)) {
            *same.entry(mapping).or_insert(0) += 1;
        }
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
