#!/usr/bin/env bash
# PostgreSQL for development and CI on a Debian/Ubuntu host: installs the Debian package if missing, starts the
# cluster, and gives the postgres user the password "postgres" so tests connect over TCP on 127.0.0.1:5432.
# Idempotent. Usage: infra/postgres.sh start|stop|status   (start needs root: apt-get, su postgres)
set -euo pipefail

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

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if pg_isready -h 127.0.0.1 -p 5432 -q; then echo running; else echo stopped; exit 3; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
