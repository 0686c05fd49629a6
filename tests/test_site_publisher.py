"""我校, 学院, "the university" name the publishing school when the page's site names it,
without a ``publisher`` in the source's config; the school is stored with the article."""

from pathlib import Path

import pytest
from servers import scrape_html_site

from ieiwatch.classify.site_publisher import publisher_for, school_named
from ieiwatch.config import Settings
from ieiwatch.config.schema import SourceConfig
from ieiwatch.domain import ArticleToStore
from ieiwatch.flows.ingest import harvest
from ieiwatch.flows.page_pool import read_and_classify
from ieiwatch.scrapers.article import SITE_NAME_MAX, SITE_NAMES_KEPT, TitleHints, extract_article
from ieiwatch.scrapers.fetch import Fetcher
from ieiwatch.scrapers.models import ListedItem
from ieiwatch.scrapers.page import PageRules, RawPage

COLLEGE = Path(__file__).parent / "data" / "college" / "info"
SITE_NAME = "东北林业大学信息与计算机工程学院"  # every page's <title> (see test_headlines.py)


@pytest.mark.parametrize(
    ("site_name", "school"),
    [
        ("南京大学信息化建设管理服务中心", "南京大学"),
        ("山西医科大学纪检监察网", "山西医科大学"),
        ("湖南铁道职业技术学院-新闻中心", "湖南铁道职业技术学院"),
        (SITE_NAME, SITE_NAME),
        ("Home | Lakeland University", "Lakeland University"),
        ("Riverside Polytechnic", "Riverside Polytechnic"),
    ],
)
def test_a_schools_site_name_gives_the_school(site_name: str, school: str) -> None:
    assert school_named(site_name) == school


@pytest.mark.parametrize(
    "site_name",
    [
        "中国青年网",  # a news portal
        "山西省人民政府门户网站",  # a government's: not a school
        "新闻中心",
        "我校新闻网",  # no name to give
        "浙江大学与宁德时代签署战略合作协议",  # a headline: two organisations
        "Riverside Polytechnic and Huaxin Battery open a joint lab",
    ],
)
def test_a_portal_a_bureau_or_a_headline_gives_no_school(site_name: str) -> None:
    assert school_named(site_name) is None


def test_the_sources_own_publisher_comes_before_the_page() -> None:
    assert publisher_for("滨江职业技术学院", [SITE_NAME]) == "滨江职业技术学院"
    assert publisher_for(None, ["新闻中心", SITE_NAME]) == SITE_NAME
    assert publisher_for(None, []) is None


def test_the_site_names_of_a_page_are_its_meta_names_titles_and_logo_not_its_headline() -> None:
    html = (
        '<html><head><meta property="og:site_name" content="滨江大学新闻网">'
        "<title>滨江大学与恒远集团共建联合实验室 - 新闻中心</title></head><body>"
        '<div class="logo"><img alt="滨江大学" src="l.png"></div>'
        "<h1>滨江大学与恒远集团共建联合实验室</h1>"
        "<div class='content'><p>近日，我校与恒远集团签署协议，共建储能技术联合实验室。</p></div>"
        "</body></html>"
    )
    page = extract_article(html, "http://127.0.0.1/a.htm", hints=TitleHints())
    assert page.title == "滨江大学与恒远集团共建联合实验室"
    assert page.site_names == ("滨江大学新闻网", "新闻中心", "滨江大学")


def _read(n: str, publisher: str | None) -> tuple[list[tuple[str, str]], str | None]:
    item = ListedItem(url=f"http://127.0.0.1/info/{n}.htm", title="", published_at=None)
    page = RawPage(item.url, (COLLEGE / f"{n}.htm").read_bytes(), "text/html")
    _, done = read_and_classify(PageRules(), item, page, frozenset(), publisher)
    return [(p.name, p.kind) for p in done.classification.parties], done.publisher


def test_a_college_page_saying_xueyuan_names_the_college_its_title_gives() -> None:
    # "学院与华为技术有限公司签署校企合作协议" on the college's own site.
    parties, publisher = _read("1001", None)
    assert publisher == SITE_NAME
    assert parties == [(SITE_NAME, "college"), ("华为技术有限公司", "enterprise")]


def test_a_configured_publisher_is_the_one_used_and_kept() -> None:
    parties, publisher = _read("1001", "东北林业大学")
    assert publisher == "东北林业大学"
    assert ("东北林业大学", "college") in parties


def test_a_harvest_of_the_college_site_keeps_the_school_with_each_article() -> None:
    """Served locally, listed, fetched, read and classified in the page pool's workers: each
    stored article carries the school its site names, and shows it among its parties."""

    async def scrape(
        fetcher: Fetcher, settings: Settings, source: SourceConfig, items: list[ListedItem]
    ) -> list[ArticleToStore]:
        return (await harvest(fetcher, settings, source, items)).articles

    found = scrape_html_site(COLLEGE.parent, "ul.news li", scrape)
    assert len(found) == 3
    assert {a.publisher for a in found} == {SITE_NAME}
    assert all(SITE_NAME in [p.name for p in a.parties] for a in found)
    assert not any(p.name in {"学院", "学校", "我校"} for a in found for p in a.parties)


def test_a_page_cannot_make_its_site_names_long_or_many() -> None:
    nested = '<div class="logo">' * 2000 + "某某大学" * 500 + "</div>" * 2000
    many = "".join(f'<div class="logo{i}"><img alt="站点{i}"></div>' for i in range(500))
    html = f"<html><head><title>标题</title></head><body>{nested}{many}<p>正文。</p></body></html>"
    names = extract_article(html, "http://127.0.0.1/a.htm").site_names
    assert len(names) <= SITE_NAMES_KEPT and all(len(n) <= SITE_NAME_MAX for n in names)
