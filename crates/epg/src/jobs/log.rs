//! One log line per job, in the configured format, on standard error (Spin's log).

use serde_json::json;

use crate::config::{Config, LogLevel};
use crate::import::{RunRecord, RunStatus};
use crate::logging;
use crate::retention::CleanupReport;

/// Logs the outcome of an import run: `warn` when it failed, `info` otherwise.
pub(super) fn run(config: &Config, record: &RunRecord) {
    let level = if record.status == RunStatus::Failed {
        LogLevel::Warn
    } else {
        LogLevel::Info
    };
    let mut fields = vec![
        ("run", json!(record.id)),
        ("provider", json!(record.provider_id)),
        ("status", json!(record.status)),
        ("bytes", json!(record.bytes_read)),
        ("programmes", json!(record.programmes_seen)),
        ("added", json!(record.added)),
        ("updated", json!(record.updated)),
        ("removed", json!(record.removed)),
        ("rejected", json!(record.rejected)),
    ];
    if let Some(error) = &record.error {
        fields.push(("error", json!(error)));
    }
    logging::log_job_at(config, level, "import", &fields);
}

/// Logs a cleanup.
pub(super) fn cleanup(config: &Config, report: &CleanupReport) {
    logging::log_job_at(
        config,
        LogLevel::Info,
        "cleanup",
        &[
            ("past_programmes", json!(report.past_programmes)),
            ("future_programmes", json!(report.future_programmes)),
            ("import_logs", json!(report.import_logs)),
        ],
    );
}
