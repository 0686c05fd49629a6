"""`ieiwatch sources list` and `ieiwatch sources check NAME`: source health and a dry run.

cli/main.py calls `register(app)` to add the `sources` command group.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from ieiwatch.cli.common import ConfigOption, command_group, echo, load_or_exit, when
from ieiwatch.cli.sources_discover import add_commands
from ieiwatch.config.schema import SourceConfig
from ieiwatch.domain import ArticleToStore
from ieiwatch.flows.checking import CheckResult, check_source
from ieiwatch.flows.runtime import read_store
from ieiwatch.notify.wording import party_text, region_text, type_label
from ieiwatch.scrapers.errors import ScrapeError, SelectorMatchedNothing
from ieiwatch.storage.health import SourceHealth, health_table, never_polled

sources_app = command_group("Source health, and trying a source out.")

SAMPLE_CHARS = 300


def register(app: typer.Typer) -> None:
    add_commands(sources_app)
    app.add_typer(sources_app, name="sources")


@sources_app.command("list")
def list_command(config: ConfigOption = None) -> None:
    """Show each configured source's health.

    State, last success, failures in a row, items stored in the last 7 days, its newest
    item, and the last error or why it is broken.
    """
    settings, app_config = load_or_exit(config)
    names = [s.name for s in app_config.sources]
    with read_store(settings) as session:
        rows = (
            health_table(session, names, unknown_as_new=True)
            if session
            else [never_polled(n) for n in names]
        )
    for line in format_health(rows):
        echo(line)


@sources_app.command("check")
def check_command(
    name: Annotated[str, typer.Argument(help="The source's name in the config.")],
    config: ConfigOption = None,
    articles: Annotated[int, typer.Option(help="Article pages to fetch and show.")] = 3,
) -> None:
    """Fetch a source once and show what it would extract, storing and alerting nothing.

    Its items (URL, title, date) and the text of the first few articles: for writing and
    debugging selectors.
    """
    settings, app_config = load_or_exit(config)
    try:
        source = app_config.source(name)
    except KeyError:
        known = ", ".join(s.name for s in app_config.sources) or "none"
        typer.echo(f"sources check: no source named {name!r} (configured: {known})", err=True)
        raise typer.Exit(2) from None
    try:
        result = asyncio.run(check_source(settings, source, articles))
    except SelectorMatchedNothing as exc:
        echo(f"sources check: {name}: {exc}", err=True)
        echo(
            f"  hint: open {source.url} and take the repeating element of its news list, or "
            f"let ieiwatch find it: ieiwatch sources discover {source.url}",
            err=True,
        )
        raise typer.Exit(1) from None
    except ScrapeError as exc:
        echo(f"sources check: {name}: {exc}", err=True)
        raise typer.Exit(1) from None
    for line in format_check(source, result):
        echo(line)


def format_check(source: SourceConfig, result: CheckResult) -> list[str]:
    items = result.listing.items
    lines = [f"{source.name}: {source.kind} {source.url}", f"{len(items)} items listed"]
    if result.listing.warning:
        lines.append(f"  ! feed: {result.listing.warning}")
    for i, item in enumerate(items, 1):
        lines.append(f"{i:>3}. {when(item.published_at):<16}  {item.title or '(no title)'}")
        lines.append(f"     {item.url}")
    for article in result.harvest.articles:
        sample = " ".join(article.text.split())[:SAMPLE_CHARS]
        lines += [
            "",
            f"== {article.title or '(no title)'}",
            f"   {when(article.published_at)}  {article.url}",
            f"   {len(article.text)} characters: {sample or '(no text)'}",
            f"   {_verdict(article)}",
        ]
    for error in result.harvest.errors:
        lines.append(f"  ! {error}")
    for skipped in result.harvest.skipped:
        lines.append(f"  ! skipped link {skipped}")
    return lines


def _verdict(article: ArticleToStore) -> str:
    """What the classifier made of it, as an alert would show it."""
    if not article.relevant:
        return f"not cooperation news (score {article.score:.2f})"
    parts = [f"cooperation news: {type_label(article.type)} (score {article.score:.2f})"]
    if article.parties:
        parts.append(f"parties: {party_text(article.parties)}")
    if article.region:
        parts.append(f"region: {region_text(article.region, 'zh')}")
    return "; ".join(parts)


def format_health(rows: list[SourceHealth]) -> list[str]:
    head = (
        f"{'source':<24} {'state':<8} {'last success':<16} {'fails':>5} "
        f"{'items/7d':>8} {'newest item':<16} problem (times: Beijing)"
    )
    lines = [head]
    for r in rows:
        problem = r.broken_reason or r.last_error or ""
        if r.broken_since:
            problem = f"since {when(r.broken_since)}: {problem}"
        lines.append(
            f"{r.name:<24} {r.state:<8} {when(r.last_success_at):<16} "
            f"{r.consecutive_failures:>5} {r.items_per_week:>8} {when(r.last_item_at):<16} "
            f"{_short(problem)}"
        )
    return lines


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
