"""Metrics of the classifier against hand-labelled items (`ieiwatch eval`)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .core import classify
from .model import TYPES, Classification

NONE = "(irrelevant)"

# "我校", "本校", "学校", "our university" all mean the publishing school; a gold
# label "学校(example.edu.cn)" is found by any of them.
_SELF_RE = re.compile(r"^(?:我校|本校|学校|校方|我院|本院|our(?:university|school|college))")
_PUNCT_RE = re.compile(r"[\W_]+")


def normalise_name(name: str) -> str:
    key = _PUNCT_RE.sub("", name).lower()
    return _SELF_RE.sub("学校", key)


def party_found(gold: str, predicted: Iterable[str]) -> bool:
    """A gold party is found when a predicted name equals it or one contains the
    other, ignoring spaces, case and punctuation."""
    g = normalise_name(gold)
    if not g:
        return False
    for p in predicted:
        q = normalise_name(p)
        if q and (q == g or q in g or g in q):
            return True
    return False


@dataclass
class Metrics:
    per_lang: dict[str, dict[str, float]] = field(default_factory=dict)
    type_accuracy: float = 0.0
    type_total: int = 0
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    party_recall: float = 0.0
    parties_found: int = 0
    parties_total: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "relevance": self.per_lang,
            "type_accuracy": self.type_accuracy,
            "type_total": self.type_total,
            "type_confusion": self.confusion,
            "party_recall": self.party_recall,
            "parties_found": self.parties_found,
            "parties_total": self.parties_total,
            "errors": self.errors,
        }


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def evaluate(items: Iterable[dict[str, Any]]) -> Metrics:
    """Classify each labelled item (`id`, `title`, `text`, `lang`, `relevant`,
    `type`, `parties`) and compare."""
    counts: dict[str, Counter[str]] = {}
    confusion: dict[str, Counter[str]] = {}
    m = Metrics()
    type_ok = 0
    for item in items:
        pred = classify(item.get("title") or "", item.get("text") or "", item.get("lang"))
        lang = item.get("lang") or pred.lang
        c = counts.setdefault(lang, Counter())
        gold = bool(item.get("relevant"))
        c[_outcome(gold, pred.relevant)] += 1
        if gold:
            pred_type = (pred.type or NONE) if pred.relevant else NONE
            confusion.setdefault(item.get("type") or NONE, Counter())[pred_type] += 1
            if pred.relevant:
                m.type_total += 1
                type_ok += pred.type == item.get("type")
            names = [p.name for p in pred.parties]
            for gp in item.get("parties") or []:
                m.parties_total += 1
                m.parties_found += party_found(gp, names)
        err = _error(item, pred)
        if err:
            m.errors.append(err)
    all_counts: Counter[str] = sum(counts.values(), Counter())
    for lang, c in [*sorted(counts.items()), ("all", all_counts)]:
        m.per_lang[lang] = _prf(c["tp"], c["fp"], c["fn"])
    m.type_accuracy = round(type_ok / m.type_total, 4) if m.type_total else 0.0
    m.party_recall = round(m.parties_found / m.parties_total, 4) if m.parties_total else 0.0
    m.confusion = {g: dict(sorted(row.items())) for g, row in sorted(confusion.items())}
    return m


def _outcome(gold: bool, pred: bool) -> str:
    if gold and pred:
        return "tp"
    if pred:
        return "fp"
    return "fn" if gold else "tn"


def _error(item: dict[str, Any], pred: Classification) -> dict[str, Any] | None:
    gold = bool(item.get("relevant"))
    if gold != pred.relevant:
        kind = "missed" if gold else "false alarm"
    elif gold and pred.type != item.get("type"):
        kind = "wrong type"
    else:
        return None
    return {
        "id": item.get("id"),
        "error": kind,
        "gold_type": item.get("type"),
        "pred_type": pred.type,
        "score": pred.score,
        "evidence": pred.evidence,
    }


def format_report(m: Metrics) -> str:
    """The metrics as readable text."""
    lines = ["Relevance", f"  {'lang':<5} {'P':>6} {'R':>6} {'F1':>6}   tp  fp  fn"]
    for lang, r in m.per_lang.items():
        lines.append(
            f"  {lang:<5} {r['precision']:>6.3f} {r['recall']:>6.3f} {r['f1']:>6.3f}"
            f"  {r['tp']:>3} {r['fp']:>3} {r['fn']:>3}"
        )
    lines.append(
        f"Type accuracy (gold & predicted relevant): {m.type_accuracy:.3f} of {m.type_total}"
    )
    lines.append(f"Party recall: {m.party_recall:.3f} ({m.parties_found}/{m.parties_total})")
    lines += ["", *_confusion_lines(m.confusion)]
    if m.errors:
        lines += ["", "Misclassified"]
        for e in m.errors:
            detail = f"gold {e['gold_type']}, predicted {e['pred_type']}, score {e['score']:.2f}"
            lines.append(f"  {e['id']}  {e['error']} ({detail})")
            lines += [f"      {ev}" for ev in e["evidence"]]
    return "\n".join(lines)


_SHORT = {
    "joint_lab": "lab",
    "industry_college": "college",
    "strategic_agreement": "agreement",
    "training_base": "base",
    "talent_program": "talent",
    "alliance": "alliance",
    "policy_event": "policy",
    "other_cooperation": "other",
    NONE: "irrelevant",
}


def _confusion_lines(confusion: dict[str, dict[str, int]]) -> list[str]:
    cols = [t for t in (*TYPES, NONE) if any(t in row for row in confusion.values())]
    head = "  " + "gold \\ predicted".ljust(22) + "".join(f"{_SHORT[c]:>11}" for c in cols)
    lines = ["Type confusion (rows: gold type of gold-relevant items)", head]
    for gold, row in confusion.items():
        lines.append(f"  {gold:<22}" + "".join(f"{row.get(c, 0):>11}" for c in cols))
    return lines
