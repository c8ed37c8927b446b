// Registration on a real store with real signatures: documents signed in the test with the
// generated PKI's keys (`verifier/testdata/pki`) and verified by the engine. Included once per
// backend by `suites.rs`, which defines `Registry` and `content_store`.

use std::sync::Arc;

use jiff::Timestamp;
use qoima_verifier::identity::Expectation;
use qoima_verifier::testing::{pki, sign_detached};
use qoima_verifier::verdict::SubIndication;

use super::*;
use crate::address::ContentAddress;
use crate::records::{
    DatingMode, DisposalAct, DocumentRecord, Event, ObjectNumber, Participant, Reason, Template,
    VersionRecord, annulment_statement,
};

/// A signer of the generated PKI: certificate and key.
struct Signer(&'static [u8], &'static str);

const INDIVIDUAL: Signer = Signer(pki::INDIVIDUAL, pki::INDIVIDUAL_KEY);
const REVOKED: Signer = Signer(pki::REVOKED, pki::REVOKED_KEY);

impl Signer {
    fn sign(&self, content: &[u8]) -> Vec<u8> {
        sign_detached(self.0, self.1, content)
    }
}

/// 2026-06-15T12:00:00Z, a Monday: 17:00 in Astana, after the cut-off.
fn monday_afternoon() -> Timestamp {
    Timestamp::from_second(1_781_524_800).unwrap()
}

const PDF: &[u8] = b"%PDF-1.7\n% a project drawing\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

fn reason(text: &str) -> Reason {
    text.parse().unwrap()
}

fn actor(text: &str) -> Actor {
    text.parse().unwrap()
}

/// The construction object of the test's registrations.
fn object() -> ObjectNumber {
    "123456789012345678".parse().unwrap()
}

/// What `qoima audit verify` runs.
fn verified(registry: &Registry) -> RecordsReport {
    verify_records(registry.content().backend()).unwrap()
}

/// The test PKI's signers but `officer` have this IIN (`verifier/testdata/pki/identities.txt`).
const SENDER_IIN: &str = "850315300128";

/// The vault's clock in these tests: 2045-01-01, after every retention they reach, so that they
/// may dispose of documents registered in 2026.
fn test_clock() -> Timestamp {
    Timestamp::from_second(2_366_841_600).unwrap()
}

/// The officer who signs disposal acts (`verifier/testdata/pki/officer.sh`, valid to 2049).
fn officer() -> Expectation {
    Expectation {
        iin: Some(pki::OFFICER_IIN.into()),
        ..Expectation::default()
    }
}

fn registry(dir: &std::path::Path) -> Registry {
    let content = content_store(dir);
    let numbering = Numbering::new(Template::parse(Numbering::DEFAULT_TEMPLATE).unwrap());
    Registry::new(
        content,
        Arc::new(pki::rsa_and_officer_verifier()),
        Calendar::builtin().unwrap(),
        numbering,
    )
    .unwrap()
    .with_disposal_officer(officer())
    .with_clock(test_clock)
}

/// The disposal act of document `id` for `why`, signed by the officer.
fn act(registry: &Registry, id: DocumentId, why: &str) -> Vec<u8> {
    let view = registry.document(id).unwrap().unwrap();
    sign_detached(
        pki::OFFICER,
        pki::OFFICER_KEY,
        &view.disposal_statement(&reason(why)),
    )
}

/// Disposes of `id` for `why`, by `by`, at `at`, with the officer's act.
fn dispose(
    registry: &Registry,
    id: DocumentId,
    why: &str,
    by: &str,
    at: Timestamp,
) -> Result<Disposal, DisposeError> {
    registry.dispose(id, &reason(why), &act(registry, id, why), &actor(by), at)
}

fn registration(registry: &Registry, content: &[u8], signer: &Signer) -> Registration {
    let address = registry.content().put(content).unwrap().address;
    Registration {
        content: address,
        signatures: vec![signer.sign(content)],
        class: RetentionClass::ProjectDocumentation,
        object_number: Some(object()),
        participant: Participant::new("ТОО Тест").unwrap(),
        expected: Expectation {
            iin: Some(SENDER_IIN.into()),
            ..Expectation::default()
        },
        submitter: Submitter::new(actor("test operator")),
        at: monday_afternoon(),
        dating: DatingMode::Submission,
        filename: Some("проект.pdf".into()),
        media_type: Some("application/pdf".into()),
        staged: None,
        ocsp_responses: Vec::new(),
    }
}

fn log_size(registry: &Registry) -> u64 {
    AuditLog::open(registry.content().backend()).unwrap().size()
}

#[test]
fn a_signed_pdf_is_registered_numbered_dated_and_logged() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let registered = registry
        .register(&registration(&registry, PDF, &INDIVIDUAL))
        .unwrap();
    let version = &registered.version;
    assert_eq!(version.version, 1);
    assert_eq!(version.registration_number, "ТОО Тест-2026-000001");
    // 17:00 in Astana on Monday 2026-06-15 → the next working day.
    assert_eq!(version.registration_date, "2026-06-16");
    assert_eq!(version.retain_until.as_deref(), Some("2031-06-16"));
    assert_eq!(version.format, "pdf");
    assert_eq!(version.audit_index, 0);
    assert!(registered.reports[0].verdict.passed());

    let backend = registry.content().backend();
    let stored = backend
        .get(Table::Versions, &version_key(registered.id, 1))
        .unwrap()
        .unwrap();
    assert_eq!(
        codec::decode_upgrading::<VersionRecord>(&stored).unwrap(),
        *version
    );
    let log = AuditLog::open(backend).unwrap();
    assert_eq!(log.size(), 1);
    let entry = String::from_utf8(log.entry(0).unwrap()).unwrap();
    assert!(
        entry.starts_with("qoima-audit-v2\nregister\n1781524800\n"),
        "{entry}"
    );
    assert!(entry.contains(&registered.id.to_string()), "{entry}");

    // The next registration takes the next number; another participant has its own count.
    let second = registry
        .register(&registration(&registry, b"%PDF-1.4\nanother", &INDIVIDUAL))
        .unwrap();
    assert_eq!(second.version.registration_number, "ТОО Тест-2026-000002");
    assert_eq!(second.version.audit_index, 1);
    let mut other = registration(&registry, b"%PDF-1.4\nthird", &INDIVIDUAL);
    other.participant = Participant::new("ГУ Экспертиза").unwrap();
    let third = registry.register(&other).unwrap();
    assert_eq!(
        third.version.registration_number,
        "ГУ Экспертиза-2026-000001"
    );
    assert_eq!(log_size(&registry), 3);
    AuditLog::open(backend).unwrap().verify_all().unwrap();
}

#[test]
fn refused_registrations_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let count = |table| registry.content().backend().scan(table).count();

    // Not a format the class accepts.
    let err = registry
        .register(&registration(&registry, b"plain text", &INDIVIDUAL))
        .unwrap_err();
    assert!(matches!(err, RegisterError::Format(_)), "{err}");
    assert_eq!(err.kind(), ErrorKind::Caller);

    // A revoked signer: the report says why.
    let err = registry
        .register(&registration(&registry, PDF, &REVOKED))
        .unwrap_err();
    let RegisterError::Refused { reports, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(err.kind(), ErrorKind::Refused);
    assert_eq!(
        reports[0].verdict.sub_indication,
        Some(SubIndication::RevokedNoPoe)
    );

    // Someone else than the expected sender.
    let mut wrong_owner = registration(&registry, PDF, &INDIVIDUAL);
    wrong_owner.expected.iin = Some("920202500111".into());
    let err = registry.register(&wrong_owner).unwrap_err();
    assert!(err.to_string().contains("NOT_OWNER"), "{err}");

    // A signature over other bytes.
    let mut tampered = registration(&registry, PDF, &INDIVIDUAL);
    tampered.signatures = vec![INDIVIDUAL.sign(b"%PDF-1.7\nother")];
    let err = registry.register(&tampered).unwrap_err();
    assert!(err.to_string().contains("HASH_FAILURE"), "{err}");

    // No signature, a malformed object number, an invalid expectation, missing content.
    let mut unsigned = registration(&registry, PDF, &INDIVIDUAL);
    unsigned.signatures.clear();
    assert!(matches!(
        registry.register(&unsigned),
        Err(RegisterError::NoSignature)
    ));
    // A malformed object number does not parse, so no registration can carry one.
    assert!("12345".parse::<ObjectNumber>().is_err());
    let mut bad_iin = registration(&registry, PDF, &INDIVIDUAL);
    bad_iin.expected.iin = Some("12345".into());
    assert!(matches!(
        registry.register(&bad_iin),
        Err(RegisterError::Expectation(_))
    ));
    let mut missing = registration(&registry, PDF, &INDIVIDUAL);
    missing.content = ContentAddress([7; 32]);
    let err = registry.register(&missing).unwrap_err();
    assert!(matches!(err, RegisterError::ContentMissing(_)), "{err}");
    assert_eq!(err.kind(), ErrorKind::NotFound);

    for table in [
        Table::Documents,
        Table::Versions,
        Table::Numbers,
        Table::Index,
        Table::AuditLeaves,
        Table::AuditNodes,
    ] {
        assert_eq!(count(table), 0, "{table:?}");
    }
    // And the first accepted registration still takes number 1.
    let registered = registry
        .register(&registration(&registry, PDF, &INDIVIDUAL))
        .unwrap();
    assert_eq!(
        registered.version.registration_number,
        "ТОО Тест-2026-000001"
    );
}

