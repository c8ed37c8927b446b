//! End-to-end: signed requests from integrated systems. A key created with
//! `--bin BIN --require-signed` sends `POST /v1/documents` as a CMS SignedData carrying the
//! request it authorises (method, path and JSON body), signed by a signer of that BIN at the
//! server's clock; anything else is refused, and a key without `--require-signed` still sends
//! plain JSON.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.

mod common;

use common::signed::{ENVELOPE, envelope, envelope_at, head_registration, post, signed_key};
use common::{Server, Vault, b64, key, pdf, registration};
use qoima_verifier::testing::{pki, sign_attached_at, sign_detached};

#[test]
fn a_restart_does_not_open_the_window_to_a_replay() {
    let vault = Vault::new();
    let content = pdf(4);
    let address = vault.put("restart.pdf", &content);
    let signed = signed_key(&vault);
    let sealed = envelope(
        pki::HEAD,
        pki::HEAD_KEY,
        &head_registration(&address, &content),
    );
    let server = Server::start(&vault);
    let (status, registered) = post(&server, &signed, ENVELOPE, sealed.clone());
    assert_eq!(status, 201, "{registered}");
    drop(server);

    let server = Server::start(&vault);
    let (status, problem) = post(&server, &signed, ENVELOPE, sealed);
    assert_eq!(status, 409, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("accepted already"), "{detail}");
    // The same request signed at a later second is a new request (the registration itself
    // then answers; it is not refused as a replay).
    let again = envelope_at(
        pki::HEAD,
        pki::HEAD_KEY,
        &head_registration(&address, &content),
        jiff::Timestamp::now().as_second() + 1,
    );
    let (_, answer) = post(&server, &signed, ENVELOPE, again);
    assert!(!answer.to_string().contains("accepted already"), "{answer}");
}

#[test]
fn a_key_that_requires_signed_requests() {
    let vault = Vault::new();
    let (first, second, third) = (pdf(1), pdf(2), pdf(3));
    let first_address = vault.put("first.pdf", &first);
    let second_address = vault.put("second.pdf", &second);
    let third_address = vault.put("third.pdf", &third);
    let signed = signed_key(&vault);
    let plain = key(&vault, "writer");
    let server = Server::start(&vault);

    // Plain JSON from a key that requires signed requests: 415, nothing registered.
    let body = head_registration(&first_address, &first);
    let (status, problem) = post(&server, &signed, "application/json", body.clone());
    assert_eq!(status, 415, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("requires CMS-signed requests"), "{detail}");

    // The same JSON in an envelope signed now by the head of the key's organisation: 201.
    let sealed = envelope(pki::HEAD, pki::HEAD_KEY, &body);
    let (status, registered) = post(&server, &signed, ENVELOPE, sealed.clone());
    assert_eq!(status, 201, "{registered}");
    assert_eq!(
        registered["address"],
        first_address.as_str(),
        "{registered}"
    );
    let id = registered["id"].as_str().unwrap().to_owned();

    // The same envelope again, whatever its encoding: a replay, 409.
    let (status, problem) = post(&server, &signed, ENVELOPE, sealed.clone());
    assert_eq!(status, 409, "{problem}");
    let (status, problem) = post(&server, &signed, "application/cms", b64(&sealed).into());
    assert_eq!(status, 409, "{problem}");

    // Signed by someone who is not of the key's BIN (the individual has none): 403 with the
    // report, nothing registered.
    let body = head_registration(&second_address, &second);
    let foreign = envelope(pki::INDIVIDUAL, pki::INDIVIDUAL_KEY, &body);
    let (status, problem) = post(&server, &signed, ENVELOPE, foreign);
    assert_eq!(status, 403, "{problem}");
    assert_eq!(problem["report"]["subIndication"], "NOT_OWNER", "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("NOT_OWNER"),
        "{problem}"
    );

    // A detached signature carries no request: 400.
    let detached = sign_detached(pki::HEAD, pki::HEAD_KEY, &body);
    let (status, problem) = post(&server, &signed, ENVELOPE, detached);
    assert_eq!(status, 400, "{problem}");

    // A signature made long ago (or far ahead): 403, stale.
    let stale = envelope_at(
        pki::HEAD,
        pki::HEAD_KEY,
        &body,
        jiff::Timestamp::now().as_second() - 3600,
    );
    let (status, problem) = post(&server, &signed, ENVELOPE, stale);
    assert_eq!(status, 403, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("stale"),
        "{problem}"
    );

    // An envelope authorises the request it names, no other: one signed for
    // `POST /v1/documents` is refused on another route, and the bare JSON is no request.
    let elsewhere = format!("/v1/documents/{id}/versions");
    let headers = [("content-type", ENVELOPE)];
    for sealed in [
        envelope(pki::HEAD, pki::HEAD_KEY, &body),
        sign_attached_at(
            pki::HEAD,
            pki::HEAD_KEY,
            &body,
            jiff::Timestamp::now().as_second(),
        ),
    ] {
        let (status, _, text) = server.send(&signed, "POST", &elsewhere, &headers, sealed);
        let text = String::from_utf8(text).unwrap();
        assert!(status == 403 || status == 400, "{status}: {text}");
    }
    let sealed = envelope(pki::HEAD, pki::HEAD_KEY, &body);
    let (status, _, text) = server.send(&signed, "POST", &elsewhere, &headers, sealed);
    let text = String::from_utf8(text).unwrap();
    assert_eq!(status, 403, "{text}");
    assert!(
        text.contains("authorises POST /v1/documents, not POST"),
        "{text}"
    );

    // Reads need no envelope.
    let document = server.get_json(&signed, &format!("/v1/documents/{id}"));
    assert_eq!(document["id"], id.as_str(), "{document}");

    // A key without --require-signed still sends plain JSON.
    let (status, registered) = post(
        &server,
        &plain,
        "application/json",
        registration(&third_address, &third),
    );
    assert_eq!(status, 201, "{registered}");
    // And the second document, refused above, registers now.
    let (status, registered) = post(
        &server,
        &plain,
        "application/json",
        registration(&second_address, &second),
    );
    assert_eq!(status, 201, "{registered}");
}
