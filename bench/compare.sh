#!/usr/bin/env bash
# Before/after in one session: runs `e2e` on a fresh deployment for each variant, REPS times, alternating variants
# (A B A B …) so that drift of the machine hits both alike. A variant is a name and environment settings for
# bench/lib.sh and the hosts, e.g.
#   bash bench/compare.sh "tls:PG_SSL_MODE=Prefer" "no-tls:PG_SSL_MODE=Disable"
#   bash bench/compare.sh "no-prepare:PG_EXTRA=;Max Auto Prepare=0" "prepare:"
# For each run it records ack and end-to-end percentiles, the CPU each server process used per acknowledged
# request (user + system, from /proc, from the end of the warm-up to the end of the run) and PostgreSQL's write
# transactions per acknowledged request (transaction ids taken over the same span) and the KB each host allocated per
# acknowledged request (externalaction.process.allocated on /metrics, see AllocationMetric), then writes compare.md with the medians
# and the ratios to the first variant. Bounded: about 75 s per run. Loopback only.
# MODE=intake compares the intake alone instead (no Processor, as the naive baseline is measured): `all` at RATE
# (default 1000) req/s, i.e. floor, naive confirm-per-request endpoint and our intake in the same run, recording the
# intake's ack percentiles, its p99 as a ratio to the naive endpoint's, and the Api's CPU per request.
# A variant may run another checkout's build: "before:BENCH_REPO=/tmp/before" (a git worktree of the older commit).
# "naive:CONSUMER=naive" runs the bench tool's naive consumer in the Processor's place (its CPU lands in the Processor
# column; accounted from the callbacks alone, as it writes no status rows): `bash bench/compare.sh "processor:" "naive:CONSUMER=naive"`
# gives the issue 14 ratio "Processor CPU per request ÷ naive consumer's" in one session.
# In MODE=intake the naive endpoint runs as a process of its own (start_naive_endpoint), and the tool records the CPU
# per request of the Api over the intake step and of the naive endpoint over the naive step (--cpu, same /proc counters).
# In MODE=e2e each run first warms its hosts until their tiered JIT is quiet (lib.sh warm_hosts; WARM=0 skips it).
# ALLOCATIONS=1 fills the allocation columns (the hosts' AllocationMetric; it costs the Api about 0.1 ms of CPU per
# request, so CPU comparisons leave it off). PG_SETUP=SQL runs on the bench database after migration, before the load (a schema what-if); each run's
# hot-updates.txt has PostgreSQL's count of the status row's updates and of those that were HOT.
# RABBIT_POLICY=JSON is a RabbitMQ policy on every queue of the run's vhost, set before the hosts declare them (a broker
# what-if, e.g. "cqv2:RABBIT_POLICY={\"queue-version\":2}", bench/lib.sh).
# NAIVE_QUEUE_TYPE=quorum declares the naive endpoint's queue as a quorum queue (classic by default), for a variant that
# runs the Api with ExternalAction__RabbitMq__QuorumQueues=true against a baseline on the same queue type.
# Usage: [MODE=e2e|intake] [REPS=2] [E2E_RATE=500] [E2E_DURATION=20] [RATE=1000] [DURATION=10] [OUT=bench/results/compare]
#        bash bench/compare.sh VARIANT...
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
base="${OUT:-$here/results/compare}"
mkdir -p "$base"
: > "$base/runs.tsv"
[ "$#" -ge 2 ] || { echo "usage: bench/compare.sh NAME:VAR=VALUE[,VAR=VALUE] NAME:… (two or more variants)" >&2; exit 2; }
for rep in $(seq 1 "${REPS:-2}"); do
  for variant in "$@"; do
    name=${variant%%:*}; settings=${variant#*:}
    echo "== $name (run $rep): ${settings:-defaults}"
    (
      IFS=',' read -r -a assignments <<<"$settings"
      for a in "${assignments[@]}"; do [ -n "$a" ] && export "${a?}"; done
      export OUT="$base/$name-$rep"
      source "$here/lib.sh"
      [ "${MODE:-e2e}" = intake ] && export PROCESSOR=0
      bench_up
      # PG_SETUP: SQL run on the bench database once the hosts have migrated it, before any load (a what-if on the
      # schema, e.g. "hot:PG_SETUP=DROP INDEX ix_action_requests_status"; no commas: they separate settings).
      if [ -n "${PG_SETUP:-}" ]; then PGPASSWORD=postgres psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$db" -q -v ON_ERROR_STOP=1 -c "$PG_SETUP"; fi
      hz=$(getconf CLK_TCK)
      if [ "${MODE:-e2e}" = intake ]; then
        start_naive_endpoint
        before=$(cpu_ticks "$(pid_of api)")
        tool all --api "$API" --key "$KEY" --rabbit "$RABBIT" --naive "$NAIVE_URL" --cpu "api=$(pid_of api),naive=$(pid_of naive)" \
          --rates "${RATE:-1000}" --duration "${DURATION:-10}" --out "$out" > "$out/all.log" 2>&1 || true
        after=$(cpu_ticks "$(pid_of api)")
        python3 - "$out/all.json" "$name" "$rep" "$hz" "$before" "$after" >> "$base/runs.tsv" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
name, rep, hz, before, after = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
runs = {r["name"].split("@")[0]: r for r in result["runs"]}
intake, naive = runs["intake"], runs["naive"]
# The Api works only during the intake step (its warm-up included): CPU per request it answered.
cpu = 1000.0 * (after - before) / hz / max(1, intake["sent"])
# Per step, from the tool's --cpu: the Api over the intake step, the naive endpoint's process over the naive step.
step_api = (intake.get("cpuMsPerRequest") or {}).get("api", float("nan"))
step_naive = (naive.get("cpuMsPerRequest") or {}).get("naive", float("nan"))
print("\t".join(str(x) for x in [name, rep, intake["p50Ms"], intake["p99Ms"], intake["p999Ms"], naive["p99Ms"],
                                 f"{intake['p99Ms'] / naive['p99Ms']:.3f}", f"{intake['throughput'] / naive['throughput']:.3f}", f"{cpu:.3f}",
                                 f"{step_naive:.3f}", f"{step_api / step_naive:.3f}" if step_naive > 0 else "nan", 0, 0]))
PY
        tail -1 "$base/runs.tsv"
        exit 0
      fi
      warm_hosts
      api=$(pid_of api); processor=$(pid_of processor)
      # The last figure is PostgreSQL's next transaction id: every write transaction takes one (reads take none, so the
      # tool's own status look-ups do not count), which gives the write transactions per request.
      xid() { PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT pg_current_xact_id()::text"; }
      # Bytes each host allocated since it started (the runtime's System.Runtime meter on /metrics); nan where a host has
      # no such metric (the naive consumer, a build from before it was exported).
      # AllocationMetric's count (the sum of the runtime's allocation samples; ALLOCATIONS=1 switches it on, at a CPU
      # cost). Without it, or in an older build, nan: the runtime's own counts mislead on a server-GC host (AllocationMetric).
      allocated() { curl -sf --max-time 5 "$1/metrics" | awk '/^externalaction_process_allocated_bytes_total/ {print $NF; found=1} END {if (!found) print "nan"}'; }
      sample() { echo "$(cpu_ticks "$api") $(cpu_ticks "$processor") $(cpu_ticks_named postgres) $(cpu_ticks_named beam.smp) $(xid) $(allocated "$API") $(allocated "$PROCESSOR_URL")"; }
      status_args=(--pg "$PG")
      [ "${CONSUMER:-processor}" = naive ] && status_args=()   # the naive consumer writes no status rows
      tool e2e --name compare --api "$API" --key "$KEY" --rate "${E2E_RATE:-500}" --duration "${E2E_DURATION:-20}" --grace 60 "${status_args[@]}" --sink-port "$SINK_PORT" --out "$out" > "$out/e2e.log" 2>&1 &
      # CPU is counted from the end of the 15 s warm-up (JIT) to the end of the run, per measured request.
      sleep 16; before=$(sample)
      wait $! || true
      after=$(sample)
      printf 'before %s\nafter %s\n' "$before" "$after" > "$out/samples.txt"   # the raw counters, for auditing a figure
      # How many of the status row's updates were HOT (no index entries written): PostgreSQL's own counters.
      PGPASSWORD=postgres psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$db" -tAc \
        "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'action_requests'" > "$out/hot-updates.txt" 2>/dev/null || true
      python3 - "$out/compare.json" "$name" "$rep" "$hz" "$before" "$after" >> "$base/runs.tsv" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
name, rep, hz = sys.argv[2], sys.argv[3], int(sys.argv[4])
before, after = [float(x) for x in sys.argv[5].split()], [float(x) for x in sys.argv[6].split()]
runs = {r["name"].split("@")[0]: r for r in result["runs"]}
acc = result["accounting"]
ack, e2e = runs["intake-ack"], runs["end-to-end"]
cpu = [1000.0 * (a - b) / hz / ack["sent"] for a, b in zip(after[:4], before[:4])]
xacts = (after[4] - before[4] - 1) / ack["sent"]  # the second sample's own id not counted
allocated = [(a - b) / 1024 / ack["sent"] for a, b in zip(after[5:7], before[5:7])]  # KB per request (nan stays nan)
print("\t".join(str(x) for x in [name, rep, ack["p50Ms"], ack["p99Ms"], e2e["p50Ms"], e2e["p99Ms"], *(f"{c:.3f}" for c in cpu), f"{xacts:.3f}",
                                 *(f"{k:.1f}" for k in allocated), acc["lost"], acc["duplicated"]]))
PY
      tail -1 "$base/runs.tsv"
    )
  done
done
python3 - "$base/runs.tsv" "$base/compare.md" "$@" <<'PY'
import math, os, statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
names = [v.split(":", 1)[0] for v in sys.argv[3:]]
cols = ["ack p50 ms", "ack p99 ms", "e2e p50 ms", "e2e p99 ms", "Api CPU ms/req", "Processor (or naive consumer) CPU ms/req", "PostgreSQL CPU ms/req", "RabbitMQ CPU ms/req",
        "PostgreSQL write transactions/req", "Api KB allocated/req", "Processor KB allocated/req"]
if os.environ.get("MODE") == "intake":
    cols = ["ack p50 ms", "ack p99 ms", "ack p99.9 ms", "naive p99 ms", "p99 ÷ naive p99", "throughput ÷ naive", "Api CPU ms/req",
            "naive endpoint CPU ms/req", "Api ÷ naive CPU (per step)"]
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
    f.write("\nMedians of the runs; every run's row is in runs.tsv (variant, run, the columns above, lost, duplicated).\n")
print(open(sys.argv[2]).read())
PY
