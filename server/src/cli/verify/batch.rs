//! `qoima verify --batch MANIFEST`: the signatures a JSON-lines manifest lists, verified by the
//! same engine and trust store as a single `qoima verify`, on every core.
//!
//! Each manifest line is one object: `sig` (the CMS), `data` (the signed content, for a
//! detached signature) or `sha256` (its SHA-256, hex), and optionally `expectIin`, `expectBin`
//! (the line's sender, instead of the command's `--expect-*`), `at` (RFC 3339, instead of
//! `--at`) and `id` (echoed in the result; the line number otherwise). Paths are relative to
//! the manifest's directory. Each result carries the same `indication` and `subIndication` as a
//! single `qoima verify` of that line; a line that cannot be read (bad JSON, a missing file)
//! gets an `error` instead and counts as not verified.
//!
//! The manifest is streamed and the results are written in its order as they complete, so
//! memory stays flat whatever its length: at most a few results per worker wait for an earlier
//! one.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use qoima_verifier::crypto::DigestAlgorithm;
use qoima_verifier::identity::Expectation;
use qoima_verifier::{Data, Report, Request, Verifier};
use serde::{Deserialize, Serialize};

use super::super::Failure;
pub(super) use crate::bulk::output::Format;
use crate::bulk::output::{self, Row, Signer};
use crate::bulk::pipeline::run_ordered;
use crate::bulk::progress::Progress;
use crate::bulk::summary::{Summary, Tally};

/// What a batch run takes besides the engine.
#[derive(Debug)]
pub(super) struct Options<'a> {
    pub(super) manifest: &'a Path,
    /// `--at`, unix seconds: the validation time of lines that give none.
    pub(super) validation_time: i64,
    /// `--expect-iin`/`--expect-bin`: the sender of lines that name none.
    pub(super) expectation: Expectation,
    pub(super) jobs: Option<NonZeroUsize>,
    pub(super) output: Option<&'a Path>,
    pub(super) format: Format,
}

/// One manifest line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Entry {
    sig: PathBuf,
    data: Option<PathBuf>,
    sha256: Option<String>,
    expect_iin: Option<String>,
    expect_bin: Option<String>,
    at: Option<String>,
    id: Option<serde_json::Value>,
}

/// One result line.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Outcome {
    /// The line's `id`, or its line number.
    id: serde_json::Value,
    /// The manifest line, from 1.
    line: u64,
    indication: Option<&'static str>,
    sub_indication: Option<&'static str>,
    signers: Vec<Signer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl Row for Outcome {
    const CSV_HEADER: &'static [&'static str] = &[
        "id",
        "line",
        "indication",
        "subIndication",
        "signers",
        "error",
    ];

    fn csv_fields(&self) -> Vec<String> {
        let id = match &self.id {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        vec![
            id,
            self.line.to_string(),
            self.indication.unwrap_or_default().to_owned(),
            self.sub_indication.unwrap_or_default().to_owned(),
            Signer::csv(&self.signers),
            self.error.clone().unwrap_or_default(),
        ]
    }
}

