//! The HTTP API under `/api/v1`, on `http::Request`/`http::Response` so that it is tested
//! natively: components only convert Spin's request (reading at most
//! [`MAX_BODY_BYTES`] + 1 bytes of its body) and call [`handle`], whose XMLTV bodies they
//! stream; tests call [`handle_full`].
//!
//! Every request goes through the same steps, in this order: match the path against
//! [`routes`] (404, or 404 when another area's component got it), the method (405 with
//! `Allow`; `OPTIONS` answers the preflight), authorisation of writes (401/403), path ids
//! (400), then the handler, which validates its body and query before it touches the
//! store. Errors become problem documents in [`problem`] only.

mod auth;
mod cors;
pub(crate) mod encoding;
mod handlers;
mod json;
mod params;
mod problem;
mod router;

use std::time::Instant;

use http::{HeaderMap, Method, Response};

pub use crate::logging::{format_line, log_job};
pub use auth::{CLIENT_ADDR_HEADER, constant_time_eq};
pub use json::MAX_BODY_BYTES;
pub use problem::ApiError;

use crate::config::{Config, LogLevel};
use crate::jobs::Fetcher;
use crate::store::Store;
use params::Query;

/// The API areas, one per component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// `/health`, `/openapi.json`.
    Health,
    /// `/channels…`, `/programs…`, `/mappings…`.
    Channels,
    /// `/providers…`.
    Providers,
    /// `/import…`, `/jobs/run`.
    Imports,
    /// `/xmltv.xml[.gz]`, `/api/v1/xmltv…`.
    Xmltv,
    /// The web app at `/` and its files ([`crate::web`]).
    Web,
}

/// What a handler needs from its host.
pub struct Context<'a, S: Store> {
    /// The database.
    pub store: &'a S,
    /// Settings.
    pub config: &'a Config,
    /// Current time, UTC seconds.
    pub now: i64,
    /// Outbound HTTP, where the component has it (`POST /jobs/run`).
    pub fetcher: Option<&'a dyn Fetcher>,
}

/// A response body: bytes, or an XMLTV export the component streams itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// The whole body.
    Full(Vec<u8>),
    /// An export to write with `export`, in chunks.
    Xmltv(XmltvRequest),
}

/// What an XMLTV export should contain, and how it is encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmltvRequest {
    /// Channels and window.
    pub options: crate::export::ExportOptions,
    /// Whether to gzip the document.
    pub gzip: bool,
}

/// The route table: `(method, path template, area)`. `HEAD` is implied by `GET` and
/// `OPTIONS` by every route.
pub fn routes() -> &'static [(&'static str, &'static str, Area)] {
    router::ROUTES
}

/// The area whose component serves `path`, from the route table: what a host that runs
/// every area in one process (`epg serve`) dispatches on. `None` for a path no route has.
pub fn area_of(path: &str) -> Option<Area> {
    router::resolve(path).map(|m| m.area)
}

/// The OpenAPI 3.1 document of every route.
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

/// A parsed request as handlers see it.
struct Req<'r> {
    headers: &'r HeaderMap,
    query: Query,
    body: &'r [u8],
    /// The validated `{id}` segment (0 on routes without one).
    id: i64,
}

type Handled = Result<Response<Body>, ApiError>;

