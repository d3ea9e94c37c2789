//! The web app: plain HTML, CSS and ES modules embedded at build time and served at `/`,
//! on the public API alone. Responses carry a strong ETag (304 on `If-None-Match`), are
//! gzipped when the client accepts it, and carry a Content-Security-Policy that allows no
//! inline script or style, so feed text that slipped into the page as markup could not
//! run.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use http::{HeaderMap, HeaderValue, Response, StatusCode, header};

use crate::api::Body;
use crate::api::encoding::accepts_gzip;

/// One embedded file and the path it is served at.
#[derive(Debug)]
pub struct Asset {
    /// The URL path (`/` is the page itself).
    pub path: &'static str,
    /// The `Content-Type` it is served with.
    pub content_type: &'static str,
    /// The file.
    pub bytes: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $file:literal, $type:expr) => {
        Asset {
            path: $path,
            content_type: $type,
            bytes: include_bytes!(concat!("../web/", $file)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file of the app. The API's route table lists the same paths (a test checks).
pub const ASSETS: &[Asset] = &[
    asset!("/", "index.html", "text/html; charset=utf-8"),
    asset!("/style.css", "style.css", "text/css; charset=utf-8"),
    asset!("/js/app.js", "js/app.js", JS),
    asset!("/js/api.js", "js/api.js", JS),
    asset!("/js/dom.js", "js/dom.js", JS),
    asset!("/js/guide.js", "js/guide.js", JS),
    asset!("/js/details.js", "js/details.js", JS),
    asset!("/js/providers.js", "js/providers.js", JS),
    asset!("/js/channels.js", "js/channels.js", JS),
    asset!("/js/media.js", "js/media.js", JS),
];

/// The policy of every app response: scripts, styles and API calls from this origin
/// only, no inline code, no framing. Channel icons are feed URLs on other hosts, hence
/// `img-src` alone allows http(s).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' https: http: data:; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The asset served at `path`, if any.
pub fn asset(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

/// `GET`/`HEAD` of `asset`: 304 when `If-None-Match` names its current ETag, else the
/// file, gzipped when `Accept-Encoding` allows it.
pub fn respond(asset: &Asset, request_headers: &HeaderMap) -> Response<Body> {
    // Compressing into memory cannot fail; were it to, the plain file is sent.
    let zipped = accepts_gzip(request_headers)
        .then(|| gzipped(asset.bytes))
        .flatten();
    let gzip = zipped.is_some();
    let etag = etag(asset.bytes, gzip);
    let not_modified = request_headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| matches_etag(v, &etag));
    let (status, body) = match (not_modified, zipped) {
        (true, _) => (StatusCode::NOT_MODIFIED, Vec::new()),
        (false, Some(zipped)) => (StatusCode::OK, zipped),
        (false, None) => (StatusCode::OK, asset.bytes.to_vec()),
    };
    let mut response = Response::new(Body::Full(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    let mut set = |name, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(header::ETAG, &etag);
    set(header::CACHE_CONTROL, "no-cache");
    set(header::VARY, "Accept-Encoding");
    set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "no-referrer");
    if status == StatusCode::OK {
        set(header::CONTENT_TYPE, asset.content_type);
        if gzip {
            set(header::CONTENT_ENCODING, "gzip");
        }
    }
    response
}

/// A strong ETag per representation: the gzipped body is another byte sequence, so it
/// gets its own tag (RFC 9110 §8.8.3.3).
fn etag(bytes: &[u8], gzip: bool) -> String {
    // FNV-1a: stable across builds and platforms, unlike std's hasher.
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let suffix = if gzip { "-gzip" } else { "" };
    format!("\"{hash:016x}{suffix}\"")
}

/// `If-None-Match` uses weak comparison (RFC 9110 §13.1.2): `W/` is ignored.
fn matches_etag(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

fn gzipped(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 3), Compression::best());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_lists() {
        let tag = "\"00000000000000ab\"";
        assert!(matches_etag(tag, tag));
        assert!(matches_etag("W/\"00000000000000ab\"", tag));
        assert!(matches_etag("\"x\", \"00000000000000ab\"", tag));
        assert!(matches_etag("*", tag));
        assert!(!matches_etag("\"00000000000000ab-gzip\"", tag));
    }

    #[test]
    fn etags_are_fnv1a_per_representation() {
        assert_eq!(etag(b"", false), "\"cbf29ce484222325\"");
        assert_eq!(etag(b"a", false), "\"af63dc4c8601ec8c\"");
        assert_eq!(etag(b"a", true), "\"af63dc4c8601ec8c-gzip\"");
    }
}
