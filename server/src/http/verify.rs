//! `POST /v1/verify`: one signature verified by the engine, the report returned.
//!
//! Body (JSON): `signature` (base64 of the CMS as DER, BER or PEM text), optional `content`
//! (base64 of the signed bytes) or `sha256` (hex digest of them, for signatures with signed
//! attributes), optional `at` (RFC 3339, default now), `expectIin`, `expectBin`.
//!
//! The engine is CPU-bound: it runs at most `max-concurrent-verifications` at once, and never
//! on all the async workers ([`on_the_verification_pool`]), so that one keeps answering every
//! other route (`/healthz` included) whatever is verified.

use std::borrow::Cow;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, RETRY_AFTER};
use hyper::{Response, StatusCode};
use qoima_verifier::crypto::DigestAlgorithm;
use qoima_verifier::identity::Expectation;
use qoima_verifier::{Data, Report, Request, Verifier};
use serde::Deserialize;
use tokio::sync::Semaphore;

use super::AppState;
use super::body::Body;
use super::request::read_body;
use super::response::{problem, verification_report};
use crate::config::SMALL_JSON_BODY;

/// The request body. The base64 fields borrow from the request's bytes when they have no JSON
/// escapes (base64 has none): they are most of the request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VerifyBody<'a> {
    #[serde(borrow)]
    signature: Cow<'a, str>,
    #[serde(borrow)]
    content: Option<Cow<'a, str>>,
    sha256: Option<String>,
    at: Option<String>,
    expect_iin: Option<String>,
    expect_bin: Option<String>,
}

/// [`VerifyBody`] read the fast way, which applies to every body whose base64 fields have no
/// JSON escapes (none that a client sends unasked): those are read as bytes, which
/// `serde_json` scans for their closing quote with `memchr`, where a `str` costs a check
/// byte by byte (a thirtieth of a request's instructions, the body being 8 KB of base64);
/// the checks a `str` gets are made after, in one pass each: no control character (RFC 8259
/// §7) and UTF-8. Any failure, an escape included, sends the body to [`VerifyBody`]'s own
/// reading, whose result and error are the answer: this one accepts nothing that that one
/// refuses, and reads the same values.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FastBody<'a> {
    #[serde(borrow)]
    signature: Unescaped<'a>,
    #[serde(borrow)]
    content: Option<Unescaped<'a>>,
    sha256: Option<String>,
    at: Option<String>,
    expect_iin: Option<String>,
    expect_bin: Option<String>,
}

impl<'a> FastBody<'a> {
    fn into_body(self) -> VerifyBody<'a> {
        VerifyBody {
            signature: Cow::Borrowed(self.signature.0),
            content: self.content.map(|content| Cow::Borrowed(content.0)),
            sha256: self.sha256,
            at: self.at,
            expect_iin: self.expect_iin,
            expect_bin: self.expect_bin,
        }
    }
}

/// `bytes` as a request body: read fast ([`FastBody`]), else as [`VerifyBody`] says.
fn parse_body(bytes: &[u8]) -> Result<VerifyBody<'_>, serde_json::Error> {
    match serde_json::from_slice::<FastBody>(bytes) {
        Ok(fast) => Ok(fast.into_body()),
        Err(_) => serde_json::from_slice(bytes),
    }
}

/// For the fuzz target `verify_body`, on any input: a body the fast reading accepts is one
/// [`VerifyBody`] accepts, with the same values; and the SIMD base64 decoder accepts what the
/// `base64` crate accepts, with the same bytes.
#[cfg(feature = "fuzzing")]
#[allow(clippy::panic)] // a disagreement is the finding
pub(crate) fn same_reading(data: &[u8]) {
    use base64::Engine as _;
    if let Ok(fast) = serde_json::from_slice::<FastBody>(data) {
        let fast = format!("{:?}", fast.into_body());
        match serde_json::from_slice::<VerifyBody>(data) {
            Ok(body) => assert_eq!(fast, format!("{body:?}"), "read differently"),
            Err(e) => panic!("read fast, refused by VerifyBody: {e}"),
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let simd = base64_simd::STANDARD.decode_to_vec(text.as_bytes()).ok();
        let reference = base64::engine::general_purpose::STANDARD.decode(text).ok();
        assert_eq!(simd, reference, "base64 decoded differently");
    }
}

/// A JSON string without escapes, borrowed from the body.
#[derive(Debug)]
struct Unescaped<'a>(&'a str);

