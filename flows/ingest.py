"""The one ingest step, shared by monitoring, backfill and ``sources check``:

    known → fetch → read and classify each page as it arrives → (store + plan alerts, in
    parts while the pages come in) → (store + plan alerts + the caller's bookkeeping, in
    one transaction)

``harvest`` is the fetch, read and classify part (``sources check`` stops there: it stores
nothing); ``ingest`` adds the rest. An article is stored with its alerts, in one
transaction. The caller's bookkeeping (a source's fetch state and health, a backfill's
checkpoint) is written with the last of them, so it is never saved without every article
it accounts for: a run stopped before then leaves the listing's validators (or the
checkpoint) unsaved, and the next run finds the articles stored so far known and stores
the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlmodel import Session

from ieiwatch.classify import Classification
from ieiwatch.classify.batch import Classified
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
    """The kept articles, when no ``ready`` took them as they came (``sources check``)."""
    kept: int = 0
    """How many articles ``keep`` accepted (all of them without ``keep``)."""
    dates: dict[str, datetime | None] = field(default_factory=dict)
    """The published date of every article read (also those ``keep`` left out), by the
    listed item's URL."""
    errors: list[str] = field(default_factory=list)
    """One line per article page that could not be read; those items are retried next run."""
    skipped: list[str] = field(default_factory=list)
    """One line per link not fetched (unsafe, or robots.txt says no)."""


@dataclass(frozen=True)
class StoredArticle:
    """What a run reports of an article it stored. The article itself is let go once
    stored: a pass of many sources in flight would otherwise hold every text it stored
    until each source's last page."""

    id: int
    url: str
    title: str
    type: str | None
    parties: tuple[str, ...]
    relevant: bool
    published_at: datetime | None
    fetched_at: datetime
    news: bool
    """Chosen by the alert selector: news, where a new source's archive, stored on its
    first poll, is not."""

    @classmethod
    def of(cls, article: Article, *, news: bool) -> StoredArticle:
        return cls(
            article.id or 0,
            article.url,
            article.title,
            article.type,
            tuple(p.name for p in article.parties),
            article.relevant,
            article.published_at,
            article.fetched_at,
            news,
        )


@dataclass
class Ingested:
    unseen: int
    """Listed items not stored yet."""
    attempted: int
    """Of those, how many were fetched this time (at most the per-run limit)."""
    harvest: Harvest
    stored: list[StoredArticle]
    """The articles this step stored (not those stored before, by anyone)."""
    alerts_planned: int = 0

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
    article: ScrapedArticle,
    cls: Classification,
    fingerprint: Fingerprint | None = None,
    publisher: str | None = None,
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
        publisher=publisher,
    )


async def harvest(
    fetcher: Fetcher,
    settings: Settings,
    source: SourceConfig,
    items: Sequence[ListedItem],
    keep: Callable[[ScrapedArticle], bool] | None = None,
    ready: Callable[[ArticleToStore], None] | None = None,
) -> Harvest:
    """Fetch the items' pages, read and classify each as it arrives (in the worker
    processes), and keep the articles ``keep`` accepts; ``ready`` is given each of those
    as soon as nothing can change it, and the harvest then holds none of them (without
    ``ready``, it lists them)."""
    found = Harvest()

    def settled(article: ScrapedArticle, done: Classified) -> None:
        if keep is None or keep(article):
            found.kept += 1
            (ready or found.articles.append)(to_store(article, *done))

    reader = page_reader(page_rules(source), source.publisher, inline=len(items) <= INLINE_UP_TO)
    batch = await fetch_and_read(
        fetcher,
        source,
        list(items),
        settings.http_concurrency,
        reader,
        same_host_only=settings.article_hosts == "source",
        settled=settled if ready is not None else None,
    )
    # What the batch still holds: the articles made from the listing alone (their page
    # refused or gone), which had no page to read, and without ``ready`` all the others.
    unread = [
        a
        for a, done in zip(batch.articles, batch.extras, strict=True)
        if done is None and (keep is None or keep(a))
    ]
    classified = await classify_all([(a.title, a.text) for a in unread], source.publisher)
    late = {id(a): done for a, done in zip(unread, classified, strict=True)}
    for article, extra in zip(batch.articles, batch.extras, strict=True):
        done = extra if extra is not None else late.get(id(article))
        if done is not None:  # None: left out by ``keep``
            settled(article, done)
    found.dates, found.errors, found.skipped = batch.dates, batch.errors, batch.skipped
    return found


