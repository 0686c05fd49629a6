"""rules-11 parties (issue 11): classes of principal-party errors, kept only when they
held on tuning sites no rule was written from.

Chinese: counts beside named partners, a branch's short form beside its full name, a
school named with 高等 inside, a self-reference beside the school's own units, a list of
parties that signs together, 该校 after a cooperation verb, a name after 此次, zones
named by their kind alone. English: a company beside the centre named after it, labs,
challenges, coalitions and partnerships as things built or formed, a centre signed
with, a school's campus, units named by the school's short name, fields of study.
Every example is invented for these tests (places, schools, companies and people are
fictional).
"""

from __future__ import annotations

from ieiwatch.classify import classify
from ieiwatch.domain import Party


def _names(parties: list[Party]) -> list[str]:
    return [p.name for p in parties]


# ------------------------------------------------------------------ Chinese ----


def test_a_count_of_companies_beside_named_companies_is_mentioned() -> None:
    c = classify(
        "澄州职业技术学院与澜海储能集团签约共建订单班",
        "4月9日，澄州职业技术学院与澜海储能集团有限公司签署订单班协议，"
        "并将联合园区内16家企业共建实训基地。",
    )
    assert "16家企业" in _names(c.mentioned)
    assert "16家企业" not in _names(c.parties)
    assert "澜海储能集团有限公司" in _names(c.parties)


def test_a_branch_short_form_beside_its_full_name_is_shown_once() -> None:
    c = classify(
        "澄州职业技术学院与华瀚通信澜海分公司签署战略合作协议",
        "5月6日，澄州职业技术学院与华瀚通信股份有限公司澜海分公司签署战略合作协议，"
        "双方将共建5G实训基地。",
    )
    names = _names(c.parties)
    assert "华瀚通信股份有限公司澜海分公司" in names
    assert "华瀚通信澜海分公司" not in names


def test_a_different_bank_with_the_same_branch_is_not_a_short_form() -> None:
    from ieiwatch.classify.principal import _zh_branch_contracts

    assert _zh_branch_contracts("华瀚通信澜海分公司", "华瀚通信股份有限公司澜海分公司")
    assert not _zh_branch_contracts("澜海银行南城分行", "澜海商业银行南城分行")


def test_a_school_named_with_gaodeng_inside_is_found_whole() -> None:
    # 高等 is no list's 等: 澄州机电高等职业技术学校 is one name.
    c = classify(
        "澄州机电高职携手岚山精工 共谋校企合作",
        "5月20日上午，澄州机电高等职业技术学校与岚山精工有限公司签署战略合作协议。",
    )
    assert Party("澄州机电高等职业技术学校", "vocational_school") in c.parties


def test_a_self_reference_stays_beside_the_schools_own_units() -> None:
    # 学校 signs; its units (生命科学学院) send people: the school is the party.
    c = classify(
        "学校与岚山食品有限公司举行校企合作签约仪式",
        "5月27日，学校与岚山食品有限公司校企合作签约仪式在公司会议室举行。"
        "学校合作发展处、材料化工学院、生命科学学院负责人参加签约仪式。",
    )
    names = _names(c.parties)
    assert "学校" in names
    assert "岚山食品有限公司" in names
    assert "材料化工学院" not in names
    assert "生命科学学院" not in names


def test_a_government_opening_a_list_that_signs_is_a_party() -> None:
    c = classify(
        "政校企共建产业学院",
        "1月13日下午，澄平县人民政府、澄州职业技术学院、岚山电子科技有限公司签署合作协议，"
        "三方将共建产业学院。",
    )
    assert Party("澄平县人民政府", "government") in c.parties


def test_a_listed_bureau_whose_officials_attend_is_still_mentioned() -> None:
    c = classify(
        "澄州职业技术学院与岚山电子签约",
        "1月13日，澄州职业技术学院与岚山电子科技有限公司签署合作协议。"
        "澄州市教育局、市工信局负责人出席签约仪式。",
    )
    assert "澄州市教育局" not in _names(c.parties)


def test_gaixiao_after_a_cooperation_verb_is_no_partner() -> None:
    c = classify(
        "澄州东方职业技术学院为企业定制培养人才",
        "6月10日，订单班签约仪式在澄州东方职业技术学院举行。仪式上，岚山控股有限公司和该校"
        "签订了管理人才培养订单班协议。",
    )
    assert "该校" not in _names(c.parties)
    assert "岚山控股有限公司" in _names(c.parties)


# ------------------------------------------------------------------ English ----


