//! `qoima keys create`, `list` and `revoke`: the API keys of the HTTP API. A key's
//! token is printed once, by `create`; the vault keeps only its secret's SHA-256. Creations and
//! revocations are in the audit log, made by the operator (`--by`).

use std::path::Path;

use clap::{Args, Subcommand, ValueEnum};
use jiff::Timestamp;
use qoima_vault::keys::{self, KeyError, KeyId, NewKey, Role};
use qoima_vault::records::{Actor, Participant};
use serde_json::json;

use super::doc::pretty;
use super::{Failure, config, existing_store, open_registry};
use crate::representation::{Key, rfc3339};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print its token (shown this once: the vault keeps only its hash).
    Create(CreateArgs),
    /// List the keys: id, role, name, BIN, participant, creation and revocation (never
    /// secrets).
    List(ListArgs),
    /// Revoke a key: it authenticates no more (exit 1 if unknown or already revoked).
    Revoke(RevokeArgs),
}

/// The roles, as the command line spells them.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// Registers documents and reads them.
    Writer,
    /// Reads documents.
    Reader,
    /// Reads everything, places and releases holds, gets audit proofs.
    Auditor,
    /// Manages keys and calendars.
    Admin,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Writer => Role::Writer,
            RoleArg::Reader => Role::Reader,
            RoleArg::Auditor => Role::Auditor,
            RoleArg::Admin => Role::Admin,
        }
    }
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// What the key may do.
    #[arg(long, value_enum)]
    role: RoleArg,
    /// A name for people (1 to 100 characters, no control characters).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// The BIN (12 digits) of the organisation the key is issued to: the key registers only
    /// documents whose signer meets it.
    #[arg(long, value_name = "BIN")]
    bin: Option<String>,
    /// The participant whose numbering the key registers under (and no other's).
    #[arg(long, value_name = "PARTICIPANT")]
    participant: Option<Participant>,
    /// Every mutating request made with the key must be a CMS-signed envelope whose signer's
    /// BIN is the key's (needs `--bin`).
    #[arg(long, requires = "bin")]
    require_signed: bool,
    /// Who creates it, as the audit log names them.
    #[arg(long, value_name = "NAME", default_value = "operator")]
    by: Actor,
    /// Print one JSON object: `key` (the token), `id`, `role`.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print a JSON array.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The key's id (16 lowercase hex digits, as `keys list` shows it).
    id: String,
    /// Who revokes it, as the audit log names them.
    #[arg(long, value_name = "NAME", default_value = "operator")]
    by: Actor,
}

pub fn run(dir: &Path, config: Option<&Path>, command: KeysCommand) -> Result<(), Failure> {
    match command {
        KeysCommand::Create(args) => create(dir, config, args),
        KeysCommand::List(args) => list(dir, config, args),
        KeysCommand::Revoke(args) => revoke(dir, config, args),
    }
}

fn create(dir: &Path, config: Option<&Path>, args: CreateArgs) -> Result<(), Failure> {
    // Checked before the vault is opened (or created).
    if let Some(name) = &args.name {
        keys::check_name(name).map_err(|e| Failure::usage(format!("--name: {e}")))?;
    }
    if let Some(bin) = &args.bin {
        keys::check_bin(bin).map_err(|e| Failure::usage(format!("--bin: {e}")))?;
    }
    // Of the configuration, keys need only the storage it names.
    let registry = open_registry(dir, config::load(config)?, true)?;
    let role = Role::from(args.role);
    let new = NewKey {
        role,
        name: args.name,
        bin: args.bin,
        participant: args.participant,
        require_signed: args.require_signed,
    };
    let (id, token) = registry
        .create_key(&new, &args.by, Timestamp::now())
        .map_err(failure)?;
    if args.json {
        let json = json!({"key": token, "id": id.to_string(), "role": role.as_str()});
        println!("{}", pretty(&json)?);
    } else {
        println!("{token}");
    }
    Ok(())
}

fn list(dir: &Path, config: Option<&Path>, args: ListArgs) -> Result<(), Failure> {
    let store = existing_store(dir, config)?;
    let keys = keys::list(store.backend()).map_err(failure)?;
    if args.json {
        let json: Vec<Key> = keys.iter().map(Key::new).collect();
        println!("{}", pretty(&json)?);
        return Ok(());
    }
    for key in &keys {
        let mut line = format!(
            "{}  {:<7}  created {}",
            key.id,
            key.role.as_str(),
            rfc3339(key.created_at)
        );
        if let Some(revoked) = key.revoked_at {
            line.push_str(&format!("  revoked {}", rfc3339(revoked)));
        }
        if let Some(bin) = &key.bin {
            line.push_str(&format!("  BIN {bin}"));
        }
        if let Some(participant) = &key.participant {
            line.push_str(&format!("  participant {participant}"));
        }
        if key.require_signed {
            line.push_str("  signed requests");
        }
        if let Some(name) = &key.name {
            line.push_str(&format!("  {name}"));
        }
        println!("{line}");
    }
    Ok(())
}

fn revoke(dir: &Path, config: Option<&Path>, args: RevokeArgs) -> Result<(), Failure> {
    let id: KeyId = args
        .id
        .parse()
        .map_err(|e| Failure::usage(format!("{:?}: {e}", args.id)))?;
    let registry = open_registry(dir, config::load(config)?, false)?;
    registry
        .revoke_key(id, &args.by, Timestamp::now())
        .map_err(failure)?;
    println!("API key {id} revoked");
    Ok(())
}

fn failure(e: KeyError) -> Failure {
    match e {
        KeyError::BadName | KeyError::BadBin => Failure::usage(e),
        e => Failure::failed(e),
    }
}
