"""Stories: the same news carried by several sources (or reposted under a new URL).

Two articles are the same news when

* their texts are near-identical: SimHashes within ``CANDIDATE_DISTANCE`` bits and the
  shingles of the shorter text ``MIN_CONTAINMENT`` contained in the other's (reposts add
  bylines and source lines); or
* their normalised titles are equal (at least ``MIN_TITLE_CHARS``), publication days at
  most ``DATE_SLACK`` apart, named parties overlapping, *and* the texts agree just as much
  (``MIN_CONTAINMENT``; for texts too short to compare, one is part of the other): this
  finds the reposts cut or extended too much for their SimHashes to stay close. An equal
  title alone never merges: many sites put their name in every page's title, and yearly
  notices repeat theirs.

Candidates come from an index, not from reading the archive: each article stores the keys
of ``domain.fingerprint`` (``story_keys``: SimHash band pairs, which any SimHash within six
bits shares, and its normalised title). A new article looks up the latest articles of the
last ``WINDOW`` sharing a key (at most ``MAX_BAND_CANDIDATES`` or ``MAX_TITLE_CANDIDATES`` a
key, so that its cost does not grow with the archive); of those, only the ones with a close
SimHash or an equal title are read, and only those that pass the cheap checks have their
text read, in one query.

Stories are the connected groups of that relation: an article matching two stories merges
them into the older one, so the grouping does not depend on the order articles arrive in.
Writers take turns (a PostgreSQL advisory lock; SQLite's write lock) so that two workers
storing copies of the same news at once make one story, not two.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, text, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from ieiwatch.domain import Party, utcnow
from ieiwatch.domain.fingerprint import (
    CANDIDATE_DISTANCE,
    MIN_TEXT_CHARS,
    MIN_TITLE_CHARS,
    TITLE_KEY_BASE,
    distance,
    fingerprint_keys,
    normalise_title,
    shingle_containment,
    shingles,
    without_noise,
)
from ieiwatch.storage.db import dialect_of, in_chunks, table_of
from ieiwatch.storage.models import Article, Source, Story

MIN_CONTAINMENT = 0.8
DATE_SLACK = timedelta(days=2)
WINDOW = timedelta(days=30)
MAX_TITLE_CANDIDATES = 20
"""Equal-titled articles compared per new one, newest first."""
MAX_BAND_CANDIDATES = 20
"""Articles read per band key, newest first: a key that many texts of one template share
must not make every new article read them all (a copy shares several keys)."""

STORY_LOCK = 0x1E1_5708
"""PostgreSQL advisory lock id that makes story assignment one writer at a time."""


# --- assignment --------------------------------------------------------------------------


def lock_stories(session: Session) -> None:
    """Wait for the other writers' story assignments to commit; held to the end of this
    transaction. Called before the articles are inserted, so every writer takes its locks
    in one order (this lock, then rows) and none waits for another in a circle."""
    if dialect_of(session) == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STORY_LOCK})
    # SQLite: every transaction begins IMMEDIATE (storage.db), one writer at a time already.


@dataclass(frozen=True)
class _Candidate:
    """What is compared of a recent article: no text unless the cheap checks pass."""

    id: int
    story_id: int
    simhash: int
    content_hash: str
    title: str
    text_length: int
    published_at: datetime | None
    parties: list[Party]


def assign_stories(session: Session, articles: Sequence[Article]) -> None:
    """Give each new article a story: the one(s) it is the same news as, or a new one.

    The caller holds ``lock_stories`` (``insert_new`` takes it). The articles are compared
    in order, each with the recent articles and the batch's earlier ones, as if stored one
    at a time; the index is read once for the whole batch and the results written at the
    end (a handful of statements a batch, not a handful an article).
    """
    since = utcnow() - WINDOW
    keys = [fingerprint_keys(a.simhash, a.title, len(a.text)) for a in articles]
    near: dict[int, list[int]] = {}
    for article, article_keys in zip(articles, keys, strict=True):
        for key in article_keys:
            near.setdefault(key, []).append(article.simhash)
    recent = _candidates_by_key(session, sorted(near), since, near)
    batch = _Batch({a.id or 0: a.text for a in articles})
    # What the cheap checks say of each new article and the stored ones sharing a key
    # with it; the stored texts they leave to compare are read in one query.
    stored = {
        (n, c.id): _verdict_without_text(article, c)
        for n, article in enumerate(articles)
        for k in keys[n]
        for c in recent.get(k, [])
    }
    batch.read_texts(session, [i for (_, i), v in stored.items() if v is None])
    for n, article in enumerate(articles):
        found = {c.id: c for k in keys[n] for c in batch.sharing(k, recent.get(k, []))}
        verdicts = {
            c.id: stored[n, c.id] if (n, c.id) in stored else _verdict_without_text(article, c)
            for c in found.values()
        }
        matches = sorted(
            {
                batch.find(c.story_id)
                for c in found.values()
                if verdicts[c.id] or (verdicts[c.id] is None and batch.texts_agree(article, c))
            }
        )
        story = matches[0] if matches else _NEW_STORY + n
        batch.merged.update(dict.fromkeys(matches[1:], story))
        batch.stories.append(story)
        batch.add(_candidate_of(article, story), keys[n])
    _write(session, articles, keys, batch)


_NEW_STORY = 1 << 62
"""Stories made by this batch, before they have ids: after every stored story (newer)."""


@dataclass
class _Batch:
    """The stories a batch makes and merges, and its articles as candidates for the later
    ones."""

    texts: dict[int, str]
    """Article id → text: the batch's articles, and the stored ones read to compare."""
    merged: dict[int, int] = field(default_factory=dict)
    """Story → the (older) story it was merged into by this batch."""
    by_key: dict[int, list[_Candidate]] = field(default_factory=dict)
    """The batch's earlier articles by index key, oldest first."""
    stories: list[int] = field(default_factory=list)
    """The story each article of the batch joined or made (``_NEW_STORY + n``)."""
    shingle_sets: dict[int, frozenset[str]] = field(default_factory=dict)
    """Article id → its text's shingles, made once however often it is compared."""

    def read_texts(self, session: Session, ids: Sequence[int]) -> None:
        missing = sorted(set(ids) - self.texts.keys())
        for chunk in in_chunks(missing):
            rows = session.execute(_texts(), {"ids": chunk})
            self.texts.update((article_id, text) for article_id, text in rows)

    def texts_agree(self, a: Article, b: _Candidate) -> bool:
        """The texts of two articles whose cheap checks passed tell the same news."""
        a_id, other = a.id or 0, self.texts[b.id]
        if min(len(a.text), b.text_length) < MIN_TEXT_CHARS:
            # Too short for shingles to say much (a feed summary, a listing's blurb): the
            # shorter must be part of the longer one (and the titles are equal).
            short, long = sorted((without_noise(a.text), without_noise(other)), key=len)
            return short in long
        return shingle_containment(self._shingles(a_id), self._shingles(b.id)) >= MIN_CONTAINMENT

    def _shingles(self, article_id: int) -> frozenset[str]:
        found = self.shingle_sets.get(article_id)
        if found is None:
            found = self.shingle_sets[article_id] = frozenset(shingles(self.texts[article_id]))
        return found

    def find(self, story: int) -> int:
        while story in self.merged:
            story = self.merged[story]
        return story

    def add(self, candidate: _Candidate, keys: list[int]) -> None:
        for key in keys:
            self.by_key.setdefault(key, []).append(candidate)

    def sharing(self, key: int, recent: list[_Candidate]) -> list[_Candidate]:
        """The latest articles sharing a key: stored ones, and the batch's earlier ones."""
        found = recent + self.by_key.get(key, [])
        return found[-_limit(key) :]


