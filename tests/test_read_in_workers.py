"""Pages and feeds read in the pool's worker processes give what reading them here gives,
so a pass can hand that CPU-bound work to the other cores while it goes on fetching."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest
from servers import LocalSite

from ieiwatch.config import Settings
from ieiwatch.config.schema import SourceConfig
from ieiwatch.flows.ingest import in_workers, stop_classifier_pool
from ieiwatch.scrapers.errors import NotAFeed
from ieiwatch.scrapers.fetch import Fetcher, make_client
from ieiwatch.scrapers.source import fetch_articles, fetch_listing, run_here

DATA = Path(__file__).parent / "data"
R = TypeVar("R")


@pytest.fixture
def workers() -> Iterator[list[str]]:
    """``in_workers``, recording the name of each function it ran."""
    ran: list[str] = []
    yield ran
    stop_classifier_pool()


def _recording(ran: list[str]) -> Callable[..., Any]:
    async def offload(fn: Callable[..., R], /, *args: Any) -> R:
        ran.append(fn.__name__)
        return await in_workers(fn, *args)

    return offload


def test_pages_read_in_workers_give_the_headlines_read_here(workers: list[str]) -> None:
    """college-logo: each page's <title> is the site's name, which only the pages together
    tell; read in the workers, then read again here, they still give their headlines."""

    async def scrape(offload: Callable[..., Any]) -> list[str]:
        settings = Settings()
        with LocalSite(DATA / "college-logo") as site:
            site.content_types = {".htm": "text/html"}
            source = SourceConfig(
                name="nefu-cie", kind="html", url=f"{site.url}/list.htm", item_selector="ul.news li"
            )
            async with make_client(settings) as client:
                fetcher = Fetcher(client, settings)
                listing = await fetch_listing(fetcher, source, None, None)
                batch = await fetch_articles(fetcher, source, listing.items, 4, offload=offload)
        return [f"{a.title}|{a.published_at}|{a.text[:40]}" for a in batch.articles]

    here = asyncio.run(scrape(run_here))
    there = asyncio.run(scrape(_recording(workers)))
    assert there == here and len(here) > 2
    assert workers == ["read_page"] * len(here)
    assert asyncio.run(in_workers(os.getpid)) != os.getpid()


def test_a_feed_parsed_in_a_worker_gives_its_items(workers: list[str]) -> None:
    async def items(offload: Callable[..., Any]) -> list[tuple[str, str]]:
        settings = Settings()
        with LocalSite(DATA / "site") as site:
            source = SourceConfig(name="feed", kind="feed", url=f"{site.url}/feed.xml")
            async with make_client(settings) as client:
                listing = await fetch_listing(
                    Fetcher(client, settings), source, None, None, offload=offload
                )
        return [(urlsplit(i.url).path, i.title) for i in listing.items]

    here = asyncio.run(items(run_here))
    assert asyncio.run(items(_recording(workers))) == here and here
    assert workers == ["parse_feed"]


def test_a_broken_feed_parsed_in_a_worker_names_the_feed(workers: list[str]) -> None:
    async def read() -> None:
        settings = Settings()
        with LocalSite(DATA / "site") as site:
            source = SourceConfig(name="bad", kind="feed", url=f"{site.url}/not-a-feed.xml")
            async with make_client(settings) as client:
                await fetch_listing(
                    Fetcher(client, settings), source, None, None, offload=_recording(workers)
                )

    with pytest.raises(NotAFeed) as raised:
        asyncio.run(read())
    assert raised.value.url.endswith("/not-a-feed.xml")
    assert "not a readable RSS/Atom feed" in raised.value.reason
