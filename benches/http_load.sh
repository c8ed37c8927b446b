#!/usr/bin/env bash
# Load figures of `qoima serve` (HTTP/1.1 on hyper), each beside its reference measured in the
# same run:
#
#  1. Verification: `POST /v1/verify` of the reference case (the detached RSA-2048 CMS
#     verifier/testdata/pki/cms/individual.detached.p7s over doc-4k.txt at
#     2026-06-15T12:00:00Z, as in benches/verify.rs) from CONNECTIONS keep-alive connections
#     for DURATION seconds: requests/s, p50 and p99 latency. Every response must be 200 (checked
#     by the load tool and by the server's own /metrics counters). Reference: the engine in one
#     process on every core (benches/verify_rate.rs: one Verifier, a thread per core), run
#     right before and right after the load; the ratio is HTTP / their mean. ROUNDS rounds.
#     In each round the same load also goes to a bare hyper server on the same runtime
#     (benches/http_floor.rs), once answering the report without doing anything (what the
#     kernel, tokio and hyper allow) and once verifying the reference case per request (what
#     any server in front of the engine could reach here): the rate of `qoima serve` is given
#     as a share of the latter too.
#  2. Upload: a UPLOAD_MIB MiB random file sent by tus (POST /v1/uploads with Upload-Length and
#     the sha256 metadata, then one PATCH of the whole file, then again in CHUNK_MIB MiB
#     PATCHes over one connection), timed with curl from the POST to the last response: MiB/s
#     and the share of `sha256sum`'s rate on the same file. Also `openssl dgst -sha256` and a
#     `dd ... conv=fdatasync` copy of the file (what the disk takes) for context. Median of
#     RUNS runs.
#
# Writes the tables into BENCHMARKS.md between the http_load.sh markers.
#
#   benches/http_load.sh    # installs wrk (Debian) or, failing that, oha (crates.io) if missing
#
# The load generator runs on the same machine as the server and takes some of its cores:
# run it when nothing else does (`uptime`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup
source benches/common.sh
source benches/serve.sh
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-32}
ROUNDS=${ROUNDS:-2}
UPLOAD_MIB=${UPLOAD_MIB:-1024}
CHUNK_MIB=${CHUNK_MIB:-64}
RUNS=${RUNS:-3}
CORES=$(nproc)

for tool in curl openssl python3; do
    command -v "$tool" >/dev/null || apt_install "$tool"
done
# The load tool: wrk from Debian (seconds), else oha from crates.io (minutes to build).
if [ -z "${LOAD_TOOL:-}" ]; then
    if command -v wrk >/dev/null; then
        LOAD_TOOL=wrk
    elif command -v oha >/dev/null; then
        LOAD_TOOL=oha
    elif apt_install wrk; then
        LOAD_TOOL=wrk
    else
        echo "http_load: installing oha (crates.io)" >&2
        cargo install oha --locked -q
        LOAD_TOOL=oha
    fi
fi

serve_start
load_avg() { cut -d' ' -f1 /proc/loadavg; }
echo "http_load: server at $url, load tool $LOAD_TOOL, load average $(load_avg)" >&2

# ---- 1. Verification over keep-alive -------------------------------------------------------

start_floor floor_url
start_floor engine_url --engine
[ -n "$floor_url" ] && [ -n "$engine_url" ] || fail "the bare hyper servers did not start"

# Runs the load tool for $1 seconds against the server at $2; prints `load NAME VALUE` lines
# (rps, p50_us, p99_us, bad_status, socket_errors).
load() {
    local seconds=$1 url=$2
    case $LOAD_TOOL in
    wrk)
        # One load thread: the server has the machine's cores to itself as far as can be.
        wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" -s benches/http_load.lua "$url/v1/verify" \
            -- "$work/verify.json" "$key" | grep '^load '
        ;;
    oha)
        oha --no-tui -j -z "${seconds}s" -c "$CONNECTIONS" -m POST -T application/json \
            -H "Authorization: Bearer $key" -D "$work/verify.json" "$url/v1/verify" |
            python3 -c '
