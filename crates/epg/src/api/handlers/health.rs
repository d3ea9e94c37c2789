//! `GET /health` and `GET /openapi.json`.

use http::{HeaderValue, Response, header};
use serde_json::{Map, json};

use crate::api::problem::{self, ApiError};
use crate::api::{Body, Context, Handled, OPENAPI_JSON, json};
use crate::catalog;
use crate::config::LogLevel;
use crate::logging as log;
use crate::store::{self, Store};

/// Liveness plus a database round trip: 503 when the store cannot answer.
pub fn health<S: Store>(ctx: &Context<'_, S>) -> Handled {
    let checked = store::schema_version(ctx.store)
        .map_err(catalog::Error::from)
        .and_then(|v| Ok((v, catalog::last_finished_run(ctx.store)?)));
    match checked {
        Ok((schema_version, last_import)) => json::ok(&json!({
            "status": "ok",
            "version": env!("CARGO_PKG_VERSION"),
            "schema_version": schema_version,
            "database": "ok",
            "last_import": last_import,
        })),
        Err(e) => {
            log::log(
                ctx.config,
                LogLevel::Error,
                &[
                    ("route", "/api/v1/health".into()),
                    ("error", e.to_string().into()),
                ],
            );
            let err = ApiError::ServiceUnavailable {
                detail: "the database is unreachable".into(),
            };
            let mut extra = Map::new();
            extra.insert("database".into(), "unreachable".into());
            extra.insert("version".into(), env!("CARGO_PKG_VERSION").into());
            Ok(problem::response_with(&err, extra))
        }
    }
}

/// The hand-written OpenAPI document, as stored.
pub fn openapi() -> Handled {
    let mut response = Response::new(Body::Full(OPENAPI_JSON.as_bytes().to_vec()));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}
