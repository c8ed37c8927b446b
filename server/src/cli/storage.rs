//! `qoima storage init` and `qoima storage check`: the distributed backend's PostgreSQL schema
//! and S3 bucket, made ready or checked before any node uses them (`docs/storage.md`).

use std::path::Path;

use clap::{Args, Subcommand};
use qoima_vault::audit::log::AuditLog;
use qoima_vault::storage::postgres::{PostgresMeta, PostgresOptions};
use qoima_vault::storage::s3::{BucketInit, S3Chunks};

use super::{Failure, bucket_failure, s3_config, storage_settings};
use crate::config::{SharedStorage, StorageSettings, vault_role};

#[derive(Debug, Subcommand)]
pub enum StorageCommand {
    /// Create or migrate the PostgreSQL schema and give the vault's role its rights; create
    /// the S3 bucket with Object Lock when it is missing; then prove that the bucket refuses
    /// to delete a locked object. Safe to run again.
    Init(InitArgs),
    /// Check, creating nothing, that the schema is at this build's version and that the
    /// bucket has Object Lock and versioning.
    Check,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The connection string of the schema's owner, who creates and migrates it; the
    /// configured `[storage] postgres` is the vault's role, which gets the vault's rights.
    #[arg(
        long,
        env = "QOIMA_POSTGRES_OWNER_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    owner_url: String,
}

pub fn run(config: Option<&Path>, command: StorageCommand) -> Result<(), Failure> {
    let StorageSettings::PostgresS3(shared) = storage_settings(config)? else {
        return Err(Failure::usage(
            "qoima storage works on [storage] backend = \"postgres-s3\" (the embedded RocksDB \
             vault is created in the data directory by its first command)",
        ));
    };
    match command {
        StorageCommand::Init(args) => init(&shared, &args),
        StorageCommand::Check => check(&shared),
    }
}

fn init(shared: &SharedStorage, args: &InitArgs) -> Result<(), Failure> {
    let role = vault_role(&shared.postgres).map_err(Failure::usage)?;
    if vault_role(&args.owner_url).ok().as_deref() == Some(role.as_str()) {
        return Err(Failure::usage(format!(
            "--owner-url: the owner must not be the vault's role {role:?} of [storage] postgres: \
             an owner may switch off the write-once triggers"
        )));
    }
    // The credentials are checked before anything is created.
    let s3 = s3_config(shared)?;
    let applied = PostgresMeta::init(&args.owner_url, &role, &PostgresOptions::default())
        .map_err(|e| Failure::failed(format!("cannot prepare the PostgreSQL schema: {e}")))?;
    if applied.is_empty() {
        println!("PostgreSQL: schema qoima is current, no migration applied");
    } else {
        let versions: Vec<String> = applied.iter().map(i32::to_string).collect();
        println!(
            "PostgreSQL: schema qoima migrated, version{} {} applied",
            if applied.len() == 1 { "" } else { "s" },
            versions.join(", ")
        );
    }
    println!(
        "PostgreSQL: role {role} may read and insert records and delete manifests, nothing else"
    );
    // The vault's own connection must work too, and see the schema at this build's version.
    PostgresMeta::connect(&shared.postgres, &PostgresOptions::default()).map_err(|e| {
        Failure::failed(format!(
            "the vault's connection ([storage] postgres) after the migration: {e}"
        ))
    })?;
    let (_, outcome) = S3Chunks::init(&s3).map_err(|e| bucket_failure(&s3, &e))?;
    match outcome {
        BucketInit::Created => println!("S3: bucket {} created with Object Lock", s3.bucket),
        _ => println!("S3: bucket {} exists, with Object Lock", s3.bucket),
    }
    println!(
        "S3: versioning Enabled; a test object locked in COMPLIANCE mode refused its deletion"
    );
    Ok(())
}

fn check(shared: &SharedStorage) -> Result<(), Failure> {
    let s3 = s3_config(shared)?;
    let meta = PostgresMeta::connect(&shared.postgres, &PostgresOptions::default())
        .map_err(|e| Failure::failed(format!("PostgreSQL: {e} (run `qoima storage init`)")))?;
    let entries = AuditLog::open(&meta)
        .map_err(|e| Failure::failed(format!("PostgreSQL: the audit log: {e}")))?
        .size();
    println!("PostgreSQL: schema qoima at this build's version; audit log of {entries} entries");
    S3Chunks::open(&s3).map_err(|e| bucket_failure(&s3, &e))?;
    println!(
        "S3: bucket {} has Object Lock and versioning Enabled",
        s3.bucket
    );
    Ok(())
}
