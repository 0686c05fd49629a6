"""Rules-4: English partnerships, grants and endings, described groups, short
forms, internal meetings, and the region of a school's own news.

Every example is invented for these tests (places, schools and companies are
fictional, except the real cities the gazetteer knows).
"""

from __future__ import annotations

from ieiwatch.classify import classify


def test_college_partnering_with_a_carmaker_on_an_apprenticeship_is_a_talent_programme() -> None:
    c = classify(
        "Drakeford Community College partners with Halvor Motors on technician apprenticeships",
        "Drakeford Community College announced a partnership with Halvor Motors Corporation to "
        "launch an apprenticeship program. Students will attend classes two days a week and work "
        "at the Halvor plant three days a week, earning a certificate and a paid position.",
        lang="en",
    )
    assert c.relevant
    assert c.type is not None and c.type.value == "talent_program"
    names = {p.name for p in c.parties}
    assert "Drakeford Community College" in names
    assert any("Halvor Motors" in n for n in names)


def test_a_federal_grant_to_a_college_with_no_company_is_not_cooperation() -> None:
    c = classify(
        "Labor Department grants $2.1 million to Wexley Community College for training",
        "The U.S. Department of Labor awarded Wexley Community College a $2.1 million grant "
        "to expand training in advanced manufacturing. The grant will pay for equipment and "
        "new instructors.",
        lang="en",
    )
    assert not c.relevant
    assert any(e.startswith("−government_grant") for e in c.evidence)


def test_a_partnership_that_ends_is_not_reported_as_cooperation() -> None:
    c = classify(
        "Calloway Health announces end of partnership with Brenton University",
        "Brenton University withdrew from its agreement to provide residency programs with "
        "Calloway Health, the health system announced in a news release on Friday.",
        lang="en",
    )
    assert not c.relevant
    assert any(e.startswith("−ended") for e in c.evidence)


def test_a_company_academy_on_campus_is_no_second_school() -> None:
    c = classify(
        "University of Marlow and Quenta open Quenta Skills Academy",
        "The University of Marlow and Quenta Corporation announced a partnership that includes "
        "the establishment of a Quenta Skills Academy on campus, with curriculum in cloud "
        "computing and data science and Quenta certificates for students.",
        lang="en",
    )
    assert c.relevant
    kinds = {p.name: p.kind for p in c.parties}
    assert kinds.get("University of Marlow") == "university"
    assert kinds.get("Quenta Skills Academy", "enterprise") == "enterprise"
    assert not any(e.startswith("−school-to-school") for e in c.evidence)


def test_a_short_form_of_a_named_school_is_not_a_second_party() -> None:
    c = classify(
        "University of Lorington and Falk Systems open data lab",
        "The University of Lorington and Falk Systems Inc. opened a joint data laboratory. "
        "UofL students will work on Falk projects in the lab, UofL said.",
        lang="en",
    )
    names = [p.name for p in c.parties]
    assert "University of Lorington" in names
    assert "UofL" not in names


def test_a_described_group_is_hidden_when_its_side_is_named() -> None:
    c = classify(
        "Dunmore College partners with two major automobile companies",
        "Dunmore College entered into a partnership with Ravel Motor Company and Osk Motor "
        "Corporation, two major automobile companies, to train automotive technicians.",
        lang="en",
    )
    names = [p.name for p in c.parties]
    assert "two major automobile companies" not in names
    assert "Dunmore College" in names


def test_a_network_of_colleges_counts_as_schools() -> None:
    c = classify(
        "Board formed to support regional chip workforce",
        "The Lakeshore Semiconductor Network has formed an industry advisory board. Industry "
        "partners will provide guidance to the network of colleges and universities on new "
        "curricula. Founding members include Vantor Inc. and Pellix Corporation.",
        lang="en",
    )
    assert not any(e.startswith("−no school") for e in c.evidence)


