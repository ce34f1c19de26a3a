#!/usr/bin/env bash
# The maximum sustainable end-to-end rate (issue 14): `e2e-max` on a fresh deployment per variant, REPS times,
# alternating variants (A B A B …) as bench/compare.sh does, then e2e-max.md with each variant's median maximum, drain
# rate and the ratios to the first variant. A variant is a name and environment settings for bench/lib.sh, e.g.
#   bash bench/e2e-max.sh "before:BENCH_REPO=/tmp/before" "after:"          (old build vs new: git worktree of the old commit)
#   bash bench/e2e-max.sh "processor:" "naive:CONSUMER=naive"                (our Processor vs the naive consumer)
# The hosts come from the variant's checkout (BENCH_REPO); the measuring tool is always this checkout's (older builds
# have no e2e-max), built once here. Per run: e2e-max.json/.md/.svg and e2e-max-timeline.svg (rates and backlog over
# time) in OUT/NAME-REP, with the CPU per request of the Api and the Processor (or naive consumer) at every step.
# Bounded: each step STEP s plus its settle time, the drain after the overload at most DRAIN_TIMEOUT s. Loopback only.
# Usage: [REPS=1] [RATES=] [START=50] [FACTOR=1.5] [MAX_RATE=5000] [STEP=10] [BISECT=2] [DRAIN_TIMEOUT=120] [WARMUP=15]
#        [OUT=bench/results/e2e-max] bash bench/e2e-max.sh VARIANT...      (RATES=100,200,400 overrides START/FACTOR)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
base="${OUT:-$here/results/e2e-max}"
mkdir -p "$base"
: > "$base/runs.tsv"
[ "$#" -ge 1 ] || { echo "usage: bench/e2e-max.sh NAME:VAR=VALUE[,VAR=VALUE] … (one or more variants)" >&2; exit 2; }
dotnet build -c Release -v q -nologo "$here/../tools/Bench/ExternalAction.Bench.csproj" >/dev/null
tool_dll="$here/../tools/Bench/bin/Release/net10.0/ExternalAction.Bench.dll"
for rep in $(seq 1 "${REPS:-1}"); do
  for variant in "$@"; do
    name=${variant%%:*}; settings=${variant#*:}
    echo "== $name (run $rep): ${settings:-defaults}"
    (
      IFS=',' read -r -a assignments <<<"$settings"
      for a in "${assignments[@]}"; do [ -n "$a" ] && export "${a?}"; done
      export OUT="$base/$name-$rep"
      source "$here/lib.sh"
      bench=(dotnet "$tool_dll")   # this checkout's tool, whatever BENCH_REPO says
      bench_up
      warm_hosts   # the steady state, not the JIT (WARM=0 skips it)
      status_args=(--pg "$PG")
      [ "${CONSUMER:-processor}" = naive ] && status_args=()   # the naive consumer writes no status rows
      if [ -n "${RATES:-}" ]; then search=(--rates "$RATES"); else search=(--start "${START:-50}" --factor "${FACTOR:-1.5}" --max-rate "${MAX_RATE:-5000}"); fi
      tool e2e-max --api "$API" --key "$KEY" "${search[@]}" --step "${STEP:-10}" --bisect "${BISECT:-2}" \
        --drain-timeout "${DRAIN_TIMEOUT:-120}" --warmup "${WARMUP:-15}" --grace 120 "${status_args[@]}" \
        --cpu "api=$(pid_of api),processor=$(pid_of processor)" --sink-port "$SINK_PORT" --out "$out" > "$out/e2e-max.log" 2>&1 || true
      python3 - "$out/e2e-max.json" "$name" "$rep" >> "$base/runs.tsv" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
m, acc = result["endToEndMax"], result["accounting"]
best = [s for s in m["steps"] if s["bounded"] and s["rate"] == m["maxRate"]]
at = best[-1] if best else {}
drain = m.get("drain") or {}
cpu = at.get("cpuMsPerRequest") or {}
nan = float("nan")
print("\t".join(str(x) for x in [sys.argv[2], sys.argv[3], m["maxRate"] or 0, drain.get("ratePerSecond", nan), at.get("ackP99Ms", nan),
                                 at.get("e2eP99Ms") or nan, cpu.get("api", nan), cpu.get("processor", nan), acc["lost"], acc["duplicated"]]))
PY
      tail -1 "$base/runs.tsv"
    )
  done
done
python3 - "$base/runs.tsv" "$base/e2e-max.md" "$@" <<'PY'
import math, statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
names = [v.split(":", 1)[0] for v in sys.argv[3:]]
cols = ["max bounded req/s", "drain callbacks/s", "ack p99 ms at max", "e2e p99 ms at max", "Api CPU ms/req at max", "consumer CPU ms/req at max"]
def median(values):
    values = [v for v in values if not math.isnan(v)]
    return statistics.median(values) if values else float("nan")
med = {n: [median(float(r[2 + i]) for r in rows if r[0] == n) for i in range(len(cols))] for n in names}
with open(sys.argv[2], "w") as f:
    f.write("| variant | runs | " + " | ".join(cols) + " | lost | duplicated |\n|" + "---|" * (len(cols) + 4) + "\n")
    for n in names:
        mine = [r for r in rows if r[0] == n]
        f.write(f"| {n} | {len(mine)} | " + " | ".join(f"{v:.3g}" for v in med[n]) + f" | {sum(int(r[-2]) for r in mine)} | {sum(int(r[-1]) for r in mine)} |\n")
    first = names[0]
    for n in names[1:]:
        f.write(f"| {n} ÷ {first} | | " + " | ".join(f"{a / b:.2f}×" if b and not math.isnan(a / b) else "—" for a, b in zip(med[n], med[first])) + " | | |\n")
    f.write("\nMedians of the runs; every run's row is in runs.tsv; each run's steps, drain and plots in NAME-REP/e2e-max.*.\n")
print(open(sys.argv[2]).read())
PY
