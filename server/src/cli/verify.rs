//! `qoima verify`: one signature, offline (the contract in `docs/verify-contract.md`, which other
//! tools depend on).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use qoima_verifier::identity::Expectation;
use qoima_verifier::path::CertificateStore;
use qoima_verifier::policy::Policy;
use qoima_verifier::revocation::CrlStore;
use qoima_verifier::verdict::Indication;
use qoima_verifier::{
    Data, Request, RequestError, Verifier, decode_certificate_file, decode_crl_file,
};

use super::Failure;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// CMS SignedData as DER, BER, PEM, or base64 text (what NCALayer returns).
    #[arg(long, value_name = "FILE")]
    sig: PathBuf,
    /// The signed content, for a detached signature.
    #[arg(long, value_name = "FILE")]
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
}

/// Exit 0 TOTAL_PASSED, 1 TOTAL_FAILED, 2 INDETERMINATE; 64 for bad usage or an unreadable
/// file (returned as a [`Failure`]).
pub fn verify(args: VerifyArgs) -> Result<ExitCode, Failure> {
    let validation_time = match &args.at {
        Some(text) => parse_time(text)?,
        None => jiff::Timestamp::now().as_second(),
    };
    let signature = read(&args.sig)?;
    let data = args.data.as_deref().map(read).transpose()?;

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
        let bytes = read(path)?;
        let decoded = decode_crl_file(&bytes)
            .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
        for der in decoded {
            crls.add(&der)
                .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
        }
    }

    let policy = match &args.policy {
        Some(path) => {
            let text = String::from_utf8(read(path)?)
                .map_err(|_| Failure::usage(format!("{}: not UTF-8 text", path.display())))?;
            Policy::from_toml(&text)
                .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?
        }
        None => Policy::default(),
    };
    let verifier = Verifier::new(store, crls, policy);
    let mut request = Request::new(&signature, validation_time).expect(Expectation {
        iin: args.expect_iin,
        bin: args.expect_bin,
        roles: Vec::new(),
    });
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
    Ok(ExitCode::from(match report.verdict.indication {
        Indication::TotalPassed => 0,
        Indication::TotalFailed => 1,
        Indication::Indeterminate => 2,
    }))
}

fn parse_time(text: &str) -> Result<i64, Failure> {
    text.parse::<jiff::Timestamp>()
        .map(|t| t.as_second())
        .map_err(|e| Failure::usage(format!("--at {text:?} is not an RFC 3339 time: {e}")))
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))
}

fn certificates(path: &Path) -> Result<Vec<Vec<u8>>, Failure> {
    let bytes = read(path)?;
    let decoded = decode_certificate_file(&bytes)
        .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
    Ok(decoded.into_iter().map(|c| c.into_owned()).collect())
}
