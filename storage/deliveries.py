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

from sqlalchemy import and_, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from ieiwatch.storage.models import Delivery
from ieiwatch.storage.models import DeliveryStatus as S
from ieiwatch.storage.types import utcnow

MAX_ATTEMPTS = 8
BASE_BACKOFF = timedelta(minutes=1)
STALE_CLAIM = timedelta(minutes=10)


@dataclass(frozen=True)
class PlannedDelivery:
    subscriber_id: int
    story_id: int
    article_id: int
    kind: str
    channel_key: str
    channel: str


def plan(session: Session, planned: Sequence[PlannedDelivery]) -> int:
    """Insert pending deliveries; a story already planned for a channel is left alone."""
    if not planned:
        return 0
    table = Delivery.__table__
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    rows = [{**asdict(p), "status": S.PENDING, "attempts": 0, "created_at": now} for p in planned]
    stmt = (
        insert(table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["subscriber_id", "story_id", "channel_key"])
        .returning(table.c.id)
    )
    return len(list(session.execute(stmt)))


def _due_clause(now: datetime):
    return or_(
        Delivery.status == S.PENDING,
        and_(Delivery.status == S.FAILED, col(Delivery.next_attempt_at) <= now),
        and_(Delivery.status == S.SENDING, col(Delivery.claimed_at) < now - STALE_CLAIM),
    )


def due(session: Session, *, kind: str, now: datetime | None = None) -> list[Delivery]:
    """Deliveries of this kind that may be sent now, oldest first."""
    stmt = (
        select(Delivery)
        .where(Delivery.kind == kind, _due_clause(now or utcnow()))
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
        .where(Delivery.status == S.FAILED)
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
