"""rules-16 (issue 11, items 3 and 4): the type of what was built, not of who built it, and
the dateline as wires write it (tests/test_region_abroad.py).

A lab that signs (某重点实验室与某公司签署…) is a party: the item is its agreement, and no
joint_lab filter should match it. 战略联盟 between a school and one company is their
agreement, as "strategic alliance" already is in English; an 产业技术创新战略联盟 is an
alliance of many. Schools and companies are invented.
"""

from __future__ import annotations

import pytest

from ieiwatch.classify import classify
from ieiwatch.domain import ArticleType


def _types(title: str, text: str) -> list[ArticleType]:
    c = classify(title, text, "zh")
    assert c.relevant and c.type is not None
    return [c.type, *c.secondary_types]


def test_a_lab_that_signs_is_a_party_not_what_is_built() -> None:
    types = _types(
        "青岛某大学光电传感与生命分析重点实验室与威海某生物技术有限公司签署校企战略合作协议",
        "9月21日，青岛某大学光电传感与生命分析重点实验室与威海某生物技术有限公司签署了校企"
        "战略合作协议书。双方将在检测平台研发、人才培养等方面开展合作，项目实施期限为六年。",
    )
    assert types == [ArticleType.STRATEGIC_AGREEMENT]


def test_a_lab_built_together_is_still_a_joint_lab() -> None:
    types = _types(
        "某大学与某科技有限公司共建的新能源实验室揭牌",
        "6月5日，某大学与某科技有限公司共建的新能源实验室揭牌。双方将在电池材料研发、人才培养等"
        "方面深化校企合作。",
    )
    assert types[0] == ArticleType.JOINT_LAB


def test_a_strategic_alliance_of_a_school_and_a_firm_is_their_agreement() -> None:
    types = _types(
        "某药业携手某中医学院",
        "日前，某药业股份有限公司与某中医学院签署了战略联盟合作协议。双方约定在中药研发、人才"
        "培养、实习就业等方面开展全面合作。",
    )
    assert types == [ArticleType.STRATEGIC_AGREEMENT]


def test_an_industry_innovation_strategic_alliance_is_an_alliance() -> None:
    types = _types(
        "江苏省新能源汽车产业技术创新战略联盟成立",
        "日前，江苏省新能源汽车产业技术创新战略联盟在南京成立，由某大学牵头，二十家企业和高校"
        "加入，将共同开展技术攻关和人才培养。",
    )
    assert types[0] == ArticleType.ALLIANCE


def test_a_national_plan_integrating_industry_and_education_is_policy_news() -> None:
    c = classify(
        "Plan to tie industries, education underway",
        "About 50 cities will carry out trials integrating industry and education over the "
        "next five years, according to a new plan. The country will also cultivate more than "
        "10,000 enterprises under a pilot program. The National Development and Reform "
        "Commission, the Ministry of Education and four other departments recently unveiled "
        "the plan.",
        "en",
    )
    assert c.relevant and c.type == ArticleType.POLICY_EVENT


def _party_names(title: str, text: str) -> list[str]:
    return [p.name for p in classify(title, text, "zh").parties]


def test_a_short_form_the_article_declares_is_the_same_party() -> None:
    names = _party_names(
        "某工业大学与黑龙江省某建设投资集团签署战略合作协议",
        "3月2日，某工业大学与黑龙江省某建设投资集团有限公司（简称“省某建投集团”）签署战略"
        "合作协议。双方将在人才培养、科技研发等方面合作，省某建投集团将为学生提供实习岗位。",
    )
    assert names == ["某工业大学", "黑龙江省某建设投资集团有限公司"]


def test_a_company_written_without_its_youxian_is_the_same_party() -> None:
    names = _party_names(
        "我校与某鄂情股份有限公司签约合作办学",
        "日前，我校与某鄂情股份有限公司签约合作办学。根据协议，某鄂情股份公司将在我校设立"
        "烹饪专业订单班，共同培养学生。",
    )
    assert "某鄂情股份公司" not in names and "某鄂情股份有限公司" in names


def test_who_came_to_the_company_is_no_company_and_qianshou_parts_two_names() -> None:
    names = _party_names(
        "淮安某养老服务有限公司牵手连云港某高等专科学校“产学研基地”正式揭牌",
        "近日，淮安某养老服务有限公司总经理刘长虹率队来我公司考察后，双方举行产学研基地揭牌"
        "仪式，将共同培养养老服务人才。",
    )
    assert names == ["淮安某养老服务有限公司", "连云港某高等专科学校"]


def test_governments_named_by_their_levels_are_no_party() -> None:
    names = _party_names(
        "某市人民政府办公室关于深化产教融合校企合作的实施意见",
        "各县区人民政府，市政府各部门：为深化产教融合、校企合作，推动职业教育高质量发展，现提出"
        "以下实施意见。鼓励企业与职业院校共建实训基地。",
    )
    assert names == ["某市人民政府办公室"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "The University of Veterinary and Animal Sciences (UVAS) Lahore and Engro Foods "
            "signed an MoU to strengthen industry linkages.",
            "University of Veterinary and Animal Sciences Lahore",
        ),
        (
            "Day One signed an agreement with NTU's School of Mechanical and Aerospace "
            "Engineering to train engineers.",
            "NTU's School of Mechanical and Aerospace Engineering",
        ),
    ],
)
def test_and_between_two_subjects_of_a_schools_name_does_not_split_it(text: str, name: str) -> None:
    names = [p.name for p in classify("MoU signed", text, "en").parties]
    assert name in names


def test_a_headline_verb_after_two_names_is_no_part_of_the_second() -> None:
    c = classify(
        "College of New Caledonia and ICBA Partner to Help Apprentices",
        "The College of New Caledonia and the ICBA signed an agreement on Monday to train "
        "apprentices in the construction trades at the college's Prince George campus.",
        "en",
    )
    names = [p.name for p in [*c.parties, *c.mentioned]]
    assert "ICBA Partner" not in names and "ICBA" in names


def test_a_technical_institute_is_a_school() -> None:
    c = classify(
        "El Dorado Offshore partners with NATI to boost skills training",
        "El Dorado Offshore signed an agreement with the New Amsterdam Technical Institute "
        "to train students in welding and marine engineering at the institute's workshops.",
        "en",
    )
    kinds = {p.name: p.kind for p in c.parties}
    assert kinds["New Amsterdam Technical Institute"] == "vocational_school"
    assert not any("no school" in e for e in c.evidence)
