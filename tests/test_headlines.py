"""Headlines come from the page, never from a ``<title>`` that names the site.

On pages built like issue 16's college site (tests/data/college: every page titled
``东北林业大学信息与计算机工程学院``, the headline in an ``<h2>``), and on the real CMS pages
of the shared cn-news-html corpus with their ``<title>`` replaced by the site's name (the
corpus is read in place: its pages may not be copied, see its README).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypeVar

import pytest
from servers import Scrape, scrape_html_site

from ieiwatch.config import Settings
from ieiwatch.config.schema import SourceConfig
from ieiwatch.domain import ArticleToStore
from ieiwatch.scrapers.article import TitleHints, extract_article, page_title
from ieiwatch.scrapers.encoding import decode_html
from ieiwatch.scrapers.fetch import Fetcher
from ieiwatch.scrapers.models import ListedItem
from ieiwatch.scrapers.source import fetch_articles

COLLEGE = Path(__file__).parent / "data" / "college"
SITE_NAME = "东北林业大学信息与计算机工程学院"
HEADLINES = {
    "1001": "学院与华为技术有限公司签署校企合作协议",
    "1002": "学院与中兴通讯共建5G产业学院揭牌",
    "1003": "哈尔滨电气集团实习实训基地签约授牌",
}
CORPUS = Path(__file__).resolve().parents[2] / "shared/corpora/cn-news-html"
T = TypeVar("T")


def _college(n: str) -> str:
    return (COLLEGE / "info" / f"{n}.htm").read_text(encoding="utf-8")


def _hints(kind: str, n: str) -> TitleHints:
    if kind == "link text":
        return TitleHints(link_text=HEADLINES[n])
    if kind == "other pages":
        return TitleHints(site_names=frozenset({SITE_NAME}))
    return TitleHints()


@pytest.mark.parametrize("hint", ["alone", "link text", "other pages"])
@pytest.mark.parametrize("n", list(HEADLINES))
def test_college_page_titled_with_the_site_name_gives_its_h2_headline(n: str, hint: str) -> None:
    article = extract_article(_college(n), f"http://127.0.0.1/info/{n}.htm", hints=_hints(hint, n))
    assert article.title == HEADLINES[n]
    # The headline is not repeated as the body's first line.
    assert not article.text.startswith(HEADLINES[n])
    assert SITE_NAME in article.text  # the body names the college; the title does not


def test_the_college_pages_share_their_title_which_is_the_site_name() -> None:
    assert {page_title(_college(n)) for n in HEADLINES} == {SITE_NAME}


def _on_college_logo(scrape: Scrape[T]) -> T:
    """``scrape`` the college-logo site's listed items, served locally."""
    return scrape_html_site(COLLEGE.parent / "college-logo", "ul.news li", scrape)


def test_a_title_shared_by_a_sources_pages_is_its_name_not_their_headline() -> None:
    """college-logo: the site's name in an <h1> banner repeating <title>, and list links
    reading "查看详情": only the title shared by the pages tells the banner from the headline."""

    async def scrape(
        fetcher: Fetcher, _settings: Settings, source: SourceConfig, items: list[ListedItem]
    ) -> tuple[list[str], list[str]]:
        batch = await fetch_articles(fetcher, source, items, 4)
        # One page alone cannot tell: its banner repeats its title.
        alone = await fetch_articles(fetcher, source, items[:1], 4)
        return [a.title for a in batch.articles], [a.title for a in alone.articles]

    together, alone = _on_college_logo(scrape)
    assert alone == [SITE_NAME]
    assert together == list(HEADLINES.values())


def test_pages_read_in_the_workers_are_read_again_once_the_sites_name_is_known() -> None:
    """The ingest step reads and classifies each page in a worker process as it arrives;
    the pages whose <title> turns out to be the site's are read and classified again, so
    each article keeps its headline and the classification of that headline."""
    from ieiwatch.classify import classify
    from ieiwatch.flows.ingest import harvest

    async def scrape(
        fetcher: Fetcher, settings: Settings, source: SourceConfig, items: list[ListedItem]
    ) -> list[ArticleToStore]:
        return (await harvest(fetcher, settings, source, items)).articles

    articles = _on_college_logo(scrape)
    assert [a.title for a in articles] == list(HEADLINES.values())
    for a in articles:
        again = classify(a.title, a.text)
        assert (a.relevant, a.score, a.type) == (again.relevant, again.score, again.type)


def _logo_in_a_heading(n: str) -> str:
    """The site's name in an <h1> above the nav, as many templates put their banner."""
    return (
        _college(n)
        .replace('<div class="top">', "<h1>")
        .replace(f"{SITE_NAME}</div>", f"{SITE_NAME}</h1>", 1)
    )


@pytest.mark.parametrize("n", list(HEADLINES))
def test_a_heading_repeating_a_site_name_title_loses_to_the_link_text_headline(n: str) -> None:
    url = f"http://127.0.0.1/info/{n}.htm"
    by_link = extract_article(_logo_in_a_heading(n), url, hints=TitleHints(link_text=HEADLINES[n]))
    assert by_link.title == HEADLINES[n]
    by_pages = extract_article(
        _logo_in_a_heading(n), url, hints=TitleHints(site_names=frozenset({SITE_NAME}))
    )
    assert by_pages.title == HEADLINES[n]


