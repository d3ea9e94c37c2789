//! Swapping a provider's live programmes for a run's staged ones, channel by channel, in
//! bounded steps behind a switch (migration 0005).
//!
//! For each provider channel with kept staged programmes, the span is
//! `[earliest start, latest stop)` of those programmes, shifted by the mapping's time
//! shift. The provider's live programmes of that mapping overlapping the span are
//! replaced by the staged ones; outside the span nothing changes, and channels absent
//! from the feed (or present without programmes) keep everything.
//!
//! Each step is one short write transaction over a group of channels: the live
//! programmes in their spans are marked retired by the run (`retired_by`) and the staged
//! ones inserted with the run's id (`run_id`), neither of which readers see (the
//! condition [`live!`](crate::store::live)). The switch, one small transaction at the
//! end, moves the provider's `live_run` to the run: from then on readers see the new
//! programmes and not the retired ones, which [`sweep`] deletes afterwards, again in
//! steps. A run that fails before its switch is undone in steps ([`undo`]), and its
//! `applying` flag stays set until it is, so its rows can never come into sight.
//!
//! A live programme identical to a staged one (same start, stop, data and channel) is
//! left in place rather than rewritten, so that a daily re-import of a mostly unchanged
//! feed writes little. Of the rest, a retired and an inserted programme *match* when they
//! have the same start and title: `updated` counts those pairs, `added` the other inserted
//! programmes, `removed` the other retired ones. Re-importing the same feed counts nothing.

use std::collections::{HashMap, HashSet};

use super::Error;
use super::mapping::Mapped;
use crate::store::{Rows, Store, Value, write_transaction};

/// Rows one statement of [`undo`] or [`sweep`] deletes or restores.
const STEP_ROWS: i64 = 5_000;

/// Changes to the guide by one step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
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
    /// `(start, title)` of the live programmes retired.
    deleted: Rows,
}

/// Writes the run's kept staged programmes into the guide, out of sight, in steps of
/// one write transaction over channels of about `group_rows` programmes; [`switch`]
/// then puts them in sight. The steps add what they change to the run's counts.
///
/// Continues after provider channel `after` when a call before this one applied up to
/// it, and stops with [`Error::Paused`] after the first step that ends at or past
/// `pause_at` while channels remain, for the next call to continue.
///
/// One `INSERT … SELECT` a step lets SQLite's FTS5 index flush its pending terms once
/// rather than once per channel, and the group bounds both how long the step holds the
/// write lock and what `RETURNING` brings back into memory.
pub(crate) fn apply(
    store: &impl Store,
    run: &Run,
    mapped: &[Mapped],
    group_rows: i64,
    (after, pause_at): (Option<&str>, Option<std::time::Instant>),
) -> Result<(), Error> {
    let rows = store.execute(
        "SELECT provider_channel_id, MIN(start), MAX(stop), COUNT(*) FROM staging_programmes \
         WHERE run_id = ? AND dropped = 0 GROUP BY provider_channel_id",
        &[run.id.into()],
    )?;
    let mut spans = HashMap::with_capacity(rows.len());
    for row in rows.iter() {
        spans.insert(row.str(0)?, (row.i64(1)?, row.i64(2)?, row.i64(3)?));
    }
    let mut groups: Vec<Vec<Spanned<'_>>> = vec![Vec::new()];
    let mut staged_in_group = 0;
    for m in mapped {
        // Mapped channels come in provider channel order, as SQLite compares them.
        if after.is_some_and(|done| m.provider_channel_id.as_str() <= done) {
            continue;
        }
        let Some(&span) = spans.get(m.provider_channel_id.as_str()) else {
            continue;
        };
        if staged_in_group >= group_rows {
            groups.push(Vec::new());
            staged_in_group = 0;
        }
        if let Some(group) = groups.last_mut() {
            group.push((m, span));
        }
        staged_in_group += span.2;
    }
    let last = groups.len().saturating_sub(1);
    for (i, group) in groups.iter().enumerate() {
        step(store, run, group)?;
        if i < last && pause_at.is_some_and(|at| std::time::Instant::now() >= at) {
            return Err(Error::Paused);
        }
    }
    Ok(())
}

