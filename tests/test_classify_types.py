"""The type the rules give in English (issue 11 item 4): classes of type errors on sites
the rules were not written for — a government's own act (executive orders, a programme
a government launches) against the concrete act a headline names; employer-paid
studies, learn-and-earn and skills programmes; placements at a company's sites; other
names for agreements; an employer's academy at a college; a centre of excellence for
research; a company's grants.

The rules' own type is tested (`core.rules_type`), not the learned type layer that may
overrule it in English. Every example is invented for these tests (places, schools,
companies and people are fictional).
"""

from __future__ import annotations

import pytest

from ieiwatch.classify.core import rules_type


def _type(title: str, text: str = "", lang: str | None = None) -> str:
    return rules_type(title, text, lang)[0]


# ------------------------------------------------------- a government's own act ----


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Governor Ellison signs executive order on youth apprenticeships",
            "Gov. Mara Ellison signed an executive order on Monday asking state agencies, "
            "community colleges and employers to double the number of youth apprentices "
            "by 2030.",
        ),
        (
            "Dunmore announces $3M grant program for apprenticeships",
            "Gov. Paul Dunmore announced a $3 million grant program that helps employers "
            "start apprenticeships with technical colleges in non-traditional sectors.",
        ),
        (
            "Four national skills academies to open",
            "Four national skills academies, backed by employers and delivered through "
            "further education colleges, are to open next year, the government announced "
            "today.",
        ),
        (
            "Cabinet approves dual training policy for technical colleges",
            "Under the policy, trainees of technical colleges will spend half of their "
            "training with employers.",
        ),
    ],
)
def test_a_government_act_is_a_policy_event(title: str, text: str) -> None:
    assert _type(title, text, "en") == "policy_event"


def test_a_concrete_act_in_the_headline_beats_a_government_mentioned_in_the_body() -> None:
    t = _type(
        "Norbeck Robotics and Fairhaven College open joint robotics lab",
        "Norbeck Robotics and Fairhaven College opened a joint robotics laboratory on "
        "Tuesday. The state government announced a grant program for such labs last year.",
        "en",
    )
    assert t == "joint_lab"


def test_an_executive_order_quoted_in_the_body_beats_the_headline_s_programme() -> None:
    t = _type(
        "State to double youth apprenticeships with colleges and employers",
        "Gov. Mara Ellison on Monday signed Executive Order 12, which asks community "
        "colleges and employers to double the number of youth apprentices by 2030.",
        "en",
    )
    assert t == "policy_event"


def test_a_company_grant_program_is_no_policy_event() -> None:
    t = _type(
        "Corvane Software awards $2 million in grants to community colleges",
        "As part of its annual instructional grant program, Corvane Software awarded "
        "software licences to 40 community colleges to equip their computer labs.",
        "en",
    )
    assert t == "other_cooperation"


# ------------------------------------------------------------------ English acts ----


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            "Harlow University launches Learn & Earn program",
            "Harlow University has launched a Learn & Earn program with three local "
            "employers: new hires study a year of college while they work.",
            "talent_program",
        ),
        (
            "Westfield Health and Pine Ridge College team up on nursing tuition",
            "Westfield Health will cover the cost of nursing tuition for Pine Ridge College "
            "students and guarantee employment for two years after graduation.",
            "talent_program",
        ),
        (
            "Orland University and Contoso partner on tech employability skills program",
            "Orland University and Contoso announced a partnership to pilot a tech "
            "employability skills program for students.",
            "talent_program",
        ),
        (
            "Kestrel Polytechnic and Alder Cement sign letter of intent",
            "Kestrel Polytechnic and Alder Cement Ltd signed a letter of intent to "
            "collaborate on research and staff exchanges.",
            "strategic_agreement",
        ),
        (
            "Students to be trained at Brightwater Foods plants",
            "Students of Kestrel University will gain industrial attachment opportunities "
            "at Brightwater Foods Ltd plants under a new deal.",
            "training_base",
        ),
        (
            "Brightwater Networks debuts tech academies at two colleges",
            "Brightwater Networks signed agreements with Kestrel University and Orland "
            "Polytechnic, rebranding both as Brightwater ICT Academies.",
            "industry_college",
        ),
        (
            "Norbeck and Orland University to open Center of Excellence for AI research",
            "Orland University will host a Center of Excellence for AI research and "
            "development with technology from Norbeck Systems.",
            "joint_lab",
        ),
        (
            "Norbeck Energy awards $250,000 to Fairhaven College",
            "The Norbeck Energy Foundation awarded a grant to Fairhaven College to buy "
            "welding equipment that doubles the capacity of its welding lab.",
            "other_cooperation",
        ),
        (
            "Harlow University and Corvane inaugurate Competence Center",
            "The Competence Center for Vehicle Technologies was established by Harlow "
            "University and Corvane at its engineering faculty.",
            "joint_lab",
        ),
    ],
)
def test_english_acts(title: str, text: str, expected: str) -> None:
    assert _type(title, text, "en") == expected


def test_a_research_lab_that_signs_is_no_joint_lab_by_itself() -> None:
    t = _type(
        "Norbeck Laboratories Europe and Kestrel universities sign MoU on AI",
        "Norbeck Laboratories Europe and two Kestrel universities concluded a Memorandum "
        "of Understanding to explore research cooperation.",
        "en",
    )
    assert t == "strategic_agreement"
