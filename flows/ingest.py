"""The one ingest step, shared by monitoring, backfill and ``sources check``:

    known → fetch → classify → (store + plan alerts + the caller's bookkeeping, in one
    transaction)

``harvest`` is the fetch and classify part (``sources check`` stops there: it stores
nothing); ``ingest`` adds the rest. The caller's bookkeeping (a source's fetch state and
health, a backfill's checkpoint) is written in the same transaction as the articles and
their alerts, so none of them can be saved without the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import sys
import types
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TypeVar

from sqlmodel import Session

from ieiwatch.classify import Classification
from ieiwatch.classify.batch import Classified, classify_batch
from ieiwatch.config.schema import SourceConfig
from ieiwatch.config.settings import Settings
from ieiwatch.domain import ArticleToStore, DeliveryKind
from ieiwatch.domain.fingerprint import Fingerprint
from ieiwatch.flows.runtime import RunContext
from ieiwatch.notify.planning import plan_alerts
from ieiwatch.notify.subscriptions import load_subscriptions
from ieiwatch.scrapers.fetch import Fetcher
from ieiwatch.scrapers.models import ListedItem, ScrapedArticle
from ieiwatch.scrapers.source import fetch_articles
from ieiwatch.storage import articles as article_store
from ieiwatch.storage import sources as source_store
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.models import Article, Source

T = TypeVar("T")


@dataclass
class Harvest:
    """What fetching and classifying a listing's items gave."""

    articles: list[ArticleToStore] = field(default_factory=list)
    fetched: list[ScrapedArticle] = field(default_factory=list)
    """Every article page read (also those ``keep`` left out)."""
    errors: list[str] = field(default_factory=list)
    """One line per article page that could not be read; those items are retried next run."""
    skipped: list[str] = field(default_factory=list)
    """One line per link not fetched (unsafe, or robots.txt says no)."""


@dataclass
class Ingested:
    unseen: int
    """Listed items not stored yet."""
    attempted: int
    """Of those, how many were fetched this time (at most the per-run limit)."""
    harvest: Harvest
    stored: list[Article]
    """The articles this step stored (not those stored before, by anyone)."""
    alerts_planned: int = 0
    news: list[Article] = field(default_factory=list)
    """The stored articles the alert selector chose: news, where a new source's archive,
    stored on its first poll, is not."""

    @property
    def complete(self) -> bool:
        """Every unseen item was handled: none left for later, no page unreadable."""
        return self.attempted == self.unseen and not self.harvest.errors


AlertSelector = Callable[[Source, list[Article]], list[Article]]
"""Which of the newly stored articles alert, given the source's row (before the run's
bookkeeping)."""
Bookkeeping = Callable[[Session, Source, Ingested], T]
"""The caller's writes that go with the articles (fetch state, health, a checkpoint), run
last in the same transaction."""


def to_store(
    article: ScrapedArticle, cls: Classification, fingerprint: Fingerprint | None = None
) -> ArticleToStore:
    return ArticleToStore(
        url=article.url,
        title=article.title,
        published_at=article.published_at,
        text=article.text,
        lang=cls.lang,
        relevant=cls.relevant,
        score=cls.score,
        type=cls.type,
        parties=tuple(cls.parties),
        region=cls.region,
        sectors=tuple(cls.sectors),
        evidence=tuple(cls.evidence),
        classifier_version=cls.version,
        fingerprint=fingerprint,
    )


async def harvest(
    fetcher: Fetcher,
    settings: Settings,
    source: SourceConfig,
    items: Sequence[ListedItem],
    keep: Callable[[ScrapedArticle], bool] | None = None,
) -> Harvest:
    """Fetch and extract the items' pages, then classify the ones ``keep`` accepts."""
    batch = await fetch_articles(
        fetcher,
        source,
        list(items),
        settings.http_concurrency,
        same_host_only=settings.article_hosts == "source",
    )
    kept = [a for a in batch.articles if keep is None or keep(a)]
    found = await classify_all([(a.title, a.text) for a in kept], source.publisher)
    return Harvest(
        [to_store(a, *done) for a, done in zip(kept, found, strict=True)],
        batch.articles,
        batch.errors,
        batch.skipped,
    )


INLINE_UP_TO = 2
"""Items classified on the event loop itself: fewer than a process round trip is worth."""
CHUNK = 8
"""Items a worker classifies per round trip: a source's page is a few trips, not one an
item, and still spread over every worker."""
_pool: ProcessPoolExecutor | None = None


