"""Retrain the learned layer: ``python -m ieiwatch.classify.train [--labeled PATH ...]``.

Reads labelled JSONL rows (``title``, ``text``, ``lang``, ``relevant``), scores each
with the rules, fits classify/learned.py's logistic regression on the terms, and writes
classify/data/learned.json (or ``--out``). Same rows, same file. Without ``--labeled``
it trains on the development set (../shared/corpora/labeled/dev.jsonl, when present)
and tests/data/labelled/tuning.jsonl, never on the never-tuned split. Analysts' marks
join with ``ieiwatch items marks > marks.jsonl`` and ``--labeled marks.jsonl``.
Set ``learned_layer: true`` in scoring.yaml to use the model, and bump
CLASSIFIER_VERSION. ``--text`` also trains the text layer (the words of the headline and
the body's opening, jointly with the terms; see classify/learned.py) with ``--l2-text``.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from .core import learned_inputs, rules_type
from .learned import MODEL_PATH, Model, TextConfig, train, train_joint, train_types

REPO = Path(__file__).resolve().parent.parent
# The text layer's settings, chosen by site-grouped cross-validation (classify/crossval.py).
TEXT_L2 = 1e-5
TEXT_STEPS = 400
TYPE_STEPS = 300
TYPE_LANGS = ("en",)
"""Where the learned type layer overrules the rules' type (cross-validation: English
gained, Chinese did not)."""
MIN_GRAMS = 16
"""A zone of the text layer counts at least this many grams (see `TextConfig.min_grams`)."""
CHAR_GRAMS: dict[str, int] = {}
"""Character n-grams read inside words, per language (see `TextConfig.char_grams`): none.
English 5-grams gained in cross-validation but made the layer overrule strong rules on
short items ("… open joint lab"); classify/README.md, "Character grams"."""
DEFAULT_SETS = (
    REPO.parent / "shared" / "corpora" / "labeled" / "dev.jsonl",
    REPO / "tests" / "data" / "labelled" / "tuning.jsonl",
)


def dump(model: Model) -> str:
    """The model as JSON: one line per section, the weights' lists compact (the text
    layers hold tens of thousands of weights)."""
    parts = [
        f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False, separators=(',', ':'))}"
        for k, v in model.to_dict().items()
    ]
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labeled", type=Path, action="append", help="labelled JSONL (repeat)")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--l2", type=float, default=0.2)
    ap.add_argument("--text", action="store_true", help="train the text layer too")
    ap.add_argument("--l2-text", type=float, default=TEXT_L2)
    ap.add_argument("--text-steps", type=int, default=TEXT_STEPS)
    ap.add_argument(
        "--type-langs",
        default=",".join(TYPE_LANGS),
        help="with --text: languages of the type layer (comma-separated; empty: none)",
    )
    ap.add_argument(
        "--min-grams",
        type=int,
        default=MIN_GRAMS,
        help="with --text: a zone counts at least this many grams (short texts weigh less)",
    )
    args = ap.parse_args(argv)
    paths = args.labeled or [p for p in DEFAULT_SETS if p.is_file()]
    if not paths:
        print("error: no labelled rows (pass --labeled PATH)", file=sys.stderr)
        return 2
    examples = []
    typed = []
    for path in paths:
        if "never_tuned" in path.name:
            print(f"error: {path} is the never-tuned split; do not train on it", file=sys.stderr)
            return 2
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                lang, terms, logit, title, body = learned_inputs(
                    row.get("title") or "", row.get("text") or "", row.get("lang")
                )
                examples.append((lang, terms, logit, bool(row.get("relevant")), title, body))
                if args.text and row.get("relevant") and row.get("type"):
                    rtype, scores = rules_type(
                        row.get("title") or "", row.get("text") or "", row.get("lang")
                    )
                    typed.append((lang, title, body, rtype, scores, str(row["type"])))
    names = [p.name for p in paths]
    model: Model
    if args.text:
        model = train_joint(
            examples,
            l2=args.l2,
            l2_text=args.l2_text,
            steps=args.text_steps,
            config=TextConfig(min_grams=args.min_grams, char_grams=CHAR_GRAMS),
            trained_on=names,
        )
        langs = [x for x in args.type_langs.split(",") if x]
        if langs and typed:
            types = train_types(
                typed, l2_text=args.l2_text, steps=TYPE_STEPS, config=model.text_config, langs=langs
            )
            model = replace(model, types=types)
    else:
        model = train([e[:4] for e in examples], l2=args.l2, steps=args.steps, trained_on=names)
    args.out.write_text(dump(model), encoding="utf-8")
    print(f"trained on {model.rows} rows from {', '.join(model.trained_on)} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
