//! The HTTP API, called as the components call it: `handle_full` with an in-memory store.

use crate::common::fresh_db as db;
use epg::Config;
use epg::api::{self, Area, Body, Context};
use epg::store::{self, Rows, SqliteStore, Store, Value};
use http::{Method, Request, Response};
use serde_json::{Value as Json, json};

/// 2024-05-01T12:00:00Z.
const NOW: i64 = 1_714_564_800;

struct Call<'a> {
    method: Method,
    path: &'a str,
    body: Option<String>,
    headers: Vec<(&'a str, String)>,
}

fn call(method: Method, path: &str) -> Call<'_> {
    Call {
        method,
        path,
        body: None,
        headers: vec![("spin-client-addr", "127.0.0.1:5555".into())],
    }
}

impl<'a> Call<'a> {
    fn json(mut self, body: Json) -> Self {
        self.body = Some(body.to_string());
        self.headers
            .push(("content-type", "application/json".into()));
        self
    }

    fn header(mut self, name: &'a str, value: &str) -> Self {
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value.into()));
        self
    }

    fn raw(mut self, body: &str) -> Self {
        self.body = Some(body.into());
        self
    }

    fn request(&self) -> Request<Vec<u8>> {
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(self.path);
        for (name, value) in &self.headers {
            builder = builder.header(*name, value);
        }
        builder
            .body(self.body.clone().unwrap_or_default().into_bytes())
            .expect("request")
    }

    fn send_with<S: Store>(&self, area: Area, store: &S, config: &Config) -> Reply {
        let ctx = Context {
            store,
            config,
            now: NOW,
            fetcher: None,
        };
        Reply(api::handle_full(area, self.request(), &ctx))
    }

    fn send(&self, area: Area, store: &SqliteStore) -> Reply {
        self.send_with(area, store, &Config::default())
    }
}

struct Reply(Response<Vec<u8>>);

impl Reply {
    fn status(&self) -> u16 {
        self.0.status().as_u16()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.0.headers().get(name).and_then(|v| v.to_str().ok())
    }

    fn json(&self) -> Json {
        serde_json::from_slice(self.0.body()).expect("JSON body")
    }

    /// Asserts a problem response and returns its detail.
    fn problem(&self, status: u16) -> String {
        assert_eq!(
            self.status(),
            status,
            "{}",
            String::from_utf8_lossy(self.0.body())
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        let body = self.json();
        assert_eq!(body["type"], "about:blank");
        assert_eq!(body["status"], status);
        assert!(body["title"].is_string());
        body["detail"].as_str().expect("detail").to_owned()
    }
}

fn one(db: &SqliteStore, sql: &str, params: &[Value]) -> i64 {
    db.execute(sql, params)
        .expect("query")
        .first()
        .expect("row")
        .i64(0)
        .expect("int")
}

fn provider(db: &SqliteStore, name: &str) -> i64 {
    let reply = call(Method::POST, "/api/v1/providers")
        .json(json!({"name": name, "xmltv_url": format!("https://{name}.example/guide.xml")}))
        .send(Area::Providers, db);
    assert_eq!(reply.status(), 201);
    reply.json()["id"].as_i64().expect("id")
}

fn channel(db: &SqliteStore, name: &str) -> i64 {
    one(
        db,
        "INSERT INTO channels (name, normalized_name, created_at, updated_at) \
         VALUES (?, lower(?), 0, 0) RETURNING id",
        &[name.into(), name.into()],
    )
}

fn mapping(db: &SqliteStore, provider: i64, pcid: &str, channel: i64) -> i64 {
    one(
        db,
        "INSERT INTO channel_mappings (provider_id, provider_channel_id, channel_id, \
         created_at, updated_at) VALUES (?, ?, ?, 0, 0) RETURNING id",
        &[provider.into(), pcid.into(), channel.into()],
    )
}

fn programme(db: &SqliteStore, mapping: i64, channel: i64, provider: i64, start: i64) -> i64 {
    one(
        db,
        "INSERT INTO programmes (mapping_id, channel_id, provider_id, start, stop, title, data) \
         VALUES (?, ?, ?, ?, ?, 'News', '{\"start\":0,\"titles\":[{\"value\":\"News\"}]}') RETURNING id",
        &[
            mapping.into(),
            channel.into(),
            provider.into(),
            start.into(),
            (start + 1800).into(),
        ],
    )
}

/// A store whose every statement fails with a message that must never reach a client.
struct BrokenStore;

impl Store for BrokenStore {
    fn execute(&self, _sql: &str, _params: &[Value]) -> store::Result<Rows> {
        Err(store::Error::Database(
            "no such table: SELECT secret FROM providers".into(),
        ))
    }
}

#[test]
fn health_reports_schema_and_last_import() {
    let db = db();
    let reply = call(Method::GET, "/api/v1/health").send(Area::Health, &db);
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(
        reply.json(),
        json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"),
               "schema_version": store::latest_version(), "database": "ok", "last_import": null})
    );
    let p = provider(&db, "one");
    db.execute(
        "INSERT INTO import_log (provider_id, trigger, status, queued_at, finished_at, added) \
         VALUES (?, 'manual', 'succeeded', 10, 20, 7)",
        &[p.into()],
    )
    .expect("log");
    let body = call(Method::GET, "/api/v1/health")
        .send(Area::Health, &db)
        .json();
    assert_eq!(body["last_import"]["provider_id"], p);
    assert_eq!(body["last_import"]["status"], "succeeded");
    assert_eq!(body["last_import"]["added"], 7);
}

#[test]
fn health_is_503_when_the_store_fails() {
    let reply = call(Method::GET, "/api/v1/health").send_with(
        Area::Health,
        &BrokenStore,
        &Config::default(),
    );
    assert_eq!(reply.problem(503), "the database is unreachable");
    assert_eq!(reply.json()["database"], "unreachable");
}

#[test]
fn store_failures_are_500_without_sql() {
    for (method, path, area) in [
        (Method::GET, "/api/v1/providers", Area::Providers),
        (Method::GET, "/api/v1/channels/1", Area::Channels),
        (Method::DELETE, "/api/v1/mappings/1", Area::Channels),
    ] {
        let reply = call(method, path).send_with(area, &BrokenStore, &Config::default());
        assert_eq!(
            reply.problem(500),
            "an internal error occurred; it has been logged"
        );
        let text = String::from_utf8_lossy(reply.0.body()).to_lowercase();
        assert!(
            !text.contains("select") && !text.contains("table"),
            "{text}"
        );
    }
}

#[test]
fn openapi_documents_exactly_the_routes() {
    let db = db();
    let reply = call(Method::GET, "/api/v1/openapi.json").send(Area::Health, &db);
    assert_eq!(reply.status(), 200);
    let doc = reply.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in paths {
        for method in item.as_object().expect("item").keys() {
            if method != "parameters" {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    // The web app's files are routes of the table but not of the API: never documented.
    let mut routed: Vec<(String, String)> = api::routes()
        .iter()
        .filter(|(_, _, area)| *area != Area::Web)
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    documented.sort();
    routed.sort();
    assert_eq!(documented, routed);
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("item") {
            if method == "parameters" {
                continue;
            }
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path}"
            );
            let mutating = matches!(method.as_str(), "post" | "put" | "patch" | "delete");
            assert_eq!(op.get("security").is_some(), mutating, "{method} {path}");
        }
    }
}

