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

Candidates come from an index, not from reading the archive: each article stores keys
(``story_keys``) for every pair of its SimHash's eight bytes, which any SimHash within six
bits shares (six flipped bits leave two bytes whole), and one for its normalised title. A
new article looks up the articles of the last ``WINDOW`` sharing a key, and only the few
that pass the cheap checks have their text read.

Stories are the connected groups of that relation: an article matching two stories merges
them into the older one, so the grouping does not depend on the order articles arrive in.
Writers take turns (a PostgreSQL advisory lock; SQLite's write lock) so that two workers
storing copies of the same news at once make one story, not two.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any

from sqlalchemy import Select, func, text, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ieiwatch.domain import Party, utcnow
from ieiwatch.storage.db import dialect_of, insert_for, table_of
from ieiwatch.storage.models import Article, Source, Story, StoryKey

CANDIDATE_DISTANCE = 6
"""SimHash bits two copies may differ by and still be compared; the band keys find every
pair this close (unrelated texts differ by ~32, rarely under 17)."""
MIN_CONTAINMENT = 0.8
MIN_TEXT_CHARS = 80
"""Shorter texts say too little for SimHash to tell reposts from look-alikes."""
MIN_TITLE_CHARS = 10
DATE_SLACK = timedelta(days=2)
WINDOW = timedelta(days=30)
MAX_TITLE_CANDIDATES = 50
"""Equal-titled articles compared per new one, newest first."""

STORY_LOCK = 0x1E1_5708
"""PostgreSQL advisory lock id that makes story assignment one writer at a time."""

_BYTE_PAIRS = list(combinations(range(8), 2))
_TITLE_KEY_BASE = 1 << 48
"""Title keys live above every band key (pair index << 16 | two bytes < 2**21)."""
_LANE = 32
"""Bits per counter lane: room for far more shingles than MAX_TEXT_CHARS makes."""
_LANE_MASK = (1 << _LANE) - 1
_SPREAD = [sum((v >> bit & 1) << (bit * _LANE) for bit in range(8)) for v in range(256)]
"""A byte value's eight bits, one per lane."""
_MASK64 = (1 << 64) - 1

_CJK = re.compile(r"[\u3400-\u9fff]")
_NOISE = re.compile(r"[\W_]+", re.UNICODE)


# --- fingerprints ------------------------------------------------------------------------


def simhash(text: str) -> int:
    """Signed 64-bit SimHash of character 3-grams (Chinese) or word 3-grams (English).

    Bit b is set when more than half the shingles' BLAKE2b-64 hashes have it set. The bits
    are counted without a loop over shingles and bits: a byte position at a time,
    ``Counter`` (in C) counts each byte value, and each value adds its count to the eight
    bits it sets at once, as eight ``_LANE``-bit lanes of one integer.
    """
    shingles = _shingles(text)
    digests = b"".join(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in shingles)
    half = len(shingles)
    value = 0
    for position in range(8):
        lanes = sum(_SPREAD[byte] * n for byte, n in Counter(digests[position::8]).items())
        shift = (7 - position) * 8  # big-endian: the first byte holds the top bits
        for bit in range(8):
            if 2 * (lanes >> (bit * _LANE) & _LANE_MASK) > half:
                value |= 1 << (shift + bit)
    return value - (1 << 64) if value >= 1 << 63 else value


def distance(a: int, b: int) -> int:
    return ((a ^ b) & _MASK64).bit_count()


def _shingles(text: str) -> list[str]:
    if len(_CJK.findall(text)) * 3 > len(text):
        chars = _NOISE.sub("", text)
        return [chars[i : i + 3] for i in range(max(1, len(chars) - 2))]
    words = _NOISE.sub(" ", text.lower()).split()
    return [" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))]


def normalise_title(title: str) -> str:
    return _NOISE.sub("", title).lower()


def fingerprint_keys(signed_simhash: int, title: str, text_length: int) -> list[int]:
    """The index keys of an article: band pairs (texts long enough to compare), title."""
    keys = []
    if text_length >= MIN_TEXT_CHARS:
        raw = (signed_simhash & _MASK64).to_bytes(8, "big")
        keys += [n << 16 | raw[i] << 8 | raw[j] for n, (i, j) in enumerate(_BYTE_PAIRS)]
    title_key = _title_key(title)
    if title_key is not None:
        keys.append(title_key)
    return keys


def _title_key(title: str) -> int | None:
    normalised = normalise_title(title)
    if len(normalised) < MIN_TITLE_CHARS:
        return None
    digest = hashlib.blake2b(normalised.encode("utf-8"), digest_size=5).digest()
    return _TITLE_KEY_BASE + int.from_bytes(digest, "big")


def containment(a: str, b: str) -> float:
    """Share of the shorter text's shingles found in the other text."""
    sa, sb = set(_shingles(a)), set(_shingles(b))
    small, large = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    return len(small & large) / len(small) if small else 0.0


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
    recent = _candidates_by_key(session, sorted({k for ks in keys for k in ks}), since)
    batch = _Batch({a.id or 0: a.text for a in articles})
    for n, article in enumerate(articles):
        found = {c.id: c for k in keys[n] for c in batch.sharing(k, recent.get(k, []))}
        matches = sorted(
            {
                batch.find(c.story_id)
                for c in found.values()
                if _same_story(session, article, c, batch.texts)
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
    merged: dict[int, int] = field(default_factory=dict)
    """Story → the (older) story it was merged into by this batch."""
    by_key: dict[int, list[_Candidate]] = field(default_factory=dict)
    """The batch's earlier articles by index key, oldest first."""
    stories: list[int] = field(default_factory=list)
    """The story each article of the batch joined or made (``_NEW_STORY + n``)."""

    def find(self, story: int) -> int:
        while story in self.merged:
            story = self.merged[story]
        return story

    def add(self, candidate: _Candidate, keys: list[int]) -> None:
        for key in keys:
            self.by_key.setdefault(key, []).append(candidate)

    def sharing(self, key: int, recent: list[_Candidate]) -> list[_Candidate]:
        """The articles sharing a key: stored ones, and the batch's earlier ones; for a
        title key, the latest ``MAX_TITLE_CANDIDATES`` of them."""
        found = recent + self.by_key.get(key, [])
        return found[-MAX_TITLE_CANDIDATES:] if key >= _TITLE_KEY_BASE else found


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
    new = {
        n: Story(title=article.title)
        for n, article in enumerate(articles)
        if batch.stories[n] == _NEW_STORY + n
    }
    session.add_all(new.values())
    session.flush()

    def story_id(story: int) -> int:
        return (new[story - _NEW_STORY].id or 0) if story >= _NEW_STORY else story

    for article, story in zip(articles, batch.stories, strict=True):
        article.story_id = story_id(batch.find(story))
        session.add(article)
    session.flush()
    groups: dict[int, list[int]] = {}
    for story in batch.merged:
        groups.setdefault(story_id(batch.find(story)), []).append(story_id(story))
    for keep, others in sorted(groups.items()):
        _merge(session, [keep, *sorted(others)])
    _store_keys(session, [(k, a.id or 0) for a, ks in zip(articles, keys, strict=True) for k in ks])


def _candidates(session: Session, keys: list[int], since: datetime) -> list[_Candidate]:
    """Recent articles sharing a key with ``keys``, each once."""
    by_key = _candidates_by_key(session, keys, since)
    found = {c.id: c for key in keys for c in by_key.get(key, [])}
    return [found[article_id] for article_id in sorted(found)]


def _candidates_by_key(
    session: Session, keys: list[int], since: datetime
) -> dict[int, list[_Candidate]]:
    """Key → the recent articles sharing it, oldest first: all of them for a band key, the
    latest ``MAX_TITLE_CANDIDATES`` for a title key (a site that titles every page with its
    name must not make each new page read all)."""
    found: dict[int, list[_Candidate]] = {}
    for chunk in _chunks(keys):
        # One statement for both kinds of key: a batch of one article costs one query.
        ranked = _ranked_sharing(chunk, since).subquery()
        latest = sa_select(*list(ranked.c)[:-1]).where(
            (ranked.c.key < _TITLE_KEY_BASE) | (ranked.c.rank <= MAX_TITLE_CANDIDATES)
        )
        for key, *row in session.execute(latest):
            found.setdefault(key, []).append(_Candidate(*row))
    for candidates in found.values():
        candidates.sort(key=lambda c: c.id)
    return found


_IN_CHUNK = 5_000
"""Keys per ``IN (…)`` list: PostgreSQL takes at most 65,535 bind parameters a query."""


def _chunks(keys: list[int]) -> list[list[int]]:
    return [keys[n : n + _IN_CHUNK] for n in range(0, len(keys), _IN_CHUNK)]


def _ranked_sharing(keys: list[int], since: datetime) -> Select[Any]:
    """(key, the eight columns of a ``_Candidate``, rank among the key's articles newest
    first) of the recent articles sharing a key."""
    rank = func.row_number().over(partition_by=col(StoryKey.key), order_by=col(Article.id).desc())
    # Ten columns: more than sqlmodel's typed select() takes, so SQLAlchemy's own.
    return (
        sa_select(
            col(StoryKey.key),
            col(Article.id),
            col(Article.story_id),
            col(Article.simhash),
            col(Article.content_hash),
            col(Article.title),
            func.length(col(Article.text)),
            col(Article.published_at),
            col(Article.parties),
            rank.label("rank"),
        )
        .join(Article, col(Article.id) == col(StoryKey.article_id))
        .where(
            col(StoryKey.key).in_(keys),
            col(Article.fetched_at) >= since,
            col(Article.story_id).is_not(None),
        )
    )


def _store_keys(session: Session, rows: list[tuple[int, int]]) -> None:
    """Index the (key, article id) pairs."""
    if not rows:
        return
    table = table_of(StoryKey)
    # executemany: one statement compiled once, whatever the number of keys.
    session.execute(
        insert_for(session)(table).on_conflict_do_nothing(),
        [{"key": key, "article_id": article_id} for key, article_id in rows],
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


def _same_story(session: Session, a: Article, b: _Candidate, texts: dict[int, str]) -> bool:
    """``texts``: the batch's articles' texts by id (the others are read when needed)."""
    long_texts = min(len(a.text), b.text_length) >= MIN_TEXT_CHARS
    if long_texts and a.content_hash == b.content_hash:
        return True
    near = long_texts and distance(a.simhash, b.simhash) <= CANDIDATE_DISTANCE
    same_title = _equal_titles(a.title, b.title) and _compatible(a, b)
    if not (near or same_title):
        return False
    other = texts[b.id] if b.id in texts else _text_of(session, b.id)
    if not long_texts:
        # Too short for shingles to say much (a feed summary, a listing's blurb): the
        # shorter must be part of the longer one.
        short, long = sorted((_NOISE.sub("", a.text), _NOISE.sub("", other)), key=len)
        return same_title and short in long
    return containment(a.text, other) >= MIN_CONTAINMENT


def _equal_titles(a: str, b: str) -> bool:
    na = normalise_title(a)
    return len(na) >= MIN_TITLE_CHARS and na == normalise_title(b)


def _compatible(a: Article, b: _Candidate) -> bool:
    """Neither dates nor parties tell equal-titled articles apart."""
    if a.published_at and b.published_at and abs(a.published_at - b.published_at) > DATE_SLACK:
        return False
    names_a, names_b = {p.name for p in a.parties}, {p.name for p in b.parties}
    return not (names_a and names_b and names_a.isdisjoint(names_b))


def _text_of(session: Session, article_id: int) -> str:
    return session.exec(select(Article.text).where(Article.id == article_id)).one()


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
