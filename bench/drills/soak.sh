#!/usr/bin/env bash
# Drill 6: soak at a steady rate (default 10 minutes at 100 req/s, bounded by SECONDS_TO_RUN); reports the Api's and
# the Processor's working set and open file descriptors at the start and the end, and the outcome accounting.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
api_pid=$(pid_of api); processor_pid=$(pid_of processor)
echo "start: api rss=$(rss_kb "$api_pid") kB fds=$(fds "$api_pid"); processor rss=$(rss_kb "$processor_pid") kB fds=$(fds "$processor_pid")" | tee "$out/soak.txt"
# Optional runtime counters (dotnet tool install -g dotnet-counters): 30 s of each host, a minute into the run.
if command -v dotnet-counters >/dev/null 2>&1 || [ -x "$HOME/.dotnet/tools/dotnet-counters" ]; then
  counters=$(command -v dotnet-counters || echo "$HOME/.dotnet/tools/dotnet-counters")
  ( sleep 60
    "$counters" collect -p "$api_pid" --duration 00:00:00:30 --format csv -o "$out/counters-api.csv" >/dev/null 2>&1 &
    "$counters" collect -p "$processor_pid" --duration 00:00:00:30 --format csv -o "$out/counters-processor.csv" >/dev/null 2>&1
    wait ) &
fi
tool e2e --name drill-soak --api "$API" --key "$KEY" --rate "${RATE:-100}" --duration "${SECONDS_TO_RUN:-600}" --grace 120 --pg "$PG" --out "$out" && status=0 || status=$?
echo "end:   api rss=$(rss_kb "$api_pid") kB fds=$(fds "$api_pid"); processor rss=$(rss_kb "$processor_pid") kB fds=$(fds "$processor_pid")" | tee -a "$out/soak.txt"
exit $status
