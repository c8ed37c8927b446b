//! Load and soak: many concurrent clients against a real `qoima serve` for
//! `QOIMA_LOAD_SECONDS` (default 180), each looping over a mixed workload: tus uploads (created
//! with half the bytes, then patched; one of 64 contents of up to 256 KiB per client, so that
//! the content store deduplicates and a long run's disk use stays that of its records)
//! registered as documents, document and content reads,
//! re-verifications, audit checkpoints and inclusion proofs. No response may be a 5xx and no
//! request may fail in transport; the figures are every route's count and latency percentiles,
//! the server's resident set and open file descriptors after a warm-up and at the end.
//! Sockets may not outlive the run (each request has its own connection, so a leak per
//! connection would show in thousands); the resident set is printed, and only a growth past 512 MiB
//! fails (RocksDB's write buffers fill first, so a short run cannot tell a slow leak from
//! them: the long run's figures can). A run of 600 s or more also prints the resident set each
//! minute, and turns on the server's memory report (RocksDB's memtables, table readers and
//! block cache beside its resident set, `docs/reliability.md`, "Memory").
//!
//! `QOIMA_LOAD_CLIENTS` sets the clients (default 16). Run by `scripts/reliability`; ignored
//! by a plain `cargo test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use qoima_tests::Rng;
use qoima_tests::client::{Api, Response, json_field, pdf};
use qoima_tests::serve::{Server, Vault, fds, fds_by_kind, rss_kib};

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Per route: latencies in microseconds, and statuses.
#[derive(Default)]
struct Route {
    micros: Vec<u64>,
    statuses: BTreeMap<u16, u64>,
}

#[derive(Default)]
struct Tally {
    routes: BTreeMap<&'static str, Route>,
    transport_errors: Vec<String>,
    server_errors: Vec<String>,
}

struct Client {
    id: u64,
    writer: Api,
    reader: Api,
    auditor: Api,
    rng: Rng,
    tally: Tally,
    /// Documents this client registered, with their content's index.
    documents: Vec<(String, u64)>,
    n: u64,
}

impl Client {
    /// Times one request and tallies it under `route`.
    fn call(
        &mut self,
        route: &'static str,
        send: impl FnOnce(&Self) -> std::io::Result<Response>,
    ) -> Option<Response> {
        let started = Instant::now();
        let result = send(self);
        let micros = started.elapsed().as_micros() as u64;
        match result {
            Ok(response) => {
                let entry = self.tally.routes.entry(route).or_default();
                entry.micros.push(micros);
                *entry.statuses.entry(response.status).or_default() += 1;
                if response.status >= 500 {
                    self.tally.server_errors.push(format!(
                        "{route}: {} {}",
                        response.status,
                        response.text()
                    ));
                }
                Some(response)
            }
            Err(e) => {
                self.tally.transport_errors.push(format!("{route}: {e}"));
                None
            }
        }
    }

    fn step(&mut self) {
        match self.rng.below(10) {
            0..=2 => self.upload_and_register(),
            3..=4 => self.read(),
            5 => self.read_content(),
            6 => self.verify(),
            _ => self.audit(),
        }
    }

    fn upload_and_register(&mut self) {
        // One of 64 contents per client: every registration is verified and recorded, but
        // the content store keeps each content once, so that a 30-minute run does not fill
        // the disk with content (records alone grow).
        self.n += 1;
        let n = self.id * 1000 + self.rng.below(64);
        let size = 1 + Rng::new(n).below(256 << 10) as usize;
        let content = pdf(n, size);
        let Some(created) = self.call("POST /v1/uploads", |c| {
            c.writer.create_upload(&content, content.len() / 2)
        }) else {
            return;
        };
        let Some(location) = created.header("location").map(str::to_owned) else {
            return;
        };
        let offset: usize = created
            .header("upload-offset")
            .and_then(|o| o.parse().ok())
            .unwrap_or(0);
        if offset < content.len() {
            let patched = self.call("PATCH /v1/uploads/{id}", |c| {
                c.writer.patch(&location, offset, &content[offset..])
            });
            if patched.is_none_or(|p| p.status != 204) {
                return;
            }
        }
        let id = location.rsplit('/').next().unwrap_or("").to_owned();
        let Some(done) = self.call("POST /v1/documents", |c| {
            c.writer.register_upload(&id, &content)
        }) else {
            return;
        };
        if done.status == 201
            && let Some(doc) = json_field(&done.text(), "id")
        {
            self.documents.push((doc, n));
        }
    }

