//! The API's routes as data: each with its method, path, who may call it, whether its body
//! is JSON, and its handler, so that a route cannot exist without one. The router dispatches
//! on this table, the metrics name its templates, and a test holds `openapi.json` to it.

use std::future::Future;
use std::pin::Pin;

use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response};
use qoima_vault::keys::{ApiKey, Permission};

use super::body::Body;
use super::{
    AppState, audit, calendars, documents, holds, key_admin, registration, reverifications,
    revocation, service, uploads, verify,
};

/// One route: a method and a path template in OpenAPI's notation (`{name}` is one segment).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Route {
    /// The method, as HTTP spells it.
    pub(crate) method: &'static str,
    /// The path template, e.g. `/v1/documents/{id}`.
    pub(crate) path: &'static str,
    /// Who may call it and what it does.
    pub(crate) access: Access,
}

/// Who may call a route, and its handler.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Access {
    /// Anyone.
    Open(OpenHandler),
    /// A key whose role grants the permission.
    Key(Permission, Handler),
}

/// What a handler of a keyed route gets besides the request (or its body).
#[derive(Clone, Copy)]
pub(crate) struct Call<'a> {
    /// The server's state.
    pub(crate) state: &'a AppState,
    /// The caller's key, which grants the route's permission.
    pub(crate) key: &'a ApiKey,
    /// The value of the path's `{…}` segment (every template has at most one), or "".
    pub(crate) param: &'a str,
}

/// A handler's response, when it is ready.
pub(crate) type Reply<'a> = Pin<Box<dyn Future<Output = Response<Body>> + Send + 'a>>;

/// The handler of an open route.
pub(crate) type OpenHandler = for<'a> fn(Request<Incoming>, &'a AppState) -> Reply<'a>;

/// The handler of a keyed route: of the whole request, or of its JSON body (read within the
/// limits and, for a key that signs its requests, its verified envelope opened first).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Handler {
    /// Takes the request (headers, query, a streamed body).
    Request(for<'a> fn(Request<Incoming>, Call<'a>) -> Reply<'a>),
    /// Takes the JSON body.
    Json(for<'a> fn(Bytes, Call<'a>) -> Reply<'a>),
}

impl Route {
    /// What the caller's key must grant; `None` for the routes anyone may call.
    #[cfg(test)]
    pub(crate) fn permission(&self) -> Option<Permission> {
        match self.access {
            Access::Open(_) => None,
            Access::Key(permission, _) => Some(permission),
        }
    }
}

/// A route anyone may call.
const fn open(method: &'static str, path: &'static str, handler: OpenHandler) -> Route {
    Route {
        method,
        path,
        access: Access::Open(handler),
    }
}

/// A route for keys that grant `permission`, handling the request.
const fn with_request(
    method: &'static str,
    path: &'static str,
    permission: Permission,
    handler: for<'a> fn(Request<Incoming>, Call<'a>) -> Reply<'a>,
) -> Route {
    Route {
        method,
        path,
        access: Access::Key(permission, Handler::Request(handler)),
    }
}

/// A route for keys that grant `permission`, handling a JSON body.
const fn with_json(
    method: &'static str,
    path: &'static str,
    permission: Permission,
    handler: for<'a> fn(Bytes, Call<'a>) -> Reply<'a>,
) -> Route {
    Route {
        method,
        path,
        access: Access::Key(permission, Handler::Json(handler)),
    }
}

/// A response computed at once.
fn ready<'a>(response: Response<Body>) -> Reply<'a> {
    Box::pin(std::future::ready(response))
}

use Permission::{Admin, Audit, Read, Reverify, Write};

