//! `qoima doc register`, `show`, `versions` and `delete`: registered documents (issue 5).

use std::fs::File;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use jiff::Timestamp;
use jiff::civil::Date;
use qoima_vault::ContentAddress;
use qoima_vault::records::{
    Coverage, DocumentId, DocumentView, Participant, RegisterError, Registration, Registry,
    RetentionClass, VersionRecord, astana,
};
use qoima_verifier::identity::Expectation;
use serde_json::{Value, json};

use super::{Failure, config, open_registry};

#[derive(Debug, Subcommand)]
pub enum DocCommand {
    /// Register a signed document: store the content, verify the signatures (all must be
    /// TOTAL_PASSED), number, date and log it.
    Register(RegisterArgs),
    /// Show a document and its current version.
    Show(IdArgs),
    /// List a document's versions, oldest first.
    Versions(IdArgs),
    /// Delete a document: always refused (exit 3). Retained records are never deleted;
    /// disposal after retention is a separate operation, not available yet.
    Delete(IdArgs),
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// The document's content.
    #[arg(long, value_name = "FILE")]
    content: PathBuf,
    /// CMS signatures over the content (DER, BER, PEM or base64). At least one.
    #[arg(long, value_name = "FILE", required = true, num_args = 1..)]
    sig: Vec<PathBuf>,
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
    /// The IIN the signer must have (12 digits).
    #[arg(long, value_name = "IIN")]
    expect_iin: Option<String>,
    /// The BIN the signer's organisation must have (12 digits).
    #[arg(long, value_name = "BIN")]
    expect_bin: Option<String>,
    /// The submission instant, RFC 3339 (default: now): the signatures are verified at it and
    /// the registration date is computed from it.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct IdArgs {
    /// The document id (32 lowercase hex digits).
    id: String,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(dir: &Path, config: Option<&Path>, command: DocCommand) -> Result<(), Failure> {
    match command {
        DocCommand::Register(args) => register(dir, config, args),
        DocCommand::Show(args) => show(dir, config, args),
        DocCommand::Versions(args) => versions(dir, config, args),
        DocCommand::Delete(args) => delete(dir, config, args),
    }
}

fn register(dir: &Path, config: Option<&Path>, args: RegisterArgs) -> Result<(), Failure> {
    // Every usage check before anything is created or stored.
    let class: RetentionClass = args
        .class
        .parse()
        .map_err(|e| Failure::usage(format!("--class: {e}")))?;
    let participant = Participant::new(&args.participant)
        .map_err(|e| Failure::usage(format!("--participant {:?}: {e}", args.participant)))?;
    if let Some(object) = &args.object
        && !(object.len() == 18 && object.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Failure::usage(format!(
            "--object {object:?}: a construction object number is 18 digits"
        )));
    }
    let at = match &args.at {
        Some(text) => text
            .parse::<Timestamp>()
            .map_err(|e| Failure::usage(format!("--at {text:?} is not an RFC 3339 time: {e}")))?,
        None => Timestamp::now(),
    };
    let signatures = args
        .sig
        .iter()
        .map(|path| {
            std::fs::read(path)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let content = File::open(&args.content)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", args.content.display())))?;
    let expected = Expectation {
        iin: args.expect_iin.clone(),
        bin: args.expect_bin.clone(),
        roles: Vec::new(),
    };

    let settings = config::load(config)?;
    expected
        .validate(&settings.policy.ownership())
        .map_err(Failure::usage)?;
    let registry = open_registry(dir, settings, true)?;
    let address = registry.content().put(content)?.address;
    let mut registration =
        Registration::new(address, signatures, class, participant.clone(), at).expect(expected);
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
            let reason = format!(
                "not registered: signature {} ({}) is {verdict}",
                index + 1,
                sig_name(&args.sig, index)
            );
            if args.json {
                let json = json!({
                    "registered": false,
                    "error": reason,
                    "signature": index,
                    "verdict": verdict,
                    "reports": reports,
                });
                println!("{}", pretty(&json)?);
            } else {
                for (i, report) in reports.iter().enumerate() {
                    println!("signature {} ({}):", i + 1, sig_name(&args.sig, i));
                    print!("{report}");
                }
            }
            return Err(Failure::failed(reason));
        }
        Err(
            e @ (RegisterError::NoSignature
            | RegisterError::ObjectNumber(_)
            | RegisterError::Expectation(_)),
        ) => return Err(Failure::usage(e)),
        Err(e) => return Err(Failure::failed(format!("not registered: {e}"))),
    };

