"""A learned layer over the rules: logistic regression on the scored terms.

The rules give every item a list of terms (``+action: 签署…协议`` worth 4.5, ``−no school``
worth −5, …) and call it relevant when their sum passes a hand-set threshold. The learned
layer starts from the rules' own verdict and learns a correction per term label and
language from labelled items (the development set, the tuning split, exported analysts'
marks): P(relevant) = sigmoid((sum − threshold) / scale + bias + Σ weight × term value),
the weights pulled towards zero (L2), so that without evidence against them the rules
decide as before. The weights ship as
classify/data/learned.json; `python -m ieiwatch.classify.train` rebuilds it, with the
same result for the same rows (full-batch gradient descent from zero, fixed steps).
It is used when scoring.yaml says ``learned_layer: true``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from .data_files import DATA_DIR

MODEL_PATH = DATA_DIR / "learned.json"


class _Term(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def value(self) -> float: ...


@dataclass(frozen=True)
class Model:
    weights: dict[str, float]
    """Per ``lang:label`` feature (``zh:action``, ``en:no school``)."""
    bias: dict[str, float]
    """Per language."""
    trained_on: list[str] = field(default_factory=list)
    rows: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "weights": dict(sorted(self.weights.items())),
            "bias": dict(sorted(self.bias.items())),
            "trained_on": self.trained_on,
            "rows": self.rows,
        }


@dataclass(frozen=True)
class Decision:
    relevant: bool
    probability: float


def features(lang: str, terms: Sequence[_Term]) -> dict[str, float]:
    """A term's label is its feature (per language); its value, the feature's value."""
    out: dict[str, float] = {}
    for t in terms:
        key = f"{lang}:{t.label}"
        out[key] = out.get(key, 0.0) + t.value
    return out


def probability(model: Model, lang: str, terms: Sequence[_Term], offset: float) -> float:
    """`offset` is the rules' own logit, (sum of the terms − threshold) / scale."""
    z = (
        offset
        + model.bias.get(lang, 0.0)
        + sum(model.weights.get(k, 0.0) * v for k, v in features(lang, terms).items())
    )
    return _sigmoid(z)


@cache
def load_model(path: Path = MODEL_PATH) -> Model | None:
    """The shipped model, or None when there is none."""
    if not path.is_file():
        return None
    d = json.loads(path.read_text(encoding="utf-8"))
    return Model(
        weights={k: float(v) for k, v in d.get("weights", {}).items()},
        bias={k: float(v) for k, v in d.get("bias", {}).items()},
        trained_on=list(d.get("trained_on", [])),
        rows=int(d.get("rows", 0)),
    )


def decide(lang: str, terms: Sequence[_Term], offset: float) -> Decision | None:
    model = load_model()
    if model is None:
        return None
    p = probability(model, lang, terms, offset)
    return Decision(relevant=p >= 0.5, probability=round(p, 4))


def train(
    examples: Sequence[tuple[str, Sequence[_Term], float, bool]],
    *,
    l2: float = 0.2,
    steps: int = 3000,
    rate: float = 0.05,
    trained_on: Sequence[str] = (),
) -> Model:
    """Fit the corrections by full-batch gradient descent from zero (deterministic).
    Each example is (lang, terms, the rules' logit, relevant)."""
    xs = [
        (lang, features(lang, terms), offset, 1.0 if y else 0.0)
        for lang, terms, offset, y in examples
    ]
    keys = sorted({k for _, f, _, _ in xs for k in f})
    langs = sorted({lang for lang, _, _, _ in xs})
    w = dict.fromkeys(keys, 0.0)
    b = dict.fromkeys(langs, 0.0)
    n = max(len(xs), 1)
    for _ in range(steps):
        gw = dict.fromkeys(keys, 0.0)
        gb = dict.fromkeys(langs, 0.0)
        for lang, f, offset, y in xs:
            err = _sigmoid(offset + b[lang] + sum(w[k] * v for k, v in f.items())) - y
            gb[lang] += err
            for k, v in f.items():
                gw[k] += err * v
        for k in keys:
            w[k] -= rate * (gw[k] / n + l2 * w[k])
        for lang in langs:
            b[lang] -= rate * (gb[lang] / n + l2 * b[lang])
    return Model(
        weights={k: round(v, 6) for k, v in w.items()},
        bias={k: round(v, 6) for k, v in b.items()},
        trained_on=list(trained_on),
        rows=len(xs),
    )


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)
