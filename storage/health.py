"""Source health: is a source still working, and when did it stop?

A source is marked broken (``Source.broken_reason``/``broken_since``) when

* its selectors suddenly match nothing (``SelectorMatchedNothing`` after earlier successes:
  the site changed its layout),
* it fails ``broken_after_failures`` runs in a row, or
* it goes silent: no new item for longer than max(``silent_after_days``, 4 × its median gap
  between items), once it has at least 5 items.

Marking happens once (the transition returns a ``HealthChange`` for one admin alert); later
runs that find it still broken change nothing. A run that works again clears it by itself.

What can be derived is not stored: items per week are counted from ``articles.fetched_at``.
Queries and decisions are plain functions; ``flows/polling.py`` calls them.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Protocol

from sqlalchemy import func
from sqlmodel import Session, col, select

from ieiwatch.domain import HealthState, utcnow
from ieiwatch.domain.text import clean_text
from ieiwatch.storage.models import Article, Source

SILENCE_FACTOR = 4
"""Silent means quiet for this many of the source's usual gaps between items."""
SILENCE_MIN_ITEMS = 5
"""Below this many items a source has no usual cadence to fall silent from."""
CADENCE_SAMPLE = 50
"""The usual gap is measured over this many newest items (sites change their pace)."""
WEEK = timedelta(days=7)
MAX_ERROR_CHARS = 2000
"""An error kept as ``last_error`` (and shown by ``sources``) is cut here: a hostile page or
a failed query over 100k links can make a message of millions of characters."""


def short_error(error: str) -> str:
    """An error as it is kept and shown: no control characters, at most MAX_ERROR_CHARS."""
    cleaned = clean_text(error[: MAX_ERROR_CHARS + 1], None)
    return cleaned if len(cleaned) <= MAX_ERROR_CHARS else cleaned[: MAX_ERROR_CHARS - 1] + "…"


@dataclass(frozen=True)
class HealthRules:
    broken_after_failures: int = 3
    silent_after: timedelta = WEEK


@dataclass(frozen=True)
class HealthChange:
    """A source became broken, or recovered: worth one message to the operator."""

    source: str
    broken: bool
    reason: str

    @property
    def title(self) -> str:
        return f"source {self.source} is {'broken' if self.broken else 'working again'}"

    @property
    def body(self) -> str:
        if self.broken:
            return (
                f"Source {self.source} is marked broken: {self.reason}\n"
                f"Try `ieiwatch sources check {self.source}` to see what it extracts now. "
                "This alert is sent once; the mark clears when the source works again."
            )
        return f"Source {self.source} works again ({self.reason}); the broken mark is cleared."

    @property
    def summary(self) -> str:
        return f"marked broken: {self.reason}" if self.broken else f"recovered ({self.reason})"


# ----------------------------------------------------------------------------- queries


def item_times(session: Session, source_id: int, limit: int = CADENCE_SAMPLE) -> list[datetime]:
    """When the source's newest items appeared (publication time, else fetch time)."""
    return item_times_of(session, [source_id], limit)[source_id]


def item_times_of(
    session: Session, source_ids: Sequence[int], limit: int = CADENCE_SAMPLE
) -> dict[int, list[datetime]]:
    """Per source, when its newest items appeared (publication time, else fetch time),
    newest first: one query for all of them."""
    if not source_ids:
        return {}
    when = func.coalesce(col(Article.published_at), col(Article.fetched_at))
    rank = (
        func.row_number()
        .over(partition_by=col(Article.source_id), order_by=when.desc())
        .label("rank")
    )
    ranked = (
        select(col(Article.source_id), col(Article.published_at), col(Article.fetched_at), rank)
        .where(col(Article.source_id).in_(source_ids))
        .subquery()
    )
    stmt = (
        select(ranked.c.source_id, ranked.c.published_at, ranked.c.fetched_at)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.source_id, ranked.c.rank)
    )
    found: dict[int, list[datetime]] = {i: [] for i in source_ids}
    for source_id, published, fetched in session.execute(stmt):
        found[source_id].append(published or fetched)
    return found