impl<'de: 'a, 'a> Deserialize<'de> for Unescaped<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Unescaped<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string without escapes")
            }

            /// The string's bytes as they are in the body: `serde_json` gives them borrowed
            /// exactly when there was no escape to resolve.
            fn visit_borrowed_bytes<E: serde::de::Error>(
                self,
                raw: &'de [u8],
            ) -> Result<Self::Value, E> {
                if raw.iter().fold(false, |any, &b| any | (b < 0x20)) {
                    return Err(E::custom("a control character in a string"));
                }
                std::str::from_utf8(raw)
                    .map(Unescaped)
                    .map_err(|_| E::custom("a string that is not UTF-8"))
            }
        }
        deserializer.deserialize_bytes(Visitor)
    }
}

/// Why a request is refused before verification (HTTP 400 or 422).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyRequestError {
    /// A field is not what it must be; the text names it.
    #[error("{0}")]
    Field(String),
}

fn field(what: impl Into<String>) -> VerifyRequestError {
    VerifyRequestError::Field(what.into())
}

/// Verifies the request with `verifier`; `now` is the server's clock (unix seconds).
pub fn verify(
    verifier: &Verifier,
    body: &VerifyBody<'_>,
    now: i64,
) -> Result<Report, VerifyRequestError> {
    let signature = base64(body.signature.trim(), "signature")?;
    let content = body
        .content
        .as_deref()
        .map(|c| base64(c.trim(), "content"))
        .transpose()?;
    let digest = body
        .sha256
        .as_deref()
        .map(|hex_digest| {
            let mut digest = [0u8; 32];
            hex::decode_to_slice(hex_digest, &mut digest).map(|()| digest)
        })
        .transpose()
        .map_err(|_| field("sha256 must be 64 hex digits"))?;
    if content.is_some() && digest.is_some() {
        return Err(field("give content or sha256, not both"));
    }
    let at = match &body.at {
        Some(text) => text
            .parse::<jiff::Timestamp>()
            .map_err(|e| field(format!("at is not an RFC 3339 time: {e}")))?
            .as_second(),
        None => now,
    };
    let data = match (&content, &digest) {
        (Some(bytes), _) => Data::Bytes(bytes),
        (None, Some(digest)) => Data::Digest {
            algorithm: DigestAlgorithm::Sha256,
            value: digest,
        },
        (None, None) => Data::Absent,
    };
    let request = Request::new(&signature, at).data(data).expect(Expectation {
        iin: body.expect_iin.clone(),
        bin: body.expect_bin.clone(),
        roles: Vec::new(),
    });
    verifier.verify(&request).map_err(|e| field(e.to_string()))
}

/// `text` decoded as base64 with the standard alphabet and canonical padding (RFC 4648 §4,
/// §3.5: the pad bits zero), the field named `what` in the error.
///
/// The SIMD decoder does most of the work (the body of a verification is mostly base64:
/// with the `base64` crate its decoding took a tenth of a request's instructions). It
/// accepts exactly what `base64`'s `STANDARD` engine accepts (a test compares them); only
/// when it refuses does that engine decode again, for the error that says where and why.
fn base64(text: &str, what: &str) -> Result<Vec<u8>, VerifyRequestError> {
    base64_simd::STANDARD
        .decode_to_vec(text.as_bytes())
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|e| field(format!("{what} is not base64: {e}")))
        })
}

