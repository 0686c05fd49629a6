"""Compact, read-only tables of the learned layer's word weights.

The shipped model holds about 100,000 hashed-word weights. As Python dicts of int → float
they take about 18 MB in every process that classifies (the pass and each classifier
worker); packed into `array`s they take about 6 MB, and a look-up is an index, not a hash.
Training still builds plain dicts; these tables are what a loaded model and the run-time
look-ups use.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import accumulate
from typing import Any

PER = 1000
"""Word weights are trained to three decimals (learned.py rounds them), so a model file
holds them as whole thousandths, after the gaps between their sorted buckets: exact, and
about half the characters of ``"bucket": weight`` pairs, with nothing but small ints
to parse (English character grams, measured and not shipped, would double the words)."""


class SparseWeights(Mapping[int, float]):
    """bucket → weight, for the buckets that have one: sorted keys and their values."""

    __slots__ = ("_keys", "_values")

    def __init__(self, items: Mapping[int, float]) -> None:
        keys = sorted(items)
        self._keys = array("q", keys)
        self._values = array("d", (items[k] for k in keys))

    @classmethod
    def from_sorted(cls, keys: Iterable[int], values: Iterable[float]) -> SparseWeights:
        out = cls({})
        out._keys, out._values = array("q", keys), array("d", values)
        return out

    def __getitem__(self, key: int) -> float:
        i = bisect_left(self._keys, key)
        if i < len(self._keys) and self._keys[i] == key:
            return self._values[i]
        raise KeyError(key)

    def __iter__(self) -> Iterator[int]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def dense(self, size: int) -> array[float]:
        """All `size` buckets, 0.0 where there is no weight: one index per look-up."""
        out = array("d", bytes(8 * size))
        for k, v in zip(self._keys, self._values, strict=True):
            out[k] = v
        return out


def pack(weights: Mapping[int, float]) -> dict[str, list[int]]:
    """`weights` as a model file holds them (see `PER`); raises ValueError for a weight
    that is not whole thousandths, which the file could not give back."""
    keys = sorted(weights)
    per = [round(weights[k] * PER) for k in keys]
    for k, n in zip(keys, per, strict=True):
        if n / PER != weights[k]:
            raise ValueError(f"word weight {weights[k]!r} (bucket {k}) is not in thousandths")
    return {"gaps": [b - a for a, b in zip([0, *keys], keys, strict=False)], "per": per}


def unpack(d: Mapping[str, Any]) -> SparseWeights:
    """What `pack` wrote, or the mapping of bucket strings to weights of the files
    written before it."""
    if "gaps" in d:
        return SparseWeights.from_sorted(accumulate(d["gaps"]), (n / PER for n in d["per"]))
    return SparseWeights({int(k): float(v) for k, v in d.items()})


def dense(weights: Mapping[int, float], size: int) -> array[float]:
    if isinstance(weights, SparseWeights):
        return weights.dense(size)
    return SparseWeights(weights).dense(size)


class WeightRows:
    """bucket → one weight per column (the type layer's eight types), as a row number per
    bucket (−1: no weights) and the rows' values side by side."""

    __slots__ = ("columns", "row_of", "values")

    def __init__(self, columns: Sequence[Mapping[int, float]]) -> None:
        self.columns = len(columns)
        keys = sorted({k for col in columns for k in col})
        self.row_of = array("i", [-1]) * ((keys[-1] + 1) if keys else 0)
        values = array("d", bytes(8 * self.columns * len(keys)))
        for r, k in enumerate(keys):
            self.row_of[k] = r
            for c, col in enumerate(columns):
                values[r * self.columns + c] = col.get(k, 0.0)
        self.values = values

    def row(self, key: int) -> int:
        """The first index of `key`'s weights in `values`, or −1."""
        r = self.row_of[key] if 0 <= key < len(self.row_of) else -1
        return r * self.columns if r >= 0 else -1
