//! `GET /metrics`: counters in the Prometheus text exposition format (version 0.0.4).
//!
//! Hand-written on atomics rather than a metrics crate: the families are few and fixed, and
//! the format is a page of text. Every label value comes from a bounded set (a route template
//! from the router, a method folded to the standard ones, a status code, an outcome or
//! indication named in code), so a client cannot grow the output by sending odd requests.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use hyper::Method;
use qoima_verifier::verdict::Indication;

/// The `Content-Type` of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Upper bounds of the request duration histogram's buckets, in seconds (`+Inf` is implied).
pub const DURATION_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// [`DURATION_BUCKETS`] in nanoseconds, for comparing without floating point on the hot path.
const BUCKET_NANOS: [u64; 13] = [
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    250_000_000,
    500_000_000,
    1_000_000_000,
    2_500_000_000,
    5_000_000_000,
    10_000_000_000,
];

/// The outcomes of `qoima_registrations_total`, shown at zero before the first one so that
/// rates over them are defined from the start.
const REGISTRATION_OUTCOMES: [&str; 2] = ["registered", "refused"];

/// The process's HTTP and vault counters. Shared in an `Arc` by every connection.
#[derive(Debug, Default)]
pub struct Metrics {
    /// `qoima_http_requests_total` by (route, method, status).
    requests: Counters<(&'static str, &'static str, u16)>,
    /// `qoima_http_request_duration_seconds` by route.
    durations: RwLock<BTreeMap<&'static str, Histogram>>,
    /// `qoima_http_requests_in_flight`; an `Arc` so that a guard can outlive a borrow of
    /// `Metrics` (e.g. inside a streaming response body).
    in_flight: Arc<AtomicI64>,
    /// `qoima_upload_bytes_total`.
    upload_bytes: AtomicU64,
    /// `qoima_registrations_total` by outcome.
    registrations: Counters<&'static str>,
    /// `qoima_verifications_total` by indication.
    verifications: Counters<&'static str>,
}

impl Metrics {
    /// Counts one finished request and its duration. `route` is the router's template (e.g.
    /// `/v1/documents/{id}`), never the request's path, which would make a label per document.
    pub fn observe(&self, method: &Method, route: &'static str, status: u16, elapsed: Duration) {
        self.requests.add((route, method_label(method), status), 1);
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        let found = read(&self.durations)
            .get(route)
            .map(|histogram| histogram.observe(nanos))
            .is_some();
        if !found {
            write(&self.durations)
                .entry(route)
                .or_default()
                .observe(nanos);
        }
    }

