#!/usr/bin/env bash
# Stops the cluster that scripts/postgres/start.sh started in DIR, and removes
# DIR. Only that cluster: its server is found by the pid file in DIR/data, never
# by name. Quiet and successful when there is nothing left to stop.
#
#   scripts/postgres/stop.sh DIR
set -uo pipefail

[ $# -eq 1 ] || {
    echo "usage: $0 DIR" >&2
    exit 2
}
dir="$1"
[ -d "$dir" ] || exit 0
data="$dir/data"

if [ -f "$data/postmaster.pid" ]; then
    pid="$(head -n 1 "$data/postmaster.pid")"
    bindir="$(sed -n 's/^QOIMA_PG_BINDIR=//p' "$dir/pg.env" 2>/dev/null)"
    as_owner=()
    [ "$(id -u)" -eq 0 ] && as_owner=(runuser -u postgres --)
    if [ -n "$bindir" ] && [ -x "$bindir/pg_ctl" ]; then
        # Immediate: a test cluster has nothing worth a checkpoint.
        "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1
    fi
    # The pid file names the postmaster; it is still ours only while its data
    # directory is this one.
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
        grep -qzF -- "$data" "/proc/$pid/cmdline" 2>/dev/null; then
        kill -QUIT "$pid" 2>/dev/null
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
    fi
fi
rm -rf "$dir"
