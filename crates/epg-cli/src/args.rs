//! Command-line parsing: words in, a [`Command`] or a [`UsageError`] out.
//!
//! Hand-rolled to keep the binary's dependencies to the library's own: every command
//! declares which options take a value, [`split`] sorts the words, and one function per
//! command checks and converts them.

use std::fmt;
use std::path::PathBuf;

use chrono_tz::Tz;

/// What the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Print help: the top-level text, or one command's.
    Help(Topic),
    /// Print the version.
    Version,
    /// `epg check`.
    Check(CheckArgs),
    /// `epg import`.
    Import(ImportArgs),
    /// `epg cleanup`.
    Cleanup(CleanupArgs),
    /// `epg export`.
    Export(ExportArgs),
}

/// Which help text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// `epg --help`.
    Main,
    /// `epg check --help`.
    Check,
    /// `epg import --help`.
    Import,
    /// `epg cleanup --help`.
    Cleanup,
    /// `epg export --help`.
    Export,
}

/// `epg check FEED`.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckArgs {
    /// A path, or `-` for stdin.
    pub feed: String,
    /// Print JSON.
    pub json: bool,
    /// Zone of offset-less times.
    pub timezone: Option<Tz>,
    /// Decompressed size limit.
    pub max_bytes: Option<u64>,
}

/// `epg import --db PATH --provider NAME FEED...`.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportArgs {
    /// The database file.
    pub db: PathBuf,
    /// The provider's name.
    pub provider: String,
    /// The provider's URL, if given.
    pub url: Option<String>,
    /// The provider's zone, if given (already checked to be a known zone).
    pub timezone: Option<Tz>,
    /// The provider's priority, if given.
    pub priority: Option<i64>,
    /// Paths, or `-` for stdin.
    pub feeds: Vec<String>,
    /// Print JSON.
    pub json: bool,
}

/// `epg cleanup --db PATH --days N`.
#[derive(Debug, Clone, PartialEq)]
pub struct CleanupArgs {
    /// The database file.
    pub db: PathBuf,
    /// Retention period.
    pub days: u32,
    /// Print JSON.
    pub json: bool,
}

/// `epg export --db PATH`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportArgs {
    /// The database file.
    pub db: PathBuf,
    /// Days ahead; `None`: everything from now on.
    pub days: Option<u32>,
    /// Only these channels.
    pub channels: Option<Vec<i64>>,
    /// Output file; `None` or `-`: stdout.
    pub output: Option<String>,
    /// Gzip the output.
    pub gzip: bool,
}

/// A mistake in the command line; its message is shown after `error: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError {
    /// What was wrong.
    pub message: String,
    /// The help to point to.
    pub topic: Topic,
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UsageError {}

/// Parses the words after the program name.
pub fn parse<I: IntoIterator<Item = String>>(words: I) -> Result<Command, UsageError> {
    let mut words = words.into_iter();
    let Some(first) = words.next() else {
        return Err(usage(Topic::Main, "missing command"));
    };
    let rest: Vec<String> = words.collect();
    let (topic, spec) = match first.as_str() {
        "-h" | "--help" | "help" => return Ok(Command::Help(Topic::Main)),
        "-V" | "--version" => return Ok(Command::Version),
        "check" => (Topic::Check, CHECK_SPEC),
        "import" => (Topic::Import, IMPORT_SPEC),
        "cleanup" => (Topic::Cleanup, CLEANUP_SPEC),
        "export" => (Topic::Export, EXPORT_SPEC),
        other if other.starts_with('-') => {
            return Err(usage(Topic::Main, format!("unknown option {other}")));
        }
        other => return Err(usage(Topic::Main, format!("unknown command \"{other}\""))),
    };
    let Some(split) = split(rest, spec, topic)? else {
        return Ok(Command::Help(topic));
    };
    match topic {
        Topic::Check => check(split).map(Command::Check),
        Topic::Import => import(split).map(Command::Import),
        Topic::Cleanup => cleanup(split).map(Command::Cleanup),
        Topic::Export => export(split).map(Command::Export),
        Topic::Main => Err(usage(Topic::Main, "missing command")),
    }
}

/// An option a command accepts: its names and whether it takes a value.
struct Opt {
    long: &'static str,
    short: Option<&'static str>,
    takes_value: bool,
}

const fn flag(long: &'static str) -> Opt {
    Opt {
        long,
        short: None,
        takes_value: false,
    }
}

const fn value(long: &'static str) -> Opt {
    Opt {
        long,
        short: None,
        takes_value: true,
    }
}

const CHECK_SPEC: &[Opt] = &[flag("json"), value("timezone"), value("max-bytes")];
const IMPORT_SPEC: &[Opt] = &[
    value("db"),
    value("provider"),
    value("url"),
    value("timezone"),
    value("priority"),
    flag("json"),
];
const CLEANUP_SPEC: &[Opt] = &[value("db"), value("days"), flag("json")];
const EXPORT_SPEC: &[Opt] = &[
    value("db"),
    value("days"),
    value("channels"),
    Opt {
        long: "output",
        short: Some("o"),
        takes_value: true,
    },
    flag("gzip"),
];

/// A command's words, sorted: options by long name, then positional arguments.
struct Split {
    topic: Topic,
    options: Vec<(&'static str, Option<String>)>,
    positionals: Vec<String>,
}

impl Split {
    fn flag(&self, long: &str) -> bool {
        self.options.iter().any(|(name, _)| *name == long)
    }

