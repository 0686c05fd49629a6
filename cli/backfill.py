"""``ieiwatch backfill``: walk a source's history once (the ``backfill`` flow, in-process)."""

from __future__ import annotations

import asyncio
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

from ieiwatch.cli.common import ConfigOption, echo, load_or_exit


class NotifyChoice(StrEnum):
    none = "none"
    digest = "digest"
    instant = "instant"


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        typer.echo(f"backfill: {option} {value!r} is not a date (YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None


def backfill_command(
    source: Annotated[str, typer.Option("--source", help="Name of the source in the config.")],
    since: Annotated[
        str | None,
        typer.Option(
            help="First day to store, YYYY-MM-DD (Beijing time); older items are skipped and a "
            "page of only older items ends the walk."
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Last day to store, YYYY-MM-DD (newer items are skipped).")
    ] = None,
    max_pages: Annotated[
        int | None,
        typer.Option(min=1, help="Walk at most this many pages (over all runs of this backfill)."),
    ] = None,
    notify: Annotated[
        NotifyChoice,
        typer.Option(
            help="none: alert nobody; digest: one summary per subscriber at the end; instant: "
            "the usual alerts."
        ),
    ] = NotifyChoice.none,
    restart: Annotated[
        bool,
        typer.Option(
            "--restart", help="Walk again from the first page, even if this backfill finished."
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Store a source's older articles, page by page; run it again to resume."""
    settings, app_config = load_or_exit(config)
    from ieiwatch.flows.backfill import (
        BackfillError,
        BackfillIncomplete,
        BackfillRequest,
        backfill,
        source_config,
        summary_lines,
    )

    first, last = _day(since, "--since"), _day(until, "--until")
    try:
        source_config(app_config, source)
        BackfillRequest.for_days(source, first, last, max_pages, notify.value, restart)
    except BackfillError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    try:
        report = asyncio.run(
            backfill(
                source=source,
                since=first,
                until=last,
                max_pages=max_pages,
                notify=notify.value,
                restart=restart,
                config_path=str(config or settings.config_path),
            )
        )
    except BackfillIncomplete as exc:
        for line in summary_lines(exc.report):
            echo(line)
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        # Prefect has already logged "Crash detected!": say what it means for the user.
        typer.echo(
            f"backfill {source}: interrupted. Every page finished before Ctrl-C is stored and "
            "checkpointed; run the same command again to resume where it stopped.",
            err=True,
        )
        raise typer.Exit(130) from None
    for line in summary_lines(report):
        echo(line)


def register(app: typer.Typer) -> None:
    app.command("backfill")(backfill_command)
