//! Two CAs that issue each other (`loop/`): "QOIMA LOOP A" is signed by B's key and "QOIMA
//! LOOP B" by A's; "QOIMA LOOP EE" is signed by A's key. ECDSA P-256, key identifiers set,
//! valid 20 years from generation. Made by `loop/make.sh` (OpenSSL 3.0, keys not kept): per CA
//! `openssl req -new` and a throw-away self-signed certificate of the other CA, then
//! `openssl x509 -req -CA <other>-self.pem -CAkey <other>.key -extfile ext.cnf -extensions ca`
//! (basicConstraints critical CA:TRUE, keyUsage critical keyCertSign+cRLSign, SKI).

use super::store;
use crate::path::{Fingerprint, Limits, PathError, build_path};
use crate::test_support::pki;

const LOOP_A: &[u8] = include_bytes!("loop/loop-a.cer");
const LOOP_B: &[u8] = include_bytes!("loop/loop-b.cer");
const LOOP_EE: &[u8] = include_bytes!("loop/loop-ee.cer");
/// 2030-01-01T00:00:00Z.
const AT: i64 = 1_893_456_000;

#[test]
fn mutually_issuing_cas_terminate() {
    let store = store(&[pki::ROOT_RSA], &[LOOP_A, LOOP_B]);
    let result = build_path(LOOP_EE, &store, AT, Limits::default());
    // EE → A → B → (A again: skipped) → nothing.
    assert_eq!(
        result.unwrap_err(),
        PathError::NoPathToTrustAnchor {
            rejected_signatures: 0
        }
    );
}

#[test]
fn a_loop_member_trusted_ends_the_path() {
    let store = store(&[LOOP_B], &[LOOP_A]);
    let path = build_path(LOOP_EE, &store, AT, Limits::default()).unwrap();
    assert_eq!(
        path.fingerprints,
        vec![
            Fingerprint::of(LOOP_EE),
            Fingerprint::of(LOOP_A),
            Fingerprint::of(LOOP_B)
        ]
    );
}
