#!/usr/bin/env bash
# Regenerates verifier/testdata/pki/shortca/: a small RSA hierarchy whose issuing CA expires
# while its end entity and CRLs are still valid, for the tests of re-verification after a CA's
# certificate expired (a signature proven to exist before still validates; as of now it does not).
#
#   root-short      self-signed, 2026-01-01 -> 2045-01-01 (trust anchor)
#   ca-short        issued by root-short, 2026-01-01 -> 2026-08-01, CA, pathLen 0
#   short-ee        issued by ca-short, 2026-01-01 -> 2027-01-01, NCA individual profile,
#                   IIN 850315300128 (the main PKI's individual), RSA-2048; key kept
#   root-short.crl  by root-short, 2026-06-01 -> 2027-06-01, nothing revoked
#   ca-short.crl    by ca-short, 2026-07-01 -> 2027-06-01, nothing revoked
#
# Keys change on every run; subjects, serials, dates and extensions are fixed. Needs only the
# `openssl` command line (OpenSSL 3.0). Usage: ./short-ca.sh (from any directory).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE/shortca
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

IIN=850315300128
SUBJ_ROOT="/CN=QOIMA TEST SHORT ROOT/C=KZ"
SUBJ_CA="/CN=QOIMA TEST SHORT CA/C=KZ"
SUBJ_EE="/CN=ТЕСТОВ ТЕСТ/SN=ТЕСТОВ/serialNumber=IIN${IIN}/C=KZ/GN=ТЕСТОВИЧ"

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
crlnumber       = $WORK/db/crlnumber
default_md      = sha256
policy          = policy_any
unique_subject  = no
copy_extensions = none
string_mask     = utf8only
email_in_dn     = no
[ policy_any ]
commonName             = optional
surname                = optional
serialNumber           = optional
countryName            = optional
givenName              = optional
[ ext_root ]
basicConstraints     = critical,CA:TRUE
keyUsage             = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
certificatePolicies  = 1.2.398.3.1.2
[ ext_ca ]
basicConstraints       = critical,CA:TRUE,pathlen:0
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
certificatePolicies    = 1.2.398.3.3.1.1,1.2.398.3.3.2
crlDistributionPoints  = URI:http://crl.qoima.test/root-short.crl
[ ext_individual ]
basicConstraints       = CA:FALSE
keyUsage               = critical,digitalSignature,nonRepudiation
extendedKeyUsage       = emailProtection,1.2.398.3.3.4.1.1
certificatePolicies    = 1.2.398.3.3.2.3
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints  = URI:http://crl.qoima.test/ca-short.crl
[ crl_full ]
authorityKeyIdentifier = keyid:always
CNF
export OPENSSL_CONF=$WORK/openssl.cnf
mkdir -p "$WORK/db/new" "$WORK/ca/new" "$OUT"
: > "$WORK/db/index.txt"
echo 01 > "$WORK/db/crlnumber"

q() { "$@" > "$WORK/log" 2>&1 || { cat "$WORK/log" >&2; exit 1; }; }

q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/root.key.pem"
q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/ca.key.pem"
q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OUT/short-ee.key.pem"

q openssl req -new -key "$WORK/root.key.pem" -subj "$SUBJ_ROOT" -utf8 -out "$WORK/root.csr"
echo 2026000000000000000000000000000000000E01 > "$WORK/db/serial"
q openssl ca -batch -notext -utf8 -preserveDN -selfsign -keyfile "$WORK/root.key.pem" \
    -in "$WORK/root.csr" -extensions ext_root -startdate 260101000000Z -enddate 450101000000Z \
    -out "$WORK/root.pem"

q openssl req -new -key "$WORK/ca.key.pem" -subj "$SUBJ_CA" -utf8 -out "$WORK/ca.csr"
echo 2026000000000000000000000000000000000E02 > "$WORK/db/serial"
q openssl ca -batch -notext -utf8 -preserveDN -cert "$WORK/root.pem" \
    -keyfile "$WORK/root.key.pem" -in "$WORK/ca.csr" -extensions ext_ca \
    -startdate 260101000000Z -enddate 260801000000Z -out "$WORK/ca.pem"

q openssl ca -gencrl -cert "$WORK/root.pem" -keyfile "$WORK/root.key.pem" \
    -crlexts crl_full -crl_lastupdate 260601000000Z -crl_nextupdate 270601000000Z -md sha256 \
    -out "$WORK/root.crl.pem"

# The CA's own database: it issues the end entity and its CRL lists nothing.
: > "$WORK/db/index.txt"
echo 01 > "$WORK/db/crlnumber"
q openssl req -new -key "$OUT/short-ee.key.pem" -subj "$SUBJ_EE" -utf8 -out "$WORK/ee.csr"
echo 2026000000000000000000000000000000000E03 > "$WORK/db/serial"
q openssl ca -batch -notext -utf8 -preserveDN -cert "$WORK/ca.pem" \
    -keyfile "$WORK/ca.key.pem" -in "$WORK/ee.csr" -extensions ext_individual \
    -startdate 260101000000Z -enddate 270101000000Z -out "$WORK/ee.pem"
: > "$WORK/db/index.txt"
q openssl ca -gencrl -cert "$WORK/ca.pem" -keyfile "$WORK/ca.key.pem" \
    -crlexts crl_full -crl_lastupdate 260701000000Z -crl_nextupdate 270601000000Z -md sha256 \
    -out "$WORK/ca.crl.pem"

q openssl x509 -in "$WORK/root.pem" -outform DER -out "$OUT/root-short.cer"
q openssl x509 -in "$WORK/ca.pem" -outform DER -out "$OUT/ca-short.cer"
q openssl x509 -in "$WORK/ee.pem" -outform DER -out "$OUT/short-ee.cer"
q openssl crl -in "$WORK/root.crl.pem" -outform DER -out "$OUT/root-short.crl"
q openssl crl -in "$WORK/ca.crl.pem" -outform DER -out "$OUT/ca-short.crl"
# While the CA was valid the path verifies (2026-07-15); the CA's and root's keys are dropped.
cat "$WORK/root.pem" "$WORK/ca.pem" > "$WORK/chain.pem"
cat "$WORK/root.crl.pem" "$WORK/ca.crl.pem" > "$WORK/crls.pem"
q openssl verify -CAfile "$WORK/chain.pem" -CRLfile "$WORK/crls.pem" -crl_check_all \
    -attime 1784073600 "$WORK/ee.pem"
echo "short-lived CA PKI written to $OUT"
