"""rules-17 (issue 11: parties, and relevance on sites never seen).

A school that news names only by a short form the gazetteer of schools abroad lists (KAUST,
NC A&T, BC3) is a party, so a company's deal with it is industry–education cooperation, not
"no school". Companies and people are invented; the schools are the gazetteer's
(classify/data/schools_abroad.yaml).

A school's agreement with a government and no company (校地合作) is regional development,
not industry–education cooperation: the labelled sets' README counts 校地/校政协议 among the
hard negatives. The hotel where it is signed is no partner from industry; a hotel that signs
with a school is."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ieiwatch.classify import classify
from ieiwatch.classify.core import rule_terms
from ieiwatch.domain import EDUCATION_KINDS


def _scored(title: str, text: str, lang: str) -> tuple[set[str], bool]:
    """The labels of the rules' terms, and the verdict."""
    _, terms, _ = rule_terms(title, text, lang)
    return {t.label for t in terms}, classify(title, text, lang).relevant


def _schools(title: str, text: str) -> list[str]:
    c = classify(title, text, "en")
    return [p.name for p in c.parties if p.kind in EDUCATION_KINDS]


def test_a_school_known_only_by_its_acronym_is_a_party() -> None:
    title = "Acme Petrochemicals agrees to fund research projects at KAUST"
    text = (
        "Acme Petrochemicals signed an MoU to fund five research projects at KAUST and to "
        "offer internships to its graduate students."
    )
    assert _schools(title, text) == ["KAUST"]
    labels, _ = _scored(title, text, "en")
    assert "no school" not in labels


def test_a_name_found_without_a_school_noun_that_the_gazetteer_lists_is_a_school() -> None:
    title = (
        "NJIT, Riverton County Community College, and the Acme Bricklayers Union sign a "
        "Letter of Intent"
    )
    text = (
        "Summary NJIT, Riverton County Community College, and the Acme Bricklayers Union have "
        "officially signed a Letter of Intent to create an Apprenticeship-to-Degree pathway."
    )
    assert "NJIT" in _schools(title, text)


def test_an_acronym_beside_the_full_name_is_not_a_second_school() -> None:
    schools = _schools(
        "North Carolina A&T State University and Acme Networks open a cybersecurity lab",
        "North Carolina A&T State University and Acme Networks opened a joint cybersecurity "
        "lab on Monday. NC A&T students will train on the company's equipment.",
    )
    assert schools == ["North Carolina A&T State University"]


def test_a_listed_name_inside_a_longer_name_is_that_body_not_the_school() -> None:
    text = (
        "The Rutgers Education and Employment Research Center partnered with Acme Steel Inc. "
        "to study apprenticeships."
    )
    assert "Rutgers" not in _schools("Study of apprenticeships", text)


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "某理工大学与某市人民政府签署战略合作协议",
            "11月3日，某理工大学与某市人民政府签署战略合作协议。双方将在科技创新、人才培养、"
            "智库建设等方面开展合作，推动校地融合发展。",
        ),
        # The hotel where it is signed is no partner from industry (every mention says where).
        (
            "我校与某市能源局签署能源高质量发展战略合作协议",
            "9月9日上午，某市能源高质量发展战略合作签约仪式在某某大酒店会议室举行。我校与某市能源局"
            "签署战略合作协议，双方将在能源规划、人才培养等方面开展合作。",
        ),
    ],
    ids=["with a city government", "with a bureau, at a hotel"],
)
def test_a_schools_agreement_with_a_government_alone_is_not_industry_cooperation(
    title: str, text: str
) -> None:
    labels, relevant = _scored(title, text, "zh")
    assert "school_government_agreement" in labels and not relevant


def test_the_same_agreement_with_a_company_beside_the_government_still_counts() -> None:
    title = "某理工大学与某市人民政府、某新能源科技有限公司签署战略合作协议"
    text = (
        "11月3日，某理工大学与某市人民政府、某新能源科技有限公司签署战略合作协议。三方将共建"
        "储能技术联合实验室，开展订单式人才培养。"
    )
    labels, relevant = _scored(title, text, "zh")
    assert "school_government_agreement" not in labels and relevant


def test_a_hotel_that_signs_with_a_school_is_still_its_partner() -> None:
    title = "某旅游职业学院与某某大酒店签署校企合作协议"
    text = (
        "近日，某旅游职业学院与某某大酒店签署校企合作协议，双方将共建酒店管理实训基地，"
        "开设订单班，联合培养酒店管理人才。"
    )
    c = classify(title, text, "zh")
    assert c.relevant
    assert "某某大酒店" in {p.name for p in c.parties}


def test_looking_up_a_known_school_does_not_compile_the_pattern_of_all_school_names() -> None:
    # A fresh interpreter: the pattern is cached per process. classify/warm.py classifies
    # an English item whose parties include a company, as workers do; the 9 MB pattern of
    # school names must stay unbuilt there (a look-up of a name needs only the table).
    probe = (
        "from ieiwatch.classify import warm, world_places as w; "
        "print(w._school_pattern.cache_info().currsize, w._school_places.cache_info().currsize)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["0", "1"]
