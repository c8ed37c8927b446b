// Registrations checked before their content is stored, and the collection of unreferenced
// content, on a real store with real signatures (`verifier/testdata/pki`). The clocks of the
// vault and of puts are the test thread's own, so that tests running in parallel do not move
// each other's time. Included once per backend by `suites.rs`, which defines `Registry` and
// `content_store`.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use qoima_verifier::identity::Expectation;
use qoima_verifier::testing::{pki, sign_detached};
use sha2::{Digest, Sha256};

use crate::registry::*;
use crate::address::ContentAddress;
use crate::records::{Participant, Template};
use crate::uploads::{NewUpload, UploadConfig, UploadStore};

thread_local! {
    /// Now, for this test's vault and puts: unix seconds.
    static NOW: Cell<i64> = const { Cell::new(START) };
}

/// 2026-06-15T12:00:00Z, a Monday: where each test starts.
const START: i64 = 1_781_524_800;

const DAY: i64 = 24 * 3600;

fn clock() -> Timestamp {
    Timestamp::from_second(NOW.with(Cell::get)).unwrap()
}

/// Moves this test's clock to `days` after its start.
fn at_day(days: i64) {
    NOW.with(|now| now.set(START + days * DAY));
}

const PDF: &[u8] = b"%PDF-1.7\n% a project drawing\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

/// The test PKI's signers but the officer have this IIN.
const SENDER_IIN: &str = "850315300128";

const WEEK: SignedDuration = SignedDuration::from_hours(7 * 24);

fn registry(dir: &std::path::Path) -> Registry {
    at_day(0);
    let content = content_store(dir);
    content.set_clock(clock);
    let numbering = Numbering::new(Template::parse(Numbering::DEFAULT_TEMPLATE).unwrap());
    Registry::new(
        content,
        Arc::new(pki::rsa_and_officer_verifier()),
        Calendar::builtin().unwrap(),
        numbering,
    )
    .unwrap()
    .with_clock(clock)
}

fn operator() -> Actor {
    "operator".parse().unwrap()
}

/// A registration of `content` signed by `signer` (its certificate and key), now.
fn registration(address: ContentAddress, content: &[u8], signer: (&[u8], &str)) -> Registration {
    Registration::new(
        address,
        vec![sign_detached(signer.0, signer.1, content)],
        RetentionClass::ProjectDocumentation,
        Participant::new("ТОО Тест").unwrap(),
        Submitter::new(operator()),
        clock(),
    )
    .object_number("123456789012345678".parse().unwrap())
    .expect(Expectation {
        iin: Some(SENDER_IIN.into()),
        ..Expectation::default()
    })
}

fn sha(bytes: &[u8]) -> ContentAddress {
    ContentAddress(Sha256::digest(bytes).into())
}

/// A finished upload of `bytes`.
fn upload(dir: &std::path::Path, bytes: &[u8]) -> crate::content::StagedContent {
    let uploads = UploadStore::open(dir, UploadConfig::default()).unwrap();
    let created = uploads
        .create(
            NewUpload {
                length: bytes.len() as u64,
                sha256: sha(bytes).0,
                owner: "key".into(),
                metadata: BTreeMap::new(),
            },
            Timestamp::now(),
        )
        .unwrap();
    let mut patch = uploads
        .begin(created.id, 0, None, Timestamp::now())
        .unwrap();
    patch.write(bytes).unwrap();
    let done = patch.finish(Timestamp::now()).unwrap();
    uploads.staged(&done).unwrap()
}

/// Manifests (without the stamps of puts) and chunks in the store.
fn stored(registry: &Registry) -> (usize, usize) {
    let backend = registry.content().backend();
    let manifests = backend
        .scan(Table::Manifests)
        .filter(|entry| entry.as_ref().unwrap().0.len() == 32)
        .count();
    (manifests, backend.chunk_ids().count())
}

fn readable(registry: &Registry, address: &ContentAddress) -> bool {
    let mut bytes = Vec::new();
    registry
        .content()
        .read(address)
        .and_then(|mut reader| reader.read_to_end(&mut bytes).map_err(Into::into))
        .is_ok()
}

fn collect(registry: &Registry) -> Collection {
    registry
        .collect_unreferenced(WEEK, &[], &operator())
        .unwrap()
}

// Checks first.

#[test]
fn a_refused_registration_from_an_upload_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(&dir.path().join("vault"));
    let staging = dir.path().join("uploads");
    let individual = (pki::INDIVIDUAL, pki::INDIVIDUAL_KEY);

    // A revoked signer, another sender than the expected one, a format the class refuses.
    let staged = upload(&staging, PDF);
    let revoked = registration(staged.address(), PDF, (pki::REVOKED, pki::REVOKED_KEY))
        .staged(staged.clone());
    let err = registry.register(&revoked).unwrap_err();
    assert!(matches!(err, RegisterError::Refused { .. }), "{err}");
    let mut wrong_sender = registration(staged.address(), PDF, individual).staged(staged.clone());
    wrong_sender.expected.iin = Some("920202500111".into());
    let err = registry.register(&wrong_sender).unwrap_err();
    assert!(err.to_string().contains("NOT_OWNER"), "{err}");
    let text = b"plain text, not a drawing";
    let staged_text = upload(&staging, text);
    let err = registry
        .register(&registration(staged_text.address(), text, individual).staged(staged_text))
        .unwrap_err();
    assert!(matches!(err, RegisterError::Format(_)), "{err}");
    assert_eq!(stored(&registry), (0, 0), "a refusal stored content");

    // Accepted: stored, and readable as the bytes registered.
    let registered = registry
        .register(&registration(staged.address(), PDF, individual).staged(staged.clone()))
        .unwrap();
    assert_eq!(registered.version.content, sha(PDF).0);
    assert!(readable(&registry, &staged.address()));
    assert_eq!(stored(&registry).0, 1);
    assert!(
        verify_records(registry.content().backend())
            .unwrap()
            .is_clean()
    );
}

