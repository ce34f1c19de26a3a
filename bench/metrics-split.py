#!/usr/bin/env python3
"""Where the time of a slow answer goes, from two scrapes of the Api's /metrics taken before and after a load run.

For each histogram named on the command line, the requests recorded between the two scrapes: their count, the bucket
that holds the 50th, 90th, 99th and 99.9th percentiles, and the share above 25, 50 and 100 ms. Read beside the load
generator's own percentiles: http_server_request_duration_seconds is the time inside Kestrel and the app,
externalaction_intake_publish_duration_seconds the broker's confirm alone (bench/intake-tail.sh).
Usage: metrics-split.py BEFORE.txt AFTER.txt METRIC[{label="value",...}] ...
"""
import re
import sys

# name, then labels (quoted values may hold braces, e.g. a route template), then the value
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?\s+(\S+)')


def parse(path):
    samples = {}
    for line in open(path, encoding="utf-8"):
        match = SAMPLE.match(line)
        if match and not line.startswith("#"):
            samples[(match.group(1), match.group(2) or "")] = float(match.group(3))
    return samples


def labels_of(text):
    return dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', text))


def buckets(samples, metric, wanted):
    """Cumulative bucket counts of `metric` over every series whose labels include `wanted`, summed by bound."""
    by_bound = {}
    for (name, labels), value in samples.items():
        if name != metric + "_bucket":
            continue
        parsed = labels_of(labels)
        if any(parsed.get(k) != v for k, v in wanted.items()):
            continue
        bound = float("inf") if parsed["le"] == "+Inf" else float(parsed["le"])
        by_bound[bound] = by_bound.get(bound, 0) + value
    return by_bound


def describe(before, after, spec):
    metric, _, selector = spec.partition("{")
    wanted = labels_of("{" + selector) if selector else {}
    start, end = buckets(before, metric, wanted), buckets(after, metric, wanted)
    bounds = sorted(end)
    counts = [(b, end[b] - start.get(b, 0)) for b in bounds]
    total = counts[-1][1] if counts else 0
    if total <= 0:
        return f"| {spec} | 0 | | | | | | | |"
    def bucket_of(share):
        previous = 0.0
        for bound, cumulative in counts:
            if cumulative >= share * total:
                upper = "∞" if bound == float("inf") else f"{bound * 1000:g}"
                return f"{previous * 1000:g}–{upper}"
            previous = bound
        return "?"
    def above(ms):
        # Exact where ms is a bucket bound of the histogram (25, 50 and 100 ms are, in both of bench/intake-tail.sh's);
        # otherwise the share above the next lower bound.
        at = max((c for b, c in counts if b <= ms / 1000 + 1e-12), default=0)
        return f"{100 * (total - at) / total:.2f} %"
    return (f"| {spec} | {total:.0f} | {bucket_of(0.5)} | {bucket_of(0.9)} | {bucket_of(0.99)} | {bucket_of(0.999)} "
            f"| {above(25)} | {above(50)} | {above(100)} |")


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    before, after = parse(sys.argv[1]), parse(sys.argv[2])
    print("| histogram | recorded | p50 bucket ms | p90 bucket ms | p99 bucket ms | p99.9 bucket ms | > 25 ms | > 50 ms | > 100 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for spec in sys.argv[3:]:
        print(describe(before, after, spec))


if __name__ == "__main__":
    main()
