#!/usr/bin/env bash
# The distributed backend under load (`[storage] backend = "postgres-s3"`, docs/deployment.md):
# `qoima serve` nodes over one PostgreSQL and one S3 bucket with Object Lock, beside the
# embedded RocksDB vault measured in the same run. Starts its own PostgreSQL 15
# (scripts/postgres/start.sh, with pg_stat_statements loaded to count statements) and its own
# Ceph S3 gateway (scripts/ceph-rgw/start.sh: one monitor, one OSD on memstore unless
# OBJECTSTORE=bluestore, radosgw; at niceness CEPH_NICE, 0 by default, like the nodes), and
# stops them, the nodes and everything else it started when it ends, however it ends.
#
#  1. Registrations: `POST /v1/documents` of REGISTRATIONS documents of DOC_BYTES bytes (put
#     into the store beforehand by benches/distributed_load.rs, as `qoima put` does; each
#     body carries its detached RSA-2048 CMS signature, made before the clock starts), from
#     REG_CONNECTIONS keep-alive connections, every answer a 201: on the RocksDB vault, on one
#     node, on two nodes of the same database and bucket (half the connections to each), and
#     on one node (a third) with REG_CONNECTIONS verification slots instead of the default
#     (the CPUs): a registration holds a slot through its synced write, so that the default
#     bounds how many a node has in progress.
#  2. Verifications: `POST /v1/verify` of the reference case (as benches/http_load.sh) for
#     DURATION seconds with wrk from CONNECTIONS connections: on the RocksDB vault, on one node,
#     on two nodes (one wrk of CONNECTIONS/2 connections to each, at the same time; their rates
#     summed). Every answer must be a 200.
#  3. Content through S3: S3_COUNT objects of S3_OBJECT_MIB MiB of random bytes each way, by
#     curl (`--aws-sigv4`, one process, one keep-alive connection, the payload's SHA-256
#     computed before), by the vault's S3 client (`S3Chunks::put_chunk`: HEAD, then PUT
#     with `If-None-Match: *` and the payload signed; `get_chunk`: GET), and through the vault's
#     content store (`ContentStore::put`/`read`: one chunk per content, then contents of 16
#     chunks whose puts the store's pipeline overlaps); one request at a time, and the puts
#     also with S3_PARALLEL in flight (the pipeline's limit on this machine).
#
# During each measurement the CPU time of every process involved is read from
# /proc/PID/stat (the nodes, the PostgreSQL server and its backends, radosgw, ceph-osd,
# ceph-mon, the load tool) and the machine's from /proc/stat ("others": what else ran); the
# PostgreSQL statements and transactions (pg_stat_statements, pg_stat_database), its WAL
# flushes (pg_stat_wal.wal_sync) and the gateway's S3 requests (radosgw's perf counters) are
# counted per registration; the RocksDB vault's fsync/fdatasync calls are counted by strace
# over REGISTRATIONS/5 registrations more, outside the timed runs.
#
# ROUNDS rounds; each figure of a round is measured once, the three setups one after another,
# so that their ratios are of the same minutes. Writes the tables into BENCHMARKS.md between
# the distributed.sh markers (BENCHMARKS_OUT names another file).
#
#   benches/distributed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup
source benches/common.sh
# settle(), which waits for a quiet machine.
source benches/serve.sh
ROUNDS=${ROUNDS:-2}
REGISTRATIONS=${REGISTRATIONS:-300}
REG_CONNECTIONS=${REG_CONNECTIONS:-8}
DOC_BYTES=${DOC_BYTES:-16384}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
S3_OBJECT_MIB=${S3_OBJECT_MIB:-4}
S3_COUNT=${S3_COUNT:-32}
S3_PARALLEL=${S3_PARALLEL:-$((2 * $(nproc) < 32 ? 2 * $(nproc) : 32))}
QUIET_WAIT=${QUIET_WAIT:-120}
WARM=20
SEED=$(date +%s)
HZ=$(getconf CLK_TCK)

fail() { echo "distributed: $*" >&2; exit 1; }
say() { echo "distributed: $*" >&2; }

for tool in curl python3 wrk strace; do
    command -v "$tool" >/dev/null || apt_install "$tool" || fail "$tool is missing"
done
command -v radosgw >/dev/null || qoima_ceph_setup
qoima_postgres_setup >/dev/null

: "${CARGO_TARGET_DIR:=target}"
export CARGO_TARGET_DIR
cargo build --release -q -p qoima-server
cargo build --release -q -p qoima-benches --example distributed_load
qoima="$CARGO_TARGET_DIR/release/qoima"
driver="$CARGO_TARGET_DIR/release/examples/distributed_load"
pki=verifier/testdata/pki

