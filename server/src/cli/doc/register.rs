//! `qoima doc register`, `new-version` and `statement`: a document's first and later
//! versions, and the annulment statement a new version's act signs.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use qoima_vault::ContentAddress;
use qoima_vault::records::{
    Actor, Coverage, DatingMode, ObjectNumber, Participant, RetentionClass, annulment_statement,
};
use qoima_vault::registry::{
    ChangeError, RegisterError, Registered, Registration, StoreError, Submitter,
};
use qoima_verifier::Report;
use qoima_verifier::identity::Expectation;
use serde_json::json;

use super::checks::{parse_at, parse_id};
use super::lookup::{current, document, refuse_disposed};
use super::render::{one_line, pretty, report_value, retain_until_text};
use super::{NewVersionArgs, RegisterArgs, StatementArgs, SubmissionArgs};
use crate::cli::{Failure, keep_crls, open_registry};
use crate::config;
use crate::engine::Registry;
use crate::representation::{self, Facts};

/// What `register` and `new-version` read before anything is stored.
struct Submission {
    at: Timestamp,
    dating: DatingMode,
    signatures: Vec<Vec<u8>>,
    content: File,
    expected: Expectation,
    by: Actor,
}

impl Submission {
    /// Puts the content into the store and returns its registration in `class` for
    /// `participant`.
    fn store(
        self,
        registry: &Registry,
        class: RetentionClass,
        participant: &Participant,
    ) -> Result<Registration, Failure> {
        let address = registry.content().put(self.content)?.address;
        Ok(Registration::new(
            address,
            self.signatures,
            class,
            participant.clone(),
            Submitter::new(self.by),
            self.at,
        )
        .expect(self.expected)
        .dating(self.dating))
    }
}

fn read_submission(args: &SubmissionArgs) -> Result<Submission, Failure> {
    let at = parse_at(args.at.as_deref())?;
    let signatures = args
        .sig
        .iter()
        .map(|path| read_file(path))
        .collect::<Result<Vec<_>, _>>()?;
    let content = File::open(&args.content)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", args.content.display())))?;
    Ok(Submission {
        at,
        dating: args.dating,
        signatures,
        content,
        expected: Expectation {
            iin: args.expect_iin.clone(),
            bin: args.expect_bin.clone(),
            roles: Vec::new(),
        },
        by: args.by.clone(),
    })
}

/// The SHA-256 of a file's bytes, as the vault would address it.
fn sha256_of(path: &Path) -> Result<ContentAddress, Failure> {
    use sha2::{Digest, Sha256};
    let mut file = File::open(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let read = std::io::Read::read(&mut file, &mut buffer)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(ContentAddress(hasher.finalize().into()))
}

/// An input file: unreadable is bad usage.
fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))
}

/// The configuration, with the expectation checked against its policy, and the CRLs to keep
/// as evidence.
fn load_for_registration(
    config: Option<&Path>,
    expected: &Expectation,
) -> Result<(config::Config, Vec<Vec<u8>>), Failure> {
    let mut settings = config::load(config)?;
    expected
        .validate(&settings.policy.ownership())
        .map_err(Failure::usage)?;
    let crls = std::mem::take(&mut settings.crls);
    Ok((settings, crls))
}

pub(super) fn register(
    dir: &Path,
    config: Option<&Path>,
    args: RegisterArgs,
) -> Result<(), Failure> {
    // Every usage check before anything is created or stored.
    let class: RetentionClass = args
        .class
        .parse()
        .map_err(|e| Failure::usage(format!("--class: {e}")))?;
    let participant = Participant::new(&args.participant)
        .map_err(|e| Failure::usage(format!("--participant {:?}: {e}", args.participant)))?;
    let submission = read_submission(&args.submission)?;
    let (settings, crls) = load_for_registration(config, &submission.expected)?;
    let registry = open_registry(dir, settings, true)?;
    keep_crls(&registry, &crls)?;
    let mut registration = submission.store(&registry, class, &participant)?;
    if let Some(object) = &args.object {
        registration = registration.object_number(object.clone());
    }

    let registered = match registry.register(&registration) {
        Ok(registered) => registered,
        Err(RegisterError::Refused {
            index,
            verdict,
            reports,
        }) => {
            return Err(refused(
                &args.submission.sig,
                index,
                &verdict,
                &reports,
                args.submission.json,
            ));
        }
        Err(e) => return Err(Failure::of(e.kind(), format!("not registered: {e}"))),
    };
    let facts = Facts {
        class: class.name(),
        participant: participant.as_str(),
        object: args.object.as_ref().map(ObjectNumber::as_str),
    };
    print_registered(
        &registered,
        &facts,
        &args.submission.sig,
        args.submission.json,
    )
}

pub(super) fn statement(
    dir: &Path,
    config: Option<&Path>,
    args: StatementArgs,
) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    let registry = open_registry(dir, config::load(config)?, false)?;
    let view = document(&registry, id)?;
    refuse_disposed(&registry, id)?;
    let latest = current(&view)?;
    let replacement = sha256_of(&args.content)?;
    let bytes = annulment_statement(id, latest, &replacement.0, &args.reason);
    if let Some(path) = &args.out {
        std::fs::write(path, &bytes)
            .map_err(|e| Failure::failed(format!("cannot write {}: {e}", path.display())))?;
    }
    if args.json {
        let json = json!({
            "id": id.to_string(),
            "version": latest.version,
            "address": ContentAddress(latest.content).to_string(),
            "replacement": replacement.to_string(),
            "reason": args.reason,
            "statement": String::from_utf8_lossy(&bytes),
            "out": args.out.as_ref().map(|p| p.display().to_string()),
        });
        println!("{}", pretty(&json)?);
    } else if args.out.is_none() {
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes)
            .and_then(|()| out.flush())
            .map_err(|e| Failure::failed(format!("cannot write the statement: {e}")))?;
    }
    Ok(())
}

