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

The **text layer** (`text_config` in the file) adds the words themselves: hashed word
unigrams and bigrams (English) or character bigrams (Chinese) of the headline and of the
opening of the body, each zone its own features, trained jointly with the term
corrections (`train_joint`). The evidence then names the words that weighed most
(`learned: P(relevant) 0.81 (+apprenticeship, +partners with; …)`). A **type layer**
(`train_types`, `decide_type`: a softmax over the eight types from the rules' pick, the
rules' type scores and the same words) may overrule the rules' type, in the languages
it was trained for (English: cross-validation showed no Chinese gain).
Settings were chosen by site-grouped cross-validation (classify/crossval.py).
"""

from __future__ import annotations

import itertools
import json
import math
import re
import zlib
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any, Protocol

from .data_files import DATA_DIR
from .model import TYPES
from .packed import WeightRows, dense, pack, unpack

MODEL_PATH = DATA_DIR / "learned.json"
RULES_LOGIT = "(rules logit)"
"""A weight on the rules' own logit (``en:(rules logit)``): how far to trust the rules'
sum as a whole; trained only by `train_joint` with ``scale_rules=True``."""


class _Term(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def value(self) -> float: ...


@dataclass(frozen=True)
class TextConfig:
    """How the words of an item become features (shipped with the weights)."""

    buckets: int = 1 << 18
    body_chars: dict[str, int] = field(default_factory=lambda: {"en": 300, "zh": 120})
    """How much of the (prepared) body is read: the opening, as the labelled rows hold."""
    min_grams: int = 0
    """A zone's grams share a unit norm as if it had at least this many: a headline or
    an opening of a few words (a feed's short summary) does not outweigh the rules."""
    char_grams: dict[str, int] = field(default_factory=dict)
    """Per language, the length n of the character n-grams read inside each word, beside
    the words (``#appre``, ``#pprent``…): "apprentices" and "apprenticeship" then share
    most of their features, so a word form no labelled row had still counts. Empty
    unless set: a file without it reads words only (see classify/README.md, "Character
    grams": measured, not shipped)."""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "buckets": self.buckets,
            "body_chars": dict(sorted(self.body_chars.items())),
        }
        if self.min_grams:
            d["min_grams"] = self.min_grams
        if self.char_grams:
            d["char_grams"] = dict(sorted(self.char_grams.items()))
        return d


@dataclass(frozen=True)
class TypeModel:
    """The learned type layer: a softmax over the eight types whose logits are `pick` for
    the rules' type plus, per language and type, a bias and a weight on the rules' type
    score, plus per type the weights of the hashed words. Used for `langs` only."""

    langs: tuple[str, ...]
    pick: float
    bias: dict[str, float]
    """Per ``lang:type``."""
    score: dict[str, float]
    """Per ``lang:type``: a weight on the rules' score of that type."""
    text: Mapping[str, Mapping[int, float]]
    """Per type: bucket → weight."""

    @cached_property
    def rows(self) -> WeightRows:
        """Bucket → the weights of the eight types (in `TYPES` order): one look-up per
        word at run time."""
        return WeightRows([self.text.get(t, {}) for t in TYPES])

    def to_dict(self) -> dict[str, Any]:
        return {
            "langs": list(self.langs),
            "pick": self.pick,
            "bias": dict(sorted(self.bias.items())),
            "score": dict(sorted(self.score.items())),
            "text": {t: pack(ws) for t, ws in sorted(self.text.items())},
        }

    @staticmethod
    def from_dict(d: dict[str, Any]) -> TypeModel:
        return TypeModel(
            langs=tuple(d.get("langs", ())),
            pick=float(d.get("pick", 2.0)),
            bias={k: float(v) for k, v in d.get("bias", {}).items()},
            score={k: float(v) for k, v in d.get("score", {}).items()},
            text={t: unpack(ws) for t, ws in d.get("text", {}).items()},
        )


@dataclass(frozen=True)
class Model:
    weights: dict[str, float]
    """Per ``lang:label`` feature (``zh:action``, ``en:no school``)."""
    bias: dict[str, float]
    """Per language."""
    trained_on: list[str] = field(default_factory=list)
    rows: int = 0
    text: Mapping[int, float] = field(default_factory=dict)
    """Hashed word features (bucket → weight); empty without a text layer."""
    text_config: TextConfig | None = None
    types: TypeModel | None = None
    """The learned type layer, when trained (``train.py --text``)."""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "weights": dict(sorted(self.weights.items())),
            "bias": dict(sorted(self.bias.items())),
            "trained_on": self.trained_on,
            "rows": self.rows,
        }
        if self.text_config is not None:
            d["text_config"] = self.text_config.to_dict()
            d["text"] = pack(self.text)
        if self.types is not None:
            d["types"] = self.types.to_dict()
        return d

    @cached_property
    def text_weights(self) -> array[float]:
        """`text` as one weight per bucket (0.0 for none): the run-time look-up."""
        return dense(self.text, self.text_config.buckets if self.text_config else 0)


