//! Full-text search over titles, sub-titles and descriptions.
//!
//! With SQLite's FTS5 (bundled SQLite and Spin have it) the index is an external-content
//! table over `programmes`, kept in sync by triggers, so importers write `programmes`
//! only. Without FTS5 the same queries run as `LIKE` scans: slower, substring-based, but
//! the API behaves the same.

use serde::{Deserialize, Serialize};

use super::query::{self, Parsed};
use super::window::{candidate, programme};
use super::{GuideProgramme, LOOKBACK_SECONDS};
use crate::store::{self, Row, Store, Value, live, write_transaction};

/// The most hits one page may hold.
pub const MAX_LIMIT: u32 = 100;
/// The most matches one search counts, ranks and pages: a word found in most of the
/// guide would otherwise cost a score, a join and a check per match.
pub const MAX_COUNTED: u64 = 1_000;
/// Hits per page when the caller does not say.
pub const DEFAULT_LIMIT: u32 = 20;
/// Marks the start of a matched term in [`SearchHit::snippet`].
pub const SNIPPET_OPEN: &str = "[";
/// Marks the end of a matched term in [`SearchHit::snippet`].
pub const SNIPPET_CLOSE: &str = "]";

/// bm25 weights of title, sub-title and description: a title hit ranks first.
const BM25_WEIGHTS: &str = "10.0, 4.0, 1.0";

const CREATE_INDEX: &str = "CREATE VIRTUAL TABLE IF NOT EXISTS programmes_fts USING fts5(\
     title, sub_title, description, content='programmes', content_rowid='id')";

const TRIGGERS: [&str; 3] = [
    "CREATE TRIGGER IF NOT EXISTS programmes_fts_insert AFTER INSERT ON programmes BEGIN \
       INSERT INTO programmes_fts (rowid, title, sub_title, description) \
       VALUES (new.id, new.title, new.sub_title, new.description); \
     END",
    "CREATE TRIGGER IF NOT EXISTS programmes_fts_delete AFTER DELETE ON programmes BEGIN \
       INSERT INTO programmes_fts (programmes_fts, rowid, title, sub_title, description) \
       VALUES ('delete', old.id, old.title, old.sub_title, old.description); \
     END",
    // Only the indexed columns: an import moving times must not churn the index.
    "CREATE TRIGGER IF NOT EXISTS programmes_fts_update \
       AFTER UPDATE OF title, sub_title, description ON programmes BEGIN \
       INSERT INTO programmes_fts (programmes_fts, rowid, title, sub_title, description) \
       VALUES ('delete', old.id, old.title, old.sub_title, old.description); \
       INSERT INTO programmes_fts (rowid, title, sub_title, description) \
       VALUES (new.id, new.title, new.sub_title, new.description); \
     END",
];

/// What to search for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    /// The user's text: words and `"phrases"`, `word*` for a prefix, `a OR b`, `-word`
    /// to exclude. Every term is taken literally; nothing else has a meaning.
    pub q: String,
    /// Only programmes ending after this (UTC seconds); `None`: no lower bound.
    pub start: Option<i64>,
    /// Only programmes starting before this (UTC seconds); `None`: no upper bound.
    pub end: Option<i64>,
    /// Only this channel.
    pub channel_id: Option<i64>,
    /// Hits per page, at most [`MAX_LIMIT`] (larger values are lowered to it).
    pub limit: u32,
    /// Hits to skip.
    pub offset: u32,
}

