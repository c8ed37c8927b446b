//! The S3 backend against a real Ceph S3 gateway (radosgw), started once per test process by
//! `scripts/ceph-rgw/start.sh` and stopped when the process ends, however it ends.
//!
//! Nothing here is skipped: when Ceph cannot start (`scripts/setup`'s `qoima_ceph_setup`
//! installs it), the tests fail saying why.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use hyper::Method;
use jiff::{Timestamp, ToSpan};

use super::client::{CONTROL_BODY_LIMIT, Client, Request};
use super::*;
use crate::storage::{ChunkStore, LockedObject, StorageError};

/// A running gateway: its `s3.env`, and the watcher that stops it when this process exits.
struct Gateway {
    env: HashMap<String, String>,
    /// The write end of the watcher's stdin: closed by the kernel when the process ends,
    /// however it ends, upon which the watcher runs `stop.sh`.
    _watcher: Mutex<Child>,
}

static GATEWAY: OnceLock<Result<Gateway, String>> = OnceLock::new();

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/ceph-rgw")
}

fn start_gateway() -> Result<Gateway, String> {
    let dir = std::env::temp_dir().join(format!(
        "qoima-ceph-{}-{}",
        std::process::id(),
        Timestamp::now().as_nanosecond()
    ));
    // The watcher first, so that even a half-started cluster is stopped: in a session of its
    // own (an interrupt of the tests' process group does not reach it), it waits for its
    // stdin to close, then stops every daemon whose pid file is under `dir`.
    let watcher = Command::new("setsid")
        .arg("sh")
        .arg("-c")
        .arg("cat >/dev/null; exec \"$0\" \"$1\"")
        .arg(scripts().join("stop.sh"))
        .arg(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the gateway's watcher (setsid sh): {e}"))?;
    let output = Command::new(scripts().join("start.sh"))
        .arg(&dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run scripts/ceph-rgw/start.sh: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "scripts/ceph-rgw/start.sh failed ({}); is Ceph installed (scripts/setup, \
             qoima_ceph_setup)?\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = std::fs::read_to_string(dir.join("s3.env"))
        .map_err(|e| format!("reading {}/s3.env: {e}", dir.display()))?;
    let env = text
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Ok(Gateway {
        env,
        _watcher: Mutex::new(watcher),
    })
}

fn gateway() -> &'static Gateway {
    match GATEWAY.get_or_init(start_gateway) {
        Ok(gateway) => gateway,
        Err(e) => panic!("the Ceph S3 gateway for the tests did not start: {e}"),
    }
}

/// Settings for a new bucket of the test gateway, unique in the process. Without orphan
/// grace: the suites that run on this backend test one process alone, whose collection
/// removes its orphans at once; the grace has tests of its own, with a grace of seconds.
pub(crate) fn config() -> S3Config {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let gw = gateway();
    let var = |name: &str| gw.env.get(name).cloned().unwrap_or_default();
    let bucket = format!(
        "qoima-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut config = S3Config::new(
        var("S3_ENDPOINT"),
        bucket,
        var("AWS_ACCESS_KEY_ID"),
        var("AWS_SECRET_ACCESS_KEY"),
    );
    config.orphan_grace = Duration::ZERO;
    config
}

/// [`config`] with an orphan grace of `seconds`.
fn config_with_grace(seconds: u64) -> S3Config {
    let mut config = config();
    config.orphan_grace = Duration::from_secs(seconds);
    config
}

/// Sleeps until `seconds` have passed since `since`, on this host's clock (the gateway's,
/// on the same host).
fn sleep_until(since: Timestamp, seconds: f64) {
    let until = since
        .checked_add(jiff::SignedDuration::from_secs_f64(seconds))
        .unwrap();
    while Timestamp::now() < until {
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The version ids of a chunk, newest first.
fn versions(store: &S3Chunks, id: &ChunkId) -> Vec<String> {
    let key = chunk_key(id);
    raw(store, move |c| async move { c.versions_of(&key).await })
        .unwrap()
        .into_iter()
        .map(|v| v.version_id)
        .collect()
}

/// A backend on a new bucket created with Object Lock.
pub(crate) fn store() -> S3Chunks {
    store_with(config())
}

pub(crate) fn store_with(config: S3Config) -> S3Chunks {
    let (store, outcome) = S3Chunks::init(&config).unwrap();
    assert_eq!(outcome, BucketInit::Created);
    store
}

/// Runs one raw client call, as anyone holding the vault's credentials could.
fn raw<T: Send + 'static, Fut>(store: &S3Chunks, f: impl FnOnce(Arc<Client>) -> Fut) -> T
where
    Fut: Future<Output = T> + Send + 'static,
{
    let (client, bridge) = store.raw();
    bridge.run(f(Arc::clone(client))).unwrap()
}

/// A request by curl (`--aws-sigv4`), an S3 client that shares no code with the vault, signed
/// with the vault's credentials; its HTTP status and S3's error code, if any.
pub(crate) fn curl(
    config: &S3Config,
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> (u16, String) {
    let dir = tempfile::tempdir().unwrap();
    let body_file = dir.path().join("body");
    std::fs::write(&body_file, body).unwrap();
    let output = Command::new("curl")
        .args(["-s", "-w", "\n%{http_code}", "-X", method])
        .args(["--aws-sigv4", "aws:amz:us-east-1:s3", "--user"])
        .arg(format!(
            "{}:{}",
            config.credentials.access_key_id, config.credentials.secret_access_key
        ))
        .arg("-H")
        .arg(format!("x-amz-content-sha256: {}", sigv4::sha256_hex(body)))
        .arg("--data-binary")
        .arg(format!("@{}", body_file.display()))
        .arg(format!(
            "{}/{}/{path_and_query}",
            config.endpoint, config.bucket
        ))
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (answer, status) = text.rsplit_once('\n').unwrap();
    let code = xml::error_body(answer.as_bytes())
        .map(|e| e.code)
        .unwrap_or_default();
    (status.parse().unwrap(), code)
}

/// What a client holding the vault's own credentials achieved against an object, bypassing
/// the backend's code ([`attack`]).
#[derive(Debug)]
pub(crate) struct Attack {
    /// The status of an unconditional PUT of other bytes over it (S3 adds a version).
    pub(crate) overwritten: u16,
    /// The status of each DELETE, by the vault's own client, of a version that held the
    /// object's bytes, by its id.
    pub(crate) deleted: Vec<u16>,
    /// The same by curl, which shares no code with the vault: status and S3's error code.
    pub(crate) deleted_by_curl: Vec<(u16, String)>,
    /// Whether every version that held the object's bytes before still holds them.
    pub(crate) intact: bool,
}

/// Tries to overwrite `key`, then to delete every version of it that holds bytes, first with
/// the vault's own client, then with curl, both with the vault's credentials, as anyone
/// holding them could. The version an overwrite adds is not locked: it is deleted again, so
/// that the object reads as before when the attack failed.
pub(crate) fn attack(store: &S3Chunks, config: &S3Config, key: &str) -> Attack {
    let key = key.to_owned();
    let before: Vec<(String, Bytes)> = raw(store, {
        let key = key.clone();
        move |c| async move {
            let mut versions = Vec::new();
            for v in c.versions_of(&key).await.unwrap() {
                if v.delete_marker {
                    continue;
                }
                let (bytes, _) = c
                    .get_object(&key, Some(&v.version_id), OBJECT_LIMIT)
                    .await
                    .unwrap();
                versions.push((v.version_id, bytes.unwrap()));
            }
            versions
        }
    });
    assert!(!before.is_empty(), "{key} holds no bytes to attack");
    let ids: Vec<String> = before.iter().map(|(v, _)| v.clone()).collect();
    let (overwritten, deleted) = raw(store, {
        let (key, ids) = (key.clone(), ids.clone());
        move |c| async move {
            let put = c
                .send(
                    Request::object(Method::PUT, &key).body(Bytes::from_static(b"forged")),
                    CONTROL_BODY_LIMIT,
                )
                .await
                .unwrap();
            if let Some(forged) = put.header("x-amz-version-id") {
                c.delete_version(&key, forged).await.unwrap();
            }
            let mut deleted = Vec::new();
            for v in &ids {
                let r = c
                    .send(
                        Request::object(Method::DELETE, &key).query("versionId", v),
                        CONTROL_BODY_LIMIT,
                    )
                    .await
                    .unwrap();
                deleted.push(r.status);
            }
            (put.status, deleted)
        }
    });
    let deleted_by_curl = ids
        .iter()
        .map(|v| curl(config, "DELETE", &format!("{key}?versionId={v}"), b""))
        .collect();
    let intact = raw(store, move |c| async move {
        for (v, bytes) in &before {
            match c.get_object(&key, Some(v), OBJECT_LIMIT).await {
                Ok((Some(now), _)) if now == bytes => {}
                _ => return false,
            }
        }
        true
    });
    Attack {
        overwritten,
        deleted,
        deleted_by_curl,
        intact,
    }
}

impl Attack {
    /// Whether S3 refused every deletion, to both clients, and kept every byte: the lock,
    /// not the vault's code, protected the object.
    pub(crate) fn refused(&self) -> bool {
        self.overwritten == 200
            && self.deleted.iter().all(|&s| s == 403)
            && self
                .deleted_by_curl
                .iter()
                .all(|(s, code)| *s == 403 && code == "AccessDenied")
            && self.intact
    }
}

fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    // xorshift: incompressible enough, and reproducible.
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn in_an_hour() -> Timestamp {
    Timestamp::now().checked_add(1.hour()).unwrap()
}

/// Every size class byte for byte, up to the largest chunk the vault stores (64 MiB stored
/// raw, `content::MAX_CHUNK_SIZE`, plus its header): rules out the gateways that store a
/// streamed upload as an empty object while answering 200 (docs/storage.md).
#[test]
fn every_size_class_round_trips_byte_for_byte() {
    let store = store();
    // The codec's version, the encoding, then the length and the data's length as 5-byte
    // varints: 12 bytes of header.
    let largest = (64 << 20) + 12;
    for (i, len) in [0, 1, 4_999, 5_000, 64 << 10, 1 << 20, 8 << 20, largest]
        .into_iter()
        .enumerate()
    {
        let value = pseudo_random(len, i as u64 + 7);
        let id = ChunkId::of(&value);
        store.put_chunk(&id, &value).unwrap();
        assert!(store.contains_chunk(&id).unwrap(), "{len} bytes");
        let back = store.get_chunk(&id).unwrap().unwrap();
        assert_eq!(back.len(), len, "{len} bytes came back as {}", back.len());
        assert!(back == value, "{len} bytes came back different");
        // And as S3 itself holds it: the object's length.
        let key = chunk_key(&id);
        let (_, length) = raw(&store, move |c| async move {
            let r = c
                .send(Request::object(Method::HEAD, &key), CONTROL_BODY_LIMIT)
                .await
                .unwrap();
            (r.status, r.header("content-length").map(str::to_string))
        });
        assert_eq!(length, Some(len.to_string()));
    }
}

#[test]
fn listing_crosses_pages_in_id_order() {
    let mut config = config();
    config.page_size = 7;
    let store = store_with(config);
    let mut ids: Vec<ChunkId> = (0..40u32)
        .map(|i| {
            let value = i.to_be_bytes();
            let id = ChunkId::of(&value);
            store.put_chunk(&id, &value).unwrap();
            id
        })
        .collect();
    ids.sort();
    let listed: Vec<ChunkId> = store.chunk_ids().collect::<Result<_, _>>().unwrap();
    assert_eq!(listed, ids);
}

#[test]
fn a_second_put_neither_overwrites_nor_adds_a_version() {
    let store = store();
    let id = ChunkId::of(b"once");
    store.put_chunk(&id, b"once").unwrap();
    store.put_chunk(&id, b"once").unwrap();
    let key = chunk_key(&id);
    let versions = raw(&store, move |c| async move { c.versions_of(&key).await }).unwrap();
    assert_eq!(versions.len(), 1, "{versions:?}");
    assert_eq!(store.get_chunk(&id).unwrap().unwrap(), b"once");
}

/// The requirement's proof: with the vault's own credentials, the raw client (not the
/// backend's code) cannot delete or overwrite a locked chunk.
#[test]
fn a_locked_chunk_resists_deletion_and_overwrite_at_s3() {
    let config = config();
    let store = store_with(config.clone());
    let value = pseudo_random(5_000, 1);
    let id = ChunkId::of(&value);
    store.put_chunk(&id, &value).unwrap();
    let lock = store.object_lock().unwrap();
    lock.retain_chunks(&[id], in_an_hour()).unwrap();
    assert!(lock.chunk_lock(&id).unwrap().retain_until.is_some());

    let key = chunk_key(&id);
    let versions = raw(&store, {
        let key = key.clone();
        move |c| async move { c.versions_of(&key).await }
    })
    .unwrap();
    let version = versions[0].version_id.clone();
    // Deleting the version: refused by S3 (403).
    let refused = raw(&store, {
        let (key, version) = (key.clone(), version.clone());
        move |c| async move {
            c.send(
                Request::object(Method::DELETE, &key).query("versionId", &version),
                CONTROL_BODY_LIMIT,
            )
            .await
            .unwrap()
            .status
        }
    });
    assert_eq!(refused, 403);
    // The same by another client altogether: deleting the version, shortening its lock. Its
    // signature is good (it may read the version): the refusals are the lock's.
    let path = format!("{key}?versionId={version}");
    assert_eq!(curl(&config, "GET", &path, b"").0, 200);
    assert_eq!(
        curl(&config, "DELETE", &path, b""),
        (403, "AccessDenied".into())
    );
    let sooner = xml::retention_body(Timestamp::now().checked_add(1.minute()).unwrap());
    let path = format!("{key}?retention=&versionId={version}");
    assert_eq!(
        curl(&config, "PUT", &path, sooner.as_bytes()),
        (403, "AccessDenied".into())
    );
    // Overwriting: an unconditional PUT only adds a version; the locked one is intact.
    let status = raw(&store, {
        let key = key.clone();
        move |c| async move {
            c.send(
                Request::object(Method::PUT, &key).body(Bytes::from_static(b"forged")),
                CONTROL_BODY_LIMIT,
            )
            .await
            .unwrap()
            .status
        }
    });
    assert_eq!(status, 200);
    // A DELETE without version id: a delete marker, nothing more.
    raw(&store, {
        let key = key.clone();
        move |c| async move {
            c.send(Request::object(Method::DELETE, &key), CONTROL_BODY_LIMIT)
                .await
                .unwrap()
        }
    });
    let original = raw(&store, {
        let (key, version) = (key.clone(), version.clone());
        move |c| async move { c.get_object(&key, Some(&version), OBJECT_LIMIT).await }
    })
    .unwrap();
    assert_eq!(original.0.unwrap(), value);
    // The backend still reads the chunk, past the delete marker.
    assert_eq!(store.get_chunk(&id).unwrap().unwrap(), b"forged");
    // An extension reaches the vault's own version, not only the forged one on top.
    let later = lock::whole_second_after(in_an_hour().checked_add(1.hour()).unwrap());
    lock.retain_chunks(&[id], later).unwrap();
    let retention = raw(&store, {
        let (key, version) = (key.clone(), version.clone());
        move |c| async move { c.retention(&key, Some(&version)).await }
    })
    .unwrap()
    .unwrap();
    assert_eq!(retention.until, later);
    // The backend's own removal is refused too, and says so.
    let e = store.remove_chunks(&[id]).unwrap_err();
    assert!(matches!(e, StorageError::Locked(_)), "{e}");
    let original = raw(&store, move |c| async move {
        c.get_object(&key, Some(&version), OBJECT_LIMIT).await
    })
    .unwrap();
    assert_eq!(original.0.unwrap(), value);
}

#[test]
fn locks_are_extended_never_shortened() {
    let store = store();
    let id = ChunkId::of(b"lock me");
    store.put_chunk(&id, b"lock me").unwrap();
    let lock = store.object_lock().unwrap();
    let first = lock::whole_second_after(in_an_hour());
    lock.retain_chunks(&[id], first).unwrap();
    assert_eq!(lock.chunk_lock(&id).unwrap().retain_until, Some(first));
    // An earlier date is skipped, not an error: the lock stays as it was.
    lock.retain_chunks(&[id], first.checked_sub(30.minutes()).unwrap())
        .unwrap();
    assert_eq!(lock.chunk_lock(&id).unwrap().retain_until, Some(first));
    // A later one extends it.
    let later = first.checked_add(2.hours()).unwrap();
    lock.retain_chunks(&[id], later).unwrap();
    assert_eq!(lock.chunk_lock(&id).unwrap().retain_until, Some(later));
    // S3 itself refuses a shortening asked for directly.
    let key = chunk_key(&id);
    let status = raw(&store, move |c| async move {
        c.send(
            Request::object(Method::PUT, &key)
                .query("retention", "")
                .body(xml::retention_body(first).into()),
            CONTROL_BODY_LIMIT,
        )
        .await
        .unwrap()
        .status
    });
    assert_eq!(status, 403);
    assert_eq!(lock.chunk_lock(&id).unwrap().retain_until, Some(later));
}

/// A held document after its retention: the hold alone blocks deletion, until lifted.
#[test]
fn a_legal_hold_blocks_deletion_after_the_retention_until_released() {
    let config = config();
    let store = store_with(config.clone());
    let id = ChunkId::of(b"held");
    store.put_chunk(&id, b"held").unwrap();
    let lock = store.object_lock().unwrap();
    let soon = lock::whole_second_after(Timestamp::now().checked_add(2.seconds()).unwrap());
    lock.retain_chunks(&[id], soon).unwrap();
    lock.hold_chunks(&[id], true).unwrap();
    assert!(lock.chunk_lock(&id).unwrap().legal_hold);
    while Timestamp::now() <= soon.checked_add(1.second()).unwrap() {
        std::thread::sleep(Duration::from_millis(200));
    }
    // The retention has passed: the hold alone refuses, to another client as to the backend.
    assert_eq!(lock.chunk_lock(&id).unwrap().retain_until, Some(soon));
    let key = chunk_key(&id);
    let versions = raw(&store, {
        let key = key.clone();
        move |c| async move { c.versions_of(&key).await }
    })
    .unwrap();
    let path = format!("{key}?versionId={}", versions[0].version_id);
    assert_eq!(
        curl(&config, "DELETE", &path, b""),
        (403, "AccessDenied".into())
    );
    let e = store.remove_chunks(&[id]).unwrap_err();
    assert!(matches!(e, StorageError::Locked(_)), "{e}");
    assert!(store.contains_chunk(&id).unwrap());
    lock.hold_chunks(&[id], false).unwrap();
    store.remove_chunks(&[id]).unwrap();
    assert!(!store.contains_chunk(&id).unwrap());
    let versions = raw(&store, move |c| async move { c.versions_of(&key).await }).unwrap();
    assert!(versions.is_empty(), "{versions:?}");
}

#[test]
fn removal_deletes_versions_not_just_the_current_one() {
    let store = store();
    let id = ChunkId::of(b"garbage");
    store.put_chunk(&id, b"garbage").unwrap();
    let key = chunk_key(&id);
    // A second version and a delete marker, as a crash or another client could leave.
    raw(&store, {
        let key = key.clone();
        move |c| async move {
            c.send(
                Request::object(Method::PUT, &key).body(Bytes::from_static(b"garbage")),
                CONTROL_BODY_LIMIT,
            )
            .await
            .unwrap();
            c.send(Request::object(Method::DELETE, &key), CONTROL_BODY_LIMIT)
                .await
                .unwrap();
        }
    });
    // A delete marker hides the chunk from a plain GET; the backend still reads it.
    assert_eq!(store.get_chunk(&id).unwrap().unwrap(), b"garbage");
    store.remove_chunks(&[id]).unwrap();
    let versions = raw(&store, move |c| async move { c.versions_of(&key).await }).unwrap();
    assert!(versions.is_empty(), "{versions:?}");
    assert_eq!(store.get_chunk(&id).unwrap(), None);
}

#[test]
fn manifests_and_checkpoints_are_written_locked() {
    let store = store();
    let lock = store.object_lock().unwrap();
    let until = lock::whole_second_after(in_an_hour());
    let address = crate::address::ContentAddress::of(b"a document");
    let object = LockedObject::Manifest(address);
    lock.put_locked_object(&object, b"manifest bytes", until)
        .unwrap();
    let key = format!("manifests/{address}");
    let retention = raw(&store, {
        let key = key.clone();
        move |c| async move { c.retention(&key, None).await }
    })
    .unwrap()
    .unwrap();
    assert!(retention.compliance);
    assert_eq!(retention.until, until);
    // Again, later: kept as it was, the lock extended.
    let later = until.checked_add(1.hour()).unwrap();
    lock.put_locked_object(&object, b"manifest bytes", later)
        .unwrap();
    let (versions, retention) = raw(&store, move |c| async move {
        (c.versions_of(&key).await, c.retention(&key, None).await)
    });
    assert_eq!(versions.unwrap().len(), 1);
    assert_eq!(retention.unwrap().unwrap().until, later);
    // Disposal cannot remove it while it is locked.
    let e = lock.remove_manifest(&address).unwrap_err();
    assert!(matches!(e, StorageError::Locked(_)), "{e}");

    let note = b"qoima audit\n12\nroot\n\n- sig\n";
    lock.put_locked_object(&LockedObject::Checkpoint { tree_size: 12 }, note, until)
        .unwrap();
    let key = format!("checkpoints/{:020}-{}", 12, sigv4::sha256_hex(note));
    let (bytes, status) = raw(&store, move |c| async move {
        let got = c.get_object(&key, None, OBJECT_LIMIT).await.unwrap().0;
        let versions = c.versions_of(&key).await.unwrap();
        let v = versions[0].version_id.clone();
        let status = c
            .send(
                Request::object(Method::DELETE, &key).query("versionId", &v),
                CONTROL_BODY_LIMIT,
            )
            .await
            .unwrap()
            .status;
        (got, status)
    });
    assert_eq!(bytes.unwrap(), &note[..]);
    assert_eq!(status, 403);
}

#[test]
fn a_bucket_without_object_lock_is_refused_with_a_clear_error() {
    let config = config();
    // Created by hand, without Object Lock.
    let client = Client::new(&config).unwrap();
    let bridge = crate::storage::bridge::Bridge::new("test", 1).unwrap();
    let client = Arc::new(client);
    let c = Arc::clone(&client);
    bridge
        .run(async move {
            c.send(Request::bucket(Method::PUT), CONTROL_BODY_LIMIT)
                .await
                .unwrap()
                .success()
                .unwrap()
        })
        .unwrap();
    let e = S3Chunks::open(&config).unwrap_err();
    assert!(matches!(e, S3Error::NoObjectLock { .. }), "{e}");
    assert!(e.to_string().contains("has no Object Lock"), "{e}");
    let e = S3Chunks::init(&config).unwrap_err();
    assert!(matches!(e, S3Error::NoObjectLock { .. }), "{e}");
}

#[test]
fn init_checks_an_existing_bucket_and_open_accepts_it() {
    let config = config();
    let (_, outcome) = S3Chunks::init(&config).unwrap();
    assert_eq!(outcome, BucketInit::Created);
    let (_, outcome) = S3Chunks::init(&config).unwrap();
    assert_eq!(outcome, BucketInit::Existing);
    S3Chunks::open(&config).unwrap();
    // A missing bucket is no Object Lock bucket either: open does not create it.
    let mut missing = config.clone();
    missing.bucket = format!("{}-missing", config.bucket);
    assert!(S3Chunks::open(&missing).is_err());
}

#[test]
fn wrong_credentials_are_an_error_naming_the_refusal() {
    let mut config = config();
    config.credentials.secret_access_key = "wrong".into();
    let e = S3Chunks::init(&config).unwrap_err().to_string();
    assert!(e.contains("403"), "{e}");
}

#[test]
fn a_manifest_is_removed_once_its_lock_has_passed() {
    let store = store();
    let lock = store.object_lock().unwrap();
    let address = crate::address::ContentAddress::of(b"a disposed document");
    let soon = lock::whole_second_after(Timestamp::now().checked_add(2.seconds()).unwrap());
    lock.put_locked_object(&LockedObject::Manifest(address), b"m", soon)
        .unwrap();
    assert!(matches!(
        lock.remove_manifest(&address),
        Err(StorageError::Locked(_))
    ));
    while Timestamp::now() <= soon.checked_add(1.second()).unwrap() {
        std::thread::sleep(Duration::from_millis(200));
    }
    lock.remove_manifest(&address).unwrap();
    let key = format!("manifests/{address}");
    let versions = raw(&store, move |c| async move { c.versions_of(&key).await }).unwrap();
    assert!(versions.is_empty(), "{versions:?}");
    // Gone already: no error.
    lock.remove_manifest(&address).unwrap();
}

/// A chunk just written may be another node's put in progress: removal leaves it, without
/// error, and counts it; once the grace has passed, removal takes it.
#[test]
fn an_orphan_younger_than_the_grace_is_left_until_the_grace_has_passed() {
    let store = store_with(config_with_grace(4));
    let id = ChunkId::of(b"young orphan");
    let written = Timestamp::now();
    store.put_chunk(&id, b"young orphan").unwrap();
    assert_eq!(store.remove_chunks(&[id]).unwrap(), 0, "counted as removed");
    assert_eq!(store.orphans_within_grace(), 1);
    assert_eq!(store.get_chunk(&id).unwrap().unwrap(), b"young orphan");
    assert_eq!(versions(&store, &id).len(), 1);
    // Past the grace (and the gateway's whole-second `Date`): removed, every version.
    sleep_until(written, 6.0);
    assert_eq!(store.remove_chunks(&[id]).unwrap(), 1);
    assert_eq!(store.orphans_within_grace(), 1);
    assert!(versions(&store, &id).is_empty());
    assert_eq!(store.get_chunk(&id).unwrap(), None);
}

/// An unlocked chunk older than half the grace is not relied on: a put writes it again (a
/// new version of the same bytes), which a collection right after leaves.
#[test]
fn an_old_unlocked_orphan_is_written_again_and_the_collection_spares_it() {
    let store = store_with(config_with_grace(6));
    let value = pseudo_random(5_000, 3);
    let id = ChunkId::of(&value);
    let written = Timestamp::now();
    store.put_chunk(&id, &value).unwrap();
    // Just written: relied on, and a second put adds nothing.
    assert!(store.reliable(&id).unwrap());
    store.put_chunk(&id, &value).unwrap();
    assert_eq!(versions(&store, &id).len(), 1);
    // Older than half the grace (3 s, counted with a second's margin): absent to a put.
    sleep_until(written, 3.5);
    assert!(!store.reliable(&id).unwrap());
    assert_eq!(store.get_chunk(&id).unwrap().unwrap(), value);
    store.put_chunk(&id, &value).unwrap();
    let both = versions(&store, &id);
    assert_eq!(both.len(), 2, "{both:?}");
    assert!(store.reliable(&id).unwrap());
    // The first version is past the whole grace now; the new one is not: the chunk stays.
    sleep_until(written, 7.5);
    store.remove_chunks(&[id]).unwrap();
    assert_eq!(store.orphans_within_grace(), 1);
    assert_eq!(versions(&store, &id), both);
    assert_eq!(store.get_chunk(&id).unwrap().unwrap(), value);
}

/// A locked chunk cannot be removed by anyone's collection: relied on whatever its age, by
/// retention as by a legal hold alone.
#[test]
fn a_locked_chunk_is_relied_on_whatever_its_age() {
    // Half a grace of 2 s, less the second of margin: no unlocked chunk is ever relied on.
    let store = store_with(config_with_grace(2));
    let lock = store.object_lock().unwrap();
    let retained = ChunkId::of(b"retained");
    let held = ChunkId::of(b"held");
    let loose = ChunkId::of(b"loose");
    for (id, value) in [
        (retained, &b"retained"[..]),
        (held, b"held"),
        (loose, b"loose"),
    ] {
        store.put_chunk(&id, value).unwrap();
    }
    lock.retain_chunks(&[retained], in_an_hour()).unwrap();
    lock.hold_chunks(&[held], true).unwrap();
    let written = Timestamp::now();
    sleep_until(written, 2.5);
    assert!(store.reliable(&retained).unwrap());
    assert!(store.reliable(&held).unwrap());
    assert!(!store.reliable(&loose).unwrap());
    // A put relies on them: no new version.
    store.put_chunk(&retained, b"retained").unwrap();
    store.put_chunk(&held, b"held").unwrap();
    assert_eq!(versions(&store, &retained).len(), 1);
    assert_eq!(versions(&store, &held).len(), 1);
    // The hold lifted, nothing locks it: written again.
    lock.hold_chunks(&[held], false).unwrap();
    assert!(!store.reliable(&held).unwrap());
    store.put_chunk(&held, b"held").unwrap();
    assert_eq!(versions(&store, &held).len(), 2);
}

/// Two nodes, as `qoima serve` runs them: records in one PostgreSQL database, chunks in one
/// bucket, each node a content store of its own.
mod nodes {
    use super::*;
    use crate::content::{ContentConfig, ContentStore, MIN_CHUNK_SIZE};
    use crate::storage::engine::Distributed;
    use crate::storage::postgres::testing::cluster;
    use crate::storage::split::Split;

    /// Chunks of 4 KiB: a few of them in a small document.
    fn node(database: &str, config: &S3Config) -> ContentStore<Distributed> {
        ContentStore::with_backend(
            Split::new(cluster().vault(database), S3Chunks::open(config).unwrap()),
            ContentConfig {
                chunk_size: MIN_CHUNK_SIZE,
                ..ContentConfig::default()
            },
        )
        .unwrap()
    }

    fn chunks_in_bucket(node: &ContentStore<Distributed>) -> usize {
        node.backend().chunks().chunk_ids().count()
    }

    fn read_whole(
        node: &ContentStore<Distributed>,
        address: &crate::address::ContentAddress,
    ) -> Vec<u8> {
        let mut out = Vec::new();
        node.read(address).unwrap().copy_to(&mut out).unwrap();
        out
    }

    /// Node B's put has written its chunks and not yet its manifest; node A collects garbage
    /// meanwhile: to A they are orphans, yet they stay, and B's put completes whole.
    #[test]
    fn a_collection_on_one_node_leaves_the_chunks_of_a_put_in_progress_on_another() {
        let config = config_with_grace(6);
        store_with(config.clone());
        let database = cluster().database();
        let (a, b) = (node(&database, &config), node(&database, &config));
        let document = pseudo_random(3 * MIN_CHUNK_SIZE as usize + 100, 11);
        let mut put = b.writer();
        put.write(&document).unwrap();
        assert_eq!(
            chunks_in_bucket(&a),
            3,
            "the put's full chunks are in the bucket"
        );
        let report = a.collect_garbage().unwrap();
        // A found B's chunks unreferenced, and spared them: none is reported removed.
        assert_eq!(report.chunks, 0);
        assert_eq!(a.backend().chunks().orphans_within_grace(), 3);
        assert_eq!(chunks_in_bucket(&a), 3, "and left them");
        let outcome = put.finish().unwrap();
        assert_eq!(read_whole(&a, &outcome.address), document);
        assert_eq!(read_whole(&b, &outcome.address), document);
        // Referenced now: a collection after the grace leaves them too.
        sleep_until(Timestamp::now(), 6.5);
        a.collect_garbage().unwrap();
        assert_eq!(chunks_in_bucket(&a), 4);
        assert_eq!(read_whole(&a, &outcome.address), document);
    }

    /// The chunks of an abandoned put, older than half the grace, are found by a new put of
    /// the same document on node B: it writes them again rather than rely on them, and node
    /// A's collection, after the old versions' grace, leaves the new ones.
    #[test]
    fn a_put_that_finds_an_old_orphan_writes_it_again_and_survives_a_collection() {
        let config = config_with_grace(6);
        store_with(config.clone());
        let database = cluster().database();
        let (a, b) = (node(&database, &config), node(&database, &config));
        let document = pseudo_random(2 * MIN_CHUNK_SIZE as usize + 10, 12);
        let abandoned = Timestamp::now();
        {
            let mut put = b.writer();
            put.write(&document).unwrap();
        }
        assert_eq!(chunks_in_bucket(&a), 2);
        sleep_until(abandoned, 3.5);
        let mut put = b.writer();
        put.write(&document).unwrap();
        // Past the abandoned versions' grace, not the new ones'.
        sleep_until(abandoned, 7.5);
        a.collect_garbage().unwrap();
        assert_eq!(a.backend().chunks().orphans_within_grace(), 2);
        let outcome = put.finish().unwrap();
        assert_eq!(read_whole(&a, &outcome.address), document);
        let ids: Vec<ChunkId> = a
            .manifest(&outcome.address)
            .unwrap()
            .chunks
            .iter()
            .map(|c| c.id)
            .collect();
        for id in &ids[..2] {
            assert_eq!(versions(a.backend().chunks(), id).len(), 2, "written again");
        }
    }
}
