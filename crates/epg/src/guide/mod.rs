//! Reading the guide: a channel's merged programmes in a window, now/next, search.

use serde::Serialize;

use crate::model::{EpisodeInfo, Programme};
use crate::store::{self, Store};

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
pub fn channel_programmes(
    _store: &impl Store,
    _channel_id: i64,
    _start: i64,
    _end: i64,
) -> Result<Vec<GuideProgramme>, store::Error> {
    unimplemented!("guide::channel_programmes")
}

/// Now and next for every enabled channel at `now`, merged like [`channel_programmes`].
pub fn now_next(_store: &impl Store, _now: i64) -> Result<Vec<NowNext>, store::Error> {
    unimplemented!("guide::now_next")
}
