//! The HTTP API under `/api/v1`, on `http::Request`/`http::Response` so that it is tested
//! natively; components only convert Spin's request and call [`handle`].

use crate::config::Config;
use crate::jobs::Fetcher;
use crate::store::Store;

/// The API areas, one per component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// `/health`, `/openapi.json`.
    Health,
    /// `/channels…`, `/programs…`, `/mappings…`.
    Channels,
    /// `/providers…`.
    Providers,
    /// `/import…`, `/jobs/run`.
    Imports,
    /// `/xmltv.xml[.gz]`, `/api/v1/xmltv…`.
    Xmltv,
}

/// What a handler needs from its host.
pub struct Context<'a, S: Store> {
    /// The database.
    pub store: &'a S,
    /// Settings.
    pub config: &'a Config,
    /// Current time, UTC seconds.
    pub now: i64,
    /// Outbound HTTP, where the component has it (`POST /jobs/run`).
    pub fetcher: Option<&'a dyn Fetcher>,
}

mod stub_for_spin;
pub use stub_for_spin::handle_full;
