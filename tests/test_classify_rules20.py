"""rules-20 (issue 11): a bureau named after the parties that cooperate is a witness.

Cooperation news names its parties first; a bureau that the headline does not name and
that the text first names after two cooperating parties is there to witness, to host or
to issue a list, even where a sentence has it 共同推进 or "partner with" them. On the
tuning split and the development set the rule takes 44 bureaus out of the parties, 6 of
which the labels call parties. Schools, companies and people are invented.
"""

from __future__ import annotations

from ieiwatch.classify import classify
from ieiwatch.classify.core import rules_type


def _parties(title: str, text: str, lang: str) -> tuple[list[str], list[str]]:
    c = classify(title, text, lang)
    return [p.name for p in c.parties], [p.name for p in c.mentioned]


def test_a_bureau_named_after_the_school_and_the_company_is_mentioned() -> None:
    title = "澄州电气职业学院与澄州智康养老服务有限公司签署校企合作协议"
    text = (
        "10月31日，澄州电气职业学院与澄州智康养老服务有限公司签署校企合作协议，双方将共建"
        "智慧康养产业学院，联合培养养老服务人才。澄州市人力资源和社会保障局与学院共同推进"
        "养老护理员职业技能等级认定工作。"
    )
    parties, mentioned = _parties(title, text, "zh")
    assert parties == ["澄州电气职业学院", "澄州智康养老服务有限公司"]
    assert "澄州市人力资源和社会保障局" in mentioned


def test_a_government_the_headline_names_stays_a_party() -> None:
    title = "澄州市人民政府与澄州电气职业学院、澄州智康养老服务有限公司签署三方合作协议"
    text = (
        "10月31日，澄州电气职业学院、澄州智康养老服务有限公司与澄州市人民政府签署三方合作"
        "协议，共建智慧康养产业学院。"
    )
    parties, _ = _parties(title, text, "zh")
    assert "澄州市人民政府" in parties


def test_an_english_headline_names_bureaus_by_their_initials_or_short_forms() -> None:
    title = "KPT – MIDA Inks MOU To Strengthen Industry Competitiveness"
    text = (
        "Universiti Wenlock and Brightwater Systems Sdn Bhd joined the Ministry of Higher "
        "Education (KPT) and the Malaysian Investment Development Authority (MIDA) in signing "
        "a memorandum of understanding on Monday to train engineers."
    )
    parties, _ = _parties(title, text, "en")
    assert "Ministry of Higher Education" in parties  # KPT, as the text declares
    assert "Malaysian Investment Development Authority" in parties  # its initials


def test_an_english_bureau_the_headline_does_not_name_is_mentioned() -> None:
    title = "Harrowgate Polytechnic, Brightwater Health Ltd sign MoU on nurse apprenticeships"
    text = (
        "Harrowgate Polytechnic and Brightwater Health Ltd signed a memorandum of "
        "understanding on Monday to train nurses as apprentices. The Wenlock Department of "
        "Labor will partner with them on the apprenticeship standards."
    )
    parties, mentioned = _parties(title, text, "en")
    assert parties == ["Harrowgate Polytechnic", "Brightwater Health Ltd"]
    assert "Wenlock Department of Labor" in mentioned


def test_bureaus_listed_before_the_parties_that_only_attend_are_mentioned() -> None:
    title = "储能产业学院校企合作签约仪式举行"
    text = (
        "10月30日，市教育局、市发展改革委、市工业和信息化局等部门负责人出席签约仪式。"
        "澄州职业技术学院与澜海储能集团有限公司签署校企合作协议，共建储能产业学院。"
    )
    parties, mentioned = _parties(title, text, "zh")
    assert parties == ["澄州职业技术学院", "澜海储能集团有限公司"]
    assert {"市教育局", "市发展改革委", "市工业和信息化局"} <= set(mentioned)


def test_people_are_not_parties() -> None:
    # A pinyin name in a cooperation slot; people named before a qualified title or after
    # a peer's: none is an organisation (issue 11 names "Zhang Tuqiao").
    cases = [
        (
            "Harrowgate Polytechnic partners with Brightwater Ltd on battery apprenticeships",
            "Harrowgate Polytechnic signed a partnership agreement with Brightwater Ltd and "
            "Zhang Tuqiao on Monday to train battery technicians as apprentices.",
        ),
        (
            "Harrowgate Polytechnic and Brightwater Ltd launch battery apprenticeship",
            "Harrowgate Polytechnic and Brightwater Ltd launched a battery apprenticeship on "
            "Monday, according to Zhang Xiaozhen, Chinese director of the programme. Wang "
            "Xiaojun, Member of the Standing Committee of the Party Committee, attended.",
        ),
        (
            "Lord Kenneth Baker opens Harrowgate Polytechnic's Brightwater Academy",
            "Lord Kenneth Baker joined Harrowgate Polytechnic and Brightwater Ltd yesterday to "
            "open the Brightwater Mechatronics Academy, where apprentices will train.",
        ),
    ]
    for title, text in cases:
        parties, _ = _parties(title, text, "en")
        assert parties == ["Harrowgate Polytechnic", "Brightwater Ltd"], title


