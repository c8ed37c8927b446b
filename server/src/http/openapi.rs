//! The OpenAPI description of every route (`openapi.json`, served at `GET /openapi.json`).
//! Its tests hold it to the route table: the same routes, each with its security.

/// The document, as served.
pub(super) const OPENAPI: &str = include_str!("openapi.json");

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::OPENAPI;
    use crate::http::routes::ROUTES;

    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];

    fn document() -> Value {
        let text = OPENAPI;
        serde_json::from_str(text).unwrap_or_else(|e| panic!("openapi.json is not JSON: {e}"))
    }

    /// Every (METHOD, path) of the document, with its operation.
    fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (name, operation) in item.as_object().unwrap() {
                if METHODS.contains(&name.as_str()) {
                    out.push((name.to_uppercase(), path.clone(), operation));
                } else {
                    assert!(
                        ["parameters", "summary", "description"].contains(&name.as_str()),
                        "{path}: unexpected {name:?}"
                    );
                }
            }
        }
        out
    }

    /// `#/components/…/Name` resolved (one level: a response or a parameter).
    fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(pointer) => doc
                .pointer(pointer.strip_prefix('#').unwrap())
                .unwrap_or_else(|| panic!("dangling {pointer}")),
            None => value,
        }
    }

    #[test]
    fn is_openapi_3_with_the_expected_structure() {
        let doc = document();
        let version = doc["openapi"].as_str().unwrap();
        assert!(version.starts_with("3."), "{version}");
        assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
        assert!(doc["paths"].is_object());
        assert!(doc["components"]["schemas"]["Problem"].is_object());
        let bearer = &doc["components"]["securitySchemes"]["bearer"];
        assert_eq!(bearer["type"], "http");
        assert_eq!(bearer["scheme"], "bearer");

        // Every operation: a unique operationId, documented responses, refs that resolve, and
        // problem+json for every error it documents with a body.
        let mut ids = BTreeSet::new();
        for (method, path, operation) in operations(&doc) {
            let id = operation["operationId"].as_str().unwrap_or_else(|| {
                panic!("{method} {path}: no operationId");
            });
            assert!(ids.insert(id.to_owned()), "operationId {id} twice");
            let responses = operation["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path}: no responses");
            for (status, response) in responses {
                let code: u16 = status.parse().unwrap_or_else(|_| {
                    panic!("{method} {path}: status {status:?}");
                });
                let response = resolve(&doc, response);
                assert!(
                    response["description"].is_string(),
                    "{method} {path} {status}"
                );
                if code >= 400 && method != "HEAD" {
                    let content = response["content"].as_object().unwrap_or_else(|| {
                        panic!("{method} {path} {status}: no body");
                    });
                    let problem = &content["application/problem+json"]["schema"];
                    assert!(
                        resolve(&doc, problem) == &doc["components"]["schemas"]["Problem"],
                        "{method} {path} {status}: not problem+json"
                    );
                }
            }
            // Path parameters are declared.
            let mut declared = BTreeSet::new();
            let path_item = &doc["paths"][&path];
            for list in [&path_item["parameters"], &operation["parameters"]] {
                for parameter in list.as_array().into_iter().flatten() {
                    let parameter = resolve(&doc, parameter);
                    if parameter["in"] == "path" {
                        assert_eq!(parameter["required"], true, "{method} {path}");
                        declared.insert(parameter["name"].as_str().unwrap().to_owned());
                    }
                }
            }
            let in_template: BTreeSet<String> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .map(str::to_owned)
                .collect();
            assert_eq!(declared, in_template, "{method} {path}: path parameters");
        }
        // Every $ref in the document resolves.
        fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(r)) = map.get("$ref") {
                        out.push(r);
                    }
                    map.values().for_each(|v| refs(v, out));
                }
                Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        refs(&doc, &mut all);
        for r in all {
            assert!(
                doc.pointer(r.strip_prefix('#').unwrap()).is_some(),
                "dangling {r}"
            );
        }
    }

    #[test]
    fn describes_exactly_the_routes_the_server_answers() {
        let doc = document();
        let documented: BTreeSet<(String, String)> = operations(&doc)
            .into_iter()
            .map(|(method, path, _)| (method, path))
            .collect();
        let routed: BTreeSet<(String, String)> = ROUTES
            .iter()
            .map(|r| (r.method.to_owned(), r.path.to_owned()))
            .collect();
        let undocumented: Vec<_> = routed.difference(&documented).collect();
        let unrouted: Vec<_> = documented.difference(&routed).collect();
        assert!(
            undocumented.is_empty() && unrouted.is_empty(),
            "routes missing from openapi.json: {undocumented:?}; in openapi.json but not routed: \
             {unrouted:?}"
        );
    }

    #[test]
    fn security_matches_the_permissions() {
        let doc = document();
        let default_bearer = doc["security"]
            .as_array()
            .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
        for route in ROUTES {
            let operation = &doc["paths"][route.path][route.method.to_lowercase()];
            assert!(operation.is_object(), "{} {}", route.method, route.path);
            let security = operation.get("security").and_then(Value::as_array);
            let bearer = match security {
                Some(list) => list.iter().any(|r| r.get("bearer").is_some()),
                None => default_bearer,
            };
            let responses = &operation["responses"];
            match route.permission() {
                Some(permission) => {
                    assert!(
                        bearer,
                        "{} {} needs {permission:?}: no bearer security",
                        route.method, route.path
                    );
                    for status in ["401", "403"] {
                        assert!(
                            responses.get(status).is_some(),
                            "{} {}: no {status}",
                            route.method,
                            route.path
                        );
                    }
                    let unauthorized = resolve(&doc, &responses["401"]);
                    assert!(
                        unauthorized["headers"].get("WWW-Authenticate").is_some(),
                        "{} {}: 401 without WWW-Authenticate",
                        route.method,
                        route.path
                    );
                }
                None => {
                    // No key: an empty security requirement, no 401 or 403.
                    assert_eq!(
                        security.map(Vec::len),
                        Some(0),
                        "{} {} needs no key: `security: []`",
                        route.method,
                        route.path
                    );
                    assert!(responses.get("401").is_none() && responses.get("403").is_none());
                }
            }
        }
    }
}
