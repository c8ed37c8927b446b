#!/usr/bin/env bash
# Makes an RFC 3161 time-stamp token from a test TSA under the generated PKI's ca-rsa
# (../pki, see its generate.sh), for the positive TSA-chain test of src/timestamp/.
#
# Outputs (committed): tsa.key.pem, tsa.cer (DER; EKU critical id-kp-timeStamping, serial
# 2026...30, valid 2026-01-01 .. 2028-01-01), token.der (the TimeStampToken ContentInfo,
# SHA-256 messageImprint over the signature value of ../pki/cms/individual.detached.p7s, with
# ESS signingCertificateV2). OpenSSL stamps genTime with the current time: the committed token
# was made 2026-11-23 and the test reads its genTime from the token itself.
#
# Uses only the `openssl` command line (OpenSSL 3.0) and coreutils/xxd. Run from anywhere.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
PKI=../pki
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$WORK/new"
: > "$WORK/index.txt"
printf '20260000000000000000000000000000000000%s\n' 30 > "$WORK/serial"
echo 01 > "$WORK/tsaserial"
openssl x509 -inform DER -in "$PKI/certs/ca-rsa.cer" -out "$WORK/ca-rsa.pem"

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
dir             = $WORK
database        = \$dir/index.txt
new_certs_dir   = \$dir/new
serial          = \$dir/serial
default_md      = sha256
policy          = policy_any
unique_subject  = no
copy_extensions = none
string_mask     = utf8only
email_in_dn     = no
[ policy_any ]
commonName       = optional
countryName      = optional
organizationName = optional

[ ext_tsa ]
basicConstraints       = CA:FALSE
keyUsage               = critical,digitalSignature,nonRepudiation
extendedKeyUsage       = critical,timeStamping
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
certificatePolicies    = 1.2.398.3.3.2

[ tsa ]
default_tsa = tsa_default
[ tsa_default ]
serial          = $WORK/tsaserial
signer_digest   = sha256
default_policy  = 1.2.398.3.3.2.6.4
digests         = sha256, sha512
accuracy        = secs:1
ordering        = no
tsa_name        = yes
ess_cert_id_alg = sha256
ess_cert_id_chain = no
CNF
export OPENSSL_CONF=$WORK/openssl.cnf

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out tsa.key.pem
openssl req -new -key tsa.key.pem -subj "/CN=QOIMA TEST TSA/O=Qoima/C=KZ" -utf8 -out "$WORK/tsa.csr"
openssl ca -batch -notext -utf8 -preserveDN -cert "$WORK/ca-rsa.pem" \
    -keyfile "$PKI/keys/ca-rsa.key.pem" -in "$WORK/tsa.csr" -extensions ext_tsa \
    -startdate 260101000000Z -enddate 280101000000Z -out "$WORK/tsa.pem" 2>/dev/null
openssl x509 -in "$WORK/tsa.pem" -outform DER -out tsa.cer

# The signature value of the SignerInfo to time-stamp: the last OCTET STRING of the CMS.
openssl asn1parse -inform DER -in "$PKI/cms/individual.detached.p7s" \
    | grep 'OCTET STRING' | tail -n 1 | sed 's/.*\[HEX DUMP\]://' | xxd -r -p > "$WORK/sig.bin"
[ "$(wc -c < "$WORK/sig.bin")" -eq 256 ]

openssl ts -query -data "$WORK/sig.bin" -sha256 -cert -no_nonce -out "$WORK/req.tsq"
openssl ts -reply -queryfile "$WORK/req.tsq" -signer "$WORK/tsa.pem" -inkey tsa.key.pem \
    -chain "$WORK/ca-rsa.pem" -section tsa_default -out "$WORK/reply.tsr" 2>/dev/null
openssl ts -reply -in "$WORK/reply.tsr" -token_out -out token.der
openssl ts -verify -data "$WORK/sig.bin" -in token.der -token_in \
    -CAfile <(openssl x509 -inform DER -in "$PKI/certs/root-rsa.cer") -untrusted "$WORK/ca-rsa.pem"
