//! One log line per job, in the configured format, on standard error (Spin's log).

use serde_json::{Value, json};

use crate::config::{Config, LogFormat, LogLevel};
use crate::import::{RunRecord, RunStatus};
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
    line(config, level, "import", &fields);
}

/// Logs a cleanup.
pub(super) fn cleanup(config: &Config, report: &CleanupReport) {
    line(
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

fn line(config: &Config, level: LogLevel, event: &str, fields: &[(&str, Value)]) {
    if level < config.log_level {
        return;
    }
    eprintln!("{}", format(config.log_format, level, event, fields));
}

fn format(format: LogFormat, level: LogLevel, event: &str, fields: &[(&str, Value)]) -> String {
    let level = match level {
        LogLevel::Debug => "debug",
        LogLevel::Info => "info",
        LogLevel::Warn => "warn",
        LogLevel::Error => "error",
    };
    match format {
        LogFormat::Json => {
            // Built by hand to keep the fields in order (serde_json's map sorts keys).
            let mut out = format!("{{\"level\":\"{level}\",\"event\":{}", json!(event));
            for (name, value) in fields {
                out.push_str(&format!(",{}:{value}", json!(name)));
            }
            out.push('}');
            out
        }
        LogFormat::Text => {
            let mut out = format!("level={level} event={event}");
            for (name, value) in fields {
                // Strings are quoted (JSON escaping) so that a message with spaces stays
                // one value; numbers stay bare.
                out.push_str(&format!(" {name}={value}"));
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_json_lines() {
        let fields = [
            ("run", json!(3)),
            ("error", json!("provider answered HTTP 404")),
        ];
        assert_eq!(
            format(LogFormat::Text, LogLevel::Warn, "import", &fields),
            "level=warn event=import run=3 error=\"provider answered HTTP 404\""
        );
        assert_eq!(
            format(LogFormat::Json, LogLevel::Info, "import", &fields),
            r#"{"level":"info","event":"import","run":3,"error":"provider answered HTTP 404"}"#
        );
    }
}
