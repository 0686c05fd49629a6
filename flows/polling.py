"""One monitoring pass as plain functions: no Prefect here, so it runs and tests without it.

``poll_source`` reads like the pass of one source: its fetch state → its listing (a
conditional GET) → if unchanged, stop (its batch records it) → ingest the new items (fetch,
classify, store and plan alerts, the last of them with the validators) → send those alerts
→ report health. ``run_pass`` polls the sources concurrently, in batches, and then sends
whatever else is due; ``monitor.py`` runs each batch as a Prefect task.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session, col, select

from ieiwatch.config.schema import AppConfig, SourceConfig
from ieiwatch.config.settings import Settings
from ieiwatch.domain import DeliveryKind, SourceStatus, utcnow
from ieiwatch.flows.ingest import Ingested, StoredArticle, ingest
from ieiwatch.flows.page_pool import read_listing_in_worker, stop_classifier_pool
from ieiwatch.flows.runtime import (
    RunContext,
    freeze_heap_before_pass,
    health_rules,
    limit_malloc_arenas,
    open_fetcher,
    open_store,
)
from ieiwatch.notify.admin import queue_admin_alert
from ieiwatch.notify.sending import DeliveryReport, deliver_due, due_batches, send_batch
from ieiwatch.notify.subscriptions import subscriptions
from ieiwatch.scrapers.discover import ListStructure
from ieiwatch.scrapers.errors import ScrapeError, SelectorMatchedNothing, SourceTimedOut
from ieiwatch.scrapers.source import Listing, fetch_listing, needs_discovery
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
    news: bool = True
    """False for a new source's archive, stored on its first poll: it neither alerts nor
    raises an event."""

    @classmethod
    def of(cls, article: StoredArticle, *, news: bool = True) -> RelevantItem:
        return cls(
            article.id, article.title, article.url, article.type, list(article.parties), news
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
    deliveries: DeliveryReport = field(default_factory=DeliveryReport)
    """This source's instant alerts, sent as soon as it was stored."""

    def count(self, stored: list[StoredArticle]) -> None:
        self.new = len(stored)
        self.relevant = sum(1 for a in stored if a.relevant)
        self.relevant_items = [RelevantItem.of(a, news=a.news) for a in stored if a.relevant]


@dataclass
class RunReport:
    sources: list[SourceReport] = field(default_factory=list)
    deliveries: DeliveryReport = field(default_factory=DeliveryReport)

    @property
    def all_failed(self) -> bool:
        return bool(self.sources) and all(s.status == SourceStatus.ERROR for s in self.sources)


BatchPoller = Callable[[RunContext, list[str]], Awaitable[list[SourceReport]]]
"""Polls the named sources of a batch; every outcome (a failure too) becomes a report."""

SOURCES_PER_BATCH = 25
"""Sources polled by one batch (one Prefect task): a task per source costs the run more
bookkeeping than a source that has not changed costs to poll."""


async def run_pass(
    settings: Settings,
    config: AppConfig,
    poll_batch: BatchPoller | None = None,
    sources: list[str] | None = None,
) -> RunReport:
    """Poll every enabled source (or the named ones) concurrently, in batches of
    ``SOURCES_PER_BATCH``, each source's alerts sent as soon as it is stored; then deliver
    everything else that is due.

    ``poll_batch`` defaults to ``poll_sources`` (no retries); the Prefect flow passes its
    task wrapping it.
    """
    poll_batch = poll_batch or poll_sources
    limit_malloc_arenas()
    freeze_heap_before_pass()
    engine = open_store(settings, config)
    try:
        selected, unknown = select_sources(config, sources)
        outbox = Outbox(engine)
        # Retries that are due go first, so a long scrape does not delay them.
        report = RunReport(deliveries=await asyncio.to_thread(deliver_due, outbox, config))
        report.sources += unknown
        names = [s.name for s in selected]
        async with open_fetcher(engine, settings) as fetcher:
            ctx = RunContext(settings, config, engine, fetcher)
            batches = await asyncio.gather(
                *(
                    poll_batch(ctx, names[i : i + SOURCES_PER_BATCH])
                    for i in range(0, len(names), SOURCES_PER_BATCH)
                )
            )
        for reports in batches:
            report.sources += reports
            for source_report in reports:
                report.deliveries.add(source_report.deliveries)
        report.deliveries.add(await asyncio.to_thread(deliver_due, outbox, config))
        return report
    finally:
        # The classifier's worker processes end with the pass: left behind, they keep
        # the process that ran it (a Prefect worker's child, a test) from exiting.
        stop_classifier_pool()
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
    wanted = set(names)
    return [s for s in enabled if s.name in wanted], missing


