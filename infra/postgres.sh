#!/usr/bin/env bash
# PostgreSQL for development and CI on a Debian/Ubuntu host: installs the Debian package if missing, starts the
# cluster, and gives the postgres user the password "postgres" so tests connect over TCP on 127.0.0.1:5432.
# Idempotent. Usage: infra/postgres.sh start|stop|status   (start needs root: apt-get, su postgres)
# EXTERNALACTION_POSTGRES_PORT=N (not 5432) runs a second, independent server of its own instead: initdb'd on first start
# into /var/lib/postgresql/externalaction-N (or EXTERNALACTION_POSTGRES_DATA), on 127.0.0.1:N only, same credentials, so a
# test or drill can stop and start "its" database without disturbing anything that uses the main one.
set -euo pipefail
own_port="${EXTERNALACTION_POSTGRES_PORT:-5432}"

cluster() {
  # The newest existing cluster as "version name" (Debian 12 ships 15 as "main"); empty when there is none.
  pg_lsclusters --no-header 2>/dev/null | awk '{print $1" "$2}' | sort -V | tail -n 1 || true
}

install() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "Installing postgresql (apt)…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
  if [ -z "$(cluster)" ]; then
    # The package is there but its cluster was dropped: create "main" for the newest installed server.
    local version
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    pg_createcluster "$version" main >/dev/null
  fi
}

start() {
  install
  local version name
  read -r version name <<<"$(cluster)"
  pg_ctlcluster "$version" "$name" start 2>/dev/null || true
  for _ in $(seq 1 60); do
    if pg_isready -h 127.0.0.1 -p 5432 -q; then break; fi
    sleep 0.5
  done
  pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL $version/$name did not become ready on 127.0.0.1:5432" >&2; return 1; }
  su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  echo "PostgreSQL $version/$name running on 127.0.0.1:5432 (postgres/postgres)."
}

stop() {
  local current version name
  current=$(cluster)
  if [ -n "$current" ]; then
    read -r version name <<<"$current"
    pg_ctlcluster "$version" "$name" stop 2>/dev/null || true
  fi
  echo "PostgreSQL stopped."
}

# The server of EXTERNALACTION_POSTGRES_PORT: its own data directory and pg_ctl, run as the postgres user.
own_bin() { echo "/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -n 1)/bin"; }
own_data() { echo "${EXTERNALACTION_POSTGRES_DATA:-/var/lib/postgresql/externalaction-$own_port}"; }

own_start() {
  install
  local bin data
  bin=$(own_bin); data=$(own_data)
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"; chown postgres:postgres "$data"; chmod 700 "$data"
    local pw; pw=$(mktemp); echo postgres > "$pw"; chown postgres "$pw"
    runuser -u postgres -- "$bin/initdb" -D "$data" -U postgres --auth-host=scram-sha-256 --auth-local=peer --pwfile="$pw" -E UTF8 >/dev/null
    rm -f "$pw"
  fi
  if ! pg_isready -h 127.0.0.1 -p "$own_port" -q; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
      -o "-p $own_port -c listen_addresses=127.0.0.1 -k /tmp" start >/dev/null
  fi
  pg_isready -h 127.0.0.1 -p "$own_port" -q || { echo "PostgreSQL on 127.0.0.1:$own_port did not become ready; see $data/server.log" >&2; return 1; }
  echo "PostgreSQL running on 127.0.0.1:$own_port (postgres/postgres, data in $data)."
}

own_stop() {
  local data; data=$(own_data)
  if [ -f "$data/postmaster.pid" ]; then runuser -u postgres -- "$(own_bin)/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null || true; fi
  echo "PostgreSQL on 127.0.0.1:$own_port stopped."
}

if [ "$own_port" != 5432 ]; then
  case "${1:-}" in
    start) own_start ;;
    stop) own_stop ;;
    status) if pg_isready -h 127.0.0.1 -p "$own_port" -q; then echo running; else echo stopped; exit 3; fi ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
  esac
  exit 0
fi

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if pg_isready -h 127.0.0.1 -p 5432 -q; then echo running; else echo stopped; exit 3; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
