"""Memory of `ieiwatch classify --input` as the input grows: it should stay flat.

    .venv/bin/python bench/classify_cli_memory.py [--labeled PATH]

Writes the labelled dev items repeated to 1,000 and to 10,000 rows, classifies each file
with the real command in a fresh process, and prints each run's peak RSS and their ratio.
Figures are reported, not asserted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_LABELED = REPO.parent / "shared" / "corpora" / "labeled" / "dev.jsonl"
IEIWATCH = Path(sys.executable).parent / "ieiwatch"
# Runs the command as a child and prints the child's peak RSS in KiB (Linux).
_MEASURE = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _write_rows(items: list[dict], count: int, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i, item in enumerate(itertools.islice(itertools.cycle(items), count)):
            row = {"id": f"{item['id']}-{i}", "title": item["title"], "text": item["text"]}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _peak_rss_mib(rows: Path, out: Path) -> tuple[float, float]:
    start = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _MEASURE,
            str(IEIWATCH),
            "classify",
            "--input",
            str(rows),
            "--output",
            str(out),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(result.stdout.strip().splitlines()[-1]) / 1024, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labeled", type=Path, default=DEFAULT_LABELED)
    args = parser.parse_args()
    if not args.labeled.exists():
        print(f"skipped: no labelled items at {args.labeled}")
        return 0
    items = [json.loads(line) for line in args.labeled.read_text(encoding="utf-8").splitlines()]
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for count in (1_000, 10_000):
            rows, out = Path(tmp) / f"in-{count}.jsonl", Path(tmp) / f"out-{count}.jsonl"
            _write_rows(items, count, rows)
            figures[count] = _peak_rss_mib(rows, out)
            mib, seconds = figures[count]
            print(f"{count:>6} rows: peak RSS {mib:6.1f} MiB, {seconds:5.1f} s")
    ratio = figures[10_000][0] / figures[1_000][0]
    print(f"10,000 rows use {ratio:.2f}x the memory of 1,000 rows (flat is 1.00x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
