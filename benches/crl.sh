#!/usr/bin/env bash
# Whole commands on 500 000-entry CRLs (made by `crl_memory`, see `crl_data.rs`): `qoima
# verify` of the README's reference case (`individual.detached.p7s`, root-rsa → ca-rsa) with
# ca-rsa's small fixture CRL, then with a large base CRL of ca-rsa instead (lean: 17.5 MB;
# NCA-shaped: 26.6 MB), then with the NCA-shaped base and its delta, then the fixture CRL with
# an NCA-shaped CRL in the name of NCA's GOST test CA besides (loaded, never checked: the cost
# of loading a GOST-signed CRL). Wall time, CPU time
# (user + system: steadier than wall time on a shared machine) and maximum RSS, median of RUNS
# runs each; the per-entry figures are the differences to the small-CRL run. Beside them, in the same run: `openssl crl -noout` reading the same DER, and a plain
# `sort` of the base's 500 000 serials (hex, one a line).
#
# QOIMA=path/to/qoima measures that binary instead of building one; CRL_DIR=dir reuses (or
# keeps) the generated CRLs.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
ENTRIES=500000
DELTA_ENTRIES=50000
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
if [ -z "${QOIMA:-}" ]; then
    cargo build --release -q -p qoima-server --bin qoima
    QOIMA=$CARGO_TARGET_DIR/release/qoima
fi
DIR=${CRL_DIR:-$(mktemp -d)}
if [ ! -f "$DIR/base-gost.crl" ]; then
    QOIMA_CRL_WRITE=$DIR cargo bench -q -p qoima-benches --bench crl_memory >/dev/null
fi
pki=verifier/testdata/pki

verify=("$QOIMA" verify --sig $pki/cms/individual.detached.p7s --data $pki/doc-4k.txt
    --trust $pki/certs/root-rsa.cer --ca $pki/certs/ca-rsa.cer --crl $pki/crl/root-rsa.crl
    --at 2026-06-15T12:00:00Z)

# "seconds cpu-seconds KiB": the medians of RUNS runs of the command (wall time, user +
# system time, maximum RSS).
measure() {
    local times=() cpus=() rss=() wall user sys max log
    log=$(mktemp)
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -o "$log" -f '%e %U %S %M' "$@" >/dev/null 2>&1
        read -r wall user sys max <<<"$(tail -1 "$log")"
        times+=("$wall")
        cpus+=("$(awk "BEGIN { printf \"%.2f\", $user + $sys }")")
        rss+=("$max")
    done
    rm -f "$log"
    local mid=$(((RUNS + 1) / 2))
    median() { printf '%s\n' "$@" | sort -g | sed -n "${mid}p"; }
    echo "$(median "${times[@]}") $(median "${cpus[@]}") $(median "${rss[@]}")"
}

# Each verification must pass (exit 0), or the figures mean nothing.
"${verify[@]}" --crl $pki/crl/ca-rsa.crl >/dev/null
"${verify[@]}" --crl "$DIR/base-lean.crl" >/dev/null
"${verify[@]}" --crl "$DIR/base-nca.crl" >/dev/null
"${verify[@]}" --crl "$DIR/base-nca.crl" --crl "$DIR/delta-nca.crl" >/dev/null
"${verify[@]}" --crl $pki/crl/ca-rsa.crl --crl "$DIR/base-gost.crl" >/dev/null

read -r t0 c0 m0 <<<"$(measure "${verify[@]}" --crl $pki/crl/ca-rsa.crl)"
row() {
    local name=$1 entries=$2 t c m
    shift 2
    read -r t c m <<<"$(measure "$@")"
    if [ "$entries" = - ]; then
        printf '| %s | %s s | %s s | %s MB | | |\n' "$name" "$t" "$c" "$(echo "scale=1; $m / 1024" | bc)"
    else
        printf '| %s | %s s | %s s | %s MB | %s s | %s |\n' "$name" "$t" "$c" \
            "$(echo "scale=1; $m / 1024" | bc)" "$(awk "BEGIN { printf \"%.2f\", $c - $c0 }")" \
            "$(echo "scale=0; ($m - $m0) * 1024 / $entries" | bc)"
    fi
}
echo "RUNS=$RUNS, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $QOIMA"
echo "| command | wall (median) | CPU (median) | max RSS (median) | CPU − small-CRL run | (RSS − small-CRL run) / entry, bytes |"
echo "|---|---|---|---|---|---|"
row "qoima verify, ca-rsa's fixture CRL (3 entries)" - "${verify[@]}" --crl $pki/crl/ca-rsa.crl
row "qoima verify, lean base (17.5 MB)" $ENTRIES "${verify[@]}" --crl "$DIR/base-lean.crl"
row "qoima verify, NCA-shaped base (26.6 MB)" $ENTRIES "${verify[@]}" --crl "$DIR/base-nca.crl"
row "qoima verify, NCA-shaped base + delta" $((ENTRIES + DELTA_ENTRIES)) \
    "${verify[@]}" --crl "$DIR/base-nca.crl" --crl "$DIR/delta-nca.crl"
row "qoima verify, NCA-shaped GOST-signed base of another CA added" $ENTRIES \
    "${verify[@]}" --crl $pki/crl/ca-rsa.crl --crl "$DIR/base-gost.crl"
row "reference: openssl crl -noout, lean base" - \
    openssl crl -inform DER -in "$DIR/base-lean.crl" -noout
row "reference: openssl crl -noout, NCA-shaped base" - \
    openssl crl -inform DER -in "$DIR/base-nca.crl" -noout
row "reference: sort of the 500 000 serials (hex lines)" - \
    env LC_ALL=C sort -o /dev/null "$DIR/serials-nca.txt"
