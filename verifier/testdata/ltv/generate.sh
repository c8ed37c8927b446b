#!/usr/bin/env bash
# Regenerates verifier/testdata/ltv/: a small RSA hierarchy with fixed dates for the tests of
# long-term validation (docs/reverification.md, "Long-term validation"): documents registered
# on 2026-06-15T12:00:00Z and re-verified in 2030 and 2040, when every certificate below has
# expired and the CA publishes nothing any more.
#
#   ltv-root            self-signed, 2025-01-01 -> 2029-12-31T23:59:59Z (trust anchor; expired
#                       by 2030), RSA-2048
#   ltv-ca              issued by ltv-root, 2025-06-01 -> 2029-06-01, CA, pathLen 0, RSA-2048
#   end entities        issued by ltv-ca, 2026-01-01 -> 2027-01-01, NCA individual profile,
#                       IIN 850315300128 (the main PKI's individual); RSA-2048 unless said:
#     good              never revoked
#     good-ec           never revoked, ECDSA P-256
#     revoked-before    revoked 2026-05-01, affiliationChanged (on the May CRL: refused when
#                       registered)
#     published-late    revoked 2026-06-10, cessationOfOperation, before the registration, but
#                       first published by the October CRL (the May CRL, in force when it is
#                       registered, predates the revocation)
#     revoked-after     revoked 2026-09-01, superseded
#     unspecified-after revoked 2026-09-01, no reasonCode
#     compromised-before revoked 2026-09-01, keyCompromise, invalidityDate 2026-05-01 (the key
#                       was compromised before the registration)
#     compromised-after revoked 2026-09-01, keyCompromise, invalidityDate 2026-08-01 (after it)
#     compromised-undated revoked 2026-09-01, keyCompromise, no invalidityDate
#   crl/root-2026.crl   by ltv-root, number 01, 2026-06-01 -> 2027-06-01, nothing revoked
#   crl/ca-2026-05.crl  by ltv-ca, number 10, 2026-05-25 -> 2026-07-01: revoked-before (the
#                       CRL in force at the registration)
#   crl/ca-2026-10.crl  by ltv-ca, number 11, 2026-10-01 -> 2026-11-01: every revocation above
#                       (the CA's last CRL: it publishes nothing after it)
#   cms/NAME.p7s        detached CMS over doc.pdf by each end entity (openssl cms -sign, SHA-256,
#                       signed attributes, CAdES signingCertificateV2), claimed signingTime
#                       2026-06-15T10:00:00Z
#
# Keys change on every run (the root's and the CA's are thrown away once everything is signed;
# the end entities' are kept in keys/); subjects, serials, dates, reasons and extensions are
# fixed. Needs only the `openssl` command line (OpenSSL 3.0) and coreutils; reuses ../pki/sign.sh.
# Usage: ./generate.sh (from any directory).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
LOG=$WORK/log
SIGNING_TIME=260615100000Z
DOC=doc.pdf

# run, fix_signing_time and sign.
. "$HERE/../pki/sign.sh"

rm -rf keys certs crl cms
mkdir -p keys certs crl cms "$WORK/pem" "$WORK/db/root/new" "$WORK/db/ca/new"

# A minimal PDF (what a vault registers for project documentation).
printf '%%PDF-1.7\n%% Qoima long-term validation test document: registered 2026-06-15, re-verified in 2030 and 2040\n1 0 obj << >> endobj\ntrailer << >>\n%%%%EOF\n' > "$DOC"

IIN=850315300128
SUBJ_ROOT="/CN=QOIMA TEST LTV ROOT/C=KZ"
SUBJ_CA="/CN=QOIMA TEST LTV CA/C=KZ"
SUBJ_EE="/CN=ТЕСТОВ ТЕСТ/SN=ТЕСТОВ/serialNumber=IIN${IIN}/C=KZ/GN=ТЕСТОВИЧ"

