"""rules-9 (issue 11): English classes of errors on sites the rules were not written for.

Schools named in their own language or by a short form the text spells out, the actor of
a partnership told in other verbs, a school the text describes in passing, and a
government's legislation. Every example is invented for these tests (places, schools,
companies and people are fictional).
"""

from __future__ import annotations

from ieiwatch.classify import classify
from ieiwatch.domain import Party


def _parties(title: str, text: str = "") -> list[Party]:
    return classify(title, text, "en").parties


def _names(title: str, text: str = "") -> list[str]:
    return [p.name for p in _parties(title, text)]


# ------------------------------------------------------------ English parties ----


def test_a_university_named_in_its_own_language_is_a_school() -> None:
    # The noun opens the name (Universiti, Universidade, Institut Teknologi): the words
    # after it belong to the name, and the item has its school.
    c = classify(
        "Bayu Selatan university and Merak Dairy sign MoA on industrial training",
        "Universiti Teknikal Bayu Selatan (UTBS) and Merak Dairy Bhd signed a Memorandum of "
        "Agreement that lets students undergo industrial training at the company's farms.",
        "en",
    )
    assert Party("Universiti Teknikal Bayu Selatan", "university") in c.parties
    assert "Merak Dairy Bhd" in [p.name for p in c.parties]
    assert not any(e.startswith("−no school") for e in c.evidence)
    assert Party("Universidade Pedagógica do Norte", "university") in _parties(
        "Norte university opens ICT academy",
        "Universidade Pedagógica do Norte and Kalandra Systems Ltd signed an agreement to open "
        "an ICT academy.",
    )


def test_a_tafe_named_by_its_state_is_a_vocational_school() -> None:
    assert Party("TAFE Westmark", "vocational_school") in _parties(
        "TAFE Westmark helps miner upskill its apprentices",
        "Seven Orrin Coal apprentices graduated from a programme at TAFE Westmark tailored to "
        "the needs of Orrin Coal.",
    )


def test_name_particles_stay_inside_a_name() -> None:
    names = _names(
        "Corvane and a university open an AI centre of excellence",
        "Corvane Ltd and Ahmed bin Rashid University of Maritime Studies signed an agreement "
        "to open a centre of excellence.",
    )
    assert "Ahmed bin Rashid University of Maritime Studies" in names


def test_a_short_form_the_text_spells_out_is_shown_by_its_full_name() -> None:
    names = _names(
        "Corvane and UKNW collaborate in basic research",
        "Corvane Inc. and the University of Kestrel, North Wold (UKNW) have signed an "
        "agreement to collaborate on basic research. UKNW will receive funding.",
    )
    assert "University of Kestrel, North Wold" in names
    assert "UKNW" not in names and "North Wold (UKNW)" not in names
    # a short form the text never spells out stays as it is
    assert "DKCC" in _names(
        "Brandell Motors and DKCC sign an apprenticeship agreement",
        "Brandell Motors Inc. has signed an apprenticeship agreement with DKCC.",
    )


def test_the_actor_of_a_partnership_told_in_other_verbs_is_a_party() -> None:
    assert "Halvorsen-Pike" in _names(
        "Halvorsen-Pike partners with two universities",
        "Halvorsen-Pike is partnering with Orland State University on a research programme.",
    )
    assert "Drummond Minerals" in _names(
        "Mining company boosts its support for universities",
        "Drummond Minerals has committed a further $3 million to its partnership with the "
        "University of Kestrel.",
    )
    assert "ZENTRO CORP" in _names(
        "Zentro signs MoU with Legacy Aviation College",
        "ZENTRO CORP. has signed a Memorandum of Understanding with Legacy Aviation College.",
    )


def test_two_one_word_names_acting_together_are_two_parties() -> None:
    names = _names(
        "Veltrix and Marwood formalise partnership to train students",
        "Veltrix and Marwood have formalised a partnership to train students in networking.",
    )
    assert "Veltrix" in names and "Marwood" in names
    # a venue's words are not split into two names (rules-6)
    c = classify(
        "MOA signing ceremony strengthens industry partnership",
        "A Memorandum of Agreement (MOA) signing ceremony took place today at Pinecrest Mt. "
        "Resort and Hotel, solidifying a partnership between Harrowgate College Inc. and "
        "Tamarind Foods Corporation.",
    )
    assert "Hotel" not in [p.name for p in c.parties]


