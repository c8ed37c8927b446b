//! Two nodes on one database and one bucket: one PATCH at a time across them, an upload
//! interrupted by a node's death resumed on the other, and the parts a dead node left
//! removed.

use std::time::{Duration, Instant};

use super::*;
use crate::storage::s3::StagedObjects;
use crate::uploads::distributed::PART;

/// Ends the database sessions that hold a row of the staging table locked, as the server does
/// when a node dies (its connections close).
fn kill_lock_holders(env: &Env) {
    cluster()
        .superuser(
            &env.database,
            "SELECT pg_terminate_backend(l.pid) FROM pg_locks l \
             JOIN pg_class c ON c.oid = l.relation \
             WHERE c.relname = 'upload_staging' AND l.mode = 'RowShareLock' \
             AND l.pid <> pg_backend_pid()",
            &[],
        )
        .unwrap();
}

#[test]
fn a_patch_on_one_node_makes_the_upload_busy_on_every_node() {
    let env = new_env();
    let (one, two) = (open(&env), open(&env));
    let data = noise(21, 1000);
    let id = one.create(declare(&data), Timestamp::now()).unwrap().id;
    let mut p = one.begin(id, 0, None, Timestamp::now()).unwrap();
    p.write(&data[..300]).unwrap();
    for store in [&one, &two] {
        assert!(matches!(
            store.begin(id, 0, None, Timestamp::now()),
            Err(UploadError::Busy(b)) if b == id
        ));
        assert!(matches!(store.terminate(id), Err(UploadError::Busy(_))));
        assert!(matches!(store.remove(id), Err(UploadError::Busy(_))));
    }
    let far = Timestamp::now() + SignedDuration::from_hours(1000);
    assert_eq!(two.expire(far).unwrap(), 0);
    // A HEAD on the other node meanwhile sees the acknowledged offset.
    assert_eq!(two.get(id).unwrap().offset, 0);
    assert_eq!(p.finish(Timestamp::now()).unwrap().offset, 300);
    assert_eq!(two.get(id).unwrap().offset, 300);
    assert_eq!(
        patch(&two, id, 300, &data[300..], None).unwrap().offset,
        1000
    );
    assert_eq!(content(&one, id), data);
}

#[test]
fn an_upload_interrupted_by_a_node_s_death_resumes_on_another_node() {
    let env = new_env();
    let (one, two) = (open(&env), open(&env));
    // Several parts, so that a retry crosses their boundaries.
    let data = noise(22, 2 * PART + 12_345);
    let id = one.create(declare(&data), Timestamp::now()).unwrap().id;
    let first = PART + 1000;
    assert_eq!(
        patch(&one, id, 0, &data[..first], None).unwrap().offset,
        first as u64
    );
    // Node one takes the next PATCH, stores a part of it, and dies before acknowledging.
    let mut dying = one.begin(id, first as u64, None, Timestamp::now()).unwrap();
    dying.write(&data[first..first + PART + 10]).unwrap();
    assert!(matches!(
        two.begin(id, first as u64, None, Timestamp::now()),
        Err(UploadError::Busy(_))
    ));
    kill_lock_holders(&env);
    // Its process is gone: nothing of it runs again (no rollback, no removal).
    std::mem::forget(dying);
    drop(one);

    // The other node sees the acknowledged offset and takes the rest, as soon as the server
    // has ended the dead session.
    assert_eq!(two.get(id).unwrap().offset, first as u64);
    let started = Instant::now();
    let mut p = loop {
        match two.begin(id, 500, Some(sha(&data[500..])), Timestamp::now()) {
            Ok(p) => break p,
            Err(UploadError::Busy(_)) if started.elapsed() < Duration::from_secs(10) => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("{e}"),
        }
    };
    // A retry from before the first part's end: the resent bytes are compared across it.
    for frame in data[500..].chunks(1 << 20) {
        p.write(frame).unwrap();
    }
    let done = p.finish(Timestamp::now()).unwrap();
    assert!(done.is_complete());
    let staged = two.staged(&done).unwrap();
    assert_eq!(staged.length(), data.len() as u64);
    assert_eq!(staged.read_range(0..data.len() as u64).unwrap(), data);
    drop(staged);
    two.remove(id).unwrap();
    assert_eq!(leftovers(&env, &two), 0);
}

