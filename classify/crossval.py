"""Site-grouped cross-validation of the learned layer:
``python -m ieiwatch.classify.crossval [--labeled PATH ...]``.

Rows: the development set (../shared/corpora/labeled/dev.jsonl) and the tuning split
(tests/data/labelled/tuning.jsonl), plus any ``--labeled`` file (``--only`` uses just the
files given). Never the never-tuned split. Rows are grouped by site (the host without
``www.``/``m.``) into ``--folds`` folds, deterministically (a hash of the host), so no
site is ever both trained on and scored. Each fold is scored by models trained on the
others, and the per-language relevance precision, recall and F1 over all folds are
printed for (a) the rules alone, (b) the learned layer on the rules' terms, (c) the
text layer (terms and words trained jointly), one line per ``--l2-text`` value.
With ``--type`` it also prints the type accuracy of the rules against a learned type
layer on the gold-relevant rows.

The rules themselves were written with the tuning split in view, so (a) is flattered
there; (b) and (c) start from the rules' verdict and only learn corrections.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .core import Term, learned_inputs, rules_type
from .learned import (
    Model,
    TextConfig,
    decide,
    decide_type,
    train,
    train_joint,
    train_types,
)
from .train import CHAR_GRAMS, DEFAULT_SETS, MIN_GRAMS, TEXT_L2, TEXT_STEPS


@dataclass(frozen=True)
class Row:
    id: str
    source: str
    """The file's name (figures are also given per file)."""
    lang: str
    host: str
    relevant: bool
    type: str | None
    terms: list[Term]
    logit: float
    title: str
    body: str
    rules_type: str = ""
    """The rules' type, decided as if the item were relevant (for the type figures)."""
    type_scores: dict[str, float] | None = None


