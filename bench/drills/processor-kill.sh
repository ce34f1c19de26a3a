#!/usr/bin/env bash
# Drill 1: the Processor is killed with SIGKILL 8 s into a 20 s run at 200 req/s and restarted 3 s later. Expect 0 lost;
# duplicates only for requests in the crash window between a callback reaching the platform and its row being recorded
# — at most the consumer's ConcurrentMessageLimit (32) in flight — and counted in the report.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
( sleep 8; echo "drill: SIGKILL processor $(pid_of processor)"; kill -9 "$(pid_of processor)"; sleep 3; start_processor; echo "drill: processor restarted" ) &
# No warm-up, so the kill lands 8 s into the measured run at 200 req/s (the e2e warm-up would otherwise absorb it).
tool e2e --name drill-processor-kill --api "$API" --key "$KEY" --rate 200 --duration 20 --warmup 0 --grace 180 --max-duplicates 32 --pg "$PG" --out "$out"
