//! Download progress in the run's row while the feed is still being read, so that a
//! run whose importer dies in the middle (a trap, a kill) shows how far it got, and the
//! next claim can say so (see `jobs`).

use std::io::{self, Read};
use std::time::{Duration, Instant};

use crate::store::{self, Store, now_seconds};

/// A feed body that records in the run's row how many bytes have come through: at the
/// first read, then at most every `interval` while the run is running, and once more by
/// [`Progressing::record_total`] after the import has ended.
///
/// The parser's own progress reports come only between programmes; this one also moves
/// while a single element or token is being read.
pub(crate) struct Progressing<'s, R, S> {
    inner: R,
    store: &'s S,
    run_id: i64,
    bytes: u64,
    interval: Duration,
    last: Option<Instant>,
}

impl<'s, R: Read, S: Store> Progressing<'s, R, S> {
    pub(crate) fn new(inner: R, store: &'s S, run_id: i64, interval: Duration) -> Self {
        Self {
            inner,
            store,
            run_id,
            bytes: 0,
            interval,
            last: None,
        }
    }

    fn record(&self) -> Result<(), store::Error> {
        self.store.execute(
            "UPDATE import_log SET bytes_read = ?, progress_at = ? \
             WHERE id = ? AND status = 'running'",
            &[
                self.bytes().into(),
                now_seconds().into(),
                self.run_id.into(),
            ],
        )?;
        Ok(())
    }

    /// Writes every byte read to the row of a run that has ended: a failed import
    /// records no progress of its own.
    pub(crate) fn record_total(&self) -> Result<(), store::Error> {
        self.store.execute(
            "UPDATE import_log SET bytes_read = ? WHERE id = ?",
            &[self.bytes().into(), self.run_id.into()],
        )?;
        Ok(())
    }

    fn bytes(&self) -> i64 {
        i64::try_from(self.bytes).unwrap_or(i64::MAX)
    }
}

impl<R: Read, S: Store> Read for Progressing<'_, R, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        if self.last.is_none_or(|last| last.elapsed() >= self.interval) {
            self.last = Some(Instant::now());
            // Progress is bookkeeping: a store that cannot take it fails the run at the
            // importer's next write, with that error, rather than as a read error here.
            let _ = self.record();
        }
        Ok(n)
    }
}
