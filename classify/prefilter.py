"""A cue's needles: literals one of which every match of its regex contains, so that a
text holding none of them is not scanned at all.

English cues are long alternations behind a leading ``\\b``, which gives Python's re no
first character to skip to: it tries them at every word of a body, about 50 µs a cue on
an English article. Most bodies hold none of a cue's words, and ``str.__contains__``
rules that out several times faster than the scan would. The needles are read off the
parsed regex, never written by hand, so a cue cannot go stale against its filter: a
regex whose structure they cannot be read from (a case-insensitive flag, a part that
may repeat zero times, nothing but classes) has none and is always scanned. Any regex can
be made a cue: the party finder's donor and alumni patterns are (``parties._FAMILY``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

MIN_NEEDLE = {True: 3, False: 2}
"""Shortest useful needle, ASCII (True) or not: ``ai`` or ``of`` is in nearly every English
text, while two Chinese characters (签约, 基地) are a word of their own."""

MAX_NEEDLES = 512
"""Strings a prefix is spelled out into at most; beyond, the shorter prefix stands."""
MAX_CHECKED = 32
"""Needles worth checking before a scan: with more (the action cue's 92 verbs), one of
them is in nearly every text, and looking for each costs what the scan would."""

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)


class Cue:
    """A compiled cue with its needles; searched like the pattern itself."""

    __slots__ = ("needles", "pattern")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.needles = needles(pattern)

    def could_match(self, text: str) -> bool:
        if self.needles is None:
            return True
        # A loop, not any() over a generator: a tenth faster, and this runs per cue.
        for n in self.needles:  # noqa: SIM110
            if n in text:
                return True
        return False

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.could_match(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self.could_match(text) else iter(())

    def __repr__(self) -> str:
        return f"Cue({self.pattern.pattern!r}, needles={self.needles!r})"


def needles(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Literals one of which is in every match of ``pattern``; None (always scan) when re
    skips ahead by itself, or when no such set of useful length and size can be read."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags).data
        found = None if _skips_ahead(parsed) else _needles(parsed)
    except (AttributeError, TypeError, ValueError):
        # re's parser is private: should a Python change its shape, cues are scanned as
        # before rather than the classifier failing.
        return None
    if not found or any(len(n) < MIN_NEEDLE[n.isascii()] for n in found):
        return None
    # A needle holding a shorter one adds nothing: the shorter is in every text it is.
    ordered = sorted(found, key=len)
    kept: list[str] = []
    for n in ordered:
        if not any(k in n for k in kept):
            kept.append(n)
    return tuple(kept) if len(kept) <= MAX_CHECKED else None


def _skips_ahead(items: list[Any]) -> bool:
    """Whether re itself skips to the places a match can start: a pattern that opens with
    a literal or a choice of literals (most Chinese cues) is searched about as fast as its
    needles would be; one that opens with ``\\b`` is tried everywhere, and one that opens
    with a class (``[A-Z]``, a name) is tried at each of its many characters."""
    if not items:
        return False
    op, av = items[0]
    if op is sre.SUBPATTERN and not (av[1] or av[2]):
        return _skips_ahead(av[3].data)
    if op is sre.BRANCH:
        return all(b.data and b.data[0][0] is sre.LITERAL for b in av[1])
    return op is sre.LITERAL


def _needles(items: list[Any]) -> set[str] | None:
    """Of a sequence of parsed items (a parsed pattern's ``data``), the best set of
    literals any match must hold one of (the one whose shortest literal is longest): what
    a suffix of the sequence starts with, or what one item holds. Suffixes are tried where
    a run of literal characters begins: one starting inside the run starts with less."""
    starts = [
        _starts(items[i:])[0]
        for i in range(len(items))
        if i == 0 or items[i - 1][0] is not sre.LITERAL
    ]
    choices = [s for s in starts if s]
    choices += [s for op, av in items if (s := _needles_of(op, av))]
    if not choices:
        return None
    return max(choices, key=lambda s: (min(map(len, s)), -len(s)))


def _starts(items: list[Any]) -> tuple[set[str] | None, bool]:
    """(strings every match of the sequence starts with one of, whether a match is
    always exactly one of them); (None, False) when no such set is known."""
    acc, run = {""}, ""
    for op, av in items:
        if op is sre.LITERAL:
            run += chr(av)
            continue
        if op in _ZERO_WIDTH:
            continue  # consumes nothing: the text still starts with what follows
        inner, exact = _starts_of(op, av)
        if not inner or len(acc) * len(inner) > MAX_NEEDLES:
            return _known({a + run for a in acc}, exact=False)
        acc, run = {a + run + b for a in acc for b in inner}, ""
        if not exact:
            return _known(acc, exact=False)
    return _known({a + run for a in acc}, exact=True)


def _known(found: set[str], *, exact: bool) -> tuple[set[str] | None, bool]:
    return (found, exact) if found != {""} else (None, False)


def _starts_of(op: Any, av: Any) -> tuple[set[str] | None, bool]:
    if op is sre.LITERAL:
        return {chr(av)}, True
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return (None, False) if add_flags or del_flags else _starts(sub.data)
    if op is sre.BRANCH:
        branches = [_starts(b.data) for b in av[1]]
        if any(not s for s, _ in branches):
            return None, False
        return set().union(*(s for s, _ in branches)), all(e for _, e in branches)  # type: ignore[arg-type]
    if op in _REPEATS:
        low, high, sub = av
        if low < 1:
            return None, False
        inner, exact = _starts(sub.data)
        return inner, exact and low == high == 1
    return None, False


def _needles_of(op: Any, av: Any) -> set[str] | None:
    """Of one parsed item; None for anything that matches without a literal (a class,
    an optional part, an assertion)."""
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return None if add_flags or del_flags else _needles(sub.data)
    if op is sre.BRANCH:
        branches = [_needles(b.data) for b in av[1]]
        if any(not b for b in branches):
            return None
        return set().union(*branches)  # type: ignore[arg-type]
    if op in _REPEATS:
        low, _high, sub = av
        return _needles(sub.data) if low >= 1 else None
    if op is sre.ATOMIC_GROUP:
        return _needles(av.data)
    return None
