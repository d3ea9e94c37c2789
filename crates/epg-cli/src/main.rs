//! The `epg` command-line tool: check, import, clean up and export guides natively,
//! over the same library the Spin components use.

mod args;
mod check;
mod cleanup;
mod export;
mod fetch;
mod help;
mod import;
mod input;
mod provider;
mod serve;

use std::process::ExitCode;

use args::{Command, Topic};

/// Usage errors exit with 2, like most Unix tools, so scripts can tell them from failures.
const USAGE: u8 = 2;

fn main() -> ExitCode {
    let words = std::env::args_os()
        .skip(1)
        .map(|w| w.to_string_lossy().into_owned());
    let command = match args::parse(words) {
        Ok(command) => command,
        Err(e) => {
            eprintln!("error: {e}\n\nFor usage, run `{}`.", help_command(e.topic));
            return ExitCode::from(USAGE);
        }
    };
    let result = match command {
        Command::Help(topic) => {
            print!("{}", help_text(topic));
            Ok(ExitCode::SUCCESS)
        }
        Command::Version => {
            println!("epg {}", env!("CARGO_PKG_VERSION"));
            Ok(ExitCode::SUCCESS)
        }
        Command::Check(a) => check::run(&a),
        Command::Import(a) => import::run(&a),
        Command::Cleanup(a) => cleanup::run(&a),
        Command::Export(a) => export::run(&a),
        Command::Serve(a) => serve::run(&a),
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::FAILURE
    })
}

fn help_text(topic: Topic) -> &'static str {
    match topic {
        Topic::Main => help::MAIN,
        Topic::Check => help::CHECK,
        Topic::Import => help::IMPORT,
        Topic::Cleanup => help::CLEANUP,
        Topic::Export => help::EXPORT,
        Topic::Serve => help::SERVE,
    }
}

fn help_command(topic: Topic) -> &'static str {
    match topic {
        Topic::Main => "epg --help",
        Topic::Check => "epg check --help",
        Topic::Import => "epg import --help",
        Topic::Cleanup => "epg cleanup --help",
        Topic::Export => "epg export --help",
        Topic::Serve => "epg serve --help",
    }
}
