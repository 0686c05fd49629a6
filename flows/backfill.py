"""Backfill: walk one source's history (list pages or feed pages, newest first) and store
what was published since a date, resumably.

Per page: store the page's new articles in the window (and plan their alerts when asked),
and, in the transaction of the last of them, advance the checkpoint to the next page. An
interrupted backfill
run again continues at the first page not done; articles are inserted ON CONFLICT DO
NOTHING, so nothing is stored twice either way.

The walk stops at the end of the history, at a page whose items are all older than
``since``, or after ``max_pages`` pages (counted over resumptions, so a larger limit later
continues the walk). An item is in the window unless its date (from the list, else from
its page) is known and outside it.

Backfilled items alert nobody by default (``notify="none"``): they are old news, and the
source's first-poll alert window does not apply here because nothing here marks the
source as polled. ``digest`` sends each matching subscriber one summary once the walk is
over; ``instant`` plans the usual alerts.

``run_backfill`` is plain code; the ``backfill`` flow at the bottom wraps it for Prefect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal

from prefect import get_run_logger
from sqlmodel import Session

from ieiwatch.config import Settings
from ieiwatch.config.schema import AppConfig, SourceConfig
from ieiwatch.domain import BEIJING, CheckpointStatus, DeliveryKind, IeiwatchError, StopReason
from ieiwatch.flows import observe
from ieiwatch.flows.ingest import Ingested, ingest
from ieiwatch.flows.page_pool import stop_classifier_pool
from ieiwatch.flows.plain_flow import plain_flow
from ieiwatch.flows.polling import RelevantItem
from ieiwatch.flows.runtime import RunContext, open_fetcher, open_store, run_inputs
from ieiwatch.notify.planning import plan_alerts
from ieiwatch.notify.sending import DeliveryReport, deliver_due
from ieiwatch.notify.subscriptions import load_subscriptions
from ieiwatch.notify.wording import format_date
from ieiwatch.scrapers.errors import ScrapeError
from ieiwatch.scrapers.models import ListedItem
from ieiwatch.scrapers.paging import ListPage, fetch_page
from ieiwatch.storage import backfill as checkpoints
from ieiwatch.storage import sources as source_store
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.deliveries import Outbox
from ieiwatch.storage.models import BackfillCheckpoint, Source

NotifyMode = Literal["none", "digest", "instant"]
Progress = Callable[[str], None]


class BackfillStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    """Stopped on an error: running it again resumes at the failed page."""
    FINISHED = "finished"
    """Done before this run: nothing was walked."""


class BackfillError(IeiwatchError, ValueError):
    """The backfill asked for cannot start (unknown source, empty window)."""


class BackfillIncomplete(IeiwatchError):
    """The walk stopped on an error; running it again resumes at the failed page."""

    def __init__(self, report: BackfillReport) -> None:
        self.report = report
        super().__init__(
            f"backfill {report.source}: stopped at page {report.pages_total + 1} "
            f"({'; '.join(report.errors[-1:])}); run it again to resume there"
        )


def day_start(day: date) -> datetime:
    """Midnight in Beijing time, as the sources date their news."""
    return datetime.combine(day, time(), tzinfo=BEIJING)


@dataclass(frozen=True)
class BackfillRequest:
    source: str
    since: datetime | None = None
    """Inclusive."""
    until: datetime | None = None
    """Exclusive."""
    max_pages: int | None = None
    notify: NotifyMode = "none"
    restart: bool = False

    @classmethod
    def for_days(
        cls,
        source: str,
        since: date | None = None,
        until: date | None = None,
        max_pages: int | None = None,
        notify: NotifyMode = "none",
        restart: bool = False,
    ) -> BackfillRequest:
        """From calendar days, ``until`` included."""
        if since and until and until < since:
            raise BackfillError(f"backfill: --until {until} is before --since {since}")
        if max_pages is not None and max_pages < 1:
            raise BackfillError("backfill: --max-pages must be at least 1")
        return cls(
            source,
            day_start(since) if since else None,
            day_start(until + timedelta(days=1)) if until else None,
            max_pages,
            notify,
            restart,
        )

    def in_window(self, when: datetime | None) -> bool:
        if when is None:
            return True  # undated: nothing says it is outside
        return (self.since is None or when >= self.since) and (
            self.until is None or when < self.until
        )

    def older(self, when: datetime | None) -> bool:
        return self.since is not None and when is not None and when < self.since

    def describe(self) -> str:
        since = format_date(self.since) if self.since else "the beginning"
        until = f" to {format_date(self.until - timedelta(days=1))}" if self.until else ""
        return f"since {since}{until}"


@dataclass
class BackfillReport:
    source: str
    status: BackfillStatus = BackfillStatus.RUNNING
    stop_reason: StopReason | None = None
    pages: int = 0
    """Pages walked by this run."""
    pages_total: int = 0
    """Pages done over every run of this backfill."""
    listed: int = 0
    new: int = 0
    relevant: int = 0
    out_of_window: int = 0
    alerts_planned: int = 0
    digests_sent: int = 0
    errors: list[str] = field(default_factory=list)
    relevant_items: list[RelevantItem] = field(default_factory=list)
    deliveries: DeliveryReport = field(default_factory=DeliveryReport)


@dataclass(frozen=True)
class _Run:
    ctx: RunContext
    source: SourceConfig
    source_id: int
    request: BackfillRequest
    progress: Progress
    report: BackfillReport


def _quiet(_line: str) -> None:
    pass


async def run_backfill(
    settings: Settings, config: AppConfig, request: BackfillRequest, progress: Progress = _quiet
) -> BackfillReport:
    """Walk the source's history as asked; ``progress`` gets a line per page."""
    source = source_config(config, request.source)
    engine = open_store(settings, config)
    try:
        with session_scope(engine) as session:
            row = source_store.get_source(session, source.name)
            assert row is not None and row.id is not None  # sync_config made it
            cp = checkpoints.open_checkpoint(
                session, row.id, request.since, request.until, source.url, restart=request.restart
            )
        report = BackfillReport(source.name, pages_total=cp.pages_done)
        async with open_fetcher(engine, settings) as fetcher:
            run = _Run(
                RunContext(settings, config, engine, fetcher),
                source,
                row.id,
                request,
                progress,
                report,
            )
            cp = await _walk(run, cp)
        if cp.status == CheckpointStatus.DONE:
            await asyncio.to_thread(_notify, run, cp)
        return report
    finally:
        stop_classifier_pool()
        engine.dispose()


