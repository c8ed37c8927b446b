//! `qoima verify`: one signature, offline (the contract in `docs/verify-contract.md`, which other
//! tools depend on), or many from a manifest (`--batch`, [`batch`]) with the same engine and
//! trust store.

mod batch;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use qoima_verifier::identity::Expectation;
use qoima_verifier::path::CertificateStore;
use qoima_verifier::policy::Policy;
use qoima_verifier::revocation::{CrlFileError, CrlStore, OcspStore};
use qoima_verifier::verdict::Indication;
use qoima_verifier::{Data, Request, RequestError, Verifier, decode_certificate_file};

use super::Failure;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// CMS SignedData as DER, BER, PEM, or base64 text (what NCALayer returns).
    #[arg(long, value_name = "FILE", required_unless_present = "batch")]
    sig: Option<PathBuf>,
    /// The signed content, for a detached signature.
    #[arg(long, value_name = "FILE", conflicts_with = "batch")]
    data: Option<PathBuf>,
    /// Trust anchor certificates (DER or PEM; PEM may hold several). Repeatable.
    #[arg(long, value_name = "FILE")]
    trust: Vec<PathBuf>,
    /// Untrusted intermediate certificates (DER or PEM). Repeatable.
    #[arg(long, value_name = "FILE")]
    ca: Vec<PathBuf>,
    /// CRLs (DER or PEM). Repeatable.
    #[arg(long, value_name = "FILE")]
    crl: Vec<PathBuf>,
    /// OCSP responses (RFC 6960 OCSPResponse, DER), asked before the CRLs unless the policy
    /// says otherwise. Repeatable.
    #[arg(long, value_name = "FILE")]
    ocsp: Vec<PathBuf>,
    /// The validation time, RFC 3339 (default: now).
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// The IIN the sender must have (12 digits).
    #[arg(long, value_name = "IIN")]
    expect_iin: Option<String>,
    /// The BIN the sender's organisation must have (12 digits).
    #[arg(long, value_name = "BIN")]
    expect_bin: Option<String>,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
    /// The signature acceptance policy, TOML (default: the document-signing policy). Not part
    /// of the contract; without it the command is exactly that contract.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Verify every signature a JSON-lines manifest lists (`sig`, `data` or `sha256`, and
    /// optionally `expectIin`, `expectBin`, `at`, `id`; paths relative to the manifest): one
    /// result line each, a summary and progress on standard error. Exit 0 when all passed, 1
    /// when any failed, 2 when any is indeterminate or could not be read and none failed.
    #[arg(long, value_name = "MANIFEST", conflicts_with_all = ["sig", "json"])]
    batch: Option<PathBuf>,
    /// With --batch: how many signatures are verified at once (default: every core).
    #[arg(long, value_name = "N")]
    jobs: Option<std::num::NonZeroUsize>,
    /// With --batch: write the results to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// With --batch: `jsonl` (one JSON object a line, the default) or `csv`.
    #[arg(long, value_name = "FORMAT")]
    format: Option<batch::Format>,
}

