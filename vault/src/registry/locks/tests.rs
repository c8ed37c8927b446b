//! The record layer's locks on a real Ceph S3 gateway (`storage::s3::tests` starts it): the
//! records in RocksDB, the chunks in a bucket with Object Lock. Each proof that a lock
//! protects a chunk goes around the vault's code: the vault's own S3 client and curl, with the
//! vault's credentials, try to overwrite and delete it (`s3::tests::attack`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp};
use qoima_verifier::identity::Expectation;
use qoima_verifier::testing::{pki, sign_detached};

use super::*;
use crate::address::ContentAddress;
use crate::audit::note::Signer;
use crate::content::{ContentConfig, ContentStore};
use crate::records::{
    Actor, Calendar, DatingMode, Numbering, ObjectNumber, Participant, Reason, RetentionClass,
    Template,
};
use crate::registry::{
    Disposal, DisposeError, Registered, Registration, Submitter, verify_records,
};
use crate::storage::rocks::RocksBackend;
use crate::storage::s3::tests::{attack, config, store_with};
use crate::storage::s3::{S3Chunks, S3Config, chunk_key};
use crate::storage::split::Split;
use crate::storage::{ChunkLock, LockedObject, StorageError};

/// S3 chunks whose next `fail` lock calls (and `fail_holds` hold calls) fail, as if the
/// process had died between a commit and its lock, or S3 had failed; everything else goes to
/// S3 as it is.
#[derive(Debug)]
struct Interrupted {
    s3: S3Chunks,
    fail: AtomicU32,
    fail_holds: AtomicU32,
}

/// Takes one from `counter` if it is not zero: whether this call fails.
fn failing(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

impl ChunkStore for Interrupted {
    fn get_chunk(&self, id: &ChunkId) -> Result<Option<Vec<u8>>, StorageError> {
        self.s3.get_chunk(id)
    }
    fn contains_chunk(&self, id: &ChunkId) -> Result<bool, StorageError> {
        self.s3.contains_chunk(id)
    }
    fn put_chunk(&self, id: &ChunkId, value: &[u8]) -> Result<(), StorageError> {
        self.s3.put_chunk(id, value)
    }
    fn ensure_chunk(&self, id: &ChunkId, value: &[u8]) -> Result<(), StorageError> {
        self.s3.ensure_chunk(id, value)
    }
    fn sync(&self) -> Result<(), StorageError> {
        self.s3.sync()
    }
    fn chunk_ids(&self) -> Box<dyn Iterator<Item = Result<ChunkId, StorageError>> + '_> {
        self.s3.chunk_ids()
    }
    fn remove_chunks(&self, ids: &[ChunkId]) -> Result<u64, StorageError> {
        self.s3.remove_chunks(ids)
    }
    fn object_lock(&self) -> Option<&dyn ObjectLock> {
        Some(self)
    }
}

impl ObjectLock for Interrupted {
    fn retain_chunks(&self, ids: &[ChunkId], until: Timestamp) -> Result<(), StorageError> {
        if failing(&self.fail) {
            return Err(StorageError::Engine(
                "the process died before the lock".into(),
            ));
        }
        self.s3.retain_chunks(ids, until)
    }
    fn hold_chunks(&self, ids: &[ChunkId], on: bool) -> Result<(), StorageError> {
        if failing(&self.fail_holds) {
            return Err(StorageError::Engine("S3 did not answer the hold".into()));
        }
        self.s3.hold_chunks(ids, on)
    }
    fn put_locked_object(
        &self,
        object: &LockedObject,
        bytes: &[u8],
        until: Timestamp,
    ) -> Result<(), StorageError> {
        self.s3.put_locked_object(object, bytes, until)
    }
    fn remove_manifest(&self, address: &ContentAddress) -> Result<(), StorageError> {
        self.s3.remove_manifest(address)
    }
    fn chunk_lock(&self, id: &ChunkId) -> Result<ChunkLock, StorageError> {
        self.s3.chunk_lock(id)
    }
}

