//! The XML bodies of S3's answers (and of the few requests that carry one), read into a small
//! element tree and then into the values the backend uses.
//!
//! An answer is outside input: it is parsed with quick-xml, bounded in depth and in elements,
//! and any shape the backend does not expect is an [`S3Error::Xml`] naming what was missing,
//! never a panic. Element names are matched by local name (S3 answers in the
//! `http://s3.amazonaws.com/doc/2006-03-01/` namespace, gateways sometimes in none).

use jiff::Timestamp;
use quick_xml::Reader;
use quick_xml::events::Event;

use super::error::S3Error;

/// Deeper documents are refused (S3's answers nest three levels).
const MAX_DEPTH: usize = 16;
/// More elements are refused (a page of 1 000 versions has about 7 000).
const MAX_ELEMENTS: usize = 200_000;

/// One element: its local name, its text, its children.
#[derive(Debug, Default)]
pub(crate) struct Element {
    name: String,
    text: String,
    children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child named `name`.
    fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// The text of the child `name`, which must be there.
    fn required(&self, name: &str) -> Result<&str, S3Error> {
        self.text_of(name)
            .ok_or_else(|| S3Error::Xml(format!("<{}> has no <{name}>", self.name)))
    }
}

/// Parses `body` into its root element, which must be named `root`.
pub(crate) fn parse(body: &[u8], root: &str) -> Result<Element, S3Error> {
    let text = std::str::from_utf8(body)
        .map_err(|e| S3Error::Xml(format!("the answer is not UTF-8: {e}")))?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut count = 0usize;
    let bad = |e: quick_xml::Error| S3Error::Xml(format!("malformed XML: {e}"));
    let top = loop {
        match reader.read_event().map_err(bad)? {
            event @ (Event::Start(_) | Event::Empty(_)) => {
                count += 1;
                if count > MAX_ELEMENTS || stack.len() >= MAX_DEPTH {
                    return Err(S3Error::Xml(format!(
                        "more than {MAX_ELEMENTS} elements or deeper than {MAX_DEPTH}"
                    )));
                }
                let (Event::Start(start) | Event::Empty(start)) = &event else {
                    continue;
                };
                let element = Element {
                    name: start.local_name().as_ref().to_string(),
                    ..Element::default()
                };
                if matches!(event, Event::Start(_)) {
                    stack.push(element);
                } else {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(element),
                        None => break element,
                    }
                }
            }
            Event::End(_) => {
                let Some(element) = stack.pop() else {
                    return Err(S3Error::Xml("an end tag without a start".into()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => break element,
                }
            }
            Event::Text(t) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(bad)?
                        .map(String::from)
                        .ok_or_else(|| S3Error::Xml("an invalid character reference".into()))?
                } else {
                    let name = r.xml10_content();
                    quick_xml::escape::resolve_predefined_entity(&name)
                        .ok_or_else(|| S3Error::Xml(format!("an unknown entity &{name};")))?
                        .to_string()
                };
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&resolved);
                }
            }
            Event::Eof => return Err(S3Error::Xml("the document ends inside an element".into())),
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    };
    if top.name != root {
        return Err(S3Error::Xml(format!(
            "expected <{root}>, the answer is <{}>",
            top.name
        )));
    }
    Ok(top)
}

fn boolean(text: &str) -> Result<bool, S3Error> {
    match text.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(S3Error::Xml(format!("{other:?} is not a boolean"))),
    }
}

/// An S3 error answer's `<Code>` and `<Message>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorBody {
    /// `AccessDenied`, `NoSuchKey`, `InvalidRequest`…
    pub code: String,
    /// The gateway's words.
    pub message: String,
}

/// Reads an `<Error>` answer.
pub(crate) fn error_body(body: &[u8]) -> Result<ErrorBody, S3Error> {
    let root = parse(body, "Error")?;
    Ok(ErrorBody {
        code: root.required("Code")?.trim().to_string(),
        message: root.text_of("Message").unwrap_or("").trim().to_string(),
    })
}

/// One page of `ListObjectsV2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ObjectsPage {
    /// The keys on the page, in the order S3 gives (UTF-8 binary order).
    pub keys: Vec<String>,
    /// The continuation token of the next page, when the listing is truncated.
    pub next: Option<String>,
}

/// Reads a `<ListBucketResult>` (ListObjectsV2).
pub(crate) fn objects_page(body: &[u8]) -> Result<ObjectsPage, S3Error> {
    let root = parse(body, "ListBucketResult")?;
    let keys = root
        .children("Contents")
        .map(|c| c.required("Key").map(str::to_string))
        .collect::<Result<Vec<_>, _>>()?;
    let truncated = boolean(root.required("IsTruncated")?)?;
    let next = if truncated {
        Some(root.required("NextContinuationToken")?.to_string())
    } else {
        None
    };
    Ok(ObjectsPage { keys, next })
}

