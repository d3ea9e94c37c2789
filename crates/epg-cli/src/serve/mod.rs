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

use crate::args::ServeArgs;
use crate::fetch::UreqFetcher;
use crate::input::create_store;
use app::App;
use jobs::Jobs;
use pool::Pool;

/// A client must send its request head within this time (slow-loris connections
/// otherwise hold a connection slot forever).
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// The settings, from the same names as under Spin (`SPIN_VARIABLE_<NAME>`), so one
/// environment configures both.
pub fn config_from_env() -> anyhow::Result<Config> {
    Ok(Config::from_lookup(|name| {
        std::env::var(format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase())).ok()
    })?)
}

/// Runs `epg serve` until SIGINT or SIGTERM.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let config = config_from_env()?;
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
    runtime.block_on(serve(app, &args.listen))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(app: Arc<App>, listen: &str) -> anyhow::Result<()> {
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
    let mut shutdown = std::pin::pin!(shutdown_signal());
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
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    app.log(LogLevel::Info, &[("event", "stopping".into())]);
    let jobs = tokio::task::spawn_blocking(move || jobs.stop());
    graceful.shutdown().await;
    let _ = jobs.await;
    app.log(LogLevel::Info, &[("event", "stopped".into())]);
    Ok(())
}

/// Resolves on the first SIGINT or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
