//! Reading programme rows: one channel's window, and every channel around an instant.

use std::collections::HashMap;

use super::merge::{Candidate, merge};
use super::{GuideProgramme, LOOKBACK_SECONDS, NowNext};
use crate::model::{EpisodeInfo, Programme};
use crate::store::{self, Row, Store, live, shown};

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
pub const WINDOW_SQL: &str = concat!(
    "SELECT p.id, p.channel_id, p.provider_id, p.start, p.stop, \
     p.season, p.episode, p.part, p.data, pr.priority \
     FROM programmes p JOIN providers pr ON pr.id = p.provider_id \
     WHERE p.channel_id = ? AND p.start < ? AND p.start >= ? AND p.stop > ? \
       AND pr.enabled = 1 AND ",
    live!(p),
    " ORDER BY p.start"
);

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

/// See [`super::programme_by_id`].
pub(super) fn programme_by_id(
    store: &impl Store,
    id: i64,
) -> Result<Option<GuideProgramme>, store::Error> {
    let rows = store.execute(
        concat!(
            "SELECT p.id, p.channel_id, p.provider_id, p.start, p.stop, \
             p.season, p.episode, p.part, p.data, pr.priority \
             FROM programmes p JOIN providers pr ON pr.id = p.provider_id WHERE p.id = ? AND ",
            live!(p)
        ),
        &[id.into()],
    )?;
    rows.first()
        .map(candidate)
        .transpose()?
        .map(programme)
        .transpose()
}

/// The candidates of [`now_next`]: programmes of enabled channels and providers with
/// `start` in `[?, ?)` and `stop > ?`, of every enabled channel, or with a fourth
/// parameter (a JSON array of ids) of those channels only.
///
/// `CROSS JOIN` fixes the join order: without statistics the planner prefers the
/// `programmes_stop` index, which reads every programme ending after now (most of the
/// guide), where walking the channels and probing the (channel_id, start) index once
/// each reads only the bounded range.
const NOW_NEXT_SQL: &str = concat!(
    "SELECT p.id, p.channel_id, p.provider_id, p.start, p.stop, \
       p.season, p.episode, p.part, NULL, pr.priority \
     FROM channels c \
     CROSS JOIN programmes p ON p.channel_id = c.id \
     JOIN providers pr ON pr.id = p.provider_id \
     WHERE c.enabled = 1 AND pr.enabled = 1 \
       AND p.start >= ? AND p.start < ? AND p.stop > ? AND ",
    live!(p)
);

/// The channels [`now_next`] answers for.
const NOW_NEXT_CHANNELS: &str = concat!(
    "SELECT c.id FROM channels c WHERE c.enabled = 1 AND ",
    shown!(c),
    " ORDER BY c.id"
);

/// The first, short horizon of [`now_next`]: next programmes are normally minutes or a
/// few hours away, and reading a day for every channel is most of the cost.
const FIRST_HORIZON_SECONDS: i64 = 6 * 3600;

type Candidates = HashMap<i64, Vec<Candidate<RawRow>>>;
type Picked = (i64, Option<Candidate<RawRow>>, Option<Candidate<RawRow>>);

/// See [`super::now_next`].
///
/// The candidates are read over [`FIRST_HORIZON_SECONDS`] first, then again over the
/// whole [`NEXT_HORIZON_SECONDS`] for the channels where the short read cannot decide
/// (see [`settled_before`]), so the result is exactly that of reading a day for all.
/// Then one statement reads the JSON of the winners only, which is most of the bytes.
pub(super) fn now_next(store: &impl Store, now: i64) -> Result<Vec<NowNext>, store::Error> {
    let channels = store.execute(NOW_NEXT_CHANNELS, &[])?;
    let boundary = now.saturating_add(FIRST_HORIZON_SECONDS);
    let mut first = candidates(store, now, boundary, None)?;
    let mut picked: Vec<Picked> = Vec::with_capacity(channels.len());
    let mut undecided = Vec::new();
    for channel in channels.iter() {
        let channel_id = channel.i64(0)?;
        let found = first.remove(&channel_id).unwrap_or_default();
        let settled = settled_before(&found, boundary);
        let (on_air, next) = pick_now_next(now, merge(found));
        if next.as_ref().is_none_or(|n| n.start >= settled) {
            undecided.push(picked.len());
        }
        picked.push((channel_id, on_air, next));
    }
    if !undecided.is_empty() {
        let ids: Vec<i64> = undecided.iter().map(|&i| picked[i].0).collect();
        let horizon = now.saturating_add(NEXT_HORIZON_SECONDS);
        let mut again = candidates(store, now, horizon, Some(&ids))?;
        for i in undecided {
            let found = again.remove(&picked[i].0).unwrap_or_default();
            let (on_air, next) = pick_now_next(now, merge(found));
            picked[i] = (picked[i].0, on_air, next);
        }
    }
    finish(store, picked)
}

