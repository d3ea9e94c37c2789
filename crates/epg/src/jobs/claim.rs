//! Claiming queued runs with a lease, so that overlapping ticks and processes never
//! import one run twice, and runs of a crashed process are retried.

use crate::store::{self, Store};

/// How long a claim holds a run before another process may take it over.
///
/// The lease is not renewed explicitly: a run also counts as alive while its importer
/// records progress (`progress_at`, every few seconds), so a feed that takes longer than
/// the lease to import is not taken over while it advances. A run is retried only once
/// its lease has expired and it has shown no progress for this long.
///
/// Longer than the host's outbound HTTP timeouts (wasmtime's first-byte and
/// between-bytes timeouts are 600 s): a download that stalls fails its run before another
/// process may take the run over, so two processes never import one run.
pub const LEASE_SECS: i64 = 900;

/// Claims after which an interrupted run is given up and marked failed.
pub const MAX_ATTEMPTS: i64 = 3;

/// A run this process now holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    /// The run (`import_log.id`).
    pub run_id: i64,
    /// Its provider.
    pub provider_id: i64,
    /// How many times the run has been claimed, this claim included.
    pub attempts: i64,
}

/// Atomically claims the oldest queued run, or the oldest running run that a call left
/// paused at its time budget or whose holder is gone (see [`LEASE_SECS`]), for `owner`
/// until `now + LEASE_SECS`. A run whose provider
/// has another run in progress waits, so one provider is never imported twice at once.
///
/// One `UPDATE … RETURNING` statement picks and takes the run under SQLite's write lock,
/// and its outer `WHERE` checks the state again, so two processes can never both win.
pub fn claim_next(
    store: &impl Store,
    owner: &str,
    now: i64,
) -> Result<Option<Claim>, store::Error> {
    let stale = now - LEASE_SECS;
    // A read first, so that a tick with nothing to claim (most minutes) writes nothing.
    let candidates = store.execute(
        "SELECT 1 FROM import_log WHERE status = 'queued' OR (status = 'running' \
         AND (paused_at IS NOT NULL OR (COALESCE(lease_expires_at, 0) < ? \
              AND COALESCE(progress_at, started_at, queued_at) < ?))) LIMIT 1",
        &[now.into(), stale.into()],
    )?;
    if candidates.is_empty() {
        return Ok(None);
    }
    let rows = store.execute(
        "UPDATE import_log SET status = 'running', lease_owner = ?, lease_expires_at = ?, \
            started_at = COALESCE(started_at, ?), attempts = attempts + 1, paused_at = NULL \
         WHERE id = (SELECT id FROM import_log r WHERE (status = 'queued' \
                OR (status = 'running' AND paused_at IS NOT NULL) \
                OR (status = 'running' AND COALESCE(lease_expires_at, 0) < ? \
                    AND COALESCE(progress_at, started_at, queued_at) < ?)) \
                AND NOT EXISTS (SELECT 1 FROM import_log o WHERE o.provider_id = r.provider_id \
                    AND o.id != r.id AND o.status = 'running' \
                    AND (COALESCE(o.lease_expires_at, 0) >= ? \
                         OR COALESCE(o.progress_at, o.started_at, o.queued_at) >= ?)) \
                ORDER BY id LIMIT 1) \
           AND (status = 'queued' OR paused_at IS NOT NULL OR (COALESCE(lease_expires_at, 0) < ? \
                AND COALESCE(progress_at, started_at, queued_at) < ?)) \
         RETURNING id, provider_id, attempts",
        &[
            owner.into(),
            (now + LEASE_SECS).into(),
            // started_at
            now.into(),
            // a stale running run
            now.into(),
            stale.into(),
            // another run of the provider still alive
            now.into(),
            stale.into(),
            // the outer check
            now.into(),
            stale.into(),
        ],
    )?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    Ok(Some(Claim {
        run_id: row.i64(0)?,
        provider_id: row.i64(1)?,
        attempts: row.i64(2)?,
    }))
}

/// Ends a run that never reached the importer: `failed` with `error`, or `unchanged`.
pub fn finish_run(
    store: &impl Store,
    run_id: i64,
    status: &str,
    error: Option<&str>,
    now: i64,
) -> Result<(), store::Error> {
    store.execute(
        "UPDATE import_log SET status = ?, error = ?, finished_at = ?, lease_expires_at = NULL \
         WHERE id = ?",
        &[status.into(), error.into(), now.into(), run_id.into()],
    )?;
    Ok(())
}

/// The bytes of the feed that the run's last attempt recorded as read.
pub(super) fn bytes_read(store: &impl Store, run_id: i64) -> Result<i64, store::Error> {
    let rows = store.execute(
        "SELECT bytes_read FROM import_log WHERE id = ?",
        &[run_id.into()],
    )?;
    rows.first().map_or(Ok(0), |r| r.i64(0))
}

/// Says in a retried run's `error` why it is being retried; a success clears it.
pub(super) fn note_retry(store: &impl Store, run_id: i64, note: &str) -> Result<(), store::Error> {
    store.execute(
        "UPDATE import_log SET error = ? WHERE id = ?",
        &[note.into(), run_id.into()],
    )?;
    Ok(())
}

/// Runs waiting in the queue.
pub fn queued_count(store: &impl Store) -> Result<u32, store::Error> {
    let rows = store.execute(
        "SELECT COUNT(*) FROM import_log WHERE status = 'queued'",
        &[],
    )?;
    let count = rows.first().map_or(Ok(0), |r| r.i64(0))?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}
