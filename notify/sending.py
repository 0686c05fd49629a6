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
from datetime import datetime, timedelta

from ieiwatch.config.schema import AppConfig
from ieiwatch.domain import DeliveryKind, DeliveryStatus, SubscriberMode, utcnow
from ieiwatch.notify.admin import queue_admin_alert, send_admin_due
from ieiwatch.notify.channels import (
    NotifyError,
    delivery_key,
    send,
)
from ieiwatch.notify.chat import Channel, channel_for
from ieiwatch.notify.render import alert_parts, digest_parts
from ieiwatch.notify.schedule import last_occurrence
from ieiwatch.notify.subscriptions import Subscription, subscriptions
from ieiwatch.notify.views import AlertItem, Letter, Part, Scope
from ieiwatch.storage import failpoints
from ieiwatch.storage.deliveries import ClaimedDelivery, Outbox, Queued
from ieiwatch.storage.models import Delivery, Subscriber

Render = Callable[[list[AlertItem], Channel, Letter], list[Part]]
"""The message for the claimed items, written for the channel and the reader: one part,
or several numbered ones when the service's size limit needs them."""

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

    def count(self, recorded: Sequence[Queued], error: str | None) -> None:
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
    period: tuple[int, datetime] | None = None
    """A digest that opens its period: (subscriber id, the period's scheduled time), noted
    as sent in the claim's own transaction."""


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
    """Send what is due of these kinds, in this order, then the operator's messages."""
    now = now or utcnow()
    rows = outbox.subscribers()
    subs = {s.id: s for s in subscriptions(rows, config)}
    readers = letters(rows, config)
    report = DeliveryReport()
    for kind in kinds:
        for batch in due_batches(outbox, kind, subs, now):
            reader = readers.get(batch.subscription.id) if batch.subscription else None
            send_batch(outbox, batch, now, report, reader)
    if report.dead:
        queue_admin_alert(
            outbox,
            config.admin_notify,
            f"{report.dead} deliveries given up",
            "\n".join(e for e in report.errors if "gave up" in e),
        )
    report.errors += send_admin_due(outbox, config.admin_notify, now)
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


def letters(rows: Sequence[Subscriber], config: AppConfig) -> dict[int, Letter]:
    """Each subscriber's language (the config's, for its subscribers) and the web app's
    page for managing subscriptions, when its address is configured."""
    configured = {s.name: s.lang for s in config.subscribers}
    base = config.web.base_url
    manage = f"{base}/subscribers" if base else None
    return {
        row.id or 0: Letter(row.name, configured.get(row.name, row.lang), manage) for row in rows
    }


def send_batch(
    outbox: Outbox,
    batch: Batch,
    now: datetime,
    report: DeliveryReport,
    letter: Letter | None = None,
) -> None:
    """Claim → render → send → record, for one message, or for each numbered part of one
    too long for its service: a part's stories are recorded as it goes, so a failed part
    and those after it are retried, and the ones already sent are not sent again."""
    claimed = outbox.claim(batch.ids, now, batch.period)
    if not claimed:
        return  # another sender took them
    failpoints.reached("claimed")
    url = batch.subscription.url_for(batch.channel_key) if batch.subscription else None
    if url is None or batch.subscription is None:
        report.count(outbox.record([c.id for c in claimed], GONE, give_up=True), GONE)
        return
    letter = letter or Letter(batch.subscription.name)
    parts = batch.render([alert_item(c) for c in claimed], channel_for(url), letter)
    for n, part in enumerate(parts):
        ids = [claimed[i].id for i in part.items]
        try:
            send(url, part.message, delivery_key(ids or [claimed[0].id]))
            failpoints.reached("sent")  # the crash window: sent, not yet recorded
        except NotifyError as exc:
            unsent = [claimed[i].id for later in parts[n:] for i in later.items]
            report.count(outbox.record(unsent, str(exc)), str(exc))
            return
        report.count(outbox.record(ids, None), None)


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
        text=article.text,
    )


def _instant(rows: list[Delivery], subs: dict[int, Subscription]) -> Iterator[Batch]:
    for row in rows:
        sub = subs.get(row.subscriber_id)
        if sub is not None and sub.paused:
            continue  # kept pending: sent when the subscriber resumes
        yield Batch(
            sub,
            row.channel_key,
            [row.id or 0],
            lambda items, channel, letter: alert_parts(items[0], channel, letter),
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
        scheduled = last_occurrence(sub.digest, now)
        opening = outbox.digest_due(sub.id, scheduled)
        if not opening:
            # Between periods only a retry goes: failed rows, and rows whose sender died
            # (a stale claim), which must not wait for the next period.
            rows = [r for r in rows if r.status != DeliveryStatus.PENDING]
        elif not rows:
            outbox.start_digest_period(sub.id, scheduled, now)  # an empty period
        period = (sub.id, scheduled) if opening else None
        step = timedelta(days=7 if sub.digest.every == "weekly" else 1)
        scope = Scope(sub.digest.every, scheduled - step, scheduled)
        yield from _per_channel(sub, rows, scope, period)


def _summaries(rows: list[Delivery], subs: dict[int, Subscription]) -> Iterator[Batch]:
    """What a backfill planned goes out at once, one message per subscriber channel."""
    by_subscriber: dict[int, list[Delivery]] = defaultdict(list)
    for row in rows:
        sub = subs.get(row.subscriber_id)
        if sub is not None and not sub.paused:
            by_subscriber[sub.id].append(row)
    for sub_id, mine in by_subscriber.items():
        yield from _per_channel(subs[sub_id], mine, Scope("backfill"))


def _per_channel(
    sub: Subscription,
    rows: list[Delivery],
    scope: Scope,
    opens: tuple[int, datetime] | None = None,
) -> Iterator[Batch]:
    by_channel: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        by_channel[row.channel_key].append(row.id or 0)
    for key, ids in by_channel.items():
        yield Batch(
            sub,
            key,
            ids,
            lambda items, channel, letter: digest_parts(items, channel, letter, scope),
            opens,
        )
