"""Pages are read and classified in the worker processes, sent in chunks that may mix
sources: each page comes back as it would be read here, and one page that cannot be read
fails alone."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ieiwatch.flows.page_pool import page_reader, read_and_classify, stop_classifier_pool
from ieiwatch.scrapers.models import ListedItem
from ieiwatch.scrapers.page import PageRules, RawPage

COLLEGE = Path(__file__).parent / "data" / "college" / "info"


def _page(n: str) -> tuple[ListedItem, RawPage]:
    url = f"http://127.0.0.1/info/{n}.htm"
    content = (COLLEGE / f"{n}.htm").read_bytes()
    return ListedItem(url, ""), RawPage(url, content, "text/html; charset=utf-8")


def test_pages_read_in_workers_come_back_as_read_here_and_a_bad_one_fails_alone() -> None:
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
