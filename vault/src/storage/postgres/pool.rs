//! The connection pool: `deadpool-postgres`, whose recycling drops a connection the server
//! closed, so that the next call opens a new one.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio_postgres::config::SslMode;
use tokio_postgres::{Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::storage::StorageError;

/// How the store connects.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostgresOptions {
    /// The most connections open at once (at least 2: a writer section holds one while the
    /// section's reads and commit take another).
    pub pool_size: usize,
    /// The threads of the store's runtime, which drive the connections.
    pub threads: usize,
    /// The CA certificates (a PEM file) that the server's certificate must chain to. When
    /// set, every connection is TLS (1.2 or 1.3) and the server's certificate must name the
    /// URL's host; when not, connections are plain, for a server on the same host or a
    /// private network.
    pub tls_ca: Option<PathBuf>,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self {
            pool_size: 8,
            threads: 2,
            tls_ca: None,
        }
    }
}

impl PostgresOptions {
    /// With at most `pool_size` connections.
    pub fn with_pool_size(mut self, pool_size: usize) -> Self {
        self.pool_size = pool_size;
        self
    }

    /// With TLS to a server whose certificate chains to a CA of the PEM file `ca`.
    pub fn with_tls_ca(mut self, ca: impl Into<PathBuf>) -> Self {
        self.tls_ca = Some(ca.into());
        self
    }
}

/// The TLS client of `ca`'s roots (rustls on ring, its safe default versions and suites).
fn tls(ca: &std::path::Path) -> Result<MakeRustlsConnect, StorageError> {
    let failed = |what: String| {
        StorageError::Engine(format!("PostgreSQL: TLS CA file {}: {what}", ca.display()))
    };
    let pem = std::fs::read(ca).map_err(|e| failed(e.to_string()))?;
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(&pem) {
        let certificate = certificate.map_err(|e| failed(format!("not PEM: {e}")))?;
        roots
            .add(certificate)
            .map_err(|e| failed(format!("a certificate is not usable: {e}")))?;
    }
    if roots.is_empty() {
        return Err(failed("holds no certificate".into()));
    }
    // ring, the vault's crypto library already: rustls deprecates its provider for want of a
    // post-quantum key exchange, which only aws-lc-rs (a second crypto library, built from C)
    // offers. Classical ECDHE for a database link inside the operator's network.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| failed(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// How long a connection attempt may take before it fails, unless the URL says.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The parsed `url` with the settings every connection of the vault has: each commit durable
/// on the server before it returns (`synchronous_commit=on`, whatever the server's default),
/// and the name `qoima` in `pg_stat_activity`.
pub(super) fn config(url: &str) -> Result<Config, StorageError> {
    // The parser's errors name the faulty option, never the password.
    let mut config: Config = url.parse().map_err(|e: tokio_postgres::Error| {
        StorageError::Engine(format!("PostgreSQL: the connection URL is not valid: {e}"))
    })?;
    let options = match config.get_options() {
        Some(given) => format!("{given} -c synchronous_commit=on"),
        None => "-c synchronous_commit=on".to_owned(),
    };
    config.options(options);
    if config.get_application_name().is_none() {
        config.application_name("qoima");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    Ok(config)
}

/// The pool of the vault's connections as `config` says; none is opened yet.
pub(super) fn build(config: Config, options: &PostgresOptions) -> Result<Pool, StorageError> {
    if options.pool_size < 2 {
        return Err(StorageError::Engine(format!(
            "PostgreSQL: a pool of {} connection(s) is too small: a writer section needs 2",
            options.pool_size
        )));
    }
    let manager_config = ManagerConfig {
        // A closed connection is dropped when taken from the pool; a read that finds its
        // connection lost mid-query is tried again on another (`meta.rs`).
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = match &options.tls_ca {
        Some(ca) => {
            let mut config = config;
            // Never the plain fallback of `prefer`: TLS or no connection.
            config.ssl_mode(SslMode::Require);
            Manager::from_config(config, tls(ca)?, manager_config)
        }
        None => Manager::from_config(config, NoTls, manager_config),
    };
    Pool::builder(manager)
        .max_size(options.pool_size)
        .runtime(Runtime::Tokio1)
        .create_timeout(Some(CONNECT_TIMEOUT))
        .build()
        .map_err(|e| StorageError::Engine(format!("PostgreSQL: cannot build the pool: {e}")))
}

/// One plain connection outside the pool (the tests' superuser), driven on the current
/// runtime until the client is dropped.
#[cfg(test)]
pub(super) async fn connect_once(config: &Config) -> Result<tokio_postgres::Client, StorageError> {
    let (client, connection) = config
        .connect(NoTls)
        .await
        .map_err(|e| super::error::driver("connecting", &e))?;
    tokio::spawn(async move {
        // Its errors reach the client's calls as a closed connection.
        let _ = connection.await;
    });
    Ok(client)
}