    /// Counts a request as in flight until the guard is dropped.
    pub fn in_flight(&self) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight {
            gauge: Arc::clone(&self.in_flight),
        }
    }

    /// Counts `n` bytes received for uploads.
    pub fn upload_bytes(&self, n: u64) {
        self.upload_bytes.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts a registration attempt: `outcome` is `"registered"` or `"refused"`.
    pub fn registration(&self, outcome: &'static str) {
        self.registrations.add(outcome, 1);
    }

    /// Counts a verification by its main indication (`Indication::as_str`, e.g.
    /// `TOTAL_PASSED`).
    pub fn verification(&self, indication: &'static str) {
        self.verifications.add(indication, 1);
    }

    /// The exposition text: every family, then `gauges`, values sampled by the caller at
    /// scrape time as (name, help, value). A gauge name that is not a valid metric name has
    /// its other characters replaced by `_`.
    pub fn render(&self, gauges: &[(&str, &str, f64)]) -> String {
        let mut out = String::with_capacity(4096);

        family(
            &mut out,
            "qoima_http_requests_total",
            "HTTP requests answered, by method, route template and status code.",
            "counter",
        );
        for ((route, method, status), value) in self.requests.snapshot() {
            sample(
                &mut out,
                "qoima_http_requests_total",
                &[
                    ("method", method),
                    ("route", route),
                    ("status", &status.to_string()),
                ],
                &value.to_string(),
            );
        }

        family(
            &mut out,
            "qoima_http_request_duration_seconds",
            "Time from the request's head to its response, by route template.",
            "histogram",
        );
        for (route, histogram) in read(&self.durations).iter() {
            histogram.render(&mut out, "qoima_http_request_duration_seconds", route);
        }

        family(
            &mut out,
            "qoima_http_requests_in_flight",
            "HTTP requests being answered now.",
            "gauge",
        );
        sample(
            &mut out,
            "qoima_http_requests_in_flight",
            &[],
            &self.in_flight.load(Ordering::Relaxed).to_string(),
        );

        family(
            &mut out,
            "qoima_upload_bytes_total",
            "Bytes of content received by uploads.",
            "counter",
        );
        sample(
            &mut out,
            "qoima_upload_bytes_total",
            &[],
            &self.upload_bytes.load(Ordering::Relaxed).to_string(),
        );

        family(
            &mut out,
            "qoima_registrations_total",
            "Registration attempts, by outcome (registered or refused).",
            "counter",
        );
        let mut registrations: BTreeMap<&str, u64> =
            REGISTRATION_OUTCOMES.iter().map(|&o| (o, 0)).collect();
        registrations.extend(self.registrations.snapshot());
        for (outcome, value) in registrations {
            sample(
                &mut out,
                "qoima_registrations_total",
                &[("outcome", outcome)],
                &value.to_string(),
            );
        }

        family(
            &mut out,
            "qoima_verifications_total",
            "Signature verifications, by main indication (ETSI EN 319 102-1).",
            "counter",
        );
        let mut verifications: BTreeMap<&str, u64> = [
            Indication::TotalPassed,
            Indication::Indeterminate,
            Indication::TotalFailed,
        ]
        .iter()
        .map(|i| (i.as_str(), 0))
        .collect();
        verifications.extend(self.verifications.snapshot());
        for (indication, value) in verifications {
            sample(
                &mut out,
                "qoima_verifications_total",
                &[("indication", indication)],
                &value.to_string(),
            );
        }

        for &(name, help, value) in gauges {
            let name = metric_name(name);
            family(&mut out, &name, help, "gauge");
            sample(&mut out, &name, &[], &float(value));
        }
        out
    }
}

/// Keeps `qoima_http_requests_in_flight` one higher while it lives.
#[derive(Debug)]
#[must_use = "the request stops counting as in flight when the guard is dropped"]
pub struct InFlight {
    gauge: Arc<AtomicI64>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.gauge.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Counters by label key: a read lock and an atomic add once a key has been seen, the write
/// lock only the first time.
#[derive(Debug)]
struct Counters<K> {
    map: RwLock<BTreeMap<K, AtomicU64>>,
}

impl<K> Default for Counters<K> {
    fn default() -> Self {
        Self {
            map: RwLock::new(BTreeMap::new()),
        }
    }
}

impl<K: Ord + Copy> Counters<K> {
    fn add(&self, key: K, n: u64) {
        if let Some(counter) = read(&self.map).get(&key) {
            counter.fetch_add(n, Ordering::Relaxed);
            return;
        }
        write(&self.map)
            .entry(key)
            .or_default()
            .fetch_add(n, Ordering::Relaxed);
    }

    fn snapshot(&self) -> Vec<(K, u64)> {
        read(&self.map)
            .iter()
            .map(|(key, value)| (*key, value.load(Ordering::Relaxed)))
            .collect()
    }
}

/// One route's durations: a count per bucket (not cumulative; the last is `+Inf`) and the
/// sum. The count is the buckets' total, so `_count` always equals the `+Inf` bucket even
/// when a scrape races an observation.
#[derive(Debug, Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKET_NANOS.len() + 1],
    sum_nanos: AtomicU64,
}

