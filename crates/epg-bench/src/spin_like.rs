//! A Spin-like import: every statement goes through a [`HostCalls`] store that does what
//! a `spin:sqlite` host call costs beyond SQLite itself (the statement and its parameters
//! copied in, every row copied out) and counts the calls, since under Spin the number of
//! statements per programme is what bounds an import.

use std::cell::Cell;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::time::Instant;

use epg::import::{self, ImportOptions, RunRecord, Trigger};
use epg::store::{Result, Rows, Store, Value};

use crate::harness::{insert_bench_provider, open_db};

/// A store that copies each call across a pretend component boundary and counts it.
pub struct HostCalls<S> {
    inner: S,
    calls: Cell<u64>,
    bytes: Cell<u64>,
}

impl<S: Store> HostCalls<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            calls: Cell::new(0),
            bytes: Cell::new(0),
        }
    }
}

impl<S: Store> Store for HostCalls<S> {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows> {
        self.calls.set(self.calls.get() + 1);
        let sql = sql.to_owned();
        let params = params.to_vec();
        let mut copied = sql.len() + params.iter().map(size).sum::<usize>();
        let rows = self.inner.execute(&sql, &params)?;
        let out = rows.clone();
        copied += out.rows.iter().flatten().map(size).sum::<usize>();
        self.bytes.set(self.bytes.get() + copied as u64);
        Ok(out)
    }
}

fn size(value: &Value) -> usize {
    match value {
        Value::Null => 1,
        Value::Integer(_) | Value::Real(_) => 8,
        Value::Text(t) => t.len(),
        Value::Blob(b) => b.len(),
    }
}

/// What a Spin-like import measured.
pub struct SpinLike {
    /// The run's row.
    pub run: RunRecord,
    /// Seconds.
    pub secs: f64,
    /// Statements run.
    pub calls: u64,
    /// Bytes copied across the boundary.
    pub bytes: u64,
}

/// Imports `feed` into a new database at `db` through [`HostCalls`].
pub fn import(db: &Path, feed: &Path) -> anyhow::Result<SpinLike> {
    let store = HostCalls::new(open_db(db)?);
    let provider = insert_bench_provider(&store, feed)?;
    let (calls, bytes) = (store.calls.get(), store.bytes.get());
    let started = Instant::now();
    let run = import::start_run(&store, provider, Trigger::Cli)?;
    let input = BufReader::with_capacity(256 * 1024, File::open(feed)?);
    let run = import::run(&store, run.id, input, &ImportOptions::default())?;
    Ok(SpinLike {
        run,
        secs: started.elapsed().as_secs_f64(),
        calls: store.calls.get() - calls,
        bytes: store.bytes.get() - bytes,
    })
}
