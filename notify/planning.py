"""Deciding who is alerted of new articles: one pending delivery per (matching subscriber,
story, channel), written in the caller's transaction (the one that stores the articles), so
an alert decided is never lost, and a story is never planned twice for a channel."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from ieiwatch.domain import DeliveryKind
from ieiwatch.notify.channels import channel_key, mask
from ieiwatch.notify.filters import matches
from ieiwatch.notify.subscriptions import Subscription
from ieiwatch.storage import deliveries
from ieiwatch.storage.articles import articles_since, source_names
from ieiwatch.storage.models import Article


def plan_alerts(
    session: Session,
    articles: Sequence[Article],
    source_name: str,
    subscriptions: Sequence[Subscription],
    *,
    kind: DeliveryKind | None = None,
) -> int:
    """Plan a delivery for every (matching subscriber, story, channel); return how many.

    ``kind`` follows the subscriber's mode (instant or digest) unless given: a backfill's
    ``summary`` goes to every subscriber as one message once it is over. Paused subscribers
    are planned for too: sending keeps their alerts pending until they resume.
    """
    # Masking builds an Apprise plugin: once per URL, not once per article.
    channels = {sub.id: [(channel_key(u), mask(u)) for u in sub.urls] for sub in subscriptions}
    planned = [
        deliveries.PlannedDelivery(
            sub.id,
            article.story_id or 0,
            article.id or 0,
            kind or DeliveryKind(sub.mode),
            key,
            masked,
        )
        for article in articles
        for sub in subscriptions
        if matches(sub.filters, article, source_name)
        for key, masked in channels[sub.id]
    ]
    return deliveries.plan(session, planned)


def plan_since(session: Session, subscription: Subscription, since: datetime) -> int:
    """Plan alerts of the stored articles published since ``since`` for one (new)
    subscriber; returns how many."""
    by_source: dict[int, list[Article]] = defaultdict(list)
    for article in articles_since(session, since):
        by_source[article.source_id].append(article)
    names = source_names(session)
    return sum(
        plan_alerts(session, found, names.get(source_id, "?"), [subscription])
        for source_id, found in by_source.items()
    )
