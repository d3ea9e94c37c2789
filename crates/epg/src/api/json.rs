//! JSON in and out: request bodies with size and content-type checks, JSON responses.

use http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Body;
use super::problem::ApiError;

/// Largest request body accepted, bytes (1 MiB): every API body is a small object.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Parses a required JSON body.
pub fn parse<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, ApiError> {
    parse_optional(headers, body)?
        .ok_or_else(|| ApiError::bad_request("a JSON request body is required"))
}

/// Parses a JSON body that may be absent (empty or only whitespace): `None` then.
pub fn parse_optional<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<T>, ApiError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_BODY_BYTES,
        });
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if !is_json(headers) {
        return Err(ApiError::UnsupportedMediaType);
    }
    // serde also fills a struct from an array of its fields; every body is an object.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::bad_request(
            "invalid JSON body: expected a JSON object",
        ));
    }
    serde_json::from_slice(body)
        .map(Some)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
}

/// `application/json`, or any `+json` type, with any parameters.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|mime| mime == "application/json" || mime.ends_with("+json"))
}

/// A JSON response with `status`.
pub fn respond<T: Serialize + ?Sized>(
    status: StatusCode,
    value: &T,
) -> Result<Response<Body>, ApiError> {
    let body = serde_json::to_vec(value).map_err(|e| ApiError::Internal {
        cause: format!("serialising a response: {e}"),
    })?;
    let mut response = Response::new(Body::Full(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

/// A 200 JSON response.
pub fn ok<T: Serialize + ?Sized>(value: &T) -> Result<Response<Body>, ApiError> {
    respond(StatusCode::OK, value)
}

/// A 204 with no body.
pub fn no_content() -> Response<Body> {
    let mut response = Response::new(Body::Full(Vec::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// Adds a `Location` header (an absolute path).
pub fn with_location(mut response: Response<Body>, path: &str) -> Response<Body> {
    if let Ok(v) = HeaderValue::from_str(path) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}
