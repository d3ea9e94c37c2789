//! Retention: what the guide keeps.

use serde::Serialize;

use crate::store::{self, Store};

/// What a cleanup removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CleanupReport {
    /// Programmes that ended more than the retention period ago.
    pub past_programmes: u64,
    /// Programmes starting more than the retention period ahead.
    pub future_programmes: u64,
    /// Import log rows older than the retention period.
    pub import_logs: u64,
}

/// Deletes programmes that ended more than `days` before `now` or start more than
/// `days` after it, and finished import logs older than `days`.
pub fn cleanup(_store: &impl Store, _now: i64, _days: u32) -> Result<CleanupReport, store::Error> {
    unimplemented!("retention::cleanup")
}
