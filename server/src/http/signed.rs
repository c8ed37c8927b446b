//! Signed requests from integrated systems.
//!
//! The portal rules make a message from an integrated system authoritative only when "a
//! positive check that the EDS belongs to the sender and that the EDS is valid" confirms its
//! authorship (order 670 §36). So an API key created with `--require-signed` (and its `--bin`)
//! sends every mutating JSON body as the encapsulated content (eContent, RFC 5652 §5.2) of a
//! CMS SignedData, and [`open_envelope`] hands the route the JSON only when:
//!
//! 1. the media type says it is a CMS (`application/pkcs7-mime`, RFC 8551 §3.2, or
//!    `application/cms`, RFC 7193), else 415;
//! 2. it decodes (DER, BER, PEM or base64 text, as the engine reads them) and carries its
//!    content as id-data (attached), else 400: a detached signature signs nothing the server
//!    can read;
//! 3. the engine verifies it at the server's clock with the key's BIN as the ownership
//!    expectation and says TOTAL_PASSED, else 403 with the report;
//! 4. a signer with the key's BIN claims a `signingTime` (RFC 5652 §11.3) within the
//!    [`ReplayGuard`]'s window of the server's clock, else 403: the claim is all that binds
//!    an envelope to the moment it was made;
//! 5. the content is the request it authorises ([`Authorisation`]): a JSON object naming the
//!    method, the path and the body, and the method and path are the request's own, else 403,
//!    so that an envelope signed for one route or document is not accepted by another;
//! 6. that signer's signed attributes were not accepted before within the window, else 409,
//!    so that a captured request cannot be sent again.
//!
//! tus upload bytes need no envelope: they carry no authority and become a document only
//! through a signed `POST /v1/documents` that names their SHA-256.

use hyper::StatusCode;
use qoima_vault::keys::ApiKey;
use qoima_verifier::crypto::DigestAlgorithm;
use qoima_verifier::identity::Expectation;
use qoima_verifier::{Request, Verifier};

pub use super::replay::{AdmitError, DEFAULT_WINDOW, ReplayGuard};

/// The media types of an envelope, without parameters: `application/pkcs7-mime` (RFC 8551
/// §3.2, the S/MIME name of a SignedData with its content), its pre-registration alias
/// `application/x-pkcs7-mime` (RFC 2311, still sent by older stacks), and `application/cms`
/// (RFC 7193). `application/pkcs7-signature` is not among them: it names a *detached*
/// signature (RFC 8551 §3.5.3), which carries no request.
pub const ENVELOPE_MEDIA_TYPES: [&str; 3] = [
    "application/pkcs7-mime",
    "application/x-pkcs7-mime",
    "application/cms",
];

/// Why a signed request is refused: the HTTP status, a `detail` for the problem+json body
/// (RFC 9457), and the verification report when the engine gave one.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Refusal {
    /// 415, 400, 403, 409, or 500 when the key itself cannot be checked, or the request
    /// recorded (503 when the database the nodes share did not answer).
    pub status: StatusCode,
    /// What is wrong, for people.
    pub detail: String,
    /// The engine's report (as `POST /v1/verify` returns it), for a 403 after verification.
    pub report: Option<serde_json::Value>,
}

impl Refusal {
    fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            report: None,
        }
    }
}

/// The encapsulated content of a signed request: what its signer authorises, all of it signed.
/// `{"method": "POST", "path": "/v1/documents", "body": {...}}`; `path` is the request's path
/// without its query.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Authorisation {
    method: String,
    path: String,
    body: serde_json::Value,
}

/// The request an envelope comes with: its method and path.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The method, `POST`, `DELETE`, ...
    pub method: &'a str,
    /// The path, without the query.
    pub path: &'a str,
}

/// Opens the envelope of a request made with `key` (which requires signed requests) to
/// `target`: the body as received, its `Content-Type`, the server's verifier, replay guard and
/// clock. Returns the body it authorises (the JSON the route then parses), or why the request
/// is refused (module docs).
#[allow(clippy::too_many_arguments)] // Each is one fact of the request or the server.
pub fn open_envelope(
    body: &[u8],
    content_type: Option<&str>,
    target: Target<'_>,
    key: &ApiKey,
    verifier: &Verifier,
    guard: &ReplayGuard,
    now: jiff::Timestamp,
) -> Result<Vec<u8>, Refusal> {
    let Some(bin) = key.bin.as_deref() else {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            format!(
                "API key {} requires signed requests but names no BIN: no signer can speak for it",
                key.id
            ),
        ));
    };
    open(
        body,
        content_type,
        target,
        bin,
        verifier,
        guard,
        now.as_second(),
    )
}

