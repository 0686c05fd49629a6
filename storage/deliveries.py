"""The alert outbox: deliveries planned once, claimed by one sender, then sent, retried
with backoff or given up.

States: pending → sending (claimed) → sent; or → failed (with the next try's time) →
sending … → dead after ``MAX_ATTEMPTS``. A claim older than ``STALE_CLAIM`` means its
sender died mid-send; the row is due again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, and_, or_, update
from sqlmodel import Session, col, select

from ieiwatch.domain import DeliveryKind, utcnow
from ieiwatch.domain import DeliveryStatus as S
from ieiwatch.storage.db import insert_for, session_scope, table_of
from ieiwatch.storage.models import Article, Delivery, Subscriber
from ieiwatch.storage.stories import story_sources

MAX_ATTEMPTS = 8
BASE_BACKOFF = timedelta(minutes=1)
STALE_CLAIM = timedelta(minutes=10)


@dataclass(frozen=True)
class PlannedDelivery:
    subscriber_id: int
    story_id: int
    article_id: int
    kind: DeliveryKind
    channel_key: str
    channel: str


def plan(session: Session, planned: Sequence[PlannedDelivery]) -> int:
    """Insert pending deliveries; a story already planned for a channel is left alone."""
    if not planned:
        return 0
    table = table_of(Delivery)
    now = utcnow()
    rows = [{**asdict(p), "status": S.PENDING, "attempts": 0, "created_at": now} for p in planned]
    stmt = (
        insert_for(session)(table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["subscriber_id", "story_id", "channel_key"])
        .returning(table.c.id)
    )
    return len(list(session.execute(stmt)))


def _due_clause(now: datetime) -> ColumnElement[bool]:
    return or_(
        col(Delivery.status) == S.PENDING,
        and_(col(Delivery.status) == S.FAILED, col(Delivery.next_attempt_at) <= now),
        and_(col(Delivery.status) == S.SENDING, col(Delivery.claimed_at) < now - STALE_CLAIM),
    )


def due(session: Session, *, kind: DeliveryKind, now: datetime | None = None) -> list[Delivery]:
    """Deliveries of this kind that may be sent now, oldest first."""
    stmt = (
        select(Delivery)
        .where(col(Delivery.kind) == kind, _due_clause(now or utcnow()))
        .order_by(col(Delivery.id))
    )
    return list(session.exec(stmt))


def claim(session: Session, delivery_id: int, now: datetime | None = None) -> bool:
    """Take a due delivery for sending. Only one sender gets True for a given row."""
    now = now or utcnow()
    stmt = (
        update(Delivery)
        .where(col(Delivery.id) == delivery_id, _due_clause(now))
        .values(status=S.SENDING, claimed_at=now)
    )
    return session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]


def mark_sent(session: Session, delivery: Delivery) -> None:
    delivery.status = S.SENT
    delivery.attempts += 1
    delivery.sent_at = utcnow()
    delivery.last_error = None
    delivery.next_attempt_at = None
    session.add(delivery)


def mark_failed(session: Session, delivery: Delivery, error: str) -> None:
    """Record a failed try and schedule the next with exponential backoff, or give up."""
    delivery.attempts += 1
    delivery.last_error = error
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = S.DEAD
        delivery.next_attempt_at = None
    else:
        delivery.status = S.FAILED
        delivery.next_attempt_at = utcnow() + BASE_BACKOFF * 2 ** (delivery.attempts - 1)
    session.add(delivery)


def mark_dead(session: Session, delivery: Delivery, error: str) -> None:
    delivery.status = S.DEAD
    delivery.last_error = error
    delivery.next_attempt_at = None
    session.add(delivery)


def retry_now(session: Session) -> int:
    """Make every failed, not yet dead delivery due at once."""
    stmt = (
        update(Delivery)
        .where(col(Delivery.status) == S.FAILED)
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    return session.execute(stmt).rowcount  # type: ignore[attr-defined]


def list_deliveries(
    session: Session, *, failed_only: bool = False, limit: int = 100
) -> list[Delivery]:
    stmt = select(Delivery)
    if failed_only:
        stmt = stmt.where(col(Delivery.status).in_([S.FAILED, S.DEAD]))
    return list(session.exec(stmt.order_by(col(Delivery.id).desc()).limit(limit)))


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery this sender now holds, with what its message needs."""

    id: int
    channel_key: str
    channel: str
    article: Article
    sources: list[tuple[str, str]]
    """(source name, URL) of every copy of the story, first seen first."""


class Outbox:
    """The outbox as a sender uses it: each call is one transaction of its own, so a send
    (which can take seconds) never holds the database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def subscribers(self) -> list[Subscriber]:
        with session_scope(self._engine) as session:
            return list(session.exec(select(Subscriber).order_by(col(Subscriber.id))))

    def due(self, kind: DeliveryKind, now: datetime) -> list[Delivery]:
        with session_scope(self._engine) as session:
            return due(session, kind=kind, now=now)

    def claim(self, ids: Sequence[int], now: datetime) -> list[ClaimedDelivery]:
        """Take the rows that are still due; the ones another sender took are left out."""
        claimed = []
        with session_scope(self._engine) as session:
            for delivery_id in ids:
                if not claim(session, delivery_id, now):
                    continue
                row = session.get(Delivery, delivery_id)
                article = session.get(Article, row.article_id) if row else None
                if row is None or article is None:
                    raise LookupError(f"delivery {delivery_id}: its article is gone")
                claimed.append(
                    ClaimedDelivery(
                        delivery_id,
                        row.channel_key,
                        row.channel,
                        article,
                        story_sources(session, row.story_id),
                    )
                )
        return claimed

    def record(
        self, ids: Sequence[int], error: str | None, *, give_up: bool = False
    ) -> list[Delivery]:
        """Mark claimed rows sent (``error`` None), failed (retried later) or dead; returns
        the rows as they are now."""
        recorded = []
        with session_scope(self._engine) as session:
            for delivery_id in ids:
                row = session.get(Delivery, delivery_id)
                if row is None:
                    continue
                if error is None:
                    mark_sent(session, row)
                elif give_up:
                    mark_dead(session, row, error)
                else:
                    mark_failed(session, row, error)
                recorded.append(row)
        return recorded

    def retry_now(self) -> int:
        """Make every failed, not yet dead delivery due at once; returns how many."""
        with session_scope(self._engine) as session:
            return retry_now(session)

    def start_digest_period(self, subscriber_id: int, scheduled: datetime, now: datetime) -> bool:
        """True once per digest period: when ``scheduled`` (the period's latest digest time)
        has passed since the subscriber's last digest, which is then set to ``now``."""
        with session_scope(self._engine) as session:
            row = session.get(Subscriber, subscriber_id)
            if row is None or (row.last_digest_at or row.created_at) >= scheduled:
                return False
            row.last_digest_at = now
            session.add(row)
            return True
