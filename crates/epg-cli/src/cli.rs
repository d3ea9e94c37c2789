//! The command line, declared with clap: every command's options, their help, their
//! environment fallbacks and how their values are checked.

use std::path::PathBuf;

use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand};

/// The whole command line.
#[derive(Debug, Parser)]
#[command(
    name = "epg",
    version,
    about = "epg: check, import, clean up and export XMLTV programme guides",
    after_help = "Exit status: 0 success, 1 failure (broken feed, failed import, database error), 2 usage error.",
    arg_required_else_help = true
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a feed and report what it holds and what it rejects
    #[command(
        after_help = "Reports channels, programmes, time span, rejected records and warnings.\n\
                      Exits 0 when the document is readable, even with rejected records; 1 when it is broken."
    )]
    Check(CheckArgs),
    /// Import feeds into a guide database as one provider
    #[command(
        after_help = "The provider is created when missing; each feed is one run. Exits 1 when any run failed."
    )]
    Import(ImportArgs),
    /// Delete programmes and import logs older or further ahead than N days
    #[command(
        after_help = "Deletes programmes that ended more than N days ago or start more than N days ahead,\n\
                      and finished import logs older than N days."
    )]
    Cleanup(CleanupArgs),
    /// Write the merged guide as XMLTV
    #[command(after_help = "\"From now\" includes the programme on air now.")]
    Export(ExportArgs),
    /// Serve the HTTP API and run the scheduled imports, without Spin
    #[command(
        after_help = "Imports run every minute and cleanup hourly, as under Spin's cron trigger.\n\
                      Settings are read from the environment under Spin's names (SPIN_VARIABLE_<NAME>), so one\n\
                      environment configures both; a flag overrides its variable. Logs go to standard error.\n\
                      Stops on SIGINT or SIGTERM once the requests in flight are answered."
    )]
    Serve(ServeArgs),
    /// Print a shell completion script
    #[command(after_help = "For example: epg completions bash > /etc/bash_completion.d/epg")]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
}

/// `epg check FEED`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A file path, or - for standard input; gzip, xz, zip or plain XML
    #[arg(value_name = "FEED")]
    pub feed: String,
    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
    /// IANA zone of times written without an offset (default UTC)
    #[arg(long, value_name = "ZONE", value_parser = zone)]
    pub timezone: Option<Tz>,
    /// Refuse feeds larger than N bytes after decompression
    #[arg(long, value_name = "N")]
    pub max_bytes: Option<u64>,
}

/// `epg import --db PATH --provider NAME FEED...`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The SQLite database (created and migrated when needed)
    #[arg(long, value_name = "PATH", env = "EPG_DB")]
    pub db: PathBuf,
    /// The provider's name
    #[arg(long, value_name = "NAME", value_parser = provider_name)]
    pub provider: String,
    /// The provider's feed URL (default file://<absolute path of the first FEED>)
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// IANA zone of the provider's times written without an offset
    #[arg(long, value_name = "ZONE", value_parser = zone)]
    pub timezone: Option<Tz>,
    /// The provider's priority; lower wins (default 10)
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub priority: Option<i64>,
    /// Print one JSON object per run, in an array
    #[arg(long)]
    pub json: bool,
    /// File paths, or - for standard input; gzip, xz, zip or plain XML
    #[arg(value_name = "FEED", required = true)]
    pub feeds: Vec<String>,
}

/// `epg cleanup --db PATH --days N`.
#[derive(Debug, Args)]
pub struct CleanupArgs {
    /// The SQLite database
    #[arg(long, value_name = "PATH", env = "EPG_DB")]
    pub db: PathBuf,
    /// The retention period, in days
    #[arg(long, value_name = "N")]
    pub days: u32,
    /// Print the counts as JSON
    #[arg(long)]
    pub json: bool,
}