import json, sys
r = json.load(sys.stdin)
codes = r.get("statusCodeDistribution", {})
ok = codes.get("200", 0)
seconds = r["summary"]["total"]
print("load rps %.1f" % (ok / seconds))
print("load p50_us %d" % (r["latencyPercentiles"]["p50"] * 1e6))
print("load p99_us %d" % (r["latencyPercentiles"]["p99"] * 1e6))
print("load bad_status %d" % (sum(codes.values()) - ok))
errors = sum(v for k, v in r.get("errorDistribution", {}).items() if "deadline" not in k)
print("load socket_errors %d" % errors)'
        ;;
    *) fail "LOAD_TOOL is wrk or oha, not $LOAD_TOOL" ;;
    esac
}
field() { sed -n "s/^load $1 //p" <<<"$2"; }
engine_rate() { "$verify_rate" "$CORES" "$DURATION" | sed -n 's/.* \([0-9]*\) verifications\/s$/\1/p'; }
ms() { echo "scale=2; $1 / 1000" | bc -l | sed 's/^\./0./'; }
thousands() { sed ':a;s/\B[0-9]\{3\}\>/ &/;ta' <<<"$1"; }

# Warm-up: connections, caches.
for target in "$url" "$floor_url" "$engine_url"; do
    load 2 "$target" >/dev/null
done
verify_rows=()
for round in $(seq "$ROUNDS"); do
    settle
    before=$(engine_rate)
    counts_before=$(verify_counts)
    result=$(load "$DURATION" "$url")
    floor=$(load "$DURATION" "$floor_url")
    behind=$(load "$DURATION" "$engine_url")
    counts_after=$(verify_counts)
    after=$(engine_rate)
    rps=$(field rps "$result")
    bad=$(field bad_status "$result")
    errors=$(field socket_errors "$result")
    [ "${bad:-1}" -eq 0 ] || fail "round $round: $bad responses were not 200"
    [ "${errors:-1}" -eq 0 ] || fail "round $round: $errors socket errors"
    for bare in "$floor" "$behind"; do
        [ "$(field bad_status "$bare")" -eq 0 ] && [ "$(field socket_errors "$bare")" -eq 0 ] ||
            fail "round $round: the bare hyper server failed requests"
    done
    # The server's own counters: only 200s were answered during the load.
    not_ok=$(join -a1 -a2 -e0 -o 0,1.2,2.2 <(sort <<<"$counts_before") <(sort <<<"$counts_after") |
        awk '$1 != 200 && $3 != $2 { n += $3 - $2 } END { print n + 0 }')
    [ "$not_ok" -eq 0 ] || fail "round $round: the server answered $not_ok verifications with another status than 200"
    engine=$(((before + after) / 2))
    floor_rps=$(field rps "$floor")
    behind_rps=$(field rps "$behind")
    ratio=$(echo "scale=1; 100 * $rps / $engine" | bc -l)
    bound=$(echo "scale=1; 100 * $behind_rps / $engine" | bc -l)
    share=$(echo "scale=1; 100 * $rps / $behind_rps" | bc -l)
    p50=$(ms "$(field p50_us "$result")")
    p99=$(ms "$(field p99_us "$result")")
    echo "http_load: round $round: HTTP $rps req/s (p50 $p50 ms, p99 $p99 ms), in process $before and $after/s: $ratio %; bare hyper $floor_rps, bare hyper + engine $behind_rps req/s ($bound % of in process; HTTP is $share % of it)" >&2
    verify_rows+=("| $round | $(thousands "${rps%.*}") | $p50 ms | $p99 ms | $(thousands "$before") / $(thousands "$after") | **$ratio %** | $(thousands "${floor_rps%.*}") | $(thousands "${behind_rps%.*}") ($bound %) | $share % |")
done

# ---- 2. Upload of a large file --------------------------------------------------------------

file="$work/upload.bin"
length=$((UPLOAD_MIB << 20))
head -c "$length" /dev/urandom >"$file"
hex=$(sha256sum "$file" | cut -d' ' -f1)
metadata="sha256 $(printf %s "$hex" | base64 -w0)"
mkdir "$work/parts"
split -b "$((CHUNK_MIB << 20))" -d -a 4 "$file" "$work/parts/part."
tus=(-H 'Tus-Resumable: 1.0.0' "${auth[@]}")