#[test]
fn providers_crud() {
    let db = db();
    let reply = call(Method::POST, "/api/v1/providers")
        .json(
            json!({"name": " Alpha ", "xmltv_url": "https://a.example/epg.xml.gz",
                     "priority": 5, "timezone": "Europe/Berlin", "offset_correction_minutes": -60}),
        )
        .send(Area::Providers, &db);
    assert_eq!(reply.status(), 201);
    let created = reply.json();
    let id = created["id"].as_i64().expect("id");
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/providers/{id}").as_str())
    );
    assert_eq!(
        created,
        json!({"id": id, "name": "Alpha", "xmltv_url": "https://a.example/epg.xml.gz",
               "enabled": true, "priority": 5, "timezone": "Europe/Berlin",
               "offset_correction_minutes": -60, "etag": null, "last_modified": null,
               "last_fetched_at": null, "last_success_at": null,
               "created_at": NOW, "updated_at": NOW})
    );
    let b = provider(&db, "beta");
    let list = call(Method::GET, "/api/v1/providers")
        .send(Area::Providers, &db)
        .json();
    let names: Vec<_> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(names, [json!("Alpha"), json!("beta")]);

    db.execute("UPDATE providers SET etag = 'x' WHERE id = ?", &[id.into()])
        .expect("etag");
    let put = call(Method::PUT, &format!("/api/v1/providers/{id}"))
        .json(json!({"name": "Alpha", "xmltv_url": "http://other.example/", "enabled": false}))
        .send(Area::Providers, &db);
    assert_eq!(put.status(), 200);
    let put = put.json();
    assert_eq!(put["enabled"], false);
    assert_eq!(
        put["priority"], 10,
        "PUT replaces: omitted fields take defaults"
    );
    assert_eq!(put["timezone"], Json::Null);
    assert_eq!(put["etag"], Json::Null, "a new URL forgets the old ETag");
    let got = call(Method::GET, &format!("/api/v1/providers/{id}")).send(Area::Providers, &db);
    assert_eq!(got.json(), put);
    for (body, forgets) in [
        (
            json!({"name": "Alpha", "xmltv_url": "http://other.example/", "priority": 3}),
            false,
        ),
        (
            json!({"name": "Alpha", "xmltv_url": "http://other.example/", "timezone": "Europe/Berlin"}),
            true,
        ),
        (
            json!({"name": "Alpha", "xmltv_url": "http://other.example/", "timezone": "Europe/Berlin",
                "offset_correction_minutes": 30}),
            true,
        ),
    ] {
        db.execute("UPDATE providers SET etag = 'x' WHERE id = ?", &[id.into()])
            .expect("etag");
        let put = call(Method::PUT, &format!("/api/v1/providers/{id}"))
            .json(body.clone())
            .send(Area::Providers, &db)
            .json();
        let want = if forgets { Json::Null } else { json!("x") };
        assert_eq!(
            put["etag"], want,
            "{body}: a new zone or correction rereads the feed"
        );
    }

    let dup = call(Method::PUT, &format!("/api/v1/providers/{b}"))
        .json(json!({"name": "Alpha", "xmltv_url": "http://b.example/"}))
        .send(Area::Providers, &db);
    assert_eq!(
        dup.problem(409),
        "a provider named \"Alpha\" already exists"
    );
    let dup = call(Method::POST, "/api/v1/providers")
        .json(json!({"name": "beta", "xmltv_url": "http://b.example/"}))
        .send(Area::Providers, &db);
    assert_eq!(dup.problem(409), "a provider named \"beta\" already exists");
    let missing = call(Method::GET, "/api/v1/providers/999").send(Area::Providers, &db);
    assert_eq!(missing.problem(404), "provider 999 not found");
}

#[test]
fn provider_bodies_are_validated() {
    let db = db();
    let cases = [
        (
            json!({"name": "a", "xmltv_url": "ftp://a.example/x.xml"}),
            "xmltv_url: scheme \"ftp\" is not supported; use http or https",
        ),
        (
            json!({"name": "a", "xmltv_url": "http://a.example/", "timezone": "Europe/Nowhere"}),
            "timezone: \"Europe/Nowhere\" is not an IANA time zone such as Europe/Berlin",
        ),
        (
            json!({"name": "  ", "xmltv_url": "http://a.example/"}),
            "name: must not be empty",
        ),
        (
            json!({"name": "a".repeat(201), "xmltv_url": "http://a.example/"}),
            "name: must be at most 200 characters",
        ),
        (
            json!({"name": "a", "xmltv_url": "http://a.example/", "offset_correction_minutes": -1441}),
            "offset_correction_minutes: must be between -1440 and 1440 minutes",
        ),
        (
            json!({"name": "a", "xmltv_url": "http://a.example/", "colour": "red"}),
            "invalid JSON body: unknown field `colour`, expected one of `name`, `xmltv_url`, `enabled`, `priority`, `timezone`, `offset_correction_minutes` at line 1 column 9",
        ),
        (
            json!({"name": "a"}),
            "invalid JSON body: missing field `xmltv_url` at line 1 column 12",
        ),
    ];
    for (body, detail) in cases {
        let reply = call(Method::POST, "/api/v1/providers")
            .json(body)
            .send(Area::Providers, &db);
        assert_eq!(reply.problem(400), detail);
    }
    let reply = call(Method::POST, "/api/v1/providers")
        .raw("{\"name\": ")
        .header("content-type", "application/json; charset=utf-8")
        .send(Area::Providers, &db);
    assert_eq!(
        reply.problem(400),
        "invalid JSON body: EOF while parsing a value at line 1 column 9"
    );
    let reply = call(Method::POST, "/api/v1/providers").send(Area::Providers, &db);
    assert_eq!(reply.problem(400), "a JSON request body is required");
    assert_eq!(one(&db, "SELECT COUNT(*) FROM providers", &[]), 0);
}

#[test]
fn deleting_a_provider_cascades() {
    let db = db();
    let (a, b) = (provider(&db, "a"), provider(&db, "b"));
    let only_a = channel(&db, "Only A");
    let shared = channel(&db, "Shared");
    let only_b = channel(&db, "Only B");
    let m1 = mapping(&db, a, "one", only_a);
    let m2 = mapping(&db, a, "two", shared);
    let m3 = mapping(&db, b, "two", shared);
    mapping(&db, b, "three", only_b);
    programme(&db, m1, only_a, a, NOW);
    programme(&db, m2, shared, a, NOW);
    programme(&db, m2, shared, a, NOW + 1800);
    programme(&db, m3, shared, b, NOW);
    db.execute(
        "INSERT INTO import_log (provider_id, trigger, status, queued_at) VALUES (?, 'manual', 'queued', 0)",
        &[a.into()],
    )
    .expect("log");
    let reply = call(Method::DELETE, &format!("/api/v1/providers/{a}")).send(Area::Providers, &db);
    assert_eq!(reply.status(), 200);
    assert_eq!(
        reply.json(),
        json!({"deleted": {"mappings": 2, "programmes": 3, "channels": 1}})
    );
    assert_eq!(one(&db, "SELECT COUNT(*) FROM providers", &[]), 1);
    assert_eq!(one(&db, "SELECT COUNT(*) FROM import_log", &[]), 0);
    assert_eq!(one(&db, "SELECT COUNT(*) FROM programmes", &[]), 1);
    assert_eq!(one(&db, "SELECT COUNT(*) FROM channel_mappings", &[]), 2);
    let left: Vec<i64> = db
        .execute("SELECT id FROM channels ORDER BY id", &[])
        .expect("channels")
        .iter()
        .map(|r| r.i64(0).expect("id"))
        .collect();
    assert_eq!(left, [shared, only_b]);
    let again = call(Method::DELETE, &format!("/api/v1/providers/{a}")).send(Area::Providers, &db);
    assert_eq!(again.problem(404), format!("provider {a} not found"));
}

#[test]
fn channels_list_filter_and_page() {
    let db = db();
    for name in ["ZDF", "Das Erste", "arte", "Das Erste HD"] {
        channel(&db, name);
    }
    db.execute("UPDATE channels SET enabled = 0 WHERE name = 'arte'", &[])
        .expect("disable");
    let body = call(Method::GET, "/api/v1/channels")
        .send(Area::Channels, &db)
        .json();
    let names: Vec<_> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(
        names,
        [
            json!("arte"),
            json!("Das Erste"),
            json!("Das Erste HD"),
            json!("ZDF")
        ]
    );
    assert_eq!(
        (
            body["total"].clone(),
            body["limit"].clone(),
            body["offset"].clone()
        ),
        (json!(4), json!(50), json!(0))
    );
    let body = call(
        Method::GET,
        "/api/v1/channels?q=das%20ERSTE&limit=1&offset=1",
    )
    .send(Area::Channels, &db)
    .json();
    assert_eq!(body["total"], 2);
    assert_eq!(body["items"][0]["name"], "Das Erste HD");
    assert_eq!(body["items"].as_array().map(Vec::len), Some(1));
    let body = call(Method::GET, "/api/v1/channels?enabled=false")
        .send(Area::Channels, &db)
        .json();
    assert_eq!(body["total"], 1);
    assert_eq!(body["items"][0]["name"], "arte");
    let bad = call(Method::GET, "/api/v1/channels?limit=501").send(Area::Channels, &db);
    assert_eq!(
        bad.problem(400),
        "query parameter limit must be an integer from 1 to 500, got \"501\""
    );
}

