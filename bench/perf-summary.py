#!/usr/bin/env python3
"""Summarises `perf script -F comm,pid,tid,ip,sym,period` output of a whole-machine profile (bench/profile.sh).

Writes cpu-by-process.md (sampled CPU per process), top-api.md / top-processor.md (hottest frames, exclusive and
inclusive) and collapsed-<host>.txt (folded stacks for a flame graph). Processes are named from a `ps -eo pid,args`
snapshot taken during the run. Usage: perf-summary.py PERF_TXT PS_TXT OUT_DIR
"""
import collections
import re
import sys


def name_of(args: str) -> str:
    if "ExternalAction.Api.dll" in args:
        return "api"
    if "ExternalAction.Processor.dll" in args:
        return "processor"
    if "ExternalAction.Bench.dll" in args:
        return "load generator"
    if "beam.smp" in args or "rabbitmq" in args:
        return "rabbitmq"
    if args.startswith("postgres"):
        return "postgresql"
    return ""


def frame(sym: str) -> str:
    sym = re.sub(r"\[OptimizedTier1\]|\[Optimized\]|\[QuickJitted\]|\[Tier0\]|\[Tier1\]|\[PreJIT\]|\[OptimizedTier1OSR\]", "", sym).strip()
    sym = re.sub(r"\(.*\)$", "", sym)  # drop parameter lists: the method name is enough to read
    return sym or "[unknown]"


def main(perf_txt: str, ps_txt: str, out: str) -> None:
    processes = {}
    with open(ps_txt, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.strip().split(None, 1)
            if len(parts) == 2 and parts[0].isdigit():
                processes[int(parts[0])] = name_of(parts[1])

    by_process = collections.Counter()
    stacks = {"api": collections.Counter(), "processor": collections.Counter()}
    header = re.compile(r"^(?P<comm>.+?)\s+(?P<pid>-?\d+)/(?P<tid>-?\d+)\s+(?P<period>\d+)")
    total = 0
    current, frames = None, []

    def flush():
        if current is None:
            return
        host, weight = current
        by_process[host] += weight
        if host in stacks and frames:
            stacks[host][";".join(reversed(frames))] += weight

    with open(perf_txt, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.strip():
                flush()
                current, frames = None, []
                continue
            if not line[0].isspace():
                flush()
                frames = []
                m = header.match(line)
                if not m:
                    current = None
                    continue
                pid, comm = int(m["pid"]), m["comm"].strip()
                host = "idle" if pid == 0 else (processes.get(pid) or comm)
                if comm.startswith("postgres"):
                    host = "postgresql"
                current = (host, 1)
                total += 1
            elif current is not None:
                parts = line.strip().split(None, 1)
                frames.append(frame(parts[1]) if len(parts) == 2 else "[unknown]")
    flush()

    with open(f"{out}/cpu-by-process.md", "w", encoding="utf-8") as f:
        f.write(f"| process | samples | share of all CPU sampled |\n|---|---|---|\n")
        for host, n in by_process.most_common(12):
            f.write(f"| {host} | {n} | {100 * n / total:.1f} % |\n")
    for host, folded in stacks.items():
        with open(f"{out}/collapsed-{host}.txt", "w", encoding="utf-8") as f:
            for stack, n in folded.items():
                f.write(f"{stack} {n}\n")
        samples = sum(folded.values())
        if samples == 0:
            continue
        exclusive, inclusive = collections.Counter(), collections.Counter()
        for stack, n in folded.items():
            names = stack.split(";")
            exclusive[names[-1]] += n
            for name in set(names):
                inclusive[name] += n
        with open(f"{out}/top-{host}.md", "w", encoding="utf-8") as f:
            f.write(f"{samples} samples of the {host}\n\n| exclusive | frame |\n|---|---|\n")
            for name, n in exclusive.most_common(25):
                f.write(f"| {100 * n / samples:.1f} % | `{name[:140]}` |\n")
            f.write("\n| inclusive | frame |\n|---|---|\n")
            for name, n in inclusive.most_common(60):
                f.write(f"| {100 * n / samples:.1f} % | `{name[:140]}` |\n")
    print(open(f"{out}/cpu-by-process.md", encoding="utf-8").read())


if __name__ == "__main__":
    main(*sys.argv[1:4])
