"""The alert outbox: deliveries planned once, claimed by one sender, then sent, retried
with backoff or given up.

States: pending → sending (claimed) → sent; or → failed (with the next try's time) →
sending … → dead after ``MAX_ATTEMPTS``. A claim older than ``STALE_CLAIM`` means its
sender died mid-send; the row is due again. Messages for the operator (``AdminAlert``) go
through the same states in a table of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import ColumnElement, Engine, and_, or_, update
from sqlmodel import Session, col, select

from ieiwatch.domain import DeliveryKind, utcnow
from ieiwatch.domain import DeliveryStatus as S
from ieiwatch.storage import failpoints
from ieiwatch.storage.db import insert_for, session_scope, table_of
from ieiwatch.storage.models import AdminAlert, Article, Delivery, Subscriber
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
    failpoints.reached("store")
    table = table_of(Delivery)
    now = utcnow()
    rows = [{**asdict(p), "status": S.PENDING, "attempts": 0, "created_at": now} for p in planned]
    stmt = (
        insert_for(session)(table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["subscriber_id", "story_id", "channel_key"])
        .returning(table.c.id)
    )
    inserted = len(list(session.execute(stmt)))
    failpoints.reached("plan")
    return inserted


Queued = Delivery | AdminAlert
"""A row of either outbox: the same states, the same retries."""


def _due_clause(now: datetime, table: type[Queued] = Delivery) -> ColumnElement[bool]:
    return or_(
        col(table.status) == S.PENDING,
        and_(col(table.status) == S.FAILED, col(table.next_attempt_at) <= now),
        and_(col(table.status) == S.SENDING, col(table.claimed_at) < now - STALE_CLAIM),
    )


def due(session: Session, *, kind: DeliveryKind, now: datetime | None = None) -> list[Delivery]:
    """Deliveries of this kind that may be sent now, oldest first."""
    stmt = (
        select(Delivery)
        .where(col(Delivery.kind) == kind, _due_clause(now or utcnow()))
        .order_by(col(Delivery.id))
    )
    return list(session.exec(stmt))


def claim(
    session: Session,
    delivery_id: int,
    now: datetime | None = None,
    table: type[Queued] = Delivery,
) -> bool:
    """Take a due row for sending. Only one sender gets True for a given row."""
    now = now or utcnow()
    stmt = (
        update(table)
        .where(col(table.id) == delivery_id, _due_clause(now, table))
        .values(status=S.SENDING, claimed_at=now)
    )
    return session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]


def mark_sent(session: Session, delivery: Queued) -> None:
    delivery.status = S.SENT
    delivery.attempts += 1
    delivery.sent_at = utcnow()
    delivery.last_error = None
    delivery.next_attempt_at = None
    session.add(delivery)


def mark_failed(session: Session, delivery: Queued, error: str) -> None:
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


def mark_dead(session: Session, delivery: Queued, error: str) -> None:
    delivery.status = S.DEAD
    delivery.last_error = error
    delivery.next_attempt_at = None
    session.add(delivery)


def retry_now(session: Session) -> int:
    """Make every failed, not yet dead delivery due at once."""
    total = 0
    for table in (Delivery, AdminAlert):
        stmt = (
            update(table)
            .where(col(table.status) == S.FAILED)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        total += session.execute(stmt).rowcount  # type: ignore[attr-defined]
    return total


def queue_admin_alerts(
    session: Session, channels: Sequence[tuple[str, str]], title: str, body: str
) -> int:
    """Queue one message for each admin channel, given as (channel key, masked URL), in
    the caller's transaction: committed with the change it reports, or not at all."""
    for key, masked in channels:
        session.add(AdminAlert(channel_key=key, channel=masked, title=title, body=body))
    return len(channels)


def list_deliveries(
    session: Session, *, failed_only: bool = False, limit: int = 100
) -> list[Delivery]:
    stmt = select(Delivery)
    if failed_only:
        stmt = stmt.where(col(Delivery.status).in_([S.FAILED, S.DEAD]))
    return list(session.exec(stmt.order_by(col(Delivery.id).desc()).limit(limit)))


