"""rules-13 (issue 11): names that are no party, or the same party twice, and types.

English: a person named in the other zone or with a middle initial, a purpose after
"to", trades and courses, a word that says where a body is based or who owns it, a name
with its opening words abbreviated, two names of several words acting together, a
company beside a lab named after it, described before its name or named by its gift,
the short form given after a name, a programme launched by a minister, people named by
what they are or with a note before their title, a sum of money, the end of a
hyphenated word. Chinese: a name right after a person's title, a verb or a measure word
before a name; a named class that opens (talent_program), a 科技小院 (training_base), a
company's scholarship (other_cooperation). Every example is invented (places, schools,
companies and people are fictional)."""

from __future__ import annotations

from ieiwatch.classify import classify
from ieiwatch.classify.core import rules_type
from ieiwatch.domain import Party


def _names(parties: list[Party]) -> list[str]:
    return [p.name for p in parties]


def test_a_surname_in_the_headline_is_a_person_when_the_body_names_him() -> None:
    c = classify(
        "Marrow signs executive order to grow apprenticeships",
        "LAKETON — Gov. Daniel Marrow signed an executive order on Monday to double "
        "registered apprenticeships with Northvale Community College and local employers.",
    )
    assert "Marrow" not in _names(c.parties)
    assert "Northvale Community College" in _names(c.parties)


def test_a_name_with_a_middle_initial_after_a_title_is_a_person() -> None:
    c = classify(
        "Halvorsen & Community Colleges Partner to Create Jobs",
        "Governor James E. Halvorsen signed the Northland Community Colleges Compact, an "
        "executive order that creates a statewide partnership between the State of Northland "
        "and its nineteen community colleges to train workers for employers.",
    )
    assert "Halvorsen" not in _names(c.parties)


def test_capitalised_words_after_to_and_a_verb_are_a_purpose_not_a_name() -> None:
    c = classify(
        "Keldon Power, Ashford University Sign Pact to Promote Renewable Energy",
        "Keldon Power Generation Company Limited has signed a memorandum of understanding "
        "with Ashford University to develop joint programmes in energy engineering.",
    )
    names = _names(c.parties)
    assert "Promote Renewable Energy" not in names and "Renewable Energy" not in names
    assert "Ashford University" in names


def test_trades_a_partnership_trains_in_are_no_parties() -> None:
    c = classify(
        "Tarn Polytechnic and Brightroof Systems sign MoU on training",
        "Tarn Polytechnic and Brightroof Systems Ltd signed a memorandum of understanding "
        "to train students in Carpentry and Joinery, Welding and Fabrication, and Marketing.",
    )
    names = _names(c.parties)
    for trade in ("Carpentry and Joinery", "Welding and Fabrication", "Marketing"):
        assert trade not in names
    assert {"Tarn Polytechnic", "Brightroof Systems Ltd"} <= set(names)


def test_an_office_of_employment_and_economic_development_is_one_name() -> None:
    c = classify(
        "Nurses learn on the job in new apprenticeship",
        "The Ostrava State Department of Employment and Economic Development funds the "
        "apprenticeship, which Ostrava Health and Pine Lake College launched this fall.",
    )
    names = _names(c.parties) + _names(c.mentioned)
    assert "Economic Development" not in names
    assert "Department of Employment" not in names


def test_where_a_company_is_based_is_not_part_of_its_name() -> None:
    c = classify(
        "Riverbend College partners with steel maker on welding lab",
        "Riverbend College and Mankato-based Jorvik Metal Works signed an agreement to "
        "build a welding laboratory on campus.",
    )
    assert "Jorvik Metal Works" in _names(c.parties)
    assert not any("-based" in n for n in _names(c.parties))


def test_a_name_with_its_opening_words_abbreviated_is_the_same_party() -> None:
    c = classify(
        "UNZB, KQM Copper Limited sign MoU",
        "The University of Zenda and Kestrel Quarry Minerals Copper Limited have signed a "
        "memorandum of understanding on research and staff training.",
    )
    names = _names(c.parties)
    assert "Kestrel Quarry Minerals Copper Limited" in names
    assert "KQM Copper Limited" not in names


def test_two_names_of_several_words_acting_together_are_two_parties() -> None:
    c = classify(
        "Nursing students get free tuition in new agreement",
        "Even before the pandemic there was a nurse shortage. KC4 Elmwood and Penn Ridge "
        "Halvorsen signed an agreement on July 28th that will offer free tuition through a "
        "four-year employment agreement.",
    )
    assert {"KC4 Elmwood", "Penn Ridge Halvorsen"} <= set(_names(c.parties))


def test_a_programme_launched_by_a_minister_is_a_policy_event() -> None:
    # The rules' type as if relevant: the invented item is short for the text layer.
    kind, _ = rules_type(
        "New work-integrated learning program will prepare students for careers",
        "ARDEN – The country's universities welcome today's launch of the Student Work "
        "Placement Program, which will help students build skills. Launched by Employment "
        "Minister Jana Holt, the program will create 10,000 paid work placements for "
        "students through partnerships between employers and post-secondary institutions, "
        "with an investment of $73 million.",
        "en",
    )
    assert kind == "policy_event"


def test_a_name_right_after_a_persons_title_is_a_person() -> None:
    c = classify(
        "澄州电仪公司与九峰技师学院签订深化产教融合战略合作协议",
        "仪式上，澄州电仪公司常务副总经理林岚与九峰技师学院院长庞志远签订"
        "《深化产教融合战略合作协议》，双方将共建实训基地。",
    )
    names = _names(c.parties)
    assert "林岚" not in names
    assert {"澄州电仪公司", "九峰技师学院"} <= set(names)


