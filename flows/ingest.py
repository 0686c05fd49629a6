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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlmodel import Session

from ieiwatch.classify import Classification
from ieiwatch.config.schema import SourceConfig
from ieiwatch.config.settings import Settings
from ieiwatch.domain import ArticleToStore, DeliveryKind
from ieiwatch.domain.fingerprint import Fingerprint
from ieiwatch.flows.page_pool import INLINE_UP_TO, classify_all, page_reader
from ieiwatch.flows.runtime import RunContext
from ieiwatch.notify.planning import plan_alerts
from ieiwatch.notify.subscriptions import load_subscriptions
from ieiwatch.scrapers.fetch import Fetcher
from ieiwatch.scrapers.models import ListedItem, ScrapedArticle
from ieiwatch.scrapers.source import fetch_and_read, page_rules
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
    """Fetch the items' pages, read and classify each as it arrives (in the worker
    processes), and keep the articles ``keep`` accepts."""
    reader = page_reader(page_rules(source), source.publisher, inline=len(items) <= INLINE_UP_TO)
    batch = await fetch_and_read(
        fetcher,
        source,
        list(items),
        settings.http_concurrency,
        reader,
        same_host_only=settings.article_hosts == "source",
    )
    kept = [
        (article, done)
        for article, done in zip(batch.articles, batch.extras, strict=True)
        if keep is None or keep(article)
    ]
    # Items stored from the listing alone (their page refused or gone) had no page to read.
    unread = [(a.title, a.text) for a, done in kept if done is None]
    found = iter(await classify_all(unread, source.publisher))
    return Harvest(
        [to_store(a, *(done if done is not None else next(found))) for a, done in kept],
        batch.articles,
        batch.errors,
        batch.skipped,
    )


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
