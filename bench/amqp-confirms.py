#!/usr/bin/env python3
"""The broker's confirm latency per client process, from tshark's AMQP fields (bench/intake-wire.sh).

frames.tsv: one line per packet: time, tcp src port, tcp dst port, then per-frame lists joined by ';' (amqp.channel
and amqp.type for every AMQP frame; class and method for each method frame; delivery tag and multiple for the method
frames that carry them). A channel in confirm mode numbers its publishes 1, 2, 3 …; the broker's basic.ack with
delivery tag n (and multiple) confirms n (and every earlier one). Latency = the ack's time on the wire − the publish's.
Only publishes sent after FROM (unix seconds) are counted; the capture must hold every frame of each channel since its
confirm.select (the numbering restarts there). Usage: amqp-confirms.py frames.tsv connections.txt RABBIT_PORT FROM NAME=PID […]
"""
import re
import sys
from collections import defaultdict

frames_path, connections_path, rabbit_port, start = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
names = dict(arg.split("=", 1)[::-1] for arg in sys.argv[5:])  # pid → name

# ss -tnpH: "... 127.0.0.1:54321 127.0.0.1:5672 users:(("dotnet",pid=123,fd=45))" → client port → process name
owner = {}
for line in open(connections_path):
    m = re.search(r"127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:%s\b.*pid=(\d+)" % rabbit_port, line)
    if m:
        owner[m.group(1)] = names.get(m.group(2), "pid " + m.group(2))

pending = defaultdict(dict)    # (client port, channel) → {seq: publish time}
next_seq = defaultdict(int)
latencies = defaultdict(list)  # process → [ms]
by_channel = defaultdict(list)  # (process, client port, channel) → [ms]
unmatched = defaultdict(int)

def split(field):
    return field.split(";") if field else []

for line in open(frames_path):
    parts = line.rstrip("\n").split("\t")
    parts += [""] * (9 - len(parts))
    t, src, dst = float(parts[0]), parts[1], parts[2]
    # Columns (intake-wire.sh): time, src port, dst port, channel, class, method, delivery tag, multiple, type.
    # channel and type have one entry per frame (method, content header, body …); class and method one per method
    # frame; delivery tag and multiple one per frame that carries them. A method frame's channel is the channel of
    # the frame with type 1 at the same position.
    channels, classes, methods = split(parts[3]), split(parts[4]), split(parts[5])
    tags, multiples, ftypes = split(parts[6]), split(parts[7]), split(parts[8])
    client = dst if src == rabbit_port else src
    method_channels = [c for c, ft in zip(channels, ftypes) if ft == "1"]
    ti = mi = 0  # positions in the tag list (ack, nack, deliver, reject) and the multiple list (ack, nack)
    for i, (cls, mth) in enumerate(zip(classes, methods)):
        channel = method_channels[i] if i < len(method_channels) else "?"
        key = (client, channel)
        if cls == "85" and mth == "10" and dst == rabbit_port:      # confirm.select: the channel counts from 1 again
            next_seq[key] = 0
            pending[key].clear()
        elif cls == "60" and mth == "40" and dst == rabbit_port:    # basic.publish
            next_seq[key] += 1
            pending[key][next_seq[key]] = t
        elif cls == "60" and mth in ("80", "120") and src == rabbit_port:  # basic.ack / basic.nack from the broker
            tag = int(tags[ti]); multiple = multiples[mi] in ("1", "True", "true"); ti += 1; mi += 1
            seqs = [s for s in pending[key] if s <= tag] if multiple else ([tag] if tag in pending[key] else [])
            for s in seqs:
                sent = pending[key].pop(s)
                if sent >= start:
                    process = owner.get(client, "port " + client)
                    latencies[process].append((t - sent) * 1000.0)
                    by_channel[(process, client, channel)].append((t - sent) * 1000.0)
        elif cls == "60" and mth in ("60", "90"):           # deliver, reject: a tag, no multiple
            ti += 1
        elif cls == "60" and mth in ("80", "120"):          # a client's own ack or nack (a consumer): a tag and a multiple
            ti += 1; mi += 1

def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")

print("| client process | confirms | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | > 25 ms | > 50 ms |")
print("|---|---|---|---|---|---|---|---|---|")
for process, values in sorted(latencies.items()):
    n = len(values)
    print(f"| {process} | {n} | {pct(values, .5):.2f} | {pct(values, .9):.2f} | {pct(values, .99):.2f} | {pct(values, .999):.2f} | "
          f"{max(values):.1f} | {100.0 * sum(v > 25 for v in values) / n:.2f} % | {100.0 * sum(v > 50 for v in values) / n:.2f} % |")
print("\nBy channel (a process's channels with at least 1,000 confirms: the naive endpoint's pool against its shared channel):\n")
print("| client process | connection port | channel | confirms | p50 ms | p99 ms | p99.9 ms |")
print("|---|---|---|---|---|---|---|")
for (process, client, channel), values in sorted(by_channel.items()):
    if len(values) >= 1000:
        print(f"| {process} | {client} | {channel} | {len(values)} | {pct(values, .5):.2f} | {pct(values, .99):.2f} | {pct(values, .999):.2f} |")
left = sum(1 for p in pending.values() for sent in p.values() if sent >= start)
print(f"\nPublishes without a confirm in the capture: {left}.")
