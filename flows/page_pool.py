"""The worker processes that read listings, and read and classify article pages, for a
pass.

Reading a page (decoding, parsing its HTML, extracting the article) and classifying it are
CPU-bound: done on the event loop they would hold up fetching and leave the other cores
idle. Each page goes to a worker as soon as it arrives, so that when a source's last page
is in, its others are already read and classified, and the process that fetches and
stores only fetches and stores.

The workers are started afresh, or (with more than one) forked from a server, and import
only what they run (this module's imports are kept to the scrapers' listing and page
readers and the classifier for that reason: a worker unpickling ``read_and_classify``
imports this module, not the rest of ieiwatch).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import multiprocessing
import os
import sys
import types
import weakref
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, cast

from ieiwatch.classify.batch import Classified, classify_batch
from ieiwatch.classify.site_publisher import publisher_for
from ieiwatch.scrapers.discover import ListStructure
from ieiwatch.scrapers.listing_reader import ListRules, ReadListing, read_listing
from ieiwatch.scrapers.models import ListedItem
from ieiwatch.scrapers.page import PageRules, RawPage, ReadPage, read_page

if TYPE_CHECKING:
    # Only for its type: the module fetches, and a worker has no use for that.
    from ieiwatch.scrapers.source import PageReader

INLINE_UP_TO = 2
"""A source with this many items or fewer has them read and classified on the event loop
itself: fewer than a process round trip is worth."""
CHUNK = 8
"""Pages (or items) a worker takes per round trip: a round trip an item would cost the
fetching process more than the item costs a worker."""
_pool: ProcessPoolExecutor | None = None


def read_and_classify(
    rules: PageRules,
    item: ListedItem,
    page: RawPage,
    site_names: frozenset[str],
    publisher: str | None,
) -> tuple[ReadPage, Classified]:
    """Read a page and classify (and fingerprint) its article: what a worker does. Without
    a ``publisher`` of the source's, the page's site names may give one."""
    read = read_page(rules, item, page, site_names)
    publisher = publisher_for(publisher, read.article.site_names)
    return read, classify_batch([(read.article.title, read.article.text)], publisher)[0]


PageJob = tuple[PageRules, ListedItem, RawPage, frozenset[str], str | None]
"""The arguments of one ``read_and_classify``."""


def read_and_classify_all(jobs: Sequence[PageJob]) -> list[tuple[ReadPage, Classified] | Exception]:
    """``read_and_classify`` of each job; a page that cannot be read gives its error, and
    the others (another source's, maybe) are read all the same."""
    done: list[tuple[ReadPage, Classified] | Exception] = []
    for job in jobs:
        try:
            done.append(read_and_classify(*job))
        except Exception as exc:  # raised where the page was asked for
            done.append(exc)
    return done


def page_reader(
    rules: PageRules, publisher: str | None, *, inline: bool = False
) -> PageReader[Classified]:
    """A ``scrapers.source.PageReader`` that reads and classifies each page in a worker
    process (here, with ``inline``: for a few items)."""

    async def read(
        item: ListedItem, page: RawPage, site_names: frozenset[str]
    ) -> tuple[ReadPage, Classified]:
        job: PageJob = (rules, item, page, site_names, publisher)
        if inline:
            return read_and_classify(*job)
        return await _sender().send(job)

    return read


class _Sender:
    """Sends the pages of every source of a pass to the workers in chunks: a chunk goes as
    soon as a worker is free, with the pages that came in while none was (up to
    ``CHUNK``). Page by page, each round trip would cost the fetching process more than
    the page costs a worker."""

    def __init__(self) -> None:
        # No reference to its loop: the table of senders holds the loops weakly.
        self.waiting: list[tuple[PageJob, asyncio.Future[tuple[ReadPage, Classified]]]] = []
        self.out: set[asyncio.Future[list[tuple[ReadPage, Classified] | Exception]]] = set()

    async def send(self, job: PageJob) -> tuple[ReadPage, Classified]:
        future: asyncio.Future[tuple[ReadPage, Classified]] = (
            asyncio.get_running_loop().create_future()
        )
        self.waiting.append((job, future))
        self._next()
        return await future

    def _next(self) -> None:
        while self.waiting and len(self.out) < _workers():
            chunk, self.waiting = self.waiting[:CHUNK], self.waiting[CHUNK:]
            sent = asyncio.get_running_loop().create_task(
                _in_worker(read_and_classify_all, [j for j, _ in chunk])
            )
            # Held here: the loop keeps only a weak reference to a task.
            self.out.add(sent)
            sent.add_done_callback(functools.partial(self._back, chunk=chunk))

    def _back(
        self,
        sent: asyncio.Future[list[tuple[ReadPage, Classified] | Exception]],
        *,
        chunk: list[tuple[PageJob, asyncio.Future[tuple[ReadPage, Classified]]]],
    ) -> None:
        self.out.discard(sent)
        results: Sequence[object]
        if sent.cancelled():
            results = [asyncio.CancelledError()] * len(chunk)
        elif (error := sent.exception()) is not None:
            results = [error] * len(chunk)
        else:
            results = sent.result()
        for (_, future), result in zip(chunk, results, strict=True):
            if future.done():  # its source was cancelled meanwhile
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(cast(tuple[ReadPage, Classified], result))
        self._next()


_senders: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Sender] = (
    weakref.WeakKeyDictionary()
)