async def poll_sources(
    ctx: RunContext, names: Sequence[str], retries: int = 0, retry_delay: float = 0.0
) -> list[SourceReport]:
    """Poll the named sources concurrently, each within its time limit and retried up to
    ``retries`` times on a transient error; a failure is recorded on its source and
    reported, and the others go on.

    The sources whose lists did not change are recorded together once they are all in:
    one transaction for the batch, not one commit per source."""
    configured = {s.name: s for s in ctx.config.sources}
    sources = [configured[name] for name in names]
    known = _all_validators(ctx, names)
    unchanged: list[Unchanged] = []
    outcomes = await asyncio.gather(
        *(
            _within_limit(ctx, s, known.get(s.name), retries, retry_delay, unchanged)
            for s in sources
        ),
        return_exceptions=True,
    )
    reports = [
        _report_outcome(ctx, s.name, outcome) for s, outcome in zip(sources, outcomes, strict=True)
    ]
    if unchanged:
        lines = await asyncio.to_thread(_record_unchanged, ctx, unchanged)
        for report in reports:
            report.errors += lines.get(report.name, [])
    return reports


@dataclass(frozen=True)
class Unchanged:
    """A source whose list answered "not modified", to be recorded with its batch."""

    name: str
    etag: str | None
    last_modified: str | None


async def poll_source(
    ctx: RunContext,
    source: SourceConfig,
    validators: Validators | None = None,
    unchanged: list[Unchanged] | None = None,
) -> SourceReport:
    """Poll one source: state → listing → unchanged? record and stop → ingest → alerts →
    health.

    An unchanged source is added to ``unchanged`` for its batch to record, when given.
    Raises ``ScrapeError`` when the listing cannot be had; article errors are reported."""
    report = SourceReport(source.name)
    etag, last_modified = validators or _validators(ctx, source.name)
    structure = _discovered_list(ctx, source)
    listing = await fetch_listing(
        ctx.fetcher, source, etag, last_modified, structure, read_listing_in_worker
    )
    if listing.warning:
        report.errors.append(f"feed: {listing.warning}")
    if listing.not_modified:
        report.status = SourceStatus.NOT_MODIFIED
        seen = Unchanged(source.name, etag, last_modified)
        if unchanged is not None:
            unchanged.append(seen)  # no await after this: the poll cannot fail any more
        else:
            lines = await asyncio.to_thread(_record_unchanged, ctx, [seen])
            report.errors += lines.get(source.name, [])
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
    if done.alerts_planned:
        # Now, not at the end of the pass: a slow source holds up nobody else's alerts.
        stored = {a.id for a in done.stored}
        report.deliveries = await asyncio.to_thread(send_alerts_of, ctx, stored)
    report.errors += await asyncio.to_thread(_announce, ctx, change)
    return report


def send_alerts_of(ctx: RunContext, article_ids: set[int]) -> DeliveryReport:
    """Send the due instant alerts of these articles, through the outbox: each message is
    claimed first, so one the end of the pass (or another worker) sends is not sent twice."""
    outbox = Outbox(ctx.engine)
    now = utcnow()
    mine = {d.id for d in outbox.due(DeliveryKind.INSTANT, now) if d.article_id in article_ids}
    report = DeliveryReport()
    if not mine:
        return report
    subs = {s.id: s for s in subscriptions(outbox.subscribers(), ctx.config)}
    for batch in due_batches(outbox, DeliveryKind.INSTANT, subs, now):
        if mine.issuperset(batch.ids):
            send_batch(outbox, batch, now, report)
    return report


Validators = tuple[str | None, str | None]
"""A source's ETag and Last-Modified, for its conditional GET."""


def _all_validators(ctx: RunContext, names: Sequence[str]) -> dict[str, Validators]:
    """The validators of many sources in one query, not one each."""
    with session_scope(ctx.engine) as session:
        rows = session.exec(
            select(Source.name, Source.etag, Source.last_modified).where(
                col(Source.name).in_(names)
            )
        )
        return {name: (etag, last_modified) for name, etag, last_modified in rows}


def _validators(ctx: RunContext, name: str) -> Validators:
    with session_scope(ctx.engine) as session:
        row = source_store.get_source(session, name)
        return (row.etag, row.last_modified) if row else (None, None)


