#!/usr/bin/env bash
# Writes the seed corpora: the golden records of vault/src/codec.rs and edge cases.
set -euo pipefail
cd "$(dirname "$0")"
seed() { mkdir -p "corpus/$1"; printf '%s' "$3" | xxd -r -p > "corpus/$1/$2"; }

seed codec_manifest golden-two-chunks "01fc404b4c0002$(printf 'aa%.0s' {1..32})fc00004000fbe803$(printf 'bb%.0s' {1..32})fc404b0c00fc404b0c00"
seed codec_manifest empty-content "010000"
seed codec_manifest huge-count "0100fd0000000000000010"
seed codec_manifest unknown-version "020000"
seed codec_manifest trailing-byte "01000009"
seed codec_manifest empty ""

seed stored_chunk golden-raw "01000303616263"
seed stored_chunk golden-zstd "0101fb2c010228b5"
# "abc" as a real zstd frame, declared length 3 (needs the zstd command).
frame=$(printf 'abc' | zstd -q -c --no-check | xxd -p | tr -d '\n')
seed stored_chunk zstd-abc "010103$(printf '%02x' $((${#frame} / 2)))$frame"
seed stored_chunk length-over-limit "0100fc000000ff00"

# Real NCA signatures, certificates and CRLs (provenance: verifier/testdata/README.md),
# plus a BER-ish truncation of one of them.
real=../verifier/testdata/skarm_kalkan
mkdir -p corpus/cms corpus/certificate_file corpus/crl_file
for f in "$real"/cms/*.der "$real"/examples/test_CMS_GOST.txt "$real"/examples/CMS_for_double_sign.txt; do
    cp "$f" "corpus/cms/$(basename "$f")"
done
head -c 700 "$real/cms/individual_attached.der" > corpus/cms/truncated
cp "$real"/cms/individual_signer.cer "$real"/certs/*.cer "$real"/examples/test_CERT_GOST.txt corpus/certificate_file/
cp "$real"/certs/*.crl corpus/crl_file/

# The generated RSA/ECDSA PKI (verifier/testdata/pki): every encoding and shape of CMS the
# engine accepts (DER, BER, PEM, base64, two signers, no signed attributes, keyid, PSS, EC),
# the whole chain and the complete/delta CRLs.
pki=../verifier/testdata/pki
for f in individual.detached.p7s individual.attached.ber.p7s individual.detached.pem \
    individual.detached.b64 two-signers.attached.p7s individual-noattr.detached.p7s \
    individual-keyid.detached.p7s individual-pss.detached.p7s ec.attached.p7s; do
    cp "$pki/cms/$f" "corpus/cms/pki-$f"
done
for f in root-rsa ca-rsa employee ec; do cp "$pki/certs/$f.cer" "corpus/certificate_file/pki-$f.cer"; done
for f in ca-rsa ca-rsa-base ca-rsa-delta; do cp "$pki/crl/$f.crl" "corpus/crl_file/pki-$f.crl"; done

# A real GOST-2015 key (its certificate's subjectPublicKey contents), signature and
# message would need a parser; seed with the shapes instead: lengths 0x83 (DER
# OCTET STRING of 128 bytes plus header) and 0x80, then zero bytes.
mkdir -p corpus/gost_verify
{ printf '\x83\x80'; head -c 259 /dev/zero; printf 'message'; } > corpus/gost_verify/shapes-512
{ printf '\x42\x40'; head -c 130 /dev/zero; printf 'message'; } > corpus/gost_verify/shapes-256
