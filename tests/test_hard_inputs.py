"""What the web really sends, end to end through a run over loopback: a Big5 feed with no
charset anywhere, article pages with lying or missing charsets and broken markup, and a feed
URL that serves something else."""

from __future__ import annotations

import asyncio
from pathlib import Path

from servers import LocalSite, Route
from sqlmodel import select

from ieiwatch.config import AppConfig, Settings
from ieiwatch.flows.polling import RunReport, run_pass
from ieiwatch.storage.db import make_engine, session_scope
from ieiwatch.storage.models import Article

PAGES = Path(__file__).parent / "data/pages"

BIG5_FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>示範大學新聞</title>
<item><title>示範大學與業界合辦產學合作計劃</title><link>/hk/1.html</link>
<description>產學合作</description></item>
<item><title>學院舉辦校企合作洽談會</title><link>/broken/1.html</link></item>
<item><title>青年學子走進鄉村振興一線</title><link>/trs/1.htm</link></item>
</channel></rss>"""


def _serve(site: LocalSite) -> None:
    # No charset in the header nor in the XML declaration: the bytes must tell.
    site.routes["/big5.xml"] = Route(200, BIG5_FEED.encode("big5"), {"Content-Type": "text/xml"})
    site.routes["/hk/1.html"] = Route(
        200, (PAGES / "big5hkscs-declared-big5.html").read_bytes(), {"Content-Type": "text/html"}
    )
    site.routes["/broken/1.html"] = Route(
        200, (PAGES / "broken-markup.html").read_bytes(), {"Content-Type": "text/html"}
    )
    site.routes["/trs/1.htm"] = Route(
        200,
        (PAGES / "utf8-declared-gb2312.html").read_bytes(),
        {"Content-Type": "text/html; charset=gb2312"},
    )


def _run(url: str, feed_url: str) -> RunReport:
    config = AppConfig.model_validate(
        {"sources": [{"name": "hk", "kind": "feed", "url": feed_url}]}
    )
    return asyncio.run(run_pass(Settings(database_url=url), config))


def _articles(url: str) -> dict[str, Article]:
    engine = make_engine(url)
    with session_scope(engine) as s:
        rows = {a.url.split("/", 3)[-1]: a for a in s.exec(select(Article))}
    engine.dispose()
    return rows


def test_big5_feed_and_badly_labelled_pages_come_out_right(
    site: LocalSite, sqlite_url: str
) -> None:
    _serve(site)
    report = _run(sqlite_url, f"{site.url}/big5.xml")
    assert report.sources[0].status == "ok" and report.sources[0].new == 3
    assert report.sources[0].errors == []
    stored = _articles(sqlite_url)
    hk = stored["hk/1.html"]
    assert hk.title == "示範大學與業界合辦產學合作計劃"  # the feed's title, from Big5 bytes
    assert "負責計劃嘅陳喆教授表示" in hk.text  # HKSCS character in a page declared big5
    broken = stored["broken/1.html"]
    assert "二十余家企业代表参加了会议" in broken.text and broken.text.endswith("实现互利共赢。")
    trs = stored["trs/1.htm"]
    assert "同学们走访了喆、镕等生僻字姓名的农户" in trs.text  # UTF-8 that says gb2312
    assert all("\ufffd" not in a.text for a in stored.values())


def test_html_at_a_feed_url_is_a_clear_error(site: LocalSite, sqlite_url: str) -> None:
    site.routes["/feed"] = Route(
        200, b"<html><body><p>Welcome</p></body></html>", {"Content-Type": "text/html"}
    )
    report = _run(sqlite_url, f"{site.url}/feed")
    (source,) = report.sources
    assert source.status == "error"
    assert source.errors[0].startswith(f"{site.url}/feed: not a readable RSS/Atom feed")
