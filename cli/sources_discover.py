"""`ieiwatch sources discover|add|remove|import|export`: sources from a URL or an OPML
file, written into the config file with its comments kept.

``cli/sources.py`` adds these commands to its ``sources`` group (``add_commands``).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from ieiwatch.cli.common import ConfigOption, echo, fail, load_or_exit
from ieiwatch.config import Settings
from ieiwatch.config.sources_file import SourcesFileError, append_sources, remove_source
from ieiwatch.domain import BEIJING
from ieiwatch.flows.checking import discover_url
from ieiwatch.scrapers.discover import Discovery, source_name
from ieiwatch.scrapers.errors import ScrapeError
from ieiwatch.scrapers.opml import (
    FeedOutline,
    OpmlError,
    feed_entries,
    read_opml,
    unique_name,
    write_opml,
)

SHOWN_ITEMS = 10


def add_commands(app: typer.Typer) -> None:
    app.command("discover")(discover_command)
    app.command("add")(add_command)
    app.command("remove")(remove_command)
    app.command("import")(import_command)
    app.command("export")(export_command)


def discover_command(
    url: Annotated[str, typer.Argument(help="A news list page (or a feed) URL.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Find a page's feed, or its CMS, news list, dates and next page, and the config entry
    that watches it. Nothing is stored."""
    found = _discover_or_exit(url)
    if as_json:
        echo(json.dumps(found.as_json(), ensure_ascii=False, indent=2))
        return
    for line in format_discovery(found, found.source_entry(source_name(found.url))):
        echo(line)


def add_command(
    url: Annotated[str, typer.Argument(help="A news list page (or a feed) URL.")],
    name: Annotated[
        str | None, typer.Option(help="The source's name (default: from the URL).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Discover a page and append its source to the config file (comments kept)."""
    settings, app_config = load_or_exit(config)
    found = _discover_or_exit(url)
    taken = {s.name for s in app_config.sources}
    if name is not None and name in taken:
        raise fail(f"sources add: a source named {name!r} exists already")
    entry = found.source_entry(name or unique_name(source_name(found.url), taken))
    for line in format_discovery(found, entry):
        echo(line)
    path = config or settings.config_path
    _edit_or_exit(lambda: append_sources(path, [entry]))
    typer.echo(f"added source {entry['name']!r} to {path}")


def remove_command(
    name: Annotated[str, typer.Argument(help="The source's name in the config.")],
    config: ConfigOption = None,
) -> None:
    """Remove a source from the config file (its own lines; comments kept). Its stored
    articles stay."""
    path = config or Settings().config_path
    _edit_or_exit(lambda: remove_source(path, name))
    typer.echo(f"removed source {name!r} from {path}")


def import_command(
    opml: Annotated[Path, typer.Argument(help="An OPML file of feeds.", exists=True)],
    config: ConfigOption = None,
) -> None:
    """Append the feeds of an OPML file to the config file (those not configured yet)."""
    settings, app_config = load_or_exit(config)
    try:
        feeds = read_opml(opml.read_bytes())
    except OpmlError as exc:
        raise fail(f"sources import: {opml}: {exc}") from None
    entries = feed_entries(
        feeds, {s.name for s in app_config.sources}, {s.url for s in app_config.sources}
    )
    path = config or settings.config_path
    _edit_or_exit(lambda: append_sources(path, entries))
    for entry in entries:
        typer.echo(f"added feed {entry['name']}: {entry['url']}")
    typer.echo(f"{len(entries)} of {len(feeds)} feeds added to {path}")


def export_command(config: ConfigOption = None) -> None:
    """Print the configured feed sources as OPML 2.0 (for feed readers)."""
    _, app_config = load_or_exit(config)
    feeds = [FeedOutline(s.name, s.url) for s in app_config.sources if s.kind == "feed"]
    typer.echo(write_opml(feeds, "ieiwatch feed sources"), nl=False)


def format_discovery(found: Discovery, entry: dict[str, Any]) -> list[str]:
    if found.kind == "feed":
        head = [f"{found.url}: a feed, {len(found.items)} items"]
    else:
        dated = sum(1 for i in found.items if i.published_at)
        head = [
            f"{found.url}: news list page, CMS {found.cms or 'not recognised'}",
            f"{len(found.items)} items ({dated} dated); next page: "
            + (_next_line(found) if found.next_page else "none found"),
        ]
    lines = head
    for n, item in enumerate(found.items[:SHOWN_ITEMS], 1):
        when = (
            item.published_at.astimezone(BEIJING).strftime("%Y-%m-%d") if item.published_at else "-"
        )
        lines += [f"{n:>3}. {when:<10}  {item.title or '(no title)'}", f"     {item.url}"]
    if len(found.items) > SHOWN_ITEMS:
        lines.append(f"     ... {len(found.items) - SHOWN_ITEMS} more")
    block = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=1000)
    lines += ["", "config entry:", *(f"  {line}" for line in block.splitlines())]
    return lines


def _next_line(found: Discovery) -> str:
    page = found.next_page
    assert page is not None
    if page.url is None:
        return f"a next-page control that cannot be followed ({page.how})"
    return f"{page.url} ({page.how})"


def _discover_or_exit(url: str) -> Discovery:
    try:
        return asyncio.run(discover_url(Settings(), url))
    except ScrapeError as exc:
        raise fail(f"sources discover: {exc}") from None


def _edit_or_exit(edit: Any) -> None:
    try:
        edit()
    except SourcesFileError as exc:
        raise fail(str(exc)) from None
