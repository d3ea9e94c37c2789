//! Byte counting and the decompressed-size limit, as `Read` wrappers.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// A count shared between a wrapper deep in the stage stack and the reader on top,
/// which reports it (bytes consumed, replacement characters produced).
pub(super) type Counter = Rc<Cell<u64>>;

/// Counts the bytes read through it, as received (before decompression).
pub(super) struct Counting<R> {
    inner: R,
    count: Counter,
}

impl<R: Read> Counting<R> {
    pub(super) fn new(inner: R, count: Counter) -> Self {
        Self { inner, count }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// The error a [`Limit`] returns inside an `io::Error`, recognised by [`limit_exceeded`]
/// so that it surfaces as `Error::TooLarge` however many layers it went through.
#[derive(Debug, thiserror::Error)]
#[error("the feed is larger than {limit} bytes after decompression")]
pub(super) struct LimitExceeded {
    limit: u64,
}

/// The limit carried by `e` if it was raised by a [`Limit`].
pub(super) fn limit_exceeded(e: &io::Error) -> Option<u64> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<LimitExceeded>())
        .map(|l| l.limit)
}

/// Fails once more than `limit` bytes have come through: a gzip bomb stops here rather
/// than being silently cut short.
pub(super) struct Limit<R> {
    inner: R,
    limit: u64,
    seen: u64,
}

impl<R: Read> Limit<R> {
    pub(super) fn new(inner: R, limit: u64) -> Self {
        Self {
            inner,
            limit,
            seen: 0,
        }
    }
}

impl<R: Read> Read for Limit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.seen += n as u64;
        if self.seen > self.limit {
            return Err(io::Error::other(LimitExceeded { limit: self.limit }));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_passes_up_to_the_limit_and_fails_after() {
        let mut ok = Vec::new();
        Limit::new(&[1u8; 10][..], 10)
            .read_to_end(&mut ok)
            .expect("within limit");
        assert_eq!(ok.len(), 10);
        let e = Limit::new(&[1u8; 11][..], 10)
            .read_to_end(&mut Vec::new())
            .expect_err("over limit");
        assert_eq!(limit_exceeded(&e), Some(10));
    }

    #[test]
    fn counting_counts_every_byte() {
        let count = Counter::default();
        let mut r = Counting::new(&b"hello"[..], count.clone());
        r.read_to_end(&mut Vec::new()).expect("read");
        assert_eq!(count.get(), 5);
    }
}
