//! `qoima doc register`, `new-version`, `statement`, `show`, `versions`, `find`, `retain`
//! and `delete`: registered documents (issue 5).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args, Subcommand};
use jiff::Timestamp;
use jiff::civil::Date;
use qoima_vault::ContentAddress;
use qoima_vault::records::{
    ChangeError, Coverage, Disposal, DisposeError, DocumentId, DocumentView, Event, Index,
    Participant, RegisterError, Registered, Registration, Registry, Retained, RetentionClass,
    Tombstone, VersionRecord, annulment_statement, astana,
};
use qoima_verifier::Report;
use qoima_verifier::identity::Expectation;
use serde_json::{Value, json};

use super::{Failure, config, open_registry};

#[derive(Debug, Subcommand)]
pub enum DocCommand {
    /// Register a signed document: store the content, verify the signatures (all must be
    /// TOTAL_PASSED), number, date and log it.
    Register(RegisterArgs),
    /// Print the annulment statement of a document's latest version: the exact bytes the
    /// annulment act of `doc new-version` must sign.
    Statement(StatementArgs),
    /// Register a new version of a document, with a signed act annulling its latest version.
    NewVersion(NewVersionArgs),
    /// Show a document: its current version, retention, holds, events and tombstones.
    Show(ShowArgs),
    /// List a document's versions, oldest first.
    Versions(ShowArgs),
    /// Find documents by construction object, participant, registration number or content.
    Find(FindArgs),
    /// Extend a document's retention (never shortened).
    Retain(RetainArgs),
    /// Delete a document: refused (exit 3) while retained or held; after retention, without
    /// holds, disposes of it (with --reason and --by): its content is removed and tombstones
    /// are left.
    Delete(DeleteArgs),
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    #[command(flatten)]
    submission: SubmissionArgs,
    /// The retention class: expertise-application, project-documentation or
    /// construction-record.
    #[arg(long, value_name = "CLASS")]
    class: String,
    /// The 18-digit construction object number (UNO).
    #[arg(long, value_name = "UNO")]
    object: Option<String>,
    /// The participant whose numbering template applies.
    #[arg(long, value_name = "P", default_value = "default")]
    participant: String,
}

/// What `register` and `new-version` both take: the content, its signatures, who must have
/// signed, when, and the output form.
#[derive(Debug, Args)]
pub struct SubmissionArgs {
    /// The content.
    #[arg(long, value_name = "FILE")]
    content: PathBuf,
    /// CMS signatures over the content (DER, BER, PEM or base64). At least one.
    #[arg(long, value_name = "FILE", required = true, num_args = 1..)]
    sig: Vec<PathBuf>,
    /// The IIN the signer must have (12 digits).
    #[arg(long, value_name = "IIN")]
    expect_iin: Option<String>,
    /// The BIN the signer's organisation must have (12 digits).
    #[arg(long, value_name = "BIN")]
    expect_bin: Option<String>,
    /// The submission instant, RFC 3339 (default: now): the signatures (and an annulment
    /// act) are verified at it and the registration date is computed from it.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct NewVersionArgs {
    /// The document id (32 lowercase hex digits).
    id: String,
    #[command(flatten)]
    submission: SubmissionArgs,
    /// The annulment act: a CMS signature over the statement `qoima doc statement` prints
    /// (detached or with the statement inside), by the expected signer of the version it
    /// annuls.
    #[arg(long, value_name = "FILE")]
    annulment: PathBuf,
    /// Why the latest version is annulled: the reason the statement names.
    #[arg(long, value_name = "TEXT")]
    reason: String,
}

