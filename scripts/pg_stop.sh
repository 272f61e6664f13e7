#!/usr/bin/env bash
# Stop a cluster started by scripts/pg_start.sh DIR (fast shutdown); quiet if none is running.
set -euo pipefail

dir=${1:?usage: pg_stop.sh DIR}
[ -f "$dir/data/postmaster.pid" ] || exit 0
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
as_owner=()
if [ "$(id -u)" = 0 ]; then
    as_owner=(runuser -u postgres --)
fi
"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
