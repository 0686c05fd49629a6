"""Issue 16's case end to end: a college site titling every page with its own name
publishes three cooperation items; the normal ingest path stores three articles in three
stories and sends three alerts, and ``items list`` shows each item's story."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from servers import LocalSite
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from ieiwatch.cli.main import app, register_commands
from ieiwatch.config import AppConfig, Settings
from ieiwatch.flows.ingest import Ingested, ingest
from ieiwatch.flows.runtime import RunContext, open_fetcher, open_store
from ieiwatch.notify.sending import deliver_due
from ieiwatch.scrapers.source import fetch_listing
from ieiwatch.storage.db import make_engine, session_scope
from ieiwatch.storage.deliveries import Outbox
from ieiwatch.storage.models import Article, Source, Story

register_commands()

COLLEGE = Path(__file__).parent / "data" / "college"
SITE_NAME = "东北林业大学信息与计算机工程学院"
HEADLINES = [
    "学院与华为技术有限公司签署校企合作协议",
    "学院与中兴通讯共建5G产业学院揭牌",
    "哈尔滨电气集团实习实训基地签约授牌",
]


@pytest.fixture
def college() -> LocalSite:
    with LocalSite(COLLEGE) as s:
        s.content_types = {".htm": "text/html"}
        yield s


def _config(college: LocalSite, receiver: LocalSite) -> AppConfig:
    return AppConfig.model_validate(
        {
            "sources": [
                {
                    "name": "nefu-cie",
                    "kind": "html",
                    "url": f"{college.url}/list.htm",
                    "item_selector": "ul.news li",
                }
            ],
            "subscribers": [{"name": "analyst", "notify": [receiver.url.replace("http", "json")]}],
        }
    )


def _nothing(session: Session, row: Source, done: Ingested) -> None:
    return None


async def _run_once(settings: Settings, config: AppConfig) -> Ingested:
    source = config.sources[0]
    engine = open_store(settings, config)
    try:
        async with open_fetcher(engine, settings) as fetcher:
            ctx = RunContext(settings, config, engine, fetcher)
            listing = await fetch_listing(fetcher, source, None, None)
            done, _ = await ingest(ctx, source, listing.items, _nothing, alerts=lambda _r, s: s)
        deliver_due(Outbox(engine), config)
    finally:
        engine.dispose()
    return done


def test_three_events_from_one_site_titled_source_are_three_stories_and_three_alerts(
    college: LocalSite, receiver: LocalSite, database_url: str
) -> None:
    config = _config(college, receiver)
    done = asyncio.run(_run_once(Settings(database_url=database_url), config))
    assert sorted(a.title for a in done.stored) == sorted(HEADLINES)
    assert done.alerts_planned == 3
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as s:
            stories = s.exec(select(Story)).all()
            assert len(stories) == 3
            assert SITE_NAME not in {story.title for story in stories}
            assert len({a.story_id for a in s.exec(select(Article))}) == 3
    finally:
        engine.dispose()
    messages = [
        json.loads(r.body)["title"] + json.loads(r.body)["message"] for r in receiver.received
    ]
    assert len(messages) == 3
    for headline in HEADLINES:
        assert sum(headline in m for m in messages) == 1


def test_items_list_shows_the_story_and_how_many_sources_carry_it(
    college: LocalSite,
    receiver: LocalSite,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = _config(college, receiver)
    asyncio.run(_run_once(Settings(database_url=sqlite_url), config))
    # A second site reposts the first item under its own URL.
    engine = make_engine(sqlite_url)
    try:
        _repost_first_item(engine)
    finally:
        engine.dispose()
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", sqlite_url)
    runner = CliRunner()
    listed = runner.invoke(app, ["items", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert len(rows) == 4 and len({r["story_id"] for r in rows}) == 3
    carried = sorted(r["sources_in_story"] for r in rows)
    assert carried == [1, 1, 2, 2]
    text = runner.invoke(app, ["items", "list"]).output
    assert text.count(", 2 sources)") == 2
    assert all(f"story {r['story_id']}" in text for r in rows)


def _repost_first_item(engine: Engine) -> None:
    from ieiwatch.classify import classify
    from ieiwatch.flows.ingest import to_store
    from ieiwatch.scrapers.models import ScrapedArticle
    from ieiwatch.storage.articles import insert_new
    from ieiwatch.storage.sources import sync_sources

    with session_scope(engine) as s:
        first = s.exec(select(Article).where(Article.title == HEADLINES[0])).one()
        other = AppConfig.model_validate(
            {"sources": [{"name": "nefu-news", "kind": "feed", "url": "http://127.0.0.1:1/f"}]}
        ).sources
        row = sync_sources(s, other)["nefu-news"]
        copy = ScrapedArticle(
            "https://news.nefu.edu.cn/info/1002/77.htm",
            "信息与计算机工程学院与华为签署校企合作协议",
            first.published_at,
            "（来源：信息与计算机工程学院）" + first.text,
        )
        insert_new(s, row.id or 0, [to_store(copy, classify(copy.title, copy.text))])