#[derive(Debug, Args)]
pub struct StatementArgs {
    /// The document id (32 lowercase hex digits).
    id: String,
    /// Why the latest version is to be annulled (the same text goes to `doc new-version`).
    #[arg(long, value_name = "TEXT")]
    reason: String,
    /// Write the statement to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Print one JSON object (with the statement as text).
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The document id (32 lowercase hex digits).
    id: String,
    /// The auditor reading: the read is recorded in the audit log (an `auditor-read` entry)
    /// before anything is printed.
    #[arg(long, value_name = "NAME")]
    auditor: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("key")
        .required(true)
        .args(["object", "participant", "number", "content"])
))]
pub struct FindArgs {
    /// By 18-digit construction object number.
    #[arg(long, value_name = "UNO")]
    object: Option<String>,
    /// By participant.
    #[arg(long, value_name = "P")]
    participant: Option<String>,
    /// By registration number (of any version).
    #[arg(long, value_name = "N")]
    number: Option<String>,
    /// By content address (SHA-256, hex; of any version).
    #[arg(long, value_name = "SHA256")]
    content: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct RetainArgs {
    /// The document id (32 lowercase hex digits).
    id: String,
    /// The new last retained day, YYYY-MM-DD: later than the current one.
    #[arg(long, value_name = "YYYY-MM-DD")]
    until: String,
    /// Why.
    #[arg(long, value_name = "TEXT")]
    reason: String,
    /// Who extends it.
    #[arg(long, value_name = "NAME")]
    by: String,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The document id (32 lowercase hex digits).
    id: String,
    /// Why it is disposed of (required for a disposal).
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    /// Who disposes of it (required for a disposal).
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    /// The instant of the disposal, RFC 3339 (default: now): retention is judged at it and it
    /// is recorded in the tombstones and the audit log.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(dir: &Path, config: Option<&Path>, command: DocCommand) -> Result<(), Failure> {
    match command {
        DocCommand::Register(args) => register(dir, config, args),
        DocCommand::Statement(args) => statement(dir, config, args),
        DocCommand::NewVersion(args) => new_version(dir, config, args),
        DocCommand::Show(args) => show(dir, config, args),
        DocCommand::Versions(args) => versions(dir, config, args),
        DocCommand::Find(args) => find(dir, config, args),
        DocCommand::Retain(args) => retain(dir, config, args),
        DocCommand::Delete(args) => delete(dir, config, args),
    }
}

/// What `register` and `new-version` read before anything is stored.
struct Submission {
    at: Timestamp,
    signatures: Vec<Vec<u8>>,
    content: File,
    expected: Expectation,
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
        signatures,
        content,
        expected: Expectation {
            iin: args.expect_iin.clone(),
            bin: args.expect_bin.clone(),
            roles: Vec::new(),
        },
    })
}

/// `--at`, or now.
fn parse_at(text: Option<&str>) -> Result<Timestamp, Failure> {
    match text {
        Some(text) => text
            .parse::<Timestamp>()
            .map_err(|e| Failure::usage(format!("--at {text:?} is not an RFC 3339 time: {e}"))),
        None => Ok(Timestamp::now()),
    }
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

/// Stores the configured CRLs as content, so that the version about to be registered
/// references those its verdict used (`Registry::keep_crls`).
fn keep_crls(registry: &Registry, crls: &[Vec<u8>]) -> Result<(), Failure> {
    registry
        .keep_crls(crls.iter().map(Vec::as_slice))
        .map_err(|e| Failure::failed(format!("cannot keep the configured CRLs: {e}")))
}

/// The fixed facts of a document, for printing a registration.
pub(crate) struct Facts<'a> {
    pub(crate) class: &'a str,
    pub(crate) participant: &'a str,
    pub(crate) object: Option<&'a str>,
}

fn register(dir: &Path, config: Option<&Path>, args: RegisterArgs) -> Result<(), Failure> {
    // Every usage check before anything is created or stored.
    let class: RetentionClass = args
        .class
        .parse()
        .map_err(|e| Failure::usage(format!("--class: {e}")))?;
    let participant = Participant::new(&args.participant)
        .map_err(|e| Failure::usage(format!("--participant {:?}: {e}", args.participant)))?;
    if let Some(object) = &args.object {
        check_object("--object", object)?;
    }
    let submission = read_submission(&args.submission)?;
    let (settings, crls) = load_for_registration(config, &submission.expected)?;
    let registry = open_registry(dir, settings, true)?;
    keep_crls(&registry, &crls)?;
    let address = registry.content().put(submission.content)?.address;
    let mut registration = Registration::new(
        address,
        submission.signatures,
        class,
        participant.clone(),
        submission.at,
    )
    .expect(submission.expected);
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
        Err(
            e @ (RegisterError::NoSignature
            | RegisterError::ObjectNumber(_)
            | RegisterError::Expectation(_)),
        ) => return Err(Failure::usage(e)),
        Err(e) => return Err(Failure::failed(format!("not registered: {e}"))),
    };
    let facts = Facts {
        class: class.name(),
        participant: participant.as_str(),
        object: args.object.as_deref(),
    };
    print_registered(
        &registered,
        &facts,
        &args.submission.sig,
        args.submission.json,
    )
}