@dataclass(frozen=True)
class Decision:
    relevant: bool
    probability: float
    words: tuple[str, ...] = ()
    """The text layer's words that pushed most towards the decision (``+apprenticeship``)."""


# ------------------------------------------------------------- text layer ----

_WORD_RE = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_DIGITS_RE = re.compile(r"[0-9]+")


def grams(lang: str, title: str, body: str, config: TextConfig) -> dict[tuple[str, str], float]:
    """The word features of an item: ``(zone, gram) → value``, zone ``t`` (headline) or
    ``b`` (the body's opening). Texts are the rules' prepared ones (lower-cased English,
    simplified Chinese). Each zone's grams count once and share a unit norm."""
    body = body[: config.body_chars.get(lang, 400)]
    char_n = config.char_grams.get(lang, 0)
    return {
        (zone, g): v
        for zone, v, gs in _zones(lang, title, body, config.min_grams, char_n)
        for g in gs
    }


def _zones(
    lang: str, title: str, body: str, min_grams: int, char_n: int
) -> Iterator[tuple[str, float, list[str]]]:
    """(zone, value, grams) of each zone that has grams, headline first: `grams`' items."""
    for zone, text in (("t", title), ("b", body)):
        gs = _zone_grams(lang, text, char_n)
        if gs:
            # Sorted: a set's order changes with the process's string hashing, and the
            # order of a float sum must not (same rows, same file).
            yield zone, 1.0 / math.sqrt(max(len(gs), min_grams)), sorted(gs)


def _zone_grams(lang: str, text: str, char_n: int = 0) -> set[str]:
    gs: set[str] = set()
    if lang == "zh":
        for run in _HAN_RE.findall(text):
            if len(run) == 1:
                gs.add(run)
            gs.update(run[i : i + 2] for i in range(len(run) - 1))
    else:
        words = _WORD_RE.findall(_DIGITS_RE.sub("0", text))
        gs.update(words)
        gs.update(f"{a} {b}" for a, b in itertools.pairwise(words))
        if char_n:
            gs.update(_char_grams(words, char_n))
    return gs


CHAR_GRAM = "#"
"""Marks a character n-gram (``#<appr``): no word holds it, so the two never share a
bucket, and the evidence, which names words, leaves them out."""


def _char_grams(words: list[str], n: int) -> Iterator[str]:
    for word in words:
        padded = f"<{word}>"  # the word's start and end are features of their own
        if len(padded) > n:  # a shorter word is all one gram: the word itself
            yield from (CHAR_GRAM + padded[i : i + n] for i in range(len(padded) - n + 1))


def bucket(lang: str, zone: str, gram: str, config: TextConfig) -> int:
    """A stable hash (crc32, not Python's salted hash) of ``lang|zone|gram`` into the
    buckets."""
    return zlib.crc32(gram.encode(), _prefix_crc(lang, zone)) % config.buckets


