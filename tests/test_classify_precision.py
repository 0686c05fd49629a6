"""Rules-2 fixes: the headline decides the type, and only real names are parties.

Every example is invented for these tests (places, schools and companies are
fictional).
"""

from __future__ import annotations

import pytest

from ieiwatch.classify import CLASSIFIER_VERSION, classify


def _names(title: str, text: str) -> dict[str, str]:
    return {p.name: p.kind for p in classify(title, text).parties}


def test_version_was_bumped_for_the_new_rules() -> None:
    assert CLASSIFIER_VERSION == "rules-20"


# ------------------------------------------------- the headline decides ----

HEADLINE_CASES = [
    pytest.param(
        "青州大学与澜海储能集团共建固态电池联合实验室揭牌",
        "4月9日上午，青州大学与澜海储能集团有限公司共建的固态电池联合实验室揭牌仪式在学校举行。"
        "实验室将围绕电池安全和回收利用开展联合攻关。学校将以实验室为平台，深化校企合作。"
        "仪式结束后，双方还就共建实习实训基地和联合培养研究生等事项进行了座谈交流。",
        "joint_lab",
        id="zh-lab-headline-beats-closing-base",
    ),
    pytest.param(
        "槐安职业技术学院与北岭物流集团共建实习实训基地",
        "5月6日，槐安职业技术学院与北岭物流集团有限公司签署协议，共建实习实训基地。"
        "此外，双方还将探索共建联合实验室、联合培养研究生。",
        "training_base",
        id="zh-base-headline-beats-future-lab",
    ),
    pytest.param(
        "槐安职业技术学院与北岭物流集团签署订单班培养协议",
        "5月6日，槐安职业技术学院与北岭物流集团有限公司签署订单班培养协议，双方将在学院共建"
        "实训基地，企业派出工程师担任兼职教师。",
        "talent_program",
        id="zh-order-class-headline-beats-base-in-lead",
    ),
    pytest.param(
        "我校与北岭物流集团战略合作签约暨产学研实践基地揭牌",
        "5月6日，我校与北岭物流集团有限公司签署战略合作协议，并为产学研实践基地揭牌。",
        "strategic_agreement",
        id="zh-main-event-before-ji",
    ),
    pytest.param(
        "我校与北岭物流集团实践基地揭牌暨战略合作签约仪式举行",
        "5月6日，我校与北岭物流集团有限公司签署战略合作协议，并为实践基地揭牌。",
        "training_base",
        id="zh-main-event-before-ji-reversed",
    ),
    pytest.param(
        "Northbay University and Coral Cells open joint lab",
        "Northbay University and Coral Cells Co., Ltd. opened a joint laboratory for battery "
        "recycling on Monday. The two sides also discussed internships and a training base on "
        "campus.",
        "joint_lab",
        id="en-lab-headline-beats-also-discussed-base",
    ),
]


@pytest.mark.parametrize(("title", "text", "expected"), HEADLINE_CASES)
def test_headline_type_outweighs_cues_in_passing(title: str, text: str, expected: str) -> None:
    result = classify(title, text)
    assert result.relevant, result.evidence
    assert result.type == expected, result.evidence


def test_main_act_followed_by_talks_is_not_an_aside() -> None:
    # "…并就下一步合作进行了交流" after the act does not make the act a passing mention.
    result = classify(
        "青州大学与澜海储能集团深化校企合作",
        "4月9日，青州大学与澜海储能集团有限公司签署协议共建储能产业学院，并就下一步合作进行了交流。"
        "双方还就共建联合实验室进行了探讨。",
    )
    assert result.type == "industry_college", result.evidence


def test_english_jointly_established_by_is_not_an_industry_college() -> None:
    result = classify(
        "New centre jointly established by Eastmoor College and Varden Motors",
        "A new automotive training centre jointly established by Eastmoor College and Varden "
        "Motors opened on Tuesday. It will take 60 apprentices a year.",
    )
    assert result.type == "training_base", result.evidence


# ------------------------------------------------------------- parties ----


def test_self_reference_is_dropped_when_the_school_is_named() -> None:
    names = _names(
        "青州大学与澜海储能集团签署校企合作协议",
        "4月9日，青州大学与澜海储能集团有限公司签署校企合作协议。学校将与集团共建实训基地，"
        "我校相关学院负责人参加签约。",
    )
    assert "青州大学" in names
    assert "学校" not in names and "我校" not in names


