#!/usr/bin/env bash
# Drill 4: the channel answers every 5th delivery 429 with Retry-After: 1. Delivery slows, nothing fails, nothing is lost.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
"${bench[@]}" e2e --name drill-channel-429 --api http://127.0.0.1:5080 --key bench-key --rate 100 --duration 20 --grace 120 --channel-429-every 5 --pg "$PG" --out "$out"