@cache
def _prefix_crc(lang: str, zone: str) -> int:
    # crc32(b, crc32(a)) == crc32(a + b): the prefix is hashed once.
    return zlib.crc32(f"{lang}|{zone}|".encode())


def keyed_grams(
    lang: str, title: str, body: str, config: TextConfig
) -> tuple[tuple[str, float, int], ...]:
    """(gram, value, bucket) of an item's grams. The relevance and the type layer read
    the same item one after the other, so the last few are kept."""
    chars = config.body_chars.get(lang, 400)
    char_n = config.char_grams.get(lang, 0)
    return _keyed_grams(lang, title, body[:chars], config.buckets, chars, config.min_grams, char_n)


@lru_cache(maxsize=8)
def _keyed_grams(
    lang: str, title: str, body: str, buckets: int, chars: int, min_grams: int, char_n: int
) -> tuple[tuple[str, float, int], ...]:
    # `grams`' items in its order, zone by zone: no dict of (zone, gram) keys in between.
    crc = zlib.crc32
    out: list[tuple[str, float, int]] = []
    for zone, v, gs in _zones(lang, title, body, min_grams, char_n):
        pre = _prefix_crc(lang, zone)
        out += [(g, v, crc(g.encode(), pre) % buckets) for g in gs]
    return tuple(out)


def text_features(lang: str, title: str, body: str, config: TextConfig) -> dict[int, float]:
    out: dict[int, float] = {}
    for _, v, k in keyed_grams(lang, title, body, config):
        out[k] = out.get(k, 0.0) + v
    return out


def _text_logit(
    model: Model, lang: str, title: str, body: str, n_words: int = 0
) -> tuple[float, tuple[str, ...]]:
    cfg = model.text_config
    if cfg is None or not model.text:
        return 0.0, ()
    total = 0.0
    per_gram: dict[str, float] = {}
    weights = model.text_weights
    for g, v, k in keyed_grams(lang, title, body, cfg):
        w = weights[k]
        if w:
            total += w * v
            if not g.startswith(CHAR_GRAM):  # the evidence names words
                per_gram[g] = per_gram.get(g, 0.0) + w * v
    if not n_words:
        return total, ()
    sign = 1.0 if total >= 0 else -1.0
    top = sorted(
        (item for item in per_gram.items() if item[1] * sign > 0),
        key=lambda kv: (-abs(kv[1]), kv[0]),
    )[:n_words]
    return total, tuple(("+" if c > 0 else "−") + g for g, c in top)


def features(lang: str, terms: Sequence[_Term]) -> dict[str, float]:
    """A term's label is its feature (per language); its value, the feature's value."""
    out: dict[str, float] = {}
    for t in terms:
        key = f"{lang}:{t.label}"
        out[key] = out.get(key, 0.0) + t.value
    return out


def probability(
    model: Model,
    lang: str,
    terms: Sequence[_Term],
    offset: float,
    title: str = "",
    body: str = "",
) -> float:
    """`offset` is the rules' own logit, (sum of the terms − threshold) / scale; `title`
    and `body` (prepared text) feed the text layer when the model has one."""
    return _sigmoid(_logit(model, lang, terms, offset) + _text_logit(model, lang, title, body)[0])


def _logit(model: Model, lang: str, terms: Sequence[_Term], offset: float) -> float:
    return (
        offset * (1.0 + model.weights.get(f"{lang}:{RULES_LOGIT}", 0.0))
        + model.bias.get(lang, 0.0)
        + sum(model.weights.get(k, 0.0) * v for k, v in features(lang, terms).items())
    )


@cache
def load_model(path: Path = MODEL_PATH) -> Model | None:
    """The shipped model, or None when there is none."""
    if not path.is_file():
        return None
    return model_from_dict(json.loads(path.read_text(encoding="utf-8")))