@dataclass(frozen=True)
class DeliveryLine:
    """A delivery as an operator reads it: whose, of what, and when."""

    delivery: Delivery
    subscriber: str
    title: str
    url: str


def delivery_lines(
    session: Session,
    *,
    failed_only: bool = False,
    subscriber: str | None = None,
    limit: int = 100,
) -> list[DeliveryLine]:
    """Deliveries newest first, with their subscriber's name and the article's title."""
    stmt = (
        select(Delivery, Subscriber.name, Article.title, Article.url)
        .join(Subscriber, col(Subscriber.id) == col(Delivery.subscriber_id))
        .join(Article, col(Article.id) == col(Delivery.article_id))
    )
    if failed_only:
        stmt = stmt.where(col(Delivery.status).in_([S.FAILED, S.DEAD]))
    if subscriber is not None:
        stmt = stmt.where(col(Subscriber.name) == subscriber)
    rows = session.exec(stmt.order_by(col(Delivery.id).desc()).limit(limit))
    return [DeliveryLine(d, name, title, url) for d, name, title, url in rows]


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

    def claim(
        self,
        ids: Sequence[int],
        now: datetime,
        period: tuple[int, datetime] | None = None,
    ) -> list[ClaimedDelivery]:
        """Take the rows that are still due; the ones another sender took are left out.

        ``period`` (subscriber id, scheduled time) marks a digest's period as begun in the
        same transaction: a sender killed before this commit leaves the digest due."""
        claimed = []
        with session_scope(self._engine) as session:
            if period is not None:
                _begin_period(session, *period, now)
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
        self,
        ids: Sequence[int],
        error: str | None,
        *,
        give_up: bool = False,
        table: type[Queued] = Delivery,
    ) -> list[Queued]:
        """Mark claimed rows sent (``error`` None), failed (retried later) or dead; returns
        the rows as they are now."""
        recorded: list[Queued] = []
        with session_scope(self._engine) as session:
            for delivery_id in ids:
                row = cast(Queued | None, session.get(table, delivery_id))
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

    def queue_admin(self, channels: Sequence[tuple[str, str]], title: str, body: str) -> int:
        """Queue an operator message for each admin channel (key, masked URL)."""
        with session_scope(self._engine) as session:
            return queue_admin_alerts(session, channels, title, body)

    def due_admin(self, now: datetime) -> list[AdminAlert]:
        with session_scope(self._engine) as session:
            stmt = (
                select(AdminAlert).where(_due_clause(now, AdminAlert)).order_by(col(AdminAlert.id))
            )
            return list(session.exec(stmt))

    def claim_admin(self, alert_id: int, now: datetime) -> bool:
        with session_scope(self._engine) as session:
            return claim(session, alert_id, now, AdminAlert)

    def retry_now(self) -> int:
        """Make every failed, not yet dead delivery due at once; returns how many."""
        with session_scope(self._engine) as session:
            return retry_now(session)

    def digest_due(self, subscriber_id: int, scheduled: datetime) -> bool:
        """Whether ``scheduled`` (the period's latest digest time) has passed since the
        subscriber's last digest."""
        with session_scope(self._engine) as session:
            row = session.get(Subscriber, subscriber_id)
            return row is not None and (row.last_digest_at or row.created_at) < scheduled

    def start_digest_period(self, subscriber_id: int, scheduled: datetime, now: datetime) -> bool:
        """True once per digest period: when ``scheduled`` has passed since the
        subscriber's last digest, which is then set to ``now``."""
        with session_scope(self._engine) as session:
            return _begin_period(session, subscriber_id, scheduled, now)


def _begin_period(session: Session, subscriber_id: int, scheduled: datetime, now: datetime) -> bool:
    row = session.get(Subscriber, subscriber_id)
    if row is None or (row.last_digest_at or row.created_at) >= scheduled:
        return False
    row.last_digest_at = now
    session.add(row)
    return True
