# `qoima serve` for the HTTP benchmarks (`http_load.sh`, `http_cpu.sh`); sourced, after
# common.sh, from the repository's root with CARGO_TARGET_DIR set.
#
# serve_start: builds the server and the bench examples, makes a vault in a temporary $work
# whose configuration trusts the generated PKI's RSA hierarchy (as server/tests/common/mod.rs
# does), a writer key ($key, and the curl arguments $auth), and starts `qoima serve` (serve_up:
# $server its pid, $url its address); writes the reference case's request body to $work/verify.json
# and checks that it is answered 200 with a TOTAL_PASSED report, written to $work/verify.out.
# The EXIT trap stops the server and every pid in $floors, and removes $work.

fail() { echo "$(basename "$0" .sh): $*" >&2; exit 1; }

qoima="$CARGO_TARGET_DIR/release/qoima"
verify_rate="$CARGO_TARGET_DIR/release/examples/verify_rate"
http_floor="$CARGO_TARGET_DIR/release/examples/http_floor"
pki=verifier/testdata/pki
work=
server=
floors=()

serve_cleanup() {
    for floor in "${floors[@]}"; do
        kill "$floor" 2>/dev/null || true
    done
    if [ -n "$server" ]; then
        kill -TERM "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    [ -z "$work" ] || rm -rf "$work"
}

serve_start() {
    cargo build --release -p qoima-server -q
    cargo build --release -p qoima-benches --example verify_rate --example http_floor -q
    work=$(mktemp -d)
    trap serve_cleanup EXIT
    mkdir -p "$work/etc/pki"
    cp "$pki/certs/root-rsa.cer" "$pki/certs/ca-rsa.cer" "$pki/crl/ca-rsa.crl" \
        "$pki/crl/root-rsa.crl" "$work/etc/pki/"
    cat >"$work/etc/qoima.toml" <<'TOML'
[trust]
anchors = ["pki/root-rsa.cer"]
intermediates = ["pki/ca-rsa.cer"]
crls = ["pki/ca-rsa.crl", "pki/root-rsa.crl"]
TOML
    # Keys first: the server holds the vault's lock.
    key=$("$qoima" --data-dir "$work/vault" --config "$work/etc/qoima.toml" keys create --role writer)
    auth=(-H "Authorization: Bearer $key")
    serve_up "$qoima"

    python3 - "$pki/cms/individual.detached.p7s" "$pki/doc-4k.txt" >"$work/verify.json" <<'PY'
import base64, json, sys
b64 = lambda path: base64.b64encode(open(path, "rb").read()).decode()
print(json.dumps({"signature": b64(sys.argv[1]), "content": b64(sys.argv[2]),
                  "at": "2026-06-15T12:00:00Z"}))
PY
    local status
    status=$(curl -s -o "$work/verify.out" -w '%{http_code}' "${auth[@]}" \
        -H 'Content-Type: application/json' --data-binary @"$work/verify.json" "$url/v1/verify")
    [ "$status" = 200 ] || fail "POST /v1/verify answered $status: $(cat "$work/verify.out")"
    grep -q TOTAL_PASSED "$work/verify.out" || fail "the reference case did not pass: $(cat "$work/verify.out")"
}

# Starts `BIN serve` on the vault of serve_start: sets $server and $url.
serve_up() {
    # Not the line of the server before.
    rm -f "$work/server.out"
    QOIMA_LOG=warn "$1" --data-dir "$work/vault" --config "$work/etc/qoima.toml" \
        serve --listen 127.0.0.1:0 >"$work/server.out" 2>"$work/server.err" &
    server=$!
    for _ in $(seq 200); do
        grep -q 'listening on' "$work/server.out" 2>/dev/null && break
        kill -0 "$server" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
        sleep 0.1
    done
    url=$(grep -o 'http://[^ ]*' "$work/server.out" | head -n1)
    [ -n "$url" ] || { cat "$work/server.err" >&2; fail "the server did not start"; }
}

# Stops the server of serve_up.
serve_down() {
    kill -TERM "$server"
    wait "$server" || true
    server=
}

# The server's count of /v1/verify responses by status, as `status count` lines.
verify_counts() {
    curl -s "${auth[@]}" "$url/metrics" |
        sed -n 's/^qoima_http_requests_total{.*route="\/v1\/verify".*status="\([0-9]*\)".*} \([0-9]*\)$/\1 \2/p'
}

# The bare hyper servers of benches/http_floor.rs, answering the report just received: the
# floor (nothing done per request) and the floor with the engine (`--engine`). Sets the
# variable named by $1 to the server's URL and the one named $1_pid to its pid (not in a
# subshell: the cleanup must know the pids).
start_floor() {
    local name=$1 out="$work/$1.out"
    shift
    "$http_floor" "$work/verify.out" "$@" >"$out" &
    floors+=($!)
    printf -v "${name}_pid" '%s' "$!"
    for _ in $(seq 100); do
        grep -q 'listening on' "$out" 2>/dev/null && break
        sleep 0.1
    done
    printf -v "$name" '%s' "$(grep -o 'http://[^ ]*' "$out" | head -n1)"
}

# Waits (at most QUIET_WAIT seconds) until the machine was at least 90 % idle for 3 s: on a
# machine shared with builds, a figure measured beside one is worthless.
settle() {
    local waited=0 a b busy idle
    while [ "$waited" -lt "${QUIET_WAIT:-300}" ]; do
        read -r _ a[0] a[1] a[2] a[3] _ </proc/stat
        sleep 3
        read -r _ b[0] b[1] b[2] b[3] _ </proc/stat
        busy=$((b[0] + b[1] + b[2] - a[0] - a[1] - a[2]))
        idle=$((b[3] - a[3]))
        [ $((100 * idle)) -ge $((90 * (busy + idle))) ] && return 0
        waited=$((waited + 3))
    done
    echo "$(basename "$0" .sh): the machine is busy; measuring anyway" >&2
}
