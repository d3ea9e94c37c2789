//! Settling duplicates and overlaps among one feed's programmes on a provider channel.
//!
//! Feeds repeat programmes, list a block's summary beside its parts ("clumps", such as
//! a "Morning programmes" entry covering three shows) and overlap neighbours by a few
//! minutes. The guide shows one programme at a time per channel, so the importer settles
//! each provider channel's programmes, taken in start order (document order for equal
//! starts), by these rules, in this order:
//!
//! 1. **Empty**: a programme whose stop is not after its start is dropped (the reader
//!    rejects these already; this keeps the guarantee below whatever arrives).
//! 2. **Summaries**: a programme whose span is exactly covered by a chain of two or more
//!    other programmes, each starting where the previous one stops, is dropped: the parts
//!    carry the detail. This is what `tv_remove_some_overlapping` of the XMLTV project
//!    removes (`t-data/test_remove_some_overlapping.xml`: "Container A/B/C" go).
//! 3. **Same start**: of several programmes starting at the same time, the first in
//!    document order is kept and the others dropped. This collapses exact duplicates
//!    (same start, stop and title) to their first copy, and picks one of two different
//!    programmes claiming the same slot (`t-data/overlap.xml`: G over H, J over K), as
//!    `tv_sort` reports them.
//! 4. **Overlap**: when a kept programme starts before the previous kept one stops, the
//!    previous one is cut to stop at that start; both stay.
//!
//! Guarantee: afterwards the channel's kept programmes never overlap, and each has a stop
//! after its start.
//!
//! The XMLTV tools themselves leave unresolvable overlaps in place
//! (`tv_remove_some_overlapping_overlap_xml.expected` equals its input), which a guide
//! cannot show; rules 3 and 4 are where this importer goes further.

use std::collections::BTreeSet;

use super::Error;
use crate::store::{Store, write_transaction};

/// A staged programme's identity and times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    pub seq: i64,
    pub start: i64,
    pub stop: i64,
}

/// A change to one staged programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fix {
    /// Leave it out of the guide.
    Drop { seq: i64 },
    /// Cut its stop back to the next programme's start.
    Truncate { seq: i64, stop: i64 },
}

/// The fixes that make one channel's programmes follow the module's rules.
pub(crate) fn resolve(mut slots: Vec<Slot>) -> Vec<Fix> {
    slots.sort_by_key(|s| (s.start, s.seq));
    let mut fixes = Vec::new();
    let (mut live, empty): (Vec<Slot>, Vec<Slot>) =
        slots.into_iter().partition(|s| s.stop > s.start);
    fixes.extend(empty.iter().map(|s| Fix::Drop { seq: s.seq }));
    let summaries: Vec<usize> = (0..live.len()).filter(|&i| is_summary(&live, i)).collect();
    fixes.extend(summaries.iter().map(|&i| Fix::Drop { seq: live[i].seq }));
    for &i in summaries.iter().rev() {
        live.remove(i);
    }
    let mut kept: Vec<Slot> = Vec::with_capacity(live.len());
    for slot in live {
        match kept.last_mut() {
            Some(last) if last.start == slot.start => fixes.push(Fix::Drop { seq: slot.seq }),
            Some(last) if slot.start < last.stop => {
                fixes.push(Fix::Truncate {
                    seq: last.seq,
                    stop: slot.start,
                });
                last.stop = slot.start;
                kept.push(slot);
            }
            _ => kept.push(slot),
        }
    }
    fixes
}

/// Whether `slots[i]` (sorted by start) is exactly covered by a chain of two or more
/// others.
fn is_summary(slots: &[Slot], i: usize) -> bool {
    let target = slots[i];
    let overlapped = slots
        .get(i + 1)
        .is_some_and(|next| next.start < target.stop);
    let same_start_before = i > 0 && slots[i - 1].start == target.start;
    if !overlapped && !same_start_before {
        return false;
    }
    // Times reachable from the target's start by following programmes end to end; one
    // programme alone from start to stop is a duplicate, not a chain.
    let mut reached = BTreeSet::from([target.start]);
    let first = slots.partition_point(|s| s.start < target.start);
    for (j, slot) in slots.iter().enumerate().skip(first) {
        if slot.start >= target.stop {
            break;
        }
        let whole = slot.start == target.start && slot.stop == target.stop;
        if j != i && !whole && slot.stop <= target.stop && reached.contains(&slot.start) {
            reached.insert(slot.stop);
        }
    }
    reached.contains(&target.stop)
}

/// Channels resolved per write transaction, so that none holds the lock for long.
const CHANNELS_PER_TRANSACTION: usize = 50;

/// Resolves the given provider channels of a run's staged programmes, marking losers
/// `dropped` and cutting stops, in transactions of [`CHANNELS_PER_TRANSACTION`]
/// channels (staged rows are out of readers' sight, so the steps need not be one).
pub(crate) fn resolve_channels(
    store: &impl Store,
    run_id: i64,
    channels: &[String],
) -> Result<(), Error> {
    for chunk in channels.chunks(CHANNELS_PER_TRANSACTION) {
        resolve_chunk(store, run_id, chunk)?;
    }
    Ok(())
}