#[test]
fn a_staged_upload_that_changed_on_disk_is_never_registered() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(&dir.path().join("vault"));
    let staged = upload(&dir.path().join("uploads"), PDF);
    // The data file changed after its SHA-256 was verified: same length, other bytes.
    let data = std::fs::read_dir(dir.path().join("uploads"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "data"))
        .unwrap();
    let mut changed = PDF.to_vec();
    changed[12] ^= 1;
    std::fs::write(&data, &changed).unwrap();
    let individual = (pki::INDIVIDUAL, pki::INDIVIDUAL_KEY);
    let err = registry
        .register(&registration(staged.address(), PDF, individual).staged(staged))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal, "{err}");
    assert_eq!(registry.log().unwrap().size(), 0);
    assert!(
        registry
            .content()
            .backend()
            .scan(Table::Versions)
            .next()
            .is_none()
    );
}

// Collection of unreferenced content.

#[test]
fn unreferenced_content_is_collected_after_the_grace_period_and_logged() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let loose = registry
        .content()
        .put(&b"put, never registered"[..])
        .unwrap()
        .address;
    let kept = registry.content().put(PDF).unwrap().address;
    let individual = (pki::INDIVIDUAL, pki::INDIVIDUAL_KEY);
    registry
        .register(&registration(kept, PDF, individual))
        .unwrap();

    // Within the grace period: kept.
    at_day(6);
    let collection = collect(&registry);
    assert_eq!(collection.removed, []);
    assert_eq!((collection.within_grace, collection.referenced), (1, 1));
    assert!(readable(&registry, &loose));

    // After it: removed with its chunks; the registered content stays.
    at_day(8);
    let log_before = registry.log().unwrap().size();
    let collection = collect(&registry);
    assert_eq!(collection.removed.len(), 1);
    assert_eq!(collection.removed[0].address, loose);
    assert_eq!(
        collection.removed[0].put_at,
        Timestamp::from_second(START).unwrap()
    );
    assert_eq!(collection.number, Some(1));
    assert_eq!(collection.chunks, 1);
    assert!(!readable(&registry, &loose));
    assert!(registry.content().put_at(&loose).unwrap().is_none());
    assert!(readable(&registry, &kept));
    assert_eq!(stored(&registry), (1, 1));

    // One audit entry over the stored record, which names what went and when it was put.
    let log = registry.log().unwrap();
    assert_eq!(log.size(), log_before + 1);
    let entry = String::from_utf8(log.entry(log_before).unwrap()).unwrap();
    assert!(entry.contains("\ncollected\n"), "{entry}");
    assert!(entry.contains("\ncollection:1\n"), "{entry}");
    let record = registry
        .content()
        .backend()
        .get(Table::Collections, &1u32.to_be_bytes())
        .unwrap()
        .unwrap();
    let record: CollectionRecord = codec::decode(&record).unwrap();
    assert_eq!(record.grace_seconds, WEEK.as_secs());
    assert_eq!(record.by, "operator");
    assert_eq!(record.contents.len(), 1);
    assert_eq!(record.contents[0].content, loose.0);
    assert_eq!(record.contents[0].put_at, START);
    assert!(
        verify_records(registry.content().backend())
            .unwrap()
            .is_clean()
    );

    // Nothing left to collect: no entry, no record.
    let collection = collect(&registry);
    assert_eq!((collection.removed.len(), collection.number), (0, None));
    assert_eq!(registry.log().unwrap().size(), log_before + 1);

    // The same bytes put again are a new content with a grace period of its own.
    registry
        .content()
        .put(&b"put, never registered"[..])
        .unwrap();
    at_day(14);
    assert_eq!(collect(&registry).removed, []);
    at_day(16);
    assert_eq!(collect(&registry).number, Some(2));
    assert!(
        verify_records(registry.content().backend())
            .unwrap()
            .is_clean()
    );
}

#[test]
fn a_put_again_restarts_the_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let address = registry.content().put(&b"put twice"[..]).unwrap().address;
    at_day(6);
    let again = registry.content().put(&b"put twice"[..]).unwrap();
    assert!(!again.created);
    at_day(8);
    assert_eq!(
        collect(&registry).removed,
        [],
        "the second put was 2 days ago"
    );
    assert!(readable(&registry, &address));
    at_day(13);
    assert_eq!(collect(&registry).removed.len(), 1);
}

