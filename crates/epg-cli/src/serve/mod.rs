//! `epg serve`: the whole app in one process, without Spin. Every route of the
//! library's table is served through its handlers (as the Spin components do), and the
//! cron components' work runs on a background thread.

mod app;
mod body;
mod jobs;
mod pool;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use epg::config::{Config, LogLevel};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::cli::ServeArgs;
use crate::fetch::UreqFetcher;
use crate::input::create_store;
use app::App;
use jobs::Jobs;
use pool::Pool;

/// A client must send its request head within this time (slow-loris connections
/// otherwise hold a connection slot forever).
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs `epg serve` until SIGINT or SIGTERM.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    // The flags fall back to the Spin variables' environment names (see `cli::Settings`).
    let config = Config::from_lookup(|name| args.settings.get(name))?;
    let store = create_store(&args.db)?;
    let app = Arc::new(App {
        pool: Pool::new(args.db.clone(), store),
        config,
        fetcher: UreqFetcher::new(),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    let served = runtime.block_on(serve(app, &args.listen));
    // Handlers still running after a forced stop must not hold the process up.
    runtime.shutdown_background();
    served?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(app: Arc<App>, listen: &str) -> anyhow::Result<()> {
    // Before anything announces the server: a signal from then on must stop it cleanly.
    let mut signals = Signals::new().context("cannot listen for signals")?;
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    app.log(
        LogLevel::Info,
        &[
            ("event", "listening".into()),
            ("url", format!("http://{addr}").into()),
        ],
    );
    let jobs = Jobs::spawn(Arc::clone(&app)).context("cannot start the job thread")?;
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let app = Arc::clone(&app);
                    let service = service_fn(move |request| app::serve(Arc::clone(&app), peer, request));
                    let connection = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(HEADER_TIMEOUT)
                        .serve_connection(TokioIo::new(stream), service);
                    let connection = graceful.watch(connection);
                    tokio::spawn(connection);
                }
                // Out of file descriptors and the like: wait instead of spinning.
                Err(e) => {
                    app.log(LogLevel::Warn, &[("event", "accept".into()), ("error", e.to_string().into())]);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            () = signals.next() => break,
        }
    }
    drop(listener);
    app.log(LogLevel::Info, &[("event", "stopping".into())]);
    let jobs = tokio::task::spawn_blocking(move || jobs.stop());
    let finished = async {
        graceful.shutdown().await;
        let _ = jobs.await;
    };
    // A second signal is the operator insisting: stop without waiting for slow clients
    // or the import in hand (whose run is taken over once its lease expires).
    tokio::select! {
        () = finished => {}
        () = signals.next() => anyhow::bail!("stopped before the work in flight was finished"),
    }
    app.log(LogLevel::Info, &[("event", "stopped".into())]);
    Ok(())
}

/// SIGINT and SIGTERM, listened for from the start, so that a second signal sent while
/// the first is being handled is not lost.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// Resolves on the next signal.
    async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}
