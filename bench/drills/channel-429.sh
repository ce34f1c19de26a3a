#!/usr/bin/env bash
# Drill 4: the channel answers every 5th delivery 429 with Retry-After: 1 (20 s at 100 req/s). Delivery slows, nothing
# fails, nothing is lost.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
tool e2e --name drill-channel-429 --api "$API" --key "$KEY" --rate 100 --duration 20 --grace 120 --channel-429-every 5 --pg "$PG" --out "$out"
