//! One file per area's resources; each handler validates its input, calls the catalog or
//! another module, and returns a JSON response or an [`ApiError`](super::ApiError).

pub(super) mod channels;
pub(super) mod health;
pub(super) mod imports;
pub(super) mod mappings;
pub(super) mod programs;
pub(super) mod providers;
pub(super) mod xmltv;
