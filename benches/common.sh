# Shell helpers of the comparison scripts (`compare.sh`, `http_load.sh`); sourced, with RUNS
# set by the script.

# Installs Debian packages (as root, or with sudo that asks no password); fails where it
# cannot.
apt_install() {
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    command -v apt-get >/dev/null || return 1
    [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null || return 1
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >/dev/null 2>&1 || {
        "${sudo[@]}" apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >/dev/null
    }
}

# The median, in seconds, of RUNS runs of TIMED, each after PREPARE and followed by AFTER
# (both untimed; `:` for nothing).
median() {
    local prepare=$1 timed=$2 after=${3:-:} times=() t0 t1
    for _ in $(seq "$RUNS"); do
        eval "$prepare"
        t0=$(date +%s.%N)
        eval "$timed" >/dev/null
        t1=$(date +%s.%N)
        eval "$after"
        times+=("$(echo "$t1 - $t0" | bc -l)")
    done
    printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((RUNS + 1) / 2))p"
}

# Times NAME PREPARE TIMED triples (PREPARE untimed; "" for nothing): each TIMED once per
# round, RUNS rounds, the commands taking turns, so that a burst of load on the machine falls
# on all of them alike. Sets MEDIAN[NAME] to the median of each one's times, in seconds.
declare -A MEDIAN
interleaved() {
    local -a names=() prepares=() timeds=()
    local -A times=()
    local i t0 t1
    while (($# >= 3)); do
        names+=("$1")
        prepares+=("$2")
        timeds+=("$3")
        shift 3
    done
    for _ in $(seq "$RUNS"); do
        for i in "${!names[@]}"; do
            eval "${prepares[$i]:-:}"
            t0=$(date +%s.%N)
            eval "${timeds[$i]}" >/dev/null
            t1=$(date +%s.%N)
            times[${names[$i]}]+="$(echo "$t1 - $t0" | bc -l) "
        done
    done
    for i in "${!names[@]}"; do
        # shellcheck disable=SC2086 # one time per word
        MEDIAN[${names[$i]}]=$(printf '%s\n' ${times[${names[$i]}]} | sort -g | sed -n "$(((RUNS + 1) / 2))p")
    done
}

# MiB/s of MIB MiB in SECONDS: `rate MIB SECONDS`.
rate() { echo "scale=0; $1 / $2" | bc -l; }

# The rate of a command that took SECONDS as a share of the rate of one that took REFERENCE
# seconds on the same bytes, in %: `pct SECONDS REFERENCE`.
pct() { echo "scale=0; 100 * $2 / $1" | bc -l; }

# "N cores (CPU model)": the machine a table was measured on.
machine() { echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"; }

# Puts TABLE (which starts and ends with the `<!-- NAME begin/end -->` markers) into
# BENCHMARKS.md in place of the old one, or at its end; prints it. BENCHMARKS_OUT names
# another file to write instead (a trial run that must leave BENCHMARKS.md alone).
write_table() {
    local name=$1 table=$2 out=${BENCHMARKS_OUT:-BENCHMARKS.md}
    touch "$out"
    python3 - "$name" "$table" "$out" <<'PY' || true
import re, sys
name, table, out = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(out).read()
pattern = re.compile(r"<!-- %s begin -->.*<!-- %s end -->" % (re.escape(name), re.escape(name)), re.S)
text = pattern.sub(lambda _: table, text) if pattern.search(text) else text + "\n" + table + "\n"
open(out, "w").write(text)
PY
    echo "$table"
}
