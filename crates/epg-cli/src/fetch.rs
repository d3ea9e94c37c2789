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
    /// A client that follows no redirects, treats every status as a response, and goes
    /// through the proxy that `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` name (minus
    /// `NO_PROXY`), as curl does.
    pub fn new() -> Self {
        Self::with_proxy(ureq::Proxy::try_from_env())
    }

    /// The same client with `proxy` (or none) instead of the environment's.
    pub fn with_proxy(proxy: Option<ureq::Proxy>) -> Self {
        let agent = ureq::Agent::config_builder()
            .proxy(proxy)
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

/// The loopback feed server of the integration tests.
#[cfg(test)]
#[path = "../tests/support/mod.rs"]
mod support;

#[cfg(test)]
mod tests {
    use std::io::Read;

    use epg::jobs::{Download, DownloadError, Validators, download};

    use super::UreqFetcher;

    use super::support::{Canned, FeedServer};

    /// The loopback servers are reached directly, whatever proxy the environment names.
    fn fetcher() -> UreqFetcher {
        UreqFetcher::with_proxy(None)
    }

    fn body_of(result: Result<Download<'_>, DownloadError>) -> Result<Vec<u8>, String> {
        match result.map_err(|e| e.to_string())? {
            Download::Unchanged => Err("unchanged".into()),
            Download::Body { mut body, .. } => {
                let mut bytes = Vec::new();
                body.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
                Ok(bytes)
            }
        }
    }

    #[test]
    fn follows_redirects_and_streams_the_body_within_the_cap() {
        let feed: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let mut unsized_feed = Canned::ok(feed.clone());
        unsized_feed.length = false;
        let server = FeedServer::start(vec![
            ("/a", Canned::redirect("/b")),
            ("/b", Canned::redirect("feed")),
            ("/feed", Canned::ok(feed.clone())),
            ("/unsized", unsized_feed),
        ]);
        let fetcher = fetcher();
        let none = Validators::default();
        let get = |path: &str, cap: u64| body_of(download(&fetcher, &server.url(path), &none, cap));
        assert_eq!(get("/a", 1 << 20), Ok(feed.clone()));
        assert_eq!(get("/unsized", 200_000), Ok(feed));
        let too_large = Err("the feed is larger than 199999 bytes".to_owned());
        // Refused by the announced length, and by counting when none is announced.
        assert_eq!(get("/feed", 199_999), too_large);
        assert_eq!(get("/unsized", 199_999), too_large);
        let heads = server.requests.lock().expect("lock").clone();
        let paths: Vec<&str> = heads.iter().filter_map(|h| h.split(' ').nth(1)).collect();
        assert_eq!(
            paths,
            ["/a", "/b", "/feed", "/unsized", "/feed", "/unsized"]
        );
        assert!(heads[0].contains("\r\nuser-agent: epg/"), "{}", heads[0]);
    }

    #[test]
    fn validators_statuses_and_refused_connections() {
        let server = FeedServer::start(vec![
            ("/same", Canned::status("304 Not Modified")),
            ("/broken", Canned::status("500 Internal Server Error")),
        ]);
        let fetcher = fetcher();
        let validators = Validators {
            etag: Some("\"v1\"".into()),
            last_modified: None,
        };
        let same = download(&fetcher, &server.url("/same"), &validators, 100);
        assert!(matches!(same, Ok(Download::Unchanged)));
        let heads = server.requests.lock().expect("lock").clone();
        assert!(
            heads[0].contains("\r\nif-none-match: \"v1\"\r\n"),
            "{}",
            heads[0]
        );
        assert_eq!(
            body_of(download(&fetcher, &server.url("/broken"), &validators, 100)),
            Err("provider answered HTTP 500".to_owned())
        );
        // A port nobody listens on: the listener is bound, read, and closed.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = closed.local_addr().expect("addr").port();
        drop(closed);
        let refused = body_of(download(
            &fetcher,
            &format!("http://127.0.0.1:{port}/"),
            &validators,
            100,
        ));
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.starts_with("request failed: ")),
            "{refused:?}"
        );
    }
}
