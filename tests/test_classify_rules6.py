"""rules-6 (issue 11): classes of errors on sites the rules were not written for.

Principal parties (short forms, people, venues, owners, a school's or a company's own
unit), the type a headline names, the region of an event held at the publisher, and
cooperation vocabulary (a bureau's list of new bases, talent classes, programmes coming
to a college, gifts). Every example is invented for these tests (places, schools,
companies and people are fictional).
"""

from __future__ import annotations

from ieiwatch.classify import classify
from ieiwatch.domain import Region


def _names(title: str, text: str = "", publisher: str | None = None) -> list[str]:
    return [p.name for p in classify(title, text, publisher=publisher).parties]


def _mentioned(title: str, text: str = "") -> list[str]:
    return [p.name for p in classify(title, text).mentioned]


# ------------------------------------------------------------ English parties ----


def test_a_short_form_one_letter_off_the_initials_is_the_same_school() -> None:
    names = _names(
        "UOK signs memorandum of understanding with Brightwater Energy Cluster",
        "The University of Orland, Kestrel signed a memorandum of understanding with "
        "Brightwater Energy Cluster on March 7 to support workforce training.",
    )
    assert "UOK" not in names
    assert "University of Orland" in names


def test_a_provost_who_signs_is_a_person_not_a_party() -> None:
    c = classify(
        "Lakeside University and Orion Plastics Co. Ltd. sign research MOU",
        "The MOU was signed by Anna Berg, Provost of Lakeside University, and a director "
        "of Orion Plastics Co. Ltd. to collaborate on research and development projects.",
    )
    names = [p.name for p in c.parties]
    assert "Anna Berg" not in names
    assert {"Lakeside University", "Orion Plastics Co. Ltd."} <= set(names)


def test_a_college_registered_as_a_company_is_a_school() -> None:
    c = classify(
        "Colleges sign MOA with industry partners for work immersion",
        "A memorandum of agreement signing ceremony took place today at the Pinecrest "
        "Resort and Hotel. Harrowgate College Inc. signed a partnership with Tamarind "
        "Foods Corporation for on-the-job training of its students.",
    )
    kinds = {p.name: p.kind for p in c.parties}
    assert kinds.get("Harrowgate College Inc.") == "college"
    # the hotel is where the ceremony took place, not a party
    assert not any("Hotel" in n for n in kinds)


def test_an_agreement_named_with_its_abbreviation_is_no_party() -> None:
    names = _names(
        "Marlow University partners with Quillsoft",
        "Marlow University has signed a Memorandum of Understanding (MoU) with Quillsoft "
        "to set up a skills centre for its students.",
    )
    assert not any("Memorandum" in n for n in names)
    assert "Quillsoft" in names


def test_people_of_a_company_name_it_in_a_cooperation_slot() -> None:
    names = _names(
        "More universities sign on to collaborate on security research",
        "Most recently Dunmore State University and Ashby University held signing "
        "ceremonies where Kestrel Avionics leaders and university faculty marked the "
        "growing partnerships.",
    )
    assert "Kestrel Avionics" in names


def test_a_company_that_gives_to_a_college_is_its_partner() -> None:
    c = classify(
        "Veltrix gives $2 million in software to Brookfield College",
        "Brookfield College received a $2 million in-kind gift of software from Veltrix, "
        "which students in its manufacturing program will use.",
    )
    assert c.relevant
    assert "Veltrix" in [p.name for p in c.parties]
    assert c.type == "other_cooperation"


def test_tech_before_another_capitalised_word_is_no_university() -> None:
    names = _names(
        "Veltrix Pledges $1B to Help Prep Glenmoor's Tech Workforce",
        "Veltrix will invest $1 billion in software grants for manufacturing programs in "
        "seven community colleges.",
    )
    assert not any("Tech" in n for n in names)
    assert "Veltrix" in names


def test_a_school_whose_name_holds_and_stays_whole() -> None:
    names = _names(
        "Cinderford State launches apprenticeship with Hallam Aerospace",
        "Cinderford State Technical and Community College and Hallam Aerospace launched "
        "a registered apprenticeship for machinists.",
    )
    assert "Cinderford State Technical and Community College" in names
    assert "Community College" not in names


def test_a_field_of_study_is_no_company() -> None:
    names = _names(
        "Pellow Institute and Huawei formalise partnership to train students",
        "The protocol promotes the training of talent in Information and Communication "
        "Technologies (ICT) at Pellow Institute.",
    )
    assert "Information and Communication Technologies" not in names


