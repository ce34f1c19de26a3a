#!/usr/bin/env bash
# Drill 5: 10,000 mutated and malformed submissions (truncations, type flips, removed fields, huge strings, deep
# nesting, invalid UTF-8, random bytes, strange characters, wrong content types, unknown fields at every level; wrong,
# missing and oversized headers). Expect no answer in the 5xx range, a healthy service afterwards, a bounded working
# set, and every submission answered 200 accounted for: a final row and exactly one callback (or a documented failure
# state), and no message in an _error queue without a status row. A 200 is a promise, so checking the answers alone
# is not enough (docs/benchmarks.md, drill 5).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
api_pid=$(pid_of api)
before=$(rss_kb "$api_pid")
tool fuzz --api "$API" --key "$KEY" --count "${COUNT:-10000}" --grace "${GRACE:-60}" --pg "$PG" --rabbit "$RABBIT" --out "$out" && status=0 || status=$?
after=$(rss_kb "$api_pid")
echo "Api working set: ${before} kB before, ${after} kB after" | tee -a "$out/fuzz.md"
# Every _error queue of the vhost, as an operator would look: one the tool did not read (a consumer added later) with
# messages in it fails the drill too.
errors=$(bash "$repo/infra/rabbitmq.sh" ctl list_queues -p bench name messages --quiet --no-table-headers 2>/dev/null | awk '$1 ~ /_error$/' || true)
{ echo; echo '_error queues (rabbitmqctl list_queues -p bench):'; echo "${errors:-(none)}"; } | tee -a "$out/fuzz.md"
unread=$(echo "$errors" | awk '$1 != "externalaction-process_error" && $2 > 0 {print $1}')
if [ -n "$unread" ]; then
  echo "fuzz: messages in _error queues the tool did not match to rows: $unread" | tee -a "$out/fuzz.md"
  status=1
fi
exit $status
