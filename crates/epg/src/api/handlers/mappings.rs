//! `/channels/{id}/mappings` and `/mappings/{id}`.

use http::StatusCode;
use serde::Deserialize;

use crate::api::{Context, Handled, Req, json};
use crate::catalog::{self, MappingInput, MappingOutcome};
use crate::store::Store;

/// `GET /channels/{id}/mappings`.
pub fn list<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    catalog::get_channel(ctx.store, req.id)?;
    json::ok(&catalog::channel_mappings(ctx.store, req.id)?)
}

/// `POST /channels/{id}/mappings`: 201 for a new mapping, 200 when an existing one moved.
pub fn assign<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let input: MappingInput = json::parse(req.headers, req.body)?;
    if input.provider_id <= 0 {
        return Err(crate::api::ApiError::bad_request(
            "provider_id must be a positive integer",
        ));
    }
    let (mapping, outcome) = catalog::assign_mapping(ctx.store, req.id, &input, ctx.now)?;
    match outcome {
        MappingOutcome::Created => Ok(json::with_location(
            json::respond(StatusCode::CREATED, &mapping)?,
            &format!("/api/v1/mappings/{}", mapping.id),
        )),
        MappingOutcome::Moved => json::ok(&mapping),
    }
}

/// The body of `PATCH /mappings/{id}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShiftPatch {
    #[serde(deserialize_with = "crate::catalog::whole::whole")]
    time_shift_minutes: i64,
}

/// `PATCH /mappings/{id}`: a new time shift; stored programmes move with it.
pub fn patch<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let body: ShiftPatch = json::parse(req.headers, req.body)?;
    json::ok(&catalog::set_time_shift(
        ctx.store,
        req.id,
        body.time_shift_minutes,
        ctx.now,
    )?)
}

/// `DELETE /mappings/{id}`: the mapping and its programmes.
pub fn delete<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    catalog::delete_mapping(ctx.store, req.id)?;
    Ok(json::no_content())
}
