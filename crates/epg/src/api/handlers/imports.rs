//! `/import/trigger`, `/import/status`, `/import/runs/{id}` and `/jobs/run`.

use http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use crate::api::{ApiError, Context, Handled, Req, json};
use crate::catalog;
use crate::import::{self, RunRecord, RunStatus, Trigger};
use crate::logging as log;
use crate::store::{Store, write_transaction};

/// Runs listed per state in `/import/status`.
const STATUS_LIMIT: u32 = 100;
/// Finished runs listed in `/import/status`.
const RECENT: usize = 20;

/// The optional body of `POST /import/trigger`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TriggerBody {
    #[serde(default, deserialize_with = "crate::catalog::whole::optional")]
    provider_id: Option<i64>,
}

/// `POST /import/trigger`: queues a run for one provider, or every enabled one that the
/// service can fetch (not the `file://` providers of `epg import`). A
/// provider that already has a queued or running run gets that run back instead of a
/// second one; `existing_run_ids` lists those.
pub fn trigger<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let body: Option<TriggerBody> = json::parse_optional(req.headers, req.body)?;
    let providers = match body.and_then(|b| b.provider_id) {
        Some(id) if id <= 0 => {
            return Err(ApiError::bad_request(
                "provider_id must be a positive integer",
            ));
        }
        Some(id) => vec![catalog::get_provider(ctx.store, id)?.id],
        None => catalog::list_providers(ctx.store)?
            .into_iter()
            .filter(|p| p.enabled && crate::jobs::is_fetchable(&p.xmltv_url))
            .map(|p| p.id)
            .collect(),
    };
    // One transaction, so that two triggers at once cannot both queue a provider.
    let (runs, existing) = write_transaction(ctx.store, |store| {
        let mut runs = Vec::new();
        let mut existing = Vec::new();
        for &provider_id in &providers {
            match import::active_run(store, provider_id)? {
                Some(run) => {
                    existing.push(run.id);
                    runs.push(run);
                }
                None => runs.push(import::queue_run(store, provider_id, Trigger::Manual)?),
            }
        }
        Ok::<_, ApiError>((runs, existing))
    })?;
    json::respond(
        StatusCode::ACCEPTED,
        &json!({ "runs": runs, "existing_run_ids": existing }),
    )
}

/// `GET /import/status`: queued, running, and the last 20 finished runs.
pub fn status<S: Store>(ctx: &Context<'_, S>) -> Handled {
    let queued = import::list_runs(ctx.store, Some(RunStatus::Queued), STATUS_LIMIT)?;
    let running = import::list_runs(ctx.store, Some(RunStatus::Running), STATUS_LIMIT)?;
    let mut recent: Vec<RunRecord> = Vec::new();
    for status in [
        RunStatus::Succeeded,
        RunStatus::Unchanged,
        RunStatus::Failed,
    ] {
        recent.extend(import::list_runs(ctx.store, Some(status), RECENT as u32)?);
    }
    recent.sort_by_key(|r| std::cmp::Reverse((r.finished_at, r.id)));
    recent.truncate(RECENT);
    json::ok(&json!({ "queued": queued, "running": running, "recent": recent }))
}

/// `GET /import/runs/{id}`.
pub fn run<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    match import::get_run(ctx.store, req.id)? {
        Some(run) => json::ok(&run),
        None => Err(ApiError::not_found(format!("import run {}", req.id))),
    }
}

/// Default and largest time budget of `POST /jobs/run`, seconds: under the host's
/// handler limit, so the answer arrives.
const DEFAULT_BUDGET_SECS: u32 = 20;
const MAX_BUDGET_SECS: u32 = 25;

/// The optional body of `POST /jobs/run`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JobsBody {
    #[serde(default, deserialize_with = "crate::catalog::whole::optional")]
    budget_seconds: Option<i64>,
}

/// `POST /jobs/run`: one pass of due work within a time budget (`{"budget_seconds": N}`
/// in the body, capped at 25, or `?budget_secs=N`; 20 by default). A run that needs
/// longer is paused at the budget and continued by the next call, so that a host that
/// ends handlers after about 30 s and has no cron trigger still imports any feed.
pub fn jobs<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let body: Option<JobsBody> = json::parse_optional(req.headers, req.body)?;
    let budget = match body.and_then(|b| b.budget_seconds) {
        Some(secs) if secs < 1 => {
            return Err(ApiError::bad_request(
                "budget_seconds must be a positive integer",
            ));
        }
        Some(secs) => u32::try_from(secs).map_or(MAX_BUDGET_SECS, |s| s.min(MAX_BUDGET_SECS)),
        None => req
            .query
            .int("budget_secs", DEFAULT_BUDGET_SECS, 1, MAX_BUDGET_SECS)?,
    };
    let Some(fetcher) = ctx.fetcher else {
        return Err(ApiError::ServiceUnavailable {
            detail: "this component cannot make outbound requests, so it cannot run jobs; \
                     call POST /api/v1/jobs/run on the imports component"
                .into(),
        });
    };
    let budget = crate::jobs::Budget::of_seconds(u64::from(budget));
    let report = crate::jobs::run_due_within(ctx.store, fetcher, ctx.config, ctx.now, budget)?;
    log::log_job(
        ctx.config,
        "run_due",
        &[
            ("scheduled", report.scheduled.into()),
            ("runs", report.runs.len().into()),
            ("deferred", report.deferred.into()),
            ("paused", report.paused.into()),
        ],
    );
    json::ok(&report)
}
