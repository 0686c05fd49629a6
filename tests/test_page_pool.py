"""Pages are read and classified in the worker processes, sent in chunks that may mix
sources: each page comes back as it would be read here, and one page that cannot be read
fails alone."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ieiwatch.flows import page_pool
from ieiwatch.flows.page_pool import page_reader, read_and_classify, stop_classifier_pool
from ieiwatch.scrapers.models import ListedItem
from ieiwatch.scrapers.page import PageRules, RawPage

COLLEGE = Path(__file__).parent / "data" / "college" / "info"


def _page(n: str) -> tuple[ListedItem, RawPage]:
    url = f"http://127.0.0.1/info/{n}.htm"
    content = (COLLEGE / f"{n}.htm").read_bytes()
    return ListedItem(url, ""), RawPage(url, content, "text/html; charset=utf-8")


@pytest.mark.parametrize("workers", [1, 2], ids=["one spawned worker", "two from a fork server"])
def test_pages_read_in_workers_come_back_as_read_here_and_a_bad_one_fails_alone(
    workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page_pool, "_workers", lambda: workers)
    good = PageRules()
    bad = PageRules(content_selector="div[[[")  # not a CSS selector: reading raises
    pages = [_page(n) for n in ("1001", "1002", "1003")] * 4

    async def read_all() -> list[object]:
        ok, broken = page_reader(good, "东北林业大学"), page_reader(bad, None)
        jobs = [ok(item, page, frozenset()) for item, page in pages]
        jobs.insert(5, broken(*pages[0], frozenset()))
        return await asyncio.gather(*jobs, return_exceptions=True)

    try:
        found = asyncio.run(read_all())
    finally:
        stop_classifier_pool()
    assert isinstance(found.pop(5), ValueError)
    here = [
        read_and_classify(good, item, page, frozenset(), "东北林业大学") for item, page in pages
    ]
    assert found == here


def test_a_page_that_cannot_be_read_here_raises_its_error() -> None:
    item, page = _page("1001")
    with pytest.raises(ValueError):
        read_and_classify(PageRules(content_selector="div[[["), item, page, frozenset(), None)


def test_a_finished_loop_leaves_no_sender_behind() -> None:
    """A served process runs a pass per event loop: what sends its pages goes with it."""
    import gc

    from ieiwatch.flows import page_pool

    item, page = _page("1001")

    async def read_some() -> None:
        reader = page_reader(PageRules(), None)
        await asyncio.gather(*(reader(item, page, frozenset()) for _ in range(3)))

    try:
        for _ in range(2):
            asyncio.run(read_some())
    finally:
        stop_classifier_pool()
    gc.collect()
    assert len(page_pool._senders) == 0


SITE = Path(__file__).parent / "data" / "site"


def _listing(name: str) -> RawPage:
    return RawPage("http://127.0.0.1/feed.xml", (SITE / name).read_bytes(), "application/xml")


def test_a_listing_read_in_a_worker_comes_back_as_read_here() -> None:
    from ieiwatch.flows.page_pool import read_listing_in_worker
    from ieiwatch.scrapers.listing_reader import ListRules, read_listing

    page = _listing("feed.xml")
    try:
        there = asyncio.run(read_listing_in_worker(ListRules(feed=True), page, None))
    finally:
        stop_classifier_pool()
    assert there == read_listing(ListRules(feed=True), page, None)
    assert len(there.items) > 1


def test_a_listing_error_raised_in_a_worker_reaches_the_caller_as_itself() -> None:
    """An ieiwatch error is rebuilt from its fields in the caller: one whose arguments
    cannot be unpickled would break the pool, and every page in it would be redone."""
    from ieiwatch.flows import page_pool
    from ieiwatch.scrapers.errors import NotAFeed
    from ieiwatch.scrapers.listing_reader import ListRules

    async def read() -> tuple[object, object]:
        with pytest.raises(NotAFeed) as raised:
            await page_pool.read_listing_in_worker(
                ListRules(feed=True), _listing("not-a-feed.xml"), None
            )
        pool = page_pool._pool
        await page_pool.read_listing_in_worker(ListRules(feed=True), _listing("feed.xml"), None)
        assert raised.value.url == "http://127.0.0.1/feed.xml"
        return pool, page_pool._pool

    try:
        before, after = asyncio.run(read())
    finally:
        stop_classifier_pool()
    assert before is not None and before is after  # the pool did not break
