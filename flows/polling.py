"""One monitoring pass as plain functions: no Prefect here, so it runs and tests without it.

``poll_source`` reads like the pass of one source: its fetch state → its listing (a
conditional GET) → if unchanged, record that and stop → ingest the new items (fetch,
classify, store, plan alerts, save the validators, in one transaction) → report health.
``run_pass`` polls the sources concurrently and sends the alerts that are due;
``monitor.py`` wraps both in Prefect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session

from ieiwatch.config.schema import AppConfig, SourceConfig
from ieiwatch.config.settings import Settings
from ieiwatch.domain import SourceStatus, utcnow
from ieiwatch.flows.ingest import Ingested, ingest
from ieiwatch.flows.runtime import RunContext, health_rules, open_fetcher, open_store
from ieiwatch.notify.admin import send_admin_alert
from ieiwatch.notify.sending import DeliveryReport, deliver_due
from ieiwatch.scrapers.errors import ScrapeError, SelectorMatchedNothing, SourceTimedOut
from ieiwatch.scrapers.source import Listing, fetch_listing
from ieiwatch.storage import health
from ieiwatch.storage import sources as source_store
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.deliveries import Outbox
from ieiwatch.storage.models import Article, Source


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
        return cls(
            article.id or 0,
            article.title,
            article.url,
            article.type,
            [p.name for p in article.parties],
        )


@dataclass
class SourceReport:
    name: str
    status: SourceStatus = SourceStatus.OK
    listed: int = 0
    new: int = 0
    relevant: int = 0
    alerts_planned: int = 0
    errors: list[str] = field(default_factory=list)
    relevant_items: list[RelevantItem] = field(default_factory=list)

    def count(self, stored: list[Article]) -> None:
        self.new = len(stored)
        self.relevant = sum(1 for a in stored if a.relevant)
        self.relevant_items = [RelevantItem.of(a) for a in stored if a.relevant]


@dataclass
class RunReport:
    sources: list[SourceReport] = field(default_factory=list)
    deliveries: DeliveryReport = field(default_factory=DeliveryReport)

    @property
    def all_failed(self) -> bool:
        return bool(self.sources) and all(s.status == SourceStatus.ERROR for s in self.sources)


Poller = Callable[[RunContext, SourceConfig], Awaitable[SourceReport]]


async def run_pass(
    settings: Settings,
    config: AppConfig,
    poll: Poller | None = None,
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
        outbox = Outbox(engine)
        # Retries that are due go first, so a long scrape does not delay them.
        report = RunReport(deliveries=await asyncio.to_thread(deliver_due, outbox, config))
        report.sources += unknown
        async with open_fetcher(engine, settings) as fetcher:
            ctx = RunContext(settings, config, engine, fetcher)
            outcomes = await asyncio.gather(
                *(_within_limit(poll, ctx, s) for s in selected), return_exceptions=True
            )
        for source, outcome in zip(selected, outcomes, strict=True):
            report.sources.append(_report_outcome(ctx, source.name, outcome))
        report.deliveries.add(await asyncio.to_thread(deliver_due, outbox, config))
        return report
    finally:
        engine.dispose()


def select_sources(
    config: AppConfig, names: list[str] | None
) -> tuple[list[SourceConfig], list[SourceReport]]:
    """The enabled sources to poll (all, or the named ones), and an error report for each
    name the config lacks (a deployment made before the config was edited)."""
    enabled = [s for s in config.sources if s.enabled]
    if names is None:
        return enabled, []
    known = {s.name for s in config.sources}
    missing = [
        SourceReport(
            n,
            status=SourceStatus.ERROR,
            errors=["not in the config (restart `ieiwatch serve` after editing it)"],
        )
        for n in names
        if n not in known
    ]
    return [s for s in enabled if s.name in names], missing


async def poll_source(ctx: RunContext, source: SourceConfig) -> SourceReport:
    """Poll one source: state → listing → unchanged? record and stop → ingest → health.

    Raises ``ScrapeError`` when the listing cannot be had; article errors are reported."""
    report = SourceReport(source.name)
    etag, last_modified = _validators(ctx, source.name)
    listing = await fetch_listing(ctx.fetcher, source, etag, last_modified)
    if listing.warning:
        report.errors.append(f"feed: {listing.warning}")
    if listing.not_modified:
        report.status = SourceStatus.NOT_MODIFIED
        change = _record_unchanged(ctx, source.name, etag, last_modified)
        report.errors += await asyncio.to_thread(_announce, ctx, change)
        return report
    report.listed = len(listing.items)
    done, change = await ingest(
        ctx,
        source,
        listing.items,
        _bookkeeping(ctx, listing),
        alerts=lambda row, stored: _alertable(ctx, row, stored),
        limit=ctx.settings.max_articles_per_source,
    )
    report.errors += done.harvest.errors
    report.errors += [f"skipped link {line}" for line in done.harvest.skipped]
    report.alerts_planned = done.alerts_planned
    report.count(done.stored)
    report.errors += await asyncio.to_thread(_announce, ctx, change)
    return report


def _validators(ctx: RunContext, name: str) -> tuple[str | None, str | None]:
    with session_scope(ctx.engine) as session:
        row = source_store.get_source(session, name)
        return (row.etag, row.last_modified) if row else (None, None)


def _bookkeeping(
    ctx: RunContext, listing: Listing
) -> Callable[[Session, Source, Ingested], health.HealthChange | None]:
    """What is saved with the articles: the validators, the newest item's time and the
    source's health."""

    def record(session: Session, row: Source, done: Ingested) -> health.HealthChange | None:
        # Keep the validators only when every unseen item was handled; otherwise the next
        # run would get a 304 and never see the rest.
        validators = (listing.etag, listing.last_modified) if done.complete else (None, None)
        source_store.record_success(session, row, *validators)
        health.note_new_items(row, done.stored)
        problems = ([f"feed: {listing.warning}"] if listing.warning else []) + done.harvest.errors
        return health.after_success(session, row, health_rules(ctx.settings), problems=problems)

    return record


