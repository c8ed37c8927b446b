#!/usr/bin/env bash
# Bulk re-verification at scale: `qoima reverify` over a generated vault of DOCUMENTS documents
# (default 1 000 000; `reverify_vault.rs` says what they are) and `qoima verify --batch` over
# FILES signed files (default 100 000), each beside the in-process engine rate on one thread
# measured in the same run (before and after the command; their mean is the reference).
#
# Reports: the vault's open time (a run that selects nothing), the run's rate and its ratio to
# the engine's, RSS at 10 %, 50 % and 100 % of the run, and the total time.
#
# BENCH_DIR=dir keeps (or reuses) the generated vault and files; QOIMA=path measures that binary.
# JOBS (default 2) is the run's --jobs.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCUMENTS=${DOCUMENTS:-1000000}
FILES=${FILES:-100000}
SAMPLE=${SAMPLE:-20000}
JOBS=${JOBS:-2}
AT=2026-09-01T00:00:00Z
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
if [ -z "${QOIMA:-}" ]; then
    cargo build --release -q -p qoima-server --bin qoima
    QOIMA=$CARGO_TARGET_DIR/release/qoima
fi
tool() { cargo bench -q -p qoima-benches --bench reverify_vault -- "$@"; }
DIR=${BENCH_DIR:-$(mktemp -d)}
tool config "$DIR/etc" >/dev/null
if [ ! -e "$DIR/vault/db/CURRENT" ]; then
    echo "generating a vault of $DOCUMENTS documents in $DIR/vault" >&2
    tool generate "$DIR/vault" "$DOCUMENTS"
fi
if [ ! -e "$DIR/files/manifest.jsonl" ]; then
    echo "writing $FILES signed files to $DIR/files" >&2
    tool files "$DIR/files" "$FILES"
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "vault: $(du -shL "$DIR/vault" | cut -f1) on disk"

# The engine rate on one thread (per second), from the tool's last line.
rate() { tool "$@" | sed -n 's/.*(\([0-9]*\)\/s)$/\1/p'; }

# Runs "$@" (a qoima command whose JSON progress lines go to stderr), sampling its RSS every
# 0.2 s with the progress last reported; prints "seconds" and the samples "done kib" to $2.
sampled() {
    local log=$1 samples=$2 pid start end done_count
    shift 2
    start=$(date +%s.%N)
    "$@" >/dev/null 2>"$log" &
    pid=$!
    : >"$samples"
    while kill -0 "$pid" 2>/dev/null; do
        done_count=$(grep -o '"done":[0-9]*' "$log" | tail -1 | cut -d: -f2)
        rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        [ -n "$rss" ] && echo "${done_count:-0} $rss" >>"$samples"
        sleep 0.2
    done
    wait "$pid" || true
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}

# The RSS sampled when the run was at PERCENT of TOTAL (the first sample at or after it; the
# last one for 100).
rss_at() {
    local samples=$1 total=$2 percent=$3
    if [ "$percent" = 100 ]; then
        tail -1 "$samples" | cut -d' ' -f2
    else
        awk -v goal=$((total * percent / 100)) '$1 >= goal {print $2; exit}' "$samples"
    fi
}

report() {
    local what=$1 count=$2 seconds=$3 before=$4 after=$5 samples=$6
    local reference rate
    reference=$(echo "($before + $after) / 2" | bc -l)
    rate=$(echo "$count / $seconds" | bc -l)
    printf '%s: %d in %.1f s = %.0f/s with --jobs %d; engine on one thread %.0f/s (before %d, after %d): ratio %.2f\n' \
        "$what" "$count" "$seconds" "$rate" "$JOBS" "$reference" "$before" "$after" \
        "$(echo "$rate / $reference" | bc -l)"
    printf '  RSS: %s KiB at 10 %%, %s KiB at 50 %%, %s KiB at 100 %%\n' \
        "$(rss_at "$samples" "$count" 10)" "$(rss_at "$samples" "$count" 50)" \
        "$(rss_at "$samples" "$count" 100)"
}

qoima=("$QOIMA" --data-dir "$DIR/vault" --config "$DIR/etc/qoima.toml")
none=$(mktemp)
t0=$(date +%s.%N)
"${qoima[@]}" reverify --ids "$none" --output /dev/null 2>/dev/null || true
printf 'open: %.2f s (a run that selects nothing: configuration, vault, run state)\n' \
    "$(echo "$(date +%s.%N) - $t0" | bc -l)"

before=$(rate engine-rate "$DIR/vault" "$SAMPLE")
seconds=$(sampled "$DIR/reverify.log" "$DIR/reverify.rss" "${qoima[@]}" reverify --at "$AT" \
    --jobs "$JOBS" --output "$DIR/results.jsonl")
after=$(rate engine-rate "$DIR/vault" "$SAMPLE")
total=$(wc -l <"$DIR/results.jsonl")
report "qoima reverify" "$total" "$seconds" "$before" "$after" "$DIR/reverify.rss"
grep -v '^{' "$DIR/reverify.log" | sed 's/^/  /'

trust=()
while read -r flag file; do trust+=("$flag" "$DIR/etc/$file"); done < <(
    sed -n 's/^anchors = \[\(.*\)\]/\1/p' "$DIR/etc/qoima.toml" | tr -d '"' | tr ',' '\n' |
        sed 's/^ */--trust /'
    sed -n 's/^intermediates = \[\(.*\)\]/\1/p' "$DIR/etc/qoima.toml" | tr -d '"' | tr ',' '\n' |
        sed 's/^ */--ca /'
    sed -n 's/^crls = \[\(.*\)\]/\1/p' "$DIR/etc/qoima.toml" | tr -d '"' | tr ',' '\n' |
        sed 's/^ */--crl /'
)
policy=$(mktemp)
echo "require-ca-revocation = false" >"$policy"
before=$(rate batch-engine-rate "$DIR/files" "$SAMPLE")
seconds=$(sampled "$DIR/batch.log" "$DIR/batch.rss" "$QOIMA" verify --batch "$DIR/files/manifest.jsonl" \
    "${trust[@]}" --policy "$policy" --at "$AT" --jobs "$JOBS" --output "$DIR/batch.jsonl")
after=$(rate batch-engine-rate "$DIR/files" "$SAMPLE")
total=$(wc -l <"$DIR/batch.jsonl")
report "qoima verify --batch" "$total" "$seconds" "$before" "$after" "$DIR/batch.rss"
grep -v '^{' "$DIR/batch.log" | sed 's/^/  /'
