#!/usr/bin/env bash
# Where the B2B intake's tail goes: the intake alone (Processor stopped, as bench/run.sh measures it) at RATE for
# DURATION, with the Api's /metrics scraped before and after, so the load generator's percentiles (intake.md) can be
# read beside the time inside the Api (ASP.NET Core's http.server.request.duration for the intake route) and the
# broker's confirm alone (externalaction.intake.publish.duration): bench/metrics-split.py writes split.md.
# Bounded: the tool's warm-up (15 s) plus DURATION. Loopback only. Usage: [RATE=500] [DURATION=30] bash bench/intake-tail.sh
export OUT="${OUT:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/results/intake-tail}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rate="${RATE:-500}"; duration="${DURATION:-30}"
bench_up
stop_processor
# The tool's warm-up comes before the first scrape: its requests stay out of the split.
tool intake --api "$API" --key "$KEY" --rate 100 --duration 15 --warmup 0 --name warm --out "$out/warm" >/dev/null
curl -fsS "$API/metrics" > "$out/metrics-before.txt"
tool intake --api "$API" --key "$KEY" --rate "$rate" --duration "$duration" --warmup 0 --out "$out" && status=0 || status=$?
curl -fsS "$API/metrics" > "$out/metrics-after.txt"
python3 "$repo/bench/metrics-split.py" "$out/metrics-before.txt" "$out/metrics-after.txt" \
  'http_server_request_duration_seconds{http_route="/actions/{action}/submitAsyncAction"}' \
  'externalaction_intake_publish_duration_seconds{outcome="confirmed"}' > "$out/split.md"
cat "$out/intake.md" "$out/split.md"
exit $status
