#!/usr/bin/env bash
# Drill 6: soak at a steady rate (default 10 minutes at 100 req/s, bounded by SECONDS_TO_RUN). Every SAMPLE_SECONDS
# (default 30) it records the Api's and the Processor's working set, open file descriptors and threads in
# soak-samples.tsv, so flatness is shown, not inferred from two points; soak.txt has the first and last samples and,
# per host, the growth over the second half of the run (after the GC heaps and pools have sized themselves).
# Ends with the outcome accounting (0 lost, 0 duplicated).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
api_pid=$(pid_of api); processor_pid=$(pid_of processor)
threads() { awk '/^Threads/ {print $2}' "/proc/$1/status"; }
sample() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$(rss_kb "$api_pid")" "$(fds "$api_pid")" "$(threads "$api_pid")" \
    "$(rss_kb "$processor_pid")" "$(fds "$processor_pid")" "$(threads "$processor_pid")"
}
printf 'seconds\tapi_rss_kb\tapi_fds\tapi_threads\tprocessor_rss_kb\tprocessor_fds\tprocessor_threads\n' > "$out/soak-samples.tsv"
sample 0 >> "$out/soak-samples.tsv"
( start=$SECONDS
  while kill -0 "$api_pid" 2>/dev/null && kill -0 "$processor_pid" 2>/dev/null; do
    sleep "${SAMPLE_SECONDS:-30}"
    sample $((SECONDS - start)) >> "$out/soak-samples.tsv" 2>/dev/null || break
  done ) &
sampler=$!
# Optional runtime counters (dotnet tool install -g dotnet-counters): 30 s of each host, a minute into the run.
if command -v dotnet-counters >/dev/null 2>&1 || [ -x "$HOME/.dotnet/tools/dotnet-counters" ]; then
  counters=$(command -v dotnet-counters || echo "$HOME/.dotnet/tools/dotnet-counters")
  ( sleep 60
    "$counters" collect -p "$api_pid" --duration 00:00:00:30 --format csv -o "$out/counters-api.csv" >/dev/null 2>&1 &
    "$counters" collect -p "$processor_pid" --duration 00:00:00:30 --format csv -o "$out/counters-processor.csv" >/dev/null 2>&1
    wait ) &
fi
tool e2e --name drill-soak --api "$API" --key "$KEY" --rate "${RATE:-100}" --duration "${SECONDS_TO_RUN:-600}" --grace 120 --pg "$PG" --out "$out" && status=0 || status=$?
kill "$sampler" 2>/dev/null || true
sample end >> "$out/soak-samples.tsv"
python3 - "$out/soak-samples.tsv" > "$out/soak.txt" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])][1:]
timed = [r for r in rows if r[0] != "end"]
half = [r for r in timed if int(r[0]) >= int(timed[-1][0]) / 2] or timed
print(f"samples: {len(rows)}; first: {rows[0]}; last: {rows[-1]}")
for name, col in (("api", 1), ("processor", 4)):
    rss = [int(r[col]) / 1024 for r in half]
    fds = [int(r[col + 1]) for r in half]
    thr = [int(r[col + 2]) for r in half]
    print(f"{name}: second half of the run ({half[0][0]}–{half[-1][0]} s): working set {rss[0]:.0f} → {rss[-1]:.0f} MB "
          f"(min {min(rss):.0f}, max {max(rss):.0f}); fds {fds[0]} → {fds[-1]} (max {max(fds)}); threads {thr[0]} → {thr[-1]} (max {max(thr)})")
PY
cat "$out/soak.txt"
exit $status
