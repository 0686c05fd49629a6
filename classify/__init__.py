"""Rule-based classifier of industry–education cooperation news.

Pure functions over the data files in classify/data/: no network, no database.

``classify`` is imported on first use: its rules and patterns cost about 0.1 s to import,
and the process that fetches and stores classifies only a source's one or two new items
(the page pool's workers classify the rest), often nothing at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import CLASSIFIER_VERSION, Classification, Party, Region
from .text import detect_language

if TYPE_CHECKING:
    from .core import classify


def __getattr__(name: str) -> object:
    if name == "classify":
        from .core import classify

        globals()["classify"] = classify  # found directly from now on
        return classify
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CLASSIFIER_VERSION",
    "Classification",
    "Party",
    "Region",
    "classify",
    "detect_language",
]