/// Serves `request` for the component of `area`; never fails: errors are problem
/// responses. Logs one line per request.
pub fn handle<S: Store>(
    area: Area,
    request: http::Request<Vec<u8>>,
    ctx: &Context<'_, S>,
) -> Response<Body> {
    let started = Instant::now();
    let (route, result) = dispatch(area, &request, ctx);
    let route = route.unwrap_or("-");
    let mut response = result.unwrap_or_else(|err| {
        if let ApiError::Internal { cause } = &err {
            crate::logging::log(
                ctx.config,
                LogLevel::Error,
                &[
                    ("method", request.method().as_str().into()),
                    ("route", route.into()),
                    ("error", cause.as_str().into()),
                ],
            );
        }
        problem::response(&err)
    });
    cors::apply(ctx.config, &mut response);
    if request.method() == Method::HEAD {
        *response.body_mut() = Body::Full(Vec::new());
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    crate::logging::log_request(
        ctx.config,
        request.method().as_str(),
        route,
        response.status().as_u16(),
        ms,
    );
    response
}

/// [`handle`] with the body complete: an XMLTV export is rendered into memory. For tests
/// and hosts that cannot stream; the XMLTV component streams with [`write_xmltv`].
pub fn handle_full<S: Store>(
    area: Area,
    request: http::Request<Vec<u8>>,
    ctx: &Context<'_, S>,
) -> Response<Vec<u8>> {
    let response = handle(area, request, ctx);
    let (parts, body) = response.into_parts();
    match body {
        Body::Full(bytes) => Response::from_parts(parts, bytes),
        Body::Xmltv(export) => {
            let mut bytes = Vec::new();
            match write_xmltv(ctx.store, &export, &mut bytes) {
                Ok(_) => Response::from_parts(parts, bytes),
                Err(e) => {
                    let err = ApiError::Internal {
                        cause: format!("writing the XMLTV export: {e}"),
                    };
                    let (parts, body) = problem::response(&err).into_parts();
                    let bytes = match body {
                        Body::Full(bytes) => bytes,
                        Body::Xmltv(_) => Vec::new(),
                    };
                    Response::from_parts(parts, bytes)
                }
            }
        }
    }
}

/// The problem+json response for `err`, for hosts that fail before [`handle`] can run
/// (settings or database unavailable, a request that cannot be read).
pub fn error_response(err: &ApiError) -> Response<Body> {
    problem::response(err)
}

/// Writes the export a [`Body::Xmltv`] asks for, gzipped when it says so.
pub fn write_xmltv(
    store: &impl Store,
    request: &XmltvRequest,
    out: impl std::io::Write,
) -> Result<crate::export::ExportStats, crate::export::Error> {
    if request.gzip {
        crate::export::write_gzip(store, &request.options, out)
    } else {
        crate::export::write(store, &request.options, out)
    }
}

fn dispatch<S: Store>(
    area: Area,
    request: &http::Request<Vec<u8>>,
    ctx: &Context<'_, S>,
) -> (Option<&'static str>, Handled) {
    let path = request.uri().path();
    let Some(matched) = router::resolve(path).filter(|m| m.area == area) else {
        return (None, Err(ApiError::not_found(format!("route {path}"))));
    };
    let template = matched.template;
    let method = request.method();
    if method == Method::OPTIONS {
        return (
            Some(template),
            Ok(cors::preflight(ctx.config, &matched.allow())),
        );
    }
    let as_get = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    if !matched.methods.contains(&as_get) {
        let allow = matched.allow();
        return (Some(template), Err(ApiError::MethodNotAllowed { allow }));
    }
    let result = auth::authorize(ctx.config, method, request.headers())
        .and_then(|()| matched.id.map(params::id).transpose())
        .and_then(|id| {
            let req = Req {
                headers: request.headers(),
                query: Query::parse(request.uri().query()),
                body: request.body(),
                id: id.unwrap_or(0),
            };
            route(as_get, template, ctx, &req)
        });
    (Some(template), result)
}

fn route<S: Store>(method: &str, template: &str, ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    use handlers::{channels, health, imports, mappings, programs, providers, xmltv};
    match (method, template) {
        ("GET", "/api/v1/health") => health::health(ctx),
        ("GET", "/api/v1/openapi.json") => health::openapi(),
        ("GET", "/api/v1/channels") => channels::list(ctx, req),
        ("GET", "/api/v1/channels/{id}") => channels::get(ctx, req),
        ("PUT", "/api/v1/channels/{id}") => channels::replace(ctx, req),
        ("PATCH", "/api/v1/channels/{id}") => channels::patch(ctx, req),
        ("GET", "/api/v1/channels/{id}/programs") => programs::channel(ctx, req),
        ("GET", "/api/v1/channels/{id}/mappings") => mappings::list(ctx, req),
        ("POST", "/api/v1/channels/{id}/mappings") => mappings::assign(ctx, req),
        ("GET", "/api/v1/programs/now") => programs::now(ctx, req),
        ("GET", "/api/v1/programs/search") => programs::search(ctx, req),
        ("GET", "/api/v1/programs/{id}") => programs::get(ctx, req),
        ("DELETE", "/api/v1/mappings/{id}") => mappings::delete(ctx, req),
        ("PATCH", "/api/v1/mappings/{id}") => mappings::patch(ctx, req),
        ("GET", "/api/v1/providers") => providers::list(ctx, req),
        ("POST", "/api/v1/providers") => providers::create(ctx, req),
        ("GET", "/api/v1/providers/{id}") => providers::get(ctx, req),
        ("PUT", "/api/v1/providers/{id}") => providers::replace(ctx, req),
        ("DELETE", "/api/v1/providers/{id}") => providers::delete(ctx, req),
        ("POST", "/api/v1/import/trigger") => imports::trigger(ctx, req),
        ("GET", "/api/v1/import/status") => imports::status(ctx),
        ("GET", "/api/v1/import/runs/{id}") => imports::run(ctx, req),
        ("POST", "/api/v1/jobs/run") => imports::jobs(ctx, req),
        ("GET", "/xmltv.xml" | "/xmltv.xml.gz" | "/api/v1/xmltv" | "/api/v1/xmltv.gz") => {
            xmltv::export(ctx, req, template)
        }
        // The web app's files: every other GET template has its own arm above.
        ("GET", _) => match crate::web::asset(template) {
            Some(asset) => Ok(crate::web::respond(asset, req.headers)),
            None => Err(ApiError::not_found(format!("route {template}"))),
        },
        _ => Err(ApiError::not_found(format!("route {template}"))),
    }
}
