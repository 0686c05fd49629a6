"""Classify a batch of items as the ingest pool's worker processes do.

Each item comes back with its text's fingerprint (``domain.fingerprint``): computed here,
beside the classification and on another core, it need not be computed by storage while it
holds the database's write lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ieiwatch.classify.model import Classification
from ieiwatch.domain.fingerprint import Fingerprint


class Classified(NamedTuple):
    classification: Classification
    fingerprint: Fingerprint
    publisher: str | None = None
    """The publishing school it was classified with (stored with it, for reclassifying)."""


def classify_batch(
    pairs: Sequence[tuple[str, str]], publisher: str | None = None
) -> list[Classified]:
    """``(title, text)`` pairs → their classifications and fingerprints, in order."""
    from ieiwatch.classify.core import classify  # see the package's docstring

    return [
        Classified(classify(title, text, None, publisher), Fingerprint.of(text), publisher)
        for title, text in pairs
    ]
