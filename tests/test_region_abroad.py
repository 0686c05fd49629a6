"""The region of the event outside mainland China (issue 11, item 3, for English news):
a state and its city from a dateline or "City, State", a country and its city, what a
company's name says left out; shown, filtered and searched in Chinese and English."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from test_web_fixtures import to_store

from ieiwatch.classify import classify
from ieiwatch.classify.evaluate import evaluate
from ieiwatch.classify.world_places import in_a_name
from ieiwatch.config.schema import Filters, SourceConfig
from ieiwatch.domain import Region
from ieiwatch.notify.filters import matches
from ieiwatch.notify.wording import region_text
from ieiwatch.storage.articles import insert_new
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.models import Article
from ieiwatch.storage.search import ItemFilter, find_items
from ieiwatch.storage.sources import sync_sources

OHIO = Region("Ohio", "Columbus", "United States")


def region_of(title: str, text: str) -> Region | None:
    return classify(title, text, "en").region


def test_a_dateline_gives_the_state_and_a_town_the_gazetteer_does_not_list() -> None:
    text = (
        "SALISBURY, N.C. — Rowan-Cabarrus Community College has signed training "
        "partnerships with two manufacturers that will train their technicians on campus."
    )
    assert region_of("College lands two corporate training partners", text) == Region(
        "North Carolina", "Salisbury", "United States"
    )


@pytest.mark.parametrize(
    ("text", "region"),
    [
        (
            "ISLAMABAD, May 2 (APP):In a stride towards fostering innovation in Pakistan, the "
            "science park and a bank signed a memorandum to train students.",
            Region(None, "Islamabad", "Pakistan"),
        ),
        (
            "WATERTOWN, S.D. (AP) Caterpillar Inc. of Peoria, Ill., has selected Lake Area "
            "Technical Institute to train diesel technicians, a company in Fargo, N.D., said.",
            Region("South Dakota", "Watertown", "United States"),
        ),
        (
            "JOHOR BAHRU, 10 April 2023- A Malaysian university and a chip maker signed an "
            "agreement to train engineers.",
            Region(None, "Johor Bahru", "Malaysia"),
        ),
    ],
)
def test_a_dateline_as_wires_write_it_gives_the_city(text: str, region: Region) -> None:
    assert region_of("College and company partner on training", text) == region


@pytest.mark.parametrize(
    ("title", "text", "region"),
    [
        (
            "Carmaker and college open training centre",
            "DETROIT — A carmaker and a community college in Ohio opened a training centre.",
            Region("Ohio", None, "United States"),
        ),
        (
            "Pondicherry University, MSME Technology Centre to train students",
            "NEW DELHI: The Pondicherry University and MSME Technology Centre, Puducherry, "
            "have signed an agreement for fostering industry-academic collaboration.",
            Region("Puducherry", "Puducherry", "India"),
        ),
    ],
)
def test_a_dateline_town_elsewhere_is_not_the_city_of_the_region(
    title: str, text: str, region: Region
) -> None:
    assert region_of(title, text) == region


def test_a_name_spelt_out_after_its_acronym_is_no_dateline() -> None:
    text = (
        "MIT (Massachusetts Institute of Technology) Professor Jane Roe said the university "
        "and IBM signed a research agreement in the United States."
    )
    region = region_of("IBM and MIT sign agreement", text)
    assert region is not None and region.city != "Mit"


def test_a_town_named_before_its_state_is_the_city() -> None:
    text = (
        "Rock Valley College and Woodward signed an apprenticeship agreement on Monday at "
        "the college's advanced technology centre in Rockford, Ill., where apprentices will study."
    )
    assert region_of("Woodward and Rock Valley College sign apprenticeship pact", text) == Region(
        "Illinois", "Rockford", "United States"
    )


def test_a_country_without_states_in_the_gazetteer_gives_country_and_city() -> None:
    text = (
        "The Technical University of Kenya and Safaricom opened an innovation laboratory in "
        "Nairobi on Friday, where engineering students will work on the company's projects."
    )
    assert region_of("Safaricom and TU-K open innovation lab", text) == Region(
        None, "Nairobi", "Kenya"
    )


def test_a_state_in_a_company_name_says_nothing_of_where_the_event_is() -> None:
    text = (
        "Texas Instruments donated laboratory equipment to Ivy Tech Community College in "
        "Fort Wayne, Indiana, where students will train as electronics technicians."
    )
    region = region_of("Texas Instruments donates lab equipment to Ivy Tech", text)
    assert region == Region("Indiana", "Fort Wayne", "United States")


def test_a_state_outweighs_its_country_named_more_often() -> None:
    text = (
        "The U.S. Department of Labor praised the programme. Sinclair College in Ohio and "
        "GE Aerospace will train U.S. aviation technicians together under the agreement."
    )
    region = region_of("GE Aerospace and Sinclair College sign U.S. apprenticeship deal", text)
    assert region is not None and (region.country, region.province) == ("United States", "Ohio")


def test_a_region_abroad_reads_in_both_languages() -> None:
    assert region_text(OHIO, "en") == "Columbus, Ohio, United States"
    assert region_text(Region(None, "Nairobi", "Kenya"), "en") == "Nairobi, Kenya"
    assert region_text(OHIO, "zh") == "美国俄亥俄州哥伦布"
    # A town with no Chinese name stands apart.
    assert region_text(Region("North Carolina", "Salisbury", "United States"), "zh") == (
        "美国北卡罗来纳州 Salisbury"
    )
    assert region_text(Region("Zhejiang", "Hangzhou"), "zh") == "浙江省杭州市"


def test_a_region_abroad_round_trips_and_china_keeps_its_old_form() -> None:
    assert Region.from_dict(OHIO.to_dict()) == OHIO
    assert Region("Zhejiang", "Hangzhou").to_dict() == {"province": "Zhejiang", "city": "Hangzhou"}


def _article(region: Region | None) -> Article:
    return Article(
        source_id=1, url="https://example.edu/a", url_key="k", title="t", text="x",
        lang="en", relevant=True, score=0.9, region=region, fetched_at=datetime.now(UTC),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("wanted", "hit"),
    [(["Ohio"], True), (["俄亥俄州"], True), (["美国"], True), (["United States"], True),
     (["哥伦布"], True), (["Columbus"], True), (["Jerusalem"], False), (["浙江"], False)],
)  # fmt: skip
def test_subscriber_region_filters_match_a_region_abroad_by_any_of_its_names(
    wanted: list[str], hit: bool
) -> None:
    assert matches(Filters(regions=wanted), _article(OHIO), "s") is hit


def test_the_items_search_finds_a_region_abroad_by_state_country_or_chinese_name(
    engine: Engine,
) -> None:
    base = {
        "published": "2026-03-01T08:00:00+08:00", "text": "x", "lang": "en", "relevant": True,
        "score": 0.9, "type": None, "parties": [], "sectors": [], "evidence": [],
    }  # fmt: skip
    rows = [
        {**base, "url": "https://a.example.edu/1", "title": "Ohio item", "region": OHIO.to_dict()},
        {**base, "url": "https://a.example.edu/2", "title": "Zhejiang item",
         "region": {"province": "Zhejiang", "city": "Hangzhou"}},
    ]  # fmt: skip
    with session_scope(engine) as session:
        source = sync_sources(
            session, [SourceConfig(name="s", kind="feed", url="https://a.example.edu/f")]
        )["s"]
        insert_new(session, source.id or 0, [to_store(r) for r in rows])
    with session_scope(engine) as session:
        for name in ("Ohio", "俄亥俄", "United States", "美国"):
            found = find_items(session, ItemFilter(region=name)).items
            assert [a.title for a in found] == ["Ohio item"], name
        assert [a.title for a in find_items(session, ItemFilter(region="浙江")).items] == [
            "Zhejiang item"
        ]


def test_eval_scores_a_region_abroad_by_country_then_state_then_city() -> None:
    row = {
        "id": "r1", "lang": "en", "relevant": True, "type": "talent_program", "parties": [],
        "title": "Woodward and Rock Valley College sign apprenticeship pact",
        "text": "Rock Valley College and Woodward signed an apprenticeship agreement in "
        "Rockford, Ill., on Monday.",
    }  # fmt: skip
    usa = {"country": "United States", "province": None, "city": None}
    gold = [
        {**row, "id": "right", "region": {**usa, "province": "Illinois", "city": "Rockford"}},
        {**row, "id": "country", "region": usa},
        {**row, "id": "wrong", "region": {**usa, "province": "Ohio"}},
    ]
    metrics = evaluate(gold)
    assert (metrics.region_total, metrics.region_accuracy) == (3, round(2 / 3, 4))


def test_chinese_regions_in_english_text_are_unchanged() -> None:
    text = (
        "Zhejiang University and CATL signed an agreement in Hangzhou to set up an industry "
        "college."
    )
    assert region_of("Zhejiang University and CATL sign agreement", text) == Region(
        "Zhejiang", "Hangzhou"
    )


def test_a_sum_in_us_dollars_is_no_place() -> None:
    text = (
        "Safaricom gave US$2 million and US$500,000 in equipment to the Technical University "
        "of Kenya for a laboratory in Nairobi, and US$100,000 for scholarships."
    )
    region = region_of("Safaricom funds a laboratory at TU-K", text)
    assert region is not None and region.country == "Kenya"


def test_a_state_after_a_schools_name_is_the_state_not_a_city_of_that_name() -> None:
    text = (
        "Lake Harbor College, Washington, has signed an apprenticeship agreement with "
        "Cascade Aero to train aircraft mechanics at its hangar."
    )
    region = region_of("Lake Harbor College and Cascade Aero sign apprenticeship deal", text)
    assert region is not None and (region.country, region.province) == (
        "United States",
        "Washington",
    )


@pytest.mark.parametrize(
    ("text", "place", "inside"),
    [("a center in South Charleston opened", "Charleston", True),
     ("Odessa College signed", "Odessa", True),
     ("the University of Washington said", "Washington", True),
     ("a center in Charleston opened", "Charleston", False),
     ("In Ohio the college signed", "Ohio", False),
     ("The Ohio college signed", "Ohio", False)],
)  # fmt: skip
def test_a_place_inside_a_longer_name_is_told_from_a_place_a_sentence_names(
    text: str, place: str, inside: bool
) -> None:
    start = text.index(place)
    assert in_a_name(text, start, start + len(place)) is inside