fn statement(dir: &Path, config: Option<&Path>, args: StatementArgs) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    check_reason("--reason", &args.reason)?;
    let registry = open_registry(dir, config::load(config)?, false)?;
    let view = document(&registry, id)?;
    refuse_disposed(&registry, id)?;
    let latest = current(&view)?;
    let bytes = annulment_statement(id, latest, &args.reason);
    if let Some(path) = &args.out {
        std::fs::write(path, &bytes)
            .map_err(|e| Failure::failed(format!("cannot write {}: {e}", path.display())))?;
    }
    if args.json {
        let json = json!({
            "id": id.to_string(),
            "version": latest.version,
            "address": ContentAddress(latest.content).to_string(),
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

fn new_version(dir: &Path, config: Option<&Path>, args: NewVersionArgs) -> Result<(), Failure> {
    // Every usage check before anything is stored.
    let id = parse_id(&args.id)?;
    check_reason("--reason", &args.reason)?;
    let submission = read_submission(&args.submission)?;
    let act = read_file(&args.annulment)?;
    let (settings, crls) = load_for_registration(config, &submission.expected)?;
    let registry = open_registry(dir, settings, false)?;
    let view = document(&registry, id)?;
    refuse_disposed(&registry, id)?;
    let damaged = |e: RegisterError| Failure::failed(format!("document {id}: {e}"));
    // The document keeps its class and participant (`Registry::new_version`).
    let class = view.class().map_err(damaged)?;
    let participant = view.participant().map_err(damaged)?;
    keep_crls(&registry, &crls)?;
    let address = registry.content().put(submission.content)?.address;
    let registration = Registration::new(
        address,
        submission.signatures,
        class,
        participant.clone(),
        submission.at,
    )
    .expect(submission.expected);

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
        Err(e) => {
            return Err(match change_failure(e) {
                Failure { message, code: 1 } => {
                    Failure::failed(format!("not registered: {message}"))
                }
                usage => usage,
            });
        }
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

/// A registration as JSON: `registered: true`, the document's facts, the version's
/// (`version_json`) and the engine's `reports`. The CLI and the API give the same.
pub(crate) fn registered_json(registered: &Registered, facts: &Facts<'_>) -> Result<Value, String> {
    let mut json = json!({
        "registered": true,
        "id": registered.id.to_string(),
        "class": facts.class,
        "participant": facts.participant,
        "objectNumber": facts.object,
        "dateCoverage": registered.coverage.name(),
    });
    merge(&mut json, version_json(&registered.version, None));
    // The reports as the engine gave them (the stored copy says the same).
    json["reports"] = serde_json::to_value(&registered.reports)
        .map_err(|e| format!("cannot write the report: {e}"))?;
    Ok(json)
}

/// What `register` and `new-version` print.
fn print_registered(
    registered: &Registered,
    facts: &Facts<'_>,
    files: &[PathBuf],
    json: bool,
) -> Result<(), Failure> {
    let version = &registered.version;
    if json {
        let json = registered_json(registered, facts).map_err(Failure::failed)?;
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
        println!("audit entry:         {}", version.audit_index);
        for (i, report) in registered.reports.iter().enumerate() {
            println!("signature {} ({}):", i + 1, sig_name(files, i));
            print!("{report}");
        }
    }
    Ok(())
}

/// Records an auditor's read of `what` before it is served (`Registry::record_read`).
fn record_read(
    registry: &Registry,
    id: DocumentId,
    what: &str,
    auditor: Option<&String>,
) -> Result<(), Failure> {
    if let Some(auditor) = auditor {
        registry
            .record_read(id, what, auditor, Timestamp::now())
            .map_err(change_failure)?;
    }
    Ok(())
}

fn show(dir: &Path, config: Option<&Path>, args: ShowArgs) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    if let Some(auditor) = &args.auditor {
        check_name("--auditor", auditor)?;
    }
    let registry = open_registry(dir, config::load(config)?, false)?;
    record_read(&registry, id, "document", args.auditor.as_ref())?;
    let view = document(&registry, id)?;
    let current = current(&view)?;
    let tombstones = &view.tombstones;
    let record = &view.record;
    if args.json {
        println!("{}", pretty(&document_json(&view)?)?);
    } else {
        println!("id:                  {id}");
        println!("class:               {}", record.class);
        println!("participant:         {}", record.participant);
        if let Some(object) = &record.object_number {
            println!("object number:       {object}");
        }
        if let Some(date) = view.end_of_service {
            println!("end of service:      {date}");
        }
        println!("created:             {}", rfc3339(record.created_at));
        println!("versions:            {}", view.versions.len());
        println!("retain until:        {}", document_retain_until_text(&view));
        println!("holds:               {}", holds_text(&view));
        if !view.events.is_empty() {
            println!("events:");
            for (number, event) in &view.events {
                println!("  {}", event_line(*number, event));
            }
        }
        if !tombstones.is_empty() {
            println!("disposed of:");
            for (version, tombstone) in tombstones {
                println!("  {}", tombstone_line(*version, tombstone));
            }
        }
        println!("current version:");
        print_version(current, view.annulled_by(current.version));
    }
    Ok(())
}

/// A document as `qoima doc show --json` and `GET /v1/documents/{id}` give it.
pub(crate) fn document_json(view: &DocumentView) -> Result<Value, Failure> {
    let current = current(view)?;
    let record = &view.record;
    let tombstones = &view.tombstones;
    Ok(json!({
        "id": view.id.to_string(),
        "class": record.class,
        "participant": record.participant,
        "objectNumber": record.object_number,
        "createdAt": rfc3339(record.created_at),
        "endOfService": view.end_of_service.map(|d| d.to_string()),
        "retainUntil": view.retain_until().map(|d| d.to_string()),
        "versions": view.versions.len(),
        "current": version_json(current, view.annulled_by(current.version)),
        "holds": active_holds(view)
            .iter()
            .map(|(number, event)| hold_json(*number, event))
            .collect::<Vec<_>>(),
        "events": view
            .events
            .iter()
            .map(|(number, event)| event_json(*number, event))
            .collect::<Vec<_>>(),
        "disposed": !tombstones.is_empty(),
        "tombstones": tombstones
            .iter()
            .map(|(version, tombstone)| tombstone_json(*version, tombstone))
            .collect::<Vec<_>>(),
    }))
}

fn versions(dir: &Path, config: Option<&Path>, args: ShowArgs) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    if let Some(auditor) = &args.auditor {
        check_name("--auditor", auditor)?;
    }
    let registry = open_registry(dir, config::load(config)?, false)?;
    record_read(&registry, id, "versions", args.auditor.as_ref())?;
    let view = document(&registry, id)?;
    if args.json {
        let versions: Vec<Value> = view
            .versions
            .iter()
            .map(|v| version_json(v, view.annulled_by(v.version)))
            .collect();
        let json = json!({ "id": id.to_string(), "versions": versions });
        println!("{}", pretty(&json)?);
    } else {
        for version in &view.versions {
            print_version(version, view.annulled_by(version.version));
        }
    }
    Ok(())
}

fn find(dir: &Path, config: Option<&Path>, args: FindArgs) -> Result<(), Failure> {
    let (index, name, value) = if let Some(object) = args.object {
        check_object("--object", &object)?;
        (Index::Object, "object", object)
    } else if let Some(participant) = args.participant {
        Participant::new(&participant)
            .map_err(|e| Failure::usage(format!("--participant {participant:?}: {e}")))?;
        (Index::Participant, "participant", participant)
    } else if let Some(number) = args.number {
        (Index::Number, "number", number)
    } else if let Some(content) = args.content {
        let address: ContentAddress = content
            .parse()
            .map_err(|e| Failure::usage(format!("--content {content:?}: {e}")))?;
        (Index::Content, "content", address.to_string())
    } else {
        return Err(Failure::usage(
            "one of --object, --participant, --number or --content is required",
        ));
    };
    let registry = open_registry(dir, config::load(config)?, false)?;
    let ids = registry
        .find(index, &value)
        .map_err(|e| Failure::failed(format!("cannot search the {name} index: {e}")))?;
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let view = document(&registry, id)?;
        let disposed = is_disposed(&registry, id)?;
        found.push((view, disposed));
    }
    if args.json {
        let mut documents = Vec::with_capacity(found.len());
        for (view, disposed) in &found {
            let latest = current(view)?;
            documents.push(json!({
                "id": view.id.to_string(),
                "class": view.record.class,
                "version": latest.version,
                "registrationNumber": latest.registration_number,
                "registrationDate": latest.registration_date,
                "disposed": disposed,
            }));
        }
        let json = json!({ "index": name, "value": value, "documents": documents });
        println!("{}", pretty(&json)?);
    } else {
        for (view, disposed) in &found {
            let latest = current(view)?;
            println!(
                "{}  {}  {}  version {}{}",
                view.id,
                latest.registration_number,
                latest.registration_date,
                latest.version,
                if *disposed { "  (disposed of)" } else { "" }
            );
        }
    }
    Ok(())
}

fn retain(dir: &Path, config: Option<&Path>, args: RetainArgs) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    let until: Date = args.until.parse().map_err(|e| {
        Failure::usage(format!(
            "--until {:?} is not a date (YYYY-MM-DD): {e}",
            args.until
        ))
    })?;
    check_reason("--reason", &args.reason)?;
    check_name("--by", &args.by)?;
    let registry = open_registry(dir, config::load(config)?, false)?;
    refuse_disposed(&registry, id)?;
    registry
        .extend_retention(id, until, &args.reason, &args.by, Timestamp::now())
        .map_err(change_failure)?;
    if args.json {
        let json =
            json!({ "id": id.to_string(), "extended": true, "retainUntil": until.to_string() });
        println!("{}", pretty(&json)?);
    } else {
        println!("document {id} retained until {until}");
    }
    Ok(())
}

