"""``ieiwatch init``: a commented starter config, and what to do next."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ieiwatch.cli.common import fail
from ieiwatch.config import Settings
from ieiwatch.config.starter import STARTER_SECRETS, starter_text


def init(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Where to write it (default: $IEIWATCH_CONFIG or config/ieiwatch.yaml)."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a commented starter config: a feed, an HTML source, an email and a WeCom subscriber."""
    target = path or Settings().config_path
    if target.exists() and not force:
        raise fail(f"init: {target} exists; edit it, or pass --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(starter_text(), encoding="utf-8")
    config = "" if path is None else f" --config {target}"
    for line in (
        f"wrote {target}",
        "next:",
        "  1. edit it: your sources' URLs, your subscribers' addresses and filters",
        f"  2. export the secrets it reads: {', '.join(STARTER_SECRETS)}",
        f"  3. try a source without storing anything: ieiwatch sources check college-news{config}",
        f"  4. test the alert channels: ieiwatch subscribers test analyst{config}",
        f"  5. one pass now: ieiwatch run{config}; on a schedule: ieiwatch serve{config}",
    ):
        typer.echo(line)


def register(app: typer.Typer) -> None:
    app.command()(init)
