"""``ieiwatch db upgrade|current|stamp|revision``: the schema's Alembic migrations.

Every command that opens the database applies pending migrations by itself; ``upgrade``
does it on purpose (before a deploy, or to see what it does), the others help whoever
changes the models.
"""

from __future__ import annotations

from types import ModuleType
from typing import Annotated

import typer
from sqlalchemy import Engine

from ieiwatch.cli.common import ConfigOption, command_group, fail, load_or_exit
from ieiwatch.config import Settings
from ieiwatch.storage.db import make_engine

db_app = command_group("The database schema (Alembic migrations).")


def _engine(config: ConfigOption) -> Engine:
    # The database URL comes from the environment; a --config given is checked all the same,
    # so a bad file fails here as everywhere else.
    settings = load_or_exit(config)[0] if config else Settings()
    return make_engine(settings.database_url)


def _migrations() -> ModuleType:
    # Imported by these commands only: Alembic costs every other command (a one-shot
    # `ieiwatch run`) about 0.4 s and 12 MB.
    from ieiwatch.storage import migrations

    return migrations


@db_app.command("upgrade")
def upgrade(config: ConfigOption = None) -> None:
    """Apply the pending migrations ($IEIWATCH_DATABASE_URL; an empty database gets all)."""
    migrations = _migrations()
    engine = _engine(config)
    try:
        result = migrations.upgrade(engine)
    except migrations.MigrationError as exc:
        raise fail(f"db: {exc}") from None
    finally:
        engine.dispose()
    if result.changed:
        typer.echo(f"db: upgraded from {result.before or 'empty'} to {result.after}")
    else:
        typer.echo(f"db: at {result.after} already")


@db_app.command("current")
def current(config: ConfigOption = None) -> None:
    """The database's revision and the newest one this version of ieiwatch knows."""
    migrations = _migrations()
    engine = _engine(config)
    try:
        with engine.connect() as conn:
            found = migrations.current_revision(conn)
    finally:
        engine.dispose()
    head = migrations.head_revision()
    state = "up to date" if found == head else "behind: run `ieiwatch db upgrade`"
    typer.echo(f"db: at {found or 'nothing (empty)'}; newest {head} ({state})")


@db_app.command("stamp")
def stamp(
    revision: Annotated[str, typer.Argument(help="Revision id, or head.")] = "head",
    config: ConfigOption = None,
) -> None:
    """Record a revision as applied without running it (after migrating by hand)."""
    migrations = _migrations()
    engine = _engine(config)
    try:
        migrations.stamp(engine, revision)
    finally:
        engine.dispose()
    typer.echo(f"db: stamped {revision}")


@db_app.command("revision")
def revision(
    message: Annotated[str, typer.Option("--message", "-m", help="What the change is.")],
    config: ConfigOption = None,
) -> None:
    """Write a new migration from the difference between the models and the database
    (bring the database up to date first; review the file before committing it)."""
    migrations = _migrations()
    engine = _engine(config)
    try:
        path = migrations.write_revision(engine, message)
    finally:
        engine.dispose()
    typer.echo(f"db: wrote {path or 'a new revision'}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
