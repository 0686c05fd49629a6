"""Unit tests of the classifier on short news items invented for these tests."""

from __future__ import annotations

import dataclasses
import re

import pytest

from ieiwatch.classify import (
    CLASSIFIER_VERSION,
    Classification,
    Party,
    Region,
    classify,
    detect_language,
)
from ieiwatch.classify.rules import alternatives, by_first_literal
from ieiwatch.classify.text import normalise_spaces, to_simplified

# --------------------------------------------------------------- each type ---

TYPE_CASES = [
    pytest.param(
        "江南理工大学与华辰智能装备有限公司共建智能装备联合实验室揭牌",
        "6月12日上午，江南理工大学与华辰智能装备有限公司共建的智能装备联合实验室在学校揭牌。"
        "双方将围绕工业机器人、数控系统开展联合研发，并联合培养研究生。",
        "joint_lab",
        id="zh-joint_lab",
    ),
    pytest.param(
        "星河职业技术学院与星河新能源集团签约共建储能产业学院",
        "近日，星河职业技术学院与星河新能源集团有限公司举行储能产业学院共建签约仪式。根据协议，"
        "双方将共同制定人才培养方案，每年培养储能专业技术人才200名。",
        "industry_college",
        id="zh-industry_college",
    ),
    pytest.param(
        "东湖大学与远航航空股份有限公司签署战略合作框架协议",
        "3月8日，东湖大学与远航航空股份有限公司在武汉签署战略合作框架协议。双方将在人才培养、"
        "科研攻关、成果转化等方面深化合作。",
        "strategic_agreement",
        id="zh-strategic_agreement",
    ),
    pytest.param(
        "青山卫生职业学院与青山市第一人民医院举行实习就业基地授牌仪式",
        "日前，青山卫生职业学院与青山市第一人民医院举行实习就业基地授牌仪式，双方签署了实习基地"
        "合作协议，今后每年将接收护理专业学生120名到医院实习。",
        "training_base",
        id="zh-training_base",
    ),
    pytest.param(
        "滨海职业技术学院与海港物流集团开设“海港订单班”",
        "9月1日，滨海职业技术学院与海港物流集团有限公司签订订单班培养协议，首批40名学生将在"
        "校企双导师指导下学习，毕业后直接进入企业工作。",
        "talent_program",
        id="zh-talent_program",
    ),
    pytest.param(
        "全国智能网联汽车产教融合共同体在长沙成立",
        "11月20日，全国智能网联汽车产教融合共同体成立大会在长沙举行。共同体由湖南汽车工程职业学院"
        "牵头，联合32所院校、45家企业和3家科研机构共同组建。",
        "alliance",
        id="zh-alliance",
    ),
    pytest.param(
        "江西省教育厅关于开展省级产教融合实训基地遴选工作的通知",
        "各设区市教育局，各高等职业院校：为深化产教融合、校企合作，推动职业教育高质量发展，经研究，"
        "决定开展省级产教融合实训基地遴选工作。现将有关事项通知如下。",
        "policy_event",
        id="zh-policy_event",
    ),
    pytest.param(
        "我校与南方电子科技有限公司签订技术成果转化合作项目",
        "12月2日，我校与南方电子科技有限公司签订技术成果转化合作项目，合同金额300万元。双方将在"
        "传感器芯片封装技术方面开展联合攻关。",
        "other_cooperation",
        id="zh-other_cooperation",
    ),
    pytest.param(
        "Northfield University and Apex Robotics unveil joint robotics laboratory",
        "On March 3, Northfield University and Apex Rob"
        "otics Co., Ltd. signed an agreement to jointly "
        "establish a joint laboratory for industrial ro"
        "bots. The lab will host graduate students and "
        "company engineers.",
        "joint_lab",
        id="en-joint_lab",
    ),
    pytest.param(
        "Lakeside Polytechnic opens training centre with Delta Electric",
        "Lakeside Polytechnic and Delta Electric Group "
        "have jointly established a training centre on "
        "campus. Under the agreement signed on Monday, the company will provide equipment and "
        "internships for 150 students each year.",
        "training_base",
        id="en-training_base",
    ),
    pytest.param(
        "Riverside Community College partners with Horizon Motors on apprenticeship program",
        "Riverside Community College has partnered with Horizon Motors to launch an apprenticeship "
        "program for automotive technicians. Apprentice"
        "s will earn an associate degree while working "
        "at Horizon dealerships.",
        "talent_program",
        id="en-talent_program",
    ),
    pytest.param(
        "Eastlake University signs MoU with Sunrise Pharmaceutical Co., Ltd.",
        "Eastlake University signed a memorandum of understanding with Sunrise Pharmaceutical Co., "
        "Ltd. on Tuesday. The two sides will cooperate on talent cultivation, joint research and "
        "student internships.",
        "strategic_agreement",
        id="en-strategic_agreement",
    ),
    pytest.param(
        "Harbor City launches industry-education alliance for shipbuilding",
        "Harbor City Vocational College, Harbor Shipbu"
        "ilding Group and 12 other companies formed an "
        "industry-education alliance on Friday to train welders and marine engineers together.",
        "alliance",
        id="en-alliance",
    ),
    pytest.param(
        "Ferrovia Engineering College and Metro Rail Corporation set up joint research centre",
        "Ferrovia Engineering College signed an agreement with Metro Rail Corporation to set up a "
        "research centre on signalling. Engineers from the company will teach a course each term.",
        "joint_lab",
        id="en-joint_research_centre",
    ),
]


