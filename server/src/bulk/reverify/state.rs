//! A run's state in the data directory: `run.json` (options, status, summary, checkpoint) and
//! the runs of a vault.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use qoima_vault::records::{Actor, DocumentId};
use qoima_vault::registry::VersionKey;
use qoima_verifier::policy::Policy;
use serde::{Deserialize, Serialize};

use super::options::{Options, Resolved};
use crate::bulk::output::Format;
use crate::bulk::summary::Summary;

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    /// Running, or stopped without a word (killed): `--resume` goes on.
    Running,
    /// Stopped on request: `--resume` goes on.
    Interrupted,
    /// Every selected version has its result.
    Finished,
    /// Stopped by an error (named in `error`): `--resume` goes on.
    Failed,
}

/// Where a run's outputs go besides its own results file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Outputs {
    /// A file of results in `format` (`None`: standard output, or nothing over the API).
    pub(crate) file: Option<PathBuf>,
    /// Whether results go to standard output.
    pub(crate) stdout: bool,
    pub(crate) format: Option<Format>,
    /// The HTML summary, written when the run finishes.
    pub(crate) html: Option<PathBuf>,
}

/// A run's `run.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RunState {
    pub(crate) id: String,
    pub(crate) options: Options,
    /// The validation time, fixed when the run started (unix seconds).
    pub(crate) validation_time: i64,
    /// Who started it.
    pub(crate) by: String,
    /// The acceptance policy, when the run was given its own (a resumed run keeps it).
    pub(crate) policy: Option<Policy>,
    pub(crate) started_at: String,
    pub(crate) finished_at: Option<String>,
    pub(crate) status: Status,
    pub(crate) error: Option<String>,
    /// The selected versions, when the selection tells without reading them all.
    pub(crate) total: Option<u64>,
    /// The last version whose result is in the synced files (`<id>:<version>`).
    pub(crate) last: Option<String>,
    /// Length of `results.jsonl` at the checkpoint.
    pub(crate) results_len: u64,
    /// Length of the output file at the checkpoint.
    pub(crate) output_len: u64,
    pub(crate) outputs: Outputs,
    pub(crate) summary: Summary,
}

impl RunState {
    /// The version after which a resumed run goes on.
    pub(crate) fn after(&self) -> Result<Option<VersionKey>, String> {
        let Some(last) = &self.last else {
            return Ok(None);
        };
        let damaged = || format!("run {}: checkpoint {last:?} is not <id>:<version>", self.id);
        let (id, version) = last.split_once(':').ok_or_else(damaged)?;
        Ok(Some((
            id.parse().map_err(|_| damaged())?,
            version.parse().map_err(|_| damaged())?,
        )))
    }

    /// Whether `--resume` may go on with it.
    pub(crate) fn resumable(&self) -> bool {
        self.status != Status::Finished
    }
}

/// The runs of a vault, in `<data-dir>/reverifications`.
#[derive(Debug, Clone)]
pub(crate) struct Runs {
    dir: PathBuf,
}

impl Runs {
    /// The runs of the vault in `data_dir`.
    pub(crate) fn of(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("reverifications"),
        }
    }

    /// A new run's state, its directory made, its id fresh.
    pub(crate) fn create(
        &self,
        options: Options,
        resolved: &Resolved,
        by: &Actor,
        policy: Option<Policy>,
        outputs: Outputs,
        total: Option<u64>,
    ) -> Result<RunState, String> {
        let now = Timestamp::now();
        let suffix = DocumentId::random()
            .map_err(|_| "no randomness for a run id".to_owned())?
            .to_string();
        let id = format!("{}-{}", now.strftime("%Y%m%dT%H%M%SZ"), &suffix[..8]);
        let dir = self.dir.join(&id);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create a run directory: {e}"))?;
        File::create(dir.join(RESULTS))
            .map_err(|e| format!("cannot create run {id}'s results: {e}"))?;
        let state = RunState {
            id,
            options,
            validation_time: resolved.validation_time,
            by: by.to_string(),
            policy,
            started_at: now.to_string(),
            finished_at: None,
            status: Status::Running,
            error: None,
            total,
            last: None,
            results_len: 0,
            output_len: 0,
            outputs,
            summary: Summary::default(),
        };
        self.save(&state)?;
        Ok(state)
    }

    /// The state of run `id`, if there is one.
    pub(crate) fn load(&self, id: &str) -> Result<Option<RunState>, String> {
        // Ids are made here: anything else is no run (and never a path outside the dir).
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Ok(None);
        }
        let path = self.dir.join(id).join(STATE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read run {id}: {e}")),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| format!("run {id}'s state is damaged: {e}"))
    }

    /// The most recent run that `--resume` may go on with.
    pub(crate) fn latest_resumable(&self) -> Result<Option<RunState>, String> {
        let mut ids: Vec<String> = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot list the runs: {e}")),
        };
        // Ids start with their start time: the last in order is the latest.
        ids.sort();
        for id in ids.iter().rev() {
            if let Some(state) = self.load(id)?
                && state.resumable()
            {
                return Ok(Some(state));
            }
        }
        Ok(None)
    }

    /// The results file of run `id`.
    pub(crate) fn results(&self, id: &str) -> PathBuf {
        self.dir.join(id).join(RESULTS)
    }

    /// Writes `state` durably: a new file renamed over the old, then the directory synced.
    pub(super) fn save(&self, state: &RunState) -> Result<(), String> {
        let dir = self.dir.join(&state.id);
        let write = || -> std::io::Result<()> {
            let temporary = dir.join("run.json.new");
            let mut file = File::create(&temporary)?;
            file.write_all(&serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?)?;
            file.sync_all()?;
            std::fs::rename(&temporary, dir.join(STATE))?;
            File::open(&dir)?.sync_all()
        };
        write().map_err(|e| format!("cannot save run {}'s state: {e}", state.id))
    }
}

const STATE: &str = "run.json";
const RESULTS: &str = "results.jsonl";
