"""A cue's needles: a text without any of them is not scanned, and no match is lost."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ieiwatch.classify.prefilter import Cue, needles
from ieiwatch.classify.rules import lang_rules, scoring
from ieiwatch.classify.text import detect_language, prepare

LABELLED = Path(__file__).parent / "data" / "labelled" / "tuning.jsonl"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # a word list behind \b: the words themselves
        (r"\b(?:sign(?:ed|s)?|ink(?:ed)?)\b", ("ink", "sign")),
        # a prefix spelled out with what follows it; a longer one holding it adds nothing
        (r"\b(?:joint|co-built) (?:lab|laboratory)", ("joint lab", "co-built lab")),
        # an optional part is no needle; what every match holds is
        (r"(?:new )?\d+ colleges?", (" college",)),
        (r"(?<!新)路径$", ("路径",)),
        # two Chinese characters are a word; two Latin letters are in every text
        (r"(?<!不)(?:签约|共建)", ("共建", "签约")),
        (r"\b(?:ai|ml)\b", None),
        # re skips to a pattern's first characters itself when it opens with them
        (r"签约|共建", None),
        (r"joint lab", None),
        # a class lets re skip only to its characters: a name's capital is everywhere
        (r"([A-Z][a-z]+), a (?:graduate|donor)\b", (", a donor", ", a graduate")),
        # more words than are worth looking for one by one
        (r"\b(?:" + "|".join(f"verb{i:02d}" for i in range(40)) + ")", None),
        # nothing to read: a case-insensitive flag, a class, a part that may be absent
        (r"(?i)partner", None),
        (r"[A-Z][a-z]+", None),
        (r"(?:partnership)?", None),
    ],
)
def test_needles_are_read_off_the_regex(pattern: str, expected: tuple[str, ...] | None) -> None:
    found = needles(re.compile(pattern))
    assert (sorted(found) if found else None) == (sorted(expected) if expected else None)


class _Counting:
    """A compiled pattern that counts the scans asked of it."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern, self.scans = pattern, 0

    def search(self, text: str) -> re.Match[str] | None:
        self.scans += 1
        return self.pattern.search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        self.scans += 1
        return self.pattern.finditer(text)


def test_a_text_without_any_needle_is_not_scanned() -> None:
    cue = Cue(re.compile(r"\b(?:memorandum of understanding|mou)\b"))
    counting = cue.pattern = _Counting(cue.pattern)  # type: ignore[assignment]
    assert cue.search("the college held its annual sports day") is None
    assert list(cue.finditer("the college held its annual sports day")) == []
    assert counting.scans == 0
    assert cue.search("they signed an mou today") is not None
    assert counting.scans == 1


def _prepared() -> list[tuple[str, str, str]]:
    sc = scoring()
    out = []
    for line in LABELLED.read_text(encoding="utf-8").splitlines()[:300]:
        row = json.loads(line)
        lang = row.get("lang") or detect_language(f"{row['title']}\n{row.get('text', '')}")
        prep = prepare(row["title"], row.get("text", ""), lang, sc.lead_chars)
        out.append((lang, prep.title, prep.body))
    return out


def test_every_rule_cue_finds_what_its_regex_finds_on_real_articles() -> None:
    texts = _prepared()
    assert {lang for lang, _, _ in texts} == {"zh", "en"}
    for lang in ("zh", "en"):
        rules = lang_rules(lang)
        cues = [c for g in rules.groups for c in (g.body, g.title) if c is not None]
        cues += [c.pattern for c in rules.type_cues]
        if lang == "en":  # behind \b: re cannot skip ahead, the needles do
            assert sum(c.needles is not None for c in cues) > len(cues) // 2
        for cue in cues:
            for text in (t for lg, title, body in texts if lg == lang for t in (title, body)):
                assert [m.span() for m in cue.finditer(text)] == [
                    m.span() for m in cue.pattern.finditer(text)
                ], cue


def test_a_regex_parser_of_another_shape_leaves_every_cue_scanned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ieiwatch.classify import prefilter

    monkeypatch.setattr(prefilter, "sre_parse", object())  # re's parser is private
    cue = Cue(re.compile(r"\b(?:memorandum of understanding|mou)\b"))
    assert cue.needles is None
    assert cue.search("they signed an mou today") is not None
