//! The server serves `openapi.json` (its unit tests hold the document to the route table);
//! scripts/schemathesis then checks the running server against it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use common::{Server, Vault, key, pdf, registration};
use serde_json::Value;

fn document() -> Value {
    let text = include_str!("../src/http/openapi.json");
    serde_json::from_str(text).unwrap_or_else(|e| panic!("openapi.json is not JSON: {e}"))
}

/// The server serves this very document, to any key, and not without one.
#[test]
fn served_at_openapi_json() {
    let vault = Vault::new();
    let reader = key(&vault, "reader");
    let server = Server::start(&vault);
    let (status, headers, body) = server.send(&reader, "GET", "/openapi.json", &[], Vec::new());
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), document());
    assert_eq!(
        server.request("", "GET", "/openapi.json", Vec::new()).0,
        401
    );
}

/// That `value` is what `#/components/schemas/{name}` describes: every member it has is a
/// property of the schema, every required property is there.
fn assert_conforms(doc: &Value, name: &str, value: &Value) {
    let schema = &doc["components"]["schemas"][name];
    let properties = schema["properties"].as_object().unwrap();
    let members = value
        .as_object()
        .unwrap_or_else(|| panic!("{name}: {value}"));
    for member in members.keys() {
        assert!(
            properties.contains_key(member),
            "{name}: `{member}` is not in openapi.json's schema"
        );
    }
    for required in schema["required"].as_array().into_iter().flatten() {
        let required = required.as_str().unwrap();
        assert!(members.contains_key(required), "{name}: no `{required}`");
    }
}

/// The representations the server sends (and the command line prints) are the ones
/// `openapi.json` describes, from a real registration.
#[test]
fn representations_are_described_by_their_schemas() {
    let doc = document();
    let vault = Vault::new();
    // The command line's registration prints the same representation.
    let printed = vault.register_ok(1, &[]);
    assert_conforms(&doc, "Registered", &printed);
    let content = pdf(2);
    let address = vault.put("two.pdf", &content);
    let writer = key(&vault, "writer");
    let reader = key(&vault, "reader");
    let server = Server::start(&vault);

    let (status, text) = server.request(
        &writer,
        "POST",
        "/v1/documents",
        registration(&address, &content),
    );
    assert_eq!(status, 201, "{text}");
    let registered: Value = serde_json::from_str(&text).unwrap();
    assert_conforms(&doc, "Registered", &registered);
    assert_eq!(
        registered.as_object().unwrap().keys().collect::<Vec<_>>(),
        printed.as_object().unwrap().keys().collect::<Vec<_>>(),
        "the API and the command line give one representation"
    );

    let id = registered["id"].as_str().unwrap();
    let document = server.get_json(&reader, &format!("/v1/documents/{id}"));
    assert_conforms(&doc, "Document", &document);
    assert_conforms(&doc, "Version", &document["current"]);
    let versions = server.get_json(&reader, &format!("/v1/documents/{id}/versions"));
    for version in versions["versions"].as_array().unwrap() {
        assert_conforms(&doc, "Version", version);
    }
}

/// Not a test: a helper of scripts/schemathesis, which registers a real document before it
/// starts the server so that the document routes are exercised on one. Writes a PDF and a
/// detached CMS over it by the test PKI's individual (`seed.pdf`, `seed.pdf.p7s`) into
/// `$QOIMA_SEED_DIR`.
#[test]
#[ignore = "a helper of scripts/schemathesis"]
fn schemathesis_seed() {
    let dir = std::path::PathBuf::from(std::env::var("QOIMA_SEED_DIR").unwrap());
    let content = common::pdf(1);
    let signature = qoima_verifier::testing::sign_detached(
        qoima_verifier::testing::pki::INDIVIDUAL,
        qoima_verifier::testing::pki::INDIVIDUAL_KEY,
        &content,
    );
    std::fs::write(dir.join("seed.pdf"), &content).unwrap();
    std::fs::write(dir.join("seed.pdf.p7s"), signature).unwrap();
}