type OnS3 = Split<RocksBackend, Interrupted>;

/// A vault on S3 and what a test needs to reach its bucket around it.
struct Vault {
    registry: Registry<OnS3>,
    config: S3Config,
    _dir: tempfile::TempDir,
}

impl Vault {
    fn s3(&self) -> &S3Chunks {
        &self.registry.content().backend().chunks().s3
    }

    fn lock(&self) -> &dyn ObjectLock {
        self.s3()
    }

    /// Overwrite and deletion of `chunk`, tried around the vault.
    fn attack(&self, chunk: &ChunkId) -> crate::storage::s3::tests::Attack {
        attack(self.s3(), &self.config, &chunk_key(chunk))
    }

    fn chunks(&self, id: DocumentId) -> Vec<ChunkId> {
        let view = self.registry.document(id).unwrap().unwrap();
        self.registry.chunks_of(&view).unwrap()
    }

    fn chunk_lock(&self, chunk: &ChunkId) -> ChunkLock {
        self.lock().chunk_lock(chunk).unwrap()
    }

    fn register(&self, content: &[u8], class: RetentionClass) -> Registered {
        let registered = self
            .registry
            .register(&registration(&self.registry, content, class))
            .unwrap();
        assert_eq!(registered.unlocked, None);
        registered
    }

    fn dispose(&self, id: DocumentId) -> Result<Disposal, DisposeError> {
        let view = self.registry.document(id).unwrap().unwrap();
        let why = reason("retention passed");
        let act = sign_detached(
            pki::OFFICER,
            pki::OFFICER_KEY,
            &view.disposal_statement(&why),
        );
        self.registry
            .dispose(id, &why, &act, &actor("operator"), test_clock())
    }

    fn readable(&self, address: &[u8; 32]) -> bool {
        use std::io::Read;
        let Ok(mut reader) = self.registry.content().read(&ContentAddress(*address)) else {
            return false;
        };
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).is_ok()
    }
}

/// The vault's clock: 2045, after every retention of these tests, so that the vault allows
/// disposals that S3, whose clock is the real one, may still refuse.
fn test_clock() -> Timestamp {
    Timestamp::from_second(2_366_841_600).unwrap()
}

/// 2026-06-15T12:00:00Z, a Monday, under order 670: a project document is kept through
/// 2031-06-16, an expertise application through 2029-06-16.
fn monday_afternoon() -> Timestamp {
    Timestamp::from_second(1_781_524_800).unwrap()
}

/// Dates before 2030 (expertise applications registered in 2026) end three seconds from now
/// for S3, so that a test sees their lock pass; later ones at the end of their Astana day.
fn short_before_2030(day: Date) -> Option<Timestamp> {
    if day < date(2030, 1, 1) {
        Some(Timestamp::now() + SignedDuration::from_secs(3))
    } else {
        end_of_day_in_astana(day)
    }
}

fn vault() -> Vault {
    vault_with(|registry| registry)
}

fn vault_with(policy: impl FnOnce(Registry<OnS3>) -> Registry<OnS3>) -> Vault {
    let dir = tempfile::tempdir().unwrap();
    let config = config();
    let chunks = Interrupted {
        s3: store_with(config.clone()),
        fail: AtomicU32::new(0),
        fail_holds: AtomicU32::new(0),
    };
    let backend = Split::new(RocksBackend::open(dir.path()).unwrap(), chunks);
    // Small chunks: a document is several, and two contents may share one.
    let content = ContentStore::with_backend(
        backend,
        ContentConfig {
            chunk_size: 4 << 10,
            ..ContentConfig::default()
        },
    )
    .unwrap();
    let numbering = Numbering::new(Template::parse(Numbering::DEFAULT_TEMPLATE).unwrap());
    let registry = Registry::new(
        content,
        Arc::new(pki::rsa_and_officer_verifier()),
        Calendar::builtin().unwrap(),
        numbering,
    )
    .unwrap()
    .with_disposal_officer(Expectation {
        iin: Some(pki::OFFICER_IIN.into()),
        ..Expectation::default()
    })
    .with_clock(test_clock)
    .with_lock_policy(ROLLING_LOCK, RENEW_WITHIN, short_before_2030);
    Vault {
        registry: policy(registry),
        config,
        _dir: dir,
    }
}

