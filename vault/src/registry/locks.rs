//! The storage's own locks, set by the record layer: on an engine that enforces retention
//! below the vault's code ([`ObjectLock`]: S3 Object Lock in COMPLIANCE mode), every chunk a
//! document uses is locked for as long as the document is retained, and held while it is
//! held, so that the storage itself refuses to delete or shorten it, whoever asks
//! (`docs/storage.md`, "Locks the record layer sets").
//!
//! - A registration or a new version, once its records are committed, locks every chunk of
//!   the document (the content of each version and the CRLs and OCSP responses kept as its
//!   evidence) until the end, in Astana time, of the document's last retained day: the
//!   instant from which [`Registry::disposable`] allows its disposal. A chunk another
//!   document uses already keeps the later of the two locks (locks are only extended).
//! - A construction record waiting for its facility's end of service has no date yet: a
//!   rolling lock ([`ROLLING_LOCK`] ahead), which [`Registry::renew_locks`] renews once less
//!   than [`RENEW_WITHIN`] is left, until the end of service gives the date.
//! - A hold places a legal hold on every chunk of the document before it is recorded; a
//!   release lifts it, once recorded, from the chunks that no document still held uses.
//! - A retention extension extends the locks before it is recorded.
//!
//! Locks are set after the commit that they follow (a registration is never refused for a
//! lock), so a crash between the two leaves chunks unlocked: [`Registry::renew_locks`] walks
//! every document not disposed of and sets what is missing, the repair and the maintenance in
//! one idempotent pass.

use std::collections::{BTreeSet, HashMap, HashSet};

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use super::error::StoreError;
use super::register::ChunksRead;
use super::view::DocumentView;
use super::{Registry, number_of};
use crate::address::{ChunkId, ContentAddress};
use crate::codec;
use crate::error::VaultError;
use crate::records::{DocumentId, Event, Retention, astana};
use crate::storage::{ChunkStore, MetaStore, ObjectLock, StorageError, Table};

/// How far ahead a rolling lock runs: five years (of 365¼ days, rounded up to a day).
pub const ROLLING_LOCK: SignedDuration = SignedDuration::from_hours(24 * 1827);

/// A rolling lock is renewed by [`Registry::renew_locks`] once less than this is left: a year,
/// so that a maintenance that runs daily, or even monthly, never lets one run out.
pub const RENEW_WITHIN: SignedDuration = SignedDuration::from_hours(24 * 365);

/// How the registry dates the storage's locks.
#[derive(Debug, Clone, Copy)]
pub(super) struct LockPolicy {
    /// How far ahead a rolling lock runs.
    pub(super) rolling: SignedDuration,
    /// When a rolling lock is renewed: once less than this is left.
    pub(super) renew_within: SignedDuration,
    /// The instant a retention through `date` ends; `None` past the calendar's range (a
    /// rolling lock then).
    pub(super) end_of: fn(Date) -> Option<Timestamp>,
}

impl Default for LockPolicy {
    fn default() -> Self {
        Self {
            rolling: ROLLING_LOCK,
            renew_within: RENEW_WITHIN,
            end_of: end_of_day_in_astana,
        }
    }
}

/// The end of `date` in Astana time, the start of the next day there: a retention through
/// `date` is inclusive of it, and disposal is allowed from the next Astana day on.
pub(super) fn end_of_day_in_astana(date: Date) -> Option<Timestamp> {
    let next = date.tomorrow().ok()?;
    Some(next.to_zoned(astana().ok()?).ok()?.timestamp())
}

/// `by` after `now`, the last instant jiff knows at most.
fn ahead(now: Timestamp, by: SignedDuration) -> Timestamp {
    now.checked_add(by).unwrap_or(Timestamp::MAX)
}

/// What [`Registry::renew_locks`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LockRenewal {
    /// Documents not disposed of that it walked.
    pub documents: u64,
    /// Chunks whose lock it made run at least until their document's end of retention (most
    /// already did: S3 leaves a later lock as it is).
    pub retained: u64,
    /// Documents whose retention has passed: nothing more to lock.
    pub passed: u64,
    /// Chunks of construction records whose rolling lock it renewed (or set, when missing).
    pub renewed: u64,
    /// Chunks of construction records whose rolling lock still had long enough to run.
    pub rolling: u64,
    /// Chunks of held documents whose legal hold it made sure of.
    pub held: u64,
    /// Chunks whose legal hold it lifted, no held document using them any more.
    pub lifted: u64,
    /// Documents it could not lock, with why: the next run tries them again.
    pub failed: Vec<(DocumentId, String)>,
}

