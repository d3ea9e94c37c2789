//! One run from start to finish, or from where an earlier call stopped: provider
//! settings, staging, resolution, the apply's steps and the switch, and the outcome in
//! the run's row.

use std::str::FromStr;

use chrono_tz::Tz;

use super::log::{self, Outcome, ResumePoint};
use super::progress::Mark;
use super::staging::StagingSink;
use super::{Error, ImportOptions, RunRecord, apply, mapping, resolve};
use crate::feed::{ReadOptions, Summary};
use crate::store::{Store, write_transaction};

/// Runs the import of `run`, the feed coming from `produce`; the caller records a failure.
/// With `resume`, the programmes an earlier call staged are kept, and the feed is read
/// again from the start without writing them; `mark` follows the feed's bytes.
pub(crate) fn execute<S, F>(
    store: &S,
    run: &RunRecord,
    options: &ImportOptions,
    resume: Option<ResumePoint>,
    mark: Option<Mark>,
    produce: F,
) -> Result<(), Error>
where
    S: Store,
    F: FnOnce(&ReadOptions, &mut StagingSink<'_, S>) -> Result<Summary, Error>,
{
    log::mark_running(store, run.id)?;
    apply::sweep(store)?;
    apply::clear_abandoned_staging(store)?;
    if !log::is_staged(store, run.id)? {
        stage(store, run, options, (resume, mark), produce)?;
    }
    apply_staged(store, run, options)
}

/// Reads the feed into the staging tables and settles it: stops, overlaps, and the
/// counts and rejects in the run's row.
fn stage<S, F>(
    store: &S,
    run: &RunRecord,
    options: &ImportOptions,
    (resume, mark): (Option<ResumePoint>, Option<Mark>),
    produce: F,
) -> Result<(), Error>
where
    S: Store,
    F: FnOnce(&ReadOptions, &mut StagingSink<'_, S>) -> Result<Summary, Error>,
{
    if resume.is_none() {
        // Whatever an earlier attempt wrote goes, in the guide and in staging.
        apply::undo(store, run.id)?;
        apply::clear_staging(store, run.id)?;
        log::clear_resume_point(store, run.id)?;
    }
    let read_options = read_options(store, run.provider_id, options)?;
    let resume_seq = resume.map_or(0, |r| r.seq);
    let mut sink = StagingSink::new(store, run.id, options, resume_seq, mark);
    let summary = produce(&read_options, &mut sink)?;
    let staged = sink.finish(summary.bytes_read)?;
    resolve::resolve_channels(store, run.id, &staged.unordered)?;
    let outcome = Outcome {
        progress: staged.progress,
        rejected: staged.rejected,
        warnings: staged.warnings,
    };
    log::staged(
        store,
        run.id,
        &outcome,
        &staged.rejects,
        &staged.warning_reasons,
    )
}

/// Applies the staged run in steps, continuing where an earlier call stopped, then
/// switches the guide to it.
fn apply_staged(store: &impl Store, run: &RunRecord, options: &ImportOptions) -> Result<(), Error> {
    let target = apply::begin(store, run.id, run.provider_id)?;
    let mapped = mapping::map_channels(store, run.provider_id, run.id)?;
    let group_rows = i64::try_from(options.batch_size).unwrap_or(i64::MAX);
    let after = log::applied_through(store, run.id)?;
    apply::apply(
        store,
        &target,
        &mapped,
        group_rows,
        (after.as_deref(), options.pause_apply_at),
    )?;
    // The switch: one small transaction puts the run's programmes in sight.
    write_transaction(store, |store| {
        apply::switch(store, run.id, run.provider_id)?;
        log::finish(store, run.id)?;
        Ok::<_, Error>(())
    })?;
    // After the switch, to keep it short. The run has succeeded by now, so a failure
    // here must not fail it: the next run's sweep deletes the retired rows, and removes
    // the staging rows (this run is no longer running).
    let _ = apply::delete_retired(store, run.id);
    let _ = apply::clear_staging(store, run.id);
    Ok(())
}

/// The reader settings from the provider's row.
fn read_options(
    store: &impl Store,
    provider_id: i64,
    options: &ImportOptions,
) -> Result<ReadOptions, Error> {
    let rows = store.execute(
        "SELECT timezone, offset_correction_minutes FROM providers WHERE id = ?",
        &[provider_id.into()],
    )?;
    let row = rows.first().ok_or(Error::ProviderNotFound(provider_id))?;
    let timezone = match row.opt_str(0)?.map(str::trim).filter(|z| !z.is_empty()) {
        Some(zone) => Some(Tz::from_str(zone).map_err(|_| Error::UnknownTimezone {
            provider: provider_id,
            timezone: zone.to_owned(),
        })?),
        None => None,
    };
    let correction = row.i64(1)?;
    Ok(ReadOptions {
        limits: options.limits,
        timezone,
        offset_correction_minutes: i32::try_from(correction).unwrap_or(0),
        // Staged rows are in the database, where the next programme by start time is
        // one query away (see `stops`).
        defer_stops: true,
    })
}
