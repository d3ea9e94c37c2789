//! Numbered SQL migrations from the repository's `migrations/` folder, embedded at build
//! time and applied once each, in order, recorded in `schema_version`.

use super::{Error, Result, Store, now_seconds, write_transaction};

/// One embedded migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Its number, from the file name.
    pub version: i64,
    /// The file name, for messages.
    pub name: &'static str,
    /// The SQL, one or more statements.
    pub sql: &'static str,
}

/// Every migration, in order. Add new files here; never edit one that has shipped.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_initial.sql",
        sql: include_str!("../../../../migrations/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "0002_channel_window_index.sql",
        sql: include_str!("../../../../migrations/0002_channel_window_index.sql"),
    },
    Migration {
        version: 3,
        name: "0003_import_warning_reasons.sql",
        sql: include_str!("../../../../migrations/0003_import_warning_reasons.sql"),
    },
    Migration {
        version: 4,
        name: "0004_resumable_runs.sql",
        sql: include_str!("../../../../migrations/0004_resumable_runs.sql"),
    },
    Migration {
        version: 5,
        name: "0005_bounded_apply.sql",
        sql: include_str!("../../../../migrations/0005_bounded_apply.sql"),
    },
];

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The schema version recorded in the database (0 for a new one).
pub fn schema_version(store: &(impl Store + ?Sized)) -> Result<i64> {
    let rows = store.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])?;
    rows.first().map_or(Ok(0), |r| r.i64(0))
}

/// Applies every pending migration and returns the resulting schema version.
///
/// Safe to call from several processes at once: the pending list is read again after
/// `BEGIN IMMEDIATE` has taken the write lock, so a migration that another process
/// applied meanwhile is not applied twice. A database newer than this build is refused.
pub fn migrate(store: &(impl Store + ?Sized)) -> Result<i64> {
    store.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (\
            version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
        &[],
    )?;
    let latest = latest_version();
    let current = schema_version(store)?;
    if current > latest {
        return Err(Error::SchemaTooNew {
            found: current,
            supported: latest,
        });
    }
    if current == latest {
        return Ok(current);
    }
    write_transaction(store, |store| {
        let current = schema_version(store)?;
        for migration in MIGRATIONS.iter().filter(|m| m.version > current) {
            for statement in split_statements(migration.sql) {
                store
                    .execute(statement, &[])
                    .map_err(|e| Error::Migration {
                        version: migration.version,
                        message: e.to_string(),
                    })?;
            }
            store.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                &[migration.version.into(), now_seconds().into()],
            )?;
        }
        schema_version(store)
    })
}

/// Splits a SQL script into single statements, because a store runs one at a time.
///
/// Semicolons inside quotes, comments and `CREATE TRIGGER … BEGIN … END` bodies do not
/// split. Empty statements and comment-only pieces are left out.
pub fn split_statements(sql: &str) -> Vec<&str> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut depth = 0usize;
    let mut in_trigger = false;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    i += 1;
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b';' if depth == 0 => {
                push_statement(&mut out, &sql[start..i]);
                start = i + 1;
                in_trigger = false;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let word_start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &sql[word_start..i];
                if word.eq_ignore_ascii_case("TRIGGER") {
                    in_trigger = true;
                } else if in_trigger
                    && (word.eq_ignore_ascii_case("BEGIN") || word.eq_ignore_ascii_case("CASE"))
                {
                    depth += 1;
                } else if in_trigger && word.eq_ignore_ascii_case("END") {
                    depth = depth.saturating_sub(1);
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    push_statement(&mut out, &sql[start.min(sql.len())..]);
    out
}

fn push_statement<'a>(out: &mut Vec<&'a str>, piece: &'a str) {
    let has_code = piece
        .lines()
        .map(str::trim)
        .any(|line| !line.is_empty() && !line.starts_with("--"));
    if has_code {
        out.push(piece.trim());
    }
}

#[cfg(test)]
mod tests {
    use super::split_statements;

    #[test]
    fn splits_on_semicolons_outside_quotes_comments_and_triggers() {
        let sql = "CREATE TABLE a (x TEXT DEFAULT ';'); -- a comment; here\n\
                   CREATE TRIGGER t AFTER INSERT ON a BEGIN\n\
                     UPDATE a SET x = CASE WHEN 1 THEN 'y' END;\n\
                     DELETE FROM a;\n\
                   END;\n\
                   /* ; */ INSERT INTO a VALUES ('b;c');\n-- trailing comment";
        let parts = split_statements(sql);
        assert_eq!(parts.len(), 3, "{parts:#?}");
        assert_eq!(parts[0], "CREATE TABLE a (x TEXT DEFAULT ';')");
        assert!(parts[1].starts_with("-- a comment; here\nCREATE TRIGGER t"));
        assert!(parts[1].ends_with("END"));
        assert_eq!(parts[2], "/* ; */ INSERT INTO a VALUES ('b;c')");
    }
}
