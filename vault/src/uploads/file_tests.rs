//! Tests of the directory store alone: its recovery, its damaged files; and of upload ids.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sha2::{Digest, Sha256};

use super::*;

fn open(dir: &Path) -> UploadStore {
    UploadStore::open(dir, UploadConfig::default()).unwrap()
}

fn store() -> (tempfile::TempDir, UploadStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    (dir, store)
}

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
        sha256: Sha256::digest(data).into(),
        owner: "key-1".into(),
        metadata: BTreeMap::new(),
    }
}

fn patch(
    store: &UploadStore,
    id: UploadId,
    offset: u64,
    body: &[u8],
) -> Result<Upload, UploadError> {
    let mut patch = store.begin(id, offset, None, Timestamp::now())?;
    patch.write(body)?;
    patch.finish(Timestamp::now())
}

fn stored(dir: &Path, id: UploadId) -> Vec<u8> {
    std::fs::read(dir.join(format!("{id}.data"))).unwrap()
}

fn content(store: &UploadStore, id: UploadId) -> Vec<u8> {
    use std::io::Read;
    let mut bytes = Vec::new();
    store.content(id).unwrap().read_to_end(&mut bytes).unwrap();
    bytes
}

#[test]
fn recovery_restores_the_acknowledged_state() {
    let (dir, store) = store();
    let data = noise(10, 10_000);
    let id = store.create(declare(&data), Timestamp::now()).unwrap().id;
    patch(&store, id, 0, &data[..4000]).unwrap();
    let before = store.get(id).unwrap();
    drop(store);

    // A crash after some bytes of a patch were written and while a state was being written;
    // a creation that died before its state; a state that rotted; someone else's file.
    let path = |name: String| dir.path().join(name);
    let mut appended = data[..4000].to_vec();
    appended.extend_from_slice(&data[4000..6000]);
    std::fs::write(path(format!("{id}.data")), &appended).unwrap();
    std::fs::write(path(format!("{id}.state.tmp")), b"half a sta").unwrap();
    let orphan = UploadId::from_bytes([1; 16]);
    std::fs::write(path(format!("{orphan}.data")), b"bytes").unwrap();
    let rotten = UploadId::from_bytes([2; 16]);
    std::fs::write(path(format!("{rotten}.state")), b"\x01garbage").unwrap();
    std::fs::write(path(format!("{rotten}.data")), b"").unwrap();
    std::fs::write(path("README".into()), b"not ours").unwrap();

    let store = open(dir.path());
    let recovery = store.recovery();
    assert_eq!(
        recovery,
        Recovery {
            uploads: 1,
            truncated: 1,
            temp_removed: 1,
            orphans_removed: 1,
            damaged_removed: 1,
        }
    );
    assert_eq!(store.get(id).unwrap(), before);
    assert_eq!(stored(dir.path(), id), &data[..4000]);
    assert!(dir.path().join("README").exists());
    assert_eq!(store.count().unwrap(), 1);
    // The saved hash state carries on where it was.
    assert!(
        patch(&store, id, 4000, &data[4000..])
            .unwrap()
            .is_complete()
    );
    assert_eq!(content(&store, id), data);
}

#[test]
fn a_damaged_state_is_an_error_naming_the_file() {
    let (dir, store) = store();
    let data = noise(11, 100);
    let id = store.create(declare(&data), Timestamp::now()).unwrap().id;
    let state = dir.path().join(format!("{id}.state"));
    let mut bytes = std::fs::read(&state).unwrap();
    bytes.truncate(bytes.len() - 3);
    std::fs::write(&state, &bytes).unwrap();
    let e = store.get(id).unwrap_err();
    assert!(
        matches!(&e, UploadError::Damaged { path, .. } if *path == state),
        "{e}"
    );
    assert!(e.to_string().contains(&id.to_string()));
    assert!(matches!(
        store.begin(id, 0, None, Timestamp::now()),
        Err(UploadError::Damaged { .. })
    ));
    // A state under another upload's name.
    let other = store.create(declare(&data), Timestamp::now()).unwrap().id;
    std::fs::copy(dir.path().join(format!("{other}.state")), &state).unwrap();
    assert!(matches!(store.get(id), Err(UploadError::Damaged { .. })));
    // Expiry clears it away.
    assert_eq!(store.expire(Timestamp::now()).unwrap(), 1);
    assert!(matches!(store.get(id), Err(UploadError::NotFound(_))));
    assert!(store.get(other).is_ok());
}

#[test]
fn ids_parse_strictly() {
    let id = UploadId::random().unwrap();
    let text = id.to_string();
    assert_eq!(text.len(), 32);
    assert_eq!(text.parse::<UploadId>().unwrap(), id);
    assert_ne!(UploadId::random().unwrap(), id);
    for bad in [
        "",
        "../x",
        "../../../../../../../../etc/passwd",
        "0123456789abcdef0123456789abcde",
        "0123456789abcdef0123456789abcdef0",
        "0123456789ABCDEF0123456789abcdef",
        "0123456789abcdef0123456789abcde/",
        "0123456789abcdef0123456789abcdeg",
        "+123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdé",
    ] {
        assert_eq!(bad.parse::<UploadId>(), Err(ParseUploadIdError), "{bad}");
    }
    assert_eq!(
        format!("{:?}", UploadId::from_bytes([0xab; 16])),
        format!("UploadId({})", "ab".repeat(16))
    );
}
