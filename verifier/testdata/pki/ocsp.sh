#!/usr/bin/env bash
# Makes verifier/testdata/pki/ocsp/: OCSP requests and responses (RFC 6960) about the test PKI of
# generate.sh, with `openssl ocsp` as the responder, and three responder certificates issued by
# ca-rsa. Uses the keys and certificates generate.sh left in keys/ and certs/ (run that first; a
# new generate.sh run needs a new ocsp.sh run, since CertIDs hash the CAs' keys).
#
# The responder stamps producedAt and thisUpdate with "now": every response is made under
# `faketime` (libfaketime) at a fixed time, so the dates are fixed from run to run:
#
#   produced 2026-06-15T10:00:00Z, nextUpdate 7 days later (the tests validate at 12:00 that day)
#   "expired" produced 2026-05-01T10:00:00Z, nextUpdate 2026-05-08T10:00:00Z
#
# The responder's certificate status database (openssl's index.txt) is written here by hand:
# individual, head, ec, ca-rsa and the responder certificates good; revoked (2026-03-01,
# keyCompromise) and revoked-later (2026-05-01, superseded) revoked; employee absent (unknown).
#
# Needs the `openssl` command line (OpenSSL 3.0) and `faketime`. Usage: ./ocsp.sh (from any
# directory). See README.md ("OCSP") for what each file is.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
OUT=ocsp
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
LOG=$WORK/log
export TZ=UTC

run() {
    if ! "$@" >>"$LOG" 2>&1; then
        echo "FAILED: $*" >&2
        tail -n 30 "$LOG" >&2
        exit 1
    fi
}
at() { local when=$1; shift; run faketime "$when" "$@"; }

PRODUCED="2026-06-15 10:00:00"
EXPIRED="2026-05-01 10:00:00"

rm -rf "$OUT"
mkdir -p "$OUT" "$WORK/pem" "$WORK/db/new"

for c in root-rsa ca-rsa individual head employee revoked revoked-later root-ec ca-ec ec; do
    run openssl x509 -inform DER -in "certs/$c.cer" -out "$WORK/pem/$c.pem"
done