// Versions, holds and retention (`lifecycle`).

const HEAD: Signer = Signer(pki::HEAD, pki::HEAD_KEY);

/// A registered document from `individual`, expected to be signed by IIN 850315300128.
fn registered(registry: &Registry) -> Registered {
    let mut first = registration(registry, PDF, &INDIVIDUAL);
    first.expected.iin = Some("850315300128".into());
    registry.register(&first).unwrap()
}

#[test]
fn a_new_version_needs_a_signed_annulment_by_the_same_sender() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let first = registered(&registry);
    let second = registration(&registry, b"%PDF-1.7\nrevised drawing", &INDIVIDUAL);
    let reason = reason("corrected dimensions");
    let statement = annulment_statement(first.id, &first.version, &second.content.0, &reason);

    // An act over another statement, or by someone else, is refused; nothing changes.
    let other = self::reason("other");
    let wrong = INDIVIDUAL.sign(&annulment_statement(
        first.id,
        &first.version,
        &second.content.0,
        &other,
    ));
    let err = registry
        .new_version(first.id, &second, &wrong, &reason)
        .unwrap_err();
    assert!(matches!(err, ChangeError::AnnulmentRefused { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Refused);
    // An act for other content cannot be reused for this one.
    let elsewhere = ContentAddress::of(b"%PDF-1.7\nanother revision");
    let for_other_content = INDIVIDUAL.sign(&annulment_statement(
        first.id,
        &first.version,
        &elsewhere.0,
        &reason,
    ));
    let err = registry
        .new_version(first.id, &second, &for_other_content, &reason)
        .unwrap_err();
    assert!(matches!(err, ChangeError::AnnulmentRefused { .. }), "{err}");
    let by_head = HEAD.sign(&statement);
    let err = registry
        .new_version(first.id, &second, &by_head, &reason)
        .unwrap_err();
    assert!(err.to_string().contains("NOT_OWNER"), "{err}");
    assert_eq!(log_size(&registry), 1);

    let act = INDIVIDUAL.sign(&statement);
    let new = registry
        .new_version(first.id, &second, &act, &reason)
        .unwrap();
    assert_eq!(new.version.version, 2);
    assert_eq!(new.version.registration_number, "ТОО Тест-2026-000002");
    let annulment = new.version.annulment.as_ref().unwrap();
    assert_eq!(
        (annulment.version, annulment.reason.as_str()),
        (1, reason.as_str())
    );
    assert_eq!(annulment.statement, statement);

    let view = registry.document(first.id).unwrap().unwrap();
    assert_eq!(view.versions.len(), 2);
    assert_eq!(
        view.versions[0], first.version,
        "the old version stays as it was"
    );
    assert_eq!(view.annulled_by(1), Some(2));
    assert_eq!(view.annulled_by(2), None);
    // register, new-version, annulled
    let log = AuditLog::open(registry.content().backend()).unwrap();
    assert_eq!(log.size(), 3);
    let kinds: Vec<String> = (0..3)
        .map(|i| String::from_utf8(log.entry(i).unwrap()).unwrap())
        .map(|e| e.lines().nth(1).unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["register", "new-version", "annulled"]);
    log.verify_all().unwrap();
    let check = verified(&registry);
    assert!(check.is_clean(), "{:?}", check.problems);

    // The annulled version cannot be replaced again: a new act must name version 2.
    let err = registry
        .new_version(first.id, &second, &act, &reason)
        .unwrap_err();
    assert!(matches!(err, ChangeError::AnnulmentRefused { .. }), "{err}");
}

#[test]
fn holds_and_retention_extensions_are_events() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let doc = registered(&registry);
    let now = monday_afternoon();

    let hold = registry
        .place_hold(
            doc.id,
            &reason("court order 12/2026"),
            &actor("auditor A"),
            None,
            now,
        )
        .unwrap();
    let view = registry.document(doc.id).unwrap().unwrap();
    assert_eq!(
        view.active_holds().collect::<Vec<_>>(),
        [(hold, "court order 12/2026")]
    );
    assert!(matches!(
        registry.release_hold(
            doc.id,
            hold + 7,
            &reason("done"),
            &actor("auditor A"),
            None,
            now
        ),
        Err(ChangeError::NoSuchHold(_))
    ));
    // A hold placed by no BIN is released by the one who placed it alone.
    let err = registry
        .release_hold(
            doc.id,
            hold,
            &reason("mine"),
            &actor("auditor B"),
            None,
            now,
        )
        .unwrap_err();
    assert!(matches!(err, ChangeError::NotHoldAuthority { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    registry
        .release_hold(
            doc.id,
            hold,
            &reason("order lifted"),
            &actor("auditor A"),
            None,
            now,
        )
        .unwrap();
    let view = registry.document(doc.id).unwrap().unwrap();
    assert_eq!(view.active_holds().count(), 0);
    assert!(matches!(
        registry.release_hold(
            doc.id,
            hold,
            &reason("again"),
            &actor("auditor A"),
            None,
            now
        ),
        Err(ChangeError::NoSuchHold(_))
    ));

    let current = view.retain_until().unwrap();
    assert_eq!(current.to_string(), "2031-06-16");
    let earlier = jiff::civil::date(2030, 1, 1);
    assert!(matches!(
        registry.extend_retention(doc.id, earlier, &reason("shorter"), &actor("operator"), now),
        Err(ChangeError::NotLater { .. })
    ));
    let later = jiff::civil::date(2040, 12, 31);
    registry
        .extend_retention(
            doc.id,
            later,
            &reason("facility under reconstruction"),
            &actor("operator"),
            now,
        )
        .unwrap();
    let view = registry.document(doc.id).unwrap().unwrap();
    assert_eq!(view.retain_until(), Some(later));
    // An empty reason does not parse, so no hold can be placed with one.
    assert!("".parse::<Reason>().is_err());
    let unknown = DocumentId([0; 16]);
    let err = registry
        .place_hold(unknown, &reason("x"), &actor("auditor"), None, now)
        .unwrap_err();
    assert!(matches!(err, ChangeError::NotFound(_)), "{err}");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    // register, hold-placed, hold-released, retention-extended
    let log = AuditLog::open(registry.content().backend()).unwrap();
    assert_eq!(log.size(), 4);
    log.verify_all().unwrap();
    let check = verified(&registry);
    assert!(check.is_clean(), "{:?}", check.problems);
}

#[test]
fn a_hold_is_released_only_by_the_authority_that_placed_it() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let doc = registered(&registry);
    let now = monday_afternoon();
    let prosecutor = Some("240140001238");
    let hold = registry
        .place_hold(
            doc.id,
            &reason("case 7"),
            &actor("api key 01"),
            prosecutor,
            now,
        )
        .unwrap();
    // Another authority's key, and a key bound to no BIN, are refused; nothing is written.
    for other in [Some("150340004568"), None] {
        let err = registry
            .release_hold(
                doc.id,
                hold,
                &reason("no"),
                &actor("api key 02"),
                other,
                now,
            )
            .unwrap_err();
        assert!(matches!(err, ChangeError::NotHoldAuthority { .. }), "{err}");
    }
    assert_eq!(log_size(&registry), 2);
    // Any key of the same authority releases it.
    registry
        .release_hold(
            doc.id,
            hold,
            &reason("closed"),
            &actor("api key 03"),
            prosecutor,
            now,
        )
        .unwrap();
    let view = registry.document(doc.id).unwrap().unwrap();
    assert_eq!(view.active_holds().count(), 0);
    let Some((_, Event::HoldPlaced { authority, .. })) = view.events.first() else {
        panic!("no hold event");
    };
    assert_eq!(authority.as_deref(), prosecutor);
}

// Disposal.

/// The Astana date of an instant.
fn disposal_today(at: Timestamp) -> jiff::civil::Date {
    at.to_zoned(crate::records::astana().unwrap()).date()
}

/// `days` after the test's registration instant.
fn later(days: i64) -> Timestamp {
    monday_afternoon()
        .checked_add(jiff::SignedDuration::from_hours(24 * days))
        .unwrap()
}

/// The whole content at `address` reads back and hashes to it.
fn readable(registry: &Registry, address: &[u8; 32]) -> bool {
    use std::io::Read;
    let address = ContentAddress(*address);
    let Ok(mut reader) = registry.content().read(&address) else {
        return false;
    };
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).is_ok()
}

#[test]
fn a_registration_racing_a_disposal_of_the_same_bytes_is_refused_not_stored_without_them() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let doc = registered(&registry);
    // A second registration of the same bytes, verified and dated (outside the writer lock)...
    let submission = registration(&registry, PDF, &INDIVIDUAL);
    let prepared = registry.prepare(&submission).unwrap();
    // ...while the first document, past its retention, is disposed of: nothing else that is
    // stored uses the bytes, so they go.
    let disposal = dispose(&registry, doc.id, "expired", "operator", later(365 * 6)).unwrap();
    assert!(disposal.tombstones[0].1.content_removed);
    // The second registration must not be stored pointing at nothing.
    let Err(err) = registry.store(&submission, prepared) else {
        panic!("the registration was stored without its bytes");
    };
    assert!(matches!(err, RegisterError::ContentMissing(_)), "{err}");
    let check = verified(&registry);
    assert!(check.is_clean(), "{:?}", check.problems);
}

