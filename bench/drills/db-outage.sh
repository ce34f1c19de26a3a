#!/usr/bin/env bash
# Drill 3: PostgreSQL is stopped 8 s into a 30 s run at 100 req/s and started again 10 s later. Expect 0 lost and 0
# duplicated (the outcome accounting), no row Failed and nothing in externalaction-process_error: the Processor waits for
# the store (StoreOutage: each attempt up to ExternalAction:Processor:StoreOutageWaitSeconds, 20 s, then its message
# comes back through the wait queues) and resumes by itself; intake never touches the database, so it keeps answering 200
# (the answers-by-status column, and the probe beside the load). Runs on a PostgreSQL server of its own
# (BENCH_PG_PORT, default 5448, data under /var/lib/postgresql/externalaction-5448), never the shared one.
# Usage: [DOWN_SECONDS=10] bash bench/drills/db-outage.sh
export BENCH_PG_PORT=${BENCH_PG_PORT:-5448}
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
down_seconds=${DOWN_SECONDS:-10}
bench_up
python3 "$repo/bench/drills/outage-probe.py" "$API" "$KEY" "$SINK_PORT" "$PG_PORT" 40 "$out/drill-db-outage-probe.csv" 0.1 > "$out/drill-db-outage-probe.txt" &
probe=$!
( sleep 8; echo "drill: stopping PostgreSQL (127.0.0.1:$PG_PORT)"; bash "$repo/infra/postgres.sh" stop
  sleep "$down_seconds"; bash "$repo/infra/postgres.sh" start; echo "drill: PostgreSQL back after ${down_seconds} s" ) &
# No warm-up, so the outage lands 8 s into the measured run.
status=0
tool e2e --name drill-db-outage --api "$API" --key "$KEY" --rate 100 --duration 30 --warmup 0 --grace 180 --sink-port "$SINK_PORT" --pg "$PG" --out "$out" || status=$?
wait "$probe" || true
cat "$out/drill-db-outage-probe.txt"
failed=$(PGPASSWORD=postgres psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$db" -tAc "SELECT count(*) FROM action_requests WHERE status = 'Failed'")
dead=$(bash "$repo/infra/rabbitmq.sh" ctl list_queues -p "$id" name messages 2>/dev/null | awk '$1 == "externalaction-process_error" {print $2}')
paused=$(grep -c "The status store is unavailable" "$out/processor.log" || true)
resumed=$(grep -c "The status store answers again" "$out/processor.log" || true)
redelivered=$(grep -c "the status store is still unavailable" "$out/processor.log" || true)
echo "drill-db-outage: rows Failed ${failed:-?}, externalaction-process_error ${dead:-0} messages; Processor paused $paused time(s), resumed $resumed, messages put back for later $redelivered"
[ "$status" = 0 ] && [ "${failed:-1}" = 0 ] && [ "${dead:-0}" = 0 ] || { echo "drill-db-outage: FAIL" >&2; exit 1; }
echo "drill-db-outage: PASS"
