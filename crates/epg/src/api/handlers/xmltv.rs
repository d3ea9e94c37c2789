//! `/xmltv.xml`, `/xmltv.xml.gz`, `/api/v1/xmltv[.gz]`: the merged guide as XMLTV for
//! media servers. The handler only decides what to send; the component streams the
//! document with [`crate::api::write_xmltv`], so memory stays flat with guide size.

use http::{HeaderMap, HeaderValue, Response, StatusCode, header};

use crate::api::encoding::accepts_gzip;
use crate::api::{Body, Context, Handled, Req, XmltvRequest, params};
use crate::export::{self, ExportOptions, Validators};
use crate::store::Store;

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;
/// Longest export a client may ask for, in days; retention keeps less than that anyway.
const MAX_DAYS: u32 = 31;

/// `GET` an export: `channels=1,2`, `days=N` (default: the retention period from now) and
/// `include_empty_channels=true` to list channels without programmes in the window.
/// Gzip when the path ends in `.gz` or the client accepts it; 304 when the client's
/// validators still match the last successful import.
pub fn export<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>, path: &str) -> Handled {
    let channels = match req.query.get("channels").filter(|v| !v.trim().is_empty()) {
        Some(list) => Some(
            list.split(',')
                .map(|id| params::id(id.trim()))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    let default_days = ctx.config.retention_days.clamp(1, MAX_DAYS);
    let days = req.query.int("days", default_days, 1, MAX_DAYS)?;
    let include_empty = req.query.bool("include_empty_channels")?.unwrap_or(false);
    let gz_path = path.ends_with(".gz");
    let gzip = gz_path || accepts_gzip(req.headers);
    // The window starts on the hour: within an hour the document (and so its ETag) stays
    // the same, and the next hour's drops what has ended.
    let start = ctx.now - ctx.now.rem_euclid(HOUR);
    let key = format!("{channels:?};{start};{days};{gzip};{include_empty}");
    let validators = export::validators(ctx.store)?;
    let mut response = match &validators {
        Some(v) if not_modified(req.headers, v, &key) => {
            let mut r = Response::new(Body::Full(Vec::new()));
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            r
        }
        _ => Response::new(Body::Xmltv(XmltvRequest {
            options: ExportOptions {
                channels,
                start,
                end: start.saturating_add(i64::from(days) * DAY),
                include_empty_channels: include_empty,
            },
            gzip,
        })),
    };
    let headers = response.headers_mut();
    if let Some(v) = &validators {
        insert(headers, header::ETAG, &v.etag_for(&key));
        insert(
            headers,
            header::LAST_MODIFIED,
            &export::http_date(v.last_modified),
        );
    }
    insert(headers, header::CACHE_CONTROL, "no-cache");
    insert(headers, header::VARY, "Accept-Encoding");
    if response.status() == StatusCode::OK {
        let headers = response.headers_mut();
        if gz_path {
            insert(headers, header::CONTENT_TYPE, "application/gzip");
        } else {
            insert(
                headers,
                header::CONTENT_TYPE,
                "application/xml; charset=utf-8",
            );
            if gzip {
                insert(headers, header::CONTENT_ENCODING, "gzip");
            }
        }
    }
    Ok(response)
}

fn insert(headers: &mut HeaderMap, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
}

/// RFC 9110 §13.1: `If-None-Match` decides when present; `If-Modified-Since` only without it.
fn not_modified(headers: &HeaderMap, v: &Validators, key: &str) -> bool {
    let etag = v.etag_for(key);
    if let Some(inm) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|h| h.to_str().ok())
    {
        return inm
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag);
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|h| h.to_str().ok())
        .and_then(export::parse_http_date)
        .is_some_and(|since| v.last_modified <= since)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).expect("header"));
        h
    }

    #[test]
    fn if_none_match_wins_over_if_modified_since() {
        let v = Validators {
            etag: "abc".into(),
            last_modified: 1_700_000_000,
        };
        let etag = v.etag_for("k");
        assert!(not_modified(
            &headers(header::IF_NONE_MATCH, &etag),
            &v,
            "k"
        ));
        assert!(not_modified(
            &headers(header::IF_NONE_MATCH, &format!("\"x\", W/{etag}")),
            &v,
            "k"
        ));
        assert!(!not_modified(
            &headers(header::IF_NONE_MATCH, "\"other\""),
            &v,
            "k"
        ));
        let since = export::http_date(1_700_000_000);
        assert!(not_modified(
            &headers(header::IF_MODIFIED_SINCE, &since),
            &v,
            "k"
        ));
        let before = export::http_date(1_699_999_999);
        assert!(!not_modified(
            &headers(header::IF_MODIFIED_SINCE, &before),
            &v,
            "k"
        ));
    }
}