def source_config(config: AppConfig, name: str) -> SourceConfig:
    try:
        return config.source(name)
    except KeyError:
        known = ", ".join(s.name for s in config.sources) or "none"
        raise BackfillError(
            f"backfill: no source named {name!r} in the config (known: {known})"
        ) from None


async def _walk(run: _Run, cp: BackfillCheckpoint) -> BackfillCheckpoint:
    report, request = run.report, run.request
    if not _walkable(cp, request.max_pages):
        report.status = BackfillStatus.FINISHED
        report.stop_reason = StopReason(cp.stop_reason) if cp.stop_reason else None
        run.progress(
            f"backfill {run.source.name} {request.describe()}: finished already "
            f"({cp.pages_done} pages, {cp.items_stored} stored); --restart walks it "
            "again"
        )
        return cp
    verb = "resuming at" if cp.pages_done else "starting at"
    run.progress(
        f"backfill {run.source.name} {request.describe()}: {verb} page "
        f"{cp.pages_done + 1} ({cp.next_url})"
    )
    visited: set[str] = set()
    while cp.next_url:
        if request.max_pages is not None and cp.pages_done >= request.max_pages:
            return _finish(run, cp, StopReason.MAX_PAGES)
        if cp.next_url in visited:  # a page linking back: the history is over
            return _finish(run, cp, StopReason.END)
        visited.add(cp.next_url)
        try:
            page = await fetch_page(run.ctx.fetcher, run.source, cp.next_url, cp.pages_done + 1)
        except ScrapeError as exc:
            return _fail(run, cp, str(exc))
        if page.gone:
            run.progress(f"page {page.number}: {page.url} does not exist: end of the history")
            return _finish(run, cp, StopReason.END)
        cp, all_older = await _take_page(run, cp, page)
        if all_older:
            return _finish(run, cp, StopReason.SINCE)
    return _finish(run, cp, StopReason.END)


