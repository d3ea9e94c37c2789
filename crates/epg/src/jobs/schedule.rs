//! The daily import: when it is due, and queueing it once per local day.

use chrono::{NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::config::Config;
use crate::import::{self, Trigger};
use crate::store::{Store, write_transaction};

/// The `job_state` row that remembers the local date of the last daily import.
const DAILY_JOB: &str = "daily_import";

/// The key of today's daily import (the local date, `YYYY-MM-DD`) if it is due at `now`:
/// the local time in `tz` has reached `import_time` and no run was recorded for today.
///
/// Comparing local wall-clock times makes DST safe: on a spring-forward day an
/// `import_time` inside the skipped hour is reached when the clocks jump, and on a
/// fall-back day the repeated hour cannot queue twice because the date key is set.
pub fn daily_due(
    now: i64,
    import_time: NaiveTime,
    tz: Tz,
    last_run_key: Option<&str>,
) -> Option<String> {
    let local = Utc.timestamp_opt(now, 0).single()?.with_timezone(&tz);
    let key = local.date_naive().format("%Y-%m-%d").to_string();
    let reached = local.time() >= import_time;
    (reached && last_run_key != Some(key.as_str())).then_some(key)
}

/// Queues a scheduled run for every enabled provider with a fetchable URL and without a
/// queued or running run, if the daily import is due; returns how many were queued.
///
/// One write transaction reads and sets the day's key, so that of several processes
/// ticking at once exactly one queues the day's runs. A read decides first whether the
/// day's key is due at all: a tick on any other minute writes nothing, which a libSQL
/// server shared by replicas would otherwise serialise behind its one write lock.
pub fn queue_daily(store: &impl Store, config: &Config, now: i64) -> Result<u32, import::Error> {
    if due_key(store, config, now)?.is_none() {
        return Ok(0);
    }
    write_transaction(store, |store| {
        let Some(key) = due_key(store, config, now)? else {
            return Ok(0);
        };
        store.execute(
            "INSERT INTO job_state (name, last_run_key, last_run_at) VALUES (?, ?, ?) \
             ON CONFLICT (name) DO UPDATE SET last_run_key = excluded.last_run_key, \
             last_run_at = excluded.last_run_at",
            &[DAILY_JOB.into(), key.into(), now.into()],
        )?;
        let providers = store.execute(
            "SELECT id, xmltv_url FROM providers p WHERE enabled = 1 AND NOT EXISTS (\
                SELECT 1 FROM import_log l WHERE l.provider_id = p.id \
                AND l.status IN ('queued', 'running')) ORDER BY id",
            &[],
        )?;
        let mut queued = 0;
        for row in providers.iter() {
            if !super::is_fetchable(row.str(1)?) {
                continue;
            }
            import::queue_run(store, row.i64(0)?, Trigger::Schedule)?;
            queued += 1;
        }
        Ok(queued)
    })
}

/// Today's key if the daily import is due (see [`daily_due`]).
fn due_key(store: &impl Store, config: &Config, now: i64) -> Result<Option<String>, import::Error> {
    let rows = store.execute(
        "SELECT last_run_key FROM job_state WHERE name = ?",
        &[DAILY_JOB.into()],
    )?;
    let last = match rows.first() {
        Some(row) => row.opt_string(0)?,
        None => None,
    };
    Ok(daily_due(
        now,
        config.import_time,
        config.timezone,
        last.as_deref(),
    ))
}

#[cfg(test)]
mod tests {
    use super::daily_due;
    use chrono::{NaiveTime, TimeZone};
    use chrono_tz::Tz;

    fn at(tz: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        tz.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .earliest()
            .expect("local time exists")
            .timestamp()
    }

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("time")
    }

    #[test]
    fn due_once_the_local_time_is_reached_and_once_per_day() {
        let tz = chrono_tz::UTC;
        let before = at(tz, 2025, 6, 1, 2, 59);
        let after = at(tz, 2025, 6, 1, 3, 0);
        assert_eq!(daily_due(before, time(3, 0), tz, None), None);
        assert_eq!(
            daily_due(after, time(3, 0), tz, Some("2025-05-31")),
            Some("2025-06-01".to_owned())
        );
        assert_eq!(daily_due(after, time(3, 0), tz, Some("2025-06-01")), None);
        // A service that was down at import time catches up later the same day.
        let evening = at(tz, 2025, 6, 1, 22, 0);
        assert_eq!(
            daily_due(evening, time(3, 0), tz, None),
            Some("2025-06-01".to_owned())
        );
    }

    #[test]
    fn the_key_is_the_local_date() {
        let tz = chrono_tz::America::New_York;
        // 23:30 in New York on 2 November is already 3 November in UTC.
        let late = at(tz, 2025, 11, 2, 23, 30);
        assert_eq!(
            daily_due(late, time(3, 0), tz, Some("2025-11-01")),
            Some("2025-11-02".to_owned())
        );
        assert_eq!(daily_due(late, time(3, 0), tz, Some("2025-11-02")), None);
    }

    #[test]
    fn berlin_spring_forward_runs_when_the_skipped_time_is_passed() {
        let tz = chrono_tz::Europe::Berlin;
        // 2025-03-30: 02:00 CET jumps to 03:00 CEST at 01:00 UTC; 02:30 never happens.
        let last_cet = 1_743_296_399; // 2025-03-30T00:59:59Z = 01:59:59 CET
        assert_eq!(
            daily_due(last_cet, time(2, 30), tz, Some("2025-03-29")),
            None
        );
        assert_eq!(
            daily_due(last_cet + 1, time(2, 30), tz, Some("2025-03-29")),
            Some("2025-03-30".to_owned())
        );
    }

    #[test]
    fn berlin_fall_back_runs_once_in_the_repeated_hour() {
        let tz = chrono_tz::Europe::Berlin;
        // 2025-10-26: 03:00 CEST falls back to 02:00 CET at 01:00 UTC; 02:30 happens twice.
        let first = 1_761_438_600; // 2025-10-26T00:30:00Z = 02:30 CEST
        let second = first + 3600; // 01:30Z = 02:30 CET
        assert_eq!(
            daily_due(first - 1, time(2, 30), tz, Some("2025-10-25")),
            None
        );
        assert_eq!(
            daily_due(first, time(2, 30), tz, Some("2025-10-25")),
            Some("2025-10-26".to_owned())
        );
        assert_eq!(daily_due(second, time(2, 30), tz, Some("2025-10-26")), None);
    }

    #[test]
    fn new_york_spring_forward_and_fall_back() {
        let tz = chrono_tz::America::New_York;
        // 2025-03-09: 02:00 EST jumps to 03:00 EDT at 07:00 UTC.
        let jump = 1_741_503_600; // 2025-03-09T07:00:00Z
        assert_eq!(
            daily_due(jump - 1, time(3, 0), tz, Some("2025-03-08")),
            None
        );
        assert_eq!(
            daily_due(jump, time(3, 0), tz, Some("2025-03-08")),
            Some("2025-03-09".to_owned())
        );
        // 2025-11-02: 02:00 EDT falls back to 01:00 EST at 06:00 UTC; 03:00 EST is 08:00Z.
        let three_est = 1_762_070_400; // 2025-11-02T08:00:00Z
        assert_eq!(
            daily_due(three_est - 1, time(3, 0), tz, Some("2025-11-01")),
            None
        );
        assert_eq!(
            daily_due(three_est, time(3, 0), tz, Some("2025-11-01")),
            Some("2025-11-02".to_owned())
        );
    }
}
