"""A monitoring pass, end to end over loopback servers, without Prefect.

The Prefect flow wraps exactly this code (see test_monitor_flow.py for the flow itself).
"""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from servers import LocalSite, Route
from sqlmodel import select

from ieiwatch.config import AppConfig, Settings
from ieiwatch.demo.mail_sink import MailSink
from ieiwatch.flows.page_pool import INLINE_UP_TO, classify_all
from ieiwatch.flows.polling import RunReport, run_pass
from ieiwatch.notify.wording import format_date
from ieiwatch.storage.db import make_engine, session_scope
from ieiwatch.storage.models import Article, Source


def _config(site: LocalSite, *, sources: list[str], notify: list[str] | None = None) -> AppConfig:
    known = {
        "feed": {"name": "lakeside-feed", "kind": "feed", "url": f"{site.url}/feed.xml"},
        "list": {
            "name": "nanhu-list",
            "kind": "html",
            "url": f"{site.url}/list.htm",
            "item_selector": "ul.news li",
            "date_selector": "span.d",
            "content_selector": "div.article-body",
        },
    }
    # The fixtures are from 2025: a wide window lets their first poll alert.
    data: dict = {"sources": [known[s] for s in sources], "alert_window_days": 36500}
    if notify:
        data["subscribers"] = [{"name": "analyst", "notify": notify}]
    return AppConfig.model_validate(data)


def _run(database_url: str, config: AppConfig) -> RunReport:
    settings = Settings(database_url=database_url, source_retries=0)
    return asyncio.run(run_pass(settings, config))


def _stored(database_url: str) -> list[Article]:
    engine = make_engine(database_url)
    with session_scope(engine) as s:
        rows = list(s.exec(select(Article).order_by(Article.url)))
    engine.dispose()
    return rows


def test_feed_source_produces_stored_articles(site: LocalSite, sqlite_url: str) -> None:
    report = _run(sqlite_url, _config(site, sources=["feed"]))
    stored = _stored(sqlite_url)
    assert report.sources[0].status == "ok" and report.sources[0].new == 2
    by_url = {a.url: a for a in stored}
    lab = by_url[f"{site.url}/art/201.htm"]  # tracking parameter dropped
    assert lab.title.startswith("Lakeside University signs strategic cooperation agreement")
    assert "robotics research centre" in lab.text
    assert lab.lang == "en" and lab.relevant
    assert lab.published_at is not None
    assert lab.published_at.isoformat() == "2025-09-15T02:00:00+00:00"
    opening = by_url[f"{site.url}/art/102.htm"]
    assert opening.published_at is not None and opening.published_at.day == 8  # 年月日 date
    assert not opening.relevant


def test_html_source_produces_stored_articles(site: LocalSite, sqlite_url: str) -> None:
    report = _run(sqlite_url, _config(site, sources=["list"]))
    stored = _stored(sqlite_url)
    assert report.sources[0].listed == 2  # the javascript: link is not an item
    assert [a.url for a in stored] == [f"{site.url}/art/101.htm", f"{site.url}/art/102.htm"]
    assert all(a.text and "版权所有" not in a.text for a in stored)


def test_gbk_page_text_comes_out_right(site: LocalSite, sqlite_url: str) -> None:
    _run(sqlite_url, _config(site, sources=["list"]))
    college = _stored(sqlite_url)[0]
    assert college.title == "南湖职业技术学院与鑫源汽车有限公司共建新能源汽车产业学院"
    assert "企业技术总监张镕、学院副院长赵喆出席签约仪式" in college.text  # GBK-only characters
    assert "\ufffd" not in college.text
    assert college.relevant and college.type == "industry_college"


def test_unchanged_feed_costs_one_conditional_request(site: LocalSite, sqlite_url: str) -> None:
    config = _config(site, sources=["feed"])
    _run(sqlite_url, config)
    before = len(site.requests)
    report = _run(sqlite_url, config)
    assert report.sources[0].status == "not_modified"
    # robots.txt was read by the first run and is trusted for a day
    assert [r.path for r in site.requests[before:]] == ["/feed.xml"]
    assert "If-None-Match" in site.requests[-1].headers


def test_changed_feed_fetches_only_the_new_article_pages(site: LocalSite, sqlite_url: str) -> None:
    config = _config(site, sources=["feed"])
    _run(sqlite_url, config)
    feed = (Path(__file__).parent / "data/site/feed.xml").read_bytes()
    site.routes["/feed.xml"] = Route(
        200,
        feed.replace(
            b"</channel>",
            b"""<item>
        <title>Another item</title><link>/art/101.htm</link></item></channel>""",
        ),
        {"Content-Type": "application/rss+xml"},
    )
    before = len(site.requests)
    report = _run(sqlite_url, config)
    assert report.sources[0].new == 1
    assert [r.path for r in site.requests[before:]] == ["/feed.xml", "/art/101.htm"]


def test_unreachable_source_is_recorded_while_others_go_on(
    site: LocalSite, sqlite_url: str, mail: MailSink
) -> None:
    config = _config(site, sources=["feed", "list"], notify=[mail.apprise_url()])
    config.sources[1].url = "http://127.0.0.1:9/list.htm"  # nothing listens on port 9
    report = _run(sqlite_url, config)
    statuses = {s.name: s.status for s in report.sources}
    assert statuses == {"lakeside-feed": "ok", "nanhu-list": "error"}
    assert "127.0.0.1:9/list.htm" in report.sources[1].errors[0]
    engine = make_engine(sqlite_url)
    with session_scope(engine) as s:
        broken = s.exec(select(Source).where(Source.name == "nanhu-list")).one()
    assert broken.consecutive_failures == 1 and "ConnectError" in (broken.last_error or "")
    assert report.deliveries.sent == 1 and len(mail.messages) == 1


