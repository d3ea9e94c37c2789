//! The `epg` command-line tool: check, import, clean up and export guides natively,
//! and serve the whole app without Spin, over the same library the Spin components use.

mod check;
mod cleanup;
mod cli;
mod export;
mod fetch;
mod import;
mod input;
mod progress;
mod provider;
mod serve;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use cli::{Cli, Command};

/// Usage errors exit with 2, like most Unix tools, so scripts can tell them from failures.
const USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are "errors" to clap too; they go to stdout and exit 0.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Check(a) => check::run(&a),
        Command::Import(a) => import::run(&a),
        Command::Cleanup(a) => cleanup::run(&a),
        Command::Export(a) => export::run(&a),
        Command::Serve(a) => serve::run(&a),
        Command::Completions { shell } => completions(shell),
    };
    result.unwrap_or_else(|e| {
        // A reader that stopped early (`epg check FEED | head`) is not a failure: end
        // quietly, as other Unix tools do.
        if is_broken_pipe(&e) {
            return ExitCode::SUCCESS;
        }
        eprintln!("error: {e:#}");
        ExitCode::FAILURE
    })
}

fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    // Rendered first: clap_complete panics on a failed write, and stdout may be closed.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "epg", &mut script);
    io::stdout().lock().write_all(&script)?;
    Ok(ExitCode::SUCCESS)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