/// `POST /v1/verify`: the report, whatever its verdict; 422 when the request cannot be
/// verified at all; 503 when the verification capacity stays busy.
pub(super) async fn route(req: hyper::Request<Incoming>, state: &AppState) -> Response<Body> {
    let (bytes, share) = match read_body(req, state.settings.max_json_body, state).await {
        Ok(read) => read,
        Err(response) => return *response,
    };
    let registry = Arc::clone(&state.registry);
    let metrics = Arc::clone(&state.metrics);
    // Parsing a body of up to `max-json-body-bytes` is CPU work too: it runs with the engine.
    let size = Size::of_body(bytes.len());
    let answer = on_the_verification_pool(state, size, move || {
        // The body's share of the JSON buffer goes with its bytes.
        let _share = share;
        let request = match parse_body(&bytes) {
            Ok(request) => request,
            Err(e) => return problem(StatusCode::BAD_REQUEST, &format!("malformed JSON: {e}")),
        };
        let now = jiff::Timestamp::now().as_second();
        match verify(&registry.verifier(), &request, now) {
            Ok(report) => {
                metrics.verification(report.verdict.indication.as_str());
                verification_report(&report)
            }
            Err(e) => problem(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
        }
    })
    .await;
    answer.unwrap_or_else(|response| *response)
}

/// How long a verification waits for one of the `max-concurrent-verifications` slots before
/// its request is refused.
pub(super) const VERIFICATION_WAIT: Duration = Duration::from_secs(2);

/// Runs `work`, which runs the engine, while it holds one of the `max-concurrent-verifications`
/// slots, leaving an async worker free for every other route ([`pooled`]). `size` is what the
/// request tells of how long it may take.
/// When no slot frees up within [`VERIFICATION_WAIT`], the answer is 503 with `Retry-After`.
/// A request whose client goes away keeps its slot until `work` ends: the CPU is still taken.
pub(super) async fn on_the_verification_pool<T: Send + 'static>(
    state: &AppState,
    size: Size,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Box<Response<Body>>> {
    let slots = Arc::clone(&state.verification_slots);
    let on_workers = match size {
        Size::Small => Some(&*state.verifying_on_workers),
        Size::Unbounded => None,
    };
    match pooled(slots, on_workers, VERIFICATION_WAIT, work).await {
        Some(Ok(value)) => Ok(value),
        Some(Err(e)) => Err(Box::new(problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the verification did not finish: {e}"),
        ))),
        None => Err(Box::new(busy(state))),
    }
}

/// How long a verification may take, as far as its request tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Size {
    /// Its input is a JSON body of at most [`SMALL_JSON_BODY`] bytes: the engine's budget
    /// (at most 16 signers, 4 candidate certificates each) keeps it to milliseconds.
    Small,
    /// Anything else: a large body, a stored content read back, a registration's synced write.
    Unbounded,
}

impl Size {
    /// The size of a verification whose whole input is a body of `bytes`.
    pub(super) fn of_body(bytes: usize) -> Self {
        if bytes <= SMALL_JSON_BODY {
            Self::Small
        } else {
            Self::Unbounded
        }
    }
}

/// Why `work` gave no value: it panicked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(super) enum PoolError {
    /// The work panicked on a thread of the multi-threaded runtime.
    #[error("it panicked")]
    Panicked,
    /// The blocking pool's task failed (current-thread runtime).
    #[error(transparent)]
    Join(#[from] tokio::task::JoinError),
}

