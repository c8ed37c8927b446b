// The upload store's behaviour suite, included once per store by `suites.rs`, which says
// how to make a store's environment (`new_env`), open a store in it (`open_with`; opening
// again is a restart, or another node), read the acknowledged bytes of an upload (`stored`)
// and count what is left of uploads (`leftovers`).

use std::io::Read;

use proptest::prelude::*;


fn open(env: &Env) -> UploadStore {
    open_with(env, UploadConfig::default()).unwrap()
}

fn store() -> (Env, UploadStore) {
    let env = new_env();
    let store = open(&env);
    (env, store)
}

fn sha(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Deterministic incompressible bytes.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn declare(data: &[u8]) -> NewUpload {
    NewUpload {
        length: data.len() as u64,
        sha256: sha(data),
        owner: "key-1".into(),
        metadata: BTreeMap::from([("filename".to_string(), b"plan.pdf".to_vec())]),
    }
}

/// One whole PATCH request in frames of 16 KiB.
fn patch(
    store: &UploadStore,
    id: UploadId,
    offset: u64,
    body: &[u8],
    checksum: Option<[u8; 32]>,
) -> Result<Upload, UploadError> {
    let mut patch = store.begin(id, offset, checksum, Timestamp::now())?;
    for frame in body.chunks(16 << 10) {
        patch.write(frame)?;
    }
    patch.finish(Timestamp::now())
}

/// Opens the store again (a restart, or another node) and checks that the upload is
/// acknowledged at `data.len()` bytes.
fn reopened(env: &Env, store: UploadStore, id: UploadId, data: &[u8]) -> UploadStore {
    let before = store.get(id).unwrap();
    drop(store);
    let store = open(env);
    let after = store.get(id).unwrap();
    assert_eq!(after, before);
    assert_eq!(after.offset, data.len() as u64);
    assert_eq!(stored(&store, id), data);
    store
}

fn content(store: &UploadStore, id: UploadId) -> Vec<u8> {
    let mut bytes = Vec::new();
    store.content(id).unwrap().read_to_end(&mut bytes).unwrap();
    bytes
}

#[test]
fn appends_in_several_patches_until_complete() {
    let (env, mut store) = store();
    // Above the buffer size, so both the buffered and the direct paths run.
    let data = noise(1, (3 << 20) + 12_345);
    let created = store.create(declare(&data), Timestamp::now()).unwrap();
    let id = created.id;
    assert_eq!(created.offset, 0);
    assert!(!created.is_complete());
    assert_eq!(store.count().unwrap(), 1);

    let cuts = [0, 1, 70_000, 2 << 20, data.len()];
    for pair in cuts.windows(2) {
        let upload = patch(&store, id, pair[0] as u64, &data[pair[0]..pair[1]], None).unwrap();
        assert_eq!(upload.offset, pair[1] as u64);
        assert_eq!(upload.created_at, created.created_at);
        store = reopened(&env, store, id, &data[..pair[1]]);
    }
    // One write larger than the buffer, with a checksum.
    let upload = store.get(id).unwrap();
    assert!(upload.is_complete());
    assert_eq!(upload.metadata, declare(&data).metadata);
    assert_eq!(upload.owner, "key-1");
    assert_eq!(content(&store, id), data);

    let other = noise(2, 2 << 20);
    let id = store.create(declare(&other), Timestamp::now()).unwrap().id;
    let mut p = store
        .begin(id, 0, Some(sha(&other)), Timestamp::now())
        .unwrap();
    p.write(&other).unwrap();
    assert_eq!(p.offset(), other.len() as u64);
    assert!(p.finish(Timestamp::now()).unwrap().is_complete());
    assert_eq!(content(&store, id), other);
    assert_eq!(store.count().unwrap(), 2);
}

#[test]
fn an_offset_beyond_the_upload_is_refused() {
    let (_env, store) = store();
    let data = noise(3, 1000);
    let id = store.create(declare(&data), Timestamp::now()).unwrap().id;
    patch(&store, id, 0, &data[..100], None).unwrap();
    let e = store.begin(id, 101, None, Timestamp::now()).err().unwrap();
    assert!(matches!(
        e,
        UploadError::OffsetMismatch {
            expected: 100,
            got: 101
        }
    ));
    assert_eq!(store.get(id).unwrap().offset, 100);
    assert!(e.to_string().contains("100"));
}

#[test]
fn a_retried_patch_is_idempotent() {
    let (env, store) = store();
    let data = noise(4, 5000);
    let id = store.create(declare(&data), Timestamp::now()).unwrap().id;
    patch(&store, id, 0, &data[..1000], None).unwrap();
    // Its response was lost; the same request again.
    let first = patch(&store, id, 0, &data[..1000], Some(sha(&data[..1000]))).unwrap();
    assert_eq!(first.offset, 1000);
    let store = reopened(&env, store, id, &data[..1000]);
    // A retry that covers only part of what is stored ends at the stored offset.
    assert_eq!(
        patch(&store, id, 200, &data[200..700], None)
            .unwrap()
            .offset,
        1000
    );
    // A retry reaching further appends the rest; the checksum covers the resent bytes too.
    let up = patch(
        &store,
        id,
        500,
        &data[500..3000],
        Some(sha(&data[500..3000])),
    )
    .unwrap();
    assert_eq!(up.offset, 3000);
    let done = patch(&store, id, 3000, &data[3000..], None).unwrap();
    assert!(done.is_complete());
    // The last request retried on the complete upload.
    let again = patch(&store, id, 3000, &data[3000..], None).unwrap();
    assert_eq!(again.offset, done.offset);
    assert_eq!(content(&store, id), data);
}

#[test]
fn a_retry_with_other_bytes_changes_nothing() {
    let (env, store) = store();
    let data = noise(5, 5000);
    let id = store.create(declare(&data), Timestamp::now()).unwrap().id;
    patch(&store, id, 0, &data[..2000], None).unwrap();
    let before = store.get(id).unwrap();

    let mut other = data[1000..2500].to_vec();
    other[321] ^= 1;
    let mut p = store.begin(id, 1000, None, Timestamp::now()).unwrap();
    let e = p.write(&other).unwrap_err();
    assert!(matches!(e, UploadError::ReplayMismatch { at: 1321 }), "{e}");
    // The patch is spent: neither more bytes nor an acknowledgement.
    assert!(matches!(
        p.write(&data[2000..2100]),
        Err(UploadError::ReplayMismatch { at: 1321 })
    ));
    assert!(matches!(
        p.finish(Timestamp::now()),
        Err(UploadError::ReplayMismatch { at: 1321 })
    ));
    assert_eq!(store.get(id).unwrap(), before);
    assert_eq!(stored(&store, id), &data[..2000]);

    // Interrupting after a mismatch keeps nothing either.
    let mut p = store.begin(id, 1000, None, Timestamp::now()).unwrap();
    assert!(p.write(&other).is_err());
    assert!(p.interrupt(Timestamp::now()).is_err());
    let store = reopened(&env, store, id, &data[..2000]);
    assert_eq!(store.get(id).unwrap(), before);
}

#[test]
fn a_checksum_mismatch_rolls_back() {
    let (env, store) = store();
    let data = noise(6, 600_000);
    let id = store.create(declare(&data), Timestamp::now()).unwrap().id;
    patch(&store, id, 0, &data[..1000], None).unwrap();
    let before = store.get(id).unwrap();
    let e = patch(&store, id, 1000, &data[1000..500_000], Some([7; 32])).unwrap_err();
    assert!(matches!(e, UploadError::ChecksumMismatch), "{e}");
    assert_eq!(store.get(id).unwrap(), before);
    let store = reopened(&env, store, id, &data[..1000]);
    // The checksum is of the request's body, resent bytes included.
    let e = patch(
        &store,
        id,
        500,
        &data[500..2000],
        Some(sha(&data[1000..2000])),
    )
    .unwrap_err();
    assert!(matches!(e, UploadError::ChecksumMismatch));
    let up = patch(
        &store,
        id,
        500,
        &data[500..2000],
        Some(sha(&data[500..2000])),
    )
    .unwrap();
    assert_eq!(up.offset, 2000);
    reopened(&env, store, id, &data[..2000]);
}

#[test]
fn a_whole_mismatch_removes_the_upload() {
    let (env, store) = store();
    let data = noise(7, 3000);
    let mut declared = declare(&data);
    declared.sha256 = sha(b"something else");
    let id = store.create(declared, Timestamp::now()).unwrap().id;
    patch(&store, id, 0, &data[..1000], None).unwrap();
    let e = patch(&store, id, 1000, &data[1000..], None).unwrap_err();
    match &e {
        UploadError::WholeMismatch { declared, received } => {
            assert_eq!(*declared, sha(b"something else"));
            assert_eq!(*received, sha(&data));
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains(&hex::encode(sha(&data))));
    assert!(matches!(store.get(id), Err(UploadError::NotFound(_))));
    assert_eq!(store.count().unwrap(), 0);
    assert_eq!(leftovers(&env, &store), 0);
}

#[test]
fn an_interrupted_body_is_kept_unless_it_has_a_checksum() {
    let (env, store) = store();
    let data = noise(8, 4 << 20);
    let id = store.create(declare(&data), Timestamp::now()).unwrap().id;

    let mut p = store.begin(id, 0, None, Timestamp::now()).unwrap();
    p.write(&data[..1_500_000]).unwrap();
    p.write(&data[1_500_000..1_500_100]).unwrap();
    let up = p.interrupt(Timestamp::now()).unwrap();
    assert_eq!(up.offset, 1_500_100);
    let store = reopened(&env, store, id, &data[..1_500_100]);

    let mut p = store
        .begin(
            id,
            1_500_100,
            Some(sha(&data[1_500_100..])),
            Timestamp::now(),
        )
        .unwrap();
    p.write(&data[1_500_100..3_000_000]).unwrap();
    let up = p.interrupt(Timestamp::now()).unwrap();
    assert_eq!(up.offset, 1_500_100);
    let store = reopened(&env, store, id, &data[..1_500_100]);

    // An interruption at the very last byte completes the upload (and checks the whole).
    let mut p = store.begin(id, 1_500_100, None, Timestamp::now()).unwrap();
    p.write(&data[1_500_100..]).unwrap();
    assert!(p.interrupt(Timestamp::now()).unwrap().is_complete());
    assert_eq!(content(&store, id), data);
}

#[test]
fn dropping_a_patch_rolls_back() {
    let (env, store) = store();
    let data = noise(9, 3 << 20);
    let id = store.create(declare(&data), Timestamp::now()).unwrap().id;
    patch(&store, id, 0, &data[..10], None).unwrap();
    let before = store.get(id).unwrap();
    let mut p = store.begin(id, 0, None, Timestamp::now()).unwrap();
    p.write(&data[..2 << 20]).unwrap();
    drop(p);
    assert_eq!(store.get(id).unwrap(), before);
    let store = reopened(&env, store, id, &data[..10]);
    assert_eq!(
        patch(&store, id, 10, &data[10..], None).unwrap().offset,
        data.len() as u64
    );
}

#[test]
fn one_patch_at_a_time() {
    let (_env, store) = store();
    let data = noise(12, 100);
    let id = store.create(declare(&data), Timestamp::now()).unwrap().id;
    let mut p = store.begin(id, 0, None, Timestamp::now()).unwrap();
    p.write(&data[..10]).unwrap();
    assert!(matches!(
        store.begin(id, 0, None, Timestamp::now()),
        Err(UploadError::Busy(b)) if b == id
    ));
    assert!(matches!(store.terminate(id), Err(UploadError::Busy(_))));
    assert!(matches!(store.remove(id), Err(UploadError::Busy(_))));
    let far = Timestamp::now() + SignedDuration::from_hours(1000);
    assert_eq!(store.expire(far).unwrap(), 0);
    // A HEAD meanwhile sees the acknowledged offset.
    assert_eq!(store.get(id).unwrap().offset, 0);
    assert_eq!(p.finish(Timestamp::now()).unwrap().offset, 10);
    let p = store.begin(id, 10, None, Timestamp::now()).unwrap();
    drop(p);
    store.begin(id, 10, None, Timestamp::now()).unwrap();
}

#[test]
fn uploads_expire() {
    let (env, store) = store();
    let ttl = store.config().ttl;
    let t0 = Timestamp::now();
    let data = noise(13, 100);
    let a = store.create(declare(&data), t0).unwrap();
    assert_eq!(a.expires_at, t0 + ttl);
    let b = store.create(declare(&data), t0).unwrap().id;
    // A patch moves the expiry on.
    let t1 = t0 + SignedDuration::from_hours(1);
    let mut p = store.begin(b, 0, None, t1).unwrap();
    p.write(&data[..5]).unwrap();
    assert_eq!(p.finish(t1).unwrap().expires_at, t1 + ttl);

    let end = a.expires_at;
    assert!(
        store
            .get_at(a.id, end - SignedDuration::from_secs(1))
            .is_ok()
    );
    assert!(matches!(
        store.get_at(a.id, end),
        Err(UploadError::NotFound(_))
    ));
    assert!(matches!(
        store.begin(a.id, 0, None, end),
        Err(UploadError::NotFound(_))
    ));
    assert_eq!(store.expire(end - SignedDuration::from_secs(1)).unwrap(), 0);
    assert_eq!(store.expire(end).unwrap(), 1);
    assert_eq!(store.count().unwrap(), 1);
    assert!(matches!(
        store.get_at(a.id, t0),
        Err(UploadError::NotFound(_))
    ));
    assert!(store.get_at(b, end).is_ok());
    assert_eq!(store.expire(t1 + ttl).unwrap(), 1);
    assert_eq!(store.count().unwrap(), 0);
    assert_eq!(leftovers(&env, &store), 0);

    // Expired by the clock: terminate removes it and says it was not found.
    let old = Timestamp::now() - ttl - SignedDuration::from_secs(1);
    let c = store.create(declare(&data), old).unwrap().id;
    assert!(matches!(store.get(c), Err(UploadError::NotFound(_))));
    assert!(matches!(store.terminate(c), Err(UploadError::NotFound(_))));
    assert_eq!(store.count().unwrap(), 0);
}

#[test]
fn termination_and_removal() {
    let (env, store) = store();
    let data = noise(14, 100);
    let id = store.create(declare(&data), Timestamp::now()).unwrap().id;
    patch(&store, id, 0, &data[..50], None).unwrap();
    store.terminate(id).unwrap();
    assert!(matches!(store.get(id), Err(UploadError::NotFound(_))));
    assert!(matches!(store.terminate(id), Err(UploadError::NotFound(_))));
    assert!(matches!(
        store.begin(id, 0, None, Timestamp::now()),
        Err(UploadError::NotFound(_))
    ));
    assert_eq!(leftovers(&env, &store), 0);

    let id = store.create(declare(&data), Timestamp::now()).unwrap().id;
    assert!(matches!(
        store.content(id),
        Err(UploadError::NotComplete {
            offset: 0,
            length: 100
        })
    ));
    patch(&store, id, 0, &data, None).unwrap();
    assert_eq!(content(&store, id), data);
    store.remove(id).unwrap();
    assert!(matches!(store.remove(id), Err(UploadError::NotFound(_))));
    assert!(matches!(store.content(id), Err(UploadError::NotFound(_))));
    assert_eq!(store.count().unwrap(), 0);
}

#[test]
fn lengths_are_bounded() {
    let env = new_env();
    let config = UploadConfig {
        max_length: 1000,
        ..UploadConfig::default()
    };
    let store = open_with(&env, config).unwrap();
    let big = NewUpload {
        length: 1001,
        ..declare(b"")
    };
    assert!(matches!(
        store.create(big, Timestamp::now()),
        Err(UploadError::TooLarge {
            length: 1001,
            max: 1000
        })
    ));
    assert_eq!(store.count().unwrap(), 0);

    let data = noise(15, 1000);
    let id = store.create(declare(&data), Timestamp::now()).unwrap().id;
    let mut p = store.begin(id, 0, None, Timestamp::now()).unwrap();
    p.write(&data[..600]).unwrap();
    let e = p.write(&[0; 401]).unwrap_err();
    assert!(matches!(e, UploadError::TooLong { length: 1000 }), "{e}");
    // Nothing of the refused call was taken; the patch goes on.
    assert_eq!(p.offset(), 600);
    p.write(&data[600..]).unwrap();
    assert!(matches!(p.write(&[0]), Err(UploadError::TooLong { .. })));
    assert!(p.finish(Timestamp::now()).unwrap().is_complete());
    assert_eq!(content(&store, id), data);

    let bad = UploadConfig {
        ttl: SignedDuration::ZERO,
        ..UploadConfig::default()
    };
    assert!(matches!(
        open_with(&env, bad),
        Err(UploadError::Config(_))
    ));
}

#[test]
fn an_empty_upload_is_complete_at_once() {
    let (_env, store) = store();
    let up = store.create(declare(b""), Timestamp::now()).unwrap();
    assert!(up.is_complete());
    assert!(content(&store, up.id).is_empty());
    let again = patch(&store, up.id, 0, b"", None).unwrap();
    assert!(again.is_complete());

    let wrong = NewUpload {
        sha256: [0; 32],
        ..declare(b"")
    };
    assert!(matches!(
        store.create(wrong, Timestamp::now()),
        Err(UploadError::WholeMismatch { received, .. }) if received == EMPTY_SHA256
    ));
    assert_eq!(EMPTY_SHA256, sha(b""));
    assert_eq!(store.count().unwrap(), 1);
}

#[test]
fn the_store_is_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>() {}
    assert_send_sync::<UploadStore>();
    assert_send::<Patch>();

    let (_env, store) = store();
    let data = noise(16, 50_000);
    let ids: Vec<_> = (0..8)
        .map(|_| store.create(declare(&data), Timestamp::now()).unwrap().id)
        .collect();
    std::thread::scope(|s| {
        for &id in &ids {
            let store = store.clone();
            let data = &data;
            s.spawn(move || {
                for part in data.chunks(7000).enumerate() {
                    patch(&store, id, (part.0 * 7000) as u64, part.1, None).unwrap();
                }
            });
        }
    });
    for id in ids {
        assert_eq!(content(&store, id), data);
    }
}

/// What a client does in one step of the property test.
#[derive(Debug, Clone)]
enum Step {
    /// A PATCH from `back` bytes before the offset, of `len` bytes, ended as `end` says.
    Patch {
        back: usize,
        len: usize,
        checksum: bool,
        end: End,
    },
    /// The server restarts.
    Reopen,
}

#[derive(Debug, Clone, Copy)]
enum End {
    Finish,
    Interrupt,
    Drop,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => (0usize..300, 0usize..700, any::<bool>(), prop_oneof![
            3 => Just(End::Finish),
            1 => Just(End::Interrupt),
            1 => Just(End::Drop),
        ])
            .prop_map(|(back, len, checksum, end)| Step::Patch { back, len, checksum, end }),
        1 => Just(Step::Reopen),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// However the bytes are split, resent, interrupted and dropped, the store acknowledges
    /// exactly the prefix a model says, and the complete upload is the data.
    #[test]
    fn any_split_of_patches_yields_the_data(
        len in 0usize..3000,
        seed in any::<u64>(),
        steps in proptest::collection::vec(step(), 1..40),
    ) {
        let data = noise(seed, len);
        let env = new_env();
        let mut store = open(&env);
        let id = store.create(declare(&data), Timestamp::now()).unwrap().id;
        let mut acked = 0usize;
        for step in steps.into_iter().chain(std::iter::repeat_n(
            Step::Patch { back: 0, len: usize::MAX, checksum: false, end: End::Finish },
            1,
        )) {
            match step {
                Step::Reopen => {
                    drop(store);
                    store = open(&env);
                }
                Step::Patch { back, len: n, checksum, end } => {
                    let from = acked.saturating_sub(back);
                    let to = from.saturating_add(n).min(data.len());
                    let body = &data[from..to];
                    let mut p = store
                        .begin(id, from as u64, checksum.then(|| sha(body)), Timestamp::now())
                        .unwrap();
                    for frame in body.chunks(97) {
                        p.write(frame).unwrap();
                    }
                    match end {
                        End::Finish => {
                            p.finish(Timestamp::now()).unwrap();
                            acked = acked.max(to);
                        }
                        End::Interrupt => {
                            p.interrupt(Timestamp::now()).unwrap();
                            if !checksum {
                                acked = acked.max(to);
                            }
                        }
                        End::Drop => drop(p),
                    }
                }
            }
            prop_assert_eq!(store.get(id).unwrap().offset, acked as u64);
            prop_assert_eq!(&stored(&store, id)[..], &data[..acked]);
        }
        prop_assert_eq!(acked, data.len());
        prop_assert_eq!(content(&store, id), data);
    }
}

#[test]
fn uploads_are_counted_per_owner_without_the_expired() {
    let (_env, store) = store();
    let now = Timestamp::now();
    let mut other = declare(b"another key's");
    other.owner = "key-2".into();
    store.create(declare(b"one"), now).unwrap();
    let two = store.create(declare(b"two"), now).unwrap();
    store.create(other, now).unwrap();
    assert_eq!(store.count_owned_by("key-1", now).unwrap(), 2);
    assert_eq!(store.count_owned_by("key-2", now).unwrap(), 1);
    assert_eq!(store.count_owned_by("key-3", now).unwrap(), 0);
    store.terminate(two.id).unwrap();
    assert_eq!(store.count_owned_by("key-1", now).unwrap(), 1);
    let expired = now + store.config().ttl;
    assert_eq!(store.count_owned_by("key-1", expired).unwrap(), 0);
}

#[test]
fn uploads_at_once_are_bounded_per_owner() {
    let (_env, store) = store();
    let now = Timestamp::now();
    let first = store.create_within(declare(b"a"), now, 2).unwrap();
    store.create_within(declare(b"b"), now, 2).unwrap();
    let e = store.create_within(declare(b"c"), now, 2).unwrap_err();
    assert!(matches!(e, UploadError::TooMany { held: 2, max: 2 }), "{e}");
    let mut other = declare(b"c");
    other.owner = "key-2".into();
    store.create_within(other, now, 2).unwrap();
    // An ended upload, or an expired one, no longer counts.
    store.terminate(first.id).unwrap();
    store.create_within(declare(b"d"), now, 2).unwrap();
    let later = now + UploadConfig::default().ttl;
    store.create_within(declare(b"e"), later, 2).unwrap();
    store.create_within(declare(b"f"), later, 2).unwrap();
}
