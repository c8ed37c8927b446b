#!/usr/bin/env bash
# Regenerates the mutually issuing CAs of loops.rs with the openssl command line:
# "QOIMA LOOP A" signed by B's key, "QOIMA LOOP B" by A's, "QOIMA LOOP EE" by A's.
# ECDSA P-256 with key identifiers, valid 20 years from the day it runs
# (the tests validate at 2030-01-01). Keys are thrown away.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/ext.cnf" <<'CNF'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ee]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
CNF
for name in A B EE; do
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/$name.key" 2>/dev/null
    openssl req -new -key "$tmp/$name.key" -subj "/CN=QOIMA LOOP $name" -out "$tmp/$name.csr"
done
for name in A B; do
    # A throw-away self-signed certificate only to name the issuer when signing.
    openssl req -x509 -key "$tmp/$name.key" -subj "/CN=QOIMA LOOP $name" -days 7300 -out "$tmp/$name-self.pem"
done
sign() { # subject issuer extensions output
    openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/$2-self.pem" -CAkey "$tmp/$2.key" \
        -CAcreateserial -days 7300 -extfile "$tmp/ext.cnf" -extensions "$3" \
        -outform DER -out "$4" 2>/dev/null
}
sign A B ca loop-a.cer
sign B A ca loop-b.cer
sign EE A ee loop-ee.cer
echo "wrote loop-a.cer loop-b.cer loop-ee.cer"
