"""Articles: find which URLs are new, store new ones once, list what is stored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, insert, inspect
from sqlalchemy import select as sa_select
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from ieiwatch.domain import ArticleToStore, ArticleType, url_key, utcnow
from ieiwatch.domain.fingerprint import Fingerprint
from ieiwatch.storage.db import in_chunks, table_of
from ieiwatch.storage.models import Article, Source
from ieiwatch.storage.stories import assign_stories, lock_stories

T = TypeVar("T")


def known_urls(session: Session, urls: Iterable[str]) -> set[str]:
    """The subset of canonical URLs already stored (under any scheme)."""
    by_key = {url_key(u): u for u in urls}
    return {by_key[k] for k in _stored_keys(session, list(by_key))}


def insert_new(
    session: Session,
    source_id: int,
    items: Sequence[ArticleToStore],
) -> list[Article]:
    """Store the articles not stored yet, each in a story, and return just those.

    Every writer of articles takes the story lock first, so what this transaction finds
    stored stays so, and nothing else is stored under those URLs, until it ends: two
    workers storing the same article at once store it once.
    """
    if not items:
        return []
    # First, so that writers wait for each other's stories in one order (see stories.py).
    lock_stories(session)
    now = utcnow()
    rows: dict[str, dict[str, Any]] = {}
    for item in items:  # the first of two items with one canonical URL is the one stored
        row = _row(source_id, item, now)
        rows.setdefault(row["url_key"], row)
    for key in _stored_keys(session, list(rows)):
        del rows[key]
    if not rows:
        return []
    # A plain INSERT, which SQLAlchemy compiles once: the dialects' ON CONFLICT forms are
    # compiled anew for every statement, a tenth of a first pass's storing. executemany
    # with RETURNING: "insertmanyvalues" sends batches that stay under the drivers'
    # bind-parameter limits, from the one compiled statement.
    table = table_of(Article)
    stmt = insert(table).returning(table.c.id, table.c.url_key)
    inserted = sorted(session.execute(stmt, list(rows.values())).tuples())
    stored = [_persistent(session, new_id, rows[key]) for new_id, key in inserted]
    assign_stories(session, stored)
    return stored


def _stored_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """The URL keys of ``keys`` already stored."""
    found: set[str] = set()
    for chunk in in_chunks(keys):
        found.update(session.execute(_url_keys_in(), {"keys": chunk}).scalars())
    return found


@cache
def _url_keys_in() -> Select[tuple[str]]:
    # Made once, of the table's column: a statement object keeps its cache key, and a
    # Core statement loads no ORM objects; ``:keys`` is a list.
    column = table_of(Article).c.url_key
    return sa_select(column).where(column.in_(bindparam("keys", expanding=True)))


def _persistent(session: Session, new_id: int, row: dict[str, Any]) -> Article:
    """The article just inserted as ``row``, made from it rather than read back: reading
    would decode the JSON columns again and hold a second copy of every text."""
    # As the column types give them back: the type as its enum, times in UTC. Set as
    # loaded values on an instance made without ``__init__``: SQLModel's validates each
    # field, a twentieth of a first pass's storing, for values the row already checked.
    values = {
        **row,
        "type": ArticleType(row["type"]) if row["type"] else None,
        "published_at": row["published_at"] and row["published_at"].astimezone(UTC),
        "fetched_at": row["fetched_at"].astimezone(UTC),
        "id": new_id,
        "story_id": None,
        "corrected": False,
    }
    configure_mappers()  # instrumented attributes exist once the mappers are configured
    article: Article = _ARTICLES.new_instance()
    for column, value in values.items():
        set_committed_value(article, column, value)
    make_transient_to_detached(article)
    session.add(article)
    return article


_ARTICLES = inspect(Article).class_manager
"""Makes instrumented articles (``__new__`` without ``__init__``)."""


def _row(source_id: int, item: ArticleToStore, now: datetime) -> dict[str, Any]:
    # Computed where the article was classified, off this writer's lock, when it could be.
    fingerprint = item.fingerprint or Fingerprint.of(item.text)
    return {
        "source_id": source_id,
        "url": item.url,
        "url_key": url_key(item.url),
        "title": item.title,
        "published_at": item.published_at,
        "fetched_at": now,
        "text": item.text,
        "content_hash": fingerprint.content_hash,
        "simhash": fingerprint.simhash,
        "publisher": item.publisher,
        **classification_columns(item),
    }


def classification_columns(item: ArticleToStore) -> dict[str, Any]:
    """The classification's columns; the typed JSON columns take ``Party`` and ``Region``
    as they are, in an INSERT as on an ORM object."""
    return {
        "lang": item.lang,
        "relevant": item.relevant,
        "score": item.score,
        "type": item.type,
        "parties": list(item.parties),
        "region": item.region,
        "sectors": list(item.sectors),
        "evidence": list(item.evidence),
        "classifier_version": item.classifier_version,
    }


def list_articles(
    session: Session, *, relevant_only: bool = False, limit: int = 50
) -> list[Article]:
    stmt = select(Article)
    if relevant_only:
        stmt = stmt.where(col(Article.relevant).is_(True))
    stmt = stmt.order_by(col(Article.published_at).desc().nulls_last(), col(Article.id).desc())
    return list(session.exec(stmt.limit(limit)))


def articles_since(session: Session, since: datetime) -> list[Article]:
    """Stored articles published since a time, oldest first."""
    stmt = (
        select(Article)
        .where(col(Article.published_at) >= since)
        .order_by(col(Article.published_at), col(Article.id))
    )
    return list(session.exec(stmt))


def batch_to_reclassify(
    session: Session, version: str, *, after_id: int, limit: int, everything: bool = False
) -> list[Article]:
    """The next batch (by id) of articles classified by another classifier version."""
    stmt = select(Article).where(col(Article.id) > after_id)
    if not everything:
        stmt = stmt.where(Article.classifier_version != version)
    return list(session.exec(stmt.order_by(col(Article.id)).limit(limit)))


ANALYST_COLUMNS = ("relevant", "type", "parties")
"""What an analyst's mark sets (storage/marks.py); a reclassification keeps them."""


def update_classification(session: Session, article: Article, new: ArticleToStore) -> bool:
    """Store a new classification of a stored article; True when the relevance or type
    changed. A corrected article keeps the analyst's relevance, type and parties."""
    columns = classification_columns(new)
    if article.corrected:
        columns = {k: v for k, v in columns.items() if k not in ANALYST_COLUMNS}
    changed = any(getattr(article, k) != columns[k] for k in ("relevant", "type") if k in columns)
    for column, value in columns.items():
        setattr(article, column, value)
    session.add(article)
    return changed


def source_names(session: Session) -> dict[int, str]:
    """Source id → name, to show where articles came from."""
    return {s.id or 0: s.name for s in session.exec(select(Source))}
