//! Integers in JSON bodies as JSON Schema counts them: `-770.0` is the integer -770, so a
//! body that a schema validator accepts is never refused for how it wrote a whole number.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::Number;

/// 2^53: past it an `f64` no longer holds every whole number, and serde_json reads an
/// integer literal beyond the 64-bit range as an `f64`, so a fraction is only taken below.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// A whole number in the 64-bit range, written with or without a fraction of zero.
pub(crate) fn whole<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = Number::deserialize(d)?;
    checked(&n).map_err(D::Error::custom)
}

/// [`whole`] for an optional field: `null` is `None`.
pub(crate) fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Option::<Number>::deserialize(d)?
        .map(|n| checked(&n).map_err(D::Error::custom))
        .transpose()
}

/// Why a number was refused; serde adds where it stands.
const RANGE: &str = "expected a whole number from -9223372036854775808 to 9223372036854775807";

fn checked(n: &Number) -> Result<i64, &'static str> {
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    match n.as_f64() {
        Some(f) if !n.is_u64() && f.fract() == 0.0 && f.abs() <= EXACT => Ok(f as i64),
        _ => Err(RANGE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Body {
        #[serde(deserialize_with = "whole")]
        n: i64,
    }

    fn parse(json: &str) -> Result<i64, String> {
        serde_json::from_str::<Body>(json)
            .map(|b| b.n)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn whole_numbers_with_or_without_a_fraction() {
        assert_eq!(parse(r#"{"n": -770}"#), Ok(-770));
        assert_eq!(parse(r#"{"n": -770.0}"#), Ok(-770));
        assert_eq!(parse(r#"{"n": 1e3}"#), Ok(1000));
        assert_eq!(parse(r#"{"n": -9223372036854775808}"#), Ok(i64::MIN));
        assert_eq!(
            parse(r#"{"n": 9007199254740992.0}"#),
            Ok(9_007_199_254_740_992)
        );
        for bad in [
            "1.5",
            "9223372036854775808",
            "-9223372036854775809",
            "9007199254740994.0",
            "1e300",
        ] {
            assert_eq!(
                parse(&format!(r#"{{"n": {bad}}}"#)),
                Err(format!("{RANGE} at line 1 column {}", bad.len() + 7)),
                "{bad}"
            );
        }
        assert!(parse(r#"{"n": "1"}"#).is_err());
    }
}
