//! Keys created and revoked through the registry: each change is in the audit log with who
//! made it, and `verify_records` holds the key records to their entries.

use sha2::{Digest, Sha256};

use super::super::{RecordsReport, verify_records};
use super::*;
use crate::codec;
use crate::keys::tests::{at, registry};
use crate::keys::{KeyRecord, Role, authenticate, get};
use crate::records::Participant;
use crate::storage::rocks::RocksBackend;

fn actor(text: &str) -> Actor {
    text.parse().unwrap()
}

fn verified(registry: &Registry) -> RecordsReport {
    verify_records(registry.content().backend()).unwrap()
}

/// The lines of audit entry `index`.
fn entry_lines(registry: &Registry, index: u64) -> Vec<String> {
    let entry = registry.log().unwrap().entry(index).unwrap();
    String::from_utf8(entry)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Kind, time, subject, version and actor of an entry, and whether it holds the SHA-256 of
/// `record`.
fn summary<'a>(lines: &'a [String], record: &[u8]) -> (Vec<&'a str>, bool) {
    let fields = lines[1..6].iter().map(String::as_str).collect();
    let hash = hex::encode(Sha256::digest(record));
    (fields, lines.last() == Some(&hash))
}

fn stored(registry: &Registry, table: Table, id: KeyId) -> Vec<u8> {
    registry
        .content()
        .backend()
        .get(table, &id.0)
        .unwrap()
        .unwrap()
}

#[test]
fn creation_and_revocation_are_logged_with_who_made_them() {
    let (_dir, registry) = registry();
    let new = NewKey {
        bin: Some("123456789012".into()),
        participant: Some(Participant::new("ACME").unwrap()),
        ..NewKey::new(Role::Writer)
    };
    let admin = actor("api key 0123456789abcdef");
    let (id, token) = registry.create_key(&new, &admin, at(0)).unwrap();
    let (other, _) = registry
        .create_key(&NewKey::new(Role::Reader), &actor("operator"), at(1))
        .unwrap();
    registry
        .revoke_key(id, &actor("Operator B"), at(2))
        .unwrap();
    assert_eq!(
        authenticate(registry.content().backend(), &token).unwrap(),
        None
    );

    let log = registry.log().unwrap();
    assert_eq!(log.size(), 3);
    let subject = format!("key:{id}");
    let (created, created_at) = (at(0).as_second().to_string(), at(1).as_second().to_string());
    let revoked_at = at(2).as_second().to_string();
    let record = stored(&registry, Table::ApiKeys, id);
    assert_eq!(
        summary(&entry_lines(&registry, 0), &record),
        (
            vec![
                "key-created",
                &created,
                &subject,
                "0",
                "api key 0123456789abcdef"
            ],
            true
        )
    );
    let other_subject = format!("key:{other}");
    let other_record = stored(&registry, Table::ApiKeys, other);
    assert_eq!(
        summary(&entry_lines(&registry, 1), &other_record),
        (
            vec!["key-created", &created_at, &other_subject, "0", "operator"],
            true
        )
    );
    let revocation = stored(&registry, Table::KeyRevocations, id);
    assert_eq!(
        summary(&entry_lines(&registry, 2), &revocation),
        (
            vec!["key-revoked", &revoked_at, &subject, "0", "Operator B"],
            true
        )
    );
    // The entry's record is the stored key record, participant and BIN included.
    let key: KeyRecord = codec::decode_upgrading(&record).unwrap();
    assert_eq!(key.participant.as_deref(), Some("ACME"));
    assert_eq!(key.bin.as_deref(), Some("123456789012"));
    assert_eq!(
        get(registry.content().backend(), id)
            .unwrap()
            .unwrap()
            .participant,
        Some(Participant::new("ACME").unwrap())
    );

    let report = verified(&registry);
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!((report.entries, report.records), (3, 3));
}

#[test]
fn refused_changes_log_nothing() {
    let (_dir, registry) = registry();
    let by = actor("operator");
    let (id, _) = registry
        .create_key(&NewKey::new(Role::Admin), &by, at(0))
        .unwrap();
    registry.revoke_key(id, &by, at(1)).unwrap();
    assert!(matches!(
        registry.revoke_key(id, &by, at(2)),
        Err(KeyError::AlreadyRevoked(again)) if again == id
    ));
    assert!(matches!(
        registry.revoke_key(KeyId([9; 8]), &by, at(2)),
        Err(KeyError::Unknown(_))
    ));
    let bad = NewKey {
        name: Some(String::new()),
        ..NewKey::new(Role::Reader)
    };
    assert!(matches!(
        registry.create_key(&bad, &by, at(2)),
        Err(KeyError::BadName)
    ));
    assert_eq!(registry.log().unwrap().size(), 2);
    assert!(verified(&registry).is_clean());
}