/// A version or delete marker of `ListObjectVersions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VersionEntry {
    /// The object's key.
    pub key: String,
    /// Its version id (`null` for an object written before versioning).
    pub version_id: String,
    /// Whether this is a delete marker rather than a version with bytes.
    pub delete_marker: bool,
    /// When the gateway wrote it (`<LastModified>`, RFC 3339): what the orphan grace is
    /// counted from (docs/storage.md, "Collection across nodes").
    pub last_modified: Timestamp,
}

/// One page of `ListObjectVersions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VersionsPage {
    /// Versions and delete markers, newest first for each key.
    pub entries: Vec<VersionEntry>,
    /// The key and version-id markers of the next page, when truncated.
    pub next: Option<(String, String)>,
}

/// Reads a `<ListVersionsResult>`.
pub(crate) fn versions_page(body: &[u8]) -> Result<VersionsPage, S3Error> {
    let root = parse(body, "ListVersionsResult")?;
    let mut entries = Vec::new();
    // Versions and delete markers interleave in the answer; S3 lists both in key order,
    // newest first, and so does this.
    for child in &root.children {
        let delete_marker = match child.name.as_str() {
            "Version" => false,
            "DeleteMarker" => true,
            _ => continue,
        };
        entries.push(VersionEntry {
            key: child.required("Key")?.to_string(),
            version_id: child.required("VersionId")?.to_string(),
            delete_marker,
            last_modified: date(child.required("LastModified")?, "LastModified")?,
        });
    }
    let truncated = boolean(root.required("IsTruncated")?)?;
    let next = if truncated {
        Some((
            root.required("NextKeyMarker")?.to_string(),
            root.text_of("NextVersionIdMarker")
                .unwrap_or("")
                .to_string(),
        ))
    } else {
        None
    };
    Ok(VersionsPage { entries, next })
}

/// An object version's retention (`GetObjectRetention`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Retention {
    /// Whether the mode is COMPLIANCE (else GOVERNANCE, which an account may bypass).
    pub compliance: bool,
    /// The retain-until date.
    pub until: Timestamp,
}

/// Reads a `<Retention>`.
pub(crate) fn retention(body: &[u8]) -> Result<Retention, S3Error> {
    let root = parse(body, "Retention")?;
    let compliance = match root.required("Mode")?.trim() {
        "COMPLIANCE" => true,
        "GOVERNANCE" => false,
        other => return Err(S3Error::Xml(format!("retention mode {other:?}"))),
    };
    let until = date(root.required("RetainUntilDate")?, "RetainUntilDate")?;
    Ok(Retention { compliance, until })
}

/// A date as S3 writes them in XML, RFC 3339 (`2026-12-07T19:30:35.188Z`); the element's
/// name in the error.
pub(crate) fn date(text: &str, element: &str) -> Result<Timestamp, S3Error> {
    let text = text.trim();
    text.parse()
        .map_err(|e| S3Error::Xml(format!("<{element}> {text:?} is not an RFC 3339 date: {e}")))
}

/// Reads a `<LegalHold>`: whether it is on.
pub(crate) fn legal_hold(body: &[u8]) -> Result<bool, S3Error> {
    let root = parse(body, "LegalHold")?;
    match root.required("Status")?.trim() {
        "ON" => Ok(true),
        "OFF" => Ok(false),
        other => Err(S3Error::Xml(format!("legal hold status {other:?}"))),
    }
}

/// Reads an `<ObjectLockConfiguration>`: whether Object Lock is enabled.
pub(crate) fn object_lock_enabled(body: &[u8]) -> Result<bool, S3Error> {
    let root = parse(body, "ObjectLockConfiguration")?;
    Ok(root.text_of("ObjectLockEnabled").map(str::trim) == Some("Enabled"))
}

/// Reads a `<VersioningConfiguration>`: its status (`Enabled`, `Suspended`), none when
/// versioning was never switched on.
pub(crate) fn versioning_status(body: &[u8]) -> Result<Option<String>, S3Error> {
    let root = parse(body, "VersioningConfiguration")?;
    Ok(root.text_of("Status").map(|s| s.trim().to_string()))
}

/// The body of `PutObjectRetention`: COMPLIANCE mode until `until` (whole seconds, UTC).
pub(crate) fn retention_body(until: Timestamp) -> String {
    format!(
        "<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Mode>COMPLIANCE</Mode>\
         <RetainUntilDate>{}</RetainUntilDate></Retention>",
        iso8601(until)
    )
}

/// The body of `PutObjectLegalHold`.
pub(crate) fn legal_hold_body(on: bool) -> String {
    format!(
        "<LegalHold xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>{}</Status>\
         </LegalHold>",
        if on { "ON" } else { "OFF" }
    )
}