cat > "$WORK/openssl.cnf" <<'CNF'
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
dir             = $ENV::CADIR
database        = $ENV::CADB
new_certs_dir   = $dir/new
serial          = $dir/serial
crlnumber       = $dir/crlnumber
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
crlDistributionPoints  = URI:http://crl.qoima.test/ltv-root.crl
[ ext_individual ]
basicConstraints       = CA:FALSE
keyUsage               = critical,digitalSignature,nonRepudiation
extendedKeyUsage       = emailProtection,1.2.398.3.3.4.1.1
certificatePolicies    = 1.2.398.3.3.2.3
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints  = URI:http://crl.qoima.test/ltv-ca.crl
[ crl_full ]
authorityKeyIdentifier = keyid:always
CNF
export OPENSSL_CONF=$WORK/openssl.cnf

genkey() { # FILE rsa|ec
    case $2 in
        rsa) run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" ;;
        ec)  run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
                 -pkeyopt ec_param_enc:named_curve -out "$1" ;;
    esac
}

serial_of() { printf '202600000000000000000000000000000000A0%s' "$1"; }

# The root (self-signed) and the CA, each with its own database.
export CADIR=$WORK/db/root CADB=$WORK/db/root/index.txt
: > "$CADB"
genkey "$WORK/root.key.pem" rsa
run openssl req -new -key "$WORK/root.key.pem" -subj "$SUBJ_ROOT" -utf8 -out "$WORK/root.csr"
serial_of 01 > "$CADIR/serial"
run openssl ca -batch -notext -utf8 -preserveDN -selfsign -keyfile "$WORK/root.key.pem" \
    -in "$WORK/root.csr" -extensions ext_root -startdate 250101000000Z \
    -enddate 291231235959Z -out "$WORK/pem/ltv-root.pem"
genkey "$WORK/ca.key.pem" rsa
run openssl req -new -key "$WORK/ca.key.pem" -subj "$SUBJ_CA" -utf8 -out "$WORK/ca.csr"
serial_of 02 > "$CADIR/serial"
run openssl ca -batch -notext -utf8 -preserveDN -cert "$WORK/pem/ltv-root.pem" \
    -keyfile "$WORK/root.key.pem" -in "$WORK/ca.csr" -extensions ext_ca \
    -startdate 250601000000Z -enddate 290601000000Z -out "$WORK/pem/ltv-ca.pem"
echo 01 > "$CADIR/crlnumber"
run openssl ca -gencrl -cert "$WORK/pem/ltv-root.pem" -keyfile "$WORK/root.key.pem" \
    -crlexts crl_full -crl_lastupdate 260601000000Z -crl_nextupdate 270601000000Z -md sha256 \
    -out "$WORK/root-2026.crl.pem"

# The end entities.
export CADIR=$WORK/db/ca CADB=$WORK/db/ca/index.txt
: > "$CADB"
EES=(good good-ec revoked-before published-late revoked-after unspecified-after
     compromised-before compromised-after compromised-undated)
i=10
for ee in "${EES[@]}"; do
    kind=rsa
    [ "$ee" = good-ec ] && kind=ec
    genkey "keys/$ee.key.pem" "$kind"
    run openssl req -new -key "keys/$ee.key.pem" -subj "$SUBJ_EE" -utf8 -out "$WORK/$ee.csr"
    serial_of "$i" > "$CADIR/serial"
    run openssl ca -batch -notext -utf8 -preserveDN -cert "$WORK/pem/ltv-ca.pem" \
        -keyfile "$WORK/ca.key.pem" -in "$WORK/$ee.csr" -extensions ext_individual \
        -startdate 260101000000Z -enddate 270101000000Z -out "$WORK/pem/$ee.pem"
    eval "SERIAL_${ee//-/_}=$(serial_of "$i")"
    i=$((i + 1))
done

# Revocation entries are written into index.txt by hand, so that their dates are fixed
# (openssl ca -revoke would stamp "now"). The third field is "date[,reason[,argument]]";
# openssl's pseudo-reason keyTime is keyCompromise with an invalidityDate (RFC 5280 §5.3.2),
# its argument, as GeneralizedTime.
# revoke NAME "YYMMDDHHMMSSZ[,reason[,arg]]" < index > index
revoke() {
    local var="SERIAL_${1//-/_}"
    awk -F'\t' -v OFS='\t' -v s="${!var}" -v r="$2" '($4 "") == (s "") { $1 = "R"; $3 = r } { print }'
}