# ---- Everything started here is stopped by the EXIT trap -------------------------------------

work=$(mktemp -d)
pg_dir=$(mktemp -d -u /tmp/qoima-bench-pg-XXXXXX)
ceph_dir=$(mktemp -d -u /tmp/qoima-bench-ceph-XXXXXX)
servers=()
cleanup() {
    local pid
    for pid in "${servers[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${servers[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    [ ! -d "$ceph_dir" ] || scripts/ceph-rgw/stop.sh "$ceph_dir" >/dev/null 2>&1 || true
    [ ! -d "$pg_dir" ] || scripts/postgres/stop.sh "$pg_dir" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

say "starting PostgreSQL and the Ceph S3 gateway"
scripts/postgres/start.sh "$pg_dir" --watch $$ >/dev/null
# shellcheck disable=SC1091 # written by start.sh
source "$pg_dir/pg.env"
as_postgres=()
[ "$(id -u)" -eq 0 ] && as_postgres=(runuser -u postgres --)
psql_su() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres "$@"; }
# pg_stat_statements counts the statements (each one round trip at least) per registration.
psql_su -d postgres -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
"${as_postgres[@]}" "$QOIMA_PG_BINDIR/pg_ctl" -D "$PGDATA" -w -t 60 restart >/dev/null
psql_su -d postgres -c "CREATE ROLE qoima_vault LOGIN" -c "CREATE DATABASE vault"
psql_su -d vault -c "CREATE EXTENSION pg_stat_statements"
# At the niceness of the nodes and PostgreSQL (start.sh's default is 10, for tests).
NICE=${CEPH_NICE:-0} scripts/ceph-rgw/start.sh "$ceph_dir" >/dev/null 2>"$work/ceph-start.log" ||
    { cat "$work/ceph-start.log" >&2; fail "the Ceph S3 gateway did not start"; }
# shellcheck disable=SC1091 # written by start.sh
source "$ceph_dir/s3.env"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
bucket=qoima-bench

# ---- The vaults: RocksDB, and the distributed one whose two nodes share a bucket -----------

mkdir -p "$work/etc/pki"
for file in certs/root-rsa.cer certs/ca-rsa.cer crl/ca-rsa.crl crl/root-rsa.crl; do
    cp "$pki/$file" "$work/etc/pki/"
done
cat >"$work/etc/qoima.toml" <<'TOML'
[trust]
anchors = ["pki/root-rsa.cer"]
intermediates = ["pki/ca-rsa.cer"]
crls = ["pki/ca-rsa.crl", "pki/root-rsa.crl"]

[numbering]
default = "{participant}-{yyyy}-{seq:06}"
TOML
{
    cat "$work/etc/qoima.toml"
    cat <<TOML

[storage]
backend = "postgres-s3"
postgres = "postgresql://qoima_vault@127.0.0.1:$PGPORT/vault"

[storage.s3]
endpoint = "$S3_ENDPOINT"
bucket = "$bucket"
TOML
} >"$work/etc/distributed.toml"

rocks=(--data-dir "$work/rocks" --config "$work/etc/qoima.toml")
node1=(--data-dir "$work/node1" --config "$work/etc/distributed.toml")
node2=(--data-dir "$work/node2" --config "$work/etc/distributed.toml")
node3=(--data-dir "$work/node3" --config "$work/etc/distributed.toml")
rocks_key=$("$qoima" "${rocks[@]}" keys create --role writer)
"$qoima" "${node1[@]}" storage init --owner-url "postgresql://postgres@127.0.0.1:$PGPORT/vault" >/dev/null
dist_key=$("$qoima" "${node1[@]}" keys create --role writer)
# One audit key for both nodes (docs/deployment.md): made by node 1's first checkpoint.
"$qoima" "${node1[@]}" audit checkpoint >/dev/null
mkdir -p "$work/node2" "$work/node3"
cp -r "$work/node1/audit" "$work/node2/"
cp -r "$work/node1/audit" "$work/node3/"

# The documents: a warm-up set and one per round (and per node count on the distributed
# vault), put before the RocksDB vault's server holds its lock.
per_round=$REGISTRATIONS
strace_count=$((REGISTRATIONS / 5))
rocks_docs=$((WARM + ROUNDS * per_round + strace_count))
dist_docs=$((WARM + 3 * ROUNDS * per_round + strace_count))
say "putting $rocks_docs + $dist_docs documents of $DOC_BYTES bytes"
"$driver" put --rocks "$work/rocks" --seed "$SEED" --from 0 --count "$rocks_docs" --size "$DOC_BYTES"
"$driver" put --postgres "postgresql://qoima_vault@127.0.0.1:$PGPORT/vault" --endpoint "$S3_ENDPOINT" \
    --bucket "$bucket" --seed "$SEED" --from 0 --count "$dist_docs" --size "$DOC_BYTES"