def test_a_schools_own_work_meeting_is_not_cooperation() -> None:
    c = classify(
        "学院召开校企合作产教融合工作推进会",
        "10月25日下午,学院校企合作产教融合工作推进会在图文中心召开,各专业系负责人参加会议。"
        "会上要求加大企业走访调研,增加校企合作企业签约数,每个专业对接一个产业学院。",
        lang="zh",
    )
    assert not c.relevant
    assert any(e.startswith("−internal_meeting") for e in c.evidence)


def test_a_progress_meeting_that_names_the_partner_is_still_read() -> None:
    c = classify(
        "学校召开澜海ICT学院建设推进会",
        "9月13日,学校召开澜海ICT学院建设推进会,澜海科技有限公司驻校负责人介绍了共建产业学院的进展,"
        "双方就产业学院实训中心建设、联合培养等工作进行了部署。",
        lang="zh",
    )
    assert not any(e.startswith("−internal_meeting") for e in c.evidence)
    assert c.relevant
    assert c.type is not None and c.type.value == "industry_college"


def test_the_publisher_gives_the_city_the_text_leaves_open() -> None:
    title = "“澜海菁英奖学金”捐赠仪式举行"
    text = (
        "12月19日上午,我校“澜海菁英奖学金”捐赠仪式举行。"
        "澜海装备有限公司副总裁出席仪式并向我校捐赠。"
    )
    assert classify(title, text, lang="zh").region is None
    region = classify(title, text, lang="zh", publisher="大连理工大学").region
    assert region is not None and (region.province, region.city) == ("Liaoning", "Dalian")


def test_where_it_is_held_beats_a_place_inside_a_name() -> None:
    c = classify(
        "淄博市澜海职业教育集团第九届年会在青岛召开",
        "11月14日,淄博市澜海职业教育集团第九届年会在青岛召开,青岛澜海通运集团作为副理事长单位承办。",
        lang="zh",
    )
    assert c.region is not None and c.region.city == "Qingdao"


def test_a_pledge_from_companies_to_a_college_is_cooperation() -> None:
    c = classify(
        "Lanhai College receives pledge for new welding lab",
        "Lanhai Community College received a $150,000 pledge from four industry partners for a new "
        "welding lab. Lanhai Steel Inc. pledged $90,000 and three other manufacturers gave "
        "$20,000 each.",
        lang="en",
    )
    assert any(e.startswith("+action") for e in c.evidence)
    assert c.relevant


def test_a_contract_that_is_not_renewed_is_no_new_cooperation() -> None:
    c = classify(
        "Lanhai Health will not renew its university contract",
        "Lanhai Health said it would not automatically renew its affiliation contract with Lanhai "
        "University that expires in 2027, instead opting to renegotiate the partnership.",
        lang="en",
    )
    assert any(e.startswith("−ended") for e in c.evidence)


def test_a_teaching_hospital_agreement_is_a_training_base() -> None:
    c = classify(
        "澜海市中心医院成为澜海医学院教学医院",
        "日前,澜海医学院与澜海市中心医院签订教学医院协议并举行揭牌仪式,医院将承担学院学生的临床教学任务。",
        lang="zh",
    )
    assert c.relevant
    assert c.type is not None and c.type.value == "training_base"


def test_a_counted_group_is_hidden_when_its_members_are_named() -> None:
    c = classify(
        "Lanhai Corp. signs agreements with universities",
        "Lanhai Corp. has signed research agreements with 12 universities. Most recently Lanhai "
        "University and Kestrel University held signing ceremonies with Lanhai Corp. leaders.",
        lang="en",
    )
    names = [p.name for p in c.parties]
    assert "12 universities" not in names
    assert "Lanhai University" in names


def test_an_mou_and_a_pair_of_countries_are_not_parties() -> None:
    c = classify(
        "Lanhai Polytechnic and Kestrel Shipping sign MOU",
        "Lanhai Polytechnic signed an MOU with Kestrel Shipping Ltd to train cadets for ports in "
        "Singapore and China, together with Singapore and China partners.",
        lang="en",
    )
    names = [p.name for p in c.parties]
    assert "MOU" not in names and "Singapore and China" not in names
