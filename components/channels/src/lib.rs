//! The epg HTTP component for channels, programmes and mappings under /api/v1.

use epg::api::Area;
use spin_sdk::http_component;

#[http_component]
fn handle(request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
    epg_spin::serve(Area::Channels, request, false)
}
