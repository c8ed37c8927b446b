#!/usr/bin/env bash
# Regenerates verifier/testdata/pki/officer/: a small long-lived RSA hierarchy for the tests of
# acts signed years after the documents they concern (disposal acts, dated after a retention of
# 3 to 5 years, when the main test PKI's end entities (2026-2028) and CRLs (to 2027-06) are no
# longer valid).
#
#   root-officer   self-signed, 2026-01-01 -> 2049-12-31 (trust anchor)
#   officer        issued by root-officer, 2026-01-01 -> 2049-01-01, NCA individual profile,
#                  IIN 880101300123 (check digit valid), RSA-2048
#   root-officer.crl  by root-officer, 2026-06-01 -> 2049-01-01, nothing revoked
#
# Keys change on every run; subjects, serials, dates and extensions are fixed. Needs only the
# `openssl` command line (OpenSSL 3.0). Usage: ./officer.sh (from any directory).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE/officer
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

IIN_OFFICER=880101300123
SUBJ_ROOT="/CN=QOIMA TEST OFFICERS ROOT/C=KZ"
SUBJ_OFFICER="/CN=ОФИЦЕРОВ АРХИВ/SN=ОФИЦЕРОВ/serialNumber=IIN${IIN_OFFICER}/C=KZ/GN=ТЕСТОВИЧ"

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
[ ext_individual ]
basicConstraints       = CA:FALSE
keyUsage               = critical,digitalSignature,nonRepudiation
extendedKeyUsage       = emailProtection,1.2.398.3.3.4.1.1
certificatePolicies    = 1.2.398.3.3.2.3
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints  = URI:http://crl.qoima.test/root-officer.crl
[ crl_full ]
authorityKeyIdentifier = keyid:always
CNF
export OPENSSL_CONF=$WORK/openssl.cnf
mkdir -p "$WORK/db/new" "$OUT"
: > "$WORK/db/index.txt"
echo 01 > "$WORK/db/crlnumber"

q() { "$@" > "$WORK/log" 2>&1 || { cat "$WORK/log" >&2; exit 1; }; }

q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OUT/root-officer.key.pem"
q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OUT/officer.key.pem"

q openssl req -new -key "$OUT/root-officer.key.pem" -subj "$SUBJ_ROOT" -utf8 -out "$WORK/root.csr"
echo 2026000000000000000000000000000000000F01 > "$WORK/db/serial"
q openssl ca -batch -notext -utf8 -preserveDN -selfsign -keyfile "$OUT/root-officer.key.pem" \
    -in "$WORK/root.csr" -extensions ext_root -startdate 260101000000Z -enddate 491231000000Z \
    -out "$WORK/root.pem"

q openssl req -new -key "$OUT/officer.key.pem" -subj "$SUBJ_OFFICER" -utf8 -out "$WORK/officer.csr"
echo 2026000000000000000000000000000000000F02 > "$WORK/db/serial"
q openssl ca -batch -notext -utf8 -preserveDN -cert "$WORK/root.pem" \
    -keyfile "$OUT/root-officer.key.pem" -in "$WORK/officer.csr" -extensions ext_individual \
    -startdate 260101000000Z -enddate 490101000000Z -out "$WORK/officer.pem"

q openssl ca -gencrl -cert "$WORK/root.pem" -keyfile "$OUT/root-officer.key.pem" \
    -crlexts crl_full -crl_lastupdate 260601000000Z -crl_nextupdate 490101000000Z -md sha256 \
    -out "$WORK/root.crl.pem"

q openssl x509 -in "$WORK/root.pem" -outform DER -out "$OUT/root-officer.cer"
q openssl x509 -in "$WORK/officer.pem" -outform DER -out "$OUT/officer.cer"
q openssl crl -in "$WORK/root.crl.pem" -outform DER -out "$OUT/root-officer.crl"
# The root's key is not needed by any test once the CRL is made.
rm -f "$OUT/root-officer.key.pem"
q openssl verify -CAfile "$WORK/root.pem" -CRLfile "$WORK/root.crl.pem" -crl_check \
    -attime 1893456000 "$WORK/officer.pem"
echo "officer PKI written to $OUT"