@pytest.mark.parametrize(("title", "text", "expected"), TYPE_CASES)
def test_each_type(title: str, text: str, expected: str) -> None:
    result = classify(title, text)
    assert result.relevant, result.evidence
    assert result.type == expected, result.evidence
    assert 0.5 <= result.score <= 1.0
    assert result.evidence


# -------------------------------------------------------------- look-alikes --

NEGATIVE_CASES = [
    pytest.param(
        "新时代职业院校产教融合的实践路径研究",
        "[摘要]产教融合是职业教育高质量发展的关键。本文从政府、学校、企业三个层面分析了校企合作中存在"
        "的问题，提出了共建实训基地等对策。[关键词]产教融合；校企合作；路径",
        id="zh-paper",
    ),
    pytest.param(
        "如何让校企合作走深走实？",
        "专家认为，当前校企合作仍存在“学校热、企业冷”的现象。推动产教融合，应当完善激励政策，让企业"
        "在合作中获得实实在在的收益。",
        id="zh-commentary",
    ),
    pytest.param(
        "北方大学与南方师范大学签署合作协议",
        "10月9日，北方大学与南方师范大学签署合作协议。两校将在学科建设、学术交流、教师互访、学生交换"
        "等方面开展全面合作。",
        id="zh-university-to-university",
    ),
    pytest.param(
        "远景能源集团与华辰智能装备有限公司签署战略合作协议",
        "双方将共建联合实验室，在储能装备领域开展深度合作，共同开拓海外市场。",
        id="zh-company-only",
    ),
    pytest.param(
        "我校举办2024届毕业生秋季双选会",
        "10月15日，我校2024届毕业生秋季双选会在体育馆举行，共有300家企业参会，提供就业岗位5000余个。",
        id="zh-job-fair",
    ),
    pytest.param(
        "我校教师团队荣获全国职业院校技能大赛教学能力比赛一等奖",
        "近日，全国职业院校技能大赛教学能力比赛结果公布，我校机电工程学院教师团队荣获一等奖。",
        id="zh-award",
    ),
    pytest.param(
        "School-enterprise cooperation in higher vocational colleges: a case study",
        "Abstract: This paper examines school-enterpri"
        "se cooperation in higher vocational colleges. "
        "Using a case study of one college, the study finds that cooperation remains shallow. "
        "Keywords: industry-education integration; school-enterprise cooperation",
        id="en-paper",
    ),
    pytest.param(
        "Opinion | Why apprenticeships need universities",
        "I believe universities should do more to work"
        " with employers. Apprenticeship degrees could "
        "help, but colleges must change how they teach.",
        id="en-opinion",
    ),
    pytest.param(
        "Northfield University and Westbrook University sign student exchange agreement",
        "The two universities signed an agreement on student exchange and a dual degree program in "
        "civil engineering during a delegation visit on Friday.",
        id="en-university-to-university",
    ),
    pytest.param(
        "Apex Robotics and Delta Electric sign strategic partnership",
        "Apex Robotics and Delta Electric Group signed"
        " a strategic partnership agreement to jointly "
        "develop industrial automation products. The deal is expected to lift revenue next year.",
        id="en-company-only",
    ),
    pytest.param(
        "Spring career fair draws 200 employers to campus",
        "More than 200 employers attended the spring car"
        "eer fair at Northfield University on Thursday, "
        "offering internships and jobs to graduating students.",
        id="en-job-fair",
    ),
    pytest.param(
        "Northfield professor wins national teaching award",
        "Professor Jane Smith of Northfield University"
        " won the national teaching award for her work "
        "on engineering education.",
        id="en-award",
    ),
]