/// Every route the server answers.
pub(crate) const ROUTES: &[Route] = &[
    open("GET", "/healthz", |_, state| ready(service::health(state))),
    with_request("GET", "/metrics", Read, |_, c| {
        ready(service::metrics_route(c.state))
    }),
    with_request("GET", "/openapi.json", Read, |_, _| {
        ready(service::openapi())
    }),
    with_request("POST", "/v1/verify", Read, |req, c| {
        Box::pin(verify::route(req, c.state))
    }),
    // tus 1.0.0: capability discovery needs no key (it reveals only the server's limits).
    open("OPTIONS", "/v1/uploads", |_, state| {
        ready(uploads::options(state))
    }),
    with_request("POST", "/v1/uploads", Write, |req, c| {
        Box::pin(uploads::create(req, c.state, c.key))
    }),
    with_request("HEAD", "/v1/uploads/{id}", Write, |req, c| {
        ready(uploads::head(c.param, &req, c.state, c.key))
    }),
    with_request("PATCH", "/v1/uploads/{id}", Write, |req, c| {
        Box::pin(uploads::patch(c.param, req, c.state, c.key))
    }),
    with_request("DELETE", "/v1/uploads/{id}", Write, |req, c| {
        ready(uploads::terminate(c.param, &req, c.state, c.key))
    }),
    with_json("POST", "/v1/documents", Write, |body, c| {
        Box::pin(async move { registration::register_route(&body, c.state, c.key).await })
    }),
    with_request("GET", "/v1/documents/{id}", Read, |_, c| {
        ready(documents::document_route(c.param, c.state, c.key))
    }),
    with_json("DELETE", "/v1/documents/{id}", Write, |body, c| {
        Box::pin(async move { documents::delete_route(c.param, &body, c.state, c.key).await })
    }),
    with_request("GET", "/v1/documents/{id}/versions", Read, |_, c| {
        ready(documents::versions_route(c.param, c.state, c.key))
    }),
    with_json("POST", "/v1/documents/{id}/versions", Write, |body, c| {
        Box::pin(
            async move { registration::new_version_route(c.param, &body, c.state, c.key).await },
        )
    }),
    with_request("GET", "/v1/documents/{id}/statement", Write, |req, c| {
        ready(registration::statement_route(
            c.param,
            req.uri().query(),
            c.state,
        ))
    }),
    with_request(
        "GET",
        "/v1/documents/{id}/disposal-statement",
        Write,
        |req, c| {
            ready(documents::disposal_statement_route(
                c.param,
                req.uri().query(),
                c.state,
            ))
        },
    ),
    with_request("GET", "/v1/documents/{id}/content", Read, |req, c| {
        Box::pin(
            async move { documents::content_route(req.headers(), c.param, c.state, c.key).await },
        )
    }),
    with_request("POST", "/v1/documents/{id}/verify", Read, |req, c| {
        Box::pin(async move {
            documents::reverify_route(c.param, req.uri().query(), c.state, c.key).await
        })
    }),
    with_json("POST", "/v1/documents/{id}/holds", Audit, |body, c| {
        ready(holds::place(c.param, &body, c.state, c.key))
    }),
    with_json("DELETE", "/v1/documents/{id}/holds", Audit, |body, c| {
        ready(holds::release(c.param, &body, c.state, c.key))
    }),
    with_request(
        "GET",
        "/v1/objects/{objectNumber}/documents",
        Read,
        |_, c| ready(documents::object_route(c.param, c.state, c.key)),
    ),
    with_request("GET", "/v1/audit/checkpoint", Audit, |_, c| {
        ready(audit::checkpoint_route(c.state))
    }),
    with_request("GET", "/v1/audit/proofs/inclusion", Audit, |req, c| {
        ready(audit::inclusion_route(req.uri().query(), c.state))
    }),
    with_request("GET", "/v1/audit/proofs/consistency", Audit, |req, c| {
        ready(audit::consistency_route(req.uri().query(), c.state))
    }),
    with_json("POST", "/v1/reverifications", Reverify, |body, c| {
        ready(reverifications::start(&body, c.state, c.key))
    }),
    with_request("GET", "/v1/reverifications/{id}", Reverify, |_, c| {
        ready(reverifications::show(c.param, c.state))
    }),
    with_request(
        "GET",
        "/v1/reverifications/{id}/results",
        Reverify,
        |_, c| ready(reverifications::results(c.param, c.state)),
    ),
    with_request("GET", "/v1/keys", Admin, |_, c| {
        ready(key_admin::list(c.state))
    }),
    with_json("POST", "/v1/keys", Admin, |body, c| {
        ready(key_admin::create(&body, c.state, c.key))
    }),
    // Bodiless, but a key that signs its requests signs this one too (an envelope of `{}`).
    with_json("DELETE", "/v1/keys/{id}", Admin, |_, c| {
        ready(key_admin::revoke(c.param, c.state, c.key))
    }),
    with_json("POST", "/v1/revocation", Admin, |body, c| {
        Box::pin(async move { revocation::import_route(&body, c.state, c.key).await })
    }),
    with_request("GET", "/v1/calendars", Read, |_, c| {
        ready(calendars::list(c.state))
    }),
    with_json("PUT", "/v1/calendars/{year}", Admin, |body, c| {
        ready(calendars::set(c.param, &body, c.state, c.key))
    }),
];

/// Why no route answers a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Miss {
    /// No template matches the path.
    NotFound,
    /// The path exists with these other methods.
    Method(Vec<&'static str>),
}

/// The route for `method` and `path`, with the values of the template's `{…}` segments in
/// order.
pub(crate) fn find<'p>(
    method: &Method,
    path: &'p str,
) -> Result<(&'static Route, Vec<&'p str>), Miss> {
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
        let miss = |path| find(&Method::GET, path).err();
        assert_eq!(miss("/v1/nothing"), Some(Miss::NotFound));
        assert_eq!(miss("/v1/documents//content"), Some(Miss::NotFound));
        assert_eq!(miss("/v1/documents/a/b/c"), Some(Miss::NotFound));
        assert_eq!(miss("/healthz/"), Some(Miss::NotFound));
        assert_eq!(miss("healthz"), Some(Miss::NotFound));
        assert_eq!(
            find(&Method::PUT, "/v1/documents/x").err(),
            Some(Miss::Method(vec!["GET", "DELETE"]))
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
