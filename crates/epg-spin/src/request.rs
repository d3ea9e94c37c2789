//! Spin's incoming request as the `http::Request` the library takes, with the body read
//! as a stream and cut short past the API's limit, so that a client cannot make the
//! component buffer (and trap on) a body of any size before the library sees it.

use futures::StreamExt;
use http::{HeaderMap, HeaderName, HeaderValue};
use spin_sdk::http::IncomingRequest;

use epg::api::MAX_BODY_BYTES;

/// Why a request could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The method or the path is not valid HTTP.
    Invalid(String),
    /// The body stream failed, usually because the client went away.
    Body(String),
}

/// Converts `request`, reading at most `MAX_BODY_BYTES + 1` bytes of its body.
///
/// A longer body is truncated and the rest is never read: the library answers 413 for
/// every route that reads a body (after routing and authorisation, which is why it gets
/// the request at all), and routes that ignore bodies are not affected.
pub fn read(request: IncomingRequest) -> Result<http::Request<Vec<u8>>, ReadError> {
    let method = http::Method::from_bytes(request.method().to_string().as_bytes())
        .map_err(|e| ReadError::Invalid(format!("method: {e}")))?;
    let uri = request.path_with_query().unwrap_or_else(|| "/".to_owned());
    // The headers resource is a child of the request: it is dropped before the request is.
    let headers = merge_headers(request.headers().entries());
    let mut builder = http::Request::builder().method(method).uri(uri);
    if let Some(map) = builder.headers_mut() {
        *map = headers;
    }
    let body = read_body(request, MAX_BODY_BYTES + 1)?;
    builder
        .body(body)
        .map_err(|e| ReadError::Invalid(format!("request: {e}")))
}

/// The body, up to `limit` bytes; the stream is dropped as soon as the limit is reached.
fn read_body(request: IncomingRequest, limit: usize) -> Result<Vec<u8>, ReadError> {
    let mut stream = Box::pin(request.into_body_stream());
    let mut body = Vec::new();
    while body.len() < limit {
        // The component is synchronous; Spin's executor drives each chunk (~16 KB).
        match spin_sdk::http::run(stream.next()) {
            None => break,
            Some(Ok(chunk)) => {
                let take = chunk.len().min(limit - body.len());
                body.extend_from_slice(&chunk[..take]);
            }
            Some(Err(e)) => return Err(ReadError::Body(e.to_debug_string())),
        }
    }
    Ok(body)
}

/// The request's header fields, in order, as a `HeaderMap`.
///
/// Every value of a repeated name is kept, in order, except for names starting with
/// `spin-`: Spin appends its own `spin-client-addr`, `spin-full-url`, `spin-path-info`…
/// after the client's headers, so when such a name appears more than once only the last
/// value, the one Spin set, is kept; a client sending `spin-client-addr` cannot forge it.
/// A field whose name or value is not valid HTTP is skipped (the host has already
/// parsed them, so this does not happen in practice).
pub fn merge_headers(entries: Vec<(String, Vec<u8>)>) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in entries {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(&value),
        ) else {
            continue;
        };
        if name.as_str().starts_with("spin-") {
            map.insert(name, value);
        } else {
            map.append(name, value);
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(fields: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        fields
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
            .collect()
    }

    fn values<'m>(map: &'m HeaderMap, name: &str) -> Vec<&'m str> {
        map.get_all(name)
            .iter()
            .map(|v| v.to_str().expect("ascii"))
            .collect()
    }

    #[test]
    fn repeated_names_keep_every_value_in_order() {
        let map = merge_headers(entries(&[
            ("accept", "text/xml"),
            ("authorization", "Bearer k"),
            ("accept", "application/json"),
        ]));
        assert_eq!(values(&map, "accept"), ["text/xml", "application/json"]);
        assert_eq!(values(&map, "authorization"), ["Bearer k"]);
        assert_eq!(map.len(), 3);
    }

    #[test]
    fn a_repeated_spin_header_keeps_only_the_last_value() {
        let map = merge_headers(entries(&[
            ("spin-client-addr", "6.6.6.6:1"),
            ("x-forwarded-for", "1.1.1.1"),
            ("spin-client-addr", "10.0.0.7:5000"),
            ("spin-full-url", "http://h/api/v1/health"),
        ]));
        assert_eq!(values(&map, "spin-client-addr"), ["10.0.0.7:5000"]);
        assert_eq!(values(&map, "spin-full-url"), ["http://h/api/v1/health"]);
        assert_eq!(values(&map, "x-forwarded-for"), ["1.1.1.1"]);
    }

    #[test]
    fn names_are_case_insensitive_so_a_capitalised_forgery_is_replaced_too() {
        let map = merge_headers(entries(&[
            ("Spin-Client-Addr", "6.6.6.6:1"),
            ("spin-client-addr", "10.0.0.7:5000"),
        ]));
        assert_eq!(values(&map, "spin-client-addr"), ["10.0.0.7:5000"]);
    }

    #[test]
    fn only_the_spin_prefix_is_deduplicated() {
        let map = merge_headers(entries(&[("spinach", "a"), ("spinach", "b")]));
        assert_eq!(values(&map, "spinach"), ["a", "b"]);
    }

    #[test]
    fn invalid_fields_are_skipped_and_others_kept() {
        let map = merge_headers(vec![
            ("bad name".to_owned(), b"v".to_vec()),
            ("x-ok".to_owned(), b"line\nbreak".to_vec()),
            ("x-ok".to_owned(), b"fine".to_vec()),
        ]);
        assert_eq!(values(&map, "x-ok"), ["fine"]);
        assert_eq!(map.len(), 1);
    }
}
