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

/// A programme as the API shows it: what listings show, then with `detail=full` (and
/// always on a programme's own request) the whole XMLTV record.
///
/// The record is most of a programme's bytes (every language's titles and descriptions,
/// credits, icons, ratings) and a guide grid shows none of it, so lists leave it out
/// unless asked.
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
    new: bool,
    premiere: bool,
    live: bool,
    last_chance: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    programme: Option<&'a Programme>,
}

fn first(texts: &[LangText]) -> Option<&str> {
    texts.first().map(|t| t.value.as_str())
}

/// How much of each programme a response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    Listing,
    Full,
}

/// The `detail` query parameter: `listing` (the default) or `full`.
fn detail(req: &Req<'_>) -> Result<Detail, ApiError> {
    match req.query.get("detail") {
        None | Some("listing") => Ok(Detail::Listing),
        Some("full") => Ok(Detail::Full),
        Some(other) => Err(ApiError::bad_request(format!(
            "query parameter detail must be listing or full, got {other:?}"
        ))),
    }
}

fn programme_json(p: &GuideProgramme, detail: Detail) -> ProgrammeJson<'_> {
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
        new: p.programme.new,
        premiere: p.programme.premiere.is_some(),
        live: p.programme.live,
        last_chance: p.programme.last_chance.is_some(),
        programme: (detail == Detail::Full).then_some(&p.programme),
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

/// `GET /channels/{id}/programs?start&end&detail`.
pub fn channel<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let (start, end) = window(ctx.now, req)?;
    let detail = detail(req)?;
    catalog::get_channel(ctx.store, req.id)?;
    let programmes = guide::channel_programmes(ctx.store, req.id, start, end)?;
    let items: Vec<_> = programmes
        .iter()
        .map(|p| programme_json(p, detail))
        .collect();
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

/// `GET /programs/{id}`: one programme with its whole record.
pub fn get<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let programme = guide::programme_by_id(ctx.store, req.id)?
        .ok_or_else(|| ApiError::not_found(format!("programme {}", req.id)))?;
    json::ok(&programme_json(&programme, Detail::Full))
}

/// `GET /programs/now?detail`: now and next on every enabled channel.
pub fn now<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let detail = detail(req)?;
    let rows = guide::now_next(ctx.store, ctx.now)?;
    let names = catalog::channel_names(ctx.store)?;
    let items: Vec<_> = rows
        .iter()
        .map(|r| NowNextJson {
            channel_id: r.channel_id,
            channel_name: names.get(&r.channel_id).map(String::as_str),
            now: r.now.as_ref().map(|p| programme_json(p, detail)),
            next: r.next.as_ref().map(|p| programme_json(p, detail)),
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

/// `GET /programs/search?q&start&end&channel&limit&offset&detail`: ranked hits in a window that
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
    let detail = detail(req)?;
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
            programme: programme_json(&h.programme, detail),
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
