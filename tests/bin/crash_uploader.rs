//! Fills tus uploads in an upload staging store until killed. Usage: `crash-uploader DIR SEED`.
//!
//! It first resumes every upload it finds in `DIR` from its acknowledged offset, then creates
//! uploads (`qoima_tests::uploads`: deterministic contents, now and then a wrong declared
//! SHA-256) and appends patches of random sizes to them: some with a checksum (now and then a
//! wrong one), some resent from an older offset (now and then with a changed byte), some broken
//! off and interrupted. Complete uploads are removed now and then (as a registration would),
//! incomplete ones terminated.
//!
//! Every line is printed (and flushed) only after the operation it reports returned:
//! - `resumed ID SEED INDEX OFFSET`: found at start with that acknowledged offset;
//! - `new ID SEED INDEX`: created (at offset 0);
//! - `try ID TARGET`: a patch begins that, once acknowledged, leaves the offset at `TARGET`
//!   (printed before it, so the test knows what a kill in the middle may leave);
//! - `ack ID OFFSET`: a patch was acknowledged (`finish` or `interrupt` returned) at `OFFSET`,
//!   or was refused and the upload stayed at `OFFSET`;
//! - `gone ID`: the last patch completed the upload and it did not hash to its declared
//!   SHA-256, so it was discarded;
//! - `try-remove ID` before a removal or termination, `removed ID` after it.
//!
//! Anything unexpected is reported on standard error, and the process exits.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use jiff::Timestamp;
use qoima_tests::Rng;
use qoima_tests::uploads::{content, declare, key, wrong_sha256};
use qoima_vault::ContentAddress;
use qoima_vault::uploads::{UploadConfig, UploadError, UploadId, UploadStore};

/// Incomplete uploads filled at a time.
const ACTIVE: usize = 3;
/// Complete uploads kept at most.
const KEPT: usize = 4;

/// An incomplete upload being filled.
struct Active {
    id: UploadId,
    content: Vec<u8>,
    bad: bool,
    /// Its acknowledged offset.
    offset: u64,
}

struct Uploader {
    store: UploadStore,
    rng: Rng,
    out: std::io::StdoutLock<'static>,
    active: Vec<Active>,
    complete: Vec<UploadId>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(Ok(seed))) = (args.get(1), args.get(2).map(|s| s.parse::<u64>())) else {
        eprintln!("usage: crash-uploader DIR SEED");
        return ExitCode::from(64);
    };
    match run(Path::new(dir), seed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(dir: &Path, seed: u64) -> Result<(), String> {
    let store = UploadStore::open(dir, UploadConfig::default()).map_err(|e| e.to_string())?;
    let mut uploader = Uploader {
        store,
        rng: Rng::new(seed ^ 0x75_706c_6f61_6465),
        out: std::io::stdout().lock(),
        active: Vec::new(),
        complete: Vec::new(),
    };
    uploader.resume(dir)?;
    let mut index = 0;
    loop {
        if uploader.active.is_empty()
            || (uploader.active.len() < ACTIVE && uploader.rng.below(3) == 0)
        {
            uploader.create(seed, index)?;
            index += 1;
        }
        let k = uploader.rng.below(uploader.active.len().max(1) as u64) as usize;
        if uploader.active.is_empty() {
            continue;
        }
        if uploader.rng.below(40) == 0 {
            uploader.terminate(k)?;
        } else {
            uploader.patch(k)?;
        }
    }
}

/// Fails with a message unless `ok`.
fn expect(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what()) }
}

impl Uploader {
    fn say(&mut self, line: std::fmt::Arguments<'_>) -> Result<(), String> {
        // One write of a short line (below PIPE_BUF): a kill cannot cut it.
        self.out
            .write_fmt(format_args!("{line}\n"))
            .and_then(|()| self.out.flush())
            .map_err(|e| format!("printing: {e}"))
    }

