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
    individual-keyid.detached.p7s individual-pss.detached.p7s \
    individual-pss-saltmax.detached.p7s individual-pss-salt0.detached.p7s ec.attached.p7s; do
    cp "$pki/cms/$f" "corpus/cms/pki-$f"
done
for f in root-rsa ca-rsa employee ec; do cp "$pki/certs/$f.cer" "corpus/certificate_file/pki-$f.cer"; done
# A CA certificate with http and ldap distribution points and a FreshestCRL (the refresh's).
cp ../server/testdata/refresh/ca-points.cer corpus/certificate_file/refresh-ca-points.cer
for f in ca-rsa ca-rsa-base ca-rsa-delta; do cp "$pki/crl/$f.crl" "corpus/crl_file/pki-$f.crl"; done
# OCSP responses (verifier/testdata/pki/ocsp.sh): every shape the fixtures have (byName and
# byKey, with and without certs, SHA-1 and SHA-256 CertIDs, revoked, unknown, a nonce, ECDSA,
# tryLater).
mkdir -p corpus/ocsp_response
for f in individual-good-ca individual-good-sha256-bykey individual-good-nonce \
    individual-good-delegated revoked-ca employee-unknown-ca ec-good-ca trylater; do
    cp "$pki/ocsp/$f.der" "corpus/ocsp_response/$f.der"
done

# A real GOST-2015 key (its certificate's subjectPublicKey contents), signature and
# message would need a parser; seed with the shapes instead: lengths 0x83 (DER
# OCTET STRING of 128 bytes plus header) and 0x80, then zero bytes.
mkdir -p corpus/gost_verify
{ printf '\x83\x80'; head -c 259 /dev/zero; printf 'message'; } > corpus/gost_verify/shapes-512
{ printf '\x42\x40'; head -c 130 /dev/zero; printf 'message'; } > corpus/gost_verify/shapes-256

# Upload state files written by the upload store itself (at each stage of an upload) and
# damaged copies: an ignored test of tests/fuzz_corpus.rs writes them. Ids are random, so
# each run writes different bytes. Set CARGO_TARGET_DIR to the workspace's usual target dir.
rm -rf corpus/upload_state
(cd .. && cargo test --release -q -p qoima-tests --test fuzz_corpus -- --ignored \
    --exact write_upload_state_seeds)

# Auditors' bundles: a real export of a two-version document (with a consistency proof) and
# archives a bundle never is; an ignored test of server/tests/bundle.rs writes them.
rm -rf corpus/bundle
(cd .. && cargo test --release -q -p qoima-server --test bundle -- --ignored \
    --exact write_bundle_seeds)

# tus request headers, one value per line (tus_headers): Upload-Metadata as tus-js-client and
# Uppy send it (with the sha256 this server requires), Upload-Checksum, and their edges.
mkdir -p corpus/tus_headers
sha_hex=$(printf 'hello' | sha256sum | cut -d' ' -f1)
sha_b64hex=$(printf '%s' "$sha_hex" | base64 -w0)
sha_b64=$(printf 'hello' | sha256sum | cut -d' ' -f1 | xxd -r -p | base64 -w0)
t() { printf '%s' "$2" > "corpus/tus_headers/$1"; }
t metadata-tus-js "filename $(printf 'акт.pdf' | base64 -w0),filetype $(printf 'application/pdf' | base64 -w0),sha256 $sha_b64hex"
t metadata-key-only "sha256 $sha_b64hex,is_confidential"
t metadata-repeated-key "sha256 $sha_b64hex,sha256 $sha_b64hex"
t metadata-uppercase-sha "sha256 $(printf '%s' "$sha_hex" | tr a-f A-F | base64 -w0)"
t metadata-bad-base64 "sha256 !!!!,name a b"
t metadata-spaces ",  , sha256  $sha_b64hex"
t checksum "sha256 $sha_b64"
t checksum-md5 "md5 XUFAKrxLKna5cZ2REBfFkg=="
t checksum-short "sha256 $(printf 'short' | base64 -w0)"
t checksum-twice "$(printf 'sha256 %s\nsha256 %s' "$sha_b64" "$sha_b64")"
t checksum-no-padding "sha256 ${sha_b64%=}"
printf 'sha256 \x80\xff\nfilename \xd0\xb0' > corpus/tus_headers/obs-text

# Request targets (request_target): every route's shape with queries, and what must not reach
# a file: traversal, encoded traversal, uppercase and short ids, doubled slashes.
mkdir -p corpus/request_target
upload=0123456789abcdef0123456789abcdef
r() { printf '%s' "$2" > "corpus/request_target/$1"; }
r healthz "/healthz"
r upload "/v1/uploads/$upload"
r uploads "/v1/uploads"
r document-verify-at "/v1/documents/$upload/verify?at=2027-03-01T00:00:00Z"
r document-reason "/v1/documents/$upload?reason=a+b%2Fc%D0%B8"
r document-reason-twice "/v1/documents/$upload?reason=a&reason=b"
r document-content "/v1/documents/$upload/content"
r object-documents "/v1/objects/123456789012345678/documents"
r key "/v1/keys/0123456789abcdef"
r inclusion-proof "/v1/audit/proofs/inclusion?entry=1&size=2"
r consistency-too-large "/v1/audit/proofs/consistency?from=1&to=18446744073709551616"
r absolute-form "http://localhost:8080/v1/verify?reason=x"
r traversal "/v1/uploads/../../etc/passwd"
r traversal-encoded "/v1/uploads/%2e%2e%2f%2e%2e%2fstate"
r traversal-dots "/v1/uploads/.."
r upload-uppercase "/v1/uploads/${upload^^}"
r upload-short "/v1/uploads/${upload:0:31}"
r double-slash "//v1/uploads/$upload"
r bad-escape "/v1/documents/$upload?reason=%zz%4"

