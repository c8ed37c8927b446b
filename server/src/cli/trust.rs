//! `qoima trust import FILE…`: CRLs or OCSP responses (DER) brought by hand to a vault
//! without outbound access (`docs/revocation.md`). With `--server`, through a running
//! server's `POST /v1/revocation` (the server holds the vault; it checks, keeps and lists them
//! and puts them in force at once, every other node of the vault within
//! `shared-cache-seconds`); without, on the vault itself while no server runs: checked by the
//! verifier of `--config`, kept as content and listed in the record store, so that the next
//! `qoima serve` puts them in force. Every file is checked before any is kept: one refused,
//! nothing is stored.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use clap::{Args, Subcommand};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use qoima_verifier::path::Certificate;

use qoima_vault::records::Actor;

use super::{Failure, config, open_registry};
use crate::imports;

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Import CRLs or OCSP responses (DER; which one is read from the file): checked against
    /// the trust store, kept as content, put in force (a running server) or at the next start
    /// of `qoima serve`.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The files: DER CRLs or OCSP responses.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// A running server (http://host:port): import through its API, as an admin.
    #[arg(long, value_name = "URL")]
    server: Option<String>,
    /// The file holding the admin API key (with `--server`).
    #[arg(long, value_name = "FILE", requires = "server")]
    key_file: Option<PathBuf>,
    /// Who imports them, as the audit log names them (on the vault itself; through a server,
    /// the admin key).
    #[arg(
        long,
        value_name = "NAME",
        default_value = "operator",
        conflicts_with = "server"
    )]
    by: Actor,
}

pub(crate) fn run(dir: &Path, config: Option<&Path>, command: TrustCommand) -> Result<(), Failure> {
    match command {
        TrustCommand::Import(args) => import(dir, config, args),
    }
}

fn import(dir: &Path, config: Option<&Path>, args: ImportArgs) -> Result<(), Failure> {
    let files = args
        .files
        .iter()
        .map(|path| {
            std::fs::read(path)
                .map(|der| (path, der))
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    match args.server {
        Some(server) => {
            let key_file = args
                .key_file
                .ok_or_else(|| Failure::usage("--server needs --key-file (an admin key)"))?;
            let key = std::fs::read_to_string(&key_file)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", key_file.display())))?;
            through_server(&server, key.trim(), &files)
        }
        None => on_the_vault(dir, config, &files, &args.by),
    }
}

/// Checks every file, then keeps and lists each.
fn on_the_vault(
    dir: &Path,
    config: Option<&Path>,
    files: &[(&PathBuf, Vec<u8>)],
    by: &Actor,
) -> Result<(), Failure> {
    let settings = config::load(config)?;
    let cas: Vec<Arc<Certificate>> = settings
        .ca_certificates
        .iter()
        .filter_map(|der| Certificate::from_der(der).ok())
        .map(Arc::new)
        .collect();
    let registry = open_registry(dir, settings, false).map_err(|mut e| {
        e.message
            .push_str(" (while qoima serve runs, import through it: --server URL --key-file FILE)");
        e
    })?;
    // The list an older build kept in the data directory first, as `qoima serve` does.
    imports::take_over(&registry, dir)
        .map_err(|e| Failure::failed(format!("the imported revocation data: {e}")))?;
    let verifier = registry.verifier();
    let now = jiff::Timestamp::now().as_second();
    let mut checked = Vec::new();
    for (path, der) in files {
        let one = imports::check(der, &verifier, &cas, now)
            .map_err(|e| Failure::failed(format!("{}: not imported: {e}", path.display())))?;
        checked.push((path, one));
    }
    for (path, one) in checked {
        let listed = imports::keep(&registry, &one, by)
            .map_err(|e| Failure::failed(format!("{}: {e}", path.display())))?;
        let listed = match listed {
            Some(sequence) => format!("listed as import {sequence}"),
            None => "listed already".to_owned(),
        };
        println!(
            "imported {} {} ({}): {listed}; in force from the next start of qoima serve",
            one.kind.name(),
            one.address,
            path.display()
        );
    }
    Ok(())
}

/// `POST /v1/revocation` of each file, in order; the first refusal stops (those before it are
/// in force).
fn through_server(server: &str, key: &str, files: &[(&PathBuf, Vec<u8>)]) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(format!("cannot start the runtime: {e}")))?;
    let url = format!("{}/v1/revocation", server.trim_end_matches('/'));
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    runtime.block_on(async {
        for (path, der) in files {
            let body = serde_json::json!({
                "der": base64::engine::general_purpose::STANDARD.encode(der),
            });
            let request = hyper::Request::post(&url)
                .header("authorization", format!("Bearer {key}"))
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(body.to_string())))
                .map_err(|e| Failure::usage(format!("--server {server}: {e}")))?;
            let response = client
                .request(request)
                .await
                .map_err(|e| Failure::failed(format!("{url}: {e}")))?;
            let status = response.status();
            let text = response
                .into_body()
                .collect()
                .await
                .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
                .map_err(|e| Failure::failed(format!("{url}: {e}")))?;
            if !status.is_success() {
                let detail = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v["detail"].as_str().map(str::to_owned))
                    .unwrap_or(text);
                return Err(Failure::failed(format!(
                    "{}: HTTP {}: {detail}",
                    path.display(),
                    status.as_u16()
                )));
            }
            println!("{text}");
        }
        Ok(())
    })
}
