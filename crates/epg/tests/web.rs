//! The web app as hosts serve it: `api::handle_full(Area::Web, ..)`, headers and all.

use std::io::Read;

use crate::common::fresh_db as db;
use epg::Config;
use epg::api::{self, Area, Context};
use epg::store::SqliteStore;
use epg::web;
use http::{Method, Request, Response};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' https: http: data:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn get(
    db: &SqliteStore,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> Response<Vec<u8>> {
    let mut builder = Request::builder().method(method).uri(path);
    for &(name, value) in headers {
        builder = builder.header(name, value);
    }
    let request = builder.body(Vec::new()).expect("request");
    let config = Config::default();
    let ctx = Context {
        store: db,
        config: &config,
        now: 0,
        fetcher: None,
    };
    api::handle_full(Area::Web, request, &ctx)
}

fn header<'r>(response: &'r Response<Vec<u8>>, name: &str) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

#[test]
fn all_assets_together_stay_under_150_kb() {
    let total: usize = web::ASSETS.iter().map(|a| a.bytes.len()).sum();
    assert!(total < 150 * 1024, "{total} bytes");
    assert!(web::ASSETS.iter().all(|a| !a.bytes.is_empty()));
}

#[test]
fn the_page_is_served_with_its_type_and_security_headers() {
    let db = db();
    let reply = get(&db, Method::GET, "/", &[]);
    assert_eq!(reply.status(), 200);
    assert_eq!(
        header(&reply, "content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(header(&reply, "content-security-policy"), Some(CSP));
    assert_eq!(header(&reply, "x-content-type-options"), Some("nosniff"));
    assert_eq!(header(&reply, "x-frame-options"), Some("DENY"));
    assert_eq!(header(&reply, "referrer-policy"), Some("no-referrer"));
    assert_eq!(header(&reply, "cache-control"), Some("no-cache"));
    assert_eq!(header(&reply, "vary"), Some("Accept-Encoding"));
    assert_eq!(header(&reply, "content-encoding"), None);
    assert_eq!(reply.body(), web::asset("/").expect("page").bytes);
    let html = String::from_utf8_lossy(reply.body());
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(
        !html.contains("<style") && !html.contains(" style="),
        "inline style"
    );
    assert!(!html.contains("<script>"), "inline script");
}

#[test]
fn every_asset_has_its_content_type() {
    let db = db();
    let expected = [
        ("/style.css", "text/css; charset=utf-8"),
        ("/js/app.js", "text/javascript; charset=utf-8"),
        ("/js/guide.js", "text/javascript; charset=utf-8"),
    ];
    for (path, content_type) in expected {
        let reply = get(&db, Method::GET, path, &[]);
        assert_eq!(reply.status(), 200, "{path}");
        assert_eq!(header(&reply, "content-type"), Some(content_type), "{path}");
        assert_eq!(
            header(&reply, "content-security-policy"),
            Some(CSP),
            "{path}"
        );
    }
    for asset in web::ASSETS {
        assert_eq!(api::area_of(asset.path), Some(Area::Web), "{}", asset.path);
    }
}

#[test]
fn gzip_is_sent_when_accepted_and_decodes_to_the_file() {
    let db = db();
    let plain = get(&db, Method::GET, "/js/guide.js", &[]);
    let zipped = get(
        &db,
        Method::GET,
        "/js/guide.js",
        &[("accept-encoding", "br, gzip")],
    );
    assert_eq!(zipped.status(), 200);
    assert_eq!(header(&zipped, "content-encoding"), Some("gzip"));
    assert_eq!(
        header(&zipped, "content-type"),
        Some("text/javascript; charset=utf-8")
    );
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(zipped.body().as_slice())
        .read_to_end(&mut decoded)
        .expect("gzip");
    assert_eq!(decoded, plain.body().as_slice());
    assert!(zipped.body().len() < plain.body().len());
    let etag = header(&plain, "etag").expect("etag");
    let gzip_etag = format!("{}-gzip\"", etag.trim_end_matches('"'));
    assert_eq!(header(&zipped, "etag"), Some(gzip_etag.as_str()));
    let refused = get(
        &db,
        Method::GET,
        "/js/guide.js",
        &[("accept-encoding", "gzip;q=0")],
    );
    assert_eq!(header(&refused, "content-encoding"), None);
}

#[test]
fn a_matching_if_none_match_gets_304_without_a_body() {
    let db = db();
    let first = get(&db, Method::GET, "/style.css", &[]);
    let etag = header(&first, "etag").expect("etag").to_owned();
    assert_eq!(etag.len(), 18, "{etag}");
    let again = get(&db, Method::GET, "/style.css", &[("if-none-match", &etag)]);
    assert_eq!(again.status(), 304);
    assert!(again.body().is_empty());
    assert_eq!(header(&again, "etag"), Some(etag.as_str()));
    assert_eq!(header(&again, "content-type"), None);
    let weak = format!("W/{etag}");
    let listed = format!("\"other\", {weak}");
    assert_eq!(
        get(
            &db,
            Method::GET,
            "/style.css",
            &[("if-none-match", &listed)]
        )
        .status(),
        304
    );
    let stale = get(
        &db,
        Method::GET,
        "/style.css",
        &[("if-none-match", "\"0000000000000000\"")],
    );
    assert_eq!(stale.status(), 200);
    assert_eq!(stale.body(), first.body());
    // The gzip representation has its own tag: the plain one does not validate it.
    let zipped = get(
        &db,
        Method::GET,
        "/style.css",
        &[("if-none-match", &etag), ("accept-encoding", "gzip")],
    );
    assert_eq!(zipped.status(), 200);
}

#[test]
fn head_sends_the_headers_without_the_body() {
    let db = db();
    let reply = get(&db, Method::HEAD, "/", &[]);
    assert_eq!(reply.status(), 200);
    assert!(reply.body().is_empty());
    assert_eq!(
        header(&reply, "content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(header(&reply, "content-security-policy"), Some(CSP));
}

#[test]
fn writes_unknown_files_and_unknown_api_paths_are_problems() {
    let db = db();
    let post = get(&db, Method::POST, "/", &[]);
    assert_eq!(post.status(), 405);
    assert_eq!(header(&post, "allow"), Some("GET, HEAD, OPTIONS"));
    for path in ["/nope.js", "/api/v1/nope", "/api/v2/health"] {
        let reply = get(&db, Method::GET, path, &[]);
        assert_eq!(reply.status(), 404, "{path}");
        assert_eq!(
            header(&reply, "content-type"),
            Some("application/problem+json"),
            "{path}"
        );
        assert_eq!(api::area_of(path), None, "{path}");
    }
    assert_eq!(api::area_of("/api/v1/health"), Some(Area::Health));
    assert_eq!(api::area_of("/xmltv.xml.gz"), Some(Area::Xmltv));
    // Another area's path asked of the web area is not served by it.
    assert_eq!(get(&db, Method::GET, "/api/v1/health", &[]).status(), 404);
}

#[test]
fn spin_toml_sends_the_app_and_unknown_paths_to_the_web_component() {
    use crate::common::{spin_component_for, spin_routes};
    let routes = spin_routes();
    for path in ["/", "/style.css", "/js/app.js", "/nope", "/api/v1/nope"] {
        assert_eq!(spin_component_for(&routes, path), Some("web"), "{path}");
    }
    assert_eq!(
        spin_component_for(&routes, "/api/v1/health"),
        Some("health")
    );
    assert_eq!(spin_component_for(&routes, "/xmltv.xml"), Some("xmltv"));
}

/// The app's read-only probe: `DELETE /api/v1/mappings/0` changes nothing and tells
/// whether writes would be accepted (400) or not (401, 403).
#[test]
fn the_write_probe_is_refused_by_authorisation_before_the_id_is_checked() {
    let db = db();
    let probe = |config: &Config, headers: &[(&str, &str)]| {
        let mut builder = Request::builder()
            .method(Method::DELETE)
            .uri("/api/v1/mappings/0");
        for &(name, value) in headers {
            builder = builder.header(name, value);
        }
        let ctx = Context {
            store: &db,
            config,
            now: 0,
            fetcher: None,
        };
        let request = builder.body(Vec::new()).expect("request");
        api::handle_full(Area::Channels, request, &ctx)
            .status()
            .as_u16()
    };
    let open = Config::default();
    let locked = Config {
        admin_token: Some("s3cret".into()),
        ..Config::default()
    };
    let local = ("spin-client-addr", "127.0.0.1:5555");
    assert_eq!(probe(&open, &[local]), 400);
    assert_eq!(probe(&open, &[("spin-client-addr", "192.0.2.7:5555")]), 403);
    assert_eq!(probe(&locked, &[local]), 401);
    assert_eq!(
        probe(&locked, &[local, ("authorization", "Bearer s3cret")]),
        400
    );
}
