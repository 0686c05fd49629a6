"""``ieiwatch items list``: stored articles with type, parties and evidence."""

from __future__ import annotations

import json

import typer
from sqlmodel import select

from ieiwatch.config import Settings
from ieiwatch.notify.render import format_date
from ieiwatch.storage.articles import list_articles
from ieiwatch.storage.db import init_db, make_engine, session_scope
from ieiwatch.storage.models import Article, Source


def print_items(settings: Settings, *, relevant_only: bool, as_json: bool, limit: int) -> None:
    engine = make_engine(settings.database_url)
    init_db(engine)
    with session_scope(engine) as session:
        rows = list_articles(session, relevant_only=relevant_only, limit=limit)
        names = {s.id: s.name for s in session.exec(select(Source))}
    for article in rows:
        source = names.get(article.source_id, "?")
        typer.echo(json.dumps(_as_dict(article, source), ensure_ascii=False) if as_json
                   else _as_text(article, source))
    if not rows and not as_json:
        typer.echo("no articles stored yet: run `ieiwatch run`")
    engine.dispose()


def _as_dict(a: Article, source: str) -> dict:
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
        "parties": a.parties,
        "region": a.region,
        "sectors": a.sectors,
        "evidence": a.evidence,
        "classifier_version": a.classifier_version,
    }


def _as_text(a: Article, source: str) -> str:
    date = format_date(a.published_at)
    mark = "✔" if a.relevant else "·"
    lines = [
        f"{mark} {date}  [{a.type or '-'} {a.score:.2f}]  {a.title}",
        f"    {a.url}  ({source})",
    ]
    if a.relevant:
        parties = ", ".join(f"{p['name']} ({p['kind']})" for p in a.parties) or "-"
        lines.append(f"    parties: {parties}")
        lines.append(f"    evidence: {'; '.join(a.evidence[:6]) or '-'}")
    return "\n".join(lines)
