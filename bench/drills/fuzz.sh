#!/usr/bin/env bash
# Drill 5: 10,000 mutated and malformed submissions (truncations, type flips, removed fields, huge strings, deep
# nesting, invalid UTF-8, random bytes, strange characters, wrong content types; wrong, missing and oversized
# headers). Expect no answer in the 5xx range, a healthy service afterwards, and a bounded working set.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
api_pid=$(pid_of api)
before=$(rss_kb "$api_pid")
tool fuzz --api "$API" --key "$KEY" --count "${COUNT:-10000}" --out "$out" && status=0 || status=$?
after=$(rss_kb "$api_pid")
echo "Api working set: ${before} kB before, ${after} kB after" | tee -a "$out/fuzz.md"
exit $status
