//! The client side of `benches/distributed.sh`: puts the contents that registrations name,
//! drives `POST /v1/documents` against one or more `qoima serve` nodes, and measures the
//! content store on S3 beside the same gateway's raw rate.
//!
//! ```text
//! distributed_load put      STORE --seed S --from A --count N --size BYTES
//! distributed_load bodies   --seed S --from A --count N --size BYTES --out FILE
//! distributed_load register --urls URL[,URL] --key KEY --bodies FILE --connections C
//! distributed_load s3       --phase PHASE --postgres URL --endpoint URL --bucket B --seed S
//!                           --object-mib M --count N --parallel P
//! ```
//!
//! STORE is `--rocks DATA_DIR` (the embedded vault, whose server must not run: RocksDB is
//! opened by one process) or `--postgres URL --endpoint URL --bucket B` (the records in
//! PostgreSQL, the chunks in the S3 bucket); the bucket's credentials come from
//! `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, as for `qoima`.
//!
//! - `put` stores documents A..A+N of run S (`%PDF-1.7`, a line naming S and the index,
//!   pseudo-random bytes, `%%EOF`: BYTES in all, each different) with the vault's
//!   `ContentStore`, as `qoima put` does.
//! - `bodies` regenerates the same documents, signs each (a detached CMS by the test PKI's
//!   `individual`, RSA-2048, as `server/tests/common/mod.rs` does) and writes the bodies of
//!   their registrations to FILE, one a line, so that no signing happens while `register`
//!   runs.
//! - `register`: C keep-alive connections (connection i to URL i mod the URLs' count) send
//!   the registrations of FILE, each once, and every answer must be 201. Prints
//!   `load NAME VALUE` lines: requests, seconds, rps, p50_us, p99_us, bad_status, and
//!   cpu_ticks (this process's user + system time while it sent, from `/proc/self/stat`).
//! - `s3 --phase PHASE` measures one phase on the bucket of a vault made by `qoima storage
//!   init`, N objects of M MiB of random bytes (the same for the same S, made before the clock
//!   starts), one request at a time unless said: `client-put`, `client-get` (the vault's S3
//!   client: `S3Chunks::put_chunk`, a HEAD then a PUT with `If-None-Match: *` and the
//!   payload's SHA-256 signed; `get_chunk`, one GET, the bytes compared),
//!   `client-put-parallel` (P threads putting), `store-put`, `store-get` (the vault's content
//!   store: `ContentStore::put` of N contents of M MiB, one chunk each at the default chunk
//!   size of 4 MiB, and `read` of each, compared), `store-large-put`, `store-large-get` (N/16
//!   contents of 16 M MiB, whose chunks the store's pipeline puts several at once). A get
//!   phase reads what its put phase of the same S wrote. Prints `s3 PHASE BYTES SECONDS
//!   TICKS`, TICKS this process's CPU time during the phase.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a bench: a panic is a failure

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use qoima_vault::storage::ChunkStore;
use qoima_vault::storage::engine::Engine;
use qoima_vault::storage::postgres::PostgresOptions;
use qoima_vault::storage::rocks::RocksBackend;
use qoima_vault::storage::s3::{S3Chunks, S3Config};
use qoima_vault::{ChunkId, ContentAddress, ContentConfig, ContentStore};
use qoima_verifier::testing::{pki, sign_detached};
use sha2::{Digest, Sha256};

/// The IIN of the test PKI's `individual` (`verifier/testdata/pki/identities.txt`).
const INDIVIDUAL_IIN: &str = "850315300128";

fn main() {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let options = Options::parse(args);
    match command.as_str() {
        "put" => put(&options),
        "bodies" => bodies(&options),
        "register" => register(&options),
        "s3" => s3(&options),
        _ => panic!("usage: distributed_load put|bodies|register|s3 [--name value]..."),
    }
}

/// `--name value` pairs.
struct Options(HashMap<String, String>);

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Self {
        let mut map = HashMap::new();
        while let Some(name) = args.next() {
            let name = name
                .strip_prefix("--")
                .unwrap_or_else(|| panic!("expected --name, got {name:?}"))
                .to_owned();
            let value = args
                .next()
                .unwrap_or_else(|| panic!("--{name} takes a value"));
            map.insert(name, value);
        }
        Self(map)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    fn text(&self, name: &str) -> &str {
        self.get(name)
            .unwrap_or_else(|| panic!("--{name} is required"))
    }

    fn number(&self, name: &str) -> usize {
        self.text(name)
            .parse()
            .unwrap_or_else(|e| panic!("--{name}: {e}"))
    }
}

