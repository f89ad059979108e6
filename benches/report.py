#!/usr/bin/env python3
"""Prints the README's performance tables from criterion's results in target/criterion.

Ratios are of medians measured in the same `cargo bench` run. Usage:
    python3 benches/report.py            # after cargo bench
"""
import json
import os
import sys

ROOT = os.path.join(
    os.environ.get("CARGO_TARGET_DIR")
    or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target"),
    "criterion",
)


def median(group, bench):
    path = os.path.join(ROOT, group, bench, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except OSError:
        return None


def fmt_ns(ns):
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.0f} ns"


def table(groups, cols, ratios):
    print("| body | " + " | ".join(c for c in cols) + " | " + " | ".join(r[0] for r in ratios) + " |")
    print("|" + " --- |" * (1 + len(cols) + len(ratios)))
    for g in groups:
        m = {c: median(g, c) for c in cols}
        # A body needs its floor and classify; the others may be absent (no provider to
        # hint for a body no table knows, no fair naive answer): shown as "-".
        if m.get(cols[0]) is None or m.get(cols[1]) is None:
            continue
        cells = [fmt_ns(m[c]) if m[c] is not None else "-" for c in cols]
        cells += [
            f"{m[a] / m[b]:.2f}x" if m[a] is not None and m[b] is not None else "-"
            for _, a, b in ratios
        ]
        print(f"| {g} | " + " | ".join(cells) + " |")


def main():
    if not os.path.isdir(ROOT):
        sys.exit("no target/criterion: run `cargo bench` first")
    groups = sorted(d for d in os.listdir(ROOT) if not d.startswith(("lookup", "phrase", "scaling", "report")))
    print("### The canonical bodies\n")
    table(
        groups,
        ["ignored_any", "classify", "classify_as", "naive"],
        [
            ("classify / IgnoredAny", "classify", "ignored_any"),
            ("classify_as / IgnoredAny", "classify_as", "ignored_any"),
            ("naive / classify", "naive", "classify"),
        ],
    )
    for prefix, title in [("lookup", "Table lookups"), ("phrase", "Phrase matching")]:
        gs = sorted(d for d in os.listdir(ROOT) if d.startswith(prefix))
        if not gs:
            continue
        print(f"\n### {title}\n")
        for g in gs:
            benches = sorted(b for b in os.listdir(os.path.join(ROOT, g)) if b != "report")
            vals = {b: median(g, b) for b in benches}
            vals = {b: v for b, v in vals.items() if v is not None}
            best = min(vals.values())
            print(f"- `{g}`: " + ", ".join(f"{b} {fmt_ns(v)} ({v / best:.2f}x)" for b, v in sorted(vals.items(), key=lambda kv: kv[1])))
    sizes = ["256B", "4KiB", "64KiB", "1MiB"]
    if any(os.path.isdir(os.path.join(ROOT, f"scaling_{s}")) for s in sizes):
        print("\n### Scaling\n")
        print("| body size | error at | ignored_any | classify | classify / IgnoredAny |")
        print("| --- | --- | --- | --- | --- |")
        for size in sizes:
            for place in ["end", "start"]:
                a = median(f"scaling_{size}", os.path.join("ignored_any", place))
                b = median(f"scaling_{size}", os.path.join("classify", place))
                if a and b:
                    print(f"| {size} | {place} | {fmt_ns(a)} | {fmt_ns(b)} | {b / a:.2f}x |")

main()
