"""Digests: one message per subscriber channel and period (daily or weekly, at a local
time), listing the stories planned for it since the last one; and backfill summaries, the
same message sent as soon as a backfill is over."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from ieiwatch.config.schema import WEEKDAYS, AppConfig, DigestSchedule
from ieiwatch.notify.channels import NotifyError, preferred_format, send
from ieiwatch.notify.dispatch import DeliveryReport, alert_item, record_outcome
from ieiwatch.notify.render import render_digest
from ieiwatch.notify.subscriptions import Subscription, load_subscriptions
from ieiwatch.storage import deliveries
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.models import Delivery, DeliveryStatus, Subscriber


def last_occurrence(schedule: DigestSchedule, now: datetime) -> datetime:
    """The latest scheduled digest time at or before ``now``."""
    zone = ZoneInfo(schedule.timezone)
    local = now.astimezone(zone)
    hour, minute = (int(x) for x in schedule.at.split(":"))
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if schedule.every == "weekly":
        back = (local.weekday() - WEEKDAYS.index(schedule.weekday)) % 7
        candidate -= timedelta(days=back)
        step = timedelta(days=7)
    else:
        step = timedelta(days=1)
    while candidate > local:
        candidate -= step
    return candidate


def send_due_digests(engine: Engine, config: AppConfig, now: datetime) -> DeliveryReport:
    report = DeliveryReport()
    with session_scope(engine) as session:
        subs = [s for s in load_subscriptions(session, config)
                if s.mode == "digest" and not s.paused]
    for sub in subs:
        _digest_for(engine, sub, now, report)
    return report


def _digest_for(engine: Engine, sub: Subscription, now: datetime, report: DeliveryReport) -> None:
    with session_scope(engine) as session:
        row = session.get(Subscriber, sub.id)
        assert row is not None
        since = row.last_digest_at or row.created_at
        period_due = since < last_occurrence(sub.digest, now)
        due = [d for d in deliveries.due(session, kind="digest", now=now)
               if d.subscriber_id == sub.id]
        if not period_due:
            due = [d for d in due if d.status == DeliveryStatus.FAILED]  # a retry only
        if period_due:
            row.last_digest_at = now
            session.add(row)
    by_channel: dict[str, list[Delivery]] = defaultdict(list)
    for d in due:
        by_channel[d.channel_key].append(d)
    for key, rows in by_channel.items():
        period = "Weekly" if sub.digest.every == "weekly" else "Daily"
        _send_channel(engine, sub, key, rows, report, now, period)


def send_due_summaries(engine: Engine, config: AppConfig, now: datetime) -> DeliveryReport:
    """Backfill summaries: what a backfill planned goes out at once, one message per
    subscriber channel (failed ones again after their backoff)."""
    report = DeliveryReport()
    with session_scope(engine) as session:
        subs = {s.id: s for s in load_subscriptions(session, config) if not s.paused}
        due = deliveries.due(session, kind="summary", now=now)
    groups: dict[tuple[int, str], list[Delivery]] = defaultdict(list)
    for d in due:
        if d.subscriber_id in subs:
            groups[(d.subscriber_id, d.channel_key)].append(d)
    for (sub_id, key), rows in groups.items():
        _send_channel(engine, subs[sub_id], key, rows, report, now, "Backfill")
    return report


def _send_channel(
    engine: Engine, sub: Subscription, key: str, rows: list[Delivery], report: DeliveryReport,
    now: datetime, period: str,
) -> None:
    with session_scope(engine) as session:
        claimed = [r for r in rows if deliveries.claim(session, r.id or 0, now)]
        items = [alert_item(session, r) for r in claimed]
    if not claimed:
        return
    url = sub.url_for(key)
    error = "subscriber or channel no longer configured" if url is None else None
    if url is not None:
        try:
            send(url, render_digest(sub.name, period, items, preferred_format(url)))
        except NotifyError as exc:
            error = str(exc)
    record_outcome(engine, [r.id or 0 for r in claimed], error, report, give_up=url is None)
