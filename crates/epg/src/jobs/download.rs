//! Fetching a provider's feed: conditional GET, redirects, and the size cap.

use std::io::{self, Read};

use super::{FetchError, FetchRequest, FetchResponse, Fetcher};

/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 5;

/// Why a provider's feed could not be downloaded.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// No response arrived.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The provider answered with an error status.
    #[error("provider answered HTTP {0}")]
    Status(u16),
    /// The provider's URL, or a redirect's target, is not an http(s) URL.
    #[error("invalid feed url {0:?}")]
    BadUrl(String),
    /// More than [`MAX_REDIRECTS`] redirects.
    #[error("the provider redirected more than {MAX_REDIRECTS} times")]
    TooManyRedirects,
    /// The response announced a body over the cap.
    #[error("the feed is larger than {0} bytes")]
    TooLarge(u64),
}

/// What a conditional GET of a feed found.
pub enum Download<'a> {
    /// The provider answered 304: the feed has not changed since the stored validators.
    Unchanged,
    /// A new feed.
    Body {
        /// The body, capped at the size limit.
        body: Box<dyn Read + 'a>,
        /// The response's `ETag`, for the next request.
        etag: Option<String>,
        /// The response's `Last-Modified`, for the next request.
        last_modified: Option<String>,
    },
}

/// Validators from the provider's previous successful fetch.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    /// Sent as `If-None-Match`.
    pub etag: Option<String>,
    /// Sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// GETs `url` with the validators, following redirects, and caps the body at `max_bytes`.
///
/// The body is never buffered: it is handed back as a reader that pulls from the
/// connection, and reading past `max_bytes` fails with "the feed is larger than N bytes".
pub fn download<'a>(
    fetcher: &'a dyn Fetcher,
    url: &str,
    validators: &Validators,
    max_bytes: u64,
) -> Result<Download<'a>, DownloadError> {
    let mut current = parse_http_url(url, None)?;
    let mut redirects = 0;
    loop {
        let response = fetcher.get(&request(current.as_str(), validators))?;
        match response.status {
            301 | 302 | 303 | 307 | 308 => {
                let Some(location) = header(&response, "location") else {
                    return Err(DownloadError::Status(response.status));
                };
                redirects += 1;
                if redirects > MAX_REDIRECTS {
                    return Err(DownloadError::TooManyRedirects);
                }
                current = parse_http_url(location, Some(&current))?;
            }
            304 => return Ok(Download::Unchanged),
            200..=299 => return body(response, max_bytes),
            status => return Err(DownloadError::Status(status)),
        }
    }
}

fn body(response: FetchResponse<'_>, max_bytes: u64) -> Result<Download<'_>, DownloadError> {
    let announced = header(&response, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|len| len > max_bytes) {
        return Err(DownloadError::TooLarge(max_bytes));
    }
    let etag = header(&response, "etag").map(str::to_owned);
    let last_modified = header(&response, "last-modified").map(str::to_owned);
    Ok(Download::Body {
        body: Box::new(Capped {
            inner: response.body,
            remaining: max_bytes,
            limit: max_bytes,
        }),
        etag,
        last_modified,
    })
}

fn request(url: &str, validators: &Validators) -> FetchRequest {
    let mut headers = vec![
        ("accept-encoding".to_owned(), "gzip".to_owned()),
        (
            "user-agent".to_owned(),
            concat!("epg/", env!("CARGO_PKG_VERSION")).to_owned(),
        ),
    ];
    if let Some(etag) = &validators.etag {
        headers.push(("if-none-match".to_owned(), etag.clone()));
    }
    if let Some(date) = &validators.last_modified {
        headers.push(("if-modified-since".to_owned(), date.clone()));
    }
    FetchRequest {
        url: url.to_owned(),
        headers,
    }
}

fn header<'r>(response: &'r FetchResponse<'_>, name: &str) -> Option<&'r str> {
    response
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Parses `location` (relative to `base` for redirects) and accepts only http(s).
/// Whether the service can fetch `url` itself: an http(s) URL. Providers with any other
/// (the `file://` URLs of `epg import`) are fed by hand and never queued in bulk.
pub fn is_fetchable(url: &str) -> bool {
    parse_http_url(url, None).is_ok()
}

fn parse_http_url(location: &str, base: Option<&url::Url>) -> Result<url::Url, DownloadError> {
    let parsed = match base {
        Some(base) => base.join(location),
        None => url::Url::parse(location),
    }
    .map_err(|_| DownloadError::BadUrl(location.to_owned()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(DownloadError::BadUrl(location.to_owned()));
    }
    Ok(parsed)
}

/// A reader that fails once more than `limit` bytes have come through, so that an
/// oversized feed stops the import instead of being cut short silently.
struct Capped<R> {
    inner: R,
    remaining: u64,
    limit: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // One byte more than allowed is requested so that reaching the limit exactly is
        // still accepted while going past it is noticed.
        let want = usize::try_from(self.remaining.saturating_add(1))
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = self.inner.read(&mut buf[..want])?;
        let n64 = u64::try_from(n).unwrap_or(u64::MAX);
        if n64 > self.remaining {
            return Err(io::Error::other(DownloadError::TooLarge(self.limit)));
        }
        self.remaining -= n64;
        Ok(n)
    }
}
