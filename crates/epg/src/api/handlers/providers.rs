//! `/providers` and `/providers/{id}`.

use http::{Method, StatusCode};
use serde_json::json;

use crate::api::{Context, Handled, Req, auth, json};
use crate::catalog::{self, ProviderInput};
use crate::store::Store;

/// `GET /providers`.
pub fn list<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let mut providers = catalog::list_providers(ctx.store)?;
    if !may_write(ctx, req) {
        providers.iter_mut().for_each(redact);
    }
    json::ok(&providers)
}

/// `GET /providers/{id}`.
pub fn get<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let mut provider = catalog::get_provider(ctx.store, req.id)?;
    if !may_write(ctx, req) {
        redact(&mut provider);
    }
    json::ok(&provider)
}

/// Whether the caller could also write, and so may see the feed URL's secrets.
fn may_write<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> bool {
    auth::authorize(ctx.config, &Method::POST, req.headers).is_ok()
}

/// Feed URLs often carry credentials (`user:pass@`, `?token=…`); reads are public, so
/// readers who could not write see them masked.
fn redact(provider: &mut catalog::Provider) {
    let Ok(mut url) = url::Url::parse(&provider.xmltv_url) else {
        return;
    };
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    if url.query().is_some() {
        let masked: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, _)| (k.into_owned(), "***".to_owned()))
            .collect();
        url.query_pairs_mut().clear().extend_pairs(masked);
    }
    provider.xmltv_url = url.to_string();
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
