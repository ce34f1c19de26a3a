#!/usr/bin/env bash
# Statements and transactions PostgreSQL runs per acknowledged request: a count, so unlike CPU time it does not vary with
# what else the machine does. Runs a short e2e (RATE req/s for DURATION s after a 5 s warm-up) on a fresh deployment
# with pg_stat_statements (shared_preload_libraries must list it: the script says how when it does not) and prints the
# per-request figures and the busiest statements (the bench tool's own status look-ups are left out). BENCH_REPO=DIR measures another checkout's build (see lib.sh).
# Usage: [RATE=200] [DURATION=10] [OUT=bench/results/pg-counts] [BENCH_REPO=DIR] bash bench/pg-counts.sh
export OUT="${OUT:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/results/pg-counts}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
q() { PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d externalaction_bench -tAc "$1"; }
bench_up
if ! q "SHOW shared_preload_libraries" | grep -q pg_stat_statements; then
  echo "pg_stat_statements is not loaded: run (as root) su postgres -c \"psql -c \\\"ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'\\\"\" && pg_ctlcluster 15 main restart" >&2
  exit 2
fi
q "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
q "SELECT pg_stat_statements_reset()" >/dev/null
xacts="SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'externalaction_bench'"
x0=$(q "$xacts")
tool e2e --name pg-counts --api "$API" --key "$KEY" --rate "${RATE:-200}" --duration "${DURATION:-10}" --warmup 5 --grace 60 --pg "$PG" --out "$out" > "$out/e2e.log" 2>&1 || { tail -5 "$out/e2e.log"; exit 1; }
x1=$(q "$xacts")
mine="FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'externalaction_bench'
      AND query NOT ILIKE '%pg_stat%' AND query NOT ILIKE 'SELECT request_id, status FROM action_requests WHERE request_id = ANY%'"
requests=$(q "SELECT COUNT(*) FROM action_requests")
statements=$(q "SELECT SUM(calls) $mine")
python3 -c "import sys; r, t, s = map(int, sys.argv[1:]); print(f'requests {r}: {s / r:.2f} statements and {t / r:.2f} transactions per request')" "$requests" "$((x1 - x0))" "$statements" | tee "$out/pg-counts.txt"
q "SELECT calls, left(regexp_replace(query, '\s+', ' ', 'g'), 100) $mine ORDER BY calls DESC LIMIT 12" | tee -a "$out/pg-counts.txt"