/// Pseudo-random bytes (xorshift64) from `seed`: the same for the same seed.
fn random(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Document `index` of run `seed`, `size` bytes (at least its header and trailer).
fn document(seed: u64, index: usize, size: usize) -> Vec<u8> {
    let mut out = format!("%PDF-1.7\n% qoima bench run {seed} document {index}\n").into_bytes();
    let trailer = b"\n%%EOF\n";
    let filler = size.saturating_sub(out.len() + trailer.len());
    out.extend(random(seed ^ ((index as u64) << 20), filler));
    out.extend_from_slice(trailer);
    out
}

fn s3_config(options: &Options) -> S3Config {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    S3Config::new(
        options.text("endpoint"),
        options.text("bucket"),
        var("AWS_ACCESS_KEY_ID"),
        var("AWS_SECRET_ACCESS_KEY"),
    )
}

/// The content store of STORE (see the module's documentation).
fn store(options: &Options) -> ContentStore<Engine> {
    let engine = match options.get("rocks") {
        Some(data_dir) => {
            Engine::from(RocksBackend::open(&std::path::Path::new(data_dir).join("db")).unwrap())
        }
        None => Engine::distributed(
            options.text("postgres"),
            &PostgresOptions::default(),
            &s3_config(options),
        )
        .unwrap(),
    };
    ContentStore::with_backend(engine, ContentConfig::default()).unwrap()
}

fn put(options: &Options) {
    let store = store(options);
    let seed = options.number("seed") as u64;
    let (from, count, size) = (
        options.number("from"),
        options.number("count"),
        options.number("size"),
    );
    let started = Instant::now();
    for index in from..from + count {
        store.put(document(seed, index, size).as_slice()).unwrap();
    }
    eprintln!(
        "distributed_load: {count} documents of {size} bytes put in {:.2} s",
        started.elapsed().as_secs_f64()
    );
}

/// This process's user + system time so far, in clock ticks (`/proc/self/stat`, fields 14
/// and 15).
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // The command name may hold spaces: the fields are counted after its closing bracket.
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    // Field 3 is the first after the name: utime is field 14, stime 15.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// Writes the bodies of the registrations of documents A..A+N, one JSON object a line.
fn bodies(options: &Options) {
    let seed = options.number("seed") as u64;
    let (from, count, size) = (
        options.number("from"),
        options.number("count"),
        options.number("size"),
    );
    let base64 = base64::engine::general_purpose::STANDARD;
    let mut out = String::new();
    for index in from..from + count {
        let content = document(seed, index, size);
        let signature = sign_detached(pki::INDIVIDUAL, pki::INDIVIDUAL_KEY, &content);
        let body = serde_json::json!({
            "sha256": hex(&Sha256::digest(&content)),
            "signatures": [base64.encode(signature)],
            "class": "project-documentation",
            "participant": "acme",
            "expectIin": INDIVIDUAL_IIN,
            "filename": format!("drawing-{index}.pdf"),
            "mediaType": "application/pdf",
        });
        out.push_str(&body.to_string());
        out.push('\n');
    }
    std::fs::write(options.text("out"), out).unwrap();
}

fn register(options: &Options) {
    let urls: Vec<String> = options
        .text("urls")
        .split(',')
        .map(|url| url.trim_end_matches('/').to_owned())
        .collect();
    let key = options.text("key").to_owned();
    let connections = options.number("connections");
    let text = std::fs::read_to_string(options.text("bodies")).unwrap();
    let bodies: Arc<Vec<Bytes>> = Arc::new(
        text.lines()
            .map(|line| Bytes::from(line.to_owned()))
            .collect(),
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let ticks = cpu_ticks();
    let started = Instant::now();
    let results: Vec<(Vec<Duration>, Vec<String>)> = runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for connection in 0..connections {
            let url = urls[connection % urls.len()].clone();
            let (key, bodies, next) = (key.clone(), Arc::clone(&bodies), Arc::clone(&next));
            tasks.spawn(async move { client(url, key, bodies, next).await });
        }
        let mut results = Vec::new();
        while let Some(done) = tasks.join_next().await {
            results.push(done.unwrap());
        }
        results
    });
    let seconds = started.elapsed().as_secs_f64();
    let ticks = cpu_ticks() - ticks;

    let mut latencies: Vec<Duration> = results.iter().flat_map(|(l, _)| l.clone()).collect();
    let failures: Vec<&String> = results.iter().flat_map(|(_, f)| f).collect();
    latencies.sort_unstable();
    let percentile = |p: usize| {
        latencies
            .get((latencies.len() * p / 100).min(latencies.len().saturating_sub(1)))
            .map_or(0, |d| d.as_micros())
    };
    println!("load requests {}", latencies.len() + failures.len());
    println!("load seconds {seconds:.3}");
    println!("load rps {:.1}", latencies.len() as f64 / seconds);
    println!("load p50_us {}", percentile(50));
    println!("load p99_us {}", percentile(99));
    println!("load bad_status {}", failures.len());
    println!("load cpu_ticks {ticks}");
    if let Some(first) = failures.first() {
        eprintln!("distributed_load: first failure: {first}");
    }
}