#[test]
fn channel_detail_put_and_patch() {
    let db = db();
    let p = provider(&db, "prov");
    let c = channel(&db, "Das Erste");
    let other = channel(&db, "ZDF");
    let m = mapping(&db, p, "ard.de", c);
    let body = call(Method::GET, &format!("/api/v1/channels/{c}"))
        .send(Area::Channels, &db)
        .json();
    assert_eq!(body["name"], "Das Erste");
    assert_eq!(
        body["mappings"],
        json!([{"id": m, "provider_id": p, "provider_name": "prov", "provider_channel_id": "ard.de",
                "channel_id": c, "time_shift_minutes": 0, "manual": false, "created_at": 0, "updated_at": 0}])
    );
    let put = call(Method::PUT, &format!("/api/v1/channels/{c}"))
        .json(json!({"name": "ARD", "icon": "http://i/ard.png", "enabled": false}))
        .send(Area::Channels, &db);
    assert_eq!(put.status(), 200);
    let put = put.json();
    assert_eq!(
        (
            put["name"].clone(),
            put["icon"].clone(),
            put["enabled"].clone(),
            put["updated_at"].clone()
        ),
        (
            json!("ARD"),
            json!("http://i/ard.png"),
            json!(false),
            json!(NOW)
        )
    );
    let patch = call(Method::PATCH, &format!("/api/v1/channels/{c}"))
        .json(json!({"icon": null, "xmltv_id": "ard.de"}))
        .send(Area::Channels, &db)
        .json();
    assert_eq!(
        (
            patch["name"].clone(),
            patch["icon"].clone(),
            patch["xmltv_id"].clone()
        ),
        (json!("ARD"), Json::Null, json!("ard.de"))
    );
    let clash = call(Method::PATCH, &format!("/api/v1/channels/{other}"))
        .json(json!({"xmltv_id": "ard.de"}))
        .send(Area::Channels, &db);
    assert_eq!(
        clash.problem(409),
        "another channel already has xmltv_id \"ard.de\""
    );
    let partial = call(Method::PUT, &format!("/api/v1/channels/{c}"))
        .json(json!({"name": "ARD"}))
        .send(Area::Channels, &db);
    assert_eq!(
        partial.problem(400),
        "invalid JSON body: missing field `enabled` at line 1 column 14"
    );
    let unknown = call(Method::PATCH, &format!("/api/v1/channels/{c}"))
        .json(json!({"lcn": "1"}))
        .send(Area::Channels, &db);
    assert!(
        unknown
            .problem(400)
            .starts_with("invalid JSON body: unknown field `lcn`")
    );
    for (path, detail) in [
        (
            "/api/v1/channels/abc",
            "\"abc\" is not a valid id; ids are positive integers",
        ),
        (
            "/api/v1/channels/0",
            "\"0\" is not a valid id; ids are positive integers",
        ),
    ] {
        assert_eq!(
            call(Method::GET, path)
                .send(Area::Channels, &db)
                .problem(400),
            detail
        );
    }
    let missing = call(Method::GET, "/api/v1/channels/77").send(Area::Channels, &db);
    assert_eq!(missing.problem(404), "channel 77 not found");
}

#[test]
fn mapping_is_created_moved_shifted_and_deleted() {
    let db = db();
    let p = provider(&db, "prov");
    let (old, new) = (channel(&db, "Old"), channel(&db, "New"));
    let m = mapping(&db, p, "ch1", old);
    let prog = programme(&db, m, old, p, NOW);

    let created = call(Method::POST, &format!("/api/v1/channels/{new}/mappings"))
        .json(json!({"provider_id": p, "provider_channel_id": "ch2"}))
        .send(Area::Channels, &db);
    assert_eq!(created.status(), 201);
    let created_id = created.json()["id"].as_i64().expect("id");
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/mappings/{created_id}").as_str())
    );
    assert_eq!(created.json()["manual"], true);

    let moved = call(Method::POST, &format!("/api/v1/channels/{new}/mappings"))
        .json(json!({"provider_id": p, "provider_channel_id": "ch1", "time_shift_minutes": 60}))
        .send(Area::Channels, &db);
    assert_eq!(moved.status(), 200);
    let moved = moved.json();
    assert_eq!(
        (
            moved["id"].clone(),
            moved["channel_id"].clone(),
            moved["time_shift_minutes"].clone(),
            moved["manual"].clone()
        ),
        (json!(m), json!(new), json!(60), json!(true))
    );
    let row = db
        .execute(
            "SELECT channel_id, start, stop FROM programmes WHERE id = ?",
            &[prog.into()],
        )
        .expect("programme");
    let row = row.first().expect("row");
    assert_eq!(
        (
            row.i64(0).expect("c"),
            row.i64(1).expect("s"),
            row.i64(2).expect("e")
        ),
        (new, NOW + 3600, NOW + 5400)
    );

    let patched = call(Method::PATCH, &format!("/api/v1/mappings/{m}"))
        .json(json!({"time_shift_minutes": -30}))
        .send(Area::Channels, &db);
    assert_eq!(patched.json()["time_shift_minutes"], -30);
    assert_eq!(
        one(
            &db,
            "SELECT start FROM programmes WHERE id = ?",
            &[prog.into()]
        ),
        NOW - 1800
    );
    let list = call(Method::GET, &format!("/api/v1/channels/{new}/mappings"))
        .send(Area::Channels, &db)
        .json();
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_eq!(
        call(Method::GET, &format!("/api/v1/channels/{old}/mappings"))
            .send(Area::Channels, &db)
            .json(),
        json!([])
    );

    let deleted = call(Method::DELETE, &format!("/api/v1/mappings/{m}")).send(Area::Channels, &db);
    assert_eq!(deleted.status(), 204);
    assert!(deleted.0.body().is_empty());
    assert_eq!(one(&db, "SELECT COUNT(*) FROM programmes", &[]), 0);
    assert_eq!(one(&db, "SELECT COUNT(*) FROM channel_mappings", &[]), 1);
    let again = call(Method::DELETE, &format!("/api/v1/mappings/{m}")).send(Area::Channels, &db);
    assert_eq!(again.problem(404), format!("mapping {m} not found"));

    let bad = call(Method::POST, &format!("/api/v1/channels/{new}/mappings"))
        .json(json!({"provider_id": 999, "provider_channel_id": "x"}))
        .send(Area::Channels, &db);
    assert_eq!(bad.problem(404), "provider 999 not found");
    let bad = call(Method::PATCH, &format!("/api/v1/mappings/{created_id}"))
        .json(json!({"time_shift_minutes": 2000}))
        .send(Area::Channels, &db);
    assert_eq!(
        bad.problem(400),
        "time_shift_minutes: must be between -1440 and 1440 minutes"
    );
}

#[test]
fn programme_windows_are_validated_before_the_guide() {
    let db = db();
    let c = channel(&db, "One");
    let cases = [
        (
            "start=2024-05-01T00:00:00Z&end=2024-05-16T00:00:01Z",
            "the window from start to end may be at most 14 days",
        ),
        (
            "start=2024-05-02T00:00:00Z&end=2024-05-01T00:00:00Z",
            "end must be after start",
        ),
        (
            "start=2024-05-01T00:00:00Z&end=2024-05-01T00:00:00Z",
            "end must be after start",
        ),
        (
            "start=tomorrow",
            "query parameter start must be an RFC 3339 date-time such as 2024-05-01T20:15:00Z, got \"tomorrow\" (premature end of input)",
        ),
    ];
    for (query, detail) in cases {
        let path = format!("/api/v1/channels/{c}/programs?{query}");
        assert_eq!(
            call(Method::GET, &path)
                .send(Area::Channels, &db)
                .problem(400),
            detail,
            "{query}"
        );
    }
    let missing = call(Method::GET, "/api/v1/channels/99/programs").send(Area::Channels, &db);
    assert_eq!(missing.problem(404), "channel 99 not found");
}