pub(super) fn new_version(
    dir: &Path,
    config: Option<&Path>,
    args: NewVersionArgs,
) -> Result<(), Failure> {
    // Every usage check before anything is stored.
    let id = parse_id(&args.id)?;
    let submission = read_submission(&args.submission)?;
    let act = read_file(&args.annulment)?;
    let (settings, crls) = load_for_registration(config, &submission.expected)?;
    let registry = open_registry(dir, settings, false)?;
    let view = document(&registry, id)?;
    refuse_disposed(&registry, id)?;
    let damaged = |e: StoreError| Failure::of(e.kind(), format!("document {id}: {e}"));
    // The document keeps its class and participant (`Registry::new_version`).
    let class = view.class().map_err(damaged)?;
    let participant = view.participant().map_err(damaged)?;
    keep_crls(&registry, &crls)?;
    let registration = submission.store(&registry, class, &participant)?;

    let registered = match registry.new_version(id, &registration, &act, &args.reason) {
        Ok(registered) => registered,
        Err(ChangeError::AnnulmentRefused {
            version,
            verdict,
            report,
        }) => {
            let reason = format!(
                "not registered: the annulment act ({}) is {verdict}: version {version} stays in \
                 force",
                args.annulment.display()
            );
            if args.submission.json {
                let json = json!({
                    "registered": false,
                    "error": reason,
                    "annulment": {
                        "version": version,
                        "verdict": verdict,
                        "report": report_value(&report)?,
                    },
                });
                println!("{}", pretty(&json)?);
            } else {
                println!("annulment act ({}):", args.annulment.display());
                print!("{report}");
            }
            return Err(Failure::failed(reason));
        }
        Err(ChangeError::Register(RegisterError::Refused {
            index,
            verdict,
            reports,
        })) => {
            return Err(refused(
                &args.submission.sig,
                index,
                &verdict,
                &reports,
                args.submission.json,
            ));
        }
        Err(e) => return Err(Failure::of(e.kind(), format!("not registered: {e}"))),
    };
    let facts = Facts {
        class: class.name(),
        participant: participant.as_str(),
        object: view.record.object_number.as_deref(),
    };
    print_registered(
        &registered,
        &facts,
        &args.submission.sig,
        args.submission.json,
    )
}

/// A registration refused for signature `index`: the reports printed, the reason returned.
fn refused(
    files: &[PathBuf],
    index: usize,
    verdict: &str,
    reports: &[Report],
    json: bool,
) -> Failure {
    let reason = format!(
        "not registered: signature {} ({}) is {verdict}",
        index + 1,
        sig_name(files, index)
    );
    if json {
        let json = json!({
            "registered": false,
            "error": reason,
            "signature": index,
            "verdict": verdict,
            "reports": reports,
        });
        match pretty(&json) {
            Ok(text) => println!("{text}"),
            Err(failure) => return failure,
        }
    } else {
        for (i, report) in reports.iter().enumerate() {
            println!("signature {} ({}):", i + 1, sig_name(files, i));
            print!("{report}");
        }
    }
    Failure::failed(reason)
}

/// What `register` and `new-version` print.
fn print_registered(
    registered: &Registered,
    facts: &Facts<'_>,
    files: &[PathBuf],
    json: bool,
) -> Result<(), Failure> {
    let version = &registered.version;
    if let Some(why) = &registered.unlocked {
        eprintln!(
            "warning: registered, but the storage's locks are not set yet ({why}): `qoima locks \
             renew` sets them"
        );
    }
    if json {
        let json = representation::Registered::new(registered, facts).map_err(Failure::failed)?;
        println!("{}", pretty(&json)?);
    } else {
        println!("id:                  {}", registered.id);
        println!("version:             {}", version.version);
        if let Some(annulment) = &version.annulment {
            println!(
                "annuls version:      {} ({})",
                annulment.version,
                one_line(&annulment.reason)
            );
        }
        println!("address:             {}", ContentAddress(version.content));
        println!(
            "format:              {}, {} bytes",
            version.format, version.length
        );
        println!("class:               {}", facts.class);
        println!("participant:         {}", facts.participant);
        if let Some(object) = facts.object {
            println!("object number:       {object}");
        }
        println!("registration number: {}", version.registration_number);
        let year = version.registration_date.get(..4).unwrap_or("?");
        let coverage = match registered.coverage {
            Coverage::Data => String::new(),
            Coverage::Fallback => {
                format!(" (no calendar data for {year}: weekends and fixed holidays assumed)")
            }
        };
        println!(
            "registration date:   {}{coverage}",
            version.registration_date
        );
        println!("retain until:        {}", retain_until_text(version));
        println!("dated by:            {}", version.dated_by);
        println!("retained by:         {}", version.retained_by);
        println!("audit entry:         {}", version.audit_index);
        for (i, report) in registered.reports.iter().enumerate() {
            println!("signature {} ({}):", i + 1, sig_name(files, i));
            print!("{report}");
        }
    }
    Ok(())
}

/// The file of signature `index`, for messages.
fn sig_name(files: &[PathBuf], index: usize) -> String {
    files
        .get(index)
        .map_or_else(|| "?".to_owned(), |p| p.display().to_string())
}
