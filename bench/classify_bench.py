"""Classifier throughput: the labelled dev items repeated to 10,000, on one core.

    .venv/bin/python bench/classify_bench.py [--labeled PATH] [--items N] [--rounds R]

Prints items/s of each of R rounds (the items split between them), the best and the
median, and peak RSS; the figures are reported, not asserted (goal: >= 500 items/s).
The best round is what the code costs: a shared machine only ever slows a round down.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_LABELED = REPO.parent / "shared" / "corpora" / "labeled" / "dev.jsonl"


def _pin_to_one_core() -> str:
    # The goal is per core; pinning keeps a busy machine from blurring it.
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is KiB on Linux, bytes on macOS.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labeled", type=Path, default=DEFAULT_LABELED)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.labeled.is_file():
        print(f"skipped: {args.labeled} not found (pass --labeled PATH)")
        return 0
    from ieiwatch.classify import classify

    rows = [json.loads(line) for line in args.labeled.open(encoding="utf-8") if line.strip()]
    if not rows:
        print(f"skipped: {args.labeled} holds no items")
        return 0
    where = _pin_to_one_core()
    for title in ("合作", "cooperation"):  # both languages' rules built outside the timing
        classify(title, "")
    items = list(itertools.islice(itertools.cycle(rows), args.items))
    rounds = max(1, min(args.rounds, len(items)))
    relevant, elapsed = 0, 0.0
    rates: list[float] = []
    for n in range(rounds):
        part = items[n * len(items) // rounds : (n + 1) * len(items) // rounds]
        start = time.perf_counter()
        for row in part:
            relevant += classify(row.get("title") or "", row.get("text") or "").relevant
        took = time.perf_counter() - start
        elapsed += took
        rates.append(len(part) / took)
    print(f"items:      {len(items)} ({len(rows)} dev items repeated; language detected per item)")
    print(f"relevant:   {relevant}")
    print(f"time:       {elapsed:.2f} s in {rounds} rounds, {where}")
    print(f"rounds:     {', '.join(f'{r:.0f}' for r in rates)} items/s")
    print(
        f"throughput: {max(rates):.0f} items/s best round, {statistics.median(rates):.0f} median"
        " (goal >= 500)"
    )
    print(f"peak RSS:   {_peak_rss_mib():.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