fn reason(text: &str) -> Reason {
    text.parse().unwrap()
}

fn actor(text: &str) -> Actor {
    text.parse().unwrap()
}

fn object() -> ObjectNumber {
    "123456789012345678".parse().unwrap()
}

/// A PDF of four chunks (of 4 KiB but the last): the first filled with `first`, the rest
/// pseudo-random bytes of `seed`. Two PDFs with the same `first` share their first chunk.
fn pdf(first: u8, seed: u64) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.resize(4 << 10, first);
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    bytes.extend((0..9000).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as u8
    }));
    bytes
}

fn registration<S: ChunkStore + MetaStore>(
    registry: &Registry<S>,
    content: &[u8],
    class: RetentionClass,
) -> Registration {
    let address = registry.content().put(content).unwrap().address;
    let signature = sign_detached(pki::INDIVIDUAL, pki::INDIVIDUAL_KEY, content);
    let mut registration = Registration::new(
        address,
        vec![signature],
        class,
        Participant::new("ТОО Тест").unwrap(),
        Submitter::new(actor("test operator")),
        monday_afternoon(),
    )
    .expect(Expectation {
        iin: Some("850315300128".into()),
        ..Expectation::default()
    })
    .object_number(object())
    .dating(DatingMode::Submission);
    registration.filename = Some("проект.pdf".into());
    registration
}

/// The end of 2031-06-16 in Astana: a project document of 2026-06-15 is locked until then.
fn end_of_2031_06_16() -> Timestamp {
    "2031-06-16T19:00:00Z".parse().unwrap()
}