# gencrl OUT NUMBER(hex) LAST NEXT INDEX-FILE
gencrl() {
    export CADB=$5
    echo "$2" > "$CADIR/crlnumber"
    run openssl ca -gencrl -cert "$WORK/pem/ltv-ca.pem" -keyfile "$WORK/ca.key.pem" \
        -crlexts crl_full -crl_lastupdate "$3" -crl_nextupdate "$4" -md sha256 \
        -out "$WORK/$1.crl.pem"
}

IDX=$WORK/db/ca/index.txt
revoke revoked-before "260501000000Z,affiliationChanged" < "$IDX" > "$WORK/idx-may"
gencrl ca-2026-05 10 260525000000Z 260701000000Z "$WORK/idx-may"
revoke revoked-before "260501000000Z,affiliationChanged" < "$IDX" |
    revoke published-late "260610000000Z,cessationOfOperation" |
    revoke revoked-after "260901000000Z,superseded" |
    revoke unspecified-after "260901000000Z" |
    revoke compromised-before "260901000000Z,keyTime,20260501000000Z" |
    revoke compromised-after "260901000000Z,keyTime,20260801000000Z" |
    revoke compromised-undated "260901000000Z,keyCompromise" > "$WORK/idx-oct"
gencrl ca-2026-10 11 261001000000Z 261101000000Z "$WORK/idx-oct"

for name in ltv-root ltv-ca "${EES[@]}"; do
    run openssl x509 -in "$WORK/pem/$name.pem" -outform DER -out "certs/$name.cer"
done
run openssl crl -in "$WORK/root-2026.crl.pem" -outform DER -out crl/root-2026.crl
run openssl crl -in "$WORK/ca-2026-05.crl.pem" -outform DER -out crl/ca-2026-05.crl
run openssl crl -in "$WORK/ca-2026-10.crl.pem" -outform DER -out crl/ca-2026-10.crl

# The signatures (sign.sh reads keys/NAME.key.pem and $WORK/pem/NAME.pem).
for ee in "${EES[@]}"; do
    sign "$ee.p7s" "$ee" detached
done

# Checks with openssl as an independent verifier, at the registration instant
# (2026-06-15T12:00:00Z) with the CRLs then in force, and on the October CRL.
cat "$WORK/pem/ltv-root.pem" "$WORK/pem/ltv-ca.pem" > "$WORK/chain.pem"
cat "$WORK/root-2026.crl.pem" "$WORK/ca-2026-05.crl.pem" > "$WORK/crls-may.pem"
cat "$WORK/root-2026.crl.pem" "$WORK/ca-2026-10.crl.pem" > "$WORK/crls-oct.pem"
REGISTERED=1781524800
OCTOBER=1791000000   # 2026-10-03T04:00:00Z
verify() { # EE CRLS AT -> what openssl verify says, on one line
    { openssl verify -CAfile "$WORK/chain.pem" -CRLfile "$2" -crl_check_all -attime "$3" \
        "$WORK/pem/$1.pem" 2>&1 || true; } | tr '\n' ' '
}
for ee in "${EES[@]}"; do
    may=$(verify "$ee" "$WORK/crls-may.pem" $REGISTERED)
    oct=$(verify "$ee" "$WORK/crls-oct.pem" $OCTOBER)
    case $ee in
        good|good-ec) want_may=": OK" want_oct=": OK" ;;
        revoked-before) want_may="certificate revoked" want_oct="certificate revoked" ;;
        *) want_may=": OK" want_oct="certificate revoked" ;;
    esac
    case $may in *"$want_may"*) ;; *) echo "$ee at registration: $may" >&2; exit 1 ;; esac
    case $oct in *"$want_oct"*) ;; *) echo "$ee in October: $oct" >&2; exit 1 ;; esac
    run openssl cms -verify -binary -inform DER -in "cms/$ee.p7s" -content "$DOC" \
        -CAfile "$WORK/chain.pem" -attime $REGISTERED -purpose any -out /dev/null
done
# The invalidityDate entries are there.
openssl crl -inform DER -in crl/ca-2026-10.crl -noout -text | grep -q "Invalidity Date" || {
    echo "ca-2026-10.crl has no invalidityDate" >&2
    exit 1
}
echo "LTV test PKI written to $HERE: $(find keys certs crl cms -type f | wc -l) files"
