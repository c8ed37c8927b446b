//! The versions a bulk operation takes: a [`Selection`] of the registered documents, streamed
//! in key order (document id, then version) so that a run can stop and go on after the last
//! one it finished.

use std::collections::{BTreeSet, VecDeque};

use jiff::civil::Date;

use super::Registry;
use super::error::StoreError;
use super::view::DocumentView;
use crate::records::{DocumentId, Event, ObjectNumber, Participant, RetentionClass, VersionRecord};
use crate::storage::{ChunkStore, MetaStore, Table};

/// Which versions to take. Every condition given must hold; an empty list or `None` takes
/// everything. Disposed versions are never taken: their content is gone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Documents of these classes.
    pub classes: Vec<RetentionClass>,
    /// Documents of these participants.
    pub participants: Vec<Participant>,
    /// Documents of these construction objects.
    pub object_numbers: Vec<ObjectNumber>,
    /// Versions whose registration date (Astana time, as the rules dated it) is on or after.
    pub registered_from: Option<Date>,
    /// Versions whose registration date is on or before.
    pub registered_to: Option<Date>,
    /// Only each document's latest version.
    pub current_only: bool,
    /// Only these documents.
    pub ids: Option<BTreeSet<DocumentId>>,
}

/// A document that [`Registry::select_documents`] could not read.
#[derive(Debug)]
#[non_exhaustive]
pub struct UnreadDocument {
    /// Its id, when its key could be read.
    pub id: Option<DocumentId>,
    /// Why it could not be read.
    pub error: StoreError,
}

/// Documents' ids and stored records, in id order.
type StoredDocuments<'a> = Box<dyn Iterator<Item = Result<(DocumentId, Vec<u8>), StoreError>> + 'a>;

/// Where a version is in key order: a run that finished it goes on after it.
pub type VersionKey = (DocumentId, u32);

/// One version a selection takes, with what a report about it names.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Selected {
    /// The document.
    pub id: DocumentId,
    /// Its class.
    pub class: RetentionClass,
    /// Its participant.
    pub participant: String,
    /// Its construction object, if any.
    pub object_number: Option<String>,
    /// The version.
    pub version: VersionRecord,
    /// Whether it is the document's latest version.
    pub current: bool,
    /// The verdict known before: the last one a re-verification recorded for this version,
    /// else the registration's (indication, sub-indication).
    pub known_verdict: (String, Option<String>),
}

impl Selected {
    /// Its place in key order.
    pub fn key(&self) -> VersionKey {
        (self.id, self.version.version)
    }
}

impl Selection {
    fn takes_document(&self, view: &DocumentView) -> Result<bool, StoreError> {
        let record = &view.record;
        Ok(
            (self.classes.is_empty() || self.classes.contains(&view.class()?))
                && (self.participants.is_empty()
                    || self
                        .participants
                        .iter()
                        .any(|p| p.as_str() == record.participant))
                && (self.object_numbers.is_empty()
                    || self
                        .object_numbers
                        .iter()
                        .any(|o| Some(o.as_str()) == record.object_number.as_deref())),
        )
    }

    fn takes_version(&self, version: &VersionRecord) -> bool {
        if self.registered_from.is_none() && self.registered_to.is_none() {
            return true;
        }
        let Ok(date) = version.registration_date.parse::<Date>() else {
            return false;
        };
        self.registered_from.is_none_or(|from| date >= from)
            && self.registered_to.is_none_or(|to| date <= to)
    }
}

impl<S: ChunkStore + MetaStore> Registry<S> {
    /// The versions `selection` takes, in key order, after `after` when given. Streamed: one
    /// document's records are in memory at a time.
    pub fn select<'a>(
        &'a self,
        selection: &'a Selection,
        after: Option<VersionKey>,
    ) -> impl Iterator<Item = Result<Selected, StoreError>> + 'a {
        let mut pending = VecDeque::new();
        let mut documents = self.select_documents(selection, after);
        std::iter::from_fn(move || {
            loop {
                if let Some(selected) = pending.pop_front() {
                    return Some(Ok(selected));
                }
                match documents
                    .next()?
                    .map_err(|unread| unread.error)
                    .and_then(|view| selection.versions_of(view, after))
                {
                    Ok(versions) => pending.extend(versions),
                    Err(e) => return Some(Err(e)),
                }
            }
        })
    }

    /// The documents whose versions `selection` may take, read whole, in id order, from
    /// `after`'s document on; [`Selection::versions_of`] takes their versions (on another
    /// thread if the caller likes). The records are read in key order, each table by one
    /// forward cursor, which a bulk run needs: opening a scan per document costs several
    /// times more than reading it.
    pub fn select_documents<'a>(
        &'a self,
        selection: &'a Selection,
        after: Option<VersionKey>,
    ) -> impl Iterator<Item = Result<DocumentView, Box<UnreadDocument>>> + 'a {
        let backend = self.content().backend();
        let from = move |id: &DocumentId| after.is_none_or(|(last, _)| *id >= last);
        let records: StoredDocuments<'a> = match &selection.ids {
            Some(ids) => {
                Box::new(ids.iter().filter(move |id| from(id)).filter_map(move |id| {
                    match backend.get(Table::Documents, &id.0) {
                        // Listed by --ids but never registered: nothing to take.
                        Ok(record) => record.map(|record| Ok((*id, record))),
                        Err(e) => Some(Err(e.into())),
                    }
                }))
            }
            None => Box::new(
                backend
                    .scan(Table::Documents)
                    .map(|entry| {
                        let (key, record) = entry?;
                        Ok((document_id(&key)?, record))
                    })
                    .filter(move |entry| entry.as_ref().map_or(true, |(id, _)| from(id))),
            ),
        };
        let mut reader = self.document_reader();
        records.map(move |entry| {
            let (id, record) =
                entry.map_err(|error| Box::new(UnreadDocument { id: None, error }))?;
            reader.read(id, &record).map_err(|error| {
                Box::new(UnreadDocument {
                    id: Some(id),
                    error,
                })
            })
        })
    }

    /// How many versions `selection` takes, when that is known without reading each
    /// document: a selection with no condition but `current_only`. Disposed versions are
    /// not counted.
    pub fn selection_size(&self, selection: &Selection) -> Result<Option<u64>, StoreError> {
        let unconditional = Selection {
            current_only: selection.current_only,
            ..Selection::default()
        };
        if *selection != unconditional {
            return Ok(None);
        }
        let backend = self.content().backend();
        let count = |table| -> Result<u64, StoreError> {
            let mut n = 0;
            for entry in backend.scan(table) {
                entry?;
                n += 1;
            }
            Ok(n)
        };
        // Tombstones are keyed id ‖ version: disposed versions, and the documents they are of.
        let (mut disposed_versions, mut disposed_documents) = (0, 0);
        let mut last: Option<Vec<u8>> = None;
        for entry in backend.scan(Table::Tombstones) {
            let (key, _) = entry?;
            disposed_versions += 1;
            let document = key.get(..16).map(<[u8]>::to_vec);
            if document != last {
                disposed_documents += 1;
                last = document;
            }
        }
        Ok(Some(if selection.current_only {
            count(Table::Documents)?.saturating_sub(disposed_documents)
        } else {
            // Every version took one registration number: its small entry counts it without
            // reading the version's record.
            count(Table::Numbers)?.saturating_sub(disposed_versions)
        }))
    }
}

