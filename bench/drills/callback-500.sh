#!/usr/bin/env bash
# Drill 3: the platform's callback endpoint answers 500 for 30 s, then 200: every request still gets its callback
# before its deadline (60 minutes), retried with backoff.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
"${bench[@]}" e2e --name drill-callback-500 --api http://127.0.0.1:5080 --key bench-key --rate 100 --duration 20 --grace 120 --callback-fail-seconds 30 --pg "$PG" --out "$out"
