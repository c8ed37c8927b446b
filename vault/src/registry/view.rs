//! Reading documents back: a document with its versions, events, end of service and
//! tombstones ([`DocumentView`]), and the secondary indexes ([`Index`]).

use jiff::civil::Date;

use super::error::StoreError;
use super::{Registry, number_of};
use crate::codec;
use crate::records::{
    DocumentId, DocumentRecord, EndOfService, Event, Participant, Reason, RetainUntil, Retention,
    RetentionClass, Tombstone, VersionRecord, disposal_statement, rules_at,
};
use crate::storage::{ChunkStore, Entry, MetaStore, PrefixCursor, Table};

/// The secondary indexes of documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Index {
    /// By registration number.
    Number,
    /// By participant.
    Participant,
    /// By construction object number.
    Object,
    /// By content address (hex).
    Content,
}

impl Index {
    fn name(self) -> &'static str {
        match self {
            Index::Number => "number",
            Index::Participant => "participant",
            Index::Object => "object",
            Index::Content => "content",
        }
    }

    /// The prefix of every key listing a document under `value`: name ‖ 0 ‖ value ‖ 0.
    fn prefix(self, value: &str) -> Vec<u8> {
        let name = self.name();
        let mut prefix = Vec::with_capacity(name.len() + value.len() + 22);
        prefix.extend_from_slice(name.as_bytes());
        prefix.push(0);
        prefix.extend_from_slice(value.as_bytes());
        prefix.push(0);
        prefix
    }

    /// The key listing `version` of document `id` under `value`: the prefix ‖ id ‖ version
    /// (the version keeps two versions of one document with the same value apart).
    pub(super) fn key(self, value: &str, id: DocumentId, version: u32) -> Vec<u8> {
        let mut key = self.prefix(value);
        key.extend_from_slice(&id.0);
        key.extend_from_slice(&version.to_be_bytes());
        key
    }
}

/// A document with its versions and events.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DocumentView {
    /// Its id.
    pub id: DocumentId,
    /// What is fixed for it.
    pub record: DocumentRecord,
    /// Its versions, oldest first.
    pub versions: Vec<VersionRecord>,
    /// Its events with their numbers, oldest first.
    pub events: Vec<(u32, Event)>,
    /// The end of service of its facility, when recorded (for `construction-record`).
    pub end_of_service: Option<Date>,
    /// The tombstones of its disposed versions, by version (empty unless disposed of).
    pub tombstones: Vec<(u32, Tombstone)>,
}

impl DocumentView {
    /// The retention class.
    pub fn class(&self) -> Result<RetentionClass, StoreError> {
        self.record
            .class
            .parse()
            .map_err(|_| StoreError::Damaged(format!("unknown class {:?}", self.record.class)))
    }

    /// The participant.
    pub fn participant(&self) -> Result<Participant, StoreError> {
        self.record
            .participant
            .parse()
            .map_err(|e| StoreError::Damaged(format!("stored participant: {e}")))
    }

    /// The holds placed and not released: (event number, reason).
    pub fn active_holds(&self) -> impl Iterator<Item = (u32, &str)> {
        self.events
            .iter()
            .filter_map(|(number, event)| match event {
                Event::HoldPlaced { reason, .. }
                    if !self.events.iter().any(
                        |(_, e)| matches!(e, Event::HoldReleased { hold, .. } if hold == number),
                    ) =>
                {
                    Some((*number, reason.as_str()))
                }
                _ => None,
            })
    }

    /// The statement an act disposing of this document signs ([`disposal_statement`]).
    pub fn disposal_statement(&self, reason: &Reason) -> Vec<u8> {
        let until = self
            .retain_until()
            .map(|d| d.to_string())
            .unwrap_or_default();
        disposal_statement(self.id, &self.versions, &until, reason)
    }

    /// The version that annulled `version`, if any.
    pub fn annulled_by(&self, version: u32) -> Option<u32> {
        self.events.iter().find_map(|(_, event)| match event {
            Event::Annulled {
                version: annulled,
                by_version,
                ..
            } if *annulled == version => Some(*by_version),
            _ => None,
        })
    }

    /// The end of retention of the whole document: the latest of its versions' and of the
    /// extensions; `None` while a version waits for an end-of-service event (retained).
    pub fn retain_until(&self) -> Option<Date> {
        let mut latest: Option<Date> = None;
        for version in &self.versions {
            let date = match version.retain_until.as_deref() {
                Some(date) => date.parse().ok()?,
                // Until the facility's end of service, then the class's tail; and never less
                // than the floor of the rules it was registered under.
                None => {
                    let registered = version.registration_date.parse().ok()?;
                    let retention = Retention::UntilEndOfService {
                        tail_years: version.tail_years,
                    };
                    let RetainUntil::Date(end) =
                        retention.retain_until(registered, self.end_of_service)
                    else {
                        return None;
                    };
                    let submitted = jiff::Timestamp::from_second(version.registered_at).ok()?;
                    let (years, _) = rules_at(submitted).ok()?.floor;
                    let floor = Retention::YearsFromRegistration { years };
                    match floor.retain_until(registered, None) {
                        RetainUntil::Date(floor) => end.max(floor),
                        RetainUntil::EndOfServicePending => end,
                    }
                }
            };
            latest = latest.max(Some(date));
        }
        for (_, event) in &self.events {
            if let Event::RetentionExtended { until, .. } = event
                && let Ok(date) = until.parse::<Date>()
            {
                latest = latest.max(Some(date));
            }
        }
        latest
    }
}

