"""Backfill over a local WebPlus-style site of four list pages (tests/data/site/backfill):
twelve articles, three a page, newest first, from 2025-03-20 back to 2024-12-10; item 9
has no date on its list page (only on its own page)."""

from __future__ import annotations

import asyncio
import email.header
import json
import time
from datetime import date
from pathlib import Path

import pytest
import yaml
from servers import LocalSite, Route
from sqlmodel import select
from typer.testing import CliRunner

from ieiwatch.cli.main import app, register_commands
from ieiwatch.config import ConfigError, Settings, load_config
from ieiwatch.config.schema import AppConfig, SourceConfig
from ieiwatch.demo.mail_sink import MailSink
from ieiwatch.flows import polling
from ieiwatch.flows.backfill import BackfillReport, BackfillRequest, run_backfill, summary_lines
from ieiwatch.scrapers.paging import Paging, feed_next_url, html_next_url, template_url
from ieiwatch.storage.db import make_engine, session_scope
from ieiwatch.storage.models import Article, Delivery

register_commands()

SINCE = date(2025, 1, 15)
IN_WINDOW = {f"/backfill/info/{n}.htm" for n in range(1, 9)}
"""Items 1–8 are dated 2025-01-18 or later; 9 (2025-01-09) and 10–12 (December) are older."""
RELEVANT_IN_WINDOW = 5  # 1, 3, 4, 6, 7: the others are sports, meetings and libraries


def _config(site: LocalSite, mail: MailSink | None = None, mode: str = "instant") -> AppConfig:
    return AppConfig.model_validate(
        {
            "sources": [
                {
                    "name": "donghu",
                    "kind": "html",
                    "url": f"{site.url}/backfill/list.htm",
                    "cms": "webplus",
                },
                {
                    "name": "donghu-numbered",
                    "kind": "html",
                    "url": f"{site.url}/backfill/list.htm",
                    "item_selector": "ul.wp_article_list > li",
                    "page_url": "list{page}.htm",
                },
                {"name": "donghu-feed", "kind": "feed", "url": f"{site.url}/backfill/feed.xml"},
            ],
            "subscribers": [{"name": "analyst", "notify": [mail.apprise_url()], "mode": mode}]
            if mail
            else [],
            "alert_window_days": 36500,  # a first poll may alert on anything: none must come
        }
    )


def _write(path: Path, config: AppConfig) -> Path:
    data = config.model_dump(mode="json", exclude_defaults=True)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _backfill(url: str, config: AppConfig, **request: object) -> BackfillReport:
    req = BackfillRequest.for_days(**{"source": "donghu", "since": SINCE, **request})
    return asyncio.run(run_backfill(Settings(database_url=url), config, req))


def _stored(url: str) -> list[str]:
    engine = make_engine(url)
    with session_scope(engine) as session:
        urls = [a.url for a in session.exec(select(Article))]
    engine.dispose()
    return sorted("/" + u.split("/", 3)[3] for u in urls)


def _hits(site: LocalSite, path: str) -> int:
    return len(site.hits(path))


def test_backfill_stores_every_article_since_the_date_and_no_earlier(
    site: LocalSite, sqlite_url: str
) -> None:
    report = _backfill(sqlite_url, _config(site))
    assert set(_stored(sqlite_url)) == IN_WINDOW
    assert (report.status, report.stop_reason, report.pages) == ("done", "since", 4)
    assert report.new == 8 and report.relevant == RELEVANT_IN_WINDOW
    # Page 4 is older than since by its list dates alone: its articles are never fetched.
    assert all(_hits(site, f"/backfill/info/{n}.htm") == 0 for n in (10, 11, 12))
    # Item 9 is undated on its list: its page was read for the date, then not stored.
    assert _hits(site, "/backfill/info/9.htm") == 1


def test_backfill_stops_at_max_pages_and_a_larger_limit_continues(
    site: LocalSite, database_url: str
) -> None:
    """On SQLite and PostgreSQL: the checkpoint's upsert and updates are SQL of both."""
    config = _config(site)
    first = _backfill(database_url, config, max_pages=2)
    assert (first.status, first.stop_reason, first.new) == ("done", "max_pages", 6)
    assert _hits(site, "/backfill/list3.htm") == 0
    again = _backfill(database_url, config, max_pages=2)
    assert again.status == "finished" and again.pages == 0  # nothing walked twice
    more = _backfill(database_url, config, max_pages=3)
    assert (more.pages, more.pages_total, more.new) == (1, 3, 2)
    assert set(_stored(database_url)) == IN_WINDOW
    assert _hits(site, "/backfill/list.htm") == 1 and _hits(site, "/backfill/list2.htm") == 1


