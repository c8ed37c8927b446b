#!/bin/sh
# Regenerates the RSA test keys and the openssl-made CMS files used by
# verifier/src/crypto/tests/. Throw-away test material only: nothing here protects anything.
#
# ring cannot generate RSA keys, and cannot sign with SHA-1 or with keys below 2048 bits, so
# those signatures come from the openssl CLI (an independent signer). Run from anywhere:
#   sh verifier/testdata/crypto/make-keys.sh
set -eu
cd "$(dirname "$0")"

for bits in 1024 2048; do
    # PKCS#8 private key (DER), which ring's RsaKeyPair::from_pkcs8 reads (2048 only).
    # (genpkey's DER output is the traditional RSAPrivateKey; pkcs8 -topk8 wraps it.)
    openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$bits" -pkeyopt rsa_keygen_pubexp:65537 |
        openssl pkcs8 -topk8 -nocrypt -outform DER -out "rsa$bits.pk8.der"
    # Its SubjectPublicKeyInfo (DER).
    openssl pkey -inform DER -in "rsa$bits.pk8.der" -pubout -outform DER -out "rsa$bits.spki.der"
    # A self-signed certificate for the openssl CMS signer (validity is irrelevant here).
    openssl req -x509 -new -key "rsa$bits.pk8.der" -keyform DER -subj "/CN=Qoima crypto test RSA-$bits" \
        -days 36500 -sha256 -outform DER -out "rsa$bits.cer"
done

printf 'Qoima crypto-layer test document.\n' > message.txt

sign() { # sign OUT KEYBITS [openssl cms options...]
    out=$1; bits=$2; shift 2
    openssl cms -sign -binary -nodetach -nosmimecap -in message.txt \
        -signer "rsa$bits.cer" -inkey "rsa$bits.pk8.der" -keyform DER -outform DER -out "$out" "$@"
}

# RSA-1024 (key too small for ring's 2048-bit verifiers; the legacy 1024 one verifies it).
sign cms_rsa1024_sha256_attrs.der 1024 -md sha256
sign cms_rsa1024_sha256_noattr.der 1024 -md sha256 -noattr
# SHA-1 (sha1WithRSAEncryption / rsaEncryption with digestAlgorithm SHA-1).
sign cms_rsa2048_sha1_attrs.der 2048 -md sha1
sign cms_rsa2048_sha1_noattr.der 2048 -md sha1 -noattr
# RSA-PSS, SHA-256, MGF1-SHA-256, salt 32, with an ESS signingCertificateV2 attribute (-cades).
sign cms_rsa2048_pss_sha256_cades.der 2048 -md sha256 -cades \
    -keyopt rsa_padding_mode:pss -keyopt rsa_pss_saltlen:32 -keyopt rsa_mgf1_md:sha256
# RSA-PSS with salt length 20: not ring's salt = hash length (verified by src/crypto/rsa.rs).
sign cms_rsa2048_pss_sha256_salt20.der 2048 -md sha256 \
    -keyopt rsa_padding_mode:pss -keyopt rsa_pss_saltlen:20
