#!/usr/bin/env bash
# The CPU time `qoima serve` spends per `POST /v1/verify` against the engine's per
# verification in process: a figure that the load generator sharing the cores moves much less
# than requests per second (it still moves it: a busy machine makes every wake-up dearer).
#
# The reference case of `http_load.sh` (the detached RSA-2048 CMS over doc-4k.txt, base64 in a
# JSON body) is sent by wrk from CONNECTIONS keep-alive connections for DURATION seconds. The
# server's user + system time is read from /proc/<pid>/stat before and after, and divided by
# the number of 200 answers (the server's own counters: no other status allowed; every answer
# wrk read must be a TOTAL_PASSED report, and wrk misses at most the last one of each
# connection). The reference: `http_floor --cpu N`, the engine verifying the same case N
# times on one thread (same trust store, warm caches; it checks that its report is byte for
# byte the server's answer), its CPU time read the same way. The same load also goes to the
# bare hyper server with the engine (`http_floor --engine`), whose CPU time per request is
# what hyper, tokio and the kernel's TCP add around the engine. ROUNDS rounds, each with its
# own engine figure. With BEFORE=PATH (a `qoima` binary built from another commit, named
# BEFORE_NAME in the table), each round also measures that server on the same vault.
#
# Writes the table into BENCHMARKS.md between the http_cpu.sh markers.
#
#   benches/http_cpu.sh    # installs wrk (Debian) if missing
set -Eeuo pipefail
trap 'echo "http_cpu: a command failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
source scripts/setup
source benches/common.sh
source benches/serve.sh
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
ROUNDS=${ROUNDS:-3}
ENGINE_N=${ENGINE_N:-100000}

for tool in curl python3 bc wrk; do
    command -v "$tool" >/dev/null || apt_install "$tool"
done
serve_start
start_floor engine_url --engine
[ -n "$engine_url" ] || fail "the bare hyper server did not start"

# utime + stime of process $1, in clock ticks (fields 14 and 15 of proc(5)'s stat).
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f12,13 | tr ' ' + | bc; }
# Runs wrk for $1 seconds against the server at $2; prints its `load NAME VALUE` lines.
load() {
    wrk -t1 -c"$CONNECTIONS" -d"${1}s" -s benches/http_load.lua "$2/v1/verify" \
        -- "$work/verify.json" "$key" check | grep '^load '
}
field() { sed -n "s/^load $1 //p" <<<"$2"; }
ok_count() { verify_counts | awk '$1 == 200 { n = $2 } END { print n + 0 }'; }
all_count() { verify_counts | awk '{ n += $2 } END { print n + 0 }'; }
# Microseconds per request of TICKS ticks (USER_HZ = 100) over N requests: `per TICKS N`.
per() { echo "scale=2; $1 * 10000 / $2" | bc -l; }

# CPU time per request of the server at $url (pid $server) under DURATION seconds of load:
# prints `MICROSECONDS REQUESTS RATE`. Fails unless every answer was right.
measure_serve() {
    local ok0 all0 t0 t1 result ok others passed
    ok0=$(ok_count)
    all0=$(all_count)
    t0=$(cpu_ticks "$server")
    result=$(load "$DURATION" "$url")
    t1=$(cpu_ticks "$server")
    ok=$(($(ok_count) - ok0))
    others=$(($(all_count) - all0 - ok))
    passed=$(field passed "$result")
    # The two /metrics reads above are not verifications and are not counted.
    [ "$others" -eq 0 ] || fail "$others answers were not 200"
    # wrk stops at the deadline without reading the answers still on their way: at most one
    # a connection is not seen by it.
    [ "$passed" -eq "$(field requests "$result")" ] ||
        fail "$(field requests "$result") answers read but $passed TOTAL_PASSED bodies"
    [ "$passed" -gt 0 ] && [ "$ok" -ge "$passed" ] && [ "$ok" -le $((passed + CONNECTIONS)) ] ||
        fail "$ok answers 200 but $passed TOTAL_PASSED bodies"
    echo "$(per $((t1 - t0)) "$ok") $ok $(field rps "$result")"
}
# Serves with BIN, after a warm-up (connections, caches).
serve_with() {
    [ -z "$server" ] || serve_down
    serve_up "$1"
    load 2 "$url" >/dev/null
}

serve_with "$qoima"
load 2 "$engine_url" >/dev/null
rows=()
for round in $(seq "$ROUNDS"); do
    settle
    engine=$("$http_floor" "$work/verify.out" --cpu "$ENGINE_N" | sed -n 's/.* \([0-9.]*\) us CPU each$/\1/p')
    [ -n "$engine" ] || fail "round $round: no engine figure"

    read -r serve ok rps <<<"$(measure_serve)"
    [ -n "$serve" ] || fail "round $round: no figure of qoima serve"
    before=
    if [ -n "${BEFORE:-}" ]; then
        serve_with "$BEFORE"
        read -r before _ before_rps <<<"$(measure_serve)"
        [ -n "$before" ] || fail "round $round: no figure of $BEFORE"
        serve_with "$qoima"
    fi

    f0=$(cpu_ticks "$engine_url_pid")
    bare=$(load "$DURATION" "$engine_url")
    f1=$(cpu_ticks "$engine_url_pid")
    bare_n=$(field requests "$bare")
    [ "$(field bad_status "$bare")" -eq 0 ] && [ "$(field passed "$bare")" -eq "$bare_n" ] ||
        fail "round $round: the bare hyper server failed requests"
    floor=$(per $((f1 - f0)) "$bare_n")

    x() { echo "scale=2; $1 / $engine" | bc -l | sed 's/^\./0./'; }
    echo "http_cpu: round $round: qoima serve $serve us CPU per request ($ok requests, $rps req/s), engine $engine us per verification: $(x "$serve") x; bare hyper + engine $floor us ($(x "$floor") x)${before:+; before: $before us ($(x "$before") x, $before_rps req/s)}" >&2
    rows+=("| $round | $engine µs | **$serve µs ($(x "$serve") ×)** |${BEFORE:+ $before µs ($(x "$before") ×) |} $floor µs ($(x "$floor") ×) |")
done

before_note=
before_head=
if [ -n "${BEFORE:-}" ]; then
    before_note=" \"${BEFORE_NAME:=before}\": \`qoima serve\` as of $BEFORE_NAME, in the same rounds."
    before_head=" $BEFORE_NAME, CPU per request |"
fi
table=$(cat <<TABLE
<!-- http_cpu.sh begin -->
Measured $(date -u +%Y-%m-%d) on $(machine), \`benches/http_cpu.sh\`:
CPU time (user + system, \`/proc/<pid>/stat\`) per request of \`qoima serve\` under
\`wrk -t1 -c$CONNECTIONS -d${DURATION}s\` (every answer a 200 with a TOTAL_PASSED report), against the
engine's CPU time per verification of the same case in process (\`http_floor --cpu $ENGINE_N\`,
one thread, warm caches). Goal: ≤ 1.3 ×. Last column: the bare hyper server with the engine
under the same load.$before_note

| round | engine, CPU per verification | qoima serve, CPU per request |$before_head bare hyper + engine, CPU per request |
|---|---|---|${BEFORE:+---|}---|
$(printf '%s\n' "${rows[@]}")
<!-- http_cpu.sh end -->
TABLE
)
write_table http_cpu.sh "$table"
