"""rules-19 (issue 11): a university's 生源基地 is admissions work between schools.

Chinese universities name high schools their 优质生源基地 (bases they recruit students from)
at a 签约授牌仪式, worded like a cooperation; the rules alone scored the three labelled
examples above the threshold (the learned layer had learnt them by their words). Schools
and people are invented.
"""

from __future__ import annotations

from ieiwatch.classify import classify
from ieiwatch.classify.core import learned_inputs, rule_terms


def _labels(title: str, text: str) -> set[str]:
    _, terms, _ = rule_terms(title, text, "zh")
    return {t.label for t in terms}


def test_a_universitys_student_source_base_at_a_high_school_is_not_cooperation() -> None:
    title = "某理工大学优质生源基地签约授牌仪式在某市第一中学举行"
    text = (
        "10月9日上午，某理工大学优质生源基地签约授牌仪式在某市第一中学举行。某理工大学招生办"
        "主任与该校校长签署协议并授牌，双方将在招生宣传、学生培养衔接等方面加强合作。"
    )
    assert "student_source_base" in _labels(title, text)
    assert learned_inputs(title, text, "zh")[2] < 0  # the rules alone say no
    assert not classify(title, text, "zh").relevant


def test_a_company_base_unveiled_the_same_day_is_still_cooperation() -> None:
    title = "某理工大学与某智能装备有限公司签署校企合作协议并揭牌实习实训基地"
    text = (
        "10月9日上午，某理工大学与某智能装备有限公司签署校企合作协议，并为实习实训基地揭牌。"
        "双方将共建实训基地，联合培养智能制造专业人才。"
    )
    assert "student_source_base" not in _labels(title, text)
    assert classify(title, text, "zh").relevant