impl Default for SearchQuery {
    fn default() -> Self {
        Self {
            q: String::new(),
            start: None,
            end: None,
            channel_id: None,
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

/// One programme found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// The programme.
    pub programme: GuideProgramme,
    /// Its logical channel.
    pub channel_id: i64,
    /// The channel's name.
    pub channel_name: String,
    /// Relevance, higher first: minus bm25 with FTS5; 1 for a title hit, 0 otherwise
    /// without it.
    pub rank: f64,
    /// With FTS5, a fragment of the best matching field, matches marked with
    /// [`SNIPPET_OPEN`] and [`SNIPPET_CLOSE`].
    pub snippet: Option<String>,
}

/// One page of hits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchPage {
    /// Hits on every page, counting at most [`MAX_COUNTED`].
    pub total: u64,
    /// Whether `total` is every hit; when false there are more than [`MAX_COUNTED`],
    /// `total` is [`MAX_COUNTED`] and only that many are ranked and paged.
    pub total_is_exact: bool,
    /// This page's hits, best first (ties: earlier start first).
    pub hits: Vec<SearchHit>,
}

/// Why a search failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query text is not a valid query.
    #[error("invalid search query: {reason}")]
    InvalidQuery {
        /// What is wrong with it.
        reason: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
}

/// Counts the search index's objects in the schema: the table and its triggers.
pub(crate) const SEARCH_INDEX_OBJECTS: &str = "SELECT COUNT(*) FROM sqlite_master WHERE name IN \
     ('programmes_fts', 'programmes_fts_insert', 'programmes_fts_delete', \
      'programmes_fts_update')";

/// How many objects [`SEARCH_INDEX_OBJECTS`] counts once the index is complete.
pub(crate) const SEARCH_INDEX_OBJECT_COUNT: i64 = 1 + TRIGGERS.len() as i64;

/// Creates the FTS5 index and its triggers unless they exist, filling the index when it
/// is new. Returns `false`, creating nothing, when this SQLite lacks FTS5; [`search`]
/// then scans with `LIKE`.
pub fn ensure_search_index(store: &impl Store) -> Result<bool, store::Error> {
    let present = store.execute(SEARCH_INDEX_OBJECTS, &[])?;
    if present.first().map(|r| r.i64(0)).transpose()? == Some(SEARCH_INDEX_OBJECT_COUNT) {
        return Ok(true);
    }
    // Under the write lock, so that two starting processes do not both rebuild.
    write_transaction(store, |store| {
        let existed = has_index(store)?;
        match store.execute(CREATE_INDEX, &[]) {
            Err(store::Error::Database(message)) if message.contains("no such module") => {
                return Ok(false);
            }
            other => other?,
        };
        for trigger in TRIGGERS {
            store.execute(trigger, &[])?;
        }
        if !existed {
            store.execute(
                "INSERT INTO programmes_fts (programmes_fts) VALUES ('rebuild')",
                &[],
            )?;
        }
        Ok(true)
    })
}

fn has_index(store: &impl Store) -> Result<bool, store::Error> {
    let rows = store.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'programmes_fts'",
        &[],
    )?;
    Ok(!rows.is_empty())
}

/// Searches programmes of enabled channels and providers: FTS5-ranked when the index
/// exists, a `LIKE` scan otherwise. Two statements: the count, then the page (three
/// with a channel, whose rowid range narrows the FTS5 scan).
///
/// Matches are taken in storage order and only the first [`MAX_COUNTED`] are counted,
/// ranked and paged; beyond that `total_is_exact` is false, and the hits are the best of
/// those, not of every match: a query that common needs more words or a smaller window.
/// So a common word costs about as much as a rare one. What stays proportional to the
/// matches is a window or channel that rejects most of them, the FTS5 scan reading
/// matches outside it; the `LIKE` fallback reads every programme until it has enough.
///
/// A programme that an enabled better provider's programme overlaps is hidden, as in the
/// guide; unlike the guide's merge, this also hides one whose better rival itself lost
/// to a third provider (rare, and cheaper to check row by row).
pub fn search(store: &impl Store, query: &SearchQuery) -> Result<SearchPage, SearchError> {
    let parsed = query::parse(&query.q).map_err(|reason| SearchError::InvalidQuery { reason })?;
    let result = if has_index(store)? {
        run_fts(store, query, &parsed)
    } else {
        run_like(store, query, &parsed)
    };
    result.map_err(|e| match e {
        // FTS5 reports query errors as plain SQL errors; the parser should catch them
        // first, but a user must never see one as a server failure.
        store::Error::Database(message) if message.contains("fts5") => {
            let reason = message
                .find("fts5")
                .map_or(message.as_str(), |at| &message[at..]);
            SearchError::InvalidQuery {
                reason: reason.to_owned(),
            }
        }
        other => SearchError::Store(other),
    })
}