fn wait_until(instant: Timestamp) {
    while Timestamp::now() <= instant {
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_retained_document_s_chunks_resist_deletion_and_overwrite_at_s3() {
    let vault = vault();
    let registry = &vault.registry;
    let crls: [&[u8]; 2] = [pki::CA_RSA_CRL, pki::ROOT_RSA_CRL];
    registry.keep_crls(crls).unwrap();
    let doc = vault.register(&pdf(1, 1), RetentionClass::ProjectDocumentation);
    assert_eq!(doc.version.retain_until.as_deref(), Some("2031-06-16"));
    assert_eq!(doc.version.crls.len(), 2);
    let chunks = vault.chunks(doc.id);
    // The content's four chunks and the two CRLs kept as its evidence.
    assert_eq!(chunks.len(), 6, "{chunks:?}");
    for chunk in &chunks {
        assert_eq!(
            vault.chunk_lock(chunk),
            ChunkLock {
                retain_until: Some(end_of_2031_06_16()),
                legal_hold: false
            }
        );
        let attack = vault.attack(chunk);
        assert!(attack.refused(), "{attack:?}");
    }
    assert!(vault.readable(&doc.version.content));
    let check = verify_records(registry.content().backend()).unwrap();
    assert!(check.is_clean(), "{:?}", check.problems);
    // The same attack on a chunk of content that no document uses, so unlocked, destroys it.
    let loose = registry.content().put(&pdf(99, 99)[..]).unwrap();
    let manifest = registry.content().manifest(&loose.address).unwrap();
    let attack = vault.attack(&manifest.chunks[0].id);
    assert!(!attack.refused(), "{attack:?}");
    assert!(attack.deleted.iter().all(|&s| s == 204), "{attack:?}");
    assert!(!attack.intact);
}

#[test]
fn a_held_document_after_its_retention_is_kept_by_its_legal_hold_at_s3_until_released() {
    let vault = vault();
    let registry = &vault.registry;
    // An expertise application: its lock ends in seconds (`short_before_2030`).
    let doc = vault.register(&pdf(2, 2), RetentionClass::ExpertiseApplication);
    let chunks = vault.chunks(doc.id);
    let hold = registry
        .place_hold(
            doc.id,
            &reason("audit"),
            &actor("auditor"),
            None,
            test_clock(),
        )
        .unwrap();
    let until = vault.chunk_lock(&chunks[0]).retain_until.unwrap();
    wait_until(until + SignedDuration::from_secs(1));
    for chunk in &chunks {
        let lock = vault.chunk_lock(chunk);
        assert!(lock.legal_hold, "{lock:?}");
        assert!(lock.retain_until.unwrap() < Timestamp::now());
        // The retention has passed at S3: the hold alone refuses.
        let attack = vault.attack(chunk);
        assert!(attack.refused(), "{attack:?}");
    }
    // The vault refuses too, while the hold is on.
    assert!(matches!(
        vault.dispose(doc.id),
        Err(DisposeError::Retained { .. })
    ));
    registry
        .release_hold(
            doc.id,
            hold,
            &reason("closed"),
            &actor("auditor"),
            None,
            test_clock(),
        )
        .unwrap();
    for chunk in &chunks {
        assert!(!vault.chunk_lock(chunk).legal_hold);
    }
    // Released and past its retention: disposal deletes every chunk, nothing is left locked.
    let disposal = vault.dispose(doc.id).unwrap();
    assert!(disposal.locked.is_empty(), "{:?}", disposal.locked);
    assert!(disposal.tombstones[0].1.content_removed);
    for chunk in &chunks {
        assert!(!vault.s3().contains_chunk(chunk).unwrap());
    }
}

#[test]
fn a_hold_is_lifted_only_from_chunks_no_other_held_document_uses() {
    let vault = vault();
    let registry = &vault.registry;
    // Two documents whose contents share their first chunk.
    let a = vault.register(&pdf(3, 3), RetentionClass::ExpertiseApplication);
    let b = vault.register(&pdf(3, 4), RetentionClass::ExpertiseApplication);
    let (chunks_a, chunks_b) = (vault.chunks(a.id), vault.chunks(b.id));
    let shared: Vec<ChunkId> = chunks_a
        .iter()
        .filter(|c| chunks_b.contains(c))
        .copied()
        .collect();
    assert_eq!(shared.len(), 1);
    let at = test_clock();
    let hold_a = registry
        .place_hold(a.id, &reason("a"), &actor("auditor"), None, at)
        .unwrap();
    let hold_b = registry
        .place_hold(b.id, &reason("b"), &actor("auditor"), None, at)
        .unwrap();
    let second_a = registry
        .place_hold(a.id, &reason("a again"), &actor("auditor"), None, at)
        .unwrap();
    let held = |chunk: &ChunkId| vault.chunk_lock(chunk).legal_hold;
    // One of A's two holds released: A is still held, every chunk keeps its hold.
    registry
        .release_hold(a.id, hold_a, &reason("one"), &actor("auditor"), None, at)
        .unwrap();
    assert!(chunks_a.iter().all(held));
    // A released: its own chunks are free, the one B uses stays held.
    registry
        .release_hold(a.id, second_a, &reason("two"), &actor("auditor"), None, at)
        .unwrap();
    for chunk in &chunks_a {
        assert_eq!(held(chunk), shared.contains(chunk), "{chunk:?}");
    }
    assert!(chunks_b.iter().all(held));
    registry
        .release_hold(b.id, hold_b, &reason("b"), &actor("auditor"), None, at)
        .unwrap();
    assert!(!chunks_a.iter().chain(&chunks_b).any(held));
}

#[test]
fn a_hold_the_storage_refuses_is_not_recorded_and_a_lift_it_missed_is_done_by_the_maintenance() {
    let vault = vault();
    let registry = &vault.registry;
    let fail_holds = &registry.content().backend().chunks().fail_holds;
    let doc = vault.register(&pdf(13, 13), RetentionClass::ExpertiseApplication);
    let chunks = vault.chunks(doc.id);
    let held = |chunk: &ChunkId| vault.chunk_lock(chunk).legal_hold;
    let at = test_clock();
    // S3 fails: the hold is refused, and not recorded.
    fail_holds.store(1, Ordering::SeqCst);
    let e = registry
        .place_hold(doc.id, &reason("audit"), &actor("auditor"), None, at)
        .unwrap_err();
    assert!(e.to_string().contains("did not answer the hold"), "{e}");
    assert!(
        registry
            .document(doc.id)
            .unwrap()
            .unwrap()
            .events
            .is_empty()
    );
    assert!(!chunks.iter().any(held));
    let hold = registry
        .place_hold(doc.id, &reason("audit"), &actor("auditor"), None, at)
        .unwrap();
    assert!(chunks.iter().all(held));
    let renewal = registry.renew_locks().unwrap().unwrap();
    assert_eq!((renewal.held, renewal.lifted), (chunks.len() as u64, 0));
    // S3 fails after the release is recorded: the chunks stay held, the safe side...
    fail_holds.store(1, Ordering::SeqCst);
    registry
        .release_hold(doc.id, hold, &reason("closed"), &actor("auditor"), None, at)
        .unwrap();
    let view = registry.document(doc.id).unwrap().unwrap();
    assert_eq!(view.active_holds().count(), 0);
    assert!(chunks.iter().all(held));
    // ...until the maintenance lifts the holds no held document needs.
    let renewal = registry.renew_locks().unwrap().unwrap();
    assert_eq!((renewal.held, renewal.lifted), (0, chunks.len() as u64));
    assert!(!chunks.iter().any(held));
    let renewal = registry.renew_locks().unwrap().unwrap();
    assert_eq!(renewal.lifted, 0);
}

#[test]
fn a_chunk_shared_by_two_documents_keeps_the_longer_lock() {
    let vault = vault();
    let registry = &vault.registry;
    let a = vault.register(&pdf(5, 5), RetentionClass::ProjectDocumentation);
    let chunks_a = vault.chunks(a.id);
    // B shares A's first chunk, and is kept through 2040.
    let b = vault.register(&pdf(5, 6), RetentionClass::ProjectDocumentation);
    let chunks_b = vault.chunks(b.id);
    let shared = chunks_a[..]
        .iter()
        .find(|c| chunks_b.contains(c))
        .copied()
        .unwrap();
    let longer = date(2040, 1, 1);
    registry
        .extend_retention(b.id, longer, &reason("court"), &actor("op"), test_clock())
        .unwrap();
    let end_of_longer: Timestamp = "2040-01-01T19:00:00Z".parse().unwrap();
    for chunk in &chunks_b {
        assert_eq!(vault.chunk_lock(chunk).retain_until, Some(end_of_longer));
    }
    for chunk in chunks_a.iter().filter(|c| **c != shared) {
        assert_eq!(
            vault.chunk_lock(chunk).retain_until,
            Some(end_of_2031_06_16())
        );
    }
    // A third document with the shorter retention, the same first chunk: the lock stays.
    let c = vault.register(&pdf(5, 7), RetentionClass::ProjectDocumentation);
    assert!(vault.chunks(c.id).contains(&shared));
    assert_eq!(vault.chunk_lock(&shared).retain_until, Some(end_of_longer));
    // And the maintenance changes nothing of it.
    let renewal = registry.renew_locks().unwrap().unwrap();
    assert_eq!(renewal.documents, 3);
    assert!(renewal.failed.is_empty(), "{:?}", renewal.failed);
    assert_eq!(vault.chunk_lock(&shared).retain_until, Some(end_of_longer));
    let attack = vault.attack(&shared);
    assert!(attack.refused(), "{attack:?}");
}

#[test]
fn disposal_deletes_what_the_storage_frees_and_leaves_what_it_still_locks() {
    let vault = vault();
    let registry = &vault.registry;
    // Locked at S3 until 2031, though the vault's clock (2045) allows its disposal.
    let locked = vault.register(&pdf(7, 7), RetentionClass::ProjectDocumentation);
    // Locked for seconds.
    let free = vault.register(&pdf(8, 8), RetentionClass::ExpertiseApplication);
    let (locked_chunks, free_chunks) = (vault.chunks(locked.id), vault.chunks(free.id));
    let until = vault.chunk_lock(&free_chunks[0]).retain_until.unwrap();
    wait_until(until + SignedDuration::from_secs(1));

    let disposal = vault.dispose(free.id).unwrap();
    assert!(disposal.locked.is_empty(), "{:?}", disposal.locked);
    for chunk in &free_chunks {
        assert!(!vault.s3().contains_chunk(chunk).unwrap());
    }

    // S3 refuses: the chunks stay and are reported; the disposal and its tombstone stand.
    let disposal = vault.dispose(locked.id).unwrap();
    assert_eq!(disposal.locked, locked_chunks);
    assert!(disposal.tombstones[0].1.content_removed);
    assert!(registry.is_disposed(locked.id).unwrap());
    for chunk in &locked_chunks {
        assert!(vault.s3().contains_chunk(chunk).unwrap());
        let attack = vault.attack(chunk);
        assert!(attack.refused(), "{attack:?}");
    }
    // A collection meets the same refusal and says so, without failing.
    let collection = registry
        .collect_unreferenced(SignedDuration::ZERO, &[], &actor("gc"))
        .unwrap();
    assert!(collection.locked.is_some(), "{collection:?}");
    let check = verify_records(registry.content().backend()).unwrap();
    assert!(check.is_clean(), "{:?}", check.problems);
}

#[test]
fn rolling_locks_of_construction_records_are_renewed_by_the_maintenance() {
    // Twenty seconds ahead, renewed once fewer than fifteen are left.
    let vault = vault_with(|registry| {
        registry.with_lock_policy(
            SignedDuration::from_secs(20),
            SignedDuration::from_secs(15),
            end_of_day_in_astana,
        )
    });
    let registry = &vault.registry;
    let doc = vault.register(&pdf(9, 9), RetentionClass::ConstructionRecord);
    assert_eq!(doc.version.retain_until, None);
    let chunks = vault.chunks(doc.id);
    let first = vault.chunk_lock(&chunks[0]).retain_until.unwrap();
    let ahead = first.duration_since(Timestamp::now());
    assert!(
        ahead > SignedDuration::from_secs(15) && ahead <= SignedDuration::from_secs(21),
        "{ahead:?}"
    );
    // Long enough left: nothing renewed.
    let renewal = registry.renew_locks().unwrap().unwrap();
    assert_eq!((renewal.renewed, renewal.rolling), (0, chunks.len() as u64));
    assert_eq!(vault.chunk_lock(&chunks[0]).retain_until, Some(first));
    // Fewer than fifteen seconds left: renewed, twenty seconds ahead again.
    wait_until(first - SignedDuration::from_secs(14));
    let renewal = registry.renew_locks().unwrap().unwrap();
    assert_eq!(renewal.renewed, chunks.len() as u64, "{renewal:?}");
    for chunk in &chunks {
        let renewed = vault.chunk_lock(chunk).retain_until.unwrap();
        assert!(renewed > first, "{renewed} after {first}");
    }
    // The end of service gives the date: locked until its end (the tail is 0 years).
    let ended = date(2040, 3, 1);
    registry
        .record_end_of_service(
            &object(),
            ended,
            &reason("act 7"),
            &actor("op"),
            test_clock(),
        )
        .unwrap();
    let end: Timestamp = "2040-03-01T19:00:00Z".parse().unwrap();
    for chunk in &chunks {
        assert_eq!(vault.chunk_lock(chunk).retain_until, Some(end));
    }
    let renewal = registry.renew_locks().unwrap().unwrap();
    assert_eq!((renewal.renewed, renewal.rolling), (0, 0));
    assert_eq!(renewal.retained, chunks.len() as u64);
}

#[test]
fn a_lock_lost_between_the_commit_and_the_lock_is_set_by_the_maintenance() {
    let vault = vault();
    let registry = &vault.registry;
    registry
        .content()
        .backend()
        .chunks()
        .fail
        .store(1, Ordering::SeqCst);
    let doc = registry
        .register(&registration(
            registry,
            &pdf(10, 10),
            RetentionClass::ProjectDocumentation,
        ))
        .unwrap();
    // Registered, and it says that the lock is missing.
    let unlocked = doc.unlocked.clone().unwrap();
    assert!(unlocked.contains("died before the lock"), "{unlocked}");
    assert!(registry.document(doc.id).unwrap().is_some());
    let chunks = vault.chunks(doc.id);
    for chunk in &chunks {
        assert_eq!(vault.chunk_lock(chunk).retain_until, None);
    }
    let renewal = registry.renew_locks().unwrap().unwrap();
    assert_eq!(renewal.documents, 1);
    assert_eq!(renewal.retained, chunks.len() as u64);
    assert!(renewal.failed.is_empty(), "{:?}", renewal.failed);
    for chunk in &chunks {
        assert_eq!(
            vault.chunk_lock(chunk).retain_until,
            Some(end_of_2031_06_16())
        );
        let attack = vault.attack(chunk);
        assert!(attack.refused(), "{attack:?}");
    }
    // A run that fails says which document, and the next one catches up.
    let other = vault.register(&pdf(11, 11), RetentionClass::ProjectDocumentation);
    registry
        .content()
        .backend()
        .chunks()
        .fail
        .store(2, Ordering::SeqCst);
    let renewal = registry.renew_locks().unwrap().unwrap();
    assert_eq!(renewal.failed.len(), 2, "{renewal:?}");
    assert!(renewal.failed.iter().any(|(id, _)| *id == other.id));
    let renewal = registry.renew_locks().unwrap().unwrap();
    assert!(renewal.failed.is_empty(), "{:?}", renewal.failed);
}

#[test]
fn signed_checkpoints_are_written_locked_at_s3() {
    use sha2::{Digest, Sha256};
    let vault = vault();
    let registry = &vault.registry;
    vault.register(&pdf(12, 12), RetentionClass::ProjectDocumentation);
    let signer = Signer::from_pkcs8("qoima.test/log", &Signer::generate_pkcs8().unwrap()).unwrap();
    let (checkpoint, note) = registry.log().unwrap().checkpoint(&signer).unwrap();
    assert_eq!(checkpoint.size, 1);
    let key = format!(
        "checkpoints/{:020}-{}",
        checkpoint.size,
        hex::encode(Sha256::digest(note.as_bytes()))
    );
    let attack = attack(vault.s3(), &vault.config, &key);
    assert!(attack.refused(), "{attack:?}");
    // Locked at least five years ahead.
    let until = registry.checkpoint_lock_until();
    assert!(until >= Timestamp::now() + ROLLING_LOCK);
    // Signed again on the same day: the same object, kept.
    let (_, again) = registry.log().unwrap().checkpoint(&signer).unwrap();
    assert_eq!(again, note);
}

/// RocksDB keeps no locks of its own: the maintenance says there is nothing to do.
#[test]
fn rocksdb_has_no_locks_to_renew() {
    let dir = tempfile::tempdir().unwrap();
    let content = ContentStore::open(dir.path(), ContentConfig::default()).unwrap();
    let numbering = Numbering::new(Template::parse(Numbering::DEFAULT_TEMPLATE).unwrap());
    let registry = Registry::new(
        content,
        Arc::new(pki::rsa_and_officer_verifier()),
        Calendar::builtin().unwrap(),
        numbering,
    )
    .unwrap();
    assert!(registry.renew_locks().unwrap().is_none());
}

/// RocksDB records whose manifest lookups are counted: each is a statement of its own on
/// PostgreSQL.
struct CountedRecords {
    rocks: RocksBackend,
    manifest_reads: AtomicU32,
}

impl MetaStore for CountedRecords {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        if table == Table::Manifests {
            self.manifest_reads.fetch_add(1, Ordering::SeqCst);
        }
        self.rocks.get(table, key)
    }
    fn commit(&self, batch: crate::storage::MetaBatch) -> Result<(), StorageError> {
        self.rocks.commit(batch)
    }
    fn scan(
        &self,
        table: Table,
    ) -> Box<dyn Iterator<Item = Result<crate::storage::Entry, StorageError>> + '_> {
        self.rocks.scan(table)
    }
    fn scan_prefix(
        &self,
        table: Table,
        prefix: &[u8],
    ) -> Box<dyn Iterator<Item = Result<crate::storage::Entry, StorageError>> + '_> {
        self.rocks.scan_prefix(table, prefix)
    }
    fn last_with_prefix(
        &self,
        table: Table,
        prefix: &[u8],
    ) -> Result<Option<crate::storage::Entry>, StorageError> {
        self.rocks.last_with_prefix(table, prefix)
    }
}