# Starts `qoima serve` with the arguments given; sets $url and $pid.
serve() {
    local out="$work/serve.$((${#servers[@]})).out"
    QOIMA_LOG=warn "$qoima" "$@" serve --listen 127.0.0.1:0 >"$out" 2>"$out.err" &
    pid=$!
    servers+=("$pid")
    for _ in $(seq 300); do
        grep -q 'listening on' "$out" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || { cat "$out.err" >&2; fail "qoima serve $* stopped"; }
        sleep 0.1
    done
    url=$(grep -o 'http://[^ ]*' "$out" | head -n1)
    [ -n "$url" ] || fail "qoima serve $* did not start"
}
serve "${rocks[@]}"
rocks_url=$url rocks_pid=$pid
serve "${node1[@]}"
node1_url=$url node1_pid=$pid
serve "${node2[@]}"
node2_url=$url node2_pid=$pid
QOIMA_SERVER_MAX_CONCURRENT_VERIFICATIONS=$REG_CONNECTIONS serve "${node3[@]}"
node3_url=$url node3_pid=$pid
say "servers: RocksDB $rocks_url, node 1 $node1_url, node 2 $node2_url, node 3 $node3_url"

python3 - "$pki/cms/individual.detached.p7s" "$pki/doc-4k.txt" >"$work/verify.json" <<'PY'
import base64, json, sys
b64 = lambda path: base64.b64encode(open(path, "rb").read()).decode()
print(json.dumps({"signature": b64(sys.argv[1]), "content": b64(sys.argv[2]),
                  "at": "2026-06-15T12:00:00Z"}))
PY
for target in "$rocks_url $rocks_key" "$node1_url $dist_key" "$node2_url $dist_key"; do
    read -r u k <<<"$target"
    status=$(curl -s -o "$work/verify.out" -w '%{http_code}' -H "Authorization: Bearer $k" \
        -H 'Content-Type: application/json' --data-binary @"$work/verify.json" "$u/v1/verify")
    [ "$status" = 200 ] && grep -q TOTAL_PASSED "$work/verify.out" ||
        fail "POST $u/v1/verify answered $status: $(cat "$work/verify.out")"
done

# ---- CPU and counters ----------------------------------------------------------------------

