//! [`Fetcher`] over Spin's outbound HTTP, with the body streamed into a `Read`.

use std::io::{self, Read};
use std::pin::Pin;

use epg::jobs::{FetchError, FetchRequest, FetchResponse, Fetcher};
use futures::{Stream, StreamExt};
use spin_sdk::http::{ErrorCode, IncomingResponse, SendError};

/// Outbound HTTP through the host; the component's `allowed_outbound_hosts` apply.
pub struct SpinFetcher;

impl Fetcher for SpinFetcher {
    fn get(&self, request: &FetchRequest) -> Result<FetchResponse<'_>, FetchError> {
        let mut builder = http::Request::get(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let outgoing = builder
            .body(Vec::new())
            .map_err(|e| FetchError::Failed(e.to_string()))?;
        // The library is synchronous; Spin's executor drives the request (and, below,
        // each body chunk) to completion. Its `run` may be nested inside the handler's.
        let response: IncomingResponse = spin_sdk::http::run(spin_sdk::http::send(outgoing))
            .map_err(|e| send_error(e, &request.url))?;
        let headers = response
            .headers()
            .entries()
            .into_iter()
            .map(|(name, value)| {
                (
                    name.to_ascii_lowercase(),
                    String::from_utf8_lossy(&value).into_owned(),
                )
            })
            .collect();
        let stream = Box::pin(response.take_body_stream());
        Ok(FetchResponse {
            status: response.status(),
            headers,
            body: Box::new(Body {
                stream,
                chunk: Vec::new(),
                pos: 0,
                _response: response,
            }),
        })
    }
}

type Chunks = Pin<Box<dyn Stream<Item = Result<Vec<u8>, wasi::io::streams::Error>>>>;

/// The response body as a reader that pulls one chunk (~16 KB) at a time as the parser
/// asks, so that a feed of any size passes through in bounded memory.
struct Body {
    stream: Chunks,
    chunk: Vec<u8>,
    pos: usize,
    // Dropping the response cancels the request in wasmtime, so it lives as long as the
    // body is read.
    _response: IncomingResponse,
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.chunk.len() {
            match spin_sdk::http::run(self.stream.next()) {
                None => return Ok(0),
                Some(Ok(chunk)) => {
                    self.chunk = chunk;
                    self.pos = 0;
                }
                Some(Err(e)) => return Err(io::Error::other(e.to_debug_string())),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.pos);
        buf[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn send_error(e: SendError, url: &str) -> FetchError {
    match e {
        SendError::Http(ErrorCode::HttpRequestDenied) => FetchError::Denied(host_of(url)),
        e => FetchError::Failed(e.to_string()),
    }
}

fn host_of(url: &str) -> String {
    url.split_once("://")
        .map_or(url, |(_, rest)| {
            rest.split(['/', '?', '#']).next().unwrap_or(rest)
        })
        .to_owned()
}
