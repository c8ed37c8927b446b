//! HTTP/1.1 written and read by hand on a TCP stream, for the tests of what a client library
//! would not send or would hide (stalls, trickles, oversized heads, closes).

/// An answer read off the wire.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// Names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The problem+json body's `detail`, asserting the media type.
    pub fn detail(&self) -> String {
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{self:?}"
        );
        let value: serde_json::Value = serde_json::from_slice(&self.body).unwrap();
        assert_eq!(value["status"], self.status, "{value}");
        value["detail"].as_str().unwrap().to_owned()
    }
}

/// A request head; `Content-Length` when `length` is given (no `Connection: close`, which
/// callers add when they want it).
pub fn head_of(
    method: &str,
    path: &str,
    key: Option<&str>,
    headers: &[(&str, &str)],
    length: Option<usize>,
) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\n");
    if let Some(key) = key {
        head.push_str(&format!("Authorization: Bearer {key}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(length) = length {
        head.push_str(&format!("Content-Length: {length}\r\n"));
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// The answer head in `bytes`, once it is all there: where its body starts, and the answer
/// without its body.
pub fn parse_head(bytes: &[u8]) -> Option<(usize, Reply)> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&bytes[..end]).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    let reply = Reply {
        status,
        headers,
        body: Vec::new(),
    };
    Some((end + 4, reply))
}