def items_per_week(session: Session, now: datetime | None = None) -> dict[int, int]:
    """Source id → articles stored in the last 7 days."""
    since = (now or utcnow()) - WEEK
    stmt = (
        select(Article.source_id, func.count())
        .where(col(Article.fetched_at) >= since)
        .group_by(col(Article.source_id))
    )
    return {source_id: count for source_id, count in session.exec(stmt)}


# --------------------------------------------------------------------------- decisions


def median_gap(times: Sequence[datetime]) -> timedelta | None:
    """The median time between consecutive items, or None with fewer than two."""
    ordered = sorted(times)
    gaps = [(b - a).total_seconds() for a, b in pairwise(ordered)]
    return timedelta(seconds=statistics.median(gaps)) if gaps else None


def silence_reason(
    last_item_at: datetime | None, times: Sequence[datetime], now: datetime, rules: HealthRules
) -> str | None:
    """Why the source counts as silent, or None while it keeps its usual pace."""
    if len(times) < SILENCE_MIN_ITEMS:
        return None
    # A date in the future (a typo on the site) must not hide a silence for years.
    capped = [min(t, now) for t in times]
    last = min(last_item_at, now) if last_item_at else max(capped)
    gap = median_gap(capped) or timedelta(0)
    allowed = max(rules.silent_after, SILENCE_FACTOR * gap)
    quiet = now - last
    if quiet <= allowed:
        return None
    return (
        f"silent: no new item since {last:%Y-%m-%d} ({quiet.days} days; its usual gap "
        f"between items is {_days(gap)}, so more than {_days(allowed)} is unusual)"
    )


def failure_reason(
    source: Source, error: str, *, layout_changed: bool, rules: HealthRules
) -> str | None:
    """Why a source that just failed (and was counted) is broken, or None if not yet."""
    if layout_changed and source.last_success_at is not None:
        return f"its selectors match nothing any more (the layout changed?): {error}"
    if source.consecutive_failures >= rules.broken_after_failures:
        return f"failed {source.consecutive_failures} runs in a row; last error: {error}"
    return None


# ------------------------------------------------------------------------ state changes


class Dated(Protocol):
    """An article as stored, or what a run reports of it."""

    @property
    def published_at(self) -> datetime | None: ...

    @property
    def fetched_at(self) -> datetime: ...


def note_new_items(source: Source, stored: Sequence[Dated], now: datetime | None = None) -> None:
    """Move ``last_item_at`` forward to the newest of the articles just stored."""
    now = now or utcnow()
    times = [min(a.published_at or a.fetched_at, now) for a in stored]
    if times and (source.last_item_at is None or max(times) > source.last_item_at):
        source.last_item_at = max(times)


def after_success(
    session: Session,
    source: Source,
    rules: HealthRules,
    *,
    problems: Sequence[str] = (),
    now: datetime | None = None,
) -> HealthChange | None:
    """Health after a successful poll (already recorded by ``storage.sources``).

    ``problems`` are what went wrong without failing the poll (a bozo feed, article pages
    that could not be read): kept as the source's ``last_error`` so they are not lost.
    """
    now = now or utcnow()
    if problems:
        source.last_error = short_error("; ".join(problems))
    assert source.id is not None
    # A source with an item younger than ``rules.silent_after`` is not silent whatever its
    # pace: its items' times (a query) are read only when it could be.
    reason = None
    if not _recent(source, now, rules):
        reason = silence_reason(source.last_item_at, item_times(session, source.id), now, rules)
    change = mark_broken(source, reason, now) if reason else mark_recovered(source)
    session.add(source)
    return change


