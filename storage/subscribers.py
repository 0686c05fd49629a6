"""Subscribers: those of the config file, kept in step by name, and those added from the
command line, whose Apprise URLs are kept here."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from ieiwatch.domain import IeiwatchError, SubscriberOrigin, SubscriberSpec, utcnow
from ieiwatch.storage.db import table_of
from ieiwatch.storage.models import Subscriber
from ieiwatch.storage.secrets import reveal, seal
from ieiwatch.storage.sources import insert_missing


class SubscriberError(IeiwatchError):
    """A subscriber cannot be added, changed or found."""


def sync_subscribers(
    session: Session, configured: Sequence[SubscriberSpec]
) -> dict[str, Subscriber]:
    """Match the config: add and update its subscribers, retire the ones it dropped.

    Pausing is the operator's (``ieiwatch subscribers pause``) and survives a sync.
    """
    # New names first, with ON CONFLICT DO NOTHING: two workers syncing at once share a row.
    now = utcnow()
    insert_missing(
        session,
        table_of(Subscriber),
        "name",
        [
            {
                "name": cfg.name,
                "origin": SubscriberOrigin.CONFIG,
                "notify_urls": [],
                "mode": cfg.mode,
                "digest": cfg.digest,
                "filters": cfg.filters,
                "paused": False,
                "active": True,
                "created_at": now,
                "lang": cfg.lang,
            }
            for cfg in configured
        ],
    )
    existing = subscribers_by_name(session)
    names = {cfg.name for cfg in configured}
    for cfg in configured:
        row = existing[cfg.name]
        if row.origin == SubscriberOrigin.CLI:
            raise SubscriberError(
                f"subscriber {cfg.name!r} is in the config and was also added from the command "
                "line; remove one of them"
            )
        row.origin, row.active, row.notify_urls = SubscriberOrigin.CONFIG, True, []
        row.mode, row.digest, row.filters = cfg.mode, dict(cfg.digest), dict(cfg.filters)
        row.lang = cfg.lang
        session.add(row)
        existing[cfg.name] = row
    for row in existing.values():
        if row.origin == SubscriberOrigin.CONFIG and row.name not in names and row.active:
            row.active = False
            session.add(row)
    session.flush()
    return existing


def subscribers_by_name(session: Session) -> dict[str, Subscriber]:
    return {s.name: s for s in session.exec(select(Subscriber))}


def subscriber_names(session: Session) -> dict[int, str]:
    """Subscriber id → name, to show whom deliveries were for."""
    return {s.id or 0: s.name for s in session.exec(select(Subscriber))}


def add_subscriber(session: Session, config: SubscriberSpec) -> Subscriber:
    existing = subscribers_by_name(session).get(config.name)
    if existing is not None and existing.active:
        raise SubscriberError(f"subscriber {config.name!r} exists already")
    row = existing or Subscriber(name=config.name)
    row.origin, row.active, row.paused = SubscriberOrigin.CLI, True, False
    row.notify_urls = [seal(url) for url in config.notify]  # secrets encrypted at rest
    row.mode, row.digest, row.filters = config.mode, dict(config.digest), dict(config.filters)
    row.lang = config.lang
    session.add(row)
    session.flush()
    return row


def stored_urls(row: Subscriber) -> list[str]:
    """A command-line subscriber's Apprise URLs, decrypted."""
    return [reveal(url) for url in row.notify_urls or []]


def get_subscriber(session: Session, name: str) -> Subscriber:
    row = subscribers_by_name(session).get(name)
    if row is None or not row.active:
        raise SubscriberError(f"no subscriber named {name!r}")
    return row


def remove_subscriber(session: Session, name: str) -> None:
    """Retire a command-line subscriber; its deliveries stay as the record of what went."""
    row = get_subscriber(session, name)
    if row.origin == SubscriberOrigin.CONFIG:
        raise SubscriberError(
            f"subscriber {name!r} comes from the config file: remove it there (or pause it)"
        )
    row.active, row.notify_urls = False, []
    session.add(row)


def set_paused(session: Session, name: str, paused: bool) -> None:
    row = get_subscriber(session, name)
    row.paused = paused
    session.add(row)