def site(row: dict[str, Any]) -> str:
    host = (row.get("domain") or urlsplit(row.get("url") or "").hostname or "").lower()
    for prefix in ("www.", "m."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    return host or str(row.get("id"))


def fold_of(host: str, folds: int) -> int:
    return int(hashlib.sha256(f"ieiwatch-cv:{host}".encode()).hexdigest()[:8], 16) % folds


def load_rows(paths: Sequence[Path]) -> list[Row]:
    rows: list[Row] = []
    for path in paths:
        if "never_tuned" in path.name:
            raise SystemExit(f"error: {path} is the never-tuned split; do not use it here")
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            lang, terms, logit, title, body = learned_inputs(
                r.get("title") or "", r.get("text") or "", r.get("lang")
            )
            rtype, type_scores = rules_type(r.get("title") or "", r.get("text") or "", lang)
            rows.append(
                Row(
                    id=str(r.get("id")),
                    source=path.name,
                    lang=lang,
                    host=site(r),
                    relevant=bool(r.get("relevant")),
                    type=r.get("type"),
                    terms=terms,
                    logit=logit,
                    title=title,
                    body=body,
                    rules_type=rtype,
                    type_scores=type_scores,
                )
            )
    return rows


def type_crossval(
    rows: Sequence[Row],
    *,
    folds: int = 5,
    l2_texts: Sequence[float] = (1e-4,),
    steps: int = 300,
    config: TextConfig | None = None,
) -> dict[str, dict[str, dict[str, float]]]:
    """Type accuracy on the gold-relevant rows: the rules' type against the type layer."""
    hits: dict[str, list[tuple[Row, bool]]] = {"rules": []}
    for k in range(folds):
        train_rows = [r for r in rows if fold_of(r.host, folds) != k]
        test_rows = [r for r in rows if fold_of(r.host, folds) == k and r.relevant and r.type]
        if not test_rows:
            continue
        for r in test_rows:
            hits["rules"].append((r, r.rules_type == r.type))
        for x in l2_texts:
            tm = train_types(
                [
                    (r.lang, r.title, r.body, r.rules_type, r.type_scores or {}, r.type or "")
                    for r in train_rows
                    if r.relevant and r.type
                ],
                l2_text=x,
                steps=steps,
                config=config,
                langs=("en", "zh"),
            )
            m = Model(weights={}, bias={}, types=tm, text_config=config)
            for r in test_rows:
                got = decide_type(
                    r.lang, r.title, r.body, r.rules_type, r.type_scores or {}, model=m
                )
                pred = got[0] if got else r.rules_type
                hits.setdefault(f"type l2={x:g}", []).append((r, pred == r.type))
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, hs in hits.items():
        groups: dict[str, list[bool]] = {}
        for r, ok in sorted(hs, key=lambda h: h[0].lang):
            groups.setdefault(r.lang, []).append(ok)
        groups["all"] = [ok for _, ok in hs]
        if len({r.source for r, _ in hs}) > 1:
            for r, ok in sorted(hs, key=lambda h: (h[0].source, h[0].lang)):
                groups.setdefault(f"{r.source}:{r.lang}", []).append(ok)
        out[name] = {
            k: {"accuracy": round(sum(v) / len(v), 3), "ok": sum(v), "n": len(v)}
            for k, v in groups.items()
        }
    return out


def prf(pairs: Sequence[tuple[bool, bool]]) -> dict[str, float]:
    """Precision, recall, F1 of (gold, predicted) pairs."""
    tp = sum(1 for g, p in pairs if g and p)
    fp = sum(1 for g, p in pairs if p and not g)
    fn = sum(1 for g, p in pairs if g and not p)
    pr = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
    return {"p": round(pr, 3), "r": round(rc, 3), "f1": round(f1, 3), "tp": tp, "fp": fp, "fn": fn}


def crossval(
    rows: Sequence[Row],
    *,
    folds: int = 5,
    l2_texts: Sequence[float] = (1e-5,),
    steps: int = 400,
    l2: float = 0.2,
    config: TextConfig | None = None,
    scale_rules: bool = False,
) -> dict[str, dict[str, dict[str, float]]]:
    """Per method and language ("all" too), the pooled relevance P/R/F1 over the folds."""
    preds: dict[str, list[tuple[Row, bool]]] = {}
    for k in range(folds):
        train_rows = [r for r in rows if fold_of(r.host, folds) != k]
        test_rows = [r for r in rows if fold_of(r.host, folds) == k]
        if not test_rows or not train_rows:
            continue
        fold = _predictions(train_rows, test_rows, l2_texts, steps, l2, config, scale_rules)
        for name, ps in fold.items():
            preds.setdefault(name, []).extend(ps)
    return _pooled(preds)


def holdout(
    train_rows: Sequence[Row],
    test_rows: Sequence[Row],
    *,
    l2_texts: Sequence[float] = (1e-5,),
    steps: int = 400,
    l2: float = 0.2,
    config: TextConfig | None = None,
    scale_rules: bool = False,
) -> dict[str, dict[str, dict[str, float]]]:
    """Train on `train_rows`, score `test_rows` (rows of sites the rules were not written
    from); the same methods and figures as `crossval`."""
    return _pooled(_predictions(train_rows, test_rows, l2_texts, steps, l2, config, scale_rules))


def _predictions(
    train_rows: Sequence[Row],
    test_rows: Sequence[Row],
    l2_texts: Sequence[float],
    steps: int,
    l2: float,
    config: TextConfig | None,
    scale_rules: bool,
) -> dict[str, list[tuple[Row, bool]]]:
    """Each method's verdict on `test_rows`: the rules alone, the learned layer over the
    rules' terms, and the text layer per L2, trained on `train_rows`."""
    config = config or TextConfig()
    models: dict[str, Model] = {
        "terms": train([(r.lang, r.terms, r.logit, r.relevant) for r in train_rows], l2=l2)
    }
    joint = [(r.lang, r.terms, r.logit, r.relevant, r.title, r.body) for r in train_rows]
    for x in l2_texts:
        models[f"text l2={x:g}"] = train_joint(
            joint, l2=l2, l2_text=x, steps=steps, config=config, scale_rules=scale_rules
        )
    preds: dict[str, list[tuple[Row, bool]]] = {"rules": [], **{name: [] for name in models}}
    for r in test_rows:
        preds["rules"].append((r, r.logit >= 0))
        for name, m in models.items():
            d = decide(r.lang, r.terms, r.logit, r.title, r.body, model=m, n_words=0)
            assert d is not None
            preds[name].append((r, d.relevant))
    return preds


def _pooled(
    preds: dict[str, list[tuple[Row, bool]]],
) -> dict[str, dict[str, dict[str, float]]]:
    """Per method: per language, "all", and per file and language (``tuning.jsonl:en``)
    when the rows come from more than one file."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, ps in preds.items():
        groups: dict[str, list[tuple[bool, bool]]] = {}
        sources = {r.source for r, _ in ps}
        for r, p in sorted(ps, key=lambda rp: (rp[0].lang, rp[0].source)):
            groups.setdefault(r.lang, []).append((r.relevant, p))
        groups["all"] = [(r.relevant, p) for r, p in ps]
        if len(sources) > 1:
            for r, p in sorted(ps, key=lambda rp: (rp[0].source, rp[0].lang)):
                groups.setdefault(f"{r.source}:{r.lang}", []).append((r.relevant, p))
        out[name] = {k: prf(v) for k, v in groups.items()}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labeled", type=Path, action="append", default=[], help="extra JSONL")
    ap.add_argument("--only", action="store_true", help="use only the --labeled files")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=TEXT_STEPS)
    ap.add_argument("--l2", type=float, default=0.2)
    ap.add_argument("--l2-text", type=float, action="append", help="repeat to compare")
    ap.add_argument("--body-en", type=int, default=300)
    ap.add_argument("--body-zh", type=int, default=120)
    ap.add_argument(
        "--min-grams",
        type=int,
        default=MIN_GRAMS,
        help="text layer: a zone counts at least this many grams (default: the shipped one)",
    )
    ap.add_argument(
        "--char-en",
        type=int,
        default=CHAR_GRAMS.get("en", 0),
        help="text layer: length of the character n-grams read in English words (0: none, "
        "as shipped)",
    )
    ap.add_argument(
        "--holdout",
        type=Path,
        action="append",
        default=[],
        help="no folds: train on the other rows, score these (repeat)",
    )
    ap.add_argument("--scale-rules", action="store_true", help="learn a weight on the rules' logit")
    ap.add_argument("--type", action="store_true", help="type accuracy instead (experimental)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    paths = list(args.labeled) if args.only else [*DEFAULT_SETS, *args.labeled]
    paths = [p for p in paths if p.is_file()]
    if not paths:
        print("error: no labelled rows (pass --labeled PATH)", file=sys.stderr)
        return 2
    rows = load_rows(paths)
    config = TextConfig(
        body_chars={"en": args.body_en, "zh": args.body_zh},
        min_grams=args.min_grams,
        char_grams={"en": args.char_en} if args.char_en else {},
    )
    l2_texts = args.l2_text or [TEXT_L2]
    if args.type:
        tres = type_crossval(
            rows, folds=args.folds, l2_texts=l2_texts, steps=args.steps, config=config
        )
        print(f"{len(rows)} rows; type accuracy on gold-relevant rows, {args.folds} folds by site")
        for name, per in tres.items():
            cells = [f"{k} {m['accuracy']:.3f} ({m['ok']}/{m['n']})" for k, m in per.items()]
            print(f"  {name:<16} " + "   ".join(cells))
        return 0
    if args.holdout:
        held = load_rows(args.holdout)
        res = holdout(
            rows,
            held,
            l2_texts=l2_texts,
            steps=args.steps,
            l2=args.l2,
            config=config,
            scale_rules=args.scale_rules,
        )
    else:
        res = crossval(
            rows,
            folds=args.folds,
            l2_texts=l2_texts,
            steps=args.steps,
            l2=args.l2,
            config=config,
            scale_rules=args.scale_rules,
        )
    if args.json:
        print(json.dumps(res, indent=1))
        return 0
    sites = len({r.host for r in rows})
    print(f"{len(rows)} rows from {sites} sites ({', '.join(p.name for p in paths)}),")
    if args.holdout:
        print(f"trained on them, scored on {', '.join(p.name for p in args.holdout)};", end="")
    else:
        print(f"{args.folds} folds grouped by site;", end="")
    print(" relevance P / R / F1 (tp fp fn) per language")
    for name, per in res.items():
        cells = [f"{k} {_cell(m)}" for k, m in per.items() if ":" not in k]
        print(f"  {name:<16} " + "   ".join(cells))
    parts = sorted({k for per in res.values() for k in per if ":" in k})
    if parts:
        print("by file:")
    for part in parts:
        print(f"  {part}")
        for name, per in res.items():
            print(f"    {name:<16} {_cell(per[part])}")
    return 0


def _cell(m: dict[str, float]) -> str:
    return f"{m['p']:.3f} / {m['r']:.3f} / {m['f1']:.3f} ({m['tp']} {m['fp']} {m['fn']})"


if __name__ == "__main__":
    sys.exit(main())
