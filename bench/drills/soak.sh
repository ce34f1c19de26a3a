#!/usr/bin/env bash
# Drill 6: soak at a steady rate (default 10 minutes at 100 req/s); reports the Api's and the Processor's working set
# and open handles at the start and the end.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
fds() { ls "/proc/$1/fd" | wc -l; }
echo "start: api ${api_pid} rss=$(rss_kb "$api_pid") kB fds=$(fds "$api_pid"); processor rss=$(rss_kb "$processor_pid") kB fds=$(fds "$processor_pid")" | tee "$out/soak.txt"
"${bench[@]}" e2e --name drill-soak --api http://127.0.0.1:5080 --key bench-key --rate "${RATE:-100}" --duration "${SECONDS_TO_RUN:-600}" --grace 120 --pg "$PG" --out "$out"
echo "end:   api rss=$(rss_kb "$api_pid") kB fds=$(fds "$api_pid"); processor rss=$(rss_kb "$processor_pid") kB fds=$(fds "$processor_pid")" | tee -a "$out/soak.txt"
