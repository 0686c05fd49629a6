"""One monitoring pass as plain functions: no Prefect here, so it runs and tests without it.

Per source: load fetch state → fetch the listing (conditional GET) → keep unseen URLs →
fetch and extract their pages → classify → store new articles and plan their alerts in
one transaction → save the validators. ``monitor.py`` wraps these in Prefect.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine

from ieiwatch.classify import classify
from ieiwatch.config.loader import load_config
from ieiwatch.config.schema import AppConfig, SourceConfig
from ieiwatch.config.settings import Settings
from ieiwatch.notify.admin import send_admin_alert
from ieiwatch.notify.outbox import DeliveryReport, deliver_due, plan_alerts
from ieiwatch.notify.subscriptions import load_subscriptions
from ieiwatch.scrapers.errors import ScrapeError, SelectorMatchedNothing, SourceTimedOut
from ieiwatch.scrapers.fetch import Fetcher, make_client
from ieiwatch.scrapers.source import ArticleBatch, Listing, fetch_articles, fetch_listing
from ieiwatch.storage import articles as article_store
from ieiwatch.storage import health
from ieiwatch.storage import robots as robots_store
from ieiwatch.storage import sources as source_store
from ieiwatch.storage.db import init_db, make_engine, session_scope
from ieiwatch.storage.models import Article
from ieiwatch.storage.subscribers import sync_subscribers
from ieiwatch.storage.types import utcnow


@dataclass(frozen=True)
class RelevantItem:
    """A new article classified as cooperation news, as run summaries and events show it."""

    id: int
    title: str
    url: str
    type: str | None
    parties: list[str]

    @classmethod
    def of(cls, article: Article) -> RelevantItem:
        return cls(article.id or 0, article.title, article.url, article.type,
                   [p["name"] for p in article.parties or []])


@dataclass
class SourceReport:
    name: str
    status: str = "ok"
    """ok, not_modified or error."""
    listed: int = 0
    new: int = 0
    relevant: int = 0
    alerts_planned: int = 0
    errors: list[str] = field(default_factory=list)
    relevant_items: list[RelevantItem] = field(default_factory=list)


@dataclass
class RunReport:
    sources: list[SourceReport] = field(default_factory=list)
    deliveries: DeliveryReport = field(default_factory=DeliveryReport)

    @property
    def all_failed(self) -> bool:
        return bool(self.sources) and all(s.status == "error" for s in self.sources)


@dataclass(frozen=True)
class RunContext:
    settings: Settings
    config: AppConfig
    engine: Engine
    fetcher: Fetcher


Poller = Callable[["RunContext", SourceConfig], Awaitable[SourceReport]]


async def run_pass(
    settings: Settings, config: AppConfig, poll: Poller | None = None,
    sources: list[str] | None = None,
) -> RunReport:
    """Poll every enabled source (or the named ones) concurrently, then deliver every alert
    that is due.

    ``poll`` defaults to ``poll_source``; the Prefect flow passes its task wrapping it.
    """
    poll = poll or poll_source
    engine = open_store(settings, config)
    try:
        selected, unknown = select_sources(config, sources)
        # Retries that are due go first, so a long scrape does not delay them.
        report = RunReport(deliveries=await asyncio.to_thread(deliver_due, engine, config))
        report.sources += unknown
        async with open_fetcher(engine, settings) as fetcher:
            ctx = RunContext(settings, config, engine, fetcher)
            outcomes = await asyncio.gather(*(_within_limit(poll, ctx, s) for s in selected),
                                            return_exceptions=True)
        for source, outcome in zip(selected, outcomes, strict=True):
            report.sources.append(_report_outcome(ctx, source.name, outcome))
        report.deliveries.add(await asyncio.to_thread(deliver_due, engine, config))
        return report
    finally:
        engine.dispose()


def run_inputs(
    config_path: str | None = None, database_url: str | None = None
) -> tuple[Settings, AppConfig]:
    """Settings and config for a flow run: the flow's parameters win over the environment."""
    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings, load_config(Path(config_path) if config_path else settings.config_path)


def open_store(settings: Settings, config: AppConfig) -> Engine:
    """The database, migrated, with the config's sources and subscribers synced."""
    engine = make_engine(settings.database_url)
    init_db(engine)
    sync_config(engine, config)
    return engine


@asynccontextmanager
async def open_fetcher(engine: Engine, settings: Settings) -> AsyncIterator[Fetcher]:
    """One run's fetcher, starting from the robots.txt answers of the last day and keeping
    the ones it fetched for the next runs."""
    with session_scope(engine) as session:
        robots = robots_store.fresh_files(session)
    async with make_client(settings) as client:
        fetcher = Fetcher(client, settings, robots)
        try:
            yield fetcher
        finally:
            with session_scope(engine) as session:
                robots_store.keep(session, fetcher.fetched_robots())


async def _within_limit(poll: Poller, ctx: RunContext, source: SourceConfig) -> SourceReport:
    """One source's poll, given up after ``source_timeout`` so a slow site holds up no pass."""
    limit = ctx.settings.source_timeout
    try:
        async with asyncio.timeout(limit):
            return await poll(ctx, source)
    except TimeoutError:
        raise SourceTimedOut(source.url, f"no result within {limit:g}s (source_timeout); "
                             "given up for this pass") from None