#[test]
fn referenced_and_kept_content_is_never_collected_and_old_stores_start_their_grace_now() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let individual = (pki::INDIVIDUAL, pki::INDIVIDUAL_KEY);
    let registered = registry.content().put(PDF).unwrap().address;
    registry
        .register(&registration(registered, PDF, individual))
        .unwrap();
    let configured = registry
        .content()
        .put(&b"a configured CRL"[..])
        .unwrap()
        .address;
    let old = registry
        .content()
        .put(&b"stored before stamps"[..])
        .unwrap()
        .address;
    // A store from before stamps: the content has no stamp.
    let mut stamp = old.0.to_vec();
    stamp.extend_from_slice(&u64::try_from(START).unwrap().to_be_bytes());
    registry.content().backend().delete(Table::Manifests, &stamp);
    assert!(registry.content().put_at(&old).unwrap().is_none());

    at_day(400);
    let collection = registry
        .collect_unreferenced(WEEK, &[configured], &operator())
        .unwrap();
    assert_eq!(collection.removed, []);
    assert_eq!((collection.referenced, collection.stamped), (2, 1));
    assert_eq!(
        registry.content().put_at(&old).unwrap(),
        Some(clock()),
        "its grace period starts with the collection that first saw it"
    );
    at_day(408);
    let collection = registry
        .collect_unreferenced(WEEK, &[configured], &operator())
        .unwrap();
    assert_eq!(collection.removed.len(), 1);
    assert_eq!(collection.removed[0].address, old);
    assert!(readable(&registry, &registered));
    assert!(readable(&registry, &configured));
    assert!(
        verify_records(registry.content().backend())
            .unwrap()
            .is_clean()
    );

    // A negative grace period is the caller's mistake and changes nothing.
    let err = registry
        .collect_unreferenced(SignedDuration::from_secs(-1), &[], &operator())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Caller);
}

#[test]
fn a_registration_racing_a_collection_is_refused_or_kept_never_stored_without_its_content() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let individual = (pki::INDIVIDUAL, pki::INDIVIDUAL_KEY);
    let address = registry.content().put(PDF).unwrap().address;
    at_day(30);

    // Checked while the content was there, collected before it was written: refused (the
    // writer lock's re-check), nothing stored, and a retry of the same bytes works.
    let submission = registration(address, PDF, individual);
    let prepared = registry.prepare(&submission).unwrap();
    assert_eq!(collect(&registry).removed.len(), 1);
    let err = registry.store(&submission, prepared).unwrap_err();
    assert!(matches!(err, RegisterError::ContentMissing(_)), "{err}");
    assert!(
        registry
            .content()
            .backend()
            .scan(Table::Versions)
            .next()
            .is_none()
    );
    assert!(
        verify_records(registry.content().backend())
            .unwrap()
            .is_clean()
    );

    // From an upload, the content is put again when its checks pass: the stamp is fresh, so
    // the same collection keeps it, and the registration is written.
    let staged = upload(&dir.path().join("uploads"), PDF);
    let submission = registration(address, PDF, individual).staged(staged);
    let prepared = registry.prepare(&submission).unwrap();
    assert_eq!(collect(&registry).removed, []);
    registry.store(&submission, prepared).unwrap();

    // Written first, then collected: referenced, kept, long after the grace period.
    at_day(3000);
    let collection = collect(&registry);
    assert_eq!((collection.removed.len(), collection.referenced), (0, 1));
    assert!(readable(&registry, &address));
    assert!(
        verify_records(registry.content().backend())
            .unwrap()
            .is_clean()
    );
}

#[test]
fn the_collection_record_layout_is_frozen() {
    let record = CollectionRecord {
        at: 1,
        by: "op".into(),
        grace_seconds: 2,
        contents: vec![CollectedContent {
            content: [0xab; 32],
            length: 3,
            put_at: 4,
        }],
    };
    let bytes = codec::encode(&record).unwrap();
    let expected = concat!(
        "01",     // format version
        "02",     // at 1 (zigzag)
        "026f70", // "op"
        "04",     // grace 2 (zigzag)
        "01",     // one content
        "abababababababababababababababababababababababababababababababab",
        "03", // length
        "08", // put at 4 (zigzag)
    );
    assert_eq!(hex::encode(&bytes), expected);
    assert_eq!(codec::decode::<CollectionRecord>(&bytes).unwrap(), record);
}

#[test]
fn imported_revocation_data_is_never_collected() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let imported = registry
        .content()
        .put(&b"an imported CRL"[..])
        .unwrap()
        .address;
    let loose = registry
        .content()
        .put(&b"put and never registered"[..])
        .unwrap()
        .address;
    registry
        .record_revocation_import(ImportKind::Crl, imported, clock(), &operator(), clock())
        .unwrap();
    at_day(30);
    let collection = collect(&registry);
    assert_eq!(
        collection
            .removed
            .iter()
            .map(|r| r.address)
            .collect::<Vec<_>>(),
        [loose]
    );
    assert!(readable(&registry, &imported));
    assert!(!readable(&registry, &loose));
}
