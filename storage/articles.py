"""Articles: find which URLs are new, store new ones once, list what is stored."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from ieiwatch.classify import Classification
from ieiwatch.scrapers.models import ScrapedArticle
from ieiwatch.scrapers.urls import url_key
from ieiwatch.storage.models import Article
from ieiwatch.storage.stories import assign_stories, simhash
from ieiwatch.storage.types import utcnow


def content_hash(text: str) -> str:
    normalised = re.sub(r"\s+", " ", text).strip()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:32]


def known_urls(session: Session, urls: Iterable[str]) -> set[str]:
    """The subset of canonical URLs already stored (under any scheme)."""
    by_key = {url_key(u): u for u in urls}
    if not by_key:
        return set()
    stmt = select(Article.url_key).where(col(Article.url_key).in_(list(by_key)))
    return {by_key[k] for k in session.exec(stmt)}


def insert_new(
    session: Session,
    source_id: int,
    items: Sequence[tuple[ScrapedArticle, Classification]],
) -> list[Article]:
    """Store the articles not stored yet, each in a story, and return just those.

    One ``INSERT … ON CONFLICT DO NOTHING RETURNING`` makes it idempotent even when two
    workers store the same article at once: only the one that inserted it gets it back.
    """
    if not items:
        return []
    now = utcnow()
    rows = [_row(source_id, art, cls, now) for art, cls in items]
    table = Article.__table__
    insert = pg_insert if _dialect(session) == "postgresql" else sqlite_insert
    stmt = (
        insert(table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["url_key"])
        .returning(table.c.id)
    )
    new_ids = [row[0] for row in session.execute(stmt)]
    if not new_ids:
        return []
    stored = sorted(
        session.exec(select(Article).where(col(Article.id).in_(new_ids))), key=lambda a: a.id or 0
    )
    assign_stories(session, stored)
    return stored


def _row(source_id: int, art: ScrapedArticle, cls: Classification, now: object) -> dict:
    return {
        "source_id": source_id,
        "url": art.url,
        "url_key": url_key(art.url),
        "title": art.title,
        "published_at": art.published_at,
        "fetched_at": now,
        "text": art.text,
        "lang": cls.lang,
        "content_hash": content_hash(art.text),
        "simhash": simhash(art.text),
        **classification_columns(cls),
    }


def classification_columns(cls: Classification) -> dict:
    data = cls.to_dict()
    return {
        "relevant": cls.relevant,
        "score": cls.score,
        "type": cls.type,
        "parties": data["parties"],
        "region": data["region"],
        "sectors": data["sectors"],
        "evidence": data["evidence"],
        "classifier_version": cls.version,
    }


def list_articles(
    session: Session, *, relevant_only: bool = False, limit: int = 50
) -> list[Article]:
    stmt = select(Article)
    if relevant_only:
        stmt = stmt.where(col(Article.relevant).is_(True))
    stmt = stmt.order_by(col(Article.published_at).desc().nulls_last(), col(Article.id).desc())
    return list(session.exec(stmt.limit(limit)))


def _dialect(session: Session) -> str:
    bind = session.get_bind()
    return bind.dialect.name if isinstance(bind, Engine) else bind.engine.dialect.name


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


def update_classification(session: Session, article: Article, cls: Classification) -> bool:
    """Store a new classification; True when the relevance or type changed."""
    changed = (article.relevant, article.type) != (cls.relevant, cls.type)
    for key, value in classification_columns(cls).items():
        setattr(article, key, value)
    session.add(article)
    return changed
