//! The scheduled work of the Spin cron components, on a background thread: the
//! importer's tick every minute and cleanup hourly, through the same job functions and
//! leases, so that a `serve` and a `spin up` on one database never import a provider
//! twice.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use epg::SqliteStore;
use epg::config::LogLevel;

use super::app::App;

/// Between importer ticks, as the importer's `0 * * * * *`.
const TICK: Duration = Duration::from_secs(60);
/// Between cleanups, as the cleanup component's `0 0 * * * *`.
const CLEANUP_EVERY: Duration = Duration::from_secs(3600);
/// A tick stops claiming new runs after this long, as the importer component does; the
/// rest waits for the next tick.
const TICK_BUDGET_SECS: u64 = 50;

/// The running job thread.
pub struct Jobs {
    stop: Arc<Stop>,
    thread: JoinHandle<()>,
}

#[derive(Default)]
struct Stop {
    stopped: Mutex<bool>,
    wake: Condvar,
}

impl Stop {
    fn is_set(&self) -> bool {
        *self.stopped.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits `timeout` or until stopped; true when stopped.
    fn wait(&self, timeout: Duration) -> bool {
        let stopped = self.stopped.lock().unwrap_or_else(PoisonError::into_inner);
        let (stopped, _) = self
            .wake
            .wait_timeout_while(stopped, timeout, |stopped| !*stopped)
            .unwrap_or_else(PoisonError::into_inner);
        *stopped
    }
}

impl Jobs {
    /// Starts the thread; its first tick runs at once.
    pub fn spawn(app: Arc<App>) -> std::io::Result<Self> {
        let stop = Arc::new(Stop::default());
        let thread = std::thread::Builder::new().name("epg-jobs".into()).spawn({
            let stop = Arc::clone(&stop);
            move || run(&app, &stop)
        })?;
        Ok(Self { stop, thread })
    }

    /// Stops the thread between runs: a run in hand is finished (so none is left
    /// `running`), queued ones stay queued for the next process. Waits for it.
    pub fn stop(self) {
        *self
            .stop
            .stopped
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = true;
        self.stop.wake.notify_all();
        let _ = self.thread.join();
    }
}

fn run(app: &App, stop: &Stop) {
    let mut last_cleanup: Option<Instant> = None;
    loop {
        tick(app, stop);
        if stop.is_set() {
            return;
        }
        if last_cleanup.is_none_or(|at| at.elapsed() >= CLEANUP_EVERY) {
            cleanup(app);
            last_cleanup = Some(Instant::now());
        }
        if stop.wait(TICK) {
            return;
        }
    }
}

fn tick(app: &App, stop: &Stop) {
    with_store(app, "run_due", |store| {
        // Without it (a second connection that cannot be opened) imports are slower only.
        let _bulk = store.bulk_writes().ok();
        epg::jobs::run_due_until(
            store,
            &app.fetcher,
            &app.config,
            epg::store::now_seconds(),
            TICK_BUDGET_SECS,
            &|| stop.is_set(),
        )
        .map(drop)
    });
}

fn cleanup(app: &App) {
    with_store(app, "cleanup", |store| {
        epg::jobs::run_cleanup(store, &app.config, epg::store::now_seconds()).map(drop)
    });
}

/// Runs `job` on a pooled connection, and logs its failure under `name`.
fn with_store(
    app: &App,
    name: &str,
    job: impl FnOnce(&SqliteStore) -> Result<(), epg::jobs::Error>,
) {
    let result = app
        .pool
        .take()
        .map_err(epg::jobs::Error::from)
        .and_then(|store| {
            let result = job(&store);
            app.pool.put(store);
            result
        });
    if let Err(e) = result {
        app.log(
            LogLevel::Error,
            &[("job", name.into()), ("error", e.to_string().into())],
        );
    }
}
