#!/usr/bin/env bash
# Regenerates the CRLs of the revocation refresh tests (`server/tests/refresh.rs`,
# `server/src/refresh/held.rs`): CRLs of the test PKI's ca-rsa (`verifier/testdata/pki`, its
# committed key), with fixed dates around 2026-06-15T12:00:00Z, the instant the test server's
# clock starts at.
#
#   ca-1.crl      number 0x20, 2026-06-01 -> 2026-06-15T12:00:20Z (lapses 20 s after the
#                 server starts), nothing revoked: the configured file
#   ca-2.crl      number 0x21, 2026-06-15T00:00Z -> 2026-06-16, nothing revoked
#   ca-3.crl      number 0x22, 2026-06-15T06:00Z -> 2026-06-16, revokes `individual`
#                 (keyCompromise, 2026-06-15T06:00Z)
#   ca-bad.crl    number 0x23, 2026-06-15T09:00Z -> 2026-06-16, revokes `head`; the last octet
#                 of its signature changed: a bad signature
#   ca-delta.crl  delta CRL, number 0x30, deltaCRLIndicator base 0x21, 2026-06-15T07:00Z ->
#                 2026-06-16, revokes `employee` (keyCompromise, 2026-06-15T07:00Z)
#   ca-points.cer a CA certificate issued by root-rsa (2026-01-01 -> 2040-01-01, a new key on
#                 every run) with two cRLDistributionPoints (http and ldap) and a FreshestCRL:
#                 where the refresh finds URLs
#
# Needs only the `openssl` command line (OpenSSL 3.0). Usage: ./generate.sh (from anywhere).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PKI=$HERE/../../../verifier/testdata/pki
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cat > "$WORK/openssl.cnf" <<CNF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir             = $WORK
database        = \$ENV::CADB
new_certs_dir   = $WORK
serial          = $WORK/serial
crlnumber       = $WORK/crlnumber
default_md      = sha256
policy          = policy_any
[ policy_any ]
commonName      = optional
countryName     = optional
[ ext_points ]
basicConstraints       = critical,CA:TRUE,pathlen:0
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints  = URI:http://crl.qoima.test/points.crl,URI:ldap://crl.qoima.test/cn=points
freshestCRL            = URI:http://crl.qoima.test/points-delta.crl
[ crl_full ]
authorityKeyIdentifier = keyid:always
# openssl has no name for deltaCRLIndicator (2.5.29.27) in a config file: given by OID.
[ crl_delta ]
authorityKeyIdentifier = keyid:always
2.5.29.27              = critical,ASN1:INTEGER:0x21
CNF
export OPENSSL_CONF=$WORK/openssl.cnf CADB=$WORK/index.txt

q() { "$@" > "$WORK/log" 2>&1 || { cat "$WORK/log" >&2; exit 1; }; }

q openssl x509 -inform DER -in "$PKI/certs/ca-rsa.cer" -out "$WORK/ca-rsa.pem"

# revoked SERIAL DATE REASON: an index.txt line (openssl ca -revoke would stamp "now").
revoked() {
    printf 'R\t280101000000Z\t%s,%s\t%s\tunknown\t/CN=revoked\n' "$2" "$3" "$1"
}
INDIVIDUAL=2026000000000000000000000000000000000010
HEAD=2026000000000000000000000000000000000011
EMPLOYEE=2026000000000000000000000000000000000012

# gencrl OUT NUMBER(hex) LAST NEXT EXT-SECTION INDEX-LINES
gencrl() {
    printf '%s' "$6" > "$WORK/index.txt"
    echo "$2" > "$WORK/crlnumber"
    q openssl ca -gencrl -cert "$WORK/ca-rsa.pem" \
        -keyfile "$PKI/keys/ca-rsa.key.pem" -crlexts "$5" -crl_lastupdate "$3" \
        -crl_nextupdate "$4" -md sha256 -out "$WORK/$1.pem"
    q openssl crl -in "$WORK/$1.pem" -outform DER -out "$HERE/$1.crl"
}

gencrl ca-1 20 260601000000Z 260615120020Z crl_full ""
gencrl ca-2 21 260615000000Z 260616000000Z crl_full ""
gencrl ca-3 22 260615060000Z 260616000000Z crl_full \
    "$(revoked $INDIVIDUAL 260615060000Z keyCompromise)"$'\n'
gencrl ca-bad 23 260615090000Z 260616000000Z crl_full \
    "$(revoked $HEAD 260615090000Z keyCompromise)"$'\n'
gencrl ca-delta 30 260615070000Z 260616000000Z crl_delta \
    "$(revoked $EMPLOYEE 260615070000Z keyCompromise)"$'\n'

# A CA certificate naming where its CRLs are.
q openssl x509 -inform DER -in "$PKI/certs/root-rsa.cer" -out "$WORK/root-rsa.pem"
q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/points.key.pem"
q openssl req -new -key "$WORK/points.key.pem" -subj "/CN=QOIMA TEST POINTS CA/C=KZ" \
    -out "$WORK/points.csr"
echo 20260000000000000000000000000000000000F1 > "$WORK/serial"
: > "$WORK/index.txt"
q openssl ca -batch -notext -preserveDN -cert "$WORK/root-rsa.pem" \
    -keyfile "$PKI/keys/root-rsa.key.pem" -in "$WORK/points.csr" -extensions ext_points \
    -startdate 260101000000Z -enddate 400101000000Z -out "$WORK/points.pem"
q openssl x509 -in "$WORK/points.pem" -outform DER -out "$HERE/ca-points.cer"

# The last octet of the DER is the signature's last: flipped, the signature is bad.
size=$(stat -c %s "$HERE/ca-bad.crl")
last=$(od -An -tu1 -j $((size - 1)) -N1 "$HERE/ca-bad.crl" | tr -d ' ')
printf "$(printf '\\%03o' $(( last ^ 1 )))" |
    dd of="$HERE/ca-bad.crl" bs=1 seek=$((size - 1)) conv=notrunc status=none

# Each good CRL verifies with ca-rsa's key; the bad one does not (`openssl crl` exits 0 either
# way: its message says).
verdict() {
    openssl crl -inform DER -in "$HERE/$1.crl" -CAfile "$WORK/ca-rsa.pem" -noout 2>&1 | tr -d '\n'
}
for crl in ca-1 ca-2 ca-3 ca-delta; do
    [ "$(verdict $crl)" = "verify OK" ] || { echo "$crl.crl does not verify" >&2; exit 1; }
done
[ "$(verdict ca-bad)" = "verify failure" ] || { echo "ca-bad.crl still verifies" >&2; exit 1; }
echo "refresh test CRLs written to $HERE"