/// `epg export --db PATH`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The SQLite database
    #[arg(long, value_name = "PATH", env = "EPG_DB")]
    pub db: PathBuf,
    /// Programmes from now to N days ahead (default: everything from now on)
    #[arg(long, value_name = "N")]
    pub days: Option<u32>,
    /// Only these channel ids (default: every enabled channel)
    #[arg(long, value_name = "ID,...", value_delimiter = ',', num_args = 1)]
    pub channels: Option<Vec<i64>>,
    /// Write to FILE; - or no -o writes to standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<String>,
    /// Compress with gzip
    #[arg(long)]
    pub gzip: bool,
}

/// `epg serve --db PATH [--listen ADDR]` and the service's settings.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The SQLite database (created and migrated when needed)
    #[arg(long, value_name = "PATH", env = "EPG_DB")]
    pub db: PathBuf,
    /// Address to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:3000")]
    pub listen: String,
    /// The service's settings, as under Spin.
    #[command(flatten)]
    pub settings: Settings,
}

/// The service's settings: each flag falls back to its Spin variable, and what is set
/// neither way keeps the library's default. Values are checked by `epg::Config`, so
/// both hosts accept exactly the same ones.
#[derive(Debug, Args)]
#[command(next_help_heading = "Settings")]
pub struct Settings {
    /// Bearer token for writes; without one, writes are accepted from loopback only
    #[arg(
        long,
        value_name = "TOKEN",
        env = "SPIN_VARIABLE_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,
    /// IANA zone of the daily import time [default: UTC]
    #[arg(long, value_name = "ZONE", env = "SPIN_VARIABLE_TIMEZONE")]
    pub timezone: Option<String>,
    /// Local time (HH:MM) of the daily import [default: 03:00]
    #[arg(long, value_name = "HH:MM", env = "SPIN_VARIABLE_IMPORT_TIME")]
    pub import_time: Option<String>,
    /// Days of past and future programmes kept [default: 7]
    #[arg(long, value_name = "N", env = "SPIN_VARIABLE_RETENTION_DAYS")]
    pub retention_days: Option<String>,
    /// debug, info, warn or error [default: info]
    #[arg(long, value_name = "LEVEL", env = "SPIN_VARIABLE_LOG_LEVEL")]
    pub log_level: Option<String>,
    /// text or json [default: text]
    #[arg(long, value_name = "FORMAT", env = "SPIN_VARIABLE_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Whether CORS headers are sent: true or false [default: false]
    #[arg(long, value_name = "BOOL", env = "SPIN_VARIABLE_CORS_ENABLED")]
    pub cors_enabled: Option<String>,
    /// Cap on a feed's size, downloaded and decompressed, in bytes [default: 2147483648]
    #[arg(long, value_name = "BYTES", env = "SPIN_VARIABLE_MAX_FEED_BYTES")]
    pub max_feed_bytes: Option<String>,
    /// Cap on one XML token of a feed (a text, comment, tag, …), in bytes [default: 16777216]
    #[arg(long, value_name = "BYTES", env = "SPIN_VARIABLE_MAX_TOKEN_BYTES")]
    pub max_token_bytes: Option<String>,
}

impl Settings {
    /// The value of the setting `name` (a Spin variable's name), if given.
    pub fn get(&self, name: &str) -> Option<String> {
        let value = match name {
            "admin_token" => &self.admin_token,
            "timezone" => &self.timezone,
            "import_time" => &self.import_time,
            "retention_days" => &self.retention_days,
            "log_level" => &self.log_level,
            "log_format" => &self.log_format,
            "cors_enabled" => &self.cors_enabled,
            "max_feed_bytes" => &self.max_feed_bytes,
            "max_token_bytes" => &self.max_token_bytes,
            _ => &None,
        };
        value.clone()
    }
}

fn zone(value: &str) -> Result<Tz, String> {
    value
        .parse()
        .map_err(|_| "expected an IANA time zone such as Europe/Paris".to_owned())
}

