"""Sources without selectors: a page's feed, CMS, main news list, dates and next page found
from the page alone; the config entry it proposes; the list kept between polls; backfill
paging on by the discovered next link; ``sources discover|add|remove``.

List pages of each CMS are in tests/data/discover (constructed, see its README); real pages
are measured in test_discover_corpus.py.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from servers import LocalSite, Route
from sqlmodel import select
from typer.testing import CliRunner

from ieiwatch.cli.main import app, register_commands
from ieiwatch.config import Settings, load_config
from ieiwatch.config.schema import AppConfig, SourceConfig
from ieiwatch.config.sources_file import SourcesFileError, append_sources
from ieiwatch.domain import BEIJING
from ieiwatch.flows import polling
from ieiwatch.flows.backfill import BackfillRequest, BackfillStatus, run_backfill
from ieiwatch.scrapers.dates import list_date
from ieiwatch.scrapers.discover import ListStructure, discover_page, read_list
from ieiwatch.scrapers.errors import SelectorMatchedNothing
from ieiwatch.scrapers.list_finder import MAX_ITEMS
from ieiwatch.scrapers.listing import parse_list_page
from ieiwatch.scrapers.models import ListedItem
from ieiwatch.scrapers.source import list_selectors
from ieiwatch.storage.db import make_engine, session_scope
from ieiwatch.storage.models import Article, Source

register_commands()

DATA = Path(__file__).parent / "data"
PAGES = DATA / "discover"


def _page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def _days(found: list[ListedItem]) -> list[str | None]:
    return [
        i.published_at.astimezone(BEIJING).date().isoformat() if i.published_at else None
        for i in found
    ]


# ---------------------------------------------------------------------------- dates ---


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2024-03-24", "2024-03-24"),
        ("2024.03.24", "2024-03-24"),
        ("2024/3/24", "2024-03-24"),
        ("24-03-24", "2024-03-24"),
        ("2024年3月24日", "2024-03-24"),
        ("[03-24]", "2026-03-24"),
        ("【12-30】", "2025-12-30"),  # in the future this year: last year's
        ("24 2024-03", "2024-03-24"),  # day block, then year-month block
        ("2024.03 24", "2024-03-24"),
        ("(2020-08-16 21:58:28)", "2020-08-16"),
        ("版本1.5", None),
        ("第2期", None),
    ],
)
def test_list_dates_are_read_in_every_form_list_pages_use(text: str, day: str | None) -> None:
    value = list_date(text, today=date(2026, 4, 1))
    assert (value.astimezone(BEIJING).date().isoformat() if value else None) == day


# ------------------------------------------------------------------- the main list ---


def test_vsb_list_is_told_apart_from_navigation_hot_news_and_footer() -> None:
    found = discover_page(_page("vsb_list.htm"), "https://news.donghu.edu.cn/xyxw.htm")
    assert found.cms == "vsb"
    assert [i.url for i in found.items] == [
        f"https://news.donghu.edu.cn/info/1002/{n}.htm" for n in (4120, 4118, 4115, 4111, 4109)
    ]
    # A title cut to "..." on the page is whole in its title attribute.
    assert found.items[2].title == "东湖大学与湖北数联科技签署产学研合作协议"
    assert _days(found.items) == [
        "2024-03-24",
        "2024-03-20",
        "2024-03-18",
        "2024-03-15",
        "2024-03-11",
    ]


def test_vsb_next_page_is_its_pager_link_numbered_in_reverse() -> None:
    found = discover_page(_page("vsb_list.htm"), "https://news.donghu.edu.cn/xyxw.htm")
    assert found.next_page is not None
    assert found.next_page.url == "https://news.donghu.edu.cn/xyxw/10.htm"
    assert found.source_entry("donghu")["next_selector"] == ".p_next a, a.Next"


def test_trs_next_page_is_read_from_its_createpagehtml_script() -> None:
    found = discover_page(_page("trs_list.html"), "http://jyj.donghu.gov.cn/gzdt/index.html")
    assert found.cms == "trs"
    assert found.next_page is not None
    assert found.next_page.url == "http://jyj.donghu.gov.cn/gzdt/index_1.html"
    assert found.source_entry("edu")["page_url"] == "index_{index}.html"
    # "[03-24]" names no year: the article URL (t20240324_...) does.
    assert _days(found.items) == ["2024-03-24", "2024-03-21", "2024-03-18", "2023-12-29"]


def test_hanweb_records_in_a_script_are_listed_with_their_split_dates() -> None:
    url = "http://www.donghu.gov.cn/col/col1229/index.html"
    found = discover_page(_page("hanweb_list.html"), url)
    assert found.cms == "hanweb"
    assert [i.url.rsplit("/", 1)[1] for i in found.items] == [
        "art_1229_59801.html",
        "art_1229_59790.html",
        "art_1229_59701.html",
    ]
    assert _days(found.items) == ["2024-03-24", "2024-03-20", "2024-03-11"]
    # No selector of the page reaches script records: the entry leaves the list to discovery.
    entry = found.source_entry("gov")
    assert entry == {"name": "gov", "kind": "html", "url": url}
    assert SourceConfig.model_validate(entry).item_selector is None


def test_dates_in_varied_forms_and_a_bare_arrow_next_link() -> None:
    found = discover_page(_page("dates_list.htm"), "https://www.donghu.edu.cn/news/list.html")
    assert _days(found.items) == [
        "2024-03-24",
        "2024-03-20",
        "2024-03-18",
        "2024-03-15",
        "2024-03-11",
    ]
    assert found.next_page is not None
    assert found.next_page.url == "https://www.donghu.edu.cn/news/list_2.html"


@pytest.mark.parametrize(
    ("page", "url"),
    [
        ("vsb_list.htm", "https://news.donghu.edu.cn/xyxw.htm"),
        ("trs_list.html", "http://jyj.donghu.gov.cn/gzdt/index.html"),
        ("dates_list.htm", "https://www.donghu.edu.cn/news/list.html"),
        ("../listpages/gerapy_netease_rolling_news.html", "http://news.163.com/latest/"),
        ("../listpages/sthu_webplus_list.htm", "https://www.sthu.edu.cn/2522/list.htm"),
    ],
)
def test_the_proposed_entry_loads_as_written_and_lists_the_same_items(page: str, url: str) -> None:
    html = (PAGES / page).read_bytes().decode("utf-8")
    found = discover_page(html, url)
    source = SourceConfig.model_validate(found.source_entry("s"))
    selectors = list_selectors(source)
    listed = parse_list_page(
        html,
        url,
        item_selector=selectors.item,
        link_selector=selectors.link,
        date_selector=selectors.date,
    )
    assert [i.url for i in listed] == [i.url for i in found.items]


def test_a_webplus_pager_on_its_only_page_leads_nowhere() -> None:
    html = (DATA / "listpages" / "sthu_webplus_list.htm").read_text(encoding="utf-8")
    found = discover_page(html, "https://www.sthu.edu.cn/2522/list.htm")
    assert found.cms == "webplus" and found.next_page is None  # "页码：1/1", javascript links


def test_a_javascript_next_link_with_pages_to_come_is_reported_unfollowable() -> None:
    html = (DATA / "listpages" / "gerapy_hsqhfunds_announcement.html").read_text(encoding="utf-8")
    found = discover_page(html, "https://www.hsqhfunds.com/")
    assert found.next_page is not None and found.next_page.url is None
    assert "javascript" in found.next_page.how


def test_a_stored_list_is_reused_while_it_matches_and_found_again_when_not() -> None:
    url = "https://news.donghu.edu.cn/xyxw.htm"
    items, kept = read_list(_page("vsb_list.htm"), url, None)
    assert len(items) == 5
    stale = ListStructure("div.gone > ul > li")
    again, found = read_list(_page("vsb_list.htm"), url, stale)
    assert found == kept and [i.url for i in again] == [i.url for i in items]
    with pytest.raises(SelectorMatchedNothing, match="the list found before matches nothing"):
        read_list("<html><body><p>维护中</p></body></html>", url, kept)


# ------------------------------------------------------------------- feeds, fetching ---


def test_a_page_linking_a_feed_is_proposed_as_that_feed(site: LocalSite) -> None:
    site.routes["/news/index.htm"] = Route(
        body=(
            '<html><head><link rel="alternate" type="application/rss+xml" '
            'href="/feed.xml"></head><body><p>新闻</p></body></html>'
        ).encode(),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    result = CliRunner().invoke(
        app, ["sources", "discover", f"{site.url}/news/index.htm", "--json"]
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["kind"] == "feed" and shown["url"] == f"{site.url}/feed.xml"
    assert shown["source"] == {
        "name": "127.0.0.1-feed",
        "kind": "feed",
        "url": f"{site.url}/feed.xml",
    }
    assert shown["items"] and shown["next_page"] is None


def test_discover_json_gives_kind_cms_entry_items_and_next_page(site: LocalSite) -> None:
    site.routes["/xyxw.htm"] = Route(
        body=(PAGES / "vsb_list.htm").read_bytes(),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    result = CliRunner().invoke(app, ["sources", "discover", f"{site.url}/xyxw.htm", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert list(shown) == ["kind", "url", "cms", "source", "items", "next_page"]
    assert (shown["kind"], shown["cms"]) == ("html", "vsb")
    assert shown["items"][0] == {
        "url": f"{site.url}/info/1002/4120.htm",
        "title": "东湖大学与长江智造集团共建智能制造现代产业学院",
        "date": "2024-03-24",
    }
    assert shown["next_page"] == f"{site.url}/xyxw/10.htm"
    assert SourceConfig.model_validate(shown["source"]).item_selector == "div.list-main > ul > li"
    # The page links no feed, so the common feed paths were asked for, once each.
    assert [r.path for r in site.requests].count("/rss.xml") == 1


def test_sources_add_appends_the_entry_keeping_comments_and_remove_takes_it_out(
    site: LocalSite, tmp_path: Path
) -> None:
    site.routes["/xyxw.htm"] = Route(
        body=(PAGES / "vsb_list.htm").read_bytes(),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    config = tmp_path / "ieiwatch.yaml"
    original = (
        "# Sources we watch\n"
        "sources:\n"
        "  # the ministry's feed\n"
        "  - name: moe\n"
        "    kind: feed\n"
        "    url: https://www.example.gov.cn/rss.xml  # checked 2024\n"
        "\n"
        "# Who hears about it\n"
        "subscribers: []\n"
    )
    config.write_text(original, encoding="utf-8")
    runner = CliRunner()
    added = runner.invoke(
        app, ["sources", "add", f"{site.url}/xyxw.htm", "--name", "donghu", "--config", str(config)]
    )
    assert added.exit_code == 0, added.output
    assert "5 items (5 dated)" in added.output and "added source 'donghu'" in added.output
    text = config.read_text(encoding="utf-8")
    for comment in ("# Sources we watch", "# the ministry's feed", "# checked 2024", "# Who hears"):
        assert comment in text
    source = load_config(config).source("donghu")
    assert (source.kind, source.cms, source.item_selector) == (
        "html",
        "vsb",
        "div.list-main > ul > li",
    )
    assert text.index("name: donghu") < text.index("# Who hears")  # inside the sources list

    taken = runner.invoke(
        app, ["sources", "add", f"{site.url}/xyxw.htm", "--name", "donghu", "--config", str(config)]
    )
    assert taken.exit_code == 1 and "exists already" in taken.output

    removed = runner.invoke(app, ["sources", "remove", "donghu", "--config", str(config)])
    assert removed.exit_code == 0, removed.output
    assert config.read_text(encoding="utf-8") == original
    missing = runner.invoke(app, ["sources", "remove", "donghu", "--config", str(config)])
    assert missing.exit_code == 1 and "no source named 'donghu'" in missing.output


# ------------------------------------------------------------ polls and backfills ---


def _selectorless(site: LocalSite, path: str) -> AppConfig:
    return AppConfig.model_validate(
        {"sources": [{"name": "auto", "kind": "html", "url": f"{site.url}{path}"}]}
    )


def _kept(url: str) -> Source:
    engine = make_engine(url)
    with session_scope(engine) as session:
        row = session.exec(select(Source).where(Source.name == "auto")).one()
        session.expunge(row)
    engine.dispose()
    return row


def test_a_source_without_selectors_keeps_the_list_its_first_poll_found(
    site: LocalSite, database_url: str
) -> None:
    config = _selectorless(site, "/backfill/list.htm")
    settings = Settings(database_url=database_url)
    first = asyncio.run(polling.run_pass(settings, config))
    assert first.sources[0].listed == 3 and first.sources[0].new == 3
    kept = _kept(database_url).discovered_list
    assert kept == {
        "item_selector": "ul.wp_article_list > li",
        "link_selector": None,
        "date_selector": "span.Article_PublishDate",
    }

    # The page changes its layout: the list is found again, once, and the new one kept.
    site.routes["/backfill/list.htm"] = Route(
        body=(PAGES / "dates_list.htm").read_bytes(),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    second = asyncio.run(polling.run_pass(settings, config))
    assert second.sources[0].listed == 5
    assert (_kept(database_url).discovered_list or {})["item_selector"] == "div.news > div"

    # No list at all: the poll fails as a changed layout does.
    site.routes["/backfill/list.htm"] = Route(
        body="<html><body><p>系统维护中</p></body></html>".encode(),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    third = asyncio.run(polling.run_pass(settings, config))
    assert third.sources[0].status == "error"
    row = _kept(database_url)
    assert row.consecutive_failures == 1 and "no list of article links" in (row.last_error or "")


def test_backfill_of_a_source_without_selectors_pages_on_by_the_discovered_link(
    site: LocalSite, sqlite_url: str
) -> None:
    config = _selectorless(site, "/backfill/list.htm")
    request = BackfillRequest.for_days("auto", since=date(2025, 1, 15))
    report = asyncio.run(run_backfill(Settings(database_url=sqlite_url), config, request))
    assert report.status == BackfillStatus.DONE and report.stop_reason == "since"
    assert report.pages == 4 and report.new == 8  # page 4 is all older than since
    assert [r.path for r in site.requests if "list" in r.path] == [
        "/backfill/list.htm",
        "/backfill/list2.htm",
        "/backfill/list3.htm",
        "/backfill/list4.htm",
    ]


def test_backfill_stops_with_an_error_when_a_next_link_cannot_be_followed(
    site: LocalSite, sqlite_url: str
) -> None:
    page = (
        "<html><body><ul class='news'>"
        + "".join(
            f"<li><a href='/art/{n}.htm'>东湖职业学院第{n}次校企合作洽谈会召开</a>"
            f"<span>2025-03-{20 - n:02d}</span></li>"
            for n in range(1, 4)
        )
        + "</ul><div class='page'>第1页/共5页 "
        "<a href='javascript:void(0)' onclick='toPage(2)'>下一页</a></div></body></html>"
    )
    site.routes["/js/list.htm"] = Route(
        body=page.encode(), headers={"Content-Type": "text/html; charset=utf-8"}
    )
    config = _selectorless(site, "/js/list.htm")
    request = BackfillRequest.for_days("auto", since=date(2025, 1, 1))
    report = asyncio.run(run_backfill(Settings(database_url=sqlite_url), config, request))
    assert report.status == BackfillStatus.FAILED and report.stop_reason is None
    assert "next page we cannot follow" in report.errors[-1]
    assert "next_selector or page_url" in report.errors[-1]
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        assert list(session.exec(select(Article))) == []  # the page is taken when resumed
    engine.dispose()


def test_the_config_loads_html_sources_without_selectors(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        yaml.safe_dump({"sources": [{"name": "a", "kind": "html", "url": "https://x.cn/l.htm"}]}),
        encoding="utf-8",
    )
    assert load_config(path).sources[0].item_selector is None


@pytest.mark.parametrize(
    "original",
    [
        "subscribers: []  # nobody yet\n",
        "sources: []  # none yet\nsubscribers: []\n",
        "sources:\n- name: a\n  kind: feed\n  url: https://a.example.cn/rss.xml\n# the end\n",
    ],
)
def test_a_source_is_appended_to_any_layout_of_the_sources_list(
    tmp_path: Path, original: str
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(original, encoding="utf-8")
    entry = {"name": "new", "kind": "html", "url": "https://b.example.cn/list.htm"}
    append_sources(path, [entry])
    assert [s.name for s in load_config(path).sources][-1] == "new"
    for line in original.splitlines():
        if "#" in line:
            assert line[line.index("#") :] in path.read_text(encoding="utf-8")


def test_an_edit_that_would_not_load_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    original = "sources:\n  - name: a\n    kind: feed\n    url: https://a.example.cn/rss.xml\n"
    path.write_text(original, encoding="utf-8")
    with pytest.raises(SourcesFileError, match="name 'a' is used twice"):
        append_sources(path, [{"name": "a", "kind": "feed", "url": "https://b.example.cn/f"}])
    assert path.read_text(encoding="utf-8") == original
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]  # no temporary file left


def test_a_page_of_twenty_thousand_items_yields_at_most_the_cap() -> None:
    items = "".join(
        f'<li><a href="/info/1/{i}.htm">东湖大学第{i}条新闻标题</a><span>2024-03-01</span></li>'
        for i in range(20_000)
    )
    found = discover_page(f"<html><body><ul>{items}</ul></body></html>", "https://x.edu.cn/l.htm")
    assert len(found.items) == MAX_ITEMS
    assert found.items[0].url == "https://x.edu.cn/info/1/0.htm"