/// Until when a document's chunks are locked.
enum LockUntil {
    /// Until this instant.
    Instant(Timestamp),
    /// A rolling lock: the end of retention is not known yet.
    Rolling,
}

impl<S: ChunkStore + MetaStore> Registry<S> {
    /// Every chunk document `view` uses: its versions' contents and the CRLs and OCSP responses
    /// kept as their evidence, each once, in id order.
    pub(super) fn chunks_of(&self, view: &DocumentView) -> Result<Vec<ChunkId>, StoreError> {
        self.chunks_of_with(view, &ChunksRead::default())
    }

    /// [`Self::chunks_of`], taking the chunks of the contents in `read` from there rather
    /// than from their manifests again (manifests are write-once).
    fn chunks_of_with(
        &self,
        view: &DocumentView,
        read: &ChunksRead,
    ) -> Result<Vec<ChunkId>, StoreError> {
        let mut contents: BTreeSet<[u8; 32]> = BTreeSet::new();
        for version in &view.versions {
            contents.insert(version.content);
            contents.extend(version.crls.iter().copied());
            contents.extend(version.ocsp_responses.iter().copied());
        }
        let mut chunks: BTreeSet<ChunkId> = BTreeSet::new();
        for content in contents {
            if let Some(known) = read.get(&content) {
                chunks.extend(known.iter().copied());
                continue;
            }
            let manifest = self.content().manifest(&ContentAddress(content))?;
            chunks.extend(manifest.chunks.iter().map(|c| c.id));
        }
        Ok(chunks.into_iter().collect())
    }

    fn lock_until(&self, view: &DocumentView) -> LockUntil {
        match view.retain_until().and_then(self.locks.end_of) {
            Some(instant) => LockUntil::Instant(instant),
            None => LockUntil::Rolling,
        }
    }

    /// Locks every chunk of `view` until its end of retention (a rolling lock while that is
    /// not known), and holds them while it is held. Locks run in the storage's time, the real
    /// clock: a retention that has passed locks nothing.
    fn lock_document(
        &self,
        lock: &dyn ObjectLock,
        view: &DocumentView,
        read: &ChunksRead,
    ) -> Result<(), StoreError> {
        let chunks = self.chunks_of_with(view, read)?;
        let now = Timestamp::now();
        let until = match self.lock_until(view) {
            LockUntil::Instant(instant) => instant,
            LockUntil::Rolling => ahead(now, self.locks.rolling),
        };
        if until > now {
            lock.retain_chunks(&chunks, until)?;
        }
        if view.active_holds().next().is_some() {
            lock.hold_chunks(&chunks, true)?;
        }
        Ok(())
    }

    /// After the commit of a registration or a new version of document `id`: its chunks
    /// locked. Nothing to do on an engine without locks; why it failed otherwise, for the
    /// caller to report (the records stand, and [`Self::renew_locks`] sets the locks later).
    /// The chunks of the contents in `read` are taken from there.
    pub(super) fn lock_committed(&self, id: DocumentId, read: &ChunksRead) -> Option<String> {
        let lock = self.content().backend().object_lock()?;
        let view = match self.document(id) {
            Ok(Some(view)) => view,
            Ok(None) => return Some(format!("document {id} is not stored")),
            Err(e) => return Some(e.to_string()),
        };
        self.lock_document(lock, &view, read)
            .err()
            .map(|e| e.to_string())
    }

    /// Before a hold on `view` is recorded: a legal hold on each of its chunks. A failure
    /// refuses the hold, which is then not recorded.
    pub(super) fn hold_before_commit(&self, view: &DocumentView) -> Result<(), StoreError> {
        let Some(lock) = self.content().backend().object_lock() else {
            return Ok(());
        };
        lock.hold_chunks(&self.chunks_of(view)?, true)?;
        Ok(())
    }

