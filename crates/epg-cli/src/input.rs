//! What the commands share: opening feeds and databases, formatting times.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use anyhow::{Context, bail};
use chrono::{DateTime, SecondsFormat};
use epg::SqliteStore;

/// Opens a feed: `-` is standard input, anything else a file path.
pub fn open_feed(feed: &str) -> anyhow::Result<Box<dyn Read>> {
    if feed == "-" {
        return Ok(Box::new(io::stdin().lock()));
    }
    let file = File::open(feed).with_context(|| format!("cannot open {feed}"))?;
    Ok(Box::new(BufReader::with_capacity(64 * 1024, file)))
}

/// The size of a feed file, for progress; `None` for standard input.
pub fn feed_size(feed: &str) -> Option<u64> {
    (feed != "-")
        .then(|| std::fs::metadata(feed).ok())
        .flatten()
        .map(|m| m.len())
}

/// Opens (creating if needed) and migrates the database for `import`.
pub fn create_store(path: &Path) -> anyhow::Result<SqliteStore> {
    let store = SqliteStore::open(path)
        .with_context(|| format!("cannot open database {}", path.display()))?;
    epg::prepare(&store).with_context(|| format!("cannot migrate database {}", path.display()))?;
    Ok(store)
}

/// Opens and migrates an existing database: reading or cleaning a file that is not there
/// is a typo, not a wish for an empty guide.
pub fn existing_store(path: &Path) -> anyhow::Result<SqliteStore> {
    if !path.exists() {
        bail!("database {} does not exist", path.display());
    }
    create_store(path)
}

/// UTC seconds as RFC 3339 (`2024-05-01T06:00:00Z`); out-of-range values as the number.
pub fn rfc3339(seconds: i64) -> String {
    DateTime::from_timestamp(seconds, 0).map_or_else(
        || seconds.to_string(),
        |t| t.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_utc_seconds() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_714_543_200), "2024-05-01T06:00:00Z");
        assert_eq!(rfc3339(i64::MAX), i64::MAX.to_string());
    }
}