@pytest.mark.parametrize(("title", "text"), NEGATIVE_CASES)
def test_look_alikes_are_not_relevant(title: str, text: str) -> None:
    result = classify(title, text)
    assert not result.relevant, result.evidence
    assert result.type is None
    assert result.score < 0.5


def test_negative_evidence_names_the_look_alike() -> None:
    result = classify(
        "新时代职业院校产教融合的实践路径研究", "[摘要]本文分析了校企合作的问题。[关键词]产教融合"
    )
    assert any(e.startswith("−paper") for e in result.evidence)


def test_job_fair_with_signed_agreements_is_relevant() -> None:
    # A job fair alone is not cooperation; agreements signed there are.
    result = classify(
        "临江市举办校企人才合作对接会",
        "4月10日，临江市校企人才合作对接会举行，来自全国的60所院校与本地120家企业参会，"
        "现场共有35个校企合作项目正式签约，涉及实习实训基地建设、订单班培养等。",
    )
    assert result.relevant, result.evidence
    assert result.type == "policy_event"


# --------------------------------------------- traditional, English, language --


def test_traditional_characters() -> None:
    result = classify(
        "臺北科技大學與鴻海精密工業股份有限公司簽署產學合作協議",
        "臺北科技大學日前與鴻海精密工業股份有限公司簽署產學合作協議，雙方將共同建立聯合研發中心，"
        "推動半導體人才培育與技術交流。",
    )
    assert result.relevant
    assert result.lang == "zh"
    names = {p.name: p.kind for p in result.parties}
    # Names are reported as written, in traditional characters.
    assert names["臺北科技大學"] == "university"
    assert names["鴻海精密工業股份有限公司"] == "enterprise"
    assert result.region == Region(province="Taiwan", city="Taipei")
    assert any("簽署" in e for e in result.evidence)


def test_a_text_is_mapped_only_where_it_holds_a_character_to_map() -> None:
    simplified = "学校与企业签署合作协议"
    assert to_simplified(simplified) is simplified  # nothing to map: no copy made
    assert to_simplified("學校與企業簽署合作協議\u3000") == "学校与企业签署合作协议 "
    plain = "A college and a firm sign an MoU"
    assert normalise_spaces(plain) is plain
    assert normalise_spaces("MoU\u00a0signed\u200b") == "MoU signed "


