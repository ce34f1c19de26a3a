#!/usr/bin/env bash
# Drill 4 (was drill 2): RabbitMQ is restarted 8 s into a 30 s run at 100 req/s. While it is down the Api answers 503 at
# once (never 200: IntakeBreaker, fed by the broker connection's state), and it accepts again within about a second of
# the broker's return: every request answered 200 gets exactly one callback and a final row (a 200 for work the broker did
# not keep would show up as lost). The 503 count is in the answers-by-status column; a probe beside the load
# (outage-probe.py, 20 requests/s) reports the intake's unavailable seconds against the broker's own downtime (its AMQP
# port refusing connections) and how fast the 503s were. Runs on a RabbitMQ node of its own (BENCH_RABBIT_INSTANCE,
# default 15: port 5686), never the shared one. Usage: bash bench/drills/broker-restart.sh
export BENCH_RABBIT_INSTANCE=${BENCH_RABBIT_INSTANCE:-15}
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
python3 "$repo/bench/drills/outage-probe.py" "$API" "$KEY" "$SINK_PORT" "$RABBIT_PORT" 40 "$out/drill-broker-restart-probe.csv" > "$out/drill-broker-restart-probe.txt" &
probe=$!
( sleep 8; echo "drill: restarting RabbitMQ (127.0.0.1:$RABBIT_PORT)"; bash "$repo/infra/rabbitmq.sh" restart; echo "drill: RabbitMQ back" ) &
# No warm-up, so the restart lands 8 s into the measured run (the e2e warm-up would otherwise absorb it).
tool e2e --name drill-broker-restart --api "$API" --key "$KEY" --rate 100 --duration 30 --warmup 0 --grace 120 --sink-port "$SINK_PORT" --pg "$PG" --out "$out"
wait "$probe" || true
cat "$out/drill-broker-restart-probe.txt"
