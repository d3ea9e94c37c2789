//! One log line per request or job, as `key=value` text or JSON, to stderr (where Spin
//! collects component output).

use serde_json::{Map, Value};

use crate::config::{Config, LogFormat, LogLevel};

fn level_name(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Debug => "debug",
        LogLevel::Info => "info",
        LogLevel::Warn => "warn",
        LogLevel::Error => "error",
    }
}

/// Formats one line (without the newline): `level` first, then `fields` in order.
///
/// Text values are written bare when they are plain words and JSON-quoted otherwise, so
/// that a line always splits back into the same fields.
pub fn format_line(format: LogFormat, level: LogLevel, fields: &[(&str, Value)]) -> String {
    match format {
        LogFormat::Json => {
            let mut map = Map::new();
            map.insert("level".into(), level_name(level).into());
            for (k, v) in fields {
                map.insert((*k).to_owned(), v.clone());
            }
            Value::Object(map).to_string()
        }
        LogFormat::Text => {
            let mut line = format!("level={}", level_name(level));
            for (k, v) in fields {
                line.push(' ');
                line.push_str(k);
                line.push('=');
                line.push_str(&text_value(v));
            }
            line
        }
    }
}

fn text_value(v: &Value) -> String {
    match v {
        Value::String(s) if is_bare(s) => s.clone(),
        Value::Null => "null".to_owned(),
        other => other.to_string(),
    }
}

fn is_bare(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '=' && c != '\\')
}

/// Writes a line at `level` if the configured level lets it through.
pub fn log(config: &Config, level: LogLevel, fields: &[(&str, Value)]) {
    if level >= config.log_level {
        eprintln!("{}", format_line(config.log_format, level, fields));
    }
}

/// The fields of a request's line; duration rounded to 0.1 ms.
pub fn request_fields(
    method: &str,
    route: &str,
    status: u16,
    duration_ms: f64,
) -> Vec<(&'static str, Value)> {
    let rounded = (duration_ms * 10.0).round() / 10.0;
    vec![
        ("method", method.into()),
        ("route", route.into()),
        ("status", status.into()),
        ("duration_ms", rounded.into()),
    ]
}

/// Logs a finished request at `info`.
pub fn log_request(config: &Config, method: &str, route: &str, status: u16, duration_ms: f64) {
    log(
        config,
        LogLevel::Info,
        &request_fields(method, route, status, duration_ms),
    );
}

/// Logs a job's outcome at `info`: `job=<name>` followed by `fields`.
pub fn log_job(config: &Config, name: &str, fields: &[(&str, Value)]) {
    log_job_at(config, LogLevel::Info, name, fields);
}

/// Logs a job's outcome at `level`: `job=<name>` followed by `fields`.
pub fn log_job_at(config: &Config, level: LogLevel, name: &str, fields: &[(&str, Value)]) {
    let mut all = vec![("job", Value::from(name))];
    all.extend(fields.iter().cloned());
    log(config, level, &all);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines_in_both_formats() {
        let fields = request_fields("GET", "/api/v1/channels/{id}", 200, 1.234);
        assert_eq!(
            format_line(LogFormat::Text, LogLevel::Info, &fields),
            "level=info method=GET route=/api/v1/channels/{id} status=200 duration_ms=1.2"
        );
        assert_eq!(
            format_line(LogFormat::Json, LogLevel::Info, &fields),
            r#"{"duration_ms":1.2,"level":"info","method":"GET","route":"/api/v1/channels/{id}","status":200}"#
        );
    }

    #[test]
    fn text_quotes_values_with_spaces() {
        let line = format_line(
            LogFormat::Text,
            LogLevel::Error,
            &[
                ("error", "database error: no such table".into()),
                ("n", Value::Null),
            ],
        );
        assert_eq!(
            line,
            r#"level=error error="database error: no such table" n=null"#
        );
    }
}
