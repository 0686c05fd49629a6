"""The one ingest step, shared by monitoring, backfill and ``sources check``:

    known → fetch → classify → (store + plan alerts + the caller's bookkeeping, in one
    transaction)

``harvest`` is the fetch and classify part (``sources check`` stops there: it stores
nothing); ``ingest`` adds the rest. The caller's bookkeeping (a source's fetch state and
health, a backfill's checkpoint) is written in the same transaction as the articles and
their alerts, so none of them can be saved without the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlmodel import Session

from ieiwatch.classify import Classification, classify
from ieiwatch.config.schema import SourceConfig
from ieiwatch.config.settings import Settings
from ieiwatch.domain import ArticleToStore, DeliveryKind
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


def to_store(article: ScrapedArticle, cls: Classification) -> ArticleToStore:
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
    return Harvest(
        [to_store(a, classify(a.title, a.text)) for a in kept],
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
    with session_scope(ctx.engine) as session:
        row = source_store.get_source(session, source.name)
        if row is None or row.id is None:
            raise LookupError(f"source {source.name!r} is not in the database (sync the config)")
        stored = article_store.insert_new(session, row.id, found.articles)
        done = Ingested(len(unseen), len(todo), found, stored)
        if alerts is not None:
            done.alerts_planned = plan_alerts(
                session,
                alerts(row, stored),
                source.name,
                load_subscriptions(session, ctx.config),
                kind=alert_kind,
            )
        return done, bookkeeping(session, row, done)
