#!/usr/bin/env bash
# One command for the benchmark: a real deployment on loopback (see lib.sh) and the bench tool: intake against the
# naive confirm-per-request baseline and the bare floor at the same rates; end to end with outcome accounting;
# closed loop. Results (JSON, Markdown, SVG) land in bench/results/. Bounded in time (about 5 minutes).
# Usage: [RATES=200,500,1000] [DURATION=10] [E2E_RATE=500] [E2E_DURATION=20] bench/run.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_up
# ONLY=e2e runs just the end-to-end measurement (for before/after comparisons).
[ "${ONLY:-}" = e2e ] || "${bench[@]}" all --api http://127.0.0.1:5080 --key bench-key --rabbit "$RABBIT" --rates "${RATES:-200,500,1000}" --duration "${DURATION:-10}" --out "$out"
[ "${PROCESSOR:-1}" = 0 ] && exit 0
"${bench[@]}" e2e --api http://127.0.0.1:5080 --key bench-key --rate "${E2E_RATE:-500}" --duration "${E2E_DURATION:-20}" --grace 60 --pg "$PG" --out "$out"
[ "${ONLY:-}" = e2e ] || "${bench[@]}" max --api http://127.0.0.1:5080 --key bench-key --workers 64 --duration 10 --out "$out"
echo "Results in $out"