def test_a_managing_directors_company_is_named_without_the_title() -> None:
    title = "Vincent Sun, MD of Brightwater Egypt, signs MoU with Harrowgate Polytechnic"
    text = (
        "Vincent Sun, MD of Brightwater Egypt, and Harrowgate Polytechnic signed a memorandum "
        "of understanding to train engineers."
    )
    parties, _ = _parties(title, text, "en")
    assert parties == ["Harrowgate Polytechnic", "Brightwater Egypt"]


def test_a_verb_before_a_name_is_no_part_of_it() -> None:
    title = "澄州城建职业学校与澜海建材有限公司深化校企合作"
    text = (
        "澄州城建职业学校与澜海建材（澄州）有限公司签署校企合作协议。受澜海建材有限公司邀请，"
        "学校师生赴企业参观学习。"
    )
    parties, mentioned = _parties(title, text, "zh")
    assert parties == ["澄州城建职业学校", "澜海建材（澄州）有限公司"]  # not 受澜海建材有限公司
    assert not mentioned


def test_a_research_institute_named_by_its_subject_is_the_schools_unit() -> None:
    title = "澄州大学与澜海交通建设集团有限公司签署合作协议"
    text = (
        "11月5日，澄州大学与澜海交通建设集团有限公司签署合作协议。学校先进产业技术研究院"
        "院长介绍了先进产业技术研究院的科研平台，双方将共建智能建造联合实验室。"
    )
    parties, mentioned = _parties(title, text, "zh")
    assert parties == ["澄州大学", "澜海交通建设集团有限公司"]
    assert any("先进产业技术研究院" in m for m in mentioned)


def test_a_research_institute_with_a_name_of_its_own_stays_a_party() -> None:
    title = "澄州职业技术学院与华东光电技术研究所签署合作协议"
    text = "11月5日，澄州职业技术学院与华东光电技术研究所签署合作协议，共建光电技术实训基地。"
    parties, _ = _parties(title, text, "zh")
    assert "华东光电技术研究所" in parties


def test_company_forms_of_other_countries_name_companies() -> None:
    title = "Harrowgate Polytechnic signs with three firms on hydrogen training"
    text = (
        "Harrowgate Polytechnic signed a cooperation agreement with PT Brightwater Energi "
        "Indonesia, Wenlock S.p.A. and PT. Ardent Mesin to train hydrogen technicians."
    )
    parties, _ = _parties(title, text, "en")
    assert {"PT Brightwater Energi Indonesia", "Wenlock S.p.A.", "PT. Ardent Mesin"} <= set(parties)


def test_an_english_towns_college_is_in_england() -> None:
    c = classify(
        "Hartlepool college and Brightwater Ltd open welding academy",
        "Harrowgate College in Hartlepool and Brightwater Ltd signed a partnership to open a "
        "welding academy for apprentices.",
        "en",
    )
    assert c.region is not None
    assert (c.region.country, c.region.province, c.region.city) == (
        "United Kingdom",
        "England",
        "Hartlepool",
    )


def test_an_indian_colleges_town_gives_its_state() -> None:
    c = classify(
        "Harrowgate Engineering College and Brightwater Engineers forge strategic partnership",
        "Harrowgate Engineering College and Brightwater Engineers Ltd signed a memorandum of "
        "understanding in Mohali to set up a joint research centre.",
        "en",
    )
    assert c.region is not None
    assert (c.region.province, c.region.city) == ("Punjab", "Mohali")


def test_a_town_joined_to_a_name_by_a_hyphen_is_no_place() -> None:
    c = classify(
        "Harrowgate College partners with Bristol-Myers Squibb on biomanufacturing training",
        "Harrowgate College and Bristol-Myers Squibb signed a partnership to train "
        "biomanufacturing technicians.",
        "en",
    )
    assert c.region is None or c.region.city != "Bristol"


def test_english_agreements_told_by_their_verb_or_as_a_pact_are_agreements() -> None:
    # The rules' own type (the learned type layer may overrule it; it learns from it).
    cases = [
        (
            "Agreement inked to strengthen industry links at Harrowgate Polytechnic",
            "Harrowgate Polytechnic and Brightwater Ltd will strengthen cooperation between "
            "the polytechnic and industry.",
        ),
        (
            "Brightwater Ltd in offshore wind pact with Harrowgate College",
            "Brightwater Ltd and Harrowgate College will work together on offshore wind skills.",
        ),
    ]
    for title, text in cases:
        assert rules_type(title, text, "en")[0] == "strategic_agreement", title


def test_a_dual_programme_with_industry_is_a_talent_programme() -> None:
    title = "Dual TVET programme launched by Harrowgate Polytechnic and Brightwater Ltd"
    text = (
        "Harrowgate Polytechnic and Brightwater Ltd launched the programme: students spend "
        "a quarter of their two years on the job at Brightwater."
    )
    assert rules_type(title, text, "en")[0] == "talent_program"


def test_guidelines_a_government_released_are_a_policy_event() -> None:
    title = "Guidelines to deepen industry-education integration"
    text = (
        "BEIJING - China has released guidelines on promoting the integration of industry and "
        "education, asking enterprises and vocational colleges to build training bases together."
    )
    assert rules_type(title, text, "en")[0] == "policy_event"
