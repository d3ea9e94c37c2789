//! The `import_log` row of a run: creation, progress, outcome, and reading it back.

use std::collections::BTreeMap;

use super::{Error, RejectStats, RunRecord, RunStatus, Trigger};
use crate::store::{self, Row, Store, Value, now_seconds};

const COLUMNS: &str = "id, provider_id, trigger, status, queued_at, started_at, finished_at, \
    progress_at, bytes_read, channels_seen, programmes_seen, added, updated, removed, \
    rejected, warnings, rejects, error, warning_reasons, paused_at";

/// Progress of a run while it reads its feed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Progress {
    pub bytes_read: u64,
    pub channels_seen: u64,
    pub programmes_seen: u64,
}

/// What a run records once its feed is staged.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    pub progress: Progress,
    pub rejected: u64,
    pub warnings: u64,
}

/// Inserts a run of an existing provider, `queued` or `running` (then started now).
pub(crate) fn insert_run(
    store: &impl Store,
    provider_id: i64,
    trigger: Trigger,
    status: RunStatus,
) -> Result<RunRecord, Error> {
    let exists = store.execute(
        "SELECT 1 FROM providers WHERE id = ?",
        &[provider_id.into()],
    )?;
    if exists.is_empty() {
        return Err(Error::ProviderNotFound(provider_id));
    }
    let now = now_seconds();
    let started = (status == RunStatus::Running).then_some(now);
    let rows = store.execute(
        "INSERT INTO import_log (provider_id, trigger, status, queued_at, started_at, attempts) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        &[
            provider_id.into(),
            trigger.as_str().into(),
            status.as_str().into(),
            now.into(),
            started.into(),
            i64::from(started.is_some()).into(),
        ],
    )?;
    let id = match rows.first() {
        Some(row) => row.i64(0)?,
        None => return Err(store::Error::Database("insert returned no id".into()).into()),
    };
    get_run(store, id)?.ok_or(Error::RunNotFound(id))
}

/// Marks a queued run running; a running one keeps its start time. A paused run is
/// paused no longer.
pub(crate) fn mark_running(store: &impl Store, run_id: i64) -> Result<(), store::Error> {
    store.execute(
        "UPDATE import_log SET status = 'running', started_at = COALESCE(started_at, ?), \
         paused_at = NULL, \
         attempts = CASE WHEN started_at IS NULL THEN attempts + 1 ELSE attempts END \
         WHERE id = ?",
        &[now_seconds().into(), run_id.into()],
    )?;
    Ok(())
}

/// Records how far the run has read.
pub(crate) fn update_progress(
    store: &impl Store,
    run_id: i64,
    progress: Progress,
) -> Result<(), store::Error> {
    store.execute(
        "UPDATE import_log SET bytes_read = ?, channels_seen = ?, programmes_seen = ?, \
         progress_at = ? WHERE id = ?",
        &[
            int(progress.bytes_read),
            int(progress.channels_seen),
            int(progress.programmes_seen),
            now_seconds().into(),
            run_id.into(),
        ],
    )?;
    Ok(())
}

/// How far a run's staging got, for a later call to continue from (migration 0004).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ResumePoint {
    /// Every programme up to this document position is staged.
    pub seq: i64,
    /// The feed's bytes the staged programmes were read from, when the feed was a byte
    /// stream; a continuing call checks them.
    pub prefix: Option<Prefix>,
}

/// The first `bytes` bytes of a feed as downloaded, and their CRC-32.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Prefix {
    pub bytes: u64,
    pub crc: u32,
}

/// Records where staging stands (call in the transaction that staged up to there).
pub(crate) fn set_resume_point(
    store: &impl Store,
    run_id: i64,
    point: ResumePoint,
) -> Result<(), store::Error> {
    let (bytes, crc) = match point.prefix {
        Some(p) => (int(p.bytes), Value::Integer(i64::from(p.crc))),
        None => (Value::Null, Value::Null),
    };
    store.execute(
        "UPDATE import_log SET resume_seq = ?, resume_bytes = ?, resume_crc = ? WHERE id = ?",
        &[point.seq.into(), bytes, crc, run_id.into()],
    )?;
    Ok(())
}

/// Where the run's staging stands, if a previous call left staged programmes to keep.
pub(crate) fn resume_point(
    store: &impl Store,
    run_id: i64,
) -> Result<Option<ResumePoint>, store::Error> {
    let rows = store.execute(
        "SELECT resume_seq, resume_bytes, resume_crc FROM import_log \
         WHERE id = ? AND status = 'running'",
        &[run_id.into()],
    )?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let Some(seq) = row.opt_i64(0)? else {
        return Ok(None);
    };
    let prefix = match (row.opt_i64(1)?, row.opt_i64(2)?) {
        (Some(bytes), Some(crc)) => Some(Prefix {
            bytes: u64::try_from(bytes).unwrap_or(0),
            crc: u32::try_from(crc).unwrap_or(0),
        }),
        _ => None,
    };
    Ok(Some(ResumePoint { seq, prefix }))
}

