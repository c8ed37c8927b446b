//! A re-verification run over the vault: the versions a selection takes, re-verified in a
//! mode at an instant, one result line each, the summary, and the run's state in the data
//! directory so that an interrupted run goes on where it stopped (`docs/reverification.md`).
//!
//! A run lives in `<data-dir>/reverifications/<id>/`: `run.json` (its options, status,
//! summary, and the checkpoint: the last version whose result is durably written, and the
//! lengths of the result files at that point) and `results.jsonl` (every result, whatever the
//! output the caller asked for). Results are written in key order; a checkpoint is taken every
//! few seconds and at the end, after the result files are synced. A resumed run cuts the
//! files back to the checkpoint and goes on after its version, so its results are exactly
//! those of an uninterrupted run.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use qoima_vault::records::{Actor, DocumentId};
use qoima_vault::registry::{
    Registry, ReverifyError, ReverifyMode, Selected, Selection, VersionKey,
};
use qoima_verifier::Verifier;
use qoima_verifier::policy::Policy;
use serde::{Deserialize, Serialize};

use super::html;
use super::output::{self, Format, Row, Signer};
use super::pipeline::run_ordered;
use super::progress::Progress;
use super::summary::{Change, Summary, Tally, verdict_text};

/// How often a running run saves its checkpoint.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);

/// What a run re-verifies, and how: the command line's options and the API's body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct Options {
    /// The validation time, RFC 3339 (default: when the run starts).
    pub(crate) at: Option<String>,
    /// `registered` (default) or `now`.
    pub(crate) mode: Option<String>,
    /// Only documents of these classes.
    pub(crate) classes: Vec<String>,
    /// Only documents of these participants.
    pub(crate) participants: Vec<String>,
    /// Only documents of these construction objects.
    pub(crate) objects: Vec<String>,
    /// Only versions registered on or after this date (`YYYY-MM-DD`).
    pub(crate) registered_from: Option<String>,
    /// Only versions registered on or before this date.
    pub(crate) registered_to: Option<String>,
    /// Only each document's latest version.
    pub(crate) current_only: bool,
    /// Only these documents.
    pub(crate) ids: Option<Vec<String>>,
    /// Read every content back whole and check it against its address.
    pub(crate) check_content: bool,
    /// Write each changed verdict as an event of its document and an audit-log entry.
    pub(crate) record: bool,
}

/// Options checked: what the vault takes.
#[derive(Debug)]
pub(crate) struct Resolved {
    pub(crate) selection: Selection,
    pub(crate) mode: ReverifyMode,
    /// Unix seconds.
    pub(crate) validation_time: i64,
}

impl Options {
    /// The options as the vault takes them, the validation time fixed (`now` when none is
    /// given); an error names the option that is wrong.
    pub(crate) fn resolve(&self, now: Timestamp) -> Result<Resolved, String> {
        fn all<T: std::str::FromStr>(what: &str, texts: &[String]) -> Result<Vec<T>, String>
        where
            T::Err: std::fmt::Display,
        {
            texts
                .iter()
                .map(|t| t.parse().map_err(|e| format!("{what} {t:?}: {e}")))
                .collect()
        }
        let date = |what: &str, text: &Option<String>| {
            text.as_deref()
                .map(|t| {
                    t.parse::<jiff::civil::Date>()
                        .map_err(|e| format!("{what} {t:?} is not a date (YYYY-MM-DD): {e}"))
                })
                .transpose()
        };
        let validation_time = match &self.at {
            Some(text) => text
                .parse::<Timestamp>()
                .map_err(|e| format!("at {text:?} is not an RFC 3339 time: {e}"))?,
            None => now,
        };
        let mode = match &self.mode {
            Some(text) => text.parse()?,
            None => ReverifyMode::Registered,
        };
        let ids = match &self.ids {
            Some(ids) => Some(all::<DocumentId>("document id", ids)?.into_iter().collect()),
            None => None,
        };
        Ok(Resolved {
            selection: Selection {
                classes: all("class", &self.classes)?,
                participants: all("participant", &self.participants)?,
                object_numbers: all("object number", &self.objects)?,
                registered_from: date("registered-from", &self.registered_from)?,
                registered_to: date("registered-to", &self.registered_to)?,
                current_only: self.current_only,
                ids,
            },
            mode,
            validation_time: validation_time.as_second(),
        })
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    /// Running, or stopped without a word (killed): `--resume` goes on.
    Running,
    /// Stopped on request: `--resume` goes on.
    Interrupted,
    /// Every selected version has its result.
    Finished,
    /// Stopped by an error (named in `error`): `--resume` goes on.
    Failed,
}

/// Where a run's outputs go besides its own results file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Outputs {
    /// A file of results in `format` (`None`: standard output, or nothing over the API).
    pub(crate) file: Option<PathBuf>,
    /// Whether results go to standard output.
    pub(crate) stdout: bool,
    pub(crate) format: Option<Format>,
    /// The HTML summary, written when the run finishes.
    pub(crate) html: Option<PathBuf>,
}

