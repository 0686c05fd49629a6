"""``ieiwatch items list``: stored articles with type, parties and evidence."""

from __future__ import annotations

import json
from typing import Any

import typer

from ieiwatch.config import Settings
from ieiwatch.flows.runtime import read_store
from ieiwatch.notify.render import format_date, party_text
from ieiwatch.storage.articles import list_articles, source_names
from ieiwatch.storage.models import Article


def print_items(settings: Settings, *, relevant_only: bool, as_json: bool, limit: int) -> None:
    with read_store(settings) as session:
        rows = list_articles(session, relevant_only=relevant_only, limit=limit) if session else []
        names = source_names(session) if session else {}
    for article in rows:
        source = names.get(article.source_id, "?")
        typer.echo(
            json.dumps(as_dict(article, source), ensure_ascii=False)
            if as_json
            else as_text(article, source)
        )
    if not rows and not as_json:
        typer.echo("no articles stored yet: run `ieiwatch run`")


def as_dict(a: Article, source: str) -> dict[str, Any]:
    return {
        "id": a.id,
        "source": source,
        "url": a.url,
        "title": a.title,
        "published_at": a.published_at.isoformat() if a.published_at else None,
        "lang": a.lang,
        "relevant": a.relevant,
        "score": round(a.score, 3),
        "type": a.type,
        "parties": [p.to_dict() for p in a.parties],
        "region": a.region.to_dict() if a.region else None,
        "sectors": a.sectors,
        "evidence": a.evidence,
        "classifier_version": a.classifier_version,
    }


def as_text(a: Article, source: str) -> str:
    date = format_date(a.published_at)
    mark = "✔" if a.relevant else "·"
    lines = [
        f"{mark} {date}  [{a.type or '-'} {a.score:.2f}]  {a.title}",
        f"    {a.url}  ({source})",
    ]
    if a.relevant:
        lines.append(f"    parties: {party_text(a.parties)}")
        lines.append(f"    evidence: {'; '.join(a.evidence[:6]) or '-'}")
    return "\n".join(lines)
