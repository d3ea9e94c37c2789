//! Content negotiation shared by the responses that can be gzipped: the XMLTV export
//! and the web app's files.

use http::{HeaderMap, header};

/// Whether `Accept-Encoding` lists `gzip` (or `*`) with a weight above zero. A weight
/// that does not parse refuses, so a malformed header never gets a body the client
/// may not decode.
pub(crate) fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let weight = parts
                .map(|p| p.replace(' ', ""))
                .find_map(|p| {
                    p.strip_prefix("q=")
                        .or_else(|| p.strip_prefix("Q="))
                        .map(str::to_owned)
                })
                .map_or(Some(1.0), |q| q.parse::<f32>().ok());
            (name.eq_ignore_ascii_case("gzip") || name == "*") && weight.is_some_and(|q| q > 0.0)
        })
}

#[cfg(test)]
mod tests {
    use super::accepts_gzip;
    use http::{HeaderMap, HeaderValue, header};

    #[test]
    fn gzip_is_accepted_unless_weighted_zero() {
        let cases = [
            ("gzip", true),
            ("gzip, deflate, br", true),
            ("deflate, gzip;q=0.5", true),
            ("br;q=1.0, GZIP;q=0.5", true),
            ("gzip; q=0.5", true),
            ("gzip;Q = 0.5", true),
            ("*", true),
            ("br, *", true),
            ("gzip;q=0", false),
            ("gzip;q=0.0, identity", false),
            ("gzip;q=0.000, identity", false),
            ("gzip;q=nope", false),
            ("deflate", false),
            ("identity", false),
        ];
        for (value, expected) in cases {
            let mut map = HeaderMap::new();
            map.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(value).expect("header"),
            );
            assert_eq!(accepts_gzip(&map), expected, "{value}");
        }
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
