//! Path ids and query parameters, validated before anything touches the store.

use chrono::{DateTime, SecondsFormat, Utc};

use super::problem::ApiError;

/// A path id: a positive 64-bit integer.
pub fn id(raw: &str) -> Result<i64, ApiError> {
    match whole(raw).parse::<i64>() {
        Ok(id) if id > 0 && !raw.starts_with('+') => Ok(id),
        _ => Err(ApiError::bad_request(format!(
            "{raw:?} is not a valid id; ids are positive integers"
        ))),
    }
}

/// The integer part of a whole number written with a zero fraction (`5.0` → `5`), else
/// `raw`: JSON Schema counts `5.0` as an integer, and clients write it so.
fn whole(raw: &str) -> &str {
    match raw.split_once('.') {
        Some((int, zeros)) if !zeros.is_empty() && zeros.bytes().all(|b| b == b'0') => int,
        _ => raw,
    }
}

/// A request's decoded query parameters.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Decodes a raw query string (`a=1&b=x%20y`).
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        Query { pairs }
    }

    /// The last value given for `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// An integer in `min..=max`, or `default` when absent.
    pub fn int(&self, name: &str, default: u32, min: u32, max: u32) -> Result<u32, ApiError> {
        let Some(raw) = self.get(name) else {
            return Ok(default);
        };
        match whole(raw).parse::<u32>() {
            Ok(v) if (min..=max).contains(&v) => Ok(v),
            _ => Err(ApiError::bad_request(format!(
                "query parameter {name} must be an integer from {min} to {max}, got {raw:?}"
            ))),
        }
    }

    /// `true`/`false` (also `1`/`0`), or `None` when absent.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some("true" | "1") => Ok(Some(true)),
            Some("false" | "0") => Ok(Some(false)),
            Some(raw) => Err(ApiError::bad_request(format!(
                "query parameter {name} must be true or false, got {raw:?}"
            ))),
        }
    }

    /// An RFC 3339 instant as UTC seconds, or `None` when absent.
    pub fn time(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name).map(|raw| rfc3339(name, raw)).transpose()
    }
}

/// Parses an RFC 3339 date-time (`2024-05-01T20:15:00+02:00`) to UTC seconds.
pub fn rfc3339(name: &str, raw: &str) -> Result<i64, ApiError> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.timestamp())
        .map_err(|e| {
            ApiError::bad_request(format!(
                "query parameter {name} must be an RFC 3339 date-time such as \
                 2024-05-01T20:15:00Z, got {raw:?} ({e})"
            ))
        })
}

/// Formats UTC seconds as RFC 3339 with a `Z` (out-of-range values as the epoch).
pub fn format_time(seconds: i64) -> String {
    DateTime::<Utc>::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_positive_integers() {
        assert_eq!(id("42").expect("id"), 42);
        assert_eq!(id("7.00").expect("zero fraction"), 7);
        for raw in [
            "0",
            "-1",
            "abc",
            "+5",
            "1.5",
            "1.",
            ".0",
            "",
            "99999999999999999999",
        ] {
            assert_eq!(
                id(raw).expect_err(raw).to_string(),
                format!("{raw:?} is not a valid id; ids are positive integers")
            );
        }
    }

    #[test]
    fn times_round_trip() {
        assert_eq!(
            rfc3339("start", "2024-05-01T20:15:00+02:00").expect("t"),
            1_714_587_300
        );
        assert_eq!(format_time(1_714_587_300), "2024-05-01T18:15:00Z");
        let err = rfc3339("start", "yesterday").expect_err("bad");
        assert_eq!(
            err.to_string(),
            "query parameter start must be an RFC 3339 date-time such as 2024-05-01T20:15:00Z, \
             got \"yesterday\" (premature end of input)"
        );
    }

    #[test]
    fn query_values_are_decoded_and_checked() {
        let q = Query::parse(Some("q=das%20erste&limit=600&enabled=yes&limit=5&days=3.0"));
        assert_eq!(q.get("q"), Some("das erste"));
        assert_eq!(q.int("limit", 50, 1, 500).expect("last wins"), 5);
        assert_eq!(q.int("days", 1, 1, 31).expect("zero fraction"), 3);
        assert_eq!(q.int("offset", 0, 0, u32::MAX).expect("default"), 0);
        assert_eq!(
            q.bool("enabled").expect_err("yes").to_string(),
            "query parameter enabled must be true or false, got \"yes\""
        );
    }
}
