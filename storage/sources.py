"""Sources and their fetch state: validators for conditional GET, last success and error,
and the list structure discovered on the page of a source without selectors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import Table
from sqlmodel import Session, col, select

from ieiwatch.domain import SourceKind, utcnow
from ieiwatch.storage.db import insert_for, table_of
from ieiwatch.storage.models import Source


class SourceSpec(Protocol):
    """What storage keeps of a configured source (``config.SourceConfig`` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def url(self) -> str: ...


def sync_sources(session: Session, configured: Sequence[SourceSpec]) -> dict[str, Source]:
    """Make the table match the config by name; fetch state survives edits of other keys.

    New names are inserted with ON CONFLICT DO NOTHING first, so two workers syncing the
    same config at once both end up reading the one row instead of one failing. A config
    that matches the table costs one query: rows are written only where something changed.
    """
    existing = {s.name: s for s in session.exec(select(Source))}
    missing = [c for c in configured if c.name not in existing]
    if missing:
        insert_missing(
            session,
            table_of(Source),
            "name",
            [{"name": c.name, "kind": c.kind, "url": c.url} for c in missing],
        )
        added = select(Source).where(col(Source.name).in_([c.name for c in missing]))
        existing.update((s.name, s) for s in session.exec(added))
    for cfg in configured:
        row = existing[cfg.name]
        kind = SourceKind(cfg.kind)
        if row.url == cfg.url and row.kind == kind:
            continue
        if row.url != cfg.url:
            # A new URL is a new resource: its validators and its list would be meaningless.
            row.etag = row.last_modified = None
            row.discovered_list = None
        row.kind, row.url = kind, cfg.url
        session.add(row)
    session.flush()
    return existing


def insert_missing(session: Session, table: Table, key: str, rows: list[dict[str, Any]]) -> None:
    """Insert the rows whose unique ``key`` is not taken yet; leave the others alone."""
    if not rows:
        return
    insert = insert_for(session)
    session.execute(insert(table).values(rows).on_conflict_do_nothing(index_elements=[key]))


def record_success(
    session: Session, source: Source, etag: str | None, last_modified: str | None
) -> None:
    now = utcnow()
    source.etag, source.last_modified = etag, last_modified
    source.last_polled_at = source.last_success_at = now
    source.last_error = None
    source.consecutive_failures = 0
    session.add(source)


def record_failure(session: Session, source: Source, error: str) -> None:
    source.last_polled_at = utcnow()
    source.last_error = error
    source.consecutive_failures += 1
    session.add(source)


def get_source(session: Session, name: str) -> Source | None:
    return session.exec(select(Source).where(Source.name == name)).first()


def get_sources(session: Session, names: Sequence[str]) -> dict[str, Source]:
    """The named sources that are stored, by name, in one query."""
    if not names:
        return {}
    stmt = select(Source).where(col(Source.name).in_(names))
    return {row.name: row for row in session.exec(stmt)}


def discovered_list(session: Session, name: str) -> dict[str, Any] | None:
    """The list structure discovered on the source's page, if any was kept."""
    row = get_source(session, name)
    return row.discovered_list if row is not None else None


def keep_discovered_list(session: Session, source: Source, structure: dict[str, Any]) -> None:
    """Keep the list structure found on the source's page for its next polls."""
    if source.discovered_list != structure:
        source.discovered_list = structure
        session.add(source)
