"""What the commands share: the --config option, loading it or exiting with its errors,
printing web text safely, and one exit for the operator's mistakes."""

from __future__ import annotations

import atexit
import gc
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ieiwatch.config import AppConfig, ConfigError, Settings, load_config
from ieiwatch.config.settings import default_prefect_home
from ieiwatch.domain import BEIJING
from ieiwatch.domain.text import MAX_TITLE_CHARS, clean_line, clean_text
from ieiwatch.storage.db import StoreUnavailable
from ieiwatch.storage.secrets import SecretKeyError

DEFAULT_PREFECT_HOME = default_prefect_home()
"""Where ``serve`` keeps its local Prefect server, and where ``run`` looks for it."""

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


def freeze_heap_at_exit() -> None:
    """Exit without sweeping the heap: once every other exit handler has run (Prefect
    sends its last logs and events), the objects left are frozen, so the interpreter's
    teardown frees them without garbage-collection passes over the whole heap (about a
    second for a run over 1,000 sources). Call it first: exit handlers run last-in,
    first-out."""
    atexit.register(gc.freeze)


def shown(text: str | None, limit: int | None = MAX_TITLE_CHARS) -> str:
    """Web text (a title, a name, a stored error) as one terminal-safe line: a hostile page
    must not clear the screen, plant OSC-8 links or reverse text with U+202E."""
    return clean_line(text or "", limit)


def echo(message: str = "", *, err: bool = False) -> None:
    """``typer.echo`` for lines that carry web text: escapes, controls and bidirectional
    overrides are dropped from every line, layout (spaces, line breaks) is kept."""
    typer.echo(clean_text(message, None), err=err)


OPERATOR_ERRORS = (ConfigError, StoreUnavailable, SecretKeyError)
"""Mistakes of set-up, not bugs: one paragraph naming the thing and exit 2, no traceback."""


class Commands(TyperGroup):
    """The command group that turns ``OPERATOR_ERRORS`` raised by any command into their
    message and exit 2."""

    def invoke(self, ctx: Any) -> Any:  # Typer's own (vendored) click Context
        try:
            return super().invoke(ctx)
        except OPERATOR_ERRORS as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None


def fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


def when(moment: datetime | None) -> str:
    """Beijing time, as the sources and the alerts mean their dates (stored as UTC)."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if moment else "-"