def _alertable(ctx: RunContext, source: Source, stored: list[Article]) -> list[Article]:
    """Everything new alerts, except on a source's first poll: then only recent items do,
    since its archive is not news."""
    if source.last_success_at is not None:
        return stored
    since = utcnow() - timedelta(days=ctx.config.alert_window_days)
    return [a for a in stored if a.published_at is not None and a.published_at >= since]


def _record_unchanged(
    ctx: RunContext, name: str, etag: str | None, last_modified: str | None
) -> health.HealthChange | None:
    with session_scope(ctx.engine) as session:
        row = source_store.get_source(session, name)
        if row is None:
            return None
        source_store.record_success(session, row, etag, last_modified)
        return health.after_success(session, row, health_rules(ctx.settings))


def record_source_failure(ctx: RunContext, name: str, error: str, exc: object = None) -> list[str]:
    """Count the failure and mark the source broken when it is; returns report lines."""
    with session_scope(ctx.engine) as session:
        row = source_store.get_source(session, name)
        if row is None:
            return []
        source_store.record_failure(session, row, error)
        change = health.after_failure(
            session,
            row,
            error,
            health_rules(ctx.settings),
            layout_changed=isinstance(exc, SelectorMatchedNothing),
        )
    return _announce(ctx, change)


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


async def _within_limit(poll: Poller, ctx: RunContext, source: SourceConfig) -> SourceReport:
    """One source's poll, given up after ``source_timeout`` so a slow site holds up no pass."""
    limit = ctx.settings.source_timeout
    try:
        async with asyncio.timeout(limit):
            return await poll(ctx, source)
    except TimeoutError:
        raise SourceTimedOut(
            source.url, f"no result within {limit:g}s (source_timeout); given up for this pass"
        ) from None


def _report_outcome(ctx: RunContext, name: str, outcome: object) -> SourceReport:
    if isinstance(outcome, SourceReport):
        return outcome
    if isinstance(outcome, ScrapeError):
        error = str(outcome)
    elif isinstance(outcome, Exception):
        # A bug or a database failure in one source must not stop the others.
        error = f"{type(outcome).__name__}: {outcome}"
    elif isinstance(outcome, BaseException):
        raise outcome  # KeyboardInterrupt, cancellation: the pass itself is stopping
    else:
        raise TypeError(f"a poll returned {outcome!r}")
    report = SourceReport(name, status=SourceStatus.ERROR, errors=[error])
    report.errors += record_source_failure(ctx, name, error, outcome)
    return report
