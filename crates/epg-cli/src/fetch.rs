//! [`Fetcher`] over ureq: the native counterpart of the Spin fetcher. Redirects,
//! conditional requests and the size cap are the job's (`epg::jobs::download`); this
//! only sends one GET and hands back the body as a stream.

use std::time::Duration;

use epg::jobs::{FetchError, FetchRequest, FetchResponse, Fetcher};

/// Give-up times matching the Spin host's outbound HTTP (wasmtime's 600 s first-byte
/// and between-bytes timeouts), so that a stalled download fails its run well within
/// the run's lease (`epg::jobs::LEASE_SECS`) and is never taken over while alive.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const READ_TIMEOUT: Duration = Duration::from_secs(600);

/// Blocking HTTP(S) with a connection pool; cheap to share between threads.
pub struct UreqFetcher {
    agent: ureq::Agent,
}

impl UreqFetcher {
    /// A client that follows no redirects and treats every status as a response.
    pub fn new() -> Self {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_recv_response(Some(READ_TIMEOUT))
            .timeout_per_read(Some(READ_TIMEOUT))
            .build()
            .into();
        Self { agent }
    }
}

impl Fetcher for UreqFetcher {
    fn get(&self, request: &FetchRequest) -> Result<FetchResponse<'_>, FetchError> {
        let mut builder = self.agent.get(&request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let response = builder
            .call()
            .map_err(|e| FetchError::Failed(e.to_string()))?;
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        Ok(FetchResponse {
            status: response.status().as_u16(),
            headers,
            // Unlimited here: the job caps the body at `max_feed_bytes` as it reads.
            body: Box::new(response.into_body().into_reader()),
        })
    }
}
