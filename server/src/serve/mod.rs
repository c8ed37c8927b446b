//! `qoima serve`: the configuration and the vault, opened as the command line opens them,
//! handed to the HTTP API.

mod allocator;
mod logging;
mod memory;

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::Path;

use clap::Args;

use qoima_vault::keys::KeyCache;
use qoima_vault::storage::engine::Engine;
use qoima_vault::uploads::{DistributedUploads, UploadConfig, UploadStore};

use crate::cli::{Failure, audit_signer, keep_crls, open_registry};
use crate::config::{self, ServerSettings, StorageSettings};
use crate::http::signed::{DEFAULT_WINDOW, ReplayGuard};
use crate::http::{self, AppState};
use logging::LogSettings;

/// The address when neither `--listen`, `QOIMA_SERVER_LISTEN` nor `[server] listen` gives one:
/// this machine only, so that a first run exposes nothing.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080));

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port) [default: `QOIMA_SERVER_LISTEN`, else
    /// `[server] listen` of `--config`, else 127.0.0.1:8080].
    #[arg(long)]
    listen: Option<SocketAddr>,
}

pub fn serve(dir: &Path, config: Option<&Path>, args: ServeArgs) -> Result<(), Failure> {
    // Before any thread starts: the arenas are taken by the threads' first allocations.
    let allocator = allocator::tune();
    logging::init(LogSettings::from_process()?);
    tracing::debug!(
        mmap_threshold = ?allocator.mmap_threshold,
        arena_max = ?allocator.arena_max,
        "allocator"
    );
    let mut config = config::load(config)?;
    let settings = server_settings(
        std::mem::take(&mut config.server),
        args.listen,
        config::process_env,
    )?;
    let listen = settings.listen.unwrap_or(DEFAULT_LISTEN);
    // The configured CRLs are kept as content, so that every registration's evidence
    // references those its verdict used (`Registry::keep_crls`).
    let crls = std::mem::take(&mut config.crls);
    let backoff = crate::fetch::Backoff {
        base: config.revocation.retry_base,
        cap: config.revocation.retry_cap,
    };
    // Registrations ask the OCSP responders of their certificates (`ocsp`), unless fetching
    // or OCSP is off.
    let ocsp = if config.revocation.fetch {
        crate::ocsp::OcspClient::new(&config.revocation.ocsp, backoff, &config.ca_certificates)
    } else {
        None
    };
    let ca_certificates = http::revocation::ca_certificates(&config.ca_certificates);
    let sources = crate::refresh::Sources {
        ca_certificates: std::mem::take(&mut config.ca_certificates),
        files: crls.clone(),
        settings: std::mem::take(&mut config.revocation),
    };
    // On a store that other nodes share, API keys' revocations and the list of imported
    // revocation data are read again after this long: the bound on how long a key revoked
    // (or a certificate revoked by an import) through another node is still accepted here.
    let shared_cache = match &config.storage {
        StorageSettings::PostgresS3(shared) => Some(shared.shared_cache),
        _ => None,
    };
    let registry = open_registry(dir, config, true)?;
    keep_crls(&registry, &crls)?;
    // Revocation data an operator imported is listed in the record store and put in force
    // below; the list an older build kept in the data directory is taken over first.
    let taken_over = crate::imports::take_over(&registry, dir)
        .map_err(|e| Failure::failed(format!("the imported revocation data: {e}")))?;
    if taken_over > 0 {
        tracing::info!(
            imports = taken_over,
            "revocation: the data directory's list of imports taken over into the record store"
        );
    }
    // Their DER is in the vault now; the verifier holds their indexes. Not kept for the
    // server's lifetime.
    drop(crls);
    let upload_config = UploadConfig {
        ttl: settings.upload_expiry,
        max_length: settings.max_upload_bytes,
    };
    // Resumable uploads are staged where every node finds them on the distributed engine
    // (a PATCH may reach any node), else in a directory of this node's.
    let uploads = match registry.content().backend() {
        Engine::Distributed(split) => {
            // A PATCH holds a connection for as long as its body takes: one each, and a few
            // for the creations, HEADs and terminations meanwhile.
            let rows = split
                .meta()
                .upload_rows(settings.max_concurrent_uploads.saturating_add(4))
                .map_err(|e| Failure::failed(format!("the upload staging rows: {e}")))?;
            let objects = split
                .chunks()
                .staged_objects()
                .map_err(|e| Failure::failed(format!("the upload staging bucket: {e}")))?;
            DistributedUploads::new(rows, objects, &dir.join("uploads"), upload_config)
                .map(UploadStore::from)
                .map_err(|e| Failure::failed(format!("the upload staging: {e}")))?
        }
        _ => UploadStore::open(&dir.join("uploads"), upload_config)
            .map_err(|e| Failure::failed(format!("the upload staging directory: {e}")))?,
    };
    // Signed requests accepted lately, kept across restarts (`http::replay`): in the database
    // every node shares on the distributed engine, else in a journal of this node's.
    let replay = match registry.content().backend() {
        Engine::Distributed(split) => {
            ReplayGuard::shared(split.meta().signed_requests(), DEFAULT_WINDOW)
        }
        _ => ReplayGuard::open(
            &dir.join("signed-requests"),
            DEFAULT_WINDOW,
            jiff::Timestamp::now().as_second(),
        )
        .map_err(|e| Failure::failed(format!("the replay journal of signed requests: {e}")))?,
    };
    // Held here until the runtime is gone, like the registry: the distributed store owns a
    // runtime of its own (its S3 bridge), which may not be dropped by a task of the server's.
    let uploads_held = uploads.clone();
    let signer = audit_signer(dir)?;
    let engine_name = registry.content().backend().name();
    // One worker more than the cores: verifications run on the workers, all but one
    // (`http::verify`), and the one left answers the other requests.
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores + 1)
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(format!("cannot start the runtime: {e}")))?;
    let registry = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| Failure::failed(format!("cannot listen on {listen}: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| Failure::failed(format!("cannot read the listening address: {e}")))?;
        // On standard output for whoever started the server (the tests read the port here);
        // the log line below is for the operator's collector.
        println!(
            "qoima listening on http://{local} (data directory {}, storage {})",
            dir.display(),
            engine_name
        );
        let _ = std::io::stdout().flush();
        tracing::info!(
            address = %local,
            data_dir = %dir.display(),
            max_upload_bytes = settings.max_upload_bytes,
            max_concurrent_uploads = settings.max_concurrent_uploads,
            "listening"
        );
        let mut state = AppState::new(registry, signer, uploads, replay, settings, dir.to_owned());
        let registry = std::sync::Arc::clone(&state.registry);
        if let Some(interval) = shared_cache {
            state.keys = std::sync::Arc::new(KeyCache::rechecking_every(interval));
        }
        // The CRLs are fetched before they lapse, and the verifier swapped for the next
        // request (`refresh`).
        state.crls = crate::refresh::start(std::sync::Arc::clone(&state.registry), sources);
        state.ocsp = ocsp;
        state.ca_certificates = ca_certificates;
        let restored =
            crate::refresh::restore(&state.registry, &state.crls, &state.ca_certificates)
                .map_err(|e| Failure::failed(format!("the imported revocation data: {e}")))?;
        if let Some((crls_held, responses)) = restored.in_force {
            tracing::info!(
                crls = crls_held,
                ocsp_responses = responses,
                imports = restored.held,
                left_out = restored.left_out,
                "revocation: imported data in force"
            );
        }
        // On a store that other nodes share, the imports listed through them are read within
        // the same bound as API keys' revocations (`refresh::import`).
        let imports_followed = shared_cache.map(|interval| {
            tokio::spawn(crate::refresh::follow_imports(
                std::sync::Arc::clone(&state.registry),
                std::sync::Arc::clone(&state.crls),
                std::sync::Arc::clone(&state.ca_certificates),
                interval,
                restored.seen,
            ))
        });
        let reverifications = std::sync::Arc::clone(&state.reverifications);
        // Unreferenced content is collected once its grace period passed (`qoima gc`).
        // The CRLs held (configured, and fetched since) are not collected.
        let held = std::sync::Arc::clone(&state.crls);
        let kept = move || {
            held.kept()
                .iter()
                .map(|der| qoima_vault::ContentAddress::of(der))
                .collect()
        };
        let collection = tokio::spawn(crate::cli::gc::sweep(
            state.registry.clone(),
            kept,
            state.settings.content_grace,
            state.settings.gc_interval,
        ));
        // The resident set and RocksDB's memory, each minute at `debug` (`memory`).
        let report = tokio::spawn(memory::report(
            std::sync::Arc::clone(&state.registry),
            memory::EVERY,
        ));
        http::run(listener, state, shutdown_signal()).await;
        collection.abort();
        report.abort();
        if let Some(followed) = imports_followed {
            followed.abort();
        }
        // A bulk run in progress saves itself as interrupted.
        reverifications.stop(std::time::Duration::from_secs(10));
        tracing::info!("shutdown finished");
        Ok::<_, Failure>(registry)
    })?;
    // The runtime's tasks go first, so that the registry is dropped here, out of any async
    // context: the engines' own runtimes (PostgreSQL's, S3's) may not be dropped inside one.
    drop(runtime);
    drop(registry);
    drop(uploads_held);
    Ok(())
}