    fn some_document(&mut self) -> Option<(String, u64)> {
        let k = self.rng.below(self.documents.len().max(1) as u64) as usize;
        self.documents.get(k).cloned()
    }

    fn read(&mut self) {
        let Some((doc, _)) = self.some_document() else {
            return self.upload_and_register();
        };
        self.call("GET /v1/documents/{id}", |c| {
            c.reader
                .send("GET", &format!("/v1/documents/{doc}"), &[], &[])
        });
    }

    fn read_content(&mut self) {
        let Some((doc, _)) = self.some_document() else {
            return self.upload_and_register();
        };
        self.call("GET /v1/documents/{id}/content", |c| {
            c.reader
                .send("GET", &format!("/v1/documents/{doc}/content"), &[], &[])
        });
    }

    fn verify(&mut self) {
        let Some((doc, _)) = self.some_document() else {
            return self.upload_and_register();
        };
        self.call("POST /v1/documents/{id}/verify", |c| {
            c.reader.send(
                "POST",
                &format!("/v1/documents/{doc}/verify"),
                &[("content-type", "application/json")],
                b"{}",
            )
        });
    }

    fn audit(&mut self) {
        let Some(checkpoint) = self.call("GET /v1/audit/checkpoint", |c| {
            c.auditor.send("GET", "/v1/audit/checkpoint", &[], &[])
        }) else {
            return;
        };
        // A C2SP checkpoint: origin, size, root hash, then the signatures.
        let size: u64 = checkpoint
            .text()
            .lines()
            .nth(1)
            .and_then(|l| l.trim().parse().ok())
            .or_else(|| json_field(&checkpoint.text(), "size").and_then(|s| s.parse().ok()))
            .unwrap_or(0);
        if size == 0 {
            return;
        }
        let entry = self.rng.below(size);
        self.call("GET /v1/audit/proofs/inclusion", |c| {
            c.auditor.send(
                "GET",
                &format!("/v1/audit/proofs/inclusion?entry={entry}&size={size}"),
                &[],
                &[],
            )
        });
    }
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

#[test]
#[ignore = "run by scripts/reliability"]
fn mixed_load_gets_no_server_error_and_leaks_nothing() {
    let seconds = env_u64("QOIMA_LOAD_SECONDS").unwrap_or(180);
    let clients = env_u64("QOIMA_LOAD_CLIENTS").unwrap_or(16);
    let root = tempfile::tempdir().unwrap();
    let vault = Vault::new(root.path(), &root.path().join("vault")).unwrap();
    let (writer, reader, auditor) = (
        vault.key("writer").unwrap(),
        vault.key("reader").unwrap(),
        vault.key("auditor").unwrap(),
    );
    // As many uploads and verifications at once as there are clients: beyond its limits the
    // server answers 503 "retry shortly" on purpose (backpressure), which is not what this
    // test looks for.
    let mut env = vec![
        ("QOIMA_SERVER_MAX_CONCURRENT_UPLOADS", clients.to_string()),
        (
            "QOIMA_SERVER_MAX_CONCURRENT_VERIFICATIONS",
            clients.to_string(),
        ),
    ];
    // A soak also has the server's own memory report each minute (on its standard error):
    // the resident set beside RocksDB's memtables, table readers and block cache.
    if seconds >= 600 {
        env.push((
            "QOIMA_LOG",
            "warn,qoima_server::serve::memory=debug".to_owned(),
        ));
        env.push(("QOIMA_LOG_FORMAT", "text".to_owned()));
    }
    let server = Server::start_with_env(&vault, &env).unwrap();
    let pid = server.pid();
    let api = |key: &str| Api {
        addr: server.addr.clone(),
        key: key.to_owned(),
    };
    let (rss_start0, fds_start0) = (rss_kib(pid).unwrap(), fds(pid).unwrap());
    // Before any request: the listening socket and the runtime's own (signal handling).
    let (sockets_start, _) = fds_by_kind(pid).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let warm = Arc::new(Mutex::new(None));
    let started = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|i| {
            let mut client = Client {
                id: i,
                writer: api(&writer),
                reader: api(&reader),
                auditor: api(&auditor),
                rng: Rng::new(0x6c6f_6164 + i),
                tally: Tally::default(),
                documents: Vec::new(),
                n: 0,
            };
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    client.step();
                }
                client.tally
            })
        })
        .collect();
    // The resident set and descriptors after a warm-up (a tenth of the run), then at the end.
    // A long run also prints them each minute: a soak's curve, not two points.
    let mut peak_rss = rss_start0;
    let deadline = Duration::from_secs(seconds);
    let mut minute = 0;
    while started.elapsed() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        let rss = rss_kib(pid).unwrap_or(0);
        peak_rss = peak_rss.max(rss);
        if seconds >= 600 && started.elapsed().as_secs() / 60 > minute {
            minute = started.elapsed().as_secs() / 60;
            eprintln!(
                "soak minute={minute} rss_kib={rss} fds={}",
                fds(pid).unwrap_or(0)
            );
        }
        let mut warm = warm.lock().unwrap();
        if warm.is_none() && started.elapsed() >= deadline / 10 {
            *warm = Some((rss, fds(pid).unwrap_or(0)));
        }
    }
    stop.store(true, Ordering::Relaxed);
    let mut tally = Tally::default();
    for handle in handles {
        let part = handle.join().unwrap();
        for (route, r) in part.routes {
            let entry = tally.routes.entry(route).or_default();
            entry.micros.extend(r.micros);
            for (status, n) in r.statuses {
                *entry.statuses.entry(status).or_default() += n;
            }
        }
        tally.transport_errors.extend(part.transport_errors);
        tally.server_errors.extend(part.server_errors);
    }
    let elapsed = started.elapsed();
    // The connections of the last requests close; then the descriptors are counted.
    std::thread::sleep(Duration::from_secs(2));
    let (rss_end, fds_end) = (rss_kib(pid).unwrap(), fds(pid).unwrap());
    let (sockets_end, others_end) = fds_by_kind(pid).unwrap();
    let (rss_warm, fds_warm) = warm.lock().unwrap().unwrap_or((rss_start0, fds_start0));
    let total: u64 = tally.routes.values().map(|r| r.micros.len() as u64).sum();
    println!(
        "load: {clients} clients for {:.0?}: {total} requests ({:.0}/s)",
        elapsed,
        total as f64 / elapsed.as_secs_f64()
    );
    println!("| route | requests | statuses | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|");
    for (route, r) in &mut tally.routes {
        r.micros.sort_unstable();
        let ms = |us: u64| us as f64 / 1000.0;
        println!(
            "| `{route}` | {} | {:?} | {:.1} | {:.1} | {:.1} |",
            r.micros.len(),
            r.statuses,
            ms(percentile(&r.micros, 0.5)),
            ms(percentile(&r.micros, 0.99)),
            ms(*r.micros.last().unwrap_or(&0))
        );
    }
    println!(
        "FIGURE load clients={clients} seconds={} requests={total} server_errors={} \
         transport_errors={} rss_start_kib={rss_start0} rss_warm_kib={rss_warm} \
         rss_end_kib={rss_end} rss_peak_kib={peak_rss} fds_start={fds_start0} \
         fds_warm={fds_warm} fds_end={fds_end} sockets_start={sockets_start} sockets_end={sockets_end} \
         other_fds_end={others_end}",
        elapsed.as_secs(),
        tally.server_errors.len(),
        tally.transport_errors.len()
    );
    assert!(
        tally.server_errors.is_empty(),
        "{} server errors, the first: {:?}",
        tally.server_errors.len(),
        tally.server_errors.first()
    );
    assert!(
        tally.transport_errors.is_empty(),
        "{} requests failed in transport, the first: {:?}",
        tally.transport_errors.len(),
        tally.transport_errors.first()
    );
    let registered = tally
        .routes
        .get("POST /v1/documents")
        .and_then(|r| r.statuses.get(&201))
        .copied()
        .unwrap_or(0);
    assert!(registered > 0, "no registration succeeded under load");
    for (route, r) in &tally.routes {
        let ok: u64 = r
            .statuses
            .iter()
            .filter(|(s, _)| (200..300).contains(*s))
            .map(|(_, n)| n)
            .sum();
        assert!(ok > 0, "{route}: no request succeeded: {:?}", r.statuses);
    }
    // Idle again, the server holds the sockets it started with: every connection of the run
    // closed. Its other descriptors grow with RocksDB's table files (it keeps them open),
    // which compaction bounds by the data's size, not by the requests.
    assert!(
        sockets_end <= sockets_start,
        "the server holds {sockets_end} sockets after the clients stopped, {sockets_start} \
         before the first request"
    );
    assert!(
        rss_end < rss_warm + (512 << 10),
        "the server's resident set grew from {rss_warm} KiB to {rss_end} KiB"
    );
}