def test_self_reference_stays_when_it_is_the_only_name_and_counts_once() -> None:
    names = _names(
        "我校与澜海储能集团签署校企合作协议",
        "4月9日，学校与澜海储能集团有限公司签署校企合作协议，我校将与集团共建实训基地。",
    )
    assert [n for n in names if n in ("我校", "学校")] == ["我校"]
    assert names["澜海储能集团有限公司"] == "enterprise"


def test_self_reference_next_to_another_school_is_a_second_school() -> None:
    result = classify(
        "我校与东岭大学签署校际合作协议",
        "11月6日，我校与东岭大学签署校际合作协议，两校将在学生交流、教师互访等方面开展合作。",
    )
    assert not result.relevant
    assert {p.name for p in result.parties} == {"我校", "东岭大学"}


def test_college_publisher_calling_itself_xueyuan_is_a_party() -> None:
    result = classify(
        "学院与澜海储能集团签署校企合作协议",
        "11月1日，学院与澜海储能集团有限公司签署校企合作协议，双方将共建储能实训基地。",
    )
    assert result.relevant
    assert {p.name: p.kind for p in result.parties} == {
        "学院": "college",
        "澜海储能集团有限公司": "enterprise",
    }


def test_count_summing_up_named_parties_is_not_a_party() -> None:
    names = _names(
        "澄州市举行校企合作集中签约",
        "会上，澄州职业技术学院、青州大学与澜海储能集团有限公司等12家企业代表进行了集中签约。",
    )
    assert "12家企业" not in names
    assert {"澄州职业技术学院", "青州大学", "澜海储能集团有限公司"} <= set(names)
    assert not any(n.endswith("等") for n in names)


def test_count_standing_alone_is_a_party() -> None:
    names = _names(
        "澄州市举行校企合作集中签约",
        "会上，全市11所职业学校与50家企业签订合作协议，共建实训基地35个。",
    )
    assert names["11所职业学校"] == "vocational_school"
    assert names["50家企业"] == "enterprise"


def test_verb_led_fragments_and_generic_alliances_are_not_parties() -> None:
    result = classify(
        "澄州市召开产教融合推进会 部署市域产教联合体建设",
        "10月30日，澄州市产教融合推进会召开。会议部署全市市域产教联合体建设工作，"
        "推进澄州市首个市域产教联合体建设。澄州职业技术学院与澜海储能集团有限公司现场签约。",
    )
    assert result.relevant
    assert result.type == "policy_event"
    for p in result.parties:
        assert not p.name.startswith(("部署", "推进", "全市", "市域")), p
        assert "联合体" not in p.name, p


def test_government_departments_in_an_enumeration_are_kept_whole() -> None:
    result = classify(
        "澄州市召开产教融合推进会",
        "10月30日，澄州市产教融合推进会在市行政中心召开。市教育局、市发展改革委、"
        "市工业和信息化局、市人力资源和社会保障局等部门负责人参加会议。"
        "澄州职业技术学院与澜海储能集团有限公司现场签约。",
    )
    # Whole names, party or mentioned (the bureaus only attend).
    names = {p.name: p.kind for p in [*result.parties, *result.mentioned]}
    # Qualified with the city that acts in the headline; the city alone then goes.
    for dept in ("教育局", "发展改革委", "工业和信息化局", "人力资源和社会保障局"):
        assert names[f"澄州市{dept}"] == "government"
    assert "澄州市" not in names
    assert not any(n in ("信息化局", "社会保障局") for n in names)


def test_government_departments_without_a_known_city_stay_as_written() -> None:
    names = _names(
        "校企合作对接会举行",
        "会议由市教育局、市工业和信息化局联合主办，澄州职业技术学院与澜海储能集团有限公司签约。",
    )
    assert names["市工业和信息化局"] == "government"
    assert names["市教育局"] == "government"


def test_the_city_alone_is_the_organiser_when_no_body_is_named() -> None:
    names = _names(
        "澄州市召开产教融合推进会",
        "会上，澄州职业技术学院与澜海储能集团有限公司签署合作协议，共建储能实训基地。",
    )
    assert names["澄州市"] == "government"


def test_school_department_names_with_yu_stay_whole() -> None:
    names = _names(
        "我校经济与管理学院与澜海储能集团签约",
        "4月2日，青州大学经济与管理学院与澜海储能集团有限公司签署实践基地协议。",
    )
    assert "青州大学经济与管理学院" in names
    assert "管理学院" not in names


