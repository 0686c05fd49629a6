"""Full-text search over the articles' title and text, Chinese and English alike.

SQLite: an FTS5 table with the trigram tokenizer (Chinese has no spaces between words;
trigrams find any substring of three characters or more, case-insensitively), holding no
copy of the text (``content='articles'``) and kept in step by triggers. PostgreSQL: a
pg_trgm GIN index on ``title || ' ' || text``, which ``ILIKE '%…%'`` uses. Both are made by
migration 0004 and are outside the models, so the schema comparison leaves them alone
(``is_search_object``).

A query is split on spaces; every term must occur. Terms shorter than three characters
cannot use a trigram index and fall back to a plain ``LIKE`` scan.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import (
    JSON,
    ColumnElement,
    Text,
    and_,
    column,
    exists,
    func,
    literal_column,
    or_,
    text,
    type_coerce,
)
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from ieiwatch.domain import BEIJING, ArticleType
from ieiwatch.domain.places import gazetteer, region_names, same_place_name, world
from ieiwatch.storage.db import dialect_of
from ieiwatch.storage.models import Article, Delivery, Source

log = logging.getLogger(__name__)

FTS_TABLE = "articles_fts"
TRGM_INDEX = "ix_articles_search_trgm"
MIN_INDEXED_TERM = 3
"""Trigram indexes find terms of three characters or more."""
MAX_TERMS = 8

_SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "title, text, content='articles', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON articles BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON articles BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF title, text ON articles BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); "
    f"INSERT INTO {FTS_TABLE}(rowid, title, text) VALUES (new.id, new.title, new.text); END",
]
_SEARCHED = "(articles.title || ' ' || articles.text)"


def is_search_object(name: str | None) -> bool:
    """True for the search table, its FTS5 shadow tables, its triggers and its index."""
    return bool(name) and (str(name).startswith(FTS_TABLE) or name == TRGM_INDEX)


def create_search_index(conn: Connection) -> None:
    """Create the index and fill it from the stored articles (migration 0004)."""
    if conn.dialect.name == "sqlite":
        for statement in _SQLITE_CREATE:
            conn.exec_driver_sql(statement)
        rebuild_search_index(conn)
    elif conn.dialect.name == "postgresql":
        opclass = _trgm_opclass(conn)
        if opclass is None:
            return
        conn.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON articles USING gin "
            f"(({_SEARCHED.replace('articles.', '')}) {opclass})"
        )


def drop_search_index(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for suffix in ("_ai", "_ad", "_au"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {FTS_TABLE}{suffix}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {TRGM_INDEX}")


def rebuild_search_index(conn: Connection) -> None:
    """Re-read every article into the SQLite index (after a bulk load that bypassed the
    triggers, or a table rebuild); PostgreSQL's index needs nothing."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def _trgm_opclass(conn: Connection) -> str | None:
    """``schema.gin_trgm_ops``, installing pg_trgm into ``public`` if it is missing (one
    extension per database, whatever schema the connection works in); None when it cannot
    be installed: search then works unindexed."""
    find = "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
    schema = conn.exec_driver_sql(find).scalar()
    if schema is None:
        try:
            with conn.begin_nested():
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        except Exception as exc:  # no privilege: searching still works, only slower
            log.warning("search: pg_trgm not installed (%s); search will scan", exc)
            return None
        schema = conn.exec_driver_sql(find).scalar()
    return f"{schema}.gin_trgm_ops"


def terms(query: str) -> list[str]:
    """The words of a search, without duplicates, at most ``MAX_TERMS``."""
    seen: list[str] = []
    for word in query.split():
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def search_clause(session: Session, query: str) -> ColumnElement[bool] | None:
    """A WHERE clause true for the articles containing every term (None: no terms)."""
    words = terms(query)
    if not words:
        return None
    if dialect_of(session) == "sqlite":
        return _sqlite_clause(words)
    return and_(*(_like(word, "ILIKE") for word in words))


