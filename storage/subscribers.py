"""Subscribers, kept in step with the config by name."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from ieiwatch.config.schema import SubscriberConfig
from ieiwatch.storage.models import Subscriber


def sync_subscribers(
    session: Session, configured: Sequence[SubscriberConfig]
) -> dict[str, Subscriber]:
    existing = {s.name: s for s in session.exec(select(Subscriber))}
    for cfg in configured:
        row = existing.get(cfg.name) or Subscriber(name=cfg.name)
        row.mode = cfg.mode
        row.filters = cfg.filters.model_dump()
        session.add(row)
        existing[cfg.name] = row
    session.flush()
    return existing


def subscribers_by_name(session: Session) -> dict[str, Subscriber]:
    return {s.name: s for s in session.exec(select(Subscriber))}
