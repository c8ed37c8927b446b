//! The API's routes as data: the router dispatches on this table, the permission check and
//! the metrics read it, and a test holds `openapi.json` to it.

use hyper::Method;
use qoima_vault::keys::Permission;

/// One route: a method and a path template in OpenAPI's notation (`{name}` is one segment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The method, as HTTP spells it.
    pub method: &'static str,
    /// The path template, e.g. `/v1/documents/{id}`.
    pub path: &'static str,
    /// What the caller's key must grant; `None` for the routes anyone may call.
    pub permission: Option<Permission>,
}

/// A route anyone may call.
const fn open(method: &'static str, path: &'static str) -> Route {
    Route {
        method,
        path,
        permission: None,
    }
}

const fn route(method: &'static str, path: &'static str, permission: Permission) -> Route {
    Route {
        method,
        path,
        permission: Some(permission),
    }
}

use Permission::{Admin, Audit, Read, Write};

/// Every route the server answers.
pub const ROUTES: &[Route] = &[
    open("GET", "/healthz"),
    route("GET", "/metrics", Read),
    route("GET", "/openapi.json", Read),
    route("POST", "/v1/verify", Read),
    // tus 1.0.0: capability discovery needs no key (it reveals only the server's limits).
    open("OPTIONS", "/v1/uploads"),
    route("POST", "/v1/uploads", Write),
    route("HEAD", "/v1/uploads/{id}", Write),
    route("PATCH", "/v1/uploads/{id}", Write),
    route("DELETE", "/v1/uploads/{id}", Write),
    route("POST", "/v1/documents", Write),
    route("GET", "/v1/documents/{id}", Read),
    route("DELETE", "/v1/documents/{id}", Write),
    route("GET", "/v1/documents/{id}/versions", Read),
    route("POST", "/v1/documents/{id}/versions", Write),
    route("GET", "/v1/documents/{id}/statement", Write),
    route("GET", "/v1/documents/{id}/content", Read),
    route("POST", "/v1/documents/{id}/verify", Read),
    route("POST", "/v1/documents/{id}/holds", Audit),
    route("DELETE", "/v1/documents/{id}/holds", Audit),
    route("GET", "/v1/objects/{objectNumber}/documents", Read),
    route("GET", "/v1/audit/checkpoint", Audit),
    route("GET", "/v1/audit/proofs/inclusion", Audit),
    route("GET", "/v1/audit/proofs/consistency", Audit),
    route("GET", "/v1/keys", Admin),
    route("POST", "/v1/keys", Admin),
    route("DELETE", "/v1/keys/{id}", Admin),
    route("GET", "/v1/calendars", Read),
    route("PUT", "/v1/calendars/{year}", Admin),
];

/// Why no route answers a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// No template matches the path.
    NotFound,
    /// The path exists with these other methods.
    Method(Vec<&'static str>),
}

/// The route for `method` and `path`, with the values of the template's `{…}` segments in
/// order.
pub fn find<'p>(method: &Method, path: &'p str) -> Result<(&'static Route, Vec<&'p str>), Miss> {
    let mut allowed = Vec::new();
    for route in ROUTES {
        let Some(params) = matches(route.path, path) else {
            continue;
        };
        if route.method == method.as_str() {
            return Ok((route, params));
        }
        allowed.push(route.method);
    }
    if allowed.is_empty() {
        Err(Miss::NotFound)
    } else {
        Err(Miss::Method(allowed))
    }
}

/// The parameters of `path` under `template`, or `None` when it does not match. A parameter
/// is one non-empty segment.
fn matches<'p>(template: &str, path: &'p str) -> Option<Vec<&'p str>> {
    let mut params = Vec::new();
    let mut segments = path.strip_prefix('/')?.split('/');
    for part in template.trim_start_matches('/').split('/') {
        let segment = segments.next()?;
        if part.starts_with('{') {
            if segment.is_empty() {
                return None;
            }
            params.push(segment);
        } else if part != segment {
            return None;
        }
    }
    segments.next().is_none().then_some(params)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn finds_routes_and_parameters() {
        let (route, params) = find(&Method::GET, "/v1/documents/abc/content").unwrap();
        assert_eq!(route.path, "/v1/documents/{id}/content");
        assert_eq!(params, ["abc"]);
        let (route, params) = find(&Method::GET, "/v1/objects/123/documents").unwrap();
        assert_eq!(route.path, "/v1/objects/{objectNumber}/documents");
        assert_eq!(params, ["123"]);
        assert_eq!(
            find(&Method::GET, "/healthz").unwrap().1,
            Vec::<&str>::new()
        );
    }

    #[test]
    fn misses() {
        assert_eq!(find(&Method::GET, "/v1/nothing"), Err(Miss::NotFound));
        assert_eq!(
            find(&Method::GET, "/v1/documents//content"),
            Err(Miss::NotFound)
        );
        assert_eq!(
            find(&Method::GET, "/v1/documents/a/b/c"),
            Err(Miss::NotFound)
        );
        assert_eq!(find(&Method::GET, "/healthz/"), Err(Miss::NotFound));
        assert_eq!(find(&Method::GET, "healthz"), Err(Miss::NotFound));
        assert_eq!(
            find(&Method::PUT, "/v1/documents/x"),
            Err(Miss::Method(vec!["GET", "DELETE"]))
        );
    }

    #[test]
    fn every_route_is_unique() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                assert!((a.method, a.path) != (b.method, b.path), "{a:?} twice");
            }
        }
    }
}