    /// Before an extension of `view`'s retention through `until` is recorded: its chunks
    /// locked until then. A failure refuses the extension, which is then not recorded.
    pub(super) fn extend_before_commit(
        &self,
        view: &DocumentView,
        until: Date,
    ) -> Result<(), StoreError> {
        let Some(lock) = self.content().backend().object_lock() else {
            return Ok(());
        };
        let Some(instant) = (self.locks.end_of)(until) else {
            return Ok(());
        };
        if instant > Timestamp::now() {
            lock.retain_chunks(&self.chunks_of(view)?, instant)?;
        }
        Ok(())
    }

    /// After a release of a hold on `view` is committed, under the writer lock (so that no hold
    /// is placed meanwhile): the legal hold lifted from its chunks that no document still held
    /// uses (the document itself, when another of its holds stays, keeps them all).
    pub(super) fn release_after_commit(&self, view: &DocumentView) -> Result<u64, StoreError> {
        let Some(lock) = self.content().backend().object_lock() else {
            return Ok(0);
        };
        self.lift_unheld(lock, self.chunks_of(view)?)
    }

    /// Lifts the legal hold from those of `chunks` that no document with an active hold uses;
    /// how many. The caller holds the writer lock.
    fn lift_unheld(&self, lock: &dyn ObjectLock, chunks: Vec<ChunkId>) -> Result<u64, StoreError> {
        let (held, _) = self.holds()?;
        let mut kept: HashSet<ChunkId> = HashSet::new();
        for id in held {
            if let Some(view) = self.document(id)? {
                kept.extend(self.chunks_of(&view)?);
            }
        }
        let lift: Vec<ChunkId> = chunks.into_iter().filter(|c| !kept.contains(c)).collect();
        lock.hold_chunks(&lift, false)?;
        Ok(lift.len() as u64)
    }

    /// The documents with an active hold, and those that had holds and have none now, from
    /// the events.
    fn holds(&self) -> Result<(Vec<DocumentId>, Vec<DocumentId>), StoreError> {
        let mut placed: HashMap<DocumentId, (HashSet<u32>, HashSet<u32>)> = HashMap::new();
        for entry in self.content().backend().scan(Table::Events) {
            let (key, value) = entry?;
            let id = key
                .get(..16)
                .and_then(|id| id.try_into().ok())
                .map(DocumentId)
                .ok_or_else(|| StoreError::Damaged("an event key is malformed".into()))?;
            match codec::decode_upgrading::<Event>(&value)? {
                Event::HoldPlaced { .. } => {
                    placed.entry(id).or_default().0.insert(number_of(&key)?);
                }
                Event::HoldReleased { hold, .. } => {
                    placed.entry(id).or_default().1.insert(hold);
                }
                _ => {}
            }
        }
        let (mut held, mut released) = (Vec::new(), Vec::new());
        for (id, (placed, lifted)) in placed {
            if placed.iter().any(|hold| !lifted.contains(hold)) {
                held.push(id);
            } else {
                released.push(id);
            }
        }
        held.sort();
        released.sort();
        Ok((held, released))
    }

    /// The maintenance of the storage's locks, and their repair: walks every document not
    /// disposed of and makes sure each of its chunks is locked at least until its end of
    /// retention (a lock that a crash after a commit left unset is set now), renews the
    /// rolling locks of construction records once less than a year is left, holds the chunks
    /// of held documents, and lifts holds that no held document needs any more. Idempotent:
    /// run it daily (`qoima locks renew`); a document it could not lock is reported and tried
    /// again next time. `None` on an engine without locks of its own (RocksDB).
    pub fn renew_locks(&self) -> Result<Option<LockRenewal>, StoreError> {
        let backend = self.content().backend();
        let Some(lock) = backend.object_lock() else {
            return Ok(None);
        };
        let mut report = LockRenewal::default();
        let mut reader = self.document_reader();
        for stored in backend.scan(Table::Documents) {
            let (key, record) = stored?;
            let id = key
                .as_slice()
                .try_into()
                .map(DocumentId)
                .map_err(|_| StoreError::Damaged("a document key is malformed".into()))?;
            let view = reader.read(id, &record)?;
            if !view.tombstones.is_empty() {
                continue;
            }
            report.documents += 1;
            if let Err(e) = self.renew_document(lock, &view, &mut report) {
                report.failed.push((id, e.to_string()));
            }
        }
        // Holds no held document needs: the chunks of documents whose holds were all released
        // that S3 still holds, read without the lock; then, under the writer lock (no hold
        // placed between the reading of the holds and the lifting), those no held document
        // uses lifted.
        let (_, released) = self.holds()?;
        let mut stray = Vec::new();
        for id in released {
            let Some(view) = self.document(id)? else {
                continue;
            };
            if !view.tombstones.is_empty() {
                continue;
            }
            for chunk in self.chunks_of(&view)? {
                if lock.chunk_lock(&chunk)?.legal_hold {
                    stray.push(chunk);
                }
            }
        }
        stray.sort();
        stray.dedup();
        if !stray.is_empty() {
            let _writer = self.lock()?;
            report.lifted = self.lift_unheld(lock, stray)?;
        }
        Ok(Some(report))
    }