/// Writes `value` under `key` in `table` behind the write-once guard, as a disk edit would.
fn forge(backend: &RocksBackend, table: Table, key: &[u8], value: Option<&[u8]>) {
    let db = backend.raw();
    let cf = db.cf_handle(table.name()).unwrap();
    match value {
        Some(value) => db.put_cf(cf, key, value).unwrap(),
        None => db.delete_cf(cf, key).unwrap(),
    }
}

fn problems(registry: &Registry) -> Vec<String> {
    verified(registry).problems
}

fn found(problems: &[String], needle: &str) -> bool {
    problems.iter().any(|p| p.contains(needle))
}

#[test]
fn key_records_changed_removed_or_slipped_in_are_found() {
    let (_dir, registry) = registry();
    let backend = registry.content().backend();
    let by = actor("operator");
    let admin = NewKey::new(Role::Admin);
    let (id, _) = registry.create_key(&admin, &by, at(0)).unwrap();
    let (kept, _) = registry.create_key(&admin, &by, at(1)).unwrap();
    registry.revoke_key(id, &by, at(2)).unwrap();
    assert!(verified(&registry).is_clean());

    // A key record changed: its role made writer, say.
    let original = stored(&registry, Table::ApiKeys, id);
    let mut record: KeyRecord = codec::decode_upgrading(&original).unwrap();
    record.role = Role::Writer;
    let changed = codec::encode_upgraded(&record).unwrap();
    forge(backend, Table::ApiKeys, &id.0, Some(&changed));
    let found_changed = problems(&registry);
    assert!(
        found(&found_changed, "key-created of key:") && found(&found_changed, "was changed"),
        "{found_changed:?}"
    );
    forge(backend, Table::ApiKeys, &id.0, Some(&original));

    // A revocation changed, then removed.
    let revocation = stored(&registry, Table::KeyRevocations, id);
    let mut later = revocation.clone();
    *later.last_mut().unwrap() ^= 2;
    forge(backend, Table::KeyRevocations, &id.0, Some(&later));
    assert!(found(&problems(&registry), "was changed"));
    forge(backend, Table::KeyRevocations, &id.0, None);
    let missing = problems(&registry);
    assert!(
        found(&missing, "key-revoked of key:") && found(&missing, "missing"),
        "{missing:?}"
    );
    forge(backend, Table::KeyRevocations, &id.0, Some(&revocation));
    assert!(verified(&registry).is_clean());

    // A key record slipped in without its entry, and a revocation of a logged key.
    let slipped = KeyId([0x5a; 8]);
    forge(backend, Table::ApiKeys, &slipped.0, Some(&original));
    let unlogged = problems(&registry);
    assert!(
        found(&unlogged, &format!("api_keys record ({slipped})"))
            && found(&unlogged, "not in the audit log"),
        "{unlogged:?}"
    );
    forge(backend, Table::ApiKeys, &slipped.0, None);
    forge(backend, Table::KeyRevocations, &kept.0, Some(&revocation));
    let unlogged = problems(&registry);
    assert!(
        found(&unlogged, &format!("key_revocations record ({kept})")),
        "{unlogged:?}"
    );
    forge(backend, Table::KeyRevocations, &kept.0, None);
    assert!(verified(&registry).is_clean());
}

/// Keys created before creations were logged (format 1 records) need no entry, nor do their
/// revocations from then; a revocation through the registry is logged all the same.
#[test]
fn keys_made_before_they_were_logged_still_verify() {
    let (_dir, registry) = registry();
    let backend = registry.content().backend();
    let old = crate::keys::tests::format_1_record(Role::Writer, at(0), [3; 32]);
    let (legacy, revoked) = (KeyId([1; 8]), KeyId([2; 8]));
    forge(backend, Table::ApiKeys, &legacy.0, Some(&old));
    forge(backend, Table::ApiKeys, &revoked.0, Some(&old));
    forge(
        backend,
        Table::KeyRevocations,
        &revoked.0,
        Some(&codec::encode(&crate::keys::Revocation { revoked_at: 0 }).unwrap()),
    );
    let report = verified(&registry);
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!(report.entries, 0);

    registry
        .revoke_key(legacy, &actor("operator"), at(5))
        .unwrap();
    assert_eq!(entry_lines(&registry, 0)[1], "key-revoked");
    let report = verified(&registry);
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!((report.entries, report.records), (1, 1));
}