/// Reads [`NOW_NEXT_SQL`]'s candidates starting before `horizon`, by channel.
fn candidates(
    store: &impl Store,
    now: i64,
    horizon: i64,
    channels: Option<&[i64]>,
) -> Result<Candidates, store::Error> {
    let mut params = vec![
        now.saturating_sub(LOOKBACK_SECONDS).into(),
        horizon.into(),
        now.into(),
    ];
    let sql = match channels {
        None => NOW_NEXT_SQL.to_owned(),
        Some(ids) => {
            params.push(json_ids(ids)?.into());
            format!("{NOW_NEXT_SQL} AND c.id IN (SELECT value FROM json_each(?))")
        }
    };
    let rows = store.execute(&sql, &params)?;
    let mut by_channel: Candidates = HashMap::new();
    for row in rows.iter() {
        let c = candidate(row)?;
        by_channel.entry(c.item.channel_id).or_default().push(c);
    }
    Ok(by_channel)
}

/// Where what was read up to `boundary` stops being final: the start of the last run of
/// overlapping candidates when one of them reaches past `boundary`, else `i64::MAX`.
///
/// Candidates starting at or after `boundary` (not read) can overlap only that last run,
/// and a change there (one of them beating a member, which then no longer hides a third)
/// can spread through the run but not across a gap between runs. So the merge of what
/// was read is final before the returned instant, and a next starting before it is the
/// next a longer read would give.
fn settled_before<T>(candidates: &[Candidate<T>], boundary: i64) -> i64 {
    let mut spans: Vec<(i64, i64)> = candidates.iter().map(|c| (c.start, c.stop)).collect();
    spans.sort_unstable();
    let mut run_start = i64::MAX;
    let mut run_stop = i64::MIN;
    for (start, stop) in spans {
        if start >= run_stop {
            run_start = start;
        }
        run_stop = run_stop.max(stop);
    }
    if run_stop > boundary {
        run_start
    } else {
        i64::MAX
    }
}

/// Reads the winners' JSON and builds the answer in channel order.
fn finish(store: &impl Store, picked: Vec<Picked>) -> Result<Vec<NowNext>, store::Error> {
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
    let rows = store.execute(
        "SELECT id, data FROM programmes WHERE id IN (SELECT value FROM json_each(?))",
        &[json_ids(&ids)?.into()],
    )?;
    rows.iter().map(|r| Ok((r.i64(0)?, r.string(1)?))).collect()
}

/// Ids as a JSON array: one statement with one parameter, whatever the count.
pub(super) fn json_ids(ids: &[i64]) -> Result<String, store::Error> {
    serde_json::to_string(ids)
        .map_err(|e| store::Error::Database(format!("cannot encode ids: {e}")))
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

#[cfg(test)]
mod tests {
    use super::{Candidate, NOW_NEXT_SQL, settled_before};
    use crate::store::{self, SqliteStore, Store};

    fn span(start: i64, stop: i64) -> Candidate<()> {
        Candidate {
            priority: 1,
            provider_id: 1,
            id: start,
            start,
            stop,
            item: (),
        }
    }

    #[test]
    fn settled_before_is_the_start_of_the_run_reaching_past_the_boundary() {
        let cases: [(&[(i64, i64)], i64); 6] = [
            (&[], i64::MAX),
            (&[(0, 50), (50, 100)], i64::MAX),
            // Back to back: touching is not overlapping, so only the last one counts.
            (&[(0, 50), (50, 100), (100, 150)], 100),
            // Overlaps chain the runs together, in any input order.
            (&[(90, 130), (0, 50), (40, 95)], 0),
            (&[(0, 50), (60, 120), (70, 80)], 60),
            // A long early programme joins everything after it into one run.
            (&[(0, 500), (50, 60), (100, 110)], 0),
        ];
        for (spans, expected) in cases {
            let candidates: Vec<_> = spans.iter().map(|&(a, b)| span(a, b)).collect();
            assert_eq!(settled_before(&candidates, 100), expected, "{spans:?}");
        }
    }

    #[test]
    fn now_next_probes_the_channel_start_index_per_channel() {
        let db = SqliteStore::open_in_memory().expect("open");
        store::migrate(&db).expect("migrate");
        let plan = db
            .execute(
                &format!("EXPLAIN QUERY PLAN {NOW_NEXT_SQL}"),
                &[0.into(), 1.into(), 0.into()],
            )
            .expect("plan");
        let details: Vec<String> = plan.iter().map(|r| r.string(3).expect("detail")).collect();
        assert_eq!(
            details,
            vec![
                "SCAN c".to_owned(),
                "SEARCH p USING INDEX programmes_channel_start \
                 (channel_id=? AND start>? AND start<?)"
                    .to_owned(),
                "SEARCH pr USING INTEGER PRIMARY KEY (rowid=?)".to_owned(),
            ]
        );
    }
}