/// A run's `run.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RunState {
    pub(crate) id: String,
    pub(crate) options: Options,
    /// The validation time, fixed when the run started (unix seconds).
    pub(crate) validation_time: i64,
    /// Who started it.
    pub(crate) by: String,
    /// The acceptance policy, when the run was given its own (a resumed run keeps it).
    pub(crate) policy: Option<Policy>,
    pub(crate) started_at: String,
    pub(crate) finished_at: Option<String>,
    pub(crate) status: Status,
    pub(crate) error: Option<String>,
    /// The selected versions, when the selection tells without reading them all.
    pub(crate) total: Option<u64>,
    /// The last version whose result is in the synced files (`<id>:<version>`).
    pub(crate) last: Option<String>,
    /// Length of `results.jsonl` at the checkpoint.
    pub(crate) results_len: u64,
    /// Length of the output file at the checkpoint.
    pub(crate) output_len: u64,
    pub(crate) outputs: Outputs,
    pub(crate) summary: Summary,
}

impl RunState {
    /// The version after which a resumed run goes on.
    pub(crate) fn after(&self) -> Result<Option<VersionKey>, String> {
        let Some(last) = &self.last else {
            return Ok(None);
        };
        let damaged = || format!("run {}: checkpoint {last:?} is not <id>:<version>", self.id);
        let (id, version) = last.split_once(':').ok_or_else(damaged)?;
        Ok(Some((
            id.parse().map_err(|_| damaged())?,
            version.parse().map_err(|_| damaged())?,
        )))
    }

    /// Whether `--resume` may go on with it.
    pub(crate) fn resumable(&self) -> bool {
        self.status != Status::Finished
    }
}

/// The runs of a vault, in `<data-dir>/reverifications`.
#[derive(Debug, Clone)]
pub(crate) struct Runs {
    dir: PathBuf,
}