/// `until` as S3 writes dates: `2031-01-02T03:04:05.000Z`.
pub(crate) fn iso8601(until: Timestamp) -> String {
    until.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string()
}

/// Parses XML the way the backend does, for the fuzz target of S3's answers: every reader on
/// the same bytes, errors ignored.
#[cfg(any(test, feature = "fuzzing"))]
pub fn fuzz_answers(body: &[u8]) {
    let _ = error_body(body);
    let _ = objects_page(body);
    let _ = versions_page(body);
    let _ = retention(body);
    let _ = legal_hold(body);
    let _ = object_lock_enabled(body);
    let _ = versioning_status(body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_list_page_with_a_continuation() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>
<Prefix>chunks/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
<Contents><Key>chunks/aa</Key><Size>3</Size></Contents><Contents><Key>chunks/a&amp;b</Key></Contents>
<NextContinuationToken>1/x+y=</NextContinuationToken></ListBucketResult>"#;
        let page = objects_page(body).unwrap();
        assert_eq!(page.keys, ["chunks/aa", "chunks/a&b"]);
        assert_eq!(page.next.as_deref(), Some("1/x+y="));
    }

    #[test]
    fn reads_versions_and_delete_markers_in_order() {
        let body = br#"<ListVersionsResult><IsTruncated>false</IsTruncated>
<DeleteMarker><Key>k</Key><VersionId>m1</VersionId><IsLatest>true</IsLatest>
<LastModified>2026-12-07T19:30:39.065Z</LastModified></DeleteMarker>
<Version><Key>k</Key><VersionId>v1</VersionId>
<LastModified> 2026-12-07T19:30:35.188Z </LastModified></Version></ListVersionsResult>"#;
        let page = versions_page(body).unwrap();
        assert_eq!(page.next, None);
        assert_eq!(page.entries.len(), 2);
        assert!(page.entries[0].delete_marker);
        assert_eq!(page.entries[1].version_id, "v1");
        assert_eq!(
            page.entries[1].last_modified,
            "2026-12-07T19:30:35.188Z".parse::<Timestamp>().unwrap()
        );
    }

    #[test]
    fn a_version_without_a_readable_date_is_an_error_naming_it() {
        let page = |date: &str| {
            let body = format!(
                "<ListVersionsResult><IsTruncated>false</IsTruncated><Version><Key>k</Key>\
                 <VersionId>v</VersionId>{date}</Version></ListVersionsResult>"
            );
            versions_page(body.as_bytes()).map(|p| p.entries[0].last_modified)
        };
        let e = page("").unwrap_err().to_string();
        assert!(e.contains("<Version> has no <LastModified>"), "{e}");
        for bad in [
            "yesterday",
            "2026-13-07T19:30:35Z",
            "2026-12-07T19:30:35",
            "",
        ] {
            let e = page(&format!("<LastModified>{bad}</LastModified>"))
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("<LastModified>") && e.contains("RFC 3339"),
                "{e}"
            );
        }
        // RGW's own form, with nanoseconds.
        assert!(page("<LastModified>2026-12-07T20:30:46.000000000Z</LastModified>").is_ok());
    }

    #[test]
    fn reads_retention_hold_and_bucket_settings() {
        let r = retention(
            b"<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2031-01-02T03:04:05.000Z\
              </RetainUntilDate></Retention>",
        )
        .unwrap();
        assert!(r.compliance);
        assert_eq!(iso8601(r.until), "2031-01-02T03:04:05.000Z");
        assert!(legal_hold(b"<LegalHold><Status>ON</Status></LegalHold>").unwrap());
        assert!(
            object_lock_enabled(
                b"<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>\
                  </ObjectLockConfiguration>"
            )
            .unwrap()
        );
        assert_eq!(
            versioning_status(b"<VersioningConfiguration/>").unwrap(),
            None
        );
        let e =
            error_body(b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>").unwrap();
        assert_eq!(e.code, "AccessDenied");
    }

    #[test]
    fn malformed_answers_are_errors_naming_the_problem() {
        for (body, words) in [
            (&b"<Error><Code>x</Code>"[..], "ends inside"),
            (b"<Other/>", "expected <Error>"),
            (b"<Error><Message>m</Message></Error>", "no <Code>"),
            (b"<Error><Code>&bogus;</Code></Error>", "entity"),
            (b"\xff\xfe", "UTF-8"),
        ] {
            let e = error_body(body).unwrap_err().to_string();
            assert!(e.contains(words), "{e}");
        }
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(
            parse(deep.as_bytes(), "a")
                .unwrap_err()
                .to_string()
                .contains("deeper")
        );
        assert!(
            retention(b"<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>soon</RetainUntilDate></Retention>")
                .is_err()
        );
        fuzz_answers(b"<ListVersionsResult><Version/></ListVersionsResult>");
    }
}
