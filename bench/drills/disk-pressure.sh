#!/usr/bin/env bash
# Drill 5: disk pressure. The same e2e run (RATE req/s for DURATION s after the warm-up) without and with competing
# writers on the database's file system (PRESSURE_WRITERS loops of dd writing 16 MB in PRESSURE_BLOCK blocks with
# O_DSYNC, so every block waits for the disk like a commit does: small blocks press on the flushes, large ones on the
# bandwidth), alternated REPS times on one deployment: how far ack and end-to-end latency fall under the pressure,
# how much the writers pushed through, and that nothing is lost or duplicated (each run's accounting). Prints one line
# per run and a summary of the medians. Bounded: about (DURATION + 50 s) per run.
# Usage: [RATE=150] [DURATION=20] [REPS=2] [PRESSURE_DIR=/var/lib/postgresql] [PRESSURE_WRITERS=2] [PRESSURE_BLOCK=8k]
#        bash bench/drills/disk-pressure.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
dir=${PRESSURE_DIR:-/var/lib/postgresql}
junk="$dir/externalaction-disk-pressure"
block=${PRESSURE_BLOCK:-8k}
blocks=$(python3 -c "import sys; b = sys.argv[1]; n = int(b[:-1]) * {'k': 1024, 'M': 1 << 20}[b[-1]] if b[-1] in 'kM' else int(b); print(max(1, (16 << 20) // n))" "$block")
: > "$out/runs.tsv"
writers=()
stop_writer() {
  for w in "${writers[@]}"; do kill "$w" 2>/dev/null || true; done
  for w in "${writers[@]}"; do wait "$w" 2>/dev/null || true; done
  writers=(); rm -f "$junk".*
}
trap 'stop_writer; bench_down' EXIT   # lib.sh's own trap stops the hosts
for rep in $(seq 1 "${REPS:-2}"); do
  for variant in quiet pressure; do
    name="disk-$variant-$rep"
    if [ "$variant" = pressure ]; then
      for i in $(seq 1 "${PRESSURE_WRITERS:-2}"); do
        ( n=0; start=$(date +%s.%N)
          trap 'python3 -c "import sys; print(f\"{int(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2])):.1f}\")" "$n" "$start" "$(date +%s.%N)" > "$out/$name.mbps.$i"; exit 0' TERM
          while :; do dd if=/dev/zero of="$junk.$i" bs="$block" count="$blocks" oflag=dsync status=none; n=$((n + 16)); done ) &
        writers+=($!)
      done
    fi
    tool e2e --name "$name" --api "$API" --key "$KEY" --rate "${RATE:-150}" --duration "${DURATION:-20}" --grace 120 --pg "$PG" \
      --out "$out" > "$out/$name.log" 2>&1 || true
    stop_writer
    python3 - "$out/$name.json" "$variant" "$rep" "$out/$name.mbps" >> "$out/runs.tsv" <<'PY'
import json, os, sys
result = json.load(open(sys.argv[1]))
runs = {r["name"].split("@")[0]: r for r in result["runs"]}
ack, e2e, acc = runs["intake-ack"], runs["end-to-end"], result["accounting"]
import glob
mbps = f"{sum(float(open(f).read()) for f in glob.glob(sys.argv[4] + '.*')):.1f}"
print("\t".join(str(x) for x in [sys.argv[2], sys.argv[3], ack["p50Ms"], ack["p99Ms"], e2e["p50Ms"], e2e["p99Ms"], mbps,
                                 acc["acknowledged"], acc["lost"], acc["duplicated"]]))
PY
    tail -1 "$out/runs.tsv"
  done
done
python3 - "$out/runs.tsv" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
cols = ["ack p50 ms", "ack p99 ms", "e2e p50 ms", "e2e p99 ms", "writers MB/s"]
med = {v: [statistics.median(float(r[2 + i]) for r in rows if r[0] == v) for i in range(len(cols))] for v in ("quiet", "pressure")}
print("| variant | " + " | ".join(cols) + " | acknowledged | lost | duplicated |")
print("|" + "---|" * (len(cols) + 4))
for v in ("quiet", "pressure"):
    mine = [r for r in rows if r[0] == v]
    print(f"| {v} | " + " | ".join(f"{x:.3g}" for x in med[v]) + f" | {sum(int(r[7]) for r in mine)} | {sum(int(r[8]) for r in mine)} | {sum(int(r[9]) for r in mine)} |")
print("| pressure ÷ quiet | " + " | ".join(f"{a / b:.2f}×" if b else "—" for a, b in zip(med["pressure"][:4], med["quiet"][:4])) + " | | | | |")
lost = sum(int(r[8]) for r in rows)
sys.exit(1 if lost else 0)
PY
