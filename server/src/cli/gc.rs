//! `qoima gc`: removes the content that no record references once its grace period has passed
//! (`Registry::collect_unreferenced`), then the chunks no content uses (the leftovers of
//! interrupted puts among them). The configured CRLs are kept: registrations reference them as
//! evidence when their verdicts use them.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use jiff::SignedDuration;
use qoima_vault::ContentAddress;
use qoima_vault::records::Actor;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Failure, config, open_registry};
use crate::engine::Registry;

#[derive(Debug, Args)]
pub struct GcArgs {
    /// Keep unreferenced content put less than this long ago: a number and a unit, d, h, m or
    /// s (`7d`, `36h`) [default: `[server] content-grace-hours` of `--config`, else 7d].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    grace: Option<SignedDuration>,
    /// Who collects, named in the audit entry.
    #[arg(long, value_name = "NAME", default_value = "operator")]
    by: Actor,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// `N` and a unit: `d` (24 hours), `h`, `m` or `s`.
pub(crate) fn parse_duration(text: &str) -> Result<SignedDuration, String> {
    let bad = || format!("{text:?} is not a duration: a whole number and d, h, m or s (7d, 36h)");
    let text = text.trim();
    let split = text.len().checked_sub(1).ok_or_else(bad)?;
    let (number, unit) = (text.get(..split).ok_or_else(bad)?, text.get(split..));
    let n: i64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        Some("d") => n.checked_mul(24 * 3600),
        Some("h") => n.checked_mul(3600),
        Some("m") => n.checked_mul(60),
        Some("s") => Some(n),
        _ => None,
    }
    .filter(|s| *s >= 0)
    .ok_or_else(bad)?;
    Ok(SignedDuration::from_secs(seconds))
}

/// The content addresses of the configured CRLs (their SHA-256).
pub(crate) fn crl_addresses(crls: &[Vec<u8>]) -> Vec<ContentAddress> {
    crls.iter()
        .map(|der| ContentAddress(Sha256::digest(der).into()))
        .collect()
}

pub fn gc(dir: &Path, config: Option<&Path>, args: GcArgs) -> Result<(), Failure> {
    let mut settings = config::load(config)?;
    let grace = args.grace.unwrap_or(settings.server.content_grace);
    let mut keep = crl_addresses(&std::mem::take(&mut settings.crls));
    // The revocation data an older build listed in the data directory, until `qoima serve`
    // takes it over (the imports listed in the record store the collection keeps itself).
    keep.extend(
        crate::imports::listed(dir)
            .map_err(|e| Failure::failed(format!("the imported revocation data: {e}")))?
            .into_iter()
            .map(|(_, address)| address),
    );
    let registry = open_registry(dir, settings, false)?;
    let collection = registry
        .collect_unreferenced(grace, &keep, &args.by)
        .map_err(|e| Failure::of(e.kind(), format!("gc: {e}")))?;
    if args.json {
        let removed: Vec<_> = collection
            .removed
            .iter()
            .map(|r| {
                json!({
                    "sha256": r.address.to_string(),
                    "length": r.length,
                    "putAt": r.put_at.to_string(),
                })
            })
            .collect();
        let out = json!({
            "collection": collection.number,
            "grace": grace.to_string(),
            "removed": removed,
            "withinGrace": collection.within_grace,
            "referenced": collection.referenced,
            "stamped": collection.stamped,
            "chunks": collection.chunks,
        });
        println!("{out}");
        return Ok(());
    }
    for removed in &collection.removed {
        println!(
            "removed {} ({} bytes, last put {}, never referenced)",
            removed.address, removed.length, removed.put_at
        );
    }
    if let Some(number) = collection.number {
        println!("audit: collection {number} logged");
    }
    println!(
        "gc: removed {} unreferenced contents and {} unreferenced chunks; kept {} referenced, {} \
         within the grace period of {grace:#}{}",
        collection.removed.len(),
        collection.chunks,
        collection.referenced,
        collection.within_grace,
        match collection.stamped {
            0 => String::new(),
            n => format!(", {n} from before put times were recorded (their grace starts now)"),
        }
    );
    Ok(())
}

/// The server's collection: every `interval` from its start, as `qoima gc` with `grace`,
/// keeping what `keep` gives at each run (the CRLs held: the configured ones and those
/// fetched since), by `server`. A failure is logged and tried again at the next interval.
pub(crate) async fn sweep(
    registry: Arc<Registry>,
    keep: impl Fn() -> Vec<ContentAddress> + Send + 'static,
    grace: SignedDuration,
    interval: Duration,
) {
    let mut every = tokio::time::interval(interval);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let (registry, keep) = (Arc::clone(&registry), keep());
        let by: Actor = match "server".parse() {
            Ok(by) => by,
            Err(e) => {
                tracing::warn!(error = %e, "collecting unreferenced content failed");
                return;
            }
        };
        let collected =
            tokio::task::spawn_blocking(move || registry.collect_unreferenced(grace, &keep, &by))
                .await;
        match collected {
            Ok(Ok(collection)) if collection.removed.is_empty() && collection.chunks == 0 => {}
            Ok(Ok(collection)) => tracing::info!(
                contents = collection.removed.len(),
                bytes = collection.removed.iter().map(|r| r.length).sum::<u64>(),
                chunks = collection.chunks,
                collection = collection.number,
                "unreferenced content collected"
            ),
            Ok(Err(e)) => tracing::warn!(error = %e, "collecting unreferenced content failed"),
            Err(e) => tracing::warn!(error = %e, "collecting unreferenced content failed"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(
            parse_duration("7d").unwrap(),
            SignedDuration::from_hours(168)
        );
        assert_eq!(
            parse_duration("36h").unwrap(),
            SignedDuration::from_hours(36)
        );
        assert_eq!(parse_duration("0s").unwrap(), SignedDuration::ZERO);
        assert_eq!(
            parse_duration("90m").unwrap(),
            SignedDuration::from_mins(90)
        );
        for bad in [
            "",
            "d",
            "7",
            "7w",
            "-1d",
            "1.5h",
            "h7",
            "99999999999999999d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }
}
