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
source benches/common.sh
RUNS=${RUNS:-5}
SIZE_MIB=${SIZE_MIB:-256}

for tool in zstd openssl; do
    command -v "$tool" >/dev/null || apt_install "$tool"
done
cargo build --release --workspace --bins -q
qoima="$CARGO_TARGET_DIR/release/qoima"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c $((SIZE_MIB << 20)) /dev/urandom > "$work/random"
# Random numbers as decimal text, a table-like file: zstd -3 halves it.
# (head closes the pipe early on purpose, so the pipeline's status is ignored.)
od -An -tu4 -w16 /dev/urandom | head -c $((SIZE_MIB << 20)) > "$work/compressible" || true

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
    mib() { rate "$SIZE_MIB" "$1"; }
    rows+=("| $kind | $(mib "$sha") | $(mib "$ossl") | $(mib "$zst") | $(mib "$put") ($(pct "$put" "$sha") %) | $(mib "$get") ($(pct "$get" "$sha") %) |")
done

table=$(cat <<TABLE
<!-- compare.sh begin -->
Measured $(date -u +%Y-%m-%d) on $(machine),
${SIZE_MIB} MiB files, median of ${RUNS} runs, MiB/s; in brackets the rate as a share of \`sha256sum\`'s
(\`benches/compare.sh\`). \`put\` includes opening the vault, chunking, compression, both SHA-256
passes and the synced commit; \`get\` includes opening the vault and verifying every chunk.

| data | sha256sum | openssl sha256 | zstd -3 | qoima put | qoima get |
|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")
<!-- compare.sh end -->
TABLE
)
write_table compare.sh "$table"
