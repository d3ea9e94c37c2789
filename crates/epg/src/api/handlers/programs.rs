//! `/channels/{id}/programs`, `/programs/now` and `/programs/search`.

use serde::Serialize;

use crate::api::params::format_time;
use crate::api::{ApiError, Context, Handled, Req, json, params};
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
    check_window(start, end)?;
    Ok((start, end))
}

fn check_window(start: i64, end: i64) -> Result<(), ApiError> {
    if end <= start {
        return Err(ApiError::bad_request("end must be after start"));
    }
    if end - start > MAX_WINDOW_SECS {
        return Err(ApiError::bad_request(
            "the window from start to end may be at most 14 days",
        ));
    }
    Ok(())
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

/// One search hit: the programme, its channel, its relevance.
#[derive(Serialize)]
struct HitJson<'a> {
    channel_name: &'a str,
    rank: f64,
    snippet: Option<&'a str>,
    #[serde(flatten)]
    programme: ProgrammeJson<'a>,
}

/// `GET /programs/search?q&start&end&channel&limit&offset`: ranked hits in a window that
/// defaults to what has not ended yet, up to the longest window the API serves.
///
/// At most [`guide::MAX_COUNTED`] matches are counted and ranked, so that a common word
/// costs no more than a rare one; `total_is_exact: false` says there were more and
/// `total` is that bound.
pub fn search<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let q = req
        .query
        .get("q")
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .ok_or_else(|| ApiError::bad_request("the query parameter q is required"))?;
    let start = req.query.time("start")?.unwrap_or(ctx.now);
    let end = req
        .query
        .time("end")?
        .unwrap_or(start.saturating_add(MAX_WINDOW_SECS));
    check_window(start, end)?;
    let channel_id = req.query.get("channel").map(params::id).transpose()?;
    let query = guide::SearchQuery {
        // XML text never holds a NUL, and FTS5 takes one for the end of the query text.
        q: q.replace('\0', " "),
        start: Some(start),
        end: Some(end),
        channel_id,
        limit: req.query.int("limit", 20, 1, guide::MAX_LIMIT)?,
        offset: req.query.int("offset", 0, 0, 100_000)?,
    };
    let page = guide::search(ctx.store, &query).map_err(|e| match e {
        guide::SearchError::InvalidQuery { reason } => {
            ApiError::bad_request(format!("invalid search query: {reason}"))
        }
        guide::SearchError::Store(e) => e.into(),
    })?;
    let items: Vec<_> = page
        .hits
        .iter()
        .map(|h| HitJson {
            channel_name: &h.channel_name,
            rank: h.rank,
            snippet: h.snippet.as_deref(),
            programme: programme_json(&h.programme),
        })
        .collect();
    json::ok(&serde_json::json!({
        "q": q,
        "start": format_time(start),
        "end": format_time(end),
        "total": page.total,
        "total_is_exact": page.total_is_exact,
        "limit": query.limit,
        "offset": query.offset,
        "items": items,
    }))
}