/// Conditions every hit meets beyond the text match, and their parameters. The best
/// provider's programmes skip the "hidden by a better provider" probe: none can hide them.
fn filters(query: &SearchQuery) -> (String, Vec<Value>) {
    let (live_p, live_b) = (live!(p), live!(b));
    let sql = format!(
        "c.enabled = 1 AND pr.enabled = 1 AND {live_p} \
         AND (? IS NULL OR p.stop > ?) AND (? IS NULL OR p.start < ?) \
         AND (? IS NULL OR p.channel_id = ?) \
         AND (pr.id = (SELECT id FROM providers WHERE enabled = 1 ORDER BY priority, id LIMIT 1) \
           OR NOT EXISTS (SELECT 1 FROM programmes b JOIN providers bp ON bp.id = b.provider_id \
           WHERE b.channel_id = p.channel_id AND b.start < p.stop \
             AND b.start >= p.start - {LOOKBACK_SECONDS} AND b.stop > p.start \
             AND bp.enabled = 1 AND {live_b} \
             AND (bp.priority < pr.priority OR (bp.priority = pr.priority AND bp.id < pr.id))))"
    );
    let params = [query.start, query.end, query.channel_id]
        .into_iter()
        .flat_map(|v| [Value::from(v), Value::from(v)])
        .collect();
    (sql, params)
}

const FROM_JOINS: &str = "JOIN channels c ON c.id = p.channel_id \
     JOIN providers pr ON pr.id = p.provider_id";

const HIT_COLUMNS: &str = "p.id, p.channel_id, p.provider_id, p.start, p.stop, \
     p.season, p.episode, p.part, p.data, pr.priority, c.name";

fn run_fts(
    store: &impl Store,
    query: &SearchQuery,
    parsed: &Parsed,
) -> Result<SearchPage, store::Error> {
    let (filter_sql, filter_params) = filters(query);
    let (low, high) = rowid_range(store, query)?;
    let from = format!(
        "FROM programmes_fts JOIN programmes p ON p.id = programmes_fts.rowid {FROM_JOINS} \
         WHERE programmes_fts MATCH ? AND programmes_fts.rowid BETWEEN ? AND ? \
           AND {filter_sql}"
    );
    let fts = Value::Text(parsed.to_fts());
    let mut params = vec![fts.clone(), low.into(), high.into()];
    params.extend(filter_params);
    let total = count(store, &from, &params)?;
    // The snippet needs the MATCH again, on the page's rows only: CROSS JOIN keeps the
    // planner from scanning every match and probing the page for each.
    let details = format!(
        "SELECT {HIT_COLUMNS}, page.score, \
           snippet(programmes_fts, -1, '{SNIPPET_OPEN}', '{SNIPPET_CLOSE}', '…', 12) \
         FROM page CROSS JOIN programmes_fts ON programmes_fts.rowid = page.id \
         JOIN programmes p ON p.id = page.id {FROM_JOINS} \
         WHERE programmes_fts MATCH ?"
    );
    let score = format!("-bm25(programmes_fts, {BM25_WEIGHTS})");
    let sql = paged(&score, &from, &details);
    params.extend([limit(query), query.offset.into(), fts]);
    page(store, &sql, &params, total)
}

