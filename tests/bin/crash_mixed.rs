//! Does every kind of write the vault acknowledges, from several threads at once, until killed:
//! content puts, tus uploads (created, patched, completed, removed), registrations, new
//! versions with an annulment act by the recorded sender, legal holds placed and released, and
//! disposals with an officer's act after the retention. Usage: `crash-mixed DATA_DIR ROUND`.
//!
//! The audit log's entries must not go back in time, and a disposal comes years after its
//! registration: a round whose number has bit [`mixed::LATE_ROUND`] set is a late one, dating
//! its holds, releases and disposals years later and registering nothing; an early one dates
//! everything at the registration instant. The driver runs the late rounds of a vault after its
//! early ones.
//!
//! The documents already in the vault are shared out among the threads at start. Each thread
//! touches only its documents and the uploads it made, so that no refusal is expected:
//! anything unexpected is reported on standard error and the process exits. Every line is
//! printed (one write, below PIPE_BUF) only after the operation it reports returned:
//! - `ack put KEY ADDRESS`: content `mixed::content(KEY)` stored;
//! - `ack upload ID KEY OFFSET`: upload `ID` of `mixed::upload(KEY)` created (offset 0) or
//!   patched to `OFFSET`;
//! - `removing ID` before a complete upload is removed (as a registration would), then
//!   `ack removed ID`;
//! - `ack reg ID NUMBER KEY`: document `mixed::document(KEY, 1)` registered as `ID`;
//! - `ack version ID VERSION NUMBER KEY`: version `VERSION`, `mixed::document(KEY, VERSION)`,
//!   registered;
//! - `ack hold ID HOLD`, `ack release ID HOLD`: a hold placed, released;
//! - `ack disposed ID`: the document disposed of.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use jiff::Timestamp;
use qoima_tests::Rng;
use qoima_tests::mixed::{self, LATE, PARTICIPANT, key};
use qoima_tests::registration::{AT, SENDER_IIN};
use qoima_vault::ContentAddress;
use qoima_vault::records::{
    Actor, DocumentId, Participant, Reason, RetentionClass, annulment_statement,
};
use qoima_vault::registry::{Index, Registration, Registry, Submitter};
use qoima_vault::uploads::{NewUpload, UploadId, UploadStore};
use qoima_verifier::identity::Expectation;
use qoima_verifier::testing::{pki, sign_detached};

/// Threads writing at once.
const THREADS: u64 = 4;

/// One document a thread registered.
struct Doc {
    id: DocumentId,
    versions: u32,
    holds: Vec<u32>,
    disposed: bool,
}

/// The upload a thread is filling.
struct Filling {
    id: UploadId,
    bytes: Vec<u8>,
    offset: u64,
}

struct Worker {
    registry: Arc<Registry>,
    uploads: Arc<UploadStore>,
    round: u64,
    thread: u64,
    rng: Rng,
    next: u64,
    docs: Vec<Doc>,
    filling: Option<Filling>,
    actor: Actor,
    participant: Participant,
    /// Whether this is a late round.
    late: bool,
    /// When holds, releases and disposals are dated.
    change_at: Timestamp,
    at: Timestamp,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(Ok(round))) = (args.get(1), args.get(2).map(|r| r.parse::<u64>())) else {
        eprintln!("usage: crash-mixed DATA_DIR ROUND");
        return ExitCode::from(64);
    };
    let dir = Path::new(dir);
    let (registry, uploads) = match (mixed::registry(dir), mixed::uploads(dir)) {
        (Ok(r), Ok(u)) => (Arc::new(r), Arc::new(u)),
        (Err(e), _) | (_, Err(e)) => fail(&e),
    };
    let mut shares: Vec<Vec<Doc>> = (0..THREADS).map(|_| Vec::new()).collect();
    match existing(&registry) {
        Ok(docs) => {
            for (i, doc) in docs.into_iter().enumerate() {
                shares[i % THREADS as usize].push(doc);
            }
        }
        Err(e) => fail(&e),
    }
    let threads: Vec<_> = (0..THREADS)
        .zip(shares)
        .map(|(thread, docs)| {
            let (registry, uploads) = (registry.clone(), uploads.clone());
            std::thread::spawn(move || {
                let worker = Worker::new(registry, uploads, round, thread);
                match worker {
                    Ok(mut worker) => {
                        worker.docs = docs;
                        loop {
                            if let Err(e) = worker.step() {
                                fail(&e)
                            }
                        }
                    }
                    Err(e) => fail(&e),
                }
            })
        })
        .collect();
    for thread in threads {
        let _ = thread.join();
    }
    ExitCode::SUCCESS
}

