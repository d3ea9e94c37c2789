//! Finding or creating the provider `epg import` imports as.

use std::path::Path;

use anyhow::Context;
use epg::Store;
use epg::store::Value;

/// The provider's settings from the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderSpec<'a> {
    /// Unique name.
    pub name: &'a str,
    /// Feed URL, if given.
    pub url: Option<&'a str>,
    /// IANA zone name, if given.
    pub timezone: Option<&'a str>,
    /// Priority, if given.
    pub priority: Option<i64>,
}

/// The id of the provider named `spec.name`, created when missing.
///
/// An existing provider keeps its settings except those given on the command line,
/// which overwrite them: `--priority 1` on a second import is a wish to change it.
pub fn find_or_create(
    store: &impl Store,
    spec: &ProviderSpec<'_>,
    first_feed: &str,
    now: i64,
) -> anyhow::Result<i64> {
    let rows = store.execute(
        "SELECT id FROM providers WHERE name = ?",
        &[spec.name.into()],
    )?;
    if let Some(row) = rows.first() {
        let id = row.i64(0)?;
        update(store, id, spec, now)?;
        return Ok(id);
    }
    let url = match spec.url {
        Some(url) => url.to_owned(),
        None => file_url(first_feed)?,
    };
    let rows = store.execute(
        "INSERT INTO providers (name, xmltv_url, priority, timezone, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        &[
            spec.name.into(),
            url.into(),
            spec.priority.unwrap_or(10).into(),
            spec.timezone.into(),
            now.into(),
            now.into(),
        ],
    )?;
    let row = rows
        .first()
        .context("creating the provider returned no id")?;
    Ok(row.i64(0)?)
}

fn update(store: &impl Store, id: i64, spec: &ProviderSpec<'_>, now: i64) -> anyhow::Result<()> {
    let changes: [(&str, Option<Value>); 3] = [
        ("xmltv_url", spec.url.map(Value::from)),
        ("timezone", spec.timezone.map(Value::from)),
        ("priority", spec.priority.map(Value::from)),
    ];
    for (column, value) in changes {
        if let Some(value) = value {
            // The column name comes from the fixed list above, never from input.
            let sql = format!("UPDATE providers SET {column} = ?, updated_at = ? WHERE id = ?");
            store.execute(&sql, &[value, now.into(), id.into()])?;
        }
    }
    Ok(())
}

/// `file://` and the absolute path of `feed`; standard input has no path of its own.
pub fn file_url(feed: &str) -> anyhow::Result<String> {
    if feed == "-" {
        return Ok("file:///dev/stdin".to_owned());
    }
    let path = std::path::absolute(Path::new(feed))
        .with_context(|| format!("cannot resolve the path of {feed}"))?;
    Ok(format!("file://{}", path.display()))
}

#[cfg(test)]
mod tests {
    use epg::SqliteStore;

    use super::*;

    fn store() -> SqliteStore {
        let store = SqliteStore::open_in_memory().expect("open");
        epg::store::migrate(&store).expect("migrate");
        store
    }

    fn provider_row(
        store: &SqliteStore,
        id: i64,
    ) -> (String, String, i64, Option<String>, i64, i64) {
        let rows = store
            .execute(
                "SELECT name, xmltv_url, priority, timezone, created_at, updated_at \
                 FROM providers WHERE id = ?",
                &[id.into()],
            )
            .expect("select");
        let row = rows.first().expect("row");
        (
            row.string(0).expect("name"),
            row.string(1).expect("url"),
            row.i64(2).expect("priority"),
            row.opt_string(3).expect("timezone"),
            row.i64(4).expect("created"),
            row.i64(5).expect("updated"),
        )
    }

    #[test]
    fn creates_then_finds_and_updates_only_given_settings() {
        let store = store();
        let spec = ProviderSpec {
            name: "tvguide",
            url: None,
            timezone: Some("Europe/Paris"),
            priority: None,
        };
        let id = find_or_create(&store, &spec, "/feeds/a.xml", 100).expect("create");
        assert_eq!(
            provider_row(&store, id),
            (
                "tvguide".to_owned(),
                "file:///feeds/a.xml".to_owned(),
                10,
                Some("Europe/Paris".to_owned()),
                100,
                100
            )
        );
        let again = ProviderSpec {
            name: "tvguide",
            url: None,
            timezone: None,
            priority: Some(3),
        };
        assert_eq!(
            find_or_create(&store, &again, "/other.xml", 200).expect("find"),
            id
        );
        assert_eq!(
            provider_row(&store, id),
            (
                "tvguide".to_owned(),
                "file:///feeds/a.xml".to_owned(),
                3,
                Some("Europe/Paris".to_owned()),
                100,
                200
            )
        );
    }

    #[test]
    fn stdin_has_a_fixed_url() {
        assert_eq!(file_url("-").expect("url"), "file:///dev/stdin");
    }
}
