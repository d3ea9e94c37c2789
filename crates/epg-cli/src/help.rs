//! Usage texts, one per command, printed by `--help` and after usage errors.

/// The top-level help.
pub const MAIN: &str = "\
epg: check, import, clean up and export XMLTV programme guides

Usage: epg <COMMAND> [OPTIONS]

Commands:
  check     Read a feed and report what it holds and what it rejects
  import    Import feeds into a guide database as one provider
  cleanup   Delete programmes and import logs older or further ahead than N days
  export    Write the merged guide as XMLTV
  serve     Serve the HTTP API and run the scheduled imports, without Spin

Options:
  -h, --help     Print help (also `epg <COMMAND> --help`)
  -V, --version  Print version

Exit status: 0 success, 1 failure (broken feed, failed import, database error), 2 usage error.
";

/// `epg check --help`.
pub const CHECK: &str = "\
Read a feed and report its channels, programmes, time span, rejected records and warnings.

Usage: epg check [OPTIONS] <FEED>

Arguments:
  <FEED>  A file path, or - for standard input; gzip, xz, zip or plain XML

Options:
      --json             Print one JSON object instead of text
      --timezone <ZONE>  IANA zone of times written without an offset (default UTC)
      --max-bytes <N>    Refuse feeds larger than N bytes after decompression
  -h, --help             Print help

Exits 0 when the document is readable, even with rejected records; 1 when it is broken.
";

/// `epg import --help`.
pub const IMPORT: &str = "\
Import feeds into a guide database as one provider (created when missing), one run per feed.

Usage: epg import --db <PATH> --provider <NAME> [OPTIONS] <FEED>...

Arguments:
  <FEED>...  File paths, or - for standard input; gzip, xz, zip or plain XML

Options:
      --db <PATH>        The SQLite database (created and migrated when needed)
      --provider <NAME>  The provider's name
      --url <URL>        The provider's feed URL (default file://<absolute path of the first FEED>)
      --timezone <ZONE>  IANA zone of the provider's times written without an offset
      --priority <N>     The provider's priority; lower wins (default 10)
      --json             Print one JSON object per run, in an array
  -h, --help             Print help

Exits 1 when any run failed.
";

/// `epg cleanup --help`.
pub const CLEANUP: &str = "\
Delete programmes that ended more than N days ago or start more than N days ahead,
and finished import logs older than N days.

Usage: epg cleanup --db <PATH> --days <N> [--json]

Options:
      --db <PATH>  The SQLite database
      --days <N>   The retention period, in days
      --json       Print the counts as JSON
  -h, --help       Print help
";

/// `epg export --help`.
pub const EXPORT: &str = "\
Write the merged guide as an XMLTV document.

Usage: epg export --db <PATH> [OPTIONS]

Options:
      --db <PATH>           The SQLite database
      --days <N>            Programmes from now to N days ahead (default: everything from now on)
      --channels <ID,...>   Only these channel ids (default: every enabled channel)
  -o, --output <FILE>       Write to FILE; - or no -o writes to standard output
      --gzip                Compress with gzip
  -h, --help                Print help

\"From now\" includes the programme on air now.
";

/// `epg serve --help`.
pub const SERVE: &str = "\
Serve the HTTP API and run the scheduled imports and cleanup, without Spin.

Usage: epg serve --db <PATH> [--listen <ADDR>]

Options:
      --db <PATH>      The SQLite database (created and migrated when needed)
      --listen <ADDR>  Address to listen on (default 127.0.0.1:3000)
  -h, --help           Print help

Settings come from the environment under Spin's names (SPIN_VARIABLE_ADMIN_TOKEN,
SPIN_VARIABLE_TIMEZONE, ...). Stops on SIGINT or SIGTERM after finishing requests.
";