/// Refused with exit 3 while the document is retained or held; otherwise disposal, the one
/// operation that deletes (with `--reason` and `--by`), which leaves a tombstone per version.
fn delete(dir: &Path, config: Option<&Path>, args: DeleteArgs) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    let at = parse_at(args.at.as_deref())?;
    if let Some(reason) = &args.reason {
        check_reason("--reason", reason)?;
    }
    if let Some(by) = &args.by {
        check_name("--by", by)?;
    }
    let registry = open_registry(dir, config::load(config)?, false)?;
    let view = document(&registry, id)?;
    if is_disposed(&registry, id)? {
        return Err(Failure::failed(DisposeError::AlreadyDisposed(id)));
    }
    let until = view.retain_until();
    let until_text = until.map_or_else(
        || "the facility's end-of-service event".to_owned(),
        |d| d.to_string(),
    );
    match registry.disposable(id, at) {
        Ok(()) => {}
        Err(DisposeError::Retained { why, .. }) => {
            return Err(retained(&view, &why, at, args.json)?);
        }
        Err(e) => return Err(dispose_failure(e)),
    }
    let (Some(reason), Some(by)) = (&args.reason, &args.by) else {
        return Err(Failure::usage(format!(
            "document {id} may be disposed of (retention ended on {until_text}, no holds): \
             disposal needs --reason and --by"
        )));
    };
    let disposal = registry
        .dispose(id, reason, by, at)
        .map_err(dispose_failure)?;
    if args.json {
        println!("{}", pretty(&disposal_json(&view, &disposal))?);
    } else {
        println!("disposed of document {id} (retention ended on {until_text})");
        for (version, tombstone) in &disposal.tombstones {
            println!("{}", tombstone_line(*version, tombstone));
        }
    }
    Ok(())
}

