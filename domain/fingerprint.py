"""Fingerprints of an article's text and title, from which copies of one news are found.

Pure functions, so that they run where the text is (the classifier's worker processes)
rather than in the database writer: ``storage.stories`` indexes and compares them.

* ``simhash``: a 64-bit SimHash of the text's shingles; copies differ by a few bits.
* ``fingerprint_keys``: the index keys of an article, one for every pair of its SimHash's
  eight bytes (any SimHash within ``CANDIDATE_DISTANCE`` bits shares one: six flipped bits
  leave two bytes whole) and one for its normalised title.
* ``content_hash``: the exact text, whitespace aside.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from itertools import combinations

CANDIDATE_DISTANCE = 6
"""SimHash bits two copies may differ by and still be compared; the band keys find every
pair this close (unrelated texts differ by ~32, rarely under 17)."""
MIN_TEXT_CHARS = 80
"""Shorter texts say too little for SimHash to tell reposts from look-alikes."""
MIN_TITLE_CHARS = 10

_BYTE_PAIRS = list(combinations(range(8), 2))
TITLE_KEY_BASE = 1 << 48
"""Title keys live above every band key (pair index << 16 | two bytes < 2**21)."""
_LANE = 32
"""Bits per counter lane: room for far more shingles than MAX_TEXT_CHARS makes."""
_LANE_MASK = (1 << _LANE) - 1
_SPREAD = [sum((v >> bit & 1) << (bit * _LANE) for bit in range(8)) for v in range(256)]
"""A byte value's eight bits, one per lane."""
_MASK64 = (1 << 64) - 1

_CJK = re.compile(r"[\u3400-\u9fff]")
_NOISE = re.compile(r"[\W_]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Fingerprint:
    """What storage needs of a text to file it in a story, computed once."""

    content_hash: str
    simhash: int

    @classmethod
    def of(cls, text: str) -> Fingerprint:
        return cls(content_hash(text), simhash(text))


def content_hash(text: str) -> str:
    normalised = _SPACES.sub(" ", text).strip()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:32]


def simhash(text: str) -> int:
    """Signed 64-bit SimHash of character 3-grams (Chinese) or word 3-grams (English).

    Bit b is set when more than half the shingles' BLAKE2b-64 hashes have it set. The bits
    are counted without a loop over shingles and bits: a byte position at a time,
    ``Counter`` (in C) counts each byte value, and each value adds its count to the eight
    bits it sets at once, as eight ``_LANE``-bit lanes of one integer.
    """
    found = shingles(text)
    digests = b"".join(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in found)
    half = len(found)
    value = 0
    for position in range(8):
        lanes = sum(_SPREAD[byte] * n for byte, n in Counter(digests[position::8]).items())
        shift = (7 - position) * 8  # big-endian: the first byte holds the top bits
        for bit in range(8):
            if 2 * (lanes >> (bit * _LANE) & _LANE_MASK) > half:
                value |= 1 << (shift + bit)
    return value - (1 << 64) if value >= 1 << 63 else value


def distance(a: int, b: int) -> int:
    return ((a ^ b) & _MASK64).bit_count()


def shingles(text: str) -> list[str]:
    """Character 3-grams of a Chinese text, word 3-grams of any other."""
    if len(_CJK.findall(text)) * 3 > len(text):
        chars = _NOISE.sub("", text)
        return [chars[i : i + 3] for i in range(max(1, len(chars) - 2))]
    words = _NOISE.sub(" ", text.lower()).split()
    return [" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))]


def without_noise(text: str) -> str:
    """The text's letters and digits only."""
    return _NOISE.sub("", text)


def normalise_title(title: str) -> str:
    return without_noise(title).lower()


def fingerprint_keys(signed_simhash: int, title: str, text_length: int) -> list[int]:
    """The index keys of an article: band pairs (texts long enough to compare), title."""
    keys = []
    if text_length >= MIN_TEXT_CHARS:
        raw = (signed_simhash & _MASK64).to_bytes(8, "big")
        keys += [n << 16 | raw[i] << 8 | raw[j] for n, (i, j) in enumerate(_BYTE_PAIRS)]
    key = title_key(title)
    if key is not None:
        keys.append(key)
    return keys


def title_key(title: str) -> int | None:
    normalised = normalise_title(title)
    if len(normalised) < MIN_TITLE_CHARS:
        return None
    digest = hashlib.blake2b(normalised.encode("utf-8"), digest_size=5).digest()
    return TITLE_KEY_BASE + int.from_bytes(digest, "big")


def shingle_containment(sa: frozenset[str], sb: frozenset[str]) -> float:
    """Share of the smaller set of shingles found in the other set."""
    small, large = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    return len(small & large) / len(small) if small else 0.0
