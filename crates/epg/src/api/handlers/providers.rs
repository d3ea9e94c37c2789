//! `/providers` and `/providers/{id}`.

use http::StatusCode;
use serde_json::json;

use crate::api::{Context, Handled, Req, json};
use crate::catalog::{self, ProviderInput};
use crate::store::Store;

/// `GET /providers`.
pub fn list<S: Store>(ctx: &Context<'_, S>) -> Handled {
    json::ok(&catalog::list_providers(ctx.store)?)
}

/// `GET /providers/{id}`.
pub fn get<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    json::ok(&catalog::get_provider(ctx.store, req.id)?)
}

/// `POST /providers`: 201 with `Location`.
pub fn create<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let input: ProviderInput = json::parse(req.headers, req.body)?;
    let provider = catalog::create_provider(ctx.store, &input, ctx.now)?;
    Ok(json::with_location(
        json::respond(StatusCode::CREATED, &provider)?,
        &format!("/api/v1/providers/{}", provider.id),
    ))
}

/// `PUT /providers/{id}`: every writable field, validated like `POST`.
pub fn replace<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let input: ProviderInput = json::parse(req.headers, req.body)?;
    json::ok(&catalog::replace_provider(
        ctx.store, req.id, &input, ctx.now,
    )?)
}

/// `DELETE /providers/{id}`: with the counts of what went with it.
pub fn delete<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let report = catalog::delete_provider(ctx.store, req.id)?;
    json::ok(&json!({ "deleted": report }))
}