def after_unchanged(
    session: Session,
    sources: Sequence[Source],
    rules: HealthRules,
    *,
    now: datetime | None = None,
) -> list[HealthChange]:
    """``after_success`` for many sources whose lists did not change, in the caller's one
    transaction: their items' times in one query, and only for the sources that could be
    silent (a source with an item younger than ``rules.silent_after`` cannot be)."""
    now = now or utcnow()
    maybe_silent = [s.id for s in sources if s.id is not None and not _recent(s, now, rules)]
    times = item_times_of(session, maybe_silent)
    changes = []
    for source in sources:
        assert source.id is not None
        reason = silence_reason(source.last_item_at, times.get(source.id, []), now, rules)
        change = mark_broken(source, reason, now) if reason else mark_recovered(source)
        session.add(source)
        if change is not None:
            changes.append(change)
    return changes


def _recent(source: Source, now: datetime, rules: HealthRules) -> bool:
    """An item within ``silent_after``: ``silence_reason`` is None whatever the cadence."""
    last = source.last_item_at
    return last is not None and now - min(last, now) <= rules.silent_after


def after_failure(
    session: Session,
    source: Source,
    error: str,
    rules: HealthRules,
    *,
    layout_changed: bool = False,
    now: datetime | None = None,
) -> HealthChange | None:
    """Health after a failed poll (already counted by ``storage.sources.record_failure``)."""
    reason = failure_reason(source, error, layout_changed=layout_changed, rules=rules)
    change = mark_broken(source, reason, now or utcnow()) if reason else None
    session.add(source)
    return change


def mark_broken(source: Source, reason: str, now: datetime) -> HealthChange | None:
    """Mark it; a change (one alert) only when it was not marked already."""
    if source.broken_reason:
        source.broken_reason = reason  # still broken, maybe for a new reason: no new alert
        return None
    source.broken_reason, source.broken_since = reason, now
    return HealthChange(source.name, broken=True, reason=reason)


def mark_recovered(source: Source) -> HealthChange | None:
    if not source.broken_reason:
        return None
    since = source.broken_since
    source.broken_reason = source.broken_since = None
    note = f"broken since {since:%Y-%m-%d %H:%M} UTC" if since else "was broken"
    return HealthChange(source.name, broken=False, reason=note)


# ------------------------------------------------------------------------ health table


@dataclass(frozen=True)
class SourceHealth:
    name: str
    state: HealthState
    """ok, failing (errors, not yet broken), broken, or new (never polled)."""
    last_success_at: datetime | None
    last_error: str | None
    consecutive_failures: int
    items_per_week: int
    last_item_at: datetime | None
    broken_reason: str | None
    broken_since: datetime | None


def health_table(
    session: Session,
    names: Sequence[str] | None = None,
    now: datetime | None = None,
    *,
    unknown_as_new: bool = False,
) -> list[SourceHealth]:
    """One row per source (all, or those named, in that order); a named source not stored
    yet is left out, or shown as ``new`` with ``unknown_as_new``."""
    rows = {s.name: s for s in session.exec(select(Source))}
    weekly = items_per_week(session, now)
    order = list(names) if names is not None else sorted(rows)
    return [
        _health(rows[name], weekly) if name in rows else never_polled(name)
        for name in order
        if name in rows or unknown_as_new
    ]


def never_polled(name: str) -> SourceHealth:
    return SourceHealth(name, HealthState.NEW, None, None, 0, 0, None, None, None)


def _health(source: Source, weekly: dict[int, int]) -> SourceHealth:
    if source.broken_reason:
        state = HealthState.BROKEN
    elif source.consecutive_failures:
        state = HealthState.FAILING
    elif source.last_polled_at is None:
        state = HealthState.NEW
    else:
        state = HealthState.OK
    return SourceHealth(
        name=source.name,
        state=state,
        last_success_at=source.last_success_at,
        last_error=source.last_error,
        consecutive_failures=source.consecutive_failures,
        items_per_week=weekly.get(source.id or -1, 0),
        last_item_at=source.last_item_at,
        broken_reason=source.broken_reason,
        broken_since=source.broken_since,
    )


def _days(delta: timedelta) -> str:
    days = delta.total_seconds() / 86400
    return f"{days:.1f} days" if days < 10 else f"{days:.0f} days"
