//! Who may write: a bearer token when one is configured, else local clients only.

use std::net::{IpAddr, SocketAddr};

use http::{HeaderMap, Method, header};

use super::problem::ApiError;
use crate::config::Config;

/// Headers a reverse proxy adds; their presence means the loopback peer is only the proxy
/// and the real client may be anywhere.
const PROXY_HEADERS: [&str; 3] = ["forwarded", "x-forwarded-for", "x-real-ip"];

/// The header Spin puts the client's `ip:port` in.
pub const CLIENT_ADDR_HEADER: &str = "spin-client-addr";

/// Whether `method` only reads (and so needs no authorisation).
pub fn is_read(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Allows or refuses a request with `method` and `headers`.
///
/// With a token configured every write must carry it (401 otherwise). Without one,
/// writes are accepted only from a loopback client that no proxy forwarded (403
/// otherwise), so that a fresh install is not writable from the network.
pub fn authorize(config: &Config, method: &Method, headers: &HeaderMap) -> Result<(), ApiError> {
    if is_read(method) {
        return Ok(());
    }
    match config.admin_token.as_deref() {
        Some(token) => {
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(bearer_token);
            match given {
                Some(given) if constant_time_eq(given.as_bytes(), token.as_bytes()) => Ok(()),
                _ => Err(ApiError::Unauthorized),
            }
        }
        None if is_local_unproxied(headers) => Ok(()),
        None => Err(ApiError::Forbidden),
    }
}

fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn is_local_unproxied(headers: &HeaderMap) -> bool {
    if PROXY_HEADERS.iter().any(|h| headers.contains_key(*h)) {
        return false;
    }
    headers
        .get(CLIENT_ADDR_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(client_ip)
        .is_some_and(is_loopback)
}

/// The IP of `ip:port`, `[v6]:port` or a bare address.
pub fn client_ip(addr: &str) -> Option<IpAddr> {
    let addr = addr.trim();
    addr.parse::<SocketAddr>()
        .map(|a| a.ip())
        .or_else(|_| addr.parse::<IpAddr>())
        .ok()
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Compares two byte strings in time that depends only on their lengths, not on where
/// they differ, so that a token cannot be guessed byte by byte from response times.
///
/// A length difference does not return early either: every byte of `given` is compared
/// (against `expected` cycled, or zero when empty) and the length mismatch is folded into
/// the same accumulator.
pub fn constant_time_eq(given: &[u8], expected: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != expected.len());
    for (i, &g) in given.iter().enumerate() {
        let e = if expected.is_empty() {
            0
        } else {
            expected[i % expected.len()]
        };
        diff |= g ^ e;
    }
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_compares_exactly() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"Secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secretsecret"));
        assert!(!constant_time_eq(b"secretsecret", b"secret"));
        assert!(!constant_time_eq(b"", b"secret"));
        assert!(!constant_time_eq(b"secret", b""));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn client_addresses_parse() {
        assert_eq!(
            client_ip("127.0.0.1:5555"),
            Some(IpAddr::from([127, 0, 0, 1]))
        );
        assert_eq!(client_ip("[::1]:80"), "::1".parse().ok());
        assert_eq!(client_ip("10.0.0.2"), Some(IpAddr::from([10, 0, 0, 2])));
        assert_eq!(client_ip("localhost:80"), None);
        assert!(is_loopback("::ffff:127.0.0.1".parse().expect("ip")));
        assert!(!is_loopback("192.168.1.1".parse().expect("ip")));
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer"), None);
    }
}