def _walkable(cp: BackfillCheckpoint, max_pages: int | None) -> bool:
    """Not finished, or stopped by a page limit that this run raises."""
    if cp.status != CheckpointStatus.DONE:
        return True
    return (
        cp.stop_reason == StopReason.MAX_PAGES
        and cp.next_url is not None
        and (max_pages is None or max_pages > cp.pages_done)
    )


async def _take_page(
    run: _Run, cp: BackfillCheckpoint, page: ListPage
) -> tuple[BackfillCheckpoint, bool]:
    """Store the page's new articles in the window and advance the checkpoint, together."""
    request, report = run.request, run.report
    candidates = [i for i in page.items if request.in_window(i.published_at)]

    def advance(session: Session, _source: Source, done: Ingested) -> BackfillCheckpoint:
        row = session.get(BackfillCheckpoint, cp.id)
        assert row is not None
        checkpoints.advance(session, row, page.next_url, len(done.stored))
        return row

    done, row = await ingest(
        run.ctx,
        run.source,
        candidates,
        advance,
        alerts=(lambda _row, stored: stored) if request.notify == "instant" else None,
        keep=lambda a: request.in_window(a.published_at),
    )
    relevant = [a for a in done.stored if a.relevant]
    skipped = len(page.items) - len(candidates) + len(done.harvest.dates) - done.harvest.kept
    errors = done.harvest.errors
    report.errors += errors
    report.alerts_planned += done.alerts_planned
    report.pages += 1
    report.pages_total = row.pages_done
    report.listed += len(page.items)
    report.new += len(done.stored)
    report.relevant += len(relevant)
    report.out_of_window += skipped
    report.relevant_items += [RelevantItem.of(a) for a in relevant]
    run.progress(
        f"page {page.number}: {page.url}: {len(page.items)} listed, "
        f"{len(done.stored)} new ({len(relevant)} relevant), {skipped} outside the "
        "window" + (f", {len(errors)} unreadable" if errors else "")
    )
    return row, _all_older(request, page.items, done.harvest.dates)


def _all_older(
    request: BackfillRequest, items: list[ListedItem], dates: dict[str, datetime | None]
) -> bool:
    """Every item of the page is dated before ``since`` (list pages are newest first)."""
    return bool(items) and all(request.older(i.published_at or dates.get(i.url)) for i in items)


def _finish(run: _Run, cp: BackfillCheckpoint, reason: StopReason) -> BackfillCheckpoint:
    with session_scope(run.ctx.engine) as session:
        row = session.get(BackfillCheckpoint, cp.id)
        assert row is not None
        checkpoints.finish(session, row, reason)
    run.report.status, run.report.stop_reason = BackfillStatus.DONE, reason
    why = {
        StopReason.END: "end of the history",
        StopReason.SINCE: "reached items older than since",
        StopReason.MAX_PAGES: f"page limit ({row.pages_done} pages)",
    }[reason]
    run.progress(
        f"backfill {run.source.name}: done: {why}; {row.items_stored} articles "
        "stored over all its runs"
    )
    return row


