"""Scans narrowed for speed find exactly what the plain scans found."""

import json
import random
import re
from pathlib import Path

import pytest

from ieiwatch.classify.data_files import load
from ieiwatch.classify.parties import _DEFINED, _JOIN, _RUN_RE, _UNIT, _definitions, _en_rules
from ieiwatch.classify.rules import alternation, trie_alternatives, word_start

LABELLED = Path(__file__).parent / "data" / "labelled" / "tuning.jsonl"


def _spans(matches: object) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in matches]  # type: ignore[attr-defined]


def _texts() -> list[str]:
    rows = [json.loads(line) for line in LABELLED.open(encoding="utf-8") if line.strip()]
    return [r.get(k) or "" for r in rows for k in ("title", "text")]


def _fuzz(pieces: list[str], n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 30))) for _ in range(n)]


@pytest.mark.parametrize(
    "text",
    [
        "the University of California, San Francisco (UCSF) and Wits (WITS)",
        "Foo (AB)Bar Baz (CD) — Ngee Ann Polytechnic (NP); (XY) at the (Z)",
        "a  Very   Long Name Of Many Words Here And There Too Yes Really (VLN)",
        "x\tSchool of Mines (SM) and\nNorth Seattle College (NSC)",
        "",
    ],
)
def test_definitions_read_in_their_runs_are_the_whole_scans(text: str) -> None:
    assert _spans(_definitions(text)) == _spans(_DEFINED.finditer(text))


def test_definitions_match_the_whole_scan_on_labelled_and_random_texts() -> None:
    pieces = ["A", "Bc", "of", "the", " ", "  ", "(", ")", "(AB)", "(Ab)", ",", ".", "-", "’"]
    pieces += ["\n", "&", "\t", "CD", "é", "Ü", "x"]
    for text in _texts() + _fuzz(pieces, 5000, seed=7):
        assert _spans(_definitions(text)) == _spans(_DEFINED.finditer(text)), text


def test_a_word_start_after_the_first_letter_is_a_leading_word_boundary() -> None:
    words = ["Ohio", "Ohio State", "Oslo", "Lagos", "_x", "9th Ward", "-dash", "’quote", "St."]
    narrowed = re.compile(trie_alternatives(words, after_first=word_start) + r"(?!\w)")
    plain = re.compile(rf"\b(?:{trie_alternatives(words)})(?!\w)")
    pieces = [*words, " ", "a", "X", "-", "’", "\n", ".", "é", "1"]
    for text in _fuzz(pieces, 5000, seed=11):
        assert _spans(narrowed.finditer(text)) == _spans(plain.finditer(text)), text


def test_runs_of_names_opening_with_a_class_are_those_of_the_plain_units() -> None:
    plain = re.compile(rf"{_UNIT}(?:{_JOIN}{_UNIT})*")
    pieces = ["Co", "Co.", "Ltd", "LTD", "Inc", "Corp", "St", "Bros", "Pty", "Bhd", ".", ","]
    pieces += [" ", "(", ")", "(AB)", "A", "x", "of", "the", "and", "–", "-", "\t", "\n", "é"]
    for text in _texts() + _fuzz(pieces, 5000, seed=13):
        assert _spans(_RUN_RE.finditer(text)) == _spans(plain.finditer(text)), text


def test_brands_checked_after_their_first_letter_are_found_as_before() -> None:
    companies = load("orgs")["en"]["known_companies"]
    plain = re.compile(r"(?<![\w&.-])" + alternation(companies) + r"(?![\w&-]|\.\w)")
    brand = _en_rules().brand_re
    pieces = [*companies[:40], " ", "x", "-", "&", ".", ".x", "’s", "\n", "A", "é"]
    for text in _texts() + _fuzz(pieces, 3000, seed=17):
        assert _spans(brand.finditer(text)) == _spans(plain.finditer(text)), text
    assert all(brand.fullmatch(c) for c in companies)