def test_traditional_look_alike_company_only() -> None:
    result = classify(
        "寶華鋼鐵集團與東方汽車有限公司簽署戰略合作協議",
        "雙方將共建汽車用鋼聯合實驗室，並在新材料領域深化合作。",
    )
    assert not result.relevant


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("学校与企业签署合作协议，共建实训基地。", "zh"),
        ("學校與企業簽署合作協議，共建實訓基地。", "zh"),
        ("The university signed an agreement with a local company.", "en"),
        ("Huawei ICT学院在我校揭牌", "zh"),
        (
            "Tsinghua University (清华大学) signed an agreement with Siemens on Monday in Beijing.",
            "en",
        ),
        ("", "en"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_language_is_detected_when_not_given_and_respected_when_given() -> None:
    assert classify("华为与某学院签约", "双方签署协议").lang == "zh"
    assert classify("College signs deal", "The college signed an agreement.").lang == "en"
    assert (
        classify("College signs deal", "The college signed an agreement.", lang="en").lang == "en"
    )


# ------------------------------------------------------- parties and kinds ---


def _kinds(title: str, text: str) -> dict[str, str]:
    return {p.name: p.kind for p in classify(title, text).parties}


def test_chinese_party_kinds() -> None:
    kinds = _kinds(
        "长沙市人民政府与湖南有色金属职业技术学院签约",
        "湖南有色金属职业技术学院与长沙市人民政府、中国科学院大学、萍乡市第二人民医院、"
        "湖南省机械工业协会、湘江智能制造研究院、华辰智能装备有限公司在长沙签署合作协议。",
    )
    assert kinds["湖南有色金属职业技术学院"] == "vocational_school"
    assert kinds["长沙市人民政府"] == "government"
    assert kinds["中国科学院大学"] == "university"
    assert "中国科学院" not in kinds  # part of the university's name, not a party
    assert kinds["萍乡市第二人民医院"] == "hospital"
    assert kinds["湖南省机械工业协会"] == "association"
    assert kinds["湘江智能制造研究院"] == "research_institute"
    assert kinds["华辰智能装备有限公司"] == "enterprise"


def test_chinese_x_and_y_sign_and_created_entities() -> None:
    kinds = _kinds(
        "学校与河山重工集团签署共建智能焊接产业学院合作协议",
        "5月6日，我校与河山重工集团有限公司签署协议，共建“河山焊接学院”。",
    )
    # The title's short form and the body's full name are one party: the longer kept.
    assert kinds["河山重工集团有限公司"] == "enterprise"
    assert "河山重工集团" not in kinds
    assert kinds["学校"] == "university"  # the publishing school refers to itself
    # What the cooperation builds is not a party.
    assert not any("产业学院" in name or "焊接学院" in name for name in kinds)


def test_chinese_counted_and_listed_parties() -> None:
    kinds = _kinds(
        "新区举行校企合作集中签约",
        "会上，12所职业院校与新区组织的云帆电子、北辰机电、海川物流3家企业集中签约。",
    )
    # A count standing for unnamed members is a party; one that sums up the
    # names listed before it is not (the names are).
    assert kinds["12所职业院校"] == "vocational_school"
    assert "3家企业" not in kinds
    assert {"云帆电子", "北辰机电", "海川物流"} <= set(kinds)


def test_unsuffixed_partner_in_cooperation_slot() -> None:
    kinds = _kinds("我校与华为签署合作协议", "双方将共建ICT学院。")
    assert "华为" in kinds
    assert kinds["我校"] == "university"


def test_english_parties_and_kinds() -> None:
    kinds = _kinds(
        "Westfield Institute of Technology and Orion Motors sign agreement",
        "Westfield Institute of Technology signed a coop"
        "eration agreement with Orion Motors Co., Ltd., "
        "the Westfield County Department of Labor, Westfield General Hospital and the Westfield "
        "Manufacturers Association on Friday. The partners will build a training centre.",
    )
    assert kinds["Westfield Institute of Technology"] == "university"
    assert kinds["Orion Motors Co., Ltd."] == "enterprise"
    assert kinds["Westfield County Department of Labor"] == "government"
    assert kinds["Westfield General Hospital"] == "hospital"
    assert kinds["Westfield Manufacturers Association"] == "association"


def test_english_jointly_built_by_x_and_y() -> None:
    result = classify(
        "New lab opens",
        "The Battery Materials Laboratory, jointly built by Southlake University and VoltCore, "
        "opened on Monday. VoltCore CEO Anna Lee attended the ceremony.",
    )
    kinds = {p.name: p.kind for p in result.parties}
    assert kinds["Southlake University"] == "university"
    assert kinds["VoltCore"] == "enterprise"  # no suffix: known from its slot and "CEO"
    assert "Anna Lee" not in kinds
    assert result.relevant
    assert result.type == "joint_lab"


def test_party_objects_are_frozen_values() -> None:
    p = Party("某某大学", "university")
    assert p == Party("某某大学", "university")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.name = "x"  # type: ignore[misc]


# ----------------------------------------------------- region and sectors ---


@pytest.mark.parametrize(
    ("title", "text", "region"),
    [
        ("杭州某职业学院与某公司签约", "双方在杭州签署合作协议。", Region("Zhejiang", "Hangzhou")),
        (
            "广东省教育厅召开产教融合推进会",
            "会议在广州召开，全省高校参加。",
            Region("Guangdong", "Guangzhou"),
        ),
        (
            "江苏省出台产教融合实施意见",
            "为深化产教融合，江苏省制定本意见。",
            Region("Jiangsu", None),
        ),
        (
            "Shenzhen college signs deal",
            "A college in Shenzhen signed an agreement with a battery maker.",
            Region("Guangdong", "Shenzhen"),
        ),
        ("Partnership announced", "The college signed an agreement.", None),
    ],
)
def test_region(title: str, text: str, region: Region | None) -> None:
    assert classify(title, text).region == region


def test_sectors() -> None:
    zh = classify(
        "某学院与某新能源公司共建储能与人工智能联合实验室",
        "双方将在锂电池储能、光伏系统和人工智能算法方面合作。",
    )
    assert "new_energy" in zh.sectors
    assert "ict_ai" in zh.sectors
    en = classify(
        "College and hospital open nursing training centre",
        "The college and the city hospital opened a nursing training centre for clinical practice.",
    )
    assert en.sectors[:1] == ["healthcare_elderly_care"]
    assert classify("学校召开会议", "会议讨论了工作。").sectors == []


# ----------------------------------------------------------- the interface --


def test_to_dict_from_dict_round_trip() -> None:
    result = classify(
        "东湖大学与远航航空股份有限公司签署战略合作框架协议",
        "3月8日，东湖大学与远航航空股份有限公司在武汉签署战略合作框架协议。",
    )
    d = result.to_dict()
    assert d["parties"][0] == {"name": "东湖大学", "kind": "university"}
    assert d["region"] == {"province": "Hubei", "city": "Wuhan"}
    assert d["version"] == CLASSIFIER_VERSION
    assert Classification.from_dict(d) == result


def test_to_dict_without_region() -> None:
    d = classify("Hello", "Nothing to see.").to_dict()
    assert d["region"] is None
    assert d["type"] is None
    assert Classification.from_dict(d).region is None


def test_version_and_determinism() -> None:
    a = classify("我校与华为签署合作协议", "双方将共建ICT学院。")
    b = classify("我校与华为签署合作协议", "双方将共建ICT学院。")
    assert a == b
    assert a.version == CLASSIFIER_VERSION


def test_empty_and_odd_input() -> None:
    for title, text in [("", ""), ("   ", "\n\n"), ("123", "456"), ("!!!", "???")]:
        result = classify(title, text)
        assert not result.relevant
        assert 0.0 <= result.score <= 1.0


def test_evidence_is_short() -> None:
    long_text = "我校与星河新能源集团有限公司签署合作协议，" + "双方将深化合作。" * 300
    result = classify("我校与星河新能源集团签约", long_text)
    assert result.evidence
    assert all(len(e) <= 120 for e in result.evidence)


def test_signing_ceremony_alone_is_an_act() -> None:
    result = classify(
        "我校与星河科技有限公司举行签约仪式",
        "12月3日，我校与星河科技有限公司签约仪式在行政楼举行。",
    )
    assert result.relevant, result.evidence
    assert result.type == "strategic_agreement"


def test_unsuffixed_partner_written_first() -> None:
    result = classify(
        "比亚迪与深圳某职业技术学院签署合作协议",
        "10月5日，比亚迪与深圳某职业技术学院签署合作协议，双方将共建新能源汽车实训中心。",
    )
    assert result.relevant
    assert [p.name for p in result.parties] == ["比亚迪", "深圳某职业技术学院"]
    assert result.type == "training_base"


def test_a_schools_own_meeting_is_not_cooperation() -> None:
    # The same words in a government's headline make a policy event (see the
    # job-fair test); a school's internal work meeting is not one.
    result = classify(
        "我校召开2024年产教融合工作推进会",
        "3月5日，我校召开2024年产教融合工作推进会，校长出席并讲话，各二级学院负责人参加。",
    )
    assert not result.relevant, result.evidence


def test_government_meeting_on_integration_is_a_policy_event() -> None:
    result = classify(
        "广东省教育厅召开全省职业教育产教融合推进会",
        "5月20日，广东省教育厅在广州召开全省职业教育产教融合推进会，部署市域产教联合体建设，"
        "20所高职院校和30家企业代表参会。",
    )
    assert result.relevant, result.evidence
    assert result.type == "policy_event"
    assert result.region == Region("Guangdong", "Guangzhou")


# Items in other styles: the cooperation told in the body only, a government
# partner, unsuffixed company names, donations; and more look-alikes.
MORE_CASES = [
    (
        True,
        "学院与市人力资源和社会保障局共建技能人才培训基地",
        "5月8日，某某职业技术学院与市人力资源和社会保障局签署协议，共建技能人才培训基地，每年开展职业技能培训3000人次。",
    ),
    (
        True,
        "春风送暖，携手同行",
        "3月12日，我校与远山汽车集团有限公司签署校企合作协议，双方将共同开设新能源汽车订单班，首批招收学生50名。",
    ),
    (
        False,
        "我校召开2024年就业工作会议",
        "会议总结了去年就业工作，要求各学院深化校企合作，拓展就业渠道，做好毕业生就业服务。",
    ),
    (
        False,
        "远山汽车集团来校举办专场招聘宣讲会",
        "10月20日，远山汽车集团有限公司在我校举办专场招聘宣讲会，300余名毕业生参加，现场收到简历200余份。",
    ),
    (
        False,
        "校长带队赴兄弟院校调研交流",
        "近日，校长带队赴东湖大学、南岭师范学院调研交流，学习两校在学科建设和人才培养方面的经验。",
    ),
    (
        True,
        "University of Nottingham Ningbo China and Geely sign agreement",
        "The University of Nottingham Ningbo China and Geely Auto have signed a strategic agreement"
        " to establish a joint research centre on elec"
        "tric vehicles, the university said on Tuesday.",
    ),
    (
        False,
        "University hosts industry forum on AI",
        "More than 300 people attended the AI forum hosted by Northfield University on Frid"
        "ay, where speakers from technology companies discussed trends in generative models.",
    ),
    (
        True,
        "Toyota donates engines to Midlands Technical College",
        "Toyota has donated 12 engines and a hybrid ve"
        "hicle to Midlands Technical College to support"
        " its automotive technology program, giving st"
        "udents hands-on training on current equipment.",
    ),
    (
        False,
        "Ministry releases vocational education statistics",
        "The Ministry of Education released statistics showing that vocational college enr"
        "olment rose 5 percent last year, with more graduates entering manufacturing jobs.",
    ),
    (
        True,
        "國立高雄科技大學與台積電簽署產學合作備忘錄",
        "國立高雄科技大學與台積電日前簽署產學合作備忘錄，雙方將合作開設半導體學程並提供學生實習機會。",
    ),
    # A city government and a university with no enterprise: not relevant, as the tuning
    # split labels it (霍尔果斯市人民政府与伊犁职业技术学院签署战略合作协议: "no enterprise
    # party"). The rules alone said relevant; rules-7's learned layer follows the labels.
    (
        False,
        "市政府与东湖大学签署全面战略合作协议",
        "4月2日，市政府与东湖大学签署全面战略合作协议，双方将在科技创新、人才培养和成果转化等方面开展合作。",
    ),
    (
        False,
        "某企业与某银行签署战略合作协议",
        "近日，远山汽车集团有限公司与某某银行股份有限公司签署战略合作协议，银行将为集团提供200亿元授信。",
    ),
    (
        True,
        "Siemens and Ngee Ann Polytechnic launch digital factory training centre",
        "Siemens and Ngee Ann Polytechnic today launched a digital factory training "
        "centre that will train 500 students and workers a year in automation skills.",
    ),
    (
        False,
        "Alumni return to campus for homecoming",
        "Hundreds of alumni returned to Northfield University for homecomin"
        "g weekend, including executives from several technology companies.",
    ),
    (
        True,
        "产教融合丨我院与华强电子共建工业机器人实训室",
        "为深化产教融合，11月5日，我院与华强电子科技有限公司共建的工业机器人实训室正式投入使用。",
    ),
    (
        False,
        "浅谈高职院校校企合作存在的问题及对策",
        "校企合作是高职教育的重要特征。当前，校企合作存在企业参与积极性不高、合作层次浅等问题。本文提出以下对策。",
    ),
]


@pytest.mark.parametrize(("relevant", "title", "text"), MORE_CASES)
def test_more_styles(relevant: bool, title: str, text: str) -> None:
    result = classify(title, text)
    assert result.relevant is relevant, result.evidence


def test_words_grouped_by_first_character_match_what_the_flat_list_matches() -> None:
    words = ["签约", "签约仪式", "签", "揭牌", "ICT", "Ict", "ict", "i", "a.b", "a+", "(x)",
             "joint lab", "Joint", "join", "职业技术学院", "学院", "学"]  # fmt: skip
    flat = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    texts = ["与某公司签约仪式举行，签约后揭牌", "The ICT, Ict, ict joint lab; join a.b a+ (x) i",
             "职业技术学院学院学", "joint labs joined JOINT"]  # fmt: skip
    for flags in (0, re.IGNORECASE):
        grouped, plain = re.compile(alternatives(words), flags), re.compile(flat, flags)
        for text in texts:
            for t in (text, text.lower()):
                assert [m.span() for m in grouped.finditer(t)] == [
                    m.span() for m in plain.finditer(t)
                ]


def test_patterns_grouped_by_first_literal_match_what_the_flat_list_matches() -> None:
    patterns = [r"(?<![\d,])two firms", "signs?", "signed (?:an? )?mou", r"\d+ colleges?",
                "s?pain", "pilot|test", "strategic (?:partnership|cooperation)", "Strategic",
                "signing", r"s\b", "[ab]c", "joint lab", "jointly"]  # fmt: skip
    flat = "|".join(f"(?:{p})" for p in patterns)
    texts = ["Strategic partnership signed an MoU; 5 colleges, two firms, spain pilot test",
             "signs signing signed mou ac bc s jointly joint lab 12 college"]  # fmt: skip
    for text in texts:
        for t in (text, text.lower()):
            grouped, plain = re.compile(by_first_literal(patterns)), re.compile(flat)
            assert [m.span() for m in grouped.finditer(t)] == [m.span() for m in plain.finditer(t)]