/// Exit 0 TOTAL_PASSED, 1 TOTAL_FAILED, 2 INDETERMINATE; 64 for bad usage or an unreadable
/// file (returned as a [`Failure`]).
pub fn verify(args: VerifyArgs, config: Option<&Path>) -> Result<ExitCode, Failure> {
    let validation_time = match &args.at {
        Some(text) => parse_time(text)?,
        None => jiff::Timestamp::now().as_second(),
    };
    if args.batch.is_none()
        && (args.jobs.is_some() || args.output.is_some() || args.format.is_some())
    {
        return Err(Failure::usage(
            "--jobs, --output and --format go with --batch",
        ));
    }
    if let Some(manifest) = &args.batch {
        // A batch takes its trust store from the files given, or else from `--config`.
        let verifier = match config {
            Some(config)
                if args.trust.is_empty()
                    && args.ca.is_empty()
                    && args.crl.is_empty()
                    && args.ocsp.is_empty() =>
            {
                let settings = crate::config::load(Some(config))?;
                match &args.policy {
                    Some(path) => settings.verifier.with_policy(policy(path)?),
                    None => settings.verifier,
                }
            }
            _ => verifier(&args)?,
        };
        let options = batch::Options {
            manifest,
            validation_time,
            expectation: expectation(&args),
            jobs: args.jobs,
            output: args.output.as_deref(),
            format: args.format.unwrap_or(batch::Format::Jsonl),
        };
        return batch::run(&verifier, &options);
    }
    let verifier = verifier(&args)?;
    let Some(sig) = &args.sig else {
        return Err(Failure::usage("--sig FILE or --batch MANIFEST is required"));
    };
    let signature = read(sig)?;
    let data = args.data.as_deref().map(read).transpose()?;
    let mut request = Request::new(&signature, validation_time).expect(expectation(&args));
    if let Some(data) = &data {
        request = request.data(Data::Bytes(data));
    }
    let report = verifier.verify(&request).map_err(|e| match e {
        RequestError::Expectation(e) => Failure::usage(e),
        other => Failure::usage(other),
    })?;

    if args.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| Failure::failed(format!("cannot write the report: {e}")))?;
        println!("{json}");
    } else {
        print!("{report}");
    }
    Ok(ExitCode::from(exit_code(report.verdict.indication)))
}

/// The contract's exit status of a verdict.
pub(crate) fn exit_code(indication: Indication) -> u8 {
    match indication {
        Indication::TotalPassed => 0,
        Indication::TotalFailed => 1,
        Indication::Indeterminate => 2,
    }
}

/// `--expect-iin` and `--expect-bin`.
fn expectation(args: &VerifyArgs) -> Expectation {
    Expectation {
        iin: args.expect_iin.clone(),
        bin: args.expect_bin.clone(),
        roles: Vec::new(),
    }
}

/// The engine on the trust store of `--trust`, `--ca`, `--crl` and `--ocsp`, under `--policy`.
fn verifier(args: &VerifyArgs) -> Result<Verifier, Failure> {
    let mut store = CertificateStore::new();
    for path in &args.trust {
        for der in certificates(path)? {
            store
                .add_trust_anchor(&der)
                .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
        }
    }
    for path in &args.ca {
        for der in certificates(path)? {
            store
                .add_intermediate(&der)
                .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
        }
    }
    let mut crls = CrlStore::new();
    for path in &args.crl {
        // Read as a stream when it can be, so that a large CRL's file is never held whole.
        crls.add_file(path).map_err(|e| match e {
            CrlFileError::Read(e) => Failure::usage(format!("cannot read {}: {e}", path.display())),
            e => Failure::usage(format!("{}: {e}", path.display())),
        })?;
    }
    let mut ocsp = OcspStore::new();
    for path in &args.ocsp {
        ocsp.add(&read(path)?)
            .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
    }
    let policy = match &args.policy {
        Some(path) => policy(path)?,
        None => Policy::default(),
    };
    Ok(Verifier::new(store, crls, policy).with_ocsp(ocsp))
}

/// The policy of the TOML file at `path`.
fn policy(path: &Path) -> Result<Policy, Failure> {
    let text = String::from_utf8(read(path)?)
        .map_err(|_| Failure::usage(format!("{}: not UTF-8 text", path.display())))?;
    Policy::from_toml(&text).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))
}

pub(crate) fn parse_time(text: &str) -> Result<i64, Failure> {
    text.parse::<jiff::Timestamp>()
        .map(|t| t.as_second())
        .map_err(|e| Failure::usage(format!("--at {text:?} is not an RFC 3339 time: {e}")))
}

pub(crate) fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))
}

pub(crate) fn certificates(path: &Path) -> Result<Vec<Vec<u8>>, Failure> {
    let bytes = read(path)?;
    let decoded = decode_certificate_file(&bytes)
        .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
    Ok(decoded.into_iter().map(|c| c.into_owned()).collect())
}
