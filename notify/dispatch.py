"""What sending needs whatever the kind of message: the alert's content, and recording
the outcome of a send on the deliveries it covered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import Session

from ieiwatch.notify.render import AlertItem
from ieiwatch.storage import deliveries
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.models import Article, Delivery, DeliveryStatus
from ieiwatch.storage.stories import story_sources


@dataclass
class DeliveryReport:
    sent: int = 0
    """Deliveries (a story for a channel) sent; a digest carries several."""
    failed: int = 0
    dead: int = 0
    messages: int = 0
    """Messages that went out: an alert, a digest, a summary."""
    errors: list[str] = field(default_factory=list)

    def add(self, other: DeliveryReport) -> None:
        self.messages += other.messages
        self.sent += other.sent
        self.failed += other.failed
        self.dead += other.dead
        self.errors += other.errors


def record_outcome(
    engine: Engine, ids: Sequence[int], error: str | None, report: DeliveryReport,
    *, give_up: bool = False,
) -> None:
    """Mark claimed deliveries sent, failed (to retry) or dead, and count them (and the one
    message they went out in)."""
    if error is None:
        report.messages += 1
    with session_scope(engine) as session:
        for delivery_id in ids:
            row = session.get(Delivery, delivery_id)
            if row is None:
                continue
            if error is None:
                deliveries.mark_sent(session, row)
                report.sent += 1
            elif give_up:
                deliveries.mark_dead(session, row, error)
            else:
                deliveries.mark_failed(session, row, error)
            if row.status == DeliveryStatus.DEAD:
                report.dead += 1
                report.errors.append(f"{row.channel}: gave up: {error}")
            elif row.status == DeliveryStatus.FAILED:
                report.failed += 1
                report.errors.append(f"{row.channel}: {error}")


def alert_item(session: Session, row: Delivery) -> AlertItem:
    article = session.get(Article, row.article_id)
    if article is None:
        raise LookupError(f"delivery {row.id}: article {row.article_id} is gone")
    return AlertItem(
        title=article.title,
        url=article.url,
        published_at=article.published_at,
        type=article.type,
        score=article.score,
        parties=article.parties,
        region=article.region,
        evidence=article.evidence,
        sources=story_sources(session, row.story_id),
    )
