//! What every handler shares: the registry, the uploads, the settings, the metrics, the keys.

use std::path::PathBuf;
use std::sync::Arc;

use qoima_vault::audit::Signer;
use qoima_vault::keys::KeyCache;
use qoima_vault::uploads::UploadStore;
use qoima_verifier::path::Certificate;
use std::sync::atomic::AtomicUsize;

use tokio::sync::Semaphore;

use super::metrics::Metrics;
use super::reverifications::Reverifications;
use super::signed;
use super::uploads::UploadQuotas;
use crate::bulk::reverify::Runs;
use crate::config::ServerSettings;
use crate::engine::Registry;
use crate::ocsp::OcspClient;
use crate::refresh::CrlStatus;

/// Shared state of the request handlers.
#[derive(Clone)]
pub struct AppState {
    /// The registered documents (and the content store under them).
    pub registry: Arc<Registry>,
    /// The audit log's checkpoint signer.
    pub signer: Arc<Signer>,
    /// Uploads in progress (tus).
    pub uploads: UploadStore,
    /// Limits and timeouts.
    pub settings: Arc<ServerSettings>,
    /// What `/metrics` reports.
    pub metrics: Arc<Metrics>,
    /// One permit per upload body being received: the bound on concurrent uploads.
    pub upload_slots: Arc<Semaphore>,
    /// One permit per signature verification running (`verify::pooled`): the bound on
    /// the CPU the engine may take at once.
    pub verification_slots: Arc<Semaphore>,
    /// How many of the running verifications run on an async worker itself: at most one
    /// less than the workers (`verify::pooled`).
    pub verifying_on_workers: Arc<AtomicUsize>,
    /// The signed requests accepted lately (keys that require them).
    pub replay: Arc<signed::ReplayGuard>,
    /// The API keys met so far; revocations go through it.
    pub keys: Arc<KeyCache>,
    /// Bulk re-verification runs: the one in progress, and those of the data directory.
    pub reverifications: Arc<Reverifications>,
    /// What each API key's uploads take of its quotas.
    pub upload_quotas: Arc<UploadQuotas>,
    /// One permit per open connection: the accept loop takes one before it accepts.
    pub connection_slots: Arc<Semaphore>,
    /// One permit per byte of JSON body held in memory (`json-buffer-bytes`).
    pub json_buffer: Arc<Semaphore>,
    /// The CRLs held and their fetches (`/metrics`, `/healthz`); `qoima serve` sets it when
    /// it starts the refresh.
    pub crls: Arc<CrlStatus>,
    /// The OCSP client registrations ask responders with (`ocsp`); `qoima serve` sets it
    /// unless OCSP or fetching is off.
    pub ocsp: Option<Arc<OcspClient>>,
    /// The trust store's CA certificates: the issuers an imported CRL or OCSP response is
    /// checked against (`POST /v1/revocation`); `qoima serve` sets them.
    pub ca_certificates: Arc<[Arc<Certificate>]>,
}

impl AppState {
    /// The state of a server over `registry`, with `settings`.
    pub fn new(
        registry: Registry,
        signer: Signer,
        uploads: UploadStore,
        replay: signed::ReplayGuard,
        settings: ServerSettings,
        data_dir: PathBuf,
    ) -> Self {
        Self {
            registry: Arc::new(registry),
            signer: Arc::new(signer),
            uploads,
            upload_slots: Arc::new(Semaphore::new(settings.max_concurrent_uploads)),
            verification_slots: Arc::new(Semaphore::new(settings.max_concurrent_verifications)),
            verifying_on_workers: Arc::new(AtomicUsize::new(0)),
            connection_slots: Arc::new(Semaphore::new(
                settings.max_connections.min(Semaphore::MAX_PERMITS),
            )),
            json_buffer: Arc::new(Semaphore::new(
                settings.json_buffer_bytes.min(Semaphore::MAX_PERMITS),
            )),
            settings: Arc::new(settings),
            metrics: Arc::new(Metrics::default()),
            replay: Arc::new(replay),
            keys: Arc::new(KeyCache::default()),
            reverifications: Arc::new(Reverifications::new(Runs::of(&data_dir))),
            upload_quotas: Arc::new(UploadQuotas::default()),
            crls: Arc::new(CrlStatus::default()),
            ocsp: None,
            ca_certificates: Arc::from(Vec::new()),
        }
    }
}