#[test]
fn channel_programmes_are_served_as_rfc3339() {
    let db = db();
    let p = provider(&db, "prov");
    let c = channel(&db, "One");
    let m = mapping(&db, p, "one", c);
    let id = programme(&db, m, c, p, NOW + 600);
    let body = call(
        Method::GET,
        &format!("/api/v1/channels/{c}/programs?start=2024-05-01T12:00:00%2B00:00"),
    )
    .send(Area::Channels, &db)
    .json();
    assert_eq!(body["start"], "2024-05-01T12:00:00Z");
    assert_eq!(body["end"], "2024-05-02T12:00:00Z");
    let item = &body["items"][0];
    assert_eq!(
        (
            item["id"].clone(),
            item["start"].clone(),
            item["stop"].clone(),
            item["title"].clone()
        ),
        (
            json!(id),
            json!("2024-05-01T12:10:00Z"),
            json!("2024-05-01T12:40:00Z"),
            json!("News")
        )
    );
    assert_eq!(
        item.get("programme"),
        None,
        "a listing leaves the record out"
    );
    assert_eq!(
        (item["new"].clone(), item["live"].clone()),
        (json!(false), json!(false))
    );
    let full = call(
        Method::GET,
        &format!("/api/v1/channels/{c}/programs?start=2024-05-01T12:00:00Z&detail=full"),
    )
    .send(Area::Channels, &db)
    .json();
    assert_eq!(full["items"][0]["programme"]["titles"][0]["value"], "News");
    let bad = call(
        Method::GET,
        &format!("/api/v1/channels/{c}/programs?detail=all"),
    )
    .send(Area::Channels, &db);
    assert_eq!(
        bad.problem(400),
        "query parameter detail must be listing or full, got \"all\""
    );
}

#[test]
fn one_programme_is_served_whole_by_its_id() {
    let db = db();
    let p = provider(&db, "prov");
    let c = channel(&db, "One");
    let m = mapping(&db, p, "one", c);
    let id = programme(&db, m, c, p, NOW + 600);
    let body = call(Method::GET, &format!("/api/v1/programs/{id}"))
        .send(Area::Channels, &db)
        .json();
    assert_eq!(
        (
            body["id"].clone(),
            body["channel_id"].clone(),
            body["title"].clone(),
            body["programme"]["titles"][0]["value"].clone()
        ),
        (json!(id), json!(c), json!("News"), json!("News"))
    );
    let missing =
        call(Method::GET, &format!("/api/v1/programs/{}", id + 1)).send(Area::Channels, &db);
    assert_eq!(
        missing.problem(404),
        format!("programme {} not found", id + 1)
    );
    // The fixed names keep their routes.
    let now = call(Method::GET, "/api/v1/programs/now").send(Area::Channels, &db);
    assert_eq!(now.status(), 200);
}

#[test]
fn now_and_next_carry_channel_names() {
    let db = db();
    let p = provider(&db, "prov");
    let c = channel(&db, "One");
    let m = mapping(&db, p, "one", c);
    programme(&db, m, c, p, NOW - 600);
    programme(&db, m, c, p, NOW + 1200);
    let body = call(Method::GET, "/api/v1/programs/now")
        .send(Area::Channels, &db)
        .json();
    assert_eq!(body["at"], "2024-05-01T12:00:00Z");
    let item = &body["items"][0];
    assert_eq!(
        (item["channel_id"].clone(), item["channel_name"].clone()),
        (json!(c), json!("One"))
    );
    assert_eq!(item["now"]["start"], "2024-05-01T11:50:00Z");
    assert_eq!(item["next"]["start"], "2024-05-01T12:20:00Z");
}

fn with_token() -> Config {
    Config {
        admin_token: Some("s3cret-token".into()),
        ..Config::default()
    }
}

#[test]
fn writes_need_the_configured_token() {
    let db = db();
    let config = with_token();
    let body = json!({"name": "a", "xmltv_url": "http://a.example/"});
    let detail = "this request needs the header 'Authorization: Bearer <admin token>' with the configured admin token";
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("Bearer s3cret-token-longer"),
        Some("Basic s3cret-token"),
    ] {
        let mut c = call(Method::POST, "/api/v1/providers").json(body.clone());
        if let Some(auth) = auth {
            c = c.header("authorization", auth);
        }
        let reply = c.send_with(Area::Providers, &db, &config);
        assert_eq!(reply.problem(401), detail, "{auth:?}");
        assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    }
    let ok = call(Method::POST, "/api/v1/providers")
        .json(body)
        .header("authorization", "Bearer s3cret-token")
        .header("spin-client-addr", "203.0.113.9:4000")
        .send_with(Area::Providers, &db, &config);
    assert_eq!(ok.status(), 201);
    let read = call(Method::GET, "/api/v1/providers")
        .header("spin-client-addr", "203.0.113.9:4000")
        .send_with(Area::Providers, &db, &config);
    assert_eq!(read.status(), 200);
}

#[test]
fn without_a_token_only_local_unproxied_clients_write() {
    let db = db();
    let body = json!({"name": "a", "xmltv_url": "http://a.example/"});
    let refused = [
        call(Method::POST, "/api/v1/providers").header("spin-client-addr", "203.0.113.9:4000"),
        call(Method::POST, "/api/v1/providers").header("spin-client-addr", "[2001:db8::1]:80"),
        call(Method::POST, "/api/v1/providers").header("x-forwarded-for", "203.0.113.9"),
        call(Method::POST, "/api/v1/providers").header("forwarded", "for=203.0.113.9"),
        call(Method::POST, "/api/v1/providers").header("x-real-ip", "203.0.113.9"),
    ];
    for c in refused {
        let reply = c.json(body.clone()).send(Area::Providers, &db);
        let detail = reply.problem(403);
        assert!(detail.contains("SPIN_VARIABLE_ADMIN_TOKEN"), "{detail}");
    }
    let mut no_addr = call(Method::POST, "/api/v1/providers").json(body.clone());
    no_addr.headers.retain(|(n, _)| *n != "spin-client-addr");
    assert_eq!(no_addr.send(Area::Providers, &db).status(), 403);
    let v6 = call(Method::POST, "/api/v1/providers")
        .header("spin-client-addr", "[::1]:5555")
        .json(body)
        .send(Area::Providers, &db);
    assert_eq!(v6.status(), 201);
}

#[test]
fn routing_errors() {
    let db = db();
    let unknown = call(Method::GET, "/api/v1/nothing").send(Area::Channels, &db);
    assert_eq!(unknown.problem(404), "route /api/v1/nothing not found");
    let other_area = call(Method::GET, "/api/v1/providers").send(Area::Channels, &db);
    assert_eq!(other_area.problem(404), "route /api/v1/providers not found");
    let wrong = call(Method::DELETE, "/api/v1/channels/1").send(Area::Channels, &db);
    assert_eq!(
        wrong.problem(405),
        "method not allowed here; allowed: GET, HEAD, PUT, PATCH, OPTIONS"
    );
    assert_eq!(
        wrong.header("allow"),
        Some("GET, HEAD, PUT, PATCH, OPTIONS")
    );
    let head = call(Method::HEAD, "/api/v1/providers").send(Area::Providers, &db);
    assert_eq!(head.status(), 200);
    assert!(head.0.body().is_empty());
}

#[test]
fn body_limits_and_media_types() {
    let db = db();
    let big = format!("{{\"name\":\"{}\"}}", "a".repeat(1024 * 1024));
    let reply = call(Method::POST, "/api/v1/providers")
        .raw(&big)
        .header("content-type", "application/json")
        .send(Area::Providers, &db);
    assert_eq!(
        reply.problem(413),
        "the request body is larger than 1048576 bytes"
    );
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut c = call(Method::POST, "/api/v1/providers").raw("{\"name\":\"a\"}");
        if let Some(ct) = content_type {
            c = c.header("content-type", ct);
        }
        assert_eq!(
            c.send(Area::Providers, &db).problem(415),
            "the request body must be JSON, sent with 'Content-Type: application/json'"
        );
    }
}

#[test]
fn cors_headers_and_preflight() {
    let db = db();
    let config = Config {
        cors_enabled: true,
        ..Config::default()
    };
    let get = call(Method::GET, "/api/v1/channels").send_with(Area::Channels, &db, &config);
    assert_eq!(get.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        get.header("access-control-expose-headers"),
        Some("Location, ETag, Last-Modified")
    );
    let err = call(Method::GET, "/api/v1/channels/x").send_with(Area::Channels, &db, &config);
    assert_eq!(err.status(), 400);
    assert_eq!(err.header("access-control-allow-origin"), Some("*"));
    let pre = call(Method::OPTIONS, "/api/v1/providers/3").send_with(Area::Providers, &db, &config);
    assert_eq!(pre.status(), 204);
    assert_eq!(
        pre.header("access-control-allow-methods"),
        Some("GET, HEAD, PUT, DELETE, OPTIONS")
    );
    assert_eq!(
        pre.header("access-control-allow-headers"),
        Some("Authorization, Content-Type, If-None-Match, If-Modified-Since")
    );
    assert_eq!(pre.header("access-control-max-age"), Some("86400"));
    assert_eq!(pre.header("access-control-allow-origin"), Some("*"));

    let plain = call(Method::OPTIONS, "/api/v1/providers").send(Area::Providers, &db);
    assert_eq!(plain.status(), 204);
    assert_eq!(plain.header("allow"), Some("GET, HEAD, POST, OPTIONS"));
    assert_eq!(plain.header("access-control-allow-origin"), None);
    assert_eq!(plain.header("access-control-allow-methods"), None);
    let get = call(Method::GET, "/api/v1/channels").send(Area::Channels, &db);
    assert_eq!(get.header("access-control-allow-origin"), None);
}

