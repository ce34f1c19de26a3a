#!/usr/bin/env python3
# Flame graph SVG from folded stacks, for bench/profile.sh (a small stand-in for Brendan Gregg's flamegraph.pl, which
# no reachable package provides; `npx flamegraph` could not read perf's .NET frame names). Standard library only.
# Input: one stack per line, `frame1;frame2;...;leaf COUNT` (root first), as bench/perf-summary.py writes it.
# Output: the classic flame graph: an "all" root at the bottom, callees above callers, frames merged by identical
# prefix, width proportional to samples, a tooltip per frame. Colours are a hash of the name (stable between runs):
# yellow-amber for .NET managed frames (`... [Assembly] Namespace.Type::Method`), red-orange for kernel/native ones.
# Usage: python3 bench/flamegraph.py collapsed.txt out.svg [--title TEXT] [--min-percent 0.1] [--width 1200]
import argparse
import hashlib
import re
import sys
from xml.sax.saxutils import escape

FRAME_H, FONT_SIZE, FONT_W = 16, 12, 0.59  # row height, font size (px), average glyph width as a share of the size
PAD, HEADER = 10, 44                       # side/bottom margin, height of the title block
MANAGED = re.compile(r"\[[^\]]+\] \S")     # .NET perf-map names carry the assembly in brackets: "[System.Linq] ..."


def parse(path):
    """Merge the stacks into a tree of {name: [samples, children]}; returns (root children, total samples)."""
    root, total = {}, 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            stack, _, count = line.rstrip().rpartition(" ")
            if not stack or not count.isdigit():
                if line.strip():
                    print(f"{path}:{number}: skipped (not `stack COUNT`)", file=sys.stderr)
                continue
            n, level = int(count), root
            total += n
            for name in stack.strip().split(";"):
                node = level.setdefault(name, [0, {}])
                node[0] += n
                level = node[1]
    return root, total


def layout(children, x, depth, minimum, out):
    """Append (x, depth, samples, name) for every frame at least `minimum` samples wide; children in name order."""
    for name in sorted(children):
        samples, grandchildren = children[name]
        if samples >= minimum:
            out.append((x, depth, samples, name))
            layout(grandchildren, x, depth + 1, minimum, out)
        x += samples  # a narrow frame is omitted, but still takes its place so its siblings stay where they belong


def colour(name):
    """A warm colour from a hash of the name: yellow-amber for .NET managed frames, red-orange for the rest."""
    h = hashlib.md5(name.encode("utf-8")).digest()
    v1, v2, v3 = h[0] / 255, h[1] / 255, h[2] / 255
    if name == "all":
        return "rgb(200,200,200)"
    if MANAGED.search(name):
        return f"rgb({225 + int(30 * v1)},{180 + int(50 * v2)},{30 + int(60 * v3)})"
    return f"rgb({205 + int(50 * v1)},{40 + int(80 * v2)},{20 + int(45 * v3)})"


def text(s):
    """XML-escaped text without the control characters XML does not allow."""
    return escape("".join(c if c >= " " or c == "\t" else "?" for c in s))


def render(frames, total, title, width):
    scale = (width - 2 * PAD) / total
    depth = max(d for _, d, _, _ in frames) + 1
    height = HEADER + depth * FRAME_H + 2 * PAD
    svg = [
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
        f'<svg version="1.1" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Verdana, sans-serif" font-size="{FONT_SIZE}">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f8f8f0"/>',
        f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="17">{text(title)}</text>',
        f'<text x="{width / 2}" y="38" text-anchor="middle" fill="#555">{total} samples; hover over a frame for its '
        'full name and share</text>',
    ]
    for x, d, samples, name in frames:
        left, w = PAD + x * scale, samples * scale
        top = height - PAD - (d + 1) * FRAME_H  # the root row at the bottom
        label = f"{name} ({samples} samples, {100 * samples / total:.2f}%)"
        svg.append(f'<g><title>{text(label)}</title><rect x="{left:.2f}" y="{top}" width="{max(w - 0.5, 0.1):.2f}" '
                   f'height="{FRAME_H - 1}" rx="2" fill="{colour(name)}"/>')
        chars = int((w - 6) / (FONT_SIZE * FONT_W))  # what fits, with 3 px of room each side
        if chars >= 3:
            shown = name if len(name) <= chars else name[:chars - 2] + ".."
            svg.append(f'<text x="{left + 3:.2f}" y="{top + FRAME_H - 4.5}">{text(shown)}</text>')
        svg.append("</g>")
    svg.append("</svg>")
    return "\n".join(svg) + "\n"


def main():
    p = argparse.ArgumentParser(description="Flame graph SVG from folded stacks (frame1;frame2;...;leaf COUNT).")
    p.add_argument("input", help="folded stacks, e.g. bench/results/profile/collapsed-processor.txt")
    p.add_argument("output", help="the SVG to write")
    p.add_argument("--title", default="Flame graph")
    p.add_argument("--min-percent", type=float, default=0.1, help="omit frames narrower than this share of all")
    p.add_argument("--width", type=int, default=1200, help="image width in pixels")
    args = p.parse_args()
    children, total = parse(args.input)
    if total == 0:
        sys.exit(f"{args.input}: no samples")
    frames = [(0, 0, total, "all")]
    layout(children, 0, 1, max(total * args.min_percent / 100, 1e-9), frames)
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(render(frames, total, args.title, args.width))


if __name__ == "__main__":
    main()
