"""Stories: the same news carried by several sources (or reposted under a new URL).

A new article joins the story of a recent article with the same text, a near-identical
text or the same long title; otherwise it starts a story of its own. Near-identical is
decided in two steps: SimHashes within ``CANDIDATE_DISTANCE`` bits pick candidates cheaply
(unrelated texts differ by ~32), then the shingles of the shorter text must be
``MIN_CONTAINMENT`` contained in the other's (reposts add bylines and source lines).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ieiwatch.domain import utcnow
from ieiwatch.storage.models import Article, Source, Story

CANDIDATE_DISTANCE = 8
MIN_CONTAINMENT = 0.8
MIN_TEXT_CHARS = 80
"""Shorter texts say too little for SimHash to tell reposts from look-alikes."""
MIN_TITLE_CHARS = 10
WINDOW = timedelta(days=30)

_CJK = re.compile(r"[\u3400-\u9fff]")
_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def simhash(text: str) -> int:
    """Signed 64-bit SimHash of character 3-grams (Chinese) or word 3-grams (English)."""
    weights = [0] * 64
    for shingle in _shingles(text):
        h = int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if h >> bit & 1 else -1
    value = sum(1 << bit for bit in range(64) if weights[bit] > 0)
    return value - (1 << 64) if value >= 1 << 63 else value


def distance(a: int, b: int) -> int:
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


def _shingles(text: str) -> list[str]:
    if len(_CJK.findall(text)) * 3 > len(text):
        chars = _NOISE.sub("", text)
        return [chars[i : i + 3] for i in range(max(1, len(chars) - 2))]
    words = _NOISE.sub(" ", text.lower()).split()
    return [" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))]


def normalise_title(title: str) -> str:
    return _NOISE.sub("", title).lower()


@dataclass
class _Seen:
    """What is compared of a recent article: no text unless it becomes a candidate."""

    id: int
    story_id: int
    simhash: int
    content_hash: str
    title: str
    text_length: int


def assign_stories(session: Session, articles: Sequence[Article]) -> None:
    """Give each new article a story: an existing one it duplicates, or a new one."""
    if not articles:
        return
    new_ids = {a.id for a in articles}
    recent = [r for r in _recent(session) if r.id not in new_ids]
    for article in articles:
        match = next((r for r in recent if _same_story(session, article, r)), None)
        if match is None:
            story = Story(title=article.title)
            session.add(story)
            session.flush()
            article.story_id = story.id
        else:
            article.story_id = match.story_id
        session.add(article)
        recent.append(
            _Seen(
                article.id or 0,
                article.story_id or 0,
                article.simhash,
                article.content_hash,
                article.title,
                len(article.text),
            )
        )
    session.flush()


def _recent(session: Session) -> list[_Seen]:
    # Six columns: more than sqlmodel's typed select() takes, so SQLAlchemy's own.
    stmt = sa_select(
        col(Article.id),
        col(Article.story_id),
        col(Article.simhash),
        col(Article.content_hash),
        col(Article.title),
        func.length(col(Article.text)),
    ).where(col(Article.fetched_at) >= utcnow() - WINDOW, col(Article.story_id).is_not(None))
    return [_Seen(*row) for row in session.execute(stmt)]


def _same_story(session: Session, a: Article, b: _Seen) -> bool:
    if a.content_hash == b.content_hash and len(a.text) >= MIN_TEXT_CHARS:
        return True
    title = normalise_title(a.title)
    if len(title) >= MIN_TITLE_CHARS and title == normalise_title(b.title):
        return True
    if min(len(a.text), b.text_length) < MIN_TEXT_CHARS:
        return False
    if distance(a.simhash, b.simhash) > CANDIDATE_DISTANCE:
        return False
    other = session.exec(select(Article.text).where(Article.id == b.id)).one()
    return containment(a.text, other) >= MIN_CONTAINMENT


def containment(a: str, b: str) -> float:
    """Share of the shorter text's shingles found in the other text."""
    sa, sb = set(_shingles(a)), set(_shingles(b))
    small, large = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    return len(small & large) / len(small) if small else 0.0


def story_sources(session: Session, story_id: int) -> list[tuple[str, str]]:
    """(source name, article URL) of every copy of the story, first seen first."""
    rows = session.exec(
        select(Source.name, Article.url)
        .join(Article, col(Article.source_id) == Source.id)
        .where(Article.story_id == story_id)
        .order_by(col(Article.id))
    )
    return [(name, url) for name, url in rows]
