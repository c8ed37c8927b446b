//! Revocation data fetched over HTTP, as CAs publish it: CRLs from their distribution points
//! (RFC 5280 §4.2.1.13, a GET) and OCSP responses from their responders (RFC 6960 Appendix
//! A.1, a POST of the request).
//!
//! Plain HTTP only: what is fetched is signed by the CA, and is checked before it is used, so a
//! network that alters it can only make it refused, which TLS would not improve on; NCA RK
//! publishes over plain HTTP. A fetch is bounded (a connection timeout, a deadline for the whole
//! answer, a size limit), a GET is conditional (`If-Modified-Since`), and a failed one is retried with
//! exponential back-off and full jitter, so that many vaults do not retry a struggling CA in
//! step.

mod get;
mod retry;

pub(crate) use get::{FetchError, Fetched, Fetcher, Limits};
pub(crate) use retry::Backoff;

#[cfg(test)]
mod tests;
