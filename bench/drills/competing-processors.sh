#!/usr/bin/env bash
# Scale-out drill 1 (issue 14): two Processor instances consume the same queues as competing consumers; the first is
# killed with SIGKILL 8 s into a 20 s run at 200 req/s and NOT restarted, so the second must take over its unacknowledged
# messages (RabbitMQ redelivers them). Expect 0 lost; duplicates only for requests in the crash window between a callback
# reaching the platform and its row being recorded — at most the killed instance's ConcurrentMessageLimit (32) in
# flight — counted in the report (drill-competing-processors.md: "duplicated", "extra callback copies").
# Usage: [RATE=200] [DURATION=20] [KILL_AFTER=8] bash bench/drills/competing-processors.sh   (PROCESSOR_PORT+1 for the second)
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_up
second_url="http://127.0.0.1:$(( ${PROCESSOR_PORT:-5090} + 1 ))"
start_processor processor2 "$second_url"
echo "drill: processors $(pid_of processor) and $(pid_of processor2) consuming" | tee -a "$out/commands.txt"
( sleep "${KILL_AFTER:-8}"; echo "drill: SIGKILL processor $(pid_of processor) (processor2 $(pid_of processor2) carries on)"; kill -9 "$(pid_of processor)" ) &
killer=$!
# No warm-up, so the kill lands KILL_AFTER s into the measured run.
status=0
tool e2e --name drill-competing-processors --api "$API" --key "$KEY" --rate "${RATE:-200}" --duration "${DURATION:-20}" --warmup 0 \
  --grace 180 --max-duplicates 32 --pg "$PG" --sink-port "$SINK_PORT" --out "$out" || status=1
wait "$killer"   # only the killer: a bare wait would also wait for the hosts
echo "drill: processor2 still running: $(kill -0 "$(pid_of processor2)" 2>/dev/null && echo yes || echo NO)"
exit $status