impl<S: ChunkStore + MetaStore> Registry<S> {
    /// A document and all its versions, oldest first; `None` if there is no such document.
    pub fn document(&self, id: DocumentId) -> Result<Option<DocumentView>, StoreError> {
        let backend = self.content().backend();
        let Some(record) = backend.get(Table::Documents, &id.0)? else {
            return Ok(None);
        };
        self.assemble(id, &record, |table| {
            Ok(backend
                .scan_prefix(table, &id.0)
                .collect::<Result<_, _>>()?)
        })
        .map(Some)
    }

    /// Reads documents whole in rising id order, each table's records with one forward
    /// cursor ([`MetaStore::prefix_cursor`]): the reading of a bulk operation.
    pub(super) fn document_reader(&self) -> DocumentReader<'_, S> {
        let backend = self.content().backend();
        DocumentReader {
            registry: self,
            versions: backend.prefix_cursor(Table::Versions),
            events: backend.prefix_cursor(Table::Events),
            tombstones: backend.prefix_cursor(Table::Tombstones),
        }
    }

    /// The view of document `id` from its stored record and `entries`, which gives a table's
    /// entries under the id.
    fn assemble(
        &self,
        id: DocumentId,
        record: &[u8],
        mut entries: impl FnMut(Table) -> Result<Vec<Entry>, StoreError>,
    ) -> Result<DocumentView, StoreError> {
        let record: DocumentRecord = codec::decode(record)?;
        let versions = entries(Table::Versions)?
            .into_iter()
            .map(|(_, value)| Ok(codec::decode_upgrading(&value)?))
            .collect::<Result<_, StoreError>>()?;
        let events = entries(Table::Events)?
            .into_iter()
            .map(|(key, value)| Ok((number_of(&key)?, codec::decode_upgrading(&value)?)))
            .collect::<Result<_, StoreError>>()?;
        let tombstones = entries(Table::Tombstones)?
            .into_iter()
            .map(|(key, value)| Ok((number_of(&key)?, codec::decode(&value)?)))
            .collect::<Result<_, StoreError>>()?;
        let end_of_service = match &record.object_number {
            Some(object) => self
                .content()
                .backend()
                .get(Table::Facilities, object.as_bytes())?
                .map(|bytes| codec::decode::<EndOfService>(&bytes))
                .transpose()?
                .and_then(|event| event.date.parse().ok()),
            None => None,
        };
        Ok(DocumentView {
            id,
            record,
            versions,
            events,
            end_of_service,
            tombstones,
        })
    }

    /// Whether document `id` was disposed of (it has tombstones).
    pub fn is_disposed(&self, id: DocumentId) -> Result<bool, StoreError> {
        Ok(self
            .content()
            .backend()
            .scan_prefix(Table::Tombstones, &id.0)
            .next()
            .transpose()?
            .is_some())
    }

    /// The documents an index lists under `value`, in id order.
    pub fn find(&self, index: Index, value: &str) -> Result<Vec<DocumentId>, StoreError> {
        let prefix = index.prefix(value);
        let mut ids: Vec<DocumentId> = Vec::new();
        for entry in self.content().backend().scan_prefix(Table::Index, &prefix) {
            let (key, _) = entry?;
            let id = key
                .get(prefix.len()..prefix.len() + 16)
                .and_then(|id| id.try_into().ok())
                .map(DocumentId)
                .ok_or_else(|| StoreError::Damaged("an index key is malformed".into()))?;
            if ids.last() != Some(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }
}

/// Documents read whole in rising id order ([`Registry::document_reader`]).
pub(super) struct DocumentReader<'r, S> {
    registry: &'r Registry<S>,
    versions: Box<dyn PrefixCursor + 'r>,
    events: Box<dyn PrefixCursor + 'r>,
    tombstones: Box<dyn PrefixCursor + 'r>,
}

impl<S: ChunkStore + MetaStore> DocumentReader<'_, S> {
    /// The view of document `id`, whose stored record is `record`; ids come in rising order.
    pub(super) fn read(
        &mut self,
        id: DocumentId,
        record: &[u8],
    ) -> Result<DocumentView, StoreError> {
        let Self {
            registry,
            versions,
            events,
            tombstones,
        } = self;
        registry.assemble(id, record, |table| {
            // `assemble` asks for these three tables only.
            let cursor = match table {
                Table::Versions => &mut *versions,
                Table::Events => &mut *events,
                _ => &mut *tombstones,
            };
            Ok(cursor.entries(&id.0)?)
        })
    }
}