def test_a_verb_or_a_measure_word_opens_no_name() -> None:
    c = classify(
        "澄州大学与峰海建设投资集团签署战略合作协议",
        "澄州大学与峰海建设投资集团有限公司签署战略合作协议。校长表示，学校将结合省建投集团的"
        "发展需求打造人才联合培养平台；双方共同负责氢能研究所的建设。峰海集团还向学校捐赠了"
        "5台大众集团生产的发动机。",
    )
    names = _names(c.parties)
    assert not any(n.startswith(("结合", "负责", "台")) for n in names), names


def test_a_company_is_a_party_beside_a_lab_named_after_it_and_the_school() -> None:
    c = classify(
        "Zentek and the Halvard Institute of Technology announce a $240m AI partnership",
        "Zentek and the Halvard Institute of Technology have announced a new 10-year "
        "partnership agreement to establish a joint artificial intelligence lab. More than "
        "100 researchers will work at the HIT–Zentek Watson AI Lab in Easton.",
    )
    assert {"Zentek", "Halvard Institute of Technology"} <= set(_names(c.parties))


def test_the_short_form_after_a_name_is_no_part_of_it() -> None:
    c = classify(
        "Students to gain internships as university and manufacturers sign MoU",
        "Students of The University of the Eastern Isles (The UEI) can look forward to more "
        "internships. This follows the signing of a Memorandum of Understanding between The "
        "UEI and the Isles Manufacturers' Association (IMA) on training and research.",
    )
    names = _names(c.parties)
    assert "University of the Eastern Isles" in names
    assert not any("(" in n for n in names), names


def test_a_company_described_before_its_name_is_a_party() -> None:
    c = classify(
        "College announces new academy partnerships",
        "Tarnby College has announced new academy partnerships to upskill the workforce. The "
        "college has partnered with electronics firm Kazuma and automotive parts supplier "
        "Oldfield Components for its latest academies.",
    )
    assert "Oldfield Components" in _names(c.parties)


def test_a_company_named_by_its_gift_is_a_party() -> None:
    c = classify(
        "Kingsbridge Technical College benefits from equipment donation",
        "Velmora's donation of its laser alignment system to Kingsbridge Technical College "
        "prepares students for the real world of maintenance work.",
    )
    assert "Velmora" in _names(c.parties)


def test_a_named_class_opening_is_a_talent_programme() -> None:
    c = classify(
        "蓄力前行、共创未来：第二届澜海客车“海帆班”开班仪式成功举行",
        "9月10日，澄州职业技术学院与澜海客车有限公司合作的第二届“海帆班”开班仪式在学院举行，"
        "40名学生将在学院和企业完成两年学习。",
    )
    assert c.relevant and c.type == "talent_program"


def test_a_science_and_technology_backyard_is_a_training_base() -> None:
    c = classify(
        "澄州农业大学研究生入驻澜江芝麻科技小院",
        "近日，澄州农业大学6名研究生入驻澜江芝麻科技小院，与澜江芝麻产业有限公司共同开展"
        "种植技术攻关和农民培训，校企双方将共建实践育人平台。",
    )
    assert c.relevant and c.type == "training_base"


def test_a_companys_scholarship_signed_at_a_school_is_other_cooperation() -> None:
    c = classify(
        "澄州理工大学“澜园股份”奖学金捐赠签约仪式顺利举行",
        "3月8日，澜园股份有限公司与澄州理工大学签订奖学金捐赠协议，"
        "公司将在五年内每年出资20万元设立奖学金，奖励优秀学生。",
    )
    assert c.relevant and c.type == "other_cooperation"


def test_a_person_or_an_act_named_by_what_it_is_is_no_party() -> None:
    c = classify(
        "Philanthropist donates to varsity",
        "A philanthropist has donated a new engineering workshop to the Federal University "
        "of Technology Arden to train students in welding and fabrication.",
    )
    assert "Philanthropist" not in _names(c.parties)


def test_a_name_with_a_note_in_brackets_before_a_title_is_a_person() -> None:
    c = classify(
        "Harlow University signs drug discovery deal with Kestrel Pharma",
        "Harlow University's deal with Kestrel Pharma NV is worth $10 million for the lab "
        "run by Jeffrey Cole (at left), director of the university's drug-discovery program.",
    )
    assert "Jeffrey Cole" not in _names(c.parties)


def test_a_sum_of_money_is_no_party() -> None:
    c = classify(
        "Velmar renews university partnership with USD172,500 scholarship programme",
        "Velmar Mining has renewed its partnership with the University of Arden with a "
        "USD172,500 scholarship programme for engineering students.",
    )
    assert not any(n.startswith("USD") for n in _names(c.parties)), _names(c.parties)


def test_the_end_of_a_hyphenated_word_is_no_name() -> None:
    title = (
        "On 29th October, the Launching Ceremony of the new “i-Kohda” funded by Kasuga "
        "Thermal Engineering Co. Ltd. was held at the Arden-Japan International Institute of "
        "Technology (AJIIT)."
    )
    c = classify(
        title,
        title + " The i-Kohda, called the “Kasuga Thermal Systems Research Laboratory”, was "
        "established through the company's annual donation for five years.",
    )
    assert "Kohda" not in _names(c.parties)
