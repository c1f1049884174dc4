#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the integration tests.
#   scripts/test-pg.sh start DIR   → prints its admin URL
#   scripts/test-pg.sh stop DIR
# Runs the server as `postgres` when invoked as root (initdb refuses root).
set -euo pipefail
PG_BIN="/usr/lib/postgresql/15/bin"
cmd="$1"; dir="$2"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_pg "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres --encoding=UTF8 --locale=C >/dev/null
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    # fsync off: a test cluster is thrown away, durability buys nothing.
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    [ -d "$dir/data" ] && as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