#[test]
fn disposal_only_after_retention_and_holds_and_it_leaves_tombstones() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let doc = registered(&registry);
    // Another document with the same content.
    let twin = registry
        .register(&registration(&registry, PDF, &INDIVIDUAL))
        .unwrap();
    let content = doc.version.content;

    // Retained until 2031-06-16 (Astana): the day itself is still retained.
    let until = jiff::civil::date(2031, 6, 16);
    let on_last_day = Timestamp::from_second(1_939_363_200).unwrap(); // 2031-06-16T00:00:00Z
    let err = dispose(&registry, doc.id, "expired", "operator", on_last_day).unwrap_err();
    assert!(
        matches!(err, DisposeError::Retained { why: Retained::Until(d), .. } if d == until),
        "{err}"
    );
    let after = later(365 * 6);
    let hold = registry
        .place_hold(
            doc.id,
            &reason("audit 2032"),
            &actor("auditor"),
            None,
            after,
        )
        .unwrap();
    let err = dispose(&registry, doc.id, "expired", "operator", after).unwrap_err();
    assert!(
        matches!(
            err,
            DisposeError::Retained {
                why: Retained::Held(_),
                ..
            }
        ),
        "{err}"
    );
    assert!(readable(&registry, &content));
    registry
        .release_hold(
            doc.id,
            hold,
            &reason("audit closed"),
            &actor("auditor"),
            None,
            after,
        )
        .unwrap();

    // Disposed; the twin still uses the content, so it stays.
    let disposal = dispose(&registry, doc.id, "retention passed", "operator", after).unwrap();
    assert_eq!(disposal.tombstones.len(), 1);
    assert!(!disposal.tombstones[0].1.content_removed);
    assert!(readable(&registry, &content));
    assert!(matches!(
        dispose(&registry, doc.id, "again", "operator", after),
        Err(DisposeError::AlreadyDisposed(_))
    ));
    // A disposed document changes no more; reads of it are still logged.
    assert!(matches!(
        registry.place_hold(doc.id, &reason("late"), &actor("auditor"), None, after),
        Err(ChangeError::Disposed(_))
    ));
    let new_version = Registration::new(
        ContentAddress(content),
        Vec::new(),
        RetentionClass::ProjectDocumentation,
        Participant::new("ТОО Тест").unwrap(),
        Submitter::new(actor("operator")),
        after,
    );
    assert!(matches!(
        registry.new_version(doc.id, &new_version, b"act", &reason("late")),
        Err(ChangeError::Disposed(_))
    ));
    registry
        .record_read(doc.id, "document", &actor("auditor"), after)
        .unwrap();
    // The last user goes: the content goes with it, its chunks too.
    let disposal = dispose(&registry, twin.id, "retention passed", "operator", after).unwrap();
    assert!(disposal.tombstones[0].1.content_removed);
    assert!(!readable(&registry, &content));
    assert_eq!(registry.content().backend().chunk_ids().count(), 0);
    // The records and the log remain, and the log says what happened.
    assert!(registry.is_disposed(doc.id).unwrap());
    let view = registry.document(doc.id).unwrap().unwrap();
    assert_eq!(view.versions.len(), 1);
    assert_eq!(view.tombstones.len(), 1);
    assert_eq!(view.tombstones[0].1.reason, "retention passed");
    let log = AuditLog::open(registry.content().backend()).unwrap();
    let last = String::from_utf8(log.entry(log.size() - 1).unwrap()).unwrap();
    assert!(last.starts_with("qoima-audit-v2\ndisposed\n"), "{last}");
    log.verify_all().unwrap();
    let check = verified(&registry);
    assert!(check.is_clean(), "{:?}", check.problems);
}

mod retention_property {
    //! Random sequences of holds, releases, extensions, disposals and the passing of time
    //! over documents that share content: no retained or held document ever loses a byte,
    //! and a disposal succeeds exactly when the model says it may.

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Op {
        Hold(usize),
        Release(usize),
        Extend(usize, u16),
        Dispose(usize),
        Advance(u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..3usize).prop_map(Op::Hold),
            (0..3usize).prop_map(Op::Release),
            (0..3usize, 1..8u16).prop_map(|(d, y)| Op::Extend(d, y)),
            (0..3usize).prop_map(Op::Dispose),
            (0..900u16).prop_map(Op::Advance),
        ]
    }

    struct Model {
        until: jiff::civil::Date,
        holds: Vec<u32>,
        disposed: bool,
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn no_retained_or_held_document_loses_a_byte(ops in prop::collection::vec(op(), 1..40)) {
            let dir = tempfile::tempdir().unwrap();
            let registry = registry(dir.path());
            // Three documents, the first two with the same content.
            let contents: [&[u8]; 3] = [PDF, PDF, b"%PDF-1.5\nthe third"];
            let mut docs = Vec::new();
            let mut model = Vec::new();
            for content in contents {
                let registered = registry.register(&registration(&registry, content, &INDIVIDUAL)).unwrap();
                model.push(Model {
                    until: jiff::civil::date(2031, 6, 16),
                    holds: Vec::new(),
                    disposed: false,
                });
                docs.push(registered);
            }
            let mut day = 0i64;
            for op in ops {
                let now = later(day);
                let today = disposal_today(now);
                match op {
                    Op::Advance(days) => day += i64::from(days),
                    Op::Hold(d) if !model[d].disposed => {
                        let hold = registry.place_hold(docs[d].id, &reason("hold"), &actor("auditor"), None, now).unwrap();
                        model[d].holds.push(hold);
                    }
                    Op::Release(d) => {
                        if let Some(hold) = model[d].holds.pop() {
                            registry.release_hold(docs[d].id, hold, &reason("release"), &actor("auditor"), None, now).unwrap();
                        }
                    }
                    Op::Extend(d, years) if !model[d].disposed => {
                        let until = model[d].until.checked_add(jiff::Span::new().years(years)).unwrap();
                        registry.extend_retention(docs[d].id, until, &reason("longer"), &actor("operator"), now).unwrap();
                        model[d].until = until;
                    }
                    Op::Dispose(d) => {
                        let may = !model[d].disposed && model[d].holds.is_empty() && today > model[d].until;
                        let result = dispose(&registry, docs[d].id, "passed", "operator", now);
                        prop_assert_eq!(result.is_ok(), may, "{:?}", result);
                        if may {
                            model[d].disposed = true;
                        }
                    }
                    _ => {}
                }
                for (d, m) in model.iter().enumerate() {
                    let retained = !m.holds.is_empty() || today <= m.until;
                    if !m.disposed || retained {
                        prop_assert!(!m.disposed, "a retained document was disposed of");
                        prop_assert!(readable(&registry, &docs[d].version.content), "document {} lost its content", d);
                    }
                }
            }
            let check = verified(&registry);
            prop_assert!(check.is_clean(), "{:?}", check.problems);
        }
    }
}