def _candidate_of(article: Article, story: int) -> _Candidate:
    return _Candidate(
        article.id or 0,
        story,
        article.simhash,
        article.content_hash,
        article.title,
        len(article.text),
        article.published_at,
        list(article.parties),
    )


def _write(
    session: Session, articles: Sequence[Article], keys: list[list[int]], batch: _Batch
) -> None:
    """The batch's new stories (in the order a one-at-a-time pass would make them, so
    older stories keep smaller ids), merges, article stories and index keys."""
    new = _new_stories(
        session,
        [(n, a.title) for n, a in enumerate(articles) if batch.stories[n] == _NEW_STORY + n],
    )

    def story_id(story: int) -> int:
        return new[story - _NEW_STORY] if story >= _NEW_STORY else story

    _set_stories(session, articles, [story_id(batch.find(story)) for story in batch.stories])
    groups: dict[int, list[int]] = {}
    for story in batch.merged:
        groups.setdefault(story_id(batch.find(story)), []).append(story_id(story))
    for keep, others in sorted(groups.items()):
        _merge(session, [keep, *sorted(others)])
    _store_keys(
        session,
        [(k, a.id or 0, a.simhash) for a, ks in zip(articles, keys, strict=True) for k in ks],
    )


def _limit(key: int) -> int:
    return MAX_TITLE_CANDIDATES if key >= TITLE_KEY_BASE else MAX_BAND_CANDIDATES


