//! Download progress in the run's row while the feed is still being read, so that a
//! run whose importer dies in the middle (a trap, a kill) shows how far it got, and the
//! next claim can say so (see `jobs`); and the CRC-32 of the bytes read, so that a call
//! continuing a run can tell that it reads the same feed again.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::log::Prefix;
use crate::store::{self, Store, now_seconds};

/// The bytes read so far and their CRC-32, shared with the staging sink, which records
/// them with each batch it commits: the batch's programmes came from those bytes.
pub(crate) type Mark = Rc<Cell<Prefix>>;

/// Why a read failed when the feed is not the one a continued run began with.
#[derive(Debug, thiserror::Error)]
#[error("the feed changed since the run began reading it")]
struct FeedChanged;

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
    crc: crc32fast::Hasher,
    mark: Mark,
    /// The prefix that a continuing call reads again, until its CRC has been compared.
    /// Progress is not recorded meanwhile: the row already shows further.
    expect: Option<Prefix>,
    changed: bool,
}

impl<'s, R: Read, S: Store> Progressing<'s, R, S> {
    /// A reader of run `run_id`'s feed; `expect` is the prefix that the run's staged
    /// programmes were read from, when the run is being continued.
    pub(crate) fn new(
        inner: R,
        store: &'s S,
        run_id: i64,
        interval: Duration,
        expect: Option<Prefix>,
    ) -> Self {
        Self {
            inner,
            store,
            run_id,
            bytes: 0,
            interval,
            last: None,
            crc: crc32fast::Hasher::new(),
            mark: Mark::default(),
            expect,
            changed: false,
        }
    }

    /// The bytes read so far, kept up to date for the sink.
    pub(crate) fn mark(&self) -> Mark {
        Rc::clone(&self.mark)
    }

    /// Whether the expected prefix, if any, has been read and found the same.
    pub(crate) fn checked(&self) -> bool {
        self.expect.is_none()
    }

    /// Whether reading failed because the feed is not the one the run began with.
    pub(crate) fn changed(&self) -> bool {
        self.changed
    }

    /// Compares the CRC once the expected prefix has been read; `eof` ends it early.
    fn check_prefix(&mut self, eof: bool) -> io::Result<()> {
        let Some(expect) = self.expect else {
            return Ok(());
        };
        if self.bytes == expect.bytes {
            if self.crc.clone().finalize() != expect.crc {
                self.changed = true;
                return Err(io::Error::other(FeedChanged));
            }
            self.expect = None;
        } else if eof {
            self.changed = true;
            return Err(io::Error::other(FeedChanged));
        }
        Ok(())
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
        self.check_prefix(false)?;
        // A read stops where the expected prefix ends, so that its CRC is taken there.
        let want = match self.expect {
            Some(expect) => usize::try_from(expect.bytes - self.bytes)
                .unwrap_or(usize::MAX)
                .min(buf.len()),
            None => buf.len(),
        };
        let n = self.inner.read(&mut buf[..want])?;
        self.crc.update(&buf[..n]);
        self.bytes += n as u64;
        self.check_prefix(n == 0 && want > 0)?;
        self.mark.set(Prefix {
            bytes: self.bytes,
            crc: self.crc.clone().finalize(),
        });
        if self.expect.is_none() && self.last.is_none_or(|last| last.elapsed() >= self.interval) {
            self.last = Some(Instant::now());
            // Progress is bookkeeping: a store that cannot take it fails the run at the
            // importer's next write, with that error, rather than as a read error here.
            let _ = self.record();
        }
        Ok(n)
    }
}