// Tamper detection (`verify`).

#[test]
fn records_changed_or_added_behind_the_log_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let doc = registered(&registry);
    registry
        .place_hold(
            doc.id,
            &reason("audit"),
            &actor("auditor"),
            None,
            monday_afternoon(),
        )
        .unwrap();
    let report = verified(&registry);
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!((report.entries, report.records), (2, 2));

    // Damage behind the write-once guard, as a disk edit would.
    let db = registry.content().backend();
    let key = version_key(doc.id, 1);
    let original = db.get(Table::Versions, &key).unwrap().unwrap();
    let mut forged = original.clone();
    *forged.last_mut().unwrap() ^= 1;
    db.overwrite(Table::Versions, &key, &forged);
    let problems = verified(&registry).problems;
    assert!(
        problems.iter().any(|p| p.contains("was changed")),
        "{problems:?}"
    );
    db.overwrite(Table::Versions, &key, &original);

    // A record slipped in without its log entry.
    db.overwrite(Table::Versions, &version_key(doc.id, 2), &original);
    let problems = verified(&registry).problems;
    assert!(
        problems.iter().any(|p| p.contains("not in the audit log")),
        "{problems:?}"
    );
    db.delete(Table::Versions, &version_key(doc.id, 2));

    // A log entry rewritten.
    db.overwrite(Table::AuditLeaves, &1u64.to_be_bytes(), b"rewritten");
    let problems = verified(&registry).problems;
    assert!(
        problems.iter().any(|p| p.contains("entry 1")),
        "{problems:?}"
    );
}

#[test]
fn a_retained_version_whose_content_is_gone_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let doc = registered(&registry);
    assert!(verified(&registry).is_clean());
    // The content's manifest removed behind the vault's back, as a disposal of another
    // document racing this registration could once do.
    let db = registry.content().backend();
    let address = doc.version.content;
    db.delete(Table::Manifests, &address);
    let problems = verified(&registry).problems;
    assert!(
        problems
            .iter()
            .any(|p| p.contains("version 1") && p.contains("content") && p.contains("missing")),
        "{problems:?}"
    );
}

#[test]
fn a_changed_document_record_is_found_too() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let doc = registered(&registry);
    let db = registry.content().backend();
    let mut record: DocumentRecord =
        codec::decode(&db.get(Table::Documents, &doc.id.0).unwrap().unwrap()).unwrap();
    record.class = "expertise-application".into();
    db.overwrite(Table::Documents, &doc.id.0, &codec::encode(&record).unwrap());
    let problems = verified(&registry).problems;
    assert!(
        problems.iter().any(|p| p.contains("was changed")),
        "{problems:?}"
    );
}

#[test]
fn construction_records_wait_for_the_end_of_service_and_reads_are_logged() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let mut submission = registration(&registry, PDF, &INDIVIDUAL);
    submission.class = RetentionClass::ConstructionRecord;
    let doc = registry.register(&submission).unwrap();
    assert_eq!(doc.version.retain_until, None);
    let far = later(365 * 18);
    assert!(matches!(
        dispose(&registry, doc.id, "old", "operator", far),
        Err(DisposeError::Retained {
            why: Retained::EndOfServicePending,
            ..
        })
    ));

    let object = object();
    // Not before it happened: an end of service after the vault's today is refused.
    let tomorrow = jiff::civil::date(2045, 1, 2);
    assert!(matches!(
        registry.record_end_of_service(&object, tomorrow, &reason("plan"), &actor("op"), far),
        Err(ChangeError::EndOfServiceInFuture { .. })
    ));
    let ended = jiff::civil::date(2040, 3, 1);
    registry
        .record_end_of_service(
            &object,
            ended,
            &reason("decommissioning act 7"),
            &actor("operator"),
            far,
        )
        .unwrap();
    assert!(matches!(
        registry.record_end_of_service(&object, ended, &reason("again"), &actor("operator"), far),
        Err(ChangeError::EndOfServiceRecorded(_))
    ));
    let view = registry.document(doc.id).unwrap().unwrap();
    assert_eq!(view.end_of_service, Some(ended));
    // The class's tail after the end of service (0 years by default): retained through it.
    assert_eq!(view.retain_until(), Some(ended));

    registry
        .record_read(doc.id, "document", &actor("prosecutor's office"), far)
        .unwrap();
    let view = registry.document(doc.id).unwrap().unwrap();
    assert!(matches!(
        view.events.last(),
        Some((_, Event::AuditorRead { .. }))
    ));

    let log = AuditLog::open(registry.content().backend()).unwrap();
    let kinds: Vec<String> = (0..log.size())
        .map(|i| String::from_utf8(log.entry(i).unwrap()).unwrap())
        .map(|e| e.lines().nth(1).unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["register", "end-of-service", "auditor-read"]);
    let check = verified(&registry);
    assert!(check.is_clean(), "{:?}", check.problems);
    dispose(&registry, doc.id, "service ended", "operator", far).unwrap();
}

#[test]
fn the_crls_a_verdict_used_are_kept_as_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let crls: [&[u8]; 2] = [pki::CA_RSA_CRL, pki::ROOT_RSA_CRL];
    registry.keep_crls(crls).unwrap();
    let doc = registry
        .register(&registration(&registry, PDF, &INDIVIDUAL))
        .unwrap();
    let expected: Vec<[u8; 32]> = crls.iter().map(|c| ContentAddress::of(c).0).collect();
    assert_eq!(doc.version.crls, expected);
    for address in &doc.version.crls {
        assert!(readable(&registry, address));
    }
}

#[test]
fn a_replaced_verifier_is_used_from_the_next_operation_on() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let before = registry.verifier();
    // Other CRLs for ca-rsa (the 2026-04 base CRL), kept first as a server's refresh does.
    let crls: [&[u8]; 2] = [pki::CA_RSA_BASE_CRL, pki::ROOT_RSA_CRL];
    registry.keep_crls(crls).unwrap();
    let policy = qoima_verifier::policy::Policy::default();
    registry.replace_verifier(Arc::new(pki::rsa_verifier_with(&crls, policy)));
    assert!(!Arc::ptr_eq(&before, &registry.verifier()));
    let doc = registry
        .register(&registration(&registry, PDF, &INDIVIDUAL))
        .unwrap();
    let expected: Vec<[u8; 32]> = crls.iter().map(|c| ContentAddress::of(c).0).collect();
    assert_eq!(doc.version.crls, expected);
    // The old verifier lives on with whoever read it, no longer in the registry.
    assert_eq!(Arc::strong_count(&before), 1);
}