fn provider_name(value: &str) -> Result<String, String> {
    if value.trim().is_empty() {
        return Err("the provider name must not be empty".to_owned());
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    use super::*;

    fn parse(line: &str) -> Result<Command, clap::Error> {
        let words = std::iter::once("epg").chain(line.split_whitespace());
        Cli::try_parse_from(words).map(|cli| cli.command)
    }

    #[test]
    fn the_declaration_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn values_are_converted() {
        let Ok(Command::Check(check)) =
            parse("check - --json --timezone Europe/Paris --max-bytes=1000")
        else {
            panic!("check");
        };
        assert_eq!(check.feed, "-");
        assert!(check.json);
        assert_eq!(check.timezone, Some(chrono_tz::Europe::Paris));
        assert_eq!(check.max_bytes, Some(1000));

        let Ok(Command::Check(odd)) = parse("check -- --odd-name.xml") else {
            panic!("check --");
        };
        assert_eq!(odd.feed, "--odd-name.xml");

        let Ok(Command::Import(import)) =
            parse("import --db g.db --provider tv a.xml b.xml.gz --priority -2")
        else {
            panic!("import");
        };
        assert_eq!(import.feeds, ["a.xml", "b.xml.gz"]);
        assert_eq!(import.priority, Some(-2));

        let Ok(Command::Export(export)) = parse("export --db g.db --channels 1,2,30 -o out.xml")
        else {
            panic!("export");
        };
        assert_eq!(export.channels, Some(vec![1, 2, 30]));
        assert_eq!(export.output.as_deref(), Some("out.xml"));
    }

    #[test]
    fn mistakes_are_usage_errors_with_their_reason() {
        let cases = [
            ("check", ErrorKind::MissingRequiredArgument, "<FEED>"),
            (
                "check a.xml b.xml",
                ErrorKind::UnknownArgument,
                "unexpected argument 'b.xml'",
            ),
            (
                "check a.xml --timezone Mars/Base",
                ErrorKind::ValueValidation,
                "expected an IANA time zone such as Europe/Paris",
            ),
            (
                "import --db g.db --provider= a.xml",
                ErrorKind::ValueValidation,
                "the provider name must not be empty",
            ),
            (
                "import --db g.db --provider tv",
                ErrorKind::MissingRequiredArgument,
                "<FEED>...",
            ),
            (
                "cleanup --db g.db --days x",
                ErrorKind::ValueValidation,
                "invalid digit",
            ),
            (
                "cleanup --db g.db --db h.db --days 1",
                ErrorKind::ArgumentConflict,
                "cannot be used multiple times",
            ),
            (
                "export --db g.db --channels 1,,2",
                ErrorKind::ValueValidation,
                "--channels <ID,...>",
            ),
            (
                "export --db g.db --jzon",
                ErrorKind::UnknownArgument,
                "unexpected argument '--jzon'",
            ),
            (
                "exprot",
                ErrorKind::InvalidSubcommand,
                "a similar subcommand exists: 'export'",
            ),
        ];
        for (line, kind, text) in cases {
            let err = parse(line).expect_err(line);
            assert_eq!(err.kind(), kind, "{line}: {err}");
            assert!(err.to_string().contains(text), "{line}: {err}");
            assert!(err.use_stderr(), "{line}");
        }
    }

    #[test]
    fn every_setting_of_the_library_has_a_flag() {
        let asked = std::cell::RefCell::new(Vec::new());
        let _ = epg::Config::from_lookup(|name| {
            asked.borrow_mut().push(name);
            None
        });
        let Ok(Command::Serve(serve)) = parse(
            "serve --db g.db --admin-token t --timezone Europe/Paris --import-time 04:30 \
             --retention-days 3 --log-level warn --log-format json --cors-enabled true \
             --max-feed-bytes 1000 --max-token-bytes 500",
        ) else {
            panic!("serve");
        };
        for name in asked.into_inner() {
            assert!(
                serve.settings.get(name).is_some(),
                "no flag for setting {name}"
            );
        }
        let config = epg::Config::from_lookup(|name| serve.settings.get(name)).expect("config");
        assert_eq!(config.admin_token.as_deref(), Some("t"));
        assert_eq!(config.timezone, chrono_tz::Europe::Paris);
        assert_eq!(config.retention_days, 3);
        assert_eq!(config.max_feed_bytes, 1000);
        assert_eq!(config.max_token_bytes, 500);
        assert!(config.cors_enabled);
    }
}
