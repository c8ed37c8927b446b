//! `qoima reverify`: the registered versions a selection takes, re-verified on every core in a
//! mode at an instant; results on standard output (or `--output`), the summary and progress on
//! standard error, the run's state in the data directory (`--resume`), and optionally each
//! changed verdict recorded in the vault (`--record`).

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;
use qoima_vault::records::Actor;
use qoima_verifier::policy::Policy;

use super::{Failure, open_registry};
use crate::bulk::output::Format;
use crate::bulk::reverify::{self, Engine, Options, Outputs, Runs, Status};
use crate::config;

#[derive(Debug, Args)]
pub struct ReverifyArgs {
    /// The validation time, RFC 3339 (default: now).
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// `registered`: the registration is the proof of existence (a certificate that expired or
    /// was revoked for a benign reason after it does not fail); `now`: as a new signature
    /// today, with the current revocation data.
    #[arg(long, value_name = "MODE", default_value = "registered")]
    mode: String,
    /// Only documents of this class. Repeatable.
    #[arg(long, value_name = "CLASS")]
    class: Vec<String>,
    /// Only documents of this participant. Repeatable.
    #[arg(long, value_name = "PARTICIPANT")]
    participant: Vec<String>,
    /// Only documents of this construction object (18 digits). Repeatable.
    #[arg(long, value_name = "NUMBER")]
    object: Vec<String>,
    /// Only versions whose registration date is on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    registered_from: Option<String>,
    /// Only versions whose registration date is on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    registered_to: Option<String>,
    /// Only each document's latest version.
    #[arg(long)]
    current_only: bool,
    /// Only the documents listed in FILE, one id a line.
    #[arg(long, value_name = "FILE")]
    ids: Option<PathBuf>,
    /// Read every content back whole and check it against its address (damage is
    /// TOTAL_FAILED / HASH_FAILURE); otherwise a content is read only when a signature signs
    /// its bytes.
    #[arg(long)]
    check_content: bool,
    /// The signature acceptance policy, TOML (default: the configuration's).
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// How many versions are verified at once (default: every core).
    #[arg(long, value_name = "N")]
    jobs: Option<NonZeroUsize>,
    /// Go on with the latest run that did not finish (killed, interrupted or failed), with its
    /// options and outputs.
    #[arg(long, conflicts_with_all = [
        "at", "mode", "policy", "class", "participant", "object", "registered_from", "registered_to",
        "current_only", "ids", "check_content", "record", "output", "format", "html",
    ])]
    resume: bool,
    /// Write each verdict that changed as an event of its document and an audit-log entry.
    #[arg(long, requires = "by")]
    record: bool,
    /// Who records the changed verdicts (with --record).
    #[arg(long, value_name = "NAME")]
    by: Option<Actor>,
    /// Write the results to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// `jsonl` (one JSON object a line, the default) or `csv`.
    #[arg(long, value_name = "FORMAT")]
    format: Option<Format>,
    /// Write an HTML summary (a table and a chart of the verdicts) to FILE at the end.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

/// Exit 0 when every version passed, 1 when any failed, 2 when any is indeterminate (or could
/// not be verified) and none failed, 130 when interrupted (`--resume` goes on).
pub(crate) fn reverify(
    dir: &Path,
    config: Option<&Path>,
    args: ReverifyArgs,
) -> Result<ExitCode, Failure> {
    let runs = Runs::of(dir);
    let resumed = if args.resume {
        Some(
            runs.latest_resumable()
                .map_err(Failure::failed)?
                .ok_or_else(|| Failure::usage("no run to resume: every run finished"))?,
        )
    } else {
        None
    };
    let policy = match (&resumed, &args.policy) {
        (Some(state), _) => state.policy.clone(),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
            Some(
                Policy::from_toml(&text)
                    .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?,
            )
        }
        (None, None) => None,
    };
    let mut settings = config::load(config)?;
    if let Some(policy) = &policy {
        settings.verifier = settings.verifier.with_policy(policy.clone());
        settings.policy = policy.clone();
    }
    let registry = open_registry(dir, settings, false)?;
    let by = match &args.by {
        Some(by) => by.clone(),
        None => "operator"
            .parse()
            .map_err(|e| Failure::failed(format!("the default actor: {e}")))?,
    };
    let state = match resumed {
        Some(state) => state,
        None => {
            let options = options(&args)?;
            let resolved = options
                .resolve(jiff::Timestamp::now())
                .map_err(Failure::usage)?;
            let total = registry
                .selection_size(&resolved.selection)
                .map_err(Failure::failed)?;
            let outputs = Outputs {
                stdout: args.output.is_none(),
                file: args.output.clone(),
                format: args.format,
                html: args.html.clone(),
            };
            runs.create(options, &resolved, &by, policy, outputs, total)
                .map_err(Failure::failed)?
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    stop_on_signal(Arc::clone(&stop));
    let verifier = registry.verifier();
    let engine = Engine {
        registry: &registry,
        verifier: &verifier,
        runs: &runs,
        jobs: args
            .jobs
            .or_else(|| std::thread::available_parallelism().ok())
            .map_or(1, NonZeroUsize::get),
        stop: &stop,
        by,
        show_progress: true,
        published: None,
    };
    eprintln!("run {}", state.id);
    let state = reverify::run(&engine, state).map_err(Failure::failed)?;
    eprint!("{}", state.summary.text("re-verified", "version(s)"));
    if state.status == Status::Interrupted {
        eprintln!(
            "interrupted after {} version(s): `qoima reverify --resume` goes on",
            state.summary.total
        );
        return Ok(ExitCode::from(130));
    }
    if let Some(path) = &state.outputs.html {
        std::fs::write(path, reverify::html(&state))
            .map_err(|e| Failure::failed(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(ExitCode::from(state.summary.exit_code()))
}

/// The run's options from the command line.
fn options(args: &ReverifyArgs) -> Result<Options, Failure> {
    let ids = match &args.ids {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty() && !line.starts_with('#'))
                .map(str::to_owned)
                .collect(),
        ),
        None => None,
    };
    Ok(Options {
        at: args.at.clone(),
        mode: Some(args.mode.clone()),
        classes: args.class.clone(),
        participants: args.participant.clone(),
        objects: args.object.clone(),
        registered_from: args.registered_from.clone(),
        registered_to: args.registered_to.clone(),
        current_only: args.current_only,
        ids,
        check_content: args.check_content,
        record: args.record,
    })
}

/// Sets `stop` on Ctrl-C (SIGINT) or SIGTERM: the run finishes what it took, saves its state
/// and exits; a second signal is not waited for.
fn stop_on_signal(stop: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
        else {
            return;
        };
        runtime.block_on(async {
            let Ok(mut terminate) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            else {
                let _ = tokio::signal::ctrl_c().await;
                stop.store(true, Ordering::Relaxed);
                return;
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            stop.store(true, Ordering::Relaxed);
            eprintln!("stopping: finishing the versions in progress");
        });
    });
}
