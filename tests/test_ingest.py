"""The one ingest step: known → fetch → classify → store and plan (in parts while the
pages come in), the rest with the caller's bookkeeping in one transaction (monitor,
backfill and ``sources check`` all use it)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from servers import LocalSite, Route
from sqlalchemy import event
from sqlmodel import Session, select

from ieiwatch.config import AppConfig, Settings
from ieiwatch.domain import ArticleToStore
from ieiwatch.flows.ingest import PART, Harvest, Ingested, harvest, ingest
from ieiwatch.flows.runtime import RunContext, open_fetcher, open_store
from ieiwatch.scrapers.fetch import Fetcher, make_client
from ieiwatch.scrapers.source import fetch_listing
from ieiwatch.storage.models import Article, Delivery, Source


def _config(site: LocalSite, receiver: LocalSite) -> AppConfig:
    return AppConfig.model_validate(
        {
            "sources": [{"name": "lakeside-feed", "kind": "feed", "url": f"{site.url}/feed.xml"}],
            "subscribers": [{"name": "analyst", "notify": [receiver.url.replace("http", "json")]}],
        }
    )


class BookkeepingFailed(RuntimeError):
    pass


@dataclass
class Twice:
    failure: str
    """What the failing bookkeeping said: how many articles it was given."""
    left: tuple[int, int]
    """(articles, deliveries) stored by the attempt whose bookkeeping failed."""
    first: Ingested
    """The next attempt, which records."""
    seen: tuple[int, int]
    """(articles, deliveries) in the database when its bookkeeping ran."""
    again: Ingested
    """One more, after it."""


async def _ingest_twice(settings: Settings, config: AppConfig) -> Twice:
    """Once with bookkeeping that fails, then twice with bookkeeping that records."""
    source = config.sources[0]
    engine = open_store(settings, config)
    try:
        async with open_fetcher(engine, settings) as fetcher:
            ctx = RunContext(settings, config, engine, fetcher)
            listing = await fetch_listing(fetcher, source, None, None)

            def fail(session: Session, row: Source, done: Ingested) -> None:
                raise BookkeepingFailed(f"{len(done.stored)} stored, then this")

            with pytest.raises(BookkeepingFailed) as failed:
                await ingest(ctx, source, listing.items, fail, alerts=lambda _r, s: s)
            with Session(engine) as session:
                left = _count_rows(session, Source(), Ingested(0, 0, Harvest(), []))
            first, seen = await ingest(
                ctx, source, listing.items, _count_rows, alerts=lambda _r, s: s
            )
            again, _ = await ingest(ctx, source, listing.items, _count_rows)
    finally:
        engine.dispose()
    return Twice(str(failed.value), left, first, seen, again)


def _count_rows(session: Session, row: Source, done: Ingested) -> tuple[int, int]:
    articles = len(session.exec(select(Article)).all())
    deliveries = len(session.exec(select(Delivery)).all())
    return articles, deliveries


def test_failed_bookkeeping_stores_no_article_and_plans_no_alert(
    site: LocalSite, receiver: LocalSite, database_url: str
) -> None:
    settings = Settings(database_url=database_url)
    twice = asyncio.run(_ingest_twice(settings, _config(site, receiver)))
    # The failed attempt left nothing: the next one finds both items unseen and stores them.
    assert (twice.failure, twice.left) == ("2 stored, then this", (0, 0))
    first, again = twice.first, twice.again
    assert (first.unseen, len(first.stored), first.alerts_planned) == (2, 2, 1)
    # The bookkeeping runs inside the transaction, after the articles and the one alert (of
    # the one cooperation item) were written.
    assert twice.seen == (2, 1)
    assert (again.unseen, again.stored, again.complete) == (0, [], True)


def test_harvest_fetches_and_classifies_without_a_database(site: LocalSite) -> None:
    async def go() -> list[tuple[str, bool]]:
        settings = Settings()
        config = _config(site, site)
        async with make_client(settings) as client:
            fetcher = Fetcher(client, settings)
            listing = await fetch_listing(fetcher, config.sources[0], None, None)
            found = await harvest(fetcher, settings, config.sources[0], listing.items)
        return [(a.url.rsplit("/", 1)[-1], a.relevant) for a in found.articles]

    assert sorted(asyncio.run(go())) == [("102.htm", False), ("201.htm", True)]


def test_a_harvest_that_hands_each_article_on_holds_none_of_them(site: LocalSite) -> None:
    """A pass stores each article as it is read: what the harvest keeps of it is its date,
    so sources in flight do not hold every text until their last page."""
    handed: list[ArticleToStore] = []

    async def go() -> tuple[Harvest, list[str]]:
        settings = Settings()
        config = _config(site, site)
        async with make_client(settings) as client:
            fetcher = Fetcher(client, settings)
            listing = await fetch_listing(fetcher, config.sources[0], None, None)
            found = await harvest(
                fetcher, settings, config.sources[0], listing.items, ready=handed.append
            )
        return found, [i.url for i in listing.items]

    found, listed = asyncio.run(go())
    assert sorted(a.url.rsplit("/", 1)[-1] for a in handed) == ["102.htm", "201.htm"]
    assert (found.articles, found.kept) == ([], 2)
    assert sorted(found.dates) == sorted(listed)


def test_a_sources_publisher_names_its_own_school_in_what_it_publishes() -> None:
    """我校 on a college's own site is that college: the source's ``publisher`` says which."""
    from ieiwatch.flows.page_pool import classify_all

    pairs = [
        (
            "我校与澜海储能集团签署校企合作协议",
            "5月1日，我校与澜海储能集团有限公司签署校企合作协议，共建储能实训基地。",
        ),
    ] * 3  # more than are classified inline: through the process pool
    found = asyncio.run(classify_all(pairs, "滨江职业技术学院"))
    for done in found:
        assert "滨江职业技术学院" in [p.name for p in done.classification.parties]
        assert done.publisher == "滨江职业技术学院"  # stored with it, for reclassifying
    config = AppConfig.model_validate(
        {
            "sources": [
                {
                    "name": "s",
                    "kind": "feed",
                    "url": "http://x.cn/f",
                    "publisher": "滨江职业技术学院",
                }
            ]
        }
    )
    assert config.sources[0].publisher == "滨江职业技术学院"


def test_classifier_workers_start_with_the_tables_loaded_and_frozen() -> None:
    # Loaded once in the fork server and frozen there, the rules and the model are shared
    # by the workers instead of loaded by each (about 17 MB less at 1,000 sources).
    import gc

    from ieiwatch.flows import page_pool

    pool = page_pool._start_pool()
    try:
        assert pool.submit(gc.get_freeze_count).result(timeout=60) > 1000
    finally:
        pool.shutdown()


FIRMS = [f"恒远{n}号智能装备有限公司" for n in range(23)]


def _many_items_site(site: LocalSite) -> None:
    """A feed of 23 cooperation items (more than two parts), each with its own page."""
    entries = "".join(
        f"<item><title>滨江大学与{firm}签署校企合作协议</title>"
        f"<link>{site.url}/many/{n}.htm</link></item>"
        for n, firm in enumerate(FIRMS)
    )
    site.routes["/many/feed.xml"] = Route(
        body=f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>滨江大学新闻网</title>{entries}</channel></rss>".encode(),
        headers={"Content-Type": "application/rss+xml"},
    )
    for n, firm in enumerate(FIRMS):
        site.routes[f"/many/{n}.htm"] = Route(
            body=f"<html><head><title>滨江大学与{firm}签署校企合作协议</title></head><body>"
            f"<h1>滨江大学与{firm}签署校企合作协议</h1><div class='content'><p>{n + 1}月3日，"
            f"滨江大学与{firm}签署校企合作协议，双方将共建第{n}号智能制造实训基地，"
            f"联合培养{n + 20}名技术技能人才。</p></div></body></html>".encode(),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )


def test_a_large_harvest_is_stored_in_parts_and_a_failure_keeps_the_parts_stored(
    site: LocalSite, receiver: LocalSite, database_url: str
) -> None:
    """Parts are stored, each with its alerts, while the source's other pages come in: when
    the last part's transaction fails, the parts before it stay stored and alerted once, and
    the next run stores only the rest."""
    _many_items_site(site)
    settings = Settings(database_url=database_url, http_host_delay=0)
    config = AppConfig.model_validate(
        {
            "sources": [{"name": "many", "kind": "feed", "url": f"{site.url}/many/feed.xml"}],
            "subscribers": [{"name": "analyst", "notify": [receiver.url.replace("http", "json")]}],
        }
    )

    twice = asyncio.run(_ingest_twice(settings, config))
    kept, second, deliveries = twice.left[0], twice.first, twice.seen[1]
    # At least the first part was stored; how many more depends on when the pages came in.
    assert PART <= kept <= len(FIRMS)
    assert second.unseen == len(FIRMS) - kept
    assert len(second.stored) == second.alerts_planned == len(FIRMS) - kept
    assert deliveries == len(FIRMS)  # each item alerted once, over the two runs


def test_a_harvest_in_parts_reads_its_source_row_once_not_once_a_part(
    site: LocalSite, receiver: LocalSite, database_url: str
) -> None:
    """The parts are told the source's row read before the harvest: a query a part cost a
    first pass over the bench farm's 200 sources half a second of the interpreter."""
    _many_items_site(site)
    settings = Settings(database_url=database_url, http_host_delay=0)
    config = AppConfig.model_validate(
        {
            "sources": [{"name": "many", "kind": "feed", "url": f"{site.url}/many/feed.xml"}],
            "subscribers": [{"name": "analyst", "notify": [receiver.url.replace("http", "json")]}],
        }
    )
    reads: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM sources" in statement:
            reads.append(statement)

    async def run() -> Ingested:
        source = config.sources[0]
        engine = open_store(settings, config)
        event.listen(engine, "before_cursor_execute", note)
        try:
            async with open_fetcher(engine, settings) as fetcher:
                ctx = RunContext(settings, config, engine, fetcher)
                listing = await fetch_listing(fetcher, source, None, None)
                done, _ = await ingest(ctx, source, listing.items, _count_rows)
        finally:
            engine.dispose()
        return done

    done = asyncio.run(run())
    assert len(done.stored) == len(FIRMS) > 2 * PART
    # Once before the harvest, once by the last transaction that records the poll.
    assert len(reads) == 2
