"""rules-18 (issue 11, item 2: parties with their kind).

A school the gazetteer of schools abroad lists, named with one of its campuses or schools
after it (`BC3 Brockway`, `MIT Sloan`), is a school party, not an organisation of unknown
kind; a name that only begins with a listed school's name and goes on for more words is
left as found. Hospitals and companies are invented; the schools are the gazetteer's
(classify/data/schools_abroad.yaml)."""

from __future__ import annotations

from ieiwatch.classify import classify
from ieiwatch.domain import EDUCATION_KINDS


def _kinds(title: str, text: str) -> dict[str, str]:
    return {p.name: str(p.kind) for p in classify(title, text, "en").parties}


def test_a_listed_school_with_its_campus_after_it_is_a_school() -> None:
    kinds = _kinds(
        "BC3 Brockway partners with Riverton Regional Hospital",
        "BC3 Brockway and Riverton Regional Hospital signed an agreement that will offer "
        "free nursing tuition in return for a four-year employment commitment.",
    )
    assert kinds["BC3 Brockway"] in EDUCATION_KINDS
    assert kinds["Riverton Regional Hospital"] not in EDUCATION_KINDS


def test_a_school_of_a_listed_university_is_a_school() -> None:
    kinds = _kinds(
        "MIT Sloan and Acme Logistics launch a supply chain apprenticeship",
        "MIT Sloan and Acme Logistics signed an agreement to train 40 apprentices a year.",
    )
    assert kinds.get("MIT Sloan") in EDUCATION_KINDS


def test_a_longer_name_that_begins_with_a_listed_school_keeps_its_kind() -> None:
    kinds = _kinds(
        "Harvard Pilgrim Health Care partners with Riverton Community College",
        "Harvard Pilgrim Health Care and Riverton Community College signed an agreement "
        "to train medical coders.",
    )
    assert kinds.get("Harvard Pilgrim Health Care") not in EDUCATION_KINDS
