//! The README's curl examples, run as written against the handlers: each request goes to
//! the component spin.toml routes it to, in the README's order, over one database, with
//! the provider's feed served by a real sample. Every one must succeed.

use std::collections::HashMap;

use epg::Config;
use epg::api::{self, Area, Context};
use epg::jobs::{FetchError, FetchRequest, FetchResponse, Fetcher};

use crate::common::{fresh_db, spin_component_for, spin_routes};

const README: &str = include_str!("../../../README.md");
const FEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/xmltv-samples/iptv-org-epg/epgshare01.online.content.xml.gz"
);
/// 2025-02-09T12:00:00Z, inside the sample's guide.
const NOW: i64 = 1_739_102_400;

/// Serves the sample for every URL.
struct SampleFeed;

impl Fetcher for SampleFeed {
    fn get(&self, _request: &FetchRequest) -> Result<FetchResponse<'_>, FetchError> {
        let file = std::fs::File::open(FEED).map_err(|e| FetchError::Failed(e.to_string()))?;
        Ok(FetchResponse {
            status: 200,
            headers: vec![("etag".into(), "\"v1\"".into())],
            body: Box::new(file),
        })
    }
}

/// One curl command: method, URL, headers, body.
#[derive(Debug)]
struct Curl {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// The commands of the README's `sh` block that sets `API`, continuation lines joined,
/// its assignments (`AUTH="…"`) made and shell variables expanded.
fn readme_commands(mut vars: HashMap<String, String>) -> Vec<Curl> {
    let block = README
        .split("```sh\n")
        .find(|b| b.starts_with("API="))
        .and_then(|b| b.split("```").next())
        .expect("the README's curl examples");
    let joined = block.replace("\\\n", " ");
    let mut commands = Vec::new();
    for line in joined.lines().map(str::trim) {
        if line.starts_with("curl ") {
            commands.push(parse_curl(&words(line, &vars)));
        } else if let Some((name, value)) = line.split_once('=').filter(|(n, _)| {
            !n.is_empty() && n.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
        }) {
            let value = words(value, &vars).concat();
            vars.insert(name.to_owned(), value);
        }
    }
    commands
}

/// Splits a command line as sh does for these examples: quotes, `$NAME` expansion.
fn words(line: &str, vars: &HashMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars().peekable();
    let mut quote = None;
    while let Some(c) = chars.next() {
        match (c, quote) {
            ('\'', None) | ('"', None) => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (q, Some(open)) if q == open => quote = None,
            ('$', None | Some('"')) => {
                let mut name = String::new();
                while let Some(&n) = chars
                    .peek()
                    .filter(|n| n.is_ascii_alphanumeric() || **n == '_')
                {
                    name.push(n);
                    chars.next();
                }
                let value = vars
                    .get(name.as_str())
                    .unwrap_or_else(|| panic!("unset ${name}"));
                word.get_or_insert_with(String::new).push_str(value);
            }
            (' ', None) => out.extend(word.take()),
            (c, _) => word.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(word);
    out
}

fn parse_curl(words: &[String]) -> Curl {
    let mut curl = Curl {
        method: "GET".into(),
        url: String::new(),
        headers: Vec::new(),
        body: Vec::new(),
    };
    let mut args = words.iter().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-X" => curl.method = args.next().expect("method").clone(),
            "-H" => {
                let header = args.next().expect("header");
                let (name, value) = header.split_once(':').expect("name: value");
                curl.headers
                    .push((name.trim().to_ascii_lowercase(), value.trim().into()));
            }
            "-d" => {
                curl.body = args.next().expect("data").clone().into_bytes();
                if curl.method == "GET" {
                    curl.method = "POST".into();
                }
            }
            "-o" => {
                args.next();
            }
            url => curl.url = url.into(),
        }
    }
    curl
}

fn area_of(component: &str) -> Area {
    match component {
        "health" => Area::Health,
        "channels" => Area::Channels,
        "providers" => Area::Providers,
        "imports" => Area::Imports,
        "xmltv" => Area::Xmltv,
        "web" => Area::Web,
        other => panic!("no area for component {other}"),
    }
}

#[test]
fn every_readme_curl_example_succeeds() {
    let environment =
        HashMap::from([("SPIN_VARIABLE_ADMIN_TOKEN".to_owned(), "s3cret".to_owned())]);
    let commands = readme_commands(environment);
    assert!(commands.len() >= 24, "{} commands", commands.len());
    let routes = spin_routes();
    let db = fresh_db();
    epg::prepare(&db).expect("prepare");
    let config = Config {
        admin_token: Some("s3cret".into()),
        ..Config::default()
    };
    let ctx = Context {
        store: &db,
        config: &config,
        now: NOW,
        fetcher: Some(&SampleFeed),
    };
    let mut statuses = Vec::new();
    for curl in commands {
        let uri: http::Uri = curl.url.parse().expect("url");
        let component = spin_component_for(&routes, uri.path())
            .unwrap_or_else(|| panic!("spin.toml routes nothing to {}", uri.path()));
        let mut request = http::Request::builder()
            .method(curl.method.as_str())
            .uri(uri.path_and_query().map_or("/", |p| p.as_str()))
            .header("spin-client-addr", "127.0.0.1:40000");
        for (name, value) in &curl.headers {
            request = request.header(name, value);
        }
        let request = request.body(curl.body.clone()).expect("request");
        let response = api::handle_full(area_of(component), request, &ctx);
        let status = response.status().as_u16();
        assert!(
            (200..300).contains(&status),
            "{} {} answered {status}: {}",
            curl.method,
            curl.url,
            String::from_utf8_lossy(response.body())
        );
        if uri.path() == "/api/v1/import/runs/1" {
            let run: serde_json::Value = serde_json::from_slice(response.body()).expect("run");
            assert_eq!(run["status"], "succeeded", "{run}");
            assert_eq!(run["channels_seen"], 2, "{run}");
        }
        statuses.push((curl.method, uri.path().to_owned(), status));
    }
    let find = |method: &str, path: &str| {
        statuses
            .iter()
            .find(|(m, p, _)| m == method && p == path)
            .map(|(_, _, s)| *s)
    };
    assert_eq!(find("POST", "/api/v1/providers"), Some(201));
    assert_eq!(find("POST", "/api/v1/import/trigger"), Some(202));
    assert_eq!(find("DELETE", "/api/v1/mappings/1"), Some(204));
}