impl Histogram {
    fn observe(&self, nanos: u64) {
        let slot = BUCKET_NANOS.partition_point(|&bound| bound < nanos);
        if let Some(bucket) = self.buckets.get(slot) {
            bucket.fetch_add(1, Ordering::Relaxed);
        }
        // Saturating rather than wrapping: a sum that went back to zero would read as a
        // counter reset.
        let _ = self
            .sum_nanos
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |sum| {
                Some(sum.saturating_add(nanos))
            });
    }

    fn render(&self, out: &mut String, name: &str, route: &str) {
        let bucket_name = format!("{name}_bucket");
        let mut cumulative = 0u64;
        for (slot, bucket) in self.buckets.iter().enumerate() {
            cumulative = cumulative.saturating_add(bucket.load(Ordering::Relaxed));
            let le = DURATION_BUCKETS
                .get(slot)
                .map_or_else(|| "+Inf".to_owned(), |&bound| float(bound));
            sample(
                out,
                &bucket_name,
                &[("route", route), ("le", &le)],
                &cumulative.to_string(),
            );
        }
        let sum = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        sample(
            out,
            &format!("{name}_sum"),
            &[("route", route)],
            &float(sum),
        );
        sample(
            out,
            &format!("{name}_count"),
            &[("route", route)],
            &cumulative.to_string(),
        );
    }
}

/// The method as a label: the standard ones by name, any other as `OTHER` (a client may send
/// any token as a method, and each would otherwise be a new series).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "OTHER",
    }
}

/// The `# HELP` and `# TYPE` lines of a family.
fn family(out: &mut String, name: &str, help: &str, kind: &str) {
    let mut escaped = String::with_capacity(help.len());
    for c in help.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '\n' => escaped.push_str("\\n"),
            c => escaped.push(c),
        }
    }
    let _ = writeln!(out, "# HELP {name} {escaped}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// One sample line; label values escaped as the format asks (`\\`, `\"`, `\n`).
fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: &str) {
    out.push_str(name);
    if !labels.is_empty() {
        out.push('{');
        for (i, (label, value)) in labels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(label);
            out.push_str("=\"");
            for c in value.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '"' => out.push_str("\\\""),
                    '\n' => out.push_str("\\n"),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        out.push('}');
    }
    out.push(' ');
    out.push_str(value);
    out.push('\n');
}

/// A float as the format writes it (`+Inf`, `-Inf`, `NaN`; Rust's `inf` is not accepted).
fn float(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value == f64::INFINITY {
        "+Inf".to_owned()
    } else if value == f64::NEG_INFINITY {
        "-Inf".to_owned()
    } else {
        value.to_string()
    }
}

/// `name` as a valid metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`): other characters become `_`.
fn metric_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let valid =
                c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit());
            if valid { c } else { '_' }
        })
        .collect();
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// A read lock that ignores poisoning: the maps hold counters only, never a half-made update.
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

/// A write lock that ignores poisoning (see [`read`]).
fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

