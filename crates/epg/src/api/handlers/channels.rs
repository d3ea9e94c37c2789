//! `/channels` and `/channels/{id}`.

use serde_json::json;

use crate::api::{ApiError, Context, Handled, Req, json};
use crate::catalog::{self, ChannelFilter, ChannelPatch, ChannelReplace};
use crate::store::Store;

/// Default and largest page size.
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

/// `GET /channels?q&enabled&limit&offset`.
pub fn list<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let filter = ChannelFilter {
        q: req.query.get("q").map(str::trim).map(str::to_owned),
        enabled: req.query.bool("enabled")?,
        limit: req.query.int("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)?,
        offset: req.query.int("offset", 0, 0, u32::MAX)?,
    };
    let page = catalog::list_channels(ctx.store, &filter)?;
    json::ok(&json!({
        "items": page.items,
        "total": page.total,
        "limit": filter.limit,
        "offset": filter.offset,
    }))
}

/// `GET /channels/{id}`, with the mappings that feed it.
pub fn get<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let channel = catalog::get_channel(ctx.store, req.id)?;
    let mappings = catalog::channel_mappings(ctx.store, req.id)?;
    detail(&channel, &mappings)
}

fn detail(channel: &catalog::Channel, mappings: &[catalog::Mapping]) -> Handled {
    let mut value = serde_json::to_value(channel).map_err(|e| ApiError::Internal {
        cause: format!("serialising a channel: {e}"),
    })?;
    if let Some(map) = value.as_object_mut() {
        map.insert("mappings".into(), json!(mappings));
    }
    json::ok(&value)
}

/// `PUT /channels/{id}`: name, icon and enabled, all given.
pub fn replace<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let body: ChannelReplace = json::parse(req.headers, req.body)?;
    update(ctx, req.id, &body.into())
}

/// `PATCH /channels/{id}`: any of name, icon, enabled, xmltv_id.
pub fn patch<S: Store>(ctx: &Context<'_, S>, req: &Req<'_>) -> Handled {
    let body: ChannelPatch = json::parse(req.headers, req.body)?;
    update(ctx, req.id, &body)
}

fn update<S: Store>(ctx: &Context<'_, S>, id: i64, patch: &ChannelPatch) -> Handled {
    let channel = catalog::update_channel(ctx.store, id, patch, ctx.now)?;
    let mappings = catalog::channel_mappings(ctx.store, id)?;
    detail(&channel, &mappings)
}