impl Runs {
    /// The runs of the vault in `data_dir`.
    pub(crate) fn of(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("reverifications"),
        }
    }

    /// A new run's state, its directory made, its id fresh.
    pub(crate) fn create(
        &self,
        options: Options,
        resolved: &Resolved,
        by: &Actor,
        policy: Option<Policy>,
        outputs: Outputs,
        total: Option<u64>,
    ) -> Result<RunState, String> {
        let now = Timestamp::now();
        let suffix = DocumentId::random()
            .map_err(|_| "no randomness for a run id".to_owned())?
            .to_string();
        let id = format!("{}-{}", now.strftime("%Y%m%dT%H%M%SZ"), &suffix[..8]);
        let dir = self.dir.join(&id);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create a run directory: {e}"))?;
        File::create(dir.join(RESULTS))
            .map_err(|e| format!("cannot create run {id}'s results: {e}"))?;
        let state = RunState {
            id,
            options,
            validation_time: resolved.validation_time,
            by: by.to_string(),
            policy,
            started_at: now.to_string(),
            finished_at: None,
            status: Status::Running,
            error: None,
            total,
            last: None,
            results_len: 0,
            output_len: 0,
            outputs,
            summary: Summary::default(),
        };
        self.save(&state)?;
        Ok(state)
    }

    /// The state of run `id`, if there is one.
    pub(crate) fn load(&self, id: &str) -> Result<Option<RunState>, String> {
        // Ids are made here: anything else is no run (and never a path outside the dir).
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Ok(None);
        }
        let path = self.dir.join(id).join(STATE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read run {id}: {e}")),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| format!("run {id}'s state is damaged: {e}"))
    }

    /// The most recent run that `--resume` may go on with.
    pub(crate) fn latest_resumable(&self) -> Result<Option<RunState>, String> {
        let mut ids: Vec<String> = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot list the runs: {e}")),
        };
        // Ids start with their start time: the last in order is the latest.
        ids.sort();
        for id in ids.iter().rev() {
            if let Some(state) = self.load(id)?
                && state.resumable()
            {
                return Ok(Some(state));
            }
        }
        Ok(None)
    }

    /// The results file of run `id`.
    pub(crate) fn results(&self, id: &str) -> PathBuf {
        self.dir.join(id).join(RESULTS)
    }

    /// Writes `state` durably: a new file renamed over the old, then the directory synced.
    fn save(&self, state: &RunState) -> Result<(), String> {
        let dir = self.dir.join(&state.id);
        let write = || -> std::io::Result<()> {
            let temporary = dir.join("run.json.new");
            let mut file = File::create(&temporary)?;
            file.write_all(&serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?)?;
            file.sync_all()?;
            std::fs::rename(&temporary, dir.join(STATE))?;
            File::open(&dir)?.sync_all()
        };
        write().map_err(|e| format!("cannot save run {}'s state: {e}", state.id))
    }
}

const STATE: &str = "run.json";
const RESULTS: &str = "results.jsonl";

/// One result line.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Line {
    pub(crate) id: String,
    pub(crate) version: u32,
    pub(crate) registration_number: String,
    pub(crate) registration_date: String,
    pub(crate) class: String,
    pub(crate) participant: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) object_number: Option<String>,
    /// `None` when no verdict could be given (`message` says why).
    pub(crate) indication: Option<&'static str>,
    pub(crate) sub_indication: Option<&'static str>,
    pub(crate) signers: Vec<Signer>,
    /// The verdict known before: the registration's, or the last one recorded.
    pub(crate) before: String,
    /// Whether the verdict differs from `before`.
    pub(crate) changed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) message: Option<String>,
    /// The number of the event that recorded the change (`record`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) recorded: Option<u32>,
}

impl Row for Line {
    const CSV_HEADER: &'static [&'static str] = &[
        "id",
        "version",
        "registrationNumber",
        "registrationDate",
        "class",
        "participant",
        "indication",
        "subIndication",
        "signers",
        "before",
        "changed",
        "message",
    ];

    fn csv_fields(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.version.to_string(),
            self.registration_number.clone(),
            self.registration_date.clone(),
            self.class.clone(),
            self.participant.clone(),
            self.indication.unwrap_or_default().to_owned(),
            self.sub_indication.unwrap_or_default().to_owned(),
            Signer::csv(&self.signers),
            self.before.clone(),
            self.changed.to_string(),
            self.message.clone().unwrap_or_default(),
        ]
    }
}

/// A line for a document (or, without an id, a key of the store) that could not be read.
fn unreadable(id: Option<DocumentId>, error: &impl std::fmt::Display) -> Line {
    Line {
        id: id.map(|id| id.to_string()).unwrap_or_default(),
        version: 0,
        registration_number: String::new(),
        registration_date: String::new(),
        class: String::new(),
        participant: String::new(),
        object_number: None,
        indication: None,
        sub_indication: None,
        signers: Vec::new(),
        before: String::new(),
        changed: false,
        message: Some(format!("cannot read the document: {error}")),
        recorded: None,
    }
}