/// The documents in the vault, as a thread needs them.
fn existing(registry: &Registry) -> Result<Vec<Doc>, String> {
    let ids = registry
        .find(Index::Participant, PARTICIPANT)
        .map_err(|e| e.to_string())?;
    let mut docs = Vec::new();
    for id in ids {
        let view = registry
            .document(id)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("{id} is indexed, yet missing"))?;
        docs.push(Doc {
            id,
            versions: view.versions.last().map_or(1, |v| v.version),
            holds: view.active_holds().map(|(n, _)| n).collect(),
            disposed: !view.tombstones.is_empty(),
        });
    }
    Ok(docs)
}

/// Reports `what` and ends the process (every thread): a failure the test shows.
fn fail(what: &str) -> ! {
    eprintln!("error: {what}");
    std::process::exit(1)
}

/// Prints one line in one write.
fn say(line: String) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    out.write_all(format!("{line}\n").as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| format!("printing: {e}"))
}

fn reason(text: &str) -> Result<Reason, String> {
    text.parse().map_err(|e| format!("{e:?}"))
}

impl Worker {
    fn new(
        registry: Arc<Registry>,
        uploads: Arc<UploadStore>,
        round: u64,
        thread: u64,
    ) -> Result<Self, String> {
        Ok(Self {
            registry,
            uploads,
            round,
            thread,
            rng: Rng::new(key(round, thread, 0xf_ffff)),
            next: 0,
            docs: Vec::new(),
            filling: None,
            // One actor for all: a hold placed by one run is released by a later one.
            actor: "crash-mixed".parse().map_err(|e| format!("{e:?}"))?,
            participant: Participant::new(PARTICIPANT).map_err(|e| e.to_string())?,
            late: round & mixed::LATE_ROUND != 0,
            change_at: Timestamp::from_second(if round & mixed::LATE_ROUND != 0 {
                LATE
            } else {
                AT
            })
            .map_err(|e| e.to_string())?,
            at: Timestamp::from_second(AT).map_err(|e| e.to_string())?,
        })
    }

    fn key(&mut self) -> u64 {
        self.next += 1;
        key(self.round, self.thread, self.next)
    }

    /// One operation, picked at random among those possible.
    fn step(&mut self) -> Result<(), String> {
        let live: Vec<usize> = (0..self.docs.len())
            .filter(|&k| !self.docs[k].disposed)
            .collect();
        let pick = |rng: &mut Rng| {
            live.get(rng.below(live.len().max(1) as u64) as usize)
                .copied()
        };
        match self.rng.below(20) {
            0..=4 => self.put(),
            5..=8 => self.upload(),
            9..=12 if !self.late => self.register(),
            13..=14 if !self.late => match pick(&mut self.rng) {
                Some(k) => self.new_version(k),
                None => self.register(),
            },
            9..=14 => match live
                .iter()
                .copied()
                .find(|&k| self.docs[k].holds.is_empty())
            {
                Some(k) => self.dispose(k),
                None => self.put(),
            },
            _ => match pick(&mut self.rng) {
                Some(k) if self.docs[k].holds.is_empty() || self.rng.below(3) == 0 => self.hold(k),
                Some(k) => self.release(k),
                None if self.late => self.upload(),
                None => self.register(),
            },
        }
    }

    fn put(&mut self) -> Result<(), String> {
        let key = self.key();
        let bytes = mixed::content(key);
        let outcome = self
            .registry
            .content()
            .put(bytes.as_slice())
            .map_err(|e| format!("put {key}: {e}"))?;
        say(format!("ack put {key} {}", outcome.address))
    }

    /// Creates an upload, or sends the next piece of the one being filled; a complete upload
    /// is removed now and then.
    fn upload(&mut self) -> Result<(), String> {
        let Some(mut filling) = self.filling.take() else {
            let key = self.key();
            let bytes = mixed::upload(key);
            let new = NewUpload {
                length: bytes.len() as u64,
                sha256: ContentAddress::of(&bytes).0,
                owner: "crash-mixed".into(),
                metadata: [("key".to_string(), key.to_string().into_bytes())].into(),
            };
            let upload = self
                .uploads
                .create(new, Timestamp::now())
                .map_err(|e| format!("creating upload {key}: {e}"))?;
            say(format!("ack upload {} {key} 0", upload.id))?;
            self.filling = Some(Filling {
                id: upload.id,
                bytes,
                offset: 0,
            });
            return Ok(());
        };
        let id = filling.id;
        let from = filling.offset as usize;
        let end = (from + 1 + self.rng.below(192 << 10) as usize).min(filling.bytes.len());
        let mut patch = self
            .uploads
            .begin(id, filling.offset, None, Timestamp::now())
            .map_err(|e| format!("upload {id} at {from}: {e}"))?;
        patch
            .write(&filling.bytes[from..end])
            .map_err(|e| format!("upload {id} at {from}: {e}"))?;
        let upload = patch
            .finish(Timestamp::now())
            .map_err(|e| format!("upload {id} at {from}: {e}"))?;
        if upload.offset != end as u64 {
            return Err(format!(
                "upload {id}: at {} after a patch to {end}",
                upload.offset
            ));
        }
        let key = self.next_key_of(&upload.metadata)?;
        say(format!("ack upload {id} {key} {end}"))?;
        filling.offset = end as u64;
        if end < filling.bytes.len() {
            self.filling = Some(filling);
        } else if self.rng.below(2) == 0 {
            say(format!("removing {id}"))?;
            self.uploads
                .remove(id)
                .map_err(|e| format!("removing {id}: {e}"))?;
            say(format!("ack removed {id}"))?;
        }
        Ok(())
    }