/// The refusal of a deletion (exit 3): retain-until and the active holds.
fn retained(
    view: &DocumentView,
    why: &Retained,
    at: Timestamp,
    json: bool,
) -> Result<Failure, Failure> {
    let (reason, value) = retention_refusal(view, why, at).map_err(Failure::failed)?;
    if json {
        println!("{}", pretty(&value)?);
    }
    Ok(Failure::refused(reason))
}

/// Why a retained or held document is not deleted, and the same as JSON (`id`,
/// `deleted: false`, `retained` — whether the retention period still runs — `retainUntil`,
/// `holds`, `reason`). The CLI and the API give the same.
pub(crate) fn retention_refusal(
    view: &DocumentView,
    why: &Retained,
    at: Timestamp,
) -> Result<(String, Value), String> {
    let id = view.id;
    let until = view.retain_until();
    let until_text = until.map_or_else(
        || "the facility's end-of-service event".to_owned(),
        |d| d.to_string(),
    );
    let today = at.to_zoned(astana().map_err(|e| e.to_string())?).date();
    // Only the holds keep a document whose retention has passed.
    let running = until.is_none_or(|date| date >= today);
    let class = &view.record.class;
    let holds = holds_text(view);
    let reason = if running || !matches!(why, Retained::Held(_)) {
        format!(
            "document {id} is retained until {until_text} (class {class}); holds: {holds}; a \
             retained document is never deleted"
        )
    } else {
        format!(
            "document {id} is held (retention ended on {until_text}, class {class}); holds: \
             {holds}; a held document is never deleted"
        )
    };
    let value = json!({
        "id": id.to_string(),
        "deleted": false,
        "retained": running,
        "retainUntil": until.map(|d| d.to_string()),
        "holds": active_holds(view)
            .iter()
            .map(|(number, event)| hold_json(*number, event))
            .collect::<Vec<_>>(),
        "reason": reason,
    });
    Ok((reason, value))
}