/// One keep-alive connection to `url` sending the bodies not yet taken; the latencies of its
/// 201s and a line per other answer.
async fn client(
    url: String,
    key: String,
    bodies: Arc<Vec<Bytes>>,
    next: Arc<AtomicUsize>,
) -> (Vec<Duration>, Vec<String>) {
    let authority = url
        .strip_prefix("http://")
        .expect("an http:// URL")
        .to_owned();
    let stream = tokio::net::TcpStream::connect(&authority).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let (mut latencies, mut failures) = (Vec::new(), Vec::new());
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(body) = bodies.get(index) else { break };
        let request = hyper::Request::post(format!("{url}/v1/documents"))
            .header("host", &authority)
            .header("authorization", format!("Bearer {key}"))
            .header("content-type", "application/json")
            .body(Full::new(body.clone()))
            .unwrap();
        let sent = Instant::now();
        let response = sender.send_request(request).await.unwrap();
        let status = response.status().as_u16();
        let answer = response.into_body().collect().await.unwrap().to_bytes();
        if status == 201 {
            latencies.push(sent.elapsed());
        } else {
            failures.push(format!(
                "{status} from {url}: {}",
                String::from_utf8_lossy(&answer)
            ));
        }
    }
    (latencies, failures)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The objects (or contents) of a phase: `count` of `length` random bytes from `seed`, the
/// `set`-th set of them.
fn objects(seed: u64, set: u64, count: usize, length: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| random((seed << 24) ^ (set << 16) ^ i as u64, length))
        .collect()
}

fn s3(options: &Options) {
    let seed = options.number("seed") as u64;
    let object = options.number("object-mib") << 20;
    let (count, parallel) = (options.number("count"), options.number("parallel"));
    let phase = options.text("phase");
    // Made before the clock starts: the bytes, and their hashes where a get needs them.
    let (length, n, set) = match phase {
        "client-put" | "client-get" => (object, count, 0),
        "client-put-parallel" => (object, count, 1),
        "store-put" | "store-get" => (object, count, 2),
        "store-large-put" | "store-large-get" => (16 * object, count / 16, 3),
        _ => panic!("unknown phase {phase:?}"),
    };
    let data = objects(seed, set, n, length);
    let ids: Vec<ChunkId> = data.iter().map(|bytes| ChunkId::of(bytes)).collect();
    let addresses: Vec<ContentAddress> = data.iter().map(|b| ContentAddress::of(b)).collect();
    let raw = phase
        .starts_with("client")
        .then(|| S3Chunks::open(&s3_config(options)).unwrap());
    let store = phase.starts_with("store").then(|| store(options));

    let ticks = cpu_ticks();
    let started = Instant::now();
    match phase {
        "client-put" => {
            let raw = raw.as_ref().unwrap();
            for (id, bytes) in ids.iter().zip(&data) {
                raw.put_chunk(id, bytes).unwrap();
            }
        }
        "client-get" => {
            let raw = raw.as_ref().unwrap();
            for (id, bytes) in ids.iter().zip(&data) {
                let read = raw.get_chunk(id).unwrap().expect("the object put before");
                assert!(read == *bytes, "the object read back differs");
            }
        }
        "client-put-parallel" => {
            let raw = raw.as_ref().unwrap();
            let next = AtomicUsize::new(0);
            std::thread::scope(|scope| {
                for _ in 0..parallel {
                    scope.spawn(|| {
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            if i >= n {
                                break;
                            }
                            raw.put_chunk(&ids[i], &data[i]).unwrap();
                        }
                    });
                }
            });
        }
        "store-put" | "store-large-put" => {
            let store = store.as_ref().unwrap();
            for (content, address) in data.iter().zip(&addresses) {
                let outcome = store.put(content.as_slice()).unwrap();
                assert!(outcome.created, "the content was new");
                assert_eq!(outcome.address, *address);
            }
        }
        _ => {
            let store = store.as_ref().unwrap();
            for (content, address) in data.iter().zip(&addresses) {
                let mut read = Vec::with_capacity(length);
                store.read(address).unwrap().copy_to(&mut read).unwrap();
                assert!(read == *content, "the content read back differs");
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let ticks = cpu_ticks() - ticks;
    println!("s3 {phase} {} {seconds:.4} {ticks}", n * length);
}