def model_from_dict(d: dict[str, Any]) -> Model:
    tc = d.get("text_config")
    return Model(
        weights={k: float(v) for k, v in d.get("weights", {}).items()},
        bias={k: float(v) for k, v in d.get("bias", {}).items()},
        trained_on=list(d.get("trained_on", [])),
        rows=int(d.get("rows", 0)),
        text=unpack(d.get("text", {})),
        text_config=(
            TextConfig(
                buckets=int(tc["buckets"]),
                body_chars={k: int(v) for k, v in tc["body_chars"].items()},
                min_grams=int(tc.get("min_grams", 0)),
                char_grams={k: int(v) for k, v in tc.get("char_grams", {}).items()},
            )
            if tc
            else None
        ),
        types=TypeModel.from_dict(d["types"]) if d.get("types") else None,
    )


def decide(
    lang: str,
    terms: Sequence[_Term],
    offset: float,
    title: str = "",
    body: str = "",
    *,
    model: Model | None = None,
    n_words: int = 3,
) -> Decision | None:
    """The learned verdict on an item (None without a model). `title` and `body` are the
    rules' prepared texts, read by the text layer when the model has one."""
    model = model or load_model()
    if model is None:
        return None
    text_z, words = _text_logit(model, lang, title, body, n_words)
    p = _sigmoid(_logit(model, lang, terms, offset) + text_z)
    return Decision(relevant=p >= 0.5, probability=round(p, 4), words=words)


def decide_type(
    lang: str,
    title: str,
    body: str,
    rules_type: str,
    scores: dict[str, float],
    *,
    model: Model | None = None,
    n_words: int = 3,
) -> tuple[str, tuple[str, ...]] | None:
    """The type layer's pick for a relevant item and the words that favoured it over the
    rules' type (none when it agrees), or None when the model has no type layer for
    `lang`. `scores` are the rules' type scores."""
    model = model or load_model()
    if model is None:
        return None
    tm, cfg = model.types, model.text_config
    if tm is None or cfg is None or lang not in tm.langs:
        return None
    table = tm.rows
    keyed = [(g, v, table.row(k)) for g, v, k in keyed_grams(lang, title, body, cfg)]
    z = [
        (tm.pick if t == rules_type else 0.0)
        + tm.bias.get(f"{lang}:{t}", 0.0)
        + tm.score.get(f"{lang}:{t}", 0.0) * scores.get(t, 0.0)
        for t in TYPES
    ]
    w = table.values
    for _, v, r in keyed:
        if r >= 0:
            for c in range(len(z)):
                z[c] += w[r + c] * v
    best_i = max(range(len(TYPES)), key=lambda c: (z[c], TYPES[c] == rules_type))
    best = TYPES[best_i]
    if best == rules_type or not n_words:
        return best, ()
    # The words that weigh more for the learned type than for the rules' one.
    rules_i = TYPES.index(rules_type)
    diff: dict[str, float] = {}
    for g, v, r in keyed:
        d = (w[r + best_i] - w[r + rules_i]) * v if r >= 0 else 0.0
        if d > 0 and not g.startswith(CHAR_GRAM):
            diff[g] = diff.get(g, 0.0) + d
    top = sorted(diff.items(), key=lambda kv: (-kv[1], kv[0]))
    return best, tuple("+" + g for g, _ in top[:n_words])


