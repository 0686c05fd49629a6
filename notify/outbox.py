"""Plan alerts for new articles and deliver what is due, one channel at a time.

Planning writes a pending delivery row per (subscriber, story, channel) in the same
transaction that stores the article, so an alert decided is never lost, and a story is
never planned twice for a channel. Sending claims a row (so two workers never send the same
one), sends, and records the outcome right after. A crash between a send and its record is
the one window in which a message can repeat: the claim goes stale after
``STALE_CLAIM`` and the row is sent again. A failed send is retried with backoff on later
runs; see ``storage.deliveries``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from ieiwatch.config.schema import AppConfig
from ieiwatch.notify.admin import send_admin_alert
from ieiwatch.notify.channels import NotifyError, channel_key, mask, preferred_format, send
from ieiwatch.notify.digest import send_due_digests, send_due_summaries
from ieiwatch.notify.dispatch import DeliveryReport, alert_item, record_outcome
from ieiwatch.notify.filters import matches
from ieiwatch.notify.render import render_alert
from ieiwatch.notify.subscriptions import Subscription, load_subscriptions
from ieiwatch.storage import deliveries
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.models import Article, Delivery
from ieiwatch.storage.types import utcnow


def plan_alerts(
    session: Session,
    articles: Sequence[Article],
    source_name: str,
    subscriptions: Sequence[Subscription],
    *,
    kind: str | None = None,
) -> int:
    """Plan a delivery for every (matching subscriber, story, channel); return how many.

    ``kind`` is the subscriber's mode (instant or digest) unless given: a backfill's
    ``summary`` goes to every subscriber as one message once it is over.
    """
    # Masking builds an Apprise plugin: once per URL, not once per article.
    channels = {sub.id: [(channel_key(u), mask(u)) for u in sub.urls] for sub in subscriptions}
    planned = [
        deliveries.PlannedDelivery(
            sub.id, article.story_id or 0, article.id or 0, kind or sub.mode, key, masked
        )
        for article in articles
        for sub in subscriptions
        if not sub.paused and matches(sub.filters, article, source_name)
        for key, masked in channels[sub.id]
    ]
    return deliveries.plan(session, planned)


def deliver_due(engine: Engine, config: AppConfig, now: datetime | None = None) -> DeliveryReport:
    """Send every due instant alert, then every due digest and backfill summary; tell the
    admin about deaths."""
    now = now or utcnow()
    report = DeliveryReport()
    with session_scope(engine) as session:
        subs = {s.id: s for s in load_subscriptions(session, config)}
        due = deliveries.due(session, kind="instant", now=now)
    for row in due:
        sub = subs.get(row.subscriber_id)
        if sub is not None and sub.paused:
            continue  # kept pending: sent when the subscriber resumes
        _deliver_instant(engine, row, sub, report, now)
    report.add(send_due_digests(engine, config, now))
    report.add(send_due_summaries(engine, config, now))
    if report.dead and config.admin_notify:
        report.errors += send_admin_alert(
            config.admin_notify, f"{report.dead} deliveries given up",
            "\n".join(e for e in report.errors if "gave up" in e),
        )
    return report


def _deliver_instant(
    engine: Engine, row: Delivery, sub: Subscription | None, report: DeliveryReport,
    now: datetime,
) -> None:
    with session_scope(engine) as session:
        if not deliveries.claim(session, row.id or 0, now):
            return  # another sender took it
        item = alert_item(session, row)
    url = sub.url_for(row.channel_key) if sub else None
    error = "subscriber or channel no longer configured" if url is None else None
    if url is not None:
        try:
            send(url, render_alert(item, preferred_format(url)))
        except NotifyError as exc:
            error = str(exc)
    record_outcome(engine, [row.id or 0], error, report, give_up=url is None)