/// Re-verifies one selected version: its line, and its key for the checkpoint.
fn judge(
    registry: &Registry,
    verifier: &Verifier,
    resolved: &Resolved,
    check_content: bool,
    selected: &Selected,
) -> Line {
    let version = &selected.version;
    let (known_indication, known_sub) = &selected.known_verdict;
    let before = verdict_text(known_indication, known_sub.as_deref());
    let mut line = Line {
        id: selected.id.to_string(),
        version: version.version,
        registration_number: version.registration_number.clone(),
        registration_date: version.registration_date.clone(),
        class: selected.class.to_string(),
        participant: selected.participant.clone(),
        object_number: selected.object_number.clone(),
        indication: None,
        sub_indication: None,
        signers: Vec::new(),
        before,
        changed: false,
        message: None,
        recorded: None,
    };
    match registry.reverify_version(
        verifier,
        version,
        resolved.validation_time,
        resolved.mode,
        check_content,
    ) {
        Ok(reports) => {
            // The version's verdict is its worst signature's (every one must pass).
            let worst = reports
                .iter()
                .map(|r| r.verdict)
                .max_by_key(|v| severity(v.indication.as_str()));
            if let Some(verdict) = worst {
                line.indication = Some(verdict.indication.as_str());
                line.sub_indication = verdict.sub_indication.map(|s| s.as_str());
            }
            line.signers = reports.iter().flat_map(Signer::all_of).collect();
        }
        Err(ReverifyError::Damaged(e)) => {
            // What is stored is no longer what was signed.
            line.indication = Some("TOTAL_FAILED");
            line.sub_indication = Some("HASH_FAILURE");
            line.message = Some(format!("the stored content is damaged: {e}"));
        }
        Err(e) => line.message = Some(e.to_string()),
    }
    line.changed = line
        .indication
        .is_some_and(|i| verdict_text(i, line.sub_indication) != line.before);
    line
}

/// Orders indications from the best to the worst.
fn severity(indication: &str) -> u8 {
    match indication {
        "TOTAL_PASSED" => 0,
        "TOTAL_FAILED" => 2,
        _ => 1,
    }
}

/// Everything a run needs but its state.
pub(crate) struct Engine<'a> {
    pub(crate) registry: &'a Registry,
    pub(crate) verifier: &'a Verifier,
    pub(crate) runs: &'a Runs,
    pub(crate) jobs: usize,
    /// Set to stop: what was taken is finished and the run is saved as interrupted.
    pub(crate) stop: &'a AtomicBool,
    /// Who records changed verdicts.
    pub(crate) by: Actor,
    /// Shows progress on standard error.
    pub(crate) show_progress: bool,
    /// Where the run's state is published while it runs (the API's view of it).
    pub(crate) published: Option<&'a Mutex<RunState>>,
}