/// A channel to apply, with its staged programmes' `(earliest start, latest stop,
/// count)`.
type Spanned<'m> = (&'m Mapped, (i64, i64, i64));

/// The run being applied, and its provider's live run.
pub(crate) struct Run {
    pub id: i64,
    pub provider_id: i64,
    pub live_run: i64,
}

/// Checks that no later run of the provider has switched and flags the run as applying,
/// before it maps its channels; a run that is applying already (an earlier call began)
/// goes on. Returns the run with its provider's live run, for [`apply`].
pub(crate) fn begin(store: &impl Store, run_id: i64, provider_id: i64) -> Result<Run, Error> {
    write_transaction(store, |store| {
        let live_run = live_run(store, provider_id)?;
        if run_id <= live_run {
            return Err(Error::Superseded {
                run: run_id,
                live: live_run,
            });
        }
        store.execute(
            "UPDATE import_log SET applying = 1 WHERE id = ?",
            &[run_id.into()],
        )?;
        Ok(Run {
            id: run_id,
            provider_id,
            live_run,
        })
    })
}

/// The run whose programmes readers see for the provider.
fn live_run(store: &impl Store, provider_id: i64) -> Result<i64, Error> {
    let rows = store.execute(
        "SELECT live_run FROM providers WHERE id = ?",
        &[provider_id.into()],
    )?;
    Ok(rows
        .first()
        .ok_or(Error::ProviderNotFound(provider_id))?
        .i64(0)?)
}