#[test]
fn a_retry_on_another_node_with_other_bytes_changes_nothing() {
    let env = new_env();
    let (one, two) = (open(&env), open(&env));
    let data = noise(23, 5000);
    let id = one.create(declare(&data), Timestamp::now()).unwrap().id;
    patch(&one, id, 0, &data[..2000], None).unwrap();
    let mut other = data[1000..2500].to_vec();
    other[7] ^= 1;
    let e = patch(&two, id, 1000, &other, None).unwrap_err();
    assert!(matches!(e, UploadError::ReplayMismatch { at: 1007 }), "{e}");
    assert_eq!(stored(&one, id), &data[..2000]);
    // The same bytes again, through the other node: the rest is appended.
    assert_eq!(
        patch(&two, id, 1000, &data[1000..], None).unwrap().offset,
        5000
    );
    assert_eq!(content(&one, id), data);
}

#[test]
fn the_bytes_of_an_upload_without_a_row_are_removed_by_the_expiry() {
    let env = new_env();
    let store = open(&env);
    let data = noise(24, 3000);
    let kept = store.create(declare(&data), Timestamp::now()).unwrap().id;
    patch(&store, kept, 0, &data[..1000], None).unwrap();
    let lost = store.create(declare(&data), Timestamp::now()).unwrap().id;
    patch(&store, lost, 0, &data[..1000], None).unwrap();
    // A node died between the removal of the row and that of the objects.
    let deleted = cluster()
        .superuser(
            &env.database,
            "DELETE FROM qoima.upload_staging WHERE id = $1",
            &[lost.as_bytes().to_vec()],
        )
        .unwrap();
    assert_eq!(deleted, 1);
    assert_eq!(store.expire(Timestamp::now()).unwrap(), 0);
    assert_eq!(stored(&store, kept), &data[..1000]);
    store.terminate(kept).unwrap();
    assert_eq!(leftovers(&env, &store), 0);
}