def _candidates(session: Session, keys: list[int], since: datetime) -> list[_Candidate]:
    """Recent articles sharing a key with ``keys``, each once."""
    by_key = _candidates_by_key(session, keys, since)
    found = {c.id: c for key in keys for c in by_key.get(key, [])}
    return [found[article_id] for article_id in sorted(found)]


def _candidates_by_key(
    session: Session,
    keys: list[int],
    since: datetime,
    near: Mapping[int, Sequence[int]] | None = None,
) -> dict[int, list[_Candidate]]:
    """Key → the latest recent articles sharing it, oldest first: of the latest
    ``MAX_BAND_CANDIDATES`` sharing a band key those whose SimHash is within
    ``CANDIDATE_DISTANCE`` of one in ``near[key]`` (the new articles' SimHashes; all of them
    without ``near``), and the latest ``MAX_TITLE_CANDIDATES`` sharing a title key.

    The index is read first, with each key's limit in SQL (a template that thousands of
    pages share costs its limit, not its thousands); only the articles that pass are read."""
    sharing = _latest_sharing(session, keys)
    wanted = {
        article_id
        for key, found in sharing.items()
        for article_id, article_simhash in found
        if key >= TITLE_KEY_BASE
        or near is None
        or any(distance(article_simhash, s) <= CANDIDATE_DISTANCE for s in near[key])
    }
    by_id: dict[int, _Candidate] = {}
    for chunk in in_chunks(sorted(wanted)):
        rows = session.execute(_recent(), {"ids": chunk, "since": since})
        by_id.update((row[0], _Candidate(*row)) for row in rows)
    return {
        key: [by_id[article_id] for article_id, _ in found if article_id in by_id]
        for key, found in sharing.items()
    }


_UNION_CHUNK = 250
"""Keys per statement: SQLite takes at most 500 SELECTs in one compound statement."""


def _latest_sharing(session: Session, keys: list[int]) -> dict[int, list[tuple[int, int]]]:
    """Key → (article id, SimHash) of the latest articles sharing it (at most the key's
    limit), oldest first: one index range scan per key, a statement per 250 keys."""
    found: dict[int, list[tuple[int, int]]] = {}
    # The driver's own parameters: SQLAlchemy would process each of the 500 a statement.
    sql = _latest_scans(_PARAMETER_MARK[dialect_of(session)])
    connection = session.connection()
    for n in range(0, len(keys), _UNION_CHUNK):
        chunk = keys[n : n + _UNION_CHUNK]
        # Always 250 scans (the rest of a key that is never stored, limit 0), so that the
        # statement's text is one and the database prepares it once.
        padding = [(_NO_KEY, 0)] * (_UNION_CHUNK - len(chunk))
        params = tuple(v for pair in [(k, _limit(k)) for k in chunk] + padding for v in pair)
        for key, article_id, article_simhash in connection.exec_driver_sql(sql, params):
            found.setdefault(key, []).append((article_id, article_simhash))
    for rows in found.values():
        rows.sort()
    return found


_NO_KEY = -1
"""No article has it: keys are never negative."""
_PARAMETER_MARK = {"sqlite": "?", "postgresql": "%s"}


@cache
def _latest_scans(mark: str) -> str:
    return " UNION ALL ".join(
        "SELECT * FROM (SELECT k.key, k.article_id, k.simhash FROM story_keys k"
        f" WHERE k.key = {mark} ORDER BY k.article_id DESC LIMIT {mark}) AS s{i}"
        for i in range(_UNION_CHUNK)
    )


# Statements made once, from the table's columns: a statement object keeps its cache
# key, and Core rows need no ORM loading; ``:ids`` is a list (an expanding parameter).
@cache
def _recent() -> Select[Any]:
    """The columns of a ``_Candidate`` of the articles ``:ids`` that are recent (fetched
    since ``:since``) and in a story."""
    a = table_of(Article).c
    return sa_select(
        a.id,
        a.story_id,
        a.simhash,
        a.content_hash,
        a.title,
        func.length(a.text),
        a.published_at,
        a.parties,
    ).where(
        a.id.in_(bindparam("ids", expanding=True)),
        a.fetched_at >= bindparam("since"),
        a.story_id.is_not(None),
    )


@cache
def _texts() -> Select[Any]:
    """(id, text) of the articles ``:ids``."""
    a = table_of(Article).c
    return sa_select(a.id, a.text).where(a.id.in_(bindparam("ids", expanding=True)))