# Creates an upload of the file; prints its path (/v1/uploads/ID).
create() {
    curl -s -D - -o /dev/null -X POST "${tus[@]}" -H "Upload-Length: $length" \
        -H "Upload-Metadata: $metadata" "$url/v1/uploads" |
        tr -d '\r' | sed -n 's/^[Ll]ocation: //p'
}
# One PATCH of the whole file.
upload_whole() {
    local at code
    at=$(create)
    code=$(curl -s -o "$work/patch.out" -w '%{http_code}' -X PATCH "${tus[@]}" -H 'Expect:' \
        -H 'Content-Type: application/offset+octet-stream' -H 'Upload-Offset: 0' \
        -T "$file" "$url$at")
    [ "$code" = 204 ] || fail "PATCH answered $code: $(cat "$work/patch.out")"
    echo "$at" >"$work/last"
}
# CHUNK_MIB MiB PATCHes, one after the other over one connection.
upload_chunks() {
    local at part args=() offset=0 codes
    at=$(create)
    for part in "$work"/parts/part.*; do
        ((${#args[@]})) && args+=(--next)
        args+=(-s -o /dev/null -w '%{http_code}\n' -X PATCH "${tus[@]}" -H 'Expect:'
            -H 'Content-Type: application/offset+octet-stream' -H "Upload-Offset: $offset"
            -T "$part" "$url$at")
        offset=$((offset + $(stat -c %s "$part")))
    done
    codes=$(curl "${args[@]}" | sort -u | tr '\n' ' ')
    [ "$codes" = "204 " ] || fail "the PATCHes answered $codes"
    echo "$at" >"$work/last"
}
# The last upload is complete (its offset is the length); then it is removed.
check_and_remove() {
    local at offset
    at=$(cat "$work/last")
    offset=$(curl -s -I "${tus[@]}" "$url$at" | tr -d '\r' | sed -n 's/^[Uu]pload-[Oo]ffset: //p')
    [ "$offset" = "$length" ] || fail "the upload stopped at $offset of $length bytes"
    curl -s -o /dev/null -X DELETE "${tus[@]}" "$url$at"
}

mib() { rate "$UPLOAD_MIB" "$1"; }

settle
sha=$(median : "sha256sum '$file'")
ossl=$(median : "openssl dgst -sha256 '$file'")
disk=$(median : "dd if='$file' of='$work/copy' bs=1M conv=fdatasync status=none" "rm -f '$work/copy'")
whole=$(median : upload_whole check_and_remove)
chunks=$(median : upload_chunks check_and_remove)
echo "http_load: upload: sha256sum $(mib "$sha"), openssl $(mib "$ossl"), dd $(mib "$disk"), tus one PATCH $(mib "$whole"), ${CHUNK_MIB} MiB PATCHes $(mib "$chunks") MiB/s" >&2
upload_row="| $(mib "$sha") | $(mib "$ossl") | $(mib "$disk") | $(mib "$whole") ($(pct "$whole" "$sha") %) | $(mib "$chunks") ($(pct "$chunks" "$sha") %) |"

case $LOAD_TOOL in
wrk) tool_text="wrk $({ wrk -v 2>&1 || true; } | sed -n 's/^wrk \(debian\/\)\{0,1\}\([0-9.]*\).*/\2/p' | head -n1) (\`wrk -t1 -c$CONNECTIONS -d${DURATION}s -s benches/http_load.lua\`)" ;;
oha) tool_text="$(oha --version | head -n1) (\`oha -c $CONNECTIONS -z ${DURATION}s\`)" ;;
esac
table=$(cat <<TABLE
<!-- http_load.sh begin -->
Measured $(date -u +%Y-%m-%d) on $(machine),
\`benches/http_load.sh\`, the load generator on the same machine as \`qoima serve\`.

Verification: \`POST /v1/verify\` of the reference case (the JSON body of the signature and the
4 KB content, base64) from ${CONNECTIONS} keep-alive connections for ${DURATION} s with ${tool_text},
every response a 200 with a TOTAL_PASSED report. Beside it the engine in one process on
${CORES} threads (\`benches/verify_rate.rs\`), run right before and right after the load; the ratio
is to their mean. Goal: ≥ 60 %. The same load also went to a bare hyper server on the same runtime
(\`benches/http_floor.rs\`) that answers the same report doing nothing else ("bare hyper"), and
to one that verifies the reference case per request before answering ("bare + engine", in
brackets its share of the in-process rate): the most any server in front of the engine reaches
here. The last column is \`qoima serve\`'s rate as a share of that.

| round | HTTP req/s | p50 | p99 | in process, before / after (per s) | HTTP / in process | bare hyper req/s | bare + engine req/s | HTTP / bare + engine |
|---|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${verify_rows[@]}")

Upload: a ${UPLOAD_MIB} MiB random file, median of ${RUNS} runs, MiB/s; in brackets the share of
\`sha256sum\`'s rate on the same file (goal: ≥ 40 %). A tus upload is timed from the
\`POST /v1/uploads\` to the last PATCH's 204 (\`curl -T\`, one connection); \`dd\` is a copy of
the file with \`conv=fdatasync\`, what the disk takes.

| sha256sum | openssl sha256 | dd, fdatasync | tus, one PATCH | tus, ${CHUNK_MIB} MiB PATCHes |
|---|---|---|---|---|
${upload_row}
<!-- http_load.sh end -->
TABLE
)
write_table http_load.sh "$table"