/// `work` with a permit of `slots`, waited for at most `wait`, so that an async worker stays
/// free for the other requests; `None` when no permit came.
///
/// On the multi-threaded runtime (`qoima serve`'s, which has one worker more than the cores)
/// small work (`on_workers` given, counting those) runs on the request's own worker while
/// fewer than all but one of the workers do: no thread is woken, which on a machine whose
/// cores are all busy is several microseconds of CPU each (`BENCHMARKS.md`, HTTP). Other work
/// still runs on its own thread, which first hands its worker role to another
/// (`block_in_place`). On a current-thread runtime, which has no worker to spare, it goes to
/// the blocking pool.
async fn pooled<T: Send + 'static>(
    slots: Arc<Semaphore>,
    on_workers: Option<&AtomicUsize>,
    wait: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<Result<T, PoolError>> {
    // An error is a closed semaphore, which this one never is.
    let permit = tokio::time::timeout(wait, slots.acquire_owned())
        .await
        .ok()?
        .ok()?;
    let handle = tokio::runtime::Handle::current();
    if handle.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
        let ran = tokio::task::spawn_blocking(move || {
            let _slot = permit;
            work()
        })
        .await;
        return Some(ran.map_err(PoolError::from));
    }
    let _slot = permit;
    // A panic is answered 500, as a failed blocking task is.
    let work = || std::panic::catch_unwind(AssertUnwindSafe(work));
    let spare = handle.metrics().num_workers().saturating_sub(1);
    let ran = match on_workers.and_then(|count| OnWorker::take(count, spare)) {
        Some(_on_worker) => work(),
        None => tokio::task::block_in_place(work),
    };
    Some(ran.map_err(|_| PoolError::Panicked))
}

/// One of the at most `spare` verifications running on an async worker; given back on drop.
struct OnWorker<'a>(&'a AtomicUsize);

impl<'a> OnWorker<'a> {
    fn take(count: &'a AtomicUsize, spare: usize) -> Option<Self> {
        count
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < spare).then_some(n + 1)
            })
            .ok()
            .map(|_| Self(count))
    }
}

