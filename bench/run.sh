#!/usr/bin/env bash
# One command for the benchmark: a real deployment on loopback (see lib.sh) and the bench tool —
#   e2e   request sent → callback received at E2E_RATE, with the outcome accounting (lost and duplicated must be 0)
#   all   floor, naive confirm-per-request baseline and our intake at the same open-loop rates (ratios to the baseline)
#   sfmc  Journey Builder executes (plain, rules split, 50 ms lookup split) beside the intake and the naive baseline
#   max   closed loop with growing worker counts: the maximum sustainable intake rate, beside the naive endpoint's (run
#         as a process of its own, so that the CPU per request of the Api and of the naive endpoint are both recorded)
#   ajo   (ONLY=ajo, alone) floor, naive baseline, B2B intake and the AJO custom-action face (rules; 50 ms lookup)
#         at the same open-loop rates (RATES, default 200,500), the Processor stopped as for all; results in ajo.md
#   report  the latest-run section of docs/benchmarks.md (machine, commands, numbers against the targets, plots)
# e2e runs first, on a fresh deployment; the Processor is then stopped so that all and max measure the intake alone,
# like the naive baseline (no consumer competing for the cores). INTAKE_WITH_PROCESSOR=1 keeps it consuming.
# Results (JSON, Markdown, SVG, commands.txt, host logs) land in bench/results/. Bounded in time (about 6 minutes).
# Usage: [RATES=200,500,1000] [DURATION=10] [E2E_RATE=500] [E2E_DURATION=20] [WORKERS=8,32,128] [DOC=docs/benchmarks.md]
#        [SFMC_RATES=200,500] [ROUNDS=1] [ONLY=e2e|sfmc|ajo] [PROCESSOR=0] [INTAKE_WITH_PROCESSOR=1] bash bench/run.sh     (DOC= leaves the document alone;
#        PROCESSOR=0 never starts the Processor and skips e2e; ROUNDS=N measures sfmc's and ajo's targets in N alternating
#        rounds of DURATION each and pools them, so a broker stall cannot decide a p99 ratio alone: tools/Bench/Cli/Rounds.cs)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rm -f "$out/commands.txt" "$out"/{all,e2e,max,sfmc,ajo}.{json,md,svg}
echo "${ONLY:+ONLY=$ONLY }${PROCESSOR:+PROCESSOR=$PROCESSOR }${INTAKE_WITH_PROCESSOR:+INTAKE_WITH_PROCESSOR=$INTAKE_WITH_PROCESSOR }RATES=${RATES:-200,500,1000} DURATION=${DURATION:-10} E2E_RATE=${E2E_RATE:-500} E2E_DURATION=${E2E_DURATION:-20} WORKERS=${WORKERS:-8,32,128} SFMC_RATES=${SFMC_RATES:-200,500} ROUNDS=${ROUNDS:-1} bash bench/run.sh   # runs:" > "$out/commands.txt"
bench_up
status=0
if [ "${ONLY:-}" = ajo ]; then
  stop_processor
  echo "# Processor stopped: the answers measured alone" >> "$out/commands.txt"
  tool ajo --api "$API" --key "$KEY" --rabbit "$RABBIT" --sink-port "$SINK_PORT" --cpu "api=$(pid_of api)" --rates "${RATES:-200,500}" --duration "${DURATION:-10}" --rounds "${ROUNDS:-1}" --out "$out" || status=1
  echo "Results in $out"
  exit $status
fi
if [ "${PROCESSOR:-1}" != 0 ]; then
  tool e2e --api "$API" --key "$KEY" --rate "${E2E_RATE:-500}" --duration "${E2E_DURATION:-20}" --grace 60 --pg "$PG" --sink-port "$SINK_PORT" --out "$out" || status=1
fi
if [ "${ONLY:-}" != e2e ]; then
  if [ "${INTAKE_WITH_PROCESSOR:-0}" != 1 ] && [ -n "$(pid_of processor)" ]; then
    stop_processor
    echo "# Processor stopped: the intake measured alone" >> "$out/commands.txt"
  fi
  if [ "${ONLY:-}" != sfmc ]; then
    tool all --api "$API" --key "$KEY" --rabbit "$RABBIT" --rates "${RATES:-200,500,1000}" --duration "${DURATION:-10}" --out "$out" || status=1
  fi
  # Journey Builder executes (plain, rules split, 50 ms lookup split) beside the intake and the naive baseline.
  tool sfmc --api "$API" --key "$KEY" --rabbit "$RABBIT" --secret "$SFMC_SECRET" --cpu "api=$(pid_of api)" --rates "${SFMC_RATES:-200,500}" --duration "${DURATION:-10}" --rounds "${ROUNDS:-1}" --out "$out" || status=1
  if [ "${ONLY:-}" != sfmc ]; then
    start_naive_endpoint
    tool max --api "$API" --key "$KEY" --naive "$NAIVE_URL" --rabbit "$RABBIT" --cpu "api=$(pid_of api),naive=$(pid_of naive)" \
      --workers "${WORKERS:-8,32,128}" --duration 10 --out "$out" || status=1
  fi
fi
doc="${DOC-docs/benchmarks.md}"
if [ -n "$doc" ]; then
  [[ "$doc" = /* ]] || doc="$repo/$doc"
  versions="RabbitMQ $(bash "$repo/infra/rabbitmq.sh" ctl version 2>/dev/null || echo '?'), PostgreSQL $(PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -tA -c 'SHOW server_version' | cut -d' ' -f1), .NET SDK $(dotnet --version)"
  commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [ -n "$(git -C "$repo" status --porcelain 2>/dev/null | head -1)" ]; then commit="$commit (with uncommitted changes)"; fi
  "${bench[@]}" report --results "$out" --doc "$doc" --commit "$commit" --versions "$versions" --out "$out"
fi
echo "Results in $out"
exit $status