def test_a_company_found_beside_the_centre_named_after_it_is_a_party() -> None:
    c = classify(
        "Kestrel AI Skill Center opens at Harlow University",
        "Kestrel and Harlow University have officially opened the Kestrel Skill Center at the "
        "university's north campus, giving students hands-on training in cloud computing.",
        "en",
    )
    names = _names(c.parties)
    assert "Kestrel" in names
    assert "Harlow University" in names


def test_a_challenge_or_a_lab_named_by_itself_is_not_a_party() -> None:
    c = classify(
        "Harlow University joins Brantley Workforce Challenge",
        "Harlow University and Brantley Instruments Inc. launched the Midland Workforce "
        "Pipeline Challenge, which pays students to train as technicians.",
        "en",
    )
    assert _names(c.parties) == ["Harlow University", "Brantley Instruments Inc."]
    assert "Midland Workforce Pipeline Challenge" in _names(c.mentioned)


def test_a_lab_whose_name_holds_its_school_stays_a_party() -> None:
    # "Harlow Technological University's … Lab" is found whole: it names the school.
    c = classify(
        "Harlow Tech offers companies low-cost product development",
        "Harlow Technological University's Industry-Sponsored Projects Lab matches student "
        "teams with companies such as Brantley Instruments Inc., which fund projects and "
        "mentor the students.",
        "en",
    )
    assert any("Harlow Technological University" in n for n in _names(c.parties))


def test_a_national_laboratory_stays_a_party() -> None:
    c = classify(
        "Harlow University partners with Kestrel Ridge National Laboratory",
        "Harlow University signed a memorandum of understanding with Kestrel Ridge National "
        "Laboratory to train students in nuclear engineering through internships.",
        "en",
    )
    assert "Kestrel Ridge National Laboratory" in _names(c.parties)


def test_a_centre_a_company_signs_with_is_a_party() -> None:
    # "signed an MOU with … Learning Center": the counterpart, not what is built.
    c = classify(
        "Brantley Aero expands career pathway with Kestrel Aviation Learning Center",
        "Brantley Aero Corp. has signed a Memorandum of Understanding with Kestrel Aviation "
        "Learning Center, expanding its technician career pathway to a second school.",
        "en",
    )
    assert "Kestrel Aviation Learning Center" in _names(c.parties)


def test_a_schools_campus_stands_for_the_school() -> None:
    c = classify(
        "Manufacturing Centre of Excellence announced for Harlow",
        "The centre, located at TAFE Westmark's Harlow Park Campus, will train apprentices in "
        "advanced manufacturing with partners from local industry such as Brantley "
        "Instruments Inc.",
        "en",
    )
    assert Party("TAFE Westmark", "vocational_school") in c.parties


def test_units_named_by_the_schools_short_name_are_mentioned() -> None:
    c = classify(
        "Kestrel University and Brantley Minerals sign research agreement",
        "Kestrel University and Brantley Minerals Ltd signed a five-year Memorandum of "
        "Agreement to boost mining research. Students of the Kestrel School of Mining "
        "Engineering and the Kestrel Mining Institute will take part.",
        "en",
    )
    assert _names(c.parties) == ["Kestrel University", "Brantley Minerals Ltd"]
    assert "Kestrel Mining Institute" in _names(c.mentioned)


def test_fields_of_study_in_a_list_of_schools_are_no_parties() -> None:
    c = classify(
        "Harlow University and Brantley Minerals sign agreement",
        "Harlow University and Brantley Minerals Ltd signed an agreement that will fund "
        "students in the Schools of Chemical, Metallurgical Engineering, Accountancy and "
        "Geosciences.",
        "en",
    )
    assert _names(c.parties) == ["Harlow University", "Brantley Minerals Ltd"]


def test_a_zone_named_after_cici_is_found_whole() -> None:
    # 此次 opens the clause: 澄州北岸经济开发区 is the name (not 次澄州…, a fragment).
    c = classify(
        "澄州职业学院牵头成立产教联合体",
        "12月29日，澄州市高端化工产教联合体成立仪式在澄州职业学院举行。此次澄州北岸经济开发区、"
        "澄州职业学院、岚山化工集团三方共同牵头建设联合体。",
    )
    assert Party("澄州北岸经济开发区", "government") in c.parties


def test_a_zone_named_by_its_kind_alone_is_no_party() -> None:
    c = classify(
        "澄州行业产教融合共同体成立",
        "近日，共同体成立大会在澄州市两江协同创新区召开，澄州职业学院与岚山科技股份有限公司"
        "共同牵头，签署共建协议。",
    )
    assert "创新区" not in _names(c.parties)
    assert "澄州职业学院" in _names(c.parties)
