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

mod line;
mod options;
mod page;
mod state;

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use qoima_vault::records::Actor;
use qoima_vault::registry::VersionKey;

use qoima_verifier::Verifier;

pub(crate) use options::Options;
pub(crate) use page::html;
pub(crate) use state::{Outputs, RunState, Runs, Status};

use super::output::{self, Format};
use super::pipeline::run_ordered;
use super::progress::Progress;
use super::summary::{Change, Tally, verdict_text};
use crate::engine::Registry;
use line::{Line, judge, unreadable};

/// How often a running run saves its checkpoint.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);

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
    let mut json_row = Vec::new();
    let outcome = {
        let state = &mut state;
        // The producer reads the documents in key order (one forward cursor a table); the
        // workers take their versions and verify them.
        let documents = engine.registry.select_documents(&resolved.selection, after);
        run_ordered(
            engine.jobs,
            documents,
            engine.stop,
            |document| {
                let view = match document {
                    Ok(view) => view,
                    Err(unread) => return vec![(None, unreadable(unread.id, &unread.error))],
                };
                let id = view.id;
                match resolved.selection.versions_of(view, after) {
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
                    // The JSON line is made once, for the run's results and a JSON output.
                    json_row.clear();
                    output::write_row(&mut json_row, &line, Format::Jsonl).map_err(write_failed)?;
                    results_buffer.write_all(&json_row).map_err(write_failed)?;
                    match (writer.as_mut(), format) {
                        (Some(out), Format::Jsonl) => {
                            out.write_all(&json_row).map_err(write_failed)?;
                        }
                        (Some(out), _) => {
                            output::write_row(out, &line, format).map_err(write_failed)?;
                        }
                        (None, _) => {}
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