/// The process's resident set in bytes (`VmRSS` of `/proc/self/status`; none elsewhere than
/// Linux).
pub(crate) fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib << 10)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    /// A parsed sample line: name, labels (unescaped), value.
    type Sample = (String, Vec<(String, String)>, String);

    /// Parses the exposition text line by line, checking its grammar: every sample belongs to
    /// the family of the last `# TYPE` line, every family has `# HELP` then `# TYPE`.
    fn parse(text: &str) -> (Vec<(String, String, String)>, Vec<Sample>) {
        assert!(text.ends_with('\n'), "the text ends with a newline");
        let mut families = Vec::new();
        let mut samples = Vec::new();
        let mut help: Option<(String, String)> = None;
        let mut current: Option<(String, String)> = None;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# HELP ") {
                let (name, text) = rest.split_once(' ').unwrap();
                assert!(valid_name(name), "{line}");
                help = Some((name.to_owned(), text.to_owned()));
            } else if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').unwrap();
                let (help_name, help_text) = help.take().expect("# HELP before # TYPE");
                assert_eq!(help_name, name);
                assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
                families.push((name.to_owned(), kind.to_owned(), help_text));
                current = Some((name.to_owned(), kind.to_owned()));
            } else {
                assert!(!line.starts_with('#'), "{line}");
                let (family, kind) = current.clone().expect("a sample after # TYPE");
                let sample = parse_sample(line);
                let name = &sample.0;
                let allowed = if kind == "histogram" {
                    [
                        format!("{family}_bucket"),
                        format!("{family}_sum"),
                        format!("{family}_count"),
                    ]
                    .contains(name)
                } else {
                    *name == family
                };
                assert!(allowed, "{name} in family {family}");
                samples.push(sample);
            }
        }
        (families, samples)
    }

    fn valid_name(name: &str) -> bool {
        let mut chars = name.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    }

    fn parse_sample(line: &str) -> Sample {
        let name_end = line.find(['{', ' ']).unwrap();
        let name = &line[..name_end];
        assert!(valid_name(name), "{line}");
        let mut rest = &line[name_end..];
        let mut labels = Vec::new();
        if let Some(after) = rest.strip_prefix('{') {
            let mut chars = after.char_indices().peekable();
            loop {
                let (start, _) = *chars.peek().unwrap();
                let eq = after[start..].find('=').unwrap() + start;
                let label = &after[start..eq];
                assert!(valid_name(label), "{line}");
                while chars.next_if(|&(i, _)| i <= eq).is_some() {}
                assert_eq!(chars.next(), Some((eq + 1, '"')), "{line}");
                let mut value = String::new();
                loop {
                    match chars.next().unwrap() {
                        (_, '\\') => match chars.next().unwrap().1 {
                            '\\' => value.push('\\'),
                            '"' => value.push('"'),
                            'n' => value.push('\n'),
                            other => panic!("bad escape \\{other} in {line}"),
                        },
                        (_, '"') => break,
                        (_, '\n') => panic!("raw newline in {line}"),
                        (_, c) => value.push(c),
                    }
                }
                labels.push((label.to_owned(), value));
                match chars.next().unwrap() {
                    (_, ',') => continue,
                    (i, '}') => {
                        rest = &after[i + 1..];
                        break;
                    }
                    (_, c) => panic!("unexpected {c:?} in {line}"),
                }
            }
        }
        let value = rest.strip_prefix(' ').expect("one space before the value");
        assert!(!value.contains(' '), "no timestamp: {line}");
        assert!(
            value.parse::<f64>().is_ok() || ["+Inf", "-Inf", "NaN"].contains(&value),
            "{line}"
        );
        (name.to_owned(), labels, value.to_owned())
    }

    fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        samples
            .iter()
            .find(|(n, l, _)| {
                n == name
                    && l.len() == labels.len()
                    && labels
                        .iter()
                        .all(|(k, v)| l.iter().any(|(lk, lv)| lk == k && lv == v))
            })
            .map(|(_, _, v)| match v.as_str() {
                "+Inf" => f64::INFINITY,
                v => v.parse().unwrap(),
            })
    }

    #[test]
    fn empty_metrics_have_every_family() {
        let (families, samples) = parse(&Metrics::default().render(&[]));
        let names: Vec<&str> = families.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "qoima_http_requests_total",
                "qoima_http_request_duration_seconds",
                "qoima_http_requests_in_flight",
                "qoima_upload_bytes_total",
                "qoima_registrations_total",
                "qoima_verifications_total",
            ]
        );
        assert_eq!(
            value(&samples, "qoima_http_requests_in_flight", &[]),
            Some(0.0)
        );
        for outcome in ["registered", "refused"] {
            assert_eq!(
                value(
                    &samples,
                    "qoima_registrations_total",
                    &[("outcome", outcome)]
                ),
                Some(0.0)
            );
        }
        for indication in ["TOTAL_PASSED", "INDETERMINATE", "TOTAL_FAILED"] {
            assert_eq!(
                value(
                    &samples,
                    "qoima_verifications_total",
                    &[("indication", indication)]
                ),
                Some(0.0)
            );
        }
    }

    #[test]
    fn requests_are_counted_by_method_route_and_status() {
        let metrics = Metrics::default();
        let route = "/v1/documents/{id}";
        metrics.observe(&Method::GET, route, 200, Duration::from_millis(3));
        metrics.observe(&Method::GET, route, 200, Duration::from_millis(30));
        metrics.observe(&Method::DELETE, route, 409, Duration::from_micros(10));
        let odd = Method::from_bytes(b"BREW").unwrap();
        metrics.observe(&odd, route, 405, Duration::from_secs(20));
        let (_, samples) = parse(&metrics.render(&[]));
        let count = |method, status| {
            value(
                &samples,
                "qoima_http_requests_total",
                &[("method", method), ("route", route), ("status", status)],
            )
        };
        assert_eq!(count("GET", "200"), Some(2.0));
        assert_eq!(count("DELETE", "409"), Some(1.0));
        assert_eq!(count("OTHER", "405"), Some(1.0));
        assert_eq!(count("BREW", "405"), None);
    }

    #[test]
    fn histogram_buckets_are_cumulative_and_inf_is_the_count() {
        let metrics = Metrics::default();
        let durations = [
            Duration::ZERO,
            Duration::from_micros(999),
            Duration::from_millis(1),
            Duration::from_millis(7),
            Duration::from_millis(250),
            Duration::from_secs(3),
            Duration::from_secs(10),
            Duration::from_secs(11),
            Duration::MAX,
        ];
        for d in durations {
            metrics.observe(&Method::POST, "/v1/verify", 200, d);
        }
        metrics.observe(&Method::GET, "/healthz", 200, Duration::from_millis(2));
        let (families, samples) = parse(&metrics.render(&[]));
        assert!(
            families
                .iter()
                .any(|(n, k, _)| n == "qoima_http_request_duration_seconds" && k == "histogram")
        );
        let buckets: Vec<(String, f64)> = samples
            .iter()
            .filter(|(n, l, _)| {
                n == "qoima_http_request_duration_seconds_bucket"
                    && l.iter().any(|(k, v)| k == "route" && v == "/v1/verify")
            })
            .map(|(_, l, v)| {
                let le = l.iter().find(|(k, _)| k == "le").unwrap().1.clone();
                (le, v.parse().unwrap())
            })
            .collect();
        assert_eq!(buckets.len(), DURATION_BUCKETS.len() + 1);
        // The bounds increase, end at +Inf, and the counts never decrease.
        let bounds: Vec<f64> = buckets
            .iter()
            .map(|(le, _)| {
                if le == "+Inf" {
                    f64::INFINITY
                } else {
                    le.parse().unwrap()
                }
            })
            .collect();
        assert!(bounds.windows(2).all(|w| w[0] < w[1]), "{bounds:?}");
        assert_eq!(bounds.last(), Some(&f64::INFINITY));
        assert!(buckets.windows(2).all(|w| w[0].1 <= w[1].1), "{buckets:?}");
        let at = |le: &str| buckets.iter().find(|(l, _)| l == le).unwrap().1;
        // A bound is inclusive (`le`): 1 ms is in the 0.001 bucket.
        assert_eq!(at("0.001"), 3.0);
        assert_eq!(at("0.01"), 4.0);
        assert_eq!(at("0.25"), 5.0);
        assert_eq!(at("5"), 6.0);
        assert_eq!(at("10"), 7.0);
        assert_eq!(at("+Inf"), durations.len() as f64);
        let route = [("route", "/v1/verify")];
        assert_eq!(
            value(
                &samples,
                "qoima_http_request_duration_seconds_count",
                &route
            ),
            Some(durations.len() as f64)
        );
        let sum = value(&samples, "qoima_http_request_duration_seconds_sum", &route).unwrap();
        assert!(sum > 24.0, "{sum}");
        assert_eq!(
            value(
                &samples,
                "qoima_http_request_duration_seconds_count",
                &[("route", "/healthz")]
            ),
            Some(1.0)
        );
    }

    #[test]
    fn label_values_are_escaped() {
        let metrics = Metrics::default();
        let route = "/odd\\path \"quoted\"\nnext";
        metrics.observe(&Method::GET, route, 404, Duration::from_millis(1));
        metrics.verification("A\"B\\C\nD");
        let text = metrics.render(&[]);
        assert!(
            text.contains(r#"route="/odd\\path \"quoted\"\nnext""#),
            "{text}"
        );
        let (_, samples) = parse(&text);
        assert_eq!(
            value(
                &samples,
                "qoima_http_requests_total",
                &[("method", "GET"), ("route", route), ("status", "404")]
            ),
            Some(1.0)
        );
        assert_eq!(
            value(
                &samples,
                "qoima_verifications_total",
                &[("indication", "A\"B\\C\nD")]
            ),
            Some(1.0)
        );
    }

    #[test]
    fn in_flight_follows_the_guards() {
        let metrics = Metrics::default();
        let gauge = |m: &Metrics| {
            let (_, samples) = parse(&m.render(&[]));
            value(&samples, "qoima_http_requests_in_flight", &[]).unwrap()
        };
        let first = metrics.in_flight();
        let second = metrics.in_flight();
        assert_eq!(gauge(&metrics), 2.0);
        drop(first);
        assert_eq!(gauge(&metrics), 1.0);
        drop(second);
        assert_eq!(gauge(&metrics), 0.0);
    }

    #[test]
    fn counters_add_up() {
        let metrics = Metrics::default();
        metrics.upload_bytes(1000);
        metrics.upload_bytes(24);
        metrics.registration("registered");
        metrics.registration("registered");
        metrics.registration("refused");
        metrics.verification(Indication::TotalPassed.as_str());
        metrics.verification(Indication::TotalFailed.as_str());
        metrics.verification(Indication::TotalFailed.as_str());
        let (_, samples) = parse(&metrics.render(&[]));
        assert_eq!(
            value(&samples, "qoima_upload_bytes_total", &[]),
            Some(1024.0)
        );
        let registrations = |o| value(&samples, "qoima_registrations_total", &[("outcome", o)]);
        assert_eq!(registrations("registered"), Some(2.0));
        assert_eq!(registrations("refused"), Some(1.0));
        let verifications = |i| value(&samples, "qoima_verifications_total", &[("indication", i)]);
        assert_eq!(verifications("TOTAL_PASSED"), Some(1.0));
        assert_eq!(verifications("TOTAL_FAILED"), Some(2.0));
        assert_eq!(verifications("INDETERMINATE"), Some(0.0));
    }

    #[test]
    fn scrape_time_gauges_are_families_of_their_own() {
        let metrics = Metrics::default();
        let text = metrics.render(&[
            (
                "qoima_uploads_in_progress",
                "Uploads begun and not finished.",
                3.0,
            ),
            (
                "qoima_audit_log_entries",
                "Entries in the audit log.\nAll of them \\ every one.",
                12345.0,
            ),
            ("9 bad-name", "Sanitised.", f64::INFINITY),
            ("qoima_ratio", "A fraction.", 0.5),
            ("qoima_unknown", "Not a number.", f64::NAN),
        ]);
        assert!(
            text.contains("# HELP qoima_audit_log_entries Entries in the audit log.\\nAll of them \\\\ every one.\n"),
            "{text}"
        );
        let (families, samples) = parse(&text);
        for name in [
            "qoima_uploads_in_progress",
            "qoima_audit_log_entries",
            "__bad_name",
            "qoima_ratio",
            "qoima_unknown",
        ] {
            assert!(
                families.iter().any(|(n, k, _)| n == name && k == "gauge"),
                "{name}"
            );
        }
        assert_eq!(value(&samples, "qoima_uploads_in_progress", &[]), Some(3.0));
        assert_eq!(
            value(&samples, "qoima_audit_log_entries", &[]),
            Some(12345.0)
        );
        assert_eq!(value(&samples, "__bad_name", &[]), Some(f64::INFINITY));
        assert_eq!(value(&samples, "qoima_ratio", &[]), Some(0.5));
        assert!(text.contains("\nqoima_unknown NaN\n"));
    }

    #[test]
    fn concurrent_observations_are_all_counted() {
        let metrics = Arc::new(Metrics::default());
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let metrics = Arc::clone(&metrics);
                std::thread::spawn(move || {
                    let routes = ["/a", "/b", "/c"];
                    for i in 0..1000u64 {
                        let _guard = metrics.in_flight();
                        metrics.observe(
                            &Method::GET,
                            routes[(i as usize + t) % routes.len()],
                            200,
                            Duration::from_micros(i),
                        );
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let (_, samples) = parse(&metrics.render(&[]));
        let total: f64 = ["/a", "/b", "/c"]
            .iter()
            .map(|r| {
                value(
                    &samples,
                    "qoima_http_request_duration_seconds_count",
                    &[("route", r)],
                )
                .unwrap()
            })
            .sum();
        assert_eq!(total, 8000.0);
        assert_eq!(
            value(&samples, "qoima_http_requests_in_flight", &[]),
            Some(0.0)
        );
    }

    #[test]
    fn metrics_are_shareable() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<Metrics>();
        shareable::<InFlight>();
    }
}