/// A disposal as JSON: `id`, `deleted: true`, `retainUntil`, `tombstones`.
pub(crate) fn disposal_json(view: &DocumentView, disposal: &Disposal) -> Value {
    json!({
        "id": view.id.to_string(),
        "deleted": true,
        "retainUntil": view.retain_until().map(|d| d.to_string()),
        "tombstones": disposal
            .tombstones
            .iter()
            .map(|(version, tombstone)| tombstone_json(*version, tombstone))
            .collect::<Vec<_>>(),
    })
}

fn dispose_failure(e: DisposeError) -> Failure {
    match e {
        e @ DisposeError::Retained { .. } => Failure::refused(e),
        DisposeError::Change(e) => change_failure(e),
        e => Failure::failed(e),
    }
}

/// A refused change: bad text or a bad expectation is bad usage, the rest a failure.
pub(super) fn change_failure(e: ChangeError) -> Failure {
    match e {
        e @ (ChangeError::Text(_)
        | ChangeError::Register(
            RegisterError::NoSignature
            | RegisterError::ObjectNumber(_)
            | RegisterError::Expectation(_),
        )) => Failure::usage(e),
        e => Failure::failed(e),
    }
}

/// A reason (`--reason`): 1 to 1000 characters, no control characters but line breaks (the
/// vault's rule, checked before anything is opened).
pub(super) fn check_reason(flag: &str, text: &str) -> Result<(), Failure> {
    check_text(flag, text, false)
}

/// A name (`--by`, `--auditor`): 1 to 1000 characters on one line (it is a line of the audit
/// entry).
pub(super) fn check_name(flag: &str, text: &str) -> Result<(), Failure> {
    check_text(flag, text, true)
}

/// The vault's rule for reasons and names (`records::check_text`), as a usage error.
fn check_text(flag: &str, text: &str, one_line: bool) -> Result<(), Failure> {
    let what = if one_line { "the name" } else { "the reason" };
    qoima_vault::records::check_text(what, text).map_err(|_| {
        Failure::usage(if one_line {
            format!("{flag} must be 1 to 1000 characters on one line, without control characters")
        } else {
            format!(
                "{flag} must be 1 to 1000 characters, without control characters other than \
                 line breaks"
            )
        })
    })
}

/// An 18-digit construction object number, or bad usage.
pub(super) fn check_object(what: &str, object: &str) -> Result<(), Failure> {
    if object.len() == 18 && object.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Failure::usage(format!(
            "{what} {object:?}: a construction object number is 18 digits"
        )))
    }
}

/// Whether document `id` was disposed of.
fn is_disposed(registry: &Registry, id: DocumentId) -> Result<bool, Failure> {
    registry
        .is_disposed(id)
        .map_err(|e| Failure::failed(format!("cannot read document {id}: {e}")))
}

/// Refuses (exit 1) to change a document that was disposed of.
pub(super) fn refuse_disposed(registry: &Registry, id: DocumentId) -> Result<(), Failure> {
    if is_disposed(registry, id)? {
        return Err(Failure::failed(format!("document {id} was disposed of")));
    }
    Ok(())
}

fn tombstone_json(version: u32, tombstone: &Tombstone) -> Value {
    json!({
        "version": version,
        "address": ContentAddress(tombstone.content).to_string(),
        "contentRemoved": tombstone.content_removed,
        "retainedUntil": tombstone.retained_until,
        "reason": tombstone.reason,
        "by": tombstone.by,
        "disposedAt": rfc3339(tombstone.at),
    })
}

fn tombstone_line(version: u32, tombstone: &Tombstone) -> String {
    format!(
        "version {version}: content {} {} (retained until {}); disposed of at {} by {}: {}",
        ContentAddress(tombstone.content),
        if tombstone.content_removed {
            "removed"
        } else {
            "kept: another document uses it"
        },
        tombstone.retained_until,
        rfc3339(tombstone.at),
        tombstone.by,
        one_line(&tombstone.reason)
    )
}