# The replay journal of signed requests (replay_journal): lines as the server writes them, a
# line cut by a crash, and lines it must refuse.
mkdir -p corpus/replay_journal
digest=$(printf 'signed attributes' | sha256sum | cut -d' ' -f1)
j() { printf "${@:2}" > "corpus/replay_journal/$1"; }
j two-lines '1790000300 %s\n1790000301 %s\n' "$digest" "${digest/a/b}"
j cut-last-line '1790000300 %s\n1790000301 %s' "$digest" "${digest:0:20}"
j uppercase '1790000300 %s\n' "${digest^^}"
j negative-expiry -- '-1 %s\n' "$digest"
j huge-expiry '99999999999999999999 %s\n' "$digest"
j empty-lines '\n\n'

# Calendar years (calendar_year): the TOML of a year as `PUT /v1/calendars/{year}` stores it,
# the built-in calendar file, and tables a check must refuse.
mkdir -p corpus/calendar_year
c() { printf '%s' "$2" > "corpus/calendar_year/$1"; }
c one-year $'[years.2026]\nsource = "a decree"\nholidays = ["2026-06-16"]\nworking = ["2026-06-20"]\n'
c two-years $'[years.2026]\n[years.2027]\n'
c weekday-working $'[years.2026]\nworking = ["2026-06-16"]\n'
c all-holidays $'[years.2026]\nholidays = ["2026-01-01", "2026-01-02", "2026-01-03"]\n'
c year-zero $'[years.0]\n'
c bad-date $'[years.2026]\nholidays = ["2026-02-30"]\n'
cp ../vault/calendar/kz-2024-2027.toml corpus/calendar_year/builtin.toml

# Re-verification options as the API takes them, and a run's state as `--resume` reads it.
mkdir -p corpus/reverification
printf '%s' '{"at":"2026-09-01T00:00:00Z","mode":"now","classes":["project-documentation"],"participants":["ТОО Тест"],"objects":["123456789012345678"],"registeredFrom":"2026-01-01","registeredTo":"2026-12-31","currentOnly":true,"ids":["00112233445566778899aabbccddeeff"],"checkContent":true,"record":false}' > corpus/reverification/options
printf '%s' '{"mode":"sometimes","registeredFrom":"2026-02-30"}' > corpus/reverification/bad-options
printf '%s' '{"id":"20261207T101948Z-3821b0d4","options":{},"validationTime":1788220800,"by":"operator","policy":null,"startedAt":"2026-12-07T10:19:48Z","finishedAt":null,"status":"running","error":null,"total":2000,"last":"00112233445566778899aabbccddeeff:1","resultsLen":612,"outputLen":0,"outputs":{"file":null,"stdout":true,"format":null,"html":null},"summary":{"total":1,"errors":0,"byVerdict":{"TOTAL_PASSED":1},"byClass":{},"byIssuer":{},"changed":0,"changes":[],"seconds":0.1}}' > corpus/reverification/run-state
printf '%s' '{"id":"x","options":{},"validationTime":-99999999999999,"by":"","policy":null,"startedAt":"","finishedAt":null,"status":"failed","error":null,"total":null,"last":"zz:zz","resultsLen":0,"outputLen":0,"outputs":{},"summary":{"total":0,"errors":0,"byVerdict":{},"byClass":{},"byIssuer":{},"changed":0,"changes":[],"seconds":0}}' > corpus/reverification/damaged-state

# S3 answers, as AWS and radosgw word them (vault/src/storage/s3/xml.rs).
text() { mkdir -p "corpus/$1"; printf '%s' "$3" > "corpus/$1/$2"; }
text s3_answers error '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>forbidden by object lock</Message><RequestId>tx1</RequestId></Error>'
text s3_answers list-truncated '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>vault</Name><Prefix>chunks/</Prefix><KeyCount>1</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>true</IsTruncated><Contents><Key>chunks/00aa</Key><Size>3</Size></Contents><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken></ListBucketResult>'
text s3_answers versions '<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>true</IsTruncated><NextKeyMarker>chunks/a</NextKeyMarker><NextVersionIdMarker>v2</NextVersionIdMarker><DeleteMarker><Key>chunks/a</Key><VersionId>m1</VersionId><IsLatest>true</IsLatest><LastModified>2026-12-07T19:30:39.065Z</LastModified></DeleteMarker><Version><Key>chunks/a</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest><LastModified>2026-12-07T19:30:35.188Z</LastModified></Version></ListVersionsResult>'
text s3_answers versions-bad-date '<ListVersionsResult><IsTruncated>false</IsTruncated><Version><Key>chunks/a</Key><VersionId>v1</VersionId><LastModified>2026-12-32T25:61:00Z</LastModified></Version></ListVersionsResult>'
text s3_answers retention '<Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Mode>COMPLIANCE</Mode><RetainUntilDate>2031-01-02T03:04:05.000Z</RetainUntilDate></Retention>'
text s3_answers legal-hold '<LegalHold><Status>ON</Status></LegalHold>'
text s3_answers object-lock '<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>'
text s3_answers versioning '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>'
text s3_answers entities '<Error><Code>A&amp;B&#65;&#x42;</Code><Message><![CDATA[x<y]]></Message></Error>'
text s3_answers unclosed '<ListBucketResult><Contents><Key>chunks/'

