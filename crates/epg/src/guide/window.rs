//! Reading programme rows: one channel's window, and every channel around an instant.

use std::collections::HashMap;

use super::merge::{Candidate, merge};
use super::{GuideProgramme, LOOKBACK_SECONDS, NowNext};
use crate::model::{EpisodeInfo, Programme};
use crate::store::{self, Row, Store};

/// How far past `now` [`now_next`] looks for the next programme.
const NEXT_HORIZON_SECONDS: i64 = 24 * 3600;

/// A row kept unparsed until it has won its place: parsing JSON is the main cost.
#[derive(Debug)]
pub(super) struct RawRow {
    channel_id: i64,
    season: Option<i64>,
    episode: Option<i64>,
    part: Option<i64>,
    /// `None` until fetched, for queries that read it only for the winners.
    data: Option<String>,
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
///
/// Three statements whatever the number of channels: the enabled channels; every
/// candidate without its JSON (the planner walks the enabled channels and probes the
/// (channel_id, start) index once for each, over a bounded range); then the JSON of the
/// winners only, which is most of the bytes.
pub(super) fn now_next(store: &impl Store, now: i64) -> Result<Vec<NowNext>, store::Error> {
    let channels = store.execute("SELECT id FROM channels WHERE enabled = 1 ORDER BY id", &[])?;
    let rows = store.execute(
        "SELECT p.id, p.channel_id, p.provider_id, p.start, p.stop, \
           p.season, p.episode, p.part, NULL, pr.priority \
         FROM channels c \
         JOIN programmes p ON p.channel_id = c.id \
         JOIN providers pr ON pr.id = p.provider_id \
         WHERE c.enabled = 1 AND pr.enabled = 1 \
           AND p.start >= ? AND p.start < ? AND p.stop > ?",
        &[
            now.saturating_sub(LOOKBACK_SECONDS).into(),
            now.saturating_add(NEXT_HORIZON_SECONDS).into(),
            now.into(),
        ],
    )?;
    let mut by_channel: HashMap<i64, Vec<Candidate<RawRow>>> = HashMap::new();
    for row in rows.iter() {
        let c = candidate(row)?;
        by_channel.entry(c.item.channel_id).or_default().push(c);
    }
    let mut picked = Vec::with_capacity(channels.len());
    for channel in channels.iter() {
        let channel_id = channel.i64(0)?;
        let merged = merge(by_channel.remove(&channel_id).unwrap_or_default());
        let (on_air, next) = pick_now_next(now, merged);
        picked.push((channel_id, on_air, next));
    }
    let mut data = winners_data(store, picked.iter().flat_map(|(_, a, b)| [a, b]))?;
    let mut finish = |c: Option<Candidate<RawRow>>| -> Result<_, store::Error> {
        // A winner deleted since the candidates were read is left out, not an error.
        c.and_then(|mut c| {
            c.item.data = Some(data.remove(&c.id)?);
            Some(programme(c))
        })
        .transpose()
    };
    picked
        .into_iter()
        .map(|(channel_id, on_air, next)| {
            Ok(NowNext {
                channel_id,
                now: finish(on_air)?,
                next: finish(next)?,
            })
        })
        .collect()
}

/// The programme on air at `now` and the first one starting after `now`.
fn pick_now_next<T>(
    now: i64,
    merged: Vec<Candidate<T>>,
) -> (Option<Candidate<T>>, Option<Candidate<T>>) {
    let mut on_air = None;
    for c in merged {
        if c.start <= now && now < c.stop {
            on_air = Some(c);
        } else if c.start > now {
            return (on_air, Some(c));
        }
    }
    (on_air, None)
}

/// The `data` of the given rows, in one statement.
fn winners_data<'a>(
    store: &impl Store,
    winners: impl Iterator<Item = &'a Option<Candidate<RawRow>>>,
) -> Result<HashMap<i64, String>, store::Error> {
    let ids: Vec<i64> = winners.flatten().map(|c| c.id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    // A JSON array keeps it one statement with one parameter, whatever the count.
    let list = serde_json::to_string(&ids)
        .map_err(|e| store::Error::Database(format!("cannot encode ids: {e}")))?;
    let rows = store.execute(
        "SELECT id, data FROM programmes WHERE id IN (SELECT value FROM json_each(?))",
        &[list.into()],
    )?;
    rows.iter().map(|r| Ok((r.i64(0)?, r.string(1)?))).collect()
}

/// Reads one row with the columns of [`WINDOW_SQL`], in its order.
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
            data: row.opt_string(8)?,
        },
    })
}

/// Parses a winning row into what the guide serves.
pub(super) fn programme(c: Candidate<RawRow>) -> Result<GuideProgramme, store::Error> {
    let data = c.item.data.as_deref().unwrap_or_default();
    let parsed: Programme = serde_json::from_str(data).map_err(|e| {
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