def _sender() -> _Sender:
    """The running loop's sender (a pass runs in one loop; a test may run several)."""
    loop = asyncio.get_running_loop()
    sender = _senders.get(loop)
    if sender is None:
        sender = _senders[loop] = _Sender()
    return sender


async def read_listing_in_worker(
    rules: ListRules, page: RawPage, structure: ListStructure | None
) -> ReadListing:
    """A ``scrapers.source.ListingReader`` that reads the listing in a worker process: a
    feed of twenty items costs feedparser more CPU than fetching it costs."""
    result: ReadListing = await _in_worker(read_listing, rules, page, structure)
    return result


async def classify_all(
    pairs: Sequence[tuple[str, str]], publisher: str | None = None
) -> list[Classified]:
    """Classify (and fingerprint) ``(title, text)`` pairs in the worker processes, a few
    here."""
    if len(pairs) <= INLINE_UP_TO:
        return classify_batch(pairs, publisher)
    size = min(CHUNK, -(-len(pairs) // _workers()))
    chunks = [pairs[n : n + size] for n in range(0, len(pairs), size)]
    done = await asyncio.gather(*(_in_worker(classify_batch, c, publisher) for c in chunks))
    return [item for chunk in done for item in chunk]


async def _in_worker(function: Any, *args: Any) -> Any:
    """``function(*args)`` in a worker process; here, in a thread, if the pool broke."""
    global _pool
    if _pool is None:
        _pool = _start_pool()
    try:
        return await asyncio.get_running_loop().run_in_executor(_pool, function, *args)
    except BrokenProcessPool:
        # A worker died (out of memory, killed): do it here; a fresh pool next time.
        _pool = None
        return await asyncio.to_thread(function, *args)


def stop_classifier_pool() -> None:
    """End the worker processes (a later pass starts new ones)."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_pool() -> ProcessPoolExecutor:
    """The workers, started afresh (not forked from this process): they do not inherit its
    threads (Prefect's, httpx's) nor its memory."""
    workers = _workers()
    if workers == 1:
        # A fork server for one worker would be a second copy of it, with nothing to share:
        # on the bench farm's first pass over 1,000 sources the server took 30 MB of the
        # tree's 303.
        spawn = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(1, mp_context=spawn, initializer=_preload)
    else:
        context = multiprocessing.get_context("forkserver")
        # The server loads the page reader, then the classifier's tables (``warm`` freezes
        # what is loaded by then) once; the workers share its pages.
        context.set_forkserver_preload(["ieiwatch.flows.page_pool", *WORKER_PRELOAD])
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    # Each submit starts a worker while there are fewer than ``workers``: start them all
    # now, with a bare __main__, or each would import the program's main module again (the
    # CLI script, prefect.engine) for nothing.
    with _bare_main():
        for _ in range(workers):
            pool.submit(int)
    return pool


WORKER_PRELOAD = ("feedparser", "bs4", "ieiwatch.classify.warm")
"""What a worker loads before its first page: the feed and HTML parsers, which the readers
import on first use (the process that fetches and stores reads its listings here, and so
seldom needs them), then the classifier's tables (``warm`` freezes what is loaded by then,
so it comes last)."""


def _preload() -> None:
    """A spawned worker's first step: ``WORKER_PRELOAD``, as a fork server's preload."""
    for name in WORKER_PRELOAD:
        importlib.import_module(name)


MAX_WORKERS = 2
"""Workers at most, whatever the cores: the process that fetches and stores is the one that
is busy (on the bench farm's first pass over 1,000 sources it used 89 % of a core while one
worker kept up); each worker costs about 23 MB."""


@functools.cache
def _workers() -> int:
    """A core for the process that fetches and stores, the others (up to ``MAX_WORKERS``)
    for the workers: with two cores, one worker took 14 MB less than two for the same pass
    at 200 sources and 5 % more time at 1,000."""
    # Cached: the sender asks for every chunk it sends.
    return max(1, min(MAX_WORKERS, (os.cpu_count() or 1) - 1))


@contextlib.contextmanager
def _bare_main() -> Iterator[None]:
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main
