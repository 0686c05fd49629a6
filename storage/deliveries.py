"""The alert outbox: deliveries planned once, then sent, retried or given up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, or_, select

from ieiwatch.storage.models import Article, Delivery, DeliveryStatus, Subscriber
from ieiwatch.storage.types import utcnow

MAX_ATTEMPTS = 8
BASE_BACKOFF = timedelta(minutes=1)


@dataclass(frozen=True)
class PlannedDelivery:
    subscriber_id: int
    article_id: int
    channel_key: str
    channel: str


def plan(session: Session, planned: Sequence[PlannedDelivery]) -> int:
    """Insert pending deliveries; ones already planned are left as they are."""
    if not planned:
        return 0
    table = Delivery.__table__
    bind = session.get_bind()
    insert = pg_insert if bind.dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    rows = [
        {**p.__dict__, "status": DeliveryStatus.PENDING, "attempts": 0, "created_at": now}
        for p in planned
    ]
    stmt = (
        insert(table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["subscriber_id", "article_id", "channel_key"])
        .returning(table.c.id)
    )
    return len(list(session.execute(stmt)))


def due(
    session: Session, now: datetime | None = None
) -> list[tuple[Delivery, Subscriber, Article]]:
    """Pending deliveries, and failed ones whose next try has come, oldest first."""
    now = now or utcnow()
    stmt = (
        select(Delivery, Subscriber, Article)
        .join(Subscriber, col(Subscriber.id) == Delivery.subscriber_id)
        .join(Article, col(Article.id) == Delivery.article_id)
        .where(
            or_(
                Delivery.status == DeliveryStatus.PENDING,
                (Delivery.status == DeliveryStatus.FAILED)
                & (col(Delivery.next_attempt_at) <= now),
            )
        )
        .order_by(col(Delivery.id))
    )
    return [tuple(row) for row in session.exec(stmt)]  # type: ignore[misc]


def mark_sent(session: Session, delivery: Delivery) -> None:
    delivery.status = DeliveryStatus.SENT
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
        delivery.status = DeliveryStatus.DEAD
        delivery.next_attempt_at = None
    else:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = utcnow() + BASE_BACKOFF * 2 ** (delivery.attempts - 1)
    session.add(delivery)


def mark_dead(session: Session, delivery: Delivery | None, error: str) -> None:
    if delivery is None:
        return
    delivery.status = DeliveryStatus.DEAD
    delivery.last_error = error
    delivery.next_attempt_at = None
    session.add(delivery)


def list_deliveries(session: Session, *, limit: int = 100) -> list[Delivery]:
    stmt = select(Delivery).order_by(col(Delivery.id).desc()).limit(limit)
    return list(session.exec(stmt))