PART = 5
"""Articles of a source stored together while its other pages are still coming in, so
that the database works during the fetch rather than after it: on a first pass, every
source's last page comes in at about the same time, and what is left to store then is
the pass's tail. With parts of 10, a source of 20 new items stored its second half after
its last page; parts of 5 took a first pass over the bench farm's 200 sources from
14.1 and 14.6 s to 13.5 and 13.7 s, and over 1,000 from 67.1 to 65.2 s (its writes being
serial, smaller parts cost more transactions, which the shorter tail outweighs)."""


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
    """Store the items not stored yet (at most ``limit`` of them) and plan the alerts that
    ``alerts`` selects, in parts of ``PART`` while the pages come in, then the rest with
    ``bookkeeping``, in one transaction; returns what was done and what ``bookkeeping``
    returned. A part stored is stored with its alerts: if a later one fails, the next run
    finds those articles stored and the rest unseen."""
    with session_scope(ctx.engine) as session:
        known = article_store.known_urls(session, (i.url for i in items))
        # Read once for the parts (its id, and when it last succeeded for `alerts`): a
        # query a part cost a first pass over 200 sources half a second of the interpreter.
        row = _source_row(session, source)
    unseen = [i for i in items if i.url not in known]
    todo = unseen if limit is None else unseen[:limit]
    done = Ingested(len(unseen), len(todo), Harvest(), [])
    parts = _Parts(ctx, source, row, done, alerts, alert_kind)
    try:
        done.harvest = await harvest(ctx.fetcher, ctx.settings, source, todo, keep, parts.add)
    finally:
        # A part being written is finished, not cut short: a thread cannot be cancelled.
        await parts.written()
    # Every kept article went to the parts: what no part took is the last transaction's.
    rest = parts.waiting
    # In a thread: while the database works (stories, alerts), the other sources' pages
    # keep coming in.
    return await asyncio.to_thread(_store, ctx, source, done, rest, bookkeeping, alerts, alert_kind)


class _Parts:
    """A source's articles, stored part by part as their pages are read."""

    def __init__(
        self,
        ctx: RunContext,
        source: SourceConfig,
        row: Source,
        done: Ingested,
        alerts: AlertSelector | None,
        alert_kind: DeliveryKind | None,
    ) -> None:
        self.ctx, self.source, self.row, self.done = ctx, source, row, done
        self.alerts, self.alert_kind = alerts, alert_kind
        self.waiting: list[ArticleToStore] = []
        self.writing: asyncio.Task[None] | None = None

    def add(self, article: ArticleToStore) -> None:
        self.waiting.append(article)
        last = self.writing
        if last is not None and not last.done():
            return  # the part being written takes what waits when it is done
        if last is not None and (last.cancelled() or last.exception() is not None):
            return  # a part failed: ``written`` raises it once the pages are in
        if len(self.waiting) >= PART:
            self.writing = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        while len(self.waiting) >= PART:
            part, self.waiting = self.waiting, []
            await asyncio.to_thread(
                _store_part,
                self.ctx,
                self.source,
                self.row,
                self.done,
                part,
                self.alerts,
                self.alert_kind,
            )

    async def written(self) -> None:
        """Wait for the part being written; raises what a part raised."""
        if self.writing is not None:
            await self.writing


def _store_part(
    ctx: RunContext,
    source: SourceConfig,
    row: Source,
    done: Ingested,
    articles: list[ArticleToStore],
    alerts: AlertSelector | None,
    alert_kind: DeliveryKind | None,
) -> None:
    """Store a part of the harvest and plan its alerts, in one transaction (``row``, the
    source's, read before the harvest, is not written)."""
    with session_scope(ctx.engine) as session:
        _write(session, ctx, source, row, done, articles, alerts, alert_kind)


def _store(
    ctx: RunContext,
    source: SourceConfig,
    done: Ingested,
    articles: list[ArticleToStore],
    bookkeeping: Bookkeeping[T],
    alerts: AlertSelector | None,
    alert_kind: DeliveryKind | None,
) -> tuple[Ingested, T]:
    """Store the rest of the harvest, plan its alerts and run the bookkeeping, in one
    transaction."""
    with session_scope(ctx.engine) as session:
        row = _source_row(session, source)
        _write(session, ctx, source, row, done, articles, alerts, alert_kind)
        return done, bookkeeping(session, row, done)


def _source_row(session: Session, source: SourceConfig) -> Source:
    row = source_store.get_source(session, source.name)
    if row is None or row.id is None:
        raise LookupError(f"source {source.name!r} is not in the database (sync the config)")
    return row


def _write(
    session: Session,
    ctx: RunContext,
    source: SourceConfig,
    row: Source,
    done: Ingested,
    articles: list[ArticleToStore],
    alerts: AlertSelector | None,
    alert_kind: DeliveryKind | None,
) -> None:
    """Store articles and plan the alerts ``alerts`` selects of them; ``done`` counts them."""
    stored = article_store.insert_new(session, row.id or 0, articles)
    news = alerts(row, stored) if alerts is not None else []
    if news:
        done.alerts_planned += plan_alerts(
            session, news, source.name, load_subscriptions(session, ctx.config), kind=alert_kind
        )
    fresh = {id(a) for a in news}
    done.stored += [StoredArticle.of(a, news=id(a) in fresh) for a in stored]
