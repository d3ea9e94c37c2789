//! Retention: what the guide keeps.
//!
//! Deletes run in batches of [`BATCH`] rows inside one write transaction: each statement
//! returns the ids it removed (counted here; `RETURNING` is reliable on libSQL, where
//! `changes()` may not be), and a batch bounds how many come back at once.

use serde::Serialize;

use crate::store::{self, Store, Value, write_transaction};

/// Rows deleted per statement.
pub const BATCH: u32 = 5000;

const SECONDS_PER_DAY: i64 = 86_400;

/// What a cleanup removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CleanupReport {
    /// Programmes that ended more than the retention period ago.
    pub past_programmes: u64,
    /// Programmes starting more than the retention period ahead.
    pub future_programmes: u64,
    /// Import log rows older than the retention period.
    pub import_logs: u64,
}

/// Deletes programmes that ended more than `days` before `now` or start more than
/// `days` after it, and finished import logs older than `days`.
///
/// The cutoffs are strict: a programme stopping exactly `days` before `now`, or starting
/// exactly `days` after it, is kept. Queued and running import logs are never deleted,
/// whatever their times.
pub fn cleanup(store: &impl Store, now: i64, days: u32) -> Result<CleanupReport, store::Error> {
    let span = i64::from(days) * SECONDS_PER_DAY;
    let past = now.saturating_sub(span);
    let future = now.saturating_add(span);
    write_transaction(store, |store| {
        Ok(CleanupReport {
            past_programmes: delete_all(store, "programmes", "stop < ?", past)?,
            future_programmes: delete_all(store, "programmes", "start > ?", future)?,
            import_logs: delete_all(
                store,
                "import_log",
                "finished_at < ? AND status NOT IN ('queued', 'running')",
                past,
            )?,
        })
    })
}

/// Deletes every row of `table` matching `condition` (one `?`, bound to `bound`).
fn delete_all(
    store: &impl Store,
    table: &str,
    condition: &str,
    bound: i64,
) -> Result<u64, store::Error> {
    let sql = format!(
        "DELETE FROM {table} WHERE id IN \
         (SELECT id FROM {table} WHERE {condition} LIMIT ?) RETURNING id"
    );
    let mut total = 0u64;
    loop {
        let deleted = store
            .execute(&sql, &[Value::from(bound), BATCH.into()])?
            .len();
        total += deleted as u64;
        if deleted < BATCH as usize {
            return Ok(total);
        }
    }
}
