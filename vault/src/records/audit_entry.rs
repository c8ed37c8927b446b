//! An audit-log entry read back: the text the registry writes for every change (one field per
//! line, `docs/records.md`), parsed by whoever checks an entry against its record: the
//! vault's own record check (`qoima audit verify`) and an auditor's bundle (`docs/bundle.md`).
//!
//! ```text
//! qoima-audit-v2      the format (v1 lacks the two lines before the hash)
//! register            the kind of change
//! 1780000000          when, unix seconds
//! 0123…ef             the subject: a document id, object:<n>, calendar:<year>, key:<id>, …
//! 1                   the version, event number or revision it is about
//! api key …           who
//! acme                on whose behalf (v2; empty unless a registration or new version)
//! 670 §18; 670 §23    the clauses that dated it and set its retention (v2; likewise)
//! 5f3a…               SHA-256 of the record bytes, hex
//! ```

/// One parsed audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoggedEntry {
    /// `register`, `new-version`, `auditor-read`, ….
    pub kind: String,
    /// Seconds since the Unix epoch.
    pub time: i64,
    /// A document id, `object:<number>`, `calendar:<year>` or `key:<id>`.
    pub subject: String,
    /// The version, event number or revision.
    pub number: u32,
    /// Who made the change.
    pub actor: String,
    /// The SHA-256 of the record bytes the entry stands for, lowercase hex.
    pub record_hash: String,
}

impl LoggedEntry {
    /// Parses an entry of either text version; `None` for anything else.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(bytes).ok()?;
        let lines: Vec<&str> = text.strip_suffix('\n')?.split('\n').collect();
        let (magic, fields) = lines.split_first()?;
        let count = match *magic {
            "qoima-audit-v1" => 6,
            "qoima-audit-v2" => 8,
            _ => return None,
        };
        let [kind, time, subject, number, actor, .., hash] = fields else {
            return None;
        };
        (fields.len() == count).then_some(())?;
        Some(Self {
            kind: (*kind).to_owned(),
            time: time.parse().ok()?,
            subject: (*subject).to_owned(),
            number: number.parse().ok()?,
            actor: (*actor).to_owned(),
            record_hash: (*hash).to_owned(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;

    #[test]
    fn reads_both_versions_and_nothing_else() {
        let v2 = b"qoima-audit-v2\nregister\n1780000000\nabc\n1\noperator\nacme\n670 \xc2\xa718; 670 \xc2\xa723\nff00\n";
        let entry = LoggedEntry::parse(v2).unwrap();
        assert_eq!(
            (entry.kind.as_str(), entry.time, entry.subject.as_str()),
            ("register", 1_780_000_000, "abc")
        );
        assert_eq!((entry.number, entry.actor.as_str()), (1, "operator"));
        assert_eq!(entry.record_hash, "ff00");
        let v1 = b"qoima-audit-v1\nannulled\n5\nabc\n2\nme\nff00\n";
        assert_eq!(LoggedEntry::parse(v1).unwrap().number, 2);
        for bad in [
            &b"qoima-audit-v3\nregister\n1\nabc\n1\nme\nff\n"[..],
            b"qoima-audit-v1\nregister\n1\nabc\n1\nme\nff",
            b"qoima-audit-v1\nregister\nx\nabc\n1\nme\nff\n",
            b"qoima-audit-v2\nregister\n1\nabc\n1\nme\nff\n",
            b"",
        ] {
            assert_eq!(LoggedEntry::parse(bad), None);
        }
    }
}
