//! `qoima bundle verify FILE`: an auditor's bundle checked with no vault and no network
//! (`docs/bundle.md`). It says, per version, what the bundle proves: the content is intact,
//! each signature's indication, when it was registered, where its entry is in the log, and
//! which key signed the checkpoint.
//!
//! Exit status: 0 every claim holds and every signature is TOTAL_PASSED; 1 a claim does not
//! hold (the error names it) or a signature is TOTAL_FAILED; 2 a signature is INDETERMINATE
//! and none failed; 64 bad usage or an unreadable file.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use qoima_vault::audit::VerifierKey;
use qoima_vault::bundle::{self, Bundle, Options, Verified};
use qoima_verifier::verdict::{Indication, Verdict};
use serde_json::{Value, json};

use super::Failure;
use super::doc::pretty;
use super::verify::{certificates, exit_code, parse_time, read};
use crate::representation::rfc3339;

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Verify an auditor's bundle offline (exit 0 all holds and every signature passed, 1 a
    /// claim broken or a signature failed, 2 a signature indeterminate).
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle (`qoima doc export`).
    file: PathBuf,
    /// The vault's verifier key, as `qoima audit key` prints it. Without it the bundle's own
    /// is used, which proves only that the bundle is consistent with itself.
    #[arg(long, value_name = "VERIFIER_KEY")]
    key: Option<String>,
    /// Trust anchors (DER or PEM certificate files) instead of those the bundle carries.
    #[arg(long, value_name = "FILE")]
    trust: Vec<PathBuf>,
    /// A checkpoint you already hold: the bundle's consistency proof must start from it.
    #[arg(long, value_name = "CHECKPOINT_FILE")]
    since: Option<PathBuf>,
    /// The signatures' validation time (default: now); the registration is their proof of
    /// existence.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// The largest bundle read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = bundle::MAX_BUNDLE)]
    max_bytes: u64,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(command: BundleCommand) -> Result<ExitCode, Failure> {
    match command {
        BundleCommand::Verify(args) => verify(args),
    }
}

fn verify(args: VerifyArgs) -> Result<ExitCode, Failure> {
    let key = args
        .key
        .as_deref()
        .map(|text| {
            text.parse::<VerifierKey>()
                .map_err(|e| Failure::usage(format!("--key: not a verifier key: {e}")))
        })
        .transpose()?;
    let mut trust = Vec::new();
    for path in &args.trust {
        trust.extend(certificates(path)?);
    }
    let held = args.since.as_deref().map(read).transpose()?;
    let at = match &args.at {
        Some(text) => parse_time(text)?,
        None => bundle::now(),
    };
    let size = std::fs::metadata(&args.file)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", args.file.display())))?
        .len();
    if size > args.max_bytes {
        return Err(Failure::failed(format!(
            "{}: {size} bytes, more than the {} allowed (--max-bytes)",
            args.file.display(),
            args.max_bytes
        )));
    }
    let bytes = read(&args.file)?;
    let broken = |e: bundle::BundleError| {
        Failure::failed(format!("{}: does not verify: {e}", args.file.display()))
    };
    let options = Options {
        key,
        trust,
        held,
        at,
    };
    let verified = match Bundle::read(&bytes, args.max_bytes)
        .and_then(|bundle| bundle::verify(&bundle, &options))
    {
        Ok(verified) => verified,
        Err(e) => {
            // With --json a tool reads the failure on standard output too.
            if args.json {
                println!(
                    "{}",
                    pretty(&json!({ "ok": false, "error": e.to_string() }))?
                );
            }
            return Err(broken(e));
        }
    };
    let verdict = verified
        .reports()
        .map(|r| r.verdict)
        .fold(Verdict::PASSED, Verdict::worst);
    if args.json {
        println!("{}", pretty(&to_json(&verified, verdict))?);
    } else {
        print!("{}", to_text(&verified, verdict));
    }
    Ok(ExitCode::from(exit_code(verdict.indication)))
}

fn key_origin(verified: &Verified) -> &'static str {
    if verified.key_given {
        "the key given"
    } else {
        "the bundle's own key: compare it with the vault's (qoima audit key), or pass --key"
    }
}