#[test]
fn a_registration_reads_each_manifest_once_and_checks_it_once_under_the_writer_lock() {
    let dir = tempfile::tempdir().unwrap();
    let chunks = Interrupted {
        s3: store_with(config()),
        fail: AtomicU32::new(0),
        fail_holds: AtomicU32::new(0),
    };
    let records = CountedRecords {
        rocks: RocksBackend::open(dir.path()).unwrap(),
        manifest_reads: AtomicU32::new(0),
    };
    let content = ContentStore::with_backend(
        Split::new(records, chunks),
        ContentConfig {
            chunk_size: 4 << 10,
            ..ContentConfig::default()
        },
    )
    .unwrap();
    let numbering = Numbering::new(Template::parse(Numbering::DEFAULT_TEMPLATE).unwrap());
    let registry = Registry::new(
        content,
        Arc::new(pki::rsa_and_officer_verifier()),
        Calendar::builtin().unwrap(),
        numbering,
    )
    .unwrap()
    .with_clock(test_clock)
    .with_lock_policy(ROLLING_LOCK, RENEW_WITHIN, short_before_2030);
    // Two CRLs kept as evidence: three manifests (the content's and theirs) in play.
    let crls: [&[u8]; 2] = [pki::CA_RSA_CRL, pki::ROOT_RSA_CRL];
    registry.keep_crls(crls).unwrap();
    let submission = registration(&registry, &pdf(3, 3), RetentionClass::ProjectDocumentation);
    let reads = &registry.content().backend().meta().manifest_reads;
    reads.store(0, Ordering::SeqCst);
    let registered = registry.register(&submission).unwrap();
    assert_eq!(registered.unlocked, None);
    let version = &registered.version;
    assert_eq!(version.crls.len(), 2);
    // Each read once while the registration is prepared (its length, first bytes, signatures
    // and evidence), and looked up once more under the writer lock (it must still be there
    // when the version is committed); the locks after the commit read none of them again.
    assert_eq!(reads.load(Ordering::SeqCst), 6);
    // And they are locked all the same: every chunk of the content and of the evidence.
    let view = registry.document(registered.id).unwrap().unwrap();
    for chunk in registry.chunks_of(&view).unwrap() {
        let lock = registry
            .content()
            .backend()
            .chunks()
            .s3
            .chunk_lock(&chunk)
            .unwrap();
        assert!(lock.retain_until.is_some(), "{chunk:?}: {lock:?}");
    }
}