/// Runs (or resumes) `state` to its end or until stopped; returns its final state.
pub(crate) fn run(engine: &Engine<'_>, mut state: RunState) -> Result<RunState, String> {
    let resolved = state
        .options
        .resolve(Timestamp::from_second(state.validation_time).map_err(|e| e.to_string())?)?;
    let after = state.after()?;
    let results_path = engine.runs.results(&state.id);
    let mut results = reopen(&results_path, state.results_len)?;
    let format = state.outputs.format.unwrap_or(Format::Jsonl);
    let file_output = match &state.outputs.file {
        Some(path) => Some(reopen(path, state.output_len)?),
        None => None,
    };
    // A file is buffered (synced at each checkpoint); standard output goes a line at a time,
    // so that whoever reads it sees each result as it comes.
    let mut writer: Option<Box<dyn Write + Send>> = match (&file_output, state.outputs.stdout) {
        (Some(file), _) => Some(Box::new(BufWriter::new(
            file.try_clone()
                .map_err(|e| format!("cannot write the output: {e}"))?,
        ))),
        (None, true) => Some(Box::new(std::io::stdout())),
        (None, false) => None,
    };
    if after.is_none()
        && let Some(out) = writer.as_mut()
    {
        output::write_header::<Line>(out, format)
            .map_err(|e| format!("cannot write the output: {e}"))?;
    }
    state.status = Status::Running;
    engine.runs.save(&state)?;

    let mut progress = engine
        .show_progress
        .then(|| Progress::new(state.total, state.summary.total));
    let started = Instant::now();
    let seconds_before = state.summary.seconds;
    let mut last_checkpoint = Instant::now();
    let mut results_buffer = BufWriter::new(&mut results);
    let check_content = state.options.check_content;
    let record = state.options.record;
    let outcome = {
        let state = &mut state;
        // The producer lists ids only; each worker reads its document's versions and
        // verifies them, so that reading records is spread over the workers too.
        let documents = engine.registry.select_documents(&resolved.selection, after);
        run_ordered(
            engine.jobs,
            documents,
            engine.stop,
            |document| {
                let id = match document {
                    Ok(id) => id,
                    Err(e) => return vec![(None, unreadable(None, &e))],
                };
                match engine
                    .registry
                    .selected_versions(id, &resolved.selection, after)
                {
                    Ok(versions) => versions
                        .iter()
                        .map(|selected| {
                            let line = judge(
                                engine.registry,
                                engine.verifier,
                                &resolved,
                                check_content,
                                selected,
                            );
                            (Some(selected.key()), line)
                        })
                        .collect(),
                    Err(e) => vec![(None, unreadable(Some(id), &e))],
                }
            },
            |lines: Vec<(Option<VersionKey>, Line)>| -> Result<(), String> {
                for (key, mut line) in lines {
                    if record
                        && line.changed
                        && let (Some((id, version)), Some(indication)) = (key, line.indication)
                    {
                        let recorded = engine
                            .registry
                            .record_reverification(
                                id,
                                version,
                                (indication, line.sub_indication),
                                resolved.mode,
                                resolved.validation_time,
                                &engine.by,
                            )
                            .map_err(|e| {
                                format!("cannot record the verdict of {id} version {version}: {e}")
                            })?;
                        line.recorded = Some(recorded);
                    }
                    let write_failed = |e: std::io::Error| format!("cannot write a result: {e}");
                    output::write_row(&mut results_buffer, &line, Format::Jsonl)
                        .map_err(write_failed)?;
                    if let Some(out) = writer.as_mut() {
                        output::write_row(out, &line, format).map_err(write_failed)?;
                    }
                    state.summary.add(Tally {
                        verdict: line.indication.map(|i| (i, line.sub_indication)),
                        class: Some(&line.class)
                            .filter(|c| !c.is_empty())
                            .map(String::as_str),
                        issuers: line
                            .signers
                            .iter()
                            .filter_map(|s| s.issuer.as_deref())
                            .collect(),
                        change: line.changed.then(|| Change {
                            id: format!("{}:{}", line.id, line.version),
                            from: line.before.clone(),
                            to: verdict_text(
                                line.indication.unwrap_or_default(),
                                line.sub_indication,
                            ),
                        }),
                    });
                    if let Some((id, version)) = key {
                        state.last = Some(format!("{id}:{version}"));
                    }
                }
                if let Some(progress) = progress.as_mut() {
                    progress.tick(state.summary.total);
                }
                if last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
                    last_checkpoint = Instant::now();
                    state.summary.seconds = seconds_before + started.elapsed().as_secs_f64();
                    checkpoint(
                        engine,
                        state,
                        &mut results_buffer,
                        writer.as_mut(),
                        file_output.as_ref(),
                    )?;
                }
                Ok(())
            },
        )
    };
    if let Some(progress) = &progress {
        progress.finish();
    }
    state.summary.seconds = seconds_before + started.elapsed().as_secs_f64();
    match &outcome {
        Ok(()) if engine.stop.load(Ordering::Relaxed) => state.status = Status::Interrupted,
        Ok(()) => {
            state.status = Status::Finished;
            state.finished_at = Some(Timestamp::now().to_string());
        }
        Err(e) => {
            state.status = Status::Failed;
            state.error = Some(e.clone());
        }
    }
    checkpoint(
        engine,
        &mut state,
        &mut results_buffer,
        writer.as_mut(),
        file_output.as_ref(),
    )?;
    outcome?;
    Ok(state)
}