/// The server's settings by precedence: the `--listen` flag, then the environment's
/// `QOIMA_SERVER_*` variables (as `lookup` finds them), then `file` (the `[server]` table
/// over the defaults). `listen` is always set in the result ([`DEFAULT_LISTEN`] at the last).
pub fn server_settings(
    file: ServerSettings,
    listen_flag: Option<SocketAddr>,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<ServerSettings, Failure> {
    let mut settings = file.with_env(lookup)?;
    settings.listen = Some(listen_flag.or(settings.listen).unwrap_or(DEFAULT_LISTEN));
    Ok(settings)
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    let signal = tokio::select! {
        () = ctrl_c => "interrupt",
        () = terminate => "terminate",
    };
    tracing::info!(
        signal,
        "shutdown started: no new connections, in-flight requests finish"
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn listen_is_flag_then_env_then_file_then_default() {
        let flag: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let env_addr = "127.0.0.1:2";
        let file = ServerSettings {
            listen: Some("127.0.0.1:3".parse().unwrap()),
            ..ServerSettings::default()
        };
        let env = |name: &str| (name == "QOIMA_SERVER_LISTEN").then(|| env_addr.to_owned());
        let listen = |file: &ServerSettings, flag, env: &dyn Fn(&str) -> Option<String>| {
            server_settings(file.clone(), flag, env).unwrap().listen
        };
        assert_eq!(listen(&file, Some(flag), &env), Some(flag));
        assert_eq!(listen(&file, None, &env), Some(env_addr.parse().unwrap()));
        assert_eq!(listen(&file, None, &no_env), file.listen);
        assert_eq!(
            listen(&ServerSettings::default(), None, &no_env),
            Some(DEFAULT_LISTEN)
        );
        // A bad variable is an error even when the flag makes it moot, so that it is found
        // before it matters.
        let bad = |name: &str| (name == "QOIMA_SERVER_LISTEN").then(|| "nowhere".to_owned());
        assert!(server_settings(file, Some(flag), bad).is_err());
    }

    #[test]
    fn the_default_listen_address_is_local() {
        assert_eq!(DEFAULT_LISTEN.to_string(), "127.0.0.1:8080");
    }
}
