#!/usr/bin/env bash
# Drill 3: the platform's callback endpoint answers 500 for the first 30 s, then 200 (20 s run at 100 req/s): every
# request still gets exactly one accepted callback, long before its deadline (60 minutes), retried with backoff.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
tool e2e --name drill-callback-500 --api "$API" --key "$KEY" --rate 100 --duration 20 --grace 120 --callback-fail-seconds 30 --pg "$PG" --out "$out"