async def classify_all(
    pairs: Sequence[tuple[str, str]], publisher: str | None = None
) -> list[Classified]:
    """Classify a source's articles (and fingerprint their texts) in worker processes, so
    that CPU-bound rules neither block fetching nor leave the other cores idle; a few items
    are classified here."""
    global _pool
    if len(pairs) <= INLINE_UP_TO:
        return classify_batch(pairs, publisher)
    if _pool is None:
        _pool = _start_pool()
    loop = asyncio.get_running_loop()
    pool = _pool
    size = min(CHUNK, -(-len(pairs) // _workers()))
    chunks = [pairs[n : n + size] for n in range(0, len(pairs), size)]
    try:
        # ``classify_batch`` lives in the classifier: unpickling it imports the classifier
        # only, where a function of this module would import the whole of ieiwatch there.
        done = await asyncio.gather(
            *(loop.run_in_executor(pool, classify_batch, chunk, publisher) for chunk in chunks)
        )
    except BrokenProcessPool:
        # A worker died (out of memory, killed): classify here; a fresh pool next time.
        _pool = None
        return await asyncio.to_thread(classify_batch, pairs, publisher)
    return [item for chunk in done for item in chunk]


async def ingest(
    ctx: RunContext,
    source: SourceConfig,
    items: Sequence[ListedItem],
    bookkeeping: Bookkeeping[T],
    *,
    alerts: AlertSelector | None = None,
    alert_kind: DeliveryKind | None = None,
    limit: int | None = None,
    keep: Callable[[ScrapedArticle], bool] | None = None,
) -> tuple[Ingested, T]:
    """Store the items not stored yet (at most ``limit`` of them), plan the alerts that
    ``alerts`` selects, and run ``bookkeeping``, all in one transaction; returns what was
    done and what ``bookkeeping`` returned."""
    with session_scope(ctx.engine) as session:
        known = article_store.known_urls(session, (i.url for i in items))
    unseen = [i for i in items if i.url not in known]
    todo = unseen if limit is None else unseen[:limit]
    found = await harvest(ctx.fetcher, ctx.settings, source, todo, keep)
    # In a thread: while the database works (stories, alerts), the other sources' pages
    # keep coming in.
    return await asyncio.to_thread(
        _store,
        ctx,
        source,
        Ingested(len(unseen), len(todo), found, []),
        bookkeeping,
        alerts,
        alert_kind,
    )


def _store(
    ctx: RunContext,
    source: SourceConfig,
    done: Ingested,
    bookkeeping: Bookkeeping[T],
    alerts: AlertSelector | None,
    alert_kind: DeliveryKind | None,
) -> tuple[Ingested, T]:
    """Store the harvest, plan its alerts and run the bookkeeping, in one transaction."""
    with session_scope(ctx.engine) as session:
        row = source_store.get_source(session, source.name)
        if row is None or row.id is None:
            raise LookupError(f"source {source.name!r} is not in the database (sync the config)")
        done.stored = article_store.insert_new(session, row.id, done.harvest.articles)
        if alerts is not None:
            done.news = alerts(row, done.stored)
            done.alerts_planned = plan_alerts(
                session,
                done.news,
                source.name,
                load_subscriptions(session, ctx.config),
                kind=alert_kind,
            )
        return done, bookkeeping(session, row, done)


def stop_classifier_pool() -> None:
    """End the classifier's worker processes (a later pass starts new ones)."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_pool() -> ProcessPoolExecutor:
    """A worker per core, forked from a server that imported only the classifier: they do
    not inherit this process's threads (Prefect's, httpx's) nor its memory."""
    context = multiprocessing.get_context("forkserver")
    # The server loads the classifier's tables once; the workers share its pages.
    context.set_forkserver_preload(["ieiwatch.classify.warm"])
    workers = _workers()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    # Each submit starts a worker while there are fewer than ``workers``: start them all
    # now, with a bare __main__, or each would import the program's main module again (the
    # CLI script, prefect.engine) for nothing.
    with _bare_main():
        for _ in range(workers):
            pool.submit(int)
    return pool


def _workers() -> int:
    return os.cpu_count() or 1


@contextlib.contextmanager
def _bare_main() -> Iterator[None]:
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main
