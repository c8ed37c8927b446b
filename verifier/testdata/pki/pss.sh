#!/usr/bin/env bash
# Makes the RSASSA-PSS CMS signatures with salt lengths other than the hash length (RFC 8017
# allows any; `openssl cms` signs with the longest the key allows when asked for `max`) from the
# keys and certificates generate.sh made, leaving those unchanged: the individual's RSA-2048 key
# over doc-4k.txt, with the fixed claimed signingTime (sign.sh). generate.sh runs it at its end;
# run it alone to remake only these files.
#
# Usage: ./pss.sh            (from any directory; needs openssl and coreutils)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"

SIGNING_TIME=260401100000Z   # as in generate.sh
DOC=doc-4k.txt

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
LOG=$WORK/log

# run, fix_signing_time and sign (sign.sh).
. "$HERE/sign.sh"

mkdir -p "$WORK/pem" cms
run openssl x509 -inform DER -in certs/individual.cer -out "$WORK/pem/individual.pem"

PSS=(-keyopt rsa_padding_mode:pss)
# SHA-256 (MGF1-SHA-256, openssl's default for the MGF1 hash): the longest salt a 2048-bit key
# allows (256 - 32 - 2 = 222 octets), 20 octets (RFC 4055's default length), and none.
sign individual-pss-saltmax.detached.p7s individual detached "${PSS[@]}" -keyopt rsa_pss_saltlen:max
sign individual-pss-saltmax.attached.p7s individual attached "${PSS[@]}" -keyopt rsa_pss_saltlen:max
sign individual-pss-salt20.detached.p7s  individual detached "${PSS[@]}" -keyopt rsa_pss_saltlen:20
sign individual-pss-salt0.detached.p7s   individual detached "${PSS[@]}" -keyopt rsa_pss_saltlen:0
# SHA-512 (MGF1-SHA-512), the longest salt: 256 - 64 - 2 = 190 octets.
sign individual-pss-sha512-saltmax.detached.p7s individual detached -md sha512 "${PSS[@]}" \
    -keyopt rsa_pss_saltlen:max

echo "pss.sh: made $(ls cms/individual-pss-*.p7s | wc -l) RSASSA-PSS CMS files in $HERE/cms"
