#!/usr/bin/env bash
# Drill 1: the Processor is killed with SIGKILL mid-run and restarted. Expect 0 lost; duplicates only for requests
# in the crash window between a callback reaching the platform and its row being recorded (counted).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
( sleep 8; echo "drill: SIGKILL processor $processor_pid"; kill -9 "$processor_pid"; sleep 3; start_processor; echo "drill: processor restarted" ) &
"${bench[@]}" e2e --name drill-processor-kill --api http://127.0.0.1:5080 --key bench-key --rate 200 --duration 20 --grace 120 --pg "$PG" --out "$out"
