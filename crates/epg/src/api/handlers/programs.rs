//! `/channels/{id}/programs`, `/programs/now` and the `/programs/search` slot.

use serde::Serialize;

use crate::api::params::format_time;
use crate::api::{ApiError, Context, Handled, Req, json};
use crate::catalog;
use crate::guide::{self, GuideProgramme};
use crate::model::{LangText, Programme};
use crate::store::Store;

/// Window used when the client gives no end.
const DEFAULT_WINDOW_SECS: i64 = 24 * 3600;
/// Longest window served in one response.
const MAX_WINDOW_SECS: i64 = 14 * 24 * 3600;

/// A programme as the API shows it: indexed fields first, then the full record.
#[derive(Serialize)]
struct ProgrammeJson<'a> {
    id: i64,
    channel_id: i64,
    provider_id: i64,
    start: String,
    stop: String,
    title: &'a str,
    sub_title: Option<&'a str>,
    description: Option<&'a str>,
    season: Option<u32>,
    episode: Option<u32>,
    part: Option<u32>,
    categories: Vec<&'a str>,
    programme: &'a Programme,
}

fn first(texts: &[LangText]) -> Option<&str> {
    texts.first().map(|t| t.value.as_str())
}

fn programme_json(p: &GuideProgramme) -> ProgrammeJson<'_> {
    ProgrammeJson {
        id: p.id,
        channel_id: p.channel_id,
        provider_id: p.provider_id,
        start: format_time(p.start),
        stop: format_time(p.stop),
        title: first(&p.programme.titles).unwrap_or(""),
        sub_title: first(&p.programme.sub_titles),
        description: first(&p.programme.descs),
        season: p.episode.season,
        episode: p.episode.episode,
        part: p.episode.part,
        categories: p
            .programme
            .categories
            .iter()
            .map(|c| c.value.as_str())
            .collect(),
        programme: &p.programme,
    }
}

/// The `[start, end)` window of a request: defaults to now and 24 hours after start.
fn window(now: i64, req: &Req<'_>) -> Result<(i64, i64), ApiError> {
    let start = req.query.time("start")?.unwrap_or(now);
    let end = req
        .query
        .time("end")?
        .unwrap_or(start.saturating_add(DEFAULT_WINDOW_SECS));
    if end <= start {
        return Err(ApiError::bad_request("end must be after start"));
    }
    if end - start > MAX_WINDOW_SECS {
        return Err(ApiError::bad_request(
            "the window from start to end may be at most 14 days",
        ));
    }
    Ok((start, end))
}

/// `GET /channels/{id}/programs?start&end`.
pub fn channel<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let (start, end) = window(ctx.now, req)?;
    catalog::get_channel(ctx.store, req.id)?;
    let programmes = guide::channel_programmes(ctx.store, req.id, start, end)?;
    let items: Vec<_> = programmes.iter().map(programme_json).collect();
    json::ok(&serde_json::json!({
        "channel_id": req.id,
        "start": format_time(start),
        "end": format_time(end),
        "items": items,
    }))
}

/// One channel's now and next.
#[derive(Serialize)]
struct NowNextJson<'a> {
    channel_id: i64,
    channel_name: Option<&'a str>,
    now: Option<ProgrammeJson<'a>>,
    next: Option<ProgrammeJson<'a>>,
}

/// `GET /programs/now`: now and next on every enabled channel.
pub fn now<S: Store>(ctx: &Context<'_, S>) -> Handled {
    let rows = guide::now_next(ctx.store, ctx.now)?;
    let names = catalog::channel_names(ctx.store)?;
    let items: Vec<_> = rows
        .iter()
        .map(|r| NowNextJson {
            channel_id: r.channel_id,
            channel_name: names.get(&r.channel_id).map(String::as_str),
            now: r.now.as_ref().map(programme_json),
            next: r.next.as_ref().map(programme_json),
        })
        .collect();
    json::ok(&serde_json::json!({ "at": format_time(ctx.now), "items": items }))
}

/// `GET /programs/search`: routed and documented; the guide's search is wired in later.
pub fn search<S: Store>(_ctx: &Context<'_, S>, _req: &Req<'_>) -> Handled {
    Err(ApiError::not_found("programme search"))
}