#[test]
fn jobs_need_a_fetcher_and_a_sane_budget() {
    let db = db();
    let reply = call(Method::POST, "/api/v1/jobs/run").send(Area::Imports, &db);
    assert_eq!(
        reply.problem(503),
        "this component cannot make outbound requests, so it cannot run jobs; call POST /api/v1/jobs/run on the imports component"
    );
    let reply = call(Method::POST, "/api/v1/jobs/run?budget_secs=26").send(Area::Imports, &db);
    assert_eq!(
        reply.problem(400),
        "query parameter budget_secs must be an integer from 1 to 25, got \"26\""
    );
}

/// Serves one small real feed at any URL.
struct OneFeed;

impl epg::jobs::Fetcher for OneFeed {
    fn get(
        &self,
        _: &epg::jobs::FetchRequest,
    ) -> Result<epg::jobs::FetchResponse<'_>, epg::jobs::FetchError> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/xmltv-samples/iptv-org-epg/vantagetv.ee.content.xml"
        );
        let body = std::fs::read(path).expect("sample");
        Ok(epg::jobs::FetchResponse {
            status: 200,
            headers: Vec::new(),
            body: Box::new(std::io::Cursor::new(body)),
        })
    }
}

/// Issue 12: `POST /jobs/run` takes `{"budget_seconds": N}`, capped by the server, and
/// says how many runs it paused.
#[test]
fn jobs_take_a_budget_in_the_body() {
    let db = db();
    let config = Config::default();
    let ctx = Context {
        store: &db,
        config: &config,
        now: NOW,
        fetcher: Some(&OneFeed),
    };
    let send = |body: &str| {
        let request = call(Method::POST, "/api/v1/jobs/run")
            .header("content-type", "application/json")
            .raw(body)
            .request();
        Reply(api::handle_full(Area::Imports, request, &ctx))
    };
    for (body, detail) in [
        (
            r#"{"budget_seconds": 0}"#,
            "budget_seconds must be a positive integer",
        ),
        (
            r#"{"budget_seconds": "5"}"#,
            "invalid JSON body: invalid type: string \"5\", expected a JSON number at line 1 column 22",
        ),
        (
            r#"{"budget": 5}"#,
            "invalid JSON body: unknown field `budget`, expected `budget_seconds` at line 1 column 9",
        ),
    ] {
        assert_eq!(send(body).problem(400), detail, "{body}");
    }
    let p = provider(&db, "feed");
    db.execute(
        "INSERT INTO import_log (provider_id, trigger, status, queued_at) \
         VALUES (?, 'manual', 'queued', ?)",
        &[p.into(), NOW.into()],
    )
    .expect("queue");
    // Far over the cap, which is what it gets.
    let reply = send(r#"{"budget_seconds": 100000}"#);
    assert_eq!(reply.status(), 200);
    let report = reply.json();
    assert_eq!(report["paused"], 0);
    assert_eq!(report["runs"][0]["status"], "succeeded", "{report}");
    assert_eq!(report["runs"][0]["paused_at"], Json::Null);
    assert_eq!(report["runs"][0]["programmes_seen"], 332);
}

#[test]
fn trigger_checks_its_provider_first() {
    let db = db();
    let reply = call(Method::POST, "/api/v1/import/trigger")
        .json(json!({"provider_id": 42}))
        .send(Area::Imports, &db);
    assert_eq!(reply.problem(404), "provider 42 not found");
    let reply = call(Method::POST, "/api/v1/import/trigger")
        .json(json!({"provider": 42}))
        .send(Area::Imports, &db);
    assert_eq!(
        reply.problem(400),
        "invalid JSON body: unknown field `provider`, expected `provider_id` at line 1 column 11"
    );
}

#[test]
fn trigger_all_leaves_out_providers_fed_by_hand() {
    let db = db();
    let fetched = provider(&db, "fetched");
    let by_hand = one(
        &db,
        "INSERT INTO providers (name, xmltv_url, created_at, updated_at) \
         VALUES ('cli', 'file:///srv/guide.xml', 0, 0) RETURNING id",
        &[],
    );
    let all = call(Method::POST, "/api/v1/import/trigger")
        .send(Area::Imports, &db)
        .json();
    assert_eq!(all["runs"].as_array().map(Vec::len), Some(1));
    assert_eq!(all["runs"][0]["provider_id"], json!(fetched));
    let one_run = call(Method::POST, "/api/v1/import/trigger")
        .json(json!({"provider_id": by_hand}))
        .send(Area::Imports, &db)
        .json();
    assert_eq!(one_run["runs"][0]["provider_id"], json!(by_hand));
}

#[test]
fn trigger_queues_once_per_provider_and_status_lists_runs() {
    let db = db();
    let (a, b) = (provider(&db, "a"), provider(&db, "b"));
    let first = call(Method::POST, "/api/v1/import/trigger").send(Area::Imports, &db);
    assert_eq!(first.status(), 202);
    let first = first.json();
    let providers: Vec<_> = first["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| r["provider_id"].clone())
        .collect();
    assert_eq!(providers, [json!(a), json!(b)]);
    assert_eq!(first["existing_run_ids"], json!([]));
    let again = call(Method::POST, "/api/v1/import/trigger")
        .json(json!({"provider_id": a}))
        .send(Area::Imports, &db)
        .json();
    assert_eq!(again["runs"][0]["id"], first["runs"][0]["id"]);
    assert_eq!(
        again["existing_run_ids"],
        json!([first["runs"][0]["id"].clone()])
    );
    let status = call(Method::GET, "/api/v1/import/status")
        .send(Area::Imports, &db)
        .json();
    assert_eq!(status["queued"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        (status["running"].clone(), status["recent"].clone()),
        (json!([]), json!([]))
    );
    let id = first["runs"][1]["id"].as_i64().expect("id");
    let run = call(Method::GET, &format!("/api/v1/import/runs/{id}"))
        .send(Area::Imports, &db)
        .json();
    assert_eq!(
        (
            run["provider_id"].clone(),
            run["status"].clone(),
            run["trigger"].clone()
        ),
        (json!(b), json!("queued"), json!("manual"))
    );
    let missing = call(Method::GET, "/api/v1/import/runs/999").send(Area::Imports, &db);
    assert_eq!(missing.problem(404), "import run 999 not found");
}

#[test]
fn handle_returns_full_bodies_outside_xmltv() {
    let db = db();
    let config = Config::default();
    let ctx = Context {
        store: &db,
        config: &config,
        now: NOW,
        fetcher: None,
    };
    let reply = api::handle(
        Area::Health,
        call(Method::GET, "/api/v1/health").request(),
        &ctx,
    );
    assert!(matches!(reply.body(), Body::Full(b) if !b.is_empty()));
}

#[test]
fn search_is_ranked_windowed_and_rejects_bad_queries() {
    let db = db();
    epg::prepare(&db).expect("search index");
    let p = provider(&db, "prov");
    let c = channel(&db, "One");
    let m = mapping(&db, p, "one", c);
    let hit = programme(&db, m, c, p, NOW + 600);
    programme(&db, m, c, p, NOW - 7200);
    let body = call(Method::GET, "/api/v1/programs/search?q=news")
        .send(Area::Channels, &db)
        .json();
    assert_eq!(body["total"], 1, "{body}");
    assert_eq!(body["total_is_exact"], true, "{body}");
    assert_eq!(body["items"][0]["id"], hit);
    assert_eq!(body["items"][0]["channel_name"], "One");
    assert_eq!(body["items"][0]["title"], "News");
    assert_eq!(body["start"], "2024-05-01T12:00:00Z");
    assert_eq!(body["end"], "2024-05-15T12:00:00Z");
    let all = call(
        Method::GET,
        "/api/v1/programs/search?q=news&start=2024-05-01T00:00:00Z&channel=1",
    )
    .send(Area::Channels, &db)
    .json();
    assert_eq!(all["total"], 2);
    let detail = call(Method::GET, "/api/v1/programs/search?q=%22news")
        .send(Area::Channels, &db)
        .problem(400);
    assert!(detail.starts_with("invalid search query: "), "{detail}");
    let detail = call(Method::GET, "/api/v1/programs/search")
        .send(Area::Channels, &db)
        .problem(400);
    assert_eq!(detail, "the query parameter q is required");
    let detail = call(Method::GET, "/api/v1/programs/search?q=n*")
        .send(Area::Channels, &db)
        .problem(400);
    assert_eq!(
        detail,
        "invalid search query: a prefix search needs at least 3 characters before '*'"
    );
}

fn seed_export(db: &SqliteStore) -> i64 {
    let p = provider(db, "prov");
    let c = channel(db, "One");
    let m = mapping(db, p, "one", c);
    programme(db, m, c, p, NOW + 600);
    db.execute(
        "INSERT INTO import_log (provider_id, trigger, status, queued_at, finished_at) \
         VALUES (?, 'cli', 'succeeded', ?, ?)",
        &[p.into(), NOW.into(), NOW.into()],
    )
    .expect("import log");
    c
}

#[test]
fn xmltv_export_streams_the_guide_with_validators() {
    let db = db();
    let c = seed_export(&db);
    let reply = call(Method::GET, "/xmltv.xml").send(Area::Xmltv, &db);
    assert_eq!(reply.status(), 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    assert_eq!(reply.header("content-encoding"), None);
    let etag = reply.header("etag").expect("etag").to_owned();
    let last_modified = reply
        .header("last-modified")
        .expect("last-modified")
        .to_owned();
    let text = String::from_utf8(reply.0.body().clone()).expect("utf-8");
    assert!(
        text.contains(&format!("<channel id=\"ch{c}.epg\">")),
        "{text}"
    );
    assert_eq!(text.matches("<programme ").count(), 1);

    let again = call(Method::GET, "/xmltv.xml")
        .header("if-none-match", &etag)
        .send(Area::Xmltv, &db);
    assert_eq!(again.status(), 304);
    assert!(again.0.body().is_empty());
    let since = call(Method::GET, "/api/v1/xmltv")
        .header("if-modified-since", &last_modified)
        .send(Area::Xmltv, &db);
    assert_eq!(since.status(), 304);
    let other = call(Method::GET, "/xmltv.xml?channels=999")
        .header("if-none-match", &etag)
        .send(Area::Xmltv, &db);
    assert_eq!(other.status(), 200, "options change the ETag");
    assert!(!String::from_utf8_lossy(other.0.body()).contains("<programme "));
}

/// Issue 11: a channel without programmes is listed only when asked for, and the
/// option is part of the ETag.
#[test]
fn issue11_xmltv_export_lists_empty_channels_only_when_asked() {
    let db = db();
    seed_export(&db);
    let empty = channel(&db, "Empty");
    let listed = format!("<channel id=\"ch{empty}.epg\">");
    let plain = call(Method::GET, "/xmltv.xml").send(Area::Xmltv, &db);
    assert!(!String::from_utf8_lossy(plain.0.body()).contains(&listed));
    let etag = plain.header("etag").expect("etag").to_owned();
    let asked = call(Method::GET, "/xmltv.xml?include_empty_channels=true")
        .header("if-none-match", &etag)
        .send(Area::Xmltv, &db);
    assert_eq!(asked.status(), 200, "the option changes the ETag");
    assert!(String::from_utf8_lossy(asked.0.body()).contains(&listed));
    let detail = call(Method::GET, "/xmltv.xml?include_empty_channels=yes")
        .send(Area::Xmltv, &db)
        .problem(400);
    assert_eq!(
        detail,
        "query parameter include_empty_channels must be true or false, got \"yes\""
    );
}

#[test]
fn xmltv_export_gzips_by_path_or_accept_encoding() {
    use std::io::Read;
    let db = db();
    seed_export(&db);
    let plain = call(Method::GET, "/xmltv.xml")
        .send(Area::Xmltv, &db)
        .0
        .into_body();
    for (path, accept, content_type, encoding) in [
        ("/xmltv.xml.gz", None, "application/gzip", None),
        ("/api/v1/xmltv.gz", None, "application/gzip", None),
        (
            "/api/v1/xmltv",
            Some("gzip, br"),
            "application/xml; charset=utf-8",
            Some("gzip"),
        ),
    ] {
        let mut c = call(Method::GET, path);
        if let Some(accept) = accept {
            c = c.header("accept-encoding", accept);
        }
        let reply = c.send(Area::Xmltv, &db);
        assert_eq!(reply.status(), 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(content_type), "{path}");
        assert_eq!(reply.header("content-encoding"), encoding, "{path}");
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&reply.0.body()[..])
            .read_to_end(&mut unzipped)
            .expect("gzip");
        assert_eq!(unzipped, plain, "{path}");
    }
}

#[test]
fn xmltv_export_validates_its_parameters() {
    let db = db();
    seed_export(&db);
    for (query, detail) in [
        (
            "channels=1,x",
            "\"x\" is not a valid id; ids are positive integers",
        ),
        ("days=0", ""),
        ("days=32", ""),
    ] {
        let got = call(Method::GET, &format!("/xmltv.xml?{query}"))
            .send(Area::Xmltv, &db)
            .problem(400);
        if !detail.is_empty() {
            assert_eq!(got, detail, "{query}");
        }
    }
    let reply = call(Method::POST, "/xmltv.xml").send(Area::Xmltv, &db);
    assert_eq!(reply.status(), 405);
    assert_eq!(reply.header("allow"), Some("GET, HEAD, OPTIONS"));
}

#[test]
fn spin_toml_routes_every_api_route_to_its_component() {
    use crate::common::{component_of, spin_component_for, spin_routes};
    let routes = spin_routes();
    assert!(routes.len() >= 10, "{routes:?}");
    let openapi: Json = serde_json::from_str(api::OPENAPI_JSON).expect("openapi");
    for &(method, template, area) in api::routes() {
        let path = template.replace("{id}", "7");
        assert_eq!(
            spin_component_for(&routes, &path),
            Some(component_of(area)),
            "{method} {template}"
        );
        if area == Area::Web {
            continue;
        }
        let documented = template.strip_prefix("/api/v1").unwrap_or(template);
        let in_doc = openapi["paths"]
            .get(documented)
            .or_else(|| openapi["paths"].get(template))
            .and_then(|item| item.get(method.to_ascii_lowercase()));
        assert!(
            in_doc.is_some(),
            "{method} {template} is not in openapi.json"
        );
    }
    for (route, component) in &routes {
        let prefix = route.strip_suffix("/...").unwrap_or(route);
        assert!(
            api::routes()
                .iter()
                .any(|&(_, t, area)| component_of(area) == component && t.starts_with(prefix)),
            "spin.toml routes {route} to {component}, which serves nothing there"
        );
    }
}

// Found in review.

fn send_at(c: &Call<'_>, area: Area, db: &SqliteStore, now: i64) -> Reply {
    let config = Config::default();
    let ctx = Context {
        store: db,
        config: &config,
        now,
        fetcher: None,
    };
    Reply(api::handle_full(area, c.request(), &ctx))
}

/// The strong ETag ignores the window start (`now`), so a later, different document is
/// answered 304 against an earlier one's ETag.
#[test]
fn xmltv_etag_changes_with_the_window() {
    let db = db();
    seed_export(&db); // one programme NOW+600..NOW+2400
    let first = call(Method::GET, "/xmltv.xml").send(Area::Xmltv, &db);
    assert_eq!(
        String::from_utf8_lossy(first.0.body())
            .matches("<programme ")
            .count(),
        1
    );
    let etag = first.header("etag").expect("etag").to_owned();
    let later = NOW + 3 * 3600; // the programme has ended
    let plain = send_at(&call(Method::GET, "/xmltv.xml"), Area::Xmltv, &db, later);
    assert_eq!(
        String::from_utf8_lossy(plain.0.body())
            .matches("<programme ")
            .count(),
        0
    );
    assert_ne!(
        plain.header("etag"),
        Some(etag.as_str()),
        "different bytes, same strong ETag"
    );
    let cond = send_at(
        &call(Method::GET, "/xmltv.xml").header("if-none-match", &etag),
        Area::Xmltv,
        &db,
        later,
    );
    assert_eq!(
        cond.status(),
        200,
        "a stale document must not be revalidated"
    );
}

/// Deleting a mapping removes its programmes but Last-Modified does not move, so a
/// client revalidating with If-Modified-Since gets 304 and keeps the deleted programmes.
#[test]
fn xmltv_if_modified_since_after_mapping_delete() {
    let db = db();
    let p = provider(&db, "prov");
    let c = channel(&db, "One");
    let m = mapping(&db, p, "one", c);
    programme(&db, m, c, p, NOW + 600);
    db.execute(
        "INSERT INTO import_log (provider_id, trigger, status, queued_at, finished_at) \
         VALUES (?, 'cli', 'succeeded', ?, ?)",
        &[p.into(), (NOW - 3600).into(), (NOW - 3600).into()],
    )
    .expect("import log");
    let first = call(Method::GET, "/xmltv.xml").send(Area::Xmltv, &db);
    let lm = first.header("last-modified").expect("lm").to_owned();
    let del = call(Method::DELETE, &format!("/api/v1/mappings/{m}")).send(Area::Channels, &db);
    assert_eq!(del.status(), 204);
    let again = call(Method::GET, "/xmltv.xml")
        .header("if-modified-since", &lm)
        .send(Area::Xmltv, &db);
    assert_eq!(again.status(), 200, "the guide changed at NOW, after {lm}");
}

/// Disabling a provider (or changing its priority) changes the merged guide, but the
/// export validators do not look at providers: the old ETag still gets 304.
#[test]
fn xmltv_etag_ignores_provider_changes() {
    let db = db();
    seed_export(&db);
    let p = one(&db, "SELECT id FROM providers", &[]);
    let first = call(Method::GET, "/xmltv.xml").send(Area::Xmltv, &db);
    let etag = first.header("etag").expect("etag").to_owned();
    let put = call(Method::PUT, &format!("/api/v1/providers/{p}"))
        .json(json!({"name": "prov", "xmltv_url": "https://prov.example/guide.xml", "enabled": false}))
        .send(Area::Providers, &db);
    assert_eq!(put.status(), 200);
    let plain = call(Method::GET, "/xmltv.xml").send(Area::Xmltv, &db);
    assert_eq!(
        String::from_utf8_lossy(plain.0.body())
            .matches("<programme ")
            .count(),
        0
    );
    let cond = call(Method::GET, "/xmltv.xml")
        .header("if-none-match", &etag)
        .send(Area::Xmltv, &db);
    assert_eq!(
        cond.status(),
        200,
        "disabled provider's programmes are gone"
    );
}

/// `q` is lower-cased by Rust (Unicode) but the column by SQLite (ASCII only), so a
/// search for a channel's exact non-ASCII name finds nothing.
#[test]
fn channel_search_with_non_ascii_exact_name() {
    let db = db();
    channel(&db, "ÖRF eins");
    let reply = call(Method::GET, "/api/v1/channels?q=%C3%96RF").send(Area::Channels, &db);
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.json()["total"], 1, "{}", reply.json());
    db.execute(
        "INSERT INTO channels (name, normalized_name, created_at, updated_at) \
         VALUES ('ÖRF zwei', 'orfzwei', 0, 0)",
        &[],
    )
    .expect("imported channel");
    let reply = call(Method::GET, "/api/v1/channels?q=orf").send(Area::Channels, &db);
    assert_eq!(
        reply.json()["items"][0]["name"],
        "ÖRF zwei",
        "{}",
        reply.json()
    );
    assert_eq!(reply.json()["total"], 1, "{}", reply.json());
}

/// `trigger` looks for active runs among the newest 100 queued only; with more, it
/// queues a second run for a provider that already has one.
#[test]
fn trigger_twice_with_more_than_100_providers_queues_no_duplicates() {
    let db = db();
    for i in 0..101 {
        db.execute(
            "INSERT INTO providers (name, xmltv_url, enabled, created_at, updated_at) \
             VALUES (?, 'https://x.example/', 1, 0, 0)",
            &[format!("p{i}").into()],
        )
        .expect("provider");
    }
    let t = || call(Method::POST, "/api/v1/import/trigger").send(Area::Imports, &db);
    assert_eq!(t().status(), 202);
    let second = t();
    assert_eq!(second.status(), 202);
    let queued = one(
        &db,
        "SELECT COUNT(*) FROM import_log WHERE status = 'queued'",
        &[],
    );
    assert_eq!(
        queued,
        101,
        "{}",
        second.json()["existing_run_ids"]
            .as_array()
            .map_or(0, Vec::len)
    );
}

/// RFC 9110 §12.4.2: `q=0.0` (or `0.00`) refuses a coding like `q=0`, but only the
/// literal `q=0` is recognised, so a client that refused gzip gets a gzipped body.
#[test]
fn gzip_refused_with_q_0_0() {
    let db = db();
    seed_export(&db);
    let reply = call(Method::GET, "/xmltv.xml")
        .header("accept-encoding", "gzip;q=0.0, identity")
        .send(Area::Xmltv, &db);
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.header("content-encoding"), None);
}

#[test]
fn feed_url_secrets_are_masked_for_readers_who_cannot_write() {
    let db = db();
    let config = with_token();
    let created = call(Method::POST, "/api/v1/providers")
        .header("authorization", "Bearer s3cret-token")
        .json(json!({"name": "paid", "xmltv_url": "https://me:pw@epg.example/guide.xml?key=abc&days=7"}))
        .send_with(Area::Providers, &db, &config);
    assert_eq!(created.status(), 201, "{}", created.json());
    let secret = "https://me:pw@epg.example/guide.xml?key=abc&days=7";
    assert_eq!(created.json()["xmltv_url"], secret);
    let public = call(Method::GET, "/api/v1/providers").send_with(Area::Providers, &db, &config);
    assert_eq!(
        public.json()[0]["xmltv_url"],
        "https://me:***@epg.example/guide.xml?key=***&days=***"
    );
    let one = call(Method::GET, "/api/v1/providers/1").send_with(Area::Providers, &db, &config);
    assert_eq!(
        one.json()["xmltv_url"],
        "https://me:***@epg.example/guide.xml?key=***&days=***"
    );
    let admin = call(Method::GET, "/api/v1/providers/1")
        .header("authorization", "Bearer s3cret-token")
        .send_with(Area::Providers, &db, &config);
    assert_eq!(admin.json()["xmltv_url"], secret);
}

/// Bodies the OpenAPI document calls valid are taken as it states: whole numbers written
/// with a zero fraction, `null` where it means "absent", names of up to 200 characters.
#[test]
fn schema_valid_bodies_are_accepted() {
    let db = db();
    let created = call(Method::POST, "/api/v1/providers")
        .json(
            json!({"name": "p", "xmltv_url": "http://a.example/", "priority": 12.0,
                     "offset_correction_minutes": -60.0, "timezone": ""}),
        )
        .send(Area::Providers, &db);
    assert_eq!(created.status(), 201);
    let created = created.json();
    assert_eq!(
        (
            created["priority"].clone(),
            created["offset_correction_minutes"].clone(),
            created["timezone"].clone()
        ),
        (json!(12), json!(-60), Json::Null)
    );
    let p = created["id"].as_i64().expect("id");
    let c = channel(&db, "One");
    let mapped = call(Method::POST, &format!("/api/v1/channels/{c}/mappings"))
        .json(json!({"provider_id": p as f64, "provider_channel_id": "one", "time_shift_minutes": 1e1}))
        .send(Area::Channels, &db);
    assert_eq!(mapped.status(), 201);
    assert_eq!(mapped.json()["time_shift_minutes"], 10);
    let m = mapped.json()["id"].as_i64().expect("id");
    let shifted = call(Method::PATCH, &format!("/api/v1/mappings/{m}"))
        .json(json!({"time_shift_minutes": -770.0}))
        .send(Area::Channels, &db);
    assert_eq!(shifted.json()["time_shift_minutes"], -770);
    let unchanged = call(Method::PATCH, &format!("/api/v1/channels/{c}"))
        .json(json!({"name": null, "enabled": null}))
        .send(Area::Channels, &db);
    assert_eq!(
        (unchanged.status(), unchanged.json()["name"].clone()),
        (200, json!("One"))
    );
    let name = format!(" {} ", "n".repeat(198));
    let renamed = call(Method::PATCH, &format!("/api/v1/channels/{c}"))
        .json(json!({ "name": name }))
        .send(Area::Channels, &db);
    assert_eq!(renamed.json()["name"], "n".repeat(198));
    let every = call(Method::POST, "/api/v1/import/trigger")
        .json(json!({"provider_id": null}))
        .send(Area::Imports, &db);
    assert_eq!(every.status(), 202);
    assert_eq!(every.json()["runs"][0]["provider_id"], p);
}

/// What the document calls invalid is refused, with the reason.
#[test]
fn schema_invalid_bodies_are_refused() {
    let db = db();
    let c = channel(&db, "One");
    let whole = "expected a whole number from -9223372036854775808 to 9223372036854775807";
    let cases = [
        (
            Method::PATCH,
            format!("/api/v1/channels/{c}"),
            json!([null, null]),
            "invalid JSON body: expected a JSON object".to_owned(),
        ),
        (
            Method::PATCH,
            format!("/api/v1/channels/{c}"),
            json!({ "name": format!(" {} ", "n".repeat(199)) }),
            "name: must be at most 200 characters".to_owned(),
        ),
        (
            Method::POST,
            "/api/v1/providers".to_owned(),
            json!({"name": "p", "xmltv_url": "http://a.example/", "priority": 1.5}),
            format!("invalid JSON body: {whole} at line 1 column 26"),
        ),
        (
            Method::POST,
            format!("/api/v1/channels/{c}/mappings"),
            json!({"provider_id": 1, "provider_channel_id": "x", "time_shift_minutes": 0.5}),
            format!("invalid JSON body: {whole} at line 1 column 68"),
        ),
    ];
    for (method, path, body, detail) in cases {
        let reply = call(method, &path)
            .json(body)
            .send(api::area_of(&path).expect("area"), &db);
        assert_eq!(reply.problem(400), detail, "{path}");
    }
    let reply = call(Method::POST, "/api/v1/providers")
        .raw(r#"{"name": "p", "xmltv_url": "http://a.example/", "priority": -9223372036854775809}"#)
        .header("content-type", "application/json")
        .send(Area::Providers, &db);
    assert_eq!(
        reply.problem(400),
        format!("invalid JSON body: {whole} at line 1 column 81")
    );
    assert_eq!(one(&db, "SELECT COUNT(*) FROM providers", &[]), 0);
}

/// The zones the document lists are exactly those the API takes, plus null and "" (UTC).
#[test]
fn openapi_lists_every_time_zone_the_api_takes() {
    let doc: Json = serde_json::from_str(api::OPENAPI_JSON).expect("openapi");
    let listed = doc["components"]["schemas"]["ProviderInput"]["properties"]["timezone"]["enum"]
        .as_array()
        .expect("enum")
        .clone();
    let mut zones: Vec<Json> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| json!(tz.name()))
        .collect();
    zones.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    let mut expected = vec![Json::Null, json!("")];
    expected.extend(zones);
    assert_eq!(listed, expected);
}

/// Every query parameter the document states a format for is read by its handler: a value
/// of the wrong form is refused (an ignored one would be answered 200).
#[test]
fn every_documented_query_parameter_is_checked() {
    let db = db();
    let doc: Json = serde_json::from_str(api::OPENAPI_JSON).expect("openapi");
    let mut checked = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            for param in op["parameters"].as_array().into_iter().flatten() {
                let (name, schema) = (param["name"].as_str().expect("name"), &param["schema"]);
                let has_form = schema["type"] != "string"
                    || schema.get("format").is_some()
                    || schema.get("enum").is_some()
                    || schema["pattern"].as_str().is_some_and(|p| p != "\\S");
                if param["in"] != "query" || !has_form {
                    continue;
                }
                let target = format!("{}?q=news&{name}=x", path.replace("{id}", "1"));
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
                let reply =
                    call(method.clone(), &target).send(api::area_of(path).expect("area"), &db);
                assert_eq!(reply.status(), 400, "{method} {target}");
                checked.push(format!("{method} {path} {name}"));
            }
        }
    }
    // Guards the loop itself: the document has at least these 19 today.
    assert!(checked.len() >= 22, "{checked:#?}");
}

