"""``ieiwatch items list``: stored articles with type, parties and evidence."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from ieiwatch.cli.common import ConfigOption, echo, fail, load_or_exit, shown
from ieiwatch.config import Settings
from ieiwatch.flows.runtime import open_store, read_store
from ieiwatch.notify.wording import format_date, party_text
from ieiwatch.storage.articles import list_articles, source_names
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.marks import MarkError, export_marks, mark_article
from ieiwatch.storage.models import Article
from ieiwatch.storage.stories import story_sizes


def print_items(settings: Settings, *, relevant_only: bool, as_json: bool, limit: int) -> None:
    with read_store(settings) as session:
        rows = list_articles(session, relevant_only=relevant_only, limit=limit) if session else []
        names = source_names(session) if session else {}
        sizes = story_sizes(session, [a.story_id for a in rows if a.story_id]) if session else {}
    for article in rows:
        source = names.get(article.source_id, "?")
        carried_by = sizes.get(article.story_id or 0, 1)
        echo(
            json.dumps(as_dict(article, source, carried_by), ensure_ascii=False)
            if as_json
            else as_text(article, source, carried_by)
        )
    if not rows and not as_json:
        echo("no articles stored yet: run `ieiwatch run`")


def as_dict(a: Article, source: str, carried_by: int = 1) -> dict[str, Any]:
    return {
        "id": a.id,
        "source": source,
        "story_id": a.story_id,
        "sources_in_story": carried_by,
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
        "publisher": a.publisher,
    }


def as_text(a: Article, source: str, carried_by: int = 1) -> str:
    """``carried_by``: how many sources carry the article's story (shown when several)."""
    date = format_date(a.published_at)
    mark = "✔" if a.relevant else "·"
    story = f"story {a.story_id}" + (f", {carried_by} sources" if carried_by > 1 else "")
    lines = [
        f"{mark} {date}  [{a.type or '-'} {a.score:.2f}]  {shown(a.title)}",
        f"    {a.url}  ({source}; {story})",
    ]
    if a.relevant:
        lines.append(f"    parties: {party_text(a.parties)}")
        lines.append(f"    evidence: {'; '.join(a.evidence[:6]) or '-'}")
    return "\n".join(lines)


# ------------------------------------------------------------------ items mark / marks


def mark_command(
    article_id: Annotated[int, typer.Argument(help="The item's id (`items list --json`).")],
    relevant: Annotated[
        bool,
        typer.Option(
            "--relevant/--not-relevant", help="Is it industry–education cooperation news?"
        ),
    ],
    type_: Annotated[
        str | None, typer.Option("--type", help="Its type (when relevant), e.g. joint_lab.")
    ] = None,
    party: Annotated[
        list[str] | None,
        typer.Option("--party", help="A principal party (repeatable); replaces the parties."),
    ] = None,
    by: Annotated[str, typer.Option(help="Who marks it.")] = "cli",
    config: ConfigOption = None,
) -> None:
    """Correct a stored item; the mark is kept and the item shows it at once."""
    settings, app_config = load_or_exit(config)
    engine = open_store(settings, app_config)
    try:
        with session_scope(engine) as session:
            mark_article(session, article_id, relevant=relevant, type=type_, parties=party, by=by)
            shown_now = session.get(Article, article_id)
            text = as_text(shown_now, "") if shown_now else ""
    except MarkError as exc:
        raise fail(f"items mark: {exc}") from None
    finally:
        engine.dispose()
    echo(f"marked {article_id}:")
    echo(text)


def marks_command(config: ConfigOption = None) -> None:
    """Every marked item as a labelled JSON row (the newest mark of each), one per line."""
    settings, _ = load_or_exit(config)
    with read_store(settings) as session:
        rows = export_marks(session) if session else []
    for row in rows:
        echo(json.dumps(row, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    """``items mark`` and ``items marks``, in the ``items`` group of cli/main.py."""
    group = next(g.typer_instance for g in app.registered_groups if g.name == "items")
    assert group is not None
    group.command("mark")(mark_command)
    group.command("marks")(marks_command)