#[test]
fn configured_retention_may_only_lengthen_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    let shorter = registry(dir.path()).with_retention(
        RetentionClass::ExpertiseApplication,
        Retention::YearsFromRegistration { years: 2 },
    );
    assert!(shorter.is_err());
    drop(shorter);
    let registry = registry(dir.path())
        .with_retention(
            RetentionClass::ExpertiseApplication,
            Retention::YearsFromRegistration { years: 10 },
        )
        .unwrap()
        .with_retention(
            RetentionClass::ConstructionRecord,
            Retention::UntilEndOfService { tail_years: 5 },
        )
        .unwrap();
    let mut application = registration(&registry, PDF, &INDIVIDUAL);
    application.class = RetentionClass::ExpertiseApplication;
    let doc = registry.register(&application).unwrap();
    assert_eq!(doc.version.retain_until.as_deref(), Some("2036-06-16"));

    let mut record = registration(&registry, PDF, &INDIVIDUAL);
    record.class = RetentionClass::ConstructionRecord;
    let doc = registry.register(&record).unwrap();
    assert_eq!(doc.version.tail_years, 5);
    registry
        .record_end_of_service(
            &object(),
            jiff::civil::date(2040, 3, 1),
            &reason("act"),
            &actor("operator"),
            later(1),
        )
        .unwrap();
    let view = registry.document(doc.id).unwrap().unwrap();
    assert_eq!(view.retain_until(), Some(jiff::civil::date(2045, 3, 1)));
}

#[test]
fn a_construction_record_is_kept_at_least_the_floor_of_its_rules() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    // Registered under order 670 (3 years), and under order 253 (5 years).
    for (at, floor) in [
        ("2026-06-15T17:00:00+05:00", "2029-06-16"),
        ("2026-07-02T10:00:00+05:00", "2031-07-02"),
    ] {
        let mut record = registration(&registry, PDF, &INDIVIDUAL);
        record.class = RetentionClass::ConstructionRecord;
        record.object_number = Some(format!("1234567890123456{}", &at[8..10]).parse().unwrap());
        record.at = at.parse().unwrap();
        let doc = registry.register(&record).unwrap();
        // The facility's service ended within a month: its records are still kept for the floor.
        let object = record.object_number.clone().unwrap();
        let ended = jiff::civil::date(2026, 8, 1);
        registry
            .record_end_of_service(
                &object,
                ended,
                &reason("demolished"),
                &actor("op"),
                later(60),
            )
            .unwrap();
        let view = registry.document(doc.id).unwrap().unwrap();
        assert_eq!(view.retain_until().unwrap().to_string(), floor, "{at}");
    }
}

/// A registry as it was in April 2026: only ca-rsa's base CRL, which does not list
/// revoked-later, and no root CRL yet (a CA's unknown status is accepted by the policy).
fn registry_in_april(dir: &std::path::Path) -> Registry {
    let content = content_store(dir);
    let policy =
        qoima_verifier::policy::Policy::from_toml("require-ca-revocation = false").unwrap();
    let verifier = pki::rsa_verifier_with(&[pki::CA_RSA_BASE_CRL, pki::ROOT_RSA_CRL], policy);
    let numbering = Numbering::new(Template::parse(Numbering::DEFAULT_TEMPLATE).unwrap());
    Registry::new(
        content,
        Arc::new(verifier),
        Calendar::builtin().unwrap(),
        numbering,
    )
    .unwrap()
}

#[test]
fn reverification_uses_the_registration_as_proof_of_existence() {
    use qoima_verifier::Request;
    let dir = tempfile::tempdir().unwrap();
    let revoked_later = Signer(pki::REVOKED_LATER, pki::REVOKED_LATER_KEY);
    // Registered on 2026-04-15, when only the base CRL (which does not list it) existed, and
    // before the root's CRL was issued (so the CA's status is accepted unknown by policy).
    let at_registration = Timestamp::from_second(1_776_247_200).unwrap();
    let doc = {
        let registry = registry_in_april(dir.path());
        let mut submission = registration(&registry, PDF, &revoked_later);
        submission.at = at_registration;
        registry.register(&submission).unwrap()
    };
    // Later the certificate is revoked (superseded, 2026-05-01): without a proof of existence
    // the signature is REVOKED_NO_POE; with the registration as one it stands.
    let registry = registry(dir.path());
    let now = monday_afternoon();
    let signature = &doc.version.signatures[0];
    let plain = registry
        .verifier()
        .verify(&Request::new(signature, now.as_second()).data(qoima_verifier::Data::Bytes(PDF)))
        .unwrap();
    assert_eq!(
        plain.verdict.sub_indication,
        Some(SubIndication::RevokedNoPoe)
    );
    let reports = registry.reverify(doc.id, 1, now).unwrap().unwrap();
    assert!(reports[0].verdict.passed(), "{}", reports[0]);
    assert!(registry.reverify(doc.id, 2, now).unwrap().is_none());
}

/// The 2026 table of a calendar file that makes Tuesday 2026-06-16 a day off.
const JUNE_16_OFF: &str = "[years.2026]\nsource = \"a test decree\"\nholidays = [\"2026-06-16\"]\n";

#[test]
fn a_calendar_year_set_dates_later_registrations_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let before = registry
        .register(&registration(&registry, PDF, &INDIVIDUAL))
        .unwrap();
    assert_eq!(before.version.registration_date, "2026-06-16");

    let at = monday_afternoon();
    assert_eq!(
        registry
            .set_calendar_year(2026, JUNE_16_OFF, &actor("admin key 01"), at)
            .unwrap(),
        1
    );
    assert_eq!(registry.calendar().source(2026), Some("a test decree"));
    // Monday 17:00 in Astana → the next working day, now Wednesday.
    let after = registry
        .register(&registration(&registry, b"%PDF-1.4\nafter", &INDIVIDUAL))
        .unwrap();
    assert_eq!(after.version.registration_date, "2026-06-17");
    // The earlier registration keeps its date.
    let view = registry.document(before.id).unwrap().unwrap();
    assert_eq!(view.versions[0].registration_date, "2026-06-16");

    // A second revision; the log has both, and a reopened registry dates with the latest.
    let moved = "[years.2026]\nholidays = [\"2026-06-16\", \"2026-06-17\"]\n";
    assert_eq!(
        registry
            .set_calendar_year(2026, moved, &actor("admin key 01"), at)
            .unwrap(),
        2
    );
    let log = AuditLog::open(registry.content().backend()).unwrap();
    let entry = String::from_utf8(log.entry(log.size() - 1).unwrap()).unwrap();
    assert!(entry.starts_with("qoima-audit-v2\ncalendar\n"), "{entry}");
    assert!(
        entry.contains("\ncalendar:2026\n2\nadmin key 01\n"),
        "{entry}"
    );
    drop(registry);
    let registry = self::registry(dir.path());
    let stored = stored_years(registry.content().backend()).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].year, stored[0].revision), (2026, 2));
    let third = registry
        .register(&registration(&registry, b"%PDF-1.4\nthird", &INDIVIDUAL))
        .unwrap();
    assert_eq!(third.version.registration_date, "2026-06-18");
    let check = verified(&registry);
    assert!(check.problems.is_empty(), "{:?}", check.problems);
    assert_eq!(check.records, 3 + 2);
}

#[test]
fn a_calendar_text_that_is_not_that_one_year_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let at = monday_afternoon();
    for bad in [
        "[years.2027]\nholidays = [\"2027-06-16\"]\n",
        "[years.2026]\n[years.2027]\n",
        "[years]\n",
        "[years.2026]\nholidays = [\"2026-13-01\"]\n",
        "[years.2026]\nworking = [\"2026-06-16\"]\n",
        "[years.2026]\nholidays = \"2026-06-16\"\n",
        "not toml at all [",
    ] {
        let e = registry
            .set_calendar_year(2026, bad, &actor("admin"), at)
            .unwrap_err();
        assert!(matches!(e, ChangeError::Calendar(_)), "{bad}: {e}");
        assert_eq!(e.kind(), ErrorKind::Caller);
    }
    // An empty name does not parse, so no calendar year can be set by one.
    assert!("".parse::<Actor>().is_err());
    let backend = registry.content().backend();
    assert_eq!(backend.scan(Table::Calendars).count(), 0);
    assert_eq!(log_size(&registry), 0);
    assert_eq!(
        registry.calendar().source(2026),
        Calendar::builtin().unwrap().source(2026)
    );
}