/// Syncs the result files and saves the state with their lengths.
fn checkpoint(
    engine: &Engine<'_>,
    state: &mut RunState,
    results: &mut BufWriter<&mut File>,
    writer: Option<&mut Box<dyn Write + Send>>,
    file_output: Option<&File>,
) -> Result<(), String> {
    let failed = |e: std::io::Error| format!("cannot write the results: {e}");
    results.flush().map_err(failed)?;
    let file = results.get_mut();
    file.sync_data().map_err(failed)?;
    state.results_len = file.stream_position().map_err(failed)?;
    if let Some(writer) = writer {
        writer.flush().map_err(failed)?;
    }
    // A regular file is synced and its length kept; a device or a pipe has neither.
    if let Some(mut output) = file_output.filter(|f| f.metadata().is_ok_and(|m| m.is_file())) {
        output.sync_data().map_err(failed)?;
        state.output_len = output.stream_position().map_err(failed)?;
    }
    engine.runs.save(state)?;
    if let Some(published) = engine.published {
        *published
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = state.clone();
    }
    Ok(())
}

/// `path` opened for appending after its first `length` bytes (what a checkpoint covers).
fn reopen(path: &Path, length: u64) -> Result<File, String> {
    let open = || -> std::io::Result<File> {
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        // A device or a pipe (`/dev/null`, a FIFO) is written as it is.
        if file.metadata()?.is_file() {
            file.set_len(length)?;
            file.seek(SeekFrom::Start(length))?;
        }
        Ok(file)
    };
    open().map_err(|e| format!("cannot open {}: {e}", path.display()))
}

/// The HTML summary of a run.
pub(crate) fn html(state: &RunState) -> String {
    let options = &state.options;
    let validation_time = Timestamp::from_second(state.validation_time)
        .map(|t| t.to_string())
        .unwrap_or_default();
    let mut facts = vec![
        ("run", state.id.clone()),
        ("status", format!("{:?}", state.status).to_lowercase()),
        (
            "mode",
            options.mode.clone().unwrap_or_else(|| "registered".into()),
        ),
        ("validation time", validation_time),
        ("started", state.started_at.clone()),
        ("by", state.by.clone()),
    ];
    if let Some(finished) = &state.finished_at {
        facts.push(("finished", finished.clone()));
    }
    let lists = [
        ("classes", &options.classes),
        ("participants", &options.participants),
        ("objects", &options.objects),
    ];
    for (label, list) in lists {
        if !list.is_empty() {
            facts.push((label, list.join(", ")));
        }
    }
    for (label, date) in [
        ("registered from", &options.registered_from),
        ("registered to", &options.registered_to),
    ] {
        if let Some(date) = date {
            facts.push((label, date.clone()));
        }
    }
    if let Some(ids) = &options.ids {
        facts.push(("documents listed", ids.len().to_string()));
    }
    for (label, set) in [
        ("current versions only", options.current_only),
        ("content checked", options.check_content),
        ("changes recorded", options.record),
    ] {
        if set {
            facts.push((label, "yes".into()));
        }
    }
    html::page("Qoima re-verification", &facts, &state.summary)
}