impl Drop for OnWorker<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// 503: every verification slot stayed taken.
fn busy(state: &AppState) -> Response<Body> {
    let mut response = problem(
        StatusCode::SERVICE_UNAVAILABLE,
        &format!(
            "the verification capacity is busy ({} verifications are running): retry shortly",
            state.settings.max_concurrent_verifications
        ),
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("2"));
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use std::time::Instant;

    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_time()
            .build()
            .unwrap()
    }

    #[test]
    fn a_verification_waits_for_a_slot_and_gives_up_when_none_frees() {
        runtime().block_on(async {
            let slots = Arc::new(Semaphore::new(1));
            let wait = Duration::from_millis(100);
            // A slot is free: the work runs, and while it blocks, the only async worker still
            // runs other tasks.
            let (started_tx, started_rx) = std::sync::mpsc::channel();
            let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
            let running = tokio::spawn(pooled(Arc::clone(&slots), None, wait, move || {
                started_tx.send(()).unwrap();
                release_rx.recv_timeout(Duration::from_secs(10)).is_ok()
            }));
            tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
                .await
                .unwrap();
            tokio::spawn(async move { release_tx.send(()).unwrap() })
                .await
                .unwrap();
            assert!(
                running.await.unwrap().unwrap().unwrap(),
                "the worker was blocked"
            );
            assert_eq!(slots.available_permits(), 1, "the slot is given back");

            // The only slot is taken: no run, after the wait.
            let held = Arc::clone(&slots).acquire_owned().await.unwrap();
            let started = Instant::now();
            assert!(
                pooled(Arc::clone(&slots), None, wait, || ())
                    .await
                    .is_none()
            );
            assert!(started.elapsed() >= wait);

            // Freed while waiting: it runs.
            let release = tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                drop(held);
            });
            let waited = pooled(Arc::clone(&slots), None, Duration::from_secs(5), || 7).await;
            assert_eq!(waited.unwrap().unwrap(), 7);
            release.await.unwrap();
        });
    }

    #[test]
    fn verifications_run_on_the_workers_but_leave_one_free() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(3)
            .enable_time()
            .build()
            .unwrap();
        static ON_WORKERS: AtomicUsize = AtomicUsize::new(0);
        runtime.block_on(async {
            let slots = Arc::new(Semaphore::new(3));
            let (started_tx, started_rx) = std::sync::mpsc::channel();
            let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
            let release_rx = Arc::new(std::sync::Mutex::new(release_rx));
            // Three verifications that block until released: two on workers, the third on a
            // thread that gave its worker role away.
            let running: Vec<_> = (0..3)
                .map(|_| {
                    let (started, release) = (started_tx.clone(), Arc::clone(&release_rx));
                    tokio::spawn(pooled(
                        Arc::clone(&slots),
                        Some(&ON_WORKERS),
                        Duration::from_secs(5),
                        move || {
                            started.send(ON_WORKERS.load(Ordering::Acquire)).unwrap();
                            let release = release.lock().unwrap();
                            release.recv_timeout(Duration::from_secs(10)).is_ok()
                        },
                    ))
                })
                .collect();
            let counts = tokio::task::spawn_blocking(move || {
                (0..3).map(|_| started_rx.recv().unwrap()).max()
            });
            assert_eq!(
                counts.await.unwrap(),
                Some(2),
                "two on the workers, not three"
            );
            // Another task still runs, on the worker left free.
            tokio::spawn(async move {
                for _ in 0..3 {
                    release_tx.send(()).unwrap();
                }
            })
            .await
            .unwrap();
            for verification in running {
                assert!(
                    verification.await.unwrap().unwrap().unwrap(),
                    "no worker was free"
                );
            }
            assert_eq!(
                ON_WORKERS.load(Ordering::Acquire),
                0,
                "each gave its place back"
            );
            assert_eq!(slots.available_permits(), 3);
        });
    }

    #[test]
    fn a_panic_is_an_error_and_gives_the_slot_back() {
        runtime().block_on(async {
            let slots = Arc::new(Semaphore::new(1));
            let wait = Duration::from_millis(100);
            let ran = tokio::spawn(pooled(Arc::clone(&slots), None, wait, || {
                panic!("in the engine")
            }));
            let ran = ran.await.unwrap().unwrap();
            assert!(matches!(ran, Err(PoolError::Panicked)), "{ran:?}");
            assert_eq!(slots.available_permits(), 1);
        });
    }

    #[test]
    fn on_a_current_thread_runtime_the_work_goes_to_the_blocking_pool() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(async {
            let slots = Arc::new(Semaphore::new(1));
            let on = pooled(slots, None, Duration::from_millis(100), || {
                std::thread::current().id()
            });
            assert_ne!(on.await.unwrap().unwrap(), std::thread::current().id());
        });
    }

    #[test]
    fn work_holds_its_slot_until_it_ends() {
        runtime().block_on(async {
            let slots = Arc::new(Semaphore::new(1));
            let (started_tx, started_rx) = std::sync::mpsc::channel();
            let (finish_tx, finish_rx) = std::sync::mpsc::channel::<()>();
            let first = tokio::spawn(pooled(
                Arc::clone(&slots),
                None,
                Duration::from_secs(5),
                move || {
                    started_tx.send(()).unwrap();
                    finish_rx.recv().unwrap();
                },
            ));
            tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
                .await
                .unwrap();
            let second = pooled(Arc::clone(&slots), None, Duration::from_millis(50), || ()).await;
            assert!(second.is_none(), "the slot is held by the running work");
            finish_tx.send(()).unwrap();
            first.await.unwrap().unwrap().unwrap();
            assert_eq!(slots.available_permits(), 1);
        });
    }

    /// A few thousand encodings, valid and broken (a character replaced, dropped or added,
    /// the pad bits set): the SIMD decoder accepts exactly what the `base64` crate's
    /// `STANDARD` engine accepts, and decodes it to the same bytes.
    #[test]
    fn the_simd_decoder_accepts_exactly_what_the_base64_engine_accepts() {
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::STANDARD;
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            // xorshift64: reproducible, and enough to vary the cases.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as usize
        };
        let replacements = b"AQgw/+=-_ .\n\0";
        let mut cases: Vec<String> = [
            "", "=", "==", "===", "====", "A", "AA", "AA=", "AA==", "AB==", "AAA", "AAA=", "AAB=",
            "A===", "AAAA====", "AA==AA==", "AAAA\n", " AAAA", "éAAA", "QUJD", "QUJ=",
        ]
        .map(str::to_owned)
        .to_vec();
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let text = engine.encode(&bytes).into_bytes();
            cases.push(String::from_utf8(text.clone()).unwrap());
            for _ in 0..16 {
                let mut broken = text.clone();
                let at = if broken.is_empty() {
                    0
                } else {
                    next() % broken.len()
                };
                match next() % 4 {
                    0 if !broken.is_empty() => {
                        broken[at] = replacements[next() % replacements.len()];
                    }
                    1 if !broken.is_empty() => {
                        broken.remove(at);
                    }
                    2 => broken.insert(at, replacements[next() % replacements.len()]),
                    _ => {
                        // The last character before the padding, its unused bits set.
                        let data = broken.iter().rposition(|&c| c != b'=');
                        if let Some(last) = data {
                            broken[last] = if broken[last] == b'/' { b'+' } else { b'/' };
                        }
                    }
                }
                cases.push(String::from_utf8(broken).unwrap());
            }
        }
        let (mut accepted, mut refused) = (0, 0);
        for case in &cases {
            let expected = engine.decode(case).ok();
            assert_eq!(
                base64_simd::STANDARD.decode_to_vec(case.as_bytes()).ok(),
                expected,
                "{case:?}"
            );
            assert_eq!(base64(case, "field").ok(), expected, "{case:?}");
            if expected.is_some() {
                accepted += 1;
            } else {
                refused += 1;
                let error = base64(case, "content").unwrap_err().to_string();
                assert!(error.starts_with("content is not base64: "), "{error}");
            }
        }
        assert!(accepted > 500 && refused > 1000, "{accepted} {refused}");
    }

    /// The fast reading of a body gives what `VerifyBody`'s own gives, or, when it cannot,
    /// leaves the answer to it: the same values, the same refusals.
    #[test]
    fn a_body_read_fast_is_read_as_verify_body_reads_it() {
        let bodies: [&[u8]; 16] = [
            br#"{"signature":"QUJD","content":"REVG","at":"2026-06-15T12:00:00Z"}"#,
            br#"{"signature":" QUJD\n","sha256":"00","expectIin":"123456789012"}"#,
            br#"{"signature":"QU\/D","content":null}"#,
            br#"{"signature":"QUJD\u0041"}"#,
            b"{\"signature\":\"QU\tJD\"}",
            b"{\"signature\":\"QU\x01JD\"}",
            b"{\"signature\":\"QU\xffJD\"}",
            "{\"signature\":\"Иван\u{2003}\"}".as_bytes(),
            br#"{"signature":"\ud800"}"#,
            br#"{"signature":"QUJD","signature":"QUJD"}"#,
            br#"{"signature":"QUJD","other":1}"#,
            br#"{"signature":12}"#,
            br#"{"signature":["QUJD"]}"#,
            br#"{"content":"QUJD"}"#,
            br#"{"signature":"QUJD"} trailing"#,
            br#"{"signature":"QUJD""#,
        ];
        let mut fast = 0;
        for body in bodies {
            let expected = serde_json::from_slice::<VerifyBody>(body).map(|b| format!("{b:?}"));
            let read = parse_body(body).map(|b| format!("{b:?}"));
            assert_eq!(
                read.as_ref().ok(),
                expected.as_ref().ok(),
                "{}",
                String::from_utf8_lossy(body)
            );
            if let (Err(read), Err(expected)) = (&read, &expected) {
                assert_eq!(read.to_string(), expected.to_string());
            }
            fast += usize::from(serde_json::from_slice::<FastBody>(body).is_ok());
        }
        // The plain bodies take the fast way; the others show that the rest is unchanged.
        assert_eq!(fast, 2, "bodies read fast");
    }
}
