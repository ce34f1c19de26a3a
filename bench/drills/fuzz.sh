#!/usr/bin/env bash
# Drill 5: 10,000 mutated and malformed submissions (truncations, type flips, huge strings, deep nesting, invalid
# UTF-8, wrong content types, random bytes). Expect no 5xx, a healthy service afterwards, bounded memory.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
before=$(rss_kb "$api_pid")
"${bench[@]}" fuzz --api http://127.0.0.1:5080 --key bench-key --count "${COUNT:-10000}" --out "$out"
after=$(rss_kb "$api_pid")
echo "Api working set: ${before} kB before, ${after} kB after" | tee -a "$out/fuzz.md"
