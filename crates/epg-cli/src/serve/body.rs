//! Response bodies for hyper: bytes, or an XMLTV export streamed from the blocking
//! thread that renders it through a bounded channel, so that at most a few chunks of
//! an export are ever in memory and a slow client slows the renderer instead.

use std::io::{self, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::sync::mpsc;

/// Bytes per chunk sent to the client.
pub const CHUNK_BYTES: usize = 64 * 1024;
/// Chunks in flight between the renderer and the connection.
const CHANNEL_CHUNKS: usize = 4;

/// A response body.
pub enum ResponseBody {
    /// The whole body (`None` once sent).
    Full(Option<Bytes>),
    /// Chunks as they are rendered; an `Err` aborts the response, so that the client
    /// sees a cut-off body instead of a short document that looks complete.
    Stream(mpsc::Receiver<io::Result<Bytes>>),
}

impl ResponseBody {
    /// A complete body.
    pub fn full(bytes: Vec<u8>) -> Self {
        Self::Full(Some(bytes).filter(|b| !b.is_empty()).map(Bytes::from))
    }

    /// A streamed body and the writer that feeds it.
    pub fn channel() -> (Self, ChannelWriter) {
        let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
        (Self::Stream(rx), ChannelWriter { tx })
    }
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            Self::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Self::Stream(rx) => rx
                .poll_recv(cx)
                .map(|chunk| chunk.map(|r| r.map(Frame::data))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Self::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Self::Stream(_) => SizeHint::default(),
        }
    }
}

/// The sending end of a [`ResponseBody::Stream`], for blocking threads only: each
/// write waits while the channel is full. Wrap it in a `BufWriter` of [`CHUNK_BYTES`].
pub struct ChannelWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
}

impl ChannelWriter {
    /// Ends the body with an error, which makes hyper abort the response.
    pub fn abort(&self, error: io::Error) {
        let _ = self.tx.blocking_send(Err(error));
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.tx
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
