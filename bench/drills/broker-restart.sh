#!/usr/bin/env bash
# Drill 2: RabbitMQ is restarted 8 s into a 30 s run at 100 req/s. The Api answers 503 (never 200) while it is down and
# recovers by itself: every request answered 200 gets exactly one callback and a final row (a 200 for work the broker
# did not keep would show up as lost). The 503 count is in the answers-by-status column.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
( sleep 8; echo "drill: restarting RabbitMQ"; bash "$repo/infra/rabbitmq.sh" restart; echo "drill: RabbitMQ back" ) &
# No warm-up, so the restart lands 8 s into the measured run (the e2e warm-up would otherwise absorb it).
tool e2e --name drill-broker-restart --api "$API" --key "$KEY" --rate 100 --duration 30 --warmup 0 --grace 120 --pg "$PG" --out "$out"
