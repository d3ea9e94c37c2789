//! TEMPORARY stand-in for the API engineer's `handle_full`, so that the Spin components
//! compile on the `spin` branch. The lead deletes this file (and its two lines in
//! `api/mod.rs`) when merging the real `api::handle_full`.

use super::{Area, Context};
use crate::store::Store;

/// Answers one request of `area` (stub: always 501 problem+json).
pub fn handle_full<S: Store>(
    _area: Area,
    _request: http::Request<Vec<u8>>,
    _ctx: &Context<'_, S>,
) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(
        br#"{"type":"about:blank","title":"Not Implemented","status":501}"#.to_vec(),
    );
    *response.status_mut() = http::StatusCode::NOT_IMPLEMENTED;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/problem+json"),
    );
    response
}
