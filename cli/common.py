"""What the commands share: the --config option, and loading it or exiting with its
errors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ieiwatch.config import AppConfig, ConfigError, Settings, load_config

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="YAML config (default: $IEIWATCH_CONFIG or config/ieiwatch.yaml)"
    ),
]


def command_group(help: str) -> typer.Typer:
    """A group of commands with plain help: Typer's rich panels label every flag ``<bool>``
    and every value ``<str>``, which tells a reader nothing."""
    return typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=None)


def load_or_exit(path: Path | None) -> tuple[Settings, AppConfig]:
    """Settings and the config, or exit 2 naming the file, field and problem."""
    settings = Settings()
    try:
        return settings, load_config(path or settings.config_path)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)
