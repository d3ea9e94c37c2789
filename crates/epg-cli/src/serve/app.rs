//! One request: its body read within the API's limit, the peer address set for the
//! loopback rule, the library's handler run on a blocking thread, and its response
//! (streamed for an XMLTV export) handed to hyper.

use std::convert::Infallible;
use std::io::{self, BufWriter, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use epg::SqliteStore;
use epg::api::{self, ApiError, Area, Body, CLIENT_ADDR_HEADER, Context, XmltvRequest};
use epg::config::{Config, LogLevel};
use http::{HeaderValue, Request, Response};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tokio::sync::oneshot;

use super::body::{CHUNK_BYTES, ResponseBody};
use super::pool::Pool;
use crate::fetch::UreqFetcher;

/// A client must have sent its whole body within this time, so that a trickling upload
/// cannot hold a connection (and the 1 MiB it may buffer) for ever.
const BODY_TIMEOUT: Duration = Duration::from_secs(60);

/// What every request shares.
pub struct App {
    /// The database's connections.
    pub pool: Pool,
    /// The settings.
    pub config: Config,
    /// Outbound HTTP for `POST /jobs/run` and the job thread.
    pub fetcher: UreqFetcher,
}

impl App {
    /// Writes one log line at `level` if the configured level lets it through.
    pub fn log(&self, level: LogLevel, fields: &[(&str, serde_json::Value)]) {
        if level >= self.config.log_level {
            eprintln!(
                "{}",
                api::format_line(self.config.log_format, level, fields)
            );
        }
    }
}

/// Answers `request` from `peer`; never fails (errors are problem responses).
pub async fn serve(
    app: Arc<App>,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let (mut parts, body) = request.into_parts();
    let read = tokio::time::timeout(BODY_TIMEOUT, read_body(body, api::MAX_BODY_BYTES + 1));
    let body = match read.await {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "the body took longer than {} s",
            BODY_TIMEOUT.as_secs()
        )),
    };
    let body = match body {
        Ok(body) => body,
        Err(error) => {
            app.log(
                LogLevel::Warn,
                &[
                    ("event", "request-body-unreadable".into()),
                    ("error", error.into()),
                ],
            );
            let problem = api::error_response(&ApiError::bad_request(
                "the request could not be read; see the server log",
            ));
            return Ok(full(problem));
        }
    };
    // The API trusts this header as the client's address (Spin sets it); a client's
    // own copy would let it pass for loopback.
    parts.headers.remove(CLIENT_ADDR_HEADER);
    if let Ok(value) = HeaderValue::from_str(&peer.to_string()) {
        parts.headers.insert(CLIENT_ADDR_HEADER, value);
    }
    let request = Request::from_parts(parts, body);
    let (reply, response) = oneshot::channel();
    tokio::task::spawn_blocking(move || answer(&app, request, reply));
    Ok(response.await.unwrap_or_else(|_| {
        // The handler thread panicked; the panic message is already on stderr.
        full(api::error_response(&ApiError::Internal {
            cause: "the handler panicked".into(),
        }))
    }))
}

/// The body, cut off after `limit` bytes: the API answers 413 for a longer one, and
/// the rest is never read, so a client cannot make the server buffer any size.
async fn read_body(mut body: Incoming, limit: usize) -> Result<Vec<u8>, hyper::Error> {
    let mut out = Vec::new();
    while out.len() < limit {
        let Some(frame) = body.frame().await else {
            break;
        };
        if let Ok(data) = frame?.into_data() {
            let take = data.len().min(limit - out.len());
            out.extend_from_slice(&data[..take]);
        }
    }
    Ok(out)
}

/// Runs the library's handler (blocking SQLite work) and sends its response; an
/// export is then rendered here, into the response's body channel.
fn answer(app: &App, request: Request<Vec<u8>>, reply: oneshot::Sender<Response<ResponseBody>>) {
    let store = match app.pool.take() {
        Ok(store) => store,
        Err(e) => {
            app.log(
                LogLevel::Error,
                &[
                    ("event", "database-unavailable".into()),
                    ("error", e.to_string().into()),
                ],
            );
            let _ = reply.send(full(api::error_response(&ApiError::ServiceUnavailable {
                detail: "the service is not ready; see the server log".into(),
            })));
            return;
        }
    };
    // Paths outside the route table go to the health area, whose handler answers
    // the 404 problem; dispatching on the table alone keeps serve and spin.toml equal.
    let area = api::area_of(request.uri().path()).unwrap_or(Area::Health);
    let ctx = Context {
        store: &store,
        config: &app.config,
        now: epg::store::now_seconds(),
        fetcher: Some(&app.fetcher),
    };
    let (parts, body) = api::handle(area, request, &ctx).into_parts();
    match body {
        Body::Full(bytes) => {
            let _ = reply.send(Response::from_parts(parts, ResponseBody::full(bytes)));
        }
        Body::Xmltv(export) => {
            let (body, writer) = ResponseBody::channel();
            if reply.send(Response::from_parts(parts, body)).is_ok() {
                stream_export(app, &store, &export, writer);
            }
        }
    }
    app.pool.put(store);
}

/// Renders an export into the body channel. Once the status is out, an error can only
/// cut the body short: it is logged and the response aborted.
fn stream_export(
    app: &App,
    store: &SqliteStore,
    export: &XmltvRequest,
    writer: super::body::ChannelWriter,
) {
    let mut out = BufWriter::with_capacity(CHUNK_BYTES, writer);
    let written = api::write_xmltv(store, export, &mut out)
        .map(drop)
        .map_err(|e| e.to_string())
        .and_then(|()| out.flush().map_err(|e| e.to_string()));
    if let Err(e) = written {
        app.log(
            LogLevel::Error,
            &[("event", "response".into()), ("error", e.clone().into())],
        );
        out.get_ref().abort(io::Error::other(e));
    }
}

fn full(response: Response<Body>) -> Response<ResponseBody> {
    let (parts, body) = response.into_parts();
    let bytes = match body {
        Body::Full(bytes) => bytes,
        Body::Xmltv(_) => Vec::new(),
    };
    Response::from_parts(parts, ResponseBody::full(bytes))
}
