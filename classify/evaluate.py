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

# "我校", "本校", "学校", "我院", "our university" all mean the publishing school; a gold
# label "学校(example.edu.cn)" or "学院(example.edu.cn)" (tests/data/labelled/README.md) is
# found by any of them. 学院 alone (the self-reference) is the school too, so it no longer
# passes for a school the label names (烟台某学院) by being part of its name.
_SELF_RE = re.compile(
    r"^(?:我校|本校|学校|校方|我院|本院|学院(?=[a-z0-9]|$)|our(?:university|school|college))"
)
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
    party_precision: float = 0.0
    parties_shown: int = 0
    parties_correct: int = 0
    region_accuracy: float = 0.0
    region_total: int = 0
    by_lang: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per language (and "all"): type accuracy, party precision and recall, region
    accuracy, each with the counts it is computed from."""
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
            "party_precision": self.party_precision,
            "parties_shown": self.parties_shown,
            "parties_correct": self.parties_correct,
            "region_accuracy": self.region_accuracy,
            "region_total": self.region_total,
            "by_language": self.by_lang,
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
    `type`, `parties`, optional `region` and `publisher`) and compare.

    Parties (names, or objects with a `name`) are scored on items both gold- and
    predicted-relevant: recall over the gold parties, precision over the shown ones.
    Region is scored on gold-relevant items whose label has a province: the province
    must match, and the city too when the label gives one."""
    counts: dict[str, Counter[str]] = {}
    confusion: dict[str, Counter[str]] = {}
    m = Metrics()
    for item in items:
        pred = classify(
            item.get("title") or "", item.get("text") or "", item.get("lang"), item.get("publisher")
        )
        lang = item.get("lang") or pred.lang
        c = counts.setdefault(lang, Counter())
        gold = bool(item.get("relevant"))
        c[_outcome(gold, pred.relevant)] += 1
        if gold:
            pred_type = (pred.type or NONE) if pred.relevant else NONE
            confusion.setdefault(item.get("type") or NONE, Counter())[pred_type] += 1
            _score_region(c, item, pred)
        if gold and pred.relevant:
            c["type_total"] += 1
            c["type_ok"] += pred.type == item.get("type")
            _score_parties(c, item, pred)
        elif gold:
            c["parties_total"] += len(gold_parties(item))
        err = _error(item, pred)
        if err:
            m.errors.append(err)
    all_counts: Counter[str] = sum(counts.values(), Counter())
    for lang, c in [*sorted(counts.items()), ("all", all_counts)]:
        m.per_lang[lang] = _prf(c["tp"], c["fp"], c["fn"])
        m.by_lang[lang] = _detail(c)
    a = all_counts
    m.type_total, m.type_accuracy = a["type_total"], _ratio(a["type_ok"], a["type_total"])
    m.parties_found, m.parties_total = a["parties_found"], a["parties_total"]
    m.party_recall = _ratio(a["parties_found"], a["parties_total"])
    m.parties_shown, m.parties_correct = a["parties_shown"], a["parties_correct"]
    m.party_precision = _ratio(a["parties_correct"], a["parties_shown"])
    m.region_total, m.region_accuracy = a["region_total"], _ratio(a["region_ok"], a["region_total"])
    m.confusion = {g: dict(sorted(row.items())) for g, row in sorted(confusion.items())}
    return m


def gold_parties(item: dict[str, Any]) -> list[str]:
    """The labelled parties' names (rows give names, or objects with a `name`)."""
    out = []
    for p in item.get("parties") or []:
        name = p.get("name") if isinstance(p, dict) else p
        if isinstance(name, str) and name.strip():
            out.append(name)
    return out


def _score_parties(c: Counter[str], item: dict[str, Any], pred: Classification) -> None:
    names = [p.name for p in pred.parties]
    golds = gold_parties(item)
    c["parties_total"] += len(golds)
    c["parties_found"] += sum(party_found(g, names) for g in golds)
    if golds:
        # Precision only where the label says who the parties are.
        c["parties_shown"] += len(names)
        c["parties_correct"] += sum(party_found(n, golds) for n in names)


def _score_region(c: Counter[str], item: dict[str, Any], pred: Classification) -> None:
    """Right when the country, and the province and city where the label gives them,
    are the label's (a label of the country alone asks nothing finer)."""
    gold = item.get("region")
    if not isinstance(gold, dict) or not (gold.get("province") or gold.get("country")):
        return
    c["region_total"] += 1
    r = pred.region
    c["region_ok"] += r is not None and all(
        want is None or got == want
        for got, want in (
            (r.country or CHINA, gold.get("country") or CHINA),
            (r.province, gold.get("province")),
            (r.city, gold.get("city")),
        )
    )


CHINA = "China"
"""The country of a region that names none: regions were China's before there were others."""


def _ratio(n: int, d: int) -> float:
    return round(n / d, 4) if d else 0.0


def _detail(c: Counter[str]) -> dict[str, float]:
    return {
        "type_accuracy": _ratio(c["type_ok"], c["type_total"]),
        "type_total": c["type_total"],
        "party_recall": _ratio(c["parties_found"], c["parties_total"]),
        "parties_found": c["parties_found"],
        "parties_total": c["parties_total"],
        "party_precision": _ratio(c["parties_correct"], c["parties_shown"]),
        "parties_correct": c["parties_correct"],
        "parties_shown": c["parties_shown"],
        "region_accuracy": _ratio(c["region_ok"], c["region_total"]),
        "region_total": c["region_total"],
    }


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


def _by_lang_lines(by_lang: dict[str, dict[str, float]]) -> list[str]:
    head = f"  {'lang':<5} {'type':>6} {'party R':>8} {'party P':>8} {'region':>7}"
    lines = ["Per language (type accuracy, party recall and precision, region accuracy)", head]
    for lang, d in by_lang.items():
        lines.append(
            f"  {lang:<5} {d['type_accuracy']:>6.3f} {d['party_recall']:>8.3f}"
            f" {d['party_precision']:>8.3f} {d['region_accuracy']:>7.3f}"
        )
    return lines


def format_report(m: Metrics, *, errors: bool = True) -> str:
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
    lines.append(
        f"Party precision: {m.party_precision:.3f} ({m.parties_correct}/{m.parties_shown})"
    )
    lines.append(f"Region accuracy: {m.region_accuracy:.3f} of {m.region_total}")
    lines += ["", *_by_lang_lines(m.by_lang)]
    lines += ["", *_confusion_lines(m.confusion)]
    if m.errors and errors:
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
