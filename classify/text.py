"""Language detection and the text preparation shared by all rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .data_files import load

# Runs, not single characters: their lengths add up to the same counts, and re stops
# once per word rather than once per letter (half the time of a detection).
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[A-Za-z]+")

# Spaces that differ only in width; mapped 1:1 so offsets stay valid.
_SPACES = {0x3000: " ", 0x00A0: " ", 0x2002: " ", 0x2003: " ", 0x2009: " ", 0x200B: " "}


def detect_language(text: str) -> str:
    """Return "zh" when Chinese characters carry the text, else "en".

    One Chinese character carries about as much as a short English word, so a
    text is Chinese when its CJK characters are at least a third of its Latin
    letters: an English article quoting a Chinese name stays English, a
    Chinese one with English brand names stays Chinese.
    """
    sample = text[:4000]
    cjk = sum(map(len, _CJK.findall(sample)))
    if cjk == 0:
        return "en"
    latin = sum(map(len, _LATIN.findall(sample)))
    return "zh" if cjk * 3 >= latin else "en"


@cache
def _t2s_table() -> dict[int, str]:
    table = {ord(k): v for k, v in load("t2s")["chars"].items() if len(k) == 1 and len(v) == 1}
    table.update(_SPACES)
    return table


def _any_of(table: dict[int, str]) -> re.Pattern[str]:
    """A search for any character `table` maps. `str.translate` looks every character of a
    text up in the table, about ten times the cost of this search, and most texts (all
    simplified Chinese, nearly all English) hold none of them."""
    return re.compile("[" + "".join(re.escape(chr(k)) for k in sorted(table)) + "]")


@cache
def _t2s_chars() -> re.Pattern[str]:
    return _any_of(_t2s_table())


_SPACE_CHARS = _any_of(_SPACES)


def to_simplified(text: str) -> str:
    """Map traditional characters to simplified ones, one character for one.

    Keeping the length lets rules match on the simplified text while evidence
    and party names are cut from the original at the same offsets.
    """
    return text.translate(_t2s_table()) if _t2s_chars().search(text) else text


def normalise_spaces(text: str) -> str:
    return text.translate(_SPACES) if _SPACE_CHARS.search(text) else text


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    # A few characters lower-case to two (İ); keep them so offsets stay valid.
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


@dataclass(frozen=True)
class Prepared:
    """Title and body in the form the rules read, plus the originals."""

    lang: str
    title: str  # rule text: simplified for zh, lower-cased for en
    body: str
    orig_title: str
    orig_body: str
    lead_end: int  # body[:lead_end] is the lead

    def zone_text(self, zone: str) -> str:
        return self.title if zone == "title" else self.body

    def original(self, zone: str, start: int, end: int) -> str:
        src = self.orig_title if zone == "title" else self.orig_body
        return src[start:end]


def prepare(title: str, text: str, lang: str, lead_chars: int) -> Prepared:
    title = (title or "").strip()
    text = text or ""
    # The originals with their spaces normalised, once: English rules read them lower-cased.
    orig_title, orig_body = normalise_spaces(title), normalise_spaces(text)
    if lang == "zh":
        rule_title, rule_body = to_simplified(title), to_simplified(text)
    else:
        rule_title, rule_body = _lower(orig_title), _lower(orig_body)
    return Prepared(
        lang=lang,
        title=rule_title,
        body=rule_body,
        orig_title=orig_title,
        orig_body=orig_body,
        lead_end=min(len(rule_body), lead_chars),
    )