/// The holds placed and not released, with their events.
pub(crate) fn active_holds(view: &DocumentView) -> Vec<(u32, &Event)> {
    view.active_holds()
        .filter_map(|(number, _)| {
            view.events
                .iter()
                .find(|(n, _)| *n == number)
                .map(|(n, event)| (*n, event))
        })
        .collect()
}

/// `none`, or each active hold: `3 ("reason", by NAME)`.
pub(crate) fn holds_text(view: &DocumentView) -> String {
    let holds: Vec<String> = active_holds(view)
        .into_iter()
        .map(|(number, event)| match event {
            Event::HoldPlaced { reason, by, .. } => format!("{number} ({reason:?}, by {by})"),
            _ => number.to_string(),
        })
        .collect();
    if holds.is_empty() {
        "none".to_owned()
    } else {
        holds.join(", ")
    }
}

/// An active hold as JSON: its number (for `hold release --hold`), reason, who and when.
pub(crate) fn hold_json(number: u32, event: &Event) -> Value {
    let mut json = event_json(number, event);
    if let Some(fields) = json.as_object_mut() {
        fields.remove("event");
        fields.remove("kind");
        fields.insert("hold".to_owned(), number.into());
    }
    json
}

fn event_json(number: u32, event: &Event) -> Value {
    let mut json = json!({
        "event": number,
        "kind": event.kind(),
        "at": rfc3339(event.at()),
    });
    let extra = match event {
        Event::HoldPlaced { reason, by, .. } => json!({ "reason": reason, "by": by }),
        Event::HoldReleased {
            hold, reason, by, ..
        } => json!({ "hold": hold, "reason": reason, "by": by }),
        Event::RetentionExtended {
            until, reason, by, ..
        } => json!({ "until": until, "reason": reason, "by": by }),
        Event::Annulled {
            version,
            by_version,
            ..
        } => json!({ "version": version, "byVersion": by_version }),
        Event::AuditorRead { by, what, .. } => json!({ "by": by, "what": what }),
    };
    merge(&mut json, extra);
    json
}

fn event_line(number: u32, event: &Event) -> String {
    let what = match event {
        Event::HoldPlaced { reason, by, .. } => format!("by {by}: {}", one_line(reason)),
        Event::HoldReleased {
            hold, reason, by, ..
        } => format!("hold {hold}, by {by}: {}", one_line(reason)),
        Event::RetentionExtended {
            until, reason, by, ..
        } => format!("until {until}, by {by}: {}", one_line(reason)),
        Event::Annulled {
            version,
            by_version,
            ..
        } => format!("version {version} by version {by_version}"),
        Event::AuditorRead { by, what, .. } => format!("{what}, by {by}"),
    };
    format!("{number} {} {} {what}", event.kind(), rfc3339(event.at()))
}

/// A reason on one line of text output (line breaks shown as `\n`).
fn one_line(text: &str) -> String {
    text.replace('\n', "\\n")
}

fn document_retain_until_text(view: &DocumentView) -> String {
    match view.retain_until() {
        Some(date) => date.to_string(),
        None => "the facility's end-of-service event (not recorded yet), plus the class's tail"
            .to_owned(),
    }
}

/// The latest version of a document.
fn current(view: &DocumentView) -> Result<&VersionRecord, Failure> {
    view.versions
        .last()
        .ok_or_else(|| Failure::failed(format!("document {} has no version: damaged", view.id)))
}

/// A verification report as JSON.
fn report_value(report: &Report) -> Result<Value, Failure> {
    serde_json::to_value(report)
        .map_err(|e| Failure::failed(format!("cannot write the report: {e}")))
}

/// Parses a document id: a malformed one is bad usage.
pub(super) fn parse_id(text: &str) -> Result<DocumentId, Failure> {
    text.parse()
        .map_err(|e| Failure::usage(format!("{text:?} is not a document id: {e}")))
}

/// The document `id`, or "no document" (exit 1).
pub(super) fn document(registry: &Registry, id: DocumentId) -> Result<DocumentView, Failure> {
    registry
        .document(id)
        .map_err(|e| Failure::failed(format!("cannot read document {id}: {e}")))?
        .ok_or_else(|| Failure::failed(format!("no document {id}")))
}