# ---------------------------------------------------------------------------------------------
# Responder certificates, issued by ca-rsa (2026-01-01 -> 2028-01-01, RSA-2048)
# ---------------------------------------------------------------------------------------------
cat > "$WORK/openssl.cnf" <<CNF
[ req ]
distinguished_name = req_dn
string_mask        = utf8only
utf8               = yes
prompt             = no
[ req_dn ]
CN = unused
[ ca ]
default_ca = CA_default
[ CA_default ]
dir             = $WORK/db
database        = $WORK/db/index.txt
new_certs_dir   = $WORK/db/new
serial          = $WORK/db/serial
default_md      = sha256
policy          = policy_any
unique_subject  = no
copy_extensions = none
string_mask     = utf8only
email_in_dn     = no
[ policy_any ]
commonName  = optional
countryName = optional
# delegated responder (RFC 6960 §4.2.2.2): id-kp-OCSPSigning, no id-pkix-ocsp-nocheck
[ ext_responder ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
extendedKeyUsage       = OCSPSigning
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints  = URI:http://crl.qoima.test/ca-rsa.crl
# the same with id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1)
[ ext_responder_nocheck ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
extendedKeyUsage       = OCSPSigning
noCheck                = ignored
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
# issued by the CA but without id-kp-OCSPSigning: may not sign responses
[ ext_noeku ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints  = URI:http://crl.qoima.test/ca-rsa.crl
CNF
export OPENSSL_CONF=$WORK/openssl.cnf
: > "$WORK/db/index.txt"

# responder NAME PROFILE SERIAL-INDEX CN
responder() {
    local name=$1 profile=$2 idx=$3 cn=$4
    run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OUT/$name.key.pem"
    run openssl req -new -key "$OUT/$name.key.pem" -subj "/CN=$cn/C=KZ" -utf8 -out "$WORK/$name.csr"
    printf '20260000000000000000000000000000000000%s\n' "$idx" > "$WORK/db/serial"
    run openssl ca -batch -notext -utf8 -preserveDN -cert "$WORK/pem/ca-rsa.pem" \
        -keyfile keys/ca-rsa.key.pem -in "$WORK/$name.csr" -extensions "$profile" \
        -startdate 260101000000Z -enddate 280101000000Z -out "$WORK/pem/$name.pem"
    run openssl x509 -in "$WORK/pem/$name.pem" -outform DER -out "$OUT/$name.cer"
}
responder responder         ext_responder         30 "QOIMA TEST OCSP RESPONDER"
responder responder-nocheck ext_responder_nocheck 31 "QOIMA TEST OCSP RESPONDER NOCHECK"
responder responder-noeku   ext_noeku             32 "QOIMA TEST NOT AN OCSP RESPONDER"

# ---------------------------------------------------------------------------------------------
# The responders' status database (openssl ca index.txt: status, expiry, revocation, serial,
# file, subject)
# ---------------------------------------------------------------------------------------------
serial_of() { printf '20260000000000000000000000000000000000%s' "$1"; }
good() { printf 'V\t280101000000Z\t\t%s\tunknown\t/CN=%s\n' "$(serial_of "$1")" "$2"; }
gone() { printf 'R\t280101000000Z\t%s\t%s\tunknown\t/CN=%s\n' "$3" "$(serial_of "$1")" "$2"; }
{
    good 02 ca-rsa
    good 04 ca-ec
    good 10 individual
    good 11 head
    gone 17 revoked 260301000000Z,keyCompromise
    gone 18 revoked-later 260501000000Z,superseded
    good 20 ec
    good 30 responder
    good 31 responder-nocheck
    good 32 responder-noeku
} > "$WORK/index.txt"

# request OUT ISSUER CERT [openssl ocsp options...]: a request without nonce unless -nonce is given
request() {
    local out=$1 issuer=$2 cert=$3; shift 3
    local nonce=(-no_nonce)
    [[ " $* " == *" -nonce "* ]] && nonce=()
    # openssl takes the CertID digest option before -cert
    run openssl ocsp -issuer "$WORK/pem/$issuer.pem" "$@" -cert "$WORK/pem/$cert.pem" "${nonce[@]}" \
        -reqout "$out"
}

# respond WHEN OUT REQUEST CA SIGNER-CERT SIGNER-KEY [openssl ocsp options...]
respond() {
    local when=$1 out=$2 req=$3 ca=$4 cert=$5 key=$6; shift 6
    at "$when" openssl ocsp -index "$WORK/index.txt" -CA "$WORK/pem/$ca.pem" -rsigner "$cert" \
        -rkey "$key" -reqin "$req" -ndays 7 -respout "$OUT/$out" "$@"
}

CA_RSA=("$WORK/pem/ca-rsa.pem" keys/ca-rsa.key.pem)

# requests: SHA-1 and SHA-256 CertIDs without nonce (compared byte for byte with the crate's
# OcspRequest), and one with openssl's nonce
request "$OUT/individual-sha1.req" ca-rsa individual
request "$OUT/individual-sha256.req" ca-rsa individual -sha256
request "$OUT/individual-nonce.req" ca-rsa individual -nonce
request "$WORK/revoked.req" ca-rsa revoked
request "$WORK/revoked-later.req" ca-rsa revoked-later
request "$WORK/employee.req" ca-rsa employee
request "$WORK/ca-rsa.req" root-rsa ca-rsa
request "$WORK/ec.req" ca-ec ec
# the right serial, hashed with another issuer's name and key (root-rsa's): a wrong CertID
request "$WORK/wrong-certid.req" root-rsa individual

# signed by the CA itself (responderID byName, the CA's certificate in `certs`)
respond "$PRODUCED" individual-good-ca.der "$OUT/individual-sha1.req" ca-rsa "${CA_RSA[@]}"
# SHA-256 CertID, responderID byKey, no certificates in the response
respond "$PRODUCED" individual-good-sha256-bykey.der "$OUT/individual-sha256.req" ca-rsa \
    "${CA_RSA[@]}" -resp_key_id -resp_no_certs
respond "$PRODUCED" individual-good-nonce.der "$OUT/individual-nonce.req" ca-rsa "${CA_RSA[@]}"
respond "$PRODUCED" revoked-ca.der "$WORK/revoked.req" ca-rsa "${CA_RSA[@]}"
respond "$PRODUCED" revoked-later-ca.der "$WORK/revoked-later.req" ca-rsa "${CA_RSA[@]}"
respond "$PRODUCED" employee-unknown-ca.der "$WORK/employee.req" ca-rsa "${CA_RSA[@]}"
# the issuing CA's own status, from the root
respond "$PRODUCED" ca-rsa-good-root.der "$WORK/ca-rsa.req" root-rsa "$WORK/pem/root-rsa.pem" \
    keys/root-rsa.key.pem
# ECDSA P-256: ec by ca-ec, ca-ec by root-ec
request "$WORK/ca-ec.req" root-ec ca-ec
respond "$PRODUCED" ec-good-ca.der "$WORK/ec.req" ca-ec "$WORK/pem/ca-ec.pem" keys/ca-ec.key.pem
respond "$PRODUCED" ca-ec-good-root.der "$WORK/ca-ec.req" root-ec "$WORK/pem/root-ec.pem" \
    keys/root-ec.key.pem
# delegated responders
respond "$PRODUCED" individual-good-delegated.der "$OUT/individual-sha1.req" ca-rsa \
    "$WORK/pem/responder.pem" "$OUT/responder.key.pem"
respond "$PRODUCED" individual-good-nocheck.der "$OUT/individual-sha1.req" ca-rsa \
    "$WORK/pem/responder-nocheck.pem" "$OUT/responder-nocheck.key.pem"
respond "$PRODUCED" individual-good-noeku.der "$OUT/individual-sha1.req" ca-rsa \
    "$WORK/pem/responder-noeku.pem" "$OUT/responder-noeku.key.pem"
# stale at 2026-06-15: nextUpdate 2026-05-08
respond "$EXPIRED" individual-good-expired.der "$OUT/individual-sha1.req" ca-rsa "${CA_RSA[@]}"
# the responder answers for root-rsa's CertID (individual's serial): signed by the root
respond "$PRODUCED" individual-wrong-certid.der "$WORK/wrong-certid.req" root-rsa \
    "$WORK/pem/root-rsa.pem" keys/root-rsa.key.pem

# OCSPResponse { responseStatus tryLater (3) }, no responseBytes (RFC 6960 §4.2.1)
cat > "$WORK/trylater.cnf" <<'CNF'
asn1 = SEQUENCE:response
[ response ]
status = ENUMERATED:3
CNF
run openssl asn1parse -genconf "$WORK/trylater.cnf" -noout -out "$OUT/trylater.der"

# Cross-check with openssl as the client, at 2026-06-15T12:00:00Z.
check() { # RESPONSE ISSUER CERT EXPECTED-STATUS [options...]
    local resp=$1 issuer=$2 cert=$3 want=$4; shift 4
    local got
    got=$(faketime "2026-06-15 12:00:00" openssl ocsp -respin "$OUT/$resp" \
        -issuer "$WORK/pem/$issuer.pem" "$@" -cert "$WORK/pem/$cert.pem" \
        -CAfile "$WORK/pem/root-rsa.pem" -verify_other "$WORK/pem/ca-rsa.pem" -no_nonce 2>&1 || true)
    if ! grep -q "$want" <<<"$got"; then
        echo "check $resp: expected '$want', got:" >&2
        echo "$got" >&2
        exit 1
    fi
}
check individual-good-ca.der ca-rsa individual "Response verify OK"
check individual-good-ca.der ca-rsa individual ": good"
check individual-good-sha256-bykey.der ca-rsa individual ": good" -sha256
check revoked-ca.der ca-rsa revoked ": revoked"
check employee-unknown-ca.der ca-rsa employee ": unknown"
check individual-good-delegated.der ca-rsa individual "Response verify OK"
check individual-good-nocheck.der ca-rsa individual "Response verify OK"
check individual-good-noeku.der ca-rsa individual "Response Verify Failure"
check individual-good-expired.der ca-rsa individual "Status times invalid"
echo "OCSP fixtures written to $HERE/$OUT: $(find "$OUT" -type f | wc -l) files"