impl Selection {
    /// The versions of `view` this selection takes, after `after`, in order (moved out of the
    /// view: a version's signatures and report are its largest part).
    pub fn versions_of(
        &self,
        mut view: DocumentView,
        after: Option<VersionKey>,
    ) -> Result<Vec<Selected>, StoreError> {
        if !self.takes_document(&view)? {
            return Ok(Vec::new());
        }
        let id = view.id;
        let class = view.class()?;
        let latest = view.versions.last().map(|v| v.version);
        let mut taken = Vec::new();
        for version in std::mem::take(&mut view.versions) {
            let number = version.version;
            let current = Some(number) == latest;
            if after.is_some_and(|key| (id, number) <= key)
                || (self.current_only && !current)
                || view.tombstones.iter().any(|(v, _)| *v == number)
                || !self.takes_version(&version)
            {
                continue;
            }
            taken.push(Selected {
                id,
                class,
                participant: view.record.participant.clone(),
                object_number: view.record.object_number.clone(),
                known_verdict: known_verdict(&view, &version)?,
                version,
                current,
            });
        }
        Ok(taken)
    }
}

/// The verdict last known for `version`: its latest recorded re-verification, else the
/// verdict stored with its registration (the worst of its signatures').
fn known_verdict(
    view: &DocumentView,
    version: &VersionRecord,
) -> Result<(String, Option<String>), StoreError> {
    let recorded = view.events.iter().rev().find_map(|(_, event)| match event {
        Event::Reverified {
            version: v,
            indication,
            sub_indication,
            ..
        } if *v == version.version => Some((indication.clone(), sub_indication.clone())),
        _ => None,
    });
    if let Some(verdict) = recorded {
        return Ok(verdict);
    }
    // A registration stores only passing reports: when every indication in the JSON says so
    // (a byte search, much cheaper than parsing the reports), that is the verdict.
    if every_indication_passed(&version.report) {
        return Ok(("TOTAL_PASSED".to_owned(), None));
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct StoredVerdict {
        indication: String,
        sub_indication: Option<String>,
    }
    let reports: Vec<StoredVerdict> = serde_json::from_slice(&version.report).map_err(|e| {
        StoreError::Damaged(format!(
            "the report stored with version {} of {}: {e}",
            version.version, view.id
        ))
    })?;
    // A registration stores only passing reports; the first one that did not pass would
    // be the verdict of an import that kept one.
    Ok(reports
        .into_iter()
        .find(|r| r.indication != "TOTAL_PASSED")
        .map_or(("TOTAL_PASSED".to_owned(), None), |r| {
            (r.indication, r.sub_indication)
        }))
}

/// Whether every `"indication":` of the stored reports' JSON is `"TOTAL_PASSED"` (the
/// reports are serde_json's compact output, so the key and value are written exactly so).
fn every_indication_passed(json: &[u8]) -> bool {
    const PASSED: &[u8] = b"\"TOTAL_PASSED\"";
    let key = memchr::memmem::Finder::new(b"\"indication\":");
    let mut found = false;
    for at in key.find_iter(json) {
        if !json[at + key.needle().len()..].starts_with(PASSED) {
            return false;
        }
        found = true;
    }
    found
}

fn document_id(key: &[u8]) -> Result<DocumentId, StoreError> {
    key.try_into()
        .map(DocumentId)
        .map_err(|_| StoreError::Damaged(format!("document key {} is malformed", hex::encode(key))))
}

#[cfg(test)]
mod tests {
    use super::every_indication_passed;

    #[test]
    fn the_byte_search_finds_any_indication_but_passed() {
        let passed =
            br#"[{"indication":"TOTAL_PASSED","signers":[{"indication":"TOTAL_PASSED"}]}]"#;
        assert!(every_indication_passed(passed));
        let failed = br#"[{"indication":"TOTAL_PASSED"},{"indication":"INDETERMINATE"}]"#;
        assert!(!every_indication_passed(failed));
        // No indication at all: not known to have passed, so the reports are parsed.
        assert!(!every_indication_passed(b"[]"));
    }
}