# utime + stime of a process, in clock ticks; nothing for one that is gone.
pid_ticks() {
    local line fields
    { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 0
    read -ra fields <<<"${line##*) }"
    echo $((fields[11] + fields[12]))
}
# The CPU ticks of the children this (sub)shell has waited for (cutime + cstime, fields 16
# and 17 of /proc/PID/stat) as a line `children TICKS`. Builtins only: `times` in a pipeline
# or a command substitution would run in a fork, which has no children.
children_ticks() {
    local line fields
    read -r line <"/proc/$BASHPID/stat"
    read -ra fields <<<"${line##*) }"
    echo "children $((fields[13] + fields[14]))"
}
pid_of() { cat "$ceph_dir/run/$1.pid"; }
postmaster=$(head -n1 "$PGDATA/postmaster.pid")
# "group pid" lines of every process measured: the PostgreSQL server's children read anew.
processes() {
    echo "rocksdb-node $rocks_pid"
    echo "node1 $node1_pid"
    echo "node2 $node2_pid"
    echo "node3 $node3_pid"
    echo "postgres $postmaster"
    ps -o pid= --ppid "$postmaster" | sed 's/^ */postgres /'
    echo "radosgw $(pid_of client.rgw.gw)"
    echo "ceph-osd $(pid_of osd.0)"
    echo "ceph-mon $(pid_of mon.a)"
}
machine_ticks() {
    local cpu user nice system idle iowait irq softirq steal
    read -r cpu user nice system idle iowait irq softirq steal _ </proc/stat
    echo "$((user + nice + system + irq + softirq + steal))"
}
declare -A before
cpu_mark() {
    local group pid
    before=()
    while read -r group pid; do
        before[$pid]=$(pid_ticks "$pid")
    done < <(processes)
    before[machine]=$(machine_ticks)
}
# The ticks of each group since cpu_mark, as `group ticks` lines, "machine" the whole.
declare -A spent
cpu_spent() {
    local group pid now
    spent=()
    while read -r group pid; do
        now=$(pid_ticks "$pid")
        [ -n "$now" ] || continue
        spent[$group]=$((${spent[$group]:-0} + now - ${before[$pid]:-0}))
    done < <(processes)
    spent[machine]=$(($(machine_ticks) - before[machine]))
}
# radosgw's count of S3 requests served and of the RADOS operations it sent to the OSD.
rgw_requests() {
    ceph --admin-daemon "$ceph_dir/run/client.rgw.gw.asok" perf dump 2>/dev/null |
        python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["rgw"]["req"], d["objecter"]["op"])'
}
# The statements since the last reset (pg_stat_statements counts at once), the COMMITs and
# ROLLBACKs among them, and the WAL flushes (pg_stat_wal: a backend reports its counts when
# it goes idle, up to 10 s later, hence the waits).
pg_counters() {
    psql_su -d vault -At -F' ' -c "SELECT
        (SELECT coalesce(sum(calls), 0) FROM pg_stat_statements),
        (SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query ~* '^\s*commit'),
        (SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query ~* '^\s*rollback'),
        (SELECT wal_sync FROM pg_stat_wal)"
}
counters_mark() {
    sleep 11
    psql_su -d vault -c "SELECT pg_stat_statements_reset()" >/dev/null
    read -r _ _ _ syncs0 <<<"$(pg_counters)"
    read -r rgw0 rados0 <<<"$(rgw_requests)"
}
# Sets statements, commits, rollbacks, syncs, s3_requests, rados_ops: the counts since
# counters_mark, less this script's own two statements (the reset and the first reading).
counters_read() {
    sleep 11
    read -r statements commits rollbacks syncs <<<"$(pg_counters)"
    statements=$((statements - 2))
    syncs=$((syncs - syncs0))
    read -r s3_requests rados_ops <<<"$(rgw_requests)"
    s3_requests=$((s3_requests - rgw0))
    rados_ops=$((rados_ops - rados0))
}
# The statements most called since counters_mark, per registration: `calls statement` lines.
top_statements() {
    psql_su -d vault -At -F' ' -c "SELECT round(calls::numeric / $1, 2),
        left(regexp_replace(query, '\s+', ' ', 'g'), 110) FROM pg_stat_statements
        WHERE query !~* 'pg_stat_statements' ORDER BY calls DESC LIMIT 14"
}
per() { echo "scale=2; $1 / $2" | bc -l | sed 's/^\./0./;s/^-\./-0./'; }
ms_per() { echo "scale=2; 1000 * $1 / $HZ / $2" | bc -l | sed 's/^\./0./'; }
cores() { echo "scale=2; $1 / $HZ / $2" | bc -l | sed 's/^\./0./'; }
field() { sed -n "s/^load $1 //p" <<<"$2"; }

# The CPU of the groups named, as "name X.XX" (cores: CPU seconds per second of the run), the
# load tool's from LOAD_TICKS, and what the machine spent beyond them ("others").
cpu_text() {
    local seconds=$1 load_ticks=$2 groups=("${@:3}") text="" ours group
    ours=$load_ticks
    for group in "${groups[@]}"; do
        text+="$group $(cores "${spent[$group]:-0}" "$seconds"), "
        ours=$((ours + ${spent[$group]:-0}))
    done
    # The machine's figures count the other nodes' idle ticks too: those are in "others".
    text+="load $(cores "$load_ticks" "$seconds"), others $(cores $((spent[machine] - ours)) "$seconds")"
    echo "$text"
}

# The ticks of the groups named, since cpu_mark.
ticks_of() {
    local group sum=0
    for group in "$@"; do
        sum=$((sum + ${spent[$group]:-0}))
    done
    echo "$sum"
}
# Microseconds of CPU per request: `us_per TICKS REQUESTS`.
us_per() { echo "scale=0; 1000000 * $1 / $HZ / $2" | bc -l; }

# ---- 1. Registrations ---------------------------------------------------------------------

# The bodies of documents FROM..FROM+COUNT, signed before any clock starts: `bodies FROM COUNT`
# prints the file's name.
bodies() {
    local file="$work/bodies.$1.$2"
    "$driver" bodies --seed "$SEED" --from "$1" --count "$2" --size "$DOC_BYTES" --out "$file"
    echo "$file"
}
# register NAME URLS KEY FROM COUNT: one timed run; sets $result and $window (the seconds
# between the CPU marks, which the CPU figures are divided by).
register() {
    local file t0 t1
    file=$(bodies "$4" "$5")
    cpu_mark
    t0=$(date +%s.%N)
    result=$("$driver" register --urls "$2" --key "$3" --bodies "$file" --connections "$REG_CONNECTIONS")
    t1=$(date +%s.%N)
    cpu_spent
    window=$(echo "$t1 - $t0" | bc -l)
    [ "$(field bad_status "$result")" = 0 ] || fail "$1: $(field bad_status "$result") registrations were not 201"
    [ "$(field requests "$result")" = "$5" ] || fail "$1: $(field requests "$result") of $5 registrations"
}

