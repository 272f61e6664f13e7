#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on loopback for the projection tests; print its DSN.
#
#   scripts/pg_start.sh DIR     # initdb into DIR/data (unless already there), start, print the DSN
#   scripts/pg_stop.sh DIR      # stop it again
#
# Uses Debian's server binaries (/usr/lib/postgresql/<version>/bin, package `postgresql`).
# Trust authentication and a socket directory inside DIR: nothing listens beyond 127.0.0.1 and
# nothing touches the system cluster. initdb refuses to run as root, so as root the cluster
# belongs to the `postgres` user the Debian package creates. PGPORT picks the port; by default
# a free one is chosen. Only the DSN goes to stdout, so `DSN=$(scripts/pg_start.sh DIR)` works.
set -euo pipefail

dir=${1:?usage: pg_start.sh DIR}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] || {
    echo "pg_start: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
    exit 2
}

as_owner=()
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "pg_start: running as root but there is no postgres user" >&2; exit 2; }
    as_owner=(runuser -u postgres --)
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ "$(id -u)" = 0 ]; then
    chown postgres "$dir"
fi

# A free port from the kernel (bind to port 0); the tiny race with other processes is harmless
# on a CI runner, and PGPORT overrides it.
port=${PGPORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}

if [ ! -f "$dir/data/PG_VERSION" ]; then
    # C collation and UTF8: the projection assumes a UTF8 database (JSONB's \u escapes).
    "${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
        echo "pg_start: initdb failed, see $dir/initdb.log" >&2
        exit 2
    }
fi

"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" >/dev/null || {
    echo "pg_start: the server did not start, see $dir/server.log" >&2
    exit 2
}
echo "$port" >"$dir/port"
echo "postgresql://postgres@127.0.0.1:$port/postgres"