def test_donors_named_with_their_family_are_people() -> None:
    names = _names(
        "Gifts promise growth at the College of Engineering",
        "Harold Finch and his wife, Marta Finch, have generously agreed to provide the "
        "Tallis University School of Aeronautics a deferred gift of $500,000.",
    )
    assert not any("Finch" in n for n in names)


# ------------------------------------------------------------ English relevance ----


def test_a_programme_coming_to_a_college_is_cooperation() -> None:
    c = classify(
        "Voltera START training program coming to Redfield Technical College",
        "Students at Redfield Technical College will soon take part in Voltera's START "
        "program, a 12-week course to service electric cars.",
    )
    assert c.relevant
    assert c.type == "talent_program"


def test_a_lab_paid_for_by_a_gift_is_a_gift() -> None:
    c = classify(
        "Harwick State gets $1M to create entrepreneurship lab",
        "Harwick State University received a $1 million gift from Daventry Inc. to create "
        "an entrepreneurship lab for its students.",
    )
    assert c.relevant
    assert c.type == "other_cooperation"


def test_a_vague_partnership_headline_yields_to_the_lead_s_training_centre() -> None:
    c = classify(
        "New partnership to make Brennan County a semiconductor workforce hub",
        "Brennan Community College and Solvay Microchips Inc. will build a Training "
        "Center for semiconductor technicians on the college's campus.",
    )
    assert c.relevant
    assert c.type == "training_base"


# ------------------------------------------------------------ Chinese parties ----


def test_an_official_s_bureau_that_chairs_is_mentioned() -> None:
    c = classify(
        "“纳米材料联合实验室”揭牌仪式在青禾酒庄有限公司举行",
        "1月3日上午，澄州大学与青禾酒庄有限公司共建的纳米材料联合实验室揭牌仪式在青禾酒庄有限公司举行，"
        "仪式由澜溪县古田镇党委副书记李春荣主持。",
    )
    assert "澜溪县古田镇党委" not in [p.name for p in c.parties]
    assert "澜溪县古田镇党委" in [p.name for p in c.mentioned]


def test_a_group_that_owns_the_school_is_mentioned() -> None:
    c = classify(
        "澄州运输职院携手澄州机电成立校企合作工作站",
        "澄州交通投资集团所属澄州公共运输职业学院通过成立校企合作工作站，不断深化合作。"
        "近日，该校与澄州机电股份有限公司签署战略合作协议。",
    )
    names = [p.name for p in c.parties]
    assert "澄州公共运输职业学院" in names
    assert "澄州交通投资集团" not in names
    assert "澄州交通投资集团" in [p.name for p in c.mentioned]


def test_a_hotel_named_as_the_venue_is_mentioned() -> None:
    c = classify(
        "学校与澜海集团签署战略合作框架协议",
        "9月4日上午，澄州市企业交流会在澄州市富华大酒店举行。会上，澄州学院与澜海集团签署战略合作框架协议。",
    )
    assert "澄州市富华大酒店" not in [p.name for p in c.parties]


def test_a_brand_s_group_and_company_are_one_party() -> None:
    names = _names(
        "澄州职业学院与华信集团共建ICT学院",
        "澄州职业学院与华信集团共同见证了ICT学院授牌仪式。副校长向莅临现场的华信公司领导表示欢迎。",
    )
    assert sum(n.startswith("华信") for n in names) == 1


def test_a_company_s_own_institute_is_mentioned() -> None:
    c = classify(
        "澄州药科大学与天禾控股集团签约共建创新药物研究院",
        "7月29日上午，澄州药科大学与天禾控股集团签约仪式在天禾创新药物研究院学术报告厅举行，"
        "双方将共建创新药物研究院。",
    )
    names = [p.name for p in c.parties]
    assert "天禾创新药物研究院" not in names
    assert {"澄州药科大学", "天禾控股集团"} <= set(names)


def test_a_school_s_own_institute_is_no_partner() -> None:
    c = classify(
        "材料科学与工程学院产业技术研究院联合举办产学研经验交流会",
        "5月22日，材料科学与工程学院组织青年教师到产业技术研究院参观学习，并举行了一场产学研经验交流会。",
    )
    assert not c.relevant


# ------------------------------------------------------------ Chinese types and relevance ----


