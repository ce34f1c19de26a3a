#!/usr/bin/env bash
# Where the CPU goes during an end-to-end run: `perf record` samples every process on the machine (load generator,
# Api, Processor, RabbitMQ, PostgreSQL) while `e2e` runs at E2E_RATE; the .NET hosts write perf maps so JIT-compiled
# frames have names. Writes to $OUT (default bench/results/profile):
#   cpu-by-process.md   share of the sampled CPU per process (and idle)
#   top-<host>.md       the hottest frames of the Api and the Processor (exclusive and inclusive)
#   <host>.svg          a flame graph of each .NET host (bench/flamegraph.py, from collapsed-<host>.txt)
# Bounded: PROFILE_SECONDS of sampling (default 12) inside an E2E_DURATION run (default 20). Loopback only.
# Needs perf (Debian: linux-perf). Usage: [E2E_RATE=500] [E2E_DURATION=20] [PROFILE_SECONDS=12] bash bench/profile.sh
export OUT="${OUT:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/results/profile}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v perf >/dev/null || { apt-get install -y -qq linux-perf >/dev/null; }
# W^X double mapping puts JIT code in an anonymous memfd that perf cannot match to the perf map: off while profiling.
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
bench_up
warm_hosts   # sampled after the tiered JIT is quiet (WARM=0 profiles a fresh host)
rate="${E2E_RATE:-500}"; duration="${E2E_DURATION:-20}"; seconds="${PROFILE_SECONDS:-12}"
tool e2e --name profile-e2e --api "$API" --key "$KEY" --rate "$rate" --duration "$duration" --grace 60 --pg "$PG" --sink-port "$SINK_PORT" --out "$out" &
tool_pid=$!
sleep "${PROFILE_DELAY:-22}"   # past the warm-up (15 s) and into the measured run: the steady state, not the JIT
perf record -F 499 -a -g -o "$out/perf.data" -- sleep "$seconds" 2>"$out/perf-record.log"
ps -eo pid=,args= > "$out/ps.txt"   # which process each sampled pid was (the load generator is still draining)
wait "$tool_pid" && status=0 || status=$?
# perf script needs the maps of processes that are still alive or whose map file remains in /tmp.
perf script -i "$out/perf.data" -F comm,pid,tid,ip,sym,period 2>/dev/null > "$out/perf.txt"
python3 "$repo/bench/perf-summary.py" "$out/perf.txt" "$out/ps.txt" "$out"
for host in api processor; do
  if [ -s "$out/collapsed-$host.txt" ]; then
    python3 "$repo/bench/flamegraph.py" "$out/collapsed-$host.txt" "$out/$host.svg" \
      --title "${host^}, e2e at $rate req/s" || rm -f "$out/$host.svg"
  fi
done
echo "Profile in $out (cpu-by-process.md, top-*.md, *.svg)"
exit $status