    fn next_key_of(
        &self,
        metadata: &std::collections::BTreeMap<String, Vec<u8>>,
    ) -> Result<u64, String> {
        metadata
            .get("key")
            .and_then(|k| std::str::from_utf8(k).ok())
            .and_then(|k| k.parse().ok())
            .ok_or_else(|| "an upload without its key".to_string())
    }

    /// A registration of `content` (stored first), signed by the sender it expects.
    fn registration(&self, content: &[u8]) -> Result<Registration, String> {
        let address = self
            .registry
            .content()
            .put(content)
            .map_err(|e| format!("put: {e}"))?
            .address;
        Ok(Registration::new(
            address,
            vec![sign_detached(pki::INDIVIDUAL, pki::INDIVIDUAL_KEY, content)],
            RetentionClass::ProjectDocumentation,
            self.participant.clone(),
            Submitter::new(self.actor.clone()),
            self.at,
        )
        .expect(Expectation {
            iin: Some(SENDER_IIN.to_owned()),
            ..Expectation::default()
        }))
    }

    fn register(&mut self) -> Result<(), String> {
        let key = self.key();
        let registration = self.registration(&mixed::document(key, 1))?;
        let done = self
            .registry
            .register(&registration)
            .map_err(|e| format!("registering {key}: {e}"))?;
        say(format!(
            "ack reg {} {} {key}",
            done.id, done.version.registration_number
        ))?;
        self.docs.push(Doc {
            id: done.id,
            versions: 1,
            holds: Vec::new(),
            disposed: false,
        });
        Ok(())
    }

    /// A new version of `docs[k]`, with the act annulling its latest signed by the sender.
    fn new_version(&mut self, k: usize) -> Result<(), String> {
        let (id, version) = (self.docs[k].id, self.docs[k].versions + 1);
        let key = self.key();
        let content = mixed::document(key, version);
        let submission = self.registration(&content)?;
        let view = self
            .registry
            .document(id)
            .map_err(|e| format!("reading {id}: {e}"))?
            .ok_or_else(|| format!("{id} is missing"))?;
        let previous = view
            .versions
            .last()
            .ok_or_else(|| format!("{id} has no version"))?;
        let why = reason("revised drawing")?;
        let statement = annulment_statement(id, previous, &submission.content.0, &why);
        let act = sign_detached(pki::INDIVIDUAL, pki::INDIVIDUAL_KEY, &statement);
        let done = self
            .registry
            .new_version(id, &submission, &act, &why)
            .map_err(|e| format!("new version {version} of {id}: {e}"))?;
        if done.version.version != version {
            return Err(format!(
                "{id}: version {} for {version}",
                done.version.version
            ));
        }
        say(format!(
            "ack version {id} {version} {} {key}",
            done.version.registration_number
        ))?;
        self.docs[k].versions = version;
        Ok(())
    }

    fn hold(&mut self, k: usize) -> Result<(), String> {
        let id = self.docs[k].id;
        let hold = self
            .registry
            .place_hold(
                id,
                &reason("inspection")?,
                &self.actor,
                None,
                self.change_at,
            )
            .map_err(|e| format!("hold on {id}: {e}"))?;
        say(format!("ack hold {id} {hold}"))?;
        self.docs[k].holds.push(hold);
        Ok(())
    }

    fn release(&mut self, k: usize) -> Result<(), String> {
        let id = self.docs[k].id;
        let Some(hold) = self.docs[k].holds.pop() else {
            return Ok(());
        };
        self.registry
            .release_hold(
                id,
                hold,
                &reason("inspected")?,
                &self.actor,
                None,
                self.change_at,
            )
            .map_err(|e| format!("releasing hold {hold} of {id}: {e}"))?;
        say(format!("ack release {id} {hold}"))
    }

    fn dispose(&mut self, k: usize) -> Result<(), String> {
        let id = self.docs[k].id;
        let why = reason("retention expired")?;
        let view = self
            .registry
            .document(id)
            .map_err(|e| format!("reading {id}: {e}"))?
            .ok_or_else(|| format!("{id} is missing"))?;
        let act = sign_detached(
            pki::OFFICER,
            pki::OFFICER_KEY,
            &view.disposal_statement(&why),
        );
        self.registry
            .dispose(id, &why, &act, &self.actor, self.change_at)
            .map_err(|e| format!("disposing of {id}: {e}"))?;
        say(format!("ack disposed {id}"))?;
        self.docs[k].disposed = true;
        Ok(())
    }
}