/// One step: retires the live programmes in the group's spans and inserts the group's
/// staged ones, and records what changed, in one write transaction, after checking that
/// the provider has not switched to another run meanwhile.
fn step(store: &impl Store, run: &Run, group: &[Spanned<'_>]) -> Result<(), Error> {
    let Some(&(last, _)) = group.last() else {
        return Ok(());
    };
    write_transaction(store, |store| {
        let live_run = live_run(store, run.provider_id)?;
        if live_run != run.live_run {
            return Err(Error::Superseded {
                run: run.id,
                live: live_run,
            });
        }
        let mut cleared = Vec::with_capacity(group.len());
        for &(m, (start, stop, staged)) in group {
            let shift = m.time_shift_minutes * 60;
            cleared.push(clear_channel(
                store,
                run,
                m,
                (start + shift, stop + shift),
                staged,
            )?);
        }
        let mut counts = Counts::default();
        insert_group(store, run, &cleared, &mut counts)?;
        super::log::applied(
            store,
            run.id,
            (counts.added, counts.updated, counts.removed),
            &last.provider_channel_id,
        )?;
        Ok::<_, Error>(())
    })
}

/// Retires the live programmes of the mapping in the span, except those identical to a
/// staged programme, which stay rather than being rewritten.
fn clear_channel<'m>(
    store: &impl Store,
    run: &Run,
    m: &'m Mapped,
    (span_start, span_stop): (i64, i64),
    staged: i64,
) -> Result<Cleared<'m>, Error> {
    let shift = m.time_shift_minutes * 60;
    let deleted = store.execute(
        "UPDATE programmes SET retired_by = ? WHERE mapping_id = ? AND start < ? AND stop > ? \
         AND retired_by IS NULL AND run_id <= ? AND NOT EXISTS \
         (SELECT 1 FROM staging_programmes s WHERE s.run_id = ? AND s.provider_channel_id = ? \
          AND s.start = programmes.start - ? AND s.dropped = 0 AND s.stop = programmes.stop - ? \
          AND s.data = programmes.data AND programmes.channel_id = ?) \
         RETURNING start, title",
        &[
            run.id.into(),
            m.mapping_id.into(),
            span_stop.into(),
            span_start.into(),
            run.live_run.into(),
            run.id.into(),
            m.provider_channel_id.as_str().into(),
            shift.into(),
            shift.into(),
            m.channel_id.into(),
        ],
    )?;
    let identical = store.execute(
        "SELECT COUNT(*) FROM programmes WHERE mapping_id = ? AND start < ? AND stop > ? \
         AND retired_by IS NULL AND run_id <= ?",
        &[
            m.mapping_id.into(),
            span_stop.into(),
            span_start.into(),
            run.live_run.into(),
        ],
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
    run: &Run,
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
    // every other live programme there was just retired.)
    let skip_identical = if group.iter().any(|c| c.identical > 0) {
        " AND NOT EXISTS (SELECT 1 FROM programmes p \
          WHERE p.mapping_id = m.id AND p.start = s.start + m.time_shift_minutes * 60 \
          AND p.retired_by IS NULL AND p.run_id <= ?)"
    } else {
        ""
    };
    let mut params: Vec<Value> = vec![
        run.id.into(),
        run.provider_id.into(),
        run.id.into(),
        first.mapped.provider_channel_id.as_str().into(),
        last.mapped.provider_channel_id.as_str().into(),
    ];
    if !skip_identical.is_empty() {
        params.push(run.live_run.into());
    }
    // OR FAIL spares SQLite a statement journal: the step's transaction is rolled back
    // whole on any error. The order follows the staging index, so nothing is sorted.
    let inserted = store.execute(
        &format!(
            "INSERT OR FAIL INTO programmes (run_id, mapping_id, channel_id, provider_id, start, \
             stop, title, sub_title, description, season, episode, part, data) \
             SELECT ?, m.id, m.channel_id, m.provider_id, s.start + m.time_shift_minutes * 60, \
             s.stop + m.time_shift_minutes * 60, s.title, s.sub_title, s.description, s.season, \
             s.episode, s.part, s.data FROM staging_programmes s JOIN channel_mappings m \
             ON m.provider_id = ? AND m.provider_channel_id = s.provider_channel_id \
             WHERE s.run_id = ? AND s.provider_channel_id BETWEEN ? AND ? AND s.dropped = 0\
             {skip_identical} ORDER BY s.provider_channel_id, s.start{returning}"
        ),
        &params,
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

/// Puts the run's programmes in sight and its retired ones out of it: call inside the
/// transaction that records the run's outcome. Fails when the provider has switched to
/// another run meanwhile, or is gone.
pub(crate) fn switch(store: &impl Store, run_id: i64, provider_id: i64) -> Result<(), Error> {
    let switched = store.execute(
        "UPDATE providers SET live_run = ?, last_success_at = ? \
         WHERE id = ? AND live_run < ? RETURNING id",
        &[
            run_id.into(),
            crate::store::now_seconds().into(),
            provider_id.into(),
            run_id.into(),
        ],
    )?;
    if switched.is_empty() {
        let live = live_run(store, provider_id)?;
        return Err(Error::Superseded { run: run_id, live });
    }
    super::mapping::refresh_data(store, provider_id, run_id)?;
    store.execute(
        "UPDATE import_log SET applying = 0 WHERE id = ?",
        &[run_id.into()],
    )?;
    Ok(())
}

/// Removes what run `run_id` wrote into the guide before its switch and restores what
/// it retired, in statements of [`STEP_ROWS`] rows, then clears its `applying` flag.
/// Readers see no change: none of it was in sight.
pub(crate) fn undo(store: &impl Store, run_id: i64) -> Result<(), Error> {
    let applying = store.execute(
        "SELECT 1 FROM import_log WHERE id = ? AND applying = 1",
        &[run_id.into()],
    )?;
    if applying.is_empty() {
        return Ok(());
    }
    in_steps(
        store,
        "DELETE FROM programmes WHERE id IN \
         (SELECT id FROM programmes WHERE run_id = ? LIMIT ?) RETURNING 1",
        run_id,
    )?;
    restore_retired(store, run_id)?;
    super::mapping::undo(store, run_id)?;
    store.execute(
        "UPDATE import_log SET applying = 0 WHERE id = ?",
        &[run_id.into()],
    )?;
    Ok(())
}

/// Finishes what switches and failures left: deletes the programmes retired by runs
/// that are live, and undoes runs that stopped applying without a switch (failed, or
/// given up). Reads only when there is nothing to do.
pub(crate) fn sweep(store: &impl Store) -> Result<(), Error> {
    let retired = store.execute(
        "SELECT DISTINCT p.retired_by, p.retired_by <= pr.live_run FROM programmes p \
         JOIN providers pr ON pr.id = p.provider_id WHERE p.retired_by IS NOT NULL",
        &[],
    )?;
    for row in retired.iter() {
        let run_id = row.i64(0)?;
        if row.bool(1)? {
            delete_retired(store, run_id)?;
        }
    }
    let stopped = store.execute(
        "SELECT id FROM import_log WHERE applying = 1 AND status != 'running'",
        &[],
    )?;
    for row in stopped.iter() {
        undo(store, row.i64(0)?)?;
    }
    // Retired marks of runs that are gone from the log altogether.
    let orphaned = store.execute(
        "SELECT DISTINCT p.retired_by FROM programmes p JOIN providers pr \
         ON pr.id = p.provider_id WHERE p.retired_by > pr.live_run \
         AND NOT EXISTS (SELECT 1 FROM import_log l WHERE l.id = p.retired_by)",
        &[],
    )?;
    for row in orphaned.iter() {
        restore_retired(store, row.i64(0)?)?;
    }
    Ok(())
}

/// Deletes the programmes retired by a run that has switched, in steps.
pub(crate) fn delete_retired(store: &impl Store, run_id: i64) -> Result<(), Error> {
    in_steps(
        store,
        "DELETE FROM programmes WHERE id IN \
         (SELECT id FROM programmes WHERE retired_by = ? LIMIT ?) RETURNING 1",
        run_id,
    )
}

fn restore_retired(store: &impl Store, run_id: i64) -> Result<(), Error> {
    in_steps(
        store,
        "UPDATE programmes SET retired_by = NULL WHERE id IN \
         (SELECT id FROM programmes WHERE retired_by = ? LIMIT ?) RETURNING 1",
        run_id,
    )
}

/// Runs `sql` (parameters: the run, a row limit) until it returns fewer rows than the
/// limit: each statement is its own short transaction.
fn in_steps(store: &impl Store, sql: &str, run_id: i64) -> Result<(), Error> {
    loop {
        let rows = store.execute(sql, &[run_id.into(), STEP_ROWS.into()])?;
        if i64::try_from(rows.len()).unwrap_or(i64::MAX) < STEP_ROWS {
            return Ok(());
        }
    }
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
/// Otherwise the run's rows go in statements of [`STEP_ROWS`], none holding the write
/// lock for long.
pub(crate) fn clear_staging(store: &impl Store, run_id: i64) -> Result<(), Error> {
    let emptied = write_transaction(store, |store| {
        let others = store.execute(
            "SELECT 1 FROM import_log WHERE status = 'running' AND id != ? LIMIT 1",
            &[run_id.into()],
        )?;
        if !others.is_empty() {
            return Ok(false);
        }
        for table in STAGING_TABLES {
            store.execute(&format!("DELETE FROM {table}"), &[])?;
        }
        Ok::<_, Error>(true)
    })?;
    if !emptied {
        delete_staged(store, run_id)?;
    }
    Ok(())
}

/// Deletes staging rows of runs that are no longer running: leftovers of crashes.
pub(crate) fn clear_abandoned_staging(store: &impl Store) -> Result<(), Error> {
    for table in STAGING_TABLES {
        // The staged runs one index seek at a time: there are few, with many rows each.
        let mut after = i64::MIN;
        loop {
            let rows = store.execute(
                &format!(
                    "SELECT s.run_id, l.status = 'running' FROM \
                     (SELECT MIN(run_id) AS run_id FROM {table} WHERE run_id > ?) s \
                     LEFT JOIN import_log l ON l.id = s.run_id WHERE s.run_id IS NOT NULL"
                ),
                &[after.into()],
            )?;
            let Some(row) = rows.first() else {
                break;
            };
            after = row.i64(0)?;
            if row.opt_i64(1)?.is_none_or(|running| running == 0) {
                delete_staged(store, after)?;
            }
        }
    }
    Ok(())
}

const STAGING_TABLES: [&str; 2] = ["staging_programmes", "staging_channels"];

fn delete_staged(store: &impl Store, run_id: i64) -> Result<(), Error> {
    for table in STAGING_TABLES {
        in_steps(
            store,
            &format!(
                "DELETE FROM {table} WHERE rowid IN \
                 (SELECT rowid FROM {table} WHERE run_id = ? LIMIT ?) RETURNING 1"
            ),
            run_id,
        )?;
    }
    Ok(())
}
