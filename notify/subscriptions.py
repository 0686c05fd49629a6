"""Every active subscriber as one shape, wherever it was defined (config file or CLI)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session

from ieiwatch.config.schema import AppConfig, DigestSchedule, Filters, SubscriberConfig
from ieiwatch.domain import SubscriberMode, SubscriberOrigin
from ieiwatch.notify.channels import channel_key
from ieiwatch.storage.models import Subscriber
from ieiwatch.storage.subscribers import stored_urls, subscribers_by_name


@dataclass(frozen=True)
class Subscription:
    id: int
    name: str
    urls: tuple[str, ...]
    mode: SubscriberMode
    digest: DigestSchedule
    filters: Filters
    paused: bool
    origin: SubscriberOrigin

    def url_for(self, key: str) -> str | None:
        return next((u for u in self.urls if channel_key(u) == key), None)


def subscriptions(
    rows: Iterable[Subscriber], config: AppConfig, *, unsynced: bool = False
) -> list[Subscription]:
    """The active subscribers among ``rows``; the config's URLs win for config subscribers
    (secrets stay in the file and the environment). ``unsynced`` adds the config's
    subscribers not stored yet (with id 0), for showing them before any run."""
    configured = {s.name: s for s in config.subscribers}
    subs = []
    rows = list(rows)
    stored = {row.name for row in rows}
    if unsynced:
        subs += [_unsynced(cfg) for cfg in config.subscribers if cfg.name not in stored]
    for row in rows:
        if not row.active:
            continue
        cfg = configured.get(row.name)
        if row.origin == SubscriberOrigin.CONFIG and cfg is None:
            continue
        urls = tuple(cfg.notify) if cfg else tuple(stored_urls(row))
        subs.append(_subscription(row, urls))
    return sorted(subs, key=lambda s: s.id)


def load_subscriptions(session: Session, config: AppConfig) -> list[Subscription]:
    """The active subscribers, read in the caller's transaction."""
    return subscriptions(subscribers_by_name(session).values(), config)


def _unsynced(cfg: SubscriberConfig) -> Subscription:
    return Subscription(
        0,
        cfg.name,
        tuple(cfg.notify),
        cfg.mode,
        cfg.digest,
        cfg.filters,
        paused=False,
        origin=SubscriberOrigin.CONFIG,
    )


def _subscription(row: Subscriber, urls: tuple[str, ...]) -> Subscription:
    return Subscription(
        id=row.id or 0,
        name=row.name,
        urls=urls,
        mode=SubscriberMode(row.mode),
        digest=DigestSchedule.model_validate(row.digest or {}),
        filters=Filters.model_validate(row.filters or {}),
        paused=row.paused,
        origin=SubscriberOrigin(row.origin),
    )
