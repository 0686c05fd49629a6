"""Retrain the learned layer: ``python -m ieiwatch.classify.train [--labeled PATH ...]``.

Reads labelled JSONL rows (``title``, ``text``, ``lang``, ``relevant``), scores each
with the rules, fits classify/learned.py's logistic regression on the terms, and writes
classify/data/learned.json (or ``--out``). Same rows, same file. Without ``--labeled``
it trains on the development set (../shared/corpora/labeled/dev.jsonl, when present)
and tests/data/labelled/tuning.jsonl, never on the never-tuned split. Analysts' marks
join with ``ieiwatch items marks > marks.jsonl`` and ``--labeled marks.jsonl``.
Set ``learned_layer: true`` in scoring.yaml to use the model, and bump
CLASSIFIER_VERSION.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .core import rule_terms
from .learned import MODEL_PATH, train

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SETS = (
    REPO.parent / "shared" / "corpora" / "labeled" / "dev.jsonl",
    REPO / "tests" / "data" / "labelled" / "tuning.jsonl",
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labeled", type=Path, action="append", help="labelled JSONL (repeat)")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--l2", type=float, default=0.2)
    args = ap.parse_args(argv)
    paths = args.labeled or [p for p in DEFAULT_SETS if p.is_file()]
    if not paths:
        print("error: no labelled rows (pass --labeled PATH)", file=sys.stderr)
        return 2
    examples = []
    for path in paths:
        if "never_tuned" in path.name:
            print(f"error: {path} is the never-tuned split; do not train on it", file=sys.stderr)
            return 2
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                lang, terms, logit = rule_terms(
                    row.get("title") or "", row.get("text") or "", row.get("lang")
                )
                examples.append((lang, terms, logit, bool(row.get("relevant"))))
    model = train(examples, l2=args.l2, steps=args.steps, trained_on=[p.name for p in paths])
    args.out.write_text(
        json.dumps(model.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"trained on {model.rows} rows from {', '.join(model.trained_on)} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
