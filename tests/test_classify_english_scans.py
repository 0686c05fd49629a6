"""The English party finder's scans are written for speed: person patterns open where re
can skip ahead or are cues with needles, groups ("30 companies") are looked for only
between the first and the last of their nouns. On real articles they find what their
plain forms (a look-behind first, one alternation, the whole text) find."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ieiwatch.classify import parties
from ieiwatch.classify.data_files import load
from ieiwatch.classify.rules import alternation

LABELLED = Path(__file__).parent / "data" / "labelled" / "tuning.jsonl"

_PLAIN_FAMILY = re.compile(
    r"([A-Z][a-z]+(?: [A-Z][a-z]+){0,2}),? and (?:his|her) (?:wife|husband)"
    r"|(?:his wife|her husband|alumn(?:us|a|i|ae)|donors?),? ([A-Z][a-z]+(?: [A-Z][a-z]+){0,2})"
    r"|([A-Z][a-z]+(?: [A-Z]\.)?(?: [A-Z][a-z]+){1,2}), (?:a|an) (?:[\w&.-]+ ){0,6}?"
    r"(?:graduate|alumn(?:us|a)|alum|student|donor|philanthropist|entrepreneur)\b"
)


def _english_texts() -> list[str]:
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    texts = [t for r in rows if r["lang"] == "en" for t in (r["title"], r.get("text", ""))]
    assert len(texts) > 1000
    return texts


def test_a_title_at_a_word_start_is_found_where_a_leading_look_behind_finds_it() -> None:
    titles = load("orgs")["en"]["titles_before_names"]
    fast = re.compile(parties._at_word_start(titles))
    plain = re.compile(r"(?<![\w-])" + alternation(titles))
    crafted = ["Dr. Lee met Vice-President Wu", "a co-President X", "xDean Y", "Dean"]
    for text in crafted + _english_texts():
        assert [m.span() for m in fast.finditer(text)] == [
            m.span() for m in plain.finditer(text)
        ], text
    assert [m.group(0) for m in fast.finditer(crafted[0])] == ["Dr.", "Vice-President"]


def test_a_name_before_a_title_is_found_where_a_leading_look_behind_finds_it() -> None:
    head = r"([A-Z](?<![\w'’-][A-Z])"
    assert parties._NAME_THEN_TITLE.pattern.startswith(head)
    plain = re.compile(r"(?<![\w'’-])([A-Z]" + parties._NAME_THEN_TITLE.pattern.removeprefix(head))
    crafted = ["Mary Smith, Vice-President of Acme", "O'Neil-Mary Smith, Dean", "Ann Lee, CEO"]
    for text in crafted + _english_texts():
        assert [m.span(1) for m in parties._NAME_THEN_TITLE.finditer(text)] == [
            m.span(1) for m in plain.finditer(text)
        ], text


def _family_words(text: str) -> set[str]:
    return {
        w
        for cue in parties._FAMILY
        for m in cue.finditer(text)
        for w in m.group(1).split()
        if len(w) > 1
    }


def test_donors_and_alumni_are_found_as_one_alternation_finds_them_and_more() -> None:
    # One alternation took "Wayne Hawk and his wife" and went on after it; each cue on
    # its own also reads "his wife, Charline Hawk".
    text = "G. Wayne Hawk and his wife, Charline Hawk, and alumnus Bryan Rand gave $1m."
    assert _family_words(text) == {"Wayne", "Hawk", "Charline", "Bryan", "Rand"}
    for text in _english_texts():
        plain = {
            w
            for m in _PLAIN_FAMILY.finditer(text)
            for g in m.groups()
            if g
            for w in g.split()
            if len(w) > 1
        }
        assert _family_words(text) >= plain, text
    # most texts name no donor, alumnus or spouse: those cues are not scanned there
    assert parties._FAMILY[0].needles and parties._FAMILY[2].needles


def test_groups_are_found_between_their_nouns_as_in_the_whole_text() -> None:
    rules = parties._en_rules()
    text = "Ten manufacturers joined. Later, 30 companies and two local colleges signed."
    found = [f.party.name for f in parties._en_aggregates(text, "body", rules)]
    assert found == ["Ten manufacturers", "30 companies", "two local colleges"]
    for text in _english_texts():
        plain = [m.group(0) for m in rules.aggregate_re.finditer(text)]
        fast = [f.party.name for f in parties._en_aggregates(text, "body", rules)]
        assert fast == plain, text
