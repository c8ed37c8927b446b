//! A minimal blocking HTTP/1.1 client for the reliability suite's runs against a real
//! `qoima serve`: one connection per request (`Connection: close`), so that a load run also
//! opens and closes thousands of connections (the server's descriptors must not grow), and
//! nothing but the standard library, so that many client threads cost little.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A response: the status, the headers (names in lower case) and the body.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers, in order, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Response {
    /// The first header named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request to `addr` (`host:port`) and reads the whole response. A generous
/// timeout is a safety net against a hung server, not a measure of anything.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    stream.set_write_timeout(Some(Duration::from_secs(120)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;
    read_response(BufReader::new(stream), method == "HEAD")
}

fn invalid(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned())
}

fn read_response(mut reader: impl BufRead, head_only: bool) -> std::io::Result<Response> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid("no status line"))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(invalid("the headers end early"));
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let mut response = Response {
        status,
        headers,
        body: Vec::new(),
    };
    if head_only || status == 204 || status == 304 {
        return Ok(response);
    }
    if response
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| invalid("a bad chunk size"))?;
            if size == 0 {
                break;
            }
            let start = response.body.len();
            response.body.resize(start + size, 0);
            reader.read_exact(&mut response.body[start..])?;
            line.clear();
            reader.read_line(&mut line)?;
        }
    } else if let Some(length) = response.header("content-length") {
        let length: usize = length.parse().map_err(|_| invalid("a bad length"))?;
        response.body.resize(length, 0);
        reader.read_exact(&mut response.body)?;
    } else {
        reader.read_to_end(&mut response.body)?;
    }
    Ok(response)
}

/// Base64 (RFC 4648, padded), for signatures in JSON and tus metadata.
pub fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= group.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The API on one server, with one key.
#[derive(Debug, Clone)]
pub struct Api {
    /// `host:port`.
    pub addr: String,
    /// The bearer token.
    pub key: String,
}

impl Api {
    /// A request with the key and `headers`.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Response> {
        let auth = format!("Bearer {}", self.key);
        let mut all = vec![("authorization", auth.as_str())];
        all.extend_from_slice(headers);
        request(&self.addr, method, path, &all, body)
    }

    /// Creates a tus upload of `content` (its SHA-256 declared) with the first `first` bytes
    /// in the creation request; the response (201 with its `location`, or the refusal).
    pub fn create_upload(&self, content: &[u8], first: usize) -> std::io::Result<Response> {
        let sha = qoima_vault::ContentAddress::of(content).to_string();
        let metadata = format!("sha256 {}", b64(sha.as_bytes()));
        let length = content.len().to_string();
        self.send(
            "POST",
            "/v1/uploads",
            &[
                ("tus-resumable", "1.0.0"),
                ("content-type", "application/offset+octet-stream"),
                ("upload-length", &length),
                ("upload-metadata", &metadata),
            ],
            &content[..first.min(content.len())],
        )
    }

    /// A tus PATCH of `bytes` at `offset` to the upload at `location`.
    pub fn patch(&self, location: &str, offset: usize, bytes: &[u8]) -> std::io::Result<Response> {
        let offset = offset.to_string();
        self.send(
            "PATCH",
            location,
            &[
                ("tus-resumable", "1.0.0"),
                ("content-type", "application/offset+octet-stream"),
                ("upload-offset", &offset),
            ],
            bytes,
        )
    }

    /// `POST /v1/documents` of the upload `upload` (an id) of `content`, signed by the
    /// generated PKI's `individual`.
    pub fn register_upload(&self, upload: &str, content: &[u8]) -> std::io::Result<Response> {
        use qoima_verifier::testing::{pki, sign_detached};
        let signature = sign_detached(pki::INDIVIDUAL, pki::INDIVIDUAL_KEY, content);
        let body = format!(
            "{{\"upload\":\"{upload}\",\"signatures\":[\"{}\"],\"class\":\"project-documentation\",\
             \"participant\":\"acme\",\"expectIin\":\"{}\",\"filename\":\"drawing.pdf\",\
             \"mediaType\":\"application/pdf\"}}",
            b64(&signature),
            crate::registration::SENDER_IIN
        );
        self.send(
            "POST",
            "/v1/documents",
            &[("content-type", "application/json")],
            body.as_bytes(),
        )
    }
}

/// A PDF of about `size` bytes, distinct per `n`: random bytes after a PDF header.
pub fn pdf(n: u64, size: usize) -> Vec<u8> {
    let mut bytes = format!("%PDF-1.7\n% reliability {n}\n").into_bytes();
    let tail = size.saturating_sub(bytes.len());
    bytes.extend(crate::Rng::new(n ^ 0x0070_6466).bytes(tail));
    bytes
}

/// A JSON string field of `body` (`"name":"value"`), without a JSON parser: the suite reads
/// only ids and numbers the server writes without escapes.
pub fn json_field(body: &str, name: &str) -> Option<String> {
    let needle = format!("\"{name}\":");
    let rest = body[body.find(&needle)? + needle.len()..].trim_start();
    if let Some(text) = rest.strip_prefix('"') {
        Some(text[..text.find('"')?].to_owned())
    } else {
        let end = rest.find([',', '}']).unwrap_or(rest.len());
        Some(rest[..end].trim().to_owned())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc_4648() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(super::b64(input.as_bytes()), expected);
        }
    }
}
