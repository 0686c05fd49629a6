"""When a pass alerts: each source's alerts as soon as it is stored (a slow source holds up
nobody else's), and never a new source's archive, however many runs reading it takes."""

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from servers import LocalSite, Route

from ieiwatch.config import AppConfig, Settings
from ieiwatch.demo.mail_sink import MailSink
from ieiwatch.flows.polling import RunReport, run_pass

RSS = "application/rss+xml"
FIRMS = ["Orion Robotics", "Huaxin Battery", "Tianheng Software", "Haichuan Shipbuilding"]
FIELDS = ["robotics", "battery", "software", "marine engineering", "biomedicine", "logistics"]


@pytest.fixture
def slow_site() -> Iterator[LocalSite]:
    """A second site, on another loopback address so that politeness per host keeps it
    apart from ``site``."""
    with LocalSite(host="127.0.0.2") as s:
        yield s


def _feed(items: list[tuple[str, str, datetime]]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link>"
        f"<pubDate>{format_datetime(when)}</pubDate></item>"
        for title, link, when in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>News</title><link>/</link><description>t</description>{entries}"
        "</channel></rss>"
    ).encode()


def _page(title: str, text: str) -> Route:
    body = f"<html><head><title>{title}</title></head><body><h1>{title}</h1><p>{text}</p>"
    return Route(200, (body + "</body></html>").encode(), {"Content-Type": "text/html"})


def test_a_fast_sources_alert_goes_out_before_a_slow_source_finishes(
    site: LocalSite, slow_site: LocalSite, mail: MailSink, sqlite_url: str
) -> None:
    slow_site.routes["/feed.xml"] = Route(200, _feed([]), {"Content-Type": RSS}, delay=6.0)
    config = AppConfig.model_validate(
        {
            "sources": [
                {"name": "fast", "kind": "feed", "url": f"{site.url}/feed.xml"},
                {"name": "slow", "kind": "feed", "url": f"{slow_site.url}/feed.xml"},
            ],
            "subscribers": [{"name": "analyst", "notify": [mail.apprise_url()]}],
            "alert_window_days": 36500,  # the fixtures' news is from 2025
        }
    )

    async def watch() -> tuple[bool, RunReport]:
        running = asyncio.create_task(run_pass(Settings(database_url=sqlite_url), config))
        while not mail.messages and not running.done():
            await asyncio.sleep(0.05)
        return not running.done(), await running

    alerted_while_slow_ran, report = asyncio.run(watch())
    assert alerted_while_slow_ran
    fast = next(s for s in report.sources if s.name == "fast")
    assert fast.deliveries.sent == 1 and report.deliveries.sent == 1
    assert len(mail.messages) == 1  # the end of the pass did not send it again


def test_a_new_source_with_a_long_archive_never_alerts_its_archive(
    site: LocalSite, mail: MailSink, sqlite_url: str
) -> None:
    now = datetime.now(UTC)
    items = []
    for k in range(120):
        firm, field = FIRMS[k % len(FIRMS)], FIELDS[k % len(FIELDS)]
        title = f"Lakeside University and {firm} open a joint {field} laboratory ({k})"
        items.append((title, f"/a/{k}.htm", now - timedelta(days=31 + k)))
        site.routes[f"/a/{k}.htm"] = _page(
            title,
            f"Lakeside University and {firm} Inc. signed a cooperation agreement on {k} "
            f"September to build a joint {field} laboratory and to train students together.",
        )
    site.routes["/archive.xml"] = Route(200, _feed(items), {"Content-Type": RSS})
    config = AppConfig.model_validate(
        {
            "sources": [{"name": "archive", "kind": "feed", "url": f"{site.url}/archive.xml"}],
            "subscribers": [{"name": "analyst", "notify": [mail.apprise_url()]}],
        }
    )
    settings = Settings(database_url=sqlite_url, max_articles_per_source=50)

    runs = [asyncio.run(run_pass(settings, config)) for _ in range(3)]
    assert [r.sources[0].new for r in runs] == [50, 50, 20]
    assert [r.sources[0].alerts_planned for r in runs] == [0, 0, 0]
    assert mail.messages == []

    # The archive is in: from now on every new item alerts.
    title = "Lakeside University and Nova Chips open a joint chip design laboratory"
    site.routes["/a/new.htm"] = _page(
        title,
        "Lakeside University and Nova Chips Inc. signed a cooperation agreement to build a "
        "joint chip design laboratory and an internship base for students.",
    )
    site.routes["/archive.xml"] = Route(
        200, _feed([(title, "/a/new.htm", now), *items]), {"Content-Type": RSS}
    )
    after = asyncio.run(run_pass(settings, config))
    assert after.sources[0].new == 1 and after.deliveries.sent == 1


def test_a_pass_polls_at_most_so_many_sources_at_once(
    site: LocalSite, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ieiwatch.flows import runtime

    monkeypatch.setattr(runtime, "SOURCES_AT_ONCE", 1)
    for name in ("one", "two", "three"):
        site.routes[f"/{name}.xml"] = Route(200, _feed([]), {"Content-Type": RSS}, delay=0.3)
    config = AppConfig.model_validate(
        {
            "sources": [
                {"name": name, "kind": "feed", "url": f"{site.url}/{name}.xml"}
                for name in ("one", "two", "three")
            ]
        }
    )
    report = asyncio.run(run_pass(Settings(database_url=sqlite_url), config))
    assert [s.status for s in report.sources] == ["ok", "ok", "ok"]
    assert site.max_in_flight == 1  # two would be allowed by politeness per host