/// An expertise application registered at `at` (RFC 3339) in `mode`: what the registry stored.
fn registered_at(registry: &Registry, content: &[u8], at: &str, mode: DatingMode) -> Registered {
    let mut submission = registration(registry, content, &INDIVIDUAL).dating(mode);
    submission.class = RetentionClass::ExpertiseApplication;
    submission.at = at.parse().unwrap();
    let registered = registry.register(&submission).unwrap();
    let stored = registry.document(registered.id).unwrap().unwrap();
    assert_eq!(stored.versions, std::slice::from_ref(&registered.version));
    registered
}

/// Registration date, retain-until and the two clauses of a version.
fn reading(version: &VersionRecord) -> [&str; 4] {
    [
        &version.registration_date,
        version.retain_until.as_deref().unwrap_or("-"),
        &version.dated_by,
        &version.retained_by,
    ]
}

#[test]
fn registrations_store_the_order_and_clause_in_force_at_their_instant() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let order_670 = ["670 §18", "670 §23"];
    let order_253 = ["253 §36", "253 §44"];
    let mut first = None;
    // In the order of their instants: the audit log's times never go backwards.
    for (n, (at, date, until, clauses)) in [
        // Tuesday 30 June 2026, 14:05: order 670, after the cut-off, kept 3 years.
        (
            "2026-06-30T14:05:00+05:00",
            "2026-07-01",
            "2029-07-01",
            order_670,
        ),
        // The last second under 670 and the first under 253.
        (
            "2026-06-30T23:59:59+05:00",
            "2026-07-01",
            "2029-07-01",
            order_670,
        ),
        (
            "2026-07-01T00:00:00+05:00",
            "2026-07-01",
            "2031-07-01",
            order_253,
        ),
        // Wednesday 1 July 2026, 15:00: order 253, the date of receipt, kept 5 years.
        (
            "2026-07-01T15:00:00+05:00",
            "2026-07-01",
            "2031-07-01",
            order_253,
        ),
        // Saturday 4 July 2026: that Saturday.
        (
            "2026-07-04T18:00:00+05:00",
            "2026-07-04",
            "2031-07-04",
            order_253,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let content = format!("%PDF-1.4\n{n}");
        let doc = registered_at(&registry, content.as_bytes(), at, DatingMode::Submission);
        assert_eq!(
            reading(&doc.version),
            [date, until, clauses[0], clauses[1]],
            "{at}"
        );
        first.get_or_insert(doc);
    }
    let before = first.unwrap();
    // The 670 records keep their reading after the switch.
    let view = registry.document(before.id).unwrap().unwrap();
    assert_eq!(view.versions[0].dated_by, "670 §18");
    assert!(verified(&registry).problems.is_empty());
}

#[test]
fn during_review_is_order_670_s_second_mode_and_order_253_s_date_of_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let review = DatingMode::DuringReview;
    // Tuesday 30 June 2026, 18:00 during review: that day (no cut-off).
    let doc = registered_at(&registry, PDF, "2026-06-30T18:00:00+05:00", review);
    assert_eq!(
        reading(&doc.version),
        ["2026-06-30", "2029-06-30", "670 §18, §46", "670 §23"]
    );
    // Saturday 27 June 2026 during review: Monday 29 June.
    let doc = registered_at(
        &registry,
        b"%PDF-1.4\nb",
        "2026-06-27T11:00:00+05:00",
        review,
    );
    assert_eq!(doc.version.registration_date, "2026-06-29");
    // After the switch there is no review mode: order 253 §36 dates it, and says so.
    let doc = registered_at(
        &registry,
        b"%PDF-1.4\nc",
        "2026-07-04T11:00:00+05:00",
        review,
    );
    assert_eq!(
        reading(&doc.version),
        ["2026-07-04", "2031-07-04", "253 §36", "253 §44"]
    );
}

#[test]
fn a_new_version_after_the_switch_follows_253_and_the_first_keeps_670() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let first = registered_at(
        &registry,
        PDF,
        "2026-06-30T14:05:00+05:00",
        DatingMode::Submission,
    );
    let reason = reason("corrected");
    let mut second =
        registration(&registry, b"%PDF-1.7\nrevised", &INDIVIDUAL).dating(DatingMode::DuringReview);
    let act = INDIVIDUAL.sign(&annulment_statement(
        first.id,
        &first.version,
        &second.content.0,
        &reason,
    ));
    second.at = "2026-07-02T16:00:00+05:00".parse().unwrap();
    let new = registry
        .new_version(first.id, &second, &act, &reason)
        .unwrap();
    let view = registry.document(first.id).unwrap().unwrap();
    assert_eq!(
        reading(&view.versions[0]),
        ["2026-07-01", "2029-07-01", "670 §18", "670 §23"]
    );
    assert_eq!(
        reading(&view.versions[1]),
        ["2026-07-02", "2031-07-02", "253 §36", "253 §44"]
    );
    assert_eq!(view.versions[1], new.version);
}

#[test]
fn configured_retention_lengthens_670_and_gives_way_to_253() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path())
        .with_retention(
            RetentionClass::ExpertiseApplication,
            Retention::YearsFromRegistration { years: 4 },
        )
        .unwrap();
    let submission = DatingMode::Submission;
    let before = registered_at(&registry, PDF, "2026-06-29T10:00:00+05:00", submission);
    assert_eq!(before.version.retain_until.as_deref(), Some("2030-06-29"));
    let after = registered_at(
        &registry,
        b"%PDF-1.4\nb",
        "2026-07-01T10:00:00+05:00",
        submission,
    );
    assert_eq!(after.version.retain_until.as_deref(), Some("2031-07-01"));
}

#[test]
fn a_version_stored_in_format_1_reads_as_made_under_order_670() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let doc = registered(&registry);
    // The record as the vault stored it before versions named their clauses.
    let old = crate::records::version_record_v1(&doc.version);
    let db = registry.content().backend();
    db.overwrite(Table::Versions, &version_key(doc.id, 1), &codec::encode(&old).unwrap());
    let view = registry.document(doc.id).unwrap().unwrap();
    assert_eq!(view.versions[0].dated_by, "670 §18");
    assert_eq!(view.versions[0].retained_by, "670 §23");
    assert_eq!(
        view.versions[0].registration_date,
        doc.version.registration_date
    );
}

#[test]
fn entries_whose_time_goes_backwards_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let doc = registered(&registry);
    assert!(verified(&registry).is_clean());
    // A clock set back by an hour: the hold is logged before the registration it follows.
    let earlier = monday_afternoon() - jiff::SignedDuration::from_hours(1);
    registry
        .place_hold(
            doc.id,
            &reason("court order"),
            &actor("auditor A"),
            None,
            earlier,
        )
        .unwrap();
    // The same instant again is no problem; only an earlier one is.
    registry
        .place_hold(
            doc.id,
            &reason("second order"),
            &actor("auditor A"),
            None,
            earlier,
        )
        .unwrap();
    let report = verified(&registry);
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    let problem = &report.problems[0];
    for needle in [
        "audit entry 1",
        "2026-06-15T11:00:00Z",
        "audit entry 0",
        "2026-06-15T12:00:00Z",
        "earlier",
    ] {
        assert!(problem.contains(needle), "{needle:?} not in {problem}");
    }
}

#[test]
fn entries_dated_a_little_earlier_by_concurrent_requests_are_not_problems() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let doc = registered(&registry);
    // A hold whose request came five minutes before the registration committed (its checks
    // took that long): logged after it, dated before it.
    let earlier = monday_afternoon() - jiff::SignedDuration::from_mins(5);
    registry
        .place_hold(doc.id, &reason("order"), &actor("auditor A"), None, earlier)
        .unwrap();
    assert!(verified(&registry).is_clean(), "{:?}", verified(&registry));
}

// Authorship: a registration names its sender; keys register only for what they are bound to.