/// [`open_envelope`] for a sender with this BIN, at `now` (unix seconds).
fn open(
    body: &[u8],
    content_type: Option<&str>,
    target: Target<'_>,
    bin: &str,
    verifier: &Verifier,
    guard: &ReplayGuard,
    now: i64,
) -> Result<Vec<u8>, Refusal> {
    check_media_type(content_type)?;
    let bad = |what: String| Refusal::new(StatusCode::BAD_REQUEST, what);
    let decoded = qoima_verifier::decode_cms(body)
        .map_err(|e| bad(format!("the body is not a CMS SignedData: {e}")))?;
    let signed_data = qoima_verifier::parse_signed_data(&decoded.bytes)
        .map_err(|e| bad(format!("the body is not a CMS SignedData: {e}")))?;
    let Some(content) = signed_data.content() else {
        return Err(bad(
            "the CMS is detached: a signed request carries its JSON as the encapsulated content"
                .into(),
        ));
    };
    if signed_data.encap_content_info.e_content_type != qoima_verifier::oid::ID_DATA {
        return Err(bad(format!(
            "the encapsulated content is of type {}, not id-data (1.2.840.113549.1.7.1)",
            signed_data.encap_content_info.e_content_type
        )));
    }

    let request = Request::new(body, now).expect(Expectation {
        iin: None,
        bin: Some(bin.to_owned()),
        roles: Vec::new(),
    });
    let report = verifier.verify(&request).map_err(|e| {
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the API key's BIN cannot be checked: {e}"),
        )
    })?;
    let report_json = || serde_json::to_value(&report).ok();
    if !report.verdict.passed() {
        return Err(Refusal {
            status: StatusCode::FORBIDDEN,
            detail: format!(
                "the request's signature is not accepted for BIN {bin}: {}",
                report.verdict
            ),
            report: report_json(),
        });
    }

    // The signers who speak for the key (the engine's ownership check), with a fresh claim.
    let owners: Vec<_> = report
        .signers
        .iter()
        .filter(|signer| signer.owner == Some(true))
        .collect();
    let fresh: Vec<_> = owners
        .iter()
        .filter_map(|signer| {
            let time = signer.claimed_signing_time?.unix_timestamp();
            guard.fresh(time, now).then_some((signer.index, time))
        })
        .collect();
    // Remembered until the latest fresh claim is a window old.
    let Some(signing_time) = fresh.iter().map(|&(_, time)| time).max() else {
        let claimed: Vec<String> = owners
            .iter()
            .filter_map(|signer| signer.claimed_signing_time.map(|t| t.to_string()))
            .collect();
        let window = guard.window().as_secs();
        let detail = if claimed.is_empty() {
            format!(
                "the signature of BIN {bin} has no signingTime attribute: a signed request must \
                 claim when it was signed (within {window} s of the server's clock)"
            )
        } else {
            format!(
                "the signature of BIN {bin} is stale: signingTime {} is more than {window} s \
                 from the server's clock",
                claimed.join(", ")
            )
        };
        return Err(Refusal {
            status: StatusCode::FORBIDDEN,
            detail,
            report: report_json(),
        });
    };

    let authorised = authorised(content, target)?;

    let digests: Vec<Vec<u8>> = fresh
        .iter()
        .filter_map(|(index, _)| signed_data.signer_infos.get(*index)?.signed_attrs.as_ref())
        .map(|attrs| DigestAlgorithm::Sha256.digest_parts(&attrs.bytes_to_verify_parts()))
        .collect();
    if digests.is_empty() {
        // A claimed signingTime comes from signed attributes: not reached.
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            "the signature of the key's BIN has no signed attributes",
        ));
    }
    let admitted = guard.admit(&digests, signing_time, now).map_err(|e| {
        // The shared database unreachable is the service's, for a while: 503, try again.
        let status = match e {
            AdmitError::Shared(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Refusal::new(
            status,
            format!("the signed request could not be recorded against replays: {e}"),
        )
    })?;
    if !admitted {
        return Err(Refusal::new(
            StatusCode::CONFLICT,
            "this signed request was accepted already: sign each request anew",
        ));
    }
    Ok(authorised)
}

/// The body `content` authorises, when it authorises `target` (method and path); 400 when it
/// is not an [`Authorisation`], 403 when it names another request.
fn authorised(content: &[u8], target: Target<'_>) -> Result<Vec<u8>, Refusal> {
    let authorisation: Authorisation = serde_json::from_slice(content).map_err(|e| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            format!(
                "the signed content is not a request: it is a JSON object with the method, the \
                 path and the body it authorises, {{\"method\", \"path\", \"body\"}} ({e})"
            ),
        )
    })?;
    if !authorisation.method.eq_ignore_ascii_case(target.method)
        || authorisation.path != target.path
    {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            format!(
                "the signed request authorises {} {}, not {} {}",
                authorisation.method, authorisation.path, target.method, target.path
            ),
        ));
    }
    serde_json::to_vec(&authorisation.body).map_err(|e| {
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the signed body could not be handed on: {e}"),
        )
    })
}