# Configuration files (configuration): every table as the docs write it (the files they list
# are left out by the target), the distributed backend, PostgreSQL URLs alone, and keys a check
# must refuse.
mkdir -p corpus/configuration
k() { printf '%s' "$2" > "corpus/configuration/$1"; }
k every-table $'[trust]\nanchors = ["pki/root-rsa.cer"]\nintermediates = ["pki/ca-rsa.cer"]\ncrls = ["pki/ca-rsa.crl"]\n[policy]\nmin-rsa-bits = 2048\n[numbering]\ndefault = "{participant}-{yyyy}-{seq:06}"\n[numbering.participants]\nacme = "ACME/{yyyy}/{seq:04}"\n[retention]\nconstruction-record = { kind = "until-end-of-service", tail-years = 5 }\n[registration]\nsender-unknown = []\n[disposal]\nofficers = [{ iin = "880101300123" }]\n[verifier]\ncache-bytes = 67108864\n'
k server $'[server]\nlisten = "127.0.0.1:8080"\nmax-upload-bytes = 1073741824\nupload-expiry-hours = 24\nmax-concurrent-uploads = 64\nmax-concurrent-verifications = 2\nmax-json-body-bytes = 67108864\nmax-header-bytes = 16384\nheader-read-timeout-seconds = 30\nbody-idle-timeout-seconds = 60\nbody-deadline-seconds = 3600\nmax-connections = 1024\njson-buffer-bytes = 268435456\nshutdown-grace-seconds = 30\ncontent-grace-hours = 24\ngc-interval-hours = 6\nmax-uploads-per-key = 8\nmax-upload-bytes-per-key-per-day = 10737418240\n'
k revocation $'[revocation]\nfetch = true\nurls = ["http://crl.example/nca_rsa.crl"]\ncheck-interval-seconds = 3600\nretry-base-seconds = 30\nretry-cap-seconds = 3600\ntimeout-seconds = 120\nmax-bytes = 67108864\nocsp = true\nocsp-hash = "sha1"\nocsp-nonce = false\nocsp-timeout-seconds = 10\nocsp-max-bytes = 65536\nocsp-cache-seconds = 3600\n'
k postgres-s3 $'[storage]\nbackend = "postgres-s3"\npostgres = "postgresql://qoima:secret@127.0.0.1:5432/qoima"\nshared-cache-seconds = 2\n[storage.s3]\nendpoint = "http://127.0.0.1:7480"\nbucket = "qoima"\nregion = "default"\norphan-grace-hours = 24\n'
k postgres-url 'postgresql://qoima_vault:pw@127.0.0.1:5432/qoima'
k postgres-url-no-user 'postgres://:pw@host/db'
k unknown-key $'[server]\nlisten-everywhere = true\n'
k bad-values $'[server]\nmax-connections = -1\n[storage]\nbackend = "oracle"\n[verifier]\ncache-bytes = 1\n'
k multibyte-error $'[numbering]\ndefault = "\xd0\x90\xd0\x91\n'

# `POST /v1/verify` bodies (verify_body): the reference case of benches/http_load.sh (the
# signature and the 4 KB content, base64), a digest, escapes, and what must be refused; and
# base64 alone, valid and not.
mkdir -p corpus/verify_body
pki=../verifier/testdata/pki
v() { printf '%s' "$2" > "corpus/verify_body/$1"; }
v reference "{\"signature\":\"$(base64 -w0 "$pki/cms/individual.detached.p7s")\",\"content\":\"$(base64 -w0 "$pki/doc-4k.txt")\",\"at\":\"2026-06-15T12:00:00Z\"}"
v digest '{"signature":"MIIB","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","expectIin":"123456789012","expectBin":null}'
v escapes '{"signature":"QU\/D\u0041==","content":"\n QUJD"}'
v control-character "$(printf '{"signature":"QU\tJD"}')"
v lone-surrogate '{"signature":"\ud800"}'
v duplicate '{"signature":"QUJD","signature":"QUJD"}'
v unknown-field '{"signature":"QUJD","other":1}'
v non-ascii '{"signature":"Иван QUJD"}'
v base64-padded 'QUJDRA=='
v base64-pad-bits 'QUJDRB=='
v base64-unpadded 'QUJDRA'