#[test]
fn a_registration_names_its_sender_unless_its_class_is_configured_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let mut anonymous = registration(&registry, PDF, &INDIVIDUAL);
    anonymous.expected = Expectation::default();
    let err = registry.register(&anonymous).unwrap_err();
    assert!(matches!(err, RegisterError::NoSender(_)), "{err}");
    assert_eq!(err.kind(), ErrorKind::Caller);
    assert_eq!(log_size(&registry), 0);

    // A class the configuration names as one whose sender is not known in advance.
    let registry = registry.with_sender_unknown(RetentionClass::ProjectDocumentation);
    let registered = registry.register(&anonymous).unwrap();
    assert!(registered.version.sender_unknown);
    assert_eq!(
        registered.version.submitted_by.as_deref(),
        Some("test operator")
    );
    // Its audit entry names the submitter as the actor and the participant apart.
    let log = AuditLog::open(registry.content().backend()).unwrap();
    let entry = String::from_utf8(log.entry(0).unwrap()).unwrap();
    let lines: Vec<&str> = entry.lines().collect();
    assert_eq!(lines[5], "test operator", "{entry}");
    assert_eq!(lines[6], "ТОО Тест", "{entry}");
    // And the clauses that dated it and set its retention (2026-06-15: order 670).
    assert_eq!(lines[7], "670 §18; 670 §23", "{entry}");
}

#[test]
fn a_key_bound_to_a_bin_or_participant_registers_only_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let bound = |bin: &str, participant: &str| {
        Submitter::new(actor("api key 0a")).bound(
            Some(bin.to_owned()),
            Some(Participant::new(participant).unwrap()),
        )
    };
    // Bound to BIN X, asked to register for BIN Y: refused before anything is verified.
    let mut other_bin = registration(&registry, PDF, &HEAD);
    other_bin.expected.bin = Some("150340004568".into());
    other_bin.submitter = bound("240140001238", "ТОО Тест");
    let err = registry.register(&other_bin).unwrap_err();
    assert!(matches!(err, RegisterError::BinNotBound { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    // Under another participant's numbering.
    let mut other_participant = registration(&registry, PDF, &HEAD);
    other_participant.submitter = bound("240140001238", "ГУ Экспертиза");
    let err = registry.register(&other_participant).unwrap_err();
    assert!(
        matches!(err, RegisterError::ParticipantNotBound { .. }),
        "{err}"
    );
    // The key's BIN is the sender when the request names none, and the signer must meet it:
    // `individual` has no BIN, so NOT_OWNER; `head` works for BIN 240140001238.
    let mut by_individual = registration(&registry, PDF, &INDIVIDUAL);
    by_individual.expected = Expectation::default();
    by_individual.submitter = bound("240140001238", "ТОО Тест");
    let err = registry.register(&by_individual).unwrap_err();
    assert!(err.to_string().contains("NOT_OWNER"), "{err}");
    let mut by_head = registration(&registry, PDF, &HEAD);
    by_head.expected = Expectation::default();
    by_head.submitter = bound("240140001238", "ТОО Тест");
    let registered = registry.register(&by_head).unwrap();
    assert_eq!(
        registered.version.expected.bin.as_deref(),
        Some("240140001238")
    );
    assert_eq!(log_size(&registry), 1);
}

#[test]
fn a_version_that_named_no_sender_is_annulled_only_by_its_own_signer() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path()).with_sender_unknown(RetentionClass::ProjectDocumentation);
    // Stored without a sender (as versions before senders were required were).
    let mut first = registration(&registry, PDF, &INDIVIDUAL);
    first.expected = Expectation::default();
    let first = registry.register(&first).unwrap();
    // Someone else submits a replacement signed by themselves and an act of their own: refused,
    // whoever the new request names as its sender.
    let mut attack = registration(&registry, b"%PDF-1.7\nforged", &HEAD);
    attack.expected = Expectation::default();
    attack.expected.iin = Some("791122405066".into());
    let reason = reason("replaced");
    let statement = annulment_statement(first.id, &first.version, &attack.content.0, &reason);
    let err = registry
        .new_version(first.id, &attack, &HEAD.sign(&statement), &reason)
        .unwrap_err();
    assert!(err.to_string().contains("NOT_OWNER"), "{err}");
    assert_eq!(log_size(&registry), 1);
    // The signer of the version, as its report identifies them, may.
    let mut own = registration(&registry, b"%PDF-1.7\nrevised", &INDIVIDUAL);
    own.expected = Expectation::default();
    let statement = annulment_statement(first.id, &first.version, &own.content.0, &reason);
    registry
        .new_version(first.id, &own, &INDIVIDUAL.sign(&statement), &reason)
        .unwrap();
}

#[test]
fn nothing_is_registered_or_disposed_of_ahead_of_the_vaults_clock() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let mut future = registration(&registry, PDF, &INDIVIDUAL);
    future.at = Timestamp::from_second(test_clock().as_second() + 1).unwrap();
    let err = registry.register(&future).unwrap_err();
    assert!(matches!(err, RegisterError::InFuture { .. }), "{err}");

    let doc = registered(&registry);
    let ahead = Timestamp::from_second(test_clock().as_second() + 60).unwrap();
    let err = dispose(&registry, doc.id, "x", "op", ahead).unwrap_err();
    assert!(matches!(err, DisposeError::InFuture { .. }), "{err}");
    // A clock set back: retention ended on 2036-01-01, but the log's last entry is dated
    // 2036-06: a disposal dated between the two is refused.
    registry
        .extend_retention(
            doc.id,
            jiff::civil::date(2036, 1, 1),
            &reason("audit"),
            &actor("op"),
            later(3650),
        )
        .unwrap();
    let err = dispose(&registry, doc.id, "x", "op", later(3650 - 60)).unwrap_err();
    assert!(matches!(err, DisposeError::BeforeLastEntry { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Caller);
    assert_eq!(log_size(&registry), 2);
    dispose(&registry, doc.id, "x", "op", later(3650)).unwrap();
}

#[test]
fn disposal_needs_an_act_signed_by_a_configured_officer() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let doc = registered(&registry);
    let at = later(365 * 6);
    let why = reason("retention passed");
    let view = registry.document(doc.id).unwrap().unwrap();
    let statement = view.disposal_statement(&why);
    // No act, an act by someone who is not an officer, an act over another reason: refused.
    for act in [
        b"not a signature".to_vec(),
        INDIVIDUAL.sign(&statement),
        sign_detached(
            pki::OFFICER,
            pki::OFFICER_KEY,
            &view.disposal_statement(&reason("x")),
        ),
    ] {
        let err = registry
            .dispose(doc.id, &why, &act, &actor("operator"), at)
            .unwrap_err();
        assert!(matches!(err, DisposeError::ActRefused { .. }), "{err}");
        assert_eq!(err.kind(), ErrorKind::Refused);
    }
    assert!(!registry.is_disposed(doc.id).unwrap());
    // Without any officer configured, nothing can be disposed of.
    let dir2 = tempfile::tempdir().unwrap();
    let content = content_store(dir2.path());
    let bare = Registry::new(
        content,
        Arc::new(pki::rsa_and_officer_verifier()),
        Calendar::builtin().unwrap(),
        Numbering::new(Template::parse(Numbering::DEFAULT_TEMPLATE).unwrap()),
    )
    .unwrap()
    .with_clock(test_clock);
    let doc2 = bare
        .register(&registration(&bare, PDF, &INDIVIDUAL))
        .unwrap();
    let err = dispose(&bare, doc2.id, "x", "op", at).unwrap_err();
    assert!(matches!(err, DisposeError::NoOfficer), "{err}");
    // The officer's act is kept, and covered by the disposal's audit entry.
    let act = sign_detached(pki::OFFICER, pki::OFFICER_KEY, &statement);
    registry
        .dispose(doc.id, &why, &act, &actor("operator"), at)
        .unwrap();
    let stored = registry
        .content()
        .backend()
        .get(Table::DisposalActs, &doc.id.0)
        .unwrap()
        .unwrap();
    let kept: DisposalAct = codec::decode(&stored).unwrap();
    assert_eq!(kept.signature, act);
    assert_eq!(kept.statement, statement);
    assert!(verified(&registry).is_clean());
}