@pytest.mark.usefixtures("prefect_api")
def test_an_interrupted_backfill_resumes_at_its_checkpoint_without_duplicates(
    site: LocalSite, tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Page 3 fails (503, after the fetcher's retries) the first time: the CLI says so and
    exits 1; run again, it starts at page 3 and fetches nothing it has already."""
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", sqlite_url)
    config = _write(tmp_path / "c.yaml", _config(site))
    site.queued["/backfill/list3.htm"] = [Route(503)] * 3
    args = ["backfill", "--source", "donghu", "--since", "2025-01-15", "--config", str(config)]
    runner = CliRunner()
    first = runner.invoke(app, args)
    assert first.exit_code == 1, first.output
    assert "run it again to resume" in first.output
    assert len(_stored(sqlite_url)) == 6
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert "done (since)" in second.output and "2 new" in second.output
    stored = _stored(sqlite_url)
    assert set(stored) == IN_WINDOW and len(stored) == len(set(stored))
    for path in ("/backfill/list.htm", "/backfill/list2.htm", *IN_WINDOW):
        assert _hits(site, path) == 1, path  # nothing fetched twice
    third = runner.invoke(app, args)  # finished: nothing to walk, exit 0
    assert third.exit_code == 0 and "finished" in third.output


def test_backfill_alerts_nobody_by_default_nor_on_the_next_monitor_pass(
    site: LocalSite, mail: MailSink, sqlite_url: str
) -> None:
    config = _config(site, mail)
    report = _backfill(sqlite_url, config)
    assert report.new == 8 and report.alerts_planned == 0
    # The source's first poll finds the backfilled items stored: nothing is new, no alert,
    # even with an alert window covering them.
    monitor = asyncio.run(
        polling.run_pass(Settings(database_url=sqlite_url), config, sources=["donghu"])
    )
    assert monitor.sources[0].new == 0 and monitor.deliveries.sent == 0
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        assert list(session.exec(select(Delivery))) == []
    engine.dispose()
    assert mail.messages == []


def test_backfill_notify_digest_sends_one_summary_once(
    site: LocalSite, mail: MailSink, sqlite_url: str
) -> None:
    config = _config(site, mail)
    report = _backfill(sqlite_url, config, notify="digest")
    assert report.digests_sent == 1
    assert f"    1 backfill summary sent, covering {RELEVANT_IN_WINDOW} items" in summary_lines(
        report
    )
    _backfill(sqlite_url, config, notify="digest")  # finished already: no second summary
    assert len(mail.messages) == 1
    subject = str(email.header.make_header(email.header.decode_header(mail.messages[0]["Subject"])))
    assert f"历史回溯 · donghu：{RELEVANT_IN_WINDOW} 条" in subject
    (html,) = [
        p.get_payload(decode=True).decode("utf-8")
        for p in mail.messages[0].walk()
        if p.get_content_type() == "text/html"
    ]
    assert "回溯来源：donghu；发布日期 2025-01-" in html  # the source and the dates covered


def test_a_backfill_summary_that_fails_is_retried_through_the_outbox(
    site: LocalSite, receiver: LocalSite, sqlite_url: str
) -> None:
    from datetime import UTC, datetime, timedelta

    from ieiwatch.notify.sending import deliver_due
    from ieiwatch.storage.deliveries import Outbox

    hook = receiver.url.replace("http://", "json://") + "/summary"
    config = _config(site)
    config.subscribers = AppConfig.model_validate(
        {"subscribers": [{"name": "analyst", "notify": [hook]}]}
    ).subscribers
    receiver.queued["/summary"] = [Route(503)]
    report = _backfill(sqlite_url, config, notify="digest")
    assert report.digests_sent == 0 and report.deliveries.failed == RELEVANT_IN_WINDOW
    engine = make_engine(sqlite_url)
    retried = deliver_due(Outbox(engine), config, now=datetime.now(UTC) + timedelta(minutes=5))
    engine.dispose()
    assert retried.messages == 1 and retried.sent == RELEVANT_IN_WINDOW
    assert len(receiver.received) == 1
    assert f"{RELEVANT_IN_WINDOW} 条" in json.loads(receiver.received[0].body)["title"]


def test_backfill_notify_instant_sends_the_usual_alerts(
    site: LocalSite, mail: MailSink, sqlite_url: str
) -> None:
    report = _backfill(sqlite_url, _config(site, mail), notify="instant")
    assert report.alerts_planned == RELEVANT_IN_WINDOW
    assert report.deliveries.sent == RELEVANT_IN_WINDOW == len(mail.messages)


def test_paging_by_a_page_url_template_and_by_feed_next_links(
    site: LocalSite, sqlite_url: str, tmp_path: Path
) -> None:
    config = _config(site)
    numbered = _backfill(sqlite_url, config, source="donghu-numbered", since=None)
    assert (numbered.stop_reason, numbered.new, numbered.pages) == ("end", 12, 4)
    assert _hits(site, "/backfill/list5.htm") == 1  # 404: past the last page
    feed_db = f"sqlite:///{tmp_path / 'feed.db'}"
    feed = _backfill(feed_db, config, source="donghu-feed", since=None)
    assert (feed.stop_reason, feed.new, feed.pages) == ("end", 6, 2)


def test_next_page_rules() -> None:
    webplus = Paging.for_source(
        SourceConfig(name="w", kind="html", url="http://x.cn/a/list.htm", cms="webplus")
    )
    assert webplus == Paging(".wp_paging a.next", "list{page}.htm")
    assert template_url("index_{index}.{ext}", "http://x.cn/col/index.shtml", 3) == (
        "http://x.cn/col/index_2.shtml"
    )
    linked = '<div class="wp_paging"><a class="next" href="p/9.htm">next</a></div>'
    rel = '<head><link rel="next" href="list7.htm"></head>'
    base = "http://x.cn/a/list.htm"
    assert html_next_url(linked, base, 1, webplus, base) == "http://x.cn/a/p/9.htm"
    assert html_next_url(rel, base, 1, Paging(None, None), base) == "http://x.cn/a/list7.htm"
    assert html_next_url("<p>no links</p>", base, 4, webplus, base) == "http://x.cn/a/list5.htm"
    assert html_next_url("<p>no links</p>", base, 4, Paging(None, None), base) is None
    archived = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b'<link rel="prev-archive" href="2024.xml"/><link rel="next" href="p2.xml"/>'
        b"</feed>"
    )
    assert feed_next_url(archived, "http://x.cn/f/feed.xml") == "http://x.cn/f/p2.xml"


def test_page_url_must_be_a_template(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "sources:\n  - {name: x, kind: html, url: 'http://x.cn/l.htm', "
        "item_selector: li, page_url: list2.htm}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"sources\[0\]\.page_url"):
        load_config(bad)


@pytest.mark.usefixtures("prefect_api")
def test_the_backfill_flow_publishes_its_results_and_relevant_items(
    site: LocalSite, tmp_path: Path, sqlite_url: str
) -> None:
    import httpx
    from prefect.settings import PREFECT_API_URL

    from ieiwatch.flows.backfill import backfill

    config = _write(tmp_path / "c.yaml", _config(site))
    state = asyncio.run(
        backfill(
            source="donghu",
            since=SINCE,
            config_path=str(config),
            database_url=sqlite_url,
            return_state=True,
        )
    )
    run_id = state.state_details.flow_run_id

    async def published() -> tuple[list, list]:
        # Raw requests leaving out what is not asked for: Prefect's client sends nulls for
        # those, which its server rejects with fastapi >= 0.151 (README, "Dependency pins").
        async with httpx.AsyncClient(base_url=PREFECT_API_URL.value()) as http:
            artifacts = (
                await http.post(
                    "/artifacts/filter",
                    json={
                        "artifacts": {
                            "key": {"any_": ["backfill-summary", "backfill-relevant-items"]}
                        },
                        "flow_runs": {"id": {"any_": [str(run_id)]}},
                        "limit": 50,
                    },
                )
            ).json()
            events = (
                await http.post(
                    "/events/filter",
                    json={
                        "filter": {"event": {"name": ["ieiwatch.item.relevant"]}},
                        "limit": 50,
                    },
                )
            ).json()["events"]
        relevant = [
            e
            for e in events
            if e["payload"].get("origin") == "backfill" and e["payload"].get("source") == "donghu"
        ]
        return artifacts, relevant

    # Events are written by the server shortly after they arrive: poll with a deadline.
    deadline = time.monotonic() + 30
    artifacts, events = asyncio.run(published())
    while len(events) < RELEVANT_IN_WINDOW and time.monotonic() < deadline:
        time.sleep(0.2)
        artifacts, events = asyncio.run(published())
    assert sorted(a["type"] for a in artifacts) == ["markdown", "table"]
    markdown = next(a["data"] for a in artifacts if a["type"] == "markdown")
    assert f"{RELEVANT_IN_WINDOW} new relevant items" in markdown and "产业学院" in markdown
    assert len({e["resource"]["prefect.resource.id"] for e in events}) == RELEVANT_IN_WINDOW
    event = events[0]
    assert event["resource"]["prefect.resource.id"].startswith("ieiwatch.article.")
    assert set(event["payload"]) >= {"source", "type", "parties", "title", "url"}