def select_sources(
    config: AppConfig, names: list[str] | None
) -> tuple[list[SourceConfig], list[SourceReport]]:
    """The enabled sources to poll (all, or the named ones), and an error report for each
    name the config lacks (a deployment made before the config was edited)."""
    enabled = [s for s in config.sources if s.enabled]
    if names is None:
        return enabled, []
    known = {s.name for s in config.sources}
    missing = [SourceReport(n, status="error", errors=["not in the config (restart "
                                                      "`ieiwatch serve` after editing it)"])
               for n in names if n not in known]
    return [s for s in enabled if s.name in names], missing


def _report_outcome(ctx: RunContext, name: str, outcome: object) -> SourceReport:
    if isinstance(outcome, SourceReport):
        return outcome
    if isinstance(outcome, ScrapeError):
        error = str(outcome)
    elif isinstance(outcome, Exception):
        # A bug or a database failure in one source must not stop the others.
        error = f"{type(outcome).__name__}: {outcome}"
    else:
        raise outcome  # type: ignore[misc]  (KeyboardInterrupt, cancellation)
    report = SourceReport(name, status="error", errors=[error])
    report.errors += record_source_failure(ctx, name, error, outcome)
    return report


def sync_config(engine: Engine, config: AppConfig) -> None:
    with session_scope(engine) as session:
        source_store.sync_sources(session, config.sources)
        sync_subscribers(session, config.subscribers)


async def poll_source(ctx: RunContext, source: SourceConfig) -> SourceReport:
    """Raises ``ScrapeError`` when the listing cannot be had; article errors are reported."""
    report = SourceReport(source.name)
    with session_scope(ctx.engine) as session:
        row = source_store.get_source(session, source.name)
        etag, last_modified = (row.etag, row.last_modified) if row else (None, None)
    listing = await fetch_listing(ctx.fetcher, source, etag, last_modified)
    if listing.warning:
        report.errors.append(f"feed: {listing.warning}")
    if listing.not_modified:
        report.status = "not_modified"
        change = _record_success(ctx, source.name, etag, last_modified)
        report.errors += await asyncio.to_thread(_announce, ctx, change)
        return report
    report.listed = len(listing.items)
    with session_scope(ctx.engine) as session:
        known = article_store.known_urls(session, (i.url for i in listing.items))
    unseen = [i for i in listing.items if i.url not in known]
    todo = unseen[: ctx.settings.max_articles_per_source]
    batch = await fetch_articles(ctx.fetcher, source, todo, ctx.settings.http_concurrency,
                                 same_host_only=ctx.settings.article_hosts == "source")
    report.errors += batch.errors
    report.errors += [f"skipped link {line}" for line in batch.skipped]
    classified = [(a, classify(a.title, a.text)) for a in batch.articles]
    # Keep the validators only when every unseen item was handled; otherwise the next run
    # would get a 304 and never see the rest.
    complete = len(todo) == len(unseen) and not batch.errors
    validators = (listing.etag, listing.last_modified) if complete else (None, None)
    with session_scope(ctx.engine) as session:
        row = source_store.get_source(session, source.name)
        assert row is not None and row.id is not None
        first_poll = row.last_success_at is None
        stored = article_store.insert_new(session, row.id, classified)
        alertable = [a for a in stored if not first_poll or _recent(ctx, a)]
        report.alerts_planned = plan_alerts(
            session, alertable, source.name, load_subscriptions(session, ctx.config)
        )
        source_store.record_success(session, row, *validators)
        health.note_new_items(row, stored)
        change = health.after_success(session, row, _health_rules(ctx),
                                      problems=_problems(listing, batch))
    report.new = len(stored)
    report.relevant = sum(1 for a in stored if a.relevant)
    report.relevant_items = [RelevantItem.of(a) for a in stored if a.relevant]
    report.errors += await asyncio.to_thread(_announce, ctx, change)
    return report


def record_source_failure(
    ctx: RunContext, name: str, error: str, exc: object = None
) -> list[str]:
    """Count the failure and mark the source broken when it is; returns report lines."""
    with session_scope(ctx.engine) as session:
        row = source_store.get_source(session, name)
        if row is None:
            return []
        source_store.record_failure(session, row, error)
        change = health.after_failure(session, row, error, _health_rules(ctx),
                                      layout_changed=isinstance(exc, SelectorMatchedNothing))
    return _announce(ctx, change)


def _record_success(
    ctx: RunContext, name: str, etag: str | None, last_modified: str | None
) -> health.HealthChange | None:
    with session_scope(ctx.engine) as session:
        row = source_store.get_source(session, name)
        if row is None:
            return None
        source_store.record_success(session, row, etag, last_modified)
        return health.after_success(session, row, _health_rules(ctx))


def _health_rules(ctx: RunContext) -> health.HealthRules:
    return health.HealthRules.from_settings(ctx.settings)


def _problems(listing: Listing, batch: ArticleBatch) -> list[str]:
    """What went wrong in a poll that still succeeded, kept on the source row."""
    return ([f"feed: {listing.warning}"] if listing.warning else []) + batch.errors


def _announce(ctx: RunContext, change: health.HealthChange | None) -> list[str]:
    """Report a source turning broken or recovering, and tell the operator once.

    Called after the change is committed, so a failed send never undoes the mark (and the
    alert is not repeated next run: the run report says it could not be sent).
    """
    if change is None:
        return []
    lines = [f"health: {change.summary}"]
    if ctx.config.admin_notify:
        errors = send_admin_alert(ctx.config.admin_notify, change.title, change.body)
        lines += [f"admin alert not sent: {e}" for e in errors]
    return lines


def _recent(ctx: RunContext, article: Article) -> bool:
    """On a source's first poll only recent items alert: its archive is not news."""
    if article.published_at is None:
        return False
    window = timedelta(days=ctx.config.alert_window_days)
    return article.published_at >= utcnow() - window