def _new_stories(session: Session, titles: list[tuple[int, str]]) -> dict[int, int]:
    """Insert a story for each (n, title); n → its id. Core statements: a story row is a
    title and a time, and a first pass makes thousands."""
    if not titles:
        return {}
    table = table_of(Story)
    now = utcnow()
    ids = session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True),
        [{"title": title, "first_seen_at": now} for _, title in titles],
    ).scalars()
    return {n: story for (n, _), story in zip(titles, ids, strict=True)}


def _set_stories(session: Session, articles: Sequence[Article], stories: list[int]) -> None:
    """Write the articles' stories, and set them on the loaded articles as stored."""
    if not articles:
        return
    table = table_of(Article)
    session.execute(
        update(table).where(table.c.id == bindparam("_id")).values(story_id=bindparam("_story")),
        [{"_id": a.id, "_story": story} for a, story in zip(articles, stories, strict=True)],
    )
    for article, story in zip(articles, stories, strict=True):
        set_committed_value(article, "story_id", story)


def _store_keys(session: Session, rows: list[tuple[int, int, int]]) -> None:
    """Index the (key, article id, SimHash) rows."""
    if not rows:
        return
    # The driver's own executemany: a first pass stores a hundred thousand rows, which
    # SQLAlchemy would each turn into a dictionary of parameters first.
    mark = _PARAMETER_MARK[dialect_of(session)]
    session.connection().exec_driver_sql(
        f'INSERT INTO story_keys ("key", article_id, simhash) VALUES ({mark}, {mark}, {mark})'
        " ON CONFLICT DO NOTHING",
        rows,
    )


def _merge(session: Session, story_ids: list[int]) -> int:
    """Make the stories one: the oldest keeps its id, the others' articles move to it."""
    keep, others = story_ids[0], story_ids[1:]
    if others:
        session.execute(
            update(Article).where(col(Article.story_id).in_(others)).values(story_id=keep)
        )
        session.execute(
            update(Story)
            .where(col(Story.id).in_(others) | col(Story.merged_into).in_(others))
            .values(merged_into=keep)
        )
    return keep


def _verdict_without_text(a: Article, b: _Candidate) -> bool | None:
    """Whether two articles are one news by what is known without their texts: ``True``
    (the same text), ``False`` (neither close SimHashes nor equal titles of compatible
    dates and parties), ``None`` (only the texts can tell)."""
    long_texts = min(len(a.text), b.text_length) >= MIN_TEXT_CHARS
    if long_texts and a.content_hash == b.content_hash:
        return True
    near = long_texts and distance(a.simhash, b.simhash) <= CANDIDATE_DISTANCE
    same_title = _equal_titles(a.title, b.title) and _compatible(a, b)
    # Texts too short to compare (``near`` is False for them) need equal titles too.
    return None if near or same_title else False


def _equal_titles(a: str, b: str) -> bool:
    na = normalise_title(a)
    return len(na) >= MIN_TITLE_CHARS and na == normalise_title(b)


def _compatible(a: Article, b: _Candidate) -> bool:
    """Neither dates nor parties tell equal-titled articles apart."""
    if a.published_at and b.published_at and abs(a.published_at - b.published_at) > DATE_SLACK:
        return False
    names_a, names_b = {p.name for p in a.parties}, {p.name for p in b.parties}
    return not (names_a and names_b and names_a.isdisjoint(names_b))


# --- reading -----------------------------------------------------------------------------


def current_story_id(session: Session, story_id: int) -> int:
    """The story a (possibly merged) story's articles are in now."""
    merged_into = session.exec(select(Story.merged_into).where(Story.id == story_id)).first()
    return merged_into or story_id


def story_sources(session: Session, story_id: int) -> list[tuple[str, str]]:
    """(source name, article URL) of every copy of the story, first seen first."""
    rows = session.exec(
        select(Source.name, Article.url)
        .join(Article, col(Article.source_id) == Source.id)
        .where(Article.story_id == current_story_id(session, story_id))
        .order_by(col(Article.id))
    )
    return [(name, url) for name, url in rows]


def story_sizes(session: Session, story_ids: Sequence[int]) -> dict[int, int]:
    """Story id → how many sources carry it."""
    if not story_ids:
        return {}
    stmt = (
        select(Article.story_id, func.count(func.distinct(Article.source_id)))
        .where(col(Article.story_id).in_(list(set(story_ids))))
        .group_by(col(Article.story_id))
    )
    return {story_id or 0: n for story_id, n in session.exec(stmt)}
