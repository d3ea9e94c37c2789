//! Responses written to the host as they are produced, for the XMLTV export: the
//! document goes out in small writes through the outgoing body's WASI stream, so the
//! component's memory stays flat however large the guide is.

use std::io::{self, Write};

use epg::api::{self, Body};
use epg::config::{LogFormat, LogLevel};
use epg::store::Store;
use spin_sdk::http::{Headers, OutgoingBody, OutgoingResponse, ResponseOutparam};
use wasi::io::streams::OutputStream;

/// WASI 0.2 caps one `blocking-write-and-flush` at 4096 bytes.
const MAX_WRITE: usize = 4096;

/// Sends `response`; a [`Body::Xmltv`] is rendered straight into the outgoing stream.
/// Once the status has gone out an export error can only cut the body short, so it is
/// logged and the body is left unfinished, which tells the client it is incomplete.
pub fn send(store: &impl Store, response: http::Response<Body>, out: ResponseOutparam) {
    let (parts, body) = response.into_parts();
    let fields: Vec<(String, Vec<u8>)> = parts
        .headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    let Ok(headers) = Headers::from_list(&fields) else {
        eprintln!("level=error event=response error=\"invalid response headers\"");
        return;
    };
    let outgoing = OutgoingResponse::new(headers);
    let _ = outgoing.set_status_code(parts.status.as_u16());
    let Ok(outgoing_body) = outgoing.body() else {
        return;
    };
    let Ok(stream) = outgoing_body.write() else {
        return;
    };
    out.set(outgoing);
    let mut writer = StreamWriter { stream };
    let written = match body {
        Body::Full(bytes) => writer.write_all(&bytes).map_err(|e| e.to_string()),
        Body::Xmltv(request) => api::write_xmltv(store, &request, &mut writer)
            .map(drop)
            .map_err(|e| e.to_string()),
    };
    // The stream must be gone before the body is finished.
    drop(writer);
    match written {
        Ok(()) => {
            let _ = OutgoingBody::finish(outgoing_body, None);
        }
        Err(e) => {
            let fields = [("event", "response".into()), ("error", e.into())];
            let line = api::format_line(LogFormat::Text, LogLevel::Error, &fields);
            eprintln!("{line}");
        }
    }
}

/// `io::Write` over a WASI output stream.
struct StreamWriter {
    stream: OutputStream,
}

impl Write for StreamWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(MAX_WRITE);
        self.stream
            .blocking_write_and_flush(&buf[..n])
            .map_err(|e| io::Error::other(format!("{e:?}")))?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream
            .blocking_flush()
            .map_err(|e| io::Error::other(format!("{e:?}")))
    }
}

/// Sends an error response, built before any store was open.
pub fn send_error(response: http::Response<Body>, out: ResponseOutparam) {
    send(&NoStore, response, out);
}

/// A store for responses that never touch one.
struct NoStore;

impl Store for NoStore {
    fn execute(
        &self,
        _sql: &str,
        _params: &[epg::store::Value],
    ) -> epg::store::Result<epg::store::Rows> {
        Err(epg::store::Error::Database(
            "no database for this response".into(),
        ))
    }
}