def test_a_donation_signed_with_an_agreement_is_the_agreement() -> None:
    c = classify(
        "浙江美禾集团捐资助学暨校企战略合作签约仪式举行",
        "11月30日下午，浙江美禾集团有限公司捐资助学暨校企战略合作签约仪式在澄州商学院举行。"
        "双方分别签署捐赠协议和校企合作协议。",
    )
    assert c.relevant
    assert c.type == "strategic_agreement"


def test_a_bureau_s_list_of_new_bases_is_relevant_and_typed_by_the_bases() -> None:
    c = classify(
        "省教育厅公布2024年省级校企合作实践教育基地名单",
        "省教育厅近日公布了2024年省级校企合作实践教育基地立项名单，共有52个基地入选，由高校与企业共建。",
    )
    assert c.relevant
    assert c.type == "training_base"


def test_a_concrete_act_in_the_headline_beats_a_policy_meeting_in_the_body() -> None:
    c = classify(
        "澄州这所高职院校成立“青茶产业学院”",
        "近日，在澄州高新技术产业开发区举办的产教融合大会上，澄州工商职业学院与澄州市总工会签署战略合作协议，"
        "成立“青茶产业学院”。",
    )
    assert c.relevant
    assert c.type == "industry_college"


def test_a_school_named_after_its_province_does_not_make_a_meeting_governmental() -> None:
    c = classify(
        "湖南澄州职业技术学院商学院与湖南快运有限公司校企合作工作推进会",
        "11月27日，湖南澄州职业技术学院商学院与湖南快运有限公司的校企合作工作推进会在我校举行。"
        "会议根据双方签订的校企合作框架协议召开。",
    )
    assert c.relevant
    assert c.type != "policy_event"


def test_a_company_talent_class_opening_is_a_talent_programme() -> None:
    c = classify(
        "澄州旅游职业学院2024级华庭英才班开班典礼举行",
        "10月21日，澄州旅游职业学院2024级华庭英才班开班典礼在澄州华庭酒店有限公司举行，45位同学参加。",
    )
    assert c.relevant
    assert c.type == "talent_program"


def test_a_vocational_group_admitting_a_company_is_an_alliance() -> None:
    c = classify(
        "澄州职教集团召开2022年第一次理事会议",
        "1月19日，澄州职教集团在澄州职业技术学院召开2022年第一次理事会议。会议增补澄州旺禾食品有限公司为集团成员单位。",
    )
    assert c.relevant
    assert c.type == "alliance"
    names = [p.name for p in c.parties]
    assert "澄州旺禾食品有限公司" in names
    assert not any(n.startswith("第一次") for n in names)


# ------------------------------------------------------------ region ----


def test_an_event_held_at_the_publisher_takes_the_publisher_s_city() -> None:
    c = classify(
        "连云港附属医院签约暨授牌仪式举行",
        "1月9日下午，连云港附属医院签约暨授牌仪式在我校仙林校区举行。副校长代表学校与连云港市中医院签订了协议书。",
        publisher="南京澄江医科大学",
    )
    assert c.region == Region("Jiangsu", "Nanjing")


def test_a_resort_where_the_ceremony_took_place_is_mentioned() -> None:
    c = classify(
        "MOA signing ceremony strengthens industry partnership",
        "A landmark Memorandum of Agreement (MOA) signing ceremony took place today at "
        "Pinecrest Mt. Resort and Hotel, solidifying a partnership between Harrowgate "
        "College Inc. and Tamarind Foods Corporation.",
    )
    assert [p.name for p in c.parties] == ["Harrowgate College Inc.", "Tamarind Foods Corporation"]
    assert [p.name for p in c.mentioned] == ["Resort and Hotel"]


def test_a_university_written_by_its_initials_is_a_school() -> None:
    c = classify(
        "Clean energy for the KUT and Marlow TAFE partnership",
        "KUT and Marlow TAFE have signed a landmark Memorandum of Understanding (MOU) to "
        "collaborate on study pathways.",
    )
    assert {p.name: p.kind for p in c.parties}["KUT"] == "university"
    assert not c.relevant  # two schools, no partner outside education


