"""The ``ieiwatch`` command line."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer

from ieiwatch.cli.common import (
    DEFAULT_PREFECT_HOME,
    Commands,
    ConfigOption,
    command_group,
    echo,
    freeze_heap_at_exit,
)
from ieiwatch.cli.entry import collector_paused
from ieiwatch.config import ConfigError, Settings, load_config
from ieiwatch.config.settings import (
    apply_prefect_defaults,
    database_url_of,
)

app = typer.Typer(
    help="Watch university and government news for industry–education cooperation.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    cls=Commands,
)
items_app = command_group("What is stored.")
app.add_typer(items_app, name="items")


@app.callback()
def everywhere(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database: a SQLite file path or a SQLAlchemy URL (default: "
            "$IEIWATCH_DATABASE_URL, else ieiwatch.db in your user data directory).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Watch university and government news for industry–education cooperation."""
    if db is not None:
        # Settings are read from the environment by every layer, in this process and in the
        # flows it runs: --db is IEIWATCH_DATABASE_URL for this command.
        os.environ["IEIWATCH_DATABASE_URL"] = database_url_of(db)


@app.command()
def run(
    config: ConfigOption = None,
    prefect_home: Annotated[
        Path,
        typer.Option(
            envvar="IEIWATCH_PREFECT_HOME",
            help="PREFECT_HOME of `ieiwatch serve`'s local Prefect server: the run uses that "
            "server while it is up (else the one at PREFECT_API_URL, else a temporary one).",
        ),
    ] = DEFAULT_PREFECT_HOME,
) -> None:
    """Poll every source once, store and classify what is new, send its alerts, exit."""
    settings = Settings()
    path = config or settings.config_path
    try:
        app_config = load_config(path)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    with collector_paused():  # Prefect and what the pass needs, imported on first use
        from ieiwatch.flows.local_server import prefect_for_one_run
        from ieiwatch.flows.monitor import monitor, summary_lines
        from ieiwatch.flows.runtime import check_store

    check_store(settings, app_config)  # a database mistake: one paragraph, exit 2

    with prefect_for_one_run(prefect_home):
        report = asyncio.run(monitor(config_path=str(path)))
    for line in summary_lines(report):
        echo(line)  # errors quote what sites sent
    if not report.sources:
        typer.echo("nothing to run: the config has no enabled sources", err=True)
        raise typer.Exit(1)
    if report.all_failed:
        raise typer.Exit(1)


@items_app.command("list")
def items_list(
    relevant: Annotated[bool, typer.Option("--relevant", help="Only cooperation news.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
) -> None:
    """Show stored articles with their classification."""
    from ieiwatch.cli.items import print_items

    print_items(Settings(), relevant_only=relevant, as_json=as_json, limit=limit)


@app.command()
def demo(
    workdir: Annotated[
        Path, typer.Option(help="Where the demo keeps its database, config and mail.")
    ] = Path("data/demo"),
    site_port: Annotated[int, typer.Option(help="Port of the demo news site.")] = 18780,
    smtp_port: Annotated[int, typer.Option(help="Port of the demo mail server.")] = 18725,
) -> None:
    """Run the whole job offline against a bundled local news site and mail server."""
    try:
        from ieiwatch.demo.run import run_demo
    except ModuleNotFoundError as exc:
        if exc.name != "aiosmtpd":
            raise
        typer.echo(
            "demo: its local mail server needs aiosmtpd: pip install 'ieiwatch[demo]' "
            "(make demo installs it)",
            err=True,
        )
        raise typer.Exit(1) from None

    try:
        report = run_demo(workdir, site_port, smtp_port)
    except OSError as exc:
        typer.echo(
            f"demo: cannot start its local servers: {exc} (choose other ports with "
            "--site-port/--smtp-port)",
            err=True,
        )
        raise typer.Exit(1) from None
    if report.all_failed:
        raise typer.Exit(1)


@app.command()
def reclassify(
    everything: Annotated[
        bool,
        typer.Option(
            "--all", help="Also articles already classified by the current classifier version."
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Re-run the classifier over stored articles after its rules changed (no alerts).
    Each is told the publisher it was classified with; one stored before articles kept
    theirs, its source's publisher in the config."""
    from ieiwatch.flows.reclassify import reclassify as reclassify_flow

    path = config or Settings().config_path
    try:
        if path.is_file():  # a broken config: its error, before the flow starts
            load_config(path)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    report = reclassify_flow(everything=everything, config_path=str(path))
    typer.echo(
        f"classifier {report.version}: {report.examined} articles reclassified, "
        f"{report.changed} changed relevance or type"
    )


def register_commands() -> None:
    """Add the command groups kept in their own modules (once)."""
    from ieiwatch.cli import (
        backfill,
        classify,
        db,
        deliveries,
        init,
        items,
        serve,
        sources,
        subscribers,
        web,
    )

    if any(group.name == "subscribers" for group in app.registered_groups):
        return

    for module in (
        init,
        classify,
        subscribers,
        deliveries,
        sources,
        serve,
        backfill,
        db,
        items,
        web,
    ):
        module.register(app)


def main() -> None:
    freeze_heap_at_exit()
    apply_prefect_defaults()
    register_commands()
    app()


__all__ = ["app", "main"]
