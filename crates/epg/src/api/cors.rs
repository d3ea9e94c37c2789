//! CORS, when enabled: any origin may read, and preflights are answered.
//!
//! The API authenticates with a bearer header, never cookies, so `*` exposes nothing a
//! script could not already fetch with the token; credentials are not allowed.
//!
//! With CORS disabled an `OPTIONS` request still gets `204` with `Allow` (plain HTTP
//! semantics), just without `Access-Control-*` headers, so browsers refuse cross-origin
//! calls while tools can still discover the methods.

use http::{HeaderValue, Response, StatusCode, header};

use super::Body;
use crate::config::Config;

/// How long browsers may cache a preflight answer, seconds.
const MAX_AGE_SECS: &str = "86400";

/// Adds `Access-Control-Allow-Origin: *` when enabled, exposing `Location` and the
/// export's validators to scripts.
pub fn apply(config: &Config, response: &mut Response<Body>) {
    if !config.cors_enabled {
        return;
    }
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Location, ETag, Last-Modified"),
    );
}

/// The answer to `OPTIONS` on a route that allows `allow` (comma separated).
pub fn preflight(config: &Config, allow: &str) -> Response<Body> {
    let mut response = Response::new(Body::Full(Vec::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(allow) {
        headers.insert(header::ALLOW, v.clone());
        if config.cors_enabled {
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, v);
        }
    }
    if config.cors_enabled {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(
                "Authorization, Content-Type, If-None-Match, If-Modified-Since",
            ),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE_SECS),
        );
    }
    response
}
