"""Sending what the outbox holds, through one loop for every kind of message: an instant
alert (one story), a digest (a subscriber channel's stories of a period) and a backfill
summary (its stories, once the backfill is over).

Each message is claim → render → send → record: the rows are claimed first (so two
workers never send the same one), sent to one Apprise URL, and marked sent, failed (retried
with backoff) or dead right after. A crash between a send and its record is the one window
in which a message can repeat: the claim goes stale after ``STALE_CLAIM`` and the rows are
sent again. The outbox (``storage.deliveries.Outbox``) owns the transactions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ieiwatch.config.schema import AppConfig
from ieiwatch.domain import DeliveryKind, DeliveryStatus, SubscriberMode, utcnow
from ieiwatch.notify.admin import send_admin_alert
from ieiwatch.notify.channels import Message, NotifyError, preferred_format, send
from ieiwatch.notify.render import AlertItem, render_alert, render_digest
from ieiwatch.notify.schedule import last_occurrence, period_name
from ieiwatch.notify.subscriptions import Subscription, subscriptions
from ieiwatch.storage.deliveries import ClaimedDelivery, Outbox
from ieiwatch.storage.models import Delivery

Render = Callable[[list[AlertItem], str], Message]
"""The message for the claimed items, in a format (html, markdown or text)."""

GONE = "subscriber or channel no longer configured"


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

    def count(self, recorded: Sequence[Delivery], error: str | None) -> None:
        """Count the rows of one message, as the outbox recorded them."""
        if error is None:
            self.messages += 1
        for row in recorded:
            if row.status == DeliveryStatus.SENT:
                self.sent += 1
            elif row.status == DeliveryStatus.DEAD:
                self.dead += 1
                self.errors.append(f"{row.channel}: gave up: {error}")
            elif row.status == DeliveryStatus.FAILED:
                self.failed += 1
                self.errors.append(f"{row.channel}: {error}")


@dataclass(frozen=True)
class Batch:
    """The deliveries that go out as one message to one channel of one subscriber."""

    subscription: Subscription | None
    """None when the subscriber is gone: its rows are given up."""
    channel_key: str
    ids: list[int]
    render: Render


ALL_KINDS = (DeliveryKind.INSTANT, DeliveryKind.DIGEST, DeliveryKind.SUMMARY)


def deliver_due(outbox: Outbox, config: AppConfig, now: datetime | None = None) -> DeliveryReport:
    """Send every due instant alert, then every due digest and backfill summary; tell the
    admin about deliveries given up."""
    return send_due(outbox, config, ALL_KINDS, now)


def send_due(
    outbox: Outbox,
    config: AppConfig,
    kinds: Sequence[DeliveryKind],
    now: datetime | None = None,
) -> DeliveryReport:
    """Send what is due of these kinds, in this order."""
    now = now or utcnow()
    subs = {s.id: s for s in subscriptions(outbox.subscribers(), config)}
    report = DeliveryReport()
    for kind in kinds:
        for batch in due_batches(outbox, kind, subs, now):
            send_batch(outbox, batch, now, report)
    if report.dead and config.admin_notify:
        report.errors += send_admin_alert(
            config.admin_notify,
            f"{report.dead} deliveries given up",
            "\n".join(e for e in report.errors if "gave up" in e),
        )
    return report


def due_batches(
    outbox: Outbox, kind: DeliveryKind, subs: dict[int, Subscription], now: datetime
) -> Iterator[Batch]:
    """The messages due now of one kind."""
    if kind == DeliveryKind.INSTANT:
        yield from _instant(outbox.due(kind, now), subs)
    elif kind == DeliveryKind.DIGEST:
        yield from _digests(outbox, subs, now)
    else:
        yield from _summaries(outbox.due(kind, now), subs)


def send_batch(outbox: Outbox, batch: Batch, now: datetime, report: DeliveryReport) -> None:
    """Claim → render → send → record, for one message."""
    claimed = outbox.claim(batch.ids, now)
    if not claimed:
        return  # another sender took them
    url = batch.subscription.url_for(batch.channel_key) if batch.subscription else None
    error = GONE if url is None else None
    if url is not None:
        try:
            send(url, batch.render([alert_item(c) for c in claimed], preferred_format(url)))
        except NotifyError as exc:
            error = str(exc)
    recorded = outbox.record([c.id for c in claimed], error, give_up=url is None)
    report.count(recorded, error)


def alert_item(claimed: ClaimedDelivery) -> AlertItem:
    article = claimed.article
    return AlertItem(
        title=article.title,
        url=article.url,
        published_at=article.published_at,
        type=article.type,
        score=article.score,
        parties=list(article.parties),
        region=article.region,
        evidence=list(article.evidence),
        sources=claimed.sources,
    )


def _instant(rows: list[Delivery], subs: dict[int, Subscription]) -> Iterator[Batch]:
    for row in rows:
        sub = subs.get(row.subscriber_id)
        if sub is not None and sub.paused:
            continue  # kept pending: sent when the subscriber resumes
        yield Batch(
            sub, row.channel_key, [row.id or 0], lambda items, fmt: render_alert(items[0], fmt)
        )


def _digests(outbox: Outbox, subs: dict[int, Subscription], now: datetime) -> Iterator[Batch]:
    """Each digest subscriber's stories of the period that has ended, one message per
    channel; between periods, only the failed ones are retried."""
    waiting: dict[int, list[Delivery]] = defaultdict(list)
    for row in outbox.due(DeliveryKind.DIGEST, now):
        waiting[row.subscriber_id].append(row)
    for sub in subs.values():
        if sub.mode != SubscriberMode.DIGEST or sub.paused:
            continue
        rows = waiting.get(sub.id, [])
        if not outbox.start_digest_period(sub.id, last_occurrence(sub.digest, now), now):
            rows = [r for r in rows if r.status == DeliveryStatus.FAILED]  # a retry only
        yield from _per_channel(sub, rows, period_name(sub.digest))


def _summaries(rows: list[Delivery], subs: dict[int, Subscription]) -> Iterator[Batch]:
    """What a backfill planned goes out at once, one message per subscriber channel."""
    by_subscriber: dict[int, list[Delivery]] = defaultdict(list)
    for row in rows:
        sub = subs.get(row.subscriber_id)
        if sub is not None and not sub.paused:
            by_subscriber[sub.id].append(row)
    for sub_id, mine in by_subscriber.items():
        yield from _per_channel(subs[sub_id], mine, "Backfill")


def _per_channel(sub: Subscription, rows: list[Delivery], period: str) -> Iterator[Batch]:
    by_channel: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        by_channel[row.channel_key].append(row.id or 0)
    for key, ids in by_channel.items():
        yield Batch(sub, key, ids, lambda items, fmt: render_digest(sub.name, period, items, fmt))
