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

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use qoima_verifier::crypto::DigestAlgorithm;
use qoima_verifier::identity::Expectation;
use qoima_verifier::verdict::Indication;
use qoima_verifier::{Data, Report, Request, Verifier};
use serde::{Deserialize, Serialize};

use super::super::Failure;
use super::exit_code;

/// How results are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object a line.
    Jsonl,
    /// Comma-separated values with a header line (RFC 4180).
    Csv,
}

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

/// Who signed, as one result line names them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Signer {
    iin: Option<String>,
    bin: Option<String>,
    indication: &'static str,
    sub_indication: Option<&'static str>,
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
    let mut out: Box<dyn Write> = match options.output {
        Some(path) => Box::new(std::io::BufWriter::new(File::create(path).map_err(
            |e| Failure::usage(format!("cannot write {}: {e}", path.display())),
        )?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let write_failed = |e: std::io::Error| Failure::failed(format!("cannot write a result: {e}"));
    if options.format == Format::Csv {
        writeln!(out, "id,line,indication,subIndication,signers,error").map_err(write_failed)?;
    }
    let jobs = options
        .jobs
        .or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, NonZeroUsize::get);
    let lines = Mutex::new(BufReader::new(file).lines().enumerate());
    let mut summary = Summary::new();
    let mut progress = Progress::new();
    let result: Result<(), Failure> = std::thread::scope(|scope| {
        // Bounded: a slow writer holds the workers back instead of filling memory.
        let (send, receive) = mpsc::sync_channel::<(usize, Outcome)>(jobs * 4);
        for _ in 0..jobs {
            let send = send.clone();
            let lines = &lines;
            scope.spawn(move || {
                loop {
                    let next = lines
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .next();
                    let Some((index, line)) = next else { break };
                    let number = index as u64 + 1;
                    let outcome = match line {
                        Ok(text) => verify_line(verifier, &text, number, base, options),
                        Err(e) => Outcome::error(None, number, format!("unreadable line: {e}")),
                    };
                    if send.send((index, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(send);
        // Results in manifest order: each waits here only for the ones before it.
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        for (index, outcome) in receive {
            waiting.insert(index, outcome);
            while let Some(outcome) = waiting.remove(&next) {
                next += 1;
                // Blank lines are no entries.
                if outcome.is_blank() {
                    continue;
                }
                summary.add(&outcome);
                write_outcome(&mut out, &outcome, options.format).map_err(write_failed)?;
                progress.tick(summary.total);
            }
        }
        Ok(())
    });
    result?;
    out.flush().map_err(write_failed)?;
    progress.finish();
    eprint!("{}", summary.report());
    Ok(ExitCode::from(summary.exit_code()))
}

/// Verifies one manifest line.
fn verify_line(
    verifier: &Verifier,
    text: &str,
    line: u64,
    base: &Path,
    options: &Options<'_>,
) -> Outcome {
    if text.trim().is_empty() {
        return Outcome::blank(line);
    }
    let entry: Entry = match serde_json::from_str(text) {
        Ok(entry) => entry,
        Err(e) => return Outcome::error(None, line, format!("not a manifest entry: {e}")),
    };
    let id = entry.id.clone();
    match check(verifier, entry, base, options) {
        Ok(report) => Outcome::of(id, line, &report),
        Err(message) => Outcome::error(id, line, message),
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
        let signers = report
            .signers
            .iter()
            .map(|signer| Signer {
                iin: signer.identity.as_ref().and_then(|i| i.iin.clone()),
                bin: signer.identity.as_ref().and_then(|i| i.bin.clone()),
                indication: signer.verdict.indication.as_str(),
                sub_indication: signer.verdict.sub_indication.map(|s| s.as_str()),
            })
            .collect();
        Self {
            id: id.unwrap_or(line.into()),
            line,
            indication: Some(report.verdict.indication.as_str()),
            sub_indication: report.verdict.sub_indication.map(|s| s.as_str()),
            signers,
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

fn write_outcome(out: &mut dyn Write, outcome: &Outcome, format: Format) -> std::io::Result<()> {
    match format {
        Format::Jsonl => {
            serde_json::to_writer(&mut *out, outcome)?;
            writeln!(out)
        }
        Format::Csv => {
            let id = match &outcome.id {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let signers = outcome
                .signers
                .iter()
                .map(|s| {
                    let who = [s.iin.as_deref(), s.bin.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join("/");
                    format!("{who} {}", s.indication)
                })
                .collect::<Vec<_>>()
                .join("; ");
            let fields = [
                id,
                outcome.line.to_string(),
                outcome.indication.unwrap_or_default().to_owned(),
                outcome.sub_indication.unwrap_or_default().to_owned(),
                signers,
                outcome.error.clone().unwrap_or_default(),
            ];
            let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            writeln!(out, "{}", row.join(","))
        }
    }
}

/// A CSV field (RFC 4180 §2): quoted when it holds a comma, a quote or a line break, with its
/// quotes doubled.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The counts of a run.
struct Summary {
    started: Instant,
    total: u64,
    errors: u64,
    /// By indication, and by `INDICATION / SUB-INDICATION`.
    by_verdict: HashMap<String, u64>,
    worst: u8,
}

impl Summary {
    fn new() -> Self {
        Self {
            started: Instant::now(),
            total: 0,
            errors: 0,
            by_verdict: HashMap::new(),
            worst: 0,
        }
    }

    fn add(&mut self, outcome: &Outcome) {
        self.total += 1;
        let Some(indication) = outcome.indication else {
            self.errors += 1;
            self.worst = self.worst.max(2);
            return;
        };
        let verdict = match outcome.sub_indication {
            Some(sub) => format!("{indication} / {sub}"),
            None => indication.to_owned(),
        };
        *self.by_verdict.entry(verdict).or_default() += 1;
        let code = match indication {
            "TOTAL_PASSED" => exit_code(Indication::TotalPassed),
            "TOTAL_FAILED" => exit_code(Indication::TotalFailed),
            _ => exit_code(Indication::Indeterminate),
        };
        self.worst = self.worst.max(code);
    }

    /// 1 when any failed; 2 when any is indeterminate or could not be read and none failed;
    /// else 0 (a failure outranks an uncertainty, as the contract's single exit status does).
    fn exit_code(&self) -> u8 {
        match self.worst {
            0 => 0,
            _ if self
                .by_verdict
                .keys()
                .any(|v| v.starts_with("TOTAL_FAILED")) =>
            {
                1
            }
            _ => 2,
        }
    }

    fn report(&self) -> String {
        let seconds = self.started.elapsed().as_secs_f64();
        let rate = if seconds > 0.0 {
            self.total as f64 / seconds
        } else {
            0.0
        };
        let mut verdicts: Vec<_> = self.by_verdict.iter().collect();
        verdicts.sort();
        let mut text = format!(
            "verified {} signature(s) in {seconds:.1} s ({rate:.0}/s)\n",
            self.total
        );
        for (verdict, count) in verdicts {
            text.push_str(&format!("  {verdict}: {count}\n"));
        }
        if self.errors > 0 {
            text.push_str(&format!(
                "  not verified (unreadable entry): {}\n",
                self.errors
            ));
        }
        text
    }
}

/// Progress on standard error: a spinner with the count and rate on a terminal, otherwise a
/// JSON line every few seconds.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    last: Instant,
    started: Instant,
}

impl Progress {
    const EVERY: Duration = Duration::from_secs(5);

    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{spinner} {pos} verified ({per_sec})")
            {
                bar.set_style(style);
            }
            bar
        });
        Self {
            bar,
            last: Instant::now(),
            started: Instant::now(),
        }
    }

    fn tick(&mut self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        } else if self.last.elapsed() >= Self::EVERY {
            self.last = Instant::now();
            let seconds = self.started.elapsed().as_secs_f64();
            eprintln!(
                "{}",
                serde_json::json!({ "progress": { "done": done, "seconds": seconds } })
            );
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