    /// Takes on every upload in `dir` at its acknowledged offset.
    fn resume(&mut self, dir: &Path) -> Result<(), String> {
        let mut ids = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
            let name = entry.map_err(|e| e.to_string())?.file_name();
            let name = name.to_string_lossy();
            if let Some(id) = name.strip_suffix(".state")
                && let Ok(id) = id.parse::<UploadId>()
            {
                ids.push(id);
            }
        }
        ids.sort();
        for id in ids {
            let upload = self.store.get(id).map_err(|e| format!("{id}: {e}"))?;
            let (seed, index) = key(&upload).ok_or_else(|| format!("{id}: no seed and index"))?;
            let content = content(seed, index);
            expect(content.len() as u64 == upload.length, || {
                format!(
                    "{id}: declared length {} is not its content's",
                    upload.length
                )
            })?;
            let offset = upload.offset;
            self.say(format_args!("resumed {id} {seed} {index} {offset}"))?;
            if upload.is_complete() {
                self.complete.push(id);
            } else {
                self.active.push(Active {
                    id,
                    content,
                    bad: wrong_sha256(seed, index),
                    offset,
                });
            }
        }
        Ok(())
    }

    fn create(&mut self, seed: u64, index: u64) -> Result<(), String> {
        let content = content(seed, index);
        let upload = self
            .store
            .create(declare(seed, index, &content), Timestamp::now())
            .map_err(|e| format!("creating {seed}/{index}: {e}"))?;
        let id = upload.id;
        self.say(format_args!("new {id} {seed} {index}"))?;
        if upload.is_complete() {
            return self.completed(id);
        }
        self.active.push(Active {
            id,
            content,
            bad: wrong_sha256(seed, index),
            offset: 0,
        });
        Ok(())
    }

    /// Keeps a complete upload, or removes it (or the oldest kept) as a registration would.
    fn completed(&mut self, id: UploadId) -> Result<(), String> {
        self.complete.push(id);
        if self.complete.len() > KEPT || self.rng.below(2) == 0 {
            let oldest = self.complete.remove(0);
            self.say(format_args!("try-remove {oldest}"))?;
            self.store
                .remove(oldest)
                .map_err(|e| format!("removing {oldest}: {e}"))?;
            self.say(format_args!("removed {oldest}"))?;
        }
        Ok(())
    }

    fn terminate(&mut self, k: usize) -> Result<(), String> {
        let id = self.active.swap_remove(k).id;
        self.say(format_args!("try-remove {id}"))?;
        self.store
            .terminate(id)
            .map_err(|e| format!("terminating {id}: {e}"))?;
        self.say(format_args!("removed {id}"))
    }

    /// One PATCH of `self.active[k]`, checked against what it must do.
    fn patch(&mut self, k: usize) -> Result<(), String> {
        let rng = &mut self.rng;
        let upload = &self.active[k];
        let (id, o, bad) = (upload.id, upload.offset, upload.bad);
        let length = upload.content.len() as u64;
        // A retry from an older offset now and then.
        let from = if o > 0 && rng.below(6) == 0 {
            rng.below(o + 1)
        } else {
            o
        };
        let new = match rng.below(4) {
            0 => 1 + rng.below(4 << 10),
            1 => 1 + rng.below(64 << 10),
            2 => 1 + rng.below(512 << 10),
            _ => 1 + rng.below(2 << 20),
        };
        let end = (o + new).min(length);
        let mut body = upload.content[from as usize..end as usize].to_vec();
        let mut checksum = (rng.below(3) == 0).then(|| ContentAddress::of(&body).0);
        let wrong_checksum = checksum.is_some() && rng.below(10) == 0;
        if wrong_checksum && let Some(sum) = &mut checksum {
            sum[31] ^= 0x80;
        }
        // The body breaks off at `cut` bytes.
        let cut = (rng.below(5) == 0).then(|| rng.below(body.len() as u64 + 1) as usize);
        if let Some(cut) = cut {
            body.truncate(cut);
        }
        // A retry whose resent bytes differ from the stored ones.
        let resent = (o - from) as usize;
        let corrupt = (resent.min(body.len()) > 0 && rng.below(8) == 0)
            .then(|| rng.below(resent.min(body.len()) as u64) as usize);
        if let Some(at) = corrupt {
            body[at] ^= 0x01;
        }
        let reached = from + body.len() as u64;
        let target = match (corrupt, cut, checksum) {
            (Some(_), _, _) => o,
            (None, Some(_), Some(_)) => o,
            (None, Some(_), None) => reached.max(o),
            (None, None, _) if wrong_checksum => o,
            (None, None, _) => end,
        };
        let gone = bad && target == length && target > o;
        self.say(format_args!("try {id} {target}"))?;

        let now = Timestamp::now();
        let mut patch = self
            .store
            .begin(id, from, checksum, now)
            .map_err(|e| format!("{id}: begin at {from}: {e}"))?;
        let mut rest = body.as_slice();
        let mut refused = None;
        while !rest.is_empty() {
            let n = (1 + self.rng.below(300 << 10) as usize).min(rest.len());
            let (piece, tail) = rest.split_at(n);
            if let Err(e) = patch.write(piece) {
                refused = Some(e);
                break;
            }
            rest = tail;
        }
        let result = match refused {
            Some(UploadError::ReplayMismatch { at }) if corrupt.is_some() => {
                let expected = from + corrupt.unwrap_or_default() as u64;
                expect(at == expected, || {
                    format!("{id}: replay mismatch at {at}, the changed byte is at {expected}")
                })?;
                // Given up: dropping rolls back.
                drop(patch);
                Err(UploadError::ReplayMismatch { at })
            }
            Some(e) => return Err(format!("{id}: writing from {from}: {e}")),
            None if corrupt.is_some() => return Err(format!("{id}: a changed resent byte passed")),
            None if cut.is_some() => patch.interrupt(Timestamp::now()),
            None => patch.finish(Timestamp::now()),
        };
        match result {
            Ok(upload) if !gone => {
                expect(upload.offset == target, || {
                    format!("{id}: acknowledged at {}, not {target}", upload.offset)
                })?;
                self.say(format_args!("ack {id} {target}"))?;
                self.active[k].offset = target;
                if target == length {
                    self.active.swap_remove(k);
                    self.completed(id)?;
                }
                Ok(())
            }
            Err(UploadError::WholeMismatch { .. }) if gone => {
                self.say(format_args!("gone {id}"))?;
                self.active.swap_remove(k);
                Ok(())
            }
            Err(UploadError::ChecksumMismatch | UploadError::ReplayMismatch { .. })
                if target == o =>
            {
                let upload = self.store.get(id).map_err(|e| format!("{id}: {e}"))?;
                expect(upload.offset == o, || {
                    format!(
                        "{id}: a refused patch moved it from {o} to {}",
                        upload.offset
                    )
                })?;
                self.say(format_args!("ack {id} {o}"))
            }
            other => Err(format!(
                "{id}: patch {from}..{reached} (offset {o}, cut {cut:?}, checksum {}, wrong \
                 {wrong_checksum}, corrupt {corrupt:?}, bad sha {}) gave {other:?}",
                checksum.is_some(),
                bad,
            )),
        }
    }
}