say "warm-up"
register rocksdb "$rocks_url" "$rocks_key" 0 "$WARM"
register distributed "$node1_url,$node2_url,$node3_url" "$dist_key" 0 "$WARM"
for u in "$rocks_url $rocks_key" "$node1_url $dist_key" "$node2_url $dist_key"; do
    read -r u k <<<"$u"
    wrk -t1 -c4 -d2s -s benches/http_load.lua "$u/v1/verify" -- "$work/verify.json" "$k" >/dev/null
done

register_rows=()
verify_rows=()
declare -A reg_rate verify_rate
for round in $(seq "$ROUNDS"); do
    settle
    load_avg=$(cut -d' ' -f1 /proc/loadavg)
    for setup in rocksdb one two one-slots; do
        case $setup in
        rocksdb) urls=$rocks_url key=$rocks_key from=$((WARM + (round - 1) * per_round))
            groups=(rocksdb-node) ;;
        one) urls=$node1_url key=$dist_key from=$((WARM + (round - 1) * 3 * per_round))
            groups=(node1 postgres radosgw ceph-osd ceph-mon) ;;
        two) urls="$node1_url,$node2_url" key=$dist_key from=$((WARM + ((round - 1) * 3 + 1) * per_round))
            groups=(node1 node2 postgres radosgw ceph-osd ceph-mon) ;;
        one-slots) urls=$node3_url key=$dist_key from=$((WARM + ((round - 1) * 3 + 2) * per_round))
            groups=(node3 postgres radosgw ceph-osd ceph-mon) ;;
        esac
        [ "$setup" = rocksdb ] || counters_mark
        register "$setup" "$urls" "$key" "$from" "$per_round"
        rps=$(field rps "$result")
        reg_rate[$round.$setup]=$rps
        cpu=$(cpu_text "$window" "$(field cpu_ticks "$result")" "${groups[@]}")
        trips="—"
        if [ "$setup" != rocksdb ]; then
            counters_read
            trips="$(per "$statements" "$per_round") SQL statements ($(per "$commits" "$per_round") COMMIT, $(per "$rollbacks" "$per_round") ROLLBACK), $(per "$syncs" "$per_round") WAL flushes; $(per "$s3_requests" "$per_round") S3 requests ($(per "$rados_ops" "$per_round") RADOS operations)"
            [ "$round" != 1 ] || top_statements "$per_round" >"$work/statements.$setup"
        fi
        p50=$(echo "scale=1; $(field p50_us "$result") / 1000" | bc -l)
        p99=$(echo "scale=1; $(field p99_us "$result") / 1000" | bc -l)
        say "round $round, $setup: $rps registrations/s (p50 $p50 ms, p99 $p99 ms); CPU cores: $cpu; per registration: $trips"
        label=$setup
        [ "$setup" != one-slots ] || label="one, $REG_CONNECTIONS slots"
        each_us=$(us_per $(($(ticks_of "${groups[@]}") + $(field cpu_ticks "$result"))) "$per_round")
        register_rows+=("| $round | $label | **$rps** | $p50 / $p99 ms | $cpu | $each_us µs | $trips |")
    done

    for setup in rocksdb one two; do
        case $setup in
        rocksdb) targets=("$rocks_url $rocks_key") groups=(rocksdb-node) ;;
        one) targets=("$node1_url $dist_key") groups=(node1 postgres radosgw ceph-osd ceph-mon) ;;
        two) targets=("$node1_url $dist_key" "$node2_url $dist_key")
            groups=(node1 node2 postgres radosgw ceph-osd ceph-mon) ;;
        esac
        each=$((CONNECTIONS / ${#targets[@]}))
        cpu_mark
        t0=$(date +%s.%N)
        i=0
        wrks=()
        for target in "${targets[@]}"; do
            read -r u k <<<"$target"
            # The CPU of wrk, the subshell's child.
            (wrk -t1 -c"$each" -d"${DURATION}s" -s benches/http_load.lua "$u/v1/verify" \
                -- "$work/verify.json" "$k" | grep '^load '; children_ticks) >"$work/wrk.$i" &
            wrks+=($!)
            i=$((i + 1))
        done
        wait "${wrks[@]}"
        t1=$(date +%s.%N)
        cpu_spent
        rps=0 bad=0 wrk_ticks=0 p99=0 requests=0
        for j in $(seq 0 $((i - 1))); do
            out=$(cat "$work/wrk.$j")
            rps=$(echo "$rps + $(field rps "$out")" | bc -l)
            bad=$((bad + $(field bad_status "$out") + $(field socket_errors "$out")))
            requests=$((requests + $(field requests "$out")))
            p99=$(echo "$(field p99_us "$out") / 1000" | bc -l | awk -v p="$p99" '{ print ($1 > p) ? $1 : p }')
            wrk_ticks=$((wrk_ticks + $(sed -n 's/^children //p' <<<"$out")))
        done
        [ "$bad" -eq 0 ] || fail "round $round, $setup: $bad verifications failed"
        rps=$(printf '%.0f' "$rps")
        verify_rate[$round.$setup]=$rps
        cpu=$(cpu_text "$(echo "$t1 - $t0" | bc -l)" "$wrk_ticks" "${groups[@]}")
        p99=$(printf '%.1f' "$p99")
        say "round $round, verify $setup: $rps/s (p99 $p99 ms); CPU cores: $cpu"
        each_us=$(us_per $(($(ticks_of "${groups[@]}") + wrk_ticks)) "$requests")
        verify_rows+=("| $round | $setup | **$rps** | $p99 ms | $cpu | $each_us µs |")
    done
    register_rows+=("| $round | ratios | one / RocksDB $(per "${reg_rate[$round.one]}" "${reg_rate[$round.rocksdb]}"), two / one $(per "${reg_rate[$round.two]}" "${reg_rate[$round.one]}"), one with $REG_CONNECTIONS slots / one $(per "${reg_rate[$round.one-slots]}" "${reg_rate[$round.one]}") | | load average $load_avg at the start | | |")
    verify_rows+=("| $round | ratios | one / RocksDB $(per "${verify_rate[$round.one]}" "${verify_rate[$round.rocksdb]}"), two / one $(per "${verify_rate[$round.two]}" "${verify_rate[$round.one]}") | | | |")
done

# The fsync family per registration, counted by strace on every thread of each process over
# runs of their own, untimed (strace slows every call it stops): the RocksDB vault's server;
# node 1, PostgreSQL (the server and its backends), radosgw and ceph-osd.
tracers=()
trace() {
    local out=$1 pid args=()
    shift
    for pid in "$@"; do
        args+=(-p "$pid")
    done
    strace -f -c -qq -e trace=fsync,fdatasync,sync_file_range,syncfs -o "$out" "${args[@]}" 2>/dev/null &
    tracers+=($!)
}
untrace() {
    local tracer
    sleep 1
    for tracer in "${tracers[@]}"; do
        kill -INT "$tracer" 2>/dev/null || true
        wait "$tracer" || true
    done
    tracers=()
}
syncs_in() { awk '$NF ~ /^(fsync|fdatasync|sync_file_range|syncfs)$/ { n += $4 } END { print n + 0 }' "$1"; }
trace "$work/strace.rocksdb" "$rocks_pid"
sleep 1
register rocksdb-strace "$rocks_url" "$rocks_key" $((WARM + ROUNDS * per_round)) "$strace_count"
untrace
trace "$work/strace.node1" "$node1_pid"
# shellcheck disable=SC2046 # one pid a word
trace "$work/strace.postgres" $(processes | awk '$1 == "postgres" { print $2 }')
trace "$work/strace.radosgw" "$(pid_of client.rgw.gw)"
trace "$work/strace.ceph-osd" "$(pid_of osd.0)"
sleep 1
register one-strace "$node1_url" "$dist_key" $((WARM + 3 * ROUNDS * per_round)) "$strace_count"
untrace
sync_text=""
for name in rocksdb node1 postgres radosgw ceph-osd; do
    sync_text+="$name $(per "$(syncs_in "$work/strace.$name")" "$strace_count"), "
done
sync_text=${sync_text%, }
say "fsync family per registration (strace, $strace_count registrations): $sync_text"

# ---- 3. Content through S3 ----------------------------------------------------------------

object_bytes=$((S3_OBJECT_MIB << 20))
mkdir "$work/objects"
s3_rows=()
declare -A s3_rate
# curl's arguments for every object: PUT (`put`) or GET (`get`) of objects ROUND-1..N.
curl_args() {
    local method=$1 round=$2 i args=()
    for i in $(seq "$S3_COUNT"); do
        ((${#args[@]})) && args+=(--next)
        args+=(-s -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3"
            --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY")
        if [ "$method" = put ]; then
            args+=(-w '%{http_code}\n' -H "x-amz-content-sha256: ${sums[$i]}" -T "$work/objects/$i")
        else
            # The SHA-256 of the empty body; the size read must be the object's.
            args+=(-w '%{http_code} %{size_download}\n'
                -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        fi
        args+=("$S3_ENDPOINT/$bucket/curl/$round-$i")
    done
    printf '%s\0' "${args[@]}"
}
s3_groups=(postgres radosgw ceph-osd ceph-mon)
# s3_row PHASE SECONDS LOAD_TICKS BYTES: the row of one phase.
s3_row() {
    local mib=$(($4 >> 20))
    local rate
    rate=$(echo "scale=0; $mib / $2" | bc -l)
    s3_rate[$round.$1]=$rate
    local text="" ours=$3 group
    for group in "${s3_groups[@]}"; do
        text+="$group $(ms_per "${spent[$group]:-0}" "$mib"), "
        ours=$((ours + ${spent[$group]:-0}))
    done
    text+="client $(ms_per "$3" "$mib")"
    say "round $round, $1: $rate MiB/s; CPU ms per MiB: $text"
    s3_rows+=("| $round | $1 | **$rate** | $text |")
}
for round in $(seq "$ROUNDS"); do
    declare -A sums=()
    for i in $(seq "$S3_COUNT"); do
        head -c "$object_bytes" /dev/urandom >"$work/objects/$i"
        sums[$i]=$(sha256sum "$work/objects/$i" | cut -d' ' -f1)
    done
    settle
    for phase in curl-put curl-get curl-put-parallel; do
        case $phase in
        curl-put) method=put tag=$round parallel=() ;;
        curl-get) method=get tag=$round parallel=() ;;
        curl-put-parallel) method=put tag=p$round parallel=(-Z --parallel-max "$S3_PARALLEL") ;;
        esac
        curl_args "$method" "$tag" >"$work/curl.args"
        cpu_mark
        t0=$(date +%s.%N)
        # -Z draws a progress meter on stderr whatever -s says.
        codes=$( (xargs -0 -a "$work/curl.args" curl "${parallel[@]}" 2>/dev/null | sort | uniq -c |
            tr -s ' ' | tr '\n' ';'; children_ticks) )
        t1=$(date +%s.%N)
        cpu_spent
        expected="200"
        [ "$method" = put ] || expected="200 $object_bytes"
        grep -q "^ $S3_COUNT $expected;" <<<"$codes" || fail "$phase: curl answered $codes"
        curl_ticks=$(sed -n 's/.*children //p' <<<"$codes")
        s3_row "$phase" "$(echo "$t1 - $t0" | bc -l)" "$curl_ticks" $((S3_COUNT * object_bytes))
    done
    for phase in client-put client-get client-put-parallel store-put store-get store-large-put store-large-get; do
        cpu_mark
        out=$("$driver" s3 --phase "$phase" --postgres "postgresql://qoima_vault@127.0.0.1:$PGPORT/vault" \
            --endpoint "$S3_ENDPOINT" --bucket "$bucket" --seed "$SEED$round" \
            --object-mib "$S3_OBJECT_MIB" --count "$S3_COUNT" --parallel "$S3_PARALLEL")
        cpu_spent
        read -r _ _ bytes seconds ticks <<<"$out"
        s3_row "$phase" "$seconds" "$ticks" "$bytes"
    done
    ratio() { per "${s3_rate[$round.$1]}" "${s3_rate[$round.$2]}"; }
    s3_rows+=("| $round | ratios | put: client / curl $(ratio client-put curl-put), store / client $(ratio store-put client-put), store of 16 chunks / client with $S3_PARALLEL in flight $(ratio store-large-put client-put-parallel); get: client / curl $(ratio client-get curl-get), store / client $(ratio store-get client-get), store of 16 chunks / client $(ratio store-large-get client-get) | |")
done

# ---- The tables ----------------------------------------------------------------------------

objectstore=${OBJECTSTORE:-memstore}
table=$(cat <<TABLE
<!-- distributed.sh begin -->
Measured $(date -u +%Y-%m-%d) on $(machine), \`benches/distributed.sh\`
(ROUNDS=$ROUNDS REGISTRATIONS=$REGISTRATIONS REG_CONNECTIONS=$REG_CONNECTIONS DOC_BYTES=$DOC_BYTES
DURATION=$DURATION CONNECTIONS=$CONNECTIONS S3_OBJECT_MIB=$S3_OBJECT_MIB S3_COUNT=$S3_COUNT
S3_PARALLEL=$S3_PARALLEL), everything on this one machine: the nodes, PostgreSQL
$(psql_su -d postgres -At -c 'SHOW server_version' | cut -d' ' -f1) (\`fsync=on\`,
\`synchronous_commit=on\`, pg_stat_statements loaded), Ceph $(ceph --version | awk '{print $3}')
(one monitor, one OSD on **$objectstore**, radosgw; niceness ${CEPH_NICE:-0} like the nodes and
PostgreSQL), and the load tools. "one" is one
\`qoima serve\` node of the distributed backend, "two" two nodes of the same database and bucket
with half the load each; "one, $REG_CONNECTIONS slots" a third node of the same vault with
\`max-concurrent-verifications = $REG_CONNECTIONS\` (the default is the CPUs, $(nproc); a registration
holds a slot through its synced write); "rocksdb" the embedded vault, measured in the same round.

CPU: cores in use during the run (CPU seconds per second) of each process, from
/proc/PID/stat: the node(s), PostgreSQL (the server and every backend), radosgw, ceph-osd,
ceph-mon, the load tool; "others" is what the rest of the machine spent meanwhile (other
work on the shared machine, and idle nodes). The machine has $(nproc) cores. "CPU per
registration" and "per verification": the CPU time of all those processes but "others",
load tool included, divided by the requests: the figure that other work on the machine moves
least.

Registrations: \`POST /v1/documents\` of $REGISTRATIONS new documents of $DOC_BYTES bytes each (stored
beforehand), each with one detached RSA-2048 CMS signature, from $REG_CONNECTIONS keep-alive
connections (\`benches/distributed_load.rs\`), every answer a 201. Per registration on the
distributed backend: the SQL statements (pg_stat_statements; each is a round trip at least)
with the COMMITs and ROLLBACKs among them, PostgreSQL's WAL flushes (\`pg_stat_wal.wal_sync\`),
the S3 requests radosgw served (its \`req\` counter) and the RADOS operations it sent to the
OSD. Calls of the fsync family (fsync, fdatasync, sync_file_range, syncfs) per registration,
counted by strace on every thread over $strace_count registrations of their own (untimed): $sync_text.

| round | setup | registrations/s | p50 / p99 | CPU (cores) | CPU per registration | per registration |
|---|---|---|---|---|---|---|
$(printf '%s\n' "${register_rows[@]}")

The statements most called in round 1 on one node, per registration:

\`\`\`text
$(cat "$work/statements.one")
\`\`\`

Verifications: \`POST /v1/verify\` of the reference case (as in \`benches/http_load.sh\`) for
$DURATION s with wrk $({ wrk -v 2>&1 || true; } | sed -n 's/^wrk \(debian\/\)\{0,1\}\([0-9.]*\).*/\2/p' | head -n1), $CONNECTIONS connections in all (two nodes: one wrk of
$((CONNECTIONS / 2)) to each, at once), every answer a 200 with a TOTAL_PASSED report.

| round | setup | verifications/s | p99 | CPU (cores) | CPU per verification |
|---|---|---|---|---|---|
$(printf '%s\n' "${verify_rows[@]}")

Content through S3: $S3_COUNT objects of $S3_OBJECT_MIB MiB of random bytes each way, MiB/s.
"curl": \`curl --aws-sigv4\`, one process and one keep-alive connection for all, the payload's
SHA-256 given (computed beforehand); "client": the vault's S3 client (\`S3Chunks::put_chunk\`:
a HEAD, then a PUT with \`If-None-Match: *\` and the payload's SHA-256 signed;
\`get_chunk\`: a GET); "store": the vault's content store (\`ContentStore::put\` and \`read\` of
contents of one 4 MiB chunk: SHA-256 of the content and of the chunk, a zstd attempt, the S3
requests, the manifest committed in PostgreSQL; the read checks the chunk's hash); "store-large":
contents of 16 chunks, whose chunks the store's pipeline puts up to $S3_PARALLEL at once, read
one after the other. "-parallel": $S3_PARALLEL puts in flight (curl \`-Z\`, client threads);
otherwise one request at a time. CPU as milliseconds per MiB moved, the client the
process doing it (curl or \`distributed_load\`).

| round | phase | MiB/s | CPU ms per MiB |
|---|---|---|---|
$(printf '%s\n' "${s3_rows[@]}")
<!-- distributed.sh end -->
TABLE
)
write_table distributed.sh "$table"