/// A version as JSON, with its stored report parsed.
pub(crate) fn version_json(version: &VersionRecord, annulled_by: Option<u32>) -> Value {
    let (reports, report_error) = match serde_json::from_slice::<Value>(&version.report) {
        Ok(reports) => (reports, None),
        Err(e) => (
            Value::Null,
            Some(format!("the stored report is not JSON: {e}")),
        ),
    };
    let mut json = json!({
        "version": version.version,
        "address": ContentAddress(version.content).to_string(),
        "length": version.length,
        "format": version.format,
        "registrationNumber": version.registration_number,
        "registrationDate": version.registration_date,
        "registeredAt": rfc3339(version.registered_at),
        "retainUntil": version.retain_until,
        "auditIndex": version.audit_index,
        "signatures": version.signatures.len(),
        "expected": {
            "iin": version.expected.iin,
            "bin": version.expected.bin,
            "roles": version.expected.roles,
        },
        "crls": version
            .crls
            .iter()
            .map(|a| ContentAddress(*a).to_string())
            .collect::<Vec<_>>(),
        "annulment": version.annulment.as_ref().map(|a| json!({
            "version": a.version,
            "reason": a.reason,
            "statement": String::from_utf8_lossy(&a.statement),
        })),
        "annulledBy": annulled_by,
        "filename": version.filename,
        "mediaType": version.media_type,
        "reports": reports,
    });
    if let Some(error) = report_error {
        json["reportError"] = Value::String(error);
    }
    json
}

fn print_version(version: &VersionRecord, annulled_by: Option<u32>) {
    println!("version {}", version.version);
    println!("  registration number: {}", version.registration_number);
    println!(
        "  registration date:   {} (submitted {})",
        version.registration_date,
        rfc3339(version.registered_at)
    );
    println!("  address:             {}", ContentAddress(version.content));
    println!(
        "  format:              {}, {} bytes",
        version.format, version.length
    );
    println!("  retain until:        {}", retain_until_text(version));
    println!("  audit entry:         {}", version.audit_index);
    match serde_json::from_slice::<Value>(&version.report) {
        Ok(reports) => {
            for (i, line) in report_lines(&reports).iter().enumerate() {
                println!("  signature {}:         {line}", i + 1);
            }
        }
        Err(e) => println!("  report:              unreadable ({e})"),
    }
    if let Some(annulment) = &version.annulment {
        println!(
            "  annuls version {}:    {}",
            annulment.version,
            one_line(&annulment.reason)
        );
    }
    if let Some(by) = annulled_by {
        println!("  annulled by version {by}");
    }
}

/// One line per stored report: the verdict and who signed.
fn report_lines(reports: &Value) -> Vec<String> {
    let Some(reports) = reports.as_array() else {
        return vec!["(not a list of reports)".to_owned()];
    };
    reports
        .iter()
        .map(|report| {
            let mut line = report["indication"].as_str().unwrap_or("?").to_owned();
            if let Some(sub) = report["subIndication"].as_str() {
                line = format!("{line} / {sub}");
            }
            for signer in report["signers"].as_array().into_iter().flatten() {
                let identity = &signer["identity"];
                let mut who: Vec<String> = Vec::new();
                if let Some(name) = identity["commonName"].as_str() {
                    who.push(name.to_owned());
                }
                if let Some(iin) = identity["iin"].as_str() {
                    who.push(format!("IIN {iin}"));
                }
                if let Some(bin) = identity["bin"].as_str() {
                    who.push(format!("BIN {bin}"));
                }
                if !who.is_empty() {
                    line = format!("{line}; {}", who.join(", "));
                }
            }
            line
        })
        .collect()
}

fn retain_until_text(version: &VersionRecord) -> String {
    version.retain_until.clone().unwrap_or_else(|| {
        "the facility's end-of-service event (not recorded yet), plus the class's tail".to_owned()
    })
}

/// Unix seconds as RFC 3339.
pub(super) fn rfc3339(seconds: i64) -> String {
    Timestamp::from_second(seconds).map_or_else(|_| seconds.to_string(), |t| t.to_string())
}

pub(super) fn pretty(json: &Value) -> Result<String, Failure> {
    serde_json::to_string_pretty(json)
        .map_err(|e| Failure::failed(format!("cannot write JSON: {e}")))
}

/// Adds the fields of `extra` (an object) to `json` (an object).
fn merge(json: &mut Value, extra: Value) {
    if let (Some(json), Value::Object(extra)) = (json.as_object_mut(), extra) {
        json.extend(extra);
    }
}

/// The file of signature `index`, for messages.
fn sig_name(files: &[PathBuf], index: usize) -> String {
    files
        .get(index)
        .map_or_else(|| "?".to_owned(), |p| p.display().to_string())
}
