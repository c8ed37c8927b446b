#!/usr/bin/env bash
# Cross-checks the generated material with the openssl command line (an independent verifier)
# at the validation time 2026-06-15T12:00:00Z. Prints one line per check: "agree" when openssl's
# result matches what README.md expects from openssl, "DIFFER" otherwise. Exit status 1 if any
# check differs. Needs only openssl and coreutils. Usage: ./check.sh
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
AT=1781524800            # 2026-06-15T12:00:00Z
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0

pem() { # pem OUT file.cer|file.crl ...
    local out=$1 f; shift
    : > "$W/$out"
    for f in "$@"; do
        case $f in
            *.cer) openssl x509 -inform DER -in "$f" >> "$W/$out" ;;
            *.crl) openssl crl -inform DER -in "$f" >> "$W/$out" ;;
        esac
    done
}

pem root-rsa.pem     certs/root-rsa.cer
pem root-ec.pem      certs/root-ec.cer
pem ca-rsa.pem       certs/ca-rsa.cer
pem ca-ec.pem        certs/ca-ec.cer
pem inter.pem        certs/ca-rsa.cer certs/ca-ec.cer certs/subca-pathlen.cer certs/nonca-issuer.cer \
                     certs/lookalike-ca.cer
pem trust-crl.pem    certs/root-rsa.cer crl/root-rsa.crl crl/ca-rsa.crl
pem trust-stale.pem  certs/root-rsa.cer crl/root-rsa.crl crl/ca-rsa-stale.crl
pem trust-look.pem   certs/root-rsa.cer crl/root-rsa.crl crl/lookalike-ca-rsa.crl
pem trust-delta.pem  certs/root-rsa.cer crl/root-rsa.crl crl/ca-rsa-base.crl crl/ca-rsa-delta.crl
pem trust-base.pem   certs/root-rsa.cer crl/root-rsa.crl crl/ca-rsa-base.crl
pem trust-ec-crl.pem certs/root-ec.cer crl/root-ec.crl crl/ca-ec.crl
pem trust-all.pem    certs/root-rsa.cer certs/root-ec.cer
pem trust-other.pem  certs/root-other.cer
cat "$W/root-rsa.pem" "$W/inter.pem" > "$W/root-inter.pem"

# expect LABEL EXPECTED-SUBSTRING command...   (EXPECTED "OK" = success)
expect() {
    local label=$1 want=$2; shift 2
    local out rc
    out=$("$@" 2>&1); rc=$?
    local got
    if [ $rc -eq 0 ]; then got=OK; else
        got=$(printf '%s\n' "$out" | grep -m1 -oE 'error [0-9]+ at [0-9]+ depth lookup: .*|Verification failure|verify error:[^ ]*|[a-z ]*(signature|digest) failure|signer certificate not found|[A-Za-z ]*: *[^:]*$' | head -n1)
        [ -n "$got" ] || got=$(printf '%s\n' "$out" | tail -n1)
    fi
    if { [ "$want" = OK ] && [ $rc -eq 0 ]; } || { [ "$want" != OK ] && [ $rc -ne 0 ] && printf '%s' "$out" | grep -Eqi -- "$want"; }; then
        printf 'agree   %-48s %s\n' "$label" "$got"
    else
        printf 'DIFFER  %-48s want [%s] got [%s]\n' "$label" "$want" "$got"
        fails=$((fails + 1))
    fi
}

xv() { # certificate verification: xv TRUST-PEM CERT [extra]
    local trust=$1 cert=$2; shift 2
    openssl x509 -inform DER -in "certs/$cert.cer" -out "$W/$cert.pem"
    openssl verify -attime "$AT" -CAfile "$W/$trust" -untrusted "$W/inter.pem" "$@" "$W/$cert.pem"
}
cv() { # CMS verification: cv TRUST-PEM CMS-FILE [extra]
    local trust=$1 f=$2; shift 2
    local content=()
    case $f in *.detached.*) content=(-content doc-4k.txt) ;; esac
    local inform=DER
    case $f in *.pem) inform=PEM ;; esac
    # openssl cms -verify builds chains only from the CMS's own certificates and the store, so the
    # intermediates go into the store; chains must still end at a self-signed root there
    cat "$W/$trust" "$W/inter.pem" > "$W/store.pem"
    openssl cms -verify -binary -inform "$inform" -in "cms/$f" "${content[@]}" -CAfile "$W/store.pem" \
        -attime "$AT" -out /dev/null "$@"
}

