#!/usr/bin/env bash
# Times whole commands on the same files in the same run: `qoima put` and
# `qoima get` beside `sha256sum`, `openssl dgst -sha256` and `zstd -3` (on one
# core, and on all cores with `-T0`), on a 256 MiB random file and a 256 MiB
# compressible one. The commands take turns, RUNS rounds (default 5), so that a
# burst of load on a shared machine falls on all of them alike; each figure is
# the median of its RUNS times. Writes the table into BENCHMARKS.md between the
# compare.sh markers (or into BENCHMARKS_OUT).
#
#   benches/compare.sh            # needs sha256sum, openssl, zstd (installed if missing)
#   QOIMA_BEFORE=/path/to/old/qoima benches/compare.sh
#                                 # also times that build's put, in the same rounds
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup
source benches/common.sh
RUNS=${RUNS:-5}
SIZE_MIB=${SIZE_MIB:-256}
BEFORE=${QOIMA_BEFORE:-}

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

mib() { rate "$SIZE_MIB" "$1"; }
rows=()
for kind in random compressible; do
    f="$work/$kind"
    db="$work/vault-$kind"
    addr=$("$qoima" --data-dir "$db-get" put "$f")
    commands=(
        sha "" "sha256sum '$f'"
        ossl "" "openssl dgst -sha256 '$f'"
        zst "" "zstd -3 -q -c '$f'"
        zstmt "" "zstd -3 -T0 -q -c '$f'"
        put "rm -rf '$db'" "'$qoima' --data-dir '$db' put '$f'"
        get "" "'$qoima' --data-dir '$db-get' get $addr"
    )
    [ -z "$BEFORE" ] || commands+=(before "rm -rf '$db'" "'$BEFORE' --data-dir '$db' put '$f'")
    interleaved "${commands[@]}"
    sha=${MEDIAN[sha]}
    row="| $kind | $(mib "$sha") | $(mib "${MEDIAN[ossl]}") | $(mib "${MEDIAN[zst]}") | $(mib "${MEDIAN[zstmt]}") |"
    [ -z "$BEFORE" ] || row+=" $(mib "${MEDIAN[before]}") ($(pct "${MEDIAN[before]}" "$sha") %) |"
    row+=" $(mib "${MEDIAN[put]}") ($(pct "${MEDIAN[put]}" "$sha") %) | $(mib "${MEDIAN[get]}") ($(pct "${MEDIAN[get]}" "$sha") %) |"
    rows+=("$row")
done

header="| data | sha256sum | openssl sha256 | zstd -3 | zstd -3 -T0 |"
rule="|---|---|---|---|---|"
if [ -n "$BEFORE" ]; then
    header+=" qoima put, before |"
    rule+="---|"
fi
header+=" qoima put | qoima get |"
rule+="---|---|"
table=$(cat <<TABLE
<!-- compare.sh begin -->
Measured $(date -u +%Y-%m-%d) on $(machine),
${SIZE_MIB} MiB files, median of ${RUNS} interleaved runs, MiB/s; in brackets the rate as a share of
\`sha256sum\`'s (\`benches/compare.sh\`). \`put\` includes opening the vault, chunking, compression,
both SHA-256 passes and the synced commit; \`get\` includes opening the vault and verifying every
chunk. \`zstd -3 -T0\` is zstd on all cores.

$header
$rule
$(printf '%s\n' "${rows[@]}")
<!-- compare.sh end -->
TABLE
)
write_table compare.sh "$table"