#[test]
fn bulk_reverification_selects_judges_in_both_modes_and_records_changes() {
    let dir = tempfile::tempdir().unwrap();
    let revoked_later = Signer(pki::REVOKED_LATER, pki::REVOKED_LATER_KEY);
    // Registered on 2026-04-15 with the base CRL only: the certificate was not yet revoked.
    let (revoked_doc, good_doc) = {
        let registry = registry_in_april(dir.path());
        let mut revoked = registration(&registry, PDF, &revoked_later);
        revoked.at = Timestamp::from_second(1_776_247_200).unwrap();
        let mut good = registration(&registry, b"%PDF-1.4\nkept", &INDIVIDUAL);
        good.at = revoked.at;
        good.class = RetentionClass::ExpertiseApplication;
        good.object_number = None;
        (
            registry.register(&revoked).unwrap(),
            registry.register(&good).unwrap(),
        )
    };
    let registry = registry(dir.path());
    let everything = Selection::default();
    let all: Vec<Selected> = registry
        .select(&everything, None)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.windows(2).all(|w| w[0].key() < w[1].key()));
    assert!(
        all.iter()
            .all(|s| s.current && s.known_verdict == ("TOTAL_PASSED".to_owned(), None))
    );
    // After the first: only the second; a selection by class.
    let rest: Vec<_> = registry
        .select(&everything, Some(all[0].key()))
        .map(|s| s.unwrap().key())
        .collect();
    assert_eq!(rest, vec![all[1].key()]);
    let expertise = Selection {
        classes: vec![RetentionClass::ExpertiseApplication],
        ..Selection::default()
    };
    let only: Vec<_> = registry
        .select(&expertise, None)
        .map(|s| s.unwrap().id)
        .collect();
    assert_eq!(only, vec![good_doc.id]);
    // Registered after the 14:00 cut-off of order 670: dated the next working day.
    assert_eq!(all[0].version.registration_date, "2026-04-16");
    let later = Selection {
        registered_from: Some("2026-04-17".parse().unwrap()),
        ..Selection::default()
    };
    assert_eq!(registry.select(&later, None).count(), 0);

    // Registered: the registration proves the signature existed before the revocation (and
    // the content is read back whole with --check-content). Now: the revocation counts.
    let now = monday_afternoon().as_second();
    let selected = all.iter().find(|s| s.id == revoked_doc.id).unwrap();
    let verify = |mode, check| {
        registry
            .reverify_version(&registry.verifier(), &selected.version, now, mode, check)
            .unwrap()[0]
            .verdict
    };
    assert!(verify(ReverifyMode::Registered, true).passed());
    let found = verify(ReverifyMode::Now, false);
    assert_eq!(found.sub_indication, Some(SubIndication::RevokedNoPoe));

    // The changed verdict recorded: an event and an audit entry, and the verdict known next.
    let log_before = log_size(&registry);
    registry
        .record_reverification(
            revoked_doc.id,
            1,
            (
                found.indication.as_str(),
                found.sub_indication.map(|s| s.as_str()),
            ),
            ReverifyMode::Now,
            now,
            &actor("operator"),
        )
        .unwrap();
    assert_eq!(log_size(&registry), log_before + 1);
    let again = registry
        .select(&everything, None)
        .map(Result::unwrap)
        .find(|s| s.id == revoked_doc.id)
        .unwrap();
    assert_eq!(
        again.known_verdict,
        (
            "INDETERMINATE".to_owned(),
            Some("REVOKED_NO_POE".to_owned())
        )
    );
    let report = verified(&registry);
    assert!(report.problems.is_empty(), "{:?}", report.problems);

    // Damaged content: a chunk gone is found by --check-content, whatever the signature.
    let manifest = registry
        .content()
        .manifest(&ContentAddress(selected.version.content))
        .unwrap();
    let chunks: Vec<_> = manifest.chunks.iter().map(|c| c.id).collect();
    registry.content().backend().remove_chunks(&chunks).unwrap();
    let err = registry
        .reverify_version(
            &registry.verifier(),
            &selected.version,
            now,
            ReverifyMode::Registered,
            true,
        )
        .unwrap_err();
    assert!(matches!(err, ReverifyError::Damaged(_)), "{err}");
}

#[test]
fn revocation_imports_are_listed_once_in_order_logged_and_kept_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let at = monday_afternoon();
    let crl = registry.content().put(pki::CA_RSA_CRL).unwrap().address;
    let response = registry.content().put(&b"an OCSP response"[..]).unwrap().address;
    assert_eq!(registry.last_revocation_import().unwrap(), 0);
    assert!(registry.revocation_imports_after(0).unwrap().is_empty());

    let by = actor("api key 0123456789abcdef");
    let record = |kind, address| {
        registry.record_revocation_import(kind, address, at, &by, at)
    };
    assert_eq!(record(ImportKind::Crl, crl).unwrap(), Some(1));
    assert_eq!(record(ImportKind::OcspResponse, response).unwrap(), Some(2));
    // The same data again: nothing new, not an error.
    assert_eq!(record(ImportKind::Crl, crl).unwrap(), None);
    assert_eq!(log_size(&registry), 2);
    assert_eq!(registry.last_revocation_import().unwrap(), 2);
    let after_first = registry.revocation_imports_after(1).unwrap();
    assert_eq!(after_first.len(), 1);
    assert_eq!(after_first[0].sequence, 2);
    assert_eq!(after_first[0].import.kind, ImportKind::OcspResponse);
    assert_eq!(after_first[0].import.address, response);
    assert_eq!(after_first[0].import.imported_at, at.as_second());
    assert_eq!(after_first[0].import.by, "api key 0123456789abcdef");
    let log = AuditLog::open(registry.content().backend()).unwrap();
    let entry = String::from_utf8(log.entry(1).unwrap()).unwrap();
    assert!(
        entry.starts_with("qoima-audit-v2\nrevocation-imported\n"),
        "{entry}"
    );
    assert!(
        entry.contains("\nrevocation-import:2\n0\napi key 0123456789abcdef\n"),
        "{entry}"
    );
    let report = verified(&registry);
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!((report.entries, report.records), (2, 2));

    // Reopened: the same list, and the next import takes the next number.
    drop(registry);
    let registry = self::registry(dir.path());
    let all = registry.revocation_imports_after(0).unwrap();
    assert_eq!(
        all.iter()
            .map(|l| (l.sequence, l.import.kind, l.import.address))
            .collect::<Vec<_>>(),
        [
            (1, ImportKind::Crl, crl),
            (2, ImportKind::OcspResponse, response)
        ]
    );
    let third = registry.content().put(&b"another CRL"[..]).unwrap().address;
    assert_eq!(
        registry
            .record_revocation_import(ImportKind::Crl, third, at, &by, at)
            .unwrap(),
        Some(3)
    );

    // Write-once: a second record under a taken number is refused by the store itself.
    let backend = registry.content().backend();
    let stored = backend
        .get(Table::RevocationImports, &2u64.to_be_bytes())
        .unwrap()
        .unwrap();
    let mut batch = MetaBatch::new();
    batch.put(Table::RevocationImports, 2u64.to_be_bytes().to_vec(), stored.clone());
    assert!(matches!(
        backend.commit(batch),
        Err(StorageError::Exists {
            table: Table::RevocationImports,
            ..
        })
    ));

    // Changed behind the vault's back, or slipped in without an entry: found.
    let mut forged = stored.clone();
    *forged.last_mut().unwrap() ^= 1;
    backend.overwrite(Table::RevocationImports, &2u64.to_be_bytes(), &forged);
    let problems = verified(&registry).problems;
    assert!(
        problems.iter().any(|p| p.contains("was changed")),
        "{problems:?}"
    );
    backend.overwrite(Table::RevocationImports, &2u64.to_be_bytes(), &stored);
    backend.overwrite(Table::RevocationImports, &9u64.to_be_bytes(), &stored);
    let problems = verified(&registry).problems;
    assert!(
        problems
            .iter()
            .any(|p| p.contains("revocation_imports") && p.contains("not in the audit log")),
        "{problems:?}"
    );
    backend.delete(Table::RevocationImports, &9u64.to_be_bytes());
    // A key that is no sequence number is damage, not an import.
    backend.overwrite(Table::RevocationImports, b"x", &stored);
    assert!(matches!(
        registry.revocation_imports_after(0),
        Err(StoreError::Damaged(_))
    ));
}