echo "== certificates (openssl verify, -attime 2026-06-15T12:00:00Z)"
expect "root-rsa self-signed"           OK xv root-rsa.pem root-rsa
expect "ca-rsa + root CRL"                OK xv trust-crl.pem ca-rsa -crl_check_all
for c in individual head employee hold revoked revoked-later rsa1024 auth nonca-issuer; do
    expect "$c (no CRL)"                 OK xv root-rsa.pem "$c"
done
expect "ec (no CRL)"                     OK xv root-ec.pem ec
expect "individual + fresh CRLs"         OK xv trust-crl.pem individual -crl_check_all
expect "ec + fresh CRLs"                 OK xv trust-ec-crl.pem ec -crl_check_all
expect "revoked + fresh CRL"             "certificate revoked" xv trust-crl.pem revoked -crl_check_all
expect "revoked-later + fresh CRL"       "certificate revoked" xv trust-crl.pem revoked-later -crl_check_all
expect "hold + fresh CRL"                "certificate revoked" xv trust-crl.pem hold -crl_check_all
expect "individual + stale CRL"          "CRL has expired" xv trust-stale.pem individual -crl_check_all
expect "individual + no CRL, crl_check"  "unable to get certificate CRL" xv root-rsa.pem individual -crl_check
expect "individual + look-alike CRL"     "unable to get certificate CRL" xv trust-look.pem individual -crl_check
expect "revoked + look-alike CRL"        "unable to get certificate CRL" xv trust-look.pem revoked -crl_check
expect "revoked-later + base only"       OK xv trust-base.pem revoked-later -crl_check_all
expect "revoked-later + base + delta"    "certificate revoked" xv trust-delta.pem revoked-later -crl_check_all -extended_crl -use_deltas
expect "revoked + base + delta"          "certificate revoked" xv trust-delta.pem revoked -crl_check_all -extended_crl -use_deltas
expect "individual + base + delta"       OK xv trust-delta.pem individual -crl_check_all -extended_crl -use_deltas
# OpenSSL 3.0 quirk, recorded so nobody copies it: without -extended_crl it takes the (later)
# delta CRL as if it were complete and misses the base's keyCompromise entry. An engine must not.
expect "revoked + base + delta, no -extended_crl (openssl quirk)" OK xv trust-delta.pem revoked -crl_check_all
expect "expired"                         "certificate has expired" xv root-rsa.pem expired
expect "notyet"                          "certificate is not yet valid" xv root-rsa.pem notyet
expect "untrusted-ee vs root-rsa"        "unable to get local issuer certificate" xv root-rsa.pem untrusted-ee
expect "untrusted-ee vs root-other"      OK xv trust-other.pem untrusted-ee
expect "lookalike-ee vs root-rsa"        "certificate signature failure|unable to get" xv root-rsa.pem lookalike-ee
expect "nonca-issued"                    "invalid CA certificate" xv root-rsa.pem nonca-issued
expect "pathlen-ee"                      "path length constraint exceeded" xv root-rsa.pem pathlen-ee
expect "rsa1024 at -auth_level 2"        "key too weak" xv root-rsa.pem rsa1024 -auth_level 2
expect "auth as smimesign"               "unsuitable certificate purpose" xv root-rsa.pem auth -purpose smimesign
expect "employee (critical EKU) smimesign" OK xv root-rsa.pem employee -purpose smimesign

echo "== CMS (openssl cms -verify, -attime 2026-06-15T12:00:00Z, purpose smimesign)"
for f in individual head employee two-signers nonca-issuer; do
    for m in detached attached; do
        [ -f "cms/$f.$m.p7s" ] && expect "$f.$m" OK cv root-rsa.pem "$f.$m.p7s"
    done
done
for f in individual-sha384.detached.p7s individual-sha512.detached.p7s individual-pss.detached.p7s \
         individual-noattr.detached.p7s individual-noattr.attached.p7s individual-keyid.detached.p7s \
         individual-chain.detached.p7s individual.attached.ber.p7s individual.detached.pem \
         rsa1024.detached.p7s individual-sha1.detached.p7s individual-pss-saltmax.detached.p7s \
         individual-pss-saltmax.attached.p7s individual-pss-salt20.detached.p7s \
         individual-pss-salt0.detached.p7s individual-pss-sha512-saltmax.detached.p7s; do
    expect "$f" OK cv root-rsa.pem "$f"