def test_the_province_named_most_wins_over_a_school_named_after_another_city() -> None:
    c = classify(
        "青海澄源职业技术学院建院10周年发展大会举行",
        "10月16日，青海澄源职业技术学院发展大会在海东举行。该院与青海小禾乳业有限公司为检测产业学院揭牌，"
        "与无锡澄江卫生职业技术学校签署合作协议。青海澄源职业技术学院将深化产教融合。",
    )
    assert c.region is not None and c.region.province == "Qinghai"


def test_a_company_s_place_gives_way_to_the_publisher_s_province() -> None:
    c = classify(
        "食品学院与北京澄禾健康服务有限公司云南分公司签约挂牌",
        "5月9日，学校食品学院与北京澄禾健康服务有限公司云南分公司校企合作签约暨挂牌仪式圆满举行。",
        publisher="云南澄江职业学院",
    )
    assert c.region is not None and c.region.province == "Yunnan"


def test_an_alias_inside_a_name_is_left_out_of_it() -> None:
    names = _names(
        "Three MoUs signed for a centre of excellence",
        "Three MoUs were signed between Government College of Engineering (GCE) Harlow "
        "and Tech Mahindra to set up a Centre of Excellence.",
    )
    assert "Government College of Engineering Harlow" in names


def test_a_unit_at_a_university_is_on_the_school_side() -> None:
    c = classify(
        "KMG and Dunmore University sign battery collaboration",
        "KMG, at The University of Glenmoor in the UK, and Dunmore University have entered "
        "an agreement to explore collaboration in science and education.",
    )
    kinds = {p.name: p.kind for p in c.parties}
    assert kinds["KMG"] == "college"
    assert all(k in ("university", "college") for k in kinds.values())


def test_a_page_of_best_practices_is_no_news() -> None:
    c = classify(
        "Best Practices and Partnership Models",
        "Around the state, schools of nursing are collaborating with hospitals to increase "
        "student capacity. Below are a few examples. Harlow Medical Center and Dunmore "
        "Community College have partnered to offer a nursing education to employees.",
    )
    assert not c.relevant


def test_a_title_cased_headline_opening_with_its_actor_names_the_company() -> None:
    c = classify(
        "Voltera Donates Hybrid Vehicles To Brennan Community College",
        "The vehicles will be used in the college's automotive technology program.",
    )
    assert c.relevant
    assert "Voltera" in [p.name for p in c.parties]
    assert c.type == "other_cooperation"


def test_a_state_university_s_short_name_is_a_school_but_a_state_is_a_place() -> None:
    c = classify(
        "Dunmore State, Kestrel Avionics sign research agreement",
        "Dunmore State and Kestrel Avionics signed a master research agreement in Lagos State.",
    )
    kinds = {p.name: p.kind for p in c.parties}
    assert kinds.get("Dunmore State") == "university"
    assert "Lagos State" not in kinds
    assert c.relevant


def test_an_employer_that_hires_or_opens_is_in_a_slot() -> None:
    c = classify(
        "Students earn while they learn at Harlow Steel",
        "Harlow Steel hired 12 apprentices from Brennan College this summer through its "
        "earn-and-learn program.",
    )
    assert c.relevant
    assert "Harlow Steel" in [p.name for p in c.parties]
    c = classify(
        "Quillon Appliances opens training center at Brennan College",
        "Quillon Appliances opened a new training center at Brennan Community College to "
        "train maintenance technicians.",
    )
    assert c.relevant and c.type == "training_base"


def test_a_grant_funded_initiative_is_no_industry_partner() -> None:
    c = classify(
        "Community Colleges Receive Federal Grant to Develop Manufacturing Programs",
        "Glenmoor's community colleges and Harlow State College have been awarded a federal "
        "grant to launch a new initiative. The $15 million grant from the U.S. Department of "
        "Labor will fund an expansion of the Glenmoor Advanced Manufacturing Initiative, which "
        "trains students for jobs in the field.",
    )
    assert not c.relevant


def test_a_graduate_who_donates_is_a_person() -> None:
    names = _names(
        "It's not all about the bling for wealthy engineers",
        "Robert Quaile, a University of Glenmoor graduate, last week donated US $15 million "
        "to the school's College of Engineering.",
    )
    assert "Robert Quaile" not in names


def test_a_company_that_gives_money_for_a_lab_makes_a_gift() -> None:
    c = classify(
        "Kestrel gives $5 million to Harlow University for aerospace lab",
        "The gift from Kestrel will fund a new lab at Harlow Aeronautical University.",
    )
    assert c.relevant and c.type == "other_cooperation"