fn to_text(verified: &Verified, verdict: Verdict) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let checkpoint = &verified.checkpoint;
    let _ = writeln!(out, "document {}", verified.document);
    for version in &verified.versions {
        let (sha256, length) = &version.content;
        let (number, date, at) = &version.registration;
        let _ = writeln!(out, "version {}:", version.version);
        let _ = writeln!(out, "  content intact: SHA-256 {sha256}, {length} bytes");
        for (k, report) in version.reports.iter().enumerate() {
            let signer = report
                .signers
                .first()
                .and_then(|s| s.chain.first())
                .map(|c| c.subject.as_str())
                .unwrap_or("(no signer certificate)");
            let _ = writeln!(
                out,
                "  signature {}: {} (signer {signer}; validated at {}, the registration as proof \
                 of existence)",
                k + 1,
                report.verdict,
                rfc3339(verified.at)
            );
        }
        let _ = writeln!(
            out,
            "  registered at {} as {number}, dated {date}",
            rfc3339(*at)
        );
        let _ = writeln!(
            out,
            "  included in the log at index {} ({} entry) of {} entries",
            version.audit_index, version.kind, checkpoint.size
        );
        let _ = writeln!(
            out,
            "  checkpoint signed by key {} ({})",
            verified.key,
            key_origin(verified)
        );
    }
    let (index, by, at) = &verified.export;
    let _ = writeln!(
        out,
        "export: logged at index {index} as a read by {by:?} at {}, naming versions 1 to {}",
        rfc3339(*at),
        verified.versions.len()
    );
    let _ = writeln!(
        out,
        "checkpoint: log {:?}, {} entries, root {}",
        checkpoint.origin, checkpoint.size, checkpoint.root
    );
    if let Some((old, held)) = &verified.since {
        let _ = writeln!(
            out,
            "consistent with the older checkpoint of {} entries (root {}){}",
            old.size,
            old.root,
            if *held {
                ", the one you hold"
            } else {
                "; pass --since to check it is the one you hold"
            }
        );
    }
    let (anchors, given) = &verified.anchors;
    let _ = writeln!(
        out,
        "trust anchors ({}): {}",
        if *given {
            "given with --trust"
        } else {
            "the bundle's own: compare them with yours, or pass --trust"
        },
        anchors.join(", ")
    );
    let _ = writeln!(out, "verdict: {verdict}");
    out
}

fn to_json(verified: &Verified, verdict: Verdict) -> Value {
    let checkpoint = &verified.checkpoint;
    let versions: Vec<Value> = verified
        .versions
        .iter()
        .map(|v| {
            json!({
                "version": v.version,
                "content": { "intact": true, "sha256": v.content.0, "length": v.content.1 },
                "signatures": v.reports,
                "registration": {
                    "number": v.registration.0,
                    "date": v.registration.1,
                    "registeredAt": rfc3339(v.registration.2),
                },
                "log": {
                    "index": v.audit_index,
                    "kind": v.kind,
                    "checkpointSize": checkpoint.size,
                    "verifierKey": verified.key.to_string(),
                },
            })
        })
        .collect();
    let (index, by, at) = &verified.export;
    json!({
        "ok": true,
        "document": verified.document.to_string(),
        "indication": indication(verdict.indication),
        "subIndication": verdict.sub_indication.map(|s| s.as_str()),
        "validationTime": rfc3339(verified.at),
        "checkpoint": {
            "origin": checkpoint.origin,
            "size": checkpoint.size,
            "root": checkpoint.root.to_string(),
            "verifierKey": verified.key.to_string(),
            "keyGiven": verified.key_given,
        },
        "since": verified.since.as_ref().map(|(old, held)| json!({
            "size": old.size,
            "root": old.root.to_string(),
            "held": held,
        })),
        "export": { "index": index, "by": by, "at": rfc3339(*at) },
        "trustAnchors": { "fingerprints": verified.anchors.0, "given": verified.anchors.1 },
        "versions": versions,
    })
}

fn indication(indication: Indication) -> &'static str {
    indication.as_str()
}