done
expect "individual.detached.b64" OK openssl cms -verify -binary -inform DER \
    -in <(base64 -d cms/individual.detached.b64) -content doc-4k.txt -CAfile "$W/root-inter.pem" -attime "$AT" -out /dev/null
expect "ec.detached" OK cv root-ec.pem ec.detached.p7s
expect "ec.attached" OK cv root-ec.pem ec.attached.p7s
expect "individual.detached + fresh CRLs"  OK cv trust-crl.pem individual.detached.p7s -crl_check_all
expect "revoked.detached + fresh CRL"      "certificate revoked" cv trust-crl.pem revoked.detached.p7s -crl_check_all
expect "revoked-later.detached + fresh CRL" "certificate revoked" cv trust-crl.pem revoked-later.detached.p7s -crl_check_all
expect "hold.detached + fresh CRL"         "certificate revoked" cv trust-crl.pem hold.detached.p7s -crl_check_all
expect "individual.detached + stale CRL"   "CRL has expired" cv trust-stale.pem individual.detached.p7s -crl_check_all
expect "expired.detached"                  "certificate has expired" cv root-rsa.pem expired.detached.p7s
expect "notyet.detached"                   "certificate is not yet valid" cv root-rsa.pem notyet.detached.p7s
expect "expired.detached at 2025-03-01"    OK cv root-rsa.pem expired.detached.p7s -attime 1740787200
expect "untrusted-ee.detached"             "unable to get local issuer certificate" cv root-rsa.pem untrusted-ee.detached.p7s
expect "lookalike-ee.detached"             "certificate signature failure|unable to get" cv root-rsa.pem lookalike-ee.detached.p7s
expect "nonca-issued.detached"             "invalid CA certificate" cv root-rsa.pem nonca-issued.detached.p7s
expect "pathlen-ee.detached"               "path length constraint exceeded" cv root-rsa.pem pathlen-ee.detached.p7s
expect "auth.detached"                     "unsuitable certificate purpose" cv root-rsa.pem auth.detached.p7s
expect "rsa1024.detached -auth_level 2"    "key too weak" cv root-rsa.pem rsa1024.detached.p7s -auth_level 2
expect "individual-nocerts.detached"       "signer certificate not found" cv root-rsa.pem individual-nocerts.detached.p7s
expect "individual-nocerts + signer cert"  OK openssl cms -verify -binary -inform DER \
    -in cms/individual-nocerts.detached.p7s -content doc-4k.txt -CAfile "$W/root-inter.pem" \
    -certfile <(openssl x509 -inform DER -in certs/individual.cer) -attime "$AT" -out /dev/null
expect "individual.detached vs other doc"  "content verify error" openssl cms -verify -binary -inform DER \
    -in cms/individual.detached.p7s -content check.sh -CAfile "$W/root-inter.pem" -attime "$AT" -out /dev/null

echo "== fixed fields"
# The salt length each PSS file declares (saltLength [2], RFC 4055 §3.1; DER omits the
# DEFAULT 20): the longest for RSA-2048 is 256 - hLen - 2.
for fs in individual-pss.detached.p7s:20 individual-pss-saltmax.detached.p7s:DE \
          individual-pss-salt20.detached.p7s:14 individual-pss-salt0.detached.p7s:00 \
          individual-pss-sha512-saltmax.detached.p7s:BE; do
    f=${fs%%:*} want=${fs##*:}
    got=$(openssl cms -cmsout -print -inform DER -in "cms/$f" | awk '
        /algorithm: rsassaPss/ { p = 1 }
        p && /cont \[ 2 \]/ { s = 1; next }
        p && s && /INTEGER/ { sub(/.*:/, ""); print; exit }
        p && /^ *signature:/ { exit }')
    expect "$f: saltLength 0x$want" OK test "${got:-14}" = "$want"
done
st=$(openssl cms -cmsout -print -inform DER -in cms/two-signers.detached.p7s | grep -c 'UTCTIME:Apr  1 10:00:00 2026 GMT')
expect "two-signers: both signingTime = 2026-04-01T10:00:00Z" OK test "$st" -eq 2
expect "doc-4k.txt is 4096 bytes" OK test "$(wc -c < doc-4k.txt)" -eq 4096

echo "differences: $fails"
[ "$fails" -eq 0 ]