def test_a_site_name_in_the_logo_or_site_meta_is_never_the_title() -> None:
    base = _college("1001")
    with_logo = base.replace(
        '<div class="top">东北林业大学信息与计算机工程学院</div>',
        '<div class="logo"><img src="logo.png" alt="东北林业大学信息与计算机工程学院"></div>',
    )
    with_meta = base.replace(
        "<head>", '<head><meta property="og:site_name" content="东北林业大学信息与计算机工程学院">'
    )
    for html in (with_logo, with_meta):
        assert extract_article(html, "http://127.0.0.1/info/1001.htm").title == HEADLINES["1001"]


def test_a_cut_link_text_confirms_the_headline_it_starts() -> None:
    html = _college("1002").replace("<h2>", "<h3>相关新闻</h3><h2>")
    hints = TitleHints(link_text="学院与中兴通讯共建5G…")
    assert (
        extract_article(html, "http://127.0.0.1/info/1002.htm", hints=hints).title
        == (HEADLINES["1002"])
    )


def test_a_real_title_with_the_site_name_appended_is_unchanged() -> None:
    html = _college("1003").replace(
        f"<title>{SITE_NAME}</title>", f"<title>{HEADLINES['1003']} - {SITE_NAME}</title>"
    )
    assert extract_article(html, "http://127.0.0.1/info/1003.htm").title == HEADLINES["1003"]


# --- the real CMS pages, titled with their site's name -----------------------------------

SITE_NAMES = {
    "cjn-wuhan_trs_article.html": "长江网",
    "cmse-gov_trs_article-2012.html": "中国载人航天官方网站",
    "cmse-gov_trs_article-2021.html": "中国载人航天官方网站",
    "fgw-zj-gov_hanweb_article.html": "浙江省发展和改革委员会",
    "kepu-gov_article.html": "中国科普网",
    # The site's home page <title> (nju-itsc_webplus_home.html).
    "nju-itsc_webplus_article-1.html": "信息化建设管理服务中心",
    "nju-itsc_webplus_article-2.html": "信息化建设管理服务中心",
    "shanxi-gov_trs_article.html": "山西省人民政府门户网站",
    "sxmu-jijian_vsb_article.html": "纪检",
    "theorychina-en_trs_article.html": "TheoryChina",
    "wanzai-gov_article-tjgb2015.html": "万载县人民政府",
    "wanzai-gov_article-tjgb2022.html": "万载县人民政府",
    "yichun-gov_article-tjgb2022.html": "中国宜春",
    "yichun-gov_article-jiangxi-tjgb2022.html": "中国宜春",
    "youth-cn_trs_article-1.html": "中国青年网",
    "youth-cn_trs_article-2.html": "中国青年网",
}
# The one page whose headline sits in an unmarked table cell: told apart from its "纪检"
# column name only by the link text or the other pages.
NEEDS_A_HINT = {"sxmu-jijian_vsb_article.html"}


def _titled_with_site_name(name: str) -> str:
    """The corpus page with its <title> the site's name and its ArticleTitle meta gone."""
    if not CORPUS.is_dir():
        pytest.skip(f"cn-news-html corpus not found at {CORPUS}")
    from test_cms_corpus import _content_type

    html = decode_html((CORPUS / name).read_bytes(), _content_type(name)).text
    site = SITE_NAMES[name]
    html, found = re.subn(
        r"<title[^>]*>.*?</title\s*>", f"<title>{site}</title>", html, flags=re.S | re.I
    )
    if not found:
        html = re.sub(r"<head[^>]*>", lambda m: f"{m.group(0)}<title>{site}</title>", html, count=1)
    return re.sub(r"<meta[^>]+ArticleTitle[^>]*>", "", html, flags=re.I)


def _expected(name: str) -> tuple[str, str]:
    from test_cms_corpus import CASES

    return CASES[name].title, CASES[name].url


@pytest.mark.parametrize("name", sorted(SITE_NAMES))
def test_real_page_titled_with_its_site_name_gives_its_headline(name: str) -> None:
    html = _titled_with_site_name(name)
    title, url = _expected(name)
    cut_link = title[:10] + "…"
    assert extract_article(html, url, hints=TitleHints(link_text=cut_link)).title == title
    others = TitleHints(site_names=frozenset({SITE_NAMES[name]}))
    assert extract_article(html, url, hints=others).title == title
    alone = extract_article(html, url).title
    if name in NEEDS_A_HINT:
        assert alone in {title, SITE_NAMES[name]}
    else:
        assert alone == title


def test_corpus_site_names_are_the_real_ones() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"cn-news-html corpus not found at {CORPUS}")
    home = (CORPUS / "nju-itsc_webplus_home.html").read_text(encoding="utf-8")
    assert page_title(home) == SITE_NAMES["nju-itsc_webplus_article-1.html"]
