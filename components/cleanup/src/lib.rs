//! The epg cron component (hourly): removes programmes and import logs past retention.

wit_bindgen::generate!({ world: "spin-cron", path: "../../wit" });

struct Component;

impl Guest for Component {
    fn handle_cron_event(_metadata: Metadata) -> Result<(), Error> {
        epg_spin::run_cleanup().map(drop).map_err(Error::Other)
    }
}

export!(Component);
