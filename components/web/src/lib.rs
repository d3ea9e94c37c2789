//! The epg HTTP component for the web app at `/` and its files.

use epg::api::Area;
use spin_sdk::http::{IncomingRequest, ResponseOutparam};
use spin_sdk::http_component;

// Two arguments make this a native wasi-http handler: the SDK hands over the request
// unread, and epg-spin reads the body within the API's size limit.
#[http_component]
fn handle(request: IncomingRequest, out: ResponseOutparam) {
    epg_spin::serve(Area::Web, request, out, false);
}
