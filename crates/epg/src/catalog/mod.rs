//! The catalog: providers, logical channels and the mappings between them, as typed
//! functions over the [`Store`](crate::store::Store). The HTTP API and the command-line
//! tool share these; the importer creates its own automatic mappings.
//!
//! Writes that touch several tables run in one [`write_transaction`](crate::store::write_transaction)
//! and delete dependent rows explicitly, because foreign keys are not enforced everywhere.

mod channels;
mod mappings;
mod providers;
pub(crate) mod whole;

pub use channels::{
    Channel, ChannelFilter, ChannelPage, ChannelPatch, ChannelReplace, channel_names, get_channel,
    list_channels, update_channel,
};
pub use mappings::{
    Mapping, MappingInput, MappingOutcome, assign_mapping, channel_mappings, delete_mapping,
    get_mapping, set_time_shift,
};
pub use providers::{
    DeleteReport, Provider, ProviderInput, RunSummary, XMLTV_URL_PATTERN, create_provider,
    delete_provider, get_provider, last_finished_run, list_providers, replace_provider,
};

use crate::store;

/// Longest name accepted for a provider or a channel, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Largest time shift or offset correction, in minutes either way (one day).
pub const MAX_SHIFT_MINUTES: i64 = 1440;

/// Errors of catalog operations.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A field's value was refused.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field's name as the API spells it.
        field: &'static str,
        /// Why, in words.
        reason: String,
    },
    /// The row does not exist.
    #[error("{what} {id} not found")]
    NotFound {
        /// `provider`, `channel` or `mapping`.
        what: &'static str,
        /// The id asked for.
        id: i64,
    },
    /// The write would break a uniqueness rule (a provider's name, a channel's xmltv_id).
    #[error("{detail}")]
    Conflict {
        /// What clashes with what.
        detail: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
}

fn invalid(field: &'static str, reason: impl Into<String>) -> Error {
    Error::Invalid {
        field,
        reason: reason.into(),
    }
}

/// Checks a display name: at most [`MAX_NAME_CHARS`] characters as given (the limit the
/// OpenAPI document states as `maxLength`), not blank. Returns it trimmed.
fn checked_name(field: &'static str, name: &str) -> Result<String, Error> {
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(
            field,
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    let name = name.trim();
    if name.is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    Ok(name.to_owned())
}

fn checked_shift(field: &'static str, minutes: i64) -> Result<i64, Error> {
    if (-MAX_SHIFT_MINUTES..=MAX_SHIFT_MINUTES).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(invalid(
            field,
            format!("must be between -{MAX_SHIFT_MINUTES} and {MAX_SHIFT_MINUTES} minutes"),
        ))
    }
}

/// Counts the rows a `SELECT COUNT(*) …` returned; the store offers no affected-row count
/// that every host (SQLite, libSQL, Spin) reports the same way.
fn count(store: &impl store::Store, sql: &str, params: &[store::Value]) -> store::Result<u64> {
    let rows = store.execute(sql, params)?;
    let n = rows.first().map_or(Ok(0), |r| r.i64(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}