def _sqlite_clause(words: list[str]) -> ColumnElement[bool]:
    indexed = [w for w in words if len(w) >= MIN_INDEXED_TERM]
    clauses: list[ColumnElement[bool]] = [
        _like(w, "LIKE") for w in words if len(w) < MIN_INDEXED_TERM
    ]
    if indexed:
        phrase = " AND ".join('"' + w.replace('"', '""') + '"' for w in indexed)
        clauses.insert(
            0,
            _walked("id").in_(
                text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts")
                .bindparams(fts=phrase)
                .columns(column("rowid"))
            ),
        )
    return and_(*clauses)


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(word: str, operator: str) -> ColumnElement[bool]:
    pattern = f"%{_escape_like(word)}%"
    if operator == "ILIKE":
        # The very expression the pg_trgm index is built on, so the index serves it.
        searched = literal_column(_SEARCHED, type_=Text)
        return searched.ilike(pattern, escape="\\")
    # SQLite's LIKE ignores ASCII case already.
    return or_(
        col(Article.title).like(pattern, escape="\\"),
        col(Article.text).like(pattern, escape="\\"),
    )


# ------------------------------------------------------------------------ the items query


@dataclass(frozen=True)
class ItemFilter:
    """What the items page, its feed and its exports show; empty fields mean "any"."""

    relevant_only: bool = False
    type: ArticleType | None = None
    region: str = ""
    """A province, city, state or country, in Chinese or English (浙江, 浙江省, Zhejiang,
    杭州, Ohio, 美国)."""
    party: str = ""
    """Part of a party's name."""
    source: str = ""
    since: date | None = None
    """Published on or after this day (Beijing time)."""
    until: date | None = None
    """Published on or before this day (Beijing time)."""
    q: str = ""
    """Words that must all occur in the title or text."""


@dataclass(frozen=True)
class ItemPage:
    items: list[Article]
    sources: dict[int, list[str]]
    """Article id → names of every source carrying its story (its own first)."""
    has_more: bool


def find_items(
    session: Session, wanted: ItemFilter, *, offset: int = 0, limit: int = 50
) -> ItemPage:
    """The articles matching ``wanted``, newest first, ``limit`` from ``offset``."""
    stmt = filtered(session, wanted)
    stmt = stmt.order_by(col(Article.published_at).desc().nulls_last(), col(Article.id).desc())
    rows = list(session.exec(stmt.offset(offset).limit(limit + 1)))
    return ItemPage(rows[:limit], story_source_names(session, rows[:limit]), len(rows) > limit)


def filtered(session: Session, wanted: ItemFilter) -> SelectOfScalar[Article]:
    stmt = select(Article)
    for clause in _clauses(session, wanted):
        stmt = stmt.where(clause)
    return stmt


def _walked(name: str) -> ColumnElement[object]:
    """``+articles.<name>`` for SQLite: the unary plus keeps its planner from using the
    column's index, so it walks the ``published_at`` index newest first and stops after a
    page, instead of collecting every match (thousands, for "relevant") and sorting them."""
    return literal_column(f"+articles.{name}")


def _clauses(session: Session, wanted: ItemFilter) -> list[ColumnElement[bool]]:
    sqlite = dialect_of(session) == "sqlite"
    clauses: list[ColumnElement[bool]] = []
    if wanted.relevant_only:
        clauses.append(_walked("relevant") == 1 if sqlite else col(Article.relevant).is_(True))
    if wanted.type is not None:
        clauses.append(col(Article.type) == wanted.type)
    if wanted.source:
        ids = sa_select(col(Source.id)).where(col(Source.name) == wanted.source)
        source = _walked("source_id") if sqlite else col(Article.source_id)
        clauses.append(source.in_(ids))
    if wanted.since is not None:
        clauses.append(col(Article.published_at) >= _beijing_midnight(wanted.since))
    if wanted.until is not None:
        end = _beijing_midnight(wanted.until + timedelta(days=1))
        clauses.append(col(Article.published_at) < end)
    if wanted.region.strip():
        clauses.append(_region_clause(session, wanted.region.strip()))
    if wanted.party.strip():
        clauses.append(_party_clause(session, wanted.party.strip()))
    found = search_clause(session, wanted.q)
    if found is not None:
        clauses.append(found)
    return clauses