/// Runs the batch: results to `--output` or standard output, progress and the summary on
/// standard error.
pub(super) fn run(verifier: &Verifier, options: &Options<'_>) -> Result<ExitCode, Failure> {
    let file = File::open(options.manifest)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", options.manifest.display())))?;
    let base = options
        .manifest
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut out: Box<dyn Write + Send> = match options.output {
        Some(path) => Box::new(std::io::BufWriter::new(File::create(path).map_err(
            |e| Failure::usage(format!("cannot write {}: {e}", path.display())),
        )?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let write_failed = |e: std::io::Error| Failure::failed(format!("cannot write a result: {e}"));
    output::write_header::<Outcome>(&mut out, options.format).map_err(write_failed)?;
    let jobs = options
        .jobs
        .or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, NonZeroUsize::get);
    let started = Instant::now();
    let mut summary = Summary::default();
    let mut progress = Progress::new(None, 0);
    let never = AtomicBool::new(false);
    // The lines are read and parsed, and their files read ahead, on this thread.
    let lines = BufReader::new(file)
        .lines()
        .enumerate()
        .map(|(index, line)| (index as u64 + 1, prepare(line, base)));
    run_ordered(
        jobs,
        lines,
        &never,
        |(number, line)| verify_line(verifier, line, number, base, options),
        |outcome| -> Result<(), Failure> {
            // Blank lines are no entries.
            if outcome.is_blank() {
                return Ok(());
            }
            summary.add(Tally {
                verdict: outcome.indication.map(|i| (i, outcome.sub_indication)),
                class: None,
                issuers: outcome
                    .signers
                    .iter()
                    .filter_map(|s| s.issuer.as_deref())
                    .collect(),
                change: None,
            });
            output::write_row(&mut out, &outcome, options.format).map_err(write_failed)?;
            progress.tick(summary.total);
            Ok(())
        },
    )?;
    out.flush().map_err(write_failed)?;
    progress.finish();
    summary.seconds = started.elapsed().as_secs_f64();
    eprint!("{}", summary.text("verified", "signature(s)"));
    Ok(ExitCode::from(summary.exit_code()))
}

/// A manifest line as the reading thread prepares it.
enum Line {
    /// No entry.
    Blank,
    /// Not an entry: why.
    Unreadable(String),
    /// An entry, its files being read ahead ([`read_ahead`]).
    Entry(Box<Entry>),
}

/// Parses a line and asks the kernel to read its files ahead: the worker that verifies it
/// then finds their bytes in memory, instead of waiting for the disk while a core idles (a
/// manifest's files are rarely in the page cache).
fn prepare(line: std::io::Result<String>, base: &Path) -> Line {
    let text = match line {
        Ok(text) if text.trim().is_empty() => return Line::Blank,
        Ok(text) => text,
        Err(e) => return Line::Unreadable(format!("unreadable line: {e}")),
    };
    let entry: Entry = match serde_json::from_str(&text) {
        Ok(entry) => entry,
        Err(e) => return Line::Unreadable(format!("not a manifest entry: {e}")),
    };
    read_ahead(&base.join(&entry.sig));
    if let Some(data) = &entry.data {
        read_ahead(&base.join(data));
    }
    Line::Entry(Box::new(entry))
}

/// Starts reading `path` into the page cache (`POSIX_FADV_WILLNEED`). Only a hint, and the
/// file is closed at once, so that the lines in flight hold no descriptors: the worker opens
/// and reads it, and reports any failure.
fn read_ahead(path: &Path) {
    if let Ok(file) = File::open(path) {
        let _ = rustix::fs::fadvise(&file, 0, None, rustix::fs::Advice::WillNeed);
    }
}

/// Verifies one manifest line.
fn verify_line(
    verifier: &Verifier,
    line: Line,
    number: u64,
    base: &Path,
    options: &Options<'_>,
) -> Outcome {
    match line {
        Line::Blank => Outcome::blank(number),
        Line::Unreadable(message) => Outcome::error(None, number, message),
        Line::Entry(entry) => {
            let id = entry.id.clone();
            match check(verifier, *entry, base, options) {
                Ok(report) => Outcome::of(id, number, &report),
                Err(message) => Outcome::error(id, number, message),
            }
        }
    }
}

/// The report of `entry`, or why it could not be verified (what a single `qoima verify` would
/// refuse with exit 64).
fn check(
    verifier: &Verifier,
    entry: Entry,
    base: &Path,
    options: &Options<'_>,
) -> Result<Report, String> {
    let read = |path: &Path| {
        let full = base.join(path);
        std::fs::read(&full).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let signature = read(&entry.sig)?;
    let at = match &entry.at {
        Some(text) => text
            .parse::<jiff::Timestamp>()
            .map_err(|e| format!("at {text:?} is not an RFC 3339 time: {e}"))?
            .as_second(),
        None => options.validation_time,
    };
    let expectation = if entry.expect_iin.is_some() || entry.expect_bin.is_some() {
        Expectation {
            iin: entry.expect_iin,
            bin: entry.expect_bin,
            roles: Vec::new(),
        }
    } else {
        options.expectation.clone()
    };
    let content = entry.data.as_deref().map(read).transpose()?;
    let digest = match (&entry.sha256, &content) {
        (Some(_), Some(_)) => return Err("give data or sha256, not both".into()),
        (Some(hex), None) => Some(
            hex.parse::<qoima_vault::ContentAddress>()
                .map_err(|_| format!("sha256 {hex:?} is not 64 lowercase hex digits"))?
                .0,
        ),
        (None, _) => None,
    };
    let data = match (&content, &digest) {
        (Some(bytes), _) => Data::Bytes(bytes),
        (None, Some(digest)) => Data::Digest {
            algorithm: DigestAlgorithm::Sha256,
            value: digest,
        },
        (None, None) => Data::Absent,
    };
    let request = Request::new(&signature, at).data(data).expect(expectation);
    verifier.verify(&request).map_err(|e| e.to_string())
}

impl Outcome {
    fn of(id: Option<serde_json::Value>, line: u64, report: &Report) -> Self {
        Self {
            id: id.unwrap_or(line.into()),
            line,
            indication: Some(report.verdict.indication.as_str()),
            sub_indication: report.verdict.sub_indication.map(|s| s.as_str()),
            signers: Signer::all_of(report).collect(),
            error: None,
        }
    }

    fn error(id: Option<serde_json::Value>, line: u64, message: String) -> Self {
        Self {
            id: id.unwrap_or(line.into()),
            line,
            indication: None,
            sub_indication: None,
            signers: Vec::new(),
            error: Some(message),
        }
    }

    /// A blank manifest line: no entry, no result.
    fn blank(line: u64) -> Self {
        Self {
            id: serde_json::Value::Null,
            line,
            indication: None,
            sub_indication: None,
            signers: Vec::new(),
            error: None,
        }
    }

    fn is_blank(&self) -> bool {
        self.indication.is_none() && self.error.is_none()
    }
}
