"""Analysts' marks: a stored article judged relevant or not, with its type and parties.

``mark_article`` keeps the mark (a ``marks`` row: the history stays) and shows it at once:
the article's relevance, type and parties become the analyst's and ``corrected`` is set.
Each mark also keeps what the classifier had said (``previous``), the first time over, so
marks can be scored against the classifier and exported as labelled rows
(``list_marks``/``export_marks``, the same shape as tests/data/classify/*.jsonl).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from ieiwatch.domain import ArticleType, IeiwatchError, Party, PartyKind, clean_line
from ieiwatch.storage.models import Article, Mark, Source


class MarkError(IeiwatchError):
    """A mark names no stored article, or says something impossible."""


@dataclass(frozen=True)
class MarkRow:
    """The newest mark of one article, with the article and what the classifier said."""

    mark_id: int
    article_id: int
    url: str
    source: str
    title: str
    text: str
    lang: str
    relevant: bool
    type: str | None
    parties: list[Party] | None
    """None: the analyst did not judge the parties."""
    by: str
    marked_at: datetime
    predicted: dict[str, Any]
    """The classifier's relevant, type, parties, score and classifier_version."""

    def labelled_row(self) -> dict[str, Any]:
        """As a row of the labelled sets (``id, lang, title, text, relevant, type,
        parties``), plus where it came from."""
        row: dict[str, Any] = {
            "id": f"mark-{self.article_id}",
            "lang": self.lang,
            "title": self.title,
            "text": self.text,
            "relevant": self.relevant,
            "type": self.type,
            "url": self.url,
            "source": self.source,
            "marked_by": self.by,
            "marked_at": self.marked_at.isoformat(),
        }
        if self.parties is not None:
            row["parties"] = [p.name for p in self.parties]
            row["party_kinds"] = {p.name: p.kind for p in self.parties}
        return row


def mark_article(
    session: Session,
    article_id: int,
    *,
    relevant: bool,
    type: ArticleType | str | None = None,
    parties: Sequence[Party | str] | None = None,
    by: str = "",
) -> Mark:
    """Record an analyst's judgement and show it on the article.

    ``type`` None keeps the article's type (when relevant); ``parties`` None keeps its
    parties; a party given by name only keeps the kind the article gave that name, else
    ``other``. A not-relevant article has no type.
    """
    article = session.get(Article, article_id)
    if article is None:
        raise MarkError(f"no stored article with id {article_id}")
    kind = _article_type(type)
    if not relevant and kind is not None:
        raise MarkError("an item marked not relevant has no type: leave the type out")
    judged = None if parties is None else _parties(parties, article.parties)
    mark = Mark(
        article_id=article_id,
        relevant=relevant,
        type=(kind or article.type) if relevant else None,
        parties=None if judged is None else [p.to_dict() for p in judged],
        by=clean_line(by, 100),
        previous=_previous(session, article),
    )
    session.add(mark)
    article.relevant, article.type, article.corrected = mark.relevant, mark.type, True
    if judged is not None:
        article.parties = judged
    session.add(article)
    session.flush()
    return mark


def _article_type(value: ArticleType | str | None) -> ArticleType | None:
    if value is None or value == "":
        return None
    try:
        return ArticleType(value)
    except ValueError:
        known = ", ".join(t.value for t in ArticleType)
        raise MarkError(f"unknown type {value!r} (one of: {known})") from None


def _parties(given: Sequence[Party | str], current: Sequence[Party]) -> list[Party]:
    kinds = {p.name: p.kind for p in current}
    parties: list[Party] = []
    for item in given:
        if isinstance(item, Party):
            party = Party(clean_line(item.name, 200), item.kind)
        else:
            name = clean_line(item, 200)
            party = Party(name, kinds.get(name, PartyKind.OTHER))
        if party.name and party.name not in {p.name for p in parties}:
            parties.append(party)
    return parties


def _previous(session: Session, article: Article) -> dict[str, Any]:
    """What the classifier said: the article's values, or, once corrected, what the first
    mark kept of them."""
    if article.corrected:
        first = session.exec(
            select(Mark).where(Mark.article_id == article.id).order_by(col(Mark.id))
        ).first()
        if first is not None and first.previous:
            return dict(first.previous)
    return {
        "relevant": article.relevant,
        "type": str(article.type) if article.type else None,
        "parties": [p.to_dict() for p in article.parties],
        "score": article.score,
        "classifier_version": article.classifier_version,
    }


def marks_of(session: Session, article_id: int) -> list[Mark]:
    """Every mark of one article, newest first."""
    stmt = select(Mark).where(Mark.article_id == article_id).order_by(col(Mark.id).desc())
    return list(session.exec(stmt))


def list_marks(session: Session) -> list[MarkRow]:
    """The newest mark of every marked article, oldest article first."""
    stmt = (
        select(Mark, Article, Source.name)
        .join(Article, col(Article.id) == Mark.article_id)
        .join(Source, col(Source.id) == Article.source_id)
        .order_by(col(Mark.article_id), col(Mark.id).desc())
    )
    rows: dict[int, MarkRow] = {}
    for mark, article, source in session.exec(stmt):
        if article.id is not None and article.id not in rows:
            rows[article.id] = _row(mark, article, source)
    return list(rows.values())


def export_marks(session: Session) -> list[dict[str, Any]]:
    """The marks as labelled rows, ready to be written one JSON object per line."""
    return [row.labelled_row() for row in list_marks(session)]


def _row(mark: Mark, article: Article, source: str) -> MarkRow:
    parties = None if mark.parties is None else [Party.from_dict(p) for p in mark.parties]
    return MarkRow(
        mark_id=mark.id or 0,
        article_id=article.id or 0,
        url=article.url,
        source=source,
        title=article.title,
        text=article.text,
        lang=article.lang,
        relevant=mark.relevant,
        type=str(mark.type) if mark.type else None,
        parties=parties,
        by=mark.by,
        marked_at=mark.created_at,
        predicted=dict(mark.previous or {}),
    )