def _beijing_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), BEIJING)


@lru_cache(maxsize=256)
def region_keys(name: str) -> frozenset[str]:
    """The gazetteer keys of the provinces, cities, states and countries a name can mean,
    in either language (either name containing the other: 浙江 ~ 浙江省 ~ Zhejiang).
    Cached: with the world's places it is some 1,700 keys to compare, a few
    milliseconds a page of the items list."""
    wanted = name.strip().lower()
    data = gazetteer()
    keys = [*data["provinces"], *(c["name"] for c in data["cities"]), *world()]
    found = {
        key for key in keys if any(same_place_name(wanted, alias) for alias in region_names(key))
    }
    return frozenset(found or {name})


def _region_clause(session: Session, name: str) -> ColumnElement[bool]:
    keys = sorted(region_keys(name))
    region = type_coerce(col(Article.region), JSON)
    exact = or_(*(region[part].as_string().in_(keys) for part in ("province", "city", "country")))
    if dialect_of(session) != "sqlite":
        return exact
    # A text test on the JSON first spares parsing most rows (as written or \\u-escaped).
    forms = {form for k in keys for form in (k, json.dumps(k)[1:-1])}
    text_ = _walked("region")
    return and_(or_(*(text_.like(f'%"{_bang(f)}"%', escape="!") for f in forms)), exact)


def _party_clause(session: Session, name: str) -> ColumnElement[bool]:
    pattern = f"%{_escape_like(name)}%"
    if dialect_of(session) != "sqlite":
        each = text(
            "SELECT 1 FROM json_array_elements(articles.parties) AS p "
            "WHERE p->>'name' ILIKE :party ESCAPE '\\'"
        )
        return exists(each.bindparams(party=pattern).columns(column("one")))
    each = text(
        "SELECT 1 FROM json_each(articles.parties) "
        "WHERE json_extract(json_each.value, '$.name') LIKE :party ESCAPE '\\'"
    )
    return and_(
        _parties_text_contains(name), exists(each.bindparams(party=pattern).columns(column("one")))
    )


def _parties_text_contains(name: str) -> ColumnElement[bool]:
    """A cheap first test on the JSON text (4x faster than parsing it row by row): the
    name as written, or with the ``\\uXXXX`` escapes JSON uses for non-ASCII text."""
    escaped = json.dumps(name)[1:-1]
    parties = _walked("parties")
    return or_(*(parties.like(f"%{_bang(form)}%", escape="!") for form in {name, escaped}))


def _bang(text_: str) -> str:
    return text_.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def story_source_names(session: Session, articles: list[Article]) -> dict[int, list[str]]:
    """Article id → the names of the sources of its story, its own source first."""
    stories = {a.story_id for a in articles if a.story_id is not None}
    names = dict(session.exec(select(Source.id, Source.name)).all())
    carried: dict[int, list[str]] = {}
    if stories:
        stmt = (
            select(Article.story_id, Article.source_id)
            .where(col(Article.story_id).in_(stories))
            .order_by(col(Article.id))
        )
        for story_id, source_id in session.exec(stmt):
            carried.setdefault(story_id or 0, []).append(names.get(source_id, "?"))
    result: dict[int, list[str]] = {}
    for a in articles:
        own = names.get(a.source_id, "?")
        others = [n for n in carried.get(a.story_id or -1, []) if n != own]
        result[a.id or 0] = [own, *dict.fromkeys(others)]
    return result


# ------------------------------------------------------------- what the pages show besides


def story_deliveries(session: Session, story_id: int) -> list[Delivery]:
    """The alerts planned for a story (any copy), newest first."""
    stmt = select(Delivery).where(Delivery.story_id == story_id).order_by(col(Delivery.id).desc())
    return list(session.exec(stmt))


def items_since_by_source(session: Session, since: datetime) -> dict[int, int]:
    """Source id → articles stored since a time."""
    stmt = (
        select(Article.source_id, func.count())
        .where(col(Article.fetched_at) >= since)
        .group_by(col(Article.source_id))
    )
    return {source_id: count for source_id, count in session.exec(stmt)}
