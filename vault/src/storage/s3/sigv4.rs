//! AWS Signature Version 4 for S3 requests, in the `Authorization` header, with the payload's
//! SHA-256 signed (not `UNSIGNED-PAYLOAD`, never `aws-chunked`): the gateway recomputes it and
//! refuses a body that does not match.
//!
//! Steps as AWS's "Signature Calculations for the Authorization Header" states them: a canonical
//! request (method, URI, query, headers, signed header names, payload hash), a string to sign
//! that names the scope `date/region/s3/aws4_request`, a signing key derived by HMAC-SHA256 from
//! the secret, and the signature as lower-case hex. HMAC and SHA-256 are ring's.

use ring::{digest, hmac};

/// The scheme name in the header and the string to sign.
const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The service name in the scope.
const SERVICE: &str = "s3";

/// An access key pair.
#[derive(Clone)]
pub(crate) struct Credentials {
    /// The access key id (public, in every request).
    pub access_key_id: String,
    /// The secret access key (never sent, never printed).
    pub secret_access_key: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<hidden>")
            .finish()
    }
}

/// What is signed of one request.
pub(crate) struct Canonical<'a> {
    /// `GET`, `PUT`, `HEAD`, `DELETE`.
    pub method: &'a str,
    /// The path as sent, already URI-encoded ([`uri_encode`] per segment).
    pub path: &'a str,
    /// Query parameters, not encoded (a parameter without value has an empty one).
    pub query: &'a [(String, String)],
    /// Header names in lower case with their values; `host`, `x-amz-date` and
    /// `x-amz-content-sha256` among them.
    pub headers: &'a [(String, String)],
    /// Lower-case hex SHA-256 of the body.
    pub payload_sha256: &'a str,
}

/// The `Authorization` header value for `request` at `amz_date` (`YYYYMMDDTHHMMSSZ`, UTC).
pub(crate) fn authorization(
    request: &Canonical<'_>,
    amz_date: &str,
    region: &str,
    credentials: &Credentials,
) -> String {
    let (canonical, signed_headers) = canonical_request(request);
    let date = amz_date.get(..8).unwrap_or(amz_date);
    let scope = format!("{date}/{region}/{SERVICE}/aws4_request");
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let mut key = hmac_sha256(
        format!("AWS4{}", credentials.secret_access_key).as_bytes(),
        date.as_bytes(),
    );
    for part in [region, SERVICE, "aws4_request"] {
        key = hmac_sha256(&key, part.as_bytes());
    }
    let signature = hex::encode(hmac_sha256(&key, string_to_sign.as_bytes()));
    format!(
        "{ALGORITHM} Credential={}/{scope},SignedHeaders={signed_headers},Signature={signature}",
        credentials.access_key_id
    )
}

/// The canonical request and the `;`-separated names of the signed headers.
fn canonical_request(request: &Canonical<'_>) -> (String, String) {
    let mut query: Vec<(String, String)> = request
        .query
        .iter()
        .map(|(k, v)| (uri_encode(k, true), uri_encode(v, true)))
        .collect();
    query.sort();
    let query = query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), collapse_spaces(v)))
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed = headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical = format!(
        "{}\n{}\n{query}\n{canonical_headers}\n{signed}\n{}",
        request.method, request.path, request.payload_sha256
    );
    (canonical, signed)
}

/// A header value trimmed, with runs of spaces made one, as the canonical headers want.
fn collapse_spaces(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// URI-encodes `text` as SigV4 does: every byte but `A-Za-z0-9-_.~` as `%XX` (upper-case
/// hex), and `/` too unless `slash` is false (object key paths).
pub(crate) fn uri_encode(text: &str, slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte))
            }
            b'/' if !slash => out.push('/'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Lower-case hex SHA-256.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, bytes))
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
        .as_ref()
        .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example key pair of AWS's S3 SigV4 documentation.
    fn example() -> Credentials {
        Credentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        }
    }

    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const DATE: &str = "20130524T000000Z";

    fn headers(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// AWS's "Example: GET Object" (a range of `/test.txt` in `examplebucket`).
    #[test]
    fn aws_example_get_object() {
        let headers = headers(&[
            ("Host", "examplebucket.s3.amazonaws.com"),
            ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", EMPTY),
            ("x-amz-date", DATE),
        ]);
        let request = Canonical {
            method: "GET",
            path: "/test.txt",
            query: &[],
            headers: &headers,
            payload_sha256: EMPTY,
        };
        let (canonical, _) = canonical_request(&request);
        assert_eq!(
            sha256_hex(canonical.as_bytes()),
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
        );
        assert_eq!(
            authorization(&request, DATE, "us-east-1", &example()),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,\
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
    }

    /// AWS's "Example: PUT Object": a `$` in the key, a body, more headers.
    #[test]
    fn aws_example_put_object() {
        let body_hash = sha256_hex(b"Welcome to Amazon S3.");
        assert_eq!(
            body_hash,
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
        );
        let headers = headers(&[
            ("Host", "examplebucket.s3.amazonaws.com"),
            ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
            ("x-amz-date", DATE),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("x-amz-content-sha256", &body_hash),
        ]);
        let path = format!("/{}", uri_encode("test$file.text", false));
        assert_eq!(path, "/test%24file.text");
        let request = Canonical {
            method: "PUT",
            path: &path,
            query: &[],
            headers: &headers,
            payload_sha256: &body_hash,
        };
        assert!(
            authorization(&request, DATE, "us-east-1", &example()).ends_with(
                "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,\
                 Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
            )
        );
    }

    /// AWS's "Example: GET Bucket Lifecycle" and "Get Bucket (List Objects)": query
    /// parameters, one without a value, sorted.
    #[test]
    fn aws_examples_with_query_parameters() {
        let headers = headers(&[
            ("Host", "examplebucket.s3.amazonaws.com"),
            ("x-amz-date", DATE),
            ("x-amz-content-sha256", EMPTY),
        ]);
        let sign = |query: &[(String, String)]| {
            authorization(
                &Canonical {
                    method: "GET",
                    path: "/",
                    query,
                    headers: &headers,
                    payload_sha256: EMPTY,
                },
                DATE,
                "us-east-1",
                &example(),
            )
        };
        assert!(sign(&[("lifecycle".into(), String::new())]).ends_with(
            "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"
        ));
        assert!(
            sign(&[
                ("prefix".into(), "J".into()),
                ("max-keys".into(), "2".into())
            ])
            .ends_with(
                "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
            )
        );
    }

    #[test]
    fn encoding_keeps_only_unreserved_bytes() {
        assert_eq!(uri_encode("a b+c=d/é~", true), "a%20b%2Bc%3Dd%2F%C3%A9~");
        assert_eq!(uri_encode("chunks/ab", false), "chunks/ab");
        assert!(!format!("{:?}", example()).contains("EXAMPLEKEY"));
    }
}