/// Found by schemathesis: a search text with a NUL byte and C1 controls was a 500.
#[test]
fn search_text_with_control_characters_is_no_server_error() {
    let db = db();
    epg::prepare(&db).expect("search index");
    let p = provider(&db, "prov");
    let c = channel(&db, "One");
    let m = mapping(&db, p, "one", c);
    programme(&db, m, c, p, NOW + 600);
    let path = "/api/v1/programs/search?offset=322&limit=64&start=0701-05-12T12%3A31%3A21Z&q=%C3%81%C2%84%C2%80%5D%C2%A3%C3%B3%F1%9A%B2%A3%F0%97%9A%82%F2%B9%AE%91%C2%A0%C2%81Z%C2%B0%C2%BD%C2%83%F3%B6%8B%AC%C3%9F%F3%A7%84%B2%11%00%F2%98%86%B4%C2%8D%C2%B8%40%C2%81";
    let reply = call(Method::GET, path).send(Area::Channels, &db);
    assert_eq!(
        (reply.status(), reply.json()["total"].clone()),
        (200, json!(0))
    );
    // A NUL breaks words like a space.
    let body = call(Method::GET, "/api/v1/programs/search?q=%00news%00")
        .send(Area::Channels, &db)
        .json();
    assert_eq!(
        (
            body["q"].clone(),
            body["total"].clone(),
            body["items"][0]["title"].clone()
        ),
        (json!("\u{0}news\u{0}"), json!(1), json!("News"))
    );
}

