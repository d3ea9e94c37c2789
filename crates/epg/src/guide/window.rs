//! Reading programme rows: one channel's window, and every channel around an instant.

use super::merge::{Candidate, merge};
use super::{GuideProgramme, LOOKBACK_SECONDS, NowNext};
use crate::model::{EpisodeInfo, Programme};
use crate::store::{self, Row, Store};

/// How far past `now` [`now_next`] looks for the next programme.
const NEXT_HORIZON_SECONDS: i64 = 24 * 3600;

/// The columns [`candidate`] reads, in order (as in [`WINDOW_SQL`]); `p` is `programmes`,
/// `pr` is `providers`.
const COLUMNS: &str = "p.id, p.channel_id, p.provider_id, p.start, p.stop, \
     p.season, p.episode, p.part, p.data, pr.priority";

/// A row kept unparsed until it has won its place: parsing JSON is the main cost.
#[derive(Debug)]
pub(super) struct RawRow {
    channel_id: i64,
    season: Option<i64>,
    episode: Option<i64>,
    part: Option<i64>,
    data: String,
}

/// The statement [`super::channel_programmes`] runs, with parameters channel id, window
/// end, window start minus [`LOOKBACK_SECONDS`], window start.
///
/// The look-back bound turns `start` into a closed range of the `programmes_channel_start`
/// index; `stop > ?` is then checked on those rows only. Public so that a test can check
/// the plan.
pub const WINDOW_SQL: &str = "SELECT p.id, p.channel_id, p.provider_id, p.start, p.stop, \
     p.season, p.episode, p.part, p.data, pr.priority \
     FROM programmes p JOIN providers pr ON pr.id = p.provider_id \
     WHERE p.channel_id = ? AND p.start < ? AND p.start >= ? AND p.stop > ? \
       AND pr.enabled = 1 \
     ORDER BY p.start";

/// See [`super::channel_programmes`].
pub(super) fn channel_programmes(
    store: &impl Store,
    channel_id: i64,
    start: i64,
    end: i64,
) -> Result<Vec<GuideProgramme>, store::Error> {
    if end <= start {
        return Ok(Vec::new());
    }
    let rows = store.execute(
        WINDOW_SQL,
        &[
            channel_id.into(),
            end.into(),
            start.saturating_sub(LOOKBACK_SECONDS).into(),
            start.into(),
        ],
    )?;
    let candidates = rows.iter().map(candidate).collect::<Result<_, _>>()?;
    merge(candidates).into_iter().map(programme).collect()
}

/// See [`super::now_next`].
pub(super) fn now_next(store: &impl Store, now: i64) -> Result<Vec<NowNext>, store::Error> {
    let channels = store.execute("SELECT id FROM channels WHERE enabled = 1 ORDER BY id", &[])?;
    // One statement for every channel: the planner walks the enabled channels and
    // probes the (channel_id, start) index once for each, over a bounded range.
    let rows = store.execute(
        &format!(
            "SELECT {COLUMNS} FROM channels c \
             JOIN programmes p ON p.channel_id = c.id \
             JOIN providers pr ON pr.id = p.provider_id \
             WHERE c.enabled = 1 AND pr.enabled = 1 \
               AND p.start >= ? AND p.start < ? AND p.stop > ? \
             ORDER BY p.channel_id, p.start"
        ),
        &[
            now.saturating_sub(LOOKBACK_SECONDS).into(),
            now.saturating_add(NEXT_HORIZON_SECONDS).into(),
            now.into(),
        ],
    )?;
    let mut candidates = rows
        .iter()
        .map(candidate)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .peekable();
    let mut out = Vec::with_capacity(channels.len());
    for channel in channels.iter() {
        let channel_id = channel.i64(0)?;
        let mut own = Vec::new();
        while let Some(c) = candidates.next_if(|c| c.item.channel_id <= channel_id) {
            if c.item.channel_id == channel_id {
                own.push(c);
            }
        }
        out.push(pick_now_next(channel_id, now, merge(own))?);
    }
    Ok(out)
}

/// The programme on air at `now` and the first one starting after `now`.
fn pick_now_next(
    channel_id: i64,
    now: i64,
    merged: Vec<Candidate<RawRow>>,
) -> Result<NowNext, store::Error> {
    let mut on_air = None;
    let mut next = None;
    for c in merged {
        if c.start <= now && now < c.stop {
            on_air = Some(programme(c)?);
        } else if c.start > now {
            next = Some(programme(c)?);
            break;
        }
    }
    Ok(NowNext {
        channel_id,
        now: on_air,
        next,
    })
}

/// Reads one row of [`COLUMNS`].
pub(super) fn candidate(row: Row<'_>) -> Result<Candidate<RawRow>, store::Error> {
    Ok(Candidate {
        id: row.i64(0)?,
        provider_id: row.i64(2)?,
        start: row.i64(3)?,
        stop: row.i64(4)?,
        priority: row.i64(9)?,
        item: RawRow {
            channel_id: row.i64(1)?,
            season: row.opt_i64(5)?,
            episode: row.opt_i64(6)?,
            part: row.opt_i64(7)?,
            data: row.string(8)?,
        },
    })
}

/// Parses a winning row into what the guide serves.
pub(super) fn programme(c: Candidate<RawRow>) -> Result<GuideProgramme, store::Error> {
    let parsed: Programme = serde_json::from_str(&c.item.data).map_err(|e| {
        store::Error::Database(format!("programme {} holds invalid data: {e}", c.id))
    })?;
    let number = |v: Option<i64>| v.and_then(|n| u32::try_from(n).ok());
    Ok(GuideProgramme {
        id: c.id,
        channel_id: c.item.channel_id,
        provider_id: c.provider_id,
        start: c.start,
        stop: c.stop,
        episode: EpisodeInfo {
            season: number(c.item.season),
            episode: number(c.item.episode),
            part: number(c.item.part),
        },
        programme: parsed,
    })
}