def test_a_page_that_is_not_a_feed_is_a_clear_error(site: LocalSite, sqlite_url: str) -> None:
    config = _config(site, sources=["feed"])
    config.sources[0].url = f"{site.url}/not-a-feed.xml"
    report = _run(sqlite_url, config)
    assert report.sources[0].status == "error"
    assert "not a readable RSS/Atom feed" in report.sources[0].errors[0]


def test_list_selector_matching_nothing_is_a_clear_error(site: LocalSite, sqlite_url: str) -> None:
    config = _config(site, sources=["list"])
    config.sources[0].item_selector = "div.no-such-list li"
    report = _run(sqlite_url, config)
    assert "item_selector 'div.no-such-list li' matched nothing" in report.sources[0].errors[0]


def test_second_run_sends_no_alert_twice(site: LocalSite, sqlite_url: str, mail: MailSink) -> None:
    config = _config(site, sources=["feed", "list"], notify=[mail.apprise_url()])
    first = _run(sqlite_url, config)
    site.routes.clear()
    second = _run(sqlite_url, config)
    assert first.deliveries.sent == 2  # the two cooperation articles
    assert second.deliveries.sent == 0
    assert len(mail.messages) == 2


def test_cms_preset_source_needs_no_selectors(site: LocalSite, sqlite_url: str) -> None:
    config = AppConfig.model_validate(
        {
            "sources": [
                {
                    "name": "donghu",
                    "kind": "html",
                    "url": f"{site.url}/wp/list.htm",
                    "cms": "webplus",
                },
            ]
        }
    )
    report = _run(sqlite_url, config)
    (base,) = _stored(sqlite_url)
    assert report.sources[0].new == 1
    assert base.title == "东湖职业学院与云帆数据科技有限公司共建大数据实训基地"  # not the cut one
    assert base.text.startswith("9月10日，东湖职业学院与云帆数据科技有限公司举行校企合作签约仪式")
    assert "浏览次数" not in base.text and "版权所有" not in base.text
    assert format_date(base.published_at) == "2025-09-10"


def test_first_poll_stores_everything_but_alerts_only_recent_items(
    site: LocalSite, sqlite_url: str, mail: MailSink
) -> None:
    config = _config(site, sources=["feed", "list"], notify=[mail.apprise_url()])
    config.alert_window_days = 7  # the fixtures' news is from 2025
    first = _run(sqlite_url, config)
    assert sum(s.new for s in first.sources) == 3 and first.deliveries.sent == 0
    archive = [i for s in first.sources for i in s.relevant_items]
    assert archive and not any(i.news for i in archive)  # listed in the run, but no events
    feed = (Path(__file__).parent / "data/site/feed.xml").read_text(encoding="utf-8")
    fresh = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    site.routes["/feed.xml"] = Route(
        200,
        feed.replace(
            "</channel>",
            f"""<item>
        <title>Lakeside University and Orion Robotics open a joint robotics laboratory</title>
        <link>/art/201.htm?v=2</link><pubDate>{fresh}</pubDate>
        <description>Lakeside University and Orion Robotics Inc. jointly opened a robotics
        laboratory to train students.</description></item></channel>""",
        ).encode(),
        {"Content-Type": "application/rss+xml"},
    )
    second = _run(sqlite_url, config)
    assert second.sources[0].new == 1 and second.deliveries.sent == 1
    assert [i.news for i in second.sources[0].relevant_items] == [True]


def test_robots_txt_is_trusted_for_a_day_then_read_again(site: LocalSite, sqlite_url: str) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from ieiwatch.storage.models import RobotsTxt

    config = _config(site, sources=["feed"])
    _run(sqlite_url, config)
    _run(sqlite_url, config)
    assert len(site.hits("/robots.txt")) == 1
    engine = make_engine(sqlite_url)
    with session_scope(engine) as s:
        s.execute(update(RobotsTxt).values(fetched_at=datetime.now(UTC) - timedelta(hours=25)))
    engine.dispose()
    _run(sqlite_url, config)
    assert len(site.hits("/robots.txt")) == 2


def test_a_slow_source_is_given_up_at_its_time_limit_while_the_others_go_on(
    site: LocalSite, sqlite_url: str, tmp_path: Path
) -> None:
    # What a process does once (import the page readers, load the classifier, start the
    # page pool's workers) took the feed source over a second on a slow machine: done
    # first, so that the time limit measures the sources.
    _run(f"sqlite:///{tmp_path / 'warm-up.db'}", _config(site, sources=["feed"]))
    site.routes["/list.htm"] = Route(
        200, b"<html></html>", {"Content-Type": "text/html"}, delay=3.0
    )
    settings = Settings(database_url=sqlite_url, source_retries=0, source_timeout=1.0)

    async def with_workers_up() -> RunReport:
        await classify_all([("warm-up", "the workers are up")] * (INLINE_UP_TO + 1))
        return await run_pass(settings, _config(site, sources=["feed", "list"]))

    report = asyncio.run(with_workers_up())
    statuses = {s.name: s.status for s in report.sources}
    assert statuses == {"lakeside-feed": "ok", "nanhu-list": "error"}
    assert "no result within 1s" in report.sources[1].errors[0]