/// Forgets where staging stood: the staged rows are complete (the run is being
/// applied) or about to be removed, so nothing may continue from them.
pub(crate) fn clear_resume_point(store: &impl Store, run_id: i64) -> Result<(), store::Error> {
    store.execute(
        "UPDATE import_log SET resume_seq = NULL, resume_bytes = NULL, resume_crc = NULL \
         WHERE id = ?",
        &[run_id.into()],
    )?;
    Ok(())
}

/// Leaves a running run for the next call: its lease is given up, so that a call may
/// claim it at once, and its attempts start again (a pause is not a crash).
pub(crate) fn pause(store: &impl Store, run_id: i64) -> Result<(), store::Error> {
    store.execute(
        "UPDATE import_log SET paused_at = ?, lease_owner = NULL, lease_expires_at = NULL, \
         attempts = 0 WHERE id = ? AND status = 'running'",
        &[now_seconds().into(), run_id.into()],
    )?;
    Ok(())
}

/// Records the validators of the feed a run reads. When the run has staged programmes
/// from a feed with other validators, those are removed so that the run starts over;
/// returns whether staged programmes were kept.
pub(crate) fn note_feed_version(
    store: &impl Store,
    run_id: i64,
    etag: Option<&str>,
    last_modified: Option<&str>,
) -> Result<bool, store::Error> {
    let rows = store.execute(
        "SELECT feed_etag, feed_last_modified, resume_seq IS NOT NULL FROM import_log \
         WHERE id = ?",
        &[run_id.into()],
    )?;
    let Some(row) = rows.first() else {
        return Ok(false);
    };
    let differs = |stored: Option<&str>, new: Option<&str>| matches!((stored, new), (Some(a), Some(b)) if a != b);
    let changed = differs(row.opt_str(0)?, etag) || differs(row.opt_str(1)?, last_modified);
    let kept = row.i64(2)? != 0 && !changed;
    if changed {
        clear_resume_point(store, run_id)?;
    }
    store.execute(
        "UPDATE import_log SET feed_etag = ?, feed_last_modified = ? WHERE id = ?",
        &[etag.into(), last_modified.into(), run_id.into()],
    )?;
    Ok(kept)
}

/// Records that the run's feed is staged and settled, with what reading it found; the
/// guide's counts start at zero for the steps of the apply to add to.
pub(crate) fn staged(
    store: &impl Store,
    run_id: i64,
    outcome: &Outcome,
    rejects: &BTreeMap<String, RejectStats>,
    warning_reasons: &BTreeMap<String, RejectStats>,
) -> Result<(), Error> {
    let encode = |stats| {
        serde_json::to_string(stats)
            .map_err(|e| store::Error::Database(format!("could not encode rejects: {e}")))
    };
    let (rejects, warning_reasons) = (encode(rejects)?, encode(warning_reasons)?);
    let now = now_seconds();
    let p = outcome.progress;
    store.execute(
        "UPDATE import_log SET staged_at = ?, progress_at = ?, bytes_read = ?, \
         channels_seen = ?, programmes_seen = ?, added = 0, updated = 0, removed = 0, \
         rejected = ?, warnings = ?, rejects = ?, warning_reasons = ?, applied_through = NULL \
         WHERE id = ?",
        &[
            now.into(),
            now.into(),
            int(p.bytes_read),
            int(p.channels_seen),
            int(p.programmes_seen),
            int(outcome.rejected),
            int(outcome.warnings),
            rejects.into(),
            warning_reasons.into(),
            run_id.into(),
        ],
    )?;
    Ok(())
}

/// Whether the run's feed is staged, so that it only needs applying.
pub(crate) fn is_staged(store: &impl Store, run_id: i64) -> Result<bool, store::Error> {
    let rows = store.execute(
        "SELECT 1 FROM import_log WHERE id = ? AND status = 'running' AND staged_at IS NOT NULL",
        &[run_id.into()],
    )?;
    Ok(!rows.is_empty())
}

/// The last provider channel the run has applied, if it has begun.
pub(crate) fn applied_through(
    store: &impl Store,
    run_id: i64,
) -> Result<Option<String>, store::Error> {
    let rows = store.execute(
        "SELECT applied_through FROM import_log WHERE id = ?",
        &[run_id.into()],
    )?;
    rows.first().map_or(Ok(None), |r| r.opt_string(0))
}

/// Adds one step's changes to the run's counts and records how far it got (call in
/// the step's transaction).
pub(crate) fn applied(
    store: &impl Store,
    run_id: i64,
    (added, updated, removed): (u64, u64, u64),
    through: &str,
) -> Result<(), store::Error> {
    store.execute(
        "UPDATE import_log SET added = added + ?, updated = updated + ?, removed = removed + ?, \
         applied_through = ?, progress_at = ? WHERE id = ?",
        &[
            int(added),
            int(updated),
            int(removed),
            through.into(),
            now_seconds().into(),
            run_id.into(),
        ],
    )?;
    Ok(())
}

