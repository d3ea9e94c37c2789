//! Service settings: Spin variables in the components, flags in the CLI.

use chrono::NaiveTime;
use chrono_tz::Tz;

/// Log verbosity, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Everything.
    Debug,
    /// Requests, jobs and above.
    Info,
    /// Problems that were handled.
    Warn,
    /// Failures only.
    Error,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// `key=value` text.
    Text,
    /// One JSON object per line.
    Json,
}

/// Every setting of the service, with the seed's defaults.
#[derive(Debug, Clone)]
pub struct Config {
    /// Days of past and of future programmes kept; also the age at which import logs go.
    pub retention_days: u32,
    /// Local time of the daily import.
    pub import_time: NaiveTime,
    /// Zone of `import_time` (DST-correct).
    pub timezone: Tz,
    /// Log filter.
    pub log_level: LogLevel,
    /// Log format.
    pub log_format: LogFormat,
    /// Whether CORS headers are sent.
    pub cors_enabled: bool,
    /// Bearer token for writes; `None` allows writes from loopback clients only.
    pub admin_token: Option<String>,
    /// Cap on a feed's size, downloaded and decompressed, in bytes.
    pub max_feed_bytes: u64,
    /// Cap on one token of a feed (text run, tag, comment, …), in bytes.
    pub max_token_bytes: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            retention_days: 7,
            import_time: NaiveTime::from_hms_opt(3, 0, 0).unwrap_or_default(),
            timezone: Tz::UTC,
            log_level: LogLevel::Info,
            log_format: LogFormat::Text,
            cors_enabled: false,
            admin_token: None,
            max_feed_bytes: 2 * 1024 * 1024 * 1024,
            max_token_bytes: crate::feed::DEFAULT_MAX_TOKEN_BYTES,
        }
    }
}

/// A setting that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("invalid value {value:?} for setting {name}: {reason}")]
pub struct ConfigError {
    /// The setting's name.
    pub name: &'static str,
    /// The value given.
    pub value: String,
    /// Why it was refused.
    pub reason: &'static str,
}

impl Config {
    /// Builds a configuration from named string values (Spin variables, environment),
    /// starting from the defaults. `get` returns `None` for an unset name; an empty
    /// `admin_token` counts as unset.
    pub fn from_lookup(get: impl Fn(&'static str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut config = Config::default();
        let bad = |name: &'static str, value: &str, reason: &'static str| ConfigError {
            name,
            value: value.to_owned(),
            reason,
        };
        if let Some(v) = get("retention_days") {
            config.retention_days = v
                .trim()
                .parse()
                .map_err(|_| bad("retention_days", &v, "expected a whole number of days"))?;
        }
        if let Some(v) = get("import_time") {
            config.import_time = NaiveTime::parse_from_str(v.trim(), "%H:%M")
                .map_err(|_| bad("import_time", &v, "expected HH:MM"))?;
        }
        if let Some(v) = get("timezone") {
            config.timezone = v.trim().parse().map_err(|_| {
                bad(
                    "timezone",
                    &v,
                    "expected an IANA zone such as Europe/Berlin",
                )
            })?;
        }
        if let Some(v) = get("log_level") {
            config.log_level = match v.trim().to_ascii_lowercase().as_str() {
                "debug" | "trace" => LogLevel::Debug,
                "info" => LogLevel::Info,
                "warn" | "warning" => LogLevel::Warn,
                "error" => LogLevel::Error,
                _ => return Err(bad("log_level", &v, "expected debug, info, warn or error")),
            };
        }
        if let Some(v) = get("log_format") {
            config.log_format = match v.trim().to_ascii_lowercase().as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => return Err(bad("log_format", &v, "expected text or json")),
            };
        }
        if let Some(v) = get("cors_enabled") {
            config.cors_enabled = match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" | "" => false,
                _ => return Err(bad("cors_enabled", &v, "expected true or false")),
            };
        }
        if let Some(v) = get("admin_token") {
            config.admin_token = Some(v).filter(|t| !t.trim().is_empty());
        }
        if let Some(v) = get("max_feed_bytes") {
            config.max_feed_bytes = v
                .trim()
                .parse()
                .map_err(|_| bad("max_feed_bytes", &v, "expected a number of bytes"))?;
        }
        if let Some(v) = get("max_token_bytes") {
            config.max_token_bytes =
                v.trim().parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    bad("max_token_bytes", &v, "expected a positive number of bytes")
                })?;
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_seeds() {
        let c = Config::from_lookup(|_| None).expect("defaults");
        assert_eq!(c.retention_days, 7);
        assert_eq!(
            c.import_time,
            NaiveTime::from_hms_opt(3, 0, 0).expect("time")
        );
        assert_eq!(c.timezone, Tz::UTC);
        assert_eq!(c.log_level, LogLevel::Info);
        assert_eq!(c.log_format, LogFormat::Text);
        assert!(!c.cors_enabled);
        assert_eq!(c.admin_token, None);
        assert_eq!(c.max_token_bytes, 16 * 1024 * 1024);
    }

    #[test]
    fn token_limit_is_a_positive_number_of_bytes() {
        let lookup = |value: &'static str| {
            move |n: &'static str| (n == "max_token_bytes").then(|| value.to_owned())
        };
        let c = Config::from_lookup(lookup(" 1048576 ")).expect("config");
        assert_eq!(c.max_token_bytes, 1_048_576);
        for value in ["0", "lots"] {
            let e = Config::from_lookup(lookup(value)).expect_err("bad");
            assert_eq!(
                e.to_string(),
                format!(
                    "invalid value {value:?} for setting max_token_bytes: expected a positive number of bytes"
                )
            );
        }
    }

    #[test]
    fn values_override_and_bad_values_are_named() {
        let c = Config::from_lookup(|n| match n {
            "timezone" => Some("Europe/Berlin".into()),
            "import_time" => Some("04:30".into()),
            "admin_token" => Some(String::new()),
            _ => None,
        })
        .expect("config");
        assert_eq!(c.timezone, chrono_tz::Europe::Berlin);
        assert_eq!(
            c.import_time,
            NaiveTime::from_hms_opt(4, 30, 0).expect("time")
        );
        assert_eq!(c.admin_token, None);
        let e = Config::from_lookup(|n| (n == "import_time").then(|| "25:00".into()))
            .expect_err("bad time");
        assert_eq!(
            e.to_string(),
            "invalid value \"25:00\" for setting import_time: expected HH:MM"
        );
    }
}
