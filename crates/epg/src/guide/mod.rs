//! Reading the guide: a channel's merged programmes in a window, now/next, search.
//!
//! # The merge rule
//!
//! Several providers may feed one logical channel. What the guide shows is computed from
//! the programmes of *enabled* providers that overlap the requested window:
//!
//! 1. Providers are ranked by `priority`, the lower number first; equal priorities go to
//!    the lower provider id.
//! 2. Programmes are taken best provider first, each provider's in start order, and one
//!    is kept only if it overlaps none already kept (intervals are half-open,
//!    `[start, stop)`).
//!
//! So the best provider's programmes are all shown, and a worse provider's programme
//! appears only where it fits wholly into a gap: it fills a gap entirely or not at all,
//! and the result never overlaps. Since only programmes overlapping the window compete,
//! a worse provider's programme that clashes with a better one lying wholly outside the
//! window can appear in that window.
//!
//! # Look-back
//!
//! Queries find programmes through the `programmes_channel_start` index, bounded below
//! by [`LOOKBACK_SECONDS`]: a programme that started more than that before the window
//! is not found, even if it is still on air. No real programme runs that long; a feed
//! that claims one is wrong about its stop.
//!
//! # Search
//!
//! [`search()`] uses an FTS5 index when [`ensure_search_index`] could create one, and a
//! `LIKE` scan otherwise; see the [`search`](self::search()) docs for the query syntax.

mod merge;
mod query;
mod search;
mod window;

use serde::Serialize;

pub use search::{
    DEFAULT_LIMIT, MAX_COUNTED, MAX_LIMIT, SNIPPET_CLOSE, SNIPPET_OPEN, SearchError, SearchHit,
    SearchPage, SearchQuery, ensure_search_index, search,
};
pub(crate) use search::{SEARCH_INDEX_OBJECT_COUNT, SEARCH_INDEX_OBJECTS};
pub use window::WINDOW_SQL;

use crate::model::{EpisodeInfo, Programme};
use crate::store::{self, Store};

/// How long before a window's start a programme may have begun and still be found.
pub const LOOKBACK_SECONDS: i64 = 24 * 3600;

/// A programme as the guide serves it: times with the mapping's shift applied, the
/// provider it came from, and the whole XMLTV record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuideProgramme {
    /// Row id.
    pub id: i64,
    /// Logical channel.
    pub channel_id: i64,
    /// Provider it came from.
    pub provider_id: i64,
    /// Start, UTC seconds.
    pub start: i64,
    /// Stop, UTC seconds.
    pub stop: i64,
    /// Parsed season/episode/part.
    pub episode: EpisodeInfo,
    /// Everything the feed said.
    pub programme: Programme,
}

/// Now and next on one channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NowNext {
    /// Logical channel.
    pub channel_id: i64,
    /// On air at the given instant.
    pub now: Option<GuideProgramme>,
    /// The first programme starting after that.
    pub next: Option<GuideProgramme>,
}

/// Programmes of `channel_id` overlapping `[start, end)`, in start order, merged across
/// providers by priority (the best provider wins wherever it has data; lower ones fill
/// only gaps), never overlapping.
///
/// An empty or reversed window gives no programmes. A programme that began more than
/// [`LOOKBACK_SECONDS`] before `start` is not found.
pub fn channel_programmes(
    store: &impl Store,
    channel_id: i64,
    start: i64,
    end: i64,
) -> Result<Vec<GuideProgramme>, store::Error> {
    window::channel_programmes(store, channel_id, start, end)
}

/// Now and next for every enabled channel at `now`, merged like [`channel_programmes`],
/// ordered by channel id; a channel with nothing on has both `None`.
///
/// "Now" is the programme with `start <= now < stop`; "next" is the first starting after
/// `now`, within a day. At most four statements, whatever the number of channels: the
/// candidates are read over a few hours first, and over the day only for the channels
/// where that cannot decide, with the same result as reading the day for all.
pub fn now_next(store: &impl Store, now: i64) -> Result<Vec<NowNext>, store::Error> {
    window::now_next(store, now)
}
