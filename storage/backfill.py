"""Backfill checkpoints: one row per (source, since, until) saying which page comes next.

A backfill advances its checkpoint in the same transaction that stores a page's articles,
so after an interruption it continues with the first page not yet done and stores nothing
twice. A finished window is not walked again unless restarted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from ieiwatch.domain import CheckpointStatus, StopReason, utcnow
from ieiwatch.storage.db import insert_for, table_of
from ieiwatch.storage.models import Article, BackfillCheckpoint

RUNNING, FAILED, DONE = CheckpointStatus.RUNNING, CheckpointStatus.FAILED, CheckpointStatus.DONE


def range_key(since: datetime | None, until: datetime | None) -> str:
    """The (since, until) pair as the text of the unique key; an open end is empty."""
    return f"{since.isoformat() if since else ''}..{until.isoformat() if until else ''}"


def open_checkpoint(
    session: Session,
    source_id: int,
    since: datetime | None,
    until: datetime | None,
    first_url: str,
    *,
    restart: bool = False,
) -> BackfillCheckpoint:
    """The window's checkpoint, created at the first page when new, or reset on restart.

    Created with INSERT … ON CONFLICT DO NOTHING, so two workers starting the same
    backfill at once share one row instead of one of them failing.
    """
    date_range = range_key(since, until)
    now = utcnow()
    insert = insert_for(session)
    session.execute(
        insert(table_of(BackfillCheckpoint))
        .values(
            source_id=source_id,
            date_range=date_range,
            since=since,
            until=until,
            next_url=first_url,
            pages_done=0,
            items_stored=0,
            status=RUNNING,
            started_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["source_id", "date_range"])
    )
    row = session.exec(
        select(BackfillCheckpoint).where(
            BackfillCheckpoint.source_id == source_id, BackfillCheckpoint.date_range == date_range
        )
    ).one()
    if restart:
        _reset(row, first_url, now)
    session.add(row)
    session.flush()
    return row


def _reset(row: BackfillCheckpoint, first_url: str, now: datetime) -> None:
    row.next_url, row.pages_done, row.items_stored = first_url, 0, 0
    row.status, row.stop_reason, row.last_error = RUNNING, None, None
    row.started_at, row.updated_at = now, now
    row.finished_at = row.notified_at = None


def advance(session: Session, row: BackfillCheckpoint, next_url: str | None, stored: int) -> None:
    """A page is done: remember the next one (None when there is none)."""
    row.pages_done += 1
    row.items_stored += stored
    row.next_url = next_url
    row.status, row.last_error = RUNNING, None
    row.updated_at = utcnow()
    session.add(row)


def finish(session: Session, row: BackfillCheckpoint, reason: StopReason) -> None:
    row.status, row.stop_reason = DONE, reason
    row.finished_at = row.updated_at = utcnow()
    session.add(row)


def fail(session: Session, row: BackfillCheckpoint, error: str) -> None:
    """The walk stopped on an error; ``next_url`` still names the page to try again."""
    row.status, row.last_error = FAILED, error
    row.updated_at = utcnow()
    session.add(row)


def mark_notified(session: Session, row: BackfillCheckpoint) -> None:
    row.notified_at = utcnow()
    session.add(row)


def stored_in_window(session: Session, row: BackfillCheckpoint) -> list[Article]:
    """Articles of the source stored since the backfill started, within its window.

    The checkpoint keeps no list of ids (a long backfill stores thousands); what the source
    stored since the start is what the backfill, and at most a monitor run beside it, added.
    """
    stmt = select(Article).where(
        Article.source_id == row.source_id, col(Article.fetched_at) >= row.started_at
    )
    # Undated articles were stored as in the window (nothing says otherwise): keep them.
    undated = col(Article.published_at).is_(None)
    if row.since is not None:
        stmt = stmt.where(or_(undated, col(Article.published_at) >= row.since))
    if row.until is not None:
        stmt = stmt.where(or_(undated, col(Article.published_at) < row.until))
    return list(session.exec(stmt.order_by(col(Article.id))))
