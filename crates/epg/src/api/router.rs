//! The route table and path matching. The table drives dispatch, `Allow` headers and the
//! OpenAPI consistency test, so a route exists in exactly one place.

use super::Area;

/// Every route: method, path template (`{id}` is a positive integer), area.
pub const ROUTES: &[(&str, &str, Area)] = &[
    ("GET", "/api/v1/health", Area::Health),
    ("GET", "/api/v1/openapi.json", Area::Health),
    ("GET", "/api/v1/channels", Area::Channels),
    ("GET", "/api/v1/channels/{id}", Area::Channels),
    ("PUT", "/api/v1/channels/{id}", Area::Channels),
    ("PATCH", "/api/v1/channels/{id}", Area::Channels),
    ("GET", "/api/v1/channels/{id}/programs", Area::Channels),
    ("GET", "/api/v1/channels/{id}/mappings", Area::Channels),
    ("POST", "/api/v1/channels/{id}/mappings", Area::Channels),
    ("GET", "/api/v1/programs/now", Area::Channels),
    ("GET", "/api/v1/programs/search", Area::Channels),
    ("DELETE", "/api/v1/mappings/{id}", Area::Channels),
    ("PATCH", "/api/v1/mappings/{id}", Area::Channels),
    ("GET", "/api/v1/providers", Area::Providers),
    ("POST", "/api/v1/providers", Area::Providers),
    ("GET", "/api/v1/providers/{id}", Area::Providers),
    ("PUT", "/api/v1/providers/{id}", Area::Providers),
    ("DELETE", "/api/v1/providers/{id}", Area::Providers),
    ("POST", "/api/v1/import/trigger", Area::Imports),
    ("GET", "/api/v1/import/status", Area::Imports),
    ("GET", "/api/v1/import/runs/{id}", Area::Imports),
    ("POST", "/api/v1/jobs/run", Area::Imports),
    ("GET", "/xmltv.xml", Area::Xmltv),
    ("GET", "/xmltv.xml.gz", Area::Xmltv),
    ("GET", "/api/v1/xmltv", Area::Xmltv),
    ("GET", "/api/v1/xmltv.gz", Area::Xmltv),
    // The web app's files (`crate::web::ASSETS`); not part of the API document.
    ("GET", "/", Area::Web),
    ("GET", "/style.css", Area::Web),
    ("GET", "/js/app.js", Area::Web),
    ("GET", "/js/api.js", Area::Web),
    ("GET", "/js/dom.js", Area::Web),
    ("GET", "/js/guide.js", Area::Web),
    ("GET", "/js/details.js", Area::Web),
    ("GET", "/js/providers.js", Area::Web),
    ("GET", "/js/channels.js", Area::Web),
    ("GET", "/js/media.js", Area::Web),
];

/// A path matched against the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched<'p> {
    /// The route's template, which is also its name in logs.
    pub template: &'static str,
    /// The area that serves it.
    pub area: Area,
    /// The methods the table lists for it, in table order.
    pub methods: Vec<&'static str>,
    /// The raw `{id}` segment, not yet validated.
    pub id: Option<&'p str>,
}

impl Matched<'_> {
    /// The `Allow` header's value: the table's methods, `HEAD` with `GET`, and `OPTIONS`.
    pub fn allow(&self) -> String {
        let mut allow: Vec<&str> = Vec::new();
        for m in &self.methods {
            allow.push(m);
            if *m == "GET" {
                allow.push("HEAD");
            }
        }
        allow.push("OPTIONS");
        allow.join(", ")
    }
}

/// Matches `path` (one trailing slash tolerated) against the table.
pub fn resolve(path: &str) -> Option<Matched<'_>> {
    let path = match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => p,
        _ => path,
    };
    let mut found: Option<Matched<'_>> = None;
    for &(method, template, area) in ROUTES {
        let Some(id) = match_template(template, path) else {
            continue;
        };
        match &mut found {
            Some(m) if m.template == template => m.methods.push(method),
            Some(_) => {}
            None => {
                found = Some(Matched {
                    template,
                    area,
                    methods: vec![method],
                    id,
                });
            }
        }
    }
    found
}

/// `Some(id segment)` when `path` fits `template`.
fn match_template<'p>(template: &str, path: &'p str) -> Option<Option<&'p str>> {
    let mut t = template.split('/');
    let mut p = path.split('/');
    let mut id = None;
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(id),
            (Some("{id}"), Some(seg)) if !seg.is_empty() => id = Some(seg),
            (Some(a), Some(b)) if a == b => {}
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_to_templates_with_their_methods() {
        let m = resolve("/api/v1/channels/abc/").expect("match");
        assert_eq!(m.template, "/api/v1/channels/{id}");
        assert_eq!(m.id, Some("abc"));
        assert_eq!(m.methods, ["GET", "PUT", "PATCH"]);
        assert_eq!(m.allow(), "GET, HEAD, PUT, PATCH, OPTIONS");
        let m = resolve("/api/v1/programs/now").expect("match");
        assert_eq!(
            (m.template, m.area, m.id),
            ("/api/v1/programs/now", Area::Channels, None)
        );
        assert_eq!(resolve("/api/v1/channels/1/nope"), None);
        assert_eq!(resolve("/api/v1/channels//programs"), None);
        assert_eq!(resolve("/nope"), None);
        assert_eq!(resolve("/api/v1/nope"), None);
        let m = resolve("/").expect("the app");
        assert_eq!((m.template, m.area), ("/", Area::Web));
    }

    #[test]
    fn the_app_routes_are_exactly_the_embedded_assets() {
        let routed: Vec<&str> = ROUTES
            .iter()
            .filter(|r| r.2 == Area::Web)
            .map(|r| r.1)
            .collect();
        let embedded: Vec<&str> = crate::web::ASSETS.iter().map(|a| a.path).collect();
        assert_eq!(routed, embedded);
        assert!(
            ROUTES
                .iter()
                .filter(|r| r.2 == Area::Web)
                .all(|r| r.0 == "GET")
        );
    }
}
