//! The epg HTTP component serving the merged guide as XMLTV, streamed.

use epg::api::Area;
use spin_sdk::http::ResponseOutparam;
use spin_sdk::http_component;

#[http_component]
fn handle(request: http::Request<Vec<u8>>, out: ResponseOutparam) {
    epg_spin::serve_streaming(Area::Xmltv, request, out);
}
