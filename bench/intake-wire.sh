#!/usr/bin/env bash
# Where the intake's publish waits, read off the wire: the intake alone (Processor stopped) beside the naive
# confirm-per-request endpoint (a process of its own) in `all` rounds at RATE, with every AMQP frame between the
# clients and the broker captured on loopback (dumpcap). bench/amqp-confirms.py then gives, per client process, the
# broker's confirm latency: from a basic.publish frame on the wire to the basic.ack that covers its delivery tag. If
# the Api's publishes wait as long at the broker as its requests wait in Publish, the tail is the broker's; if not, it
# is on our side of the socket (MassTransit, RabbitMQ.Client, the thread pool). Bounded: the warm-up (15 s) plus
# ROUNDS × 3 windows of DURATION. Loopback only. The capture (amqp.pcapng) holds the broker login and every message
# body (the bench's tokens among them): it stays in $OUT (bench/results is not committed); delete it after reading. Usage: [RATE=500] [DURATION=10] [ROUNDS=3] bash bench/intake-wire.sh
export OUT="${OUT:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/results/intake-wire}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v dumpcap >/dev/null && command -v tshark >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tshark >/dev/null
rate="${RATE:-500}"; duration="${DURATION:-10}"; rounds="${ROUNDS:-3}"
# From before the hosts start: a channel's delivery tags count its publishes from its confirm.select, so the capture
# must see every publish of a channel to pair them with the broker's acks (only those after the warm-up are counted).
rm -f "$out/amqp.pcapng"
dumpcap -q -i lo -f "tcp port $RABBIT_PORT" -w "$out/amqp.pcapng" 2>"$out/dumpcap.log" &
capture=$!
bench_up
stop_processor
start_naive_endpoint
tool intake --api "$API" --key "$KEY" --rate 100 --duration 15 --warmup 0 --name warm --out "$out/warm" >/dev/null
date +%s.%N > "$out/measured-from.txt"
# Which client process holds which connection (local port → pid), read while the load runs.
ss -tnpH state established "( dport = :$RABBIT_PORT )" > "$out/connections.txt"
tool all --api "$API" --key "$KEY" --rabbit "$RABBIT" --naive "$NAIVE_URL" --naive-shaped --rates "$rate" --duration "$duration" --rounds "$rounds" \
  --out "$out" > "$out/all.log" 2>&1 && status=0 || status=$?
ss -tnpH state established "( dport = :$RABBIT_PORT )" >> "$out/connections.txt"
kill -INT "$capture"; wait "$capture" 2>/dev/null || true
tshark -r "$out/amqp.pcapng" -Y amqp -T fields -E occurrence=a -E aggregator=';' \
  -e frame.time_epoch -e tcp.srcport -e tcp.dstport -e amqp.channel -e amqp.method.class -e amqp.method.method \
  -e amqp.method.arguments.delivery_tag -e amqp.method.arguments.multiple -e amqp.type > "$out/frames.tsv" 2>"$out/tshark.log"
python3 "$repo/bench/amqp-confirms.py" "$out/frames.tsv" "$out/connections.txt" "$RABBIT_PORT" "$(cat "$out/measured-from.txt")" \
  "api=$(pid_of api)" "naive=$(pid_of naive)" > "$out/confirms.md"
grep -E "^\| (floor|naive|intake)" "$out/all.md" 2>/dev/null | head -6 || true
cat "$out/confirms.md"
exit $status