/// 415 unless `content_type` names an envelope ([`ENVELOPE_MEDIA_TYPES`]; RFC 9110 §8.3.1:
/// type and subtype are case-insensitive, parameters follow `;`). An `smime-type` parameter,
/// when given, must be `signed-data` (RFC 8551 §3.2.2).
fn check_media_type(content_type: Option<&str>) -> Result<(), Refusal> {
    let refuse = |why: String| {
        Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "this API key requires CMS-signed requests: send the JSON as the encapsulated \
                 content of a CMS SignedData signed by the key's BIN, as {} ({why})",
                ENVELOPE_MEDIA_TYPES.join(" or ")
            ),
        )
    };
    let Some(content_type) = content_type else {
        return Err(refuse("the request has no Content-Type".into()));
    };
    let mut parts = content_type.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    if !ENVELOPE_MEDIA_TYPES
        .iter()
        .any(|t| t.eq_ignore_ascii_case(essence))
    {
        return Err(refuse(format!("not {essence}")));
    }
    for parameter in parts {
        let Some((name, value)) = parameter.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"');
        if name.trim().eq_ignore_ascii_case("smime-type")
            && !value.eq_ignore_ascii_case("signed-data")
        {
            return Err(refuse(format!("smime-type={value}, not signed-data")));
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;
    use qoima_verifier::policy::Policy;
    use qoima_verifier::testing::{pki, sign_attached_at, sign_detached};

    const HEAD_BIN: &str = "240140001238";
    const WRONG_BIN: &str = "150340004568";
    /// What the envelopes of these tests sign: the request they authorise.
    const JSON: &[u8] =
        br#"{"method":"POST","path":"/v1/documents","body":{"sha256":"00","class":"project-documentation"}}"#;
    /// The body it authorises, as the route gets it.
    const BODY: &[u8] = br#"{"class":"project-documentation","sha256":"00"}"#;
    const TARGET: Target<'static> = Target {
        method: "POST",
        path: "/v1/documents",
    };
    const CMS: Option<&str> = Some("application/pkcs7-mime; smime-type=signed-data");

    fn now() -> i64 {
        jiff::Timestamp::now().as_second()
    }

    fn head(content: &[u8], at: i64) -> Vec<u8> {
        sign_attached_at(pki::HEAD, pki::HEAD_KEY, content, at)
    }

    fn open_as(body: &[u8], content_type: Option<&str>, bin: &str) -> Result<Vec<u8>, Refusal> {
        open(
            body,
            content_type,
            TARGET,
            bin,
            &pki::rsa_verifier(),
            &ReplayGuard::default(),
            now(),
        )
    }

    fn refused(result: Result<Vec<u8>, Refusal>, status: StatusCode) -> Refusal {
        let refusal = result.expect_err("refused");
        assert_eq!(refusal.status, status, "{}", refusal.detail);
        refusal
    }

    fn sub_indication(refusal: &Refusal) -> &str {
        refusal.report.as_ref().unwrap()["subIndication"]
            .as_str()
            .unwrap()
    }

    #[test]
    fn a_good_envelope_gives_its_json() {
        let envelope = head(JSON, now());
        assert_eq!(open_as(&envelope, CMS, HEAD_BIN).unwrap(), BODY);
        // Every media type, and the text encodings the engine reads.
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &envelope);
        for (i, content_type) in [
            "application/cms",
            "Application/PKCS7-MIME",
            "application/x-pkcs7-mime",
        ]
        .into_iter()
        .enumerate()
        {
            let body = if i == 0 {
                b64.clone().into_bytes()
            } else {
                head(JSON, now())
            };
            assert_eq!(open_as(&body, Some(content_type), HEAD_BIN).unwrap(), BODY);
        }
        let pem = format!("-----BEGIN CMS-----\n{b64}\n-----END CMS-----\n");
        assert_eq!(open_as(pem.as_bytes(), CMS, HEAD_BIN).unwrap(), BODY);
    }

    #[test]
    fn through_an_api_key() {
        use qoima_vault::keys::{NewKey, Role};
        use qoima_vault::records::{Calendar, Numbering, Template};

        let dir = tempfile::tempdir().unwrap();
        let content =
            qoima_vault::ContentStore::open(dir.path(), qoima_vault::ContentConfig::default())
                .unwrap();
        let registry = qoima_vault::registry::Registry::new(
            content,
            std::sync::Arc::new(pki::rsa_verifier()),
            Calendar::builtin().unwrap(),
            Numbering::new(Template::parse(Numbering::DEFAULT_TEMPLATE).unwrap()),
        )
        .unwrap();
        let at = jiff::Timestamp::now();
        let key_of = |bin: Option<&str>| {
            let new = NewKey {
                bin: bin.map(str::to_owned),
                require_signed: bin.is_some(),
                ..NewKey::new(Role::Writer)
            };
            let by = "operator".parse().unwrap();
            let (_, token) = registry.create_key(&new, &by, at).unwrap();
            qoima_vault::keys::authenticate(registry.content().backend(), &token)
                .unwrap()
                .unwrap()
        };
        let verifier = pki::rsa_verifier();
        let guard = ReplayGuard::default();
        let envelope = head(JSON, now());
        let key = key_of(Some(HEAD_BIN));
        let opened = open_envelope(&envelope, CMS, TARGET, &key, &verifier, &guard, at);
        assert_eq!(opened.unwrap(), BODY);
        // A key without a BIN (the vault's API allows it) admits nobody.
        let refusal = refused(
            open_envelope(&envelope, CMS, TARGET, &key_of(None), &verifier, &guard, at),
            StatusCode::FORBIDDEN,
        );
        assert!(
            refusal.detail.contains("names no BIN"),
            "{}",
            refusal.detail
        );
    }

    #[test]
    fn another_signer_is_not_the_owner() {
        // An individual has no BIN at all.
        let envelope = sign_attached_at(pki::INDIVIDUAL, pki::INDIVIDUAL_KEY, JSON, now());
        let refusal = refused(open_as(&envelope, CMS, HEAD_BIN), StatusCode::FORBIDDEN);
        assert_eq!(sub_indication(&refusal), "NOT_OWNER");
        assert!(refusal.detail.contains("NOT_OWNER"), "{}", refusal.detail);
        // The head of another organisation than the key's.
        let refusal = refused(
            open_as(&head(JSON, now()), CMS, WRONG_BIN),
            StatusCode::FORBIDDEN,
        );
        assert_eq!(sub_indication(&refusal), "NOT_OWNER");
    }

    #[test]
    fn an_invalid_signer_is_refused() {
        // The revoked certificate has no BIN, but its signature is not valid (revoked, no POE:
        // INDETERMINATE), so whether it is the sender is unknown: the verdict is the
        // revocation, not NOT_OWNER.
        let envelope = sign_attached_at(pki::REVOKED, pki::REVOKED_KEY, JSON, now());
        let refusal = refused(open_as(&envelope, CMS, HEAD_BIN), StatusCode::FORBIDDEN);
        let report = refusal.report.as_ref().unwrap();
        assert_eq!(report["signers"][0]["subIndication"], "REVOKED_NO_POE");
        assert_eq!(report["subIndication"], "REVOKED_NO_POE");
        // The right owner whose revocation status cannot be established (no CRL of ca-rsa).
        let verifier = pki::rsa_verifier_with(&[pki::ROOT_RSA_CRL], Policy::default());
        let refusal = refused(
            open(
                &head(JSON, now()),
                CMS,
                TARGET,
                HEAD_BIN,
                &verifier,
                &ReplayGuard::default(),
                now(),
            ),
            StatusCode::FORBIDDEN,
        );
        assert_eq!(sub_indication(&refusal), "TRY_LATER");
        assert!(
            refusal.detail.contains("INDETERMINATE / TRY_LATER"),
            "{}",
            refusal.detail
        );
    }

    #[test]
    fn an_envelope_authorises_one_method_and_path() {
        let envelope = head(JSON, now());
        let open_for = |method: &str, path: &str| {
            let target = Target { method, path };
            open(
                &envelope,
                CMS,
                target,
                HEAD_BIN,
                &pki::rsa_verifier(),
                &ReplayGuard::default(),
                now(),
            )
        };
        for (method, path) in [
            ("DELETE", "/v1/documents"),
            (
                "POST",
                "/v1/documents/0123456789abcdef0123456789abcdef/versions",
            ),
            ("POST", "/v1/documents/"),
        ] {
            let refusal = refused(open_for(method, path), StatusCode::FORBIDDEN);
            assert!(
                refusal.detail.contains("authorises POST /v1/documents"),
                "{}",
                refusal.detail
            );
        }
        assert_eq!(open_for("post", "/v1/documents").unwrap(), BODY);
        // Content that is not a request: the bare body, or one with fields it does not know.
        for content in [
            br#"{"sha256":"00"}"#.as_slice(),
            br#"{"method":"POST","path":"/v1/documents","body":{},"also":1}"#,
            b"not json",
        ] {
            refused(
                open_as(&head(content, now()), CMS, HEAD_BIN),
                StatusCode::BAD_REQUEST,
            );
        }
    }

    #[test]
    fn tampered_content_is_refused() {
        let mut envelope = head(JSON, now());
        let at = envelope
            .windows(JSON.len())
            .position(|w| w == JSON)
            .unwrap();
        envelope[at + 2] ^= 0x20; // "sha256" → "Sha256"
        let refusal = refused(open_as(&envelope, CMS, HEAD_BIN), StatusCode::FORBIDDEN);
        assert_eq!(sub_indication(&refusal), "HASH_FAILURE");
    }

    #[test]
    fn a_detached_signature_is_400() {
        let envelope = sign_detached(pki::HEAD, pki::HEAD_KEY, JSON);
        let refusal = refused(open_as(&envelope, CMS, HEAD_BIN), StatusCode::BAD_REQUEST);
        assert!(refusal.detail.contains("detached"), "{}", refusal.detail);
    }

    #[test]
    fn not_a_cms_is_400() {
        for body in [&b""[..], b"{\"sha256\":\"00\"}", b"\x30\x03\x02\x01\x01"] {
            let refusal = refused(open_as(body, CMS, HEAD_BIN), StatusCode::BAD_REQUEST);
            assert!(refusal.detail.contains("not a CMS"), "{}", refusal.detail);
        }
    }

    #[test]
    fn plain_json_is_415() {
        let envelope = head(JSON, now());
        for content_type in [
            None,
            Some("application/json"),
            Some("application/pkcs7-signature"),
            Some("application/pkcs7-mime; smime-type=enveloped-data"),
        ] {
            let refusal = refused(
                open_as(&envelope, content_type, HEAD_BIN),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            );
            assert!(
                refusal.detail.contains("requires CMS-signed requests"),
                "{}",
                refusal.detail
            );
        }
    }

    #[test]
    fn a_stale_or_missing_signing_time_is_refused() {
        let window = DEFAULT_WINDOW.as_secs() as i64;
        for at in [now() - window - 60, now() + window + 60] {
            let refusal = refused(
                open_as(&head(JSON, at), CMS, HEAD_BIN),
                StatusCode::FORBIDDEN,
            );
            assert!(refusal.detail.contains("stale"), "{}", refusal.detail);
        }
        // Within the window either way is fine.
        for at in [now() - window + 30, now() + window - 30] {
            assert_eq!(open_as(&head(JSON, at), CMS, HEAD_BIN).unwrap(), BODY);
        }
        let undated = qoima_verifier::testing::signed_data(
            pki::HEAD,
            pki::HEAD_KEY,
            qoima_verifier::testing::ID_DATA,
            JSON,
            true,
        );
        let refusal = refused(open_as(&undated, CMS, HEAD_BIN), StatusCode::FORBIDDEN);
        assert!(
            refusal.detail.contains("no signingTime"),
            "{}",
            refusal.detail
        );
    }

    #[test]
    fn a_replay_is_409() {
        let verifier = pki::rsa_verifier();
        let guard = ReplayGuard::default();
        let t = now();
        let envelope = head(JSON, t);
        let open_at =
            |body: &[u8], now: i64| open(body, CMS, TARGET, HEAD_BIN, &verifier, &guard, now);
        assert_eq!(open_at(&envelope, t).unwrap(), BODY);
        refused(open_at(&envelope, t + 1), StatusCode::CONFLICT);
        // Re-encoded (base64 text) it is the same signed request.
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &envelope);
        refused(open_at(b64.as_bytes(), t + 2), StatusCode::CONFLICT);
        // The same JSON signed again is a new request.
        assert_eq!(open_at(&head(JSON, t + 1), t + 2).unwrap(), BODY);
        assert_eq!(guard.len(), 2);
        // Past the window the time check refuses it, and the guard forgets it.
        let later = t + DEFAULT_WINDOW.as_secs() as i64 + 10;
        refused(open_at(&envelope, later), StatusCode::FORBIDDEN);
        assert_eq!(open_at(&head(JSON, later), later).unwrap(), BODY);
        assert_eq!(guard.len(), 1);
    }
}
