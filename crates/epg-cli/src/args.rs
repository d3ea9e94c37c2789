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
    /// `epg serve`.
    Serve(ServeArgs),
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
    /// `epg serve --help`.
    Serve,
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

/// `epg serve --db PATH [--listen ADDR]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServeArgs {
    /// The database file.
    pub db: PathBuf,
    /// Address to listen on.
    pub listen: String,
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
        "serve" => (Topic::Serve, SERVE_SPEC),
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
        Topic::Serve => serve(split).map(Command::Serve),
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
const SERVE_SPEC: &[Opt] = &[value("db"), value("listen")];
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

    fn parsed<T: std::str::FromStr>(
        &self,
        long: &str,
        expected: &str,
    ) -> Result<Option<T>, UsageError> {
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
            [_, extra, ..] => Err(usage(
                self.topic,
                format!("unexpected argument \"{extra}\""),
            )),
        }
    }

    fn no_positionals(&self) -> Result<(), UsageError> {
        match self.positionals.first() {
            Some(extra) => Err(usage(
                self.topic,
                format!("unexpected argument \"{extra}\""),
            )),
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
            return Err(usage(
                topic,
                format!("option --{} given more than once", opt.long),
            ));
        }
        let v = match (opt.takes_value, inline) {
            (false, None) => None,
            (false, Some(_)) => {
                return Err(usage(
                    topic,
                    format!("option --{} takes no value", opt.long),
                ));
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
        days: s
            .parsed("days", "a whole number of days")?
            .unwrap_or_default(),
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

fn serve(s: Split) -> Result<ServeArgs, UsageError> {
    let db = PathBuf::from(s.required("db")?);
    s.no_positionals()?;
    Ok(ServeArgs {
        db,
        listen: s.value("listen").unwrap_or("127.0.0.1:3000").to_owned(),
    })
}

fn usage(topic: Topic, message: impl Into<String>) -> UsageError {
    UsageError {
        message: message.into(),
        topic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_line(line: &str) -> Result<Command, UsageError> {
        parse(line.split_whitespace().map(str::to_owned))
    }

    fn paris() -> Tz {
        "Europe/Paris".parse().expect("zone")
    }

    #[test]
    fn good_invocations() {
        let cases: Vec<(&str, Command)> = vec![
            ("--help", Command::Help(Topic::Main)),
            ("-h", Command::Help(Topic::Main)),
            ("help", Command::Help(Topic::Main)),
            ("--version", Command::Version),
            ("-V", Command::Version),
            ("check --help", Command::Help(Topic::Check)),
            ("import --db x -h", Command::Help(Topic::Import)),
            ("cleanup --help", Command::Help(Topic::Cleanup)),
            ("export --help", Command::Help(Topic::Export)),
            (
                "check feed.xml.gz",
                Command::Check(CheckArgs {
                    feed: "feed.xml.gz".into(),
                    json: false,
                    timezone: None,
                    max_bytes: None,
                }),
            ),
            (
                "check - --json --timezone Europe/Paris --max-bytes=1000",
                Command::Check(CheckArgs {
                    feed: "-".into(),
                    json: true,
                    timezone: Some(paris()),
                    max_bytes: Some(1000),
                }),
            ),
            (
                "check -- --odd-name.xml",
                Command::Check(CheckArgs {
                    feed: "--odd-name.xml".into(),
                    json: false,
                    timezone: None,
                    max_bytes: None,
                }),
            ),
            (
                "import --db g.db --provider tv a.xml b.xml.gz --priority 2 --json",
                Command::Import(ImportArgs {
                    db: "g.db".into(),
                    provider: "tv".into(),
                    url: None,
                    timezone: None,
                    priority: Some(2),
                    feeds: vec!["a.xml".into(), "b.xml.gz".into()],
                    json: true,
                }),
            ),
            (
                "import --db=g.db --provider=tv --url http://x/epg.xml --timezone Europe/Paris -",
                Command::Import(ImportArgs {
                    db: "g.db".into(),
                    provider: "tv".into(),
                    url: Some("http://x/epg.xml".into()),
                    timezone: Some(paris()),
                    priority: None,
                    feeds: vec!["-".into()],
                    json: false,
                }),
            ),
            (
                "cleanup --db g.db --days 7 --json",
                Command::Cleanup(CleanupArgs {
                    db: "g.db".into(),
                    days: 7,
                    json: true,
                }),
            ),
            (
                "export --db g.db",
                Command::Export(ExportArgs {
                    db: "g.db".into(),
                    days: None,
                    channels: None,
                    output: None,
                    gzip: false,
                }),
            ),
            (
                "export --db g.db --days 3 --channels 1,2,30 -o out.xml.gz --gzip",
                Command::Export(ExportArgs {
                    db: "g.db".into(),
                    days: Some(3),
                    channels: Some(vec![1, 2, 30]),
                    output: Some("out.xml.gz".into()),
                    gzip: true,
                }),
            ),
            (
                "export --db g.db --output -",
                Command::Export(ExportArgs {
                    db: "g.db".into(),
                    days: None,
                    channels: None,
                    output: Some("-".into()),
                    gzip: false,
                }),
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(parse_line(line), Ok(expected), "{line}");
        }
    }

    #[test]
    fn bad_invocations() {
        let cases = [
            ("", Topic::Main, "missing command"),
            ("frobnicate", Topic::Main, "unknown command \"frobnicate\""),
            ("--verbose", Topic::Main, "unknown option --verbose"),
            ("check", Topic::Check, "missing FEED"),
            (
                "check a.xml b.xml",
                Topic::Check,
                "unexpected argument \"b.xml\"",
            ),
            (
                "check a.xml --color",
                Topic::Check,
                "unknown option --color",
            ),
            (
                "check a.xml --json=yes",
                Topic::Check,
                "option --json takes no value",
            ),
            (
                "check a.xml --json --json",
                Topic::Check,
                "option --json given more than once",
            ),
            (
                "check a.xml --timezone",
                Topic::Check,
                "option --timezone needs a value",
            ),
            (
                "check a.xml --timezone Mars/Olympus",
                Topic::Check,
                "invalid value \"Mars/Olympus\" for --timezone: expected an IANA time zone such as Europe/Paris",
            ),
            (
                "check a.xml --max-bytes 10MB",
                Topic::Check,
                "invalid value \"10MB\" for --max-bytes: expected a number of bytes",
            ),
            (
                "import --provider tv a.xml",
                Topic::Import,
                "missing required option --db",
            ),
            (
                "import --db g.db a.xml",
                Topic::Import,
                "missing required option --provider",
            ),
            (
                "import --db g.db --provider tv",
                Topic::Import,
                "missing FEED",
            ),
            (
                "import --db g.db --provider= a.xml",
                Topic::Import,
                "the provider name must not be empty",
            ),
            (
                "import --db g.db --provider tv --priority high a.xml",
                Topic::Import,
                "invalid value \"high\" for --priority: expected a whole number",
            ),
            (
                "cleanup --days 7",
                Topic::Cleanup,
                "missing required option --db",
            ),
            (
                "cleanup --db g.db",
                Topic::Cleanup,
                "missing required option --days",
            ),
            (
                "cleanup --db g.db --days -1",
                Topic::Cleanup,
                "invalid value \"-1\" for --days: expected a whole number of days",
            ),
            (
                "cleanup --db g.db --days 7 extra",
                Topic::Cleanup,
                "unexpected argument \"extra\"",
            ),
            ("export", Topic::Export, "missing required option --db"),
            (
                "export --db g.db --channels 1,,2",
                Topic::Export,
                "invalid value \"1,,2\" for --channels: expected channel ids separated by commas",
            ),
            ("export --db g.db -x", Topic::Export, "unknown option -x"),
            (
                "export --db g.db -o",
                Topic::Export,
                "option --output needs a value",
            ),
        ];
        for (line, topic, message) in cases {
            let expected = UsageError {
                message: message.to_owned(),
                topic,
            };
            assert_eq!(parse_line(line), Err(expected), "{line:?}");
        }
    }
}
