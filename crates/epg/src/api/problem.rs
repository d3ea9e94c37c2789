//! Every error response is built here: an [`ApiError`] becomes an RFC 9457
//! `application/problem+json` body with the matching status and headers.

use http::{HeaderValue, Response, StatusCode, header};
use serde_json::{Map, Value, json};

use super::Body;
use crate::{catalog, import, jobs, store};

/// Why a request failed, as the client should hear it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Bad parameters or body.
    #[error("{detail}")]
    BadRequest {
        /// What was wrong, for the client.
        detail: String,
    },
    /// No or a wrong bearer token.
    #[error(
        "this request needs the header 'Authorization: Bearer <admin token>' with the configured admin token"
    )]
    Unauthorized,
    /// A write without a configured token, from a client that is not local.
    #[error(
        "writes without an admin token are only accepted from the local machine, not through a proxy; \
         set the admin token (Spin variable admin_token, e.g. SPIN_VARIABLE_ADMIN_TOKEN=<secret>) \
         and send 'Authorization: Bearer <secret>'"
    )]
    Forbidden,
    /// No such route or row.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// The route exists, the method does not.
    #[error("method not allowed here; allowed: {allow}")]
    MethodNotAllowed {
        /// The `Allow` header's value.
        allow: String,
    },
    /// The write clashes with existing data.
    #[error("{detail}")]
    Conflict {
        /// What clashes.
        detail: String,
    },
    /// The body is over the limit.
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit, bytes.
        limit: usize,
    },
    /// A write body that is not JSON.
    #[error("the request body must be JSON, sent with 'Content-Type: application/json'")]
    UnsupportedMediaType,
    /// A dependency is missing or down.
    #[error("{detail}")]
    ServiceUnavailable {
        /// What is unavailable.
        detail: String,
    },
    /// A fault on our side; `cause` is logged, never sent.
    #[error("an internal error occurred; it has been logged")]
    Internal {
        /// The underlying error, for the log.
        cause: String,
    },
}

impl ApiError {
    /// A 400 with `detail`.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            detail: detail.into(),
        }
    }

    /// A 404 for `what`.
    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError::NotFound { what: what.into() }
    }

    /// The response status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::ServiceUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<store::Error> for ApiError {
    fn from(e: store::Error) -> Self {
        match e {
            // A busy lock or a failing connection is worth a retry, and says nothing
            // about the schema.
            store::Error::Busy
            | store::Error::Interrupted
            | store::Error::Expired
            | store::Error::RolledBack => ApiError::ServiceUnavailable {
                detail: e.to_string(),
            },
            e => ApiError::Internal {
                cause: e.to_string(),
            },
        }
    }
}

impl From<catalog::Error> for ApiError {
    fn from(e: catalog::Error) -> Self {
        match e {
            catalog::Error::Invalid { .. } => ApiError::bad_request(e.to_string()),
            catalog::Error::NotFound { what, id } => ApiError::not_found(format!("{what} {id}")),
            catalog::Error::Conflict { detail } => ApiError::Conflict { detail },
            catalog::Error::Store(e) => e.into(),
        }
    }
}

impl From<import::Error> for ApiError {
    fn from(e: import::Error) -> Self {
        match e {
            import::Error::Store(e) => e.into(),
            import::Error::RunNotFound(id) => ApiError::not_found(format!("import run {id}")),
            import::Error::ProviderNotFound(id) => ApiError::not_found(format!("provider {id}")),
            e @ (import::Error::RunNotActive { .. }
            | import::Error::Superseded { .. }
            | import::Error::NotStaged(_)) => ApiError::Conflict {
                detail: e.to_string(),
            },
            e @ (import::Error::Feed(_)
            | import::Error::UnknownTimezone { .. }
            | import::Error::Paused
            | import::Error::FeedChanged) => ApiError::Internal {
                cause: e.to_string(),
            },
        }
    }
}

impl From<jobs::Error> for ApiError {
    fn from(e: jobs::Error) -> Self {
        match e {
            jobs::Error::Store(e) => e.into(),
            jobs::Error::Import(e) => e.into(),
        }
    }
}

/// The problem document of `err`, with `extensions` as extra members.
pub fn problem_json(err: &ApiError, extensions: Map<String, Value>) -> Value {
    let status = err.status();
    let mut body = json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": err.to_string(),
    });
    if let Some(members) = body.as_object_mut() {
        for (k, v) in extensions {
            members.entry(k).or_insert(v);
        }
    }
    body
}

/// The response for `err`.
pub fn response(err: &ApiError) -> Response<Body> {
    response_with(err, Map::new())
}

/// The response for `err`, with extra members in the problem document.
pub fn response_with(err: &ApiError, extensions: Map<String, Value>) -> Response<Body> {
    let body = problem_json(err, extensions).to_string().into_bytes();
    let mut response = Response::new(Body::Full(body));
    *response.status_mut() = err.status();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    match err {
        ApiError::MethodNotAllowed { allow } => {
            if let Ok(v) = HeaderValue::from_str(allow) {
                headers.insert(header::ALLOW, v);
            }
        }
        ApiError::Unauthorized => {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        _ => {}
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause() {
        let err: ApiError = store::Error::Database("no such table: secret_sql".into()).into();
        let body = problem_json(&err, Map::new());
        assert_eq!(
            body,
            json!({
                "type": "about:blank",
                "title": "Internal Server Error",
                "status": 500,
                "detail": "an internal error occurred; it has been logged",
            })
        );
    }

    #[test]
    fn catalog_errors_map_to_statuses() {
        let cases: [(catalog::Error, u16, &str); 3] = [
            (
                catalog::Error::NotFound {
                    what: "channel",
                    id: 3,
                },
                404,
                "channel 3 not found",
            ),
            (
                catalog::Error::Conflict {
                    detail: "dup".into(),
                },
                409,
                "dup",
            ),
            (
                catalog::Error::Invalid {
                    field: "name",
                    reason: "must not be empty".into(),
                },
                400,
                "name: must not be empty",
            ),
        ];
        for (e, status, detail) in cases {
            let e = ApiError::from(e);
            assert_eq!(e.status().as_u16(), status);
            assert_eq!(e.to_string(), detail);
        }
    }
}
