#!/usr/bin/env bash
# Times whole commands on the same files in the same run: `qoima put` and
# `qoima get` beside `sha256sum`, `openssl dgst -sha256` and `zstd -3`, on a
# 256 MiB random file and a 256 MiB compressible one. Each figure is the
# median of RUNS runs (default 5). Writes the table into BENCHMARKS.md
# between the compare.sh markers.
#
#   benches/compare.sh            # needs sha256sum, openssl, zstd (installed if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup
RUNS=${RUNS:-5}
SIZE_MIB=${SIZE_MIB:-256}

for tool in zstd openssl; do
    command -v "$tool" >/dev/null || { sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo); "${sudo[@]}" apt-get install -y -qq "$tool" >/dev/null; }
done
cargo build --release --workspace --bins -q
qoima="$CARGO_TARGET_DIR/release/qoima"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c $((SIZE_MIB << 20)) /dev/urandom > "$work/random"
# Random numbers as decimal text, a table-like file: zstd -3 halves it.
# (head closes the pipe early on purpose, so the pipeline's status is ignored.)
od -An -tu4 -w16 /dev/urandom | head -c $((SIZE_MIB << 20)) > "$work/compressible" || true

# median SECONDS of RUNS runs of: prepare-command ; timed-command
median() {
    local prepare=$1 timed=$2 times=()
    for _ in $(seq "$RUNS"); do
        eval "$prepare"
        local t0 t1
        t0=$(date +%s.%N)
        eval "$timed" > /dev/null
        t1=$(date +%s.%N)
        times+=("$(echo "$t1 - $t0" | bc -l)")
    done
    printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((RUNS + 1) / 2))p"
}

rows=()
for kind in random compressible; do
    f="$work/$kind"
    db="$work/vault-$kind"
    sha=$(median : "sha256sum '$f'")
    ossl=$(median : "openssl dgst -sha256 '$f'")
    zst=$(median : "zstd -3 -q -c '$f'")
    put=$(median "rm -rf '$db'" "'$qoima' --data-dir '$db' put '$f'")
    addr=$("$qoima" --data-dir "$db" put "$f")
    get=$(median : "'$qoima' --data-dir '$db' get $addr")
    rate() { echo "scale=0; $SIZE_MIB / $1" | bc -l; }
    pct() { echo "scale=0; 100 * $2 / $1" | bc -l; }
    rows+=("| $kind | $(rate "$sha") | $(rate "$ossl") | $(rate "$zst") | $(rate "$put") ($(pct "$put" "$sha") %) | $(rate "$get") ($(pct "$get" "$sha") %) |")
done

table=$(cat <<TABLE
<!-- compare.sh begin -->
Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),
${SIZE_MIB} MiB files, median of ${RUNS} runs, MiB/s; in brackets the rate as a share of \`sha256sum\`'s
(\`benches/compare.sh\`). \`put\` includes opening the vault, chunking, compression, both SHA-256
passes and the synced commit; \`get\` includes opening the vault and verifying every chunk.

| data | sha256sum | openssl sha256 | zstd -3 | qoima put | qoima get |
|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")
<!-- compare.sh end -->
TABLE
)
touch BENCHMARKS.md
python3 - "$table" <<'PY' 2>/dev/null || { echo "$table"; exit 0; }
import re, sys
table = sys.argv[1]
text = open("BENCHMARKS.md").read()
pattern = re.compile(r"<!-- compare.sh begin -->.*<!-- compare.sh end -->", re.S)
text = pattern.sub(lambda _: table, text) if pattern.search(text) else text + "\n" + table + "\n"
open("BENCHMARKS.md", "w").write(text)
PY
echo "$table"