    fn value(&self, long: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(name, _)| *name == long)
            .and_then(|(_, v)| v.as_deref())
    }

    fn required(&self, long: &str) -> Result<&str, UsageError> {
        self.value(long)
            .ok_or_else(|| usage(self.topic, format!("missing required option --{long}")))
    }

    fn parsed<T: std::str::FromStr>(&self, long: &str, expected: &str) -> Result<Option<T>, UsageError> {
        self.value(long)
            .map(|raw| {
                raw.parse().map_err(|_| {
                    usage(
                        self.topic,
                        format!("invalid value \"{raw}\" for --{long}: expected {expected}"),
                    )
                })
            })
            .transpose()
    }

    fn timezone(&self) -> Result<Option<Tz>, UsageError> {
        self.parsed("timezone", "an IANA time zone such as Europe/Paris")
    }

    fn single_feed(&self) -> Result<String, UsageError> {
        match self.positionals.as_slice() {
            [] => Err(usage(self.topic, "missing FEED")),
            [feed] => Ok(feed.clone()),
            [_, extra, ..] => Err(usage(self.topic, format!("unexpected argument \"{extra}\""))),
        }
    }

    fn no_positionals(&self) -> Result<(), UsageError> {
        match self.positionals.first() {
            Some(extra) => Err(usage(self.topic, format!("unexpected argument \"{extra}\""))),
            None => Ok(()),
        }
    }
}

/// Sorts `words` by `spec`; `Ok(None)` when they ask for help.
fn split(words: Vec<String>, spec: &[Opt], topic: Topic) -> Result<Option<Split>, UsageError> {
    let mut out = Split {
        topic,
        options: Vec::new(),
        positionals: Vec::new(),
    };
    let mut words = words.into_iter();
    while let Some(word) = words.next() {
        if word == "--" {
            out.positionals.extend(words.by_ref());
            break;
        }
        if word == "-h" || word == "--help" {
            return Ok(None);
        }
        // A lone `-` is stdin, a positional like any path.
        if !word.starts_with('-') || word == "-" {
            out.positionals.push(word);
            continue;
        }
        let (name, inline) = match word.split_once('=') {
            Some((name, v)) => (name.to_owned(), Some(v.to_owned())),
            None => (word.clone(), None),
        };
        let opt = spec
            .iter()
            .find(|o| {
                name.strip_prefix("--") == Some(o.long)
                    || (o.short.is_some() && name.strip_prefix('-') == o.short)
            })
            .ok_or_else(|| usage(topic, format!("unknown option {name}")))?;
        if out.flag(opt.long) {
            return Err(usage(topic, format!("option --{} given more than once", opt.long)));
        }
        let v = match (opt.takes_value, inline) {
            (false, None) => None,
            (false, Some(_)) => {
                return Err(usage(topic, format!("option --{} takes no value", opt.long)));
            }
            (true, Some(v)) => Some(v),
            (true, None) => Some(
                words
                    .next()
                    .ok_or_else(|| usage(topic, format!("option --{} needs a value", opt.long)))?,
            ),
        };
        out.options.push((opt.long, v));
    }
    Ok(Some(out))
}

fn check(s: Split) -> Result<CheckArgs, UsageError> {
    Ok(CheckArgs {
        feed: s.single_feed()?,
        json: s.flag("json"),
        timezone: s.timezone()?,
        max_bytes: s.parsed("max-bytes", "a number of bytes")?,
    })
}

fn import(s: Split) -> Result<ImportArgs, UsageError> {
    let db = PathBuf::from(s.required("db")?);
    let provider = s.required("provider")?.to_owned();
    if provider.trim().is_empty() {
        return Err(usage(s.topic, "the provider name must not be empty"));
    }
    if s.positionals.is_empty() {
        return Err(usage(s.topic, "missing FEED"));
    }
    Ok(ImportArgs {
        db,
        provider,
        url: s.value("url").map(str::to_owned),
        timezone: s.timezone()?,
        priority: s.parsed("priority", "a whole number")?,
        json: s.flag("json"),
        feeds: s.positionals,
    })
}

fn cleanup(s: Split) -> Result<CleanupArgs, UsageError> {
    let db = PathBuf::from(s.required("db")?);
    s.required("days")?;
    s.no_positionals()?;
    Ok(CleanupArgs {
        db,
        days: s.parsed("days", "a whole number of days")?.unwrap_or_default(),
        json: s.flag("json"),
    })
}

fn export(s: Split) -> Result<ExportArgs, UsageError> {
    let db = PathBuf::from(s.required("db")?);
    s.no_positionals()?;
    let channels = s
        .value("channels")
        .map(|raw| {
            raw.split(',')
                .map(|id| id.trim().parse::<i64>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| {
                    usage(
                        s.topic,
                        format!(
                            "invalid value \"{raw}\" for --channels: expected channel ids separated by commas"
                        ),
                    )
                })
        })
        .transpose()?;
    Ok(ExportArgs {
        db,
        days: s.parsed("days", "a whole number of days")?,
        channels,
        output: s.value("output").map(str::to_owned),
        gzip: s.flag("gzip"),
    })
}

fn usage(topic: Topic, message: impl Into<String>) -> UsageError {
    UsageError {
        message: message.into(),
        topic,
    }
}