    fn renew_document(
        &self,
        lock: &dyn ObjectLock,
        view: &DocumentView,
        report: &mut LockRenewal,
    ) -> Result<(), StoreError> {
        let chunks = self.chunks_of(view)?;
        let now = Timestamp::now();
        match self.lock_until(view) {
            LockUntil::Instant(until) if until > now => {
                lock.retain_chunks(&chunks, until)?;
                report.retained += chunks.len() as u64;
            }
            LockUntil::Instant(_) => report.passed += 1,
            LockUntil::Rolling => {
                let due = ahead(now, self.locks.renew_within);
                let mut renew = Vec::new();
                for chunk in &chunks {
                    let current = lock.chunk_lock(chunk)?.retain_until;
                    if current.is_none_or(|until| until < due) {
                        renew.push(*chunk);
                    }
                }
                lock.retain_chunks(&renew, ahead(now, self.locks.rolling))?;
                report.renewed += renew.len() as u64;
                report.rolling += (chunks.len() - renew.len()) as u64;
            }
        }
        if view.active_holds().next().is_some() {
            lock.hold_chunks(&chunks, true)?;
            report.held += chunks.len() as u64;
        }
        Ok(())
    }

    /// Removes the chunks that no manifest uses ([`crate::ContentStore::collect_garbage`]):
    /// `Some` with the storage's words when it refused some, still under its own lock (S3
    /// removes every other one). Never an error for that: the records that freed them stand.
    pub(super) fn collect_chunks(&self) -> Result<Option<String>, StoreError> {
        match self.content().collect_garbage() {
            Ok(_) => Ok(None),
            Err(VaultError::Storage(StorageError::Locked(refused))) => Ok(Some(refused)),
            Err(e) => Err(e.into()),
        }
    }

    /// Those of `chunks` still stored that no stored content uses: the chunks a collection
    /// found locked.
    pub(super) fn still_stored_unreferenced(
        &self,
        chunks: Vec<ChunkId>,
    ) -> Result<Vec<ChunkId>, StoreError> {
        let mut used: HashSet<ChunkId> = HashSet::new();
        for stored in self.content().stamped()? {
            let manifest = self.content().manifest(&stored.address)?;
            used.extend(manifest.chunks.iter().map(|c| c.id));
        }
        let mut left = Vec::new();
        for chunk in chunks {
            if !used.contains(&chunk) && self.content().backend().contains_chunk(&chunk)? {
                left.push(chunk);
            }
        }
        Ok(left)
    }

    /// Until when a signed checkpoint written to the storage is locked: as long as the longest
    /// retention a registration made today gets, a rolling lock's five years at least (a
    /// construction record's end is not known), to the end of that day in Astana time (so
    /// that checkpoints signed on one day share one date and are extended once a day at most).
    pub(super) fn checkpoint_lock_until(&self) -> Timestamp {
        let now = Timestamp::now();
        let years = self
            .retention
            .values()
            .map(|retention| match *retention {
                Retention::YearsFromRegistration { years } => years,
                Retention::UntilEndOfService { tail_years } => tail_years,
            })
            .max()
            .unwrap_or(0);
        let longest =
            SignedDuration::from_hours(24 * 366 * i64::from(years)).max(self.locks.rolling);
        let end = ahead(now, longest);
        astana()
            .ok()
            .and_then(|tz| end_of_day_in_astana(end.to_zoned(tz).date()))
            .unwrap_or(end)
    }
}

/// The locks on a real Ceph S3 gateway.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests;
