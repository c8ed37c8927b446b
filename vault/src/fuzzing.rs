//! Entry points shared by the fuzz targets in `fuzz/` and the test that
//! replays their corpora on stable Rust: any input, no panic.

use crate::address::ChunkId;
use crate::codec;
use crate::content::{chunk, manifest::Manifest};

/// A manifest as read back from the database.
pub fn manifest(data: &[u8]) {
    if let Ok(manifest) = codec::decode::<Manifest>(data) {
        let _ = (
            manifest.is_consistent(),
            manifest.offsets(),
            manifest.stored_bytes(),
        );
    }
}

/// A chunk value as read back from the database, under its own id and another.
pub fn stored_chunk(data: &[u8]) {
    if let Ok(bytes) = chunk::open(&ChunkId::of(b""), data) {
        let _ = chunk::open(&ChunkId::of(&bytes), data);
    }
    if let Ok(stored) = codec::decode_borrowed::<chunk::StoredChunk<'_>>(data) {
        let _ = chunk::open(&ChunkId::of(stored.data), data);
    }
}

/// An upload's state file (`<data-dir>/uploads/<id>.state`) as the upload store reads it: under
/// the id its record names (so the checks past the id run) and under another; then what the
/// store does with a state that decodes — the expiry and progress checks, resuming the running
/// SHA-256 and finishing it, and saving the state again, which must read back the same.
#[allow(clippy::panic)] // a state that decodes but does not survive a save is a finding
pub fn upload_state(data: &[u8]) {
    use crate::uploads::UploadId;
    use crate::uploads::state::{self, Staged};
    use jiff::Timestamp;
    use sha2::Digest;
    use sha2::digest::common::hazmat::SerializableState;

    let named = data
        .get(1..17)
        .and_then(|id| <[u8; 16]>::try_from(id).ok())
        .map(UploadId::from_bytes);
    for id in named.into_iter().chain([UploadId::from_bytes([0; 16])]) {
        let Ok(staged) = state::decode(id, data) else {
            continue;
        };
        let upload = &staged.upload;
        let _ = (
            upload.is_complete(),
            upload.is_expired(Timestamp::UNIX_EPOCH),
            upload.is_expired(Timestamp::MAX),
            upload.length - upload.offset,
            upload.id.to_string(),
        );
        let _: [u8; 32] = staged.hasher.clone().finalize().into();
        let mut resumed = staged.hasher.clone();
        resumed.update(&data[..data.len().min(100)]);
        let _: [u8; 32] = resumed.finalize().into();
        let saved = state::encode(&staged).map(|bytes| state::decode(id, &bytes));
        match saved {
            Ok(Ok(Staged {
                upload: again,
                hasher,
            })) => {
                assert_eq!(&again, upload, "a saved upload state reads back different");
                assert_eq!(
                    hasher.serialize(),
                    staged.hasher.serialize(),
                    "a saved SHA-256 state reads back different"
                );
            }
            Ok(Err(reason)) => panic!("a saved upload state does not read back: {reason}"),
            Err(e) => panic!("an upload state that decoded does not encode: {e}"),
        }
    }
}

/// A calendar year as the vault stores it (`calendars` table, [`crate::records::CalendarYear`])
/// and reads it back at every start: the record, then its TOML as the calendar year it names
/// and as a whole calendar file; then what dating asks of a calendar that reads.
pub fn calendar_year(data: &[u8]) {
    use crate::records::{Calendar, CalendarYear};

    let text = match codec::decode::<CalendarYear>(data) {
        Ok(record) => record.toml,
        Err(_) => String::from_utf8_lossy(data).into_owned(),
    };
    for year in [2026, 1, 9999] {
        let _ = Calendar::one_year(&text, year);
    }
    if let Ok(calendar) = Calendar::from_toml(&text) {
        for year in calendar.years().collect::<Vec<_>>() {
            let _ = (
                calendar.holidays(year).count(),
                calendar.working(year).count(),
            );
            if let Ok(first) = jiff::civil::Date::new(year, 1, 1) {
                let _ = calendar.next_working_day(first);
                let _ = calendar.is_working_day(first);
            }
        }
    }
}

/// An S3 gateway's XML answer (error, listing, versions, retention, legal hold, bucket
/// settings), read by every reader of the S3 content backend.
pub fn s3_answers(data: &[u8]) {
    crate::storage::s3::fuzz_answers(data);
}

/// An auditor's bundle as `qoima bundle verify` reads it: the ZIP container, the manifest
/// and every claim, with the bundle's own key and anchors. An archive that reads must write
/// back and read the same.
#[allow(clippy::panic)] // an archive that does not survive a rewrite is a finding
pub fn bundle(data: &[u8]) {
    use crate::bundle::{self, Bundle, Options, zip};

    if let Ok(entries) = zip::read(data) {
        let again = zip::write(&entries).unwrap_or_else(|e| panic!("read but not written: {e}"));
        assert_eq!(
            zip::read(&again).ok(),
            Some(entries),
            "rewritten differently"
        );
    }
    if let Ok(read) = Bundle::read(data, bundle::MAX_BUNDLE) {
        let options = Options {
            // 2026-06-20: within the test PKI's validity, as the seeds were made.
            at: 1_781_913_600,
            ..Options::default()
        };
        let _ = bundle::verify(&read, &options);
    }
}