def _discovered_list(ctx: RunContext, source: SourceConfig) -> ListStructure | None:
    """The list found on an earlier poll of a source without selectors."""
    if not needs_discovery(source):
        return None
    with session_scope(ctx.engine) as session:
        kept = source_store.discovered_list(session, source.name)
    return ListStructure.from_dict(kept) if kept else None


def _bookkeeping(
    ctx: RunContext, listing: Listing
) -> Callable[[Session, Source, Ingested], health.HealthChange | None]:
    """What is saved with the articles: the validators, the newest item's time and the
    source's health."""

    def record(session: Session, row: Source, done: Ingested) -> health.HealthChange | None:
        # Keep the validators only when every unseen item was handled; otherwise the next
        # run would get a 304 and never see the rest.
        validators = (listing.etag, listing.last_modified) if done.complete else (None, None)
        first_poll = row.last_success_at is None
        source_store.record_success(session, row, *validators)
        if first_poll and done.attempted < done.unseen:
            # The archive is not all in (more than a run's worth of items): the next run is
            # still the first poll, so the rest of the archive does not alert either.
            row.last_success_at = None
        if listing.structure is not None:
            source_store.keep_discovered_list(session, row, listing.structure.to_dict())
        health.note_new_items(row, done.stored)
        problems = ([f"feed: {listing.warning}"] if listing.warning else []) + done.harvest.errors
        return health.after_success(session, row, health_rules(ctx.settings), problems=problems)

    return record


def _alertable(ctx: RunContext, source: Source, stored: list[Article]) -> list[Article]:
    """Everything new alerts, except during a source's first poll (no success recorded yet:
    its first run, and the next ones while its archive is read in): then only recent items
    do, since its archive is not news."""
    if source.last_success_at is not None:
        return stored
    since = utcnow() - timedelta(days=ctx.config.alert_window_days)
    return [a for a in stored if a.published_at is not None and a.published_at >= since]


def _record_unchanged(ctx: RunContext, seen: Sequence[Unchanged]) -> dict[str, list[str]]:
    """Record unchanged sources' polls and health in one transaction; report lines (a
    source turning broken or recovering) by source name."""
    with session_scope(ctx.engine) as session:
        rows = source_store.get_sources(session, [s.name for s in seen])
        recorded = []
        for item in seen:
            row = rows.get(item.name)
            if row is not None:
                source_store.record_success(session, row, item.etag, item.last_modified)
                recorded.append(row)
        changes = health.after_unchanged(session, recorded, health_rules(ctx.settings))
    return {change.source: _announce(ctx, change) for change in changes}


def record_source_failure(ctx: RunContext, name: str, error: str, exc: object = None) -> list[str]:
    """Count the failure and mark the source broken when it is; returns report lines."""
    error = health.short_error(error)
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

    The message goes through the outbox (sent with the pass's alerts, retried like them),
    so an admin channel that fails once does not lose it.
    """
    if change is None:
        return []
    queue_admin_alert(Outbox(ctx.engine), ctx.config.admin_notify, change.title, change.body)
    return [f"health: {change.summary}"]


async def _within_limit(
    ctx: RunContext,
    source: SourceConfig,
    validators: Validators | None,
    retries: int,
    retry_delay: float,
    unchanged: list[Unchanged] | None = None,
) -> SourceReport:
    """One source's poll with its retries, given up after ``source_timeout`` so a slow site
    holds up no pass."""
    limit = ctx.settings.source_timeout
    try:
        async with ctx.source_slots, asyncio.timeout(limit):
            return await _retried(ctx, source, validators, retries, retry_delay, unchanged)
    except TimeoutError:
        raise SourceTimedOut(
            source.url, f"no result within {limit:g}s (source_timeout); given up for this pass"
        ) from None


async def _retried(
    ctx: RunContext,
    source: SourceConfig,
    validators: Validators | None,
    retries: int,
    retry_delay: float,
    unchanged: list[Unchanged] | None = None,
) -> SourceReport:
    """Retry timeouts, refused connections, 429 and 5xx; not a 404 or a broken page."""
    for attempt in itertools.count():
        try:
            return await poll_source(ctx, source, validators, unchanged)
        except ScrapeError as exc:
            if not exc.transient or attempt >= retries:
                raise
        await asyncio.sleep(retry_delay)
    raise AssertionError("unreachable")


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