def _fail(run: _Run, cp: BackfillCheckpoint, error: str) -> BackfillCheckpoint:
    with session_scope(run.ctx.engine) as session:
        row = session.get(BackfillCheckpoint, cp.id)
        assert row is not None
        checkpoints.fail(session, row, error)
    run.report.status = BackfillStatus.FAILED
    run.report.errors.append(error)
    run.progress(f"page {row.pages_done + 1}: {error}: stopped; run again to resume here")
    return row


def _notify(run: _Run, cp: BackfillCheckpoint) -> None:
    """What the walk owes subscribers once it is over: the planned instant alerts, or one
    summary each (once per backfill, however many runs it took)."""
    if run.request.notify == "instant":
        run.report.deliveries = deliver_due(Outbox(run.ctx.engine), run.ctx.config)
    elif run.request.notify == "digest" and cp.notified_at is None:
        run.report.digests_sent = _send_digests(run, cp)


def _send_digests(run: _Run, cp: BackfillCheckpoint) -> int:
    """Plan a summary delivery per (matching subscriber, story, channel) and send them: one
    message per subscriber channel, through the outbox, so a failed one is retried."""
    with session_scope(run.ctx.engine) as session:
        stored = checkpoints.stored_in_window(session, cp)
        subs = load_subscriptions(session, run.ctx.config)
        plan_alerts(session, stored, run.source.name, subs, kind=DeliveryKind.SUMMARY)
        row = session.get(BackfillCheckpoint, cp.id)
        assert row is not None
        checkpoints.mark_notified(session, row)
    report = deliver_due(Outbox(run.ctx.engine), run.ctx.config)
    run.report.deliveries.add(report)
    run.progress(
        f"backfill {run.source.name}: {report.messages} summaries sent"
        + (f", {report.failed} items to retry" if report.failed else "")
    )
    return report.messages


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def summary_lines(report: BackfillReport) -> list[str]:
    lines = [
        f"backfill {report.source}: {report.status}"
        + (f" ({report.stop_reason})" if report.stop_reason else ""),
        f"    {report.pages} pages this run ({report.pages_total} in all), {report.listed} "
        f"listed, {report.new} new, {report.relevant} relevant, {report.out_of_window} outside "
        "the window",
    ]
    d = report.deliveries
    retry = f", {d.failed} failed (will retry)" if d.failed else ""
    if report.digests_sent:  # messages, not items: one summary carries many
        lines.append(
            f"    {_count(report.digests_sent, 'backfill summary', 'backfill summaries')} sent, "
            f"covering {_count(d.sent, 'item')}{retry}"
        )
    elif report.alerts_planned or d.messages or d.failed:
        lines.append(
            f"    alerts: {report.alerts_planned} planned, {_count(d.messages, 'message')} "
            f"sent{retry}"
        )
    lines += [f"    ! {e}" for e in report.errors]
    return lines


@plain_flow(name="backfill")
async def backfill(
    source: str,
    since: date | None = None,
    until: date | None = None,
    max_pages: int | None = None,
    notify: NotifyMode = "none",
    restart: bool = False,
    config_path: str | None = None,
    database_url: str | None = None,
) -> BackfillReport:
    """Store a source's articles published since a date (until a date, inclusive), walking
    its list or feed pages; resumable. Alerts nobody unless ``notify`` says so."""
    settings, config = run_inputs(config_path, database_url)
    request = BackfillRequest.for_days(source, since, until, max_pages, notify, restart)
    logger = get_run_logger()
    report = await run_backfill(settings, config, request, progress=logger.info)
    for line in summary_lines(report):
        logger.info(line)
    found = [observe.Found(report.source, item) for item in report.relevant_items]
    row = observe.SourceRow(
        report.source, report.status, report.listed, report.new, report.relevant, report.errors
    )
    await observe.publish("backfill", [row], found, f"backfill {source} {request.describe()}")
    observe.emit_relevant(found, origin="backfill")
    if report.status == BackfillStatus.FAILED:
        raise BackfillIncomplete(report)
    return report
