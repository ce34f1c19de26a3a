#!/usr/bin/env bash
# Drill 2: RabbitMQ is restarted mid-run. The Api answers 503 (never 200) while it is down and recovers by itself;
# every request answered 200 gets exactly one callback.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
( sleep 8; echo "drill: restarting RabbitMQ"; bash "$repo/infra/rabbitmq.sh" restart; echo "drill: RabbitMQ back" ) &
"${bench[@]}" e2e --name drill-broker-restart --api http://127.0.0.1:5080 --key bench-key --rate 100 --duration 30 --grace 120 --pg "$PG" --out "$out"
