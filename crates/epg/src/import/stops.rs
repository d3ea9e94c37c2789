//! Stops the feed left open, settled once the whole feed is staged.
//!
//! A programme without a stop, or with one not after its start (feeds write 23:00 to
//! midnight with the start's date on the stop), ends where the next programme on its
//! channel starts, by start time rather than document order, so unsorted feeds keep
//! their programmes. The staged rows are in SQLite, so this is done there, one
//! statement at a time, in bounded memory. A written stop that had to be repaired is a
//! `stop_repaired` warning; a programme with no later one on its channel is rejected.

use std::collections::BTreeMap;

use super::{Error, RejectExample, RejectStats};
use crate::feed::RejectReason;
use crate::store::{Row, Store};

/// `staging_programmes.dropped` of a programme staged without a stop.
pub(crate) const MISSING: i64 = 2;
/// `staging_programmes.dropped` of a programme staged with a stop not after its start.
pub(crate) const NOT_AFTER_START: i64 = 3;

/// The warning key of a repaired stop.
pub(crate) const STOP_REPAIRED: &str = "stop_repaired";

/// Examples kept per reason.
const EXAMPLES: i64 = 5;

/// Document positions settled per statement.
const SEQ_PER_STATEMENT: i64 = 5_000;

/// The start of the channel's next programme by start time, as an SQL expression over
/// the staged row `s`.
const NEXT: &str = "(SELECT o.seq FROM staging_programmes o WHERE o.run_id = s.run_id \
    AND o.provider_channel_id = s.provider_channel_id AND o.start > s.start \
    ORDER BY o.start, o.seq LIMIT 1)";

/// What settling the open stops did.
#[derive(Debug, Default)]
pub(crate) struct Settled {
    /// Programmes rejected, as they count in the run.
    pub rejected: u64,
    pub rejects: BTreeMap<String, RejectStats>,
    /// Written stops repaired.
    pub repaired: RejectStats,
}

/// Gives every open stop of run `run_id` the next start on its channel, or rejects it.
pub(crate) fn settle(store: &impl Store, run_id: i64) -> Result<Settled, Error> {
    let mut settled = Settled {
        repaired: stats(store, run_id, NOT_AFTER_START, true)?,
        ..Settled::default()
    };
    for (state, reason) in [
        (MISSING, RejectReason::MissingStop),
        (NOT_AFTER_START, RejectReason::StopNotAfterStart),
    ] {
        let stats = stats(store, run_id, state, false)?;
        if stats.count > 0 {
            settled.rejected += stats.count;
            settled.rejects.insert(reason.as_str().to_owned(), stats);
        }
    }
    // In ranges of document positions, each statement its own short transaction: a feed
    // without any stops would otherwise rewrite all of its rows under one write lock.
    // The next start depends only on starts, which nothing here changes.
    let bounds = store.execute(
        &format!(
            "SELECT MIN(seq), MAX(seq) FROM staging_programmes \
             WHERE run_id = ? AND dropped IN ({MISSING}, {NOT_AFTER_START})"
        ),
        &[run_id.into()],
    )?;
    let (Some(first), Some(last)) = (
        bounds.first().map(|r| r.opt_i64(0)).transpose()?.flatten(),
        bounds.first().map(|r| r.opt_i64(1)).transpose()?.flatten(),
    ) else {
        return Ok(settled);
    };
    // Every stop is settled before any unsettled row goes: a programme whose own stop
    // cannot be inferred is still the next one of the programme before it.
    for (low, high) in seq_ranges(first, last) {
        store.execute(
            &format!(
                "UPDATE staging_programmes AS s SET stop = n.start, dropped = 0, \
                 data = json_set(s.data, '$.stop', n.start, \
                     '$.stop_offset', json_extract(n.data, '$.start_offset')) \
                 FROM staging_programmes AS n \
                 WHERE s.run_id = ? AND s.seq BETWEEN ? AND ? \
                   AND s.dropped IN ({MISSING}, {NOT_AFTER_START}) \
                   AND n.run_id = s.run_id AND n.seq = {NEXT}"
            ),
            &[run_id.into(), low.into(), high.into()],
        )?;
    }
    for (low, high) in seq_ranges(first, last) {
        store.execute(
            &format!(
                "DELETE FROM staging_programmes WHERE run_id = ? AND seq BETWEEN ? AND ? \
                 AND dropped IN ({MISSING}, {NOT_AFTER_START})"
            ),
            &[run_id.into(), low.into(), high.into()],
        )?;
    }
    Ok(settled)
}

/// `[first, last]` in ranges of [`SEQ_PER_STATEMENT`].
fn seq_ranges(first: i64, last: i64) -> impl Iterator<Item = (i64, i64)> {
    (0..)
        .map(move |i: i64| first.saturating_add(i.saturating_mul(SEQ_PER_STATEMENT)))
        .take_while(move |&low| low <= last)
        .map(|low| (low, low.saturating_add(SEQ_PER_STATEMENT - 1)))
}

/// How many programmes in `state` can (`repairable`) or cannot be given a stop, with
/// the first few in document order.
fn stats(
    store: &impl Store,
    run_id: i64,
    state: i64,
    repairable: bool,
) -> Result<RejectStats, Error> {
    let has_next = if repairable { "IS NOT NULL" } else { "IS NULL" };
    let rows = store.execute(
        &format!(
            "SELECT s.seq, s.provider_channel_id, s.start, \
                 COALESCE(json_extract(s.data, '$.start_offset'), 0), \
                 (SELECT n.start FROM staging_programmes n \
                  WHERE n.run_id = s.run_id AND n.seq = {NEXT}), COUNT(*) OVER () \
             FROM staging_programmes s WHERE s.run_id = ? AND s.dropped = ? \
               AND {NEXT} {has_next} ORDER BY s.seq LIMIT ?"
        ),
        &[run_id.into(), state.into(), EXAMPLES.into()],
    )?;
    let mut stats = RejectStats::default();
    for row in rows.iter() {
        stats.count = u64::try_from(row.i64(5)?).unwrap_or(0);
        stats.examples.push(example(row, state)?);
    }
    Ok(stats)
}

fn example(row: Row<'_>, state: i64) -> Result<RejectExample, Error> {
    let detail = match (row.opt_i64(4)?, state) {
        (Some(next), _) => format!(
            "the stop is not after the start; it now ends where the next programme on the \
             channel starts, at {next}"
        ),
        (None, MISSING) => "no later programme on the channel to infer the stop from".into(),
        (None, _) => "the stop is not after the start, and no later programme on the \
                      channel to infer it from"
            .into(),
    };
    Ok(RejectExample {
        position: u64::try_from(row.i64(0)?).unwrap_or(0),
        channel: Some(row.string(1)?),
        start: Some(xmltv_time(row.i64(2)?, row.i64(3)?)),
        detail,
    })
}

/// `start` as XMLTV writes it, in the zone the feed gave.
fn xmltv_time(utc: i64, offset: i64) -> String {
    let offset = i32::try_from(offset).unwrap_or(0);
    String::from_utf8_lossy(&crate::export::xmltv_time(utc, offset)).into_owned()
}
