#!/bin/sh
# Makes a throw-away RSA key whose modulus has 2049 bits, and raw RSASSA-PSS signatures with it,
# for verifier/src/crypto/tests/rsa_pss.rs. When modBits - 1 is a multiple of 8 the encoded
# message is one octet shorter than the modulus (RFC 8017 §9.1.2: emLen = ceil((modBits - 1) / 8)), a case no
# Wycheproof key (2048, 3072, 4096 bits) reaches. Independent of make-keys.sh; run from anywhere:
#   sh verifier/testdata/crypto/make-rsa2049.sh
set -eu
cd "$(dirname "$0")"

# Two-prime keys of an odd size come out one bit short (OpenSSL 3.0 makes both primes half the
# size with their top bits set); three primes give 2049 bits. A verifier sees only n and e.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2049 -pkeyopt rsa_keygen_primes:3 \
    -pkeyopt rsa_keygen_pubexp:65537 |
    openssl pkcs8 -topk8 -nocrypt -outform DER -out rsa2049.pk8.der
bits=$(openssl pkey -inform DER -in rsa2049.pk8.der -text -noout | sed -n '1s/.*(\([0-9]*\) bit.*/\1/p')
[ "$bits" = 2049 ] || { echo "make-rsa2049.sh: got a $bits-bit key" >&2; exit 1; }
openssl pkey -inform DER -in rsa2049.pk8.der -pubout -outform DER -out rsa2049.spki.der

# sign OUT SALTLEN: RSASSA-PSS, SHA-256, MGF1-SHA-256, over message.txt (from make-keys.sh).
sign() {
    openssl dgst -sha256 -sign rsa2049.pk8.der -keyform DER -sigopt rsa_padding_mode:pss \
        -sigopt rsa_mgf1_md:sha256 -sigopt "rsa_pss_saltlen:$2" -out "$1" message.txt
}
# The longest salt: emLen - hLen - 2 = 256 - 32 - 2 = 222 octets.
sign rsa2049_pss_sha256_saltmax.sig max
sign rsa2049_pss_sha256_salt0.sig 0
