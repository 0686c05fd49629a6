"""Plan alerts for new articles and deliver what is due, one channel at a time.

Planning writes a pending delivery row per (subscriber, article, channel) in the same
transaction that stores the article, so an alert decided is never lost. Sending marks each
row right after its own send: a crash between the two can repeat that one message, and
nothing else. A failed send is retried with backoff on later runs; see
``storage.deliveries``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import Session, select

from ieiwatch.config.schema import AppConfig, SubscriberConfig
from ieiwatch.notify.channels import NotifyError, channel_key, mask, send
from ieiwatch.notify.filters import matches
from ieiwatch.notify.render import render_alert
from ieiwatch.storage import deliveries
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.models import Article, Delivery, DeliveryStatus, Source, Subscriber


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


def plan_alerts(
    session: Session,
    articles: Sequence[Article],
    source_name: str,
    subscribers: Sequence[tuple[SubscriberConfig, Subscriber]],
) -> int:
    planned = [
        deliveries.PlannedDelivery(row.id or 0, article.id or 0, channel_key(url), mask(url))
        for article in articles
        for cfg, row in subscribers
        if not row.paused and matches(cfg.filters, article, source_name)
        for url in cfg.notify
    ]
    return deliveries.plan(session, planned)


def deliver_due(engine: Engine, config: AppConfig) -> DeliveryReport:
    report = DeliveryReport()
    urls = {sub.name: {channel_key(u): u for u in sub.notify} for sub in config.subscribers}
    with session_scope(engine) as session:
        due = deliveries.due(session)
        source_names = {s.id: s.name for s in session.exec(select(Source))}
    for delivery, subscriber, article in due:
        url = urls.get(subscriber.name, {}).get(delivery.channel_key)
        _deliver_one(engine, delivery, article, source_names.get(article.source_id, "?"),
                     url, report)
    return report


def _deliver_one(
    engine: Engine,
    delivery: Delivery,
    article: Article,
    source_name: str,
    url: str | None,
    report: DeliveryReport,
) -> None:
    error = None
    if url is None:
        with session_scope(engine) as session:
            row = session.get(Delivery, delivery.id)
            deliveries.mark_dead(session, row, "channel no longer in the config")
        report.dead += 1
        report.errors.append(f"{delivery.channel}: channel no longer in the config")
        return
    try:
        send(url, render_alert(article, source_name))
    except NotifyError as exc:
        error = str(exc)
    with session_scope(engine) as session:
        row = session.get(Delivery, delivery.id)
        if row is None:
            return
        if error is None:
            deliveries.mark_sent(session, row)
            report.sent += 1
            return
        deliveries.mark_failed(session, row, error)
        report.errors.append(f"{row.channel}: {error}")
        if row.status == DeliveryStatus.DEAD:
            report.dead += 1
        else:
            report.failed += 1