def test_short_form_and_full_name_are_one_party() -> None:
    names = _names(
        "青州大学与澜海集团共建储能联合实验室",
        "4月9日，青州大学与澜海储能集团有限公司签署协议，共建储能联合实验室。",
    )
    assert names == {"青州大学": "university", "澜海储能集团有限公司": "enterprise"}


def test_the_venue_does_not_rename_a_party() -> None:
    names = _names(
        "青州大学与澜海储能集团共建联合实验室揭牌",
        "揭牌仪式在青州大学材料学院举行，澜海储能集团有限公司总裁出席。",
    )
    assert "青州大学" in names
    assert "青州大学材料学院" not in names


def test_things_unveiled_are_not_parties() -> None:
    result = classify(
        "青州大学澜海储能研究院揭牌成立",
        "11月8日，由青州大学与澜海储能集团有限公司共同组建的澜海储能研究院揭牌成立，"
        "双方共建的“储能技术联合实验室”同时启用。",
    )
    assert result.relevant
    assert result.type == "joint_lab"
    names = {p.name for p in result.parties}
    assert names == {"青州大学", "澜海储能集团有限公司"}


def test_a_function_word_after_a_name_ends_it() -> None:
    names = _names(
        "澜海储能集团为槐安职业技术学院学生设立奖学金",
        "根据协议，澜海储能集团为槐安职业技术学院学生提供奖学金，并共建储能实训基地。",
    )
    assert "澜海储能集团" in names
    assert "槐安职业技术学院" in names
    assert not any("集团为" in n for n in names)


def test_traditional_government_enumeration() -> None:
    result = classify(
        "澄州市召開產教融合推進會",
        "市教育局、市工業和信息化局等部門負責人參加會議，澄州職業技術學院與瀾海儲能集團有限公司簽約。",
    )
    # Whole names, party or mentioned (the bureaus only attend).
    names = {p.name: p.kind for p in [*result.parties, *result.mentioned]}
    assert names["澄州市工業和信息化局"] == "government"


# ------------------------------------------------------ more act forms ----


@pytest.mark.parametrize(
    ("title", "text"),
    [
        pytest.param(
            "澜海储能集团向我校捐赠实训设备",
            "11月2日，澜海储能集团有限公司向我校捐赠价值300万元的储能实训设备。",
            id="zh-donation-to-us",
        ),
        pytest.param(
            "青州大学与澜海储能集团签约共建储能学院",
            "双方将共建储能学院，联合培养本科生和研究生。",
            id="zh-sign-to-co-build-a-school",
        ),
        pytest.param(
            "澄州市教育局等五部门印发《澄州市职业教育产教融合实施方案》",
            "近日，澄州市教育局、市发展改革委等五部门联合印发方案，提出培育产教融合型企业100家。",
            id="zh-policy-document-in-headline",
        ),
        pytest.param(
            "Ministry of Education names industry-education integration pilot cities",
            "The Ministry of Education announced the first list of industry-education "
            "integration pilot cities on Monday, together with the National Development and "
            "Reform Commission.",
            id="en-pilot-list",
        ),
    ],
)
def test_more_act_forms_are_relevant(title: str, text: str) -> None:
    result = classify(title, text)
    assert result.relevant, result.evidence


def test_english_government_bodies_named_by_their_field() -> None:
    names = _names(
        "Ministry of Education names pilot cities",
        "The Ministry of Education and the National Development and Reform Commission named "
        "20 industry-education integration pilot cities.",
    )
    assert names["Ministry of Education"] == "government"
    assert names["National Development and Reform Commission"] == "government"


_JOINT_CENTRE = (
    "Coral–Northbay Joint Research Centre opens",
    "The Coral–Northbay Joint Research Centre for Energy Storage, jointly established by "
    "Northbay University and Coral Cells Co., Ltd., opened on Friday.",
)


def test_english_joint_centre_named_after_both_sides_is_not_a_party() -> None:
    result = classify(*_JOINT_CENTRE)
    assert {p.name for p in result.parties} == {"Northbay University", "Coral Cells Co., Ltd."}


@pytest.mark.xfail(
    strict=True,
    reason="the text layer (rules-7 to rules-19) scores this short invented item below 0.5 "
    "(rules-11: P 0.36; −joint, −joint research, −research centre); the rules alone call it "
    "relevant (+6.4 against 5)",
)
def test_english_joint_centre_opening_is_a_relevant_joint_lab() -> None:
    assert classify(*_JOINT_CENTRE).type == "joint_lab"
