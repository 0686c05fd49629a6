"""Every active subscriber as one shape, wherever it was defined (config file or CLI)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ieiwatch.config.schema import AppConfig, DigestSchedule, Filters
from ieiwatch.notify.channels import channel_key
from ieiwatch.storage.models import Subscriber
from ieiwatch.storage.subscribers import subscribers_by_name


@dataclass(frozen=True)
class Subscription:
    id: int
    name: str
    urls: tuple[str, ...]
    mode: str
    digest: DigestSchedule
    filters: Filters
    paused: bool
    origin: str

    def url_for(self, key: str) -> str | None:
        return next((u for u in self.urls if channel_key(u) == key), None)


def load_subscriptions(session: Session, config: AppConfig) -> list[Subscription]:
    """Active subscribers; the config's URLs win for config subscribers (secrets stay in
    the file and the environment)."""
    configured = {s.name: s for s in config.subscribers}
    subs = []
    for row in subscribers_by_name(session).values():
        if not row.active:
            continue
        cfg = configured.get(row.name)
        if row.origin == "config" and cfg is None:
            continue
        urls = tuple(cfg.notify) if cfg else tuple(row.notify_urls)
        subs.append(_subscription(row, urls))
    return sorted(subs, key=lambda s: s.id)


def _subscription(row: Subscriber, urls: tuple[str, ...]) -> Subscription:
    return Subscription(
        id=row.id or 0,
        name=row.name,
        urls=urls,
        mode=row.mode,
        digest=DigestSchedule.model_validate(row.digest or {}),
        filters=Filters.model_validate(row.filters or {}),
        paused=row.paused,
        origin=row.origin,
    )