#[test]
fn the_vault_s_role_may_change_only_the_staging_rows() {
    let env = new_env();
    let store = open(&env);
    let id = store.create(declare(b"x"), Timestamp::now()).unwrap().id;
    // The vault's role updates and deletes staging rows (above), and still no record.
    let vault = cluster().url(crate::storage::postgres::testing::VAULT_ROLE, &env.database);
    let output = std::process::Command::new("psql")
        .args(["-X", "-q", "-d", &vault, "-c"])
        .arg("UPDATE qoima.\"numbers\" SET value = value")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("permission denied"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    store.terminate(id).unwrap();
}

/// A node on the environment's database whose S3 requests all fail: its credentials are
/// wrong, the gateway refuses every signature.
fn open_with_failing_s3(env: &Env) -> UploadStore {
    let rows = cluster().vault(&env.database).upload_rows(2).unwrap();
    let mut s3 = env.s3.clone();
    s3.credentials = crate::storage::s3::S3Config::new(
        s3.endpoint.clone(),
        s3.bucket.clone(),
        "qoima-no-such-key",
        "not-the-secret",
    )
    .credentials;
    let objects = StagedObjects::unchecked(&s3).unwrap();
    let scratch = env.scratch.path().join("failing");
    DistributedUploads::new(rows, objects, &scratch, UploadConfig::default())
        .map(UploadStore::from)
        .unwrap()
}

#[test]
fn a_removal_whose_parts_cannot_be_deleted_succeeds_and_the_sweep_removes_them() {
    let env = new_env();
    let one = open(&env);
    let failing = open_with_failing_s3(&env);
    let data = noise(25, 3000);
    let terminated = one.create(declare(&data), Timestamp::now()).unwrap().id;
    patch(&one, terminated, 0, &data[..1000], None).unwrap();
    let registered = one.create(declare(&data), Timestamp::now()).unwrap().id;
    patch(&one, registered, 0, &data, None).unwrap();
    // The S3 gateway refuses the node: the rows go, the requests succeed, the parts stay.
    failing.terminate(terminated).unwrap();
    failing.remove(registered).unwrap();
    for id in [terminated, registered] {
        assert!(matches!(one.get(id), Err(UploadError::NotFound(_))));
        assert!(matches!(
            one.begin(id, 0, None, Timestamp::now()),
            Err(UploadError::NotFound(_))
        ));
    }
    assert_eq!(distributed(&one).leftovers(), (0, 2));
    // A sweep with S3 that answers removes them; the failing node's own sweep fails, and
    // changes nothing.
    assert!(failing.sweep(Timestamp::now()).is_err());
    assert_eq!(distributed(&one).leftovers(), (0, 2));
    let sweep = one.sweep(Timestamp::now()).unwrap();
    assert_eq!((sweep.removed(), sweep.leftovers), (0, 2));
    assert_eq!(
        leftovers(&env, &one),
        1,
        "the failing node's scratch directory"
    );
}

/// Replaces the row of `id` behind the store's back (as the superuser).
fn damage_row(env: &Env, id: UploadId, set: &str) {
    let changed = cluster()
        .superuser(
            &env.database,
            &format!("UPDATE qoima.upload_staging SET {set} WHERE id = $1"),
            &[id.as_bytes().to_vec()],
        )
        .unwrap();
    assert_eq!(changed, 1);
}

#[test]
fn the_sweep_removes_rows_that_do_not_decode_with_their_parts() {
    let env = new_env();
    let (one, two) = (open(&env), open(&env));
    let data = noise(26, 3000);
    let mut ids = Vec::new();
    for _ in 0..4 {
        let id = one.create(declare(&data), Timestamp::now()).unwrap().id;
        patch(&one, id, 0, &data[..1000], None).unwrap();
        ids.push(id);
    }
    let [garbled, negative, disagreeing, kept] = ids[..] else {
        unreachable!()
    };
    // Not expired (the row's expiry is far ahead): only their damage removes them.
    damage_row(&env, garbled, "state = '\\x00ff'");
    damage_row(&env, negative, "parts = '{-5}'");
    damage_row(&env, disagreeing, "parts = '{400, 999}'");
    for id in [garbled, negative, disagreeing] {
        assert!(matches!(
            one.get(id),
            Err(UploadError::Damaged { .. } | UploadError::Storage(_))
        ));
    }
    let sweep = two.sweep(Timestamp::now()).unwrap();
    assert_eq!(sweep.expired, 0);
    let mut damaged = sweep.damaged.clone();
    damaged.sort_by_key(|(id, _)| ids.iter().position(|i| i == id));
    let named: Vec<UploadId> = damaged.iter().map(|(id, _)| *id).collect();
    assert_eq!(named, [garbled, negative, disagreeing], "{damaged:?}");
    assert!(damaged[1].1.contains("-5"), "{}", damaged[1].1);
    assert!(damaged[2].1.contains("999"), "{}", damaged[2].1);
    assert!(damaged.iter().all(|(_, why)| !why.is_empty()));
    // The good one is untouched; nothing of the damaged ones is left.
    assert_eq!(stored(&one, kept), &data[..1000]);
    assert_eq!(distributed(&one).leftovers(), (1, 1));
    assert_eq!(two.sweep(Timestamp::now()).unwrap(), Sweep::default());
}

#[test]
fn uploads_at_once_are_bounded_across_nodes() {
    let env = new_env();
    let nodes = [open(&env), open(&env)];
    const MAX: usize = 3;
    let barrier = std::sync::Barrier::new(12);
    let outcomes: Vec<Result<Upload, UploadError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..12)
            .map(|i| {
                let (node, barrier) = (&nodes[i % 2], &barrier);
                s.spawn(move || {
                    barrier.wait();
                    node.create_within(declare(b"x"), Timestamp::now(), MAX)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let created = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(created, MAX, "{outcomes:?}");
    for outcome in &outcomes {
        match outcome {
            Ok(_) => {}
            Err(UploadError::TooMany { held, max }) => assert_eq!((*held, *max), (MAX, MAX)),
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(distributed(&nodes[0]).leftovers().0, MAX as u64);
    // Another owner is not bounded by this one's uploads.
    let mut other = declare(b"y");
    other.owner = "key-2".into();
    nodes[1]
        .create_within(other, Timestamp::now(), MAX)
        .unwrap();
}