/// The document's URL pattern is the one the API checks with, and real feed URLs pass it.
#[test]
fn openapi_states_the_feed_url_rule_the_api_checks() {
    let doc: Json = serde_json::from_str(api::OPENAPI_JSON).expect("openapi");
    assert_eq!(
        doc["components"]["schemas"]["ProviderInput"]["properties"]["xmltv_url"]["pattern"],
        epg::catalog::XMLTV_URL_PATTERN
    );
    let db = db();
    let cases = [
        ("http://192.168.1.10:34400/epg.xml", 201),
        ("http://9gag.example/feed", 201),
        ("http://localhost:8080/", 201),
        ("http://1.2.3/", 400),
        (
            "https://user:p%40ss@epg.example.com/guide.xml.gz?token=a1#x",
            201,
        ),
        ("http://kp.boeew-if00.example*", 400),
        ("http://1.2.3.256/", 400),
        ("http://epg.example:65536/", 400),
        ("http://xn--a.example/", 400),
        (" http://epg.example/", 400),
    ];
    for (n, (url, status)) in cases.into_iter().enumerate() {
        let reply = call(Method::POST, "/api/v1/providers")
            .json(json!({"name": format!("p{n}"), "xmltv_url": url}))
            .send(Area::Providers, &db);
        assert_eq!(reply.status(), status, "{url}");
    }
    let reply = call(Method::POST, "/api/v1/providers")
        .json(json!({"name": "star", "xmltv_url": "http://epg.example*/"}))
        .send(Area::Providers, &db);
    assert_eq!(
        reply.problem(400),
        "xmltv_url: \"http://epg.example*/\" is not a URL this service takes: a host name or \
         IPv4 address, then only URI characters (spaces and the like percent-encoded)"
    );
}

/// Found by schemathesis: `1.0` is a schema-valid integer id, in the path and the query.
#[test]
fn ids_and_numbers_with_a_zero_fraction_are_integers() {
    let db = db();
    let p = provider(&db, "prov");
    let reply = call(Method::GET, &format!("/api/v1/providers/{p}.0")).send(Area::Providers, &db);
    assert_eq!(
        (reply.status(), reply.json()["id"].clone()),
        (200, json!(p))
    );
    let page = call(Method::GET, "/api/v1/channels?limit=2.0&offset=0.00")
        .send(Area::Channels, &db)
        .json();
    assert_eq!(
        (page["limit"].clone(), page["offset"].clone()),
        (json!(2), json!(0))
    );
    let reply = call(Method::GET, "/api/v1/channels?limit=2.5").send(Area::Channels, &db);
    assert_eq!(
        reply.problem(400),
        "query parameter limit must be an integer from 1 to 500, got \"2.5\""
    );
}