/// The validators of the feed the run read.
pub(crate) fn feed_version(
    store: &impl Store,
    run_id: i64,
) -> Result<(Option<String>, Option<String>), store::Error> {
    let rows = store.execute(
        "SELECT feed_etag, feed_last_modified FROM import_log WHERE id = ?",
        &[run_id.into()],
    )?;
    match rows.first() {
        Some(row) => Ok((row.opt_string(0)?, row.opt_string(1)?)),
        None => Ok((None, None)),
    }
}

/// Marks the run succeeded (call in the switch's transaction).
pub(crate) fn finish(store: &impl Store, run_id: i64) -> Result<(), store::Error> {
    let now = now_seconds();
    store.execute(
        "UPDATE import_log SET status = 'succeeded', finished_at = ?, progress_at = ?, \
         error = NULL WHERE id = ?",
        &[now.into(), now.into(), run_id.into()],
    )?;
    Ok(())
}

/// Marks an active run failed; a run that already ended keeps its outcome.
pub(crate) fn fail(store: &impl Store, run_id: i64, error: &str) -> Result<(), store::Error> {
    store.execute(
        "UPDATE import_log SET status = 'failed', finished_at = ?, error = ? \
         WHERE id = ? AND status IN ('queued', 'running')",
        &[now_seconds().into(), error.into(), run_id.into()],
    )?;
    Ok(())
}

/// The provider's oldest queued or running run.
pub(crate) fn active_run(
    store: &impl Store,
    provider_id: i64,
) -> Result<Option<RunRecord>, store::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM import_log WHERE provider_id = ? \
         AND status IN ('queued', 'running') ORDER BY id LIMIT 1"
    );
    let rows = store.execute(&sql, &[provider_id.into()])?;
    rows.first().map(record_from).transpose()
}

/// One run.
pub(crate) fn get_run(store: &impl Store, run_id: i64) -> Result<Option<RunRecord>, store::Error> {
    let sql = format!("SELECT {COLUMNS} FROM import_log WHERE id = ?");
    let rows = store.execute(&sql, &[run_id.into()])?;
    rows.first().map(record_from).transpose()
}

/// Runs, newest first.
pub(crate) fn list_runs(
    store: &impl Store,
    status: Option<RunStatus>,
    limit: u32,
) -> Result<Vec<RunRecord>, store::Error> {
    let rows = match status {
        Some(status) => store.execute(
            &format!("SELECT {COLUMNS} FROM import_log WHERE status = ? ORDER BY id DESC LIMIT ?"),
            &[status.as_str().into(), limit.into()],
        )?,
        None => store.execute(
            &format!("SELECT {COLUMNS} FROM import_log ORDER BY id DESC LIMIT ?"),
            &[limit.into()],
        )?,
    };
    rows.iter().map(|row| record_from(row)).collect()
}

fn record_from(row: Row<'_>) -> Result<RunRecord, store::Error> {
    let trigger = row.str(2)?;
    let status = row.str(3)?;
    let rejects = stats_from(row, 16, "rejects")?;
    let warning_reasons = stats_from(row, 18, "warning_reasons")?;
    Ok(RunRecord {
        id: row.i64(0)?,
        provider_id: row.i64(1)?,
        trigger: Trigger::parse(trigger)
            .ok_or_else(|| store::Error::Database(format!("unknown import trigger {trigger:?}")))?,
        status: RunStatus::parse(status)
            .ok_or_else(|| store::Error::Database(format!("unknown import status {status:?}")))?,
        queued_at: row.i64(4)?,
        started_at: row.opt_i64(5)?,
        finished_at: row.opt_i64(6)?,
        progress_at: row.opt_i64(7)?,
        bytes_read: count(row, 8)?,
        channels_seen: count(row, 9)?,
        programmes_seen: count(row, 10)?,
        added: count(row, 11)?,
        updated: count(row, 12)?,
        removed: count(row, 13)?,
        rejected: count(row, 14)?,
        warnings: count(row, 15)?,
        rejects,
        warning_reasons,
        error: row.opt_string(17)?,
        paused_at: row.opt_i64(19)?,
    })
}

fn stats_from(
    row: Row<'_>,
    column: usize,
    name: &str,
) -> Result<BTreeMap<String, RejectStats>, store::Error> {
    match row.opt_str(column)? {
        Some(json) => serde_json::from_str(json)
            .map_err(|e| store::Error::Database(format!("import_log.{name} is not valid: {e}"))),
        None => Ok(BTreeMap::new()),
    }
}

fn count(row: Row<'_>, column: usize) -> Result<u64, store::Error> {
    Ok(u64::try_from(row.i64(column)?).unwrap_or(0))
}

/// A count as a column value (SQLite integers are signed; counts never reach 2^63).
pub(crate) fn int(n: u64) -> Value {
    Value::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}