def train_types(
    examples: Sequence[tuple[str, str, str, str, dict[str, float], str]],
    *,
    l2_text: float = 1e-5,
    l2: float = 0.01,
    steps: int = 300,
    rate: float = 0.05,
    pick: float = 2.0,
    config: TextConfig | None = None,
    langs: Sequence[str] = ("en",),
    prune: float = 0.02,
) -> TypeModel:
    """Fit the type layer on relevant items, deterministically (full-batch Adam from zero,
    fixed steps). Each example is (lang, prepared title, prepared body, the rules' type,
    the rules' type scores, the labelled type); only those of `langs` are used."""
    config = config or TextConfig()
    index: dict[tuple[str, Any], int] = {}

    def idx(key: tuple[str, Any]) -> int:
        return index.setdefault(key, len(index))

    nt = len(TYPES)
    # One virtual row per (item, type), each a list of slots as in train_joint.
    slot_val: list[float] = []
    slot_vrow: list[int] = []
    slot_ids: list[list[int]] = []
    base: list[float] = []
    gold: list[float] = []
    rows = [e for e in examples if e[5] in TYPES and e[0] in langs]
    for i, (lang, title, body, rules_type, scores, y) in enumerate(rows):
        by_val: dict[float, list[int]] = {}
        for k, v in text_features(lang, title, body, config).items():
            by_val.setdefault(v, []).append(k)
        for ti, t in enumerate(TYPES):
            vr = i * nt + ti
            base.append(pick if t == rules_type else 0.0)
            gold.append(1.0 if t == y else 0.0)
            slots = [(1.0, [idx(("b", f"{lang}:{t}"))])]
            if scores.get(t):
                slots.append((scores[t], [idx(("s", f"{lang}:{t}"))]))
            slots += [(v, [idx(("t", (t, k))) for k in ks]) for v, ks in by_val.items()]
            for v, ids in slots:
                slot_val.append(v)
                slot_vrow.append(vr)
                slot_ids.append(ids)
    keys = list(index)

    def errors(z: list[float]) -> list[float]:
        # Softmax over each item's virtual rows, minus the labelled type.
        err = [0.0] * len(z)
        for i in range(len(rows)):
            zs = z[i * nt : (i + 1) * nt]
            top = max(zs)
            e = [math.exp(zi - top) for zi in zs]
            tot = sum(e)
            for ti in range(nt):
                err[i * nt + ti] = (e[ti] / tot - gold[i * nt + ti]) / n
        return err

    n = max(len(rows), 1)
    theta = _fit_slots(
        keys, slot_vrow, slot_val, slot_ids, base, errors, l2, l2_text, steps, rate, (0.1, 0.001)
    )
    bias: dict[str, float] = {}
    score: dict[str, float] = {}
    text: dict[str, dict[int, float]] = {}
    for (kind, k), v in zip(keys, theta, strict=True):
        if kind == "b":
            bias[k] = round(v, 6)
        elif kind == "s":
            score[k] = round(v, 6)
        elif abs(v) >= prune:
            text.setdefault(k[0], {})[k[1]] = round(v, 3)
    return TypeModel(langs=tuple(langs), pick=pick, bias=bias, score=score, text=text)


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


