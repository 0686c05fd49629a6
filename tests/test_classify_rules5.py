"""rules-5: English principal parties named without a suffix (brands, hospitals,
school districts, title-cased headlines), employer vocabulary that makes an item
relevant (apprentices at, co-op placements with, advisory boards), and types."""

from __future__ import annotations

from ieiwatch.classify import classify


def _parties(title: str, text: str = "") -> dict[str, str]:
    return {p.name: p.kind for p in classify(title, text).parties}


def test_a_brand_owning_a_programme_is_a_party() -> None:
    c = classify(
        "Tesla START training program coming to Texas State Technical College",
        "WACO, Texas (KXAN) — Students at Texas State Technical College in Waco will soon "
        "get the chance to take part in Tesla's START program aimed at teaching the "
        "technical skills to service Tesla electric cars.",
    )
    names = [p.name for p in c.parties]
    assert "Tesla" in names
    assert "WACO" not in names  # the dateline's place


def test_a_brand_owning_a_plant_is_cut_at_its_possessive() -> None:
    names = _parties(
        "College scoops up in-kind donations",
        "Students at Minnesota State College made the long haul to bring in last week's "
        "donation of materials from Lockheed Martin's Lexington plant.",
    )
    assert "Lockheed Martin" in names
    assert not any("Lexington" in n for n in names)


def test_title_cased_headline_splits_at_its_connectors_and_verbs() -> None:
    names = _parties("Kaiser Permanente And Pasadena City College Announce New Nursing Pathway")
    assert names == {"Kaiser Permanente": "other", "Pasadena City College": "college"}
    names = _parties("University Of Science And Technology Of China Signs MoU With Huawei")
    assert names == {
        "University of Science and Technology of China": "university",
        "Huawei": "enterprise",  # rules-9: a company known by its brand (orgs.yaml)
    }
    assert _parties("Governor Smith Visits Houston Community College") == {
        "Houston Community College": "vocational_school"
    }


def test_a_headline_clause_is_no_organisation() -> None:
    names = _parties(
        "MOA Signing Ceremony Strengthens Industry-Academia Partnership for Student Training",
        "Aldersgate College Inc. signed the agreement with the resort.",
    )
    assert not any("Ceremony" in n or "Partnership" in n for n in names)


def test_hospitals_and_school_districts_keep_their_kind() -> None:
    c = classify(
        "Agreement between LCSC, St. Joe's will fund nursing instructor position",
        "Lewis-Clark State College and St. Joseph Regional Medical Center renewed an annual "
        "agreement that helps benefit the college's nursing division.",
    )
    assert ("St. Joseph Regional Medical Center", "hospital") in [
        (p.name, p.kind) for p in c.parties
    ]
    names = _parties(
        "The Austin Independent School District signed an agreement with Dell to launch a "
        "pathway program."
    )
    assert names["Austin Independent School District"] == "college"
    assert _parties("Denver Public Schools partners with Siemens Energy on apprenticeships") == {
        "Denver Public Schools": "college",
        "Siemens Energy": "enterprise",
    }


def test_employers_where_apprentices_work_are_parties() -> None:
    c = classify(
        "Tri-County Technical College, Bosch celebrate apprentices",
        "Ten high school students signed on as youth apprentices with Bosch.",
    )
    assert c.relevant and c.type == "talent_program"
    names = _parties(
        "Signing day ceremony held for new manufacturing apprentices",
        "Trident Technical College created the apprenticeship program. The students will work "
        "as paid industrial mechanic apprentices at Bosch, Detyens Shipyards and VTL Group.",
    )
    assert {"Bosch", "Detyens Shipyards", "VTL Group"} <= set(names)


def test_unnamed_local_employers_count_but_are_not_shown() -> None:
    c = classify(
        "Gateway launches Apprenticeship Academy",
        "Gateway Community & Technical College announced the launch of a new Apprenticeship "
        "Academy. Students complete on-the-job training at local manufacturing companies and "
        "engage with area employers during rotations.",
    )
    assert c.relevant
    assert [p.name for p in c.parties] == ["Gateway Community & Technical College"]


def test_an_industry_advisory_board_is_an_alliance() -> None:
    c = classify(
        "Local manufacturers form industry advisory board for college's mechatronics program",
        "Ten manufacturers will advise Lake Area Technical College on curriculum and equipment.",
    )
    assert c.relevant and c.type == "alliance"


def test_a_company_awarding_money_to_a_college_is_no_prize() -> None:
    c = classify(
        "Haas awards $1M to Clark State College for its machining lab",
        "Haas Automation donated the money to Clark State College for hands-on training.",
    )
    assert not any(e.startswith("−award") for e in c.evidence)


def test_clinical_placements_at_a_hospital_are_a_training_base() -> None:
    c = classify(
        "Grove City College's nursing program partnering with Cleveland Clinic",
        "Grove City College has signed an agreement with Cleveland Clinic that will allow "
        "nursing students to perform clinical work at the hospital.",
    )
    assert c.type == "training_base"
    c = classify(
        "医学院在某某医院举行实习医院签约仪式",
        "3月25日下午，某某大学医学院在某某医院举行实习医院签约仪式，双方签署实习医院协议。",
    )
    assert c.relevant and c.type == "training_base"


def test_a_wish_in_a_speech_is_an_aside() -> None:
    c = classify(
        "某职业技术学院与某农业控股集团有限公司开启战略合作",
        "近日，某职业技术学院与某农业控股集团有限公司举行校企合作洽谈会，并签署了校企合作战略框架协议。"
        "集团董事长表示，愿与学院共建乡村振兴产业学院。",
    )
    assert c.type == "strategic_agreement"


def test_an_office_that_runs_polytechnics_stands_for_them_beside_a_company() -> None:
    c = classify(
        "Department of Polytechnic Education signs MoU with MMC Corporation Berhad",
        "The Department of Polytechnic Education and MMC Corporation Berhad signed a "
        "memorandum of understanding to offer work-based training to polytechnic students.",
    )
    assert c.relevant
    assert ("Department of Polytechnic Education", "government") in [
        (p.name, p.kind) for p in c.parties
    ]


def test_a_partner_after_a_parenthesised_short_name_is_found() -> None:
    c = classify(
        "江门职院-华为ICT学院: 高职名企两度牵手",
        "三年前，江门职业技术学院（以下简称“江门职院”）与华为合作，把华为ICT学院落户在人才岛。",
    )
    assert "华为" in [p.name for p in c.parties]
