#!/usr/bin/env bash
# Makes verifier/testdata/pki/aia/aia.cer: an end-entity certificate issued by the test PKI's
# ca-rsa (generate.sh's key; 2026-01-01 -> 2028-01-01, a new key on every run) whose
# authorityInfoAccess (RFC 5280 §4.2.2.1) names two http OCSP responders, an ldap one and a
# caIssuers URI: where `revocation::ocsp::responder_urls` looks (only the two http OCSP URIs
# count).
#
# Needs only the `openssl` command line (OpenSSL 3.0). Usage: ./aia.sh (from any directory).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cat > "$WORK/openssl.cnf" <<CNF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir             = $WORK
database        = $WORK/index.txt
new_certs_dir   = $WORK
serial          = $WORK/serial
default_md      = sha256
policy          = policy_any
[ policy_any ]
commonName      = optional
countryName     = optional
[ ext_aia ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess    = OCSP;URI:http://ocsp.qoima.test/,OCSP;URI:ldap://ocsp.qoima.test/,caIssuers;URI:http://ca.qoima.test/ca-rsa.cer,OCSP;URI:http://127.0.0.1:1/ocsp
CNF
export OPENSSL_CONF=$WORK/openssl.cnf
: > "$WORK/index.txt"
echo 2026000000000000000000000000000000000040 > "$WORK/serial"

q() { "$@" > "$WORK/log" 2>&1 || { cat "$WORK/log" >&2; exit 1; }; }

mkdir -p aia
q openssl x509 -inform DER -in certs/ca-rsa.cer -out "$WORK/ca-rsa.pem"
q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/aia.key.pem"
q openssl req -new -key "$WORK/aia.key.pem" -subj "/CN=QOIMA TEST AIA/C=KZ" -out "$WORK/aia.csr"
q openssl ca -batch -notext -cert "$WORK/ca-rsa.pem" -keyfile keys/ca-rsa.key.pem \
    -in "$WORK/aia.csr" -extensions ext_aia -startdate 260101000000Z -enddate 280101000000Z \
    -out "$WORK/aia.pem"
q openssl x509 -in "$WORK/aia.pem" -outform DER -out aia/aia.cer
echo "written $HERE/aia/aia.cer"