def train_joint(
    examples: Sequence[tuple[str, Sequence[_Term], float, bool, str, str]],
    *,
    l2: float = 0.2,
    l2_text: float = 1e-5,
    steps: int = 400,
    rate: float = 0.05,
    config: TextConfig | None = None,
    prune: float = 0.002,
    scale_rules: bool = False,
    trained_on: Sequence[str] = (),
) -> Model:
    """Fit the term corrections and the text layer together, deterministically: full-batch
    Adam from zero for a fixed number of steps on the mean log-loss plus L2 (`l2` on the
    term corrections and biases, `l2_text` on the word weights). Each example is (lang,
    terms, the rules' logit, relevant, prepared title, prepared body). Word weights
    smaller than `prune` are dropped (they keep the file small)."""
    config = config or TextConfig()
    index: dict[tuple[str, Any], int] = {}

    def idx(key: tuple[str, Any]) -> int:
        return index.setdefault(key, len(index))

    # Each example is a list of slots: a value shared by a few parameters (a zone's
    # grams share one), so a step is two passes of sums over index lists.
    slot_val: list[float] = []
    slot_row: list[int] = []
    slot_feats: list[list[int]] = []
    offsets: list[float] = []
    ys: list[float] = []
    for i, (lang, terms, offset, y, title, body) in enumerate(examples):
        offsets.append(offset)
        ys.append(1.0 if y else 0.0)
        slots: dict[float, list[int]] = {1.0: [idx(("b", lang))]}
        feats = features(lang, terms)
        if scale_rules:
            feats[f"{lang}:{RULES_LOGIT}"] = offset
        for k, v in feats.items():
            slot_val.append(v)
            slot_row.append(i)
            slot_feats.append([idx(("w", k))])
        for bk, v in text_features(lang, title, body, config).items():
            slots.setdefault(v, []).append(idx(("t", bk)))
        for v, fs in slots.items():
            slot_val.append(v)
            slot_row.append(i)
            slot_feats.append(fs)
    keys = list(index)
    n = max(len(examples), 1)

    def errors(z: list[float]) -> list[float]:
        return [(_sigmoid(zi) - yi) / n for zi, yi in zip(z, ys, strict=True)]

    b1, b2 = 0.9, 0.999
    theta = _fit_slots(
        keys,
        slot_row,
        slot_val,
        slot_feats,
        offsets,
        errors,
        l2,
        l2_text,
        steps,
        rate,
        (1.0 - b1, 1.0 - b2),
    )
    weights: dict[str, float] = {}
    bias: dict[str, float] = {}
    text: dict[int, float] = {}
    for (kind, k), v in zip(keys, theta, strict=True):
        if kind == "b":
            bias[k] = round(v, 6)
        elif kind == "w":
            weights[k] = round(v, 6)
        elif abs(v) >= prune:
            text[k] = round(v, 3)
    return Model(
        weights=weights,
        bias=bias,
        trained_on=list(trained_on),
        rows=len(examples),
        text=text,
        text_config=config,
    )


def _fit_slots(
    keys: Sequence[tuple[str, Any]],
    slot_row: Sequence[int],
    slot_val: Sequence[float],
    slot_feats: Sequence[Sequence[int]],
    base: Sequence[float],
    errors: Callable[[list[float]], list[float]],
    l2: float,
    l2_text: float,
    steps: int,
    rate: float,
    take: tuple[float, float],
) -> list[float]:
    """Full-batch Adam from zero, a fixed number of steps, over parameters ``keys`` (kind
    ``t`` gets ``l2_text``, the others ``l2``): a row's logit is its ``base`` plus, per slot,
    the slot's value times the sum of its parameters; ``errors`` turns the logits into each
    row's d(loss)/d(logit). ``take`` is (1 − β1, 1 − β2) as each caller has always written
    it, so that retraining gives the shipped files to the last digit."""
    n_par = len(keys)
    feat_slots: list[list[int]] = [[] for _ in range(n_par)]
    for s_i, fs in enumerate(slot_feats):
        for j in fs:
            feat_slots[j].append(s_i)
    reg = [l2_text if kind == "t" else l2 for kind, _ in keys]
    theta, m1, m2 = [0.0] * n_par, [0.0] * n_par, [0.0] * n_par
    b1, b2 = 0.9, 0.999
    get = theta.__getitem__
    for t in range(1, steps + 1):
        z = list(base)
        for s_i, fs in enumerate(slot_feats):
            z[slot_row[s_i]] += slot_val[s_i] * sum(map(get, fs))
        err = errors(z)
        coef = [err[r] * v for r, v in zip(slot_row, slot_val, strict=True)]
        cget = coef.__getitem__
        lr = rate / math.sqrt(1.0 + t / 100.0)
        c1, c2 = 1.0 - b1**t, 1.0 - b2**t
        for j in range(n_par):
            g = sum(map(cget, feat_slots[j])) + reg[j] * theta[j]
            m1[j] = b1 * m1[j] + take[0] * g
            m2[j] = b2 * m2[j] + take[1] * g * g
            theta[j] -= lr * (m1[j] / c1) / (math.sqrt(m2[j] / c2) + 1e-8)
    return theta


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)
