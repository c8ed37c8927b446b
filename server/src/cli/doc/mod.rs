//! `qoima doc register`, `new-version`, `statement`, `show`, `versions`, `find`, `retain`,
//! `delete` and `export`: registered documents.

mod checks;
mod delete;
mod export;
mod lookup;
mod register;
mod render;
mod retain;
mod show;

use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args, Subcommand};
use qoima_vault::records::{Actor, DatingMode, ObjectNumber, Reason};

use super::Failure;

pub(super) use checks::{change_failure, parse_id};
pub(super) use lookup::{document, refuse_disposed};
pub(super) use render::pretty;

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
    /// Print the disposal statement of a document: the exact bytes the disposal act of
    /// `doc delete` must sign.
    DisposalStatement(DisposalStatementArgs),
    /// Delete a document: refused (exit 3) while retained or held; after retention, without
    /// holds, disposes of it (with --reason, --act and --by): its content is removed and
    /// tombstones are left.
    Delete(DeleteArgs),
    /// Write the auditor's offline bundle of a document: every version's content, signatures,
    /// certificates, CRLs, records, audit entries with inclusion proofs and a signed checkpoint
    /// (`qoima bundle verify` checks it; the export is logged as an auditor's read).
    Export(export::ExportArgs),
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
    object: Option<ObjectNumber>,
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
    /// How the rules in force date it: `submission` (default) or `during-review` (order 670
    /// §18, §46: the day of certification; from 2026-07-01 order 253 §36 dates both by the date
    /// of receipt). See docs/rules.md.
    #[arg(long, value_name = "MODE", default_value = "submission")]
    dating: DatingMode,
    /// Who submits it, recorded with the version and named by its audit entry.
    #[arg(long, value_name = "NAME", default_value = "operator")]
    by: Actor,
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
    /// for this content (detached or with the statement inside), by the sender recorded for
    /// the version it annuls.
    #[arg(long, value_name = "FILE")]
    annulment: PathBuf,
    /// Why the latest version is annulled: the reason the statement names.
    #[arg(long, value_name = "TEXT")]
    reason: Reason,
}

#[derive(Debug, Args)]
pub struct StatementArgs {
    /// The document id (32 lowercase hex digits).
    id: String,
    /// Why the latest version is to be annulled (the same text goes to `doc new-version`).
    #[arg(long, value_name = "TEXT")]
    reason: Reason,
    /// The new content that replaces it (the statement names its SHA-256).
    #[arg(long, value_name = "FILE")]
    content: PathBuf,
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
    auditor: Option<Actor>,
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
    object: Option<ObjectNumber>,
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
    reason: Reason,
    /// Who extends it.
    #[arg(long, value_name = "NAME")]
    by: Actor,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct DisposalStatementArgs {
    /// The document id (32 lowercase hex digits).
    id: String,
    /// Why it is to be disposed of (the same text goes to `doc delete`).
    #[arg(long, value_name = "TEXT")]
    reason: Reason,
    /// Write the statement to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The document id (32 lowercase hex digits).
    id: String,
    /// Why it is disposed of (required for a disposal).
    #[arg(long, value_name = "TEXT")]
    reason: Option<Reason>,
    /// The disposal act (required for a disposal): a CMS signature over the statement
    /// `qoima doc disposal-statement` prints for the same reason, by a disposal officer the
    /// configuration names.
    #[arg(long, value_name = "FILE")]
    act: Option<PathBuf>,
    /// Who disposes of it (required for a disposal).
    #[arg(long, value_name = "NAME")]
    by: Option<Actor>,
    /// The instant of the disposal, RFC 3339 (default: now): retention is judged at it and it
    /// is recorded in the tombstones and the audit log. Never later than the vault's clock,
    /// nor before the audit log's last entry.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(dir: &Path, config: Option<&Path>, command: DocCommand) -> Result<(), Failure> {
    match command {
        DocCommand::Register(args) => register::register(dir, config, args),
        DocCommand::Statement(args) => register::statement(dir, config, args),
        DocCommand::NewVersion(args) => register::new_version(dir, config, args),
        DocCommand::Show(args) => show::show(dir, config, args),
        DocCommand::Versions(args) => show::versions(dir, config, args),
        DocCommand::Find(args) => show::find(dir, config, args),
        DocCommand::Retain(args) => retain::retain(dir, config, args),
        DocCommand::DisposalStatement(args) => delete::statement(dir, config, args),
        DocCommand::Delete(args) => delete::delete(dir, config, args),
        DocCommand::Export(args) => export::export(dir, config, args),
    }
}