fn resolve_chunk(store: &impl Store, run_id: i64, channels: &[String]) -> Result<(), Error> {
    write_transaction(store, |store| {
        for channel in channels {
            let rows = store.execute(
                "SELECT seq, start, stop FROM staging_programmes \
                 WHERE run_id = ? AND provider_channel_id = ? ORDER BY start, seq",
                &[run_id.into(), channel.as_str().into()],
            )?;
            let slots = rows
                .iter()
                .map(|r| {
                    Ok(Slot {
                        seq: r.i64(0)?,
                        start: r.i64(1)?,
                        stop: r.i64(2)?,
                    })
                })
                .collect::<Result<Vec<_>, crate::store::Error>>()?;
            for fix in resolve(slots) {
                write_fix(store, run_id, fix)?;
            }
        }
        Ok(())
    })
}

fn write_fix(store: &impl Store, run_id: i64, fix: Fix) -> Result<(), Error> {
    match fix {
        Fix::Drop { seq } => store.execute(
            "UPDATE staging_programmes SET dropped = 1 WHERE run_id = ? AND seq = ?",
            &[run_id.into(), seq.into()],
        )?,
        // The stored JSON keeps the stop the guide now uses, so that exports agree.
        Fix::Truncate { seq, stop } => store.execute(
            "UPDATE staging_programmes SET stop = ?, data = json_set(data, '$.stop', ?) \
             WHERE run_id = ? AND seq = ?",
            &[stop.into(), stop.into(), run_id.into(), seq.into()],
        )?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Fix, Slot, resolve};

    fn slots(times: &[(i64, i64)]) -> Vec<Slot> {
        times
            .iter()
            .zip(1..)
            .map(|(&(start, stop), seq)| Slot { seq, start, stop })
            .collect()
    }

    /// Applies fixes and returns the kept (seq, start, stop), in start order.
    fn kept(times: &[(i64, i64)]) -> Vec<(i64, i64, i64)> {
        let mut all = slots(times);
        for fix in resolve(all.clone()) {
            match fix {
                Fix::Drop { seq } => all.retain(|s| s.seq != seq),
                Fix::Truncate { seq, stop } => {
                    if let Some(s) = all.iter_mut().find(|s| s.seq == seq) {
                        s.stop = stop;
                    }
                }
            }
        }
        all.sort_by_key(|s| (s.start, s.seq));
        all.iter().map(|s| (s.seq, s.start, s.stop)).collect()
    }

    #[test]
    fn clean_schedule_is_untouched() {
        assert!(resolve(slots(&[(0, 10), (10, 20), (30, 40)])).is_empty());
    }

    #[test]
    fn exact_duplicates_keep_the_first_copy() {
        assert_eq!(
            kept(&[(0, 10), (10, 20), (0, 10)]),
            [(1, 0, 10), (2, 10, 20)]
        );
    }

    #[test]
    fn summaries_of_clumps_are_dropped_wherever_they_appear() {
        // The shape of t-data/test_remove_some_overlapping.xml (minutes after 07:00).
        let times = [
            (0, 45),    // Container A
            (0, 5),     // Contained A 0
            (5, 15),    // Contained A 1
            (15, 45),   // Contained A 2
            (60, 65),   // Contained B 0
            (60, 75),   // Container B
            (65, 75),   // Contained B 1
            (120, 180), // Overlap 0
            (120, 180), // Overlap 1
            (180, 195), // Container C
            (180, 185), // Contained C 0
            (185, 195), // Contained C 1
        ];
        assert_eq!(
            kept(&times),
            [
                (2, 0, 5),
                (3, 5, 15),
                (4, 15, 45),
                (5, 60, 65),
                (7, 65, 75),
                (8, 120, 180),
                (11, 180, 185),
                (12, 185, 195)
            ]
        );
    }

    #[test]
    fn nested_summaries_all_go() {
        assert_eq!(
            kept(&[(0, 20), (0, 10), (10, 20), (0, 5), (5, 10)]),
            [(4, 0, 5), (5, 5, 10), (3, 10, 20)]
        );
    }

    #[test]
    fn overlaps_cut_the_earlier_programme() {
        assert_eq!(
            kept(&[(0, 35), (30, 60), (50, 90)]),
            [(1, 0, 30), (2, 30, 50), (3, 50, 90)]
        );
    }

    #[test]
    fn same_start_keeps_the_first_and_empty_ones_go() {
        assert_eq!(
            kept(&[(0, 5), (0, 60), (30, 30), (60, 60), (60, 70)]),
            [(1, 0, 5), (5, 60, 70)]
        );
    }

    #[test]
    fn a_gap_in_the_chain_is_not_a_summary() {
        assert_eq!(
            kept(&[(0, 30), (0, 10), (20, 30)]),
            [(1, 0, 20), (3, 20, 30)]
        );
    }
}
