"""Classifier throughput: the labelled dev items repeated to 10,000, on one core.

    .venv/bin/python bench/classify_bench.py [--labeled PATH] [--items N]

Prints items/s and peak RSS; the figures are reported, not asserted (goal:
>= 500 items/s).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
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
    classify(rows[0]["title"], rows[0]["text"])  # load and compile the rules outside the timing
    relevant = 0
    start = time.perf_counter()
    for row in itertools.islice(itertools.cycle(rows), args.items):
        relevant += classify(row.get("title") or "", row.get("text") or "").relevant
    elapsed = time.perf_counter() - start
    print(f"items:      {args.items} ({len(rows)} dev items repeated; language detected per item)")
    print(f"relevant:   {relevant}")
    print(f"time:       {elapsed:.2f} s, {where}")
    print(f"throughput: {args.items / elapsed:.0f} items/s (goal >= 500)")
    print(f"peak RSS:   {_peak_rss_mib():.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
