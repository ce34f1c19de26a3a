#!/usr/bin/env bash
# Drill 6: soak at a steady rate (default 10 minutes at 100 req/s); reports the Api's and the Processor's working set
# and open handles at the start and the end.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
fds() { ls "/proc/$1/fd" | wc -l; }
echo "start: api ${api_pid} rss=$(rss_kb "$api_pid") kB fds=$(fds "$api_pid"); processor rss=$(rss_kb "$processor_pid") kB fds=$(fds "$processor_pid")" | tee "$out/soak.txt"
# Optional runtime counters (dotnet tool install -g dotnet-counters): 30 s of each host, a minute into the run.
if command -v dotnet-counters >/dev/null 2>&1 || [ -x "$HOME/.dotnet/tools/dotnet-counters" ]; then
  counters=$(command -v dotnet-counters || echo "$HOME/.dotnet/tools/dotnet-counters")
  ( sleep 60
    "$counters" collect -p "$api_pid" --duration 00:00:00:30 --format csv -o "$out/counters-api.csv" >/dev/null 2>&1 &
    "$counters" collect -p "$processor_pid" --duration 00:00:00:30 --format csv -o "$out/counters-processor.csv" >/dev/null 2>&1
    wait ) &
fi
"${bench[@]}" e2e --name drill-soak --api http://127.0.0.1:5080 --key bench-key --rate "${RATE:-100}" --duration "${SECONDS_TO_RUN:-600}" --grace 120 --pg "$PG" --out "$out"
echo "end:   api rss=$(rss_kb "$api_pid") kB fds=$(fds "$api_pid"); processor rss=$(rss_kb "$processor_pid") kB fds=$(fds "$processor_pid")" | tee -a "$out/soak.txt"