def test_a_school_the_text_describes_in_passing_is_a_school() -> None:
    c = classify(
        "Torvik Motors partners with Crestline to train technicians",
        "Torvik Motors is teaming up with Crestline, a technical training institute with "
        "campuses in two states, to train the technicians of the future.",
        "en",
    )
    assert Party("Crestline", "college") in c.parties
    assert "Torvik Motors" in [p.name for p in c.parties]
    assert not any(e.startswith("−no school") for e in c.evidence)


def test_an_institute_that_teaches_a_trade_is_a_school() -> None:
    assert Party("Coastal Institute of Maintenance", "college") in _parties(
        "Airline and maintenance school sign career pathway agreement",
        "Brisk Air Inc. signed a career pathway agreement with the Coastal Institute of "
        "Maintenance.",
    )


# ------------------------------------------------------- legislation: policy ----


def test_a_governor_signing_a_workforce_bill_is_a_policy_event() -> None:
    c = classify(
        "Governor signs workforce bill",
        "Gov. Ada Marlow signed a bill into law Tuesday that moves most workforce training in "
        "the state to its community colleges and gives employers tax credits for apprenticeships.",
        "en",
    )
    assert any(e.startswith("+policy_doc") for e in c.evidence)
    assert c.relevant and c.type == "policy_event"


def test_an_executive_order_on_apprenticeships_is_a_policy_event() -> None:
    c = classify(
        "Governor signs executive order to expand apprenticeships",
        "Gov. Ada Marlow signed an executive order Thursday to add 100 registered "
        "apprenticeship programmes with private employers and work-study places for students.",
        "en",
    )
    assert any(e.startswith("+policy_doc") for e in c.evidence)
    assert c.relevant and c.type == "policy_event"


def test_a_bill_signed_at_a_college_is_the_governments_act() -> None:
    # The college is where the bill is signed, not a school without a partner.
    c = classify(
        "Governor signs bill promoting technical careers",
        "Gov. Ada Marlow signed a bill at Kestrel Community College on Wednesday that funds "
        "apprenticeships and workforce training with local employers.",
        "en",
    )
    assert not any(e.startswith("−no partner") for e in c.evidence)
    assert c.type == "policy_event"


def test_a_company_known_by_its_brand_is_a_party_outside_a_slot() -> None:
    # orgs.yaml en.known_companies: a brand named in the headline or in a sentence of
    # cooperation is a company, though no slot word stands next to it.
    c = classify(
        "IBM adds two colleges to its cybersecurity centre programme",
        "IBM announced it is expanding a programme establishing cybersecurity training "
        "centres on the campuses of Kestrel State University and Orland College.",
        "en",
    )
    assert Party("IBM", "enterprise") in c.parties
    # …but not a person who shares its name, nor a brand in a sentence without cooperation
    names = _names(
        "Inventor opens engineering school with Warwick University",
        "Entrepreneur James Dyson has opened an engineering school in partnership with "
        "Warwick University. Students there use Microsoft laptops.",
    )
    assert "Dyson" not in names and "Microsoft" not in names


def test_a_university_written_as_its_initials_with_ust_is_a_school() -> None:
    assert Party("KSUST", "university") in _parties(
        "SABIC signs MoU with KSUST on research programmes",
        "SABIC has signed a memorandum of understanding with KSUST under which SABIC will fund "
        "ten research programmes.",
    )


def test_a_count_of_schools_with_a_country_adjective_is_the_school_side() -> None:
    c = classify(
        "Hyundai to launch battery research programme with three Indian universities",
        "Hyundai Motor and Kia will invest 10 billion won to launch a joint research programme "
        "with three Indian universities for battery research.",
        "en",
    )
    assert any(e.startswith("+parties: three Indian universities") for e in c.evidence)
    assert Party("Kia", "enterprise") in c.parties  # a brand found in a slot is a company
    # "10 billion won" is money, not a prize
    assert not any(e.startswith("−award") for e in c.evidence)


def test_a_university_known_by_a_short_form_without_u_is_a_school() -> None:
    assert Party("MIT", "university") in _parties(
        "MIT and Kestrel Energy expand their collaboration",
        "MIT and Kestrel Energy Inc. signed a memorandum of understanding to expand the "
        "research and education partnership between MIT and Kestrel Energy.",
    )


def test_a_country_or_a_city_is_no_party() -> None:
    names = _names(
        "Kestrel Electronics and a Hanoi university partner in chip training",
        "Kestrel Electronics from South Korea and the Orland University of Technology, Hanoi, "
        "signed a cooperation agreement on semiconductor training.",
    )
    assert "South Korea" not in names and "Hanoi" not in names
    assert "Orland University of Technology" in names
