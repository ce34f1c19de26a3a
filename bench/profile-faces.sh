#!/usr/bin/env bash
# Where the Api's CPU goes while it answers one face or another: runs the `ajo` (or `sfmc`) command at one RATE with the
# Processor stopped (as bench/run.sh ONLY=ajo does) and samples the whole machine with `perf record` inside each window
# named in WINDOWS, e.g. the B2B intake's and the AJO face's at 500 req/s, so their profiles come from one deployment
# minutes apart. Per window it writes $OUT/<window>/ with cpu-by-process.md, top-api.md and api.svg (as bench/profile.sh),
# and $OUT/<command>.md has each window's Api CPU per request (--cpu).
# Bounded: the command's warm-up (15 s per target) plus one DURATION window per target. Loopback only. Needs perf.
# Usage: [COMMAND=ajo|sfmc] [RATE=500] [DURATION=20] [PROFILE_SECONDS=10] [WINDOWS=intake@500,ajo-rules@500] bash bench/profile-faces.sh
export OUT="${OUT:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/results/profile-faces}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v perf >/dev/null || { apt-get install -y -qq linux-perf >/dev/null; }
# W^X double mapping puts JIT code in an anonymous memfd that perf cannot match to the perf map: off while profiling.
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
command="${COMMAND:-ajo}"; rate="${RATE:-500}"; duration="${DURATION:-20}"; seconds="${PROFILE_SECONDS:-10}"
windows="${WINDOWS:-intake@$rate,$command-rules@$rate}"
[ "$seconds" -lt "$duration" ] || { echo "PROFILE_SECONDS must be below DURATION" >&2; exit 2; }
bench_up
stop_processor
extra=(); [ "$command" = sfmc ] && extra=(--secret "$SFMC_SECRET")
tool "$command" --api "$API" --key "$KEY" --rabbit "$RABBIT" --sink-port "$SINK_PORT" --cpu "api=$(pid_of api)" \
  --rates "$rate" --duration "$duration" "${extra[@]}" --out "$out" 2> "$out/tool.log" &
tool_pid=$!
IFS=',' read -r -a labels <<<"$windows"
for label in "${labels[@]}"; do
  # The progress line names the window once it runs; sample from 2 s in, so the window's start is not in the profile.
  until grep -qF "[$label]" "$out/tool.log" 2>/dev/null; do
    kill -0 "$tool_pid" 2>/dev/null || { echo "the $command command ended before window $label" >&2; exit 1; }
    sleep 0.5
  done
  sleep 2
  dir="$out/$label"; mkdir -p "$dir"
  perf record -F 499 -a -g -o "$dir/perf.data" -- sleep "$seconds" 2>"$dir/perf-record.log"
  ps -eo pid=,args= > "$dir/ps.txt"
done
wait "$tool_pid" && status=0 || status=$?
for label in "${labels[@]}"; do
  dir="$out/$label"
  perf script -i "$dir/perf.data" -F comm,pid,tid,ip,sym,period 2>/dev/null > "$dir/perf.txt"
  python3 "$repo/bench/perf-summary.py" "$dir/perf.txt" "$dir/ps.txt" "$dir"
  [ -s "$dir/collapsed-api.txt" ] && { python3 "$repo/bench/flamegraph.py" "$dir/collapsed-api.txt" "$dir/api.svg" --title "Api, $label" || rm -f "$dir/api.svg"; }
  rm -f "$dir/perf.data" "$dir/perf.txt"
done
echo "Profiles in $out/<window>/ (cpu-by-process.md, top-api.md, api.svg); CPU per request in $out/$command.md"
exit $status