fn run_like(
    store: &impl Store,
    query: &SearchQuery,
    parsed: &Parsed,
) -> Result<SearchPage, store::Error> {
    let (filter_sql, filter_params) = filters(query);
    let (like_sql, like_params) = parsed.to_like();
    let from = format!("FROM programmes p {FROM_JOINS} WHERE {like_sql} AND {filter_sql}");
    let mut params = like_params;
    params.extend(filter_params);
    let total = count(store, &from, &params)?;
    let (score, score_params) = parsed.title_match();
    let details = format!(
        "SELECT {HIT_COLUMNS}, page.score, NULL \
         FROM page JOIN programmes p ON p.id = page.id {FROM_JOINS}"
    );
    let sql = paged(&score, &from, &details);
    let mut all = score_params;
    all.extend(params);
    all.extend([limit(query), query.offset.into()]);
    page(store, &sql, &all, total)
}

/// The matches as `hits (id, start, score)`, the first `limit` in storage order:
/// stopping there keeps a common word from scoring, joining and checking every match.
fn hits_cte(score: &str, from: &str, limit: u64) -> String {
    format!(
        "WITH hits AS (SELECT p.id AS id, p.start AS start, {score} AS score {from} \
           LIMIT {limit})"
    )
}

/// The FTS rowids that can hold the channel's matches, from the (channel_id, start)
/// index alone: FTS5 then reads that slice of each doclist instead of every match of a
/// common word. Rowids of one channel are close when imports write a channel at a time,
/// but the range is only a bound: the channel is still checked row by row.
fn rowid_range(store: &impl Store, query: &SearchQuery) -> Result<(i64, i64), store::Error> {
    let Some(channel_id) = query.channel_id else {
        return Ok((i64::MIN, i64::MAX));
    };
    let rows = store.execute(
        "SELECT MIN(id), MAX(id) FROM programmes \
         WHERE channel_id = ? AND start >= ? AND start < ?",
        &[
            channel_id.into(),
            query
                .start
                .map_or(i64::MIN, |s| s.saturating_sub(LOOKBACK_SECONDS))
                .into(),
            query.end.unwrap_or(i64::MAX).into(),
        ],
    )?;
    let row = rows.first();
    let low = row.map(|r| r.opt_i64(0)).transpose()?.flatten();
    let high = row.map(|r| r.opt_i64(1)).transpose()?.flatten();
    Ok(low.zip(high).unwrap_or((1, 0)))
}

/// Ranks and pages on ids alone, then reads the page's rows: sorting every match
/// with its JSON and snippet would copy them all into the sorter. Only the first
/// [`MAX_COUNTED`] matches are ranked, those the count saw.
fn paged(score: &str, from: &str, details: &str) -> String {
    let hits = hits_cte(score, from, MAX_COUNTED);
    format!(
        "{hits}, page AS (SELECT id, start, score FROM hits \
           ORDER BY score DESC, start, id LIMIT ? OFFSET ?) \
         {details} ORDER BY page.score DESC, page.start, page.id"
    )
}

fn limit(query: &SearchQuery) -> Value {
    query.limit.min(MAX_LIMIT).into()
}

/// Counts up to one more than [`MAX_COUNTED`], to tell whether there are more.
fn count(store: &impl Store, from: &str, params: &[Value]) -> Result<u64, store::Error> {
    let hits = hits_cte("NULL", from, MAX_COUNTED + 1);
    let rows = store.execute(&format!("{hits} SELECT COUNT(*) FROM hits"), params)?;
    let n = rows.first().map(|r| r.i64(0)).transpose()?.unwrap_or(0);
    Ok(u64::try_from(n).unwrap_or(0))
}

fn page(
    store: &impl Store,
    sql: &str,
    params: &[Value],
    total: u64,
) -> Result<SearchPage, store::Error> {
    let rows = store.execute(sql, params)?;
    let hits = rows.iter().map(hit).collect::<Result<_, _>>()?;
    Ok(SearchPage {
        total: total.min(MAX_COUNTED),
        total_is_exact: total <= MAX_COUNTED,
        hits,
    })
}

fn hit(row: Row<'_>) -> Result<SearchHit, store::Error> {
    let programme = programme(candidate(row)?)?;
    Ok(SearchHit {
        channel_id: programme.channel_id,
        channel_name: row.string(10)?,
        rank: row.f64(11)?,
        snippet: row.opt_string(12)?,
        programme,
    })
}