    let version = &registered.version;
    if args.json {
        let mut json = json!({
            "registered": true,
            "id": registered.id.to_string(),
            "class": class.name(),
            "participant": participant.as_str(),
            "objectNumber": args.object,
            "dateCoverage": registered.coverage.name(),
        });
        merge(&mut json, version_json(version, None));
        // The reports as the engine gave them (the stored copy says the same).
        json["reports"] = serde_json::to_value(&registered.reports)
            .map_err(|e| Failure::failed(format!("cannot write the report: {e}")))?;
        println!("{}", pretty(&json)?);
    } else {
        println!("id:                  {}", registered.id);
        println!("version:             {}", version.version);
        println!("address:             {}", ContentAddress(version.content));
        println!(
            "format:              {}, {} bytes",
            version.format, version.length
        );
        println!("class:               {}", class.name());
        println!("participant:         {participant}");
        if let Some(object) = &args.object {
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
            println!("signature {} ({}):", i + 1, sig_name(&args.sig, i));
            print!("{report}");
        }
    }
    Ok(())
}

fn show(dir: &Path, config: Option<&Path>, args: IdArgs) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    let registry = open_registry(dir, config::load(config)?, false)?;
    let view = document(&registry, id)?;
    let current = view
        .versions
        .last()
        .ok_or_else(|| Failure::failed(format!("document {id} has no version: damaged")))?;
    let record = &view.record;
    if args.json {
        let json = json!({
            "id": id.to_string(),
            "class": record.class,
            "participant": record.participant,
            "objectNumber": record.object_number,
            "createdAt": rfc3339(record.created_at),
            "versions": view.versions.len(),
            "current": version_json(current, annulled_by(&view, current)),
            "holds": [],
        });
        println!("{}", pretty(&json)?);
    } else {
        println!("id:                  {id}");
        println!("class:               {}", record.class);
        println!("participant:         {}", record.participant);
        if let Some(object) = &record.object_number {
            println!("object number:       {object}");
        }
        println!("created:             {}", rfc3339(record.created_at));
        println!("versions:            {}", view.versions.len());
        println!("holds:               none");
        println!("current version:");
        print_version(current, annulled_by(&view, current));
    }
    Ok(())
}

fn versions(dir: &Path, config: Option<&Path>, args: IdArgs) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    let registry = open_registry(dir, config::load(config)?, false)?;
    let view = document(&registry, id)?;
    if args.json {
        let versions: Vec<Value> = view
            .versions
            .iter()
            .map(|v| version_json(v, annulled_by(&view, v)))
            .collect();
        let json = json!({ "id": id.to_string(), "versions": versions });
        println!("{}", pretty(&json)?);
    } else {
        for version in &view.versions {
            print_version(version, annulled_by(&view, version));
        }
    }
    Ok(())
}

/// Always refused: exit 3 while retained, and exit 3 after retention too, since disposal is
/// its own operation (not available yet) and no other path deletes anything.
fn delete(dir: &Path, config: Option<&Path>, args: IdArgs) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    let registry = open_registry(dir, config::load(config)?, false)?;
    let view = document(&registry, id)?;
    let today = Timestamp::now()
        .to_zoned(astana().map_err(Failure::failed)?)
        .date();
    // The document is retained while any of its versions is.
    let mut until: Option<Date> = Some(Date::MIN);
    for version in &view.versions {
        match &version.retain_until {
            None => until = None,
            Some(text) => {
                let date: Date = text.parse().map_err(|e| {
                    Failure::failed(format!(
                        "document {id} version {}: retain-until {text:?} is not a date: {e}",
                        version.version
                    ))
                })?;
                until = until.map(|u| u.max(date));
            }
        }
    }
    let retained = until.is_none_or(|date| date >= today);
    let until_text = until.map_or_else(
        || "the facility's end-of-service event".to_owned(),
        |d| d.to_string(),
    );
    let reason = if retained {
        format!(
            "document {id} is retained until {until_text} (class {}); holds: none; a retained \
             document is never deleted",
            view.record.class
        )
    } else {
        format!(
            "document {id}: retention ended on {until_text}; holds: none; records are not \
             deleted directly: disposal is a separate operation, not available yet"
        )
    };
    if args.json {
        let json = json!({
            "id": id.to_string(),
            "deleted": false,
            "retained": retained,
            "retainUntil": until.map(|d| d.to_string()),
            "holds": [],
            "reason": reason,
        });
        println!("{}", pretty(&json)?);
    }
    Err(Failure::refused(reason))
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

/// The version of `view` that annuls `version`, if any.
fn annulled_by<'a>(view: &'a DocumentView, version: &VersionRecord) -> Option<&'a VersionRecord> {
    view.versions.iter().find(|v| {
        v.annulment
            .as_ref()
            .is_some_and(|a| a.version == version.version)
    })
}

/// A version as JSON, with its stored report parsed.
fn version_json(version: &VersionRecord, annulled_by: Option<&VersionRecord>) -> Value {
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
        })),
        "annulledBy": annulled_by.map(|v| v.version),
        "reports": reports,
    });
    if let Some(error) = report_error {
        json["reportError"] = Value::String(error);
    }
    json
}

fn print_version(version: &VersionRecord, annulled_by: Option<&VersionRecord>) {
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
            annulment.version, annulment.reason
        );
    }
    if let Some(by) = annulled_by {
        println!("  annulled by version {}", by.version);
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
