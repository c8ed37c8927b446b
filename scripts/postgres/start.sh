#!/usr/bin/env bash
# Starts a PostgreSQL cluster of its own in DIR, for tests: initdb (trust
# authentication, superuser `postgres`), then the server on a free 127.0.0.1
# port with its unix socket in DIR. Writes DIR/pg.env (PGHOST, PGPORT, PGUSER,
# PGDATA and QOIMA_PG_URL, the superuser's URL) for the caller to source.
#
#   scripts/postgres/start.sh DIR [--watch PID] [--tls]
#
# With --watch, a watchdog stops the cluster (scripts/postgres/stop.sh DIR) as
# soon as process PID ends, however it ends: a test binary that starts a
# cluster leaves no server behind it. With --tls, the server also accepts TLS,
# with a certificate for 127.0.0.1 and localhost issued by a CA made here
# (DIR/tls/ca.pem, QOIMA_PG_CA in pg.env; DIR/tls/other-ca.pem is a CA that
# issued nothing, for tests that must be refused). DIR must be new or empty.
# As root, PostgreSQL runs as the `postgres` user (initdb refuses root), who is
# given DIR.
set -euo pipefail

usage() {
    echo "usage: $0 DIR [--watch PID] [--tls]" >&2
    exit 2
}
[ $# -ge 1 ] || usage
dir="$1"
shift
watch=""
tls=""
while [ $# -gt 0 ]; do
    case "$1" in
    --watch)
        [ $# -ge 2 ] || usage
        watch="$2"
        shift 2
        ;;
    --tls)
        tls=1
        shift
        ;;
    *) usage ;;
    esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Debian keeps the server's programs out of PATH, one directory per major version.
bindir="${QOIMA_PG_BINDIR:-}"
if [ -z "$bindir" ]; then
    for candidate in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
        [ -x "$candidate/initdb" ] && bindir="$candidate" && break
    done
fi
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then
    bindir="$(dirname "$(command -v initdb)")"
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "postgres/start.sh: no PostgreSQL server programs (initdb); install Debian's postgresql (scripts/setup: qoima_postgres_setup) or set QOIMA_PG_BINDIR" >&2
    exit 1
fi

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
if [ -n "$(ls -A "$dir")" ]; then
    echo "postgres/start.sh: $dir is not empty" >&2
    exit 1
fi

# Runs a command as the cluster's owner: `postgres` when we are root.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || {
        echo "postgres/start.sh: running as root and there is no postgres user to run the server as" >&2
        exit 1
    }
    chown postgres: "$dir"
    as_owner=(runuser -u postgres --)
fi

"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    echo "postgres/start.sh: initdb failed in $dir/data" >&2
    exit 1
}

# TLS: a CA and the server's certificate, made with openssl; the key readable by
# the server alone.
server_tls=""
if [ -n "$tls" ]; then
    command -v openssl >/dev/null 2>&1 || {
        echo "postgres/start.sh: --tls needs openssl" >&2
        exit 1
    }
    mkdir -p "$dir/tls"
    (
        cd "$dir/tls"
        for ca in ca other-ca; do
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
                -subj "/CN=qoima test $ca" -keyout "$ca.key" -out "$ca.pem"
        done
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
            -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
            -extfile server.ext -out server.pem
    ) >"$dir/tls.log" 2>&1 || {
        cat "$dir/tls.log" >&2
        echo "postgres/start.sh: making the TLS certificates failed" >&2
        exit 1
    }
    chmod 600 "$dir/tls/server.key"
    [ ${#as_owner[@]} -gt 0 ] && chown -R postgres: "$dir/tls"
    server_tls="-c ssl=on -c ssl_cert_file=$dir/tls/server.pem -c ssl_key_file=$dir/tls/server.key"
fi

# A free port: the kernel's choice for a socket bound to port 0, when Python is
# there, else a random one; another process may take it first, so a start that
# fails is tried again on another port.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
        echo $((20000 + RANDOM % 40000))
}

port=""
for _ in 1 2 3 4 5; do
    candidate="$(free_port)"
    if "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $candidate -c unix_socket_directories=$dir -c max_connections=200 -c fsync=on $server_tls" \
        start >>"$dir/pg_ctl.log" 2>&1; then
        port="$candidate"
        break
    fi
done
if [ -z "$port" ]; then
    tail -n 20 "$dir/server.log" >&2 2>/dev/null || true
    echo "postgres/start.sh: the server did not start (log: $dir/server.log)" >&2
    exit 1
fi

cat >"$dir/pg.env" <<ENV
PGHOST=127.0.0.1
PGPORT=$port
PGUSER=postgres
PGDATA=$dir/data
QOIMA_PG_BINDIR=$bindir
QOIMA_PG_URL=postgresql://postgres@127.0.0.1:$port/postgres
ENV
[ -n "$tls" ] && echo "QOIMA_PG_CA=$dir/tls/ca.pem" >>"$dir/pg.env"

if [ -n "$watch" ]; then
    # Detached from the caller's terminal and pipes, so that nobody waits for it.
    setsid bash -c '
        while kill -0 "$1" 2>/dev/null; do sleep 1; done
        "$2/stop.sh" "$3"
    ' watchdog "$watch" "$here" "$dir" </dev/null >/dev/null 2>&1 &
fi
echo "$dir/pg.env"
