#!/usr/bin/env bash
# Where the Api and the Processor allocate during an end-to-end run: dotnet-trace records the runtime's AllocationTick
# events (GC keyword, verbose: one sample per ~100 KB, with its type and stack) of both hosts while `e2e` runs at
# E2E_RATE, after warm_hosts; bench/AllocReport turns each trace into alloc-<host>.md (by type, by the nearest frame
# outside the runtime's own libraries, and inclusive by method), in KB per request from the requests the e2e run sent
# during the trace. Bounded: TRACE_SECONDS (default 15) inside an E2E_DURATION run (default 40). Loopback only.
# Usage: [E2E_RATE=200] [E2E_DURATION=40] [TRACE_SECONDS=15] bash bench/alloc-profile.sh
export OUT="${OUT:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/results/alloc-profile}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trace_tool=${DOTNET_TRACE:-$HOME/.dotnet/tools/dotnet-trace}
[ -x "$trace_tool" ] || dotnet tool install -g dotnet-trace --version 10.0.750501 >/dev/null
bench_up
warm_hosts
rate="${E2E_RATE:-200}"; duration="${E2E_DURATION:-40}"; seconds="${TRACE_SECONDS:-15}"
dotnet build -c Release -v q -nologo "$own/bench/AllocReport/AllocReport.csproj" >/dev/null
tool e2e --name alloc-e2e --api "$API" --key "$KEY" --rate "$rate" --duration "$duration" --grace 60 --pg "$PG" --sink-port "$SINK_PORT" --out "$out" &
tool_pid=$!
sleep "${TRACE_DELAY:-20}"   # past the tool's warm-up and into the measured run
providers="Microsoft-Windows-DotNETRuntime:0x1:5"
trace_pids=()
for host in api processor; do
  rm -f "$out/$host.nettrace" "$out/$host.etlx"
  "$trace_tool" collect -p "$(pid_of "$host")" --providers "$providers" --duration "00:00:00:$seconds" \
    -o "$out/$host.nettrace" > "$out/trace-$host.log" 2>&1 &
  trace_pids+=($!)
done
wait "${trace_pids[@]}"
wait "$tool_pid" && status=0 || status=$?
for host in api processor; do
  dotnet "$own/bench/AllocReport/bin/Release/net10.0/AllocReport.dll" "$out/$host.nettrace" \
    --requests $((rate * seconds)) > "$out/alloc-$host.md"
  echo "## $host"; head -40 "$out/alloc-$host.md"
done
exit $status
