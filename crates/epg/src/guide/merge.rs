//! The merge rule shared by every guide query (see the [`guide`](super) module doc).

use std::collections::BTreeSet;

/// One programme competing for a place in a channel's merged schedule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Candidate<T> {
    /// The provider's priority: lower wins.
    pub priority: i64,
    /// Breaks priority ties: lower wins.
    pub provider_id: i64,
    /// Row id, so that the order is total even for identical times.
    pub id: i64,
    /// Start, UTC seconds.
    pub start: i64,
    /// Stop, UTC seconds.
    pub stop: i64,
    /// What the caller carries along (a row, a parsed programme).
    pub item: T,
}

/// Merges one channel's candidates into a schedule without overlaps, in start order.
///
/// Candidates are taken best provider first, each provider's in start order, and one is
/// kept only if it overlaps nothing kept before it. The best provider therefore keeps
/// all its programmes (unless it overlaps itself, where the earlier start wins), and a
/// worse provider's programme fills a gap wholly or is dropped.
pub(crate) fn merge<T>(mut candidates: Vec<Candidate<T>>) -> Vec<Candidate<T>> {
    candidates.sort_by_key(|c| (c.priority, c.provider_id, c.start, c.stop, c.id));
    // Kept intervals as (start, stop); being disjoint, they are sorted by stop too, so
    // the last one starting before a candidate's stop is the only one that can overlap it.
    let mut kept: BTreeSet<(i64, i64)> = BTreeSet::new();
    let mut out = Vec::with_capacity(candidates.len());
    for c in candidates {
        let clash = kept
            .range(..(c.stop, i64::MIN))
            .next_back()
            .is_some_and(|&(start, stop)| overlaps(start, stop, c.start, c.stop));
        if !clash {
            kept.insert((c.start, c.stop));
            out.push(c);
        }
    }
    out.sort_by_key(|c| (c.start, c.stop, c.id));
    out
}

/// Whether two half-open intervals share an instant.
fn overlaps(a_start: i64, a_stop: i64, b_start: i64, b_stop: i64) -> bool {
    a_start < b_stop && b_start < a_stop
}

#[cfg(test)]
mod tests {
    use super::{Candidate, merge, overlaps};

    fn c(priority: i64, provider_id: i64, id: i64, start: i64, stop: i64) -> Candidate<()> {
        Candidate {
            priority,
            provider_id,
            id,
            start,
            stop,
            item: (),
        }
    }

    fn ids(merged: &[Candidate<()>]) -> Vec<i64> {
        merged.iter().map(|c| c.id).collect()
    }

    #[test]
    fn best_provider_wins_and_worse_fills_whole_gaps_only() {
        let merged = merge(vec![
            c(20, 2, 10, 0, 100),   // overlaps best's 1
            c(20, 2, 11, 100, 200), // fills the gap exactly
            c(20, 2, 12, 190, 310), // overlaps 11 and 2
            c(10, 1, 1, 0, 100),
            c(10, 1, 2, 200, 300),
        ]);
        assert_eq!(ids(&merged), vec![1, 11, 2]);
    }

    #[test]
    fn priority_tie_goes_to_lower_provider_id() {
        let merged = merge(vec![c(5, 9, 90, 0, 60), c(5, 3, 30, 30, 90)]);
        assert_eq!(ids(&merged), vec![30]);
    }

    #[test]
    fn lower_priority_number_beats_lower_provider_id() {
        let merged = merge(vec![c(5, 9, 90, 0, 60), c(7, 3, 30, 30, 90)]);
        assert_eq!(ids(&merged), vec![90]);
    }

    #[test]
    fn self_overlap_keeps_the_earlier_start() {
        let merged = merge(vec![c(1, 1, 2, 50, 150), c(1, 1, 1, 0, 100)]);
        assert_eq!(ids(&merged), vec![1]);
    }

    #[test]
    fn matches_brute_force_on_pseudo_random_input() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            i64::try_from(seed % m).expect("small")
        };
        for round in 0..200 {
            let mut input = Vec::new();
            for id in 0..30 {
                let start = next(1000);
                let provider = next(4);
                input.push(c(provider % 2, provider, id, start, start + next(120)));
            }
            let mut sorted = input.clone();
            sorted.sort_by_key(|c| (c.priority, c.provider_id, c.start, c.stop, c.id));
            let mut expected: Vec<Candidate<()>> = Vec::new();
            for cand in sorted {
                if !expected
                    .iter()
                    .any(|k| overlaps(k.start, k.stop, cand.start, cand.stop))
                {
                    expected.push(cand);
                }
            }
            expected.sort_by_key(|c| (c.start, c.stop, c.id));
            assert_eq!(ids(&merge(input)), ids(&expected), "round {round}");
        }
    }
}
